"""The replica derivation of LHZH23's variational continual-learning perceptron: the student's
entropic term (a flat measure of the means), the probit channel of its preactivation, the Franz–Parisi
reference of task 2. Paper-specific pieces of :mod:`statmech_nn.models.variational_continual`; the
general learning engine is :mod:`statmech_nn.symbolic.learning`.

Li, Huang, Zou, Huang, Phys. Rev. E 108, 014309 (2023), arXiv:2212.02846 [LHZH23], as implemented in
the authors' code (GitHub Chan-Li/VCL: FirstTaskReplica.py, SecondTaskReplica.py, fig-2-a,b.py,
fig-3.py). The student is a mean-field distribution over binary weights, Q(w) = Π_i (1 + m_i w_i)/2,
trained in the space of its means m_i ∈ [−1, 1] (flat measure) with the β-weighted log-likelihood of
the Gaussian-field (probit) approximation of its preactivation; task 2 adds β γ KL(Q ‖ Q_1) to the
task-1 solution Q_1, whose means m¹ are drawn from the task-1 replica measure (Franz–Parisi).
"""
from __future__ import annotations

import sympy as sp

from ..errors import DerivationError
from ..symbolic.averages import Anchor, GaussianAverage, Tilt, UniformAverage, expand_averages
from ..symbolic.derivation import Derivation, aligned_lines
from ..symbolic.free_energy import FreeEnergy
from ..symbolic.learning import gaussian_tail, t, x
from ..symbolic.priors import DiscretePrior, Prior
from ..symbolic.replica import replica_limit
from ..symbolic.rewrite import stabilise
from ..symbolic.state import OrderParameter, ReplicaCalculation, beta, n, z
from ..symbolic.printing import Tex

__all__ = ["FlatMeanPrior", "VariationalWeights", "ProbitChannel", "VariationalFreeEnergy", "bernoulli_kl",
           "variational_free_energy", "variational_franz_parisi_free_energy", "variational_saddle_point"]

q = sp.Symbol("q", nonnegative=True)
q_hat = sp.Symbol("q_hat", nonnegative=True)

m = sp.Symbol("m", real=True)
m_ref = sp.Symbol("m^1", real=True)
m_copy = sp.Symbol("m'", real=True)
B = sp.Symbol("B", real=True)
r = sp.Symbol("r", real=True)
r_hat = sp.Symbol("r_hat", real=True)
q_star = sp.Symbol("q_star", nonnegative=True)
q_star_hat = sp.Symbol("q_star_hat", real=True)
#: sources of the clipped-weight overlaps (set to zero once the observables are taken)
_j1 = sp.Symbol("j_1", real=True)
_j2 = sp.Symbol("j_2", real=True)


class FlatMeanPrior(Prior):
    """The flat measure ``½dm`` of a mean ``m ∈ [−1, 1]`` (LHZH23's variational student), optionally
    tilted by a site potential ``V(m)``: ``φ(x, c) = log ⟨e^{x m + c m²/2 + V(m)}⟩_{m∈[−1,1]}``.

    The replicated single-site problem is that of any prior with a free diagonal overlap
    (:meth:`DiscretePrior.single_site`); the average over ``m`` stays a
    :class:`~statmech_nn.symbolic.averages.UniformAverage`.
    """

    name = "flat mean-field"

    def __init__(self, potential=0):
        self.potential = sp.sympify(potential)

    def exponent(self, field, c, variable=m):
        return (field * m + c * m**2 / 2 + self.potential).xreplace({m: variable})

    def log_partition_quadratic(self, field, c):
        # one exponential factor: its terms (e.g. the KL to a reference) are bounded only together
        return sp.log(UniformAverage(Tilt(self.exponent(field, c), 0), m))

    single_site = DiscretePrior.single_site


