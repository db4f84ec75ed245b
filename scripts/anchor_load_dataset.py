#!/usr/bin/env python3
"""The anchor's language_helpers.load_dataset on a plain text file (seq_len 32, vocab 2048):
what `ttur-text bench prepare` times beside its own preparation. Usage: anchor_load_dataset.py TEXT"""
import collections, sys
lines = []
with open(sys.argv[1], 'r') as f:
    for line in f:
        line = tuple(line[:-1])
        if len(line) > 32: line = line[:32]
        lines.append(line + (('`',) * (32 - len(line))))
counts = collections.Counter(c for line in lines for c in line)
charmap = {'unk': 0}; inv = ['unk']
for c, n in counts.most_common(2047):
    if c not in charmap: charmap[c] = len(inv); inv.append(c)
filtered = [tuple(c if c in charmap else 'unk' for c in line) for line in lines]
print(len(filtered))
