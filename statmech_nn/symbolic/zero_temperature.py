"""The zero-temperature limit of a saddle point: ``q = σ² − C/β`` with ``C`` finite, the Gaussian
averages by their large-``β`` forms, then ``β → ∞`` by SymPy.

References
----------
Amit, Gutfreund, Sompolinsky, Ann. Phys. 173, 30 (1987), sec. 4 (``C = β(1 − q)``).
"""
from __future__ import annotations

import sympy as sp

from ..errors import DerivationError
from .averages import GaussianAverage, averages_in, expand_averages
from .averages import outer_averages as _outer_averages
from .free_energy import SaddlePoint
from .state import beta
from .printing import Tex

__all__ = ["zero_temperature", "large_beta_average"]


def large_beta_average(avg, beta_=beta):
    """Asymptotic form of ``E_z[g(β(A + B z))]`` as ``β → ∞``, ``B > 0``.

    Bounded ``g`` with limits ``g±`` at ``±∞``: ``g₊ Φ(A/B) + g₋ Φ(−A/B) + (φ(A/B)/(βB)) ∫(g − step)``;
    ``g`` growing like ``c± |t|``: ``β (c₊ E[X⁺] − c₋ E[X⁻])`` to leading order. ``Φ``, ``φ`` are the
    standard normal distribution and density; the correction integral is done by SymPy.
    """
    integrand = avg.integrand
    zz = avg.variable
    args = {f.args[0] for f in integrand.atoms(sp.tanh, sp.cosh, sp.sinh)}
    if len(args) != 1:
        raise DerivationError(f"zero-temperature rule needs one local field in {integrand}")
    u = args.pop()
    X = sp.expand(u / beta_)
    A = sp.simplify(X.subs(zz, 0))
    B = sp.simplify(sp.diff(X, zz))
    if B.has(zz) or A.has(zz):
        raise DerivationError(f"local field {u} is not linear in {zz}")
    t = sp.Symbol("t", real=True)
    g = integrand.xreplace({u: t})
    if g.has(zz):
        raise DerivationError(f"integrand {integrand} depends on {zz} outside its local field")
    y = A / B
    Phi = (1 + sp.erf(y / sp.sqrt(2))) / 2
    dens = sp.exp(-y**2 / 2) / sp.sqrt(2 * sp.pi)
    bounded = _tanh_polynomial_pieces(g, t)
    if bounded is None:
        try:
            gp, gm = sp.limit(g, t, sp.oo), sp.limit(g, t, -sp.oo)
        except NotImplementedError as exc:   # e.g. an average nested inside g (mixture patterns)
            raise DerivationError(f"no zero-temperature rule for E_z[{integrand}]: SymPy: {exc}") from exc
        integral = None
    else:
        gp, gm, integral = bounded
    if gp.is_finite and gm.is_finite:
        lead = gp * Phi + gm * (1 - Phi)
        if integral is None:
            even = sp.simplify((g + g.subs(t, -t)) / 2 - (gp + gm) / 2)
            integral = 2 * sp.integrate(even, (t, 0, sp.oo)) if even != 0 else 0
        if sp.sympify(integral).has(sp.Integral):
            raise DerivationError(f"SymPy cannot integrate the β → ∞ correction of {g}")
        return lead + integral * dens / (beta_ * B)
    cp, cm = sp.limit(g / t, t, sp.oo), sp.limit(g / t, t, -sp.oo)
    if not (cp.is_finite and cm.is_finite):
        raise DerivationError(f"no zero-temperature rule for E_z[{integrand}]")
    positive_part = B * dens + A * Phi          # E[X 1{X>0}]
    negative_part = -B * dens + A * (1 - Phi)   # E[X 1{X<0}]
    return beta_ * (cp * positive_part + cm * negative_part)


