"""Lattice phi^4 Monte Carlo speed, L = 64 in 2D: the package's numba kernels against plain NumPy
implementations of the same algorithms, measured in the same run.

Action of Albergo, Kanwar, Shanahan, PRD 100, 034515 (2019) at m² = −4, λ = 8:
``S = Σ_x [−2 Σ_μ φ_x φ_{x+μ} + (m² + 2d) φ_x² + λ φ_x⁴]``.

1. Metropolis, single-site updates per second. Baselines: (a) plain NumPy, one site at a time (the
   textbook loop over sites with NumPy arrays and a NumPy Generator), (b) vectorised NumPy checkerboard
   Metropolis (all sites of one parity at once: a stronger baseline, though a different update order).
2. HMC, trajectories (10 leapfrog steps) per second. Baseline: vectorised NumPy with ``np.roll``.
Goal: >= 50x over plain NumPy.

Run: ``python benchmarks/lattice_phi4.py`` (``make bench``).
"""
import math
import time

import numpy as np

from statmech_nn.fields import Lattice, ScalarFieldTheory
from statmech_nn.fields import kernels as K

L, D = 64, 2
THEORY = ScalarFieldTheory(D, m2=-4.0, lam=8.0, convention="albergo")
HOP, A2, A4 = THEORY.coefficients()
LAT = Lattice(L, d=D)
NBR = LAT.neighbours()
V = LAT.volume


def stream(seed=0):
    return np.random.SeedSequence(seed).spawn(1)[0].generate_state(4, np.uint64)


def numpy_action(phi):
    f = phi.reshape(L, L)
    hop = sum(f * np.roll(f, -1, axis=mu) for mu in range(D))
    return float(np.sum(-HOP * hop + A2 * f ** 2 + A4 * f ** 4))


def numpy_metropolis_sitewise(phi, sweeps_sites, width, rng):
    accepted = 0
    for i in range(sweeps_sites):
        x = i % V
        nsum = phi[NBR[x]].sum()
        p = phi[x]
        q = p + width * (2 * rng.random() - 1)
        dS = -HOP * (q - p) * nsum + A2 * (q * q - p * p) + A4 * (q ** 4 - p ** 4)
        if dS <= 0 or rng.random() < math.exp(-dS):
            phi[x] = q
            accepted += 1
    return accepted


def numpy_metropolis_checkerboard(phi, sweeps, width, rng):
    f = phi.reshape(L, L)
    parity = (np.add.outer(np.arange(L), np.arange(L)) % 2).astype(bool)
    for _ in range(sweeps):
        for mask in (parity, ~parity):
            nsum = sum(np.roll(f, s, axis=mu) for mu in range(D) for s in (-1, 1))
            q = f + width * (2 * rng.random(f.shape) - 1)
            dS = -HOP * (q - f) * nsum + A2 * (q * q - f * f) + A4 * (q ** 4 - f ** 4)
            acc = mask & ((dS <= 0) | (rng.random(f.shape) < np.exp(-np.clip(dS, 0, None))))
            f[acc] = q[acc]
    return f.ravel()


def numpy_hmc(phi, trajectories, eps, n_leapfrog, rng):
    def grad(f):
        nsum = sum(np.roll(f, s, axis=mu) for mu in range(D) for s in (-1, 1))
        return -HOP * nsum + 2 * A2 * f + 4 * A4 * f ** 3
    f = phi.reshape(L, L).copy()
    for _ in range(trajectories):
        p = rng.standard_normal(f.shape)
        H0 = 0.5 * np.sum(p * p) + numpy_action(f.ravel())
        g = f.copy()
        p = p - 0.5 * eps * grad(g)
        for step in range(n_leapfrog):
            g = g + eps * p
            p = p - (eps if step < n_leapfrog - 1 else 0.5 * eps) * grad(g)
        dH = 0.5 * np.sum(p * p) + numpy_action(g.ravel()) - H0
        if dH <= 0 or rng.random() < math.exp(-dH):
            f = g
    return f.ravel()


def main():
    rng0 = np.random.default_rng(1)
    phi0 = rng0.normal(0, 0.5, V)
    # same action in both implementations
    assert abs(K.action(phi0, NBR, HOP, A2, A4) - numpy_action(phi0)) < 1e-9 * abs(numpy_action(phi0))
    empty = np.empty((0, V))

    # --- Metropolis
    phi = phi0.copy()
    rng = stream()
    K.metropolis_block(phi, NBR, HOP, A2, A4, 1.0, 1, 1, rng, np.empty(1), np.empty(1), empty)   # compile/load
    sweeps = 200
    t = time.perf_counter()
    K.metropolis_block(phi, NBR, HOP, A2, A4, 1.0, sweeps, 1, rng, np.empty(sweeps), np.empty(sweeps), empty)
    pkg_met = sweeps * V / (time.perf_counter() - t)

    n_sites = 40_000
    phi = phi0.copy()
    t = time.perf_counter()
    numpy_metropolis_sitewise(phi, n_sites, 1.0, np.random.default_rng(0))
    np_met = n_sites / (time.perf_counter() - t)

    cb_sweeps = 50
    t = time.perf_counter()
    numpy_metropolis_checkerboard(phi0.copy(), cb_sweeps, 1.0, np.random.default_rng(0))
    cb_met = cb_sweeps * V / (time.perf_counter() - t)

    # --- HMC
    eps, nl = 0.05, 10
    phi = phi0.copy()
    rng = stream(1)
    K.hmc_block(phi, NBR, HOP, A2, A4, eps, 0.0, nl, 1, 1, rng, np.empty(1), np.empty(1), empty)
    traj = 300
    t = time.perf_counter()
    acc = K.hmc_block(phi, NBR, HOP, A2, A4, eps, 0.0, nl, traj, 1, rng, np.empty(traj), np.empty(traj), empty)
    pkg_hmc = traj / (time.perf_counter() - t)

    np_traj = 60
    t = time.perf_counter()
    numpy_hmc(phi0.copy(), np_traj, eps, nl, np.random.default_rng(0))
    np_hmc = np_traj / (time.perf_counter() - t)

    print(f"lattice phi^4, L = {L}, d = {D} (V = {V}), m2 = -4, lambda = 8 (Albergo et al. convention)")
    print(f"Metropolis  package (numba)            : {pkg_met:12.3e} site updates/s")
    print(f"Metropolis  plain numpy, site by site  : {np_met:12.3e} site updates/s   ratio {pkg_met / np_met:8.1f}x "
          f"(goal >= 50x)")
    print(f"Metropolis  numpy checkerboard (vector): {cb_met:12.3e} site updates/s   ratio {pkg_met / cb_met:8.1f}x")
    print(f"HMC         package (numba)            : {pkg_hmc:12.3e} trajectories/s ({nl} leapfrog steps, "
          f"acceptance {acc / traj:.2f})")
    print(f"HMC         numpy (vectorised, np.roll): {np_hmc:12.3e} trajectories/s   ratio {pkg_hmc / np_hmc:8.1f}x "
          f"(goal >= 50x)")


if __name__ == "__main__":
    main()
