"""Plots of learning problems: the capacity curve ``α_c(κ)`` and learning curves ``ε(α)``."""
from __future__ import annotations

__all__ = ["plot_capacity", "plot_learning_curves", "plot_continual_learning_curves"]


def _axes(ax):
    if ax is None:
        import matplotlib.pyplot as plt
        _, ax = plt.subplots(figsize=(5, 3.6))
    return ax


def plot_capacity(kappas, alpha_c, ax=None, simulation=None, at_line=None):
    """``α_c(κ)`` with the storable region shaded.

    Parameters
    ----------
    kappas, alpha_c : array_like
        Margins and the capacity there (:meth:`~statmech_nn.models.perceptron.Perceptron.capacity_curve`).
    simulation : tuple, optional
        ``(alpha, fraction)`` of a finite-``N`` separability scan at ``κ = 0``, drawn on a twin axis.
    at_line : array_like, optional
        ``α_AT`` at the same margins (:meth:`~statmech_nn.models.perceptron.Perceptron.at_line`,
        ``NaN`` where RS is stable up to ``α_c``): drawn dashed, with the replica-symmetry-broken
        region between it and ``α_c`` hatched (Gardner and Derrida 1988).
    """
    ax = _axes(ax)
    ax.plot(kappas, alpha_c, color="C0", label=r"$\alpha_c(\kappa)$ (Gardner 1988)")
    ax.fill_between(kappas, 0, alpha_c, color="C0", alpha=0.15, label="storable")
    if at_line is not None:
        import numpy as np

        at = np.asarray(at_line, float)
        if at.shape != np.shape(kappas):
            from ..errors import ParameterError
            raise ParameterError(f"at_line needs one value per margin: {at.shape} for {np.shape(kappas)} "
                                 "margins (NaN where RS is stable)")
        ax.plot(kappas, at, "--", color="C3", label=r"$\alpha_{AT}(\kappa)$ (replicon $= 0$)")
        ax.fill_between(kappas, at, alpha_c, where=np.isfinite(at), facecolor="none", edgecolor="C3",
                        hatch="//", linewidth=0, label="RS unstable")
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
