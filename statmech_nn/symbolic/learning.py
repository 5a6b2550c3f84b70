"""Replica operations for learning problems: the Gardner volume of the weights of a perceptron.

``E_ξ Π_a ∫dP(w^a) Π_μ φ(λ_μ^a, u_μ)`` with the student fields ``λ^a = w^a·ξ/√N``, the teacher field
``u = w*·ξ/√N`` and a *channel* ``φ`` (here: Gibbs weight ``e^{−β·error}`` of a threshold unit).
The calculation splits, after the pattern average, into

* the **entropic** term ``G_S``: the volume of weights with fixed overlaps ``q_ab = w^a·w^b/N`` and
  ``R = w^a·w*/N``, written with Lagrange multipliers (``q̂``, ``R̂``, and ``k̂`` for the spherical
  norm) — a single-site problem of the weight prior (:class:`SphericalWeights`, :class:`IsingWeights`);
* the **energetic** term ``α G_E``: ``log E Π_a φ`` over the Gaussian fields whose covariance is the
  overlap matrix, done for replica-symmetric overlaps by a rotation of the fields and the Gaussian
  tail integral of the threshold (:class:`ThresholdChannel`).

Each step is a SymPy operation recorded in a :class:`~statmech_nn.symbolic.derivation.Derivation`;
the free energy ``f = −(G_S + α G_E)/β`` is what they produce. At ``T → 0`` the Gibbs measure
concentrates on the version space (the weights with no error): :func:`version_space_limit`. The
capacity is the ``q → 1`` limit of the version-space equations: :func:`q_to_one_limit`.

The weight priors and the channel are separate objects so that other learning problems (dense
Hebbian learners, continual learning as a Franz–Parisi potential) can combine them with other
channels or priors, in the spirit of TRAMP.

References
----------
E. Gardner, J. Phys. A 21, 257 (1988) [G88], eqs. (13)–(22) and (29)–(30);
E. Gardner and B. Derrida, J. Phys. A 21, 271 (1988) [GD88];
H. S. Seung, H. Sompolinsky, N. Tishby, Phys. Rev. A 45, 6056 (1992) [SST92], sec. III and V;
A. Engel and C. Van den Broeck, *Statistical Mechanics of Learning* (CUP 2001) [EVdB], eqs. (2.41),
(4.xx) and appendix A;
Aubin, Baker, Krzakala, Zdeborová et al., TRAMP (2020) for the prior/channel split.
"""
from __future__ import annotations

import sympy as sp

from ..errors import DerivationError
from .averages import (Anchor, GaussianAverage, Tilt, UniformAverage, expand_averages,
                       gaussian_closed_form, stein)
from .derivation import Derivation, aligned_lines
from .rewrite import hyperbolic_to_tanh
from .state import beta, n, z
from .stationarity import solve_for as _solve_for
from .free_energy import FreeEnergy, SaddlePoint
from .priors import DiscretePrior, IsingPrior, Prior
from .replica import replica_limit

__all__ = ["GardnerFreeEnergy", "SphericalWeights", "IsingWeights", "ThresholdChannel", "gaussian_tail",
           "gardner_free_energy", "learning_saddle_point", "version_space_limit", "q_to_one_limit",
           "t", "x", "reference_marginal", "CoupledIsingWeights", "franz_parisi_free_energy",
           "replicon_eigenvalue", "FlatMeanPrior", "VariationalWeights", "ProbitChannel",
           "variational_free_energy", "variational_franz_parisi_free_energy", "VariationalFreeEnergy"]

#: teacher field (standard normal), the replica-specific Gaussian of the student field
t = sp.Symbol("t", real=True)
x = sp.Symbol("x", real=True)
_w = sp.Symbol("w", real=True)
_wstar = sp.Symbol("w_*", real=True)

q = sp.Symbol("q", nonnegative=True)
R = sp.Symbol("R", real=True)
q_hat = sp.Symbol("q_hat", nonnegative=True)
R_hat = sp.Symbol("R_hat", real=True)
k_hat = sp.Symbol("k_hat", real=True)


def gaussian_tail(c, deriv=None):
    """``∫_c^∞ Dx`` done by SymPy: ``erfc(c/√2)/2``, the function ``H(c)`` of the literature."""
    c0 = sp.Symbol("c", real=True)
    density = sp.exp(-x**2 / 2) / sp.sqrt(2 * sp.pi)
    tail = sp.simplify(sp.integrate(density, (x, c0, sp.oo)))
    if tail.has(sp.Integral):
        raise DerivationError("SymPy could not integrate the Gaussian tail")
    if deriv is not None:
        deriv.add("Gaussian tail of a threshold",
                  sp.Eq(sp.Symbol(r"H(c) = \int_c^\infty Dx"), tail),
                  r"The integral over the replica-specific Gaussian $x$ of a threshold unit, by SymPy.")
    return tail.subs(c0, c)


# -- weight priors: the entropic term -----------------------------------------------------------

