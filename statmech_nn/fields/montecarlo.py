"""Monte Carlo for lattice phi^4: hybrid Monte Carlo and single-site Metropolis with jackknife errors.

The driver reads the per-site coefficients off the symbolic action (:meth:`ScalarFieldTheory.coefficients`)
once, then only numba kernels (:mod:`.kernels`) and NumPy run. Chain ``c`` draws from stream ``c`` of
``numpy.random.SeedSequence(seed).spawn(chains)``, so results are bit-for-bit the same for a seed
whatever ``threads`` is.
"""
from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple

import numpy as np

from ..errors import ParameterError
from ..montecarlo.jackknife import jackknife
from .lattice import Lattice, ScalarFieldTheory

__all__ = ["phi4_monte_carlo", "measured_mass_shift", "Phi4Result", "Estimate", "ALGORITHMS"]

ALGORITHMS = ("hmc", "metropolis")
# block means kept per chain, in this column order
_COLUMNS = ("abs_M", "M2", "M", "S", "M4")


class Estimate(NamedTuple):
    """A Monte Carlo estimate and its jackknife standard error."""
    mean: float
    error: float

    def __repr__(self):
        return f"{self.mean:.6g} ± {self.error:.2g}"


def _positive_int(name, value, minimum=1):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ParameterError(f"{name} must be an int >= {minimum}, got {value!r}")
    return int(value)


