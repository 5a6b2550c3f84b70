"""The phase-diagram engine: every branch on a coarse grid, then every line located precisely.

1. **Branches.** On a coarse ``(x, y)`` grid the saddle point is solved from the model's
   :meth:`~statmech_nn.models.base.Model.phase_seeds` (paramagnet, spin glass, each ordered state and
   mixture). Converged solutions that are minima of ``f`` in the magnetisations are kept and named by
   :meth:`~statmech_nn.models.base.Model.classify`.
2. **The phase at a point** is the branch of lowest free energy, after one replica rule: of two
   solutions with the same magnetisations the one with the larger ``q`` is the physical one (for
   ``n → 0`` the free energy is *maximised* in ``q``, so the ``q = 0`` paramagnet below ``T_g`` loses
   to the spin glass although its ``f`` is lower).
3. **Lines.** Every pair of neighbouring grid points brackets at most a few events, each located
   along the segment between them:

   * *first-order* — the phase changes and both branches exist at both ends: root of
     ``f_a − f_b``;
   * *second-order* — the phase changes and the old branch continues (it is the parent of the new
     one): root of ``det ∂²f`` on the parent, where it becomes linearly unstable;
   * *AT line* — the replicon eigenvalue of a branch changes sign: its root;
   * *spinodal* — a branch exists at one end only: pseudo-arclength continuation from the end where
     it exists locates the fold (:func:`statmech_nn.solve.continuation.continuation`). A branch that
     ends by merging into another (no fold) ends at a second-order point, not a spinodal.

   Roots are found by the Illinois method on all segments at once (one vectorised solve per
   iteration, warm-started from the bracket), to ``1e-10`` in the parameter.

Nothing is dropped silently: a refinement or continuation that fails is listed in
``PhaseDiagram.notes`` with the branch and the parameters.
"""
from __future__ import annotations

import math
import time

import numpy as np

from ..errors import ParameterError
from .diagram import Line, PhaseDiagram

__all__ = ["phase_diagram"]

_ROOT_TOL = 1e-10
#: lines with fewer points are not lines at the grid's resolution: reported in the notes, not drawn
MIN_LINE_POINTS = 3


def _axis(model, spec, which):
    try:
        name, lo, hi = spec
        lo, hi = float(lo), float(hi)
    except (TypeError, ValueError):
        raise ParameterError(f"{which} must be (name, low, high), e.g. ('T', 0, 1.5); got {spec!r}") \
            from None
    if name not in model.parameter_specs:
        raise ParameterError(f"{which}: model {model.name!r} has no parameter {name!r}; its parameters: "
                             f"{', '.join(model.parameter_specs)}")
    if not hi > lo:
        raise ParameterError(f"{which}: need low < high, got {lo:g} >= {hi:g}")
    model.parameter_specs[name].check([lo, hi])
    return name, lo, hi


