"""The one-step RSB lines of a phase diagram: ``phase_diagram(..., rsb=1)``.

Beside the replica-symmetric lines, two temperatures of Parisi's one-step ansatz
(``model.free_energy(rsb=1)``) are traced along the horizontal axis, one point per column of the
coarse grid:

* ``"T_s (1RSB)"``, kind ``"rsb-static"`` — the static transition, where the Parisi parameter ``x``
  of the 1RSB solution reaches 1 (:func:`statmech_nn.phases.rsb.static_transition`);
* ``"T_d (1RSB)"``, kind ``"rsb-dynamical"`` — the dynamical transition, the fold where the
  threshold states (the 1RSB equations at ``x = 1``) cease to exist, marginally stable there
  (:func:`statmech_nn.phases.rsb.dynamical_transition`).

Each column starts from the previous column's solution (continuation along ``x``), a little below the
previous temperature. A column where the solution is not found, or lies outside the window in ``T``,
ends the line there, and ``PhaseDiagram.notes`` says where and why: no point is interpolated or
extrapolated. The first column starts from ``rsb_guess`` or, without one, from starts built on the
replica-symmetric solution there (:func:`rsb_start`).

References
----------
A. Crisanti and H.-J. Sommers, Z. Phys. B 87, 341 (1992) (spherical p-spin: ``T_s``, ``T_d`` and the
1RSB solution in a field); T. Castellani and A. Cavagna, J. Stat. Mech. P05012 (2005) (the threshold
states and ``T_d``).
"""
from __future__ import annotations

import itertools
import math

import numpy as np

from ..errors import ConvergenceError, ParameterError
from .diagram import Line
from .rsb import dynamical_transition, overlap_gap, static_transition

__all__ = ["RSB_KINDS", "STATIC_NAME", "DYNAMICAL_NAME", "check_rsb", "rsb_start", "rsb_lines"]

#: the kinds of the 1RSB lines: static (x = 1) and dynamical (threshold states marginal)
RSB_KINDS = ("rsb-static", "rsb-dynamical")
STATIC_NAME = "T_s (1RSB)"
DYNAMICAL_NAME = "T_d (1RSB)"
#: values tried for the order parameters that the RS solution does not give (``x``, ``q1`` and their
#: conjugates) when no ``rsb_guess`` is given
_SCAN_OVERLAP = (0.3, 0.6, 0.9)
_SCAN_OTHER = (0.3, 1.0, 3.0)
#: ``q1 − q0`` a start must have: clearly broken, not the RS solution with a stray ``x``
_START_GAP = 1e-3


def check_rsb(model, rsb, yname, guess):
    """Validate ``rsb`` and ``rsb_guess`` of :func:`~statmech_nn.phases.engine.phase_diagram` and derive
    the 1RSB free energies, so that a model without them fails before any computation.

    Returns
    -------
    bool
        Whether the 1RSB lines are wanted.

    Raises
    ------
    ParameterError
        ``rsb`` not 0 or 1; ``rsb=1`` with a ``y`` axis other than ``T``; ``rsb_guess`` that is not a
        dict or given without ``rsb=1``; a non-positive ``rsb_guess["T"]``.
    DerivationError
        The model's 1RSB free energy cannot be derived.
    """
    if isinstance(rsb, bool) or not isinstance(rsb, (int, np.integer)) or rsb not in (0, 1):
        raise ParameterError(f"rsb must be 0 (the replica-symmetric lines) or 1 (also the one-step RSB "
                             f"transition lines T_s and T_d), got {rsb!r}")
    if rsb == 0:
        if guess is not None:
            raise ParameterError("rsb_guess is the start of the 1RSB lines: it needs rsb=1")
        return False
    if yname != "T":
        raise ParameterError(f"rsb=1 traces the 1RSB transition temperatures T_s and T_d along x, so y must "
                             f"be the temperature, ('T', low, high); got y = {yname!r}")
    if guess is not None:
        if not isinstance(guess, dict):
            raise ParameterError(f"rsb_guess must be a dict of 1RSB order parameters (and optionally 'T'), "
                                 f"got {guess!r}")
        T = guess.get("T")
        if T is not None and not (isinstance(T, (int, float, np.floating)) and math.isfinite(T) and T > 0):
            raise ParameterError(f"rsb_guess['T'] must be a positive temperature, got {T!r}")
    # both ansätze derived now: a DerivationError before the grid is solved
    model.free_energy(rsb=1)
    model.free_energy(rsb=1, x=1)
    return True


