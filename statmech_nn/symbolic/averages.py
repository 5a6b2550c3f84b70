"""Averages as SymPy objects: the Gaussian measure ``∫Dz f(z)`` and finite (pattern) averages.

An average stays unevaluated (so the codegen layer can turn it into quadrature) but behaves like an
expression: it differentiates under the integral sign, substitutes into its integrand, prints as
``\\langle f \\rangle_z`` and obeys linearity (:func:`expand_averages`) and Stein's lemma (:func:`stein`).

References
----------
C. Stein, "Estimation of the mean of a multivariate normal distribution", Ann. Stat. 9, 1135 (1981):
``E[z f(z)] = E[f'(z)]`` for a standard normal ``z``.
"""
from __future__ import annotations

import itertools

import sympy as sp

from ..errors import DerivationError

__all__ = [
    "Average",
    "GaussianAverage",
    "DiscreteAverage",
    "UniformAverage",
    "SiteIntegral",
    "Tilt",
    "Anchor",
    "expand_averages",
    "stein",
    "averages_in",
    "gaussian_closed_form",
    "merge_gaussian_averages",
    "quenched_average",
    "outer_averages",
]


class Average(sp.Expr):
    """Expectation of ``integrand`` over bound ``variables``; subclasses fix the measure."""

    is_commutative = True
    is_real = True

    @property
    def integrand(self):
        return self.args[0]

    @property
    def variables(self):
        return tuple(self.args[1])

    @property
    def free_symbols(self):
        return self.integrand.free_symbols - set(self.variables)

    def _eval_derivative(self, s):
        if s in self.variables:
            return sp.S.Zero
        return self.func(sp.diff(self.integrand, s), *self.args[1:])

    def _eval_subs(self, old, new):
        if old in self.variables:
            return self
        return None

    def doit(self, **hints):
        if hints.get("deep", True):
            return self.func(self.integrand.doit(**hints), *self.args[1:])
        return self

    def _eval_is_real(self):
        return self.integrand.is_real

    def with_integrand(self, integrand):
        return self.func(integrand, *self.args[1:])


class _OneVariableAverage(Average):
    """An average over one variable, ``E_v[f(v)]``."""

    def __new__(cls, integrand, variable):
        integrand = sp.sympify(integrand)
        if isinstance(variable, (tuple, sp.Tuple)):  # rebuilt from .args by SymPy
            (variable,) = variable
        return sp.Expr.__new__(cls, integrand, sp.Tuple(variable))

    @property
    def variable(self):
        return self.args[1][0]


class GaussianAverage(_OneVariableAverage):
    """``E_z[f(z)] = ∫ dz exp(-z²/2)/√(2π) f(z)`` for a standard normal ``z``.

    Examples
    --------
    >>> import sympy as sp
    >>> z, q, b = sp.symbols("z q beta", positive=True)
    >>> avg = GaussianAverage(sp.tanh(b * sp.sqrt(q) * z) ** 2, z)
    >>> sp.diff(avg, q).integrand == sp.diff(avg.integrand, q)
    True
    """

    def _latex(self, printer):
        return r"\left\langle %s \right\rangle_{%s}" % (
            printer._print(self.integrand),
            printer._print(self.variable),
        )

    def _sympystr(self, printer):
        return "E_%s[%s]" % (printer._print(self.variable), printer._print(self.integrand))

    def closed_form(self):
        """The integral done by SymPy, or ``None`` where SymPy cannot do it."""
        z = self.variable
        density = sp.exp(-z**2 / 2) / sp.sqrt(2 * sp.pi)
        result = sp.integrate(self.integrand * density, (z, -sp.oo, sp.oo))
        if result.has(sp.Integral):
            return None
        return sp.simplify(result)