def bernoulli_kl(mean, reference):
    """``KL(Q_m ‖ Q_{m¹})`` of two mean-field weights ``Q_m(w) = (1 + w m)/2``, summed by SymPy over
    ``w = ±1``."""
    terms = []
    for w_ in (-1, 1):
        p, p_ref = (1 + w_ * mean) / 2, (1 + w_ * reference) / 2
        terms.append(p * (sp.log(p) - sp.log(p_ref)))
    return sp.Add(*terms)


class VariationalWeights:
    """Entropic term of LHZH23's variational student (task 1): means ``m ∈ [−1, 1]`` with flat measure,
    overlaps ``q = m^a·m^b/N``, ``r = m·w*/N`` (teacher gauged to ``+1``) and the self-overlap
    ``q_* = m·m/N`` imposed with ``q̂``, ``r̂``, ``q̂_*``; single-site exponent
    ``(q̂_* − q̂/2) m² + √q̂ z m + r̂ m`` (FirstTaskReplica.py, ``partial_S``).

    A source ``j sign(m)`` in the site measure gives, by differentiation at ``j = 0``, the teacher
    overlap of the clipped weights ``p = E⟨sign m⟩`` (``ε_g = arccos(p)/π``, fig-2-a,b.py).
    """

    name = "variational (flat mean-field)"

    def entropic(self, deriv, teacher=True):
        prior = FlatMeanPrior(_j1 * sp.sign(m))
        site, _ = prior.single_site(r_hat, q_hat, n, z, deriv, diag=2 * q_star_hat)
        constraints = -n * (n - 1) / 2 * q_hat * q - n * q_star_hat * q_star - n * r_hat * r
        G = expand_averages(replica_limit(constraints + site, n))
        self.observables = {sp.Symbol("p", real=True): expand_averages(sp.diff(G, _j1).subs(_j1, 0))}
        G = G.subs(_j1, 0)
        deriv.add("Entropic term: flat measure of the means",
                  [sp.Eq(sp.Symbol("G_S"), G)],
                  r"Overlaps $q$, $r$ and the self-overlap $q_* = m\cdot m/N$ (weight variance "
                  r"$1 - q_*$) imposed by $\delta$-functions with multipliers $\hat q, \hat r, \hat q_*$; "
                  r"$\lim_{n\to0}\frac1n$ by SymPy.")
        return G, [(q, q_hat), (r, r_hat), (q_star, q_star_hat)], {}


