"""Wide-network field theory: derived NNGP kernels against the literature and against sampled networks; the
connected four-point function at order 1/width."""
import math
import os
import shutil

import numpy as np
import pytest
import sympy as sp

from statmech_nn.errors import ConvergenceError, DerivationError, ParameterError
from statmech_nn.expansions.wide import (NNGP, Q11, Q12, Q22, FourPointFunction, connected_four_point_estimate,
                                         connected_four_point_from_kernels, gaussian_expectation, kernel_estimate,
                                         pair_expectation, sample_networks)

needs_pdflatex = pytest.mark.skipif(shutil.which("pdflatex") is None and not os.environ.get("CI"),
                                    reason="pdflatex not installed (CI installs it)")

SIGMAS = dict(sigma_w=1.5, sigma_b=0.5, sigma_v=1.2)
X3 = np.array([[0.5, -1.0], [1.2, 0.3], [-0.7, 0.8]])
X4 = np.array([[1.0, 0.5], [1.2, 0.3], [0.7, 0.8], [0.9, 0.2]])
RNG_POINTS = [(0.7, 0.3, 1.3), (2.0, -0.8, 0.5), (0.2, 0.19, 0.9), (1.1, 1.1, 1.1)]


def williams_erf(x, y, sigma_b, sigma_w, d):
    # Williams (1997), Eq. 11: augmented input x~ = (1, x), Sigma = diag(sigma_b^2, sigma_w^2/d, ...)
    xa, ya = np.r_[1.0, x], np.r_[1.0, y]
    s = np.diag([sigma_b**2] + [sigma_w**2 / d] * d)
    return 2 / np.pi * np.arcsin(2 * xa @ s @ ya / np.sqrt((1 + 2 * xa @ s @ xa) * (1 + 2 * ya @ s @ ya)))


def cho_saul_relu(q11, q12, q22):
    # Cho & Saul (2009), Eq. 6 with n = 1: E[relu(u) relu(v)] = |x||y| J_1(theta) / (2 pi),
    # J_1 = sin(theta) + (pi - theta) cos(theta), cos(theta) = q12 / sqrt(q11 q22)
    theta = np.arccos(np.clip(q12 / np.sqrt(q11 * q22), -1, 1))
    return np.sqrt(q11 * q22) * (np.sin(theta) + (np.pi - theta) * np.cos(theta)) / (2 * np.pi)


def gaussian_activation(q11, q12, q22):
    # E[exp(-u^2/2) exp(-v^2/2)] = det(I + Q)^(-1/2): the Gaussian integral behind Williams (1997), Sec. 3.2
    return 1 / np.sqrt((1 + q11) * (1 + q22) - q12**2)


@pytest.mark.parametrize("name, literature, order", [("relu", cho_saul_relu, 2), ("gaussian", gaussian_activation, 0)])
def test_pair_expectations_equal_literature_forms(name, literature, order):
    pe = pair_expectation(name)
    assert pe.order == order
    for q11, q12, q22 in RNG_POINTS:
        assert pe(q11, q12, q22) == pytest.approx(literature(q11, q12, q22), rel=1e-12)
        assert float(pe.expr.subs({Q11: q11, Q12: q12, Q22: q22})) == pytest.approx(literature(q11, q12, q22),
                                                                                  rel=1e-12)


def test_erf_kernel_is_williams_arcsine_kernel():
    pe = pair_expectation("erf")
    assert pe.order == 1
    # symbolically: (2/pi) asin(2 q12 / sqrt((1 + 2 q11)(1 + 2 q22))), Williams (1997) Eq. 11
    argument = sp.sin(pe.expr * sp.pi / 2)          # sin(asin(a)) = a: compare the arcsine arguments
    assert isinstance(pe.expr * sp.pi / 2, sp.asin)
    assert sp.simplify(argument**2 - 4 * Q12**2 / ((1 + 2 * Q11) * (1 + 2 * Q22))) == 0
    assert argument.subs({Q11: 1, Q22: 2, Q12: 1}) > 0
    gp = NNGP("erf", sigma_w=1.5, sigma_b=0.5, sigma_v=1.0)
    k = gp.kernel(X3)
    for i in range(3):
        for j in range(3):
            assert k[i, j] == pytest.approx(williams_erf(X3[i], X3[j], 0.5, 1.5, 2), rel=1e-12)