class DiscreteAverage(Average):
    """Average over independent variables each taking ``support`` values with ``weights``.

    Used for the quenched pattern entries ``ξ_μ = ±1`` of condensed patterns.
    """

    def __new__(cls, integrand, variables, support=(-1, 1), weights=None):
        integrand = sp.sympify(integrand)
        support = sp.Tuple(*support)
        if weights is None:
            weights = [sp.Rational(1, len(support))] * len(support)
        weights = sp.Tuple(*weights)
        if set(support) == {-1, 1}:   # ξ² = 1: reduce powers of the variables
            integrand = integrand.replace(
                lambda e: e.is_Pow and e.base in variables and e.exp.is_Integer,
                lambda e: e.base ** (e.exp % 2))
        return sp.Expr.__new__(cls, integrand, sp.Tuple(*variables), support, weights)

    @property
    def free_symbols(self):
        # parameters in the weights (e.g. a dilution d) are free symbols of the average too
        return super().free_symbols | set().union(*(sp.sympify(w).free_symbols for w in self.weights))

    def _eval_derivative(self, s):
        if any(sp.sympify(w).has(s) for w in self.weights):   # d/ds of Σ_k w_k(s) f(x_k; s)
            return sp.diff(self.as_sum(), s)
        return super()._eval_derivative(s)

    @property
    def support(self):
        return tuple(self.args[2])

    @property
    def weights(self):
        return tuple(self.args[3])

    def _latex(self, printer):
        names = ",".join(printer._print(v) for v in self.variables)
        return r"\left\langle %s \right\rangle_{%s}" % (printer._print(self.integrand), names)

    def _sympystr(self, printer):
        names = ",".join(printer._print(v) for v in self.variables)
        return "E_%s[%s]" % (names, printer._print(self.integrand))

    def as_sum(self):
        """The explicit finite sum over every configuration of the variables."""
        terms = []
        pairs = list(zip(self.support, self.weights))
        for combo in itertools.product(pairs, repeat=len(self.variables)):
            weight = sp.Mul(*[w for _, w in combo])
            values = {v: s for v, (s, _) in zip(self.variables, combo)}
            terms.append(weight * self.integrand.xreplace(values))
        return sp.Add(*terms)


class UniformAverage(_OneVariableAverage):
    """``E_m[f(m)] = ½∫_{−1}^{1} dm f(m)``: the flat (uniform) measure of a bounded field ``m ∈ [−1, 1]``.

    The measure of the mean-field means ``m_i = tanh h_i`` of a variational student over binary
    weights (Li, Huang, Zou, Huang, PRE 108, 014309 (2023)). The generated kernels integrate it with a
    tanh–sinh (double-exponential) rule on each half ``[−1, 0]``, ``[0, 1]``, so that integrands
    concentrated at the ends ``m → ±1`` and jumps at ``m = 0`` (``sign m``) converge exponentially.

    Examples
    --------
    >>> import sympy as sp
    >>> m, a = sp.symbols("m a", real=True)
    >>> sp.diff(UniformAverage(sp.exp(a * m), m), a).integrand
    m*exp(a*m)
    """

    def _latex(self, printer):
        return r"\left\langle %s \right\rangle_{%s\in[-1,1]}" % (
            printer._print(self.integrand), printer._print(self.variable))

    def _sympystr(self, printer):
        return "U_%s[%s]" % (printer._print(self.variable), printer._print(self.integrand))


class SiteIntegral(_OneVariableAverage):
    """``∫_{−∞}^{∞} dx f(x)``: the single-site integral of a unit with a continuous prior that SymPy cannot
    do in closed form (e.g. a soft spin ``e^{−V(x)}``). Not a Gaussian average: Stein's lemma does not
    apply to its variable, which the engine never mixes with the Hubbard–Stratonovich Gaussians. The
    generated kernels integrate it numerically as ``√(2π) E_x[e^{x²/2} f(x)]`` with the solver's
    Gaussian nodes (node doubling certifies it; the integrand must decay faster than a Gaussian).

    Examples
    --------
    >>> import sympy as sp
    >>> x, h = sp.symbols("x h", real=True)
    >>> sp.diff(SiteIntegral(sp.exp(-x**4 + h * x), x), h).integrand
    x*exp(h*x - x**4)
    """

    def _latex(self, printer):
        return r"\int d%s\, %s" % (printer._print(self.variable), printer._print(self.integrand))

    def _sympystr(self, printer):
        return "Int_%s[%s]" % (printer._print(self.variable), printer._print(self.integrand))

    def as_gaussian_average(self):
        """``√(2π) E_x[e^{x²/2} f(x)]`` (exact)."""
        x = self.variable
        # one exponential: e^{x²/2} alone overflows on the outer nodes where e^{−V} vanishes
        integrand = sp.powsimp(sp.exp(x**2 / 2) * self.integrand, combine="exp")
        return sp.sqrt(2 * sp.pi) * GaussianAverage(integrand, x)


