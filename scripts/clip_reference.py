#!/usr/bin/env python3
"""Writes Tests/Fixtures/clip/: a small CLIP image tower in Hugging Face's layout
(transformers' CLIPVisionModelWithProjection: patch 14, 28-pixel images, 128 wide in 2 heads of
64, 2 layers, QuickGELU, projection to 16), every parameter random (`small.safetensors`), two
normalised input images and its L2-normalised image embeddings, for CLIPImageEncoderTests; and
CMMD between two sets of random unit vectors as the paper's code defines it (google-research/
cmmd, distance.py: sigma 10, scale 1000, means of the full kernel matrices), written here
from that definition.

Usage: python3 scripts/clip_reference.py [OUT_DIR]   (needs torch, transformers, safetensors)
"""
import json
import os
import sys

import numpy as np
import torch
import transformers
from safetensors.torch import save_file
from transformers import CLIPVisionConfig, CLIPVisionModelWithProjection

OUT = sys.argv[1] if len(sys.argv) > 1 else 'Tests/Fixtures/clip'
os.makedirs(OUT, exist_ok=True)
torch.manual_seed(3)
config = CLIPVisionConfig(hidden_size=128, intermediate_size=256, num_hidden_layers=2, num_attention_heads=2,
                          image_size=28, patch_size=14, projection_dim=16, hidden_act='quick_gelu', layer_norm_eps=1e-5)
model = CLIPVisionModelWithProjection(config).eval()
with torch.no_grad():
    for name, p in model.named_parameters():
        if 'norm' in name and name.endswith('weight'):
            p.copy_(1 + 0.2 * torch.randn_like(p))
        else:
            p.copy_(0.1 * torch.randn_like(p))
images = torch.randn(2, 3, 28, 28)
with torch.no_grad():
    embeds = model(pixel_values=images).image_embeds
    embeds = embeds / torch.linalg.norm(embeds, dim=-1, keepdim=True)
save_file({k: v.contiguous() for k, v in model.state_dict().items() if not k.endswith('position_ids')},
          os.path.join(OUT, 'small.safetensors'))

rng = np.random.default_rng(9)
x = rng.normal(size=(40, 16)); x /= np.linalg.norm(x, axis=1, keepdims=True)
y = rng.normal(0.3, 1, size=(30, 16)); y /= np.linalg.norm(y, axis=1, keepdims=True)
x = x.astype(np.float32).astype(np.float64); y = y.astype(np.float32).astype(np.float64)
gamma = 1 / (2 * 10 ** 2)


def kernel_mean(a, b):
    d2 = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2 * a @ b.T
    return np.exp(-gamma * d2).mean()


cmmd = 1000 * (kernel_mean(x, x) + kernel_mean(y, y) - 2 * kernel_mean(x, y))
with open(os.path.join(OUT, 'expected.json'), 'w') as f:
    json.dump({'transformers': transformers.__version__, 'images': images.flatten().tolist(), 'embeddings': embeds.tolist(),
               'x': x.tolist(), 'y': y.tolist(), 'cmmd': cmmd}, f)
print(embeds[0, :4].tolist(), cmmd)
