"""What the replica engine derives, compared with the published forms at random numeric points.

Literature forms appear only here, each with its source; the package derives its own.
"""
import random

import pytest
import sympy as sp

import statmech_nn as snn
from statmech_nn.symbolic.averages import DiscreteAverage, GaussianAverage
from statmech_nn.symbolic.numeric import evaluate

z = sp.Symbol("z", real=True)
xi = sp.Symbol("xi")
beta = sp.Symbol("beta", positive=True)
m = sp.Symbol("m", real=True)
q, r, C = sp.symbols("q r C", positive=True)
alpha = sp.Symbol("alpha", nonnegative=True)
h, J0 = sp.symbols("h J0", real=True)
J = sp.Symbol("J", positive=True)


def random_points(k, seed, **ranges):
    rng = random.Random(seed)
    return [{name: rng.uniform(*rng_) for name, rng_ in ranges.items()} for _ in range(k)]


def assert_equal_at(derived, published, points, tol=1e-14):
    for p in points:
        a, b = evaluate(derived, p), evaluate(published, p)
        assert abs(a - b) <= tol * max(1, abs(b)), (p, a, b)


def test_hopfield_free_energy_is_AGS():
    # Amit, Gutfreund, Sompolinsky, Ann. Phys. 173, 30 (1987): RS free energy of the Hopfield model,
    # f = α/2 + m²/2 + α/(2β)[log(1-β(1-q)) - βq/(1-β(1-q))] + αβr(1-q)/2 - (1/β)⟨log 2cosh β(mξ + √(αr) z)⟩
    # (here with the uniform field h added to the local field).
    fe = snn.model("hopfield").free_energy()
    L = 1 - beta * (1 - q)
    ags = (alpha / 2 + m**2 / 2 + alpha / (2 * beta) * (sp.log(L) - beta * q / L)
           + alpha * beta * r * (1 - q) / 2
           - DiscreteAverage(GaussianAverage(sp.log(2 * sp.cosh(beta * (m * xi + h + sp.sqrt(alpha * r) * z))), z), [xi]) / beta)
    pts = random_points(5, 1, m=(-1, 1), q=(0.1, 0.99), r=(0.1, 3), alpha=(0, 0.3), beta=(0.5, 5), h=(-0.3, 0.3))
    assert_equal_at(fe.expr, ags, pts)
    assert set(map(str, fe.order_parameters)) == {"m", "q", "r"}


def test_hopfield_saddle_point_and_AT_line_are_AGS():
    # AGS 1987: m = ⟨ξ tanh β(mξ + √(αr) z)⟩, q = ⟨tanh²⟩, r = q/(1 - β(1-q))²; AT (replicon) line
    # 1 = αβ²/(1-β(1-q))² ⟨sech⁴ β(mξ + √(αr) z)⟩.
    sp_ = snn.model("hopfield").free_energy().saddle_point()
    u = beta * (m * xi + h + sp.sqrt(alpha * r) * z)
    published = {
        m: DiscreteAverage(GaussianAverage(xi * sp.tanh(u), z), [xi]),
        q: DiscreteAverage(GaussianAverage(sp.tanh(u) ** 2, z), [xi]),
        r: q / (1 - beta * (1 - q)) ** 2,
    }
    pts = random_points(4, 2, m=(-1, 1), q=(0.1, 0.99), r=(0.1, 3), alpha=(0.01, 0.3), beta=(0.5, 5), h=(-0.3, 0.3))
    assert list(sp_.equations) == [m, q, r]
    for var, rhs in published.items():
        assert_equal_at(sp_.equations[var], rhs, pts)
    at = 1 - alpha * beta**2 / (1 - beta * (1 - q))**2 * DiscreteAverage(GaussianAverage(sp.sech(u) ** 4, z), [xi])
    assert_equal_at(sp_.replicon, at, pts)


def test_hopfield_zero_temperature_is_AGS():
    # AGS 1987, T = 0 with C = β(1-q): m = erf(m/√(2αr)), C = √(2/(παr)) exp(-m²/(2αr)), r = (1-C)^-2
    zt = snn.model("hopfield").free_energy().saddle_point().zero_temperature()
    assert list(zt.equations) == [m, C, r]
    published = {
        m: sp.erf(m / sp.sqrt(2 * alpha * r)),
        C: sp.sqrt(2 / (sp.pi * alpha * r)) * sp.exp(-m**2 / (2 * alpha * r)),
        r: (1 - C) ** -2,
    }
    pts = random_points(4, 3, m=(0, 1), C=(0, 0.9), r=(0.5, 3), alpha=(0.01, 0.3))
    for p in pts:
        p["h"] = 0.0
    for var, rhs in published.items():
        assert_equal_at(zt.equations[var], rhs, pts)
    # ground-state energy per neuron: α/2 + m²/2 - α/(2(1-C)) + αrC/2 - ⟨|mξ + √(αr) z|⟩  (β → ∞ of AGS f)
    e0 = (alpha / 2 + m**2 / 2 - alpha / (2 * (1 - C)) + alpha * r * C / 2
          - GaussianAverage(sp.Abs(m + sp.sqrt(alpha * r) * z), z))
    assert_equal_at(zt.free_energy, e0, pts, tol=1e-12)


