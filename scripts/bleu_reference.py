#!/usr/bin/env python3
"""Writes Tests/Fixtures/bleu/: sentence files and what NLTK's corpus_bleu makes of them, for
BLEUTests. Words are whitespace tokens; BLEU-n has uniform weights (1/n,)*n and NLTK's
smoothing method 1 (Texygen's settings); self-BLEU gives each hypothesis every other
hypothesis as its references (not itself).

Usage: python3 scripts/bleu_reference.py [OUT_DIR]   (needs nltk from PyPI)
"""
import json
import os
import random
import sys

import nltk
from nltk.translate.bleu_score import SmoothingFunction, corpus_bleu

OUT = sys.argv[1] if len(sys.argv) > 1 else 'Tests/Fixtures/bleu'
rng = random.Random(19)
VOCAB = ['the', 'a', 'of', 'to', 'in', 'and', 'is', 'was', 'for', 'on', 'with', 'he', 'it', 'as', 'at', 'by',
         'market', 'said', 'year', 'new', 'people', 'government', 'time', 'first', '.', ',', "'s", 'U.S.']


def sentence(max_len):
    # A word chain: each word is usually near the previous one in VOCAB, so n-grams repeat.
    n = rng.randint(1, max_len)
    words, i = [], rng.randrange(len(VOCAB))
    for _ in range(n):
        words.append(VOCAB[i])
        i = (i + rng.choice([1, 1, 2, 3, -1, 5])) % len(VOCAB)
    return ' '.join(words)


def write(name, lines):
    with open(os.path.join(OUT, name), 'w', encoding='utf-8') as f:
        f.write(''.join(line + '\n' for line in lines))


def scores(hypotheses, references):
    smooth = SmoothingFunction().method1
    hyps = [h.split() for h in hypotheses]
    refs = [r.split() for r in references]
    out = {}
    for n in range(2, 6):
        weights = tuple([1.0 / n] * n)
        out[f'bleu{n}'] = corpus_bleu([refs] * len(hyps), hyps, weights=weights, smoothing_function=smooth)
        others = [hyps[:i] + hyps[i + 1:] for i in range(len(hyps))]
        out[f'self_bleu{n}'] = corpus_bleu(others, hyps, weights=weights, smoothing_function=smooth)
    return out


samples = [sentence(14) for _ in range(60)] + ['the market', 'of', 'the market']  # short ones, a duplicate
references = [sentence(18) for _ in range(80)]
# A second case: hypotheses longer than every reference (brevity penalty 1), sharing no bigram.
long_samples = ['time first . , ' * 3 + 'said', 'people government time first . , said year new']
short_references = ['the a', 'of to in', 'said']

cases = {'main': (samples, references), 'long': (long_samples, short_references)}
expected = {'nltk': nltk.__version__}
for name, (hyps, refs) in cases.items():
    write(f'{name}-samples.txt', hyps)
    write(f'{name}-references.txt', refs)
    expected[name] = scores(hyps, refs)
with open(os.path.join(OUT, 'expected.json'), 'w') as f:
    json.dump(expected, f, indent=1, sort_keys=True)
print(json.dumps(expected, indent=1, sort_keys=True))