class ProbitChannel:
    """Energetic term of the variational student: the β-tempered likelihood of the teacher's label in
    the Gaussian-field approximation of the mean-field preactivation (LHZH23; FirstTaskReplica.py,
    ``partial_E``).

    For ``w ~ Q_m`` the preactivation ``w·ξ/√N`` is Gaussian with mean ``λ = m·ξ/√N`` and variance
    ``1 − q_*``, so ``P(y | ξ) = ∫Dξ' θ(y(λ + √(1 − q_*) ξ')) = H(−yλ/√(1 − q_*))``; each example
    contributes ``H(...)^β``. The RS fields ``λ^a = √(q_* − q) x_a + √q s`` with teacher field ``t``
    (``⟨st⟩ = r/√q``) give ``G_E = 2⟨H(−rs/√(q − r²)) log ⟨H(−λ/√(1 − q_*))^β⟩_x⟩_s``, i.e. (``s, x → −s,
    −x``) the code's ``2∫Dz H(rz/√(q−r²)) ln ∫Dx H(g)^β``.
    """

    teacher = True

    def energetic(self, deriv):
        s = sp.Symbol("s", real=True)
        s_perp = sp.Symbol(r"s_\perp", real=True)
        o = sp.Symbol("o", real=True)
        noise = sp.Symbol(r"\xi", real=True)
        lam = sp.sqrt(q_star - q) * x + r * t + sp.sqrt(q - r**2) * s_perp
        coeffs = {v: lam.coeff(v) for v in (x, t, s_perp)}
        if (sp.simplify(sum(c_**2 for c_ in coeffs.values()) - q_star) != 0
                or sp.simplify(coeffs[t]**2 + coeffs[s_perp]**2 - q) != 0
                or sp.simplify(coeffs[t] - r) != 0):
            raise DerivationError("RS field representation has the wrong covariance")
        # label +1 of the mean-field student: its preactivation λ + √(1 − q_*) ξ' is positive
        threshold = sp.solve(sp.Eq(lam + sp.sqrt(1 - q_star) * noise, 0), noise)[0]
        likelihood = gaussian_tail(threshold, deriv)
        # rotate (t, s_⊥) to s ∝ r t + √(q−r²) s_⊥ and the orthogonal o
        rot_s = (r * t + sp.sqrt(q - r**2) * s_perp) / sp.sqrt(q)
        rot_o = (sp.sqrt(q - r**2) * t - r * s_perp) / sp.sqrt(q)
        inverse = sp.solve([sp.Eq(s, rot_s), sp.Eq(o, rot_o)], [t, s_perp], dict=True)[0]
        if sp.simplify(inverse[t]**2 + inverse[s_perp]**2 - s**2 - o**2) != 0:
            raise DerivationError("field rotation is not orthogonal")
        lam_s = sp.sqrt(q_star - q) * x + sp.sqrt(q) * s
        if sp.simplify(lam.xreplace(inverse) - lam_s) != 0:
            raise DerivationError("student field does not reduce to the rotated field")
        # in the form c(1 + erf u), whose logarithm and powers have the stable log H form
        likelihood_s = sp.factor_terms(gaussian_tail(
            sp.solve(sp.Eq(lam_s + sp.sqrt(1 - q_star) * noise, 0), noise)[0]).rewrite(sp.erf))
        teacher_weight = sp.factor_terms(gaussian_tail(sp.solve(sp.Eq(inverse[t], 0), o)[0]).rewrite(sp.erf))
        if sp.simplify(teacher_weight + teacher_weight.subs(s, -s) - 1) != 0:
            raise DerivationError("teacher weight is not a probability of one label")
        # d/dn log(2 E_s[w φ̄^n]) at n = 0 (the two labels mirror each other, 2 E_s[w] = 1)
        G = sp.diff(2 * GaussianAverage(teacher_weight * sp.Symbol("phibar")**n, s), n).subs(n, 0)
        # Gaussian shift x = y + x̂ (exact): log φ̄ = β log P(x̂) − x̂²/2 + log E_y[e^{β log P(y + x̂) − x̂ y
        # − β log P(x̂)}]. x̂ = βc ℓ'(u₀)/(1 + βc²), ℓ = log P as a function of its field u = u₀ + c x,
        # is the maximum of β log P(x) − x²/2 to leading order (exact where log P is quadratic), so the
        # y-average is of order one: P^β ~ e^{−βu²/2} neither under- nor overflows at any node
        u = sp.Dummy("u")
        field_slope = sp.diff(lam_s, x) / sp.sqrt(1 - q_star)
        field_offset = lam_s.xreplace({x: 0}) / sp.sqrt(1 - q_star)
        ell = stabilise(sp.log(sp.factor_terms(gaussian_tail(-u).rewrite(sp.erf))))
        x_hat = Anchor(sp.factor_terms(sp.simplify(beta * field_slope / (1 + beta * field_slope**2)))
                       * sp.diff(ell, u).xreplace({u: field_offset}))
        y = sp.Symbol("y", real=True)
        log_P = sp.log(likelihood_s)
        if sp.simplify(stabilise(log_P) - ell.xreplace({u: field_offset + field_slope * x})) != 0:
            raise DerivationError("likelihood is not a function of the field u0 + c x")
        # the identity holds for every x̂ and every shift: both are held fixed under differentiation
        anchor = Anchor(beta * log_P.xreplace({x: x_hat}))
        shifted = Tilt(beta * log_P.xreplace({x: y + x_hat}) - x_hat * y, anchor)
        log_phibar = Anchor(anchor.args[0] - x_hat**2 / 2) + sp.log(GaussianAverage(shifted, y))
        G = expand_averages(G.xreplace({sp.log(sp.Symbol("phibar")): log_phibar})).xreplace({s: z})
        deriv.add("Energetic term: tempered likelihood of the mean-field student",
                  [sp.Eq(Tex(r"\lambda^a"), lam),
                   sp.Eq(Tex(r"P(y=+1\mid\lambda)"), likelihood),
                   sp.Eq(sp.Symbol("s"), rot_s),
                   sp.Eq(Tex(r"\int_{t>0} Do"), teacher_weight),
                   sp.Eq(Tex(r"\hat x"), x_hat),
                   sp.Eq(sp.Symbol("G_E"), G)],
                  r"Gaussian-field approximation: $w\cdot\xi/\sqrt N$ under $Q_m$ has mean $\lambda$ and "
                  r"variance $1-q_*$; each example weighs $P(y\mid\lambda)^\beta$. RS fields with "
                  r"$\langle\lambda^a\lambda^b\rangle = q$, $\langle(\lambda^a)^2\rangle = q_*$, "
                  r"$\langle\lambda^a t\rangle = r$; label $\mathrm{sign}(t)$, both labels alike; "
                  r"$\lim_{n\to0}\frac1n$ by SymPy. The $x$-average is centred by the exact Gaussian "
                  r"shift $x = y + \hat x$ at the leading-order maximum $\hat x$ of "
                  r"$\beta\log P - x^2/2$, so that it neither under- nor overflows.")
        return G


