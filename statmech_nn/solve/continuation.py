"""Pseudo-arclength continuation of a saddle-point branch in one control parameter.

A branch is the curve ``G(x, λ) = x − F(x; λ) = 0`` of solutions ``x`` (the order parameters) as one
parameter ``λ`` moves, the others fixed. Natural continuation (solve at ``λ + Δλ`` from the solution at
``λ``) breaks down at a fold, where ``∂x/∂λ`` diverges and the branch turns back. Pseudo-arclength
continuation (Keller 1977) instead parametrises the curve by its arclength ``s``: the predictor steps
along the unit tangent ``t`` of ``(x, λ)``, the corrector solves ``G = 0`` together with
``t·(y − y_pred) = 0`` by Newton's method with the compiled Jacobian ``∂F/∂x``; the augmented matrix
``[[G_x, G_λ], [tᵀ]]`` is regular at folds, so the curve is followed through them.

Events along the branch (Allgower & Georg, *Introduction to Numerical Continuation Methods*, ch. 8;
Kuznetsov, *Elements of Applied Bifurcation Theory*, §10.2):

* **fold** (spinodal) — the ``λ``-component of the tangent changes sign; located by the secant method
  on that component, which puts ``λ`` at its extremum, so its error is quadratic in the arclength
  error (far below ``1e-8``).
* **branch point** (e.g. a branch with ``m ≠ 0`` leaving the ``m = 0`` branch) — the determinant of
  the augmented matrix changes sign (at a fold it does not); located by the secant method on that
  determinant. :func:`switch_branch` starts the continuation of the crossing branch along the second
  null vector of ``[G_x, G_λ]``.

``G_λ`` is a central finite difference (step ``1e-6`` relative): the generated kernels differentiate
in the order parameters only; the tangent needs ``G_λ`` to ``~1e-10``, which the difference delivers.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..errors import ConvergenceError, ParameterError
from .quadrature import reference_rule

__all__ = ["Branch", "BranchEvent", "continuation", "switch_branch", "PointSystem"]


class PointSystem:
    """The compiled saddle point at single points, as functions of ``x`` and one parameter ``λ``.

    Parameters
    ----------
    solver : Solver
    parameter : str
        The control parameter ``λ`` (a model parameter name; ``T`` maps to ``beta = 1/T``).
    fixed : dict
        The other parameters (model defaults fill the gaps).
    nodes : int
        Quadrature nodes of the reference rule (fixed along a branch).
    zero_temperature : bool
        Use the ``T = 0`` equations (then ``parameter`` must not be ``T``).
    """

    def __init__(self, solver, parameter, fixed, nodes=257, zero_temperature=False):
        specs = solver.model.parameter_specs
        if parameter not in specs:
            raise ParameterError(f"model {solver.model.name!r} has no parameter {parameter!r}; its "
                                 f"parameters: {', '.join(specs)}")
        if zero_temperature and parameter == "T":
            raise ParameterError("cannot continue in T on the zero-temperature equations")
        self.solver = solver
        self.parameter = parameter
        self.branch = solver._branch("zero" if zero_temperature else "finite")
        self.zero_temperature = zero_temperature
        self.kernels = self.branch.kernels.module
        self.names = list(self.branch.order_parameters)
        self.n = len(self.names)
        self.nodes = int(nodes) if self.branch.kernels.has_gaussian else 1
        self.Z, self.W = reference_rule(max(self.nodes, 3))
        values = solver.model.parameters(**{k: v for k, v in fixed.items() if k != parameter},
                                         **{parameter: specs[parameter].default
                                            if parameter != "T" else 1.0})
        if zero_temperature:
            values["T"] = np.asarray(0.0)
        self.fixed = {k: float(v) for k, v in values.items() if k != parameter}
        self._spec = specs[parameter]
        self._columns = self.branch._columns
        self._base = np.array([0.0 if c == "beta" and zero_temperature else
                               (1.0 / values["T"] if c == "beta" else float(values[c]))
                               for c in self._columns], dtype=float) if self._columns else np.empty(0)
        self._col = [i for i, c in enumerate(self._columns)
                     if c == parameter or (c == "beta" and parameter == "T")]
        self._r = np.empty(self.n)
        self._J = np.empty((self.n, self.n))

    def params(self, lam):
        """The kernel's parameter vector at ``λ``."""
        p = self._base.copy()
        for i in self._col:
            p[i] = 1.0 / lam if self.parameter == "T" else lam
        return p

    def check(self, lam):
        """Raise :class:`ParameterError` if ``λ`` is outside the parameter's range."""
        self._spec.check(lam)
        if self.parameter == "T" and lam == 0:
            raise ParameterError("continuation in T needs T > 0 (use zero_temperature at T = 0)")

    def G(self, x, lam):
        self.kernels.rhs(x, self.params(lam), self.Z, self.W, self._r)
        return x - self._r

    def in_domain(self, x, lam):
        return bool(self.kernels.in_domain(x, self.params(lam)))

    def G_x(self, x, lam):
        p = self.params(lam)
        self.kernels.jac(x, p, self.Z, self.W, self._J)
        if not np.all(np.isfinite(self._J)):
            self.kernels.jac_stein(x, p, self.Z, self.W, self._J)
        return np.eye(self.n) - self._J

    def G_lam(self, x, lam):
        h = 1e-6 * max(1.0, abs(lam))
        lower = 0.0 if self.parameter == "T" else self._spec.lower
        if lam - h <= lower:   # one-sided (second order) at the lower end of the range, e.g. alpha = 0
            return (-3 * self.G(x, lam) + 4 * self.G(x, lam + h) - self.G(x, lam + 2 * h)) / (2 * h)
        return (self.G(x, lam + h) - self.G(x, lam - h)) / (2 * h)

    def solve(self, x0, lam, tol=1e-11, maxiter=100):
        """Newton/damped solve at fixed ``λ`` from ``x0``; returns ``(x, residual)``."""
        X0 = np.ascontiguousarray(np.atleast_2d(x0), dtype=float)
        X = np.empty_like(X0)
        res = np.empty(1)
        it = np.empty(1, np.int64)
        self.kernels.solve_batch(X0, self.params(lam)[None, :], self.Z, self.W, tol, maxiter, 0.5,
                                 X, res, it)
        return X[0], float(res[0])

    def observables(self, x, lam):
        """Free energy, replicon (NaN if none) and Hessian of ``f`` at ``(x, λ)``."""
        F, R = np.empty(1), np.empty(1)
        H = np.empty((1, self.n, self.n))
        self.kernels.evaluate_batch(np.ascontiguousarray(x[None, :]), self.params(lam)[None, :],
                                    self.Z, self.W, F, H, R)
        return float(F[0]), float(R[0]), H[0]


