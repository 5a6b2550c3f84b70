"""What theorists read off one-step replica-symmetry breaking: the static transition, the dynamical
transition and the complexity, from the engine's 1RSB saddle point (``model.free_energy(rsb=1)``).

* **Static transition** ``T_s``: the temperature at which the Parisi parameter ``x`` of the 1RSB solution
  reaches 1 (above it the replica-symmetric paramagnet is the equilibrium state).
* **Dynamical transition** ``T_d``: the highest temperature at which the threshold states exist — the
  1RSB equations at ``x = 1`` have a solution with ``q1 > 0``; it ends in a fold where its replicon inside
  the blocks vanishes (marginal stability).
* **Capacity** at ``T = 0``: the largest load of a branch (e.g. Hopfield retrieval), the fold of the
  ``T = 0`` one-step equations in ``α`` (:func:`zero_temperature_capacity`).
* **Frozen capacity** of a version space: the load where the complexity ``Σ = xΦ`` of the frozen one-step
  states (``q1 = 1``, :meth:`FreeEnergy.frozen <statmech_nn.symbolic.free_energy.FreeEnergy.frozen>`)
  vanishes (:func:`frozen_capacity`; Krauth & Mézard 1989: ``α_c ≈ 0.833`` for Ising weights).
* **Complexity** ``Σ = β x² ∂f/∂x``: the entropy of the states counted by the 1RSB measure at ``x``
  (Monasson's construction), evaluated at a solution of the equations at fixed ``x``.

References
----------
A. Crisanti and H.-J. Sommers, Z. Phys. B 87, 341 (1992) (spherical p = 3: ``T_s = 0.5861``,
``T_d = √(3/8)``); R. Monasson, PRL 75, 2847 (1995) (complexity); A. Cavagna, I. Giardina, G. Parisi,
PRB 57, 11251 (1998); T. Castellani and A. Cavagna, J. Stat. Mech. P05012 (2005); W. Krauth and
M. Mézard, J. Phys. France 50, 3057 (1989) (frozen states of the Ising perceptron).
"""
from __future__ import annotations

import math

from ..errors import ConvergenceError, ParameterError

__all__ = ["static_transition", "dynamical_transition", "complexity", "zero_temperature_capacity",
           "frozen_capacity"]


#: ``q1 − q0`` below this is the replica-symmetric solution, on which ``x`` drops out of the equations
BROKEN = 1e-6
#: where the 1RSB solution is lost above ``T_s`` (no solution with ``x`` in its domain ``(0, 1]``), ``x``
#: must have come this close to 1 at the last point found; otherwise the branch ended below ``x = 1``
X_REACHED = 1e-4


def _broken(sol):
    """Whether a converged 1RSB solution breaks replica symmetry (``q1 > q0``): at ``q1 = q0`` it is the
    RS solution again and its ``x`` means nothing (in a field ``q0 > 0``, so ``q1 > 0`` alone is no test)."""
    if not bool(sol.converged):
        return False
    return overlap_gap({k: sol[k] for k in ("q0", "q1") if k in sol.order_parameters}) > BROKEN


def overlap_gap(values):
    """``q1 − q0`` of 1RSB order parameters (a dict; ``q0 = 0`` where the model has none)."""
    return float(values["q1"]) - float(values.get("q0", 0.0))


def _reach(solver, T, current, target, params, splits=8):
    """The solution at ``target`` continued from ``current`` at ``T``: in one step, or where the solver
    loses it (its iteration tolerates only moderate steps, e.g. 0.02 in ``T`` for the spherical p-spin
    at ``T = 0.4``) in steps halved up to ``splits`` times. None if it is lost even so."""
    step = target - T
    smallest = abs(step) / 2 ** splits
    while True:
        to = target if abs(target - T) <= abs(step) else T + step
        sol = solver.solve(T=float(to), guess=dict(current), errors="mask", **params)
        if _broken(sol):
            if to == target:
                return sol
            T, current = to, dict(sol.order_parameters)
        else:
            step /= 2
            if abs(step) < smallest:
                return None


def _follow(solver, Ts, guess, params):
    """Solutions along the temperatures ``Ts``, each continued from the previous one (None from where it
    is lost: no convergence, or ``q1 → q0``)."""
    sol = solver.solve(T=float(Ts[0]), guess=dict(guess), errors="mask", **params)
    if not _broken(sol):
        return [None] * len(Ts)
    out = [sol]
    for T_prev, T in zip(Ts[:-1], Ts[1:]):
        sol = _reach(solver, float(T_prev), dict(out[-1].order_parameters), float(T), params)
        if sol is None:
            return out + [None] * (len(Ts) - len(out))
        out.append(sol)
    return out