class SphericalWeights:
    """Spherical weights ``w·w = N``: the volume with fixed overlaps from a Gaussian integral with a
    Lagrange multiplier ``k̂`` for the norm (G88 eqs. (13)–(17)).

    The single-site integral ``∫dw exp(−K w²/2 + h w) = √(2π/K) e^{h²/(2K)}`` (``K = k̂ + q̂``) is done by
    SymPy; ``k̂`` is then eliminated by its stationarity condition (the root with ``K > 0``, where the
    Gaussian integral exists). With a teacher, its components are standard Gaussian ``w_*`` (a spherical
    teacher of norm ``√N``).
    """

    name = "spherical"

    def entropic(self, deriv, teacher):
        K = sp.Symbol("K", positive=True)
        h = sp.sqrt(q_hat) * z + (R_hat * _wstar if teacher else 0)
        one_site = sp.integrate(sp.exp(-K * _w**2 / 2 + h * _w), (_w, -sp.oo, sp.oo), conds="none")
        one_site = sp.simplify(one_site)
        # Σ_{a<b} q̂ w^a w^b = (q̂/2)((Σ_a w^a)² − Σ_a (w^a)²): the square linearised with z, so each
        # replica sees a Gaussian integral of precision K = k̂ + q̂ and field h
        site = sp.log(GaussianAverage(one_site**n, z))
        if teacher:
            site = sp.log(GaussianAverage(GaussianAverage(one_site**n, z), _wstar))
        constraints = n * k_hat / 2 - n * (n - 1) / 2 * q_hat * q - (n * R_hat * R if teacher else 0)
        G = replica_limit(constraints + site, n)
        G = gaussian_closed_form(expand_averages(sp.expand(sp.expand_log(G, force=True))))
        G = sp.expand(G.subs(K, k_hat + q_hat))
        deriv.add("Entropic term: spherical weights",
                  [sp.Eq(sp.Symbol(r"\int dw\, e^{-K w^2/2 + h w}"), one_site),
                   sp.Eq(sp.Symbol("K"), k_hat + q_hat),
                   sp.Eq(sp.Symbol(r"h"), h),
                   sp.Eq(sp.Symbol(r"G_S"), G)],
                  r"Norm $w\cdot w = N$ and overlaps imposed by $\delta$-functions with multipliers "
                  r"$\hat k, \hat q" + (r", \hat R" if teacher else "") + r"$; the replicated Gaussian "
                  r"integral per weight, Hubbard--Stratonovich in $z$, then $\lim_{n\to0}\frac1n$ by SymPy.")
        conjugates = [(q, q_hat)] + ([(R, R_hat)] if teacher else [])
        return G, conjugates, {k_hat: self.norm_multiplier}

    @staticmethod
    def norm_multiplier(roots):
        """The root of the norm condition with ``K = k̂ + q̂ > 0`` (where the Gaussian integral exists)."""
        probe = {q_hat: sp.Rational(7, 10), R_hat: sp.Rational(3, 10)}
        good = [r for r in roots if (r + q_hat).subs(probe).is_positive]
        if len(good) != 1:
            raise DerivationError(f"norm multiplier: expected one root with K > 0, got {roots}")
        return good[0]

    @staticmethod
    def multipliers_of_overlaps(G):
        """``{k̂, q̂[, R̂]: f(q[, R])}``: the multipliers from their own stationarity in ``G_S`` (they do
        not enter the energetic term), the solution with ``K = k̂ + q̂ > 0``."""
        unknowns = [u for u in (k_hat, q_hat, R_hat) if G.has(u)]
        eqs = [sp.numer(sp.together(sp.diff(G, u))) for u in unknowns]
        sols = sp.solve(eqs, unknowns, dict=True)
        probe = {q: sp.Rational(1, 2), R: sp.Rational(1, 5)}
        good = [s_ for s_ in sols if (s_[k_hat] + s_[q_hat]).subs(probe).is_positive]
        if len(good) != 1:
            raise DerivationError(f"multipliers: expected one solution with K > 0, got {sols}")
        return good[0]

    def entropy_of_overlaps(self, G, deriv=None):
        """``G_S`` as a function of the overlaps alone: the multipliers eliminated by their own
        stationarity (they do not enter the energetic term)."""
        good = [self.multipliers_of_overlaps(G)]
        out = sp.simplify(sp.expand_log(G.subs(good[0]), force=True))
        if deriv is not None:
            deriv.add("Multipliers eliminated", [sp.Eq(k, v) for k, v in good[0].items()]
                      + [sp.Eq(sp.Symbol("G_S"), out)],
                      r"Stationarity in $\hat k, \hat q, \hat R$ (they do not enter $G_E$), by SymPy.")
        return out

    def replicon_factor(self, G, teacher, deriv=None):
        """``E_in[(∂²_b log Z_in)²]``, the weights' half of the replicon (GD88; EVdB, the AT analysis of
        the storage problem).

        ``Z_in(b) = ∫dw e^{−K w²/2 + b w}`` is the single-weight integral of :meth:`entropic` in its
        external field ``b``; SymPy differentiates its logarithm twice (the variance of the weight
        under the effective measure, ``1/K`` whatever the field), ``K = k̂ + q̂`` and the multipliers
        are eliminated by their stationarity (:meth:`multipliers_of_overlaps`), which leaves a
        function of ``q`` alone.
        """
        K = sp.Symbol("K", positive=True)
        b = sp.Symbol("b", real=True)
        Z_in = sp.integrate(sp.exp(-K * _w**2 / 2 + b * _w), (_w, -sp.oo, sp.oo), conds="none")
        variance = sp.simplify(sp.diff(sp.log(Z_in), b, 2))
        if variance.has(b):
            raise DerivationError(f"spherical weights: field-dependent variance {variance}")
        factor = sp.factor(sp.simplify((variance**2).subs(K, k_hat + q_hat).subs(
            self.multipliers_of_overlaps(G))))
        if deriv is not None:
            deriv.add("Replicon: spherical weights",
                      [sp.Eq(sp.Symbol(r"\partial_b^2 \log Z_{\rm in}(b)"), variance),
                       sp.Eq(sp.Symbol(r"\mathbb{E}_{\rm in}[(\partial_b^2 \log Z_{\rm in})^2]"), factor)],
                      r"The variance of one weight under its Gaussian effective measure, with "
                      r"$K = \hat k + \hat q$ and the multipliers at their stationary values.")
        return factor


class IsingWeights:
    """Binary weights ``w = ±1`` (GD88): the single-site problem of the Ising prior with pair coupling
    ``q̂`` and (teacher gauge ``w* = +1``) field ``R̂``, from :meth:`IsingPrior.single_site`."""

    name = "ising"

    def entropic(self, deriv, teacher):
        field = R_hat if teacher else sp.S.Zero
        site, _ = IsingPrior().single_site(field, q_hat, n, z, deriv)
        constraints = -n * (n - 1) / 2 * q_hat * q - (n * R_hat * R if teacher else 0)
        G = replica_limit(constraints + site, n)
        G = expand_averages(sp.expand(G))
        deriv.add("Entropic term: Ising weights", sp.Eq(sp.Symbol("G_S"), G),
                  r"Overlaps imposed by $\delta$-functions with multipliers $\hat q"
                  + (r", \hat R" if teacher else "") + r"$ (teacher gauged to $w^*_i = +1$); "
                  r"$\lim_{n\to0}\frac1n$ by SymPy.")
        conjugates = [(q, q_hat)] + ([(R, R_hat)] if teacher else [])
        return G, conjugates, {}

    def replicon_factor(self, G, teacher, deriv=None):
        """``E_in[(∂²_b log Z_in)²] = E_z[(1 − tanh² b)²]``, ``b = √q̂ z (+ R̂)``, the weights' half of the
        replicon (GD88): the variance of a binary weight in its field, from
        :meth:`IsingPrior.variance` (``∂²_b log 2cosh b``)."""
        b = sp.sqrt(q_hat) * z + (R_hat if teacher else 0)
        factor = expand_averages(GaussianAverage(hyperbolic_to_tanh(IsingPrior().variance(b) ** 2), z))
        if deriv is not None:
            deriv.add("Replicon: Ising weights",
                      sp.Eq(sp.Symbol(r"\mathbb{E}_{\rm in}[(\partial_b^2 \log Z_{\rm in})^2]"), factor),
                      r"$Z_{\rm in}(b) = 2\cosh b$ in the field $b = \sqrt{\hat q}\,z"
                      + (r" + \hat R" if teacher else "") + r"$ of one weight.")
        return factor