@dataclass
class BranchEvent:
    """A fold or a branch point located on a branch.

    Attributes
    ----------
    kind : {"fold", "branch point"}
    parameter : str
    value : float
        The control parameter at the event.
    order_parameters : dict
        The solution there.
    index : int
        The event lies between ``branch.values[index]`` and ``branch.values[index + 1]``.
    tangent : numpy.ndarray
        Unit tangent ``(dx/ds, dλ/ds)`` of the branch at the event.
    null_vector : numpy.ndarray or None
        For a branch point: the direction ``(x, λ)`` of the crossing branch.
    """
    kind: str
    parameter: str
    value: float
    order_parameters: dict
    index: int
    tangent: np.ndarray = field(repr=False, default=None)
    null_vector: np.ndarray = field(repr=False, default=None)
    point: np.ndarray = field(repr=False, default=None)


@dataclass
class Branch:
    """A solution branch traced by :func:`continuation`.

    Attributes
    ----------
    parameter : str
    values : numpy.ndarray
        The control parameter at each point, in the order traced.
    order_parameters : dict
        Name -> array along the branch.
    free_energy, replicon : numpy.ndarray
    events : list of BranchEvent
        Folds and branch points, in the order met.
    status : str
        Why the continuation stopped, in words.
    reason : str
        The same as a code: ``"stop"`` (reached ``stop``), ``"fold"`` (with ``stop_at_fold``),
        ``"until"``, ``"range"`` (the parameter left its range), ``"corrector"`` (no solution
        found ahead: the branch leaves the domain of the equations or turns too sharply) or
        ``"max_steps"``.
    fixed : dict
        The other parameters.
    """
    parameter: str
    values: np.ndarray
    order_parameters: dict
    free_energy: np.ndarray
    replicon: np.ndarray
    events: list
    status: str
    fixed: dict
    points: np.ndarray = field(repr=False, default=None)
    tangents: np.ndarray = field(repr=False, default=None)
    reason: str = "stop"

    @property
    def folds(self):
        return [e for e in self.events if e.kind == "fold"]

    @property
    def branch_points(self):
        return [e for e in self.events if e.kind == "branch point"]

    def __getitem__(self, name):
        return self.order_parameters[name]

    def __len__(self):
        return len(self.values)


