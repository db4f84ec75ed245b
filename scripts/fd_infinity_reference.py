#!/usr/bin/env python3
"""Writes Tests/Fixtures/metrics/fd_infinity.npz: two small feature sets, the subsets drawn
for FD-infinity, each subset's Frechet distance and the extrapolated FD-infinity, for
FDInfinityTests.

The algorithm is dgm-eval's `compute_FD_infinity` (layer6ai-labs/dgm-eval,
dgm_eval/metrics/fd.py; Chong & Forsyth 2020, "Effectively Unbiased FID and Inception Score
and where to find them"), written here from its description rather than copied: the
reference set's mean and covariance are fixed; num_points sample sizes
numpy.linspace(min(5000, max(N // 10, 2)), N, num_points).astype('int32') of the generated
set (N features) are drawn without replacement; each subset's Frechet distance to the
reference statistics (np.cov covariances, scipy.linalg.sqrtm, dgm-eval's eps fallback) is
fitted by least squares as FD(n) = FD_inf + slope / n; FD_inf is the intercept. dgm-eval draws
with an unseeded generator; here the generator is seeded and the drawn indices are stored, so
ttur-text replays the same subsets.

Usage: python3 scripts/fd_infinity_reference.py [OUT.npz]   (needs numpy, scipy)
"""
import sys

import numpy as np
from scipy import linalg

OUT = sys.argv[1] if len(sys.argv) > 1 else 'Tests/Fixtures/metrics/fd_infinity.npz'
D, N_REF, N_GEN, POINTS = 8, 300, 240, 15

rng = np.random.default_rng(31)
reference = rng.normal(0.0, 1.0, (N_REF, D)).astype(np.float32).astype(np.float64)
mixing = rng.normal(0.0, 0.4, (D, D))
generated = (rng.normal(0.3, 1.0, (N_GEN, D)) @ (np.eye(D) + mixing)).astype(np.float32).astype(np.float64)


def statistics(x):
    return x.mean(axis=0), np.cov(x, rowvar=False)


def frechet(mu1, sigma1, mu2, sigma2, eps=1e-6):
    diff = mu1 - mu2
    covmean = linalg.sqrtm(sigma1.dot(sigma2))
    if not np.isfinite(covmean).all():
        offset = np.eye(sigma1.shape[0]) * eps
        covmean = linalg.sqrtm((sigma1 + offset).dot(sigma2 + offset))
    if np.iscomplexobj(covmean):
        covmean = covmean.real
    return diff.dot(diff) + np.trace(sigma1) + np.trace(sigma2) - 2 * np.trace(covmean)


sizes = np.linspace(min(5000, max(N_GEN // 10, 2)), N_GEN, POINTS).astype('int32')
mu1, sigma1 = statistics(reference)
draw = np.random.default_rng(7)
subsets = np.full((POINTS, N_GEN), -1, dtype=np.int64)
fds = np.zeros(POINTS)
for i, n in enumerate(sizes):
    chosen = draw.choice(N_GEN, n, replace=False)
    subsets[i, :n] = chosen
    fds[i] = frechet(mu1, sigma1, *statistics(generated[chosen]))
slope, intercept = np.polyfit(1.0 / sizes, fds, deg=1)
np.savez(OUT, reference=reference, generated=generated, sizes=sizes.astype(np.int64), subsets=subsets, fds=fds,
         fd_infinity=np.array(intercept), slope=np.array(slope))
print('sizes', sizes.tolist())
print('FD_inf', intercept, 'slope', slope, 'FD(N)', fds[-1])