class VariationalFreeEnergy(FreeEnergy):
    """Free energy of LHZH23's variational student; ``observables`` maps the clipped-weight overlaps
    (``p`` for task 1; ``p_1``, ``p_2`` for task 2) to their expressions in the conjugates."""

    @property
    def observables(self):
        return self._structure["observables"]


def variational_saddle_point(fe):
    """The shared stationarity (:func:`~statmech_nn.symbolic.stationarity.saddle_point`) of ``f`` in its
    stable form (``log H``, ``H^β = e^{β log H}``: the equations hold the inverse Mills ratio where ``H``
    underflows), with the domain of the overlaps; no ``T → 0`` limit (``β`` tempers a likelihood)."""
    from ..symbolic.learning import LearningSaddlePoint
    from ..symbolic.stationarity import saddle_point

    stable = FreeEnergy(fe.model, stabilise(fe.expr), fe.order_parameters, fe.parameters, fe.derivation,
                        fe._structure)
    result = LearningSaddlePoint.of(saddle_point(stable))
    result.overlaps = ()
    result.constraints = fe._structure["constraints"]

    def refuse(finite):
        raise DerivationError("the variational student has no zero-temperature limit: T = 1/beta weighs a "
                              "likelihood; solve at T > 0")
    result._limit = refuse
    return result


def _assemble(model, G_S, G_E, alpha, conjugates, observables, d, what):
    # sums of averages kept as they are (multiplying out the Gaussian shift of G_E only swells f)
    f = expand_averages(-(sp.Add(*sp.Add.make_args(G_S)) + alpha * G_E) / beta)
    ops = [x_ for pair in conjugates for x_ in pair]
    d.add("Free energy", sp.Eq(sp.Symbol("f"), -(sp.Symbol("G_S") + alpha * sp.Symbol("G_E")) / beta),
          what + ", extremised over " + ", ".join(f"${sp.latex(o)}$" for o in ops) + ".")
    params = sorted(f.free_symbols - set(ops), key=lambda s_: (s_ != beta, s_.name))
    # the order parameters as the replica engine's delta pairs: stationarity in one fixes the other
    calc = ReplicaCalculation(d.title, FlatMeanPrior(), derivation=d)
    (q_, _), (r_, _), (q_star_, _) = conjugates
    domains = {q_: (0, None), q_star_: (0, 1)}
    for (o, conj), role in zip(conjugates, ("overlap", "teacher overlap", "self-overlap")):
        calc.add(OrderParameter(o, None, "delta", conj, role=role, owner="the means", domain=domains.get(o, (None, None))))
        calc.add(OrderParameter(conj, None, "delta", o, role="conjugate", owner="the means",
                                domain=(0, None) if o == q_ else (None, None)))
    # RS fields: q_* − q and q − r² are variances (r² ≤ q ≤ q_* ≤ 1)
    structure = {"calc": calc, "observables": observables, "constraints": [q_star_ - q_, q_ - r_**2]}
    return VariationalFreeEnergy(model, f, ops, params, d, structure, stationarity=variational_saddle_point)


