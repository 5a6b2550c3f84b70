"""Order-parameter maps over a plane of two control parameters, with lines on top."""
from __future__ import annotations

import numpy as np

__all__ = ["plot_order_parameter_map"]


def plot_order_parameter_map(x, y, values, ax=None, xlabel="", ylabel="", label="", lines=(),
                             region_level=None, region_label=None, title=None):
    """Colour map of ``values`` on the grid ``(x, y)`` with optional lines and a region contour.

    Parameters
    ----------
    x, y : 1-D arrays
        Grid axes; ``values`` has shape ``(len(y), len(x))``; NaN marks points without the branch.
    lines : iterable of (xs, ys, label, style dict)
        Curves drawn on top (e.g. transition lines computed by the solver).
    region_level : float, optional
        Draw the contour ``values = region_level`` (e.g. the edge of the retrieval region).
    """
    import matplotlib
    if ax is None:
        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt
        fig, ax = plt.subplots(figsize=(6.4, 4.8), dpi=150)
    masked = np.ma.masked_invalid(np.asarray(values, dtype=float))
    mesh = ax.pcolormesh(x, y, masked, shading="auto", cmap="viridis", vmin=0, vmax=1)
    ax.figure.colorbar(mesh, ax=ax, label=label)
    if region_level is not None:
        filled = np.where(np.isfinite(values), values, 0.0)
        ax.contour(x, y, filled, levels=[region_level], colors="black", linewidths=1.5)
        if region_label:   # contour sets carry no legend entry of their own
            ax.plot([], [], color="black", lw=1.5, label=region_label)
    for xs, ys, text, style in lines:
        ax.plot(xs, ys, label=text, **({"color": "tab:red", "lw": 2} | dict(style)))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_xlim(np.min(x), np.max(x))
    ax.set_ylim(np.min(y), np.max(y))
    if title:
        ax.set_title(title)
    if lines or region_label:
        ax.legend(loc="center right", framealpha=0.9)
    return ax