class _Grid:
    """Branches found at the coarse grid points."""

    def __init__(self, model, solver, xs, ys, xname, yname, fixed):
        self.model = model
        self.xs, self.ys = xs, ys
        self.xname, self.yname = xname, yname
        X, Y = np.meshgrid(xs, ys)
        params = dict(fixed)
        params[xname], params[yname] = X, Y
        self.params = {k: np.broadcast_to(v, X.shape) for k, v in model.parameters(**params).items()}
        names = list(solver._branch("finite").order_parameters)
        self.records = [[{} for _ in xs] for _ in ys]       # minima in the magnetisations
        self.unstable = [[{} for _ in xs] for _ in ys]      # the other solutions (saddles in m)
        flat = [{k: float(v[j, i]) for k, v in self.params.items()}
                for j in range(len(ys)) for i in range(len(xs))]
        self.symmetric = np.array([model.sign_symmetric(p) for p in flat]).reshape(X.shape)
        self.signed = not self.symmetric.all()
        T = self.params.get("T")
        zero = np.zeros(X.shape, bool) if T is None else (T == 0)
        finite = ~zero
        for seed in model.phase_seeds(names, signed=self.signed):
            if finite.any():
                sol = solver.solve(guess=seed, errors="mask",
                                   **{k: v[finite] for k, v in self.params.items()})
                self._collect(sol, np.argwhere(finite))
        if zero.any():
            self._zero_temperature(solver, zero)
        self.phase = [[dominant_branch(self.records[j][i], model.zero_tolerance, model.magnetisation_names)
                       for i in range(len(xs))]
                      for j in range(len(ys))]

    def _zero_temperature(self, solver, zero):
        """The ``T = 0`` points, started from the branches at the nearest ``T > 0`` grid point
        (``C = (1 − q)/T``): the low-temperature limit of each branch, which the generic seeds
        may not reach (e.g. the spin glass, whose ``r`` is large)."""
        axis = 0 if self.yname == "T" else 1
        step = 1 if (self.ys if axis == 0 else self.xs)[0] == 0 else -1
        cells = np.argwhere(zero)
        starts = {}         # label of the neighbour's branch -> [(cell, guess)]
        for j, i in cells:
            jn, in_ = (j + step, i) if axis == 0 else (j, i + step)
            Tn = float(self.params["T"][jn, in_])
            for label, rec in self.records[jn][in_].items():
                g = dict(rec["x"])
                if "q" in g:
                    g["C"] = max((1.0 - g.pop("q")) / Tn, 1e-6)
                starts.setdefault(label, []).append(((j, i), g))
        zero_names = solver._branch("zero").order_parameters
        for k, seed in enumerate(self.model.phase_seeds(zero_names, signed=self.signed)):
            starts[k] = [((j, i), seed) for j, i in cells]
        for group in starts.values():
            where = [c for c, _ in group]
            keys = set.intersection(*(set(g) & set(zero_names) for _, g in group))
            guess = {k: np.array([g[k] for _, g in group]) for k in keys}
            sol = solver.solve(guess=guess, errors="mask",
                               **{k: np.array([v[j, i] for j, i in where]) for k, v in self.params.items()})
            self._collect(sol, where)

    def point(self, j, i):
        return {k: float(v[j, i]) for k, v in self.params.items()}

    def _collect(self, sol, where):
        """Keep the converged solutions of ``sol`` (flat, one per grid index in ``where``) that are
        minima in the magnetisations; at sign-symmetric points only the positive of a pair."""
        def arr(v):
            return np.atleast_1d(v)

        conv, stab = arr(sol.converged), arr(sol.curvature_stable)
        f, R = arr(sol.free_energy), arr(sol.replicon)
        H = sol.hessian.reshape(-1, *sol.hessian.shape[-2:])
        values = {n: arr(sol[n]) for n in sol.order_parameters}
        for n, (j, i) in enumerate(where):
            if not conv[n]:
                continue
            vals = {k: float(v[n]) for k, v in values.items() if np.isfinite(v[n])}
            if not self.signed:
                mags = set(self.model.magnetisation_names(list(vals)))
                first = next((v for k, v in vals.items() if k in mags and
                              abs(v) > self.model.zero_tolerance), 0.0)
                if first < 0:
                    continue
            label = self.model.classify(vals, self.point(j, i), float(R[n]))
            k = len(vals)
            rec = {"x": vals, "f": float(f[n]), "R": float(R[n]),
                   "det": float(np.linalg.det(H[n][:k, :k])), "label": label, "cs": bool(stab[n])}
            store = self.records[j][i] if stab[n] else self.unstable[j][i]
            old = store.get(label)
            if old is None or rec["f"] < old["f"] - 1e-12:
                store[label] = rec



def dominant_branch(recs, eps, magnetisations=None):
    """The phase among the branches ``recs`` (label -> ``{"x": order parameters, "f": free energy}``,
    minima in the magnetisations): the lowest ``f`` after the replica rule — of two solutions with the
    same magnetisations the one with the larger ``q`` is the physical one (for ``n → 0`` ``f`` is
    maximised in ``q``). None if there is none. ``magnetisations(names)`` picks the magnetisation-like
    order parameters (default: names starting with ``m``)."""
    if not recs:
        return None
    alive = dict(recs)
    for a, ra in recs.items():
        for b, rb in recs.items():
            names = (magnetisations(list(ra["x"])) if magnetisations is not None
                     else [k for k in ra["x"] if k.startswith("m")])
            if a != b and "q" in ra["x"] and "q" in rb["x"] and _same_magnetisation(ra, rb, eps, names) \
                    and rb["x"]["q"] > ra["x"]["q"] + eps:
                alive.pop(a, None)
    return min(alive, key=lambda k: alive[k]["f"])


def _same_magnetisation(ra, rb, eps, names):
    ma = {k: v for k, v in ra["x"].items() if k in names}
    mb = {k: v for k, v in rb["x"].items() if k in names}
    return ma.keys() == mb.keys() and all(abs(ma[k] - mb[k]) <= 100 * eps for k in ma)


def _distance(a, b):
    keys = set(a) & set(b)
    return max((abs(a[k] - b[k]) for k in keys), default=math.inf)


