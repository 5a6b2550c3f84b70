"""Lines to their ends: each transition line located on the coarse grid is continued, point by point,
to where it really ends, with the same root searches as the grid points.

The grid locates a line only where it crosses a segment between two grid points, so a line stops one
cell short of where it ends:

* at an **edge of the window where the equations degenerate** (e.g. ``alpha = 0`` of the Hopfield
  model, where the spin glass does not exist and ``T_g = T_M = T_c = 1`` is only a limit), or at the
  ``T = 0`` edge that the finite-temperature equations reach only as a limit;
* **inside the window**, where an AT line's branch ends (the AT line of the retrieval states ends on
  their spinodal near ``alpha_c``).

Each end is continued in one of two modes. *Towards an edge* (the end lies within a cell of it and the
line approaches it): the coordinate normal to the edge is stepped geometrically,
``u_{k+1} − u_edge = (u_k − u_edge)/4`` (gentler steps after a failure), until it is within
``edge_tol`` of the window's span, and at each step the line is located along the other coordinate;
where the equations grow too stiff to go on (``r ~ alpha^{-1/2}`` of the Hopfield spin glass), the
point on the edge is extrapolated from the last located points and the notes say so. *Free* (AT lines
only, any end not on the window's edge): the coordinate along which the line runs is stepped by a
fraction of a cell; where no point is found the step shrinks, so the end is located to ``1e-3`` of a
cell. Each step brackets its point (widths around a prediction from the last two points, with the
branches followed there by warm-started solves so that they cannot jump to another branch) and
locates it by the Illinois search of :func:`statmech_nn.phases.engine._refine` (first-order,
second-order, AT) or by the bisection of :func:`statmech_nn.phases.engine._branch_ends`
(spinodals), all ends at once.
"""
from __future__ import annotations

import math

import numpy as np

__all__ = ["extend_lines"]

_WIDTHS = 2.0 ** np.arange(-2, 5)      # bracket half-widths, in units of the predicted step
_SLOTS = {"first-order": 2}            # branches a line's quantity needs (default 1)
_EDGE_FACTOR = 0.25                    # geometric approach to an edge (gentler after a failure)
_FREE_START, _FREE_MIN, _FREE_REACH = 1 / 8, 1e-3, 1.5    # free steps, in cells


