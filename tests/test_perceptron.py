"""Perceptron storage (Gardner volume): the capacity curve, the binary perceptron's RS entropy, LP
checks of finite instances, LaTeX of the derivation."""
import math
import shutil

import numpy as np
import pytest
import sympy as sp
from scipy import integrate, special

import statmech_nn as snn
from statmech_nn.montecarlo.learning import cover_probability, separable_fraction


def gauss(f, lo=-12.0, hi=12.0):
    return integrate.quad(lambda z: f(z) * math.exp(-z * z / 2) / math.sqrt(2 * math.pi), lo, hi,
                          limit=200, epsabs=1e-13, epsrel=1e-12)[0]


def H(x):
    return 0.5 * special.erfc(x / math.sqrt(2))


@pytest.fixture(scope="module")
def spherical():
    return snn.model("perceptron")


@pytest.fixture(scope="module")
def ising():
    return snn.model("perceptron", weights="ising")


def test_capacity_at_zero_margin_is_two(spherical):
    # Gardner, J. Phys. A 21, 257 (1988), eq. (30) at kappa = 0: alpha_c = 2 (exactly, from the q -> 1 limit)
    alpha_c = spherical.capacity()
    assert sp.simplify(alpha_c.subs(spherical.symbol("kappa"), 0)) == 2


@pytest.mark.parametrize("kappa", [-1.0, -0.5, 0.0, 0.5, 1.0, 2.0])
def test_capacity_curve_matches_gardner_formula(spherical, kappa):
    # Gardner 1988 eq. (30): alpha_c(kappa) = 1 / int_{-kappa}^inf Dt (t + kappa)^2, by independent quad
    reference = 1.0 / gauss(lambda t: (t + kappa) ** 2, -kappa, 40.0)
    assert spherical.capacity_curve([kappa])[0] == pytest.approx(reference, rel=1e-10)


def test_version_space_shrinks_to_a_point_at_capacity(spherical):
    # the derived T = 0 equations: q -> 1 as alpha -> alpha_c = 2 (Gardner 1988); near alpha_c the
    # volume's size 1 - q vanishes linearly, (1 - q)/(2 - alpha) tends to a constant
    alphas = np.arange(0.5, 1.91, 0.05)
    sols = spherical.follow(alphas, kappa=0.0, T=0.0, max_halvings=12)
    assert all(s is not None for s in sols)
    gaps = np.array([(a, 1 - s["q"]) for a, s in zip(alphas, sols)])
    assert np.all(np.diff(gaps[:, 1]) < 0)
    ratio = gaps[-3:, 1] / (2 - gaps[-3:, 0])
    assert gaps[-1, 1] < 0.05 and np.ptp(ratio) < 0.1 * ratio.mean()


def test_ising_rs_entropy_vanishes_at_krauth_mezard_capacity(ising):
    # Krauth & Mezard, J. Phys. France 50, 3057 (1989): alpha_c = 0.833 (+- 0.002 in the issue), the
    # point where the RS entropy of Gardner & Derrida (1988) vanishes
    alpha_c = ising.entropy_zero(0.7, 0.95)
    assert alpha_c == pytest.approx(0.833, abs=0.002)


def test_ising_solution_satisfies_gardner_derrida_equations(ising):
    # Gardner & Derrida, J. Phys. A 21, 271 (1988): q = <tanh^2(sqrt(q_hat) z)>,
    # q_hat = alpha/(1-q) <[phi(u)/H(u)]^2>, u = (kappa - sqrt(q) z)/sqrt(1-q), and the RS entropy
    # s = -q_hat (1-q)/2 + <log 2cosh sqrt(q_hat) z> + alpha <log H(u)>, all by independent scipy quad.
    # The RS entropy is negative at alpha = 1 < 4/pi (where q -> 1 in RS): the RS instability
    solver = ising.solver()
    for alpha, kappa in ((0.5, 0.0), (1.0, 0.0), (0.3, 0.5)):
        sol = solver.solve(alpha=alpha, kappa=kappa, T=0.0)
        q, qh = sol["q"], sol["q_hat"]

        def u(z):
            return (kappa - math.sqrt(q) * z) / math.sqrt(1 - q)

        mills = lambda z: math.exp(-u(z) ** 2 / 2) / math.sqrt(2 * math.pi) / H(u(z))  # noqa: E731
        assert q == pytest.approx(gauss(lambda z: math.tanh(math.sqrt(qh) * z) ** 2), abs=1e-8)
        assert qh == pytest.approx(alpha / (1 - q) * gauss(lambda z: mills(z) ** 2), rel=1e-7)
        s = (-qh * (1 - q) / 2 + gauss(lambda z: math.log(2 * math.cosh(math.sqrt(qh) * z)))
             + alpha * gauss(lambda z: math.log(H(u(z)))))
        assert -sol.free_energy == pytest.approx(s, abs=1e-8)
    assert -solver.solve(alpha=1.0, kappa=0.0, T=0.0).free_energy < 0


