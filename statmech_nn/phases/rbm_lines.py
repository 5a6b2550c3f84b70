"""Transition lines of the RBM as its priors move from Gaussian to Boolean (issue 5).

Two lines per point of the control parameters, each found with the compiled saddle point of the
``rbm`` model (any options, e.g. ``hidden="mixture"`` with its ``delta_h``):

* :func:`paramagnet_spin_glass_temperature` — the temperature where the paramagnet ``q = p = m = 0``
  loses linear stability: the replicon of the paramagnet vanishes (Barra, Genovese, Sollich, Tantari
  2018: the line is fixed by the variances of the units; the engine gives ``√α β² χ_v χ_h = 1``
  with ``χ`` the variances of the units under their paramagnetic measure);
* :func:`retrieval_temperature` — the highest temperature at which the retrieval branch (Mattis
  overlap ``m > 0``) exists, followed by continuation from low temperature (the spin glass–retrieval
  spinodal ``T_M`` of AGS for the Hopfield point).

:func:`lines_versus` tabulates both along one parameter (``alpha`` or a ``delta``).

References
----------
Barra, Genovese, Sollich, Tantari, PRE 97, 022310 (2018), arXiv:1702.05882 and PRE 96, 042156
(2017), arXiv:1612.03132; Amit, Gutfreund, Sompolinsky, Ann. Phys. 173, 30 (1987) (Hopfield lines).
"""
from __future__ import annotations

import math

from ..errors import ConvergenceError, ParameterError

__all__ = ["paramagnet_spin_glass_temperature", "retrieval_temperature", "lines_versus"]

_SOLVERS = {}


def _solver(model):
    key = (model.name, tuple(sorted(model.options.items())))
    if key not in _SOLVERS:
        _SOLVERS[key] = model.free_energy().saddle_point().compile()
    return _SOLVERS[key]


def _paramagnet_guess(solver, T):
    """Start at the paramagnet: overlaps 1e-9 (an exact 0 is a 0/0 of some Stein-simplified
    equations with soft units; from 1e-9 the solver stops at once, next to the paramagnet, on either
    side of the line), Mattis overlap 0, multipliers 1; the self-overlaps of two soft layers
    between their bounds ``q_d < T < p_d`` (the hidden Gaussian measure is normalisable only for
    ``q_d < T``)."""
    start = {"q_d": (1 + T) / 2, "p_d": 2 * T, "lambda": 1.0, "m": 0.0}
    return {k: start.get(k, 1e-9) for k in _names(solver)}


def _names(solver):
    return [x.name for x in solver.saddle_point.order_parameters]


def paramagnet_spin_glass_temperature(model, alpha, T_range=(0.05, 5.0), xtol=1e-12, **fixed):
    """Temperature at which the replicon eigenvalue of the paramagnet vanishes.

    Below it the solver started next to the paramagnet reaches the (RS) spin glass, whose replicon
    is negative, so the sign change found by bisection is where the paramagnet's replicon crosses zero.

    Parameters
    ----------
    model : Model
        An ``rbm`` model (any priors).
    alpha : float
        The load ``P/N``.
    T_range : (float, float)
        Temperatures searched: the paramagnet must be stable (replicon > 0) at the upper end; the
        range is scanned downwards (80 geometric steps) to the first sign change of the replicon.
    xtol : float
        Absolute tolerance in ``T`` (bisection).
    **fixed
        Further control parameters (``delta_v``, ``delta_h``, ``delta_w``).

    Returns
    -------
    float
        ``T_g`` (for Boolean visible and Gaussian hidden units ``1 + √α``, AGS 1987).

    Raises
    ------
    ParameterError
        The replicon does not change sign in ``T_range``.
    ConvergenceError
        The paramagnet stops existing before its replicon vanishes.
    """
    solver = _solver(model)

    names = _names(solver)
    warm = {}

    def replicon(T):
        # the self-overlaps of the last paramagnet found are the better start; the default one
        # is the fallback (a single fixed-point run can fail at an isolated T)
        default = _paramagnet_guess(solver, T)
        for guess in ([dict(default, **warm)] if warm else []) + [default]:
            sol = solver.solve(alpha=alpha, T=T, guess=guess, errors="mask", **fixed)
            if bool(sol.converged):
                warm.update({k: float(sol[k]) for k in names if k in ("q_d", "p_d", "lambda")})
                return float(sol.replicon)
        return math.nan

    # scan down from the (stable) top of T_range: below the line the paramagnet of soft units may
    # stop existing (its tilted measure is not normalisable), so no fixed lower bracket
    lo_T, hi_T = T_range
    hi, r_hi = hi_T, replicon(hi_T)
    if not r_hi > 0:
        raise ParameterError(f"paramagnet_spin_glass_temperature: the paramagnet is not stable at the "
                             f"top T = {hi_T} of T_range (replicon {r_hi:.3g}); raise it")
    ratio = (lo_T / hi_T) ** (1 / 80)
    while True:
        lo = hi * ratio
        r_lo = replicon(lo)
        if not r_lo > 0:
            break
        if lo < lo_T:
            raise ParameterError(f"paramagnet_spin_glass_temperature: the paramagnet is stable down to "
                                 f"T = {lo_T}; lower the bottom of T_range")
        hi, r_hi = lo, r_lo
    # bisection on the sign (a solve that fails next to the line counts as unstable: the
    # paramagnet of soft units ends there), then a check that the replicon really goes to zero
    while hi - lo > xtol:
        mid = 0.5 * (lo + hi)
        r_mid = replicon(mid)
        if r_mid > 0:
            hi, r_hi = mid, r_mid
        else:
            lo = mid
    if r_hi > 1e-6:
        raise ConvergenceError(f"paramagnet_spin_glass_temperature: the paramagnet stops existing at "
                               f"T = {hi:.10g} with replicon {r_hi:.3g} > 0: no instability line")
    return 0.5 * (lo + hi)


