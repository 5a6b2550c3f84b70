"""Monte Carlo speed of the p-body samplers against numpy baselines measured in the same run.

1. Dense Hopfield, p = 3, N = 200, alpha = 0.05 (P = 2000 patterns): attempted Metropolis updates per
   second of the polynomial pattern kernel (cached overlaps and odd flip polynomial, one O(P) dot
   product per attempt) against numpy doing the same update vectorised over the patterns (the
   polynomial energy change, checked equal).
2. p-spin, p = 3, N = 64 (41 664 couplings): the tuple kernel against numpy evaluating the energy change
   of a flip over the couplings that contain the site (fancy indexing, checked equal).
Goal: >= 10x for both.

Run: ``python benchmarks/mc_pbody.py``.
"""
import time

import numpy as np
from _baselines import streams, time_poly_patterns

from statmech_nn.montecarlo import kernels as K
from statmech_nn.montecarlo import pbody_kernels as PK
from statmech_nn.montecarlo.systems import build_system


def dense_hopfield(N=200, alpha=0.05, T=0.3, sweeps=20, baseline_updates=2000):
    system = build_system("dense-hopfield", {"p": 3}, N, {"alpha": alpha, "h": 0.0, "T": T},
                          np.random.default_rng(0), "pattern")
    t_pkg, t_np = time_poly_patterns(system, T, sweeps, baseline_updates)
    return system.arrays["xi"].shape[1], t_pkg, t_np


def p_spin(N=64, T=0.3, sweeps=50, baseline_updates=3000):
    system = build_system("p-spin", {"p": 3}, N, {"J0": 2.0, "h": 0.0, "T": T}, np.random.default_rng(0),
                          "pattern")
    a = system.arrays
    spins = system.init[None, :].copy()
    betas, empty, rng = np.array([1.0 / T]), np.zeros((0, 1)), streams(2)

    def run(n):
        PK.run_tuples(a["tuples"], a["J"], a["start"], a["members"], spins, betas, 0.0, K.METROPOLIS, n,
                      rng, empty, empty, empty, np.zeros(0), np.zeros((0, 2), np.int64))
    run(1)
    t = time.perf_counter()
    run(sweeps)
    t_pkg = (time.perf_counter() - t) / (sweeps * N)

    s = system.init.astype(np.float64)
    incident = [a["members"][a["start"][i]:a["start"][i + 1]] for i in range(N)]

    def delta(i, sv):
        t_ = incident[i]
        return float(2 * np.sum(a["J"][t_] * np.prod(sv[a["tuples"][t_]], axis=1)))
    probe = np.where(np.random.default_rng(1).random(N) < 0.5, -1, 1).astype(np.int8)
    for i in range(10):
        flipped = probe.copy()
        flipped[i] = -flipped[i]
        dE_pkg = PK.tuple_energy(a["tuples"], a["J"], flipped, 0.0) - PK.tuple_energy(a["tuples"], a["J"],
                                                                                        probe, 0.0)
        assert abs(dE_pkg - delta(i, probe.astype(np.float64))) < 1e-9
    gen, beta = np.random.default_rng(2), 1.0 / T
    t = time.perf_counter()
    for k in range(baseline_updates):
        i = k % N
        dE = delta(i, s)
        if dE <= 0 or gen.random() < np.exp(-beta * dE):
            s[i] = -s[i]
    t_np = (time.perf_counter() - t) / baseline_updates
    return a["J"].size, t_pkg, t_np


if __name__ == "__main__":
    P, t_pkg, t_np = dense_hopfield()
    print(f"dense Hopfield p=3 N=200 P={P}: package {t_pkg * 1e6:.2f} us/update, numpy "
          f"{t_np * 1e6:.2f} us/update, ratio {t_np / t_pkg:.1f}x (goal >= 10x)")
    count, t_pkg, t_np = p_spin()
    print(f"p-spin p=3 N=64 ({count} couplings): package {t_pkg * 1e6:.2f} us/update, numpy "
          f"{t_np * 1e6:.2f} us/update, ratio {t_np / t_pkg:.1f}x (goal >= 10x)")