class _Task:
    """One event to locate on the segment from grid point A to grid point B."""

    def __init__(self, kind, name, A, B, param, branches, gA, gB, labels=()):
        self.kind = kind
        self.name = name
        self.labels = tuple(labels)      # the branch of each slot
        self.A, self.B = A, B            # parameter dicts
        self.param = param
        self.branches = branches         # list of (xA, xB) order-parameter dicts, one per branch
        self.ta, self.tb = 0.0, 1.0
        self.ga, self.gb = gA, gB
        self.xa = [b[0] for b in branches]
        self.xb = [b[1] for b in branches]
        self.side = 0
        self.done = False
        self.failed = None
        self.result = None
        # an event exactly on a grid point (e.g. the first-order line at h = 0 by symmetry): zero to
        # rounding, relative to the other end (the quantities can be tiny everywhere, e.g. the
        # Hessian determinant ~ alpha^2 near alpha = 0)
        scale = max(abs(gA), abs(gB))
        for end, g in ((A, gA), (B, gB)):
            if abs(g) <= 1e-12 * scale:
                self.done, self.result = True, dict(end)

    def params_at(self, t):
        return {k: self.A[k] + t * (self.B[k] - self.A[k]) for k in self.A}

    def guess_at(self, t, slot):
        a, b = self.xa[slot], self.xb[slot]
        w = (t - self.ta) / (self.tb - self.ta)
        return {k: a[k] + w * (b[k] - a[k]) for k in a if k in b}


def _solve_points(solver, points, guesses):
    """Solve at every parameter dict of ``points`` from its guess (grouped by the unknowns, which
    differ at T = 0); returns per point a record ``{"x", "f", "R", "det", "cs"}`` or None where it
    did not converge."""
    out = [None] * len(points)
    groups = {}
    for n, g in enumerate(guesses):
        groups.setdefault(frozenset(g), []).append(n)
    for keys, idx in groups.items():
        params = {k: np.array([points[n][k] for n in idx]) for k in points[idx[0]]}
        guess = {k: np.array([guesses[n][k] for n in idx]) for k in keys}
        sol = solver.solve(guess=guess, errors="mask", **params)
        for a, n in enumerate(idx):
            if not sol.converged[a]:
                continue
            vals = {k: float(sol[k][a]) for k in sol.order_parameters if np.isfinite(sol[k][a])}
            k = len(vals)
            out[n] = {"x": vals, "f": float(sol.free_energy[a]), "R": float(sol.replicon[a]),
                      "det": float(np.linalg.det(sol.hessian[a][:k, :k])),
                      "cs": bool(sol.curvature_stable[a])}
    return out


def _quantity(kind, recs):
    if kind == "first-order":
        return recs[0]["f"] - recs[1]["f"]
    if kind == "second-order":
        return recs[0]["det"]
    return recs[0]["R"]       # AT


def _refine(solver, tasks, notes):
    """Illinois iterations on every task at once."""
    active = [t for t in tasks if not t.done]
    for _ in range(80):
        active = [t for t in active if not t.done]
        if not active:
            break
        ts = []
        for task in active:
            a, b, ga, gb = task.ta, task.tb, task.ga, task.gb
            t = b - gb * (b - a) / (gb - ga) if gb != ga else 0.5 * (a + b)
            if not (min(a, b) < t < max(a, b)):
                t = 0.5 * (a + b)
            ts.append(t)
        nslots = max(len(t.branches) for t in active)
        solved = []      # per slot: (values dict name -> array, f, R, det, converged, guesses)
        for slot in range(nslots):
            guesses = [task.guess_at(t, min(slot, len(task.branches) - 1)) for task, t in zip(active, ts)]
            solved.append(_solve_points(solver, [task.params_at(t) for task, t in zip(active, ts)],
                                        guesses))
        for n, (task, t) in enumerate(zip(active, ts)):
            recs = []
            for slot in range(len(task.branches)):
                out = solved[slot][n]
                if out is None:
                    break
                span = max(_distance(task.xa[slot], task.xb[slot]), 1e-3)
                if _distance(out["x"], task.guess_at(t, slot)) > 2 * span + 1e-6:
                    break            # jumped to another branch
                recs.append(out)
            if len(recs) < len(task.branches):
                task.done = True
                task.failed = (f"{task.kind} line {task.name!r}: the branch could not be followed "
                               f"between {_fmt(task.params_at(task.ta), task.param)} and "
                               f"{_fmt(task.params_at(task.tb), task.param)}")
                continue
            g = _quantity(task.kind, recs)
            width = abs(task.tb - task.ta) * abs(task.B[task.param] - task.A[task.param])
            if g == 0 or width < _ROOT_TOL:
                task.done = True
                task.result = task.params_at(t)
                continue
            if (g > 0) == (task.gb > 0):
                task.tb, task.gb, task.xb = t, g, [r["x"] for r in recs]
                if task.side == -1:
                    task.ga *= 0.5
                task.side = -1
            else:
                task.ta, task.ga, task.xa = t, g, [r["x"] for r in recs]
                if task.side == 1:
                    task.gb *= 0.5
                task.side = 1
    for task in tasks:
        if task.failed:
            notes.append(task.failed)
        elif not task.done:
            notes.append(f"{task.kind} line {task.name!r}: no convergence of the root search on "
                         f"{_fmt(task.A, task.param)} .. {task.B[task.param]:g}")


