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
from .laws import DiscreteLaw, centred_moments
from .replica import LogDet, RSMatrix
from .state import N, OverlapSource, beta, n, replica_a, replica_b
from .printing import DisorderAverage, Tex

__all__ = ["Hamiltonian", "UniformCouplings", "GaussianCouplings", "HebbianCouplings", "ExternalField",
           "gaussian_cumulants"]

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
        return sp.Eq(Tex("H(\\sigma)"),
                     sp.Add(*[t.display() for t in self.interactions], evaluate=False))


class UniformCouplings:
    """Mean-field ferromagnet ``H = −(J/2N) Σ_{i,j} σ_i σ_j`` (Curie–Weiss), or its ``p``-body form
    ``H = −(J N/2) X^p``, ``X = (1/N) Σ_i σ_i`` (the mean of Gaussian p-body couplings, Gardner 1985).
    The magnetisation is called ``magnetisation`` (default ``m``)."""

    def __init__(self, J, p=2, magnetisation="m", owner="ferromagnetic couplings"):
        self.J = J
        self.p = int(p)
        self.magnetisation = str(magnetisation)
        self.owner = owner

    def display(self):
        if self.p == 2:
            return -self.J / (2 * N) * Tex(r"\sum_{i,j}\sigma_i\sigma_j")
        return -self.J * N / 2 * Tex(r"\Big(\frac{1}{N}\sum_{i}\sigma_i\Big)^{%d}" % self.p)

    def apply(self, calc):
        coefficient = beta * self.J / 2
        calc.derivation.add(
            "Magnetisation",
            sp.Eq(Tex(r"-\beta H(\sigma^a)"),
                  N * coefficient * Tex(r"X_a^{%d}" % self.p) + Tex(r"\cdots")),
            r"With $X_a = \frac{1}{N}\sum_i \sigma_i^a$ the coupling is a power of an empirical "
            "average.")
        calc.condense(self.owner, self.magnetisation, "1", coefficient, self.p)


class GaussianCouplings:
    """Pairwise couplings ``J_ij ~ N(J0/N, J²/N)``: ``H = −Σ_{i<j} J_ij σ_i σ_j`` (SK). The mean
    ``J0`` (if not zero) couples the magnetisation ``magnetisation``."""

    def __init__(self, J0=0, J=1, magnetisation="m", owner="Gaussian couplings"):
        self.J0 = sp.sympify(J0)
        self.J = sp.sympify(J)
        self.magnetisation = str(magnetisation)
        self.owner = owner

    def display(self):
        return -Tex(r"\sum_{i<j} J_{ij}\sigma_i\sigma_j")

    def apply(self, calc):
        d = calc.derivation
        cgf, k1, k2 = gaussian_cumulants("J_ij", self.J0 / N, self.J / sp.sqrt(N))
        d.add("Average over Gaussian couplings",
              [sp.Eq(Tex(r"\log \mathbb{E}\, e^{t J_{ij}}"), cgf),
               sp.Eq(sp.Symbol(r"t"), beta * Tex(r"\sum_a \sigma_i^a\sigma_j^a"))],
              r"The cumulant generating function of $J_{ij}$ from sympy.stats, with "
              r"$t = \beta\sum_a \sigma_i^a\sigma_j^a$ for each pair $i<j$.")
        # Σ_{i<j} Σ_a σσ = (N²/2) Σ_a X_a² and Σ_{i<j}(Σ_a σσ)² = (N²/2) Σ_{a,b} Q_ab², up to O(N)
        c_m = sp.simplify(k1 * beta * N / 2)
        c_q = sp.simplify(k2 * beta**2 * N / 2)
        if c_m.has(N) or c_q.has(N):
            raise DerivationError("coupling scaling does not give an extensive free energy")
        s2 = calc.prior.self_overlap
        d.add("Sums over sites as overlaps",
              sp.Eq(Tex(r"\frac{1}{N}\log\mathbb{E}\,e^{-\beta\sum_a H(\sigma^a)}"),
                    c_m * Tex(r"\sum_a X_a^2") + c_q * Tex(r"\sum_{a,b} Q_{ab}^2")),
              r"$X_a = \frac{1}{N}\sum_i \sigma_i^a$, $Q_{ab} = \frac{1}{N}\sum_i \sigma_i^a\sigma_i^b$;"
              r" diagonal terms are $O(1/N)$; $Q_{aa} = "
              + (rf"\sigma^2 = {s2}$." if s2 is not None else r"q_d$, an order parameter."))
        _self_overlap_energy(calc, c_q, 2, self.owner)
        if c_m != 0:
            calc.condense(self.owner, self.magnetisation, "1", c_m, 2)
        calc.overlap_energy(OverlapSource(self.owner, coefficient=2 * c_q, power=2))


