"""Replica-symmetry stability of the learning models: the replicon 1 − α E_out[(∂²_h log Z_out)²]
E_in[(∂²_b log Z_in)²] derived by the engine, checked against hand-written integrands (scipy, mpmath),
the q → 1 marginal-stability identity of the spherical perceptron, the AT line at negative margin, the
binary perceptron's AT point (Gardner & Derrida 1988) and the teacher–student problems."""
import math

import mpmath
import numpy as np
import pytest
import sympy as sp
from scipy import integrate, optimize, special

import statmech_nn as snn
from statmech_nn.symbolic.rewrite import Mills
from statmech_nn.symbolic.averages import GaussianAverage


def gauss(f, lo=-12.0, hi=12.0, points=None):
    return integrate.quad(lambda z: f(z) * math.exp(-z * z / 2) / math.sqrt(2 * math.pi), lo, hi,
                          points=points, limit=400, epsabs=1e-13, epsrel=1e-12)[0]


def log_H(u):
    """log of the Gaussian tail H(u) = ∫_u^∞ Dx (scipy's log Φ(−u), accurate far in the tail)."""
    return special.log_ndtr(-u)


def second_derivative(f, h, eps=1e-2):
    """Five-point finite difference of f'' (error O(eps⁴))."""
    return (-f(h + 2 * eps) + 16 * f(h + eps) - 30 * f(h) + 16 * f(h - eps) - f(h - 2 * eps)) / (12 * eps**2)


def log_Z_out(q, kappa, T, label=1.0):
    """Hand-written channel of one example in its cavity field h: the Gibbs weight e^{−β·error} of a
    threshold unit averaged over the replica-specific field, e^{−β} + (1 − e^{−β}) H((κ − y h)/√(1−q))
    (Gardner 1988; Engel & Van den Broeck 2001, ch. 4); label y, T = 0 the version space."""
    def f(h):
        lh = log_H((kappa - label * h) / math.sqrt(1 - q))
        if T == 0:
            return lh
        return np.logaddexp(-1 / T, math.log1p(-math.exp(-1 / T)) + lh)
    return f


def channel_factor(q, kappa, T):
    """E_t[(∂²_h log Z_out(√q t))²] for random labels (gauged to +1), finite differences + quad."""
    f = log_Z_out(q, kappa, T)
    c = kappa / math.sqrt(q)
    return gauss(lambda t: second_derivative(f, math.sqrt(q) * t) ** 2, points=[c])


def teacher_channel_factor(q, R, T):
    """Both labels y = sign(t) of the teacher field t, jointly Gaussian with the student's cavity field
    h = √q s (cov(t, h) = R): P(t > 0 | s) = H(−R s/√(q − R²)); no mirror-symmetry shortcut."""
    plus, minus = log_Z_out(q, 0.0, T, 1.0), log_Z_out(q, 0.0, T, -1.0)

    def integrand(s):
        h = math.sqrt(q) * s
        p_plus = 0.5 * special.erfc(-R * s / math.sqrt(2 * (q - R * R)))
        return p_plus * second_derivative(plus, h) ** 2 + (1 - p_plus) * second_derivative(minus, h) ** 2
    return gauss(integrand, points=[0.0])


def ising_weight_factor(q_hat, R_hat=0.0):
    """E_z[(∂²_b log 2cosh b)²] = E_z[(1 − tanh² b)²], b = √q̂ z + R̂ (Gardner & Derrida 1988)."""
    return gauss(lambda z: (1 - math.tanh(math.sqrt(q_hat) * z + R_hat) ** 2) ** 2)


@pytest.fixture(scope="module")
def spherical():
    return snn.model("perceptron")


@pytest.fixture(scope="module")
def ising():
    return snn.model("perceptron", weights="ising")


# -- the replicon is 1 − α (channel factor)(weight factor), each factor checked by hand ---------

@pytest.mark.parametrize("T", [0.0, 0.5])
def test_spherical_replicon_equals_factorised_form(spherical, T):
    # Gardner & Derrida (1988): RS is stable iff α E_out[(∂²_h log Z_out)²] E_in[(∂²_b log Z_in)²] < 1;
    # spherical weights: the Gaussian single-weight measure has variance 1/(k̂ + q̂) = 1 − q
    alpha, kappa = 0.8, 0.3
    sol = spherical.follow([0.4, alpha], kappa=kappa, T=T)[-1]
    q = sol["q"]
    assert 1 / (sol["k_hat"] + sol["q_hat"]) == pytest.approx(1 - q, abs=1e-9)
    reference = 1 - alpha * channel_factor(q, kappa, T) * (1 - q) ** 2
    assert sol.replicon == pytest.approx(reference, abs=1e-7)
    assert 0 < sol.replicon < 1 and sol.stable


