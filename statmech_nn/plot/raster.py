"""Figures of rasters as lattice fields: the raster, its magnetisation kernel, the decimation flow.

matplotlib is imported lazily, inside the functions (a leaf of the package).
"""
from __future__ import annotations

import numpy as np

__all__ = ["plot_raster", "plot_magnetisation_kernel", "plot_chain_flow"]


def _axes(ax, size=(6.4, 3.6)):
    if ax is None:
        import matplotlib
        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt
        _, ax = plt.subplots(figsize=size, dpi=150)
    return ax


def plot_raster(raster, ax=None):
    """Draw the lattice field ``s_i(t)`` of a :class:`~statmech_nn.fields.raster.Raster` (black = spike).
    Returns the axis; its image holds ``raster.spins``."""
    ax = _axes(ax)
    T = raster.n_bins
    ax.imshow(raster.spins, aspect="auto", cmap="binary", vmin=-1, vmax=1, interpolation="nearest",
              extent=(0, T * raster.bin_width, raster.n_neurons - 0.5, -0.5))
    ax.set_xlabel("time")
    ax.set_ylabel("neuron $i$")
    ax.set_title(r"raster as a lattice field $s_i(t) = 2n_i(t) - 1$")
    return ax


def plot_magnetisation_kernel(raster, neurons=1, bins=10, stride=None, ax=None):
    """Heat map of :meth:`Raster.magnetisation_kernel` (mean spin per ``neurons × bins`` window) on the
    −1..1 scale. Returns the axis; its image holds the kernel."""
    import matplotlib.pyplot as plt
    ax = _axes(ax)
    kernel = raster.magnetisation_kernel(neurons=neurons, bins=bins, stride=stride)
    image = ax.imshow(kernel, aspect="auto", cmap="coolwarm", vmin=-1, vmax=1, interpolation="nearest")
    plt.colorbar(image, ax=ax, label="magnetisation")
    ax.set_xlabel(f"time window ({bins} bins)")
    ax.set_ylabel(f"neuron block ({neurons})")
    ax.set_title("kernel of magnetisations")
    return ax


def plot_chain_flow(ax=None, fits=None, starts=None, steps=4, h_range=(-1.0, 1.0)):
    """Flow diagram of the Ising chain under decimation in time, in the ``(tanh K, h)`` plane.

    Arrows follow the map derived by :func:`~statmech_nn.fields.decimation.chain_decimation` from a
    grid of starting points (or ``starts``, a list of ``(K, h)``); the fixed lines ``K* = 0`` (attractive)
    and ``K* = ∞`` (``tanh K = 1``, repulsive) are marked. ``fits`` (a list of
    :class:`~statmech_nn.fields.maxent.MaxEntFit` of one neuron, finest first, e.g. from
    :func:`~statmech_nn.fields.decimation.fitted_flow`) are overlaid with error bars, beside the flow
    predicted from the finest fit. Returns the axis.
    """
    from ..fields.decimation import predicted_chain_flow
    ax = _axes(ax, (5.6, 4.4))
    if starts is None:
        starts = [(K, h) for K in (0.6, 1.0, 1.6, 2.4) for h in np.linspace(*h_range, 5) * 0.4]
    for K0, h0 in starts:
        Ks, hs = predicted_chain_flow(K0, h0, steps)
        t = np.tanh(Ks)
        ax.plot(t, hs, color="0.5", lw=0.8)
        for k in range(steps):
            ax.annotate("", xy=(t[k + 1], hs[k + 1]), xytext=(t[k], hs[k]),
                        arrowprops=dict(arrowstyle="->", color="0.3", lw=0.8))
    ax.axvline(0.0, color="tab:blue", lw=2, label=r"$K^*=0$ (attractive)")
    ax.axvline(1.0, color="tab:red", lw=2, label=r"$K^*=\infty$ (repulsive)")
    if fits:
        K = np.array([f.K[0, 0] for f in fits])
        Ke = np.array([f.K_err[0, 0] for f in fits])
        h = np.array([f.h[0] for f in fits])
        he = np.array([f.h_err[0] for f in fits])
        ax.errorbar(np.tanh(K), h, xerr=Ke / np.cosh(K) ** 2, yerr=he, fmt="o", color="black", ms=4,
                    capsize=2, label="fit after each decimation")
        K_pred, h_pred = predicted_chain_flow(K[0], h[0], len(fits) - 1)
        ax.plot(np.tanh(K_pred), h_pred, "s--", color="tab:orange", ms=4, lw=1,
                label="predicted from the finest fit")
    ax.set_xlim(-0.05, 1.05)
    ax.set_xlabel(r"$\tanh K$ (temporal coupling)")
    ax.set_ylabel(r"$h$ (field)")
    ax.set_title("decimation in time: flow of the Ising chain")
    ax.legend(frameon=False, fontsize="small")
    return ax