def test_spherical_entropy_matches_gardner_form(spherical):
    # Gardner 1988 eqs. (19)-(21): s = 1/2 log(1-q) + q/(2(1-q)) + alpha <log H(u)> (+ 1/2 log 2 pi e,
    # the volume of the sphere, which Gardner drops), extremal in q
    alpha, kappa = 0.9, 0.3     # below alpha_c(0.3) = 1.269
    sol = spherical.follow([0.3, 0.6, alpha], kappa=kappa, T=0.0)[-1]
    q = sol["q"]

    def s(q):
        return (0.5 * math.log(1 - q) + q / (2 * (1 - q)) + 0.5 * math.log(2 * math.pi * math.e)
                + alpha * gauss(lambda z: math.log(H((kappa - math.sqrt(q) * z) / math.sqrt(1 - q)))))

    assert -sol.free_energy == pytest.approx(s(q), abs=1e-8)
    h = 1e-5
    assert abs((s(q + h) - s(q - h)) / (2 * h)) < 1e-5


def test_cover_probability_trend():
    # Cover (1965): P(separable) = 2^(1-P) sum_{k<N} binom(P-1, k); 1/2 at alpha = 2 for every N, and the
    # step sharpens with N (the finite-size trend towards Gardner's alpha_c = 2)
    assert cover_probability(10, 20) == pytest.approx(0.5, abs=1e-12)
    assert cover_probability(3, 5) == pytest.approx(2 ** -4 * (1 + 4 + 6), abs=1e-15)
    below = [cover_probability(N, int(1.8 * N)) for N in (50, 100, 200, 400)]
    above = [cover_probability(N, int(2.2 * N)) for N in (50, 100, 200, 400)]
    assert np.all(np.diff(below) > 0) and np.all(np.diff(above) < 0)
    assert below[-1] > 0.97 and above[-1] < 0.03


@pytest.mark.slow
def test_linear_programming_separability_matches_theory():
    # finite instances decided by LP: the fraction separable agrees with Cover's exact finite-N
    # probability within binomial error bars, and crosses 1/2 at alpha = 2 (Gardner 1988)
    for N in (40, 80):
        res = separable_fraction(N, [1.5, 2.0, 2.5], samples=40, seed=N)
        assert np.all(np.abs(res["fraction"] - res["cover"]) <= 3 * res["stderr"] + 0.02), res
        assert abs(res["fraction"][1] - 0.5) <= 3 * res["stderr"][1]
        assert res["fraction"][0] > 0.8 and res["fraction"][2] < 0.2


def test_bad_inputs_raise_typed_errors(spherical):
    with pytest.raises(snn.ParameterError, match="weights"):
        snn.model("perceptron", weights="gaussian")
    with pytest.raises(snn.ParameterError, match="alpha"):
        spherical.free_energy().saddle_point().compile().solve(alpha=-1.0)
    with pytest.raises(snn.ParameterError, match="N must be"):
        separable_fraction(0, [1.0])
    with pytest.raises(snn.ParameterError, match="alphas"):
        separable_fraction(10, [np.nan])


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex not installed (CI installs it)")
def test_derivation_compiles_with_pdflatex(tmp_path, spherical):
    from statmech_nn.export import compile_latex, write_derivation

    spherical.capacity()   # records the q -> 1 step in the T = 0 derivation
    tex = write_derivation(spherical, str(tmp_path / "perceptron.tex"))
    text = open(tex).read()
    # the entropic term is the single-site problem of the weight prior
    assert "Single-site problem" in text and "Energetic term" in text and "version space" in text
    pdf = compile_latex(tex)
    assert pdf is not None and (tmp_path / "perceptron.pdf").stat().st_size > 10_000


def test_capacity_and_learning_curve_plots(spherical):
    import matplotlib
    matplotlib.use("Agg")
    from statmech_nn.plot.learning import plot_capacity, plot_learning_curves

    kappas = np.linspace(-1, 2, 7)
    ax = plot_capacity(kappas, spherical.capacity_curve(kappas), simulation=([2.0], [0.5]))
    x, y = ax.lines[0].get_data()
    assert np.allclose(x, kappas) and y[2] == pytest.approx(1.0 / gauss(lambda t: (t + 0.0) ** 2, 0, 40))
    ax2 = plot_learning_curves({"spherical": ([1.0, 2.0], [0.338, 0.240])})
    assert np.allclose(ax2.lines[0].get_data()[1], [0.338, 0.240])


def test_ising_rs_q_to_one_at_gardner_derrida_point(ising):
    # Gardner & Derrida (1988): the RS solution of binary weights reaches q = 1 only at alpha = 4/pi, where
    # its entropy is already negative: RS overestimates the capacity; the true one (Krauth & Mezard 1989)
    # is the zero-entropy point 0.833. Quadratic extrapolation of 1 - q(alpha) to zero:
    alphas = np.arange(0.8, 1.27, 0.02)
    sols = ising.follow(alphas, T=0.0, kappa=0.0, max_halvings=10)
    assert all(s is not None for s in sols)
    gap = np.array([1 - s["q"] for s in sols])
    assert np.all(np.diff(gap) < 0)
    coeffs = np.polyfit(alphas[-3:], gap[-3:], 2)
    roots = [r.real for r in np.roots(coeffs) if abs(r.imag) < 1e-12 and alphas[-1] < r.real < 1.4]
    assert roots and roots[0] == pytest.approx(4 / math.pi, abs=0.003)
    assert -sols[-1].free_energy < -1.0
