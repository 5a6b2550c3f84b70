"""Finite-instance checks of the perceptron theory: linear programming for the storage capacity and
Metropolis sampling of Gibbs learning (teacher–student with binary weights).

Plain NumPy/SciPy/numba, no SymPy (DESIGN.md layering). One explicit RNG stream per disorder sample
(``numpy.random.SeedSequence(seed).spawn``), so results depend only on the seed.

References
----------
T. M. Cover, IEEE Trans. Electron. Comput. EC-14, 326 (1965): the number of dichotomies of ``P``
points in general position in ``N`` dimensions realisable by a hyperplane through the origin,
``C(P, N) = 2 Σ_{k<N} binom(P−1, k)``; E. Gardner, J. Phys. A 21, 257 (1988) (``α_c = 2``);
H. S. Seung, H. Sompolinsky, N. Tishby, Phys. Rev. A 45, 6056 (1992) (Gibbs learning);
N. Metropolis et al., J. Chem. Phys. 21, 1087 (1953).
"""
from __future__ import annotations

import math

import numba
import numpy as np

from ..errors import ParameterError, StatmechError

#: optimal margins below this count as zero (not separable); HiGHS feasibility tolerance is 1e-7
_MARGIN_TOL = 1e-6

__all__ = ["cover_probability", "separable_fraction", "gibbs_teacher_student", "gibbs_continual"]


def _check_positive_int(name, value, minimum=1):
    if int(value) != value or value < minimum:
        raise ParameterError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def cover_probability(N, P):
    """Probability that ``P`` random points with random labels in ``N`` dimensions are linearly
    separable by a hyperplane through the origin (Cover 1965): ``2^{1−P} Σ_{k=0}^{N−1} binom(P−1, k)``.

    Examples
    --------
    >>> cover_probability(100, 200)
    0.5
    """
    N = _check_positive_int("N", N)
    P = _check_positive_int("P", P, 0)
    if P <= N:
        return 1.0
    # log-space sum: binomials of P - 1 up to ~10^300 would overflow a float
    logs = [math.lgamma(P) - math.lgamma(k + 1) - math.lgamma(P - k) for k in range(N)]
    top = max(logs)
    return float(math.exp(top + math.log(sum(math.exp(v - top) for v in logs)) + (1 - P) * math.log(2)))


def separable_fraction(N, alphas, samples=40, seed=0):
    """Fraction of random instances (Gaussian patterns, random ±1 labels) that a perceptron through
    the origin stores without error, decided by linear programming (scipy HiGHS): the largest
    margin ``t`` with ``y_μ ξ_μ·w ≥ t`` and ``|w_i| ≤ 1`` is positive exactly when the instance is
    separable.

    Parameters
    ----------
    N : int
        Number of weights.
    alphas : sequence of float
        Loads ``P/N`` (``P`` rounded to the nearest integer).
    samples : int
        Instances per load.
    seed : int

    Returns
    -------
    dict
        ``alpha`` (the loads realised, ``P/N``), ``fraction``, ``stderr`` (binomial), ``cover``
        (the exact finite-``N`` probability of Cover 1965).
    """
    from scipy.optimize import linprog

    N = _check_positive_int("N", N)
    samples = _check_positive_int("samples", samples)
    alphas = np.atleast_1d(np.asarray(alphas, float))
    if not np.all(np.isfinite(alphas)) or np.any(alphas <= 0):
        raise ParameterError(f"alphas must be positive finite loads, got {alphas!r}")
    streams = np.random.SeedSequence(seed).spawn(alphas.size)
    out = {"alpha": [], "fraction": [], "stderr": [], "cover": []}
    for a, stream in zip(alphas, streams):
        P = max(1, int(round(a * N)))
        rng = np.random.default_rng(stream)
        hits = 0
        for _ in range(samples):
            xi = rng.standard_normal((P, N))
            y = rng.choice((-1.0, 1.0), size=P)
            # max t subject to y_μ ξ_μ·w ≥ t, |w_i| ≤ 1, t ≤ 1: always feasible and bounded (no
            # borderline infeasibility for the solver to misjudge); separable iff t* > 0
            A = np.hstack([-(y[:, None] * xi), np.ones((P, 1))])
            cost = np.zeros(N + 1)
            cost[-1] = -1.0
            res = linprog(cost, A_ub=A, b_ub=np.zeros(P), bounds=[(-1, 1)] * N + [(None, 1)],
                          method="highs")
            if res.status != 0:
                raise StatmechError(f"linear program failed at N={N}, P={P}: {res.message}")
            hits += -res.fun > _MARGIN_TOL
        p = hits / samples
        out["alpha"].append(P / N)
        out["fraction"].append(p)
        out["stderr"].append(math.sqrt(max(p * (1 - p), 1.0 / samples) / samples))
        out["cover"].append(cover_probability(N, P))
    return {k: np.asarray(v) for k, v in out.items()}