class Tilt(sp.Function):
    """``Tilt(u, s) = e^{u − s}``, one factor: the shifted integrand of ``log E[e^u] = s + log E[e^{u−s}]``.

    Written as ``exp(u − s)`` the factor ``e^{−s}`` of a shift ``s`` free of the averaged variable would
    be pulled out of the average by linearity (:func:`expand_averages`), undoing the shift that keeps
    the average from under- or overflowing; ``Tilt`` keeps it inside. ``Tilt(u, 0)`` is ``e^u`` kept as
    one factor, so that a bounded exponent (e.g. ``−βγ KL``) is not split into unbounded factors
    ``e^{u_1} e^{u_2}`` by the expansion of the averages. Exact derivatives
    (``∂_u Tilt = Tilt``, ``∂_s Tilt = −Tilt``); the kernels print it as ``exp(u - s)``.
    """

    is_real = True

    def fdiff(self, argindex=1):
        return self if argindex == 1 else -self

    def _latex(self, printer, exp=None):
        u, s = self.args
        out = (r"e^{%s}" % printer._print(u) if s.is_zero
               else r"e^{%s - \left(%s\right)}" % (printer._print(u), printer._print(s)))
        return out if exp is None else r"\left(%s\right)^{%s}" % (out, exp)


class BlockTilt(Tilt):
    """A :class:`Tilt` holding one half-line Gaussian integral ``e^{E ± log H(f)}`` of a one-step RSB block
    average at ``T = 0`` (:func:`statmech_nn.symbolic.rsb._block_average_limit`): the same function, marked
    so that the kernels centre their quadrature nodes on the smooth step of width ``O(1)`` in ``f``
    (the kink of the unit at ``T = 0`` smeared by the Gaussian inside the block), see
    :func:`statmech_nn.codegen.generate._local_field`."""


class Anchor(sp.Function):
    """The value of its argument, with zero derivatives: the centre or shift of an exact identity whose
    result does not depend on it (e.g. the Gaussian shift ``x = y + x̂`` of an average, exact for every
    ``x̂``), so that differentiating the identity at fixed anchor is exact and short. The kernels print
    the argument."""

    is_real = True

    def fdiff(self, argindex=1):
        return sp.S.Zero

    def _latex(self, printer, exp=None):
        out = r"\left.%s\right|_{\mathrm{fixed}}" % printer._print(self.args[0])
        return out if exp is None else r"\left(%s\right)^{%s}" % (out, exp)


def averages_in(expr, kind=Average):
    """All average nodes of type ``kind`` in ``expr`` (innermost first)."""
    found = [a for a in sp.postorder_traversal(expr) if isinstance(a, kind)]
    seen, unique = set(), []
    for a in found:
        if a not in seen:
            seen.add(a)
            unique.append(a)
    return unique


def _polynomial_factor(term, variables):
    """Whether ``term`` has a factor (or a positive integer power of one) that is a polynomial of
    positive degree in one of ``variables``: ``z``, ``κ − √q z``, ``(a + b) z``."""
    for factor in sp.Mul.make_args(term):
        base, exp = factor.as_base_exp()
        if not (exp.is_Integer and exp > 0):
            continue
        for v in variables:
            if base.has(v) and base.is_polynomial(v):
                return True
    return False