def test_price_derivation_differentiates_back():
    # d^k K / d q12^k equals the bivariate Gaussian integral recorded in the derivation (Price 1958)
    for name in ("erf", "relu", "gaussian"):
        pe = pair_expectation(name)
        top = [s for s in pe.derivation if s.title == "Bivariate Gaussian integral"][0].expr.rhs
        diff = sp.diff(pe.expr, Q12, pe.order) - top
        for q11, q12, q22 in RNG_POINTS[:3]:
            assert abs(float(diff.subs({Q11: q11, Q12: q12, Q22: q22}))) < 1e-12


def test_closed_form_equals_quadrature_and_tanh_falls_back():
    for name in ("erf", "gaussian"):
        closed = NNGP(name, hidden_layers=2, **SIGMAS)
        quad = NNGP(name, hidden_layers=2, method="quadrature", nodes=160, **SIGMAS)
        assert closed.method == "closed_form" and quad.method == "quadrature"
        np.testing.assert_allclose(quad.kernel(X3), closed.kernel(X3), rtol=1e-9)
    with pytest.raises(DerivationError, match="Price"):
        pair_expectation("tanh")
    with pytest.raises(DerivationError):
        NNGP("tanh", method="closed_form")
    assert NNGP("tanh").method == "quadrature"


@pytest.mark.parametrize("name", ["erf", "relu", "gaussian", "tanh"])
def test_one_layer_kernel_equals_sampled_networks(name):
    # one hidden layer: E[f f'] = sigma_v^2 E[sigma sigma'] exactly at every width; 10^5 sampled networks
    gp = NNGP(name, **SIGMAS)
    k = gp.kernel(X3)
    samples = sample_networks(X3, 100_000, 8, name, seed=11, **SIGMAS)
    mean, stderr = kernel_estimate(samples.outputs)
    assert np.all(np.abs(mean - k) < 3 * stderr), (mean - k) / stderr
    # the readout integrated out (conditional kernels): ~10x smaller errors, same expectation
    rb = samples.kernels.mean(axis=0)
    rb_err = samples.kernels.std(axis=0, ddof=1) / math.sqrt(len(samples.kernels))
    assert np.all(np.abs(rb - k) < 3.5 * rb_err), (rb - k) / rb_err
    assert rb_err.max() < 0.5 * stderr.max()


@pytest.mark.slow
@pytest.mark.parametrize("name, layers, width", [("erf", 2, 64), ("relu", 2, 256)])
def test_deep_kernel_recursion_equals_wide_sampled_networks(name, layers, width):
    # deeper layers are Gaussian only at infinite width: the O(1/n) shift of E[f f'] (measured: about
    # -1.1/n relative for ReLU at the least correlated pair, far less for erf) stays well below the
    # standard error of 10^5 networks at these widths
    gp = NNGP(name, hidden_layers=layers, **SIGMAS)
    k = gp.kernel(X3)
    samples = sample_networks(X3, 100_000, width, name, hidden_layers=layers, seed=3, **SIGMAS)
    mean, stderr = kernel_estimate(samples.outputs)
    assert np.all(np.abs(mean - k) < 3 * stderr), (mean - k) / stderr
    # the recursion does something: the deep kernel differs from the one-layer kernel by many errors
    assert np.max(np.abs(k - NNGP(name, **SIGMAS).kernel(X3)) / stderr) > 10


def test_four_point_derivation_from_independent_units():
    g = FourPointFunction("erf")
    h = {name: sp.Symbol(name) for name in ("H_{1234}", "H_{12}", "H_{34}", "H_{13}", "H_{24}", "H_{14}", "H_{23}")}
    n, sv, mu4 = (sp.Symbol("n", positive=True, integer=True), sp.Symbol(r"\sigma_v", positive=True),
                  sp.Symbol(r"\mu_4", positive=True))
    # Halverson, Maiti, Stoner (2021), Sec. 3: G4_conn = [mu4 E(hhhh) - sigma_v^4 (three pairings)] / n
    expected = (mu4 * h["H_{1234}"] - sv**4 * (h["H_{12}"] * h["H_{34}"] + h["H_{13}"] * h["H_{24}"]
                                               + h["H_{14}"] * h["H_{23}"])) / n
    assert sp.simplify(g.expr - expected) == 0
    assert g.mu4 == 3.0 and FourPointFunction("erf", readout="rademacher").mu4 == 1.0