def test_low_temperature_replicon_tends_to_version_space(spherical):
    # the finite-T channel keeps its Gaussian tail as exp(log H): no 2 − erfc cancellation when
    # e^{−β} is tiny; at T = 0.01 (e^{−β} ≈ 4e−44) the replicon is that of the version space (T = 0)
    alphas = [0.5, 1.5, 2.5, 3.4]
    cold = spherical.follow(alphas, kappa=-0.5, T=0.01)[-1]
    zero = spherical.follow(alphas, kappa=-0.5, T=0.0)[-1]
    assert cold.replicon == pytest.approx(zero.replicon, abs=1e-6)
    assert cold.replicon == pytest.approx(1 - 3.4 * channel_factor(cold["q"], -0.5, 0.01) * (1 - cold["q"]) ** 2,
                                          abs=1e-7)


def test_ising_replicon_equals_factorised_form(ising):
    # Gardner & Derrida (1988), binary weights: E_in = E_z[(1 − tanh²(√q̂ z))²]
    for alpha, kappa, T in ((0.9, 0.0, 0.0), (0.6, 0.4, 0.3)):
        sol = ising.solver().solve(alpha=alpha, kappa=kappa, T=T)
        reference = 1 - alpha * channel_factor(sol["q"], kappa, T) * ising_weight_factor(sol["q_hat"])
        assert sol.replicon == pytest.approx(reference, abs=1e-7)


def test_teacher_student_replicon_equals_factorised_form():
    # the teacher channel: the label is sign of the teacher field, correlated (R) with the cavity field
    for weights, T in (("spherical", 0.4), ("ising", 0.3)):
        ts = snn.model("teacher-student-perceptron", weights=weights)
        sol = ts.solver().solve(alpha=1.0, T=T)
        q, R = sol["q"], sol["R"]
        inner = (1 - q) ** 2 if weights == "spherical" else ising_weight_factor(sol["q_hat"], sol["R_hat"])
        reference = 1 - 1.0 * teacher_channel_factor(q, R, T) * inner
        assert sol.replicon == pytest.approx(reference, abs=1e-7), weights


def test_replicon_is_recorded_in_both_saddle_points(spherical):
    finite = spherical.free_energy().saddle_point()
    zero = finite.zero_temperature()
    assert finite.replicon is not None and zero.replicon is not None
    # the version-space replicon has no temperature, its channel factor is in stable inverse Mills ratios
    assert not zero.replicon.has(sp.Symbol("beta", positive=True)) and zero.replicon.has(Mills)
    # the replicon sector of the shared engine: the examples' curvature κ and the weights' μ
    titles = [step.title for step in finite.derivation.steps]
    assert "Replicon eigenvalue (de Almeida–Thouless)" in titles


# -- spherical perceptron ------------------------------------------------------------------------

@pytest.mark.parametrize("kappa", [0.0, 0.5, 1.0])
def test_spherical_rs_stable_for_nonnegative_margin(spherical, kappa):
    # Gardner (1988), Gardner & Derrida (1988): for κ ≥ 0 the version space is convex, RS is stable at
    # every α < α_c(κ); and at_line reports no AT line
    alpha_c = spherical.capacity_curve([kappa])[0]
    alphas = np.linspace(0.05, 0.95, 10) * alpha_c
    sols = spherical.follow(alphas, kappa=kappa, T=0.0, max_halvings=12)
    replicon = np.array([s.replicon for s in sols])
    assert np.all(replicon > 0) and all(s.stable for s in sols)
    # the replicon decreases towards its q → 1 value 1 − α_c H(−κ) ≥ 0
    assert np.all(np.diff(replicon) < 0)


