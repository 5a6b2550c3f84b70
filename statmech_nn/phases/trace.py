"""Lines to their ends: each transition line located on the coarse grid is continued, point by point,
to where it really ends, with the same root searches as the grid points.

The grid locates a line only where it crosses a segment between two grid points, so a line stops one
cell short of where it ends:

* at an **edge of the window where the equations degenerate** (e.g. ``alpha = 0`` of the Hopfield
  model, where the spin glass does not exist and ``T_g = T_M = T_c = 1`` is only a limit), or at the
  ``T = 0`` edge that the finite-temperature equations reach only as a limit;
* **inside the window**, where an AT line's branch ends (the AT line of the retrieval states ends on
  their spinodal near ``alpha_c``), or where a first-order line's branch ends or a third phase takes
  over. A first-order line whose branches exist at both ends of only one grid segment it crosses
  (it runs from an edge to the spinodal of one of them) is located at one point only; it is
  continued from there along its tangent, perpendicular to the gradient of ``f_1 − f_2`` in the
  plane (finite differences of the two branches).

Each end is continued in one of two modes. *Towards an edge* (the end lies within a cell of it and the
line approaches it): the coordinate normal to the edge is stepped geometrically,
``u_{k+1} − u_edge = (u_k − u_edge)/4`` (gentler steps after a failure), until it is within
``edge_tol`` of the window's span, and at each step the line is located along the other coordinate;
where the equations grow too stiff to go on (``r ~ alpha^{-1/2}`` of the Hopfield spin glass), the
point on the edge is extrapolated from the last located points and the notes say so. *Free* (AT and
first-order lines, any end not on the window's edge, and the one-point first-order lines): the
coordinate along which the line runs is stepped by a fraction of a cell; where no point is found the
step shrinks, so the end is located to ``1e-3`` of a cell. An AT line goes at most a cell and a
half beyond its last grid point; a first-order line goes on, the stepped coordinate following it as
it turns, while both its branches are found there, neither is discarded by the replica rule and no
branch found at the corners of the grid cell around the point is lower (a point where one is, is
treated as not found, so the end is located where the third phase takes over). Each step brackets its point (widths around a prediction from the last two points, with the
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

    def __init__(self, piece, side, window, cells, edge_tol, T_axis, target=None, direction=None):
        pts = piece["points"]
        self.piece, self.side = piece, side
        k0, k1 = (0, 1) if side == 0 else (-1, -2)
        self.p0 = np.array(pts[k0], float)
        self.xs = piece["xs"][k0]
        if direction is None:
            self.p1, self.xs1 = np.array(pts[k1], float), piece["xs"][k1]
        else:
            # a line located at one point only: a virtual previous point against its tangent
            # ``direction`` (in cells), which gives the first step its direction and slope
            self.p1, self.xs1 = self.p0 - 0.1 * np.asarray(direction, float) * cells, None
        self.inward = False        # a first-order line continued inside the window
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
        if direction is not None:
            self._free(np.asarray(direction, float), inward=True)
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
        elif piece["kind"] == "first-order":
            # inside the window a first-order line is continued while both its branches exist and
            # are the lowest in free energy: it ends where one of them does (its spinodal) or where
            # a third phase takes over (checked point by point, see ``extend_lines``)
            self._free((self.p0 - self.p1) / cells, inward=True)
        elif piece["kind"] != "AT":
            # inside the window only AT and first-order lines are continued: a second-order line's
            # inner end is where it meets others (a multicritical point), beyond which its quantity
            # still changes sign on a branch that no longer dominates, and a spinodal's is a cusp,
            # where folds are not bracketed reliably
            self.active = False
        else:
            self._free((self.p0 - self.p1) / cells)

    def _free(self, direction, inward=False):
        """Free steps along ``direction`` (in cells), along the coordinate in which it runs most.
        ``inward`` (first-order lines): no limit on the reach, and the stepped coordinate follows
        the line as it turns."""
        self.mode, self.axis = "free", int(np.argmax(np.abs(direction)))
        self.sign = 1.0 if direction[self.axis] > 0 else -1.0
        self.du = _FREE_START * self.cells[self.axis]
        self.start = self.p0[self.axis]
        self.inward = inward

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
        if self.inward:
            # a line that runs nearly along the stepped coordinate still gets brackets of a
            # width in proportion to the step
            half = max(half, 0.05 * abs(u - u0) * self.cells[b] / self.cells[a])
        return u, centre, half

    def point(self, u, v):
        p = np.empty(2)
        p[self.axis], p[1 - self.axis] = u, v
        return p

    def allowed(self, p):
        """Inside the window, and off T = 0 (the finite-temperature equations only)."""
        return _allowed(p, self.lo, self.hi, self.T_axis)

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
        elif self.inward:
            if np.any(p <= self.lo + 1e-12 * self.span) or np.any(p >= self.hi - 1e-12 * self.span):
                self.active = False
                return
            d = (self.p0 - self.p1) / self.cells
            step = self.du / self.cells[a]              # in cells
            self.axis = int(np.argmax(np.abs(d)))
            self.sign = 1.0 if d[self.axis] > 0 else -1.0
            self.du = min(2 * step, 1.0) * self.cells[self.axis]
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


def _allowed(p, lo, hi, T_axis):
    """``p`` inside the window ``lo .. hi``, and off T = 0 (the finite-temperature equations only)."""
    span = hi - lo
    if np.any(p < lo - 1e-12 * span) or np.any(p > hi + 1e-12 * span):
        return False
    return T_axis is None or p[T_axis] > 0


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


def _tangents(solver, model, pieces, params, lo, hi, cells, allowed, h=1e-3):
    """The directions in which first-order lines located at one point only are continued: the
    tangent of ``f_1 − f_2 = 0`` in the plane, perpendicular to its gradient (forward differences
    of the two branches, solved ``h`` cells from the point, towards the inside of the window), both
    ways from the point that stay inside the window. Returns ``(piece, direction in cells)``."""
    from .engine import _solve_points
    todo = []            # (piece, point, offsets)
    for piece in pieces:
        if piece["kind"] != "first-order" or len(piece["points"]) != 1:
            continue
        p0 = np.array(piece["points"][0], float)
        steps = [h if p0[k] + h * cells[k] <= hi[k] else -h for k in (0, 1)]
        todo.append((piece, p0, steps))
    if not todo:
        return []
    pts, guesses = [], [[], []]
    for piece, p0, steps in todo:
        for k in (None, 0, 1):
            p = p0.copy()
            if k is not None:
                p[k] += steps[k] * cells[k]
            pts.append(params(p))
            for slot in (0, 1):
                guesses[slot].append(dict(piece["xs"][0][slot]))
    solved = [_solve_points(solver, pts, guesses[slot]) for slot in (0, 1)]
    out = []
    for n, (piece, p0, steps) in enumerate(todo):
        df = []
        for m in range(3):
            recs = [solved[slot][3 * n + m] for slot in (0, 1)]
            if any(r is None or not r["cs"] or not _close(r["x"], piece["xs"][0][slot])
                   or model.classify(r["x"], pts[3 * n + m], r["R"]) != piece["labels"][slot]
                   for slot, r in enumerate(recs)):
                break
            df.append(recs[0]["f"] - recs[1]["f"])
        if len(df) < 3:
            continue
        grad = np.array([(df[1] - df[0]) / steps[0], (df[2] - df[0]) / steps[1]])
        norm = np.linalg.norm(grad)
        if not norm > 0:
            continue
        t = np.array([-grad[1], grad[0]]) / norm
        for d in (t, -t):
            if allowed(p0 + 1e-2 * d * cells):
                out.append((piece, d))
    return out


def _dominant(solver, model, grid, params, checks):
    """Whether each point of ``checks`` (``(labels, point, order parameters of each branch)``) lies
    on a boundary between the phases of the line's two branches: the line's branches solved there,
    and every other branch found at the corners of the grid cell around it, solved there from each
    corner, ranked by :func:`statmech_nn.phases.engine.dominant_branch`."""
    from .engine import _same_magnetisation, _solve_points, dominant_branch
    if grid is None or not checks:
        return [True] * len(checks)
    T0 = grid.params.get("T")
    jobs = []            # (check index, label, point, guess)
    for n, (labels, p, xs) in enumerate(checks):
        for label, x in zip(labels, xs):
            jobs.append((n, label, p, x))
        i = int(np.clip(np.searchsorted(grid.xs, p[0]) - 1, 0, len(grid.xs) - 2))
        j = int(np.clip(np.searchsorted(grid.ys, p[1]) - 1, 0, len(grid.ys) - 2))
        for jj in (j, j + 1):
            for ii in (i, i + 1):
                if T0 is not None and T0[jj, ii] == 0:
                    continue         # the T = 0 equations have other unknowns
                for label, rec in grid.records[jj][ii].items():
                    if label not in labels:
                        jobs.append((n, label, p, rec["x"]))
    out = _solve_points(solver, [params(p) for _, _, p, _ in jobs], [dict(x) for *_, x in jobs])
    recs = [{} for _ in checks]
    for (n, label, p, x), r in zip(jobs, out):
        if r is None or not r["cs"] or model.classify(r["x"], params(p), r["R"]) != label:
            continue
        old = recs[n].get(label)
        if old is None or r["f"] < old["f"]:
            recs[n][label] = r
    eps = model.zero_tolerance

    def discarded(label, rec):
        """The replica rule discards ``label`` for another branch with the same magnetisations
        and a larger ``q`` (a paramagnet where the spin glass exists)."""
        ra = rec[label]
        names = model.magnetisation_names(list(ra["x"]))
        return any(b != label and "q" in ra["x"] and "q" in rb["x"] and _same_magnetisation(ra, rb, eps, names)
                   and rb["x"]["q"] > ra["x"]["q"] + eps for b, rb in rec.items())

    result = []
    for (labels, p, xs), rec in zip(checks, recs):
        # both branches there, neither discarded, and the phase one of them (their free
        # energies are equal on the line): both are the lowest
        result.append(all(label in rec for label in labels) and
                      not any(discarded(label, rec) for label in labels) and
                      dominant_branch(rec, eps, model.magnetisation_names) in labels)
    return result


def extend_lines(solver, model, pieces, window, cells, names, base, notes, edge_tol=2e-5, max_steps=40,
                 robust=None, grid=None):
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
    grid : engine._Grid, optional
        The branches at the coarse grid points: a first-order line continued inside the window
        stops where a branch found at the corners of the cell around it is lower than both of its
        own (a third phase takes over); without it, only where one of its branches ends.
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

    # first-order lines located at one point only (e.g. on the window's edge, where every other
    # grid segment they cross lacks one of their branches at an end): continued along their
    # tangent, both ways that stay in the window (the first appended to the point, the second
    # prepended)
    lo, hi = np.array([window[0], window[2]]), np.array([window[1], window[3]])
    started = set()
    for piece, d in _tangents(solver, model, pieces, params, lo, hi, cells,
                              lambda p: _allowed(p, lo, hi, T_axis)):
        side = 0 if id(piece) in started else 1
        started.add(id(piece))
        ends.append(_End(piece, side, window, cells, edge_tol, T_axis, direction=d))

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
        # a first-order line inside the window goes on only where its branches are the phase
        checks = [(owner[1].piece["labels"], np.array([owner[2].result[names[0]], owner[2].result[names[1]]]),
                   owner[2].xa) for owner in owners
                  if owner[0] == "task" and owner[1].inward and owner[2].result is not None]
        dominant = iter(_dominant(solver, model, grid, params, checks))
        for owner in owners:
            e = owner[1]
            if owner[0] == "task":
                task = owner[2]
                if task.result is None:
                    e.fail()
                    continue
                p = np.array([task.result[names[0]], task.result[names[1]]])
                if e.inward and not next(dominant):
                    e.fail()
                    continue
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