def variational_free_energy(model, alpha, title=None):
    """``f = −(G_S + α G_E)/β`` of LHZH23's variational teacher–student perceptron (task 1).

    Stationarity gives the code's conventions (FirstTaskReplica.py): ``q = E⟨m⟩²``, ``r = E⟨m⟩``,
    ``q_* = E⟨m²⟩`` and ``q̂ = −2α ∂G_E/∂q``, ``r̂ = α ∂G_E/∂r``, ``q̂_* = α ∂G_E/∂q_*``.
    """
    d = Derivation(title or f"Replica-symmetric free energy of the {model.title}")
    d.add("Variational Gardner volume",
          sp.Eq(Tex(r"-\beta f"),
                Tex(r"\lim_{N\to\infty}\frac1N\mathbb{E}\log\int_{[-1,1]^N}\! dm\,\prod_{\mu=1}^{\alpha N}"
                          r"H\!\Big(-\frac{y_\mu\, m\cdot\xi_\mu}{\sqrt{N(1-q_*)}}\Big)^{\beta}")),
          r"Mean-field student $Q(w) = \prod_i(1+m_iw_i)/2$ over binary weights, trained in the space of "
          r"its means with the $\beta$-weighted log-likelihood; labels $y = \mathrm{sign}(w^*\cdot\xi)$ "
          r"of a binary teacher (Li, Huang, Zou, Huang, PRE 108, 014309 (2023)). Replica trick over $n$ "
          r"students.")
    weights = VariationalWeights()
    G_S, conjugates, _ = weights.entropic(d)
    G_E = ProbitChannel().energetic(d)
    return _assemble(model, G_S, G_E, alpha, conjugates, weights.observables, d,
                     r"$f = -(G_S + \alpha G_E)/\beta$")


def _reference_density(exponent_1, deriv):
    """``U_{m¹}[e^{g_1} F] / U_{m¹}[e^{g_1}]``: the reference is replica 1 of ``s → 0`` replicas of the
    task-1 student, whose other ``s − 1`` replicas give ``U[e^{g_1}]^{s−1} → 1/U[e^{g_1}]``."""
    s_rep = sp.Symbol("s", positive=True)
    F = sp.Function("F")(m_ref)
    weight = (UniformAverage(Tilt(exponent_1, 0) * F, m_ref)
              * UniformAverage(Tilt(exponent_1, 0), m_ref)**(s_rep - 1))
    marginal = weight.subs(s_rep, 0)
    deriv.add("Reference: the task-1 solution as a quenched prior",
              [sp.Eq(sp.Symbol("g_1"), exponent_1),
               sp.Eq(Tex(r"\mathbb{E}_{m^1}F"), Tex(r"\lim_{s\to0}") * weight),
               sp.Eq(Tex(r"\mathbb{E}_{m^1}F"), marginal)],
              r"The reference means $m^1$ are replica 1 of $s\to0$ replicas of the task-1 student, with "
              r"its saddle-point conjugates $\hat q_1, \hat r_1, \hat q_{1*}$ (Franz--Parisi). Cross "
              r"overlaps of student and reference have no conjugate (neither meets the other's data).")
    return marginal, F


