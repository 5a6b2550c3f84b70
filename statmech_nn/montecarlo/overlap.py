"""The overlap distribution ``P(q)`` of the SK model from parallel tempering with two real replicas.

For each disorder sample two replicas run a parallel-tempering ladder each (Hukushima & Nemoto 1996;
the sweeps and exchanges of :mod:`statmech_nn.montecarlo.kernels`); after every sweep the overlap
``q = (1/N) Σ_i σ_i¹ σ_i²`` of the two replicas at each temperature of the ladder goes into an exact
histogram (``N q`` takes the ``N + 1`` values ``−N, −N + 2, …, N``) and into block sums of ``|q|``,
``q²``, ``q⁴`` and the energy. ``P(q)`` and the moments are then averaged over disorder with
disorder error bars (the spread of the per-sample values), for several ``N`` at once: the
finite-size trend towards Parisi's ``P(q) = dx/dq`` (:mod:`statmech_nn.solve.parisi`).

Equilibration: for SK with ``J0 = h = 0`` the disorder-averaged energy obeys
``u = −(β/2)(1 − [⟨q²⟩])`` exactly at any ``N`` (Gaussian integration by parts; Katzgraber, Palassini
& Young, PRB 63, 184422 (2001)); its residual is reported per size (``sk_identity``) and vanishes
within errors in equilibrium (too high an energy and too low an overlap out of it).

The kernel takes plain arrays (no SymPy); the samples are the same disorder samples as
:func:`statmech_nn.monte_carlo` with the same ``seed``.

References
----------
G. Parisi, PRL 50, 1946 (1983) (``P(q)`` and ``x(q)``); K. Hukushima and K. Nemoto, J. Phys. Soc. Jpn.
65, 1604 (1996); H. G. Katzgraber, M. Palassini and A. P. Young, PRB 63, 184422 (2001).
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field

import numba
import numpy as np

from ..errors import ParameterError
from . import kernels as K

__all__ = ["overlap_distribution", "OverlapResult", "OverlapSize", "run_overlap_pt", "OBSERVABLES"]

_jit = numba.njit(cache=True, nogil=True)

#: the block sums the kernel keeps per temperature slot: |q|, q², q⁴, energy per spin
OBSERVABLES = ("abs_q", "q2", "q4", "energy")

#: blocks per sample (per-sample thermal errors from the block means)
BLOCKS = 32

#: single-spin dynamics of the sweeps
K_DYNAMICS = ("metropolis", "heat-bath")


@_jit
def run_overlap_pt(Jmat, local, spins, betas, h, rule, n_sweeps, rng, swaps, counts, blocks):
    """Advance two replicas × ``B`` temperature slots of a dense-coupling system (SK) by ``n_sweeps``
    sweeps with replica exchange after each, accumulating the overlap of the two replicas at every
    slot.

    Parameters
    ----------
    Jmat : (N, N) float64
        Symmetric couplings, zero diagonal.
    local : (2B, N) float64
        Local fields ``Σ_j J_ij σ_j`` of each chain (updated in place).
    spins : (2B, N) int8
        Chain ``r B + b`` is replica ``r`` at slot ``b`` (updated in place).
    betas : (B,) float64
        Inverse temperatures of the slots (finite).
    h : float
    rule : int
        ``kernels.METROPOLIS`` or ``kernels.HEAT_BATH``.
    n_sweeps : int
    rng : (2B + 1, 4) uint64
        xoshiro256** states, the last row for the exchanges.
    swaps : (B − 1, 2) int64
        Accepted and attempted exchanges (added to).
    counts : (B, N + 1) int64
        Histogram of ``N q`` (index ``(Nq + N)/2``) per slot, added to; no recording when it has no
        rows (burn-in).
    blocks : (n_blocks, B, 4) float64
        Sums of ``|q|``, ``q²``, ``q⁴`` and the energy per spin (mean of the two replicas) over the
        sweeps of each block (``n_sweeps`` split into ``n_blocks`` equal blocks), added to.
    """
    C, N = spins.shape
    B = betas.shape[0]
    record = counts.shape[0] > 0
    n_blocks = blocks.shape[0]
    per_block = n_sweeps // n_blocks if n_blocks > 0 else 0
    E = np.empty(C)
    swapped = np.zeros(C, np.bool_)
    for t in range(n_sweeps):
        for c in range(C):
            K._dense_sweep(Jmat, local[c], spins[c], betas[c % B], h, rule, rng[c])
        for c in range(C):
            E[c] = K.dense_energy(spins[c], local[c], h)
        if B > 1:
            K._replica_exchange(betas, E, 2, rng[C], swaps, swapped)
            for lo in range(C - 1):
                if swapped[lo]:
                    K._swap_rows(spins, lo, lo + 1)
                    K._swap_rows(local, lo, lo + 1)
        if record:
            k = min(t // per_block, n_blocks - 1)
            for b in range(B):
                s = 0
                for i in range(N):
                    s += spins[b, i] * spins[B + b, i]
                counts[b, (s + N) // 2] += 1
                q = s / N
                q2 = q * q
                blocks[k, b, 0] += abs(q)
                blocks[k, b, 1] += q2
                blocks[k, b, 2] += q2 * q2
                blocks[k, b, 3] += (E[b] + E[B + b]) / (2.0 * N)


def warm_up():
    """Compile (or load from numba's cache) :func:`run_overlap_pt` in the calling process."""
    J = np.zeros((2, 2))
    spins = np.ones((2, 2), np.int8)
    run_overlap_pt(J, np.zeros((2, 2)), spins, np.ones(1), 0.0, K.METROPOLIS, 1, np.ones((3, 4), np.uint64),
                   np.zeros((0, 2), np.int64), np.zeros((1, 3), np.int64), np.zeros((1, 1, 4)))


def run_overlap_task(task):
    """One disorder sample: the task dict of :func:`statmech_nn.montecarlo.api.monte_carlo` (model
    ``sk``, two replicas, a tempering ladder). Returns ``{"counts": (B, N+1), "blocks": (n_blocks, B, 4)
    block means, "swaps": (B−1, 2)}`` as lists."""
    from .runner import _chain_streams
    from .systems import build_system
    N, params = task["N"], task["params"]
    temps = [params["T"]] + list(task["tempering"])
    betas = np.array([1.0 / t for t in temps])
    B = betas.size
    C = 2 * B
    disorder_ss, chain_ss, init_ss = np.random.SeedSequence(task["seed"], spawn_key=(task["sample"],)).spawn(3)
    system = build_system(task["model"], task["options"], N, params, np.random.default_rng(disorder_ss),
                          task["init"], task["dynamics"])
    rng = _chain_streams(chain_ss, C + 1)
    if system.init is None:
        spins = np.where(np.random.default_rng(init_ss).random((C, N)) < 0.5, -1, 1).astype(np.int8)
    else:
        spins = np.tile(system.init, (C, 1))
    Jmat = system.arrays["J"]
    local = spins.astype(float) @ Jmat
    h = float(system.scalars["h"])
    rule = K.HEAT_BATH if task["dynamics"] == "heat-bath" else K.METROPOLIS
    swaps = np.zeros((max(B - 1, 0), 2), np.int64)
    run_overlap_pt(Jmat, local, spins, betas, h, rule, task["burn_in"], rng, np.zeros_like(swaps),
                   np.zeros((0, N + 1), np.int64), np.zeros((0, B, 4)))
    n = task["sweeps"]
    n_blocks = min(BLOCKS, n)
    counts, blocks = np.zeros((B, N + 1), np.int64), np.zeros((n_blocks, B, 4))
    run_overlap_pt(Jmat, local, spins, betas, h, rule, n, rng, swaps, counts, blocks)
    sizes = np.full(n_blocks, n // n_blocks)
    sizes[-1] += n - sizes.sum()
    return {"counts": counts.tolist(), "blocks": (blocks / sizes[:, None, None]).tolist(),
            "swaps": swaps.tolist()}


@dataclass
class OverlapSize:
    """``P(q)`` and overlap moments of one system size at every temperature of the ladder.

    Attributes
    ----------
    N : int
    temperatures : numpy.ndarray
        The ladder; index 0 is the requested ``T``.
    q : numpy.ndarray
        The ``N + 1`` overlap values ``−1, −1 + 2/N, …, 1``.
    density, density_err : numpy.ndarray
        ``(B, N + 1)``: disorder-averaged ``P(q)`` per unit ``q`` (each value carries ``N/2`` times its
        probability) and its standard error over the samples.
    sample_density : numpy.ndarray
        ``(S, B, N + 1)`` per-sample densities.
    observables : dict
        Name -> list (one per temperature) of :class:`~statmech_nn.montecarlo.api.Observable`:
        ``abs_q`` (``[⟨|q|⟩]``), ``q2``, ``q4``, ``energy`` (per spin), ``binder``
        (``(3 − [⟨q⁴⟩]/[⟨q²⟩]²)/2``, its error by jackknife over samples) and, at ``J0 = h = 0``,
        ``sk_identity`` (``u + (β/2)(1 − ⟨q²⟩)`` per sample: zero in equilibrium).
    swap_rates : list of float
        Replica-exchange acceptance between neighbouring temperatures.
    """

    N: int
    temperatures: np.ndarray
    q: np.ndarray
    density: np.ndarray
    density_err: np.ndarray
    sample_density: np.ndarray
    observables: dict
    swap_rates: list = field(default_factory=list)

    def __getitem__(self, name):
        """The observable ``name`` at the requested temperature (slot 0)."""
        try:
            return self.observables[name][0]
        except KeyError:
            raise KeyError(f"no observable {name!r}; have {', '.join(self.observables)}") from None

    def weight(self, lo, hi, slot=0):
        """``[P(lo ≤ |q| ≤ hi)]`` and its disorder error (e.g. the weight of the ``q_EA`` peaks)."""
        sel = (np.abs(self.q) >= lo - 1e-12) & (np.abs(self.q) <= hi + 1e-12)
        per_sample = self.sample_density[:, slot][:, sel].sum(axis=1) * 2.0 / self.N
        S = per_sample.size
        return float(per_sample.mean()), float(per_sample.std(ddof=1) / math.sqrt(S)) if S > 1 else math.nan


class OverlapResult:
    """:func:`overlap_distribution` over several sizes: ``result[N]`` is an :class:`OverlapSize`.

    Attributes
    ----------
    sizes : list of int
    parameters : dict
        Validated model parameters (temperature ``T``).
    settings : dict
        samples, sweeps, burn_in, seed, dynamics, temperatures.
    """

    def __init__(self, sizes, parameters, settings, per_size):
        self.sizes = list(sizes)
        self.parameters = dict(parameters)
        self.settings = dict(settings)
        self._per_size = dict(zip(self.sizes, per_size))

    def __getitem__(self, N):
        try:
            return self._per_size[N]
        except KeyError:
            raise KeyError(f"no size N = {N!r}; have {self.sizes}") from None

    def trend(self, name, slot=0):
        """``(N, mean, stderr)`` arrays of observable ``name`` over the sizes (the finite-size trend)."""
        obs = [self._per_size[n].observables[name][slot] for n in self.sizes]
        return (np.array(self.sizes), np.array([o.mean for o in obs]), np.array([o.stderr for o in obs]))

    def __repr__(self):
        rows = ", ".join(f"N={n}: q2={self[n]['q2']!r}" for n in self.sizes)
        return f"<OverlapResult sk T={self.parameters['T']:g}: {rows}>"


def _reduce(N, temps, results, beta_h_zero):
    """Disorder averages of one size from its per-sample results."""
    from .api import Observable
    from .jackknife import jackknife
    from .runner import binning, combine_samples
    counts = np.array([r["counts"] for r in results], dtype=float)          # (S, B, N+1)
    blocks = np.array([r["blocks"] for r in results])                       # (S, n_blocks, B, 4)
    S, B = counts.shape[0], counts.shape[1]
    dens = counts / counts.sum(axis=2, keepdims=True) * (N / 2.0)
    err = dens.std(axis=0, ddof=1) / math.sqrt(S) if S > 1 else np.full(dens.shape[1:], math.nan)
    observables = {}
    betas = 1.0 / np.asarray(temps)
    series = {name: blocks[:, :, :, k] for k, name in enumerate(OBSERVABLES)}
    if beta_h_zero:
        series["sk_identity"] = series["energy"] + betas[None, None, :] / 2 * (1.0 - series["q2"])
    for name, arr in series.items():
        per_slot = []
        for b in range(B):
            stats = np.array([binning(arr[s, :, b]) for s in range(S)])
            mean, stderr = combine_samples(stats[:, 0], stats[:, 1])
            per_slot.append(Observable(mean, stderr, stats[:, 2].mean(), stats[:, 0], stats[:, 1]))
        observables[name] = per_slot
    binder = []
    for b in range(B):
        # per-sample (q², q⁴): the jackknife over disorder samples of (3 − [⟨q⁴⟩]/[⟨q²⟩]²)/2
        rows = blocks[:, :, b, 1:3].mean(axis=1)
        ratio = lambda m: 0.5 * (3.0 - m[1] / m[0] ** 2)
        value, stderr = jackknife(rows, ratio) if S > 1 else (ratio(rows[0]), math.nan)
        binder.append(Observable(value, stderr, math.nan, np.array([value]), np.array([stderr])))
    observables["binder"] = binder
    swaps = np.sum([np.asarray(r["swaps"], float).reshape(-1, 2) for r in results], axis=0)
    rates = [float(a / t) if t else math.nan for a, t in swaps]
    return OverlapSize(N, np.asarray(temps), np.arange(-N, N + 1, 2) / N, dens.mean(axis=0), err, dens,
                       observables, rates)


def overlap_distribution(model, N, T, samples=32, sweeps=4096, temperatures=None, burn_in=None, seed=0,
                         executor=None, progress=None, dynamics="metropolis", **params):
    """The overlap distribution ``P(q)`` of the SK model by parallel tempering with two real replicas.

    Parameters
    ----------
    model : Model or str
        ``"sk"`` (Ising units), couplings ``J_ij ~ N(J0/N, 1/N)`` (the registry's sampler).
    N : int or sequence of int
        System size(s); several give the finite-size trend (:meth:`OverlapResult.trend`).
    T : float
        Temperature measured (``> 0``).
    samples : int
        Disorder samples per size.
    sweeps, burn_in : int
        Measurement sweeps per sample (``>= 32``; 32 blocks give the per-sample errors) after
        ``burn_in`` (default ``sweeps // 4``).
    temperatures : sequence of float, optional
        The tempering ladder above ``T`` (finite, ``> T``; ``[]``: no tempering); default 10
        temperatures geometrically spaced above ``T`` up to ``max(1.6, 1.2 T)`` (the paramagnet above
        ``T_c = 1`` decorrelates the replicas).
    seed : int
        Root seed; sample ``s`` of size ``N`` has the disorder of ``monte_carlo(..., seed=seed)``'s sample
        ``s`` at that ``N``.
    executor, progress
        As in :func:`statmech_nn.monte_carlo`.
    dynamics : {"metropolis", "heat-bath"}
    **params
        ``J0``, ``h`` (default 0).

    Returns
    -------
    OverlapResult

    Raises
    ------
    ParameterError
        A model other than SK with Ising units, ``T <= 0``, a ladder not above ``T``, ``sweeps < 32`` and
        the checks of :func:`statmech_nn.monte_carlo` (``N >= 2``, ``samples >= 1``, ...).

    References
    ----------
    G. Parisi, PRL 50, 1946 (1983); Hukushima & Nemoto, J. Phys. Soc. Jpn. 65, 1604 (1996);
    Katzgraber, Palassini & Young, PRB 63, 184422 (2001).

    Examples
    --------
    >>> from statmech_nn.montecarlo import overlap_distribution
    >>> res = overlap_distribution("sk", N=[16, 32], T=0.5, samples=4, sweeps=256, seed=1)
    >>> p = res[32]
    >>> bool(abs(p.density[0].sum() * 2 / 32 - 1) < 1e-12)    # normalised per unit q
    True
    >>> 0.2 < p["q2"].mean < 0.6
    True
    """
    from ..parallel import run_resumable
    from .api import _resolve_model, _tasks
    model = _resolve_model(model)
    if model.name != "sk" or dict(model.options).get("units", "ising") != "ising":
        raise ParameterError(f"overlap_distribution needs the SK model with Ising units (dense Gaussian "
                             f"couplings); got {model.name!r} with options {dict(model.options)}")
    if isinstance(sweeps, bool) or not isinstance(sweeps, numbers.Integral) or sweeps < BLOCKS:
        raise ParameterError(f"sweeps must be an integer >= {BLOCKS} (the per-sample errors come from "
                             f"{BLOCKS} blocks), got {sweeps!r}")
    if dynamics not in K_DYNAMICS:
        raise ParameterError(f"dynamics must be one of {', '.join(K_DYNAMICS)}, got {dynamics!r}")
    T = float(T)
    if not (math.isfinite(T) and T > 0):
        raise ParameterError(f"T must be > 0 (parallel tempering samples finite temperatures), got {T!r}")
    if temperatures is None:
        top = max(1.6, 1.2 * T)
        temperatures = list(T * (top / T) ** (np.arange(1, 11) / 10))
    sizes = [N] if isinstance(N, numbers.Integral) and not isinstance(N, bool) else list(N)
    if not sizes:
        raise ParameterError("N must be an integer >= 2 or a non-empty list of them")
    all_tasks, meta = [], []
    for n in sizes:
        n_ok, settings, parameters, tasks = _tasks(model, n, [dict(params, T=T)], samples, sweeps, burn_in,
                                                   seed, dynamics, 2, temperatures, "random")
        meta.append((n_ok, len(all_tasks), len(tasks)))
        all_tasks += tasks
    warm_up()
    results = run_resumable(run_overlap_task, all_tasks, None, executor, progress, f"P(q) sk T={T:g}")
    temps = [T] + list(settings["tempering"])
    zero = parameters[0].get("J0", 0.0) == 0.0 and parameters[0].get("h", 0.0) == 0.0
    per_size = [_reduce(n, temps, results[start:start + count], zero) for n, start, count in meta]
    settings = {k: settings[k] for k in ("samples", "sweeps", "burn_in", "seed", "dynamics")}
    settings["temperatures"] = temps
    return OverlapResult([m[0] for m in meta], parameters[0], settings, per_size)

