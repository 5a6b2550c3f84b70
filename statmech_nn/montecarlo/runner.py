"""One Monte Carlo task = one disorder sample at one parameter point: draw the disorder, run the chains,
reduce the time series to means and error bars. Tasks and results are plain JSON-able dicts, so they
travel to worker processes or a dask cluster and can be appended to a resumable sweep file.

Error bars: the time series of each sample is binned in blocks of 2^k sweeps (at least 16 blocks); the
largest blocked error is the autocorrelation-aware error of the sample mean, and
``τ_int = (err_binned / err_naive)² / 2`` (Flyvbjerg and Petersen, J. Chem. Phys. 91, 461 (1989)).
Over ``S`` disorder samples the error of the mean is ``sqrt(max(s²/S, Σ_s err_s² / S²))``: the spread
of the sample means ``s`` (which contains thermal and disorder noise), never below the thermal error.
"""
from __future__ import annotations

import json
import math

import numpy as np

from . import kernels as K
from .systems import build_system

__all__ = ["run_task", "warm_up", "binning", "combine_samples"]

MIN_BLOCKS = 16


def binning(x):
    """Mean, autocorrelation-aware standard error and ``τ_int`` (in sweeps) of a time series."""
    x = np.asarray(x, dtype=float)
    n = x.size
    mean = float(x.mean())
    naive = float(x.std(ddof=1) / math.sqrt(n))
    err = naive
    size = 2
    while n // size >= MIN_BLOCKS:
        blocks = x[: (n // size) * size].reshape(-1, size).mean(axis=1)
        err = max(err, float(blocks.std(ddof=1) / math.sqrt(blocks.size)))
        size *= 2
    tau = 0.5 * (err / naive) ** 2 if naive > 0 else 0.5
    return mean, err, tau


def combine_samples(means, errors):
    """Mean over disorder samples and its standard error (see the module docstring)."""
    means = np.asarray(means, dtype=float)
    errors = np.asarray(errors, dtype=float)
    S = means.size
    thermal = float(np.sqrt(np.sum(errors**2)) / S)
    if S == 1:
        return float(means[0]), thermal
    return float(means.mean()), max(float(means.std(ddof=1) / math.sqrt(S)), thermal)


def _chain_streams(seed_sequence, count):
    return np.stack([c.generate_state(4, np.uint64) for c in seed_sequence.spawn(count)])


def _advance(step, burn, n, recorded, extra, burn_out, report):
    """``burn`` sweeps, then ``n`` recorded ones, through ``step(k, outputs)`` (advance the chains by
    ``k`` sweeps, recording into ``outputs``). With ``report`` (a callable taking a number of sweeps)
    the sweeps go in chunks, each reported as it ends: every chain state (spins, overlaps, random
    streams) lives in arrays, so the chunks give the numbers of one call, bit for bit."""
    total = burn + n
    size = total if report is None else max(1, -(-total // 50))
    done = 0
    while done < burn:
        k = min(size, burn - done)
        step(k, burn_out)
        done += k
        if report is not None:
            report(k)
    t = 0
    while t < n:
        k = min(size, n - t)
        step(k, tuple(a[t:t + k] for a in recorded) + extra)
        t += k
        if report is not None:
            report(k)


def run_task(task, report=None):
    """Run one disorder sample described by the dict ``task`` (see :func:`make_task`) and return a
    dict ``{"observables": {name: [mean, err, tau]}, "info": {...}, "swaps": [[accepted, tried]]}``.

    ``report``, if given, is called with a number of sweeps as they are done (burn-in included), for
    a progress bar; it does not change the result."""
    N = task["N"]
    params = task["params"]
    R = task["replicas"]
    T = params["T"]
    temps = [T] + list(task["tempering"])
    betas = np.array([math.inf if t == 0 else 1.0 / t for t in temps])
    B = betas.size
    C = R * B
    disorder_ss, chain_ss, init_ss = np.random.SeedSequence(
        task["seed"], spawn_key=(task["sample"],)).spawn(3)
    system = build_system(task["model"], task["options"], N, params, np.random.default_rng(disorder_ss),
                          task["init"], task["dynamics"], task.get("sampler_options"))
    rng = _chain_streams(chain_ss, C + 1)
    if system.kind == "declared":         # float64 units of any kind (see montecarlo.declared)
        from .declared import start_configurations
        spins = start_configurations(system, np.random.default_rng(init_ss), C)
    elif system.init is None:
        spins = np.where(np.random.default_rng(init_ss).random((C, N)) < 0.5, -1, 1).astype(np.int8)
    else:
        spins = np.tile(system.init, (C, 1))
    K_obs = system.recorded          # pattern overlaps the kernel records (the readout maps them)
    n, burn = task["sweeps"], task["burn_in"]
    energy, accepted = np.zeros((n, R)), np.zeros((n, R))
    overlaps, q = np.zeros((n, R, K_obs)), np.zeros(n)
    empty2, empty3, empty1 = np.zeros((0, R)), np.zeros((0, R, K_obs)), np.zeros(0)
    swaps = np.zeros((max(B - 1, 0), 2), np.int64)
    rule = K.HEAT_BATH if task["dynamics"] == "heat-bath" else K.METROPOLIS

    if system.kind == "patterns":
        xi = system.arrays["xi"]
        P = xi.shape[1]
        # float32 overlaps only where every partial sum of Σ_μ ξ M_μ (|.| <= N P) is exact
        dtype = np.float32 if N * P < 2**24 else np.float64
        M = (spins.astype(np.int64) @ xi.astype(np.int64)).astype(dtype)
        mag = spins.sum(axis=1, dtype=np.int64)
        sc = system.scalars
        args = (xi, M, spins, mag, betas, float(sc["J"]), int(sc["p"]), float(sc["h"]), float(sc["shift"]),
                rule)
        step = lambda k, out: K.run_patterns(*args, k, rng, K_obs, *out)   # noqa: E731
    elif system.kind == "poly-patterns":   # dense Hopfield: polynomial energy per pattern
        from .pbody_kernels import flip_polynomials, run_poly_patterns
        xi, coef = system.arrays["xi"], system.arrays["coef"]
        M = (spins.astype(np.int64) @ xi.astype(np.int64)).astype(np.float64)
        mag = spins.sum(axis=1, dtype=np.int64)
        sc = system.scalars
        args = (xi, M, spins, mag, betas, coef, *flip_polynomials(coef), float(sc["h"]), float(sc["shift"]),
                rule)
        step = lambda k, out: run_poly_patterns(*args, k, rng, K_obs, *out)   # noqa: E731
    elif system.kind == "power-sum-patterns":   # supervised dense Hebbian: real-valued entries
        from .pbody_kernels import power_sums, run_power_sum_patterns
        eta = system.arrays["eta"]
        sc = system.scalars
        S, even_sums = power_sums(eta, spins, int(sc["p"]))
        mag = spins.sum(axis=1, dtype=np.int64)
        args = (eta, S, spins, mag, betas, even_sums, int(sc["p"]), float(sc["scale"]), float(sc["h"]),
                float(sc["shift"]), rule)
        step = lambda k, out: run_power_sum_patterns(*args, k, rng, K_obs, *out)   # noqa: E731
    elif system.kind == "tuples":          # p-body spin glass: explicit p-body couplings
        from .pbody_kernels import run_tuples
        a = system.arrays
        args = (a["tuples"], a["J"], a["start"], a["members"], spins, betas, float(system.scalars["h"]), rule)
        step = lambda k, out: run_tuples(*args, k, rng, *out)   # noqa: E731
    elif system.kind == "dense":
        Jmat = system.arrays["J"]
        args = (Jmat, spins.astype(float) @ Jmat, spins, betas, float(system.scalars["h"]), rule)
        step = lambda k, out: K.run_dense(*args, k, rng, *out)   # noqa: E731
    elif system.kind == "centred":
        eta = system.arrays["eta"]
        M = spins.astype(np.float64) @ eta
        mag = spins.sum(axis=1, dtype=np.int64)
        self_coupling = np.einsum("ij,ij->i", eta, eta)
        sc = system.scalars
        args = (eta, M, spins, mag, self_coupling, betas, float(sc["h"]), float(sc["shift"]), rule)
        step = lambda k, out: K.run_centred_patterns(*args, k, rng, K_obs, *out)   # noqa: E731
    elif system.kind == "declared":        # a model nobody registered, from its declaration
        step = None                        # tunes its spherical moves during the burn-in: one call
    else:  # block Gibbs on the RBM whose marginal is the Hopfield model (see monte_carlo's docstring)
        xi = system.arrays["xi"]
        args = (xi, spins, np.zeros((R, xi.shape[1])), float(betas[0]), float(system.scalars["h"]),
                K.BINARY_HIDDEN if system.scalars.get("hidden") == "ising" else K.GAUSSIAN_HIDDEN)
        step = lambda k, out: K.run_rbm(*args, k, rng, K_obs, *out)   # noqa: E731

    if system.kind in ("tuples", "dense"):     # these kernels record the magnetisation, not overlaps
        magnetisation = np.zeros((n, R))
        recorded, burn_out = (energy, magnetisation, accepted, q), (empty2, empty2, empty2, empty1)
    else:
        recorded, burn_out = (energy, overlaps, accepted, q), (empty2, empty3, empty2, empty1)
    extra = () if system.kind == "rbm" else (swaps,)
    burn_extra = () if system.kind == "rbm" else (np.zeros_like(swaps),)
    if step is None:
        from .declared import run as run_declared
        angle = run_declared(system, spins, betas, rule, burn, rng, energy, overlaps, accepted, q, swaps)
        if angle is not None:
            system.info["rotation_angle"] = angle
        if report is not None:
            report(burn + n)
    else:
        _advance(step, burn, n, recorded, extra, burn_out + burn_extra, report)
    if system.kind in ("tuples", "dense"):
        overlaps[:, :, 0] = magnetisation
    if system.kind == "rbm":
        energy += system.scalars["shift"] / N     # the Hopfield Hamiltonian excludes i = j

    if system.readout is not None:
        overlaps = overlaps @ system.readout.T
    series = {name: overlaps[:, :, k].mean(axis=1) for k, name in enumerate(system.observed)}
    series["energy"] = energy.mean(axis=1)
    series["acceptance"] = accepted.mean(axis=1)
    if R >= 2:
        series["q"] = q
        series["q2"] = q**2
        if task["model"] == "sk" and T > 0:
            # SK equilibration identity (J = 1), exact at finite N after the disorder average:
            # u = −(J0/2)(⟨m²⟩ − 1/N) − (β/2)(1 − ⟨q²⟩) − h⟨m⟩ (integration by parts over J_ij);
            # its residual series has zero mean in equilibrium
            m = overlaps[:, :, 0]
            series["sk_identity_residual"] = (
                energy.mean(axis=1) + params["J0"] / 2 * ((m**2).mean(axis=1) - 1.0 / N)
                + betas[0] / 2 * (1.0 - q**2) + params["h"] * m.mean(axis=1))
    return {"observables": {k: list(binning(v)) for k, v in series.items()},
            "info": dict(system.info),
            "swaps": swaps.tolist()}


def warm_up(tasks):
    """Compile (or load from numba's cache) the kernels that ``tasks`` call, in this process, before
    they go to workers: worker processes started together then only read numba's cache and never race
    to write it (DESIGN.md, Numerics). One dry run of two sweeps per distinct model, options, dynamics,
    start, sampler options and ``N`` compiles exactly the signatures the tasks use (e.g. float32 or
    float64 overlaps), and nothing else: compiling every sampler took most of a first run. Once per
    process."""
    for task in tasks:
        key = json.dumps([task[k] for k in ("model", "options", "dynamics", "init", "N")]
                         + [task.get("sampler_options")], sort_keys=True)
        if key not in _WARM:
            run_task(dict(task, sweeps=2, burn_in=0))
            _WARM.add(key)


_WARM = set()     # tasks whose kernels this process has compiled or loaded
