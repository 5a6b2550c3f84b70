"""Plots of learning problems: the capacity curve ``α_c(κ)`` and learning curves ``ε(α)``."""
from __future__ import annotations

__all__ = ["plot_capacity", "plot_learning_curves", "plot_continual_learning_curves"]


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


def plot_continual_learning_curves(curves, ax=None):
    """Old- and new-task errors of continual learning against the task-2 load (LHZH23, the
    trade-off between forgetting task 1 and learning task 2).

    Parameters
    ----------
    curves : dict
        Label (e.g. ``"γ = 1"``) -> a dict returned by
        :meth:`~statmech_nn.models.continual_perceptron.ContinualPerceptron.learning_curves`.
        Each label gets one colour: ``ε₁`` (old task) dashed, ``ε₂`` (new task) solid; the reference's
        own task-1 error is a dotted horizontal line.
    """
    ax = _axes(ax)
    refs = set()
    for k, (label, c) in enumerate(curves.items()):
        color = f"C{k}"
        ax.plot(c["alpha_2"], c["epsilon_2"], "-", color=color, label=rf"{label}: $\varepsilon_2$ (new)")
        ax.plot(c["alpha_2"], c["epsilon_1"], "--", color=color, label=rf"{label}: $\varepsilon_1$ (old)")
        refs.add(round(float(c["epsilon_ref"]), 12))
    for eps_ref in sorted(refs):
        ax.axhline(eps_ref, color="0.4", ls=":", lw=1)
    ax.set_xlabel(r"examples of task 2 per weight $\alpha_2$")
    ax.set_ylabel(r"generalisation error $\varepsilon$")
    ax.set_ylim(0, 0.55)
    ax.legend(fontsize="small")
    return ax
