"""Hand-written baselines shared by the Monte Carlo benchmarks (what a user writes without the package)."""
import time

import numpy as np


def numpy_metropolis(J, s, T, updates, seed=2):
    """Single-spin Metropolis with the full local field ``J[i] @ s`` recomputed per update (plain numpy,
    sites in order). Updates ``s`` in place; returns the time per attempted update in seconds."""
    gen = np.random.default_rng(seed)
    beta = 1.0 / T
    N = s.shape[0]
    t = time.perf_counter()
    for k in range(updates):
        i = k % N
        dE = 2.0 * s[i] * (J[i] @ s)
        if dE <= 0 or gen.random() < np.exp(-beta * dE):
            s[i] = -s[i]
    return (time.perf_counter() - t) / updates


def streams(count, seed=0):
    """Per-chain xoshiro states for the kernels."""
    return np.stack([s.generate_state(4, np.uint64) for s in np.random.SeedSequence(seed).spawn(count)])


def time_poly_patterns(system, T, sweeps, baseline_updates):
    """Seconds per attempted Metropolis update of a polynomial pattern system (``system.kind ==
    "poly-patterns"``: ±1 patterns, energy per pattern a polynomial in its overlap): the package's kernel
    (cached overlaps and odd flip polynomial, one O(P) dot product per attempt) against numpy doing the
    same update vectorised over the patterns (the polynomial before and after the flip; the kernel's
    energy change is checked equal first). Returns ``(t_package, t_numpy)``."""
    import math

    from statmech_nn.montecarlo import kernels as K
    from statmech_nn.montecarlo import pbody_kernels as PK
    xi, coef = system.arrays["xi"], system.arrays["coef"]
    N = xi.shape[0]
    spins = system.init[None, :].copy()
    M = (spins.astype(np.int64) @ xi.astype(np.int64)).astype(np.float64)
    mag = spins.sum(axis=1).astype(np.int64)
    betas, empty, rng = np.array([1.0 / T]), np.zeros((0, 1)), streams(2)
    even, odd = PK.flip_polynomials(coef)

    def run(n):
        PK.run_poly_patterns(xi, M, spins, mag, betas, coef, even, odd, 0.0, 0.0, K.METROPOLIS, n, rng, 1,
                             empty, np.zeros((0, 1, 1)), empty, np.zeros(0), np.zeros((0, 2), np.int64))
    run(1)                                    # compile / load from cache
    t = time.perf_counter()
    run(sweeps)
    t_pkg = (time.perf_counter() - t) / (sweeps * N)

    s = system.init.astype(np.float64)
    xf = xi.astype(np.float64)
    Mn = s @ xf
    poly = coef[::-1]                         # numpy.polyval wants the highest power first

    def delta(i, Mv, si):
        return float(np.sum(np.polyval(poly, Mv - 2 * si * xf[i]) - np.polyval(poly, Mv)))
    probe = np.where(np.random.default_rng(1).random(N) < 0.5, -1.0, 1.0)
    Mp = probe @ xf
    for i in range(20):   # the kernel's energy change (even part + cached odd part) is numpy's
        dE_pkg = (np.sum(np.polyval(even[::-1], Mp))
                  - probe[i] * np.sum(xf[i] * np.polyval(odd[::-1], Mp)))
        assert abs(dE_pkg - delta(i, Mp, probe[i])) < 1e-8 * max(1.0, abs(dE_pkg))
    gen, beta = np.random.default_rng(2), 1.0 / T
    t = time.perf_counter()
    for k in range(baseline_updates):
        i = k % N
        dE = delta(i, Mn, s[i])
        if dE <= 0 or gen.random() < math.exp(-beta * dE):
            Mn -= 2 * s[i] * xf[i]
            s[i] = -s[i]
    t_np = (time.perf_counter() - t) / baseline_updates
    return t_pkg, t_np
