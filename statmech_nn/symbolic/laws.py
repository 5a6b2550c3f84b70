"""Laws of quenched per-site variables (pattern entries of Hebbian couplings): discrete laws and the
Gaussian, as :mod:`sympy.stats` random variables.

A law gives the engine what the disorder average needs: the cumulant generating function of the
centred entry ``η = ξ − c`` (``c`` the centre of the learning rule, e.g. the bias ``a`` of biased
patterns), its mean (which must vanish for the non-condensed patterns) and variance, and the quenched
average of a single-site expression over one entry.

References
----------
Amit, Gutfreund, Sompolinsky, PRA 35, 2293 (1987), sec. II (biased patterns, ``η = ξ − a``).
"""
from __future__ import annotations

import sympy as sp
import sympy.stats as stats

from ..errors import DerivationError, ParameterError

__all__ = ["PatternLaw", "DiscreteLaw", "GaussianLaw"]


class PatternLaw:
    """A law of i.i.d. entries ``ξ`` with a centre ``c`` (the learning rule uses ``η = ξ − c``)."""

    name = "law"
    centre = sp.S.Zero

    def random_variable(self, label="xi"):
        raise NotImplementedError

    def cumulant_generating_function(self, t):
        """``log E e^{t η}`` of the centred entry, from sympy.stats."""
        eta = self.random_variable() - self.centre
        return sp.log(stats.moment_generating_function(eta)(t))

    def moments(self):
        """``(E η, E η²)`` of the centred entry (the second is the variance when the first vanishes),
        from the first two Taylor coefficients of the cumulant generating function."""
        t = sp.Symbol("t")
        mgf = sp.exp(self.cumulant_generating_function(t))
        # the moments are the derivatives of the moment generating function at t = 0
        mean = sp.factor(sp.simplify(sp.diff(mgf, t).subs(t, 0)))
        second = sp.factor(sp.simplify(sp.diff(mgf, t, 2).subs(t, 0)))
        return mean, second

    def quenched_entry(self, symbol):
        """``(entry, quenched)``: the expression of one entry in terms of a per-site quenched variable
        and the :func:`~.averages.quenched_average` description of that variable."""
        raise NotImplementedError


class DiscreteLaw(PatternLaw):
    """``P(ξ = values[k]) = weights[k]`` (weights as given: numbers or SymPy expressions summing to 1)."""

    name = "discrete"

    def __init__(self, values, weights=None, centre=0, name=None):
        from ..parsing import as_expression    # text goes through the restricted parser, never sympify
        values = tuple(as_expression(v, what="a value of a discrete law") for v in values)
        if not values:
            raise ParameterError("a discrete law needs at least one value")
        if len(set(values)) != len(values):
            raise ParameterError(f"the values of a discrete law must be distinct, got {values}")
        if weights is None:
            weights = (sp.Rational(1, len(values)),) * len(values)
        weights = tuple(as_expression(w, what="a weight of a discrete law") for w in weights)
        if len(weights) != len(values):
            raise ParameterError(f"a discrete law needs as many weights as values: {len(values)} values, "
                                 f"{len(weights)} weights")
        total = sp.simplify(sp.Add(*weights))
        if total != 1:
            raise ParameterError(f"the weights of a discrete law must sum to 1, they sum to {total}")
        for w in weights:
            if w.is_number and not (w.is_real and w >= 0):
                raise ParameterError(f"the weights of a discrete law must be non-negative, got {w}")
        self.values, self.weights = values, weights
        self.centre = as_expression(centre, what="the centre of a discrete law")
        if name is not None:
            self.name = name

    def random_variable(self, label="xi"):
        return stats.FiniteRV(label, dict(zip(self.values, self.weights)))

    def cumulant_generating_function(self, t):
        # the finite sum itself (sympy.stats' FiniteRV does the same sum, slower)
        return sp.log(sp.Add(*[w * sp.exp(t * (v - self.centre)) for v, w in zip(self.values, self.weights)]))

    @property
    def uniform(self):
        return len(set(self.weights)) == 1

    def quenched_entry(self, symbol):
        return symbol, (symbol, self.values, None if self.uniform else self.weights)


class GaussianLaw(PatternLaw):
    """Gaussian entries ``ξ ~ N(0, v)``."""

    name = "Gaussian"

    def __init__(self, variance=1):
        from ..parsing import as_expression
        v = as_expression(variance, what="the variance of a Gaussian law")
        if v.is_number and not (v.is_real and v.is_finite and v > 0):
            raise ParameterError(f"the variance of a Gaussian law must be positive and finite, got {v}")
        self.variance = v

    def random_variable(self, label="xi"):
        return stats.Normal(label, 0, sp.sqrt(self.variance))

    def quenched_entry(self, symbol):
        return sp.sqrt(self.variance) * symbol, (symbol, "gaussian")


def centred_moments(law):
    """``(mean, variance)`` of ``η = ξ − c``, refusing a law whose centred mean is not zero."""
    mean, second = law.moments()
    if mean != 0:
        raise DerivationError(f"the centred pattern entries have mean {mean} != 0: choose the centre of "
                              "the learning rule equal to the mean of the entries")
    return mean, second