def _linear_split(avg, keep_reduced=False):
    """Linearity of one average: pull out factors free of its variables, split sums.

    ``keep_reduced``: the integrand is already Stein-reduced; a product in it is not distributed where
    that would create a term with a polynomial factor in the average's Gaussian variable (``z^k g``,
    which Stein's lemma has taken apart): such pieces come in groups that only together stay bounded,
    e.g. ``M(u)(M(u) − u)``, the slope of the inverse Mills ratio, whose two pieces grow like ``u²``.
    Sums at the top of the integrand are still split and constant factors pulled out."""
    integrand = sp.expand(avg.integrand, deep=False, mul=True, multinomial=False,
                          power_exp=True, power_base=False, log=False)
    if keep_reduced and isinstance(avg, GaussianAverage):
        before = set(sp.Add.make_args(avg.integrand))
        if any(_polynomial_factor(term, avg.variables) for term in sp.Add.make_args(integrand)
               if term not in before):
            integrand = avg.integrand
    out = []
    for term in sp.Add.make_args(integrand):
        const, dep = term.as_independent(*avg.variables, as_Add=False)
        if dep == 1:
            out.append(const)
        else:
            out.append(const * avg.with_integrand(dep))
    return sp.Add(*out)


def expand_averages(expr, keep_reduced=False):
    """Apply linearity to every average in ``expr``, innermost first (``keep_reduced``: on the result
    of Stein's lemma, see :func:`_linear_split`)."""
    def rewrite(e):
        if not e.args:
            return e
        new = e.func(*[rewrite(a) for a in e.args]) if not isinstance(e, Average) else \
            e.with_integrand(rewrite(e.integrand))
        if isinstance(new, Average):
            return _linear_split(new, keep_reduced)
        return new
    return rewrite(sp.sympify(expr))


def _z_power(term, z):
    """``(k, rest)`` with ``term = z**k * rest`` for a non-negative integer ``k``."""
    k, rest = 0, []
    for factor in sp.Mul.make_args(term):
        base, exp = factor.as_base_exp()
        if base == z and exp.is_Integer and exp > 0:
            k += int(exp)
        else:
            rest.append(factor)
    return k, sp.Mul(*rest)


def _gaussian_factor(expr, z):
    """Whether ``expr`` has a factor ``exp(P(z))`` with ``P`` a polynomial of degree 2 in ``z``."""
    for f in expr.atoms(sp.exp):
        poly = f.args[0].as_poly(z) if f.args[0].has(z) else None
        if poly is not None and poly.degree() == 2:
            return True
    return False


def _stein_once(avg):
    """``E[z^k g] -> E[d/dz (z^(k-1) g)]`` on each additive term of a Gaussian average (terms whose
    derivative is not an ordinary function, e.g. of ``sign``, are left alone). Returns the new average
    and whether anything changed."""
    z = avg.variable
    out, changed = [], False
    for term in sp.Add.make_args(sp.expand(avg.integrand, deep=False, mul=True,
                                           multinomial=False, power_exp=False,
                                           power_base=False, log=False)):
        k, rest = _z_power(term, z)
        # a Gaussian factor exp(-c z²) (a density, e.g. H'(z)) regenerates z under d/dz: left alone;
        # so is z times a ratio of uniform site averages that depend on z (a site measure tilted by z):
        # d/dz of the ratio is a variance ⟨m²⟩ − ⟨m⟩², which cancels catastrophically where the site
        # measure is peaked (the variational perceptron at β = 20: q̂ ≈ 770 lost 6 digits)
        reduced = (sp.diff(rest * z ** (k - 1), z)
                   if k and not _gaussian_factor(rest, z) and not _site_measure_of(rest, z) else None)
        if reduced is None or reduced.has(sp.DiracDelta, sp.Derivative, sp.Subs):
            out.append(term)
        else:
            out.append(reduced)
            changed = True
    return avg.with_integrand(sp.Add(*out)), changed