class _End:
    """One end of a line and how it is being continued."""

    def __init__(self, piece, side, window, cells, edge_tol, T_axis, target=None):
        pts = piece["points"]
        self.piece, self.side = piece, side
        k0, k1 = (0, 1) if side == 0 else (-1, -2)
        self.p0, self.p1 = np.array(pts[k0], float), np.array(pts[k1], float)
        self.xs, self.xs1 = piece["xs"][k0], piece["xs"][k1]
        self.new = []              # (point, xs), in the order found (outwards)
        self.active = True
        self.window, self.cells, self.edge_tol = window, cells, edge_tol
        lo = np.array([window[0], window[2]])
        hi = np.array([window[1], window[3]])
        span = hi - lo
        self.span, self.lo, self.hi = span, lo, hi
        self.T_axis = T_axis       # index of the T axis (0, 1) or None: T = 0 is never solved here
        self.mode = None
        self.target = None
        if target is not None:
            # filling the cell between a point on the T = 0 edge (``target``, from the T = 0
            # equations) and the first row, which no grid segment spans: halving steps towards it
            self.mode, self.axis, self.edge, self.factor = "edge", T_axis, 0.0, 0.5
            self.target, self.stop = np.asarray(target, float), cells[T_axis] / 16
            return
        on_edge = (np.abs(self.p0 - lo) <= 1e-9 * span) | (np.abs(self.p0 - hi) <= 1e-9 * span)
        if on_edge.any():
            self.active = False
            return
        # towards an edge: within a cell of it, and nearer to it than the previous point
        best = None
        for axis in (0, 1):
            for edge in (lo[axis], hi[axis]):
                d0, d1 = abs(self.p0[axis] - edge), abs(self.p1[axis] - edge)
                if d0 < cells[axis] * (1 + 1e-9) and d0 < d1 and (best is None or d0 / cells[axis] < best[0]):
                    best = (d0 / cells[axis], axis, edge)
        if best is not None:
            self.mode, self.axis, self.edge = "edge", best[1], best[2]
            self.factor = _EDGE_FACTOR
        elif piece["kind"] != "AT":
            # inside the window only AT lines are continued (to where their branch ends): the inner
            # end of a phase boundary is where it meets others (a multicritical point), beyond which
            # its quantity still changes sign on a branch that no longer dominates, and a spinodal's
            # is a cusp, where folds are not bracketed reliably
            self.active = False
        else:
            d = np.abs(self.p0 - self.p1) / cells
            self.mode, self.axis = "free", int(np.argmax(d))
            self.sign = 1.0 if self.p0[self.axis] > self.p1[self.axis] else -1.0
            self.du = _FREE_START * cells[self.axis]
            self.start = self.p0[self.axis]

    def propose(self):
        """The next value of the stepped coordinate, the predicted other coordinate and the step."""
        a, b = self.axis, 1 - self.axis
        u0, u1, v0, v1 = self.p0[a], self.p1[a], self.p0[b], self.p1[b]
        if self.mode == "edge":
            u = self.edge + self.factor * (u0 - self.edge)
        else:
            u = min(max(u0 + self.sign * self.du, self.lo[a]), self.hi[a])
        if self.target is not None:        # between the last point and the known point on the edge
            vt = self.target[b]
            centre = vt + (v0 - vt) * (u - self.edge) / (u0 - self.edge)
            return u, centre, max(0.5 * abs(v0 - vt), abs(centre - v0), 1e-9 * self.span[b])
        lin = v0 + (v1 - v0) * (u - u0) / (u1 - u0) if u1 != u0 else v0
        if self.mode == "edge" and (u0 - self.edge) * (u1 - self.edge) > 0:
            # a line that meets a degenerate edge often does so like a square root
            r0, r1, r = (math.sqrt(abs(w - self.edge)) for w in (u0, u1, u))
            root = v0 + (v1 - v0) * (r - r0) / (r1 - r0) if r1 != r0 else lin
        else:
            root = lin
        centre = 0.5 * (lin + root)
        half = max(abs(lin - root), abs(centre - v0), 1e-9 * self.span[b])
        return u, centre, half

    def point(self, u, v):
        p = np.empty(2)
        p[self.axis], p[1 - self.axis] = u, v
        return p

    def allowed(self, p):
        """Inside the window, and off T = 0 (the finite-temperature equations only)."""
        if np.any(p < self.lo - 1e-12 * self.span) or np.any(p > self.hi + 1e-12 * self.span):
            return False
        return self.T_axis is None or p[self.T_axis] > 0

    def advance(self, p, xs):
        self.new.append((p, xs))
        self.p1, self.p0, self.xs1, self.xs = self.p0, p, self.xs, xs
        a = self.axis
        if self.target is not None:
            if abs(p[a] - self.edge) <= self.stop:
                self.active = False
        elif self.mode == "edge":
            self.factor = max(_EDGE_FACTOR, self.factor ** 2)
            if abs(p[a] - self.edge) <= self.edge_tol * self.span[a]:
                self.active = False
        else:
            at_edge = p[a] <= self.lo[a] + 1e-12 * self.span[a] or p[a] >= self.hi[a] - 1e-12 * self.span[a]
            far = abs(p[a] - self.start) > _FREE_REACH * self.cells[a]
            self.du = min(2 * self.du, self.cells[a])
            if at_edge or far:
                self.active = False

    def fail(self):
        if self.target is not None:
            self.active = False
            return
        if self.mode == "edge":      # a gentler step, then give up
            self.factor = math.sqrt(self.factor)
            if self.factor > 0.85:
                self.active = False
            return
        self.du /= 4
        if self.du < _FREE_MIN * self.cells[self.axis]:
            self.active = False


