"""The sampler of a declared spin model, built from the plain description of its blocks
(:meth:`statmech_nn.models.declared.DeclaredModel.sampler_spec`), so that a model nobody registered
has Monte Carlo from the same terms the replica engine derives its free energy from.

The description is a dict ``{"units": {...}, "terms": [{...}, ...]}`` of numbers, strings and lists
(a string names a model parameter, resolved from the validated parameter values of the task); it
travels in the task, so workers never see a block or SymPy. Supported (anything else raises
:class:`~statmech_nn.errors.ParameterError` naming the block):

- units: Ising ``±1``, Boolean ``{0, 1}`` (equal weights), spherical ``Σ_i σ_i² = N``;
- pair terms (``p = 2``) summed into one dense symmetric coupling matrix ``J`` with a zero diagonal,
  ``H = −Σ_{i<j} J_ij σ_i σ_j − h Σ_i σ_i``, each drawn with the task's disorder stream:

  - ``ferromagnetic``: ``J_ij += J0/N`` (``H = −(J0/N) Σ_{i<j} σ_i σ_j``); observed: the
    magnetisation ``(1/N) Σ_i σ_i`` under the term's name (``M``, ``m`` in the registry);
  - ``gaussian-couplings``: ``J_ij += J z_ij/√N``, ``z_ij ~ N(0, 1)`` for ``i < j`` (SK);
  - ``hebbian``: ``P = max(K, round(load · N))`` patterns of i.i.d. entries ``ξ`` (binary, discrete,
    diluted, biased or Gaussian law), ``J_ij += (1/N) Σ_μ η_i^μ η_j^μ`` (``i ≠ j``) with ``η = ξ − c``
    (``c`` the law's centre; ``ξ − a`` for biased entries, AGS 1987); observed: the Mattis overlaps
    ``(1/N) Σ_i η_i^μ σ_i`` of the ``K`` condensed patterns under the term's names;
  - ``field``: ``h`` adds up over field terms.

Besides the terms' own observables the runner records the replica overlap ``q``, the energy per unit
and, for Boolean units, the self-overlap ``q_d = (1/N) Σ_i σ_i²`` (``= (1/N) Σ_i σ_i``).

Starts (``init``, default ``"pattern"``): ``"pattern"`` aligns the units with the sum of the condensed
patterns of the first Hebbian term that has any (Ising: its sign, ties at random; Boolean: 1 where it is positive; spherical: its direction
scaled to ``|σ| = √N``), or, without condensed patterns, sets every unit to 1; ``"random"`` draws
independent ``±1`` / ``{0, 1}`` units or a uniform point of the sphere.

References
----------
Sherrington and Kirkpatrick, PRL 35, 1792 (1975); Amit, Gutfreund, Sompolinsky, Ann. Phys. 173, 30
(1987), sec. 2 and PRA 35, 2293 (1987) (biased patterns); Kosterlitz, Thouless and Jones, PRL 36, 1217
(1976) (spherical units).
"""
from __future__ import annotations

import math

import numpy as np

from ..errors import ParameterError
from .systems import System

__all__ = ["spec_of", "check_spec", "check_point", "build", "start_configurations", "run",
           "MAX_DENSE_BYTES"]

#: the largest coupling matrix plus pattern matrix (bytes) a declared sample may store
MAX_DENSE_BYTES = 2**30

_UNITS = {(-1, 1): "ising", (0, 1): "boolean"}
_TERMS = ("ferromagnetic", "gaussian-couplings", "hebbian", "field")
_LAWS = ("discrete", "diluted", "biased", "gaussian")
#: observables every run records besides the terms' own
_RECORDED = ("energy", "acceptance", "q", "q2")


#: what the declared-model sampler simulates (for error messages)
SUPPORTED = ("The declared-model sampler takes Ising(), Binary01() or Spherical() units and the terms "
             "Ferromagnetic(J0), GaussianCouplings(J), Hebbian(load, patterns) with p = 2, and Field(h)")


def _no_sampler(label, why):
    return ParameterError(f"no Monte Carlo sampler for {label}: {why}. {SUPPORTED}")


def _unit_kind(units):
    """``"ising"``, ``"boolean"``, ``"spherical"`` or None (no sampler)."""
    if units.get("kind") == "spherical":
        return "spherical"
    if units.get("kind") == "discrete" and all(not isinstance(p, str) and p == 0.5 for p in units["probs"]):
        return _UNITS.get(tuple(units["values"]))
    return None


