#!/usr/bin/env python3
"""Share of a samples file's space-separated tokens that are words of a corpus.

    python3 scripts/corpus_word_share.py SAMPLES [CORPUS_DIR]

SAMPLES: one sentence a line (`ttur-text sample -n 640 > samples.txt`). CORPUS_DIR: a One
Billion Word-style directory (default Corpora/wordnet-examples); its words are the
whitespace tokens of every line of its training shards (plain or .zst, read with `zstd -dc`).
Prints the share, the counts, and the most frequent tokens that are not words.
"""
import collections
import pathlib
import subprocess
import sys


def corpus_words(root: pathlib.Path) -> set:
    words = set()
    shards = sorted((root / "training-monolingual.tokenized.shuffled").iterdir())
    if not shards:
        sys.exit(f"{root}: no training shards")
    for shard in shards:
        if shard.suffix == ".zst":
            text = subprocess.run(["zstd", "-dc", str(shard)], check=True, capture_output=True).stdout
        else:
            text = shard.read_bytes()
        for line in text.decode("utf-8", "replace").splitlines():
            words.update(line.split())
    return words


def main() -> None:
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    samples = pathlib.Path(sys.argv[1])
    root = pathlib.Path(sys.argv[2] if len(sys.argv) == 3 else "Corpora/wordnet-examples")
    try:
        lines = samples.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        sys.exit(f"{samples}: {error.strerror}")
    words = corpus_words(root)
    tokens = [token for line in lines for token in line.split()]
    if not tokens:
        sys.exit(f"{samples}: no tokens")
    hits = sum(token in words for token in tokens)
    misses = collections.Counter(token for token in tokens if token not in words)
    print(f"{hits / len(tokens):.4f} of {len(tokens)} tokens in {len(lines)} lines are words of {root} ({hits})")
    print("most frequent non-words:", ", ".join(f"{t} ×{c}" for t, c in misses.most_common(8)))


if __name__ == "__main__":
    main()
