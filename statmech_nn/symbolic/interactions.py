"""Interaction terms of a Hamiltonian. Each performs its disorder average on the replicated system and
introduces its order parameters through the generic operations of
:class:`~statmech_nn.symbolic.engine.ReplicaCalculation`.

References
----------
Curie–Weiss: e.g. Agliari, Barra, Galluzzi, Tantari, Tavani, arXiv:1407.5300, sec. 2.
SK: Sherrington and Kirkpatrick, PRL 35, 1792 (1975), eqs. (2)–(6).
Hopfield: Amit, Gutfreund, Sompolinsky, Ann. Phys. 173, 30 (1987), sec. 2.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp
import sympy.stats as stats

from ..errors import DerivationError
from .engine import N, OrderParameter, beta, n, replica_a, replica_b
from .replica import RSMatrix

__all__ = ["Hamiltonian", "UniformCouplings", "GaussianCouplings", "HebbianCouplings", "ExternalField"]

_a, _b = replica_a, replica_b


def gaussian_cumulants(name, mean, std):
    """``log E e^{tJ}`` of a Gaussian coupling ``J ~ N(mean, std²)`` from sympy.stats, and its first two
    cumulants (the coefficients of ``t`` and ``t²``); anything beyond second order is an error."""
    t = sp.Symbol("t")
    coupling = stats.Normal(name, mean, std)
    cgf = sp.expand(sp.log(stats.moment_generating_function(coupling)(t)), force=True)
    poly = sp.Poly(cgf, t)
    if poly.degree() > 2:
        raise DerivationError("Gaussian couplings must have a quadratic cumulant generating function")
    return cgf, poly.coeff_monomial(t), poly.coeff_monomial(t**2)


@dataclass
class Hamiltonian:
    """A prior for the units plus a list of interaction terms."""

    prior: object
    interactions: list = field(default_factory=list)
    description: str = ""

    def display(self):
        return sp.Eq(sp.Symbol("H(\\sigma)"),
                     sp.Add(*[t.display() for t in self.interactions], evaluate=False))


class UniformCouplings:
    """Mean-field ferromagnet ``H = −(J/2N) Σ_{i,j} σ_i σ_j`` (Curie–Weiss)."""

    def __init__(self, J):
        self.J = J

    def display(self):
        return -self.J / (2 * N) * sp.Symbol(r"\sum_{i,j}\sigma_i\sigma_j")

    def apply(self, calc):
        m = sp.IndexedBase("m")[_a]
        coefficient = beta * self.J / 2
        calc.derivation.add(
            "Magnetisation",
            sp.Eq(sp.Symbol(r"-\beta H(\sigma^a)"),
                  N * coefficient * sp.Symbol(r"X_a^2") + sp.Symbol(r"\cdots")),
            r"With $X_a = \frac{1}{N}\sum_i \sigma_i^a$ the coupling is the square of an empirical "
            "average.")
        field_ = calc.hubbard_stratonovich(coefficient, sp.Symbol("m", real=True), m, pair=False)
        calc.site_field += field_


class GaussianCouplings:
    """Pairwise couplings ``J_ij ~ N(J0/N, J²/N)``: ``H = −Σ_{i<j} J_ij σ_i σ_j`` (SK)."""

    def __init__(self, J0, J=1):
        self.J0 = J0
        self.J = J

    def display(self):
        return -sp.Symbol(r"\sum_{i<j} J_{ij}\sigma_i\sigma_j")

    def apply(self, calc):
        d = calc.derivation
        cgf, k1, k2 = gaussian_cumulants("J_ij", self.J0 / N, self.J / sp.sqrt(N))
        d.add("Average over Gaussian couplings",
              [sp.Eq(sp.Symbol(r"\log \mathbb{E}\, e^{t J_{ij}}"), cgf),
               sp.Eq(sp.Symbol(r"t"), beta * sp.Symbol(r"\sum_a \sigma_i^a\sigma_j^a"))],
              r"The cumulant generating function of $J_{ij}$ from sympy.stats, with "
              r"$t = \beta\sum_a \sigma_i^a\sigma_j^a$ for each pair $i<j$.")
        # Σ_{i<j} Σ_a σσ = (N²/2) Σ_a X_a² and Σ_{i<j}(Σ_a σσ)² = (N²/2) Σ_{a,b} Q_ab², up to O(N)
        c_m = sp.simplify(k1 * beta * N / 2)
        c_q = sp.simplify(k2 * beta**2 * N / 2)
        if c_m.has(N) or c_q.has(N):
            raise DerivationError("coupling scaling does not give an extensive free energy")
        s2 = calc.prior.self_overlap
        d.add("Sums over sites as overlaps",
              sp.Eq(sp.Symbol(r"\frac{1}{N}\log\mathbb{E}\,e^{-\beta\sum_a H(\sigma^a)}"),
                    c_m * sp.Symbol(r"\sum_a X_a^2") + c_q * sp.Symbol(r"\sum_{a,b} Q_{ab}^2")),
              r"$X_a = \frac{1}{N}\sum_i \sigma_i^a$, $Q_{ab} = \frac{1}{N}\sum_i \sigma_i^a\sigma_i^b$;"
              r" diagonal terms are $O(1/N)$; $Q_{aa} = "
              + (rf"\sigma^2 = {s2}$." if s2 is not None else r"q_d$, an order parameter."))
        closed = getattr(calc.prior, "closed_form", False)
        if s2 is None:   # units without a fixed σ²: the self-overlap Q_aa is an order parameter
            if closed:
                calc.conjugate_overlap(c_q, sp.Symbol("q_d", positive=True), sp.IndexedBase("q_d")[_a],
                                       sp.Symbol("qhat_d", real=True),
                                       # "{}": TeX would merge a lone accent group with the next subscript
                                       sp.IndexedBase(sp.Symbol(r"\hat{q}_{d}{}"))[_a],
                                       pair=False)
            else:
                calc.diagonal_hubbard_stratonovich(c_q, sp.Symbol("q_d", positive=True),
                                                   sp.IndexedBase("q_d")[_a])
        else:
            calc.energetic += calc.replica_sum(c_q * s2**2)
        if c_m != 0:
            m = sp.IndexedBase("m")[_a]
            calc.site_field += calc.hubbard_stratonovich(c_m, sp.Symbol("m", real=True), m,
                                                         pair=False)
        q = sp.IndexedBase("q")[_a, _b]
        if closed:   # closed-form (Gaussian/spherical) sites: q = ⟨σσ⟩ needs the conjugate form
            calc.conjugate_overlap(2 * c_q, sp.Symbol("q", positive=True), q,
                                   sp.Symbol("qhat", positive=True), sp.IndexedBase("qhat")[_a, _b])
        else:
            calc.hubbard_stratonovich(2 * c_q, sp.Symbol("q", positive=True), q, pair=True)


class HebbianCouplings:
    """Hebbian couplings ``J_ij = (1/N) Σ_μ η_i^μ η_j^μ`` (``i ≠ j``), ``η = ξ − c``, with ``P = αN``
    random patterns, ``K`` of them condensed (macroscopic overlap), the rest a source of noise (AGS).

    By default ``ξ = ±1`` with equal probability and ``c = 0``. ``support``/``weights`` give another
    i.i.d. law of the entries (e.g. diluted ``{−1, 0, 1}`` with ``((1−d)/2, d, (1−d)/2)``) and
    ``centre`` the constant ``c`` subtracted in the learning rule (biased patterns: ``c = a`` =
    mean of ``ξ``, Amit, Gutfreund, Sompolinsky, PRA 35, 2293 (1987), eq. (2.1)). The engine derives
    the mean and variance ``v = E[η²]`` of ``η`` from that law: the mean must vanish (otherwise the
    ``P − K`` non-condensed patterns add an extensive ferromagnetic field), ``v`` scales the noise,
    ``log det(1 − βvQ)``. ``alpha = 0`` (the number, not a symbol) is the low load ``P = K``: the
    condensed patterns only.

    References
    ----------
    Amit, Gutfreund, Sompolinsky, Ann. Phys. 173, 30 (1987), sec. 2 and PRA 35, 2293 (1987), sec. II.
    """

    def __init__(self, alpha, condensed=1, support=(-1, 1), weights=None, centre=0):
        self.alpha = alpha
        self.condensed = int(condensed)
        self.support = tuple(sp.sympify(s) for s in support)
        self.weights = None if weights is None else tuple(sp.sympify(w) for w in weights)
        self.centre = sp.sympify(centre)
        if self.weights is not None and len(self.weights) != len(self.support):
            raise DerivationError("pattern support and weights differ in length")

    def display(self):
        if self.centre == 0:
            return -sp.Symbol(r"\frac{1}{2N}\sum_{\mu=1}^{P}\sum_{i\neq j}\xi_i^\mu\xi_j^\mu\sigma_i\sigma_j")
        c = sp.latex(self.centre)
        return -sp.Symbol(r"\frac{1}{2N}\sum_{\mu=1}^{P}\sum_{i\neq j}(\xi_i^\mu - %s)(\xi_j^\mu - %s)"
                          r"\sigma_i\sigma_j" % (c, c))

    def pattern_moments(self):
        """``(E[η], E[η²])`` of the centred entries ``η = ξ − c``, from the law of ``ξ``."""
        weights = self.weights or (sp.Rational(1, len(self.support)),) * len(self.support)
        total = sp.simplify(sp.Add(*weights))
        if total != 1:
            raise DerivationError(f"pattern weights must sum to 1, they sum to {total}")
        eta = [s - self.centre for s in self.support]
        mean = sp.factor(sp.Add(*[w * e for w, e in zip(weights, eta)]))
        variance = sp.factor(sp.Add(*[w * e**2 for w, e in zip(weights, eta)]))
        return mean, variance

    def apply(self, calc):
        d = calc.derivation
        alpha, K = self.alpha, self.condensed
        s2 = calc.prior.self_overlap
        if s2 is None:
            raise DerivationError(f"Hebbian couplings with {calc.prior.name} units (no fixed σ²) are not "
                                  "implemented: the log det(1 − βQ) term needs Q_aa = σ²")
        mean, v = self.pattern_moments()
        if mean != 0:
            raise DerivationError(f"the centred pattern entries have mean {mean} != 0: choose the "
                                  "centre of the learning rule equal to the mean of the entries")
        if self.weights is not None or self.centre != 0:
            xi_ = sp.Symbol(r"\xi")
            d.add("Pattern entries",
                  [sp.Eq(sp.Symbol(r"P(\xi)"), sp.Add(*[w * sp.Symbol(rf"\delta_{{\xi,{sp.latex(s)}}}")
                                                       for s, w in zip(self.support, self.weights
                                                                       or (1,) * len(self.support))])),
                   sp.Eq(sp.Symbol(r"\mathbb{E}[\xi - %s]" % sp.latex(self.centre)), mean),
                   sp.Eq(sp.Symbol(r"v = \mathbb{E}[(\xi - %s)^2]" % sp.latex(self.centre)), v)],
                  r"Independent entries; the learning rule uses $\eta = %s$, whose mean and variance "
                  r"follow from $P(\xi)$." % sp.latex(xi_ - self.centre))
        d.add("Hebbian couplings as squares",
              sp.Eq(sp.Symbol(r"-\beta H(\sigma^a)"),
                    sp.Symbol(r"\frac{\beta}{2N}\sum_{\mu}\Big(\sum_i \xi_i^\mu\sigma_i^a\Big)^2")
                    - beta * alpha * v * N * s2 / 2),
              r"The $i = j$ terms give $-\beta P\sigma^2/2$ with $P = \alpha N$; "
              + ("" if v == 1 else r"($\times v$: $\frac{1}{N}\sum_i (\eta_i^\mu)^2 \to v$) ")
              + ("pattern $1$ is" if K == 1 else f"patterns $1..{K}$ are")
              + " condensed, the others are not.")
        calc.energetic += calc.replica_sum(-beta * alpha * v * s2 / 2)
        names = ["m"] if K == 1 else [f"m_{mu}" for mu in range(1, K + 1)]
        # at low load the T = 0 site term is sign(Σ ξ m + h): real entries let SymPy differentiate it
        # (DiracDelta, zero almost everywhere) for the Jacobian of the solver
        real = {"real": True} if self.alpha == 0 else {}
        xis = [sp.Symbol("xi", **real) if K == 1 else sp.Symbol(f"xi_{mu}", **real) for mu in range(1, K + 1)]
        for name, xi in zip(names, xis):
            m = sp.IndexedBase(name)[_a]
            calc.site_field += (xi - self.centre) * calc.hubbard_stratonovich(
                beta / 2, sp.Symbol(name, real=True), m, pair=False,
                note=rf"Condensed pattern: $X_a = \frac{{1}}{{N}}\sum_i {_site_entry(xi, self.centre)}"
                     rf"_i \sigma_i^a$.")
            calc.site_quenched.append((xi, self.support, self.weights))
        if self.alpha == 0:
            # low load (alpha given as the number 0, not a symbol): only the K condensed patterns,
            # no noise and no overlap q (Agliari et al., PRL 109, 268101 (2012); arXiv:2308.04106)
            d.add("Low load", sp.Eq(sp.Symbol(r"P"), sp.Symbol(r"K = %d" % K)),
                  r"A finite number of patterns, all condensed: no non-condensed noise, no overlap "
                  r"$q$.")
            return
        # non-condensed patterns: HS with Gaussian z_a, average over ξ, Gaussian integral over z
        x = sp.Symbol("x")
        logcosh = sp.series(sp.log(sp.cosh(x)), x, 0, 4).removeO()
        d.add("Average over non-condensed patterns",
              [sp.Eq(sp.Symbol(r"\log\cosh x"), logcosh + sp.Symbol(r"O(x^4)")),
               sp.Eq(sp.Symbol(r"\mathbb{E}_\xi\, e^{\frac{\beta}{2N}\sum_a(\sum_i\xi_i\sigma_i^a)^2}"),
                     sp.Symbol(r"\int\prod_a Dz_a\, e^{\frac{\beta%s}{2}\sum_{ab} z_a Q_{ab} z_b}"
                               r" = \det(1-\beta%s Q)^{-1/2}"
                               % ((r" \left(" + sp.latex(v) + r"\right)",) * 2 if v != 1 else ("", ""))))],
              r"Each non-condensed pattern: HS with $n$ Gaussians $z_a$, then "
              r"$\mathbb{E}_\xi \cosh(\sqrt{\beta/N}\sum_a z_a\sigma_i^a)$ to second order, then the "
              r"Gaussian integral; there are $P - K \simeq \alpha N$ of them."
              + ("" if v == 1 else r" The entries $\eta$ have mean $0$ and variance $v = %s$ "
                 r"(their third moment gives $O(N^{-1/2})$)." % sp.latex(v)))
        q_rs = sp.Symbol("q", positive=True)
        r_rs = sp.Symbol("r", positive=True)
        Q = RSMatrix(1 - beta * v * s2, -beta * v * q_rs, n)   # 1 − βvQ with Q_aa = σ², Q_ab = q
        logdet_coefficient = -alpha / 2
        calc.rs_energetic_extra += logdet_coefficient * Q.logdet()
        # δ(Q_ab − q_ab) with conjugate (αβ²/2) r_ab per ordered pair: AGS eq. (2.9)
        q = sp.IndexedBase("q")[_a, _b]
        r = sp.IndexedBase("r")[_a, _b]
        conj = alpha * beta**2
        calc.energetic += calc.pair_sum(-conj * r * q)
        calc.site_pair += conj * r
        d.add("Overlaps and their conjugates",
              [sp.Eq(sp.Symbol(r"1"), sp.Symbol(r"\int dq_{ab}\,dr_{ab}\, e^{-N\alpha\beta^2 r_{ab}"
                                                 r"(q_{ab} - Q_{ab})}")),
               sp.Eq(sp.Symbol(r"\frac{1}{N}\log\mathbb{E}Z^n"),
                     sp.Symbol(r"-\frac{\alpha}{2}\log\det(1-\beta q) - \alpha\beta^2\sum_{a<b} r_{ab}"
                               r" q_{ab} + \log\mathcal{Z}_1 + \cdots"))],
              r"The overlap matrix enters through $\log\det(1 - \beta Q)$: it is fixed by a delta "
              r"function whose conjugate, scaled as in AGS, is $r_{ab}$.")
        calc.order_parameters.append(OrderParameter(q_rs, q, "delta", r_rs, overlap=True))
        calc.order_parameters.append(OrderParameter(r_rs, r, "delta", q_rs))
        # replicon curvature of c·log det(A0 + sQ): −2 c s² / (A_d − A_o)², here s = −β
        calc._add_replicon(sp.simplify(-2 * logdet_coefficient * (beta * v)**2
                                       / Q.replicon_eigenvalue**2))


def _site_entry(xi, centre):
    """LaTeX of the pattern entry ``ξ − c`` that takes the site subscript ``_i`` (braced when it
    already has a subscript, e.g. ``ξ_1``)."""
    tex = sp.latex(xi - centre)
    if centre != 0:
        return "(" + tex + ")"
    return "{" + tex + "}" if "_" in tex else tex


class ExternalField:
    """Uniform field ``H = −h Σ_i σ_i``."""

    def __init__(self, h):
        self.h = h

    def display(self):
        return -self.h * sp.Symbol(r"\sum_i\sigma_i")

    def apply(self, calc):
        calc.site_field += beta * self.h

