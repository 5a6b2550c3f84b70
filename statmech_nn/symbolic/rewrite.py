"""SymPy-side stable forms: rewrite overflow-prone subexpressions before differentiation.

The functions defined here are ordinary SymPy functions with exact derivatives, closed under
differentiation, that the printer maps onto :mod:`statmech_nn.codegen.primitives`:

=================  ==========================  =====================
function           meaning                     derivative
=================  ==========================  =====================
``Log2Cosh(u)``    ``log(2 cosh u)``           ``tanh u``
``Sech2(u)``       ``1/cosh(u)**2``            ``-2 Sech2(u) tanh u``
``LogH(x)``        ``log(erfc(x/√2)/2)``       ``-Mills(x)``
``Mills(x)``       ``φ(x)/H(x)``               ``Mills(x) (Mills(x) - x)``
=================  ==========================  =====================

A sum ``2c − c erfc(u)`` becomes ``2c e^{LogH(−√2 u)}`` (``= c erfc(−u)``, which SymPy itself writes
``2 − erfc(u)``): the difference loses all digits where ``erfc(u) → 2``, e.g. in the Gibbs weight
``e^{−β} + (1 − e^{−β}) H`` of an error count at low temperature, where it is of order ``e^{−β}``.

Rewriting first matters: ``d/du log(2 cosh u)`` is ``sinh(u)/cosh(u)`` for SymPy, which is ``inf/inf`` at
``u ≈ 700``, whereas ``Log2Cosh'`` is ``tanh``.
"""
from __future__ import annotations

import sympy as sp

from .averages import Average, GaussianAverage

__all__ = ["Log2Cosh", "Sech2", "LogH", "Mills", "stabilise", "absorb_exponentials", "hyperbolic_to_tanh"]


class Log2Cosh(sp.Function):
    """``log(2 cosh u)``."""

    is_real = True

    @classmethod
    def eval(cls, u):
        if u.is_zero:
            return sp.log(2)
        if u.could_extract_minus_sign():
            return cls(-u)
        return None

    def fdiff(self, argindex=1):
        return sp.tanh(self.args[0])


class Sech2(sp.Function):
    """``1/cosh(u)**2``."""

    is_real = True

    @classmethod
    def eval(cls, u):
        if u.is_zero:
            return sp.S.One
        if u.could_extract_minus_sign():
            return cls(-u)
        return None

    def fdiff(self, argindex=1):
        return -2 * Sech2(self.args[0]) * sp.tanh(self.args[0])


class Mills(sp.Function):
    """Inverse Mills ratio ``φ(x)/H(x)`` of the standard normal."""

    is_real = True

    def fdiff(self, argindex=1):
        x = self.args[0]
        return Mills(x) * (Mills(x) - x)


class LogH(sp.Function):
    """``log H(x)`` with ``H(x) = erfc(x/√2)/2``."""

    is_real = True

    def fdiff(self, argindex=1):
        return -Mills(self.args[0])


def _stable_log(arg):
    """A stable equivalent of ``log(arg)``, or ``None`` if no rule applies."""
    if arg.is_Add:   # c/2 ± c erf(u)/2 → c (1 ± erf u)/2
        arg = sp.factor_terms(arg)
    coeff, rest = arg.as_coeff_Mul()
    if not (coeff.is_Number and coeff.is_positive):
        return None
    if isinstance(rest, sp.cosh):
        return sp.log(coeff / 2) + Log2Cosh(rest.args[0])
    if isinstance(rest, sp.erfc):
        return sp.log(2 * coeff) + LogH(sp.sqrt(2) * rest.args[0])
    if rest.is_Add and len(rest.args) == 2 and sp.S.One in rest.args:
        (other,) = [a for a in rest.args if a != 1]
        if isinstance(other, sp.erf):  # 1 + erf(u) = erfc(-u)
            return sp.log(2 * coeff) + LogH(-sp.sqrt(2) * other.args[0])
        if isinstance(-other, sp.erf):  # 1 - erf(u) = erfc(u)
            return sp.log(2 * coeff) + LogH(sp.sqrt(2) * (-other).args[0])
    return None


def _complement_erfc(e):
    """The sum ``e`` with every pair of terms ``k X erfc(u)`` and ``−2k X`` (``k`` a number) replaced by
    ``−2k X e^{LogH(−√2 u)}`` (``= −k X erfc(−u)``, without the cancellation of ``2 − erfc(u)`` where
    ``erfc(u) → 2``); ``e`` itself where there is none."""
    terms = list(e.args)
    if not any(t.has(sp.erfc) for t in terms):
        return e
    where = {}
    for n, term in enumerate(terms):
        where.setdefault(term, []).append(n)
    used, pairs = set(), {}
    for n, term in enumerate(terms):
        if n in used:
            continue
        factors = sp.Mul.make_args(term)
        for f in factors:
            if not isinstance(f, sp.erfc):
                continue
            rest = sp.Mul(*[g for g in factors if g is not f])
            partners = [m for m in where.get(-2 * rest, []) if m != n and m not in used]
            if partners:
                used.update((n, partners[0]))
                pairs[n] = -2 * rest * sp.exp(LogH(-sp.sqrt(2) * f.args[0]))
                break
    if not pairs:
        return e
    return sp.Add(*[pairs.get(n, term) for n, term in enumerate(terms) if n in pairs or n not in used])


