"""Hopfield network ≡ restricted Boltzmann machine with Gaussian hidden units.

A bipartite machine with ``N`` binary visible units ``σ_i = ±1``, ``P`` Gaussian hidden units ``z_μ``
and weights ``ξ_i^μ = ±1`` has the joint weight (normalised Gaussian measure ``Dz``)

    Dz exp( √(β/N) Σ_μ z_μ Σ_i ξ_i^μ σ_i ).

Integrating the hidden layer out (a Hubbard–Stratonovich transformation read backwards) leaves
``exp(β/(2N) Σ_μ (Σ_i ξ_i^μ σ_i)²) = e^{βP/2} exp(−β H_Hopfield(σ))`` with the Hebbian Hopfield
Hamiltonian ``H = −(1/2N) Σ_μ Σ_{i≠j} ξ_i^μ ξ_j^μ σ_i σ_j`` (zero diagonal; the ``i = j`` terms give the
constant ``βP/2`` because ``(ξ_i^μ σ_i)² = 1``), so ``Z_RBM = e^{βP/2} Z_Hopfield`` (Agliari, Barra,
Galluzzi, Tantari, Tavani, arXiv:1407.5300, section on the Hopfield model as a restricted Boltzmann
machine; Barra, Bernacchia, Santucci, Contucci, Neural Networks 34, 1 (2012)).

:func:`hubbard_stratonovich` lets SymPy do the integral and the algebra; :func:`rbm_partition_function`
and :func:`hopfield_partition_function` compute both partition functions by exact enumeration of the
visible configurations, the hidden integral either in the closed form SymPy derived or by 30-digit
mpmath quadrature (independent of SymPy's result).
"""
from __future__ import annotations

import dataclasses
import functools
import math

import numpy as np

from ..errors import ParameterError

__all__ = ["HSDerivation", "hubbard_stratonovich", "hopfield_partition_function",
           "rbm_partition_function", "hopfield_energy"]

_MAX_VISIBLE = 20  # 2^20 configurations: the enumeration's limit


@dataclasses.dataclass(frozen=True)
class HSDerivation:
    """Result of :func:`hubbard_stratonovich`.

    Attributes
    ----------
    gaussian_integral : sympy.Expr
        ``∫ dz/√(2π) exp(−z²/2 + a z)`` as integrated by SymPy (``exp(a²/2)``).
    a : sympy.Symbol
        The source ``a`` of the integral.
    marginal : sympy.Expr
        ``log`` of the hidden-layer marginal for the explicit ``N × P`` example, ``ξ``, ``σ`` symbolic.
    hopfield_log_weight : sympy.Expr
        ``−β H_Hopfield`` of the same example (zero diagonal).
    constant : sympy.Expr
        ``marginal − hopfield_log_weight`` after using ``σ_i² = ξ_i^μ² = 1``: ``βP/2``.
    steps : list of (str, sympy.Expr)
    """

    gaussian_integral: object
    a: object
    marginal: object
    hopfield_log_weight: object
    constant: object
    steps: list

    def latex(self):
        """The derivation as a LaTeX body (wrap with :func:`statmech_nn.export.latex_document`)."""
        from .decimation import steps_latex
        return steps_latex(self.steps)

    @functools.cached_property
    def hidden_integral(self):
        """The derived ``∫Dz e^{a z}`` as a numpy function of ``a``."""
        import sympy as sp
        return sp.lambdify(self.a, self.gaussian_integral, "numpy")


@functools.lru_cache(maxsize=8)
def hubbard_stratonovich(n_visible=3, n_hidden=2):
    """Integrate out the Gaussian hidden layer with SymPy and compare with ``exp(−β H_Hopfield)``.

    SymPy integrates ``∫ dz/√(2π) exp(−z²/2 + a z)``; with ``a_μ = √(β/N) Σ_i ξ_i^μ σ_i`` the product over
    hidden units is expanded for an explicit ``n_visible × n_hidden`` example with symbolic ``ξ``, ``σ``
    and ``β``, the squares ``σ_i²``, ``(ξ_i^μ)²`` are set to 1, and the difference from ``−β H_Hopfield``
    (zero diagonal) is simplified to the constant ``βP/2``.

    Returns
    -------
    HSDerivation

    Examples
    --------
    >>> hubbard_stratonovich(3, 2).constant
    beta
    """
    import sympy as sp

    N, P = int(n_visible), int(n_hidden)
    if N < 1 or P < 1:
        raise ParameterError("n_visible and n_hidden must be positive integers")
    z, a = sp.Symbol("z", real=True), sp.Symbol("a", real=True)
    beta = sp.Symbol("beta", positive=True)
    integral = sp.integrate(sp.exp(-z ** 2 / 2 + a * z) / sp.sqrt(2 * sp.pi), (z, -sp.oo, sp.oo),
                            conds="none")
    integral = sp.simplify(integral)
    sigma = sp.symbols(f"sigma_1:{N + 1}", real=True)
    xi = [sp.symbols(f"xi^{mu}_1:{N + 1}", real=True) for mu in range(1, P + 1)]
    sources = [sp.sqrt(beta / N) * sum(x * s for x, s in zip(xi[mu], sigma)) for mu in range(P)]
    marginal = sp.expand(sum(sp.expand_log(sp.log(integral.subs(a, src)), force=True) for src in sources))
    squares = {s ** 2: 1 for s in sigma} | {x ** 2: 1 for row in xi for x in row}
    marginal_pm1 = sp.expand(marginal).subs(squares)
    hopfield = sp.Rational(1, 2 * N) * beta * sum(xi[mu][i] * xi[mu][j] * sigma[i] * sigma[j]
                                                  for mu in range(P) for i in range(N) for j in range(N)
                                                  if i != j)
    constant = sp.simplify(marginal_pm1 - sp.expand(hopfield))
    if constant.free_symbols - {beta}:
        raise RuntimeError(f"the marginal is not the Hopfield weight up to a constant: {constant}")  # pragma: no cover
    steps = [(r"Gaussian hidden unit: $\int dz\, e^{-z^2/2 + a z}/\sqrt{2\pi}$",
              sp.Eq(sp.Symbol("I(a)"), integral)),
             (r"source of hidden unit $\mu$", sp.Eq(sp.Symbol("a_mu"), sources[0])),
             ("log of the marginal over the hidden layer", marginal),
             (r"with $\sigma_i^2 = (\xi_i^\mu)^2 = 1$", marginal_pm1),
             (r"$-\beta H_{\mathrm{Hopfield}}$ (zero diagonal)", hopfield),
             (r"difference of the log weights: the constant $\log Z_{\mathrm{RBM}} - \log Z_{\mathrm{Hopfield}}$",
              constant)]
    return HSDerivation(integral, a, marginal, hopfield, constant, steps)


