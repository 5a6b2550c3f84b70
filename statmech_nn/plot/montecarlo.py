"""Monte Carlo against theory: theory line, MC points with error bars, one colour per system size."""
from __future__ import annotations

import numpy as np

__all__ = ["plot_crosscheck", "overlay_crosscheck"]


def _axes(ax):
    if ax is None:
        import matplotlib
        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt
        _, ax = plt.subplots(figsize=(6.4, 4.4), dpi=150)
    return ax


#: one colour and marker per system size (Okabe–Ito colours, as the phase-diagram lines)
SIZE_COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00"]
SIZE_MARKERS = ["o", "s", "^", "D", "v"]


def plot_crosscheck(cc, ax=None, colors=None):
    """Draw a :class:`~statmech_nn.montecarlo.CrosscheckResult` on ``ax`` (a new figure if None).

    The theory is drawn as a line: the solver on a fine grid along the path when one parameter varies
    (dashed where the solution is unstable), else through its values at the path points (gaps where it
    did not converge). Monte Carlo means with one-standard-error bars, one colour and marker per ``N``,
    slightly offset per ``N`` so that they do not hide each other; filled where the chains' branch
    exists in the theory, open where it does not (a finite-size state, see
    :attr:`~statmech_nn.montecarlo.CrosscheckResult.rows`). Returns the axis.
    """
    from .phases import symbol
    ax = _axes(ax)
    xs = np.array([p[cc.x] for p in cc.points], dtype=float)
    if cc.curve is not None:
        grid, values, converged, stable = cc.curve
        branch = f": {cc.curve_branch}" if getattr(cc, "curve_branch", None) else ""
        ax.plot(grid, np.where(converged & stable, values, np.nan), color="black", lw=1.6,
                label=f"theory{branch} (RS saddle point)")
        if np.any(converged & ~stable):
            ax.plot(grid, np.where(converged & ~stable, values, np.nan), color="black", lw=1.0, ls="--",
                    label=f"theory{branch}, unstable (RS)")
    else:
        first = [r for r in cc.rows if r["N"] == cc.sizes[0]]
        theory = np.array([r["theory"] if r["converged"] else np.nan for r in first])
        order = np.argsort(np.array([r[cc.x] for r in first], dtype=float))
        ax.plot(np.array([r[cc.x] for r in first])[order], theory[order], color="black", lw=1.6,
                label="theory (RS saddle point)")
    colors = colors or SIZE_COLOURS
    span = (xs.max() - xs.min()) if xs.size > 1 else 1.0
    hollow_seen = False
    for j, n in enumerate(cc.sizes):
        offset = (j - (len(cc.sizes) - 1) / 2) * 0.006 * span
        colour, marker = colors[j % len(colors)], SIZE_MARKERS[j % len(SIZE_MARKERS)]
        for present in (True, False):
            rows = [r for r in cc.rows if r["N"] == n and (r["status"] != "absent") == present]
            if not rows:
                continue
            hollow_seen |= not present
            ax.errorbar(np.array([r[cc.x] for r in rows]) + offset, [r["mean"] for r in rows],
                        yerr=[r["stderr"] for r in rows], fmt=marker, ms=4.5, capsize=2, color=colour,
                        mfc=colour if present else "white", mec=colour,
                        label=f"Monte Carlo, $N = {n}$" if present else None)
    if hollow_seen:
        ax.plot([], [], "o", color="0.3", mfc="white", ms=4.5,
                label="open: branch absent at $N \\to \\infty$ (finite size)")
    ax.set_xlabel(symbol(cc.x))
    ax.set_ylabel(symbol(cc.observable))
    ax.set_title(f"{cc.model}: Monte Carlo vs theory", fontsize=10)
    ax.legend(frameon=False, fontsize="small")
    return ax


def overlay_crosscheck(cc, ax, x="alpha", y="T", colorbar=True, **style):
    """Mark the MC points of ``cc`` at their ``(x, y)`` parameters on ``ax`` (e.g. a phase diagram):
    one marker per ``N`` (circles for the first size, drawn larger, squares inside them for the
    second, ...), all at the true parameters, filled with the MC mean on the 0..1 viridis scale (a
    colour bar says so) and open where the chain's branch does not exist at ``N → ∞``. Where the
    samples of a point split between branches, the branch most samples are in is shown."""
    import matplotlib.pyplot as plt
    from matplotlib.colors import Normalize
    from .phases import symbol
    norm = Normalize(0.0, 1.0)
    cmap = plt.get_cmap("viridis")
    sizes = [70, 28, 10, 5]
    for j, n in enumerate(cc.sizes):
        best = {}
        for r in cc.rows:
            key = (r[x], r[y])
            if r["N"] == n and (key not in best or r["samples"] > best[key]["samples"]):
                best[key] = r
        rows = list(best.values())
        fill = [cmap(norm(r["mean"])) if r["status"] != "absent" else "white" for r in rows]
        edge = [cmap(norm(r["mean"])) if r["status"] == "absent" else "black" for r in rows]
        ax.scatter([r[x] for r in rows], [r[y] for r in rows], s=sizes[j % len(sizes)], c=fill,
                   edgecolors=edge, linewidths=1.2 if j == 0 else 0.8,
                   marker=SIZE_MARKERS[j % len(SIZE_MARKERS)], zorder=5 + j,
                   label=f"Monte Carlo ${symbol(cc.observable).strip('$')}$, $N = {n}$", **style)
    if any(r["status"] == "absent" for r in cc.rows):
        ax.scatter([], [], s=28, c="white", edgecolors="0.3", marker="o",
                   label="open: branch absent at $N \\to \\infty$")
    if colorbar:
        sm = plt.cm.ScalarMappable(norm=norm, cmap=cmap)
        ax.figure.colorbar(sm, ax=ax, label=f"Monte Carlo {symbol(cc.observable)}", fraction=0.04, pad=0.02)
    return ax
