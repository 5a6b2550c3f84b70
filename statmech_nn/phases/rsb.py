"""What theorists read off one-step replica-symmetry breaking: the static transition, the dynamical
transition and the complexity, from the engine's 1RSB saddle point (``model.free_energy(rsb=1)``).

* **Static transition** ``T_s``: the temperature at which the Parisi parameter ``x`` of the 1RSB solution
  reaches 1 (above it the replica-symmetric paramagnet is the equilibrium state).
* **Dynamical transition** ``T_d``: the highest temperature at which the threshold states exist — the
  1RSB equations at ``x = 1`` have a solution with ``q1 > 0``; it ends in a fold where its replicon inside
  the blocks vanishes (marginal stability).
* **Complexity** ``Σ = β x² ∂f/∂x``: the entropy of the states counted by the 1RSB measure at ``x``
  (Monasson's construction), evaluated at a solution of the equations at fixed ``x``.

References
----------
A. Crisanti and H.-J. Sommers, Z. Phys. B 87, 341 (1992) (spherical p = 3: ``T_s = 0.5861``,
``T_d = √(3/8)``); R. Monasson, PRL 75, 2847 (1995) (complexity); A. Cavagna, I. Giardina, G. Parisi,
PRB 57, 11251 (1998); T. Castellani and A. Cavagna, J. Stat. Mech. P05012 (2005).
"""
from __future__ import annotations

import math

from ..errors import ConvergenceError, ParameterError

__all__ = ["static_transition", "dynamical_transition", "complexity"]


def _follow(solver, Ts, guess, params):
    """Solutions along the temperatures ``Ts``, each from the previous one (None from where it is lost)."""
    out, current = [], dict(guess)
    for T in Ts:
        sol = solver.solve(T=float(T), guess=current, errors="mask", **params)
        if not sol.converged:
            out += [None] * (len(Ts) - len(out))
            break
        out.append(sol)
        current = dict(sol.order_parameters)
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
    **params
        The other parameters of the model.

    Returns
    -------
    (float, Solution)
        ``T_s`` and the 1RSB solution there.
    """
    import numpy as np
    if not 0 < T_low < T_high:
        raise ParameterError(f"need 0 < T_low < T_high, got {T_low}, {T_high}")
    solver = model.free_energy(rsb=1).saddle_point().compile()
    Ts = np.linspace(T_low, T_high, points)
    sols = _follow(solver, Ts, guess, params)
    below = None
    for T, sol in zip(Ts, sols):
        if sol is None or sol["x"] >= 1:
            break
        below = (T, sol)
    if below is None:
        raise ConvergenceError(f"no 1RSB solution with x < 1 at T = {T_low:g} from the guess", parameters=params)
    lo, lo_sol = below
    hi = lo + (Ts[1] - Ts[0])
    # x(T) rises to 1: bisect on x - 1, each solve continued from the last point below
    while hi - lo > xtol:
        mid = 0.5 * (lo + hi)
        sol = solver.solve(T=mid, guess=dict(lo_sol.order_parameters), errors="mask", **params)
        if sol.converged and sol["x"] < 1:
            lo, lo_sol = mid, sol
        else:
            hi = mid
    return lo, lo_sol


def dynamical_transition(model, T_low, guess, step=0.01, tol=1e-8, **params):
    """``T_d``: the highest temperature at which the 1RSB equations at ``x = 1`` (the threshold states) have
    a solution with ``q1 > 0``, followed from ``T_low`` upwards until the branch ends (a fold, where the
    replicon inside the blocks vanishes), the end located by halving the step.

    Returns
    -------
    (float, Solution)
        ``T_d`` and the threshold solution just below it.
    """
    solver = model.free_energy(rsb=1, x=1).saddle_point().compile()
    sol = solver.solve(T=T_low, guess=guess, errors="mask", **params)
    if not (sol.converged and sol["q1"] > 1e-6):
        raise ConvergenceError(f"no threshold (x = 1) solution with q1 > 0 at T = {T_low:g} from the guess",
                               parameters=params)
    T, current = T_low, sol
    while step > tol:
        trial = solver.solve(T=T + step, guess=dict(current.order_parameters), errors="mask", **params)
        if trial.converged and trial["q1"] > 1e-6 and abs(trial["q1"] - current["q1"]) < 0.2:
            T, current = T + step, trial
        else:
            step /= 2
        if T > 1e3:
            raise ConvergenceError("the threshold branch does not end below T = 1000", parameters=params)
    return T, current


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