def _site_measure_of(expr, z):
    """Whether ``expr`` holds a uniform single-site average (the variational means' measure) whose
    integrand depends on ``z``. (Discrete units and soft-spin site integrals keep Stein's lemma: their
    equations, ``T = 0`` limits and replicons are built on its reduced form.)"""
    return any(isinstance(a, UniformAverage) and z in a.integrand.free_symbols
               for a in sp.preorder_traversal(expr))


def _carries_bare(avg, variables):
    """Whether an additive term of ``avg``'s integrand has a power of another average's Gaussian
    variable as a factor (outside every function): a constant for ``avg`` that Stein's lemma of the
    outer average must see."""
    outer = (avg.integrand.free_symbols & variables) - set(avg.variables)
    if not outer:
        return False
    terms = sp.Add.make_args(sp.expand(avg.integrand, deep=False, mul=True, multinomial=False,
                                       power_exp=False, power_base=False, log=False))
    return any(_z_power(term, v)[0] for term in terms for v in outer)


def stein(expr, max_rounds=8):
    """Stein's lemma ``E_z[z f(z)] = E_z[f'(z)]`` (also for powers ``z**k``) everywhere in ``expr``,
    then linearity."""
    def reduce(avg):
        for _ in range(max_rounds):
            avg, changed = _stein_once(avg)
            if not changed:
                break
        return avg
    # an outer Gaussian variable inside an inner average (a single-site integral, the block average of
    # 1RSB) is a constant there: out with it first, so that Stein's lemma sees it
    variables = {v for a in sp.preorder_traversal(expr) if isinstance(a, GaussianAverage) for v in a.variables}
    if variables:
        expr = expr.replace(lambda e: isinstance(e, Average) and _carries_bare(e, variables), _linear_split)
    expr = expr.replace(lambda e: isinstance(e, GaussianAverage), reduce)
    return expand_averages(expr)


def gaussian_closed_form(expr):
    """Replace every Gaussian average that SymPy can integrate by its closed form."""
    replacements = {}
    for a in averages_in(expr, GaussianAverage):
        cf = a.closed_form()
        if cf is not None:
            replacements[a] = cf
    return expr.xreplace(replacements)


def _merge_nested(outer):
    """``E_Y E_z g`` with ``g`` a function of ``a Y + b z`` only (``a``, ``b`` free of ``Y, z``) is
    ``E_w g(√(a² + b²) w)``: the sum of independent centred normals is normal with the summed
    variance. Returns the single average, or ``outer`` unchanged."""
    inner = outer.integrand
    if not isinstance(inner, GaussianAverage):
        return outer
    Y, z, g = outer.variable, inner.variable, inner.integrand
    # write every linear argument as a Y + b z + c with factored a, b, so that the substitution
    # below cancels exactly
    linear = {}
    for f in g.atoms(sp.Function):
        if len(f.args) != 1 or not f.args[0].has(z):
            continue
        parts = sp.collect(sp.expand(f.args[0]), [Y, z], evaluate=False)
        if set(parts) <= {Y, z, sp.S.One} and z in parts and not any(
                c.has(Y, z) for c in parts.values()):
            a, b = sp.factor(parts.get(Y, sp.S.Zero)), sp.factor(parts[z])
            linear[f] = (a, b, f.func(a * Y + b * z + parts.get(sp.S.One, sp.S.Zero)))
    if not linear:
        return outer
    a, b, _ = next(iter(linear.values()))
    t = sp.Dummy("t", real=True)
    # g depends on (Y, z) only through aY + bz iff it is free of Y once z = (t − aY)/b
    h = g.xreplace({f: canon for f, (_, _, canon) in linear.items()}).xreplace({z: (t - a * Y) / b})
    h = sp.expand(h, deep=True, mul=True, multinomial=False, power_exp=False, power_base=False, log=False)
    if h.has(Y) or h.has(z):
        return outer
    w = sp.Dummy("w", real=True)
    return GaussianAverage(h.xreplace({t: sp.sqrt(a**2 + b**2) * w}), w)
    return outer


