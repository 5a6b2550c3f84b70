"""The Gaussian-measure and pattern-average nodes: calculus rules checked against mpmath."""
import math

import mpmath
import sympy as sp
from scipy.integrate import dblquad

from statmech_nn.symbolic.averages import (DiscreteAverage, GaussianAverage, expand_averages,
                                           gaussian_closed_form, stein)
from statmech_nn.symbolic.numeric import evaluate

z = sp.Symbol("z", real=True)
a, b, t = sp.symbols("a b t", positive=True)


def test_stein_lemma_matches_quadrature():
    # E[z f(z)] = E[f'(z)] (Stein 1981) for f = tanh(a + b z)
    lhs = GaussianAverage(z * sp.tanh(a + b * z), z)
    rhs = stein(lhs)
    for avg in rhs.atoms(GaussianAverage):
        assert all(z not in sp.Mul.make_args(term) for term in sp.Add.make_args(avg.integrand))
    vals = {a: 0.3, b: 0.7}
    assert abs(evaluate(lhs, vals) - evaluate(rhs, vals)) < 1e-20
    assert abs(evaluate(lhs, vals) - 0.7 * (1 - evaluate(GaussianAverage(sp.tanh(a + b*z)**2, z), vals))) < 1e-15


def test_differentiation_under_the_integral():
    avg = GaussianAverage(sp.log(2 * sp.cosh(a + b * z)), z)
    d = sp.diff(avg, b)
    assert isinstance(d, GaussianAverage)
    h = mpmath.mpf("1e-10")
    fd = (evaluate(avg, {a: 0.2, b: 0.5 + h}) - evaluate(avg, {a: 0.2, b: 0.5 - h})) / (2 * h)
    assert abs(fd - evaluate(d, {a: 0.2, b: 0.5})) < 1e-15
    assert sp.diff(avg, z) == 0  # z is bound


def test_linearity_and_closed_forms():
    e = expand_averages(GaussianAverage(2 + 3 * t * z**2, z))
    assert e == 2 + 3 * t * GaussianAverage(z**2, z)
    assert gaussian_closed_form(e) == 2 + 3 * t
    assert GaussianAverage(z**4, z).closed_form() == 3
    assert sp.simplify(GaussianAverage(sp.exp(t * z), z).closed_form() - sp.exp(t**2 / 2)) == 0


def test_discrete_average_sum_and_pattern_squares():
    xi = sp.Symbol("xi")
    avg = DiscreteAverage(xi**2 * sp.tanh(a * xi + b), [xi])
    assert avg.integrand == sp.tanh(a * xi + b)          # ξ² = 1 on {±1}
    assert sp.simplify(avg.as_sum() - (sp.tanh(a + b) + sp.tanh(b - a)) / 2) == 0
    assert sp.diff(avg, a) == DiscreteAverage(sp.diff(avg.integrand, a), [xi])


def test_latex_uses_angle_brackets():
    s = sp.latex(GaussianAverage(sp.tanh(a * z), z))
    assert s.startswith(r"\left\langle") and s.endswith(r"\right\rangle_{z}")


def test_reference_evaluator_against_known_integral():
    # E[log 2cosh(√q z)] vs direct mpmath quad, and E[tanh²] for q = 0.4
    q = 0.4
    direct = mpmath.quad(lambda x: mpmath.log(2 * mpmath.cosh(mpmath.sqrt(q) * x)) *
                         mpmath.npdf(x), [-mpmath.inf, mpmath.inf])
    assert abs(evaluate(GaussianAverage(sp.log(2 * sp.cosh(sp.sqrt(a) * z)), z), {a: q}) - direct) < 1e-14


def test_nested_gaussian_averages_of_one_linear_combination_merge():
    # E_Y E_z g(aY + bz + c) = E_w g(√(a² + b²) w + c) (sum of independent normals); checked against
    # the 2-d quadrature with mpmath
    from statmech_nn.symbolic.averages import merge_gaussian_averages
    Y, z, a, b, c = sp.symbols("Y z a b c", real=True)
    arg = a * Y + 2 * b * z + b * z / 3 + c         # several z terms: the coefficient must be collected
    nested = GaussianAverage(GaussianAverage(sp.log(2 * sp.cosh(arg)) + sp.tanh(arg) ** 2, z), Y)
    merged = merge_gaussian_averages(nested)
    assert len(merged.variables) == 1 and not merged.has(Y, z)
    values = {a: sp.Rational(3, 10), b: sp.Rational(7, 10), c: sp.Rational(1, 5)}
    f = sp.lambdify((Y, z), nested.integrand.integrand.subs(values), "math")
    w = merged.variables[0]
    g = sp.lambdify(w, merged.integrand.subs(values), "mpmath")
    gauss = lambda t: math.exp(-t * t / 2) / math.sqrt(2 * math.pi)   # noqa: E731
    # the 2-d reference by scipy on a bounded box (2-d mpmath quadrature is minutes under load)
    two_d = dblquad(lambda t, y: f(y, t) * gauss(y) * gauss(t), -10, 10, -10, 10, epsabs=1e-13)[0]
    one_d = mpmath.quad(lambda t: g(t) * mpmath.exp(-t * t / 2) / mpmath.sqrt(2 * mpmath.pi),
                        [-mpmath.inf, mpmath.inf])
    assert abs(two_d - float(one_d)) < 1e-10
    # not one linear combination: left alone
    for integrand in (sp.tanh(a * Y**2 + b * z), sp.tanh(a * Y + b * z) * sp.cosh(b * Y + a * z)):
        nested = GaussianAverage(GaussianAverage(integrand, z), Y)
        assert merge_gaussian_averages(nested) == nested
    # an outer integrand that is not a bare average (the Y-weighted m equation): left alone
    weighted = GaussianAverage(Y * GaussianAverage(sp.tanh(arg), z), Y)
    assert merge_gaussian_averages(weighted) == weighted


def test_stein_leaves_a_tilted_uniform_site_measure_alone():
    # E_z[z <m>_z] with <m>_z = U[m e^{(bz + a)m}] / U[e^{(bz + a)m}] (the variational perceptron's means
    # m in [-1, 1]): Stein's lemma would turn it into b E_z[<m²>_z - <m>_z²], a variance that cancels
    # catastrophically where the tilted measure is peaked; the term is kept as it is, and it is exact
    from statmech_nn.symbolic.averages import UniformAverage
    m = sp.Symbol("m", real=True)
    w = sp.exp((b * z + a) * m)
    lhs = GaussianAverage(z * UniformAverage(m * w, m) / UniformAverage(w, m), z)
    assert stein(lhs) == lhs
    # the Gaussian factor e^{-z²/2}... of other terms is still reduced (the rule is narrow)
    assert stein(GaussianAverage(z * sp.tanh(a + b * z), z)) != GaussianAverage(z * sp.tanh(a + b * z), z)
    # value: E_z[z <m>] = b E_z[1/y² − 1/sinh²y] with y = bz + a (<m> = coth y − 1/y)
    vals = {a: 0.4, b: 30.0}
    y = b * z + a
    variance = GaussianAverage(b * (1 / y**2 - 1 / sp.sinh(y)**2), z)
    assert abs(evaluate(lhs, vals, dps=20) - evaluate(variance, vals, dps=20)) < 1e-12
