#!/usr/bin/env python3
"""Writes Tests/Fixtures/metrics/density_coverage.npz: two small float64 feature sets and
the density and coverage that the authors' package `prdc` (PyPI 0.2; Naeem, Oh, Uh, Choi &
Yoo 2020, "Reliable Fidelity and Diversity Metrics for Generative Models") computes for them
with k = 5, for DensityCoverageTests.

Usage: python3 scripts/density_coverage_reference.py [OUT.npz]   (needs numpy, scikit-learn, prdc)
"""
import sys

import numpy as np
from prdc import compute_prdc

OUT = sys.argv[1] if len(sys.argv) > 1 else 'Tests/Fixtures/metrics/density_coverage.npz'
D, N_GEN, N_REAL, K = 32, 130, 110, 5

rng = np.random.default_rng(23)
# float32 values (what feature networks give; ttur-text's FeatureSet holds float32), scored in float64.
real = np.abs(rng.normal(0.0, 1.0, (N_REAL, D))).astype(np.float32).astype(np.float64)
generated = np.abs(rng.normal(0.0, 0.55, (N_GEN, D))).astype(np.float32).astype(np.float64)
# A few generated features copied from real ones: inside many balls (density above 1 there).
generated[:5] = real[:5]
result = compute_prdc(real_features=real, fake_features=generated, nearest_k=K)
np.savez(OUT, real=real, generated=generated, k=np.array(K),
         density=np.array(result['density']), coverage=np.array(result['coverage']))
print({key: float(value) for key, value in result.items()})
