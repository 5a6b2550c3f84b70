"""Samplers of the registered models: quenched disorder drawn from a ``numpy.random.Generator``,
plain arrays for the kernels of :mod:`statmech_nn.montecarlo.kernels`.

A model is looked up by its registry name (SymPy-stats style: the numeric sampler lives apart from the
symbolic model). Each builder reproduces *exactly* the Hamiltonian of the model file:

- ``curie-weiss``: ``H = −(J/2N) Σ_{i,j} σ_i σ_j − h Σ_i σ_i`` (the ``i = j`` terms included, as in
  :class:`~statmech_nn.symbolic.interactions.UniformCouplings`): a pattern system with one pattern of
  ones and coupling scale ``J``.
- ``sk``: ``H = −Σ_{i<j} J_ij σ_i σ_j − h Σ_i σ_i``, ``J_ij ~ N(J0/N, 1/N)`` (``GaussianCouplings`` with
  ``J = 1``).
- ``hopfield``: ``H = −(1/2N) Σ_μ Σ_{i≠j} ξ_i^μ ξ_j^μ σ_i σ_j − h Σ_i σ_i`` with ``P = round(αN)`` random
  ``±1`` patterns (at least the ``K`` condensed ones) (``HebbianCouplings``); with diluted or biased
  patterns (option ``pattern``) the real-valued centred entries ``η`` (kind ``"centred"``, O(P) per
  flip through cached overlaps) and the overlaps ``(1/N) Σ_i η_i^μ σ_i`` of the condensed ones.
- ``rbm``: ``H = −(1/√N) Σ_iμ ξ_iμ σ_i τ_μ`` (+ ``Σ τ²/2`` for Gaussian hidden units), see
  :func:`build_rbm`.
- ``dense-hopfield``: ``H = −(1/(p N^{p−1})) Σ_μ Σ_{i1≠…≠ip} ξ^μ_{i1}…ξ^μ_{ip} σ_{i1}…σ_{ip} − h Σ_i σ_i``
  with ``P = round(α N^{p−1})`` patterns (``DenseHebbianCouplings``); ``p = 2`` is ``hopfield``.
- ``p-spin``: ``H = −Σ_{i1<…<ip} J_{i1…ip} σ_{i1}…σ_{ip} − h Σ_i σ_i``, ``J ~ N(J0 p!/(2N^{p−1}),
  p!/(2N^{p−1}))`` (``PBodyGaussianCouplings``): all ``C(N, p)`` couplings are stored, so modest ``N``
  only (``N = 64``, ``p = 3``: 41 664 couplings).
- ``dense-hebbian``: ``P = round(α N^{p−1})`` archetypes ``ξ^μ``, ``M`` examples ``η^{μ,a} = χ^{μ,a} ξ^μ``
  each (``P(χ = 1) = (1 + r)/2``, ``r = 1/√(1 + ρM)``) (``DenseHebbianExamples``). Supervised:
  ``H = −(1/(p N^{p−1})) Σ_μ Σ_{i1≠…≠ip} Π_k η̂^μ_{ik} σ_{ik}`` with real-valued ``η̂^μ = (1/(rM)) Σ_a η^{μ,a}``
  (kind ``"power-sum-patterns"``; ``M`` is a sampler option, default :data:`SUPERVISED_EXAMPLES`);
  unsupervised: ``H = −(1/(p N^{p−1} M r^p)) Σ_μ Σ_a Σ_{i1≠…≠ip} Π_k η^{μ,a}_{ik} σ_{ik}``, the ``P·M``
  example columns as ``±1`` patterns of the polynomial kernel. Observed: ``m = (1/N) Σ_i η̂^1_i σ_i``
  (unsupervised: the :attr:`System.readout` of the ``M`` example overlaps of archetype 1).

A model that is not registered, or a registry model with options its own sampler does not simulate
(:data:`REGISTRY_SIMULATES`), is simulated from its declaration under the task key :data:`DECLARED`
(:mod:`statmech_nn.montecarlo.declared`).

This module imports neither SymPy nor the symbolic layer; it receives the model's name, its structural
options, validated float parameters and the sampler options (:data:`SAMPLER_OPTIONS`: choices of the
finite system that are not parameters of the model, e.g. the supervised learner's number of examples).
"""
from __future__ import annotations

import math
import numbers
import os
from dataclasses import dataclass, field

import numpy as np