def _q_to_one_value(saddle, kappa, alpha, delta):
    """The derived T = 0 replicon at q = 1 − δ, its average by mpmath quadrature (30 digits), Mills(x)
    written out as φ(x)/H(x) (mpmath has no underflow of H far in the tail); the weights' conjugates at
    their stationary values for this q, q̂ = q/(1 − q)², k̂ = (1 − 2q)/(1 − q)² (k̂ + q̂ = 1/(1 − q), G88),
    checked against the derived equations for q and k̂."""
    names = {s.name: s for s in saddle.replicon.free_symbols}
    with mpmath.workdps(30):
        q = 1 - mpmath.mpf(delta)
        conjugates = {names["q_hat"]: sp.Float(str(q / (1 - q) ** 2), 30),
                      names["k_hat"]: sp.Float(str((1 - 2 * q) / (1 - q) ** 2), 30)}
    at = {**conjugates, names["q"]: sp.Float(str(q), 30)}
    assert abs(saddle.equations[names["q"]].xreplace(at) - at[names["q"]]) < 1e-20
    assert abs(saddle.equations[names["k_hat"]].xreplace(at) - at[names["k_hat"]]) < 1e-20 * at[names["q_hat"]]
    lam = saddle.replicon.xreplace(conjugates)
    (avg,) = lam.atoms(GaussianAverage)
    names = {s.name: s for s in lam.free_symbols | avg.free_symbols}
    mills = lambda a: mpmath.npdf(a) / (mpmath.erfc(a / mpmath.sqrt(2)) / 2)  # noqa: E731
    g = sp.lambdify([avg.variable, names["q"], names["kappa"]], avg.integrand,
                    modules=[{"Mills": mills}, "mpmath"])
    with mpmath.workdps(30):
        q = 1 - mpmath.mpf(delta)
        c = kappa / mpmath.sqrt(q)   # the step of the integrand, of width √δ
        E = mpmath.quad(lambda t: g(t, q, kappa) * mpmath.npdf(t), [-14, c - 0.5, c, c + 0.5, 14])
    return float(lam.xreplace({avg: sp.Float(str(E), 30), names["alpha"]: alpha, names["q"]: at[names["q"]]}))


@pytest.mark.parametrize("kappa", [-0.5, 0.0, 0.5])
def test_q_to_one_marginal_stability(spherical, kappa):
    # q → 1 at α_c(κ): ∂²_h log H((κ − h)/√(1−q)) → −θ(κ − h)/(1 − q), so the replicon tends to
    # 1 − α_c(κ) ∫_{−κ}^∞ Dt (Gardner & Derrida 1988): exactly marginal at κ = 0 (α_c = 2, Gardner 1988),
    # stable for κ > 0, unstable for κ < 0. The approach is ∝ √δ (the width of the step).
    zero = spherical.free_energy().saddle_point().zero_temperature()
    alpha_c = float(spherical.capacity_curve([kappa])[0])
    limit = 1 - alpha_c * 0.5 * math.erfc(-kappa / math.sqrt(2))
    gaps = {d: _q_to_one_value(zero, kappa, alpha_c, d) - limit for d in (1e-8, 1e-10)}
    assert abs(gaps[1e-10]) < 3e-5
    assert gaps[1e-8] / math.sqrt(1e-8) == pytest.approx(gaps[1e-10] / math.sqrt(1e-10), rel=0.01)
    if kappa == 0:
        assert limit == pytest.approx(0.0, abs=1e-12)
    assert (limit > 0) == (kappa > 0)


def _hand_at_point(kappa, low, high):
    """α_AT of the spherical perceptron at T = 0 from hand-written equations: q from Gardner's
    q/(1 − q) = α E_t[M(u)²], u = (κ − √q t)/√(1 − q), M = φ/H the inverse Mills ratio (the stationarity
    of the entropy of G88 eqs. (19)–(21); checked below by finite differences), and the replicon
    1 − α E_t[(M (M − u))²] (−M (M − u)/(1 − q) = ∂²_h log H, times the weight factor (1 − q)²)."""
    def mills(u):
        return math.exp(-u * u / 2 - 0.5 * math.log(2 * math.pi) - log_H(u))

    def u(q, t):
        return (kappa - math.sqrt(q) * t) / math.sqrt(1 - q)

    def overlap(alpha):
        eq = lambda q: q / (1 - q) - alpha * gauss(lambda t: mills(u(q, t)) ** 2)  # noqa: E731
        return optimize.brentq(eq, 1e-6, 1 - 1e-6, xtol=1e-14)

    def replicon(alpha):
        q = overlap(alpha)
        return 1 - alpha * gauss(lambda t: (mills(u(q, t)) * (mills(u(q, t)) - u(q, t))) ** 2,
                                 points=[kappa / math.sqrt(q)])

    alpha_at = optimize.brentq(replicon, low, high, xtol=1e-12)
    return alpha_at, overlap(alpha_at)


def test_at_line_at_negative_margin(spherical):
    # κ < 0: the version space is not convex and RS breaks before α_c(κ) (Gardner & Derrida 1988;
    # Franz, Parisi, Sevelev, Urbani, Zamponi, SciPost Phys. 2, 019 (2017), the negative perceptron)
    kappas = [-0.5, -1.0]
    at = spherical.at_line(kappas)
    alpha_c = spherical.capacity_curve(kappas)
    assert np.all(at < alpha_c)
    for kappa, a in zip(kappas, at):
        reference, q = _hand_at_point(kappa, 0.5 * a, 0.99 * a + 0.01 * spherical.capacity_curve([kappa])[0])
        assert a == pytest.approx(reference, rel=1e-6)
        # the hand-written q is the maximum of Gardner's entropy (G88 eqs. (19)-(21)) at α_AT
        def s(x):
            return (0.5 * math.log(1 - x) + x / (2 * (1 - x))
                    + a * gauss(lambda t: log_H((kappa - math.sqrt(x) * t) / math.sqrt(1 - x))))
        assert abs((s(q + 1e-5) - s(q - 1e-5)) / 2e-5) < 1e-5
        # the solver flags the RS point as unstable just beyond the AT line
        *_, start, beyond = spherical.follow(np.array([0.2, 0.4, 0.6, 0.8, 0.98, 1.02]) * a, kappa=kappa,
                                             T=0.0)
        assert beyond.replicon < 0 and not beyond.stable and start.stable
    # margins where RS holds up to the searched load: NaN
    assert np.isnan(spherical.at_line([0.5])[0])


