#!/usr/bin/env python3
"""Writes Tests/Fixtures/metrics/kid_pr.npz: small feature sets and what torch-fidelity (PyPI,
0.4.0) and a NumPy reference make of them, for KernelInceptionDistanceTests and
PrecisionRecallTests.

KID: torch-fidelity's own `kid_features_to_metric` (unbiased MMD², polynomial kernel
(x·y/d + 1)³, subsets drawn by numpy's RandomState(seed).choice without replacement), fed
float64 features, and again fed float32 features (what its Inception gives, computed in float32);
the subset indices it draws are replayed here with the same RandomState calls and stored, with
each subset's MMD² from its `kernel_mmd`. Precision and recall: torch-fidelity's
`prc_features_to_metric` (generated first, real second) and an independent NumPy version of
Kynkäänniemi et al. (2019), k = 3, with the k-NN radii.

Usage: python3 scripts/metrics_reference.py [OUT.npz]   (needs numpy, torch, torch-fidelity)
"""
import sys

import numpy as np
import torch
from torch_fidelity import metric_kid, metric_prc

OUT = sys.argv[1] if len(sys.argv) > 1 else 'Tests/Fixtures/metrics/kid_pr.npz'
D, N_GEN, N_REAL = 32, 130, 110
SUBSET, SUBSETS, SEED, K = 50, 10, 2020, 3

rng = np.random.default_rng(19)
# Non-negative like ReLU / pool features; the generated set is shifted and narrower.
real = np.abs(rng.normal(0.0, 1.0, (N_REAL, D))).astype(np.float32)
generated = np.abs(rng.normal(0.25, 0.8, (N_GEN, D))).astype(np.float32)

kid_kwargs = dict(kid_subsets=SUBSETS, kid_subset_size=SUBSET, rng_seed=SEED, verbose=False)
kid64 = metric_kid.kid_features_to_metric(torch.from_numpy(generated.astype(np.float64)),
                                          torch.from_numpy(real.astype(np.float64)), **kid_kwargs)
kid32 = metric_kid.kid_features_to_metric(torch.from_numpy(generated), torch.from_numpy(real), **kid_kwargs)
# The first N_REAL generated features against the real ones, subsets of N_REAL: every subset is
# a whole set, so the number does not depend on the generator's draws.
kid_whole = metric_kid.kid_features_to_metric(torch.from_numpy(generated[:N_REAL].astype(np.float64)),
                                              torch.from_numpy(real.astype(np.float64)),
                                              kid_subsets=3, kid_subset_size=N_REAL, rng_seed=SEED, verbose=False)

# The subsets torch-fidelity drew: the same RandomState calls in the same order.
state = np.random.RandomState(SEED)
indices = np.zeros((SUBSETS, 2, SUBSET), dtype=np.int64)
mmds = np.zeros(SUBSETS)
for i in range(SUBSETS):
    indices[i, 0] = state.choice(N_GEN, SUBSET, replace=False)
    indices[i, 1] = state.choice(N_REAL, SUBSET, replace=False)
    mmds[i] = metric_kid.kernel_mmd(generated.astype(np.float64)[indices[i, 0]], real.astype(np.float64)[indices[i, 1]],
                                    kid_kernel='poly', kid_kernel_poly_degree=3, kid_kernel_poly_gamma=None,
                                    kid_kernel_poly_coef0=1)
assert abs(mmds.mean() - kid64['kernel_inception_distance_mean']) < 1e-15
assert abs(mmds.std() - kid64['kernel_inception_distance_std']) < 1e-15

prc = metric_prc.prc_features_to_metric(torch.from_numpy(generated.astype(np.float64)),
                                        torch.from_numpy(real.astype(np.float64)),
                                        prc_neighborhood=K, prc_batch_size=10000, save_cpu_ram=False, verbose=False)


def distances(a, b):
    return np.sqrt(((a[:, None, :] - b[None, :, :]) ** 2).sum(-1))


def radii(x, k):
    # The k-th nearest other point: index k of the sorted row, whose index 0 is the point itself.
    return np.sort(distances(x, x), axis=1)[:, k]


r64, g64 = real.astype(np.float64), generated.astype(np.float64)
real_radii, generated_radii = radii(r64, K), radii(g64, K)
cross = distances(g64, r64)                              # [generated, real]
precision = (cross <= real_radii[None, :]).any(axis=1).mean()
recall = (cross.T <= generated_radii[None, :]).any(axis=1).mean()
# torch-fidelity averages in float32: the same counts, to float32 rounding.
assert abs(precision - prc['precision']) < 1e-6 and abs(recall - prc['recall']) < 1e-6, (precision, recall, prc)
# No pair sits within 1e-9 (relative) of a ball's edge, so float rounding cannot flip a count.
margin = min(np.abs(cross / real_radii[None, :] - 1).min(), np.abs(cross.T / generated_radii[None, :] - 1).min())
assert margin > 1e-9, margin

np.savez(OUT, real=real, generated=generated,
         kid_subset_indices=indices, kid_subset_mmd=mmds,
         kid_mean=np.float64(kid64['kernel_inception_distance_mean']),
         kid_std=np.float64(kid64['kernel_inception_distance_std']),
         kid_mean_float32=np.float64(kid32['kernel_inception_distance_mean']),
         kid_std_float32=np.float64(kid32['kernel_inception_distance_std']),
         kid_whole=np.float64(kid_whole['kernel_inception_distance_mean']),
         kid_settings=np.array([SUBSET, SUBSETS, SEED], dtype=np.int64),
         real_radii=real_radii, generated_radii=generated_radii,
         precision=np.float64(precision), recall=np.float64(recall), neighbourhood=np.int64(K))
print(f'{OUT}: KID {kid64["kernel_inception_distance_mean"]:.9g} ± {kid64["kernel_inception_distance_std"]:.9g} '
      f'(float32: {kid32["kernel_inception_distance_mean"]:.9g}), whole sets {kid_whole["kernel_inception_distance_mean"]:.9g}; '
      f'precision {precision:.6f} recall {recall:.6f} (margin {margin:.2e})')
