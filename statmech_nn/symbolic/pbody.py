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
from .engine import N, OrderParameter, beta, replica_a, replica_b
from .interactions import gaussian_cumulants

__all__ = ["power_delta", "PBodyGaussianCouplings", "DenseHebbianCouplings", "DenseHebbianExamples"]

_a, _b = replica_a, replica_b


def power_delta(calc, coefficient, power, symbol, hat_symbol, pair, note=""):
    """Introduce ``x`` and its conjugate ``x̂`` for ``exp(N c Σ X^p)`` (sum over replicas ``a`` or over
    pairs ``a<b``) into the replica calculation ``calc``; return the site term ``c x̂`` (the
    coefficient of ``X`` per unit).

    ``pair=False``: ``X = X_a`` (a magnetisation); ``pair=True``: ``X = Q_ab`` (an overlap, for which
    the replicon curvature ``c p (p−1) q^{p−2}`` is registered).
    """
    c = sp.sympify(coefficient)
    p = sp.Integer(power)
    if p < 2:
        raise DerivationError(f"a p-body term needs p >= 2, got p = {p}")
    # the identity, checked by SymPy: stationarity in x̂ gives x = X, in x gives x̂ = p x^{p−1}, and
    # the exponent at the stationary point is back c X^p
    x, xh, X = sp.symbols("x xhat X")
    exponent = c * (x**p - xh * x + xh * X)
    at_x = exponent.subs(x, X)
    xh_star = sp.solve(sp.diff(exponent, x), xh)
    if len(xh_star) != 1 or sp.simplify(at_x.subs(xh, xh_star[0]).subs(x, X) - c * X**p) != 0:
        raise DerivationError(f"delta-function identity failed for c = {c}, p = {p}")
    name, hat = symbol.name, hat_symbol.name
    if pair:
        xi_, xh_ = sp.IndexedBase(name)[_a, _b], sp.IndexedBase(hat)[_a, _b]
        calc.energetic += calc.pair_sum(c * (xi_**p - xh_ * xi_))
        calc.site_pair += c * xh_
        calc._add_replicon(sp.simplify(c * p * (p - 1) * xi_ ** (p - 2)))
        shown = r"e^{N c\, Q_{ab}^{%s}} = \mathrm{extr}_{%s, %s}\, e^{N c(%s^{%s} - %s %s + %s Q_{ab})}"
        label = "Q_{ab}"
    else:
        xi_, xh_ = sp.IndexedBase(name)[_a], sp.IndexedBase(hat)[_a]
        calc.energetic += calc.replica_sum(c * (xi_**p - xh_ * xi_))
        shown = r"e^{N c\, X_a^{%s}} = \mathrm{extr}_{%s, %s}\, e^{N c(%s^{%s} - %s %s + %s X_a)}"
        label = "X_a"
    lx, lh = sp.latex(xi_), sp.latex(xh_)
    calc.order_parameters.append(OrderParameter(symbol, xi_, "delta", hat_symbol, overlap=pair))
    calc.order_parameters.append(OrderParameter(hat_symbol, xh_, "delta", symbol))
    calc.derivation.add(
        f"Delta function for {symbol} (p-body term)",
        [sp.Eq(sp.Symbol(r"1"), sp.Symbol(r"\int d%s\, d%s\; e^{-N c\, %s(%s - %s)}"
                                            % (lx, lh, lh, lx, label))),
         sp.Eq(sp.Symbol("c"), c),
         sp.Symbol(shown % (sp.latex(p), lx, lh, lx, sp.latex(p), lh, lx, lh))],
        (note + " " if note else "")
        + rf"For $p = {sp.latex(p)} > 2$ no Hubbard–Stratonovich transform linearises "
        rf"${label}^{{{sp.latex(p)}}}$: "
        rf"it is fixed by a delta function with conjugate ${lh}$ (scaled by $c$); at the saddle point "
        rf"${lh} = {sp.latex(p)}\,{lx}^{{{sp.latex(p - 1)}}}$.")
    return c * xh_


