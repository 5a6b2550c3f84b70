"""Learning problems in the replica engine: the examples of Gibbs learning as one interaction term of
the weights.

Gibbs learning at temperature ``T = 1/β``: weights ``w`` with prior ``P_w`` (the *units* of the replica
engine), ``P = αN`` examples ``ξ_μ`` with labels ``y_μ`` and energy ``E(w) = Σ_μ ℓ(y_μ, h_μ)``,
``h_μ = w·ξ_μ/√N``. The labels come from a teacher ``P(y | u)``, ``u = w*·ξ/√N`` (weights ``w*`` of a
teacher prior), or are random ``±1`` (storage). :class:`LearningExamples` is the term that averages
``Π_a e^{−βE(w^a)}`` over the examples; everything else is the engine of the spin models:

* the overlaps ``q_ab = w^a·w^b/N`` (the units' overlap, :meth:`~.state.ReplicaCalculation.close_overlap`),
  ``R_a = w^a·w*/N`` (a delta function along the quenched site vector ``w*``) and, for weights without a
  fixed norm, ``Q_aa = w^a·w^a/N``; their conjugates enter the single-site problem of the weight prior
  (the entropic term: :meth:`~.priors.Prior.single_site`, spherical weights with the norm multiplier
  ``k̂``), the teacher's weight a quenched site variable;
* the energetic term, per example: the fields ``h^a = √q s + √(Q−q) x_a`` and
  ``u = (R s + √(ρq − R²) t)/√q`` (the rotation that leaves one common Gaussian ``s``), the label law
  ``P(y | s)`` (teacher average), and the output partition ``Z_out(y, ω) = E_x e^{−βℓ(y, ω + √(Q−q) x)}``
  — Gaussian tails ``H`` for an error count, a Gaussian integral for the square loss, an average node
  otherwise — give ``G_E = E_s Σ_y P(y|s) log Z_out(y, √q s)``;
* the saddle point by the shared stationarity (:func:`~.stationarity.saddle_point`), the replicon by
  the shared replicon sector (:mod:`~.replicon`) with the examples' curvature from
  :class:`ExamplesCurvature` (Price's theorem), and the ``T → 0`` version-space limit
  (:func:`version_space`) only for an error count.

The capacity of a version space is its ``q → 1`` limit (:func:`q_to_one_limit`). In the one-step RSB
ansatz the examples give their own action (:meth:`LearningExamples.rsb1_action`, random labels only) and
replicon curvature in the block measure (:meth:`ExamplesCurvature.rsb1_replicon_curvature`).

References
----------
E. Gardner, J. Phys. A 21, 257 (1988) [G88], eqs. (13)–(22) and (29)–(30);
E. Gardner and B. Derrida, J. Phys. A 21, 271 (1988) [GD88];
H. S. Seung, H. Sompolinsky, N. Tishby, Phys. Rev. A 45, 6056 (1992) [SST92], sec. III and V;
A. Engel and C. Van den Broeck, *Statistical Mechanics of Learning* (CUP 2001) [EVdB], ch. 2–5 and
appendix A; J. Barbier, F. Krzakala, N. Macris, L. Miolane, L. Zdeborová, PNAS 116, 5451 (2019)
(generalised linear models, the channel/prior split); Aubin, Baker, Krzakala, Zdeborová et al.,
TRAMP (2020).
"""
from __future__ import annotations

import functools

import sympy as sp

from ..errors import DerivationError
from .averages import GaussianAverage, _z_power, averages_in, expand_averages
from .free_energy import FreeEnergy, SaddlePoint
from .rewrite import LogH, stabilise
from .state import OverlapSource, beta, n, z
from .printing import Tex

__all__ = ["ErrorCountLoss", "SquareLoss", "LikelihoodLoss", "SignChannel", "LinearChannel", "ReLUChannel",
           "TeacherRule", "LearningExamples", "ExamplesCurvature", "gaussian_tail", "gaussian_smooth",
           "polynomial_averages", "stable_tail", "derive_learning", "learning_saddle_point", "version_space",
           "entropy_of_overlaps", "q_to_one_limit", "LearningSaddlePoint", "LEARNING_DAMPING",
           "q", "q_hat", "R", "R_hat", "Q", "Q_hat", "k_hat", "x", "t"]

#: the replica-specific Gaussian of a student's field, the teacher's own Gaussian, the output noise
x = sp.Symbol("x", real=True)
t = sp.Symbol("t", real=True)
_noise = sp.Symbol("nu", real=True)
_h = sp.Symbol("h", real=True)
_wstar = sp.Symbol("w_*", real=True)

#: order parameters (``q`` is the units' overlap of :meth:`ReplicaCalculation.close_overlap`)
q = sp.Symbol("q", positive=True)
q_hat = sp.Symbol("q_hat", nonnegative=True)
R = sp.Symbol("R", real=True)
R_hat = sp.Symbol("R_hat", real=True)
Q = sp.Symbol("Q", positive=True)
Q_hat = sp.Symbol("Q_hat", real=True)
k_hat = sp.Symbol("k_hat", real=True)

#: damping of the solver's warm-up iterations: the fixed-point maps of Gardner volumes become
#: strongly expanding as q → 1, while Newton still converges from a nearby start
LEARNING_DAMPING = 0.05


# -- Gaussian integrals by SymPy --------------------------------------------------------------------

@functools.lru_cache(maxsize=None)
def _tail():
    c0 = sp.Symbol("c", real=True)
    tail = sp.simplify(sp.integrate(sp.exp(-x**2 / 2) / sp.sqrt(2 * sp.pi), (x, c0, sp.oo)))
    if tail.has(sp.Integral):
        raise DerivationError("SymPy could not integrate the Gaussian tail")
    return c0, tail


def gaussian_tail(c, deriv=None):
    """``∫_c^∞ Dx`` done by SymPy: ``erfc(c/√2)/2``, the function ``H(c)`` of the literature."""
    c0, tail = _tail()
    if deriv is not None:
        deriv.add("Gaussian tail of a threshold", sp.Eq(Tex(r"H(c) = \int_c^\infty Dx"), tail),
                  r"The integral of a threshold over a Gaussian, by SymPy.")
    return tail.xreplace({c0: c})


