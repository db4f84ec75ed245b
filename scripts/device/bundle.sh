#!/usr/bin/env bash
# Builds a self-contained ttur-text for a CUDA machine that has no Swift toolchain (the
# device machine: an H200 with a CUDA 13 driver and pip's CUDA wheels under /opt/torch/.venv):
# a release build with the Swift standard library linked statically, every shared library it
# loads except glibc's own, the Swift resource bundles (the CUDA kernel sources, the FID
# classifier) and scripts/device/check.sh, packed into .device/ttur-text-bundle.tar.xz
# (.device/ is ignored by git; the device tool carries it with `carry: [".device"]`).
#
#   scripts/device/bundle.sh            # here, once (a static release build: minutes)
#   then on the CUDA machine:  tar -xJf .device/ttur-text-bundle.tar.xz -C /tmp && /tmp/ttur-text-bundle/check.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
build=.build-static
swift build -c release --static-swift-stdlib --product ttur-text --build-path "$build"
out=.device/ttur-text-bundle
rm -rf "$out" && mkdir -p "$out/lib"
cp "$build/release/ttur-text" "$out/"
strip "$out/ttur-text"
for resources in "$build"/release/*.resources; do cp -r "$resources" "$out/"; done
# glibc's libraries are on every Linux machine and must match its loader: leave them out.
ldd "$out/ttur-text" | awk '/=> \// { print $3 }' \
  | grep -vE '/(libc|libm|libpthread|libdl|librt|libresolv|libutil|ld-linux-x86-64)\.so' \
  | while read -r library; do cp -L "$library" "$out/lib/"; done
cp scripts/device/check.sh "$out/"
tar -C .device -cJf .device/ttur-text-bundle.tar.xz ttur-text-bundle
du -sh "$out" .device/ttur-text-bundle.tar.xz
