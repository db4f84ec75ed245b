#!/usr/bin/env python3
"""Writes Tests/Fixtures/vit/pil_resize.npz: random 8-bit RGB images and what Pillow's
Image.resize(size, Image.BICUBIC) makes of them (upscaling 32x32 and 64x48 to 224x224 as
dgm-eval's DINOv2 transform does, and downscaling 300x260 to 224x224), for PILResizeTests.

Usage: python3 scripts/pil_resize_reference.py [OUT.npz]   (needs numpy, pillow)
"""
import sys

import numpy as np
import PIL
from PIL import Image

OUT = sys.argv[1] if len(sys.argv) > 1 else 'Tests/Fixtures/vit/pil_resize.npz'
rng = np.random.default_rng(5)
arrays = {'pillow': np.array(PIL.__version__)}
for name, (w, h) in {'up32': (32, 32), 'up64x48': (64, 48), 'down300x260': (300, 260)}.items():
    image = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
    arrays[name] = image
    arrays[name + '_224'] = np.asarray(Image.fromarray(image).resize((224, 224), Image.BICUBIC))
np.savez_compressed(OUT, **arrays)
print(PIL.__version__)