def _fmt(params, first=None):
    keys = ([first] if first else []) + [k for k in params if k != first]
    return "(" + ", ".join(f"{k}={params[k]:.8g}" for k in keys) + ")"


def _branch_ends(solver, model, ends, failures, iterations=18, known=False):
    """Where each branch in ``ends`` stops existing between two grid points, and how.

    ``ends`` holds ``(label, record, A, B, param)``: the branch exists at A, not at B. Bisection on
    existence (all segments at once, warm-started from the last point where the branch was found)
    brackets the end to ``2^-iterations`` of the segment. If the solution just beyond converges
    next to the branch (another branch it merges into), the end is a bifurcation, not a spinodal;
    otherwise it is a fold, which pseudo-arclength continuation from just inside then locates
    (:func:`statmech_nn.solve.continuation.continuation`). Returns, for each end in order,
    ``(label, fold, x)``: the fold's parameter dict and a solution of the branch inside, or ``None,
    None`` where the end is not a fold. With ``known`` (ends already
    known to lie on a spinodal line) neither the merging nor the domain test is made, and where the
    continuation does not meet the fold (the equations grow too stiff next to it) the fold is where
    the determinant of the Hessian, which vanishes like the square root of the distance to a fold,
    extrapolates to zero from the last two points found inside (linear in ``det²``).
    """
    from ..solve.continuation import continuation
    if not ends:
        return []
    n = len(ends)
    ta, tb = np.zeros(n), np.ones(n)
    xin = [rec["x"] for _, rec, _, _, _ in ends]
    din = [rec["det"] for _, rec, _, _, _ in ends]
    xout = [None] * n
    inside = [[(0.0, rec["det"])] for _, rec, _, _, _ in ends]

    def params_at(k, t):
        _, _, A, B, _ = ends[k]
        return {p: A[p] + t * (B[p] - A[p]) for p in A}

    for _ in range(iterations):
        tm = 0.5 * (ta + tb)
        out = _solve_points(solver, [params_at(k, tm[k]) for k in range(n)], xin)
        for k in range(n):
            label = ends[k][0]
            o = out[k]
            same = o is not None and o["cs"] and \
                model.classify(o["x"], params_at(k, tm[k]), o["R"]) == label
            if same:
                ta[k], xin[k], din[k] = tm[k], o["x"], o["det"]
                inside[k].append((tm[k], o["det"]))
            else:
                tb[k], xout[k] = tm[k], (o["x"] if o is not None else None)
    folds = []
    for k, (label, rec, A, B, param) in enumerate(ends):
        folds.append((label, None, None))
        if not known and xout[k] is not None and _distance(xout[k], xin[k]) < 1e-2:
            continue          # merges into the branch it converged to: a bifurcation, no spinodal
        if not known and xout[k] is None and abs(din[k]) > 0.05 * abs(rec["det"]):
            # nothing converges beyond and the Hessian stays regular up to there (at a fold it
            # vanishes like the square root of the distance): the equations leave their domain
            # (e.g. 1 − β(1 − q) ≤ 0) or the branch runs off to infinity
            failures.setdefault(("domain", label), []).append(_fmt(params_at(k, tb[k]), param))
            continue
        start = params_at(k, ta[k])
        fixed = {p: v for p, v in start.items() if p != param}
        stop = B[param]
        try:
            br = continuation(solver, param, start[param], stop, guess=xin[k], fixed=fixed,
                              stop_at_fold=True, zero_temperature=fixed.get("T", 1.0) == 0,
                              ds=0.02, max_ds=0.25, max_steps=40, tol=1e-11)
        except Exception as exc:      # reported, never silent
            failures.setdefault(label, []).append(f"{_fmt(start, param)}: {exc}")
            br = None
        if known and (br is None or br.reason != "fold"):
            # a spinodal line's next point where the continuation did not meet the fold (too stiff
            # there): where the Hessian's determinant, ~ the square root of the distance to the
            # fold, extrapolates to zero from the last two points inside (linear in det²)
            t = 0.5 * (ta[k] + tb[k])
            if len(inside[k]) >= 2:
                (t1, d1), (t2, d2) = inside[k][-2:]
                if d1 * d1 > d2 * d2 > 0:
                    t = min(max(t2 + d2 * d2 * (t2 - t1) / (d1 * d1 - d2 * d2), t2), 1.0)
            folds[-1] = (label, params_at(k, t), xin[k])
            continue
        if br is None:
            continue
        if br.reason == "fold":
            # with a solution inside: for a line continued step by step the last one found (the
            # next fold is near), for a grid segment the one where the search started, a cell
            # inside (next to the fold a solver falls onto the unstable partner as easily)
            folds[-1] = (label, dict(fixed, **{param: br.folds[-1].value}), xin[k] if known else rec["x"])
        elif xout[k] is None:
            # no fold and nothing converges beyond: the equations leave their domain there
            # (e.g. 1 − β(1 − q) ≤ 0) or the branch runs off to infinity
            failures.setdefault(("domain", label), []).append(_fmt(params_at(k, tb[k]), param))
        elif br.reason != "stop":
            failures.setdefault(label, []).append(f"from {_fmt(start, param)}: {br.status}")
    return folds