def retrieval_temperature(model, alpha, T_start=0.1, step=0.05, T_max=5.0, xtol=1e-6, m_min=1e-3,
                          **fixed):
    """Highest temperature at which the retrieval branch ``m > m_min`` exists.

    The branch is followed from ``T_start`` upwards in steps of ``step`` (each solve starts from the
    previous solution), then the last step is bisected to ``xtol``; above the returned temperature
    the solver started on the branch falls onto ``m = 0`` or does not converge.

    Parameters
    ----------
    model : Model
        An ``rbm`` model with a retrieved pattern (Gaussian or mixture hidden units).
    alpha : float
        The load.
    T_start : float
        A temperature where the retrieval branch exists (it is started from ``m = 1``, ``q = 1``).
    step, T_max, xtol : float
        Continuation step, upper end of the search, bisection tolerance.
    m_min : float
        Smallest Mattis overlap counted as retrieval.
    **fixed
        Further control parameters (``delta_v``, ``delta_h``, ``delta_w``).

    Returns
    -------
    float
        The spin glass–retrieval (spinodal) temperature ``T_M``.

    Raises
    ------
    ParameterError
        The model has no Mattis overlap ``m``.
    ConvergenceError
        No retrieval state at ``T_start`` (lower it), or the branch still exists at ``T_max``.
    """
    solver = _solver(model)
    names = _names(solver)
    if "m" not in names:
        raise ParameterError(f"retrieval_temperature: rbm with {model.options} has no retrieved "
                             "pattern (order parameters " + ", ".join(names) + "); use Gaussian or "
                             "mixture hidden units")
    guess = {k: 1.0 for k in names}

    def on_branch(T, start):
        sol = solver.solve(alpha=alpha, T=T, guess=start, errors="mask", **fixed)
        if not bool(sol.converged) or not float(sol["m"]) > m_min:
            return None
        return {k: float(sol[k]) for k in names}

    good = on_branch(T_start, guess)
    if good is None:
        raise ConvergenceError(f"retrieval_temperature: no retrieval state (m > {m_min}) at alpha = "
                               f"{alpha}, T = {T_start}, {fixed}; lower T_start")
    lo = T_start
    while True:
        hi = lo + step
        if hi > T_max:
            raise ConvergenceError(f"retrieval_temperature: the retrieval branch still exists at "
                                   f"T = {lo}; raise T_max")
        nxt = on_branch(hi, good)
        if nxt is None:
            break
        lo, good = hi, nxt
    while hi - lo > xtol:
        mid = 0.5 * (lo + hi)
        nxt = on_branch(mid, good)
        if nxt is None:
            hi = mid
        else:
            lo, good = mid, nxt
    return 0.5 * (lo + hi)


def lines_versus(model, name, values, retrieval=True, **fixed):
    """Both lines along one control parameter.

    Parameters
    ----------
    model : Model
        An ``rbm`` model.
    name : str
        ``"alpha"`` or one of the model's ``delta`` parameters.
    values : sequence of float
        The values of ``name``.
    retrieval : bool
        Also compute :func:`retrieval_temperature` (needs a retrieved pattern).
    **fixed
        The other control parameters (``alpha`` unless ``name == "alpha"``) and keyword options of
        the two line functions (``T_range``, ``T_start``, ``step``).

    Returns
    -------
    dict
        ``{name: values, "T_g": [...], "T_M": [...]}`` (``T_M`` only with ``retrieval``).
    """
    pg_keys, rt_keys = {"T_range"}, {"T_start", "step", "T_max", "m_min"}
    pg_opts = {k: fixed.pop(k) for k in list(fixed) if k in pg_keys}
    rt_opts = {k: fixed.pop(k) for k in list(fixed) if k in rt_keys}
    out = {name: [float(v) for v in values], "T_g": []}
    if retrieval:
        out["T_M"] = []
    for v in values:
        params = dict(fixed, **{name: float(v)})
        alpha = params.pop("alpha")
        out["T_g"].append(paramagnet_spin_glass_temperature(model, alpha, **pg_opts, **params))
        if retrieval:
            out["T_M"].append(retrieval_temperature(model, alpha, **rt_opts, **params))
    return out
