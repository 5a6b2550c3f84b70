"""Benchmark: AGS saddle point of the Hopfield model on a 100 x 100 (alpha, T) grid.

The package (derived equations -> generated numba kernels, whole grid in one call) against the
hand-written solver a physicist would write: scipy ``quad`` for each Gaussian average and ``fsolve``
per point, measured in the same run. The baseline is timed on a random subset of the grid (it needs
minutes for all 10^4 points); its per-point time is scaled to the grid, and both solvers are checked
to agree on that subset.

Usage: python benchmarks/solver_hopfield.py [--grid 100] [--baseline-points 150]
"""
import argparse
import time

import numpy as np
from scipy.integrate import quad
from scipy.optimize import fsolve

import statmech_nn as snn


def baseline_point(alpha, T, guess=(1.0, 1.0, 1.0)):
    """AGS equations for one condensed pattern, typed in by hand (the baseline, not the package)."""
    beta = 1.0 / T

    def gauss(f):
        return quad(lambda z: f(z) * np.exp(-z * z / 2) / np.sqrt(2 * np.pi), -np.inf, np.inf)[0]

    def residual(x):
        m, q, r = x
        s = np.sqrt(alpha * max(r, 0.0))
        return [m - gauss(lambda z: np.tanh(beta * (m + s * z))),
                q - gauss(lambda z: np.tanh(beta * (m + s * z)) ** 2),
                r - q / (1 - beta * (1 - q)) ** 2]

    x, info, ier, _ = fsolve(residual, guess, full_output=True, xtol=1e-10)
    return x, ier == 1


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--grid", type=int, default=100)
    p.add_argument("--baseline-points", type=int, default=150)
    args = p.parse_args(argv)

    alphas = np.linspace(0.002, 0.14, args.grid)
    temps = np.linspace(0.05, 0.6, args.grid)
    A, T = np.meshgrid(alphas, temps)

    t0 = time.perf_counter()
    solver = snn.model("hopfield").free_energy().saddle_point().compile()
    solver.solve(alpha=0.05, T=0.1)          # compile (or load cached) kernels
    setup = time.perf_counter() - t0

    t0 = time.perf_counter()
    grid = solver.solve(alpha=A, T=T, guess={"m": 1.0, "q": 1.0, "r": 1.0}, errors="mask")
    t_pkg = time.perf_counter() - t0

    rng = np.random.default_rng(0)
    idx = rng.choice(A.size, size=args.baseline_points, replace=False)
    t0 = time.perf_counter()
    base = [baseline_point(A.flat[i], T.flat[i]) for i in idx]
    t_base_subset = time.perf_counter() - t0
    t_base = t_base_subset / len(idx) * A.size

    both = [(i, x) for i, (x, ok) in zip(idx, base) if ok and grid.converged.flat[i]]
    dev = max(max(abs(grid["m"].flat[i] - x[0]), abs(grid["q"].flat[i] - x[1])) for i, x in both)
    print(f"grid {args.grid}x{args.grid}: alpha in [{alphas[0]}, {alphas[-1]}], T in [{temps[0]}, {temps[-1]}]")
    print(f"package:  {t_pkg:9.3f} s for {A.size} points ({1e6 * t_pkg / A.size:8.1f} us/point); "
          f"derive+compile/load {setup:.2f} s; converged {int(grid.converged.sum())}/{A.size}")
    print(f"baseline: {t_base:9.3f} s for {A.size} points (scipy quad + fsolve, measured on "
          f"{len(idx)} points: {1e3 * t_base_subset / len(idx):.2f} ms/point)")
    n_base = sum(ok for _, ok in base)
    n_pkg = int(grid.converged.flat[idx].sum())
    print(f"on the {len(idx)} sampled points: baseline converged at {n_base}, package at {n_pkg}; "
          f"agreement on the {len(both)} where both did: max |dm|,|dq| = {dev:.2e}")
    print(f"speed-up: {t_base / t_pkg:.0f}x")
    return t_base / t_pkg, dev


if __name__ == "__main__":
    main()