def _merge_exponentials(factors):
    """The factors with every ``exp`` merged into one."""
    exponents = [f.args[0] for f in factors if isinstance(f, sp.exp)]
    if len(exponents) < 2:
        return list(factors)
    return [f for f in factors if not isinstance(f, sp.exp)] + [sp.exp(sp.Add(*exponents))]


def _stable_mul(factors):
    """``sinh(u)**a cosh(u)**b`` with ``a > 0 > b`` → powers of ``tanh``; ``cosh(u)**-2k`` → ``Sech2**k``;
    ``exp(a) exp(b)`` → ``exp(a + b)`` (separately one factor can overflow while the other underflows,
    ``inf·0``, e.g. ``exp(c Y²) exp(2 c' Y)`` of a completed square)."""
    factors = _merge_exponentials(factors)
    powers, others = {}, []
    for factor in factors:
        base, exp = factor.as_base_exp()
        if isinstance(base, Sech2) and exp.is_Integer:
            base, exp = sp.cosh(base.args[0]), -2 * exp
        if isinstance(base, (sp.sinh, sp.cosh)) and exp.is_Integer:
            key = (base.args[0], type(base))
            powers[key] = powers.get(key, 0) + int(exp)
        else:
            others.append(factor)
    if not powers:
        return sp.Mul(*factors)
    out = []
    for u in {k[0] for k in powers}:
        a = powers.get((u, sp.sinh), 0)
        b = powers.get((u, sp.cosh), 0)
        t = min(a, -b) if a > 0 and b < 0 else 0
        out.append(sp.tanh(u) ** t * sp.sinh(u) ** (a - t))
        b += t
        if b < 0 and b % 2 == 0:
            out.append(Sech2(u) ** (-b // 2))
        else:
            out.append(sp.cosh(u) ** b)
    return sp.Mul(*others, *out)


def _bottom_up(expr, transform):
    """``transform`` applied to every node of ``expr``, children first, inside averages too."""
    def rewrite(e):
        if isinstance(e, Average):
            return e.with_integrand(rewrite(e.integrand))
        if not e.args:
            return e
        return transform(e.func(*[rewrite(a) for a in e.args]))
    return rewrite(sp.sympify(expr))


def stabilise(expr):
    """Rewrite ``log(c cosh u)``, ``log(c erfc u)``, ``log(c(1 ± erf u))``, ``sinh/cosh``,
    ``cosh**-2k`` and ``2c − c erfc(u)`` into the stable functions of this module, everywhere including
    inside averages; a non-integer power of such a base (``H(x)**β``) becomes ``exp(β log H(x))``."""
    def transform(e):
        if e.is_Add:
            return _complement_erfc(e)
        if isinstance(e, sp.log):
            return _stable_log(e.args[0]) or e
        if e.is_Mul:
            return _stable_mul(e.args)
        if e.is_Pow and not e.exp.is_Integer:
            # a tempered likelihood H(x)**beta: exp(beta log H), finite where H**beta underflows
            log_base = _stable_log(e.base)
            if log_base is not None:
                return sp.exp(e.exp * log_base)
        if e.is_Pow:
            return _stable_mul([e])
        return e
    return _bottom_up(expr, transform)


def absorb_exponentials(expr):
    """``exp(a) E_z[exp(b(z)) g]`` → ``E_z[exp(a + b(z)) g]``: linearity pulls the constant factor of
    a completed square out of its average, and then ``exp(a)`` underflows to 0 while ``exp(b(z))``
    overflows at the tail nodes (``0·inf``); the merged exponent stays finite. Run after the lowering
    (whose linearity step would pull the factor out again)."""
    def transform(e):
        if not e.is_Mul:
            return e
        exps = [f for f in e.args if isinstance(f, sp.exp)]
        avgs = [f for f in e.args if isinstance(f, GaussianAverage) and f.integrand.has(sp.exp)]
        if not exps or len(avgs) != 1:
            return e
        inner = sp.expand(sp.Mul(*exps) * avgs[0].integrand, deep=False, mul=True, multinomial=False,
                          power_exp=False, power_base=False, log=False)
        inner = sp.Add(*[sp.Mul(*_merge_exponentials(sp.Mul.make_args(t))) for t in sp.Add.make_args(inner)])
        rest = [f for f in e.args if not isinstance(f, sp.exp) and f is not avgs[0]]
        return sp.Mul(*rest) * avgs[0].with_integrand(inner)
    return _bottom_up(expr, transform)


def hyperbolic_to_tanh(expr):
    """``sinh u → tanh u · cosh u`` and ``cosh(u)^(−2k) → (1 − tanh² u)^k``: the textbook form that also
    evaluates without overflow."""
    def rewrite(e):
        if isinstance(e, sp.sinh):
            return sp.tanh(e.args[0]) * sp.cosh(e.args[0])
        return e
    expr = expr.replace(lambda e: isinstance(e, sp.sinh), rewrite)
    expr = expr.replace(
        lambda e: e.is_Pow and isinstance(e.base, sp.cosh) and e.exp.is_Integer and e.exp < 0
        and e.exp % 2 == 0,
        lambda e: (1 - sp.tanh(e.base.args[0]) ** 2) ** (-e.exp // 2))
    return expr