def check_spec(spec, labels=None):
    """Raise :class:`~statmech_nn.errors.ParameterError` unless the sampler can simulate ``spec``;
    ``labels`` (the blocks' reprs, units first) name the culprit, otherwise its description does."""
    if not isinstance(spec, dict) or not isinstance(spec.get("terms"), list) or "units" not in spec:
        raise ParameterError(f"a declared sampler needs {{'units': ..., 'terms': [...]}}, got {spec!r}")
    parts = [spec["units"], *spec["terms"]]
    labels = list(labels) if labels is not None else [repr(p) for p in parts]
    if _unit_kind(spec["units"]) is None:
        raise _no_sampler(f"{labels[0]} units", "only Ising ±1, Boolean {0, 1} (equal weights) and spherical "
                                                "units are sampled")
    names = {}
    for term, label in zip(spec["terms"], labels[1:]):
        kind = term.get("kind")
        if kind not in _TERMS:
            raise _no_sampler(label, f"no sampler for terms of kind {kind!r}")
        if term.get("p", 2) != 2:
            raise _no_sampler(label, f"p = {term['p']}: only pair couplings (p = 2) fill the dense coupling "
                                     "matrix")
        if kind == "hebbian" and term["law"].get("kind") not in _LAWS:
            raise _no_sampler(label, f"no sampler for pattern entries {term['law']!r}")
        for name in term.get("observed", []):
            if name in _RECORDED:
                raise ParameterError(f"{label} observes {name!r}, a name the Monte Carlo run records itself "
                                     f"({', '.join(_RECORDED)}); give the term another order-parameter name")
            if name in names and not (kind == "ferromagnetic" and names[name] == "ferromagnetic"):
                raise ParameterError(f"{label} observes {name!r}, which another term observes too; give the "
                                     "terms distinct order-parameter names")
            names[name] = kind
    return spec


def spec_of(model):
    """The checked sampler description of a declared model (:meth:`DeclaredModel.sampler_spec`);
    ParameterError naming the block where a block has no sampler."""
    spec = model.sampler_spec()
    if spec is None:
        raise ParameterError(f"model {model.name!r}: {getattr(model, 'montecarlo_reason', '')}. {SUPPORTED}")
    units, terms = model.declaration()
    return check_spec(spec, [repr(units), *map(repr, terms)])


def _value(ref, params):
    return float(params[ref]) if isinstance(ref, str) else float(ref)


def _patterns_count(term, N, params):
    return max(int(term["condensed"]), int(round(_value(term["load"], params) * N)))


def check_point(spec, N, params):
    """Raise ParameterError when a sample at this ``N`` would store more than :data:`MAX_DENSE_BYTES`
    (the ``N × N`` float64 coupling matrix, a second one while the Hebbian couplings are summed, and
    the ``N × P`` pattern matrices)."""
    hebbian = [t for t in spec["terms"] if t["kind"] == "hebbian"]
    need = 8 * N * N * (2 if hebbian else 1) + sum(8 * N * _patterns_count(t, N, params) for t in hebbian)
    if need > MAX_DENSE_BYTES:
        raise ParameterError(f"the declared sampler at N = {N} needs {need / 2**30:.2f} GiB for its dense "
                             f"coupling matrix (N² float64) and patterns; the limit is "
                             f"{MAX_DENSE_BYTES / 2**30:g} GiB: use a smaller N")
    return {}


def _draw_entries(law, rng, N, P, params):
    """Pattern entries ``ξ`` (N, P) of a law and their centred values ``η`` (float64)."""
    kind = law["kind"]
    if kind == "gaussian":
        return rng.standard_normal((N, P)) * math.sqrt(_value(law["variance"], params))
    u = rng.random((N, P))
    if kind == "diluted":     # as the registry's diluted Hopfield: P(0) = d, P(±1) = (1 − d)/2
        d = _value(law["d"], params)
        return np.where(u < d, 0.0, np.where(u < d + (1 - d) / 2, -1.0, 1.0))
    if kind == "biased":      # P(ξ = ±1) = (1 ± a)/2, learning rule η = ξ − a
        a = _value(law["a"], params)
        return np.where(u < (1 + a) / 2, 1.0, -1.0) - a
    values = np.asarray(law["values"], dtype=float)
    probs = np.array([_value(p, params) for p in law["probs"]])
    edges = np.cumsum(probs[:-1]) / probs.sum()
    return values[np.searchsorted(edges, u, side="right")] - float(law.get("centre", 0))