def static_transition(model, T_low, T_high, guess, points=12, xtol=1e-8, **params):
    """``T_s``: where the 1RSB Parisi parameter ``x`` reaches 1, followed from ``T_low`` (where
    ``x < 1``) towards ``T_high``, then refined by bisection.

    Parameters
    ----------
    model : Model
    T_low, T_high : float
        The search interval; the 1RSB solution at ``T_low`` is found from ``guess``.
    guess : dict
        A 1RSB starting point at ``T_low`` (``q0``, ``q1``, ``x``, conjugates).
    points : int
        Temperatures from ``T_low`` to ``T_high`` at which the solution is followed until ``x ≥ 1``.
    xtol : float
        Width in ``T`` of the final bracket; ``T_s`` is its lower end (where ``x < 1``).
    **params
        The other parameters of the model.

    Returns
    -------
    (float, Solution)
        ``T_s`` and the 1RSB solution there (``x`` just below 1).

    Raises
    ------
    ConvergenceError
        No 1RSB solution with ``x < 1`` and ``q1 > q0`` at ``T_low``; the solution is lost (no
        convergence, or ``q1 → q0``: it merges into the replica-symmetric one, as beyond the critical
        field of the spherical p-spin) before ``x`` reaches 1; or ``x < 1`` up to ``T_high``. Never a
        temperature that is not bracketed by ``x < 1`` below and ``x ≥ 1`` (or no solution with ``x`` in
        its domain ``(0, 1]`` and ``x`` within :data:`X_REACHED` of 1 below) above.
    """
    import numpy as np
    if not 0 < T_low < T_high:
        raise ParameterError(f"need 0 < T_low < T_high, got {T_low}, {T_high}")
    if int(points) < 2:
        raise ParameterError(f"points must be at least 2, got {points!r}")
    solver = model.free_energy(rsb=1).saddle_point().compile()
    Ts = np.linspace(T_low, T_high, int(points))
    sols = _follow(solver, Ts, guess, params)
    if sols[0] is None or sols[0]["x"] >= 1:
        raise ConvergenceError(f"no 1RSB solution with x < 1 and q1 > q0 at T = {T_low:g} from the guess",
                               parameters=params)
    # x lives in (0, 1] (its domain): above T_s the solver finds no solution at all, so the first
    # point that is lost or has x >= 1 closes the bracket; a bracket closed by a lost point only is
    # checked at the end (x must have come up to 1, not the branch have ended below it)
    k = next((k for k in range(1, len(Ts)) if sols[k] is None or sols[k]["x"] >= 1), None)
    if k is None:
        raise ConvergenceError(f"x < 1 up to T_high = {T_high:g} (x = {float(sols[-1]['x']):.6g} there): "
                               f"T_s is above the interval", parameters=params)
    lo, lo_sol, hi, hi_sol = Ts[k - 1], sols[k - 1], Ts[k], sols[k]
    # x(T) rises through 1: bisect on x - 1, each solve continued from the bracket's end below (or above)
    while hi - lo > xtol:
        mid = 0.5 * (lo + hi)
        sol = _reach(solver, lo, dict(lo_sol.order_parameters), mid, params, splits=4)
        if sol is None and hi_sol is not None:
            sol = _reach(solver, hi, dict(hi_sol.order_parameters), mid, params, splits=4)
        if sol is not None and sol["x"] < 1:
            lo, lo_sol = mid, sol
        else:
            hi, hi_sol = mid, (sol if sol is not None else hi_sol)
    if hi_sol is None and 1 - float(lo_sol["x"]) > X_REACHED:
        raise ConvergenceError(
            f"the 1RSB solution followed from T = {T_low:g} is lost at T = {hi:.10g} (no convergence, or "
            f"q1 -> q0: it merges into the replica-symmetric solution) while x = {float(lo_sol['x']):.6g} < 1",
            parameters=params)
    return float(lo), lo_sol


