"""Publication figure of a :class:`~statmech_nn.phases.PhaseDiagram`.

* **Regions** are shaded from the located lines, not from grid cells: the phase boundaries (first-order,
  second-order and AT lines) are drawn into a fine raster as barriers, its connected pieces take the
  phase that the coarse grid found inside them (nine in ten of the grid points away from the lines
  must agree; where they do not, a boundary was not closed and the nearest grid point decides), and
  the pieces become filled contours, so the PDF/SVG holds vector
  paths that follow the lines to a fraction of a pixel. Spinodals bound metastability, not phases, and
  are drawn but do not cut regions; nor do the 1RSB lines (the regions are the replica-symmetric
  phases of the grid).
* **Lines** are styled by kind (second order solid, first order thick, spinodal dashed, AT dotted; the
  one-step RSB lines of ``phase_diagram(..., rsb=1)`` dash-dotted with circles (static ``T_s``) and
  dash-dot-dotted with squares (dynamical ``T_d``) at the grid columns where they were located) and
  coloured from the Okabe–Ito palette, which stays distinct under the common colour-vision
  deficiencies; the regions use Paul Tol's pale scheme.
* **Labels** are mathtext (``$\\alpha$``, ``$T$``, ``$J_0$``); the legend sits below the axes, where it
  cannot cover a region's label or a line.

matplotlib and scipy are imported inside the functions (a leaf of the package).
"""
from __future__ import annotations

import numpy as np

__all__ = ["plot_phase_diagram", "LINE_STYLES", "LINE_COLOURS", "REGION_COLOURS", "symbol",
           "region_raster"]

#: line style by kind of transition
LINE_STYLES = {
    "second-order": {"linestyle": "-", "linewidth": 1.6},
    "first-order": {"linestyle": "-", "linewidth": 2.6},
    "spinodal": {"linestyle": "--", "linewidth": 1.6},
    "AT": {"linestyle": ":", "linewidth": 2.2},
    # the 1RSB lines are located at the grid's columns only: their points are marked
    "rsb-static": {"linestyle": "-.", "linewidth": 2.0, "marker": "o", "markersize": 3.5},
    "rsb-dynamical": {"linestyle": (0, (5, 1.5, 1, 1.5, 1, 1.5)), "linewidth": 1.6, "marker": "s",
                      "markersize": 3.0},
}
#: Okabe & Ito (2008), "Color universal design": black, blue, vermillion, bluish green, reddish
#: purple, orange, sky blue (yellow left out: too pale on the regions)
LINE_COLOURS = ["#000000", "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9"]
#: Paul Tol's pale scheme (https://personal.sron.nl/~pault/), distinct for colour-blind readers
REGION_COLOURS = ["#BBCCEE", "#FFCCCC", "#CCEEFF", "#EEEEBB", "#CCDDAA", "#DDDDDD"]
_KIND_WORDS = {"second-order": "second order", "first-order": "first order", "spinodal": "end of the branch",
               "AT": "replica symmetry unstable below", "rsb-static": "static transition, x = 1",
               "rsb-dynamical": "dynamical transition, threshold states marginal"}
_SYMBOLS = {"alpha": r"$\alpha$", "beta": r"$\beta$", "T": "$T$", "h": "$h$", "J0": "$J_0$",
            "J": "$J$", "kappa": r"$\kappa$", "p": "$p$", "rho": r"$\rho$", "r": "$r$", "d": "$d$",
            "a": "$a$", "gamma": r"$\gamma$", "Delta": r"$\Delta$", "lam": r"$\lambda$"}
#: kinds of line that separate phases (spinodals bound metastability only)
BOUNDARIES = ("first-order", "second-order", "AT")


def symbol(name):
    """The mathtext symbol of a parameter (``"alpha"`` -> ``$\\alpha$``); unknown names as they are,
    in math italics when a plain identifier."""
    if name in _SYMBOLS:
        return _SYMBOLS[name]
    return f"${name}$" if name.isidentifier() and len(name) <= 2 else name


def _base_name(name):
    """``"AT line: retrieval (2)"`` -> ``"AT line: retrieval"`` (pieces of one line)."""
    head, _, tail = name.rpartition(" (")
    return head if head and tail.rstrip(")").isdigit() else name