# -- channel: the energetic term ----------------------------------------------------------------

class ThresholdChannel:
    """Gibbs weight of a threshold unit: ``φ(λ) = e^{−β}`` for an error, ``1`` otherwise.

    Storage (``teacher=False``, random labels, gauged to ``+1``): an error is ``λ < κ``. Teacher–student
    (``teacher=True``): the label is ``sign(u)`` of the teacher field, an error is ``sign(u) λ < 0``.

    :meth:`energetic` records :attr:`cavity_weight`: with it ``G_E = E_z[w(z) log Z_out(√q z)]``, the
    law of the cavity field ``h = √q z`` of one example (``w = 1`` for storage; for a teacher, twice
    the probability of the label ``+1`` given ``h``, the labels being mirror images).
    """

    def __init__(self, kappa=None, teacher=False):
        self.kappa = sp.S.Zero if kappa is None else kappa
        self.teacher = teacher
        self.cavity_weight = None

    def output_partition(self, h, deriv=None, tail=None):
        """``Z_out(h) = ∫Dx φ(√(1−q) x + h)``: the Gibbs weight of one example averaged over the
        replica-specific part of its field, as a function of the cavity field ``h`` (label ``+1``).
        ``tail(c)`` (default :func:`gaussian_tail`) gives the probability ``∫_c^∞ Dx`` of no error."""
        lam = sp.sqrt(1 - q) * x + h
        # the threshold λ > κ is x > c
        c = sp.solve(sp.Eq(lam, self.kappa), x)[0]
        error_weight = sp.exp(-beta)
        return error_weight + (1 - error_weight) * (gaussian_tail(c, deriv) if tail is None else tail(c))

    def replicon_factor(self, zero_temperature=False, deriv=None):
        """``E_out[(∂²_h log Z_out)²]``, the channel's half of the replicon (GD88; EVdB, the AT analysis of
        the storage problem).

        ``Z_out`` (:meth:`output_partition`; ``e^{−β} → 0`` for the version space) is built with the
        Gaussian tail in its stable form ``H(c) = exp(log H(c))`` (``log H`` from the stable rewrite of
        :func:`gaussian_tail`), differentiated twice by SymPy in ``h`` (inverse Mills ratios, finite as
        ``q → 1``; no ``2 − erfc`` cancellation at low ``T``) and averaged over ``h = √q z`` with
        :attr:`cavity_weight`.
        """
        if self.cavity_weight is None:
            self.energetic(Derivation("energetic term"))
        from .rewrite import LogH, stabilise   # SymPy-only rewrite rules
        c0 = sp.Symbol("c", real=True)
        log_tail = stabilise(sp.log(gaussian_tail(c0)))
        if not isinstance(log_tail, LogH):
            raise DerivationError(f"the Gaussian tail has no stable logarithm: {log_tail}")
        h = sp.Symbol("h", real=True)
        Z_out = self.output_partition(h, tail=lambda c: sp.exp(log_tail.xreplace({c0: c})))
        if zero_temperature:
            Z_out = Z_out.xreplace({sp.exp(-beta): sp.S.Zero})
        curvature = sp.diff(sp.log(Z_out), h, 2)
        integrand = (self.cavity_weight * curvature**2).xreplace({h: sp.sqrt(q) * z})
        factor = expand_averages(GaussianAverage(integrand, z))
        if deriv is not None:
            deriv.add("Replicon: channel",
                      [sp.Eq(sp.Symbol(r"Z_{\rm out}(h)"), Z_out),
                       sp.Eq(sp.Symbol(r"\mathbb{E}_{\rm out}[(\partial_h^2 \log Z_{\rm out})^2]"), factor)],
                      r"The channel of one example in its cavity field $h = \sqrt q\, z$"
                      + (r" (label $+1$, weighted by twice its probability given $h$)" if self.teacher
                         else "") + (r"; $e^{-\beta}\to0$" if zero_temperature else "") + ".")
        return factor

    def energetic(self, deriv):
        s = sp.Symbol("s", real=True)
        s_perp = sp.Symbol(r"s_\perp", real=True)
        # replica-symmetric fields: λ^a = √(1−q) x_a + R t + √(q−R²) z_⊥, u = t (all standard normal)
        common = (R * t + sp.sqrt(q - R**2) * s_perp) if self.teacher else sp.sqrt(q) * z
        lam = sp.sqrt(1 - q) * x + common
        coeffs = {v: lam.coeff(v) for v in (x, t, s_perp, z)}
        variance = sp.simplify(sum(c**2 for c in coeffs.values()))
        overlap = sp.simplify(sum(c**2 for v, c in coeffs.items() if v != x))
        teacher_overlap = R if self.teacher else 0
        if variance != 1 or sp.simplify(overlap - q) != 0 or sp.simplify(coeffs[t] - teacher_overlap) != 0:
            raise DerivationError("RS field representation has the wrong covariance")
        # Π_a over the replicas: each replica integrates its own x
        phibar = self.output_partition(common, deriv)
        deriv.add("Channel averaged over the replica-specific field",
                  [sp.Eq(sp.Symbol(r"\lambda^a"), lam),
                   sp.Eq(sp.Symbol(r"\mathbb{E}[\lambda^a\lambda^b]"), overlap),
                   sp.Eq(sp.Symbol(r"\int Dx\, \phi(\lambda)"), phibar)],
                  r"Gaussian fields with the covariance of the RS overlap matrix; the Gibbs weight "
                  r"$e^{-\beta\,\theta(\kappa-\lambda)} = e^{-\beta} + (1-e^{-\beta})\theta(\lambda-\kappa)$"
                  r" integrated over $x_a$.")
        if not self.teacher:
            G_n = sp.log(GaussianAverage(phibar**n, z))
            G = replica_limit(G_n, n)
            self.cavity_weight = sp.S.One
        else:
            # label −1 (t < 0) is the mirror image (t, s_⊥, x) → −(t, s_⊥, x) of label +1: twice the t > 0
            # half. Rotate (t, s_⊥) to s ∝ R t + √(q−R²) s_⊥ and integrate the orthogonal direction over t > 0
            rot_s = (R * t + sp.sqrt(q - R**2) * s_perp) / sp.sqrt(q)
            rot_o = (sp.sqrt(q - R**2) * t - R * s_perp) / sp.sqrt(q)
            o = sp.Symbol("o", real=True)
            inverse = sp.solve([sp.Eq(s, rot_s), sp.Eq(o, rot_o)], [t, s_perp], dict=True)[0]
            if sp.simplify(inverse[t]**2 + inverse[s_perp]**2 - s**2 - o**2) != 0:
                raise DerivationError("field rotation is not orthogonal")
            phibar_s = phibar.subs(inverse).replace(
                lambda e: isinstance(e, sp.erfc), lambda e: sp.erfc(sp.simplify(e.args[0])))
            threshold = sp.solve(sp.Eq(inverse[t], 0), o)[0]
            weight = sp.factor_terms(gaussian_tail(threshold).rewrite(sp.erf))
            # n = 0: 2 E_s[H(−c s)] = 1, since H(−c s) + H(c s) = 1 and s is symmetric
            if sp.simplify(weight + weight.subs(s, -s) - 1) != 0:
                raise DerivationError("teacher weight is not a probability of one label")
            # d/dn log(2 E_s[w φ̄^n]) at n = 0 is 2 E_s[w log φ̄] / (2 E_s[w]) = 2 E_s[w log φ̄]
            G = sp.diff(2 * GaussianAverage(weight * phibar_s**n, s), n).subs(n, 0)
            self.cavity_weight = 2 * weight.xreplace({s: z})
            G = expand_averages(G)
            deriv.add("Teacher label and rotation of the fields",
                      [sp.Eq(sp.Symbol("s"), rot_s), sp.Eq(sp.Symbol(r"\int_{t>0} Do"), weight)],
                      r"Label $\mathrm{sign}(t)$; the two labels contribute equally, the $t>0$ half is "
                      r"integrated over the direction orthogonal to $s$.")
            G = G.xreplace({s: z})
        G = expand_averages(G)
        deriv.add("Energetic term", sp.Eq(sp.Symbol("G_E"), G),
                  r"$\lim_{n\to0}\frac1n \log \mathbb{E}\prod_a \phi(\lambda^a)$ by SymPy.")
        return G


