#!/usr/bin/env python3
"""Writes Tests/Fixtures/text-metrics/expected.json: MS-Jaccard-2..5 of the BLEU fixture's
sample files against its reference files, computed from the definition in Montahaei,
Alihosseini & Soleymani Baghshah (2019), "Jointly Measuring Diversity and Quality in Text
Generation Models", section 3 (written here from the paper, not copied from any code):

  For each order k, every k-gram's count over a set of sentences is divided by the number of
  sentences in that set; J_k = sum_g min(c_S(g), c_R(g)) / sum_g max(c_S(g), c_R(g)).
  MS-Jaccard-n is the geometric mean of J_1 ... J_n.

Words are whitespace tokens; blank lines are dropped (as ttur-text's BLEU does). Computed with
Python's fractions for J_k (exact), then in float64.

Usage: python3 scripts/text_metrics_reference.py [FIXTURE_DIR] [OUT_DIR]   (standard library only)
"""
import json
import math
import os
import sys
from collections import Counter
from fractions import Fraction

FIXTURES = sys.argv[1] if len(sys.argv) > 1 else 'Tests/Fixtures/bleu'
OUT = sys.argv[2] if len(sys.argv) > 2 else 'Tests/Fixtures/text-metrics'


def sentences(path):
    with open(path, encoding='utf-8') as f:
        return [line.split() for line in f.read().split('\n') if line.split()]


def normalized_counts(sents, k):
    counts = Counter()
    for words in sents:
        for i in range(len(words) - k + 1):
            counts[tuple(words[i:i + k])] += 1
    return {g: Fraction(c, len(sents)) for g, c in counts.items()}


def jaccard(samples, references, k):
    s, r = normalized_counts(samples, k), normalized_counts(references, k)
    grams = set(s) | set(r)
    shared = sum(min(s.get(g, 0), r.get(g, 0)) for g in grams)
    union = sum(max(s.get(g, 0), r.get(g, 0)) for g in grams)
    return shared / union if union else None


def ms_jaccard(samples, references, orders=range(2, 6)):
    js = [jaccard(samples, references, k) for k in range(1, max(orders) + 1)]
    out = {}
    for n in orders:
        first = js[:n]
        if any(j is None for j in first):
            out[n] = None
        elif any(j == 0 for j in first):
            out[n] = 0.0
        else:
            out[n] = math.exp(sum(math.log(j) for j in first) / n)
    return out, [None if j is None else float(j) for j in js]


result = {}
for name in ['main', 'long']:
    samples = sentences(os.path.join(FIXTURES, f'{name}-samples.txt'))
    references = sentences(os.path.join(FIXTURES, f'{name}-references.txt'))
    scores, js = ms_jaccard(samples, references)
    result[name] = {f'msjaccard{n}': v for n, v in scores.items()}
    result[name].update({f'jaccard{k}': v for k, v in enumerate(js, start=1)})
os.makedirs(OUT, exist_ok=True)
with open(os.path.join(OUT, 'expected.json'), 'w') as f:
    json.dump(result, f, indent=1, sort_keys=True)
    f.write('\n')
print(json.dumps(result, indent=1, sort_keys=True))