def _tanh_polynomial_pieces(g, t):
    """``(g₊, g₋, ∫_{−∞}^{∞}(g − step))`` for ``g`` a polynomial ``P`` in ``tanh t`` (the form the
    engine writes hyperbolic functions in), by the exact change of variables ``u = tanh t``,
    ``dt = du/(1 − u²)``: ``g± = P(±1)`` and ``∫_0^∞ (P_even(u) − P_even(1)) dt = ∫_0^1 (…)/(1 − u²) du``,
    a rational integral. ``None`` for any other ``g``."""
    u = sp.Dummy("u")
    P = g.xreplace({sp.tanh(t): u})
    if P.has(t) or not P.is_polynomial(u):
        return None
    gp, gm = sp.expand(P.subs(u, 1)), sp.expand(P.subs(u, -1))
    even = sp.expand((P + P.subs(u, -u)) / 2 - (gp + gm) / 2)
    if even == 0:
        return gp, gm, sp.S.Zero
    quotient = sp.cancel(even / (1 - u**2))
    if not quotient.is_polynomial(u):   # not integrable at u = 1: no finite correction
        return None
    return gp, gm, 2 * sp.integrate(quotient, (u, 0, 1))


def _zero_t_rules(expr, beta_):
    """Replace every Gaussian average by its large-β form; ``tanh(βX) → sign(X)`` and
    ``log(c cosh βX) → β|X| + log(c/2)`` outside averages."""
    # innermost only: an outer Gaussian average over a quenched variable (e.g. the dataset noise
    # of dense-hebbian) commutes with the limit and keeps its (replaced) integrand
    avgs = [a for a in averages_in(expr, GaussianAverage) if not averages_in(a.integrand, GaussianAverage)]
    expr = expr.xreplace({a: large_beta_average(a, beta_) for a in avgs})
    rep = {}
    for f in expr.atoms(sp.tanh):
        X = sp.simplify(f.args[0] / beta_)
        if not X.has(beta_):
            rep[f] = sp.sign(X)
    for f in expr.atoms(sp.log):
        const, inner = f.args[0].as_independent(beta_, as_Add=False)
        if isinstance(inner, sp.cosh):
            X = sp.simplify(inner.args[0] / beta_)
            if not X.has(beta_):   # log(c cosh(βX)) = β|X| + log(c/2) + O(e^{-2β|X|})
                rep[f] = beta_ * sp.Abs(X) + sp.log(const / 2)
    return expr.xreplace(rep)


def _limit_infinite_beta(expr, beta_):
    """``lim_{β→∞}``, taken inside finite (pattern) averages, which commute with the limit."""
    expr = expr.xreplace({a: _beta_power_out(a, beta_) for a in _outer_averages(expr)
                          if isinstance(a, GaussianAverage)})
    avgs = _outer_averages(expr)
    inner = {a: a.with_integrand(_limit_infinite_beta(a.integrand, beta_)) for a in avgs}
    dummies = {a: sp.Dummy(f"D{i}") for i, a in enumerate(avgs)}
    outer = sp.expand(expr.xreplace(dummies), log=False)
    if outer.has(beta_):
        # term by term keeps the result readable; fall back to the whole sum if a term diverges
        terms = [sp.limit(t, beta_, sp.oo) if t.has(beta_) else t for t in sp.Add.make_args(outer)]
        finite = [t.is_finite is not False and not t.has(sp.oo, -sp.oo, sp.zoo, sp.nan) for t in terms]
        if all(finite):
            outer = sp.Add(*[sp.powsimp(sp.factor_terms(t)) for t in terms])
        elif finite.count(False) == 1 and not terms[finite.index(False)].has(sp.nan):
            # one divergent term beside finite ones: the sum diverges (no cancellation to look for)
            outer = terms[finite.index(False)]
        else:
            outer = sp.limit(outer, beta_, sp.oo)
    back = {dummies[a]: inner[a] for a in avgs}
    return outer.xreplace(back)