# -- assembly -----------------------------------------------------------------------------------

def gardner_free_energy(model, weights, channel, alpha, title=None):
    """``f = −(G_S + α G_E)/β`` derived for ``weights`` (a prior) and ``channel``.

    Returns a :class:`FreeEnergy` whose order parameters are the overlaps and their conjugates
    (``q, q̂`` and, with a teacher, ``R, R̂``); ``_structure`` records the conjugate pairs.
    """
    d = Derivation(title or f"Replica-symmetric Gardner volume of the {model.title}")
    d.add("Gardner volume",
          sp.Eq(sp.Symbol(r"-\beta f"),
                sp.Symbol(r"\lim_{N\to\infty}\frac{1}{N}\mathbb{E}_\xi \log \int dP(w)\,\prod_{\mu=1}^{\alpha N}"
                          r" e^{-\beta\,\theta(\text{error}_\mu)}")),
          r"Gibbs learning at temperature $T = 1/\beta$ with the number of errors as energy; at $T\to0$ "
          r"the volume of weights with no error (Gardner 1988). Replica trick over $n$ students.")
    G_S, conjugates, multipliers = weights.entropic(d, channel.teacher)
    G_E = channel.energetic(d)
    action = G_S + alpha * G_E
    f = expand_averages(sp.expand(-action / beta, log=False))
    ops = []
    for o, conj in conjugates:
        ops += [o, conj]
    ops += list(multipliers)
    d.add("Free energy", sp.Eq(sp.Symbol("f"), f),
          r"$f = -(G_S + \alpha G_E)/\beta$, extremised over " + ", ".join(f"${sp.latex(o)}$" for o in ops)
          + ".")
    params = sorted(f.free_symbols - set(ops), key=lambda s_: (s_ != beta, s_.name))
    structure = {"weights": weights, "conjugates": conjugates, "multipliers": multipliers, "entropic": G_S, "energetic": G_E, "alpha": alpha}
    structure["channel"] = channel
    return GardnerFreeEnergy(model, f, ops, params, d, structure)


class GardnerFreeEnergy(FreeEnergy):
    """A :class:`FreeEnergy` of a learning problem: its saddle point pairs overlaps with their
    conjugates and carries the version-space (``T → 0``) limit."""

    def saddle_point(self):
        if self._saddle is None:
            self._saddle = learning_saddle_point(self)
        return self._saddle

    def entropy_of_overlaps(self):
        """The entropic term as a function of the overlaps alone (spherical weights)."""
        weights = self._structure["weights"]
        if not hasattr(weights, "entropy_of_overlaps"):
            raise DerivationError(f"{weights.name} weights: the multipliers enter averages; no "
                                  "closed elimination")
        return weights.entropy_of_overlaps(self._structure["entropic"], self.derivation)


def _fixed_point_equations(f, structure):
    """Stationarity in the conjugate fixes the overlap, stationarity in the overlap its conjugate;
    a multiplier (the spherical norm) is fixed by its own stationarity, the root chosen by the prior."""
    equations = {}
    for o, conj in structure["conjugates"]:
        for target, source in ((o, conj), (conj, o)):
            derivative = hyperbolic_to_tanh(sp.diff(f, source))
            equations[target] = _solve_for(hyperbolic_to_tanh(stein(derivative)), target)
    for mult, choose in structure["multipliers"].items():
        roots = sp.solve(sp.numer(sp.together(sp.diff(f, mult))), mult)
        equations[mult] = sp.simplify(choose(roots))
    return equations


#: damping of the solver's warm-up iterations: the fixed-point maps of Gardner volumes become
#: strongly expanding as q → 1, while Newton still converges from a nearby start
LEARNING_DAMPING = 0.05


class LearningSaddlePoint(SaddlePoint):
    """A :class:`SaddlePoint` whose solver damps its warm-up iterations strongly by default."""

    def compile(self, **options):
        options.setdefault("damping", LEARNING_DAMPING)
        return super().compile(**options)