@functools.lru_cache(maxsize=None)
def _gaussian_exponential():
    """``E_x e^{A x² + B x + C} = (1 − 2A)^{−1/2} e^{C + B²/(2(1 − 2A))}`` for ``A < 1/2``, integrated
    once by SymPy (with ``1 − 2A = a > 0``) and returned as a function of ``(A, B, C)``."""
    a = sp.Symbol("a", positive=True)
    B, C, A = sp.Symbol("B", real=True), sp.Symbol("C", real=True), sp.Symbol("A", real=True)
    integral = sp.integrate(sp.exp((1 - a) / 2 * x**2 + B * x + C - x**2 / 2) / sp.sqrt(2 * sp.pi),
                            (x, -sp.oo, sp.oo), conds="none")
    closed = sp.exp(C + B**2 / (2 * (1 - 2 * A))) / sp.sqrt(1 - 2 * A)
    check = sp.simplify(integral - closed.xreplace({A: (1 - a) / 2}))
    if check != 0:
        raise DerivationError(f"Gaussian integral of an exponential: SymPy gives {integral}")
    return (A, B, C), closed


def gaussian_smooth(weight, h, centre, width, variable=x, tail=gaussian_tail):
    """``E_v[weight(h = centre + width·v)]`` over a standard Gaussian ``v``: each term of ``weight``
    that is a constant, a threshold ``θ(L(h))`` with ``L`` linear or ``exp(P(h))`` with ``P`` a concave
    quadratic is integrated in closed form (Gaussian tail ``tail(c) = ∫_c^∞ Dv``, Gaussian integral); any
    other term stays a :class:`~.averages.GaussianAverage` node for the kernels to integrate."""
    out = []
    # the width as a positive symbol while integrating: it decides on which side a threshold lies
    c = sp.Dummy("c", positive=True)
    for term in sp.Add.make_args(sp.sympify(weight)):
        const, dep = term.as_independent(h, as_Add=False)
        if dep == 1:
            out.append(const)
            continue
        moved = dep.xreplace({h: centre + c * variable})
        if isinstance(dep, sp.Heaviside):
            poly = sp.Poly(sp.expand(moved.args[0]), variable) if moved.args[0].is_polynomial(variable) else None
            if poly is not None and poly.degree() == 1:
                a, b = poly.coeff_monomial(variable), poly.coeff_monomial(1)
                if a.is_positive:
                    out.append(const * tail(sp.factor_terms(-b / a)).xreplace({c: width}))
                    continue
                if a.is_negative:
                    out.append(const * tail(sp.factor_terms(b / a)).xreplace({c: width}))
                    continue
        if isinstance(dep, sp.exp) and moved.args[0].is_polynomial(variable):
            poly = sp.Poly(sp.expand(moved.args[0]), variable)
            if poly.degree() <= 2:
                (A, B, C), closed = _gaussian_exponential()
                a2, b1, c0 = (poly.coeff_monomial(variable**2), poly.coeff_monomial(variable),
                              poly.coeff_monomial(1))
                if (-a2).is_nonnegative:
                    out.append(const * closed.xreplace({A: a2, B: b1, C: c0}).xreplace({c: width}))
                    continue
        out.append(const * GaussianAverage(moved.xreplace({c: width}), variable))
    return sp.Add(*out)


def _moment(k):
    """``E z^k`` of a standard normal."""
    return sp.S.Zero if k % 2 else sp.factorial2(k - 1) if k else sp.S.One


def _truncated_moments(c, kmax):
    """``M_k(c) = ∫_c^∞ v^k Dv`` for ``k ≤ kmax``: ``M_0 = H(c)``, ``M_1 = φ(c)`` and, integrating by parts,
    ``M_k = c^{k−1} φ(c) + (k − 1) M_{k−2}``."""
    density = sp.exp(-c**2 / 2) / sp.sqrt(2 * sp.pi)
    out = [gaussian_tail(c), density]
    for k in range(2, kmax + 1):
        out.append(c**(k - 1) * density + (k - 1) * out[k - 2])
    return out[:kmax + 1]


def _closed_term(term, v):
    """``E_v[term]`` for ``term = c v^k F(v)`` with ``F`` one of ``1``, ``e^{a v²}`` (a Gaussian of variance
    ``1/(1 − 2a)``) or ``erfc(b v)`` (``erf`` odd; ``E[v^k erf(bv)]`` by Stein's lemma, ``d/dv erf(bv) =
    (2b/√π) e^{−b²v²}``), or ``None``."""
    const, dep = term.as_independent(v, as_Add=False)
    k, F = _z_power(dep, v)
    if F == 1:
        return const * _moment(k)
    arg = F.args[0] if isinstance(F, (sp.exp, sp.erfc)) else None
    if arg is None or not arg.is_polynomial(v):
        return None
    poly = sp.Poly(sp.expand(arg), v)
    if isinstance(F, sp.exp) and poly.degree() == 2 and poly.coeff_monomial(v) == 0:
        a = poly.coeff_monomial(v**2)
        return const * sp.exp(poly.coeff_monomial(1)) * _moment(k) * (1 - 2 * a)**(-sp.Rational(k + 1, 2))
    if isinstance(F, sp.erfc) and poly.degree() == 1 and poly.coeff_monomial(1) == 0:
        b = poly.coeff_monomial(v)

        def odd(j):    # E[v^j erf(b v)] for odd j
            gauss = 2 * b / sp.sqrt(sp.pi) * _moment(j - 1) * (1 + 2 * b**2)**(-sp.Rational(j, 2))
            return gauss + ((j - 1) * odd(j - 2) if j > 1 else 0)
        return const * (_moment(k) - (odd(k) if k % 2 else 0))
    return None


def _closed_average(avg):
    """``E_v[f(v)]`` in closed form where ``f`` is a sum of terms ``v^k``, ``v^k e^{a v²}``, ``v^k erfc(b v)``
    (:func:`_closed_term`), or a polynomial in ``v`` and ``|a v + b|`` with ``a > 0`` (one kink, e.g. a
    ReLU): split at ``v = −b/a`` and integrated with the truncated moments; otherwise the average
    unchanged."""
    v = avg.variable
    integrand = sp.expand(avg.integrand)
    terms = [_closed_term(term, v) for term in sp.Add.make_args(integrand)]
    if all(term is not None for term in terms):
        return sp.Add(*terms)
    kinks = {a for a in integrand.atoms(sp.Abs) if a.has(v)}
    if len(kinks) != 1:
        return avg
    (kink,) = kinks
    L = sp.expand(kink.args[0])
    if not L.is_polynomial(v) or sp.degree(L, v) != 1 or not L.coeff(v).is_positive:
        return avg
    c = -L.coeff(v, 0) / L.coeff(v)
    sides = []
    for sign in (1, -1):
        piece = sp.expand(integrand.xreplace({kink: sign * L}))
        if not piece.is_polynomial(v):
            return avg
        sides.append(sp.Poly(piece, v))
    kmax = max(p.degree() for p in sides)
    upper = _truncated_moments(c, kmax)
    above = sp.Add(*[cf * upper[k] for (k,), cf in sides[0].terms()])
    below = sp.Add(*[cf * (_moment(k) - upper[k]) for (k,), cf in sides[1].terms()])
    return above + below