def _beta_power_out(avg, beta_):
    """``E_Y[β^k h(Y)] = β^k E_Y[h(Y)]``: a power of ``β`` common to the whole integrand of an outer
    (quenched) Gaussian average, written outside it so that ``β × E_Y[O(1/β)]`` has a finite limit
    (SymPy's ``expand`` buries it in a summed denominator)."""
    num, den = sp.fraction(sp.together(avg.integrand))
    power = 0
    for part, sign in ((sp.factor_terms(num), 1), (sp.factor_terms(den), -1)):
        for factor in sp.Mul.make_args(part):
            base, exponent = factor.as_base_exp()
            if base == beta_ and exponent.is_number:
                power += sign * exponent
    if power == 0:
        return avg
    return beta_**power * avg.with_integrand(sp.simplify(avg.integrand / beta_**power))


def zero_temperature(sp_finite):
    """The ``T → 0`` saddle point: ``q = σ² − C/β`` with ``C`` finite, the averages by their large-β
    forms, then ``β → ∞`` by SymPy. The free energy becomes the ground-state energy per unit."""
    model = sp_finite.model
    overlaps = [s for s in sp_finite.order_parameters if s in sp_finite.overlaps]
    b = sp_finite.beta
    multipliers = tuple(getattr(sp_finite, "multipliers", ()))
    if sp_finite.self_overlap is None or \
            getattr(sp_finite, "layer_self_overlaps", set()) - {sp_finite.self_overlap}:
        raise DerivationError(
            f"zero-temperature limit of the {model.title}: the rule q = σ² − C/β needs units with a "
            "fixed σ² (soft or Gaussian units need their own scaling of the self-overlap with β, not "
            "implemented); solve at T > 0")
    d = sp_finite.derivation.copy(f"Zero-temperature limit of the {model.title}")
    C = {q: sp.Symbol("C" if len(overlaps) == 1 else f"C_{q.name}", positive=True) for q in overlaps}
    s2 = sp_finite.self_overlap
    to_C = {q: s2 - C[q] / b for q in overlaps}
    finite_equations, finite_energy = dict(sp_finite.equations), sp_finite.free_energy
    scaled = {}
    if multipliers:
        finite_equations, finite_energy, scaled = _eliminate_multipliers(
            finite_equations, finite_energy, multipliers, to_C, b)
        to_C.update({x: b ** k * X for x, (X, k) in scaled.items()})

    def limit(e):
        e = expand_averages(sp.expand(e.xreplace(to_C), log=False))
        e = expand_averages(sp.expand(_zero_t_rules(e, b), log=False))
        return expand_averages(sp.expand(_limit_infinite_beta(e, b), log=False))

    equations = {}
    order = []
    for x, rhs in finite_equations.items():
        if x in scaled:
            X, k = scaled[x]
            key, value = X, limit(rhs / b ** k)
        else:
            key = C.get(x, x)
            value = limit(b * (s2 - rhs)) if x in C else limit(rhs)
        equations[key] = sp.factor(value) if not _outer_averages(value) else value
        order.append(key)
    energy = limit(finite_energy)
    replicon = None
    if sp_finite.replicon is not None:
        lam = sp_finite.replicon
        if multipliers:
            values = {x: sp_finite.equations[x] for x in multipliers}
            for _ in multipliers:
                values = {x: v.xreplace(values) for x, v in values.items()}
            lam = lam.xreplace(values)
        try:
            replicon, power = _leading_order(lam, to_C, b)
        except (DerivationError, NotImplementedError) as exc:
            d.add("No zero-temperature replicon", sp.Eq(Tex(r"\lambda_R"), lam),
                  f"The large-$\\beta$ rules do not apply to the replicon ({exc}); the stability at "
                  "$T = 0$ is not derived.")
    if multipliers:
        d.add("Multipliers eliminated",
              [sp.Eq(x, sp_finite.equations[x]) for x in multipliers]
              + [sp.Eq(x, b ** k * X) for x, (X, k) in scaled.items()],
              "Each Lagrange multiplier is replaced by its stationary value before the limit (its "
              "large-$\\beta$ expansion carries the $O(1)$ terms that fix $C$); conjugates growing like "
              "a power of $\\beta$ are rescaled.")
    d.add("Zero temperature",
          [sp.Eq(q, to_C[q]) for q in overlaps]
          + [sp.Eq(k, v) for k, v in equations.items()]
          + [sp.Eq(sp.Symbol("e_0"), energy)],
          r"$q = 1 - C/\beta$ with $C = \beta(1 - q)$ finite; Gaussian averages of functions of "
          r"$\beta X$ (local field $X$) replaced by their large-$\beta$ forms ($\langle\tanh\rangle "
          r"\to \mathrm{erf}$, $\beta\langle\mathrm{sech}^2\rangle \to$ Gaussian density, "
          r"$\langle\log 2\cosh\rangle/\beta \to \langle|X|\rangle$), then $\beta\to\infty$.")
    if replicon is not None:
        d.add("Replicon at zero temperature",
              sp.Eq(Tex(r"\lim_{\beta\to\infty}\beta^{-%d}\lambda_R" % power), replicon),
              r"The finite-temperature replicon with the same large-$\beta$ rules, divided by its leading "
              r"power of $\beta$ (a positive factor: the sign, i.e. the stability, is that of "
              r"$\lambda_R$ at low $T$).")
    params = [p for p in sp_finite.parameters if p != b]
    result = SaddlePoint(model, equations, energy, order, params, replicon, d, "zero", None,
                         finite=sp_finite)
    roles = getattr(sp_finite, "roles", {})
    domains = getattr(sp_finite, "domains", {})
    back = {v: k for k, v in C.items()}
    back.update({X: x for x, (X, _) in scaled.items()})
    result.roles = {k: roles.get(back.get(k, k), "conjugate") for k in order}
    # C = β(σ² − q) >= 0; a rescaled x_0 = x/β^k keeps the sign range of x
    result.domains = {k: ((0, None) if k in back and back[k] in C else domains.get(back.get(k, k), (None, None)))
                      for k in order}
    return result


