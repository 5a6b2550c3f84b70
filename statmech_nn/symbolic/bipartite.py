"""Bipartite interaction of a restricted Boltzmann machine: visible units ``σ_i`` (the main units of
the replica calculation), ``P = αN`` hidden units ``τ_μ`` (a second site layer) and weights
``ξ_iμ``, ``H = −(1/√N) Σ_iμ ξ_iμ σ_i τ_μ``; one pattern (weight column ``μ = 1``) may be retrieved.

The disorder average over the non-retrieved weights keeps their second cumulant (the weight prior
enters only through its variance, Barra et al. 2018 sec. 2), giving ``N (α v β²/2) Σ_ab Q_ab P_ab``
with ``Q`` the visible and ``P`` the hidden overlap matrix; the engine's bilinear overlaps and
self-overlap operations then introduce ``q``, ``p`` (and ``q_d``, ``p_d`` where neither layer has a
fixed ``σ²``).

References
----------
Barra, Genovese, Sollich, Tantari, *Phase diagram of restricted Boltzmann machines and generalised
Hopfield networks with arbitrary priors*, PRE 97, 022310 (2018), arXiv:1702.05882;
Barra, Genovese, Sollich, Tantari, *Phase transitions in restricted Boltzmann machines with generic
priors*, PRE 96, 042156 (2017), arXiv:1612.03132;
Barra, Bernacchia, Santucci, Contucci, Neural Networks 34, 1 (2012) (Gaussian hidden units ⇔ Hopfield).
"""
from __future__ import annotations

import sympy as sp

from ..errors import DerivationError
from .state import N, beta, replica_a, replica_b
from .printing import Tex

__all__ = ["BipartiteCouplings", "weight_variance"]

_a, _b = replica_a, replica_b


def weight_variance(prior):
    """Variance ``v`` of a weight prior from its log-moment generating function
    ``log E e^{tξ} = v t²/2 + O(t³)`` (SymPy series); the mean must vanish."""
    t = sp.Symbol("t")
    cgf = sp.series(prior.log_partition(t) - prior.log_partition(sp.S.Zero), t, 0, 3).removeO()
    mean, half_var = sp.simplify(cgf.coeff(t, 1)), sp.simplify(cgf.coeff(t, 2))
    if mean != 0:
        raise DerivationError(f"{prior.name} weights have mean {mean}: the bipartite average needs "
                              "zero-mean weights")
    return 2 * half_var