def polynomial_averages(expr):
    """Gaussian averages whose integrand is a polynomial in their variable, by the moments
    ``E z^{2k} = (2k − 1)!!``, or piecewise polynomial with one kink ``|a z + b|``, by the truncated
    moments (innermost first); the others stay."""
    expr = sp.sympify(expr)
    for _ in range(4):      # nested averages: innermost first, one level per pass
        new = expr.replace(lambda e: isinstance(e, GaussianAverage) and not averages_in(e.integrand),
                           _closed_average)
        if new == expr:
            break
        expr = new
    return expr


def stable_tail(c):
    """``H(c) = e^{log H(c)}``: its logarithm and derivatives (inverse Mills ratios) are finite where
    ``H`` underflows, and ``e^{−β} + (1 − e^{−β}) H`` has no ``2 − erfc`` cancellation at low ``T``."""
    return sp.exp(LogH(c))


# -- losses: the Gibbs weight of one example ----------------------------------------------------------

class _Loss:
    """The Gibbs weight ``e^{−βℓ(y, h)}`` of one example as a function of the label ``y`` and the
    student's field ``h``."""

    binary_labels = False      # whether the loss needs labels ±1
    version_space = False      # whether T → 0 leaves the volume of weights without error

    def latex(self):
        raise NotImplementedError


class ErrorCountLoss(_Loss):
    """``ℓ = θ(κ − y h)``, the number of training errors at margin ``κ``: ``e^{−βℓ} = e^{−β} + (1 −
    e^{−β}) θ(y h − κ)`` (G88)."""

    binary_labels = True
    version_space = True

    def __init__(self, kappa=0):
        self.kappa = sp.sympify(kappa)

    def weight(self, y, h):
        return sp.exp(-beta) + (1 - sp.exp(-beta)) * sp.Heaviside(y * h - self.kappa)

    def latex(self):
        return r"\theta(%s- y h)" % (sp.latex(self.kappa) + " " if self.kappa != 0 else "")


class SquareLoss(_Loss):
    """``ℓ = (y − h)²/2``."""

    def weight(self, y, h):
        return sp.exp(-beta * (y - h)**2 / 2)

    def latex(self):
        return r"\frac{(y - h)^2}{2}"


class LikelihoodLoss(_Loss):
    """``ℓ = −log P(y | h)`` of a student's channel: ``e^{−βℓ} = P(y | h)^β`` (``T = 1`` is Bayesian
    learning; Bayes-optimal when channel and weights are the teacher's)."""

    def __init__(self, channel):
        self.channel = channel
        self.binary_labels = channel.binary

    def weight(self, y, h):
        return self.channel.likelihood_power(y, h)

    def latex(self):
        return r"-\log P(y \mid h)"


# -- channels: the law of the labels -------------------------------------------------------------------

class SignChannel:
    """``y = sign(u − κ)``, flipped with probability ``ε`` (output noise, EVdB ch. 5)."""

    binary = True

    def __init__(self, flip=0, kappa=0):
        self.flip, self.kappa = sp.sympify(flip), sp.sympify(kappa)

    def likelihood(self, y, u):
        return ((1 - self.flip) * sp.Heaviside(y * (u - self.kappa))
                + self.flip * sp.Heaviside(-y * (u - self.kappa)))

    def likelihood_power(self, y, h):
        # the two thresholds are complementary: P^β = (1 − ε)^β θ + ε^β θ(−·)
        if self.flip == 0:
            return sp.Heaviside(y * (h - self.kappa))
        return ((1 - self.flip)**beta * sp.Heaviside(y * (h - self.kappa))
                + self.flip**beta * sp.Heaviside(-y * (h - self.kappa)))

    def labels(self, mean, std):
        """``[(y, P(y | s))]`` with ``u = mean + std·t``: the teacher's threshold averaged over ``t``."""
        return [(y, gaussian_smooth(self.likelihood(y, _h), _h, mean, std, t)) for y in (1, -1)], []

    def latex(self):
        core = r"\mathrm{sign}(u%s)" % ("" if self.kappa == 0 else " - " + sp.latex(self.kappa))
        return core + (r"\ \text{flipped with probability } %s" % sp.latex(self.flip) if self.flip != 0 else "")


class LinearChannel:
    """``y = g(u) + √Δ ν`` with standard Gaussian noise ``ν``; ``g(u) = u`` (linear)."""

    binary = False

    def __init__(self, noise=0):
        self.noise = sp.sympify(noise)

    @staticmethod
    def activation(u):
        return u

    def likelihood_power(self, y, h):
        if self.noise == 0:
            raise DerivationError(f"the likelihood of a noiseless {type(self).__name__} is a delta function: "
                                  "give it a noise variance > 0 or use a loss")
        return (2 * sp.pi * self.noise)**(-beta / 2) * sp.exp(-beta * (y - self.activation(h))**2 / (2 * self.noise))

    def labels(self, mean, std):
        # u + √Δ ν with u = mean + std t: one Gaussian of variance std² + Δ (checked by SymPy)
        spread = sp.sqrt(std**2 + self.noise)
        if sp.simplify(spread**2 - std**2 - self.noise) != 0:
            raise DerivationError("linear channel: the variances of teacher field and noise do not add")
        return [(mean + spread * t, sp.S.One)], [t]

    def latex(self):
        return sp.latex(self.activation(sp.Symbol("u"))) + (
            "" if self.noise == 0 else r" + \sqrt{%s}\,\nu" % sp.latex(self.noise))


class ReLUChannel(LinearChannel):
    """``y = max(0, u) + √Δ ν``."""

    @staticmethod
    def activation(u):
        return (u + sp.Abs(u)) / 2

    def labels(self, mean, std):
        y = self.activation(mean + std * t) + sp.sqrt(self.noise) * _noise
        return [(y, sp.S.One)], [t] + ([_noise] if self.noise != 0 else [])