def _solve_seeds(solver, seeds, params):
    """The distinct converged, clearly broken (``q1 − q0 > 1e-3``) solutions from ``seeds`` at ``params``
    (one vectorised solve), each a dict; ``x`` (where it is an unknown) in ``(0, 1)``."""
    names = list(solver._branch("finite").order_parameters)
    if not seeds:
        return []
    stack = {k: np.array([s[k] for s in seeds]) for k in names if all(k in s for s in seeds)}
    sol = solver.solve(guess=stack, errors="mask", **{k: np.full(len(seeds), v) for k, v in params.items()})
    conv = np.atleast_1d(sol.converged)
    vals = {k: np.atleast_1d(sol[k]) for k in names}
    out = []
    for n in np.flatnonzero(conv):
        v = {k: float(vals[k][n]) for k in names}
        if not all(map(math.isfinite, v.values())) or overlap_gap(v) <= _START_GAP or not 0 < v.get("x", 0.5) < 1:
            continue
        if all(max(abs(v[k] - w[k]) for k in names) > 1e-6 for w in out):
            out.append(v)
    return out


def rsb_start(model, rs_solver, params, guess=None):
    """A 1RSB solution with ``0 < x < 1`` and ``q1 > q0`` at ``params`` (one point, with ``T``), and a
    threshold (``x = 1``) solution there, the starts of the two lines.

    The starts are built on the replica-symmetric solutions at ``params`` (found from the model's phase
    seeds): each 1RSB order parameter that has an RS counterpart takes its value (``q0`` that of ``q``,
    ``lambda_q0`` that of ``lambda_q``, the model's own such as ``m`` or the spherical multiplier
    unchanged), the others (``x``, ``q1``, their conjugates) run over a few values, all in one
    vectorised solve; ``guess`` (if given) replaces them for the 1RSB solution. Of the distinct
    solutions the one with the largest ``q1 − q0`` is taken (for the threshold states: the upper branch,
    which ends at ``T_d``). The threshold solution is solved from the 1RSB one (without ``x``), ``guess``
    and the same starts.

    Returns
    -------
    (dict, dict or None, str)
        The 1RSB order parameters, the threshold ones (None if the x = 1 equations have no broken
        solution from there) and a sentence on how the start was found, for the notes.

    Raises
    ------
    ConvergenceError
        No 1RSB solution with ``0 < x < 1`` and ``q1 − q0 > 1e-3`` there: the static transition may lie
        below this temperature, or ``rsb_guess`` is needed.
    ParameterError
        ``guess`` names an order parameter the 1RSB saddle point does not have.
    """
    solver = model.free_energy(rsb=1).saddle_point().compile(progress=False)
    names = list(solver._branch("finite").order_parameters)
    where = ", ".join(f"{k}={v:.6g}" for k, v in params.items())
    rs_names = list(rs_solver._branch("finite").order_parameters)
    rs = []
    for seed in model.phase_seeds(rs_names, signed=False):
        sol = rs_solver.solve(guess=seed, errors="mask", **params)
        if bool(sol.converged):
            rs.append({k: float(sol[k]) for k in rs_names})
    known = [n for n in names if n != "x" and (n in rs_names or (n.endswith("0") and n[:-1] in rs_names))]
    scanned = [n for n in names if n not in known]
    grids = [_SCAN_OVERLAP if n == "x" or n.startswith("q") else _SCAN_OTHER for n in scanned]
    built = [dict({n: r[n if n in r else n[:-1]] for n in known}, **dict(zip(scanned, values)))
             for r in rs for values in itertools.product(*grids)]
    if guess is not None:
        unknown = sorted(set(guess) - set(names))
        if unknown:
            raise ParameterError(f"rsb_guess: unknown order parameter(s) {', '.join(map(repr, unknown))}; the "
                                 f"1RSB order parameters: {', '.join(names)} (and 'T', the temperature)")
        # what the guess leaves out: from the RS solution (or the model's default guess)
        seeds = [dict(built[0] if built else model.default_guess(names), **guess)]
        how = f"1RSB lines start at ({where}) from rsb_guess"
    else:
        seeds = built
        how = (f"1RSB lines start at ({where}) from {len(seeds)} starts built on the replica-symmetric "
               f"solution(s) there ({', '.join(known) or 'none'} from RS; {', '.join(scanned)} scanned)")
    found = _solve_seeds(solver, seeds, params)
    if not found:
        raise ConvergenceError(
            f"phase_diagram(rsb=1): no 1RSB solution with 0 < x < 1 and q1 - q0 > {_START_GAP:g} at "
            f"({where}) from {'rsb_guess' if guess is not None else f'{len(seeds)} starts built on the RS solution'}"
            f": the static transition may lie below this temperature (lower the window, or give "
            f"rsb_guess={{'T': ..., 'q1': ..., 'x': ...}} at a temperature below it)", parameters=params)
    best = max(found, key=overlap_gap)
    if len(found) > 1:
        how += f"; {len(found)} distinct 1RSB solutions found, the one with the largest q1 - q0 taken"
    how += "; " + ", ".join(f"{k}={best[k]:.6g}" for k in ("q0", "q1", "x") if k in best)
    threshold_solver = model.free_energy(rsb=1, x=1).saddle_point().compile(progress=False)
    drop = [{k: v for k, v in s.items() if k != "x"} for s in [best] + seeds + built]
    threshold = _solve_seeds(threshold_solver, drop, params)
    threshold = max(threshold, key=overlap_gap) if threshold else None
    return best, threshold, how


