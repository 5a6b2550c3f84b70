"""p-body interactions: the engine operation for ``exp(N c X^p)`` with ``p > 2`` and the interaction
terms built on it (Gaussian p-body couplings, p-body Hebbian couplings).

For ``p > 2`` a Hubbard–Stratonovich transform does not apply. The empirical average ``X`` (a replica
overlap ``Q_ab`` or a magnetisation ``X_a``) is fixed by a delta function with a conjugate ``x̂``:

``exp(N c X^p) = ∫dx δ(x − X) e^{N c x^p} = extr_{x, x̂} exp(N c (x^p − x̂ x + x̂ X))``

(the conjugate integrated along the imaginary axis and scaled by ``c`` so that it stays finite as
``β → ∞``; at the saddle point ``x̂ = p x^{p−1}``). The conjugates of ``m`` and ``q`` are named
``lambda_m`` and ``lambda_q`` (names starting with ``m`` mean magnetisations to the solver and the
phase engine). For ``p = 2`` eliminating ``x̂`` gives back the
Hubbard–Stratonovich result ``extr_x exp(N(−c x² + 2c x X))``.

Replicon (RS stability) of the overlap pair ``(q, q̂)``: in the replicon sector the Hessian of the
action ``Σ_{a<b} c(q_ab^p − q̂_ab q_ab) + log Z_1(c q̂)`` is ``[[c p(p−1) q^{p−2}, −c], [−c, c² μ]]``
with ``μ = E[(1 − ⟨σ⟩²)²]`` the single-site replicon susceptibility; integrating out ``q̂`` leaves
``λ_R ∝ 1 − c p (p−1) q^{p−2} μ`` (Gardner, Nucl. Phys. B 257, 747 (1985), sec. 3; for ``p = 2`` the
de Almeida–Thouless condition ``1 − β²J² E sech⁴ > 0``).

References
----------
E. Gardner, Nucl. Phys. B 257, 747 (1985) [p-spin glass, eqs. (2.1)–(2.9)];
E. Gardner, J. Phys. A 20, 3453 (1987) [multiconnected neural networks];
Albanese, Alemanno, Alessandrelli, Barra, arXiv:2111.12997 (2022) [dense Hebbian networks].
"""
from __future__ import annotations

import sympy as sp

from ..errors import DerivationError
from .interactions import gaussian_cumulants
from .state import N, OverlapSource, beta
from .printing import Tex

__all__ = ["PBodyGaussianCouplings", "DenseHebbianCouplings", "overlap_power"]


def overlap_power(coefficient, power, owner):
    """The overlap energy ``c Σ_{a<b} Q_ab^p`` of a p-body term, which keeps the conjugate ``lambda_q``
    (scaled by ``c``; ``λ_q = p q^{p−1}`` at the saddle point) when it is the first term to name one."""
    return OverlapSource(owner, coefficient=coefficient, power=power,
                         conjugate=(sp.Symbol("lambda_q", positive=True), coefficient))


