"""Priors of the units: each implements a few scalar primitives; the engine builds the single-site
problem of the replicated system from them (in the spirit of TRAMP's priors).

References
----------
Aubin, Baker, Krzakala, Zdeborová et al., TRAMP: Tree-AMP (2020) for the design of scalar primitives.
"""
from __future__ import annotations

import sympy as sp

from .averages import GaussianAverage

__all__ = ["Prior", "IsingPrior"]


class Prior:
    """A single-unit measure ``dP(σ)`` given by a finite ``support`` and counting ``weights``."""

    name = "prior"
    support: tuple = ()
    weights: tuple = ()

    @property
    def self_overlap(self):
        """``σ²`` when it is the same for every support point (then ``Q_aa`` is fixed), else None."""
        squares = {sp.sympify(s) ** 2 for s in self.support}
        return squares.pop() if len(squares) == 1 else None

    def log_partition(self, x):
        """``φ(x) = log Σ_σ w_σ e^{xσ}``; symmetric pairs ``±s`` combine into ``2 w cosh(s x)``."""
        terms, used = [], set()
        pairs = list(zip(map(sp.sympify, self.support), map(sp.sympify, self.weights)))
        for s, w in pairs:
            if s in used:
                continue
            if s != 0 and (-s, w) in pairs:
                terms.append(2 * w * sp.cosh(s * x))
                used.update({s, -s})
            else:
                terms.append(w * sp.exp(s * x))
                used.add(s)
        return sp.log(sp.Add(*terms))

    def mean(self, x):
        """``⟨σ⟩`` under the tilted measure ``e^{xσ} dP(σ)``: ``φ'(x)``."""
        t = sp.Dummy("t")
        return sp.diff(self.log_partition(t), t).subs(t, x)

    def variance(self, x):
        """``⟨σ²⟩ − ⟨σ⟩²`` under the tilted measure: ``φ''(x)``."""
        t = sp.Dummy("t")
        return sp.simplify(sp.diff(self.log_partition(t), t, 2)).subs(t, x)

    def single_site(self, field, pair, n, z, deriv):
        """``log Σ_{σ^1..σ^n} exp(field Σ_a σ^a + pair Σ_{a<b} σ^a σ^b)`` with ``n`` symbolic.

        Uses ``Σ_{a<b} σ^a σ^b = ((Σ_a σ^a)² − n σ²)/2`` (fixed ``σ²``) and a Hubbard–Stratonovich
        Gaussian ``z`` for the square, after which the replicas factorise.
        """
        s2 = self.self_overlap
        if s2 is None:
            raise NotImplementedError(f"{self.name}: single-site problem needs a fixed σ²")
        x = field + sp.sqrt(pair) * z
        phi = self.log_partition(x)
        result = -pair * n * s2 / 2 + sp.log(GaussianAverage(sp.exp(n * phi), z))
        deriv.add(
            "Single-site problem",
            [sp.Eq(sp.Symbol(r"\log \sum_{\{\sigma^a\}} e^{A\sum_a\sigma^a + B\sum_{a<b}\sigma^a\sigma^b}"),
                   sp.Symbol(r"\log \sum_{\{\sigma^a\}} e^{A\sum_a\sigma^a + \frac{B}{2}(\sum_a\sigma^a)^2"
                             r" - \frac{B}{2} n \sigma^2}")),
             sp.Eq(sp.Symbol("A"), field), sp.Eq(sp.Symbol("B"), pair),
             sp.Eq(sp.Symbol(r"\log \mathcal{Z}_1"), result)],
            f"{self.name} units have $\\sigma^2 = {s2}$; the square is linearised with a Gaussian $z$ "
            r"and the sum over each replica gives $\log\sum_\sigma e^{x\sigma} = "
            f"{sp.latex(self.log_partition(sp.Symbol('x')))}$.")
        return result, x


class IsingPrior(Prior):
    """Ising units ``σ = ±1`` with counting measure: ``φ(x) = log 2cosh x``."""

    name = "Ising"
    support = (-1, 1)
    weights = (1, 1)
