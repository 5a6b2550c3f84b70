"""Speed of drawing synthetic rasters from the space–time Ising model and of the pseudo-likelihood fit.

1. Heat-bath (Gibbs) sweeps of an N = 20 neurons × T = 20 000 bins raster with full J and K: the package's
   numba kernel (:func:`statmech_nn.fields.raster_kernels.gibbs_sweep`, sequential sites, cached
   local fields, the set-up of the fields included in the time) against a
   vectorised numpy heat bath in the same run (for each time parity and neuron, all bins of that parity
   at once — a valid blocked update because they do not interact). Site updates per second and ratio.
2. One maximum pseudo-likelihood fit (N = 20, full structure, 610 parameters) with its sandwich errors.

Run: ``python benchmarks/raster_sampling.py``.
"""
import time

import numpy as np

from statmech_nn.fields import raster_kernels
from statmech_nn.fields.maxent import SpaceTimeIsing, fit_maxent


def numpy_heat_bath(S, h, J, K, rng):
    N, T = S.shape
    for parity in (0, 1):
        for i in range(N):
            t = np.arange(parity, T, 2)
            field = h[i] + J[i] @ S[:, t]
            nxt, prv = t + 1 < T, t > 0
            field[nxt] += K[i] @ S[:, t[nxt] + 1]
            field[prv] += K[:, i] @ S[:, t[prv] - 1]
            S[i, t] = np.where(rng.random(t.size) < 0.5 * (1 + np.tanh(field)), 1, -1)


def main(N=20, T=20_000, sweeps=20):
    rng = np.random.default_rng(0)
    J = rng.normal(0, 0.1, (N, N))
    J = np.triu(J, 1) + np.triu(J, 1).T
    K = rng.normal(0, 0.1, (N, N)) + 0.3 * np.eye(N)
    h = rng.normal(0, 0.2, N)
    S = rng.choice(np.array([-1, 1], dtype=np.int8), size=(N, T))
    warm = S.copy()  # compile / load the cache
    raster_kernels.gibbs_sweep(warm, raster_kernels.local_fields(warm, J, K), h, J, K, rng.random((N, T)))
    t0 = time.perf_counter()
    L = raster_kernels.local_fields(S, J, K)
    for _ in range(sweeps):
        raster_kernels.gibbs_sweep(S, L, h, J, K, rng.random((N, T)))
    package = (time.perf_counter() - t0) / (sweeps * N * T)
    # the fields kept by the kernel equal fresh ones after the sweeps (no drift of the cache)
    assert np.allclose(L, raster_kernels.local_fields(S, J, K), atol=1e-9)
    S2 = S.astype(np.int64)
    t0 = time.perf_counter()
    for _ in range(max(2, sweeps // 4)):
        numpy_heat_bath(S2, h, J, K, rng)
    baseline = (time.perf_counter() - t0) / (max(2, sweeps // 4) * N * T)
    print(f"Gibbs sweeps, N={N}, T={T}: package {1 / package:.3g} site updates/s, "
          f"numpy blocked heat bath {1 / baseline:.3g} /s, ratio {baseline / package:.1f}x")
    raster = SpaceTimeIsing(h, J, K).sample(T, seed=1, method="gibbs", sweeps=100)
    t0 = time.perf_counter()
    fit = fit_maxent(raster)
    print(f"pseudo-likelihood fit, N={N}, T={T}, {fit.theta.size} parameters with sandwich errors: "
          f"{time.perf_counter() - t0:.2f} s; max |K − K_true| / err = "
          f"{np.max(np.abs(fit.K - K) / fit.K_err):.2f}")


if __name__ == "__main__":
    main()
