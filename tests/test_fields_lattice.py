"""Lattice scalar fields, phi^4 Monte Carlo, Klein–Gordon neural fields and the synaptic field theory."""
import os
import shutil

import numpy as np
import pytest
import sympy as sp

from statmech_nn.errors import ParameterError
from statmech_nn.fields import (Lattice, NeuralFieldTheory, ScalarFieldTheory, SynapticFieldTheory,
                                measured_mass_shift, one_loop_self_energy_coefficient, perceptron_gradient_descent,
                                phi4_monte_carlo)
from statmech_nn.montecarlo.jackknife import block_means, jackknife

needs_pdflatex = pytest.mark.skipif(shutil.which("pdflatex") is None and not os.environ.get("CI"),
                                    reason="pdflatex not installed (CI installs it)")


# ---------------------------------------------------------------- symbolic lattice actions

@pytest.mark.parametrize("d", [1, 2, 3])
def test_dispersion_is_lattice_laplacian_and_continuum_klein_gordon(d):
    m2 = sp.Symbol("m2", real=True)
    th = ScalarFieldTheory(d, m2=m2, lam=sp.Symbol("lambda"))
    k = th.k
    # free lattice propagator 1/(m² + Σ 4 sin²(k_μ/2)) — REFERENCES.md "Free lattice scalar"
    assert sp.simplify(th.propagator() - 1 / (m2 + sum(4 * sp.sin(q / 2) ** 2 for q in k))) == 0
    series, a = th.continuum_limit(order=2)
    # continuum m² + k², leading artefact −a² Σ k⁴/12 (Taylor of 4 sin²(ak/2)/a², e.g. Rothe, Lattice
    # Gauge Theories, ch. 2)
    assert sp.expand(series - (m2 + sum(q ** 2 for q in k) - a ** 2 * sum(q ** 4 for q in k) / 12)) == 0


def test_albergo_convention_is_rescaled_standard_theory():
    # Albergo, Kanwar, Shanahan, PRD 100, 034515 (2019): S = Σ[-2Σ_μ φφ_{+μ} + (m²+2d)φ² + λφ⁴]
    th = ScalarFieldTheory(2, m2=-4, lam=8, convention="albergo")
    assert th.coefficients() == (2.0, 0.0, 8.0)
    assert th.field_normalisation() == 2
    k = th.k
    assert sp.simplify(th.kernel() - 2 * (-4 + sum(4 * sp.sin(q / 2) ** 2 for q in k))) == 0
    m2s, lams, scale = th.standard_equivalent()
    assert (m2s, lams, scale) == (-4.0, 48.0, pytest.approx(np.sqrt(2)))
    # the standard theory at (m2s, lams) has the coefficients of the Albergo action of φ_s/√2
    hop, a2, a4 = ScalarFieldTheory(2, m2=m2s, lam=lams).coefficients()
    assert (hop * scale ** 2, a2 * scale ** 2, a4 * scale ** 4) == pytest.approx((2.0, 0.0, 8.0))


def test_tadpole_symmetry_factor_from_diagram_layer_and_lattice_sum():
    # one-loop tadpole of (λ/4!)φ⁴: symmetry factor 1/2 (Peskin & Schroeder eq. 10.28; Borinsky 2014)
    assert one_loop_self_energy_coefficient() == sp.Rational(1, 2)
    th = ScalarFieldTheory(2, m2=1.0, lam=0.3)
    lat = Lattice(8, d=2)
    G0 = np.mean(1.0 / (1.0 + lat.khat2()))
    assert th.one_loop_mass_shift(lat) == pytest.approx(0.5 * 0.3 * G0, rel=1e-14)


def test_neural_field_spectrum_equipartition_and_klein_gordon_limit():
    # Cooray, Cooray, Friston (arXiv:2308.10645): coupled KG fields, power from equipartition per eigenmode
    nf = NeuralFieldTheory(masses=[1.0, 2.0], couplings={(0, 1): 0.5}, stiffness=[1.0, 0.5], d=2)
    lat = Lattice((6, 4))
    spec = nf.spectrum(lat, temperature=0.7)
    khat2 = lat.khat2()
    for v in (0, 5, 13):
        Kv = np.array([[khat2[v] + 1.0, 0.5], [0.5, 0.5 * khat2[v] + 2.0]])
        # equipartition: Σ_n |U_an|² T/ω_n² is the diagonal of T K⁻¹ (ensemble of the quadratic action)
        assert spec["power"][v] == pytest.approx(0.7 * np.diag(np.linalg.inv(Kv)), rel=1e-12)
        assert spec["omega2"][v] == pytest.approx(np.linalg.eigvalsh(Kv), rel=1e-12)
    K, eig, a = nf.continuum_limit(order=0)
    k2 = sum(q ** 2 for q in nf.k)
    assert sp.simplify(K - sp.Matrix([[k2 + 1, 0.5], [0.5, k2 / 2 + 2]])) == sp.zeros(2, 2)
    eqs = nf.klein_gordon_equations()
    t, x1, x2 = sp.symbols("t x_1 x_2", real=True)
    phi1 = sp.Function("phi_1")(t, x1, x2)
    phi2 = sp.Function("phi_2")(t, x1, x2)
    # ∂_t² φ_1 = ∇²φ_1 − φ_1 − 0.5 φ_2
    expected = -phi1.diff(t, 2) + phi1.diff(x1, 2) + phi1.diff(x2, 2) - phi1 - 0.5 * phi2
    assert sp.simplify(eqs[0].lhs - expected) == 0


