#!/usr/bin/env python3
"""Writes Tests/Fixtures/kneser-ney/expected.json: NLTK's interpolated Kneser-Ney character
language model (nltk.lm.KneserNeyInterpolated, discount 0.1) trained on the sentences of one
file and scoring the sentences of another, for KneserNeyTests.

Characters are Python's list(str) (Unicode code points). Each sentence is padded as
nltk.lm.preprocessing.padded_everygram_pipeline pads it (order-1 "<s>" before, order-1
"</s>" after); the model is fit on every 1..order-gram of the padded training sentences; a
test sentence is scored as the order-grams of its padded form, each n-gram's log2 score
model.logscore(word, context). Recorded: every log score (null for probability 0, a unit the
model never saw), and the entropy (mean negative log2 score) where all are finite.

Usage: python3 scripts/kneser_ney_reference.py [OUT_DIR]   (needs nltk from PyPI; written with 3.10.4)
"""
import json
import math
import os
import sys

import nltk
from nltk.lm import KneserNeyInterpolated
from nltk.lm.preprocessing import pad_both_ends, padded_everygram_pipeline
from nltk.util import ngrams

OUT = sys.argv[1] if len(sys.argv) > 1 else 'Tests/Fixtures/kneser-ney'
os.makedirs(OUT, exist_ok=True)

TRAIN = [
    "the cat sat on the mat .",
    "a dog ran far away from the cat",
    "the market said new people came this year",
    "it was the first time , he said .",
    "the government and the people of the U.S.",
    "she is a good friend of mine",
    "the dog barked at the cat",
    "",
    "ab",
    "über café naïve",
]
TEST = [
    "the cat ran far .",
    "the dog sat on a mat",
    "he said it was new",
    "a",
    "",
    "café über the mat",
    "the zebra",  # 'z' and 'b'? 'z' never occurs in TRAIN: probability 0 for it
]

result = {'nltk': nltk.__version__, 'discount': 0.1, 'cases': []}
with open(os.path.join(OUT, 'train.txt'), 'w', encoding='utf-8') as f:
    f.write(''.join(s + '\n' for s in TRAIN))
with open(os.path.join(OUT, 'test.txt'), 'w', encoding='utf-8') as f:
    f.write(''.join(s + '\n' for s in TEST))
for order in [2, 3, 5]:  # order 1 has no bigrams: NLTK divides by zero
    train, vocab = padded_everygram_pipeline(order, [list(s) for s in TRAIN])
    model = KneserNeyInterpolated(order, discount=0.1)
    model.fit(train, vocab)
    scores = []
    for sentence in TEST:
        row = []
        for gram in ngrams(list(pad_both_ends(list(sentence), n=order)), order):
            p = model.score(gram[-1], gram[:-1])
            row.append(math.log2(p) if p > 0 else None)
        scores.append(row)
    flat = [v for row in scores for v in row]
    finite = [v for v in flat if v is not None]
    result['cases'].append({
        'order': order,
        'logscores': scores,
        'entropy_finite': -sum(finite) / len(finite),
        'zero_probability': len(flat) - len(finite),
        'units': len(flat),
    })
with open(os.path.join(OUT, 'expected.json'), 'w') as f:
    json.dump(result, f, indent=1)
    f.write('\n')
print(json.dumps({c['order']: (c['entropy_finite'], c['zero_probability'], c['units']) for c in result['cases']}))