class _Tracer:
    """Predictor–corrector machinery in the scaled variables ``y = (x, λ/scale)``."""

    def __init__(self, system, scale, tol):
        self.s = system
        self.scale = scale
        self.tol = tol
        self.n = system.n

    def lam(self, y):
        return y[-1] * self.scale

    def augmented(self, y, t):
        x, lam = y[:-1], self.lam(y)
        A = np.empty((self.n + 1, self.n + 1))
        A[:-1, :-1] = self.s.G_x(x, lam)
        A[:-1, -1] = self.s.G_lam(x, lam) * self.scale
        A[-1] = t
        return A

    def tangent(self, y, t_prev):
        A = self.augmented(y, t_prev)
        rhs = np.zeros(self.n + 1)
        rhs[-1] = 1.0
        try:
            t = np.linalg.solve(A, rhs)
        except np.linalg.LinAlgError:       # exactly at a branch point: keep the direction
            t = t_prev.copy()
        t /= np.linalg.norm(t)
        if t @ t_prev < 0:
            t = -t
        return t, np.linalg.det(self.augmented(y, t))

    def correct(self, y_pred, t, maxiter=10):
        """Newton on ``G(y) = 0, t·(y − y_pred) = 0``; returns y or None."""
        y = y_pred.copy()
        for _ in range(maxiter):
            x, lam = y[:-1], self.lam(y)
            if not self.s.in_domain(x, lam):
                return None
            g = self.s.G(x, lam)
            if not np.all(np.isfinite(g)):
                return None
            if np.max(np.abs(g)) <= self.tol and abs(t @ (y - y_pred)) <= self.tol:
                return y
            A = self.augmented(y, t)
            b = np.concatenate([g, [t @ (y - y_pred)]])
            try:
                dy = np.linalg.solve(A, b)
            except np.linalg.LinAlgError:
                return None
            y = y - dy
            if not np.all(np.isfinite(y)):
                return None
        x, lam = y[:-1], self.lam(y)
        if self.s.in_domain(x, lam) and np.max(np.abs(self.s.G(x, lam))) <= self.tol:
            return y
        return None

    def point_at(self, y0, t0, s):
        """The corrected point at arclength ``s`` from ``y0`` along ``t0`` and its tangent/det."""
        y = self.correct(y0 + s * t0, t0)
        if y is None:
            return None
        t, det = self.tangent(y, t0)
        return y, t, det

    def locate(self, y0, t0, s_hi, quantity, q0, q_hi, tol_s=1e-10):
        """Secant/bisection (Illinois) on ``quantity(point)`` over ``s ∈ (0, s_hi)``."""
        a, fa, b, fb = 0.0, q0, s_hi, q_hi
        best = None
        side = 0
        for _ in range(60):
            s = b - fb * (b - a) / (fb - fa) if fb != fa else 0.5 * (a + b)
            if not (min(a, b) < s < max(a, b)):
                s = 0.5 * (a + b)
            pt = self.point_at(y0, t0, s)
            if pt is None:
                return best
            q = quantity(pt)
            best = pt
            if q == 0 or abs(b - a) < tol_s:
                return pt
            if (q > 0) == (fb > 0):
                b, fb = s, q
                if side == -1:
                    fa *= 0.5
                side = -1
            else:
                a, fa = s, q
                if side == 1:
                    fb *= 0.5
                side = 1
        return best


