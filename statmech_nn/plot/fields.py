"""Figures of the lattice field module (matplotlib imported lazily; a leaf of the package)."""
from __future__ import annotations

import numpy as np

__all__ = ["plot_propagator", "plot_dispersion", "plot_spectrum"]


def _axes(ax):
    if ax is None:
        import matplotlib
        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt
        _, ax = plt.subplots(figsize=(6.4, 4.4), dpi=150)
    return ax


def plot_propagator(result, ax=None):
    """Measured ``⟨φ̃(k)φ̃(−k)⟩`` of a :class:`~statmech_nn.fields.Phi4Result` (error bars) against the
    exact free propagator ``1/K(k)`` of its theory at ``λ = 0``, versus ``k̂² = Σ 4 sin²(k_μ/2)``."""
    from ..fields.lattice import ScalarFieldTheory
    ax = _axes(ax)
    if result.two_point is None:
        from ..errors import ParameterError
        raise ParameterError("the run did not measure the two-point function (two_point=True)")
    g, err = result.two_point
    khat2 = result.lattice.khat2()
    th = result.theory
    order = np.argsort(khat2)
    ax.errorbar(khat2, g, yerr=err, fmt="o", ms=3, label="Monte Carlo")
    if th.m2 > 0:
        free = ScalarFieldTheory(th.d, m2=th.m2, lam=0, convention=th.convention).free_propagator(result.lattice)
        ax.plot(khat2[order], free[order], "-", label=r"free $1/K(k)$")
    ax.set_xlabel(r"$\hat k^2 = \sum_\mu 4\sin^2(k_\mu/2)$")
    ax.set_ylabel(r"$\langle\tilde\phi(k)\tilde\phi(-k)\rangle$")
    ax.set_yscale("log")
    ax.legend()
    return ax


def plot_dispersion(theory, lattice=None, ax=None, points=200):
    """``ω²(k)`` of a :class:`~statmech_nn.fields.ScalarFieldTheory` along ``k = (k_1, 0, …)`` against its
    continuum limit ``m² + k²`` (both from the theory's SymPy expressions); lattice momenta as dots."""
    import sympy as sp
    ax = _axes(ax)
    k = theory.k
    on_axis = {kk: 0 for kk in k[1:]}
    lattice_w2 = sp.lambdify(k[0], theory.dispersion().subs(on_axis), "numpy")
    series, a = theory.continuum_limit(order=0)
    cont_w2 = sp.lambdify(k[0], series.subs(on_axis), "numpy")
    q = np.linspace(-np.pi, np.pi, points)
    ax.plot(q, np.broadcast_to(lattice_w2(q), q.shape), label=r"lattice $m^2 + 4\sin^2(k/2)$")
    ax.plot(q, np.broadcast_to(cont_w2(q), q.shape), "--", label=r"continuum $m^2 + k^2$")
    if lattice is not None:
        kk = np.unique(lattice.momenta()[:, 0])
        kk = np.where(kk > np.pi, kk - 2 * np.pi, kk)
        ax.plot(kk, np.broadcast_to(lattice_w2(kk), kk.shape), "o", ms=4, label="lattice momenta")
    ax.set_xlabel(r"$k_1$")
    ax.set_ylabel(r"$\omega^2(k)$")
    ax.legend()
    return ax


def plot_spectrum(spectrum, ax=None):
    """Equipartition power ``P_a(k)`` per field of :meth:`NeuralFieldTheory.spectrum` versus ``|k|``."""
    ax = _axes(ax)
    p = spectrum["momenta"]
    p = np.where(p > np.pi, p - 2 * np.pi, p)
    kabs = np.linalg.norm(p, axis=1)
    order = np.argsort(kabs)
    for a in range(spectrum["power"].shape[1]):
        ax.plot(kabs[order], spectrum["power"][order, a], "o-", ms=3, label=fr"$P_{{{a + 1}}}(k)$")
    ax.set_xlabel(r"$|k|$")
    ax.set_ylabel("power (equipartition)")
    ax.set_yscale("log")
    ax.legend()
    return ax