class _RandomLabels:
    """Storage: labels ``±1`` with probability ½ each, independent of the inputs."""

    binary = True

    def labels(self, mean, std):
        return [(1, sp.Rational(1, 2)), (-1, sp.Rational(1, 2))], []


class TeacherRule:
    """The teacher: its weights' law (a :class:`~.laws.PatternLaw`; ``ρ = E w*²`` its self-overlap) and
    its output channel."""

    def __init__(self, law, channel, name="teacher"):
        self.law, self.channel, self.name = law, channel, name

    @property
    def self_overlap(self):
        return sp.factor(self.law.moments()[1])


# -- the examples as an interaction term ------------------------------------------------------------

def _even(prior):
    """Whether the prior of the units is symmetric under ``σ → −σ``."""
    from .priors import GaussianPrior, SoftSpinPrior, SphericalPrior
    if isinstance(prior, (GaussianPrior, SphericalPrior)):
        return True
    if isinstance(prior, SoftSpinPrior):
        s = prior.spin
        return sp.simplify(prior.potential - prior.potential.xreplace({s: -s})) == 0
    pairs = set(zip(map(sp.sympify, prior.support), map(sp.sympify, prior.weights)))
    return bool(pairs) and all((-v, w) in pairs for v, w in pairs)


class LearningExamples:
    """``P = load·N`` examples learned with ``loss`` (an engine loss) from ``teacher`` (a
    :class:`TeacherRule`; ``None``: random ±1 labels, storage): the interaction term of a learning
    problem, applied to the replica state like any term of a spin Hamiltonian.

    Order parameters: the units' overlap ``q`` (with the conjugate ``q_hat`` kept by this term), the
    teacher overlap ``R`` (named ``overlap``) and ``R_hat``, and the self-overlap ``Q``, ``Q_hat`` of
    weights without a fixed norm; spherical weights get the norm multiplier ``k_hat`` (Gardner's name).
    """

    label = "examples"

    def __init__(self, load, loss, teacher=None, owner="examples", overlap="R"):
        self.load = sp.sympify(load)
        self.loss, self.teacher, self.owner = loss, teacher, owner
        self.overlap = overlap
        rule = teacher.channel if teacher is not None else _RandomLabels()
        if loss.binary_labels and not rule.binary:
            raise DerivationError(f"{type(loss).__name__} counts errors of labels ±1, but the labels of "
                                  f"{type(rule).__name__} are real numbers: use a square loss or a "
                                  "sign/threshold teacher")
        self.rule = rule

    def display(self):
        return Tex(r"\sum_{\mu=1}^{%s N} \ell(y_\mu, h_\mu),\ h_\mu = \frac{w\cdot\xi_\mu}{\sqrt N},\ "
                         r"\ell(y, h) = %s" % (sp.latex(self.load), self.loss.latex()))

    # -- pieces of apply ----------------------------------------------------------------------------
    def _self_overlap(self, calc):
        """``Q``: the fixed ``σ²`` of the prior, else an order parameter with conjugate ``Q_hat`` (the
        site problem gets ``−Q̂ w²/2``)."""
        from .priors import SphericalPrior
        prior = calc.prior
        if isinstance(prior, SphericalPrior):
            prior.multiplier = k_hat       # Gardner's name of the norm multiplier
        s2 = prior.self_overlap
        if s2 is not None:
            return sp.sympify(s2)
        calc.delta_order_parameter(Q, Q_hat, "diagonal", scale=-sp.Rational(1, 2), owner=self.owner,
                                   role="self-overlap", domain=(0, None),
                                   note="The weights have no fixed norm: their self-overlap is an order "
                                        "parameter.")
        return Q

    def _teacher_overlap(self, calc):
        """``R``, ``R_hat`` along the teacher's weights, a quenched site variable of the teacher's law
        (gauged to ``+c`` where the law is ``±c`` and the weight prior is even)."""
        law = self.teacher.law
        d = calc.derivation
        values = getattr(law, "values", None)
        weights = getattr(law, "weights", None)
        if values is not None and len(values) == 2 and values[0] == -values[1] and weights[0] == weights[1] \
                and getattr(law, "centre", 0) == 0 and _even(calc.prior):
            entry, quenched = abs(values[0]), []
            d.add("Gauge of the teacher",
                  sp.Eq(Tex(r"w^*_i"), entry),
                  r"The teacher's weights are $\pm%s$ with equal probability and the weight prior is even: "
                  r"$w_i^a \to w^*_i w_i^a/|w^*_i|$, $\xi_i \to w^*_i\xi_i/|w^*_i|$ leaves the problem "
                  r"unchanged and makes every teacher weight $+%s$." % (sp.latex(entry), sp.latex(entry)))
        else:
            entry, described = law.quenched_entry(_wstar)
            quenched = [described]
        base, _, suffix = self.overlap.partition("_")
        R_ = sp.Symbol(self.overlap, real=True)
        R_hat_ = sp.Symbol(base + "_hat" + ("_" + suffix if suffix else ""), real=True)
        calc.delta_order_parameter(R_, R_hat_, "field", site_vector=entry, quenched=quenched, owner=self.owner,
                                   role="teacher overlap",
                                   note=r"The overlap $%s$ of student and teacher, fixed by a delta function; "
                                        r"its conjugate is a field along the teacher's weight in the "
                                        r"single-site problem." % sp.latex(R_))
        return R_, R_hat_

    def apply(self, calc):
        d = calc.derivation
        alpha = self.load
        Qs = self._self_overlap(calc)
        s = sp.Symbol("s", real=True)
        h = sp.sqrt(q) * s + sp.sqrt(Qs - q) * x
        if self.teacher is not None:
            R_, R_hat_ = self._teacher_overlap(calc)
            rho = self.teacher.self_overlap
            spread = sp.sqrt(rho * q - R_**2)
            u = (R_ * s + spread * t) / sp.sqrt(q)
            self._check_covariance(h, u, Qs, R_, rho, s)
            mean, std = R_ * s / sp.sqrt(q), spread / sp.sqrt(q)
            self.teacher_overlap, self.teacher_self_overlap = R_, rho
        else:
            self._check_covariance(h, None, Qs, None, None, s)
            mean, std = sp.S.Zero, sp.S.One
            self.teacher_overlap = None
        self.width = sp.sqrt(Qs - q)
        # the teacher's own spread as a positive symbol while the labels are averaged: it decides on which
        # side of a threshold or kink the Gaussian lies
        self._spread = (sp.Dummy("sigma", positive=True), std)
        labels, variables = self.rule.labels(mean, self._spread[0])
        d.add("Fields of one example",
              [sp.Eq(Tex(r"h^a"), h)] + ([sp.Eq(sp.Symbol("u"), u)] if self.teacher is not None else []),
              r"The student fields $h^a = w^a\cdot\xi/\sqrt N$ are Gaussian with $\langle h^a h^b\rangle = q$, "
              r"$\langle (h^a)^2\rangle = %s$" % sp.latex(Qs)
              + (r", and the teacher field $u = w^*\cdot\xi/\sqrt N$ with $\langle u h^a\rangle = %s$, "
                 r"$\langle u^2\rangle = %s$: rotated so that only $s$ is common to all replicas (covariance "
                 r"checked by SymPy)" % (sp.latex(self.teacher_overlap), sp.latex(rho))
                 if self.teacher is not None else "")
              + ". Each replica has its own $x_a$.")
        omega = self.omega = sp.Symbol(r"\omega", real=True)
        self._s = s
        partitions = {y: self.output_partition(y) for y, _ in labels}
        terms = self._mirror(labels, partitions, omega, s)
        self.label_terms, self.label_variables = terms, variables
        # the normalisation Σ_y P(y|s) = 1 that makes the action vanish at n = 0
        total = sp.simplify(terms[0][1].xreplace({s: -s}) / 2 + terms[0][1] / 2 if self._mirrored
                            else sp.Add(*[w for _, w in terms]))
        if total != 1:
            raise DerivationError(f"the label law of {type(self.rule).__name__} is not normalised: {total}")
        G = self.label_average(lambda y, w: w * sp.expand_log(sp.log(partitions[y]), force=True))
        self.energetic = G
        back = {self._spread[0]: self._spread[1]}
        shown = [sp.Eq(Tex(r"Z_{\rm out}(%s, \omega)" % sp.latex(y)), partitions[y].xreplace(back))
                 for y in partitions]
        d.add("Teacher label and rotation of the fields" if self.teacher is not None else "Labels and output partition",
              shown + [sp.Eq(Tex(r"P(y = %s \mid s)" % sp.latex(y)) if not variables else sp.Symbol("y"),
                             (w if not variables else y).xreplace(back)) for y, w in terms],
              r"$Z_{\rm out}(y, \omega) = \int Dx\, e^{-\beta\ell(y, \omega + \sqrt{%s - q}\,x)}$, integrated by "
              r"SymPy where it can (Gaussian tails, Gaussian integrals)" % sp.latex(Qs)
              + (r"; labels $%s$, averaged over the teacher's own Gaussian $t$" % self.rule.latex()
                 if self.teacher is not None else r"; random labels $\pm1$")
              + ("" if not self._mirrored else
                 r"; the labels $\mp1$ mirror each other ($s \to -s$), so twice the $y = +1$ term"))
        d.add("Energetic term", sp.Eq(sp.Symbol("G_E"), G),
              r"$\lim_{n\to0}\frac1n\log\mathbb{E}\prod_a Z_{\rm out}(y, \sqrt q\, s)$ $= \mathbb{E}_s\sum_y "
              r"P(y\mid s)\log Z_{\rm out}(y, \sqrt q\, s)$ (the label law is normalised); the entropic "
              r"term is the single-site problem of the weight prior below.")
        # the RS action of the examples, n α G_E + O(n²), kept as it is (simplify would multiply the
        # Gibbs weight e^{−β} + (1 − e^{−β}) H by e^β); the overlap q with its conjugate q̂ and the
        # replicon curvature are the units' overlap of the engine
        calc.rs_action += n * alpha * G
        calc.overlap_energy(OverlapSource(self.owner, rs_energy=sp.S.Zero,
                                          matrix=ExamplesCurvature(self, alpha),
                                          conjugate=(q_hat, sp.S.One)))

    def rs_action(self, n_):
        """The RS action this term added to ``calc.rs_action``: ``n α G_E``."""
        return n_ * self.load * self.energetic

    def _check_rsb1(self):
        """Refuse what the one-step form does not cover: a teacher, labels that depend on the inputs."""
        if self.teacher is not None:
            raise DerivationError(f"one-step RSB of the {self.owner} term: a teacher ({type(self.rule).__name__} "
                                  "labels) is not implemented in the 1RSB ansatz; only random labels "
                                  "(the storage problem) are")
        if self.label_variables or any(sp.sympify(w).has(self._s) for _, w in self.label_terms):
            raise DerivationError(f"one-step RSB of the {self.owner} term: labels that depend on the "
                                  "inputs are not implemented")

    def rsb1_action(self, q0, q1, x_, n_, z0_, z1_):
        """The replicated action of the examples in the one-step RSB ansatz (blocks of ``x_`` replicas,
        overlaps ``q1`` inside a block and ``q0`` between blocks), for symbolic ``n_``:

        ``α log E_{z0} Σ_y P(y) (E_{z1}[Z_out(y, √q0 z0 + √(q1 − q0) z1)^x])^{n/x}``

        with ``Z_out`` of width ``√(Q − q1)``: per example the fields ``h^a = √q0 z0 + √(q1 − q0)
        z1^{B(a)} + √(Q − q1) x_a`` (one ``z1`` per block ``B``, covariance checked by SymPy), so the
        average of ``Π_a e^{−βℓ(y, h^a)}`` is ``x`` replicas of ``Z_out`` per block, ``n/x`` blocks. The
        replica limit (``n → 0``) of the caller gives ``α E_{z0} Σ_y P(y) (1/x) log E_{z1}[Z_out^x]``
        (Gardner & Derrida 1988; Krauth & Mézard 1989).

        Random labels only: a teacher's field correlates with the common Gaussian of each example in a
        way that the one-step ansatz splits between ``z0`` and the teacher's own block structure, not
        derived here (:class:`DerivationError`).

        References
        ----------
        E. Gardner and B. Derrida, J. Phys. A 21, 271 (1988); W. Krauth and M. Mézard, J. Phys. France
        50, 3057 (1989); A. Engel and C. Van den Broeck, *Statistical Mechanics of Learning* (2001),
        ch. 6.
        """
        self._check_rsb1()
        Qs = self.width**2 + q
        # the fields of three replicas: a, b in the same block, c in another one
        xa, xb, xc, z1c = sp.symbols("x_a x_b x_c z_1c", real=True)
        common = sp.sqrt(q0) * z0_
        h_a = common + sp.sqrt(q1 - q0) * z1_ + sp.sqrt(Qs - q1) * xa
        h_b = common + sp.sqrt(q1 - q0) * z1_ + sp.sqrt(Qs - q1) * xb
        h_c = common + sp.sqrt(q1 - q0) * z1c + sp.sqrt(Qs - q1) * xc
        gaussians = [z0_, z1_, z1c, xa, xb, xc]

        def cov(u, v):
            return _covariance(u, v, gaussians)
        if (cov(h_a, h_a) - Qs, cov(h_a, h_b) - q1, cov(h_a, h_c) - q0) != (0, 0, 0):
            raise DerivationError("1RSB representation of the fields of one example has the wrong covariance")
        omega_1 = common + sp.sqrt(q1 - q0) * z1_
        blocks = sp.S.Zero
        for y, w in self.label_terms:
            Z_out = self.output_partition(y).xreplace({q: q1}).xreplace({self.omega: omega_1})
            blocks += w * GaussianAverage(Z_out**x_, z1_)**(n_ / x_)
        return self.load * sp.log(GaussianAverage(blocks, z0_))

    def label_average(self, f):
        """``E_s Σ_y P(y|s) f(y, P(y|s))`` over the common Gaussian of the fields and the label law
        (``f(y, w)`` includes the weight ``w``; ``ω = √q s``), with the averages over the teacher's own
        Gaussian and noise in closed form where they are (piecewise) polynomial; ``s`` is written ``z``."""
        s = self._s
        total = sp.S.Zero
        for y, w in self.label_terms:
            inner = f(y, w).xreplace({self.omega: sp.sqrt(q) * s})
            for v in reversed(self.label_variables):
                inner = GaussianAverage(inner, v)
            total += GaussianAverage(inner, s)
        total = polynomial_averages(expand_averages(total))
        return total.xreplace({self._spread[0]: self._spread[1]}).xreplace({s: z})

    def _check_covariance(self, h, u, Qs, R_, rho, s):
        xs = [s, x] + ([t] if u is not None else [])

        def cov(a, b):
            return _covariance(a, b, xs)
        h_b = h.xreplace({x: sp.Symbol("x_b")})
        ok = sp.simplify(cov(h, h) - Qs) == 0 and sp.simplify(cov(h, h_b) - q) == 0
        if u is not None:
            ok = ok and sp.simplify(cov(u, u) - rho) == 0 and sp.simplify(cov(u, h) - R_) == 0
        if not ok:
            raise DerivationError("RS representation of the fields has the wrong covariance")

    def _mirror(self, labels, partitions, omega, s):
        """Labels ``±1`` whose weights and output partitions are mirror images under ``s → −s``
        (``P(−1|−s) = P(+1|s)``, ``Z(−1, −ω) = Z(+1, ω)``) contribute equally: one term, doubled."""
        self._mirrored = False
        ys = [y for y, _ in labels]
        if sorted(ys) != [-1, 1]:
            return labels
        w = dict(labels)
        if sp.simplify(w[-1].xreplace({s: -s}) - w[1]) != 0:
            return labels
        if sp.simplify(partitions[-1].xreplace({omega: -omega}) - partitions[1]) != 0:
            return labels
        self._mirrored = True
        return [(1, 2 * w[1])]

    def output_partition(self, y, tail=gaussian_tail, zero_temperature=False):
        """``Z_out(y, ω) = E_x e^{−βℓ(y, ω + √(Q − q) x)}`` (``zero_temperature``: ``e^{−β} → 0`` first, the
        probability of no error of the version space)."""
        weight = self.loss.weight(y, _h)
        if zero_temperature:
            weight = weight.xreplace({sp.exp(-beta): sp.S.Zero})
        return gaussian_smooth(weight, _h, self.omega, self.width, x, tail=tail)