def _track(solver, params, runs, window_span):
    """Follow branches along paths of points with warm starts and a secant predictor (the last two
    solutions extrapolated; a plain warm start where that fails). ``runs``: per path ``[(p, x),
    (p, x)]`` (two known points, the second the start, or one) and its list of points; returns per
    path the solutions along it (``None`` from the first point where the branch is lost)."""
    from .engine import _solve_points
    known = [list(h) for h, _ in runs]
    out = [[] for _ in runs]
    alive = [True] * len(runs)
    steps = max((len(path) for _, path in runs), default=0)
    for k in range(steps):
        todo = [n for n, (_, path) in enumerate(runs) if alive[n] and k < len(path)]
        guesses = []
        for n in todo:
            p = runs[n][1][k]
            (p1, x1) = known[n][-1]
            if len(known[n]) >= 2:
                p0, x0 = known[n][-2]
                d1 = np.linalg.norm((p - p1) / window_span)
                d0 = np.linalg.norm((p1 - p0) / window_span)
                w = d1 / d0 if d0 > 0 else 0.0
                guesses.append({key: x1[key] + w * (x1[key] - x0[key]) for key in x1 if key in x0})
            else:
                guesses.append(dict(x1))
        pts = [params(runs[n][1][k]) for n in todo]
        res = _solve_points(solver, pts, guesses)
        retry = [i for i, r in enumerate(res) if r is None or not _close(r["x"], known[todo[i]][-1][1])]
        if retry:
            again = _solve_points(solver, [pts[i] for i in retry], [dict(known[todo[i]][-1][1]) for i in retry])
            for i, r in zip(retry, again):
                res[i] = r
        for i, n in enumerate(todo):
            r = res[i]
            if r is None or not _close(r["x"], known[n][-1][1]):
                alive[n] = False
                continue
            known[n].append((np.asarray(runs[n][1][k], float), r["x"]))
            out[n].append(r["x"])
    return out


def _follow(solver, ends, params, window_span, substeps=3):
    """Guesses for the brackets of each end: the branches of its line followed from its last point
    to the predicted next one (the centre of the brackets) in ``substeps`` solves, and one step
    beyond along the bracket, which gives the slope with which the guesses are extrapolated to each
    bracket end. They stay on the branch where one jump would land on another (low temperature,
    large ``r``). Spinodals keep the last solution inside (their branch does not exist across the
    line)."""
    runs, owners = [], []
    for e in ends:
        e.guess = [(dict(x), None, None) for x in e.xs]      # (x at the centre, slope, centre)
        if e.piece["kind"] == "spinodal":
            continue
        u, centre, half = e.trial
        a = e.axis
        u0, v0 = e.p0[a], e.p0[1 - a]
        if e.mode == "edge":
            fr = [((u - e.edge) / (u0 - e.edge)) ** (k / substeps) for k in range(1, substeps + 1)]
            ws = [e.edge + (u0 - e.edge) * f for f in fr]
            vs = [v0 + (centre - v0) * (1 - f) / (1 - fr[-1]) for f in fr]
        else:
            ws = [u0 + (u - u0) * k / substeps for k in range(1, substeps + 1)]
            vs = [v0 + (centre - v0) * k / substeps for k in range(1, substeps + 1)]
        path = [e.point(w, v) for w, v in zip(ws, vs)] + [e.point(u, centre + 0.25 * half)]
        for slot in range(len(e.xs)):
            start = [(e.p1, e.xs1[slot]), (e.p0, e.xs[slot])] if e.xs1 is not None else [(e.p0, e.xs[slot])]
            runs.append((start, path))
            owners.append((e, slot, centre, 0.25 * half))
    for (e, slot, centre, dv), xs in zip(owners, _track(solver, params, runs, window_span)):
        if len(xs) >= substeps + 1:
            xc, xd = xs[substeps - 1], xs[substeps]
            e.guess[slot] = (xc, {k: (xd[k] - xc[k]) / dv for k in xc if k in xd}, centre)
        elif len(xs) >= substeps:
            e.guess[slot] = (xs[substeps - 1], None, centre)


def _guess_at(guess, v):
    """A bracket end's guess: the branch at the centre, extrapolated along the bracket."""
    x, slope, centre = guess
    if slope is None:
        return dict(x)
    return {k: x[k] + slope.get(k, 0.0) * (v - centre) for k in x}


def _close(x, guess):
    """The solution is the continuation of ``guess``, not a jump to another branch: every order
    parameter within ``0.5 (1 + |guess|)`` of its guess, or of the same sign within a factor 4
    (those that run off to infinity near a degenerate edge, e.g. the AGS ``r``)."""
    keys = set(x) & set(guess)

    def near(a, b):
        return abs(a - b) <= 0.5 * (1 + abs(b)) or (a * b > 0 and max(abs(a), abs(b)) <= 4 * min(abs(a), abs(b)))
    return bool(keys) and all(near(x[k], guess[k]) for k in keys)