def _exchange_reference_averages(G, exponent_1):
    """Fubini: ``E_z[U_{m¹}[e^{g_1} X] / U_{m¹}[e^{g_1}]] = U_{m¹}[ρ(m¹) X]`` for ``X`` free of ``z``, with
    the reference density ``ρ(m¹) = E_z[e^{g_1(m¹)} / U_{m'}[e^{g_1(m')}]]``: the task-2 part ``X`` is then
    integrated once per ``m¹`` instead of once per ``(z, m¹)``."""
    norm = UniformAverage(Tilt(exponent_1, 0), m_ref)
    rho = GaussianAverage(Tilt(exponent_1, 0) / UniformAverage(Tilt(exponent_1.xreplace({m_ref: m_copy}), 0),
                                                              m_copy), z)
    count = [0]

    def canonical(e):   # Tilt arguments in expanded form, so that equal tilts compare equal
        return e.replace(lambda t: isinstance(t, Tilt), lambda t: Tilt(*[sp.expand(a) for a in t.args]))

    norm, tilt_1 = canonical(norm), canonical(Tilt(exponent_1, 0))

    def swap(e):
        numer, denom = sp.fraction(canonical(e.integrand))
        if denom != norm:
            raise DerivationError(f"reference average has an unexpected form: {e}")
        out = []
        for term in sp.Add.make_args(sp.expand(numer)):
            const, avg = term.as_independent(z, as_Add=False)
            if not (isinstance(avg, UniformAverage) and avg.variable == m_ref):
                raise DerivationError(f"reference average has an unexpected term: {term}")
            X = avg.integrand / tilt_1
            if X.has(z):
                raise DerivationError("the task-2 part depends on the reference's Gaussian z")
            out.append(const * UniformAverage(rho * X, m_ref))
        count[0] += 1
        return sp.Add(*out)

    G = G.replace(lambda e: isinstance(e, GaussianAverage) and e.variable == z and e.has(m_ref), swap)
    if not count[0]:
        raise DerivationError("no reference average to exchange")
    return expand_averages(G), rho


