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

Rewriting first matters: ``d/du log(2 cosh u)`` is ``sinh(u)/cosh(u)`` for SymPy, which is ``inf/inf`` at
``u ≈ 700``, whereas ``Log2Cosh'`` is ``tanh``.
"""
from __future__ import annotations

import sympy as sp

from ..symbolic.averages import Average

__all__ = ["Log2Cosh", "Sech2", "LogH", "Mills", "stabilise"]


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


def _stable_mul(factors):
    """``sinh(u)**a cosh(u)**b`` with ``a > 0 > b`` → powers of ``tanh``; ``cosh(u)**-2k`` → ``Sech2**k``."""
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


def stabilise(expr):
    """Rewrite ``log(c cosh u)``, ``log(c erfc u)``, ``log(c(1 ± erf u))``, ``sinh/cosh`` and
    ``cosh**-2k`` into the stable functions of this module, everywhere including inside averages;
    a non-integer power of such a base (``H(x)**β``) becomes ``exp(β log H(x))``."""
    def rewrite(e):
        if isinstance(e, Average):
            return e.with_integrand(rewrite(e.integrand))
        if not e.args:
            return e
        e = e.func(*[rewrite(a) for a in e.args])
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
    return rewrite(sp.sympify(expr))