def continuation(solver, parameter, start, stop, guess=None, fixed=None, ds=None, max_steps=500,
                 tol=1e-11, nodes=None, stop_at_fold=False, zero_temperature=False,
                 direction=None, start_point=None, max_ds=0.05, until=None):
    """Trace the branch through the solution at ``parameter = start`` towards ``stop``.

    Parameters
    ----------
    solver : Solver
        From ``saddle_point.compile()``.
    parameter : str
        The control parameter (``"T"``, ``"alpha"``, ``"h"``, ...).
    start, stop : float
        Where the branch starts and the value at which it ends; the branch may fold back before.
    guess : dict, optional
        Starting values of the order parameters at ``start`` (which branch to trace).
    fixed : dict, optional
        The other parameters.
    ds : float, optional
        First arclength step, in units where ``|stop − start| = 1`` (default ``1/50``).
    max_ds : float
        Largest arclength step, same units.
    until : callable, optional
        ``until(order_parameters: dict, value) -> bool``; the continuation stops (reason
        ``"until"``) at the first point where it returns True, e.g. when the branch has merged
        into another one.
    max_steps : int
    tol : float
        Residual tolerance of the corrector.
    nodes : int, optional
        Quadrature nodes (default: the solver's adaptive choice at the start point, at least 129).
    stop_at_fold : bool
        Stop at the first fold (e.g. to find where a branch ends) instead of following it back.
    zero_temperature : bool
        Continue the ``T = 0`` equations.
    direction : {+1, -1}, optional
        Initial direction of ``λ`` (default: towards ``stop``).
    start_point : numpy.ndarray, optional
        ``(x, λ)`` and a tangent to start from directly (used by :func:`switch_branch`).

    Returns
    -------
    Branch

    Raises
    ------
    ConvergenceError
        If no solution is found at ``start``.

    Examples
    --------
    >>> solver = snn.model("hopfield").free_energy().saddle_point().compile()   # doctest: +SKIP
    >>> br = continuation(solver, "T", 0.3, 1.2, guess={"m": 1}, fixed={"alpha": 0.05},
    ...                   stop_at_fold=True)                                     # doctest: +SKIP
    >>> br.folds[0].value          # the retrieval spinodal T_M(0.05)            # doctest: +SKIP
    """
    fixed = dict(fixed or {})
    if stop == start and start_point is None:
        raise ParameterError("continuation needs stop != start")
    if nodes is None:
        if start_point is None:
            at = dict(fixed, **{parameter: start})
            if zero_temperature:
                at["T"] = 0.0
            sol = solver.solve(guess=guess, **at)
            nodes = max(int(sol.nodes), 129)
        else:
            nodes = 257
    system = PointSystem(solver, parameter, fixed, nodes=nodes, zero_temperature=zero_temperature)
    system.check(start)
    scale = abs(stop - start) if stop != start else 1.0
    tracer = _Tracer(system, scale, tol)
    sign = direction if direction is not None else (1.0 if stop > start else -1.0)

    if start_point is None:
        x0 = np.array([float((guess or {}).get(n, solver.model.default_guess([n])[n]))
                       for n in system.names])
        x0, res = system.solve(x0, start, tol=tol)
        if not res <= tol:
            raise ConvergenceError(f"continuation of {solver.model.name!r}: no solution at "
                                   f"{parameter}={start:g} from guess {guess} (residual {res:.3g})",
                                   residual=res, parameters={parameter: start, **fixed})
        y = np.concatenate([x0, [start / scale]])
        # initial tangent from dx/dλ = -G_x^{-1} G_λ
        try:
            dxdl = -np.linalg.solve(system.G_x(x0, start), system.G_lam(x0, start))
        except np.linalg.LinAlgError:
            dxdl = np.zeros(system.n)
        t = np.concatenate([dxdl * scale, [1.0]]) * sign
        t /= np.linalg.norm(t)
        t, det = tracer.tangent(y, t)
    else:
        y, t = start_point
        y = np.array(y, float)
        y[-1] /= scale
        t = np.array(t, float)
        t[-1] /= scale
        t /= np.linalg.norm(t)
        y = tracer.correct(y, t)
        if y is None:
            raise ConvergenceError(f"continuation of {solver.model.name!r}: no solution near the "
                                   f"start point {parameter}={start:g}", residual=math.inf,
                                   parameters={parameter: start, **fixed})
        t, det = tracer.tangent(y, t)

    ds = (1.0 / 50) if ds is None else float(ds)
    ds_min, ds_max = 1e-9, float(max_ds)
    pts, tans, events = [y], [t], []
    status = reason = "max_steps"
    stop_s = stop / scale
    for step in range(max_steps):
        new = tracer.point_at(y, t, ds)
        if new is None:
            ds *= 0.5
            if ds < ds_min:
                lam = tracer.lam(y)
                status = (f"the corrector failed near {parameter}={lam:.10g} (the branch leaves the "
                          f"domain of the equations or turns too sharply)")
                reason = "corrector"
                break
            continue
        y1, t1, det1 = new
        lam0, lam1 = tracer.lam(y), tracer.lam(y1)
        # fold: dλ/ds changes sign
        if t[-1] * t1[-1] < 0:
            pt = tracer.locate(y, t, ds, lambda p: p[1][-1], t[-1], t1[-1])
            if pt is not None:
                events.append(_event("fold", system, tracer, pt, len(pts) - 1))
                if stop_at_fold:
                    pts.append(pt[0])
                    tans.append(pt[1])
                    status = reason = "fold"
                    break
        elif det * det1 < 0:
            pt = tracer.locate(y, t, ds, lambda p: p[2], det, det1)
            if pt is not None:
                ev = _event("branch point", system, tracer, pt, len(pts) - 1)
                ev.null_vector = _second_null_vector(tracer, pt[0], pt[1])
                events.append(ev)
        # passing the stop value: land exactly on it with the natural-parameter corrector
        if (lam1 - stop) * (lam0 - stop) <= 0 and lam1 != lam0 and (lam1 - lam0) * sign > 0:
            frac = (stop_s - y[-1]) / (y1[-1] - y[-1])
            xs = y[:-1] + frac * (y1[:-1] - y[:-1])
            xs, res = system.solve(xs, stop, tol=tol)
            if res <= tol:
                pts.append(np.concatenate([xs, [stop_s]]))
                tans.append(t1)
                status, reason = "reached stop", "stop"
                break
        y, t, det = y1, t1, det1
        pts.append(y)
        tans.append(t)
        ds = min(ds * 1.3, ds_max)
        lam = tracer.lam(y)
        if lam < system._spec.lower or (parameter == "T" and lam <= 0):
            status, reason = f"{parameter} left its range at {lam:.6g}", "range"
            pts.pop()
            tans.pop()
            break
        if until is not None and until(dict(zip(system.names, map(float, y[:-1]))), lam):
            status, reason = f"stopped by the until condition at {parameter}={lam:.10g}", "until"
            break
    return _make_branch(system, tracer, pts, tans, events, status, reason)