def _at_near_zero_temperature(solver, grid, tasks):
    """AT roots between the lowest ``T > 0`` grid row and ``T = 0`` (where the equations carry no
    replicon): a branch with a positive replicon at the lowest row is followed down to
    ``T = 10^{-3}`` of that row and the root bracketed there."""
    if "T" not in grid.params or grid.yname != "T" or grid.ys[0] != 0 or len(grid.ys) < 2:
        return
    T1 = float(grid.ys[1])
    cands = []     # (column, label, record at the lowest finite row)
    for i in range(len(grid.xs)):
        for label, rec in grid.records[1][i].items():
            if label in ("paramagnet", "spin glass") or not rec["R"] > 0:
                continue
            cands.append((i, label, rec))
    if not cands:
        return
    # follow each branch down in geometric steps, warm-started, so it cannot jump to another one
    params = {k: np.array([grid.params[k][1, i] for i, _, _ in cands]) for k in grid.params}
    last = [rec for _, _, rec in cands]
    lastT = np.full(len(cands), T1)
    alive = np.ones(len(cands), bool)
    for T in T1 * np.logspace(-0.3, -3, 10):
        idx = np.flatnonzero(alive)
        if not idx.size:
            break
        guess = {k: np.array([last[n]["x"][k] for n in idx]) for k in last[idx[0]]["x"]}
        at = {k: v[idx] for k, v in params.items()}
        at["T"] = np.full(idx.size, T)
        sol = solver.solve(guess=guess, errors="mask", **at)
        for a, n in enumerate(idx):
            i, label, rec = cands[n]
            if not (sol.converged[a] and sol.curvature_stable[a]):
                alive[n] = False
                continue
            vals = {k: float(sol[k][a]) for k in sol.order_parameters if np.isfinite(sol[k][a])}
            if _distance(vals, last[n]["x"]) > 0.05 or grid.model.classify(
                    vals, dict(grid.point(1, i), T=T), float(sol.replicon[a])) != label:
                alive[n] = False
                continue
            new = {"x": vals, "R": float(sol.replicon[a])}
            if new["R"] < 0:
                A = dict(grid.point(1, i), T=float(lastT[n]))
                B = dict(A, T=float(T))
                tasks.append(_Task("AT", f"AT line: {label}", A, B, "T", [(last[n]["x"], vals)],
                                   last[n]["R"], new["R"], (label,)))
                alive[n] = False
                continue
            last[n], lastT[n] = new, T


