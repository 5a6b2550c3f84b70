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
