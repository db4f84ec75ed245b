#!/usr/bin/env bash
# Rewrites Tests/Fixtures/round1-{language,image}-run with round 1's binary (commit 6695bb4),
# under OPENBLAS_CORETYPE=Haswell so that the bit-for-bit resume test holds on any x86-64 CPU
# with AVX2 (see Tests/CLITests/CheckpointCompatibilityTests.swift).
#   git worktree add --detach /tmp/old 6695bb4 && (cd /tmp/old && swift build --product ttur-text)
#   scripts/round1-fixtures.sh /tmp/old/.build/debug/ttur-text WORDCORPUS_SHARDS_DIR
# WORDCORPUS_SHARDS_DIR: the corpus Tests/_TestSupport/WordCorpus.swift writes (300 lines, seed 11).
set -euo pipefail
old=$1 corpus=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export OPENBLAS_CORETYPE=Haswell
"$old" prepare corpus "$corpus" --out "$work/data" --seq-len 8 --ngram 4 --vocab-dir ""
"$old" train --data "$work/data" --run "$work/round1-language-run" --dim 8 --batch 4 --noise 6 --eval-every 2 \
    --checkpoint-every 2 --ngram 4 --threads 1 --seed 5 --iterations 3
"$old" image train --run "$work/round1-image-run" --dataset fashion-mnist --limit 64 --size 16 --width 4 --batch 8 \
    --fid-every 2 --no-fid --grid 4 --checkpoint-every 2 --iterations 3 --threads 1 --seed 5
here=$(cd "$(dirname "$0")/.." && pwd)
for run in round1-language-run round1-image-run; do
    cp "$work/$run/config.json" "$work/$run/log.jsonl" "$here/Tests/Fixtures/$run/"
    cp "$work/$run"/checkpoints/iter-0000000{2,3}.safetensors "$here/Tests/Fixtures/$run/checkpoints/"
done