class PBodyGaussianCouplings:
    """Gaussian p-body couplings ``H = −Σ_{i1<…<ip} J_{i1…ip} σ_{i1}…σ_{ip}`` with
    ``J ~ N(J0 p!/(2N^{p−1}), J² p!/(2 N^{p−1}))`` (Gardner 1985; Derrida's normalisation of the
    variance, so that ``p → ∞`` is the random energy model with ``T_c = J/(2√ln 2)``; the mean is
    normalised so that ``p = 2`` is SK with mean ``J0/N``)."""

    def __init__(self, p, J0=0, J=1, magnetisation="m", owner="Gaussian p-body couplings"):
        self.p = int(p)
        self.J0 = sp.sympify(J0)
        self.J = J
        self.magnetisation = str(magnetisation)
        self.owner = owner

    def display(self):
        return -Tex(r"\sum_{i_1<\dots<i_{%d}} J_{i_1\dots i_{%d}}\sigma_{i_1}\cdots\sigma_{i_{%d}}"
                          % (self.p, self.p, self.p))

    def apply(self, calc):
        d = calc.derivation
        p = self.p
        mean = self.J0 * sp.factorial(p) / (2 * N ** (p - 1))
        std = self.J * sp.sqrt(sp.factorial(p) / (2 * N ** (p - 1)))
        cgf, k1, k2 = gaussian_cumulants("J_{i_1..i_p}", mean, std)
        d.add("Average over Gaussian p-body couplings",
              [sp.Eq(Tex(r"\log \mathbb{E}\, e^{t J_{i_1\dots i_p}}"), cgf),
               sp.Eq(sp.Symbol("t"), beta * Tex(r"\sum_a \sigma_{i_1}^a\cdots\sigma_{i_p}^a")),
               sp.Eq(sp.Symbol("p"), p)],
              r"The cumulant generating function of each coupling from sympy.stats, for each $p$-tuple "
              r"$i_1 < \dots < i_p$.")
        # Σ_{i1<..<ip} Π σ^a = (N^p/p!) X_a^p and Σ_{i1<..<ip} (Σ_a Π σ^a)² = (N^p/p!) Σ_{a,b} Q_ab^p,
        # up to relative O(1/N)
        c_m = sp.simplify(k1 * beta * N**p / sp.factorial(p) / N)
        c_q = sp.simplify(k2 * beta**2 * N**p / sp.factorial(p) / N)
        if c_m.has(N) or c_q.has(N):
            raise DerivationError("coupling scaling does not give an extensive free energy")
        s2 = calc.prior.self_overlap
        d.add("Sums over p-tuples as overlaps",
              sp.Eq(Tex(r"\frac{1}{N}\log\mathbb{E}\,e^{-\beta\sum_a H(\sigma^a)}"),
                    c_m * Tex(r"\sum_a X_a^{%d}" % p)
                    + c_q * Tex(r"\sum_{a,b} Q_{ab}^{%d}" % p)),
              r"$X_a = \frac{1}{N}\sum_i \sigma_i^a$, $Q_{ab} = \frac{1}{N}\sum_i \sigma_i^a\sigma_i^b$, "
              r"$\sum_{i_1<\dots<i_p} = \frac{N^p}{p!}(\cdot)^p$ up to relative $O(1/N)$; "
              rf"$Q_{{aa}} = \sigma^2 = {s2}$.")
        calc.energetic += calc.replica_sum(c_q * s2**p)
        if c_m != 0:
            calc.condense(self.owner, self.magnetisation, "1", c_m, p, delta=True,
                          note=r"Mean coupling $J_0$: a $p$-th power of the magnetisation.")
        # variance: Σ_{a<b} Q_ab^p, each pair twice in Σ_{a≠b}
        calc.overlap_energy(overlap_power(2 * c_q, p, self.owner))