class PBodyGaussianCouplings:
    """Gaussian p-body couplings ``H = −Σ_{i1<…<ip} J_{i1…ip} σ_{i1}…σ_{ip}`` with
    ``J ~ N(J0 p!/(2N^{p−1}), J² p!/(2 N^{p−1}))`` (Gardner 1985; Derrida's normalisation of the
    variance, so that ``p → ∞`` is the random energy model with ``T_c = J/(2√ln 2)``; the mean is
    normalised so that ``p = 2`` is SK with mean ``J0/N``)."""

    def __init__(self, p, J0, J=1):
        self.p = int(p)
        self.J0 = J0
        self.J = J

    def display(self):
        return -sp.Symbol(r"\sum_{i_1<\dots<i_{%d}} J_{i_1\dots i_{%d}}\sigma_{i_1}\cdots\sigma_{i_{%d}}"
                          % (self.p, self.p, self.p))

    def apply(self, calc):
        d = calc.derivation
        p = self.p
        mean = self.J0 * sp.factorial(p) / (2 * N ** (p - 1))
        std = self.J * sp.sqrt(sp.factorial(p) / (2 * N ** (p - 1)))
        cgf, k1, k2 = gaussian_cumulants("J_{i_1..i_p}", mean, std)
        d.add("Average over Gaussian p-body couplings",
              [sp.Eq(sp.Symbol(r"\log \mathbb{E}\, e^{t J_{i_1\dots i_p}}"), cgf),
               sp.Eq(sp.Symbol("t"), beta * sp.Symbol(r"\sum_a \sigma_{i_1}^a\cdots\sigma_{i_p}^a")),
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
              sp.Eq(sp.Symbol(r"\frac{1}{N}\log\mathbb{E}\,e^{-\beta\sum_a H(\sigma^a)}"),
                    c_m * sp.Symbol(r"\sum_a X_a^{%d}" % p)
                    + c_q * sp.Symbol(r"\sum_{a,b} Q_{ab}^{%d}" % p)),
              r"$X_a = \frac{1}{N}\sum_i \sigma_i^a$, $Q_{ab} = \frac{1}{N}\sum_i \sigma_i^a\sigma_i^b$, "
              r"$\sum_{i_1<\dots<i_p} = \frac{N^p}{p!}(\cdot)^p$ up to relative $O(1/N)$; "
              rf"$Q_{{aa}} = \sigma^2 = {s2}$.")
        calc.energetic += calc.replica_sum(c_q * s2**p)
        if c_m != 0:
            calc.site_field += power_delta(calc, c_m, p, sp.Symbol("m", real=True),
                                           sp.Symbol("lambda_m", real=True), pair=False,
                                           note=r"Mean coupling $J_0$: a $p$-th power of the magnetisation.")
        power_delta(calc, 2 * c_q, p, sp.Symbol("q", positive=True), sp.Symbol("lambda_q", positive=True),
                    pair=True, note=r"Variance: $\sum_{a<b} Q_{ab}^p$ (each pair twice in $\sum_{a\neq b}$).")


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

    def __init__(self, p, alpha):
        self.p = int(p)
        if self.p < 3:
            raise DerivationError("DenseHebbianCouplings needs p >= 3 (p = 2 is HebbianCouplings)")
        self.alpha = alpha

    def display(self):
        p = self.p
        return -sp.Symbol(r"\frac{1}{%d N^{%d}}\sum_{\mu=1}^{P}\sum_{i_1\neq\dots\neq i_{%d}}"
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
              sp.Eq(sp.Symbol(r"-\beta H_1(\sigma^a)"), N * c_m * sp.Symbol(r"X_a^{%d}" % p)),
              r"$X_a = \frac{1}{N}\sum_i \xi_i\sigma_i^a$; the sum over distinct ordered $p$-tuples is "
              r"$N^p X_a^p$ up to relative $O(1/N)$.")
        calc.site_field += xi * power_delta(calc, c_m, p, sp.Symbol("m", real=True),
                                            sp.Symbol("lambda_m", real=True), pair=False)
        calc.site_quenched.append((xi, (-1, 1)))
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
              [sp.Eq(sp.Symbol(r"\log\mathbb{E}_\xi e^{tY}"),
                     sp.Symbol(r"t\,\mathbb{E}Y + \frac{t^2}{2}\mathrm{Var}\,Y + O(t^3 N^{3p/2})")),
               sp.Eq(sp.Symbol("t"), t),
               sp.Eq(sp.Symbol(r"\mathbb{E}\,Y^2"), sp.factorial(p) * N**p
                     * sp.Symbol(r"\sum_{a,b}Q_{ab}^{%d}" % p)),
               sp.Eq(sp.Symbol(r"\frac{P}{N}\log\mathbb{E}_\xi e^{tY}"),
                     c_q * sp.Symbol(r"\sum_{a,b}Q_{ab}^{%d}" % p)),
               sp.Eq(sp.Symbol(r"P\,t^3 N^{3p/2}/N"), third_order)],
              rf"Each of the $P - 1 \simeq \alpha N^{{{p - 1}}}$ non-condensed patterns: "
              r"$Y = \sum_a\sum_{i_1\neq\dots\neq i_p}\prod_k\xi_{i_k}\sigma^a_{i_k}$ has zero mean (distinct sites) and "
              r"$\mathbb{E}Y^2 = p!\,N^p\sum_{a,b}Q_{ab}^p$; the third cumulant vanishes as "
              r"$N\to\infty$, so the patterns' signal-to-noise contribution is Gaussian: a $p$-body term "
              r"in the overlaps, as for Gaussian couplings.")
        calc.energetic += calc.replica_sum(c_q * s2**p)
        power_delta(calc, 2 * c_q, p, sp.Symbol("q", positive=True), sp.Symbol("lambda_q", positive=True),
                    pair=True)