from ..errors import ParameterError, ResourceError

__all__ = ["System", "build_system", "SAMPLERS", "SAMPLER_OPTIONS", "DYNAMICS", "DECLARED", "sampler_names",
           "check_sampler_point", "registry_simulates"]

#: single-spin dynamics of every model; "rbm" (block Gibbs on the equivalent RBM) for Hopfield only
DYNAMICS = ("metropolis", "heat-bath")


@dataclass
class System:
    """One disorder sample, ready for a kernel.

    Attributes
    ----------
    kind : {"patterns", "poly-patterns", "power-sum-patterns", "tuples", "dense", "rbm", "centred", "declared"}
    N : int
    arrays : dict
        ``xi`` (N, P) int8 for pattern and RBM systems; ``J`` (N, N) float64 for dense ones; ``eta``
        (N, P) float64 for centred and power-sum ones; ``coef`` (ascending coefficients of the energy
        per pattern) for polynomial pattern systems; ``tuples`` (T, p) int32, ``J`` (T,), ``start``
        (N + 1,) and ``members`` for p-body systems; ``J`` (N, N) and ``readout`` (K, N) float64 for
        declared ones (:mod:`statmech_nn.montecarlo.declared`).
    scalars : dict
        ``J`` (coupling scale), ``p``, ``h``, ``shift`` (constant energy) as the kernel takes them;
        ``scale`` (the factor of ``Σ_μ e_p``) for power-sum systems; ``h`` and ``units`` for declared ones.
    observed : list of str
        Names of the observed overlaps (``m`` or ``m_1, m_2, ...``; the magnetisation for SK).
    init : numpy.ndarray
        (N,) int8 start configuration, or None for a random one per chain (declared systems: the
        float64 direction of the start, see :func:`statmech_nn.montecarlo.declared.build`).
    info : dict
        Facts to report (e.g. the number of patterns ``P``).
    readout : numpy.ndarray, optional
        (len(observed), K) matrix: the observed overlaps are ``readout @`` the overlaps ``M_μ / N`` of
        the first ``K`` patterns (e.g. an average over the examples of one archetype). None: the
        first ``len(observed)`` overlaps themselves.
    """

    kind: str
    N: int
    arrays: dict
    scalars: dict
    observed: list
    init: np.ndarray = None
    info: dict = field(default_factory=dict)
    readout: np.ndarray = None

    @property
    def recorded(self):
        """How many leading pattern overlaps the kernel records."""
        return len(self.observed) if self.readout is None else self.readout.shape[1]


def _random_patterns(rng, N, P):
    return np.where(rng.random((N, P)) < 0.5, -1, 1).astype(np.int8)


def _condensed_start(xi, K):
    """The retrieval (K = 1) or symmetric mixture (K = 3: sign of the sum) start; K = 2: pattern 1
    where the two agree and where they differ half each (the symmetric 2-mixture of AGS)."""
    s = xi[:, :K].sum(axis=1)
    start = np.sign(s).astype(np.int8)
    ties = start == 0
    start[ties] = xi[ties, 0]
    if K == 2:
        idx = np.flatnonzero(ties)
        start[idx[1::2]] = -xi[idx[1::2], 0]
    return start


#: pattern models: name -> (exponent k of P = α N^k, smallest P) from the options
_LOADS = {
    "hopfield": lambda o: (1, o.get("patterns", 1)),
    "multitasking-hebbian": lambda o: (1, o.get("patterns", 2)),
    "rbm": lambda o: (1, 1),
    "dense-hopfield": lambda o: (o.get("p", 3) - 1, 1),
    "dense-hebbian": lambda o: (o.get("p", 4) - 1, 1),
}

#: largest relative change of the load α that rounding ``P = round(α N^k)`` may cause
LOAD_TOLERANCE = 0.01


def pattern_count(name, options, N, params):
    """The number of stored patterns ``P = max(P_min, round(α N^k))`` of a pattern model (None for
    the others); ``α = 0`` (or no load parameter) means ``P_min`` patterns: the condensed ones."""
    if name not in _LOADS:
        return None
    k, smallest = _LOADS[name](options)
    return max(smallest, int(round(params.get("alpha", 0.0) * float(N) ** k)))