def learning_saddle_point(fe, version_space=True, stable=False):
    """Saddle point of a Gardner free energy, with its ``T → 0`` (version-space) limit attached
    (unless ``version_space`` is false: a problem without that limit, e.g. a tempered likelihood).
    With ``stable``, ``f`` is put in its stable form (``log H``, ``H^β = e^{β log H}``) before it is
    differentiated, so the equations hold the inverse Mills ratio where ``H`` underflows."""
    d = fe.derivation.copy(f"Saddle point of the {fe.model.title}")
    if stable:
        from .rewrite import stabilise
        f = stabilise(fe.expr)
    else:
        f = fe.expr
    equations = _fixed_point_equations(f, fe._structure)
    equations = {o: equations[o] for o in fe.order_parameters}
    d.add("Saddle-point equations", [sp.Eq(k, v) for k, v in equations.items()],
          r"Derivatives under the averages, Stein's lemma, each equation solved for its order "
          r"parameter (the derivative in a conjugate fixes the overlap and vice versa).")
    replicon = replicon_eigenvalue(fe, deriv=d)
    result = LearningSaddlePoint(fe.model, equations, f, fe.order_parameters, fe.parameters,
                                 replicon, d, "finite", beta)
    result.overlaps = ()          # q stays below 1 at T → 0 (version space): no C = β(1 − q)
    result.self_overlap = 1
    if version_space:
        result._zero = version_space_limit(fe, result)
    return result


def replicon_eigenvalue(fe, zero_temperature=False, deriv=None):
    """The replicon eigenvalue ``λ_R = 1 − α E_out[(∂²_h log Z_out)²] E_in[(∂²_b log Z_in)²]`` of the RS
    saddle point of a Gardner free energy (``> 0``: RS is stable, the sign convention of the spin
    models), or ``None`` where the weight prior or the channel contributes no replicon factor.

    The fluctuations ``δq_ab`` of the overlaps and ``δq̂_ab`` of their conjugates in the replicon
    sector (``Σ_b δq_ab = 0``) decouple from the other sectors; the quadratic form of ``f`` there is
    ``[[−α λ_out, 1], [1, −λ_in]]`` per pair, with ``λ_out`` the replicon curvature of the energetic term
    in ``q_ab`` and ``λ_in`` that of the entropic term in ``q̂_ab`` — the connected correlations of two
    replicas in their single-example and single-weight effective measures, ``(∂²_h log Z_out)²`` and
    ``(∂²_b log Z_in)²`` averaged over the cavity fields. RS is stable while the determinant
    ``α λ_out λ_in − 1`` stays negative. Each factor comes from its own class
    (:meth:`ThresholdChannel.replicon_factor`, :meth:`SphericalWeights.replicon_factor`,
    :meth:`IsingWeights.replicon_factor`), differentiated by SymPy.

    References
    ----------
    E. Gardner and B. Derrida, J. Phys. A 21, 271 (1988) (binary weights); the spherical case
    at ``q → 1``: ``α_c(κ) ∫_{−κ}^∞ Dt < 1`` (stable for ``κ ≥ 0``); A. Engel and C. Van den Broeck,
    *Statistical Mechanics of Learning* (CUP 2001), the AT analysis of the storage problem;
    J. R. L. de Almeida and D. J. Thouless, J. Phys. A 11, 983 (1978).
    """
    structure = fe._structure
    weights, channel = structure.get("weights"), structure.get("channel")
    if channel is None or not hasattr(weights, "replicon_factor") or not hasattr(channel, "replicon_factor"):
        return None
    outer = channel.replicon_factor(zero_temperature, deriv)
    inner = weights.replicon_factor(structure["entropic"], channel.teacher, deriv)
    replicon = 1 - structure["alpha"] * outer * inner
    if deriv is not None:
        deriv.add("Replicon eigenvalue", sp.Eq(sp.Symbol(r"\lambda_R"), replicon),
                  r"Replicon sector of the overlaps and their conjugates: RS is stable while "
                  r"$\alpha\,\mathbb{E}_{\rm out}[(\partial_h^2\log Z_{\rm out})^2]\,"
                  r"\mathbb{E}_{\rm in}[(\partial_b^2\log Z_{\rm in})^2] < 1$ (Gardner and Derrida 1988).")
    return replicon


def version_space_limit(fe, finite):
    """``T → 0`` with the version space non-empty: ``e^{−β} → 0`` in the channel, so ``G_E`` becomes
    ``E log H(...)``; the solver's free energy there is ``lim βf = −s`` (minus the quenched entropy of
    the version space per weight), the order parameters stay finite."""
    G_S, G_E = fe._structure["entropic"], fe._structure["energetic"]
    alpha = fe._structure["alpha"]

    def cold(e):
        if isinstance(e, GaussianAverage):
            return e.with_integrand(cold(e.integrand))
        if isinstance(e, sp.log) and e.has(beta):
            # e^{-β} → 0 in the Gibbs weight; the remaining probability of no error stays positive
            inner = sp.expand(sp.expand(e.args[0]).xreplace({sp.exp(-beta): sp.S.Zero}))
            if inner.has(beta):
                raise DerivationError(f"version-space limit: β left in {inner}")
            # written as c (1 ± erf u), the form whose logarithm has a stable log H
            return sp.log(sp.factor_terms(inner.rewrite(sp.erf)))
        if not e.args:
            return e
        return e.func(*[cold(a) for a in e.args])

    G0 = expand_averages(cold(G_E))
    if G0.has(beta):
        raise DerivationError(f"version-space limit left β in {G0}")
    fe._structure["version_space_energetic"] = G0
    minus_s = expand_averages(sp.expand(-(G_S + alpha * G0), log=False))
    d = finite.derivation.copy(f"Version-space (T → 0) limit of the {fe.model.title}")
    # log H in its stable form before differentiating: the equations then hold the inverse Mills
    # ratio φ/H, finite where H underflows (q → 1)
    from .rewrite import stabilise
    equations = _fixed_point_equations(stabilise(minus_s), fe._structure)
    equations = {o: equations[o] for o in fe.order_parameters}
    d.add("Zero temperature: version space",
          [sp.Eq(sp.Symbol(r"G_E^{T=0}"), G0), sp.Eq(sp.Symbol("-s"), minus_s)]
          + [sp.Eq(k, v) for k, v in equations.items()],
          r"$\beta\to\infty$ inside the logarithm of the channel ($e^{-\beta}\to0$): only weights "
          r"without errors keep their weight. $\beta f \to -s$, the entropy of the version space.")
    params = sorted(minus_s.free_symbols - set(fe.order_parameters), key=lambda s_: s_.name)
    replicon = replicon_eigenvalue(fe, zero_temperature=True, deriv=d)
    zero = LearningSaddlePoint(fe.model, equations, minus_s, fe.order_parameters, params, replicon, d,
                               "zero", None, finite=finite)
    zero.overlaps = ()
    zero.self_overlap = 1
    zero.entropy = -minus_s
    return zero