def _positive_float(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not math.isfinite(value) or value <= 0:
        raise ParameterError(f"{name} must be a finite number > 0, got {value!r}")
    return float(value)


class Phi4Result:
    """Observables of a lattice phi^4 run (``M = Σ_x φ_x``, ``V`` the volume).

    Attributes
    ----------
    abs_magnetisation : Estimate
        ``⟨|M|⟩/V``.
    susceptibility : Estimate
        ``⟨M²⟩/V`` (the two-point susceptibility ``Σ_x ⟨φ_0 φ_x⟩``; ``⟨M⟩ = 0`` by symmetry).
    susceptibility_connected : Estimate
        ``(⟨M²⟩ − ⟨|M|⟩²)/V``.
    binder : Estimate
        ``1 − ⟨M⁴⟩/(3⟨M²⟩²)``.
    action : Estimate
        ``⟨S⟩/V``.
    acceptance : Estimate
        Accepted trajectories (HMC) or site updates (Metropolis) per attempt; mean over chains and
        the standard error of their spread.
    two_point : (numpy.ndarray, numpy.ndarray) or None
        ``⟨φ̃(k) φ̃(−k)⟩`` and its error at every momentum of ``lattice.momenta()``.
    blocks : dict
        Block means (``chains · blocks`` rows) of ``abs_M``, ``M2``, ``M``, ``S``, ``M4`` and ``phik2``
        (``|φ̃(k)|²``) for other jackknife estimates.
    series : dict
        ``M`` and ``S`` per chain and measurement, shape ``(chains, measurements)``.
    """

    def __init__(self, lattice, theory, settings, blocks, series, accepted, attempts):
        self.lattice, self.theory, self.settings = lattice, theory, settings
        self.blocks, self.series = blocks, series
        V = lattice.volume
        table = np.stack([blocks[c] for c in _COLUMNS], axis=1)
        col = {c: i for i, c in enumerate(_COLUMNS)}
        self.abs_magnetisation = Estimate(*jackknife(table[:, col["abs_M"]] / V))
        self.susceptibility = Estimate(*jackknife(table[:, col["M2"]] / V))
        self.susceptibility_connected = Estimate(*jackknife(
            table, lambda m: (m[col["M2"]] - m[col["abs_M"]] ** 2) / V))
        self.binder = Estimate(*jackknife(table, lambda m: 1 - m[col["M4"]] / (3 * m[col["M2"]] ** 2)))
        self.action = Estimate(*jackknife(table[:, col["S"]] / V))
        rates = np.asarray(accepted, dtype=float) / attempts
        err = float(rates.std(ddof=1) / math.sqrt(rates.size)) if rates.size > 1 else float("nan")
        self.acceptance = Estimate(float(rates.mean()), err)
        self.acceptance_per_chain = rates
        self.two_point = jackknife(blocks["phik2"]) if "phik2" in blocks else None

    def observables(self):
        """The scalar estimates by name."""
        return {name: getattr(self, name) for name in ("abs_magnetisation", "susceptibility",
                                                       "susceptibility_connected", "binder", "action",
                                                       "acceptance")}

    def inverse_propagator(self):
        """``1/⟨φ̃(k) φ̃(−k)⟩`` per momentum with jackknife errors."""
        if "phik2" not in self.blocks:
            raise ParameterError("this run did not measure the two-point function (two_point=False)")
        return jackknife(self.blocks["phik2"], lambda g: 1.0 / g)

    def __repr__(self):
        obs = ", ".join(f"{k}={v!r}" for k, v in self.observables().items())
        return f"Phi4Result({self.settings['algorithm']}, {self.lattice}, {obs})"


def phi4_monte_carlo(theory, shape, algorithm="hmc", measurements=10_000, every=1, burn_in=None, chains=4,
                     blocks=20, seed=0, step_size=0.1, n_leapfrog=10, jitter=0.2, width=1.0, two_point=True,
                     threads=1):
    """Sample lattice phi^4 (or the free field) with HMC or single-site Metropolis.

    Parameters
    ----------
    theory : ScalarFieldTheory
        Action (numeric ``m2``, ``lam``; either convention).
    shape : int or tuple or Lattice
        Periodic lattice; an int means ``L^d`` with the theory's ``d``.
    algorithm : {"hmc", "metropolis"}
    measurements : int
        Measurements per chain, one every ``every`` trajectories (HMC) or sweeps (Metropolis).
    burn_in : int, optional
        Trajectories/sweeps discarded first (default ``measurements // 10``).
    chains : int
        Independent chains, each with its own RNG stream, started from ``φ = 0``.
    blocks : int
        Blocks per chain for the jackknife (each block should be much longer than the autocorrelation time).
    step_size, n_leapfrog : float, int
        HMC leapfrog step and number of steps per trajectory.
    jitter : float
        The step is drawn uniformly in ``step_size · [1 − jitter, 1 + jitter]`` per trajectory (``0 <= jitter
        < 1``), so that no mode is trapped by a resonant trajectory length.
    width : float
        Metropolis proposal half-width.
    two_point : bool
        Measure ``|φ̃(k)|²`` at every momentum (costs an FFT per measurement).
    threads : int
        Chains run concurrently on this many threads (the kernels release the GIL); results do not
        depend on it.

    Returns
    -------
    Phi4Result

    Examples
    --------
    >>> th = ScalarFieldTheory(2, m2=-4, lam=8, convention="albergo")
    >>> r = phi4_monte_carlo(th, 8, measurements=2000, seed=1)
    >>> r.abs_magnetisation, r.acceptance                     # doctest: +SKIP
    """
    from . import kernels as K
    if not isinstance(theory, ScalarFieldTheory):
        raise ParameterError(f"theory must be a ScalarFieldTheory, got {type(theory).__name__}")
    lattice = shape if isinstance(shape, Lattice) else Lattice(shape, d=theory.d)
    if lattice.d != theory.d:
        raise ParameterError(f"the lattice has d = {lattice.d}, the theory d = {theory.d}")
    if algorithm not in ALGORITHMS:
        raise ParameterError(f"algorithm must be one of {ALGORITHMS}, got {algorithm!r}")
    measurements = _positive_int("measurements", measurements)
    every = _positive_int("every", every)
    chains = _positive_int("chains", chains)
    blocks = _positive_int("blocks", blocks, minimum=2 if chains == 1 else 1)
    burn_in = measurements // 10 if burn_in is None else _positive_int("burn_in", burn_in, minimum=0)
    threads = _positive_int("threads", threads)
    if chains * blocks < 2:
        raise ParameterError("the jackknife needs chains * blocks >= 2")
    if measurements < blocks:
        raise ParameterError(f"measurements ({measurements}) must be >= blocks ({blocks})")
    step_size = _positive_float("step_size", step_size)
    n_leapfrog = _positive_int("n_leapfrog", n_leapfrog)
    width = _positive_float("width", width)
    if isinstance(jitter, bool) or not isinstance(jitter, (int, float)) or not 0 <= jitter < 1:
        raise ParameterError(f"jitter must be a number in [0, 1), got {jitter!r}")
    hop, a2, a4 = theory.coefficients()
    if a4 == 0:
        theory.free_propagator(lattice)   # raises for a free field with a zero or negative mode
    nbr = lattice.neighbours()
    V = lattice.volume
    streams = np.stack([s.generate_state(4, np.uint64) for s in np.random.SeedSequence(seed).spawn(chains)])
    size = measurements // blocks          # a remainder of measurements is not taken
    no_fields = np.empty((0, V))

    def run_chain(c):
        rng = streams[c].copy()
        phi = np.zeros(V)
        if algorithm == "hmc":
            def step(n, ev, M, S, F):
                return K.hmc_block(phi, nbr, hop, a2, a4, step_size, jitter, n_leapfrog, n, ev, rng, M, S, F)
        else:
            def step(n, ev, M, S, F):
                return K.metropolis_block(phi, nbr, hop, a2, a4, width, n, ev, rng, M, S, F)
        if burn_in:
            step(burn_in, 1, np.empty(burn_in), np.empty(burn_in), no_fields)
        Ms, Ss = np.empty(blocks * size), np.empty(blocks * size)
        phik2 = np.empty((blocks, V)) if two_point else None
        accepted = 0
        fields = np.empty((size, V)) if two_point else no_fields
        for b in range(blocks):
            sl = slice(b * size, (b + 1) * size)
            accepted += step(size, every, Ms[sl], Ss[sl], fields)
            if two_point:
                phik2[b] = np.mean(np.abs(lattice.fourier(fields)) ** 2, axis=0)
        return Ms, Ss, phik2, accepted

    if threads > 1 and chains > 1:
        with ThreadPoolExecutor(max_workers=min(threads, chains)) as pool:
            outs = list(pool.map(run_chain, range(chains)))
    else:
        outs = [run_chain(c) for c in range(chains)]
    M = np.stack([o[0] for o in outs])
    S = np.stack([o[1] for o in outs])

    def per_block(x):
        return x.reshape(chains * blocks, size).mean(axis=1)

    block_table = {"abs_M": per_block(np.abs(M)), "M2": per_block(M ** 2), "M": per_block(M),
                   "S": per_block(S), "M4": per_block(M ** 4)}
    if two_point:
        block_table["phik2"] = np.concatenate([o[2] for o in outs])
    attempts = blocks * size * every * (V if algorithm == "metropolis" else 1)
    settings = dict(algorithm=algorithm, measurements=blocks * size, every=every, burn_in=burn_in,
                    chains=chains, blocks=blocks, seed=seed, step_size=step_size, n_leapfrog=n_leapfrog, jitter=jitter,
                    width=width, coefficients=(hop, a2, a4))
    return Phi4Result(lattice, theory, settings, block_table, {"M": M, "S": S}, [o[3] for o in outs], attempts)


def measured_mass_shift(result):
    """Shift of ``m²`` measured from the inverse propagator: the inverse-variance weighted mean over
    momenta of ``1/(c⟨φ̃(k)φ̃(−k)⟩) − (m² + k̂²)`` (``c`` the field normalisation; weights
    ``(m² + k̂²)^{-2}`` since the relative error of ``⟨|φ̃(k)|²⟩`` is about the same at every k), with
    its jackknife error. At small λ it equals the one-loop tadpole
    :meth:`ScalarFieldTheory.one_loop_mass_shift`."""
    theory, lattice = result.theory, result.lattice
    if "phik2" not in result.blocks:
        raise ParameterError("this run did not measure the two-point function (two_point=False)")
    free = ScalarFieldTheory(theory.d, m2=theory.m2, lam=0, convention=theory.convention)
    c = float(free.field_normalisation())
    k2 = theory.m2 + lattice.khat2()
    if np.any(k2 <= 0):
        raise ParameterError("the mass shift is defined here about a positive m2 (symmetric phase)")
    w = k2 ** -2 / np.sum(k2 ** -2)
    return Estimate(*jackknife(result.blocks["phik2"], lambda g: float(np.sum(w * (1.0 / (c * g) - k2)))))