def _covariance(u, v, gaussians):
    """``E[u v]`` of two linear combinations of independent standard ``gaussians`` (simplified)."""
    u, v = sp.expand(u), sp.expand(v)
    return sp.simplify(sum(u.coeff(g) * v.coeff(g) for g in gaussians))


class ExamplesCurvature:
    """The replicon curvature of the examples' energetic term as a function of the overlap matrix.

    By Price's theorem a derivative of ``E Π_a φ(h^a)`` in ``Q_ab`` is the average of ``∂_{h^a}∂_{h^b}``;
    along a replicon perturbation (``Σ_b δQ_ab = 0``) only the connected part of two replicas survives,
    ``κ = α E_s Σ_y P(y|s) [∂²_ω log Z_out(y, ω)]²`` at ``ω = √q s`` (GD88; EVdB, the AT analysis of the
    storage problem). ``∂²_ω`` by SymPy, on the Gaussian tails in the stable form ``e^{log H}``;
    ``zero_temperature`` takes ``e^{−β} → 0`` first (the version space).
    """

    def __init__(self, examples, alpha, zero_temperature=False):
        self.examples, self.alpha, self.zero_temperature = examples, alpha, zero_temperature

    def cold(self):
        return ExamplesCurvature(self.examples, self.alpha, zero_temperature=True)

    def rs_action(self, n_):
        """The examples' RS action (what :meth:`LearningExamples.apply` added to ``calc.rs_action``)."""
        return self.examples.rs_action(n_)

    def rsb1_action(self, q0, q1, x_, n_, z0_, z1_):
        """The examples' action in the one-step ansatz (:meth:`LearningExamples.rsb1_action`)."""
        return self.examples.rsb1_action(q0, q1, x_, n_, z0_, z1_)

    def rsb1_replicon_curvature(self, q0, q1, x_, z0_, z1_):
        """The replicon curvature inside the blocks of a one-step solution: as :meth:`replicon_curvature`
        with the common field ``ω = √q0 z0 + √(q1 − q0) z1`` averaged in the block measure
        ``Z_out^x`` (``α E_{z0} Σ_y P(y) E_{z1}[Z_out^x (∂²_ω log Z_out)²] / E_{z1}[Z_out^x]``, the
        connected part of two replicas of one block)."""
        ex = self.examples
        ex._check_rsb1()
        omega_1 = sp.sqrt(q0) * z0_ + sp.sqrt(q1 - q0) * z1_
        total = sp.S.Zero
        for y, w in ex.label_terms:
            Z_out = ex.output_partition(y, tail=stable_tail, zero_temperature=self.zero_temperature)
            curvature = sp.diff(sp.log(Z_out), ex.omega, 2)
            weight, curvature = [e.xreplace({q: q1}).xreplace({ex.omega: omega_1})
                                 for e in (Z_out**x_, curvature)]
            total += w * GaussianAverage(GaussianAverage(weight * curvature**2, z1_)
                                         / GaussianAverage(weight, z1_), z0_)
        return self.alpha * total

    def replicon_curvature(self, q_):
        ex = self.examples

        def connected(y, w):
            Z_out = ex.output_partition(y, tail=stable_tail, zero_temperature=self.zero_temperature)
            return w * sp.diff(sp.log(Z_out), ex.omega, 2)**2
        return self.alpha * ex.label_average(connected).xreplace({q: q_})

    def __repr__(self):
        return f"ExamplesCurvature({self.alpha}, zero_temperature={self.zero_temperature})"