def _metropolis_binary(w, xi, y, beta, sweeps, burn_in, seed):
    """Metropolis on binary weights ``w = ±1`` with energy = number of training errors
    ``Σ_μ θ(−y_μ ξ_μ·w)``: the coupled sampler of continual learning at zero coupling.
    Returns the time average of ``R = w·1/N`` (teacher gauged to all ``+1``) and of the training
    error per example."""
    zeros = np.zeros(w.shape[0])
    sums = _metropolis_binary_coupled(w, xi, y, beta, 0.0, zeros, zeros, sweeps, burn_in, seed)
    return sums[0], sums[3]


def gibbs_teacher_student(N, alpha, T, samples=8, sweeps=2000, burn_in=500, seed=0):
    """Gibbs learning of a binary student from a binary teacher at temperature ``T > 0`` by
    Metropolis sampling (energy: training errors), averaged over ``samples`` disorder instances.

    The teacher is gauged to ``w* = (1, …, 1)`` (a binary teacher up to flipping the input
    components), inputs are standard Gaussian, the student starts at random.

    Returns
    -------
    dict
        ``R`` and ``R_stderr`` (teacher overlap, mean and standard error over instances),
        ``epsilon`` and ``epsilon_stderr`` (generalisation error ``arccos(R)/π`` of each instance's
        time-averaged ``R``), ``training_error``, ``samples``.
    """
    N = _check_positive_int("N", N, 2)
    samples = _check_positive_int("samples", samples, 2)
    sweeps = _check_positive_int("sweeps", sweeps)
    burn_in = _check_positive_int("burn_in", burn_in, 0)
    if burn_in >= sweeps:
        raise ParameterError(f"burn_in ({burn_in}) must be smaller than sweeps ({sweeps})")
    if not (alpha > 0 and math.isfinite(alpha)):
        raise ParameterError(f"alpha must be a positive number, got {alpha!r}")
    if not (T > 0 and math.isfinite(T)):
        raise ParameterError(f"T must be a positive temperature for Gibbs sampling, got {T!r}")
    P = max(1, int(round(alpha * N)))
    Rs, eps, train = [], [], []
    for k, stream in enumerate(np.random.SeedSequence(seed).spawn(samples)):
        rng = np.random.default_rng(stream)
        xi = rng.standard_normal((P, N)) / math.sqrt(N)
        y = np.sign(xi.sum(axis=1))
        w = rng.choice((-1.0, 1.0), size=N)
        kernel_seed = int(rng.integers(2**31 - 1))
        R, e = _metropolis_binary(w, xi, y, 1.0 / T, sweeps, burn_in, kernel_seed)
        Rs.append(R)
        eps.append(math.acos(min(1.0, max(-1.0, R))) / math.pi)
        train.append(e)
    Rs, eps, train = map(np.asarray, (Rs, eps, train))
    sq = math.sqrt(samples)
    return {"R": Rs.mean(), "R_stderr": Rs.std(ddof=1) / sq, "epsilon": eps.mean(),
            "epsilon_stderr": eps.std(ddof=1) / sq, "training_error": train.mean(),
            "training_error_stderr": train.std(ddof=1) / sq, "samples": samples, "N": N, "P": P}


# -- continual learning: a new task learned with a coupling to the old solution ------------------

@numba.njit(cache=True, nogil=True)
def _metropolis_binary_coupled(w, xi, y, beta, coupling, ref, teacher, sweeps, burn_in, seed):
    """Metropolis on binary weights with the weight ``exp(−β·errors + γ w·w̃)``: the training errors
    ``Σ_μ θ(−y_μ ξ_μ·w)`` of the new task and the coupling ``γ`` to the reference ``w̃`` (``ref``).
    Returns the time averages of ``w·1/N`` (teacher 1, gauged to all ``+1``), ``w·teacher/N``
    (teacher 2), ``w·ref/N`` and the training error per example."""
    np.random.seed(seed)
    P, N = xi.shape
    h = np.empty(P)
    for mu in range(P):
        s = 0.0
        for i in range(N):
            s += xi[mu, i] * w[i]
        h[mu] = y[mu] * s
    sums = np.zeros(4)
    count = 0
    for sweep in range(sweeps):
        for i in range(N):
            d = 0
            for mu in range(P):
                new = h[mu] - 2.0 * w[i] * y[mu] * xi[mu, i]
                d += (new <= 0.0) - (h[mu] <= 0.0)
            gain = -beta * d - 2.0 * coupling * w[i] * ref[i]
            if gain >= 0.0 or np.random.random() < math.exp(gain):
                for mu in range(P):
                    h[mu] -= 2.0 * w[i] * y[mu] * xi[mu, i]
                w[i] = -w[i]
        if sweep >= burn_in:
            errors = 0
            for mu in range(P):
                errors += h[mu] <= 0.0
            sums[0] += w.sum() / N
            sums[1] += (w * teacher).sum() / N
            sums[2] += (w * ref).sum() / N
            sums[3] += errors / P
            count += 1
    return sums / count


