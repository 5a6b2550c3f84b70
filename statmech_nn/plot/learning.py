"""Plots of learning problems: the capacity curve ``α_c(κ)`` and learning curves ``ε(α)``."""
from __future__ import annotations

__all__ = ["plot_capacity", "plot_learning_curves"]


def _axes(ax):
    if ax is None:
        import matplotlib.pyplot as plt
        _, ax = plt.subplots(figsize=(5, 3.6))
    return ax


def plot_capacity(kappas, alpha_c, ax=None, simulation=None):
    """``α_c(κ)`` with the storable region shaded; ``simulation`` (optional) a tuple
    ``(alpha, fraction)`` of a finite-``N`` separability scan at ``κ = 0`` drawn on a twin axis."""
    ax = _axes(ax)
    ax.plot(kappas, alpha_c, color="C0", label=r"$\alpha_c(\kappa)$ (Gardner 1988)")
    ax.fill_between(kappas, 0, alpha_c, color="C0", alpha=0.15, label="storable")
    ax.set_xlabel(r"margin $\kappa$")
    ax.set_ylabel(r"load $\alpha$")
    ax.legend(loc="upper right")
    if simulation is not None:
        twin = ax.twiny()
        twin.plot(simulation[1], simulation[0], "o", color="C3", label="LP, fraction separable")
        twin.set_xlabel("fraction separable (κ = 0)")
    return ax


def plot_learning_curves(curves, ax=None):
    """``ε(α)`` curves; ``curves`` maps a label to ``(alpha, epsilon)`` arrays."""
    ax = _axes(ax)
    for label, (alpha, eps) in curves.items():
        ax.plot(alpha, eps, label=label)
    ax.set_xlabel(r"examples per weight $\alpha$")
    ax.set_ylabel(r"generalisation error $\varepsilon$")
    ax.set_ylim(bottom=0)
    ax.legend()
    return ax