# -- free energy, saddle point, limits ------------------------------------------------------------------

class LearningSaddlePoint(SaddlePoint):
    """A :class:`SaddlePoint` of a learning problem: its solver damps the warm-up iterations strongly by
    default (:data:`LEARNING_DAMPING`)."""

    def compile(self, **options):
        options.setdefault("damping", LEARNING_DAMPING)
        return super().compile(**options)

    @classmethod
    def of(cls, saddle):
        out = cls.__new__(cls)
        out.__dict__.update(saddle.__dict__)
        return out


def _examples(fe):
    calc = fe._structure["calc"]
    found = [s for s in calc.overlap_sources if isinstance(s.matrix, ExamplesCurvature)]
    if len(found) != 1:
        raise DerivationError("a learning problem needs exactly one examples term")
    return found[0].matrix.examples


def derive_learning(model, hamiltonian):
    """The replica engine on the weights and the examples (:func:`~.assembly.derive`), with the
    teacher's moments in closed form, the order parameters in the order ``q, q̂, R, R̂, …`` and the
    learning stationarity (:func:`learning_saddle_point`)."""
    from .assembly import derive
    fe = derive(model, hamiltonian)
    calc = fe._structure["calc"]
    closed = polynomial_averages(fe.expr)
    if closed != fe.expr:
        fe.derivation.add("Gaussian averages in closed form", sp.Eq(sp.Symbol("f"), closed),
                          r"Averages of polynomials (e.g. over the teacher's Gaussian weights) by their moments.")
        fe.expr = closed
    first = [op for op in calc.order_parameters if op.symbol in (q, q_hat)]
    last = [op for op in calc.order_parameters if op.role == "multiplier"]
    calc.order_parameters[:] = first + [op for op in calc.order_parameters
                                        if op not in first and op not in last] + last
    fe.order_parameters = tuple(op.symbol for op in calc.order_parameters)
    for op in calc.order_parameters:
        if op.symbol == q_hat:
            op.domain = (0, None)
    fe._stationarity = learning_saddle_point
    return fe