def gibbs_continual(N, alpha_1, alpha_2, T, gamma, rho, samples=8, sweeps=2000, burn_in=500, seed=0):
    """Continual Gibbs learning of a binary perceptron by Metropolis sampling (Li, Huang, Zou, Huang,
    PRE 108, 014309 (2023)): task 1 (teacher ``w*¹``, ``α₁N`` examples) at temperature ``T``, whose
    last configuration is the reference ``w̃``; then task 2 (teacher ``w*²`` with ``w*¹·w*²/N = ρ``,
    ``α₂N`` fresh examples) at the same ``T`` with the coupling ``γ w·w̃``, started from ``w̃``.

    Teacher 1 is gauged to ``(1, …, 1)``; teacher 2 flips ``round(N(1 − ρ)/2)`` random components
    (the realised overlap is returned as ``rho``). Inputs are standard Gaussian.

    Returns
    -------
    dict
        Means and standard errors over instances (``*_stderr``) of ``R_ref`` (the reference's
        teacher-1 overlap, time-averaged over task 1), ``R_1``, ``R_2``, ``P`` (the new student's
        overlaps with teacher 1, teacher 2 and the reference), ``epsilon_1``/``epsilon_2``
        (``arccos R/π`` of each instance's time averages), ``training_error`` (task 2), and
        ``samples``, ``N``, ``P1``, ``P2``, ``rho``.
    """
    N = _check_positive_int("N", N, 2)
    samples = _check_positive_int("samples", samples, 2)
    sweeps = _check_positive_int("sweeps", sweeps)
    burn_in = _check_positive_int("burn_in", burn_in, 0)
    if burn_in >= sweeps:
        raise ParameterError(f"burn_in ({burn_in}) must be smaller than sweeps ({sweeps})")
    for name, value in (("alpha_1", alpha_1), ("alpha_2", alpha_2)):
        if not (value > 0 and math.isfinite(value)):
            raise ParameterError(f"{name} must be a positive number, got {value!r}")
    if not (T > 0 and math.isfinite(T)):
        raise ParameterError(f"T must be a positive temperature for Gibbs sampling, got {T!r}")
    if not math.isfinite(gamma):
        raise ParameterError(f"gamma must be a finite coupling, got {gamma!r}")
    if not (-1.0 <= rho <= 1.0):
        raise ParameterError(f"rho (teacher-teacher overlap) must lie in [-1, 1], got {rho!r}")
    P1 = max(1, int(round(alpha_1 * N)))
    P2 = max(1, int(round(alpha_2 * N)))
    flips = int(round(N * (1 - rho) / 2))
    keys = ("R_ref", "R_1", "R_2", "P", "epsilon_1", "epsilon_2", "training_error")
    values = {k: [] for k in keys}
    for stream in np.random.SeedSequence(seed).spawn(samples):
        rng = np.random.default_rng(stream)
        teacher = np.ones(N)
        teacher[rng.choice(N, size=flips, replace=False)] = -1.0
        xi1 = rng.standard_normal((P1, N)) / math.sqrt(N)
        y1 = np.sign(xi1.sum(axis=1))
        xi2 = rng.standard_normal((P2, N)) / math.sqrt(N)
        y2 = np.sign(xi2 @ teacher)
        ref = rng.choice((-1.0, 1.0), size=N)
        R_ref, _ = _metropolis_binary(ref, xi1, y1, 1.0 / T, sweeps, burn_in, int(rng.integers(2**31 - 1)))
        w = ref.copy()
        R_1, R_2, P, e = _metropolis_binary_coupled(w, xi2, y2, 1.0 / T, float(gamma), ref, teacher, sweeps,
                                                   burn_in, int(rng.integers(2**31 - 1)))
        for k, v in zip(keys, (R_ref, R_1, R_2, P, math.acos(min(1.0, max(-1.0, R_1))) / math.pi,
                               math.acos(min(1.0, max(-1.0, R_2))) / math.pi, e)):
            values[k].append(v)
    sq = math.sqrt(samples)
    out = {"samples": samples, "N": N, "P1": P1, "P2": P2, "rho": 1 - 2 * flips / N}
    for k, v in values.items():
        v = np.asarray(v)
        out[k] = v.mean()
        out[k + "_stderr"] = v.std(ddof=1) / sq
    return out