def _limit_point(e, names, notes):
    """The point where a line that approaches a degenerate edge meets it: the limit of its located
    points, which near such an edge follow ``v = v_0 + b s + c s²`` in ``s = √|u − u_edge|``
    (e.g. ``T_g``, ``T_M`` and ``T_c`` of the Hopfield model at ``alpha → 0``, where the equations
    grow too stiff to solve much closer). Fitted exactly through the last three points and kept only
    if it predicts the fourth to within ``1e-4`` of the window (a line that does not meet the edge
    like that gets no limit point); the notes say so."""
    trail = [p for p, _ in e.new][::-1]                     # nearest the edge first
    inner = e.piece["points"] if e.side == 1 else e.piece["points"][::-1]
    trail += [np.asarray(p, float) for p in inner[::-1]]
    if len(trail) < 4:
        return
    a, b = e.axis, 1 - e.axis
    s = np.array([math.sqrt(abs(p[a] - e.edge)) for p in trail[:4]])
    v = np.array([p[b] for p in trail[:4]])
    if np.any(np.diff(s) <= 0):
        return
    coef = np.polyfit(s[:3], v[:3], 2)
    if abs(np.polyval(coef, s[3]) - v[3]) > 1e-4 * e.span[b]:
        return
    limit = e.point(e.edge, float(coef[-1]))
    if not e.allowed(limit) and not (e.T_axis == a and limit[a] == 0):
        return
    e.new.append((limit, e.xs))
    notes.append(f"line {e.piece['name']!r} meets {names[a]} = {e.edge:g} at {names[b]} = {limit[b]:.6g}, "
                 f"extrapolated from its points located up to {names[a]} = {trail[0][a]:.4g} (a quadratic "
                 f"in the square root of the distance to the edge through the last three; the fourth "
                 f"predicted to {abs(np.polyval(coef, s[3]) - v[3]):.1e})")


