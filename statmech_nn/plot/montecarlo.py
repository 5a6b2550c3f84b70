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


def plot_crosscheck(cc, ax=None, colors=None):
    """Draw a :class:`~statmech_nn.montecarlo.CrosscheckResult` on ``ax`` (a new figure if None).

    The theory is drawn as a line: the solver on a fine grid along the path when one parameter varies
    (dashed where the solution is unstable), else through its values at the path points (gaps where it
    did not converge); MC means with one-standard-error bars, slightly offset per ``N`` so that they do not
    hide each other. Returns the axis.
    """
    import matplotlib.pyplot as plt
    ax = _axes(ax)
    xs = np.array([p[cc.x] for p in cc.points], dtype=float)
    if cc.curve is not None:
        grid, values, converged, stable = cc.curve
        ax.plot(grid, np.where(converged & stable, values, np.nan), color="black", lw=1.6,
                label="theory (RS saddle point)")
        if np.any(converged & ~stable):
            ax.plot(grid, np.where(converged & ~stable, values, np.nan), color="black", lw=1.0, ls="--",
                    label="theory, unstable solution")
    else:
        first = [r for r in cc.rows if r["N"] == cc.sizes[0]]
        theory = np.array([r["theory"] if r["converged"] else np.nan for r in first])
        order = np.argsort(xs)
        ax.plot(xs[order], theory[order], color="black", lw=1.6, label="theory (RS saddle point)")
    colors = colors or plt.rcParams["axes.prop_cycle"].by_key()["color"]
    span = (xs.max() - xs.min()) if xs.size > 1 else 1.0
    for j, n in enumerate(cc.sizes):
        rows = [r for r in cc.rows if r["N"] == n]
        offset = (j - (len(cc.sizes) - 1) / 2) * 0.006 * span
        ax.errorbar(np.array([r[cc.x] for r in rows]) + offset, [r["mean"] for r in rows],
                    yerr=[r["stderr"] for r in rows], fmt="o", ms=4, capsize=2,
                    color=colors[j % len(colors)], label=f"Monte Carlo, N = {n}")
    ax.set_xlabel(cc.x)
    ax.set_ylabel(cc.observable)
    ax.set_title(f"{cc.model}: Monte Carlo vs theory")
    ax.legend(frameon=False, fontsize="small")
    return ax


def overlay_crosscheck(cc, ax, x="alpha", y="T", **style):
    """Scatter the MC means of ``cc`` at their ``(x, y)`` parameters on ``ax``, coloured on the
    0..1 viridis scale (as :func:`~statmech_nn.plot.plot_order_parameter_map`), one marker per N,
    the sizes stacked slightly apart in ``y`` (3 % of the axis height) so that none hides another."""
    markers = ["o", "s", "^", "D", "v"]
    lo, hi = ax.get_ylim()
    for j, n in enumerate(cc.sizes):
        rows = [r for r in cc.rows if r["N"] == n]
        shift = (j - (len(cc.sizes) - 1) / 2) * 0.03 * (hi - lo)
        ax.scatter([r[x] for r in rows], [r[y] + shift for r in rows], c=[r["mean"] for r in rows],
                   cmap="viridis", vmin=0, vmax=1, marker=markers[j % len(markers)],
                   edgecolors="black", linewidths=0.7, s=36, zorder=5,
                   label=f"Monte Carlo {cc.observable}, N = {n}", **style)
    return ax