def check_load(name, options, N, params):
    """Raise ParameterError when ``P = round(α N^k)`` changes the load ``α > 0`` by more than
    :data:`LOAD_TOLERANCE` (1 %): the sample would simulate another model than the theory it is
    compared with. ``α = 0`` (a finite number of patterns) is always accepted."""
    alpha = float(params.get("alpha", 0.0))
    P = pattern_count(name, options, N, params)
    if P is None or alpha == 0:
        return
    k = _LOADS[name](options)[0]
    effective = P / float(N) ** k

    def off(n):
        return abs(pattern_count(name, options, n, params) / float(n) ** k - alpha) > LOAD_TOLERANCE * alpha

    if not off(N):
        return
    size = "N" if k == 1 else f"N^{k}"
    better = next((n for n in range(N + 1, N + 100_000) if not off(n)), None)
    hint = f"; the nearest larger size that keeps it is N = {better}" if better else ""
    raise ParameterError(
        f"alpha = {alpha:g} at N = {N} gives P = round(alpha {size}) = {P} pattern(s), i.e. alpha = "
        f"{effective:.6g} ({100 * (effective - alpha) / alpha:+.1f} %): Monte Carlo refuses a load "
        f"that rounding moves by more than {100 * LOAD_TOLERANCE:g} % (the theory it is compared with "
        f"is at alpha = {alpha:g}); choose N so that alpha {size} is close to a whole number{hint}")


#: options a sampler simulates (models whose sampler covers only some of their options)
SAMPLED_OPTIONS = {
    "sk": {"units": ("ising",)},
    "p-spin": {"spins": ("ising",)},
    "rbm": {"visible": ("ising",), "weights": ("ising",)},
}


def check_options(name, options):
    """Raise ParameterError when the sampler of ``name`` does not simulate these structural options
    (e.g. spherical SK spins: the kernels flip ±1 spins)."""
    for key, allowed in SAMPLED_OPTIONS.get(name, {}).items():
        value = options.get(key, allowed[0])
        if value not in allowed:
            raise ParameterError(f"Monte Carlo of model {name!r} simulates {key}="
                                 f"{' or '.join(map(repr, allowed))} only (its kernels flip ±1 spins"
                                 f"{' with ±1 weights' if name == 'rbm' else ''}); got {key}={value!r}")


def sample_bytes(name, options, N, params, chains, sweeps, observed=1):
    """An upper estimate of the memory (bytes) one disorder sample takes while it is drawn and run:
    the disorder (patterns or couplings) with the temporaries that draw it, the cached overlaps
    of ``chains`` chains, and the measured time series of ``sweeps`` sweeps."""
    P = pattern_count(name, options, N, params)
    count = math.comb(N, options.get("p", 3)) if name == "p-spin" else 0
    if name == DECLARED:      # the dense couplings and patterns of a declared model (see declared.py)
        hebbian = [t for t in options["terms"] if t["kind"] == "hebbian"]
        P = sum(max(int(t["condensed"]), int(round(_declared_value(t["load"], params) * N))) for t in hebbian)
        return 8.0 * sweeps * (chains * (3 + observed) + 1) + chains * N * 16.0 \
            + 8.0 * N * N * (2 if hebbian else 1) + 16.0 * N * P
    N = float(N)
    series = 8.0 * sweeps * (chains * (3 + observed) + 1)
    spins = chains * N * 9.0                    # int8 spins and a float copy
    if name == "sk" or (name == "p-spin" and options.get("p", 3) == 2):
        disorder = 28.0 * N * N                 # couplings, their transpose, triu indices, normals
    elif name == "p-spin":
        disorder = (20.0 * options.get("p", 3) + 8.0) * float(count)
    elif name == "curie-weiss":
        disorder = 2.0 * N
    elif name == "dense-hebbian":
        M = params.get("M", SUPERVISED_EXAMPLES) if options.get("setting") == "unsupervised" else 1
        disorder = 26.0 * N * P * M
    elif name == "hopfield" and options.get("pattern", "binary") != "binary" \
            or name == "multitasking-hebbian":
        disorder = 34.0 * N * P                 # uniforms, nested where, int8 and float64 entries
    else:
        disorder = 18.0 * N * P                 # uniforms, the comparison, int64 where, int8 patterns
    overlaps = 8.0 * chains * (P or 1)
    return series + spins + disorder + overlaps


def _declared_value(ref, params):
    return float(params[ref]) if isinstance(ref, str) else float(ref)