def dynamical_transition(model, T_low, guess, step=0.01, tol=1e-11, T_max=1e3, **params):
    """``T_d``: the highest temperature at which the 1RSB equations at ``x = 1`` (the threshold states) have
    a solution with ``q1 > q0``: the fold where that branch ends (its replicon inside the blocks vanishes,
    marginal stability).

    The branch is followed from ``T_low`` upwards in steps of ``step``, halved where it is lost, until the
    step is ``step/64``; from the last point the fold is located by pseudo-arclength continuation in ``T``
    (:func:`statmech_nn.solve.continuation.continuation`, Keller 1977), which puts ``T`` at its extremum on
    the branch to far below ``1e-10`` (natural steps alone stop short of the fold by ``~1e-8``, where
    Newton's method meets the singular Jacobian).

    Parameters
    ----------
    model : Model
    T_low : float
        Where the branch is entered, from ``guess`` (the x = 1 order parameters: no ``x``).
    step : float
        First step of the march in ``T``.
    tol : float
        Residual tolerance of the continuation's corrector.
    T_max : float
        The march gives up above this temperature.
    **params
        The other parameters of the model.

    Returns
    -------
    (float, Solution)
        ``T_d`` and the threshold solution there (the fold).

    Raises
    ------
    ConvergenceError
        No threshold solution with ``q1 > q0`` at ``T_low``; the branch does not end below ``T_max``;
        or it ends without a fold (it merges into the replica-symmetric solution, ``q1 → q0``: no
        dynamical transition of this kind, e.g. beyond the critical field of the spherical p-spin).
    """
    from ..solve.continuation import continuation
    solver = model.free_energy(rsb=1, x=1).saddle_point().compile()
    sol = solver.solve(T=T_low, guess=guess, errors="mask", **params)
    if not _broken(sol):
        raise ConvergenceError(f"no threshold (x = 1) solution with q1 > q0 at T = {T_low:g} from the guess",
                               parameters=params)
    T, current, smallest = T_low, sol, step / 64
    while step > smallest:
        trial = solver.solve(T=T + step, guess=dict(current.order_parameters), errors="mask", **params)
        if _broken(trial) and abs(trial["q1"] - current["q1"]) < 0.2:
            T, current = T + step, trial
        else:
            step /= 2
        if T > T_max:
            raise ConvergenceError(f"the threshold branch does not end below T = {T_max:g}", parameters=params)

    def merged(values, _):
        return values["q1"] - values.get("q0", 0.0) <= BROKEN

    # the fold lies within a few of the last steps above T (Newton may fail a little before it)
    branch = continuation(solver, "T", T, T + 32 * step, guess=dict(current.order_parameters),
                          fixed=params, stop_at_fold=True, tol=tol, until=merged)
    if not branch.folds:
        why = (f"it merges into the replica-symmetric solution (q1 -> q0) at T = {branch.values[-1]:.10g}"
               if branch.reason == "until" else branch.status)
        raise ConvergenceError(f"the threshold branch followed from T = {T:.10g} has no fold: {why}",
                               parameters=params)
    fold = branch.folds[0]
    at = solver.solve(T=fold.value, guess=dict(fold.order_parameters), errors="mask", **params)
    if not _broken(at):
        raise ConvergenceError(f"the fold of the threshold branch at T = {fold.value:.12g} does not solve the "
                               f"equations to the solver's tolerance", parameters=params)
    return float(fold.value), at


def complexity(model, solution, fixed_x=None):
    """``Σ = β x² ∂f/∂x`` at a 1RSB ``solution`` (its order parameters and parameters), ``∂f/∂x`` of the
    1RSB free energy with free ``x`` (SymPy), evaluated by mpmath. ``fixed_x`` gives ``x`` for a
    solution of the equations at fixed ``x`` (it has no ``x`` of its own)."""
    import sympy as sp

    from ..symbolic.numeric import evaluate
    from ..symbolic.rsb import x_parisi
    fe = model.free_energy(rsb=1)
    derivative = sp.diff(fe.expr, x_parisi)
    values = {k: float(v) for k, v in solution.order_parameters.items()}
    x = fixed_x if fixed_x is not None else values["x"]
    values["x"] = x
    values.update({k: float(v) for k, v in solution.parameters.items() if k != "T"})
    T = float(solution.parameters["T"])
    values["beta"] = 1.0 / T
    return float(evaluate(derivative, values, dps=20)) * x**2 / T if T > 0 else math.nan