def phase_diagram(model, x, y, resolution=(25, 25), tol=1e-10, progress=None, rsb=0, rsb_guess=None,
                  **fixed):
    """The phase diagram of ``model`` in the plane of two parameters.

    Parameters
    ----------
    model : Model or str
        A model (``snn.model("hopfield")``) or a registered name.
    x, y : tuple
        ``(name, low, high)`` of the horizontal and vertical axes, e.g. ``("alpha", 0, 0.2)``.
    resolution : int or (int, int)
        Coarse grid points along x and y on which branches are searched; lines are then located
        to ``1e-10`` between them, so this sets how many points each line gets, not its accuracy.
    tol : float
        Tolerance of the saddle-point solver.
    progress : bool or None
        A progress bar over the stages (deriving, compiling, branches, lines, ends): ``True``
        always, ``False`` never, ``None`` (default) once it has lasted a second, on a terminal or
        in a notebook (:func:`statmech_nn.progress.progress_bar`).
    rsb : {0, 1}
        ``1`` adds the one-step replica-symmetry-breaking transition lines along ``x``
        (:mod:`statmech_nn.phases.rsb_lines`): ``"T_s (1RSB)"`` (kind ``"rsb-static"``), where the
        Parisi parameter ``x`` of ``model.free_energy(rsb=1)`` reaches 1, and ``"T_d (1RSB)"`` (kind
        ``"rsb-dynamical"``), where the threshold states (``x = 1``) end at a fold, marginally stable.
        One point per grid column, each column continued from the previous one; a column where the
        solution is not found (or leaves the window) ends the line, and ``notes`` says so. Needs
        ``y = ("T", low, high)``. The replica-symmetric phases and lines are unchanged.
    rsb_guess : dict, optional
        With ``rsb=1``: the 1RSB order parameters (``q0``, ``q1``, ``x``, conjugates, the model's own)
        at the first column ``x = low`` and the temperature ``rsb_guess["T"]`` (default: the lowest
        positive temperature of the grid), which must lie below the static transition (``x < 1``).
        Without it the start is searched from the replica-symmetric solution there
        (:func:`statmech_nn.phases.rsb_lines.rsb_start`).
    **fixed
        The other parameters (model defaults otherwise).

    Returns
    -------
    PhaseDiagram

    Raises
    ------
    ParameterError
        Bad axes, resolution or fixed parameters; ``rsb`` not 0 or 1; ``rsb=1`` with ``y`` not ``T``.
    DerivationError
        With ``rsb=1``, a model whose 1RSB free energy cannot be derived (before any computation).
    ConvergenceError
        With ``rsb=1``, no 1RSB solution with ``x < 1`` at the start (before the grid is solved).

    References
    ----------
    Amit, Gutfreund, Sompolinsky, Ann. Phys. 173, 30 (1987), fig. 1 (Hopfield); Sherrington &
    Kirkpatrick, PRL 35, 1792 (1975), fig. 1, and de Almeida & Thouless, J. Phys. A 11, 983 (1978)
    (SK and its AT line); Crisanti & Sommers, Z. Phys. B 87, 341 (1992) (``rsb=1``: the spherical
    p-spin's ``T_s`` and ``T_d``).

    Examples
    --------
    >>> pd = snn.phase_diagram(snn.model("hopfield"), x=("alpha", 0, 0.16), y=("T", 0, 1.3))  # doctest: +SKIP
    >>> pd.boundaries["spinodal: retrieval"]        # (k, 2) points (alpha, T)          # doctest: +SKIP
    >>> pd = snn.phase_diagram(snn.model("p-spin", p=3, spins="spherical"), x=("h", 0, 0.3),
    ...                        y=("T", 0.4, 0.8), resolution=5, rsb=1)            # doctest: +SKIP
    >>> pd.boundaries["T_d (1RSB)"][0]               # (0, sqrt(3/8))                   # doctest: +SKIP
    """
    from ..models import model as make_model
    from ..models.base import Model
    if isinstance(model, str):
        model = make_model(model)
    if not isinstance(model, Model):
        raise ParameterError(f"phase_diagram needs a model or a model name, got {model!r}")
    t0 = time.perf_counter()
    xname, xlo, xhi = _axis(model, x, "x")
    yname, ylo, yhi = _axis(model, y, "y")
    if xname == yname:
        raise ParameterError("x and y must be different parameters")
    for k in fixed:
        if k in (xname, yname):
            raise ParameterError(f"{k!r} is an axis of the diagram; do not also fix it")
    nx, ny = (resolution, resolution) if np.isscalar(resolution) else resolution
    if int(nx) < 3 or int(ny) < 3:
        raise ParameterError(f"resolution must be at least 3 points per axis, got {resolution!r}")
    fixed = {k: float(v) for k, v in model.parameters(**fixed).items() if k not in (xname, yname)}
    from .rsb_lines import check_rsb
    rsb = check_rsb(model, rsb, yname, rsb_guess)
    from ..progress import progress_bar
    bar = progress_bar(6 + 3 * rsb, f"phase diagram of {model.name!r}", progress, unit="stage")
    try:
        return _diagram(model, fixed, (xname, xlo, xhi), (yname, ylo, yhi), int(nx), int(ny), tol, bar, t0,
                        rsb_guess if rsb else False)
    finally:
        bar.close()