def _check(patterns, beta):
    xi = np.asarray(patterns)
    if xi.ndim != 2 or xi.size == 0:
        raise ParameterError("patterns must be a non-empty (P, N) array of ±1")
    if not np.all(np.isin(xi, (-1, 1))):
        raise ParameterError("patterns must contain only −1 and +1")
    if xi.shape[1] > _MAX_VISIBLE:
        raise ParameterError(f"exact enumeration is limited to N ≤ {_MAX_VISIBLE} visible units, got {xi.shape[1]}")
    beta = float(beta)
    if not np.isfinite(beta) or beta < 0:
        raise ParameterError(f"beta must be a finite non-negative number, got {beta}")
    return xi.astype(np.int64), beta


def _configurations(N):
    return 2 * ((np.arange(2 ** N)[:, None] >> np.arange(N)[None, :]) & 1) - 1


def hopfield_energy(sigma, patterns, diagonal="zero"):
    """Hebbian Hopfield energy ``H = −(1/2N) Σ_μ Σ_{i,j} ξ_i^μ ξ_j^μ σ_i σ_j`` (``i ≠ j`` when
    ``diagonal="zero"``, all ``i, j`` when ``"keep"``) of configurations ``sigma`` (…, N), from the
    coupling matrix ``J_ij = (1/N) Σ_μ ξ_i^μ ξ_j^μ``."""
    xi = np.asarray(patterns, dtype=float)
    N = xi.shape[1]
    J = xi.T @ xi / N
    if diagonal == "zero":
        np.fill_diagonal(J, 0.0)
    elif diagonal != "keep":
        raise ParameterError(f"diagonal must be 'zero' or 'keep', got {diagonal!r}")
    s = np.asarray(sigma, dtype=float)
    return -0.5 * np.einsum("...i,ij,...j->...", s, J, s)


def hopfield_partition_function(patterns, beta, diagonal="zero"):
    """``Z = Σ_σ exp(−β H(σ))`` of the Hopfield network by enumerating all ``2^N`` states.

    Parameters
    ----------
    patterns : array_like of ±1, shape (P, N)
    beta : float
    diagonal : {"zero", "keep"}
        Diagonal convention of ``J_ij`` (see :func:`hopfield_energy`).
    """
    xi, beta = _check(patterns, beta)
    energies = hopfield_energy(_configurations(xi.shape[1]), xi, diagonal)
    e0 = energies.min()
    return math.exp(-beta * e0) * math.fsum(np.exp(-beta * (energies - e0)))


def rbm_partition_function(patterns, beta, hidden="closed_form"):
    """``Z = Σ_σ Π_μ ∫Dz_μ exp(√(β/N) z_μ Σ_i ξ_i^μ σ_i)`` of the Gaussian-hidden Boltzmann machine.

    The visible configurations are enumerated; each hidden integral depends on σ only through the
    integer overlap ``Σ_i ξ_i^μ σ_i ∈ {−N, …, N}`` and is computed once per overlap value:

    * ``hidden="closed_form"``: SymPy's ``∫Dz e^{a z}`` from :func:`hubbard_stratonovich`;
    * ``hidden="quadrature"``: mpmath quadrature of ``∫ dz/√(2π) exp(−z²/2 + a z)`` at 30 digits.
    """
    xi, beta = _check(patterns, beta)
    N = xi.shape[1]
    overlaps = _configurations(N) @ xi.T  # (2^N, P), integers
    values = np.arange(-N, N + 1)
    sources = math.sqrt(beta / N) * values
    if hidden == "closed_form":
        table = np.asarray(hubbard_stratonovich().hidden_integral(sources), dtype=float) * np.ones(values.size)
    elif hidden == "quadrature":
        import mpmath
        with mpmath.workdps(30):
            table = np.array([float(mpmath.quad(lambda z, a=mpmath.mpf(a): mpmath.exp(-z * z / 2 + a * z),
                                                [-mpmath.inf, a, mpmath.inf]) / mpmath.sqrt(2 * mpmath.pi))
                              for a in sources])
    else:
        raise ParameterError(f"hidden must be 'closed_form' or 'quadrature', got {hidden!r}")
    log_weights = np.log(table)[overlaps + N].sum(axis=1)
    top = log_weights.max()
    return math.exp(top) * math.fsum(np.exp(log_weights - top))