def merge_gaussian_averages(expr):
    """Collapse nested Gaussian averages whose integrand depends on the two variables only through
    one linear combination, ``E_Y E_z g(aY + bz + c) = E_w g(√(a² + b²) w + c)`` (innermost first).

    Examples
    --------
    >>> Y, z, a, b = sp.symbols("Y z a b", real=True)
    >>> merged = merge_gaussian_averages(GaussianAverage(GaussianAverage(sp.cosh(a*Y + b*z), z), Y))
    >>> len(merged.variables), merged.integrand.args[0].has(sp.sqrt(a**2 + b**2))
    (1, True)
    """
    return sp.sympify(expr).replace(
        lambda e: isinstance(e, GaussianAverage) and isinstance(e.integrand, GaussianAverage),
        _merge_nested)


def quenched_average(expr, quenched):
    """``expr`` averaged over the per-site quenched variables (pattern entries).

    Each entry is ``(variable, support)`` (uniform weights), ``(variable, support, weights)``,
    ``(variable, "gaussian")`` (standard Gaussian entries: nested Gaussian averages) or
    ``(variable, "mixture", δ)``. The variables are independent; those of one law share one average
    node (i.i.d. pattern entries), different laws nest (mixture entries must share one law).
    """
    if not quenched:
        return expr
    if any(entry[1] == "mixture" for entry in quenched):
        return _mixture_average(expr, quenched)
    # independent variables: one average node per law (e.g. a teacher's weight and a reference weight
    # of a learning problem), those of one law together
    laws = {}
    for entry in quenched:
        key = (tuple(entry[1]) if entry[1] != "gaussian" else "gaussian",
               tuple(entry[2]) if len(entry) > 2 and entry[2] is not None else None)
        laws.setdefault(key, []).append(entry[0])
    for (support, weights), variables in laws.items():
        if support == "gaussian":
            for v in variables:
                expr = GaussianAverage(expr, v)
        else:
            expr = DiscreteAverage(expr, variables, support, weights)
    return expr


def _mixture_average(expr, quenched):
    """Entries ``(ξ, "mixture", δ)``: ``ξ = √δ s + √(1 − δ) g`` with ``s = ±1`` and a standard
    Gaussian ``g`` (the Gaussian-to-Boolean pattern law of :class:`~.priors.GaussianMixturePrior`):
    a Gaussian average over ``g`` inside the discrete average over ``s``."""
    if any(entry[1] != "mixture" for entry in quenched) or len({entry[2] for entry in quenched}) != 1:
        raise DerivationError("the quenched per-site variables must share one distribution, got "
                              f"{sorted(str(entry[1:]) for entry in quenched)}")
    delta = quenched[0][2]
    signs = []
    for entry in quenched:
        s_k, g_k = sp.Symbol(f"s_{entry[0]}", real=True), sp.Symbol(f"g_{entry[0]}", real=True)
        expr = GaussianAverage(expr.xreplace({entry[0]: sp.sqrt(delta) * s_k + sp.sqrt(1 - delta) * g_k}), g_k)
        signs.append(s_k)
    return DiscreteAverage(expr, signs, (-1, 1))


def outer_averages(expr):
    """Averages of ``expr`` not nested inside another average."""
    out = []

    def walk(e):
        if isinstance(e, Average):
            if e not in out:
                out.append(e)
            return
        for a in e.args:
            walk(a)
    walk(expr)
    return out


class BlockAnchor(Anchor):
    """``BlockAnchor(K, f)``: the value ``K`` with zero derivatives (an :class:`Anchor`), the scale of a
    one-step RSB block average at ``T = 0`` (its log is ``K + log v``, ``v`` a sum of :class:`BlockTilt`
    shifted by ``K``), carrying the block's step field ``f`` for the quadrature
    (:func:`statmech_nn.codegen.generate._local_field`). The kernels print ``K``."""

    def fdiff(self, argindex=1):
        return sp.S.Zero

    def _latex(self, printer, exp=None):
        return Anchor(self.args[0])._latex(printer, exp)