def _diagram(model, fixed, xaxis, yaxis, nx, ny, tol, bar, t0, rsb=False):
    """The work of :func:`phase_diagram` on validated input, one stage of ``bar`` after another;
    ``rsb``: False, or the ``rsb_guess`` (None or a dict) of the 1RSB lines."""
    xname, xlo, xhi = xaxis
    yname, ylo, yhi = yaxis
    bar.set_postfix_str("deriving")
    saddle = model.free_energy().saddle_point()
    bar.update()
    bar.set_postfix_str("compiling")
    solver = saddle.compile(tol=tol, progress=False)
    # warm-started refinements converge in a few Newton steps; points beyond a branch's end
    # should fail fast rather than iterate for long
    local = saddle.compile(tol=tol, maxiter=40, progress=False)
    bar.update()
    xs = np.linspace(xlo, xhi, int(nx))
    ys = np.linspace(ylo, yhi, int(ny))
    notes = []
    if rsb is not False:
        # the start of the 1RSB lines first: a model or a window without one fails before the grid
        from .rsb_lines import rsb_start
        bar.set_postfix_str("1RSB start")
        guess = dict(rsb or {})
        T0 = float(guess.pop("T", ys[0] if ys[0] > 0 else ys[1]))
        start_at = dict(fixed, **{xname: float(xs[0]), "T": T0})
        rsb_first, rsb_threshold, how = rsb_start(model, solver, start_at, guess or None)
        notes.append(how)
        bar.update()
    bar.set_postfix_str(f"branches on a {nx}x{ny} grid")
    grid = _Grid(model, solver, xs, ys, xname, yname, fixed)

    tasks = []
    spinodals = []
    renamed = []       # (A, B, param, record at A, record at B, label at A, label at B)
    segments = [((j, i), (j, i + 1), xname) for j in range(len(ys)) for i in range(len(xs) - 1)] + \
               [((j, i), (j + 1, i), yname) for j in range(len(ys) - 1) for i in range(len(xs))]
    for (ja, ia), (jb, ib), param in segments:
        A, B = grid.point(ja, ia), grid.point(jb, ib)
        if "T" in A and (A["T"] == 0) != (B["T"] == 0):
            continue      # finite- and zero-temperature equations have different unknowns
        ra, rb = grid.records[ja][ia], grid.records[jb][ib]
        pa, pb = grid.phase[ja][ia], grid.phase[jb][ib]
        # spinodals: a branch present at one end only
        for label in set(ra) ^ set(rb):
            start, end, rec = (A, B, ra[label]) if label in ra else (B, A, rb[label])
            spinodals.append((label, rec, start, end, param))
        if pa is None or pb is None:
            continue
        if pa != pb:
            if pb in ra and pa in rb:
                sa, sb = ra[pa], rb[pa]
                oa, ob = ra[pb], rb[pb]
                tasks.append(_Task("first-order", " / ".join(sorted((pa, pb))), A, B, param,
                                   [(sa["x"], sb["x"]), (oa["x"], ob["x"])],
                                   sa["f"] - oa["f"], sb["f"] - ob["f"], (pa, pb)))
                continue
            ua, ub = grid.unstable[ja][ia], grid.unstable[jb][ib]
            parent = pa if (pa in rb or pa in ub) else (pb if (pb in ra or pb in ua) else None)
            if parent is not None:
                child = pb if parent == pa else pa
                r0, r1 = ra.get(parent) or ua[parent], rb.get(parent) or ub[parent]
                if r0["det"] * r1["det"] < 0:
                    tasks.append(_Task("second-order", f"{parent} / {child}", A, B, param,
                                       [(r0["x"], r1["x"])], r0["det"], r1["det"], (parent,)))
                continue
            # perhaps the same branch under two names (e.g. a label that depends on the replicon)
            renamed.append((A, B, param, ra[pa], rb[pb], pa, pb))
            continue
        # same phase at both ends: its AT line, and those of other ordered branches present at both
        for label in set(ra) & set(rb):
            if label not in (pa,) and label in ("paramagnet", "spin glass"):
                continue
            r0, r1 = ra[label], rb[label]
            if r0["R"] * r1["R"] < 0:
                tasks.append(_Task("AT", f"AT line: {label}", A, B, param, [(r0["x"], r1["x"])],
                                   r0["R"], r1["R"], (label,)))
    tasks += _renamed_branch_tasks(local, renamed)
    _at_near_zero_temperature(local, grid, tasks)
    bar.update()
    bar.set_postfix_str("locating lines")
    _refine(local, tasks, notes)
    found = {}         # line name -> kind, labels, points, order parameters of its branches there
    for task in tasks:
        if task.result is not None:
            line = found.setdefault(task.name, {"kind": task.kind, "labels": task.labels, "points": [],
                                                "xs": []})
            line["points"].append((task.result[xname], task.result[yname]))
            line["xs"].append(list(task.xa))
    bar.update()
    bar.set_postfix_str("branch ends")
    failures = {}
    for label, fold, x in _branch_ends(local, model, spinodals, failures):
        if fold is None:
            continue
        line = found.setdefault(f"spinodal: {label}", {"kind": "spinodal", "labels": (label,),
                                                       "points": [], "xs": []})
        line["points"].append((fold[xname], fold[yname]))
        line["xs"].append([x])
    for label, msgs in failures.items():
        if isinstance(label, tuple):
            notes.append(f"branch {label[1]!r} ends where its equations stop having a solution (they "
                         f"leave their domain, or the branch runs off to infinity) at {len(msgs)} "
                         f"grid segment(s), e.g. at {msgs[0]}: no spinodal there")
            continue
        notes.append(f"spinodal search for {label!r}: {len(msgs)} continuation(s) from the end of the "
                     f"branch did not meet a fold, a spinodal point may be missing there; first "
                     f"{msgs[0]}")
    bar.update()
    bar.set_postfix_str("lines to their ends")
    window = (xlo, xhi, ylo, yhi)
    cells = (xs[1] - xs[0], ys[1] - ys[0])
    pieces = []
    for name, line in sorted(found.items()):
        for k, idx in enumerate(_order_points(np.array(line["points"]), window, cells)):
            pieces.append({"name": name if k == 0 else f"{name} ({k + 1})", "kind": line["kind"],
                           "labels": line["labels"], "points": [line["points"][n] for n in idx],
                           "xs": [line["xs"][n] for n in idx]})
    from .trace import extend_lines
    extend_lines(local, model, pieces, window, cells, (xname, yname),
                 grid.point(0, 0), notes, robust=solver, grid=grid)
    bar.update()
    lines = []
    for piece in pieces:
        if len(piece["points"]) < MIN_LINE_POINTS:
            where = ", ".join(f"({x:.6g}, {y:.6g})" for x, y in piece["points"])
            notes.append(f"{piece['kind']} line {piece['name']!r}: only {len(piece['points'])} point(s) "
                         f"found, at ({xname}, {yname}) = {where}; not drawn (too short to be a line at "
                         f"this resolution: raise the resolution to see it)")
            continue
        lines.append(Line(piece["name"], piece["kind"], np.array(piece["points"], float)))
    if rsb is not False:
        from .rsb_lines import rsb_lines
        lines += rsb_lines(model, xname, xs, (ylo, yhi), ys[1] - ys[0], fixed, rsb_first, rsb_threshold, T0,
                           notes, bar, min_points=MIN_LINE_POINTS)
    specs = model.parameter_specs
    bounds = tuple((specs[n].lower, specs[n].upper) for n in (xname, yname))
    for line in lines:
        notes.extend(line.describe_window(window, xname, yname, bounds))
    phases = [[grid.phase[j][i] or "" for i in range(len(xs))] for j in range(len(ys))]
    return PhaseDiagram(model=model.name, options=dict(model.options), fixed=fixed,
                        x=(xname, xlo, xhi), y=(yname, ylo, yhi), xs=xs, ys=ys, phases=phases,
                        lines=lines, notes=notes, seconds=time.perf_counter() - t0)