class BipartiteCouplings:
    """``H = −(1/√N) Σ_{i,μ} ξ_iμ σ_i τ_μ`` with ``P = αN`` hidden units of prior ``hidden``, weights
    of prior ``weights``; ``retrieval=True``: weight column 1 is a stored pattern with macroscopic
    Mattis overlap ``m`` (needs hidden units with a quadratic log-partition, i.e. Gaussian ones:
    with bounded hidden units the condensed hidden unit's free energy is ``O(√N)``, not extensive).
    """

    def __init__(self, alpha, hidden, weights, retrieval=True):
        self.alpha = alpha
        self.hidden = hidden
        self.weights = weights
        self.retrieval = retrieval

    def display(self):
        return -Tex(r"\frac{1}{\sqrt{N}}\sum_{i=1}^{N}\sum_{\mu=1}^{P}\xi_{i\mu}\sigma_i\tau_\mu")

    def apply(self, calc):
        d = calc.derivation
        alpha = self.alpha
        v = weight_variance(self.weights)
        layer = calc.add_layer(self.hidden, alpha, "hidden")
        t = sp.Symbol("t")
        d.add("Average over the weights",
              [sp.Eq(Tex(r"\log\mathbb{E}\,e^{t\xi}"), v * t**2 / 2 + sp.O(t**3)),
               sp.Eq(sp.Symbol(r"t"), Tex(r"\frac{\beta}{\sqrt{N}}\sum_a\sigma_i^a\tau_\mu^a")),
               sp.Eq(Tex(r"\frac{1}{N}\log\mathbb{E}\,e^{-\beta\sum_a H}"),
                     alpha * v * beta**2 / 2 * Tex(r"\sum_{a,b} Q_{ab}P_{ab}"))],
              r"Each weight appears with $t = O(N^{-1/2})$: only its variance $v$ survives "
              r"(Barra et al. 2018); $Q_{ab} = \frac1N\sum_i\sigma_i^a\sigma_i^b$, "
              r"$P_{ab} = \frac1P\sum_\mu\tau_\mu^a\tau_\mu^b$, $P = \alpha N$.")
        c = alpha * v * beta**2
        # diagonal (a = b) part: (c/2) Σ_a Q_aa P_aa
        s2_v, s2_h = calc.prior.self_overlap, self.hidden.self_overlap
        if s2_v is not None and s2_h is not None:
            calc.energetic += calc.replica_sum(c * s2_v * s2_h / 2)
        elif s2_v is not None:
            layer.site_diag += c * s2_v / alpha
        elif s2_h is not None:
            calc.site_diag += c * s2_h
        else:
            calc.bilinear_self_overlaps(c / 2, (sp.Symbol("q_d", positive=True),
                                                sp.IndexedBase("q_d")[_a], None),
                                        (sp.Symbol("p_d", positive=True),
                                         sp.IndexedBase("p_d")[_a], layer))
        q = sp.Symbol("q", positive=True)
        p = sp.Symbol("p", positive=True)
        calc.bilinear_overlaps(c, (q, sp.IndexedBase("q")[_a, _b], None),
                               (p, sp.IndexedBase("p")[_a, _b], layer),
                               "Visible overlap $q$ and hidden overlap $p$ (Barra et al. 2018): "
                               "stationarity in $p$ gives $q = \\langle\\sigma\\rangle^2$ and back.")
        if self.retrieval:
            self._condense(calc)

    def _condense(self, calc):
        """Pattern 1: its hidden unit integrated out, then a Mattis overlap ``m`` by HS."""
        X = sp.Symbol("X", real=True)
        # the condensed hidden unit sees the field β √N X (X = Mattis overlap of replica a)
        per_unit = sp.expand(self.hidden.log_partition(beta * sp.sqrt(N) * X)
                             - self.hidden.log_partition(sp.S.Zero))
        extensive = sp.expand(per_unit / N) if per_unit.is_polynomial(X) else _extensive_part(per_unit, X)
        if extensive == 0 or extensive.has(N) or sp.Poly(extensive, X).degree() != 2:
            raise DerivationError(
                f"retrieval with {self.hidden.name} hidden units: the condensed hidden unit gives "
                f"log E e^(β√N X τ) = {per_unit}, not N × (a quadratic in X); retrieval of a pattern "
                "at this weight scale needs Gaussian hidden units (Barra et al. 2018)")
        coefficient = sp.Poly(extensive, X).coeff_monomial(X**2)
        calc.derivation.add(
            "Condensed hidden unit",
            sp.Eq(Tex(r"\log\int dP(\tau_1)\, e^{\beta\sqrt{N} X_a\tau_1}"), N * extensive),
            r"The hidden unit of the retrieved pattern sees the field $\beta\sqrt{N}X_a$, "
            r"$X_a = \frac1N\sum_i\xi_{i1}\sigma_i^a$; its Gaussian integral (SymPy) is extensive.")
        xi = sp.Symbol("xi")
        m = sp.IndexedBase("m")[_a]
        calc.site_field += xi * calc.hubbard_stratonovich(
            coefficient, sp.Symbol("m", real=True), m, pair=False,
            note=r"Mattis overlap $m$ of the retrieved pattern.")
        if hasattr(self.weights, "delta"):       # Gaussian-to-Boolean mixture entries
            calc.site_quenched.append((xi, "mixture", self.weights.delta))
        elif hasattr(self.weights, "support") and self.weights.support:
            support = tuple(self.weights.support)
            total = sp.Add(*self.weights.weights)
            calc.site_quenched.append((xi, support, tuple(w / total for w in self.weights.weights)))
        else:   # Gaussian pattern entries
            calc.site_quenched.append((xi, "gaussian"))


def _extensive_part(per_unit, X):
    """``lim_{N→∞} (1/N) log E e^{β√N X τ}`` by SymPy, term by term, for a hidden prior whose
    log-partition is not a polynomial (e.g. the Gaussian mixture: its ``log cosh(√δ β√N X)`` is
    ``O(√N)`` and drops out, leaving the Gaussian part's ``(1 − δ)β²X²/2`` per unit). 0 when a
    term has no finite limit (Boolean units: no extensive part, no retrieval at this scale).

    The limit is taken with every other symbol positive: the prior is symmetric (even in ``X``)
    and parameters that may vanish (``δ = 0``) only remove terms."""
    total = sp.S.Zero
    for term in sp.Add.make_args(sp.expand(per_unit)):
        positive = {s: sp.Dummy(s.name, positive=True) for s in term.free_symbols - {N}}
        try:
            lim = sp.limit(term.xreplace(positive) / N, N, sp.oo)
        except (NotImplementedError, ValueError):
            return sp.S.Zero
        if lim.has(sp.oo, -sp.oo, sp.zoo, sp.nan, sp.Limit, sp.AccumBounds):
            return sp.S.Zero
        total += lim.xreplace({v: k for k, v in positive.items()})
    return sp.expand(total)