def zero_temperature_capacity(solver, start, guess, stop=None, parameter="alpha", tol=1e-9, **params):
    """The largest ``parameter`` (the load ``α``) of the ``T = 0`` branch through ``guess`` at ``start``:
    the fold where it ends, by pseudo-arclength continuation of the solver's zero-temperature equations
    (:func:`statmech_nn.solve.continuation.continuation`). Works for the RS and the one-step RSB saddle
    points alike (H. Steffan and R. Kühn, Z. Phys. B 95, 249 (1994): one-step Hopfield capacity 0.138186).

    Parameters
    ----------
    solver : Solver
        ``saddle_point.compile()`` (finite temperature) or ``saddle_point.zero_temperature().compile()``.
    start : float
        A load on the branch; ``guess`` its solution there (which branch).
    stop : float, optional
        Where the search ends (default ``1.5 start``).
    tol : float
        Residual tolerance of the continuation's corrector (the 1RSB Parisi parameter ``y = βx`` enters
        the energy only weakly, so its equation is solved to ``1e-9`` rather than ``1e-11``).
    **params
        The other parameters of the model.

    Returns
    -------
    (float, dict)
        The capacity and the order parameters at the fold.

    Raises
    ------
    ConvergenceError
        If the branch has no fold between ``start`` and ``stop``.
    """
    from ..solve.continuation import continuation
    stop = 1.5 * start if stop is None else stop
    if not stop > start:
        raise ParameterError(f"need stop > start, got {start}, {stop}")
    # the order parameters differ in scale (y ~ 10–100 against 1 − q0 ~ 10⁻³): long arclength steps
    branch = continuation(solver, parameter, start, stop, guess=guess, fixed=dict(params, T=0.0),
                          stop_at_fold=True, zero_temperature=True, tol=tol, max_steps=4000, max_ds=1.0)
    folds = [f for f in branch.folds if f.kind == "fold"]
    if not folds:
        raise ConvergenceError(f"the branch through {parameter} = {start:g} has no fold below {stop:g} "
                               f"(continuation ended: {branch.reason})", parameters=params)
    return folds[0].value, dict(folds[0].order_parameters)


def frozen_capacity(model, x=0.5, lo=0.7, hi=0.95, guess=None, xtol=1e-10, solver=None, **params):
    """The load ``α`` at which the complexity ``Σ = xΦ`` of the frozen one-step states of a version space
    vanishes (Krauth & Mézard 1989: ``α_c ≈ 0.833`` for the Ising perceptron at zero margin, the same for
    every ``x``), by Brent's method in ``[lo, hi]`` on the solutions of the engine's frozen saddle point
    (``model.free_energy(rsb=1).frozen(x)``), each solve started from the last one.

    Parameters
    ----------
    model : Model
        A learning problem with an error count (e.g. ``snn.model("perceptron", weights="ising")``).
    x : float
        The Parisi parameter of the frozen states, in ``(0, 1]``.
    lo, hi : float
        A bracket of the capacity (``Σ > 0`` at ``lo``, ``< 0`` at ``hi``).
    guess : dict, optional
        ``q0``, ``q_hat0`` at ``lo``; default from the RS version space at ``lo`` (``q0 = q``,
        ``q̂0 = q̂/x²``, where the frozen functional is the RS one rescaled).
    solver : Solver, optional
        ``model.free_energy(rsb=1).frozen(x).compile()``, if already built.
    **params
        The other parameters of the model (``kappa``).

    Returns
    -------
    (float, Solution)
        The capacity and the frozen solution there (``free_energy = −Φ``).

    Raises
    ------
    ConvergenceError
        No frozen solution at ``lo``, or the complexity does not change sign in ``[lo, hi]``.
    """
    from scipy.optimize import brentq
    if not 0 < lo < hi:
        raise ParameterError(f"need 0 < lo < hi, got {lo}, {hi}")
    if not 0 < x <= 1:
        raise ParameterError(f"the Parisi parameter x must lie in (0, 1], got {x}")
    solver = solver or model.free_energy(rsb=1).frozen(x).compile()
    if guess is None:
        rs = model.solver().solve(T=0.0, alpha=lo, guess=model.default_guess(["q", "q_hat"]), **params)
        guess = {"q0": float(rs["q"]), "q_hat0": float(rs["q_hat"]) / x**2}
    current = {"alpha": lo, "guess": dict(guess)}

    def solve(alpha):
        sol = solver.solve(T=0.0, alpha=alpha, guess=current["guess"], errors="mask", **params)
        if not sol.converged:
            raise ConvergenceError(f"no frozen one-step solution at alpha = {alpha:g} from {current['guess']}",
                                   parameters=dict(params, alpha=alpha))
        current["guess"] = {k: float(v) for k, v in sol.order_parameters.items()}
        return sol

    def sigma(alpha):
        return -x * float(solve(alpha).free_energy)

    s_lo, s_hi = sigma(lo), sigma(hi)
    if not s_lo > 0 > s_hi:
        raise ConvergenceError(f"the frozen complexity does not change sign in [{lo:g}, {hi:g}] "
                               f"({s_lo:.3g}, {s_hi:.3g})", parameters=params)
    alpha_c = brentq(sigma, lo, hi, xtol=xtol)
    return alpha_c, solve(alpha_c)