class DenseHebbianExamples:
    """p-body Hebbian couplings built from ``M`` noisy examples ``η^{μ,a} = χ^{μ,a} ξ^μ`` of each of
    ``P = α N^{p−1}`` archetypes ``ξ^μ = ±1`` (``χ = ±1`` i.i.d., ``P(χ = 1) = (1 + r)/2``): the dense
    Hebbian learners of Agliari et al., arXiv:2212.00606 (supervised) and arXiv:2211.14067
    (unsupervised). ``p ≥ 3``; archetype 1 condensed.

    - ``setting="supervised"``: ``H = −(1/(p N^{p−1})) Σ_μ Σ_{i1≠…≠ip} Π_k η̂^μ_{ik} σ_{ik}`` with the
      teacher's per-archetype average ``η̂^μ_i = (1/(rM)) Σ_a η^{μ,a}_i``;
    - ``setting="unsupervised"``: ``H = −(1/(p N^{p−1} M r^p)) Σ_μ Σ_a Σ_{i1≠…≠ip} Π_k η^{μ,a}_{ik}
      σ_{ik}`` (every example on its own).

    Control parameters: the load ``α``, the dataset entropy ``ρ = (1 − r²)/(M r²)`` and, for the
    unsupervised setting, ``M`` (its noise depends on ``r`` and ``M`` separately). The engine derives
    from the law of ``χ`` (i) the signal: in both settings the condensed archetype enters through
    ``X = (1/N) Σ_i ξ_i χ̄_i σ_i`` with ``χ̄ = (1/(rM)) Σ_a χ^a`` (unsupervised: the ``M`` example
    overlaps are exchangeable, so at the saddle point they are equal, ``Σ_a n_a^p = M (rX)^p``), with
    mean ``E χ̄ = 1`` and variance ``ρ``; (ii) the noise: the second cumulant of a non-condensed
    archetype, ``κ`` times that of :class:`DenseHebbianCouplings`, with
    ``κ = (E η̂²)^p = (1 + ρ)^p`` (supervised) and ``κ = Σ_{a,b} E[Π_k χ^a_k χ^b_k]/(M r^p)²
    = 1 − 1/M + (1 + ρM)^p/M`` (unsupervised). The site variable ``χ̄`` is taken Gaussian,
    ``χ̄ = 1 + √ρ Y`` (the papers' large-dataset limit, central limit theorem in ``M``); ``ρ = 0``
    is :class:`DenseHebbianCouplings` exactly. The site problem is written in the gauge
    ``σ_i → ξ^1_i σ_i`` (no external field), which removes ``ξ^1``.
    """

    SETTINGS = ("supervised", "unsupervised")

    def __init__(self, p, alpha, rho, M=None, setting="supervised"):
        self.p = int(p)
        if self.p < 3:
            raise DerivationError("DenseHebbianExamples needs p >= 3")
        if setting not in self.SETTINGS:
            raise DerivationError(f"setting must be one of {self.SETTINGS}, got {setting!r}")
        if setting == "unsupervised" and M is None:
            raise DerivationError("the unsupervised setting needs the number of examples M")
        self.alpha, self.rho, self.M, self.setting = alpha, rho, M, setting

    def display(self):
        p = self.p
        if self.setting == "supervised":
            return -sp.Symbol(r"\frac{1}{%d N^{%d}}\sum_{\mu=1}^{P}\sum_{i_1\neq\dots\neq i_{%d}}"
                              r"\hat\eta^\mu_{i_1}\cdots\hat\eta^\mu_{i_{%d}}\sigma_{i_1}\cdots\sigma_{i_{%d}}"
                              % (p, p - 1, p, p, p))
        return -sp.Symbol(r"\frac{1}{%d N^{%d} M r^{%d}}\sum_{\mu=1}^{P}\sum_{a=1}^{M}\sum_{i_1\neq\dots"
                          r"\neq i_{%d}}\eta^{\mu,a}_{i_1}\cdots\eta^{\mu,a}_{i_{%d}}\sigma_{i_1}\cdots"
                          r"\sigma_{i_{%d}}" % (p, p - 1, p, p, p, p))

    def example_moments(self):
        """``(E χ̄, Var χ̄, κ)`` from the law of ``χ``, in terms of ``ρ`` (and ``M``)."""
        p = self.p
        r, M, k = sp.symbols("r M k", positive=True)
        # χ = ±1 with P(χ = 1) = (1 + r)/2: E χ = r, E χ² = 1; distinct examples independent
        chi_mean, chi_sq = sp.Rational(1, 2) * (1 + r) - sp.Rational(1, 2) * (1 - r), sp.S.One
        sum_sq = M * chi_sq + M * (M - 1) * chi_mean**2            # E (Σ_a χ^a)²
        mean = sp.simplify(M * chi_mean / (r * M))
        var = sp.simplify(sum_sq / (r * M) ** 2 - mean**2)
        if self.setting == "supervised":
            kappa = (sum_sq / (r * M) ** 2) ** p                     # (E η̂²)^p, sites independent
        else:
            # Σ_{a,b} E Π_k χ^a_{i_k} χ^b_{i_k}: a = b gives 1, a ≠ b gives (E χ)^{2p}
            kappa = (M + M * (M - 1) * chi_mean ** (2 * p)) / (M * r**p) ** 2
        # r² = 1/(1 + ρM): the dataset entropy ρ = (1 − r²)/(M r²)
        rho = sp.Symbol("rho", positive=True)
        to_rho = {r: 1 / sp.sqrt(1 + rho * M)}
        mean, var = sp.simplify(mean.subs(to_rho)), sp.simplify(var.subs(to_rho))
        kappa = sp.factor(sp.simplify(kappa.subs(to_rho)))
        subs = {rho: self.rho}
        if self.M is not None:
            subs[M] = self.M
        return mean.subs(subs), var.subs(subs), kappa.subs(subs)

    def apply(self, calc):
        d = calc.derivation
        p, alpha = self.p, self.alpha
        s2 = calc.prior.self_overlap
        mean, var, kappa = self.example_moments()
        if mean != 1 or sp.simplify(var - self.rho) != 0:
            raise DerivationError(f"example average has mean {mean}, variance {var}: expected 1 and rho")
        Y = sp.Symbol("Y", real=True)
        chibar = mean + sp.sqrt(var) * Y
        d.add("Examples of the archetypes",
              [sp.Eq(sp.Symbol(r"\eta^{\mu,a}_i"), sp.Symbol(r"\chi^{\mu,a}_i\xi^\mu_i")),
               sp.Eq(sp.Symbol(r"\mathbb{E}\,\bar\chi"), mean),
               sp.Eq(sp.Symbol(r"\mathrm{Var}\,\bar\chi"), var),
               sp.Eq(sp.Symbol(r"\bar\chi"), chibar),
               sp.Eq(sp.Symbol(r"\kappa"), kappa)],
              r"$P(\chi = \pm1) = (1 \pm r)/2$, $\bar\chi = \frac{1}{rM}\sum_a\chi^a$, "
              r"$\rho = \frac{1-r^2}{Mr^2}$. The condensed archetype acts through "
              r"$X = \frac{1}{N}\sum_i\xi_i\bar\chi_i\sigma_i$ in both settings (unsupervised: the "
              r"$M$ example overlaps are exchangeable and equal at the saddle point); $\bar\chi$ is "
              r"Gaussian for large $M$. $\kappa$ multiplies the second cumulant of each "
              r"non-condensed archetype (" + self.setting + r"); the gauge $\sigma_i\to\xi^1_i\sigma_i$ "
              r"removes $\xi^1$.")
        c_m = beta / p
        calc.site_field += chibar * power_delta(calc, c_m, p, sp.Symbol("m", real=True),
                                                sp.Symbol("lambda_m", real=True), pair=False)
        calc.site_quenched.append((Y, "gaussian"))
        # non-condensed archetypes: the cumulant expansion of DenseHebbianCouplings times κ
        t = beta / (p * N ** (p - 1))
        c_q = sp.simplify(alpha * N ** (p - 1) * t**2 / 2 * sp.factorial(p) * N**p / N * kappa)
        if c_q.has(N):
            raise DerivationError("dense Hebbian scaling does not give an extensive free energy")
        d.add("Average over non-condensed archetypes and their examples",
              sp.Eq(sp.Symbol(r"\frac{P}{N}\log\mathbb{E}\,e^{tY_\mu}"),
                    c_q * sp.Symbol(r"\sum_{a,b}Q_{ab}^{%d}" % p)),
              r"As for $p$-body Hebbian couplings of the archetypes (second cumulant only for $p\ge 3$), "
              r"with the variance of the examples' products: $\kappa$.")
        calc.energetic += calc.replica_sum(c_q * s2**p)
        power_delta(calc, 2 * c_q, p, sp.Symbol("q", positive=True), sp.Symbol("lambda_q", positive=True),
                    pair=True)