# -- binary perceptron -----------------------------------------------------------------------------

def test_ising_perceptron_at_point(ising):
    # Gardner & Derrida, J. Phys. A 21, 271 (1988): the RS solution of binary weights (κ = 0, T = 0)
    # becomes AT-unstable at α ≈ 1.015, beyond the zero of its entropy (α ≈ 0.833, Krauth & Mézard 1989)
    # and below the RS "capacity" 4/π where q → 1
    (alpha_at,) = ising.at_line([0.0], alpha_max=0.98 * 4 / math.pi)
    assert alpha_at == pytest.approx(1.015, abs=1e-3)
    sol = ising.solver().solve(alpha=alpha_at, kappa=0.0, T=0.0)
    assert abs(sol.replicon) < 1e-8
    assert -sol.free_energy < 0          # the RS entropy is already negative there
    assert 0.833 < alpha_at < 4 / math.pi


# -- teacher–student (Gibbs learning) --------------------------------------------------------------

def test_spherical_student_rs_stable():
    # Gibbs learning of a realisable rule by a spherical student: the replicon stays positive at every
    # load and temperature sampled (Seung, Sompolinsky & Tishby, PRA 45, 6056 (1992): RS is exact for
    # the spherical student); at T = 0 (the Nishimori line of the noiseless teacher) q = R
    ts = snn.model("teacher-student-perceptron")
    alphas = np.array([0.25, 1.0, 2.0, 5.0])
    for T in (0.0, 0.5, 1.0):
        sols = ts.follow(alphas, T=T)
        assert all(s.replicon > 0 and s.stable for s in sols), T
        if T == 0:
            assert all(abs(s["q"] - s["R"]) < 1e-8 for s in sols)


def test_ising_student_replicon():
    # binary student (Györgyi, PRL 64, 2957 (1990); SST92): on the poor-generalisation branch up to
    # its spinodal (α ≈ 1.49) the replicon is positive at T = 0 (Nishimori line, q = R) and at T > 0;
    # an RS solution off the Nishimori line at T = 0 (q > R: students closer to each other than to the
    # teacher) is AT-unstable
    ts = snn.model("teacher-student-perceptron", weights="ising")
    alphas = np.array([0.5, 1.0, 1.4])
    for T in (0.0, 0.5):
        sols = ts.follow(alphas, T=T)
        assert all(s.replicon > 0 and s.stable for s in sols), T
        if T == 0:
            assert all(abs(s["q"] - s["R"]) < 1e-8 for s in sols)
    glassy = ts.solver().solve(alpha=2.0, T=0.0, guess={"q": 0.999, "q_hat": 8.0, "R": 0.999, "R_hat": 8.0})
    assert glassy["q"] - glassy["R"] > 0.01
    assert glassy.replicon < 0 and not glassy.stable


# -- plot, bad input -------------------------------------------------------------------------------

def test_capacity_plot_draws_the_at_line(spherical):
    import matplotlib
    matplotlib.use("Agg")
    from statmech_nn.plot.learning import plot_capacity

    kappas = np.array([-1.0, 0.0, 1.0])
    at = np.array([7.87, np.nan, np.nan])
    ax = plot_capacity(kappas, spherical.capacity_curve(kappas), at_line=at)
    x, y = ax.lines[1].get_data()
    assert np.allclose(x, kappas) and y[0] == 7.87 and np.isnan(y[1])
    with pytest.raises(snn.ParameterError, match="one value per margin"):
        plot_capacity(kappas, spherical.capacity_curve(kappas), at_line=[1.0])


def test_at_line_bad_input(spherical, ising):
    with pytest.raises(snn.ParameterError, match="alpha_max"):
        ising.at_line([0.0])
    with pytest.raises(snn.ParameterError, match="points"):
        spherical.at_line([0.0], points=1)
    with pytest.raises(snn.ParameterError, match="alpha_max"):
        spherical.at_line([0.0], alpha_max=-1.0)