def test_sk_free_energy_and_equations():
    # Sherrington & Kirkpatrick, PRL 35, 1792 (1975), J = 1:
    # f = -β/4 (1-q)² + J0 m²/2 - (1/β) E_z log 2cosh β(√q z + J0 m + h); m = E tanh, q = E tanh²;
    # de Almeida & Thouless (1978): replicon 1 - β² E sech⁴.
    fe = snn.model("sk").free_energy()
    u = beta * (sp.sqrt(q) * z + J0 * m + h)
    published = -beta / 4 * (1 - q) ** 2 + J0 * m**2 / 2 - GaussianAverage(sp.log(2 * sp.cosh(u)), z) / beta
    pts = random_points(5, 4, m=(-1, 1), q=(0.05, 0.99), beta=(0.3, 4), J0=(-1, 2), h=(-0.5, 0.5))
    assert_equal_at(fe.expr, published, pts)
    s = fe.saddle_point()
    assert_equal_at(s.equations[m], GaussianAverage(sp.tanh(u), z), pts)
    assert_equal_at(s.equations[q], GaussianAverage(sp.tanh(u) ** 2, z), pts)
    assert_equal_at(s.replicon, 1 - beta**2 * GaussianAverage(sp.sech(u) ** 4, z), pts)


def test_curie_weiss_free_energy():
    # Agliari et al., arXiv:1407.5300, sec. 2: f = J m²/2 - (1/β) log 2cosh β(Jm + h), m = tanh β(Jm + h)
    fe = snn.model("curie-weiss").free_energy()
    published = J * m**2 / 2 - sp.log(2 * sp.cosh(beta * (J * m + h))) / beta
    pts = random_points(5, 5, m=(-1, 1), beta=(0.2, 5), J=(0.5, 2), h=(-1, 1))
    assert_equal_at(fe.expr, published, pts)
    eq = fe.saddle_point().equations[m]
    assert sp.simplify(eq - sp.tanh(beta * (J * m + h))) == 0
    # T_c = J: the paramagnet m = 0 loses linear stability where d rhs/dm = 1
    slope = sp.diff(eq, m).subs({m: 0, h: 0})
    assert sp.solve(sp.Eq(slope, 1), beta) == [1 / J]


def test_condensed_patterns_reduce_to_one():
    # with m_2 = m_3 = 0 the 3-pattern free energy is the 1-pattern one (patterns are independent)
    f1 = snn.model("hopfield").free_energy().expr
    f3 = snn.model("hopfield", patterns=3).free_energy().expr
    m1, m2, m3 = sp.symbols("m_1 m_2 m_3", real=True)
    pts = random_points(3, 6, q=(0.1, 0.9), r=(0.1, 2), alpha=(0.01, 0.2), beta=(0.5, 3), h=(-0.2, 0.2), m=(-1, 1))
    for p in pts:
        p3 = dict(p, m_1=p["m"], m_2=0.0, m_3=0.0)
        assert abs(evaluate(f1, p) - evaluate(f3, p3)) < 1e-15


def test_derivation_records_the_engine_steps():
    fe = snn.model("hopfield").free_energy()
    titles = fe.derivation.titles()
    for expected in ["Hamiltonian", "Replicated partition function", "Hubbard–Stratonovich for m",
                     "Average over non-condensed patterns", "Overlaps and their conjugates",
                     "Replica-symmetric ansatz", "Single-site problem", "Replica limit n → 0", "Free energy"]:
        assert expected in titles
    tex = fe.derivation.latex()
    assert tex.count(r"\begin{align}") == len(titles)
    assert r"\left\langle" in fe.latex()


def test_large_beta_rules_against_quadrature():
    # E tanh(β(A+Bz)) → erf(A/(√2 B)); β(1 - E tanh²) → √(2/π)/B e^{-A²/2B²}: checked at β = 400
    from statmech_nn.symbolic.engine import large_beta_average
    A, B = sp.Rational(3, 10), sp.Rational(7, 10)
    b = 400
    for integrand, tol in [(sp.tanh(beta * (A + B * z)), 1e-5), (sp.tanh(beta * (A + B * z)) ** 2, 1e-5),
                           (sp.log(2 * sp.cosh(beta * (A + B * z))), 1e-3)]:
        avg = GaussianAverage(integrand, z)
        approx = large_beta_average(avg).subs(beta, b)
        exact = evaluate(avg.subs(beta, b), {}, dps=20)
        assert abs(float(approx) - float(exact)) < tol * max(1, abs(float(exact)))


@pytest.mark.parametrize("bad, match", [
    (lambda: snn.model("hopfeld"), "unknown model 'hopfeld'; available models"),
    (lambda: snn.model("hopfield", patterns=7), "option 'patterns'"),
    (lambda: snn.model("hopfield", gamma=1), "no option"),
    (lambda: snn.model("hopfield", alpha=-0.1), "alpha must lie in"),
    (lambda: snn.model("sk", T=-1), "T must lie in"),
    (lambda: snn.model("sk", T="hot"), "must be a number"),
])
def test_bad_models_and_options_raise(bad, match):
    with pytest.raises(ValueError, match=match):
        bad()


def test_symbolic_hessian_matches_finite_differences():
    import mpmath
    s = snn.model("hopfield").free_energy().saddle_point()
    H = s.hessian()
    point = {"m": 0.8, "q": 0.7, "r": 1.4, "alpha": 0.1, "beta": 2.0, "h": 0.05}
    eps = mpmath.mpf("2e-5")   # truncation ~1e-7 (pole of log det nearby), quadrature noise ~1e-8
    for i, x in enumerate(s.order_parameters):
        for j, y in enumerate(s.order_parameters):
            def f(dx, dy):
                p = dict(point)
                p[x.name] += dx
                p[y.name] += dy
                return evaluate(s.free_energy, p, dps=30)
            fd = (f(eps, eps) - f(eps, -eps) - f(-eps, eps) + f(-eps, -eps)) / (4 * eps**2)
            assert abs(evaluate(H[i, j], point, dps=30) - fd) < 1e-6