def variational_franz_parisi_free_energy(model, alpha, coupling, teacher_overlap, reference_conjugates,
                                         symbols, title=None):
    """Franz–Parisi potential of LHZH23's task 2: ``f = −(G_S + α₂ G_E(q₂, r₂, q₂*))/β``.

    The new means ``m`` feel the task-2 data (``G_E`` of :class:`ProbitChannel` with the task-2 overlaps:
    task-2 inputs are independent of task-1 inputs) and ``−βγ KL(Q_m ‖ Q_{m¹})`` to the reference means
    ``m¹`` drawn from the task-1 replica measure. Site exponent (SecondTaskReplica.py ``partial_S``):
    ``(q̂₂* − q̂₂/2) m² + √q̂₂ x m + r̂₂ B m − βγ KL``, ``B = ±1`` with probability ``(1 ± r₀)/2``.

    Parameters
    ----------
    alpha, coupling, teacher_overlap : sympy.Symbol
        ``α₂``, ``γ`` and the teacher–teacher overlap ``r₀``.
    reference_conjugates : tuple of sympy.Symbol
        ``q̂₁, r̂₁, q̂₁*``, the task-1 saddle point (parameters of the potential).
    symbols : tuple of sympy.Symbol
        ``q₂, q̂₂, r₂, r̂₂, q₂*, q̂₂*``.

    The ``observables`` of the result are ``p_1 = E⟨sign m⟩`` (teacher 1) and ``p_2 = E[B⟨sign m⟩]``
    (teacher 2), from sources ``j₁ sign m + j₂ B sign m`` in the site measure; ``ε_i = arccos(p_i)/π``.
    """
    q_2, q_hat_2, r_2, r_hat_2, q_star_2, q_star_hat_2 = symbols
    q_hat_1, r_hat_1, q_star_hat_1 = reference_conjugates
    d = Derivation(title or f"Franz–Parisi potential of the {model.title}")
    d.add("Franz--Parisi potential",
          sp.Eq(Tex(r"-\beta f"),
                Tex(r"\lim_{N\to\infty}\frac1N\mathbb{E}\int dP_1(m^1)\log\int_{[-1,1]^N}\!dm\, "
                          r"e^{\beta\sum_\mu \log H(-y^2_\mu m\cdot\xi_\mu/\sqrt{N(1-q_*)}) "
                          r"- \beta\gamma\, \mathrm{KL}(Q_m\|Q_{m^1})}")),
          r"Task 1 is learned first; its solution $Q_{m^1}$ is the prior and the reference of task 2 "
          r"(teacher $w^{*2}$, $w^{*1}\cdot w^{*2}/N = r_0$, $\alpha_2 N$ new examples), coupled through "
          r"$\beta\gamma$ times the KL divergence (Li, Huang, Zou, Huang, PRE 108, 014309 (2023)). "
          r"Replicas: $s\to0$ of the reference, $n\to0$ of the new student.")
    task1 = FlatMeanPrior()
    exponent_1 = task1.exponent(r_hat_1 + sp.sqrt(q_hat_1) * z, 2 * q_star_hat_1 - q_hat_1, m_ref)
    marginal, F = _reference_density(exponent_1, d)
    kl = bernoulli_kl(m, m_ref)
    d.add("Coupling to the reference", sp.Eq(Tex(r"\mathrm{KL}(Q_m\|Q_{m^1})"), kl),
          r"Per weight, $\sum_{w=\pm1} Q_m(w)\log\frac{Q_m(w)}{Q_{m^1}(w)}$ with $Q_m(w) = (1+wm)/2$.")
    prior = FlatMeanPrior(-beta * coupling * kl + _j1 * sp.sign(m) + _j2 * B * sp.sign(m))
    site, _ = prior.single_site(r_hat_2 * B, q_hat_2, n, x, d, diag=2 * q_star_hat_2)
    (student,) = [a for a in site.atoms(GaussianAverage)]
    b_weights = {1: (1 + teacher_overlap) / 2, -1: (1 - teacher_overlap) / 2}
    site_n = sp.Add(*[pb * GaussianAverage(marginal.xreplace({F: student.xreplace({B: b_})}), z)
                      for b_, pb in b_weights.items()])
    constraints = (-n * (n - 1) / 2 * q_hat_2 * q_2 - n * q_star_hat_2 * q_star_2 - n * r_hat_2 * r_2)
    G = expand_averages(replica_limit(constraints + sp.log(site_n), n))
    G, rho = _exchange_reference_averages(G, exponent_1)
    observables = {sp.Symbol("p_1", real=True): expand_averages(sp.diff(G, _j1).subs({_j1: 0, _j2: 0})),
                   sp.Symbol("p_2", real=True): expand_averages(sp.diff(G, _j2).subs({_j1: 0, _j2: 0}))}
    G_S = G.subs({_j1: 0, _j2: 0})
    d.add("Entropic term: new means with the reference as prior",
          [sp.Eq(Tex(r"P(B = \pm1)"), (1 + Tex(r"\pm") * teacher_overlap) / 2),
           sp.Eq(Tex(r"\rho(m^1)"), rho),
           *aligned_lines("G_S", G_S, 1)],
          r"Teacher 2 in the gauge of teacher 1, $w^{*2}_i = B_i$; overlaps $q_2, r_2 = m\cdot w^{*2}/N, "
          r"q_{2*}$ imposed with $\hat q_2, \hat r_2, \hat q_{2*}$; $\lim_{n\to0}\frac1n$ by SymPy, then the "
          r"reference's $z$ and $m^1$ integrals exchanged (Fubini), $\rho$ the density of $m^1$.")
    G_E = ProbitChannel().energetic(d).xreplace({q: q_2, r: r_2, q_star: q_star_2})
    d.add("Task-2 channel", sp.Eq(Tex(r"G_E(q_2, r_2, q_{2*})"), G_E),
          r"The channel above with the task-2 overlaps: only the new student meets the task-2 examples.")
    conjugates = [(q_2, q_hat_2), (r_2, r_hat_2), (q_star_2, q_star_hat_2)]
    return _assemble(model, G_S, G_E, alpha, conjugates, observables, d,
                     r"$f = -(G_S + \alpha_2 G_E(q_2, r_2, q_{2*}))/\beta$")