class DenseHebbianCouplings:
    """p-body Hebbian couplings ``H = −(1/(p N^{p−1})) Σ_μ Σ_{i1≠…≠ip} ξ^μ_{i1}…ξ^μ_{ip} σ_{i1}…σ_{ip}``
    (ordered tuples of distinct sites) with ``P = α N^{p−1}`` random ``±1`` patterns, pattern 1
    condensed (Gardner 1987; Albanese et al. 2022). ``p ≥ 3``.

    The non-condensed patterns act as Gaussian noise at this load: the cumulant expansion of
    ``log E_ξ exp(β/(p N^{p−1}) Σ_a Σ_{i≠} ξ…σ^a…)`` has first cumulant 0 (distinct sites), second
    ``β² p!/(2 p² N^{p−2}) Σ_{a,b} Q_ab^p``, and the k-th, per unit and times ``P``, of order
    ``N^{(p−2)(1 − k/2)}``; with ``P = α N^{p−1}`` patterns only the second survives for ``p ≥ 3`` (for ``p = 2`` every cumulant contributes
    and the AGS ``log det`` of :class:`~statmech_nn.symbolic.interactions.HebbianCouplings` is needed).
    """

    def __init__(self, p, alpha, overlap="m", owner="dense Hebbian couplings"):
        self.p = int(p)
        if self.p < 3:
            raise DerivationError("DenseHebbianCouplings needs p >= 3 (p = 2 is HebbianCouplings)")
        self.alpha = alpha
        self.overlap = str(overlap)
        self.owner = owner

    def display(self):
        p = self.p
        return -Tex(r"\frac{1}{%d N^{%d}}\sum_{\mu=1}^{P}\sum_{i_1\neq\dots\neq i_{%d}}"
                          r"\xi^\mu_{i_1}\cdots\xi^\mu_{i_{%d}}\sigma_{i_1}\cdots\sigma_{i_{%d}}"
                          % (p, p - 1, p, p, p))

    def apply(self, calc):
        d = calc.derivation
        p, alpha = self.p, self.alpha
        s2 = calc.prior.self_overlap
        P = alpha * N ** (p - 1)
        # condensed pattern: −βH ⊃ (β N/p) X^p with X = (1/N) Σ_i ξ_i σ_i (distinct tuples: N^p X^p)
        c_m = beta / p
        xi = sp.Symbol("xi")
        d.add("Condensed pattern",
              sp.Eq(Tex(r"-\beta H_1(\sigma^a)"), N * c_m * Tex(r"X_a^{%d}" % p)),
              r"$X_a = \frac{1}{N}\sum_i \xi_i\sigma_i^a$; the sum over distinct ordered $p$-tuples is "
              r"$N^p X_a^p$ up to relative $O(1/N)$.")
        calc.condense(self.owner, self.overlap, "xi", c_m, p, site_vector=xi, quenched=[(xi, (-1, 1))])
        # non-condensed patterns: cumulants of Y = Σ_a Σ_{i1≠..≠ip} Π ξ σ^a, t = β/(p N^{p−1})
        t = beta / (p * N ** (p - 1))
        first = sp.S.Zero                          # E_ξ Π ξ_{i_k} = 0 for distinct sites
        # E_ξ[Π_k ξ_{i_k} Π_k ξ_{j_k}] = 1 iff (j) is a permutation of (i): p! per ordered tuple
        second = sp.factorial(p) * N**p * sp.Symbol("S")   # S = Σ_{a,b} Q_ab^p
        per_pattern = t * first + t**2 / 2 * second
        third_order = sp.simplify(P * t**3 * N ** sp.Rational(3 * p, 2) / N)   # k = 3 cumulant, per unit
        if sp.limit(third_order, N, sp.oo) != 0:
            raise DerivationError("third cumulant of the non-condensed patterns does not vanish")
        c_q = sp.simplify(P * per_pattern / N / sp.Symbol("S"))
        if c_q.has(N):
            raise DerivationError("p-body Hebbian scaling does not give an extensive free energy")
        d.add("Average over non-condensed patterns (cumulant expansion)",
              [sp.Eq(Tex(r"\log\mathbb{E}_\xi e^{tY}"),
                     Tex(r"t\,\mathbb{E}Y + \frac{t^2}{2}\mathrm{Var}\,Y + O(t^3 N^{3p/2})")),
               sp.Eq(sp.Symbol("t"), t),
               sp.Eq(Tex(r"\mathbb{E}\,Y^2"), sp.factorial(p) * N**p
                     * Tex(r"\sum_{a,b}Q_{ab}^{%d}" % p)),
               sp.Eq(Tex(r"\frac{P}{N}\log\mathbb{E}_\xi e^{tY}"),
                     c_q * Tex(r"\sum_{a,b}Q_{ab}^{%d}" % p)),
               sp.Eq(Tex(r"P\,t^3 N^{3p/2}/N"), third_order)],
              rf"Each of the $P - 1 \simeq \alpha N^{{{p - 1}}}$ non-condensed patterns: "
              r"$Y = \sum_a\sum_{i_1\neq\dots\neq i_p}\prod_k\xi_{i_k}\sigma^a_{i_k}$ has zero mean (distinct sites) and "
              r"$\mathbb{E}Y^2 = p!\,N^p\sum_{a,b}Q_{ab}^p$; the third cumulant vanishes as "
              r"$N\to\infty$, so the patterns' signal-to-noise contribution is Gaussian: a $p$-body term "
              r"in the overlaps, as for Gaussian couplings.")
        calc.energetic += calc.replica_sum(c_q * s2**p)
        calc.overlap_energy(overlap_power(2 * c_q, p, self.owner))