def _trace(name, xname, xs, start, T0, locate, window, cell, fixed, notes, bar):
    """One line: ``locate(T_low, guess, params) -> (T, Solution)`` at each column, from ``(xs[0], T0)``
    with ``start``, then from the previous column's solution a little below its temperature."""
    ylo, yhi = window
    points, prev = [], None
    for i, xv in enumerate(xs):
        bar.set_postfix_str(f"{name} at {xname}={xv:.4g} ({i + 1}/{len(xs)})")
        params = dict(fixed, **{xname: float(xv)})
        if prev is None:
            tries, guess = [T0], start
        else:
            # from a little below the previous point (T_s and T_d may fall or rise along x): each start
            # must lie on the branch below the transition, farther down if the first is already above it
            T_prev, guess = prev[0], dict(prev[1].order_parameters)
            tries = sorted({T for T in (T_prev - cell, T_prev - 3 * cell, T_prev / 2) if T > 0}, reverse=True)
        errors = []
        for T_low in tries:
            try:
                T, sol = locate(T_low, guess, params)
                break
            except ConvergenceError as exc:
                errors.append(str(exc))
        else:
            what = (f"not found at the first column ({xname} = {xv:.8g})" if prev is None else
                    f"ends at {xname} = {xs[i - 1]:.8g}: not found at {xname} = {xv:.8g}")
            also = (f" (nor from T = {', '.join(f'{T:.6g}' for T in tries[1:])})" if len(tries) > 1 else "")
            notes.append(f"1RSB line {name!r} {what}: {errors[0]}{also}")
            break
        if not ylo <= T <= yhi:
            what = ("is outside the window at the first column" if prev is None else
                    f"ends at {xname} = {xs[i - 1]:.8g}: it leaves the window")
            notes.append(f"1RSB line {name!r} {what}: at {xname} = {xv:.8g} T = {T:.8g} is outside "
                         f"[{ylo:g}, {yhi:g}]")
            break
        points.append((float(xv), float(T)))
        prev = (T, sol)
    bar.update()
    return points


def rsb_lines(model, xname, xs, window, cell, fixed, start, threshold, T0, notes, bar, min_points=3):
    """``T_s`` and ``T_d`` along ``xs`` (the columns of the grid), as :class:`Line` objects of kinds
    :data:`RSB_KINDS`; what could not be traced goes to ``notes``. ``cell`` is the grid's step in ``T``,
    ``window`` its ``(T_low, T_high)``; ``start``/``threshold`` the solutions at ``(xs[0], T0)`` of
    :func:`rsb_start`."""
    ylo, yhi = window
    # static: followed up to the top of the window in steps of a quarter cell; T_s to 1e-10 (the
    # precision of the replica-symmetric lines)
    def static(T_low, guess, params):
        if not T_low < yhi:
            raise ConvergenceError(f"T = {T_low:.8g} is not below the top of the window")
        points = max(3, int(math.ceil((yhi - T_low) / (cell / 4))) + 1)
        return static_transition(model, T_low, yhi, guess, points=points, xtol=1e-10, **params)

    # dynamical: the fold by pseudo-arclength continuation; a branch that goes on past the window's
    # top is not followed further
    def dynamical(T_low, guess, params):
        return dynamical_transition(model, T_low, guess, step=cell / 4, T_max=yhi + cell, **params)

    lines = []
    for name, kind, first, locate in ((STATIC_NAME, "rsb-static", start, static),
                                      (DYNAMICAL_NAME, "rsb-dynamical", threshold, dynamical)):
        if first is None:
            notes.append(f"1RSB line {name!r}: the threshold (x = 1) equations have no solution with "
                         f"q1 > q0 at the start ({xname} = {xs[0]:.8g}, T = {T0:.8g}); no line")
            bar.update()
            continue
        points = _trace(name, xname, xs, first, T0, locate, (ylo, yhi), cell, fixed, notes, bar)
        if len(points) < min_points:
            where = ", ".join(f"({x:.6g}, {y:.6g})" for x, y in points)
            notes.append(f"{kind} line {name!r}: only {len(points)} point(s) found"
                         + (f", at ({xname}, T) = {where}" if points else "")
                         + "; not drawn (too short to be a line at this resolution)")
            continue
        lines.append(Line(name, kind, np.array(points, float)))
    return lines
