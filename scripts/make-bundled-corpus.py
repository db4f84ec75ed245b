#!/usr/bin/env python3
"""Builds Corpora/wordnet-examples/ from Debian's wordnet-base package, reproducibly.

The corpus is WordNet 3.0's example sentences: the double-quoted examples inside the
glosses of data.noun, data.verb, data.adj and data.adv, in file order, one a line. It is
laid out as the One Billion Word benchmark is (training shards plus one held-out shard,
each zstd-compressed), so `ttur-text prepare corpus` reads it exactly as it reads the
benchmark. Every tenth sentence goes to the held-out shard.

Usage: python3 scripts/make-bundled-corpus.py [--wordnet /usr/share/wordnet] [--out Corpora/wordnet-examples]
Needs the `zstd` command; the output is byte-identical for the same wordnet-base and zstd.
"""
import argparse
import os
import re
import shutil
import subprocess
import tempfile

SOURCES = ['data.noun', 'data.verb', 'data.adj', 'data.adv']
SENTENCES_PER_SHARD = 6000
HELDOUT_EVERY = 10
LICENCE_SOURCE = '/usr/share/doc/wordnet-base/copyright'


def examples(wordnet):
    quoted = re.compile(r'"([^"]+)"')
    for name in SOURCES:
        with open(os.path.join(wordnet, name), encoding='utf-8') as f:
            for line in f:
                if line.startswith('  ') or ' | ' not in line:
                    continue  # the licence header lines, and synsets without a gloss
                gloss = line.split(' | ', 1)[1]
                for example in quoted.findall(gloss):
                    example = ' '.join(example.split())
                    if example:
                        yield example


def write_shard(lines, path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    data = ''.join(line + '\n' for line in lines).encode('utf-8')
    subprocess.run(['zstd', '-19', '-q', '--no-progress', '-f', '-o', path],
                   input=data, check=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--wordnet', default='/usr/share/wordnet')
    ap.add_argument('--out', default='Corpora/wordnet-examples')
    a = ap.parse_args()

    sentences = list(examples(a.wordnet))
    train = [s for i, s in enumerate(sentences) if i % HELDOUT_EVERY != HELDOUT_EVERY - 1]
    heldout = [s for i, s in enumerate(sentences) if i % HELDOUT_EVERY == HELDOUT_EVERY - 1]

    staging = tempfile.mkdtemp(prefix='.wordnet-examples.', dir=os.path.dirname(os.path.abspath(a.out)))
    try:
        for k in range(0, len(train), SENTENCES_PER_SHARD):
            shard = k // SENTENCES_PER_SHARD + 1
            write_shard(train[k:k + SENTENCES_PER_SHARD], os.path.join(
                staging, 'training-monolingual.tokenized.shuffled',
                'news.en-%05d-of-00100.zst' % shard))
        write_shard(heldout, os.path.join(
            staging, 'heldout-monolingual.tokenized.shuffled', 'news.en.heldout-00000-of-00050.zst'))
        shutil.copyfile(LICENCE_SOURCE, os.path.join(staging, 'LICENSE-WordNet.txt'))
        with open(os.path.join(staging, 'README.md'), 'w', encoding='utf-8') as f:
            f.write(README.format(total=len(sentences), train=len(train), heldout=len(heldout)))
        if os.path.exists(a.out):
            shutil.rmtree(a.out)
        os.rename(staging, a.out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


README = """# wordnet-examples — the bundled corpus

{total:,} English example sentences from WordNet 3.0 (Princeton University), the quoted
examples in its glosses, one sentence a line, laid out as the One Billion Word benchmark is:

    training-monolingual.tokenized.shuffled/news.en-000NN-of-00100.zst   ({train:,} sentences)
    heldout-monolingual.tokenized.shuffled/news.en.heldout-00000-of-00050.zst   ({heldout:,} sentences)

Made by `python3 scripts/make-bundled-corpus.py` from Debian's `wordnet-base` package;
every tenth sentence is held out. WordNet's licence is in `LICENSE-WordNet.txt` beside this
file (copied from the package's copyright file) and applies to these sentences.
"""

if __name__ == '__main__':
    main()
