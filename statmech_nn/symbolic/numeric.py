"""High-precision reference evaluation of expressions with averages (mpmath quadrature).

Slow and exact to the requested digits: the yardstick for the generated kernels and for tests.
"""
from __future__ import annotations

import mpmath
import sympy as sp

from .averages import (Average, DiscreteAverage, GaussianAverage, SiteIntegral, UniformAverage,
                       merge_gaussian_averages)

__all__ = ["evaluate"]


def evaluate(expr, values, dps=30):
    """Value of ``expr`` with ``values`` ({Symbol or name: number}) substituted, averages by mpmath.

    Examples
    --------
    >>> import sympy as sp
    >>> z = sp.Symbol("z", real=True)
    >>> float(evaluate(GaussianAverage(z**2, z), {}))
    1.0
    """
    # exact, and it turns 2-d quadratures (e.g. a Gaussian dataset variable under the noise average)
    # into 1-d ones
    expr = _elementary(merge_gaussian_averages(expr))
    symbols = {s.name: s for s in sp.sympify(expr).free_symbols}
    subs = {}
    for key, value in values.items():
        sym = symbols.get(key) if isinstance(key, str) else key
        if sym is not None:
            subs[sym] = sp.Float(str(value), dps)
    with mpmath.workdps(dps):
        return _eval(sp.sympify(expr).xreplace(subs), dps)


def _log_tail(u):
    """``log H(u)`` in mpmath; far in the tail (``u > 10¹⁰``, where ``erfc`` of the quadrature's extreme
    nodes leaves mpmath's range) its asymptotic form ``−u²/2 − log(u√(2π))``, exact to ``10⁻²⁰``."""
    u = mpmath.mpf(u)
    if u > 1e10:
        return -u * u / 2 - mpmath.log(u * mpmath.sqrt(2 * mpmath.pi))
    return mpmath.log(mpmath.erfc(u / mpmath.sqrt(2)) / 2)


def _elementary(expr):
    """The stable functions of :mod:`~.rewrite` (``LogH``, ``Log2Cosh``, ``Mills``, ``Sech2``) as the
    elementary expressions they stand for (mpmath's working precision makes them stable here;
    ``log H`` by :func:`_log_tail`)."""
    from sympy.utilities.lambdify import implemented_function

    from .rewrite import Log2Cosh, LogH, Mills, Sech2
    log_tail = implemented_function("log_tail", _log_tail)
    rules = {LogH: log_tail, Log2Cosh: lambda u: sp.log(2 * sp.cosh(u)),
             Mills: lambda u: sp.exp(-u**2 / 2 - log_tail(u)) / sp.sqrt(2 * sp.pi),
             Sech2: lambda u: 1 / sp.cosh(u)**2}
    expr = sp.sympify(expr)
    for cls, rule in rules.items():
        expr = expr.replace(lambda e, cls=cls: isinstance(e, cls), lambda e, rule=rule: rule(e.args[0]))
    return expr


def _eval(e, dps):
    e = sp.sympify(e)
    if not any(isinstance(a, Average) for a in sp.preorder_traversal(e)):
        return mpmath.mpf(sp.N(e, dps)) if e.is_real is not False else mpmath.mpc(sp.N(e, dps))
    return _compile(e, ())()


def _compile(e, variables):
    """A function of ``variables`` (the integration variables of the enclosing averages, as mpmath
    numbers) that evaluates ``e``: each integrand is turned into Python once (``lambdify``), not
    substituted and re-evaluated by SymPy at every quadrature node of the averages around it."""
    if isinstance(e, DiscreteAverage):
        return _compile(e.as_sum(), variables)
    if isinstance(e, GaussianAverage):
        z = e.variable
        g = _compile(e.integrand, variables + (z,))
        kinks = _kinks(e.integrand, z, variables)
        weight = 1 / mpmath.sqrt(2 * mpmath.pi)

        def gaussian(*v):
            found = (k(*v) for k in kinks)
            points = sorted(set([-8, -4, -2, -1, 0, 1, 2, 4, 8] + [k for k in found if abs(k) < 8]))
            points = [-mpmath.inf] + points + [mpmath.inf]
            return mpmath.quad(lambda t: g(*v, t) * mpmath.exp(-t * t / 2) * weight, points, maxdegree=10)
        return gaussian
    if isinstance(e, UniformAverage):
        g = _compile(e.integrand, variables + (e.variable,))
        # tanh-sinh (mpmath's default) on each half: endpoint peaks and a jump at m = 0 (sign m)
        return lambda *v: mpmath.quad(lambda t: g(*v, t), [-1, 0, 1]) / 2
    if isinstance(e, SiteIntegral):
        g = _compile(e.integrand, variables + (e.variable,))
        return lambda *v: mpmath.quad(lambda t: g(*v, t), [-mpmath.inf, -4, -2, 0, 2, 4, mpmath.inf])
    if any(isinstance(a, Average) for a in sp.preorder_traversal(e)):
        parts = [_compile(a, variables) for a in e.args]
        dummies = [sp.Dummy() for _ in e.args]
        f = sp.lambdify(dummies, e.func(*dummies), "mpmath")
        return lambda *v: f(*[p(*v) for p in parts])
    return sp.lambdify(variables, e, "mpmath")


def _kinks(integrand, z, variables=()):
    """Zeros of linear local fields inside tanh, cosh, |.|, sign, erf: where the integrand is sharp,
    as functions of the enclosing integration ``variables``."""
    out = []
    for f in integrand.atoms(sp.tanh, sp.cosh, sp.Abs, sp.sign, sp.erf):
        arg = f.args[0]
        slope = sp.diff(arg, z)
        if arg.has(z) and not slope.has(z) and slope != 0 and slope.free_symbols <= set(variables):
            root = -arg.subs(z, 0) / slope
            if root.free_symbols <= set(variables):
                value = sp.lambdify(variables, root, "mpmath")
                out.append(lambda *v, value=value: _real_or_far(value, v))
    return out


def _real_or_far(value, v):
    """A kink location, or a point outside the breakpoints where it is not a finite real number."""
    try:
        k = value(*v)
        return k if mpmath.isfinite(k) and mpmath.im(k) == 0 else mpmath.mpf(99)
    except ZeroDivisionError:
        return mpmath.mpf(99)