def test_four_point_closed_forms():
    # ReLU at coincident inputs: E relu^4 = 3q^2/2, E relu^2 = q/2, so with a Gaussian readout
    # G4 = (3 * 3q^2/2 - 3 q^2/4) / n = 15 q^2 / (4 n)  (hand evaluation of the formula above)
    q, n = sp.Symbol("q", positive=True), sp.Symbol("n", positive=True)
    assert sp.simplify(FourPointFunction("relu").coincident() - 15 * q**2 / (4 * n)) == 0
    relu = FourPointFunction("relu", **SIGMAS)
    x = np.array([[1.0, 0.5]] * 4)
    qx = 0.5**2 + 1.5**2 * (1.0 + 0.25) / 2
    assert relu.value(x, 7, rtol=1e-8) == pytest.approx(relu.coincident(qx, 7), rel=1e-10)
    # Gaussian activation: E[prod exp(-u_a^2/2)] = det(I + Q)^(-1/2) (Gaussian integral) at distinct inputs
    gauss = FourPointFunction("gaussian", **SIGMAS)
    k1 = gauss.gp.input_kernel(X4)
    h4 = gauss.moments(X4, rtol=1e-10)[sp.Symbol("H_{1234}")]
    assert h4 == pytest.approx(1 / np.sqrt(np.linalg.det(np.eye(4) + k1)), rel=1e-9)


def test_four_point_falls_like_one_over_width():
    g4 = FourPointFunction("erf", **SIGMAS)
    widths = [10, 30, 100, 300, 1000]
    values = []
    for width in widths:
        samples = sample_networks(X4, 20_000, width, "erf", seed=width, **SIGMAS)
        value, stderr = connected_four_point_from_kernels(samples.kernels)
        values.append(value)
        if width == 100:   # the 1/n formula at width 100, within the sampling error
            assert abs(value - g4.value(X4, 100)) < 3 * stderr
            assert stderr < 0.05 * value
    slope = np.polyfit(np.log(widths), np.log(values), 1)[0]
    assert abs(slope + 1) < 0.15, slope


@pytest.mark.parametrize("readout", ["gaussian", "rademacher"])
def test_four_point_plain_estimator_at_width_ten(readout):
    # outputs with the readout sampled too (no conditioning): mu4 = 3 sigma_v^4 (Gaussian) or sigma_v^4
    g4 = FourPointFunction("relu", readout=readout, **SIGMAS)
    samples = sample_networks(X4, 400_000, 10, "relu", readout=readout, seed=7, **SIGMAS)
    value, stderr = connected_four_point_estimate(samples.outputs)
    theory = g4.value(X4, 10, rtol=1e-4)
    assert abs(value - theory) < 3 * stderr
    assert stderr < 0.1 * abs(theory)


def test_gaussian_expectation_and_errors():
    cov = np.array([[1.0, 0.3], [0.3, 2.0]])
    # E[u^2 v^2] = q11 q22 + 2 q12^2 (Isserlis)
    assert gaussian_expectation(lambda u: u[..., 0]**2 * u[..., 1]**2, cov) == pytest.approx(2.0 + 0.18, rel=1e-12)
    with pytest.raises(ConvergenceError):
        gaussian_expectation(lambda u: np.abs(u[..., 0]) ** 0.5, cov, rtol=1e-12, max_points=10_000)
    with pytest.raises(ParameterError, match="positive semi-definite"):
        gaussian_expectation(lambda u: u[..., 0], np.array([[1.0, 2.0], [2.0, 1.0]]))
    with pytest.raises(ParameterError, match="unknown activation"):
        NNGP("softsign")
    with pytest.raises(ParameterError, match="hidden_layers"):
        NNGP("erf", hidden_layers=0)
    with pytest.raises(ParameterError, match="sigma_w"):
        NNGP("erf", sigma_w=-1.0)
    with pytest.raises(ParameterError, match="4 input points"):
        FourPointFunction("erf").value(X3, 10)
    with pytest.raises(ParameterError, match="readout"):
        sample_networks(X3, 10, 5, readout="uniform")


@needs_pdflatex
def test_wide_latex_compiles(tmp_path):
    from statmech_nn.export import compile_latex, latex_document
    from statmech_nn.expansions.wide import REFERENCES
    body = [NNGP(name, hidden_layers=2).latex() for name in ("erf", "relu", "gaussian", "tanh")]
    body.append(FourPointFunction("relu").latex())
    text = body[0]
    assert r"\arcsin" in text or r"\operatorname{asin}" in text
    tex = tmp_path / "wide.tex"
    tex.write_text(latex_document("Wide networks: NNGP kernels and the 1/n four-point function", body,
                                  references=REFERENCES))
    pdf = compile_latex(str(tex))
    assert os.path.getsize(pdf) > 10_000