def _leading_order(expr, to_C, b):
    """``lim_{β→∞} β^{−k} expr`` for the smallest ``k ≥ 0`` that gives a finite limit that is not
    zero (or ``0`` for ``k = 0``), with ``q = σ² − C/β`` and the large-β forms of the averages.
    Returns ``(limit, k)``."""
    e = expand_averages(sp.expand(expr.xreplace(to_C), log=False))
    e = expand_averages(sp.expand(_zero_t_rules(e, b), log=False))
    for k in (0, 1, 2, 3):
        lim = expand_averages(sp.expand(_limit_infinite_beta(e / b**k, b), log=False))
        if lim.has(sp.oo, -sp.oo, sp.zoo, sp.nan):
            continue
        if lim != 0 or k == 3:
            return lim, k
    raise DerivationError(f"the replicon {expr} has no finite leading order as T -> 0")


def _eliminate_multipliers(equations, energy, multipliers, to_C, b):
    """Substitute the explicit stationary values of the Lagrange multipliers (e.g. the spherical
    ``λ``) into the other equations and the free energy, and find the order parameters that grow
    like ``β^k`` (their right-hand side, with ``q = σ² − C/β``, is a polynomial of degree ``k`` in
    ``β``, e.g. ``q̂ = β² q``): they become ``x = β^k x_0``. Returns the equations without the
    multipliers, the free energy and ``{x: (x_0, k)}``."""
    values = {x: equations[x] for x in multipliers}
    for _ in multipliers:      # multipliers may refer to one another
        values = {x: v.xreplace(values) for x, v in values.items()}
    rest = {x: v.xreplace(values) for x, v in equations.items() if x not in multipliers}
    scaled = {}
    for x, rhs in rest.items():
        if x in to_C:
            continue
        e = sp.expand(rhs.xreplace(to_C))
        if e.is_polynomial(b):
            k = sp.degree(e, b)
            if k > 0:
                scaled[x] = (sp.Symbol(f"{x.name}_0", **x.assumptions0), int(k))
    return rest, energy.xreplace(values), scaled