def build(spec, N, params, rng, init):
    """One disorder sample of a declared model (a :class:`~statmech_nn.montecarlo.systems.System` of
    kind ``"declared"``): ``arrays`` ``J`` (N, N) and ``readout`` (K, N); ``scalars`` ``h`` and
    ``units``."""
    units = _unit_kind(spec["units"])
    J = np.zeros((N, N))
    h = 0.0
    observed, rows, info = [], [], {}
    start_field = None
    hebbian = [t for t in spec["terms"] if t["kind"] == "hebbian"]
    for term in spec["terms"]:
        kind = term["kind"]
        if kind == "field":
            h += _value(term["h"], params)
        elif kind == "ferromagnetic":
            off = _value(term["J0"], params) / N
            J += off
            J[np.diag_indices(N)] -= off
            for name in term["observed"]:
                if name not in observed:
                    observed.append(name)
                    rows.append(np.ones(N))
        elif kind == "gaussian-couplings":
            # the registry SK's draw: N(0, J²/N) above the diagonal, then symmetric
            upper = np.triu_indices(N, k=1)
            couplings = np.zeros((N, N))
            couplings[upper] = rng.standard_normal(upper[0].size) * _value(term["J"], params) / math.sqrt(N)
            J += couplings + couplings.T
        else:
            P = _patterns_count(term, N, params)
            eta = _draw_entries(term["law"], rng, N, P, params)
            pair = eta @ eta.T / N
            pair[np.diag_indices(N)] = 0.0      # i ≠ j
            J += pair
            K = int(term["condensed"])
            for name, k in zip(term["observed"], range(K)):
                observed.append(name)
                rows.append(eta[:, k].copy())
            if start_field is None and K:
                start_field = eta[:, :K].sum(axis=1)
            suffix = "" if len(hebbian) == 1 else f"_{hebbian.index(term) + 1}"
            info[f"P{suffix}"] = P
            info[f"alpha_effective{suffix}"] = P / N
    if units == "boolean" and "q_d" not in observed:
        observed.append("q_d")
        rows.append(np.ones(N))
    readout = np.array(rows).reshape(len(rows), N)
    start = None
    if init == "pattern":
        start = np.ones(N) if start_field is None else start_field
    return System("declared", N, {"J": J, "readout": readout}, {"h": h, "units": units}, observed, start, info)


def start_configurations(system, rng, C):
    """(C, N) float64 start configurations of the chains: the system's start (see :func:`build`) or
    random ones drawn from ``rng``."""
    N, units, start = system.N, system.scalars["units"], system.init
    if start is None:
        if units == "spherical":
            x = rng.standard_normal((C, N))
            return x * np.sqrt(N / np.sum(x**2, axis=1, keepdims=True))
        u = rng.random((C, N)) < 0.5
        return np.where(u, -1.0, 1.0) if units == "ising" else np.where(u, 0.0, 1.0)
    if units == "spherical":
        norm = np.linalg.norm(start)
        x = rng.standard_normal(N) if norm == 0 else start
        return np.tile(x * math.sqrt(N) / np.linalg.norm(x), (C, 1))
    ties = start == 0
    value = np.where(start > 0, 1.0, -1.0 if units == "ising" else 0.0)
    value[ties] = np.where(rng.random(int(ties.sum())) < 0.5, -1.0 if units == "ising" else 0.0, 1.0)
    return np.tile(value, (C, 1))


#: the rotation angle of spherical moves before burn-in tunes it
START_ANGLE = 1.0


def run(system, spins, betas, rule, burn, rng, energy, overlaps, accepted, q, swaps):
    """Burn in and measure the chains of a declared system (arrays as in
    :func:`statmech_nn.montecarlo.runner.run_task`); returns the rotation angle of slot 0 (spherical
    units) or None."""
    from .declared_kernels import UNIT_KINDS, run_declared
    J, readout = system.arrays["J"], system.arrays["readout"]
    h = float(system.scalars["h"])
    units = UNIT_KINDS[system.scalars["units"]]
    local = spins @ J
    R = energy.shape[1]
    delta = np.full(betas.size, START_ANGLE)
    empty2, empty3, empty1 = np.zeros((0, R)), np.zeros((0, R, readout.shape[0])), np.zeros(0)
    run_declared(J, local, spins, betas, h, units, rule, delta, True, burn, rng, readout, empty2, empty3, empty2,
                 empty1, np.zeros_like(swaps))
    run_declared(J, local, spins, betas, h, units, rule, delta, False, energy.shape[0], rng, readout, energy,
                 overlaps, accepted, q, swaps)
    return float(delta[0]) if system.scalars["units"] == "spherical" else None
