"""Benchmark: the full-RSB ground-state energy of the SK model to 1e-4.

The package (:func:`statmech_nn.solve.parisi.solve_parisi`: k-step solutions with analytic gradients,
extrapolated in k) against the hand-written k-step calculation a physicist would type in: the Parisi
functional at T = 0 with βx finite (Crisanti & Rizzo 2002), the fields on a numpy grid, each Gaussian
average by Gauss–Hermite quadrature (scipy) with cubic-spline interpolation, the top layer in closed form,
the outer average by ``scipy.integrate.quad``, and ``scipy.optimize.minimize`` (BFGS, numerical
gradients) over the breakpoints and levels; k = 4 is the first k whose energy is within 1e-4 of the
full-RSB value. Both run here, in the same process; both errors are measured against
Crisanti & Rizzo's −0.7631667.

Usage: python benchmarks/rsb_sk_ground_state.py [--baseline-k 4] [--k-max 4]
"""
import argparse
import math
import time
import warnings

import numpy as np
from scipy.integrate import quad
from scipy.interpolate import CubicSpline
from scipy.optimize import minimize
from scipy.special import log_ndtr, logsumexp, roots_hermitenorm

from statmech_nn.solve.parisi import sk_covariance, solve_parisi

E_CR = -0.7631667   # A. Crisanti and T. Rizzo, PRE 65, 046137 (2002)


def baseline_functional(params, k, grid, z, w):
    """F = −e of the k-step ansatz at T = 0 (minimised; the ground-state energy is −min F):
    q_0 < ... < q_{k-1} < q_k = 1, levels m_1 <= ... <= m_k (= βx)."""
    # unconstrained parameters -> ordered q in (0, 1) and positive increasing m
    steps = np.exp(params[:k])
    q = np.cumsum(steps)[:k] / (1.0 + np.sum(steps))
    m = np.cumsum(np.exp(params[k:]))
    Q = np.append(q, 1.0)
    # top layer: (1/m) log E exp(m|y + s z|) in closed form (Parisi 1980)
    s = math.sqrt(1.0 - Q[k - 1])
    mk = m[k - 1]
    lp = mk * mk * s * s / 2 + mk * grid + log_ndtr(grid / s + mk * s)
    lm = mk * mk * s * s / 2 - mk * grid + log_ndtr(-grid / s + mk * s)
    u = np.logaddexp(lp, lm) / mk
    # lower layers by Gauss-Hermite quadrature, u continued linearly (slope ±1) outside the grid
    for i in range(k - 1, 0, -1):
        s = math.sqrt(Q[i] - Q[i - 1])
        pts = grid[:, None] + s * z[None, :]
        vals = CubicSpline(grid, u)(np.clip(pts, grid[0], grid[-1]))
        vals = np.where(pts > grid[-1], u[-1] + (pts - grid[-1]), vals)
        vals = np.where(pts < grid[0], u[0] + (grid[0] - pts), vals)
        u = logsumexp(m[i - 1] * vals, b=w[None, :], axis=1) / m[i - 1]
    spline = CubicSpline(grid, u)
    outer = quad(lambda t: spline(math.sqrt(Q[0]) * t) * math.exp(-t * t / 2) / math.sqrt(2 * math.pi),
                 -10, 10, limit=200, epsabs=1e-11)[0]
    penalty = 0.5 * np.sum(m * (Q[1:] ** 2 - Q[:-1] ** 2) / 2)     # SK: g(q) = q²/2
    value = outer - penalty
    return value if np.isfinite(value) else 1e3      # a step into overflow: reject it


def baseline(k, spacing=0.02, nodes=60):
    grid = np.arange(-12.0, 12.0 + spacing / 2, spacing)
    z, w = roots_hermitenorm(nodes)
    w = w / w.sum()
    # start: breakpoints evenly spread, levels doubling
    q0 = (np.arange(1, k + 1) - 0.5) / k
    steps = np.diff(np.concatenate([[0.0], q0]))
    steps = np.append(steps, 1 - q0[-1])
    levels = 0.5 * 2.0 ** np.arange(k)
    params = np.concatenate([np.log(steps[:k] / steps[k]), np.log(np.diff(np.concatenate([[0.0], levels])))])
    with np.errstate(over="ignore", invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")        # quad's round-off notices on trial steps of the line search
        res = minimize(baseline_functional, params, args=(k, grid, z, w), method="BFGS",
                       options={"gtol": 1e-7, "eps": 1e-6, "maxiter": 2000})
    return -res.fun, res


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--baseline-k", type=int, default=4)
    p.add_argument("--k-max", type=int, default=4)
    args = p.parse_args(argv)

    solve_parisi(*sk_covariance(), beta=math.inf, k_max=3)       # compile (or load cached) kernels
    t0 = time.perf_counter()
    sol = solve_parisi(*sk_covariance(), beta=math.inf, k_max=args.k_max)
    t_pkg = time.perf_counter() - t0
    t0 = time.perf_counter()
    e_base, res = baseline(args.baseline_k)
    t_base = time.perf_counter() - t0
    t0 = time.perf_counter()
    best = solve_parisi(*sk_covariance(), beta=math.inf, k_max=args.k_max + 2)
    t_best = time.perf_counter() - t0
    err_pkg, err_base = abs(sol.free_energy - E_CR), abs(e_base - E_CR)
    print(f"SK ground state, full RSB (Crisanti & Rizzo 2002: {E_CR})")
    print(f"package:  {t_pkg:8.2f} s  e = {sol.free_energy:.8f}  |error| = {err_pkg:.1e}  "
          f"(k = 1..{args.k_max}, extrapolated; estimate of the extrapolation error {sol.extrapolation_error:.1e}; "
          f"k = {args.k_max} alone: {sol.sequence[args.k_max].free_energy:.8f})")
    print(f"package:  {t_best:8.2f} s  e = {best.free_energy:.8f}  |error| = {abs(best.free_energy - E_CR):.1e}  "
          f"(k = 1..{args.k_max + 2}, extrapolated)")
    print(f"baseline: {t_base:8.2f} s  e = {e_base:.8f}  |error| = {err_base:.1e}  "
          f"(hand-written k = {args.baseline_k}: numpy grid + Gauss-Hermite + cubic spline + quad + BFGS, "
          f"{res.nfev} functional evaluations, {'converged' if res.success else res.message})")
    print(f"both within 1e-4: {err_pkg < 1e-4 and err_base < 1e-4}; speed-up: {t_base / t_pkg:.0f}x")
    return t_base / t_pkg, err_pkg, err_base


if __name__ == "__main__":
    main()
