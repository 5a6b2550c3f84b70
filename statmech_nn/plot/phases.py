"""Publication figure of a :class:`~statmech_nn.phases.PhaseDiagram`."""
from __future__ import annotations

import numpy as np

__all__ = ["plot_phase_diagram", "LINE_STYLES"]

#: line style by kind of transition
LINE_STYLES = {
    "second-order": {"linestyle": "-", "linewidth": 1.6},
    "first-order": {"linestyle": "-", "linewidth": 2.6},
    "spinodal": {"linestyle": "--", "linewidth": 1.6},
    "AT": {"linestyle": ":", "linewidth": 2.0},
}
_SYMBOLS = {"alpha": r"$\alpha$", "beta": r"$\beta$", "T": "$T$", "h": "$h$", "J0": "$J_0$",
            "J": "$J$", "kappa": r"$\kappa$", "p": "$p$"}


def _base_name(name):
    """``"AT line: retrieval (2)"`` -> ``"AT line: retrieval"`` (pieces of one line)."""
    head, _, tail = name.rpartition(" (")
    return head if head and tail.rstrip(")").isdigit() else name


def _inset(lo, hi, margin=0.1):
    return lo + margin * (hi - lo), hi - margin * (hi - lo)


def _symbol(name):
    return _SYMBOLS.get(name, name)


def plot_phase_diagram(pd, ax=None, regions=True, legend=True):
    """Shaded, labelled regions (the phase of lowest free energy on the grid) and the transition
    lines, styled by kind (second-order solid, first-order thick, spinodal dashed, AT dotted)."""
    import matplotlib
    if ax is None:
        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt
        fig, ax = plt.subplots(figsize=(6.0, 4.5), dpi=150)
    from matplotlib.colors import ListedColormap

    names = pd.phase_names
    if regions and names:
        palette = ["#dbe9f6", "#fde0c5", "#d9f0d3", "#f2d7ee", "#fff2b3", "#e0e0e0", "#cde7e3"]
        index = {n: k for k, n in enumerate(names)}
        grid = np.array([[index.get(p, np.nan) if p else np.nan for p in row] for row in pd.phases],
                        dtype=float)
        cmap = ListedColormap([palette[k % len(palette)] for k in range(len(names))])
        ax.pcolormesh(pd.xs, pd.ys, np.ma.masked_invalid(grid), cmap=cmap, vmin=-0.5,
                      vmax=len(names) - 0.5, shading="nearest", rasterized=True)
        X, Y = np.meshgrid(pd.xs, pd.ys)
        for name, k in index.items():
            mask = grid == k
            # label at the cell of the region farthest from its border
            from scipy.ndimage import distance_transform_edt
            depth = distance_transform_edt(np.pad(mask, 1))[1:-1, 1:-1]
            j, i = np.unravel_index(np.argmax(depth), depth.shape)
            # keep the label inside the frame (a thin region's deepest cell may sit on the edge)
            x = np.clip(X[j, i], *_inset(pd.x[1], pd.x[2]))
            y = np.clip(Y[j, i], *_inset(pd.y[1], pd.y[2]))
            ax.text(x, y, name, ha="center", va="center", fontsize=9,
                    bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.7})
    colours = matplotlib.rcParams["axes.prop_cycle"].by_key()["color"]
    # the pieces of one line ("name", "name (2)", ...) share a colour and a legend entry
    bases = list(dict.fromkeys(_base_name(l.name) for l in sorted(pd.lines, key=lambda l: l.kind)))
    labelled = set()
    for line in sorted(pd.lines, key=lambda l: l.kind):
        base = _base_name(line.name)
        style = dict(LINE_STYLES.get(line.kind, {}))
        p = line.points
        ax.plot(p[:, 0], p[:, 1], color=colours[bases.index(base) % len(colours)],
                label=None if base in labelled else base, marker="." if len(p) < 3 else None,
                **style)
        labelled.add(base)
    ax.set_xlim(pd.x[1], pd.x[2])
    ax.set_ylim(pd.y[1], pd.y[2])
    ax.set_xlabel(_symbol(pd.x[0]))
    ax.set_ylabel(_symbol(pd.y[0]))
    fixed = ", ".join(f"{k}={v:g}" for k, v in pd.fixed.items())
    ax.set_title(f"{pd.model}" + (f" ({fixed})" if fixed else ""), fontsize=10)
    if legend and pd.lines:
        ax.legend(fontsize=7, loc="best", framealpha=0.85)
    return ax