def _same_point(out, rec):
    return out is not None and \
        _distance(out["x"], rec["x"]) <= 1e-6 * (1 + max(abs(v) for v in rec["x"].values()))


def _renamed_branch_tasks(solver, renamed):
    """Tasks for grid segments whose ends carry different labels that are not two coexisting
    branches: if the branch at A, followed to B, is the one found there (the same branch under two
    names, e.g. a label that depends on the sign of the replicon), its AT or second-order point;
    otherwise nothing (two different branches: a line between them needs both at both ends, and a
    sign change of the replicon across them is no AT line)."""
    if not renamed:
        return []
    forward = _solve_points(solver, [B for _, B, *_ in renamed], [r0["x"] for _, _, _, r0, *_ in renamed])
    back = _solve_points(solver, [A for A, *_ in renamed], [r[4]["x"] for r in renamed])
    tasks = []
    for (A, B, param, r0, r1, pa, pb), fw, bw in zip(renamed, forward, back):
        # followed both ways (a branch that ends can slide into the other one, in one direction)
        if not (_same_point(fw, r1) and _same_point(bw, r0)):
            continue
        if r0["R"] * r1["R"] < 0:
            stable_side = pa if r0["R"] > 0 else pb
            tasks.append(_Task("AT", f"AT line: {stable_side}", A, B, param, [(r0["x"], r1["x"])],
                               r0["R"], r1["R"], (stable_side,)))
        elif r0["det"] * r1["det"] < 0:
            tasks.append(_Task("second-order", f"{pa} / {pb}", A, B, param, [(r0["x"], r1["x"])],
                               r0["det"], r1["det"], (pa,)))
    return tasks


def _order_points(pts, window, cells, gap=2.0):
    """Indices of the distinct points ``pts`` chained by nearest neighbours (in units of the grid's
    cells) from an end of the line, split into pieces where consecutive points are more than ``gap``
    cells apart (points located on neighbouring grid segments are at most about one cell apart): a
    list of index arrays."""
    u = pts / np.asarray(cells, float)
    keep = []
    for k in range(len(u)):
        if all(np.max(np.abs(u[k] - u[m])) > 1e-9 for m in keep):
            keep.append(k)
    keep = np.array(keep, int)
    u = u[keep]
    if len(keep) <= 1:
        return [keep]
    # start from the point farthest from the centroid, then greedy nearest neighbour
    start = int(np.argmax(np.linalg.norm(u - u.mean(axis=0), axis=1)))
    order = [start]
    left = set(range(len(u))) - {start}
    while left:
        last = u[order[-1]]
        nxt = min(left, key=lambda k: np.sum((u[k] - last) ** 2))
        order.append(nxt)
        left.remove(nxt)
    u = u[order]
    cuts = np.flatnonzero(np.max(np.abs(np.diff(u, axis=0)), axis=1) > gap) + 1
    return np.split(keep[order], cuts)