def test_bad_parameters_raise_typed_errors():
    with pytest.raises(ParameterError, match="convention"):
        ScalarFieldTheory(2, m2=1.0, convention="lattice")
    with pytest.raises(ParameterError, match="lam"):
        ScalarFieldTheory(2, m2=1.0, lam=-1.0)
    with pytest.raises(ParameterError, match="extent"):
        Lattice((8, 1))
    with pytest.raises(ParameterError, match="algorithm"):
        phi4_monte_carlo(ScalarFieldTheory(1, m2=1.0), 4, algorithm="gibbs")
    with pytest.raises(ParameterError, match="m2 > 0"):
        phi4_monte_carlo(ScalarFieldTheory(2, m2=0.0), 4)
    with pytest.raises(ParameterError, match="positive-definite"):
        NeuralFieldTheory(masses=[1.0, 1.0], couplings={(0, 1): 2.0}).spectrum(4)
    with pytest.raises(ParameterError, match="learning rate"):
        perceptron_gradient_descent(np.ones((2, 3)), np.ones(2), np.zeros(3), eta=-1.0)


def test_jackknife_of_a_ratio_matches_error_propagation():
    rng = np.random.default_rng(0)
    x = rng.normal(2.0, 1.0, size=(4000, 2)) + [0.0, 3.0]
    blocks = block_means(x, 40)
    est, err = jackknife(blocks, lambda m: m[0] / m[1])
    # linear error propagation for a ratio of independent means (exact to first order)
    sx, sy = blocks.std(axis=0, ddof=1) / np.sqrt(40)
    mx, my = blocks.mean(axis=0)
    assert est == pytest.approx(mx / my, rel=1e-14)
    assert err == pytest.approx(np.hypot(sx / my, mx * sy / my ** 2), rel=0.05)


# ---------------------------------------------------------------- Monte Carlo

@pytest.mark.parametrize("d,L,algorithm", [(1, 16, "metropolis"), (2, 8, "hmc"), (2, 8, "metropolis"),
                                           (3, 4, "hmc")])
def test_free_field_two_point_function_at_every_momentum(d, L, algorithm):
    th = ScalarFieldTheory(d, m2=1.0, lam=0)
    kw = dict(step_size=0.25, n_leapfrog=6) if algorithm == "hmc" else dict(width=1.5)
    r = phi4_monte_carlo(th, L, algorithm=algorithm, measurements=12_000, chains=4, seed=11, **kw)
    exact = th.free_propagator(Lattice(L, d=d))     # 1/(m² + Σ 4 sin²(k/2)), REFERENCES.md
    g, err = r.two_point
    z = (g - exact) / err
    assert np.all(np.abs(z) < 4.5), np.abs(z).max()
    assert np.mean(z ** 2) < 1.6                     # errors are honest: z² averages about 1
    assert np.all(err / exact < 0.05)                # and the test has resolving power (errors of a few %)


def test_small_coupling_mass_shift_is_one_loop_tadpole():
    th = ScalarFieldTheory(2, m2=1.0, lam=0.3)
    r = phi4_monte_carlo(th, 8, measurements=80_000, chains=4, seed=3, step_size=0.35, n_leapfrog=3)
    shift = measured_mass_shift(r)
    tadpole = th.one_loop_mass_shift(8)      # (λ/2) G(0) = 0.0381 here
    assert tadpole == pytest.approx(0.0381, abs=1e-4)
    assert abs(shift.mean - tadpole) < 2.5 * shift.error
    assert shift.mean > 5 * shift.error     # a resolved shift, not zero within errors


@pytest.fixture(scope="module")
def benchmark_point_runs():
    # 2D, L = 8, m² = −4, λ = 8 in the convention of Albergo et al. (2019) / arXiv:2101.08176
    th = ScalarFieldTheory(2, m2=-4, lam=8, convention="albergo")
    hmc = phi4_monte_carlo(th, 8, algorithm="hmc", measurements=12_000, chains=4, seed=2019,
                           step_size=0.1, n_leapfrog=10)
    met = phi4_monte_carlo(th, 8, algorithm="metropolis", measurements=12_000, chains=4, seed=2019, width=1.0)
    return th, hmc, met