def extend_lines(solver, model, pieces, window, cells, names, base, notes, edge_tol=2e-5, max_steps=40,
                 robust=None):
    """Continue every line of ``pieces`` to its ends (see the module docstring); in place.

    Parameters
    ----------
    pieces : list of dict
        ``name``, ``kind``, ``labels`` (the branches of the line's quantity), ``points`` (list of
        ``(x, y)``) and ``xs`` (per point, the order parameters of each branch there).
    window : (xlo, xhi, ylo, yhi)
    cells : (dx, dy) of the coarse grid
    names : (xname, yname)
    base : dict
        The other parameters.
    robust : Solver, optional
        A solver with more iterations for the bisections of spinodals (an early failure there would
        bias the fold); ``solver`` by default.
    """
    from .engine import _Task, _branch_ends, _quantity, _refine, _solve_points
    T_axis = names.index("T") if "T" in names else None
    cells = np.asarray(cells, float)
    window_span = np.array([window[1] - window[0], window[3] - window[2]])
    ends = [_End(p, side, window, cells, edge_tol, T_axis) for p in pieces if len(p["points"]) >= 2
            for side in (0, 1)]
    gaps = []        # (piece, side, the piece without its T = 0 point, end filling the gap)
    if T_axis is not None and window[2 * T_axis] == 0:
        for p in pieces:
            for side in (0, 1):
                pts = p["points"]
                k0, k1 = (0, 1) if side == 0 else (-1, -2)
                if len(pts) >= 3 and pts[k0][T_axis] == 0 and 0 < pts[k1][T_axis] <= cells[T_axis] * (1 + 1e-9):
                    rest = {**p, "points": pts[1:] if side == 0 else pts[:-1],
                            "xs": p["xs"][1:] if side == 0 else p["xs"][:-1]}
                    end = _End(rest, side, window, cells, edge_tol, T_axis, target=pts[k0])
                    gaps.append((p, side, end))
                    ends.append(end)

    def params(p):
        return dict(base, **{names[0]: float(p[0]), names[1]: float(p[1])})

    def valid(kind, label, rec, where, guess):
        if rec is None or not _close(rec["x"], guess):
            return False
        if kind != "second-order" and not rec["cs"]:
            return False
        return model.classify(rec["x"], params(where), rec["R"]) == label

    for _ in range(max_steps):
        active = [e for e in ends if e.active]
        if not active:
            break
        for e in active:
            e.trial = e.propose()
        _follow(solver, active, params, window_span)
        # candidate brackets of every active end, solved in one batch per branch slot
        probes = []           # (end, width index, which end of the bracket, point)
        for e in active:
            u, centre, half = e.trial
            for j, w in enumerate(_WIDTHS):
                for s, v in enumerate((centre - w * half, centre + w * half)):
                    probes.append((e, j, s, e.point(u, v)))
        slots = max(_SLOTS.get(e.piece["kind"], 1) for e in active)
        solved = []
        for slot in range(slots):
            idx = [n for n, (e, _, _, p) in enumerate(probes)
                   if slot < _SLOTS.get(e.piece["kind"], 1) and e.allowed(p)]
            out = _solve_points(solver, [params(probes[n][3]) for n in idx],
                                [_guess_at(probes[n][0].guess[slot], probes[n][3][1 - probes[n][0].axis])
                                 for n in idx])
            res = [None] * len(probes)
            for n, o in zip(idx, out):
                res[n] = o
            retry = [n for n in idx if res[n] is None]
            for n, o in zip(retry, _solve_points(solver, [params(probes[n][3]) for n in retry],
                                                 [dict(probes[n][0].guess[slot][0]) for n in retry])):
                res[n] = o
            solved.append(res)
        table = {}
        for n, (e, j, s, p) in enumerate(probes):
            kind, labels = e.piece["kind"], e.piece["labels"]
            recs = [solved[k][n] for k in range(_SLOTS.get(kind, 1))]
            ok = [valid(kind, labels[k], recs[k], p, e.guess[k][0]) for k in range(len(recs))]
            table[(id(e), j, s)] = (p, recs, ok)
        tasks, spinodal, owners = [], [], []
        for e in active:
            kind, name = e.piece["kind"], e.piece["name"]
            chosen = None
            for j in range(len(_WIDTHS)):
                (pa, ra, oa), (pb, rb, ob) = table[(id(e), j, 0)], table[(id(e), j, 1)]
                if not (e.allowed(pa) and e.allowed(pb)):
                    continue
                if kind == "spinodal":
                    if oa[0] != ob[0]:
                        inside, outside, rec = (pa, pb, ra[0]) if oa[0] else (pb, pa, rb[0])
                        chosen = (inside, outside, rec)
                        break
                    continue
                if not (all(oa) and all(ob)):
                    continue
                ga, gb = _quantity(kind, ra), _quantity(kind, rb)
                if ga * gb <= 0:
                    chosen = (pa, pb, ra, rb, ga, gb)
                    break
            if chosen is None:
                e.fail()
                continue
            param = names[1 - e.axis]
            if kind == "spinodal":
                inside, outside, rec = chosen
                spinodal.append((e.piece["labels"][0], rec, params(inside), params(outside), param))
                owners.append(("spinodal", e))
            else:
                pa, pb, ra, rb, ga, gb = chosen
                task = _Task(kind, name, params(pa), params(pb), param,
                             [(a["x"], b["x"]) for a, b in zip(ra, rb)], ga, gb)
                tasks.append(task)
                owners.append(("task", e, task))
        # a point that cannot be located ends (or shortens) the continuation: the notes of the
        # searches themselves are not the diagram's
        _refine(solver, tasks, [])
        folds = _branch_ends(robust or solver, model, spinodal, {}, iterations=16, known=True)
        fold_of = iter(folds)
        for owner in owners:
            e = owner[1]
            if owner[0] == "task":
                task = owner[2]
                if task.result is None:
                    e.fail()
                    continue
                p = np.array([task.result[names[0]], task.result[names[1]]])
                e.advance(p, list(task.xa))
            else:
                label, fold, x = next(fold_of)
                if fold is None:
                    e.fail()
                    continue
                p = np.array([fold[names[0]], fold[names[1]]])
                e.advance(p, [x])
    gap_ends = {id(e) for _, _, e in gaps}
    for e in ends:
        if e.mode == "edge" and e.new and id(e) not in gap_ends:
            _limit_point(e, names, notes)
    for piece, side, e in gaps:       # the points found between the T = 0 point and the first row
        pts = [tuple(p) for p, _ in e.new]
        xs = [x for _, x in e.new]
        if side == 0:        # found outwards from the first row: nearest the edge last
            piece["points"] = piece["points"][:1] + pts[::-1] + piece["points"][1:]
            piece["xs"] = piece["xs"][:1] + xs[::-1] + piece["xs"][1:]
        else:
            piece["points"] = piece["points"][:-1] + pts + piece["points"][-1:]
            piece["xs"] = piece["xs"][:-1] + xs + piece["xs"][-1:]
        e.new = []
    for e in ends:
        if not e.new:
            continue
        piece = e.piece
        pts = [tuple(p) for p, _ in e.new]
        xs = [x for _, x in e.new]
        if e.side == 0:
            piece["points"] = pts[::-1] + list(piece["points"])
            piece["xs"] = xs[::-1] + list(piece["xs"])
        else:
            piece["points"] = list(piece["points"]) + pts
            piece["xs"] = list(piece["xs"]) + xs
