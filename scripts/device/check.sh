#!/usr/bin/env bash
# Runs on a CUDA machine from the unpacked bundle (scripts/device/bundle.sh): the bundled
# libraries first, then ttur-text's own search for the CUDA libraries (the driver's
# libcuda.so.1 from the loader's path; NVRTC and cuBLAS from pip's nvidia/*/lib folders, e.g.
# /opt/torch/.venv). Prints the devices and the self-check: the kernels compiled by NVRTC for
# the device and run, and cuBLAS GEMMs in fp32 and TF32, each against float64 on the CPU.
# Exit status: 0 when every check passes.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export LD_LIBRARY_PATH="$here/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export XDG_CACHE_HOME="${XDG_CACHE_HOME:-/tmp/ttur-text-cache}"
command -v nvidia-smi >/dev/null && nvidia-smi -L
"$here/ttur-text" devices --check
status=$?
echo "ttur-text devices --check: exit $status"
exit $status