def _pixels(points, window, shape):
    """Pixel indices ``(row, column)`` of ``points`` (``(k, 2)``, window coordinates)."""
    xlo, xhi, ylo, yhi = window
    ny, nx = shape
    i = np.clip(np.rint((points[:, 0] - xlo) / (xhi - xlo) * (nx - 1)).astype(int), 0, nx - 1)
    j = np.clip(np.rint((points[:, 1] - ylo) / (yhi - ylo) * (ny - 1)).astype(int), 0, ny - 1)
    return j, i


def region_raster(pd, shape=(360, 480)):
    """The phase of every pixel of a ``shape`` raster over the window, from the located lines.

    Returns ``(X, Y, index)``: pixel-centre coordinates and the index into ``pd.phase_names`` (``-1``
    where no phase is known). See the module docstring for the construction.
    """
    from scipy import ndimage
    from scipy.spatial import cKDTree

    xlo, xhi = pd.x[1], pd.x[2]
    ylo, yhi = pd.y[1], pd.y[2]
    window = (xlo, xhi, ylo, yhi)
    ny, nx = shape
    barrier = np.zeros(shape, bool)
    pixel = np.array([(xhi - xlo) / (nx - 1), (yhi - ylo) / (ny - 1)])

    def draw(p):
        # every segment sampled at a third of a pixel: consecutive samples fall in 8-neighbouring
        # pixels, a barrier that 4-connected regions cannot cross
        d = np.abs(np.diff(p, axis=0)) / pixel
        for a, b, n in zip(p[:-1], p[1:], np.ceil(3 * d.max(axis=1)).astype(int) + 1):
            t = np.linspace(0.0, 1.0, n)[:, None]
            j, i = _pixels(a + t * (b - a), window, shape)
            barrier[j, i] = True

    lines = [line.points for line in pd.lines if line.kind in BOUNDARIES and len(line.points) >= 2]
    for p in lines:
        draw(p)
    for a, b in _closing_segments(lines, window, pd.xs, pd.ys):
        draw(np.array([a, b]))
    pieces, count = ndimage.label(~barrier)
    names = pd.phase_names
    index = {name: k for k, name in enumerate(names)}
    gx, gy = np.meshgrid(pd.xs, pd.ys)
    gphase = np.array([[index.get(p, -1) for p in row] for row in pd.phases])
    known = gphase.ravel() >= 0
    gpts = np.column_stack([gx.ravel(), gy.ravel()])[known]
    gidx = gphase.ravel()[known]
    out = np.full(shape, -1)
    if not len(gidx):
        return _centres(window, shape) + (out,)
    gj, gi = _pixels(gpts, window, shape)
    _, (nj, ni) = ndimage.distance_transform_edt(barrier, return_indices=True)
    gpiece = pieces[nj[gj, gi], ni[gj, gi]]
    # grid points on or next to a line (their phase is either side's) do not vote
    near = ndimage.binary_dilation(barrier)[gj, gi]
    X, Y = _centres(window, shape)
    scale = np.array([xhi - xlo, yhi - ylo])
    for piece in range(1, count + 1):
        mask = pieces == piece
        votes = gidx[(gpiece == piece) & ~near]
        if votes.size:
            counts = np.bincount(votes)
            if counts.max() >= 0.9 * votes.size:
                out[mask] = int(np.argmax(counts))
                continue
        # several phases inside (a boundary the engine did not close) or none: nearest grid point,
        # among this piece's own if it has any
        cand = gpiece == piece if votes.size else np.ones(len(gidx), bool)
        _, nearest = cKDTree(gpts[cand] / scale).query(np.column_stack([X[mask], Y[mask]]) / scale)
        out[mask] = gidx[cand][nearest]
    # barrier pixels take the phase of the nearest region pixel
    out = out[nj, ni]
    return X, Y, out


