"""Monte Carlo speed of the Hopfield model with diluted or biased patterns (real-valued centred entries
η, kernel ``run_centred_patterns``, O(P) per update through cached overlaps), against two baselines
measured in the same run on the same disorder sample:

1. plain numpy: Hebbian coupling matrix, full local field ``Σ_j J_ij σ_j`` recomputed at every update
   (O(N) per update), as in ``benchmarks/mc_hopfield.py``;
2. the package's dense-coupling numba kernel ``run_dense`` (SK's sampler) on ``J = ηηᵀ/N``: O(1) per
   rejected and O(N) per accepted flip, and an N × N matrix in memory.

Setting: diluted patterns d = 0.2, N = 4000, alpha = 0.02 (P = 80), T = 0.3 (retrieval, acceptance a
few per cent). Prints ns per attempted update and the ratios. Goal: >= 20x over numpy.

Run: ``python benchmarks/mc_hopfield_options.py``.
"""
import time

import numpy as np
from _baselines import numpy_metropolis, streams

from statmech_nn.montecarlo import kernels as K
from statmech_nn.montecarlo.systems import build_system


def main(N=4000, alpha=0.02, d=0.2, T=0.3, sweeps=20, baseline_updates=20_000):
    params = {"alpha": alpha, "h": 0.0, "T": T, "d": d}
    system = build_system("hopfield", {"patterns": 1, "pattern": "diluted"}, N, params,
                          np.random.default_rng(0))
    eta = system.arrays["eta"]
    P = eta.shape[1]
    betas = np.array([1.0 / T])
    empty2, empty3, empty1 = np.zeros((0, 1)), np.zeros((0, 1, 1)), np.zeros(0)
    noswaps = np.zeros((0, 2), np.int64)

    # package: centred patterns, cached overlaps
    spins = system.init[None, :].copy()
    M = spins.astype(np.float64) @ eta
    mag = spins.sum(axis=1).astype(np.int64)
    selfc = np.einsum("ij,ij->i", eta, eta)
    rng = streams(2)
    args = (eta, M, spins, mag, selfc, betas, 0.0, system.scalars["shift"], K.METROPOLIS)
    K.run_centred_patterns(*args, 1, rng, 1, empty2, empty3, empty2, empty1, noswaps)   # compile/load
    acc = np.zeros((sweeps, 1))
    t = time.perf_counter()
    K.run_centred_patterns(*args, sweeps, rng, 1, np.zeros((sweeps, 1)), np.zeros((sweeps, 1, 1)), acc,
                           np.zeros(sweeps), noswaps)
    t_pkg = (time.perf_counter() - t) / (sweeps * N)
    m_pkg = M[0, 0] / N

    # baseline 2: dense numba kernel on J = ηηᵀ/N
    t0 = time.perf_counter()
    J = eta @ eta.T / N
    np.fill_diagonal(J, 0.0)
    t_build = time.perf_counter() - t0
    s2 = system.init[None, :].copy()
    local = s2.astype(float) @ J
    rng2 = streams(2)
    K.run_dense(J, local, s2, betas, 0.0, K.METROPOLIS, 1, rng2, empty2, empty2, empty2, empty1, noswaps)
    t = time.perf_counter()
    K.run_dense(J, local, s2, betas, 0.0, K.METROPOLIS, sweeps, rng2, empty2, empty2, empty2, empty1, noswaps)
    t_dense = (time.perf_counter() - t) / (sweeps * N)
    m_dense = float(eta[:, 0] @ s2[0] / N)

    # baseline 1: plain numpy, full local field per update
    s = system.init.astype(np.float64)
    t_np = numpy_metropolis(J, s, T, baseline_updates)

    print(f"diluted Hopfield N={N} P={P} d={d} T={T}: acceptance {acc.mean():.3f}, m (package) {m_pkg:.4f}, "
          f"m (dense kernel) {m_dense:.4f}")
    print(f"  package run_centred_patterns: {t_pkg * 1e9:8.1f} ns/update ({t_pkg * 1e9 / P:.2f} ns per pattern)")
    print(f"  numba run_dense on J (+{t_build:.2f} s to build J, {J.nbytes / 2**20:.0f} MiB): "
          f"{t_dense * 1e9:8.1f} ns/update  ratio {t_dense / t_pkg:6.1f}x")
    print(f"  numpy full local field:       {t_np * 1e9:8.1f} ns/update  ratio {t_np / t_pkg:6.1f}x (goal >= 20x)")


if __name__ == "__main__":
    main()