def _self_overlap_energy(calc, c_q, power, owner):
    """The diagonal ``a = b`` part ``c_q Σ_a Q_aa^p`` of a Gaussian coupling average: a constant for
    units with a fixed ``σ²``, otherwise the self-overlap ``q_d`` as an order parameter."""
    s2 = calc.prior.self_overlap
    if s2 is not None:
        calc.energetic += calc.replica_sum(c_q * s2**power)
        return
    if power != 2:
        raise DerivationError(f"{owner}: p-body couplings of {calc.prior.name} units (no fixed σ²) are "
                              "not implemented")
    _a = replica_a
    if getattr(calc.prior, "closed_form", False):
        calc.conjugate_overlap(c_q, sp.Symbol("q_d", positive=True), sp.IndexedBase("q_d")[_a],
                               sp.Symbol("qhat_d", real=True),
                               # "{}": TeX would merge a lone accent group with the next subscript
                               sp.IndexedBase(sp.Symbol(r"\hat{q}_{d}{}"))[_a], pair=False, owner=owner)
    else:
        calc.diagonal_hubbard_stratonovich(c_q, sp.Symbol("q_d", positive=True), sp.IndexedBase("q_d")[_a],
                                           owner=owner)


class HebbianCouplings:
    """Hebbian couplings ``J_ij = (1/N) Σ_μ η_i^μ η_j^μ`` (``i ≠ j``), ``η = ξ − c``, with ``P = αN``
    random patterns of i.i.d. entries of law ``law`` (:mod:`~.laws`; default ``ξ = ±1``), ``K`` of them
    condensed (macroscopic Mattis overlaps ``m`` or ``m_1..m_K``, named by ``overlap``), the rest a source
    of noise (AGS).

    The engine derives from the law the mean and variance ``v = E[η²]`` of ``η``: the mean must vanish
    (otherwise the ``P − K`` non-condensed patterns add an extensive ferromagnetic field), ``v`` scales
    the noise. The non-condensed patterns are integrated out: Hubbard–Stratonovich with ``n`` Gaussians
    ``z_a`` per pattern, the pattern average through the law's cumulant generating function to second
    order, and the Gaussian integral over ``z`` of an RS quadratic form — a ``log det`` of an
    :class:`~.replica.RSMatrix`. Its conjugate is AGS's ``r`` (``q̂ = αβ² r``, ``α r`` the variance of the
    noise field per unit ``β²``). ``alpha = 0`` (the number, not a symbol) is the low load ``P = K``.

    References
    ----------
    Amit, Gutfreund, Sompolinsky, Ann. Phys. 173, 30 (1987), sec. 2 and PRA 35, 2293 (1987), sec. II.
    """

    def __init__(self, alpha, condensed=1, law=None, overlap="m", owner="Hebbian couplings",
                 conjugate="r", pattern="xi"):
        self.alpha = alpha
        self.condensed = int(condensed)
        self.law = law if law is not None else DiscreteLaw((-1, 1))
        self.overlap = str(overlap)
        self.owner = owner
        self.conjugate = str(conjugate)
        self.pattern = str(pattern)
        if self.condensed < 0:
            raise DerivationError(f"{owner}: the number of condensed patterns must be >= 0")

    @property
    def centre(self):
        return self.law.centre

    def display(self):
        if self.centre == 0:
            return -Tex(r"\frac{1}{2N}\sum_{\mu=1}^{P}\sum_{i\neq j}\xi_i^\mu\xi_j^\mu\sigma_i\sigma_j")
        c = sp.latex(self.centre)
        return -Tex(r"\frac{1}{2N}\sum_{\mu=1}^{P}\sum_{i\neq j}(\xi_i^\mu - %s)(\xi_j^\mu - %s)"
                          r"\sigma_i\sigma_j" % (c, c))

    def pattern_moments(self):
        """``(E[η], E[η²])`` of the centred entries ``η = ξ − c``, from the law of ``ξ``."""
        return self.law.moments()

    def overlap_names(self):
        K = self.condensed
        return [self.overlap] if K == 1 else [f"{self.overlap}_{mu}" for mu in range(1, K + 1)]

    def apply(self, calc):
        d = calc.derivation
        alpha, K = self.alpha, self.condensed
        s2 = calc.prior.self_overlap
        if s2 is None:
            raise DerivationError(f"{self.owner} with {calc.prior.name} units (no fixed σ²) are not "
                                  "implemented: the log det(1 − βQ) term needs Q_aa = σ²")
        mean, v = centred_moments(self.law)
        t = sp.Symbol("t")
        if not (isinstance(self.law, DiscreteLaw) and self.law.uniform and self.centre == 0
                and set(self.law.values) == {-1, 1}):
            xi_ = sp.Symbol(r"\xi")
            d.add("Pattern entries",
                  [sp.Eq(Tex(r"\log\mathbb{E}\,e^{t(\xi - %s)}" % sp.latex(self.centre)),
                         self.law.cumulant_generating_function(t)),
                   sp.Eq(Tex(r"\mathbb{E}[\xi - %s]" % sp.latex(self.centre)), mean),
                   sp.Eq(Tex(r"v = \mathbb{E}[(\xi - %s)^2]" % sp.latex(self.centre)), v)],
                  r"Independent entries of the %s law; the learning rule uses $\eta = %s$, whose mean and "
                  r"variance follow from its cumulant generating function." % (self.law.name,
                                                                                sp.latex(xi_ - self.centre)))
        d.add("Hebbian couplings as squares",
              sp.Eq(Tex(r"-\beta H(\sigma^a)"),
                    Tex(r"\frac{\beta}{2N}\sum_{\mu}\Big(\sum_i \eta_i^\mu\sigma_i^a\Big)^2")
                    - beta * alpha * v * N * s2 / 2),
              r"The $i = j$ terms give $-\beta P v\sigma^2/2$ with $P = \alpha N$; "
              + ("pattern $1$ is" if K == 1 else f"patterns $1..{K}$ are")
              + " condensed, the others are not.")
        calc.energetic += calc.replica_sum(-beta * alpha * v * s2 / 2)
        # at low load the T = 0 site term is sign(Σ ξ m + h): real entries let SymPy differentiate it
        # (DiracDelta, zero almost everywhere) for the Jacobian of the solver
        real = {"real": True} if self.alpha == 0 else {}
        names = self.overlap_names()
        for mu, name in enumerate(names, 1):
            xi = sp.Symbol(self.pattern if K == 1 else f"{self.pattern}_{mu}", **real)
            entry, quenched = self.law.quenched_entry(xi)
            calc.condense(self.owner, name, f"{xi}", beta / 2, 2, site_vector=entry - self.centre,
                          quenched=[quenched],
                          note=rf"Condensed pattern: $X_a = \frac{{1}}{{N}}\sum_i "
                               rf"{_site_entry(xi, self.centre)}_i \sigma_i^a$.")
        if self.alpha == 0:
            # low load (alpha given as the number 0, not a symbol): only the K condensed patterns,
            # no noise and no overlap q (Agliari et al., PRL 109, 268101 (2012); arXiv:2308.04106)
            d.add("Low load", sp.Eq(sp.Symbol(r"P"), sp.Symbol(r"K = %d" % K)),
                  r"A finite number of patterns, all condensed: no non-condensed noise, no overlap "
                  r"$q$.")
            return
        calc.overlap_energy(self._noise(calc, s2))

    def _noise(self, calc, s2):
        """The non-condensed patterns integrated out, as an :class:`OverlapSource` of the overlap."""
        d = calc.derivation
        t = sp.Symbol("t")
        cgf = self.law.cumulant_generating_function(t)
        # per pattern: HS with z_a, so t_i = √(β/N) Σ_a z_a σ_i^a is O(N^{-1/2}); the cumulant expansion
        # of log E e^{t η} to second order, summed over sites: Σ_i t_i² = (β/N) Σ_ab z_a z_b Σ_i σ_i^a σ_i^b
        # its Taylor coefficients at t = 0 (the first two cumulants)
        first = sp.simplify(sp.diff(cgf, t).subs(t, 0))
        half_second = sp.simplify(sp.diff(cgf, t, 2).subs(t, 0) / 2)
        expansion = first * t + half_second * t**2
        if first != 0:
            raise DerivationError(f"{self.owner}: the centred entries have mean {first} != 0")
        q = sp.Symbol("q", positive=True)
        # exponent (1/2) zᵀ K z with K_ab = 2 (second cumulant/2) β Q_ab: the Gaussian integral of
        # exp(−½ zᵀ(1 − K) z)
        M = RSMatrix(1 - 2 * half_second * beta * s2, -2 * half_second * beta * q, n)
        per_pattern = M.gaussian_log_integral()
        rs_energy = sp.expand(self.alpha * per_pattern)
        matrix = LogDet(-self.alpha / 2, 1, -2 * half_second * beta, s2)
        if sp.expand(rs_energy - matrix.rs(q, n)) != 0:
            raise DerivationError(f"{self.owner}: the Gaussian integral over the non-condensed overlaps "
                                  "is not the log det of the RS matrix")
        eta_, Q_, M_ = sp.Symbol("eta"), sp.MatrixSymbol("Q", n, n), sp.MatrixSymbol("M", n, n)
        d.add("Average over non-condensed patterns",
              [sp.Eq(Tex(r"\log\mathbb{E}\,e^{t\eta}"), expansion + sp.O(t**3)),
               sp.Eq(sp.log(DisorderAverage(sp.exp(Tex(r"\frac{\beta}{2N}\sum_a\Big(\sum_i\eta_i\sigma_i^a\Big)^2",
                                                       "beta/(2N) sum_a (sum_i eta_i sigma_i^a)^2")),
                                             eta_)),
                     matrix.coefficient / self.alpha
                     * sp.log(sp.Determinant(matrix.diagonal * sp.Identity(n) + matrix.scale * Q_))),
               sp.Eq(-sp.log(sp.Determinant(M_)) / 2, per_pattern),
               sp.Eq(sp.Indexed(M_.name, replica_a, replica_b),
                     M.diag * sp.KroneckerDelta(replica_a, replica_b)
                     + M.off * (1 - sp.KroneckerDelta(replica_a, replica_b)))],
              r"Each non-condensed pattern: Hubbard--Stratonovich with $n$ Gaussians $z_a$; the entries' "
              r"cumulant generating function to second order in $t = \sqrt{\beta/N}\sum_a z_a\sigma_i^a$ "
              r"(higher cumulants are $O(N^{-1/2})$); the Gaussian integral over $z$ of the RS matrix $M$ "
              r"from its two eigenvalues. There are $P - K \simeq \alpha N$ such patterns.")
        r = sp.Symbol(self.conjugate, positive=True)
        d.add("Overlaps and their conjugates",
              [sp.Eq(sp.Symbol(r"1"), Tex(r"\int dq_{ab}\,d%s_{ab}\, e^{-N\alpha\beta^2 %s_{ab}"
                                                 r"(q_{ab} - Q_{ab})}" % (sp.latex(r), sp.latex(r))))],
              r"The overlap matrix enters through the $\log\det$: it is fixed by a delta function whose "
              r"conjugate, scaled as in AGS ($\hat q = \alpha\beta^2 %s$), is $%s_{ab}$." % (sp.latex(r),
                                                                                          sp.latex(r)))
        return OverlapSource(self.owner, rs_energy=rs_energy, matrix=matrix,
                             conjugate=(r, self.alpha * beta**2))


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
        return -self.h * Tex(r"\sum_i\sigma_i")

    def apply(self, calc):
        calc.site_field += beta * self.h