def q_to_one_limit(entropy, overlap, alpha, deriv=None):
    """The capacity: the load at which the version space shrinks to a point, ``q → 1``.

    With ``q = 1 − δ`` the entropy diverges like ``c(α)/δ``; ``log H(y) = −y²/2 θ(y) + O(log y)`` for
    the arguments ``y = X/√δ`` of the channel, the Gaussian average of the leading term done by SymPy,
    and the capacity is the root ``c(α_c) = 0`` (G88 eqs. (29)–(30)). Needs ``entropy`` as a function
    of the overlap alone (conjugates eliminated).

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
                  [sp.Eq(sp.Symbol(r"\lim_{\delta\to0}\delta\, s(q = 1-\delta)"), coefficient),
                   sp.Eq(sp.Symbol(r"\alpha_c"), roots[0])],
                  r"$\log H(y) \simeq -\frac{y^2}{2}\theta(y)$ for the diverging arguments; the volume "
                  r"shrinks to a point where the coefficient of $1/\delta$ changes sign.")
    return sp.simplify(roots[0])


# -- continual learning: a Franz–Parisi potential -------------------------------------------------
#
# Li, Huang, Zou, Huang, Phys. Rev. E 108, 014309 (2023), arXiv:2212.02846 [LHZH23]: task 1 (teacher 1)
# is learned first; its Gibbs measure supplies a reference w̃, and the new student w learns task 2
# (teacher 2, overlap ρ with teacher 1) with the coupling γ w·w̃ to the reference. The free energy of
# the new student averaged over the reference is a Franz–Parisi potential (Franz & Parisi, J. Phys. I 5,
# 1401 (1995)); the reference's own saddle point is fixed input.

#: site variables of the continual problem: component of teacher 2 (teacher 1 gauged to +1) and the
#: reference weight
tau = sp.Symbol("tau", real=True)
w_ref = sp.Symbol(r"\tilde w", real=True)


def reference_marginal(reference_equation, reference_overlap, deriv):
    """Weights ``P(w̃ = ∓1)`` of one weight of the reference in the gauge ``w*¹ = +1``.

    The reference is one of ``m → 0`` replicas of the task-1 student: with the Hubbard–Stratonovich
    field ``h̃ = R̂ + √q̂ z₀`` of its own RS saddle point, ``P(w̃) = E_{z₀} e^{w̃h̃}/(2 cosh h̃)``
    (the other ``m − 1`` replicas sum to ``(2cosh h̃)^{m−1} → 1/(2cosh h̃)``). SymPy rewrites the
    Gibbs weight as ``(1 + w̃ tanh h̃)/2``; the average ``E_{z₀} tanh h̃`` is then recognised as the
    right-hand side ``reference_equation`` of the reference's saddle-point equation for its teacher
    overlap (checked at random points) and replaced by ``reference_overlap``.
    """
    from .numeric import evaluate

    z0 = sp.Symbol("z_0", real=True)
    h = R_hat + sp.sqrt(q_hat) * z0
    weights = []
    for s_ in (-1, 1):
        gibbs = sp.exp(s_ * h) / (2 * sp.cosh(h))
        linear = (1 + s_ * sp.tanh(h)) / 2
        if sp.simplify((gibbs - linear).rewrite(sp.exp)) != 0:
            raise DerivationError("reference Gibbs weight is not (1 + w tanh h)/2")
        weights.append(expand_averages(GaussianAverage(linear, z0)))
    (average,) = {a for w_ in weights for a in w_.atoms(GaussianAverage)}
    probe = [{"q_hat": 0.7, "R_hat": 0.4}, {"q_hat": 2.3, "R_hat": 1.9}]
    for p in probe:
        ours = float(evaluate(average, p))
        theirs = float(evaluate(reference_equation, p))
        if abs(ours - theirs) > 1e-10:
            raise DerivationError(f"E tanh(h) = {ours} is not the reference's R equation ({theirs})")
    weights = [sp.expand(w_.xreplace({average: reference_overlap})) for w_ in weights]
    deriv.add("Reference: one weight of the task-1 Gibbs measure",
              [sp.Eq(sp.Symbol(r"P(\tilde w)"),
                     sp.Symbol(r"\left\langle \frac{e^{\tilde w \tilde h}}{2\cosh \tilde h}\right\rangle_{z_0}")),
               sp.Eq(sp.Symbol(r"\tilde h"), h.xreplace({z0: sp.Symbol("z_0")})),
               sp.Eq(sp.Symbol(r"\langle \tanh \tilde h\rangle_{z_0}"), reference_overlap),
               sp.Eq(sp.Symbol(r"P(\tilde w = -1)"), weights[0]),
               sp.Eq(sp.Symbol(r"P(\tilde w = +1)"), weights[1])],
              r"The reference is replica 1 of $m\to0$ replicas of the task-1 student; $(2\cosh\tilde h)^{m-1}"
              r"\to 1/2\cosh\tilde h$. By its own saddle-point equation $\langle\tanh\tilde h\rangle = "
              r"\tilde R$, its teacher-1 overlap: that is all the new student sees of it.")
    return weights


class CoupledIsingWeights:
    """Binary weights of the new student, coupled to the reference ``w̃`` (LHZH23 sec. III).

    Replicated site problem with pair coupling ``q̂``, fields ``R̂₁`` (teacher 1, gauged to ``+1``),
    ``R̂₂ τ`` (teacher 2, ``τ = ±1`` with ``P(τ = 1) = (1 + ρ)/2``) and ``P̂ w̃`` (the reference); the
    quenched site variables ``τ, w̃`` averaged outside the logarithm; the coupling ``γ Σ_i w_i w̃_i`` enters
    as the energy ``γ P`` of the overlap ``P = w·w̃/N``.
    """

    name = "ising (coupled to a reference)"

    def __init__(self, coupling, teacher_overlap, reference_weights, symbols):
        self.coupling = coupling
        self.teacher_overlap = teacher_overlap
        self.reference_weights = reference_weights
        self.R_1, self.R_hat_1, self.R_2, self.R_hat_2, self.P, self.P_hat = symbols

    def entropic(self, deriv, teacher=True):
        field = self.R_hat_1 + self.R_hat_2 * tau + self.P_hat * w_ref
        site, _ = IsingPrior().single_site(field, q_hat, n, z, deriv)
        (inner,) = [lg for lg in site.atoms(sp.log) if isinstance(lg.args[0], GaussianAverage)]
        rho = self.teacher_overlap
        # the quenched site variables: an explicit sum (the weights depend on parameters, which a
        # DiscreteAverage node does not differentiate)
        tau_weights = ((1 - rho) / 2, (1 + rho) / 2)
        quenched = sp.Add(*[pt * pw * inner.args[0].xreplace({tau: t_, w_ref: w_})
                            for t_, pt in zip((-1, 1), tau_weights)
                            for w_, pw in zip((-1, 1), self.reference_weights)])
        site = site.xreplace({inner: sp.log(quenched)})
        constraints = (-n * (n - 1) / 2 * q_hat * q - n * self.R_hat_1 * self.R_1
                       - n * self.R_hat_2 * self.R_2 - n * self.P_hat * self.P
                       + n * self.coupling * self.P)
        # kept as a sum over the four site classes (τ, w̃) rather than multiplied out
        G = expand_averages(replica_limit(constraints + site, n))
        # the normalisation of the site classes, Σ P(τ) P(w̃) = 1
        total = sp.Add(*[pt * pw for pt in tau_weights for pw in self.reference_weights])
        if sp.simplify(total - 1) != 0:
            raise DerivationError(f"site-class probabilities do not sum to one: {total}")
        G = sp.collect(G.xreplace({total: sp.S.One}), q_hat)
        if G.has(sp.Pow(total, -1)):
            raise DerivationError("site-class normalisation left in the entropic term")
        deriv.add("Entropic term: new student coupled to the reference",
                  [sp.Eq(sp.Symbol(r"P(\tau = \pm1)"), (1 + sp.Symbol(r"\pm") * rho) / 2),
                   *aligned_lines("G_S", G, 1)],
                  r"Overlaps $q$, $R_1 = w\cdot w^{*1}/N$, $R_2 = w\cdot w^{*2}/N$, $P = w\cdot\tilde w/N$ "
                  r"imposed with multipliers $\hat q, \hat R_1, \hat R_2, \hat P$; the coupling "
                  r"$\gamma\sum_i w_i\tilde w_i = N\gamma P$; teacher 1 gauged to $+1$, $\tau_i = w^{*2}_i$; "
                  r"$\lim_{n\to0}\frac1n$ by SymPy.")
        conjugates = [(q, q_hat), (self.R_1, self.R_hat_1), (self.R_2, self.R_hat_2), (self.P, self.P_hat)]
        return G, conjugates, {}


def franz_parisi_free_energy(model, coupling, teacher_overlap, reference_equation, reference_overlap,
                             alpha, symbols, title=None):
    """``f = −(G_S + α₂ G_E(q, R₂))/β`` of the new student averaged over the reference (LHZH23).

    ``G_E`` is the teacher channel of task 2 (:class:`ThresholdChannel`): the reference does not enter
    the task-2 examples and the student does not enter the task-1 examples, so the cross overlaps of
    students with the other reference replicas have vanishing conjugates and are dropped; the
    reference enters only through its site marginal (:func:`reference_marginal`).

    Parameters
    ----------
    coupling, teacher_overlap, reference_overlap, alpha : sympy.Symbol
        ``γ``, ``ρ``, the reference's teacher-1 overlap ``R̃`` and the task-2 load ``α₂``.
    reference_equation : sympy.Expr
        Right-hand side of the reference's saddle-point equation for its teacher overlap (in
        ``q_hat, R_hat``), from the teacher–student model.
    symbols : tuple of sympy.Symbol
        ``R_1, R_hat_1, R_2, R_hat_2, P, P_hat``.
    """
    d = Derivation(title or f"Franz–Parisi potential of the {model.title}")
    d.add("Franz--Parisi potential",
          sp.Eq(sp.Symbol(r"-\beta f"),
                sp.Symbol(r"\lim_{N\to\infty}\frac1N\mathbb{E}\sum_{\tilde w}\frac{e^{-\beta E_1(\tilde w)}}{Z_1}"
                          r"\log\sum_w e^{-\beta E_2(w) + \gamma\, w\cdot\tilde w}")),
          r"Task 1 (teacher $w^{*1}$, $\alpha_1 N$ examples) learned first by Gibbs learning; its "
          r"Gibbs measure supplies the reference $\tilde w$. The new student learns task 2 (teacher "
          r"$w^{*2}$, $w^{*1}\cdot w^{*2}/N = \rho$, $\alpha_2 N$ examples) coupled to the reference with "
          r"strength $\gamma$ (Li, Huang, Zou, Huang, PRE 108, 014309 (2023)). Replicas: $m\to0$ of the "
          r"reference, $n\to0$ of the student.")
    marginal = reference_marginal(reference_equation, reference_overlap, d)
    weights = CoupledIsingWeights(coupling, teacher_overlap, marginal, symbols)
    G_S, conjugates, multipliers = weights.entropic(d)
    R_2 = symbols[2]
    G_E = ThresholdChannel(teacher=True).energetic(d).xreplace({R: R_2})
    d.add("Task-2 channel", sp.Eq(sp.Symbol(r"G_E(q, R_2)"), G_E),
          r"The teacher channel above with the student--teacher-2 overlap $R_2$ in place of $R$: only "
          r"the new student meets the task-2 examples.")
    action = G_S + alpha * G_E
    f = expand_averages(-action / beta)
    ops = [x_ for pair in conjugates for x_ in pair]
    d.add("Free energy", sp.Eq(sp.Symbol("f"), -(sp.Symbol("G_S") + alpha * sp.Symbol("G_E(q, R_2)")) / beta),
          r"The entropic term of the new student and the task-2 channel, extremised over "
          + ", ".join(f"${sp.latex(o)}$" for o in ops) + ".")
    params = sorted(f.free_symbols - set(ops), key=lambda s_: (s_ != beta, s_.name))
    structure = {"weights": weights, "conjugates": conjugates, "multipliers": multipliers,
                 "entropic": G_S, "energetic": G_E, "alpha": alpha}
    return GardnerFreeEnergy(model, f, ops, params, d, structure)


# -- variational continual learning (LHZH23) ------------------------------------------------------
#
# Li, Huang, Zou, Huang, Phys. Rev. E 108, 014309 (2023), arXiv:2212.02846 [LHZH23], as implemented in
# the authors' code (GitHub Chan-Li/VCL: FirstTaskReplica.py, SecondTaskReplica.py, fig-2-a,b.py,
# fig-3.py). The student is a mean-field distribution over binary weights, Q(w) = Π_i (1 + m_i w_i)/2,
# trained in the space of its means m_i ∈ [−1, 1] (flat measure) with the β-weighted log-likelihood of
# the Gaussian-field (probit) approximation of its preactivation; task 2 adds β γ KL(Q ‖ Q_1) to the
# task-1 solution Q_1, whose means m¹ are drawn from the task-1 replica measure (Franz–Parisi).

#: mean of one weight of the student, of the reference (task-1) student, a copy of the latter, and the
#: sign of teacher 2 in the gauge of teacher 1 (w*²_i = B_i w*¹_i)
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
        from .rewrite import stabilise
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
                  [sp.Eq(sp.Symbol(r"\lambda^a"), lam),
                   sp.Eq(sp.Symbol(r"P(y=+1\mid\lambda)"), likelihood),
                   sp.Eq(sp.Symbol("s"), rot_s),
                   sp.Eq(sp.Symbol(r"\int_{t>0} Do"), teacher_weight),
                   sp.Eq(sp.Symbol(r"\hat x"), x_hat),
                   sp.Eq(sp.Symbol("G_E"), G)],
                  r"Gaussian-field approximation: $w\cdot\xi/\sqrt N$ under $Q_m$ has mean $\lambda$ and "
                  r"variance $1-q_*$; each example weighs $P(y\mid\lambda)^\beta$. RS fields with "
                  r"$\langle\lambda^a\lambda^b\rangle = q$, $\langle(\lambda^a)^2\rangle = q_*$, "
                  r"$\langle\lambda^a t\rangle = r$; label $\mathrm{sign}(t)$, both labels alike; "
                  r"$\lim_{n\to0}\frac1n$ by SymPy. The $x$-average is centred by the exact Gaussian "
                  r"shift $x = y + \hat x$ at the leading-order maximum $\hat x$ of "
                  r"$\beta\log P - x^2/2$, so that it neither under- nor overflows.")
        return G


class VariationalFreeEnergy(GardnerFreeEnergy):
    """Free energy of LHZH23's variational student; its saddle point has no version-space limit
    (``β`` tempers a likelihood, ``T = 1/β > 0``). ``observables`` maps the clipped-weight overlaps
    (``p`` for task 1; ``p_1``, ``p_2`` for task 2) to their expressions in the conjugates."""

    def saddle_point(self):
        if self._saddle is None:
            self._saddle = learning_saddle_point(self, version_space=False, stable=True)
        return self._saddle

    @property
    def observables(self):
        return self._structure["observables"]


def _assemble(model, G_S, G_E, alpha, conjugates, observables, d, what):
    # sums of averages kept as they are (multiplying out the Gaussian shift of G_E only swells f)
    f = expand_averages(-(sp.Add(*sp.Add.make_args(G_S)) + alpha * G_E) / beta)
    ops = [x_ for pair in conjugates for x_ in pair]
    d.add("Free energy", sp.Eq(sp.Symbol("f"), -(sp.Symbol("G_S") + alpha * sp.Symbol("G_E")) / beta),
          what + ", extremised over " + ", ".join(f"${sp.latex(o)}$" for o in ops) + ".")
    params = sorted(f.free_symbols - set(ops), key=lambda s_: (s_ != beta, s_.name))
    structure = {"conjugates": conjugates, "multipliers": {}, "entropic": G_S, "energetic": G_E,
                 "alpha": alpha, "observables": observables}
    return VariationalFreeEnergy(model, f, ops, params, d, structure)


def variational_free_energy(model, alpha, title=None):
    """``f = −(G_S + α G_E)/β`` of LHZH23's variational teacher–student perceptron (task 1).

    Stationarity gives the code's conventions (FirstTaskReplica.py): ``q = E⟨m⟩²``, ``r = E⟨m⟩``,
    ``q_* = E⟨m²⟩`` and ``q̂ = −2α ∂G_E/∂q``, ``r̂ = α ∂G_E/∂r``, ``q̂_* = α ∂G_E/∂q_*``.
    """
    d = Derivation(title or f"Replica-symmetric free energy of the {model.title}")
    d.add("Variational Gardner volume",
          sp.Eq(sp.Symbol(r"-\beta f"),
                sp.Symbol(r"\lim_{N\to\infty}\frac1N\mathbb{E}\log\int_{[-1,1]^N}\! dm\,\prod_{\mu=1}^{\alpha N}"
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
               sp.Eq(sp.Symbol(r"\mathbb{E}_{m^1}F"), sp.Symbol(r"\lim_{s\to0}") * weight),
               sp.Eq(sp.Symbol(r"\mathbb{E}_{m^1}F"), marginal)],
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
          sp.Eq(sp.Symbol(r"-\beta f"),
                sp.Symbol(r"\lim_{N\to\infty}\frac1N\mathbb{E}\int dP_1(m^1)\log\int_{[-1,1]^N}\!dm\, "
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
    d.add("Coupling to the reference", sp.Eq(sp.Symbol(r"\mathrm{KL}(Q_m\|Q_{m^1})"), kl),
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
          [sp.Eq(sp.Symbol(r"P(B = \pm1)"), (1 + sp.Symbol(r"\pm") * teacher_overlap) / 2),
           sp.Eq(sp.Symbol(r"\rho(m^1)"), rho),
           *aligned_lines("G_S", G_S, 1)],
          r"Teacher 2 in the gauge of teacher 1, $w^{*2}_i = B_i$; overlaps $q_2, r_2 = m\cdot w^{*2}/N, "
          r"q_{2*}$ imposed with $\hat q_2, \hat r_2, \hat q_{2*}$; $\lim_{n\to0}\frac1n$ by SymPy, then the "
          r"reference's $z$ and $m^1$ integrals exchanged (Fubini), $\rho$ the density of $m^1$.")
    G_E = ProbitChannel().energetic(d).xreplace({q: q_2, r: r_2, q_star: q_star_2})
    d.add("Task-2 channel", sp.Eq(sp.Symbol(r"G_E(q_2, r_2, q_{2*})"), G_E),
          r"The channel above with the task-2 overlaps: only the new student meets the task-2 examples.")
    conjugates = [(q_2, q_hat_2), (r_2, r_hat_2), (q_star_2, q_star_hat_2)]
    return _assemble(model, G_S, G_E, alpha, conjugates, observables, d,
                     r"$f = -(G_S + \alpha_2 G_E(q_2, r_2, q_{2*}))/\beta$")