def test_benchmark_point_hmc_and_metropolis_agree(benchmark_point_runs):
    _, hmc, met = benchmark_point_runs
    for name in ("abs_magnetisation", "susceptibility", "susceptibility_connected", "action"):
        a, b = getattr(hmc, name), getattr(met, name)
        assert abs(a.mean - b.mean) < 3 * np.hypot(a.error, b.error), name
        assert a.error < 0.02 * abs(a.mean), name
    assert 0.6 < hmc.acceptance.mean < 1 and 0.2 < met.acceptance.mean < 0.8


def test_benchmark_point_is_bit_for_bit_reproducible(benchmark_point_runs):
    th, hmc, _ = benchmark_point_runs
    again = phi4_monte_carlo(th, 8, algorithm="hmc", measurements=12_000, chains=4, seed=2019,
                             step_size=0.1, n_leapfrog=10, threads=2)
    assert np.array_equal(again.series["M"], hmc.series["M"])
    assert np.array_equal(again.blocks["phik2"], hmc.blocks["phik2"])
    assert again.abs_magnetisation == hmc.abs_magnetisation
    other = phi4_monte_carlo(th, 8, algorithm="hmc", measurements=200, chains=4, seed=2020, step_size=0.1,
                             n_leapfrog=10)
    assert not np.array_equal(other.series["M"], hmc.series["M"][:, :200])


# ---------------------------------------------------------------- synaptic field theory

@pytest.mark.parametrize("activation", ["linear", "tanh", "sigmoid"])
def test_synaptic_field_equation_reproduces_gradient_descent(activation):
    # Lee, Lee, Yi (arXiv:2503.08827): the weight field under the discretised field equation is the
    # perceptron trained by gradient descent
    rng = np.random.default_rng(8)
    P, N = 6, 16
    S = rng.normal(size=(P, N)) / np.sqrt(N)
    t = rng.normal(size=P) * 0.5
    w0 = rng.normal(size=N) * 0.1
    sft = SynapticFieldTheory(P, activation=activation)
    w_field, b_field = sft.iterate(S, t, w0, 0.1, eta=0.05, steps=1500)
    w_gd, b_gd = perceptron_gradient_descent(S, t, w0, 0.1, eta=0.05, steps=1500, activation=activation)
    assert np.max(np.abs(w_field - w_gd)) < 1e-12
    assert abs(b_field - b_gd) < 1e-12
    assert np.max(np.abs(w_gd - w0)) > 0.1        # the weights did move


@pytest.mark.parametrize("activation", ["linear", "tanh", "sigmoid"])
def test_synaptic_continuum_limit_and_action_agree(activation):
    sft = SynapticFieldTheory(2, activation=activation)
    c = sft.continuum_limit(order=2)
    w, t, eta = c["w"], c["t"], sft.eta
    # left side: Taylor expansion of (w(t+η) − w(t))/η
    assert sp.simplify(c["equation"].lhs - (w.diff(t) + eta / 2 * w.diff(t, 2))) == 0
    # the Euler–Lagrange equation of the Caldirola–Kanai action is the continuum field equation
    assert sp.cancel(sp.expand(sft.euler_lagrange() - (c["equation"].lhs - c["equation"].rhs))) == 0


@needs_pdflatex
def test_synaptic_action_latex_compiles(tmp_path):
    from statmech_nn.export import compile_latex
    from statmech_nn.export.latex import latex_document
    body = SynapticFieldTheory(2, activation="tanh").latex()
    assert r"\eta" in body and r"\int dt" in body
    tex = tmp_path / "synaptic.tex"
    tex.write_text(latex_document("Synaptic field theory of a perceptron", body,
                                  references=["Lee, Lee, Yi, arXiv:2503.08827"]))
    pdf = compile_latex(str(tex))
    assert os.path.getsize(pdf) > 5_000


def test_plots_draw_the_exact_curves(tmp_path):
    from statmech_nn.plot.fields import plot_dispersion, plot_propagator, plot_spectrum
    th = ScalarFieldTheory(2, m2=1.0, lam=0)
    lat = Lattice(8, d=2)
    ax = plot_dispersion(th, lattice=lat)
    lattice_line = ax.get_lines()[0]
    # the lattice curve is m² + 4 sin²(k/2) along the axis (REFERENCES.md free propagator)
    assert np.allclose(lattice_line.get_ydata(), 1 + 4 * np.sin(lattice_line.get_xdata() / 2) ** 2)
    r = phi4_monte_carlo(th, lat, measurements=400, chains=2, blocks=4, seed=0, step_size=0.25, n_leapfrog=6)
    ax = plot_propagator(r)
    free = ax.get_lines()[-1]
    assert np.allclose(free.get_ydata(), 1 / (1 + free.get_xdata()))
    spec = NeuralFieldTheory([1.0, 2.0], {(0, 1): 0.5}).spectrum(lat)
    ax = plot_spectrum(spec)
    assert len(ax.get_lines()) == 2
    assert ax.get_lines()[0].get_ydata().max() == pytest.approx(spec["power"][:, 0].max())
    ax.figure.savefig(tmp_path / "spectrum.png")
    assert (tmp_path / "spectrum.png").stat().st_size > 1000