def _constraints(fe, examples):
    """``g >= 0`` at a physical solution: ``ρ q − R²`` (Cauchy–Schwarz: the teacher's field given the
    student's has a variance), ``Q − q`` for a free norm, and a positive precision of the effective
    Gaussian of spherical or Gaussian weights."""
    from .priors import GaussianPrior, SphericalPrior
    calc = fe._structure["calc"]
    out = []
    if examples.teacher_overlap is not None:
        out.append(examples.teacher_self_overlap * q - examples.teacher_overlap**2)
    if calc.prior.self_overlap is None:
        out.append(Q - q)
    st = fe._structure
    if isinstance(calc.prior, SphericalPrior):
        out.append(calc.prior.multiplier - st["site_curvature"])
    elif isinstance(calc.prior, GaussianPrior):
        out.append(1 / calc.prior.variance_ - st["site_curvature"])
    return out


def learning_saddle_point(fe):
    """The shared stationarity (:func:`~.stationarity.saddle_point`) of a learning free energy, with the
    domains and constraints of its order parameters and the ``T → 0`` limit where it exists (the
    version space of an error count)."""
    from .stationarity import saddle_point
    examples = _examples(fe)
    result = LearningSaddlePoint.of(saddle_point(fe))
    result.overlaps = ()          # q stays below 1 at T → 0 (version space): no C = β(1 − q)
    result.constraints = _constraints(fe, examples)
    if examples.loss.version_space:
        result._limit = lambda finite: version_space(fe, finite)
    else:
        result._limit = _no_zero_temperature(examples)
    return result


def _no_zero_temperature(examples):
    def refuse(finite):
        raise DerivationError(f"no zero-temperature limit is derived for {type(examples.loss).__name__}: "
                              "only an error count has one (the version space); solve at T > 0")
    return refuse


def _cold(e):
    """``e^{−β} → 0`` inside the logarithms of the channel, written as ``c(1 ± erf u)`` (whose logarithm
    has the stable ``log H`` form)."""
    from .averages import Average
    if isinstance(e, Average):
        return e.with_integrand(_cold(e.integrand))
    if isinstance(e, sp.log) and e.has(beta):
        inner = sp.expand(sp.expand(e.args[0]).xreplace({sp.exp(-beta): sp.S.Zero}))
        if inner.has(beta):
            raise DerivationError(f"version-space limit: β left in {inner}")
        return sp.log(sp.factor_terms(inner.rewrite(sp.erf)))
    if not e.args:
        return e
    return e.func(*[_cold(a) for a in e.args])


def version_space(fe, finite):
    """``T → 0`` of Gibbs learning with an error count, the version space non-empty: ``e^{−β} → 0`` in
    the output partition, the order parameters stay finite (``q < 1``) and the solver's free energy is
    ``lim βf = −s``, minus the quenched entropy of the version space per weight (G88). The equations
    come from the shared stationarity of ``−s`` in its stable form (``log H``: inverse Mills ratios,
    finite where ``H`` underflows), the replicon from the shared replicon sector with the cold
    curvature of the examples."""
    import dataclasses

    from .stationarity import saddle_point
    # βf term by term (every term of f carries 1/β), then e^{−β} → 0
    times_beta = sp.Add(*[sp.cancel(beta * term) if not averages_in(term) else beta * term
                          for term in sp.Add.make_args(sp.expand(fe.expr, log=False))])
    minus_s = expand_averages(_cold(times_beta))
    if minus_s.has(beta):
        raise DerivationError(f"version-space limit of the {fe.model.title}: β left in {minus_s}")
    calc = fe._structure["calc"]
    cold_calc = dataclasses.replace(calc, overlap_sources=[
        dataclasses.replace(s, matrix=s.matrix.cold()) if isinstance(s.matrix, ExamplesCurvature) else s
        for s in calc.overlap_sources], derivation=finite.derivation.copy(
            f"Version-space (T → 0) limit of the {fe.model.title}"))
    params = sorted(minus_s.free_symbols - set(fe.order_parameters), key=lambda s_: s_.name)
    structure = dict(fe._structure, calc=cold_calc)
    d = cold_calc.derivation
    d.add("Zero temperature: version space", sp.Eq(sp.Symbol("-s"), minus_s),
          r"$\beta\to\infty$ inside the logarithm of the output partition ($e^{-\beta}\to0$): only weights "
          r"without errors keep their weight. $\beta f \to -s$, minus the entropy of the version space.")
    cold_fe = FreeEnergy(fe.model, stabilise(minus_s), fe.order_parameters, params, d, structure)
    cold = saddle_point(cold_fe)
    zero = LearningSaddlePoint(fe.model, cold.equations, cold.free_energy, fe.order_parameters, params,
                               cold.replicon, cold.derivation, "zero", None, finite=finite)
    zero.overlaps = ()
    zero.self_overlap = finite.self_overlap
    zero.roles, zero.domains = cold.roles, cold.domains
    zero.constraints = getattr(finite, "constraints", [])
    zero.entropy = -minus_s
    return zero