def _event(kind, system, tracer, pt, index):
    y, t, _ = pt
    return BranchEvent(kind=kind, parameter=system.parameter, value=float(tracer.lam(y)),
                       order_parameters=dict(zip(system.names, map(float, y[:-1]))), index=index,
                       tangent=_unscale(t, tracer.scale),
                       point=np.concatenate([y[:-1], [tracer.lam(y)]]))


def _unscale(t, scale):
    u = np.array(t, float)
    u[-1] *= scale
    return u / np.linalg.norm(u)


def _second_null_vector(tracer, y, t):
    """The null direction of ``[G_x, G_λ]`` orthogonal to the tangent (branch switching)."""
    A = tracer.augmented(y, t)[:-1]
    _, _, vt = np.linalg.svd(A)
    basis = vt[-2:]                   # two smallest right singular vectors span the null space
    v = basis[0] - (basis[0] @ t) * t
    if np.linalg.norm(v) < 1e-8:
        v = basis[1] - (basis[1] @ t) * t
    v /= np.linalg.norm(v)
    return np.concatenate([v[:-1], [v[-1] * tracer.scale]])


def _make_branch(system, tracer, pts, tans, events, status, reason):
    Y = np.array(pts)
    lam = Y[:, -1] * tracer.scale
    F = np.empty(len(Y))
    R = np.empty(len(Y))
    for i, y in enumerate(Y):
        F[i], R[i], _ = system.observables(y[:-1], lam[i])
    return Branch(parameter=system.parameter, values=lam,
                  order_parameters={n: Y[:, j] for j, n in enumerate(system.names)},
                  free_energy=F, replicon=R, events=events, status=status, fixed=system.fixed,
                  points=np.column_stack([Y[:, :-1], lam]),
                  tangents=np.array([_unscale(t, tracer.scale) for t in tans]), reason=reason)


def switch_branch(solver, event, stop, fixed=None, eps=1e-3, direction=1, **options):
    """Continue the branch crossing ``event`` (a branch point) towards ``stop``.

    Parameters
    ----------
    solver : Solver
    event : BranchEvent
        A ``"branch point"`` from :func:`continuation`.
    stop : float
        Where to stop in the control parameter.
    eps : float
        Distance of the first point from the branch point along the new direction.
    direction : {+1, -1}
        Which half of the crossing branch (e.g. ``m > 0`` or ``m < 0`` after a pitchfork).

    Returns
    -------
    Branch
    """
    if event.kind != "branch point" or event.null_vector is None:
        raise ParameterError("switch_branch needs a 'branch point' event from continuation()")
    v = np.asarray(event.null_vector, float) * direction
    start = event.point + eps * v / np.linalg.norm(v)
    return continuation(solver, event.parameter, float(start[-1]), stop, fixed=fixed,
                        start_point=(start, v), **options)