def memory_limit():
    """Half of this machine's physical memory (8 GiB where it cannot be read)."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2
    except (ValueError, OSError, AttributeError):
        return 8 * 2**30


def check_memory(name, options, N, params, chains, sweeps, observed=1):
    """Raise ResourceError (before anything is drawn) when one sample would take more than
    :func:`memory_limit`, with the estimated size."""
    need = sample_bytes(name, options, N, params, chains, sweeps, observed)
    limit = memory_limit()
    if need > limit:
        P = pattern_count(name, options, N, params)
        what = f"N = {N}" + (f", P = {P} patterns" if P is not None else "") + f", {chains} chain(s), " \
            f"{sweeps} sweeps"
        raise ResourceError(f"Monte Carlo of model {name!r} at {what} would need about {need / 2**30:.3g} GiB "
                            f"per disorder sample, more than half of this machine's memory "
                            f"({limit / 2**30:.3g} GiB): use a smaller N" + (", alpha" if P is not None else "")
                            + " or fewer sweeps")


def build_curie_weiss(options, N, params, rng, init):
    xi = np.ones((N, 1), np.int8)
    start = None if init == "random" else np.ones(N, np.int8)
    return System("patterns", N, {"xi": xi}, {"J": params["J"], "p": 2, "h": params["h"], "shift": 0.0},
                  ["m"], start, {"P": 1})


def build_sk(options, N, params, rng, init):
    # J_ij ~ N(J0/N, 1/N) for i < j, symmetric, zero diagonal
    upper = np.triu_indices(N, k=1)
    couplings = np.zeros((N, N))
    couplings[upper] = params["J0"] / N + rng.standard_normal(upper[0].size) / math.sqrt(N)
    couplings += couplings.T
    start = np.ones(N, np.int8) if init == "pattern" else None
    return System("dense", N, {"J": couplings}, {"h": params["h"]}, ["m"], start, {})


def _hopfield_entries(kind, rng, N, P, params):
    """Pattern entries ``ξ`` and the centred entries ``η`` of the learning rule (see
    :mod:`statmech_nn.models.hopfield`): diluted ``P(0) = d``, biased ``P(±1) = (1 ± a)/2``,
    ``η = ξ − a``."""
    u = rng.random((N, P))
    if kind == "diluted":
        d = params["d"]
        xi = np.where(u < d, 0, np.where(u < d + (1 - d) / 2, -1, 1)).astype(np.int8)
        return xi, xi.astype(np.float64)
    a = params["a"]
    xi = np.where(u < (1 + a) / 2, 1, -1).astype(np.int8)
    return xi, xi - a


def build_centred_hopfield(options, N, params, rng, init):
    """Diluted or biased patterns: ``H = −(1/2N) Σ_μ Σ_{i≠j} η_i^μ η_j^μ σ_i σ_j − h Σ_i σ_i`` with
    real-valued centred entries ``η`` (``eta``, ``(N, P)`` float64); the first ``K`` give the overlaps
    ``m_μ = (1/N) Σ_i η_i^μ σ_i``."""
    K = options.get("patterns", 1)
    P = pattern_count("hopfield", options, N, params)
    xi, eta = _hopfield_entries(options["pattern"], rng, N, P, params)
    eta = np.ascontiguousarray(eta, dtype=np.float64)
    start = None
    if init != "random":
        # the (mixture) state aligned with the condensed η; sites where they vanish or tie: random
        field_ = eta[:, :K].sum(axis=1)
        start = np.where(field_ > 0, 1, -1).astype(np.int8)
        ties = np.abs(field_) < 1e-12
        start[ties] = np.where(rng.random(int(ties.sum())) < 0.5, -1, 1)
    names = ["m"] if K == 1 else [f"m_{mu}" for mu in range(1, K + 1)]
    # the i ≠ j exclusion: −(1/2N) Σ_μ [(Σ_i η σ)² − Σ_i η²], a constant Σ_iμ η² / 2N
    return System("centred", N, {"eta": eta}, {"h": params["h"], "shift": float(np.sum(eta**2)) / (2 * N)},
                  names, start, {"P": P, "alpha_effective": P / N})


def build_hopfield(options, N, params, rng, init):
    if options.get("pattern", "binary") != "binary":
        return build_centred_hopfield(options, N, params, rng, init)
    K = options.get("patterns", 1)
    P = pattern_count("hopfield", options, N, params)
    xi = _random_patterns(rng, N, P)
    start = None if init == "random" else _condensed_start(xi, K)
    names = ["m"] if K == 1 else [f"m_{mu}" for mu in range(1, K + 1)]
    # the i ≠ j exclusion: −(1/2N) Σ_μ [(Σ_i ξσ)² − N] = −(N/2) Σ_μ m_μ² + P/2
    return System("patterns", N, {"xi": xi}, {"J": 1.0, "p": 2, "h": params["h"], "shift": P / 2},
                  names, start, {"P": P, "alpha_effective": P / N})


def distinct_tuple_polynomial(p, N):
    """Ascending coefficients ``c_k`` with ``Σ_{i1≠…≠ip} Π_k x_{i_k} = Σ_k c_k M^k`` for ``x_i = ±1``,
    ``M = Σ_i x_i``: ``p! e_p`` by Newton's identities ``k e_k = Σ_{j=1}^k (−1)^{j−1} e_{k−j} P_j`` with
    power sums ``P_j = M`` (odd ``j``) and ``N`` (even ``j``)."""
    from numpy.polynomial import polynomial as poly
    e = [np.array([1.0])]
    for k in range(1, p + 1):
        acc = np.zeros(1)
        for j in range(1, k + 1):
            power_sum = np.array([0.0, 1.0]) if j % 2 else np.array([float(N)])
            acc = poly.polyadd(acc, (-1) ** (j - 1) * poly.polymul(e[k - j], power_sum))
        e.append(acc / k)
    return math.factorial(p) * e[p]


def build_p_spin(options, N, params, rng, init):
    p = options.get("p", 3)
    if p == 2:
        return build_sk({}, N, params, rng, init)
    from itertools import combinations
    count = math.comb(N, p)
    if count > 5_000_000:
        raise ParameterError(f"p-spin with p = {p} at N = {N} has {count} couplings; the sampler stores "
                             f"all of them: use N with C(N, p) <= 5e6")
    tuples = np.fromiter(combinations(range(N), p), dtype=np.dtype((np.int32, p)), count=count)
    scale = math.factorial(p) / (2.0 * N ** (p - 1))
    couplings = params["J0"] * scale + math.sqrt(scale) * rng.standard_normal(count)
    # per site, the couplings that contain it (CSR layout)
    members = np.argsort(tuples.ravel(), kind="stable") // p
    start = np.concatenate([[0], np.cumsum(np.bincount(tuples.ravel(), minlength=N))]).astype(np.int64)
    start_cfg = np.ones(N, np.int8) if init == "pattern" else None
    return System("tuples", N, {"tuples": tuples, "J": couplings, "start": start,
                                "members": members.astype(np.int64)},
                  {"h": params["h"]}, ["m"], start_cfg, {"couplings": count})


def build_dense_hopfield(options, N, params, rng, init):
    p = options.get("p", 3)
    if p == 2:
        return build_hopfield({"patterns": 1}, N, params, rng, init)
    P = pattern_count("dense-hopfield", options, N, params)
    xi = _random_patterns(rng, N, P)
    start = None if init == "random" else xi[:, 0].copy()
    # H = −(1/(p N^{p−1})) Σ_μ Σ_{i1≠…≠ip} Π ξσ − h Σσ: a polynomial in each M_μ (distinct sites)
    coef = -distinct_tuple_polynomial(p, N) / (p * float(N) ** (p - 1))
    return System("poly-patterns", N, {"xi": xi, "coef": coef}, {"h": params["h"], "shift": 0.0},
                  ["m"], start, {"P": P, "alpha_effective": P / N ** (p - 1)})


def build_rbm(options, N, params, rng, init):
    """``rbm``: ``H = −(1/√N) Σ_iμ ξ_iμ σ_i τ_μ`` (+ ``Σ_μ τ_μ²/2`` for Gaussian hidden units) with
    ``P = round(αN)`` random ``±1`` weight columns (:class:`~statmech_nn.models.rbm.RBM`). Gaussian
    hidden units: single-spin dynamics run on the exact marginal ``−(1/2N) Σ_μ (Σ_i ξ_iμ σ_i)²`` (the
    ``i = j`` terms included, so no shift), ``dynamics="rbm"`` samples the joint measure by block
    Gibbs. Binary ±1 hidden units: always block Gibbs (``run_rbm``; the marginal has no pattern
    kernel). Ising visible units and ±1 weights only (the kernels take ``int8`` patterns)."""
    hidden = options.get("hidden", "gaussian")
    if hidden == "ising" and params["T"] == 0:
        raise ParameterError("the rbm with ising hidden units is sampled by block Gibbs, which needs "
                             "T > 0")
    P = pattern_count("rbm", options, N, params)
    xi = _random_patterns(rng, N, P)
    start = None if init == "random" else xi[:, 0].copy()
    system = System("patterns", N, {"xi": xi}, {"J": 1.0, "p": 2, "h": 0.0, "shift": 0.0,
                                                 "hidden": hidden},
                    ["m"], start, {"P": P, "alpha_effective": P / N})
    if hidden == "ising":
        system.kind = "rbm"
    return system


def build_multitasking_hebbian(options, N, params, rng, init):
    """``multitasking-hebbian``: the diluted Hopfield sampler (:func:`build_centred_hopfield`) with
    ``P = max(K, round(αN))`` patterns (``α = 0`` at low load, so ``P = K``), all ``K`` observed. The
    ``"pattern"`` start is the hierarchical state: each neuron aligned with the first pattern that is
    non-zero on it (random where all ``K`` vanish)."""
    K = options.get("patterns", 2)
    system = build_centred_hopfield({"patterns": K, "pattern": "diluted"}, N,
                                    dict(params, alpha=params.get("alpha", 0.0)), rng, "random")
    if init != "random":
        eta = system.arrays["eta"][:, :K]
        first = np.argmax(eta != 0, axis=1)
        start = np.sign(eta[np.arange(N), first]).astype(np.int8)
        empty = start == 0
        start[empty] = np.where(rng.random(int(empty.sum())) < 0.5, -1, 1)
        system.init = start
    return system


#: examples per archetype of the supervised dense Hebbian sampler unless the sampler option ``M`` says
#: otherwise: the theory takes ``χ̄ = (1/(rM)) Σ_a χ^a`` Gaussian (large ``M`` at fixed ``ρ``); at
#: ``M = 100`` its skewness is ``−2r/√(M(1 − r²))`` (``−0.06`` at ``ρ = 0.1``)
SUPERVISED_EXAMPLES = 100

#: the largest pattern matrix (bytes) a dense Hebbian sample may store
MAX_PATTERN_BYTES = 2**28


def _dense_hebbian_size(options, N, params, M=None):
    """``(P, M, r)`` of a dense Hebbian sample; ParameterError for an invalid ``M`` or a pattern matrix
    over :data:`MAX_PATTERN_BYTES`."""
    p, setting = options.get("p", 4), options.get("setting", "supervised")
    if setting == "unsupervised":
        if M is not None:
            raise ParameterError("the unsupervised dense-hebbian model has M as a model parameter: pass "
                                 "M=... with the other parameters, not in sampler_options")
        M = params["M"]
        if M != round(M):
            raise ParameterError(f"M (examples per archetype) must be a whole number for Monte Carlo, "
                                 f"got {M:g}")
    elif M is None:
        M = SUPERVISED_EXAMPLES
    elif isinstance(M, bool) or not isinstance(M, numbers.Integral) or M < 1:
        raise ParameterError(f"sampler option M (examples per archetype, supervised setting) must be an "
                             f"integer >= 1, got {M!r}")
    M = int(M)
    quality_sq = 1.0 + params["rho"] * M             # 1/r², from ρ = (1 − r²)/(M r²)
    r = 1.0 / math.sqrt(quality_sq) if quality_sq > 0 else math.inf
    if not 0.0 < r <= 1.0:
        raise ParameterError(f"rho = {params['rho']:g} with M = {M} gives the example quality "
                             f"r = 1/sqrt(1 + rho M) = {r:g}, outside (0, 1]: use a smaller rho or M")
    P = pattern_count("dense-hebbian", options, N, params)
    columns, itemsize = (P, 8) if setting == "supervised" else (P * M, 1)
    size = N * columns * itemsize
    if size > MAX_PATTERN_BYTES:
        what = "N × P float64 entries" if setting == "supervised" else "N × P·M int8 entries"
        raise ParameterError(f"dense-hebbian ({setting}, p = {p}) at N = {N}, alpha = {params['alpha']:g}"
                             f" has P = {P} archetypes: its pattern matrix ({what}) would take "
                             f"{size / 2**20:.0f} MiB, over the sampler's {MAX_PATTERN_BYTES / 2**20:.0f} "
                             f"MiB: use a smaller N, alpha" + (" or M" if setting == "unsupervised" else ""))
    return P, M, r


def _archetype_blocks(N, P, width):
    """Column ranges of at most ``width`` archetypes (bounded temporaries while drawing)."""
    for lo in range(0, P, width):
        yield lo, min(P, lo + width)


def build_dense_hebbian(options, N, params, rng, init, M=None):
    """``dense-hebbian`` (see the module docstring): archetype 1 condensed; ``init="pattern"`` starts in
    the archetype ``ξ^1`` (never stored in the couplings, only its examples are).

    Supervised: ``η̂^μ_i = ξ^μ_i (2K − M)/(rM)`` with ``K ~ Binomial(M, (1 + r)/2)`` the number of
    examples with ``χ = +1`` (the law of ``Σ_a χ^a``), real entries for the power-sum kernel.
    Unsupervised: the example columns ``η^{μ,a}`` (``μ``-major, so the first ``M`` are archetype 1's)
    for the polynomial kernel with coefficients scaled by ``1/(M r^p)``; ``m`` reads out
    ``(1/(rM)) Σ_a (1/N) Σ_i η^{1,a}_i σ_i``.
    """
    p, setting = options.get("p", 4), options.get("setting", "supervised")
    P, M, r = _dense_hebbian_size(options, N, params, M)
    width = max(1, 2**22 // (N * (M if setting == "unsupervised" else 1)))
    info = {"P": P, "M": M, "r": r, "alpha_effective": P / N ** (p - 1)}
    archetype = None
    if setting == "supervised":
        eta = np.empty((N, P))
        for lo, hi in _archetype_blocks(N, P, width):
            xi = _random_patterns(rng, N, hi - lo)
            archetype = xi[:, 0].copy() if archetype is None else archetype
            eta[:, lo:hi] = xi * ((2.0 * rng.binomial(M, (1.0 + r) / 2, (N, hi - lo)) - M) / (r * M))
        start = None if init == "random" else archetype
        # H = −(1/(p N^{p−1})) Σ_μ p! e_p(η̂^μ σ)
        scale = -math.factorial(p) / (p * float(N) ** (p - 1))
        return System("power-sum-patterns", N, {"eta": eta}, {"p": p, "scale": scale, "h": 0.0, "shift": 0.0},
                      ["m"], start, info)
    examples = np.empty((N, P * M), np.int8)
    for lo, hi in _archetype_blocks(N, P, width):
        xi = _random_patterns(rng, N, hi - lo)
        archetype = xi[:, 0].copy() if archetype is None else archetype
        chi = np.where(rng.random((N, hi - lo, M)) < (1.0 + r) / 2, 1, -1).astype(np.int8)
        examples[:, lo * M:hi * M] = (chi * xi[:, :, None]).reshape(N, -1)
    start = None if init == "random" else archetype
    coef = -distinct_tuple_polynomial(p, N) / (p * float(N) ** (p - 1) * M * r**p)
    return System("poly-patterns", N, {"xi": examples, "coef": coef}, {"h": 0.0, "shift": 0.0}, ["m"],
                  start, info, readout=np.full((1, M), 1.0 / (r * M)))


#: model registry name -> (builder, dynamics it supports, default start)
SAMPLERS = {
    "curie-weiss": (build_curie_weiss, DYNAMICS, "pattern"),
    "sk": (build_sk, DYNAMICS, "random"),
    "hopfield": (build_hopfield, DYNAMICS + ("rbm",), "pattern"),
    "p-spin": (build_p_spin, DYNAMICS, "pattern"),
    "dense-hopfield": (build_dense_hopfield, DYNAMICS, "pattern"),
    "rbm": (build_rbm, DYNAMICS + ("rbm",), "pattern"),
    "multitasking-hebbian": (build_multitasking_hebbian, DYNAMICS, "pattern"),
    "dense-hebbian": (build_dense_hebbian, DYNAMICS, "pattern"),
}

#: the task key of a model simulated from its declaration (:mod:`statmech_nn.montecarlo.declared`):
#: its options are the declaration's plain description (``DeclaredModel.sampler_spec``)
DECLARED = "declared"


def build_declared(spec, N, params, rng, init):
    from .declared import build
    return build(spec, N, params, rng, init)


SAMPLERS[DECLARED] = (build_declared, DYNAMICS, "pattern")

#: structural options a registry sampler simulates, where it does not simulate every value: other
#: values (e.g. ``sk`` with spherical units) are simulated from the model's declaration
REGISTRY_SIMULATES = {"sk": {"units": ("ising",)}, "p-spin": {"spins": ("ising",)}}


def registry_simulates(name, options):
    """Whether the registry sampler of model ``name`` simulates these structural options."""
    return name in SAMPLERS and name != DECLARED and all(
        options.get(key, allowed[0]) in allowed for key, allowed in REGISTRY_SIMULATES.get(name, {}).items())


#: model registry name -> {sampler option: what it means}; passed to the builder as keywords
SAMPLER_OPTIONS = {
    "dense-hebbian": {"M": f"examples per archetype of the supervised setting (integer >= 1, default "
                           f"{SUPERVISED_EXAMPLES}; unsupervised: M is a model parameter)"},
}

def _check_dense_hebbian(options, N, params, M=None):
    M_used = _dense_hebbian_size(options, N, params, M)[1]
    return {} if M is None else {"M": M_used}


#: model registry name -> check(options, N, params, **sampler_options) run before any sample is drawn;
#: returns the sampler options normalised (plain JSON types: they travel in the task)
def _check_declared(spec, N, params):
    from .declared import check_point
    return check_point(spec, N, params)


_POINT_CHECKS = {"dense-hebbian": _check_dense_hebbian, DECLARED: _check_declared}

INITS = ("pattern", "random")


def sampler_names():
    """Registry models with a sampler of their own."""
    return [name for name in SAMPLERS if name != DECLARED]


def check_sampler(name, dynamics, init):
    """Raise ParameterError unless model ``name`` has a sampler with these ``dynamics`` and ``init``;
    return ``init`` (``None``: the model's default start)."""
    if name not in SAMPLERS:
        raise ParameterError(f"model {name!r} has no Monte Carlo sampler; models with one: "
                             f"{', '.join(sampler_names())} and models declared from blocks "
                             "(snn.declare) with Ising, Boolean or spherical units and pair terms")
    allowed = SAMPLERS[name][1]
    if dynamics not in allowed:
        what = "models simulated from their declaration" if name == DECLARED else f"model {name!r}"
        raise ParameterError(f"dynamics {dynamics!r} is not available for {what}; choose one of "
                             f"{', '.join(allowed)}")
    if init is None:
        init = SAMPLERS[name][2]
    if init not in INITS:
        raise ParameterError(f"init must be one of {', '.join(INITS)} ('pattern': the condensed "
                             f"pattern(s), all up for Curie–Weiss and SK), got {init!r}")
    return init


def check_sampler_point(name, options, N, params, sampler_options=None):
    """Raise ParameterError unless ``sampler_options`` are options of model ``name``'s sampler (see
    :data:`SAMPLER_OPTIONS`) and the sample at this ``N`` and parameter point can be built (e.g. fits
    in memory); return the sampler options as a dict."""
    if sampler_options is not None and not isinstance(sampler_options, dict):
        raise ParameterError(f"sampler_options must be a dict (e.g. {{'M': 100}}), got {sampler_options!r}")
    sampler_options = dict(sampler_options or {})
    check_options(name, options)
    known = SAMPLER_OPTIONS.get(name, {})
    unknown = sorted(set(sampler_options) - set(known))
    if unknown:
        valid = "; ".join(f"{k}: {v}" for k, v in known.items()) or "none"
        raise ParameterError(f"unknown sampler option(s) {', '.join(map(repr, unknown))} for model {name!r}; "
                             f"valid: {valid}")
    if name in _POINT_CHECKS:
        sampler_options = _POINT_CHECKS[name](options, N, params, **sampler_options)
    return sampler_options


def build_system(name, options, N, params, rng, init=None, dynamics="metropolis", sampler_options=None):
    """Draw one disorder sample of model ``name`` from ``rng`` (a numpy Generator)."""
    init = check_sampler(name, dynamics, init)
    sampler_options = check_sampler_point(name, options, N, params, sampler_options)
    system = SAMPLERS[name][0](options, N, params, rng, init, **sampler_options)
    if dynamics == "rbm" and system.kind != "patterns":
        raise ParameterError(f"dynamics='rbm' needs ±1 patterns; model {name!r} with options "
                             f"{options} has real-valued couplings: use 'metropolis' or 'heat-bath'")
    if dynamics == "rbm":
        system.kind = "rbm"
    return system