def entropy_of_overlaps(fe):
    """The version-space entropy ``s = G_S + α G_E`` as a function of the overlaps alone, for weights
    with a closed-form site (spherical, Gaussian): the conjugates, which do not enter the energetic
    term, eliminated by their own stationarity (the solution with a positive precision of the
    effective Gaussian). Needs a symbolic load ``α`` (``s`` is linear in it)."""
    from .priors import GaussianPrior, SphericalPrior
    zero = fe.saddle_point().zero_temperature()
    calc = fe._structure["calc"]
    if not isinstance(calc.prior, (SphericalPrior, GaussianPrior)):
        raise DerivationError(f"{calc.prior.name} weights: the conjugates enter averages; no closed "
                              "elimination")
    examples = _examples(fe)
    alpha = examples.load
    if not isinstance(alpha, sp.Symbol):
        raise DerivationError(f"the entropy of the overlaps needs a symbolic load, got {alpha}")
    entropy = sp.expand(zero.entropy)
    G_S, G_E = entropy.xreplace({alpha: 0}), sp.diff(entropy, alpha)
    unknowns = [op.symbol for op in calc.order_parameters
                if op.role in ("conjugate", "multiplier") and G_S.has(op.symbol) and not G_E.has(op.symbol)]
    eqs = [sp.numer(sp.together(sp.diff(G_S, u))) for u in unknowns]
    sols = sp.solve(eqs, unknowns, dict=True)
    precision = _constraints(fe, examples)[-1]
    probe = {s_: sp.Rational(k + 2, 2 * (k + 5)) for k, s_ in enumerate(sorted(G_S.free_symbols, key=str))}
    good = [s_ for s_ in sols if sp.sympify(precision).xreplace(s_).xreplace(probe).is_positive]
    if len(good) != 1:
        raise DerivationError(f"conjugates: expected one solution with a positive precision, got {sols}")
    out = sp.simplify(sp.expand_log(G_S.xreplace(good[0]), force=True))
    zero.derivation.add("Conjugates eliminated", [sp.Eq(k, v) for k, v in good[0].items()]
                        + [sp.Eq(sp.Symbol("G_S"), out)],
                        r"Stationarity in the conjugates, which do not enter $G_E$, by SymPy.")
    return out + alpha * G_E


def q_to_one_limit(entropy, overlap, alpha, deriv=None):
    """The capacity: the load at which the version space shrinks to a point, ``q → 1``.

    With ``q = 1 − δ`` the entropy diverges like ``c(α)/δ``; ``log H(y) = −y²/2 θ(y) + O(log y)`` for
    the arguments ``y = X/√δ`` of the channel, the Gaussian average of the leading term done by SymPy,
    and the capacity is the root ``c(α_c) = 0`` (G88 eqs. (29)–(30)). Needs ``entropy`` as a function
    of the overlap alone (conjugates eliminated, :func:`entropy_of_overlaps`).

    Returns
    -------
    sympy.Expr
        ``α_c`` as a function of the remaining parameters.
    """
    delta = sp.Symbol("delta", positive=True)
    e = entropy.subs(overlap, 1 - delta)

    def leading(expr):
        if isinstance(expr, GaussianAverage):
            zz = expr.variable
            inner = expr.integrand
            logs = [a for a in inner.atoms(sp.log) if a.has(sp.erfc, sp.erf)]
            if len(logs) != 1:
                raise DerivationError(f"q → 1 rule needs one log H in {inner}")
            (lg,) = logs
            (fn,) = lg.args[0].atoms(sp.erfc, sp.erf)
            U = sp.Dummy("U")
            # H(y) with y = ±√2 u: the sign for which the probability vanishes as u → +∞
            vanishes = sp.limit(lg.args[0].xreplace({fn: fn.func(U)}), U, sp.oo) == 0
            y = (1 if vanishes else -1) * sp.sqrt(2) * fn.args[0]   # the argument of H
            X = sp.limit(sp.sqrt(delta) * y, delta, 0)       # y = X/√δ + o(1/√δ)
            lead = -X**2 / 2 * sp.Heaviside(X) / delta
            integrand = inner.xreplace({lg: lead})
            density = sp.exp(-zz**2 / 2) / sp.sqrt(2 * sp.pi)
            val = sp.integrate(sp.expand(integrand * density), (zz, -sp.oo, sp.oo))
            if val.has(sp.Integral):
                raise DerivationError("SymPy could not integrate the q → 1 energetic term")
            return sp.simplify(val)
        if not expr.args:
            return expr
        return expr.func(*[leading(a) for a in expr.args])

    e = leading(e)
    coefficient = sp.limit(sp.simplify(delta * e), delta, 0)
    roots = sp.solve(coefficient, alpha)
    if len(roots) != 1:
        raise DerivationError(f"q → 1: expected one root in α, got {roots}")
    if deriv is not None:
        deriv.add("Capacity: the limit q → 1",
                  [sp.Eq(Tex(r"\lim_{\delta\to0}\delta\, s(q = 1-\delta)"), coefficient),
                   sp.Eq(Tex(r"\alpha_c"), roots[0])],
                  r"$\log H(y) \simeq -\frac{y^2}{2}\theta(y)$ for the diverging arguments; the volume "
                  r"shrinks to a point where the coefficient of $1/\delta$ changes sign.")
    return sp.simplify(roots[0])
