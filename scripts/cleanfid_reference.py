#!/usr/bin/env python3
"""Writes Tests/Fixtures/cleanfid/: real images and what clean-fid's "clean" resize makes of
them (cleanfid.resize.make_resizer("PIL", False, "bicubic", (299, 299)), the function
clean-fid's mode="clean" uses), for CleanResizeTests: the first three Fashion-MNIST test images
(28x28, grey as RGB), the shared fixture's 64x64 images, and a 50x37 PNG written here (its
bytes stored, so the test decodes the same file). To keep the fixture small, 2,000 seeded
positions of each 299x299x3 result are stored with their values.

Usage: python3 scripts/cleanfid_reference.py [OUT_DIR]   (needs numpy, pillow, clean-fid)
"""
import gzip
import io
import os
import sys

import numpy as np
from PIL import Image
from cleanfid.resize import make_resizer

OUT = sys.argv[1] if len(sys.argv) > 1 else 'Tests/Fixtures/cleanfid'
os.makedirs(OUT, exist_ok=True)
resize = make_resizer("PIL", False, "bicubic", (299, 299))

with gzip.open('/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz') as f:
    fashion = np.frombuffer(f.read()[16:], dtype=np.uint8).reshape(-1, 28, 28)[:3]
shared = np.load(os.path.join(os.path.dirname(__file__), '..', '..', 'shared', 'fixtures', 'fid', 'images.npy'))[:2]
rng = np.random.default_rng(17)
yy, xx = np.mgrid[0:37, 0:50]
drawn = np.stack([(xx * 5) % 256, (yy * 7) % 256, ((xx + yy) * 3 + rng.integers(0, 40, (37, 50))) % 256], axis=2).astype(np.uint8)
png = io.BytesIO()
Image.fromarray(drawn).save(png, format='PNG')
with open(os.path.join(OUT, 'drawn.png'), 'wb') as f:
    f.write(png.getvalue())

images = [np.repeat(image[:, :, None], 3, axis=2) for image in fashion] + list(shared) + [np.asarray(Image.open(io.BytesIO(png.getvalue())).convert('RGB'))]
positions = rng.integers(0, 299 * 299 * 3, 2000)
values = np.stack([resize(image).reshape(-1)[positions] for image in images]).astype(np.float32)
np.savez_compressed(os.path.join(OUT, 'expected.npz'), positions=positions.astype(np.int64), values=values)
print(values.shape, values[:, :3])