def _closing_segments(lines, window, xs, ys, reach=1.6):
    """Segments that close the partition where lines stop short of each other: the grid locates a
    line only up to the last grid cell before the point where it meets others (a multicritical
    point), so an inner end of a boundary is joined to the nearest point of another boundary within
    ``reach`` grid cells. Drawn into the raster only, never as lines."""
    xlo, xhi, ylo, yhi = window
    cell = np.array([xs[1] - xs[0] if len(xs) > 1 else xhi - xlo, ys[1] - ys[0] if len(ys) > 1 else yhi - ylo])
    lo, hi = np.array([xlo, ylo]), np.array([xhi, yhi])
    out = []
    for k, p in enumerate(lines):
        others = [q for m, q in enumerate(lines) if m != k]
        if not others:
            continue
        pool = np.vstack(others)
        for end in (p[0], p[-1]):
            if np.any(np.abs(end - lo) <= 1e-9 * (hi - lo)) or np.any(np.abs(end - hi) <= 1e-9 * (hi - lo)):
                continue            # on the window's edge
            d = np.max(np.abs(pool - end) / cell, axis=1)
            n = int(np.argmin(d))
            if d[n] <= reach:
                out.append((end, pool[n]))
    return out


def _centres(window, shape):
    xlo, xhi, ylo, yhi = window
    ny, nx = shape
    return np.meshgrid(np.linspace(xlo, xhi, nx), np.linspace(ylo, yhi, ny))


def plot_phase_diagram(pd, ax=None, regions=True, legend=True, title=True, keep_clear=()):
    """Draw ``pd`` on ``ax`` (a new figure if None): shaded, labelled phase regions and the lines
    styled by kind. Returns the axes.

    Parameters
    ----------
    regions : bool
        Shade and label the phases.
    legend : bool
        The lines' legend, below the axes.
    title : bool or str
        The model and its fixed parameters (``True``), a title of your own, or none.
    keep_clear : sequence of (x0, x1, y0, y1)
        Boxes in data coordinates where no region label may go (an inset, markers drawn later).
    """
    import matplotlib
    if ax is None:
        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt
        _, ax = plt.subplots(figsize=(5.6, 4.6), dpi=150)
    from scipy import ndimage

    names = pd.phase_names
    if regions and names:
        X, Y, idx = region_raster(pd)
        colours = [REGION_COLOURS[k % len(REGION_COLOURS)] for k in range(len(names))]
        shown = np.ma.masked_less(idx, 0)
        ax.contourf(X, Y, shown, levels=np.arange(len(names) + 1) - 0.5, colors=colours, antialiased=True,
                    zorder=0)
        free = np.ones(idx.shape, bool)
        for x0, x1, y0, y1 in keep_clear:
            free &= ~((X >= x0) & (X <= x1) & (Y >= y0) & (Y <= y1))
        for k, name in enumerate(names):
            mask = (idx == k) & free
            if not mask.any():
                mask = idx == k
            if not mask.any():
                continue
            # the label where the region is deepest, counting horizontal room at a third (a label
            # is about three times as wide as tall), and away from the frame and the tick labels
            depth = ndimage.distance_transform_edt(np.pad(mask, 1), sampling=(1.0, 1 / 3))[1:-1, 1:-1]
            j, i = np.unravel_index(np.argmax(depth), depth.shape)
            ax.text(X[j, i], Y[j, i], name, ha="center", va="center", fontsize=9, zorder=4,
                    bbox={"boxstyle": "round,pad=0.25", "fc": "white", "ec": "none", "alpha": 0.8})
    bases = list(dict.fromkeys(_base_name(line.name) for line in sorted(pd.lines, key=lambda l: l.kind)))
    labelled = set()
    for line in sorted(pd.lines, key=lambda l: l.kind):
        base = _base_name(line.name)
        p = line.points
        label = None if base in labelled else f"{base} ({_KIND_WORDS.get(line.kind, line.kind)})"
        ax.plot(p[:, 0], p[:, 1], color=LINE_COLOURS[bases.index(base) % len(LINE_COLOURS)], label=label,
                zorder=3, solid_capstyle="butt", **LINE_STYLES.get(line.kind, {}))
        labelled.add(base)
    ax.set_xlim(pd.x[1], pd.x[2])
    ax.set_ylim(pd.y[1], pd.y[2])
    ax.set_xlabel(symbol(pd.x[0]))
    ax.set_ylabel(symbol(pd.y[0]))
    if title:
        if title is True:
            fixed = ", ".join(f"${symbol(k).strip('$')} = {v:g}$" for k, v in pd.fixed.items())
            title = f"{pd.model}" + (f" ({fixed})" if fixed else "")
        ax.set_title(title, fontsize=10)
    if legend and pd.lines:
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=1, fontsize=7.5, frameon=False)
    return ax
