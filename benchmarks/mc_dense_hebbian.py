"""Monte Carlo speed of the dense Hebbian samplers against plain-numpy Metropolis loops on the same
Hamiltonians, measured in the same run.

1. Supervised, p = 4, N = 60, at the model's ordered point (alpha = 0.1/(3! 1.1^4), rho = 0.1,
   P = 2459 archetypes, M = 100 examples each): attempted Metropolis updates of the power-sum kernel
   (cached odd power sums and e_0..e_{p-1} per archetype, O(P p) per attempt) against numpy doing the
   update vectorised over the archetypes: cached power sums, e_p of the old and the flipped sums by
   Newton's identities (the energy change checked equal to the kernel's).
2. Unsupervised, p = 4, N = 60, M = 10 (1440 archetypes, 14 400 example columns): the polynomial
   pattern kernel against numpy evaluating the polynomial energy per example column before and after
   the flip (checked equal).
Goal: >= 10x for both.

Run: ``python benchmarks/mc_dense_hebbian.py``.
"""
import math
import time

import numpy as np
from _baselines import streams, time_poly_patterns

from statmech_nn.models.dense_hebbian import DenseHebbian
from statmech_nn.montecarlo import kernels as K
from statmech_nn.montecarlo import pbody_kernels as PK
from statmech_nn.montecarlo.systems import build_system


def point(setting, p):
    params = dict(DenseHebbian(p=p, setting=setting).ordered_point)
    return params, params["T"]


def newton_ep(power, p):
    """e_p of each column from the power sums ``power[j]`` (j = 1..p), vectorised over the columns."""
    e = [np.ones_like(power[1])]
    for k in range(1, p + 1):
        e.append(sum((-1) ** (j - 1) * e[k - j] * power[j] for j in range(1, k + 1)) / k)
    return e[p]


def supervised(N=60, p=4, sweeps=20, baseline_updates=1000):
    params, T = point("supervised", p)
    system = build_system("dense-hebbian", {"p": p, "setting": "supervised"}, N, params,
                          np.random.default_rng(0), "pattern")
    eta, scale = system.arrays["eta"], system.scalars["scale"]
    spins = system.init[None, :].copy()
    S, even = PK.power_sums(eta, spins, p)
    mag = spins.sum(axis=1).astype(np.int64)
    betas, empty, rng = np.array([1.0 / T]), np.zeros((0, 1)), streams(2)

    def run(n):
        PK.run_power_sum_patterns(eta, S, spins, mag, betas, even, p, scale, 0.0, 0.0, K.METROPOLIS, n, rng,
                                  1, empty, np.zeros((0, 1, 1)), empty, np.zeros(0),
                                  np.zeros((0, 2), np.int64))
    run(1)                                    # compile / load from cache
    t = time.perf_counter()
    run(sweeps)
    t_pkg = (time.perf_counter() - t) / (sweeps * N)

    # numpy: power sums per archetype cached, e_p of the old and the flipped sums per attempt
    P = eta.shape[1]
    powers = {j: eta ** j for j in range(1, p + 1)}
    s = system.init.astype(np.float64)
    sums = {j: (s @ powers[j] if j % 2 else powers[j].sum(axis=0)) for j in range(1, p + 1)}

    def delta(i, sums_, si):
        flipped = {j: (sums_[j] - 2 * si * powers[j][i] if j % 2 else sums_[j]) for j in sums_}
        return scale * float(np.sum(newton_ep(flipped, p) - newton_ep(sums_, p)))
    probe = np.where(np.random.default_rng(1).random(N) < 0.5, -1, 1).astype(np.int8)
    S_probe, _ = PK.power_sums(eta, probe[None], p)
    dE_pkg = PK.power_sum_flip_energies(eta, S_probe[0], probe, even, p, scale, 0.0)
    sums_probe = {j: (probe @ powers[j] if j % 2 else sums[j]) for j in sums}
    for i in range(20):   # the kernel's energy change is numpy's
        assert abs(dE_pkg[i] - delta(i, sums_probe, probe[i])) < 1e-8 * max(1.0, abs(dE_pkg[i]))
    gen, beta = np.random.default_rng(2), 1.0 / T
    t = time.perf_counter()
    for k in range(baseline_updates):
        i = k % N
        dE = delta(i, sums, s[i])
        if dE <= 0 or gen.random() < math.exp(-beta * dE):
            for j in range(1, p + 1, 2):
                sums[j] = sums[j] - 2 * s[i] * powers[j][i]
            s[i] = -s[i]
    t_np = (time.perf_counter() - t) / baseline_updates
    return P, t_pkg, t_np


def unsupervised(N=60, p=4, sweeps=20, baseline_updates=1000):
    params, T = point("unsupervised", p)
    system = build_system("dense-hebbian", {"p": p, "setting": "unsupervised"}, N, params,
                          np.random.default_rng(0), "pattern")
    t_pkg, t_np = time_poly_patterns(system, T, sweeps, baseline_updates)
    return system.arrays["xi"].shape[1], t_pkg, t_np


if __name__ == "__main__":
    P, t_pkg, t_np = supervised()
    print(f"dense Hebbian supervised p=4 N=60 P={P}: package {t_pkg * 1e6:.2f} us/update, numpy "
          f"{t_np * 1e6:.2f} us/update, ratio {t_np / t_pkg:.1f}x (goal >= 10x)")
    columns, t_pkg, t_np = unsupervised()
    print(f"dense Hebbian unsupervised p=4 N=60 P*M={columns}: package {t_pkg * 1e6:.2f} us/update, numpy "
          f"{t_np * 1e6:.2f} us/update, ratio {t_np / t_pkg:.1f}x (goal >= 10x)")
