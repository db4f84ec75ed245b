#!/usr/bin/env python3
"""Writes Tests/Fixtures/vit/: a small vision transformer of DINOv2's form, built by timm
(timm.models.vision_transformer.VisionTransformer: patch 14, pre-norm blocks with layer scale,
class token, eps 1e-6, exact GELU, as `vit_large_patch14_dinov2` but 32 wide, 2 deep, 4 heads),
every parameter drawn at random, its weights (`small.safetensors`), two input images and
timm's features for them (`forward` with num_classes=0: the class token after the final norm),
for VisionTransformerTests; and the position-embedding resize DINOv2's hub model applies at
another input size (torch.nn.functional.interpolate, bicubic, scale factor (g + 0.1)/G,
antialias off), on a random 5×5 grid to 3×3.

Usage: python3 scripts/vit_reference.py [OUT_DIR]   (needs torch, timm, safetensors)
"""
import json
import os
import sys

import timm
import torch
from safetensors.torch import save_file
from timm.models.vision_transformer import VisionTransformer

OUT = sys.argv[1] if len(sys.argv) > 1 else 'Tests/Fixtures/vit'
os.makedirs(OUT, exist_ok=True)
torch.manual_seed(11)
model = VisionTransformer(img_size=28, patch_size=14, embed_dim=32, depth=2, num_heads=4, mlp_ratio=4.0,
                          init_values=1e-5, num_classes=0, class_token=True, global_pool='token')
with torch.no_grad():
    for name, p in model.named_parameters():
        if name.endswith('norm1.weight') or name.endswith('norm2.weight') or name == 'norm.weight':
            p.copy_(1 + 0.2 * torch.randn_like(p))
        elif 'gamma' in name:
            p.copy_(0.5 + 0.3 * torch.randn_like(p))
        else:
            p.copy_(0.2 * torch.randn_like(p))
model.eval()
images = torch.randn(2, 3, 28, 28)
with torch.no_grad():
    features = model(images)
state = {k: v.contiguous() for k, v in model.state_dict().items()}
save_file(state, os.path.join(OUT, 'small.safetensors'))

positions = torch.randn(1, 5 * 5, 8)
g, G = 3, 5
resized = torch.nn.functional.interpolate(positions.reshape(1, G, G, 8).permute(0, 3, 1, 2), mode='bicubic',
                                          scale_factor=((g + 0.1) / G, (g + 0.1) / G), antialias=False)
resized = resized.permute(0, 2, 3, 1).reshape(-1, 8)
with open(os.path.join(OUT, 'expected.json'), 'w') as f:
    json.dump({'timm': timm.__version__, 'torch': torch.__version__, 'heads': 4,
               'images': images.flatten().tolist(), 'features': features.tolist(),
               'positions': positions.flatten().tolist(), 'resized': resized.flatten().tolist()}, f)
print(features[0, :5].tolist())
