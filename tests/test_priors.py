"""Priors of the units (issue 5): scalar primitives, the replicated single-site problem without a
fixed σ², and SK derived with binary and spherical units against independent calculations."""
import itertools
import math

import mpmath
import numpy as np
import pytest
import sympy as sp
from scipy.integrate import dblquad
from scipy.optimize import fsolve

import statmech_nn as snn
from statmech_nn.errors import DerivationError, ParameterError
from statmech_nn.symbolic.derivation import Derivation
from statmech_nn.symbolic.engine import n, z
from statmech_nn.symbolic.numeric import evaluate
from statmech_nn.symbolic.priors import (BinaryPrior, DilutedPrior, DiscretePrior, GaussianPrior,
                                         SphericalPrior, prior_from_name)
from statmech_nn.symbolic.replica import replica_limit

A_, B_, D_ = sp.symbols("A B D", real=True)
#: (A, B, D) points of the single-site problem: field, pair coupling (B >= 0), diagonal term
POINTS = [(0.3, 0.4, -0.2), (-0.7, 0.1, 0.5), (1.1, 0.9, 0.0)]
DISCRETE = [BinaryPrior(), DilutedPrior(sp.Rational(3, 10)),
            DiscretePrior([-1, 0, 2], [1, 2, 3])]


def _site(prior, A, B, D, nn):
    """The engine's single-site log-partition at replica number ``nn`` (an integer or the symbol)."""
    expr, _ = prior.single_site(A_, B_, n, z, Derivation("t"), diag=D_)
    return expr.subs(n, nn) if nn is not n else expr, {"A": A, "B": B, "D": D}


@pytest.mark.parametrize("prior", DISCRETE, ids=lambda p: p.name)
@pytest.mark.parametrize("point", POINTS)
def test_discrete_single_site_equals_sum_over_replica_configurations(prior, point):
    # at integer n the replicated problem is a finite sum over (σ^1..σ^n): brute force, no HS
    A, B, D = point
    values = [float(s) for s in prior.support]
    weights = [float(w) for w in prior.weights]
    for nn in (2, 3):
        total = 0.0
        for combo in itertools.product(range(len(values)), repeat=nn):
            s = [values[k] for k in combo]
            w = math.prod(weights[k] for k in combo)
            pairs = sum(s[a] * s[b] for a in range(nn) for b in range(a + 1, nn))
            total += w * math.exp(A * sum(s) + B * pairs + D / 2 * sum(x * x for x in s))
        expr, vals = _site(prior, A, B, D, nn)
        assert float(evaluate(expr, vals)) == pytest.approx(math.log(total), rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("prior", DISCRETE, ids=lambda p: p.name)
def test_discrete_replica_limit_is_average_of_tilted_log_partition(prior):
    # n -> 0: E_z log Σ_σ P(σ) exp((A + √B z)σ + (D − B)σ²/2), by mpmath quadrature of a
    # hand-written φ (independent of the prior's SymPy expression)
    A, B, D = POINTS[0]
    expr, vals = _site(prior, A, B, D, n)
    limit = replica_limit(expr, n)
    support = [mpmath.mpf(str(float(s))) for s in prior.support]
    weights = [mpmath.mpf(str(float(w))) for w in prior.weights]

    def phi(t):
        x = A + math.sqrt(B) * t
        return mpmath.log(sum(w * mpmath.exp(x * s + (D - B) * s**2 / 2) for s, w in zip(support, weights)))
    ref = mpmath.quad(lambda t: phi(t) * mpmath.npdf(t), [-mpmath.inf, 0, mpmath.inf])
    assert float(evaluate(limit, vals)) == pytest.approx(float(ref), rel=1e-12)


@pytest.mark.parametrize("prior", DISCRETE + [GaussianPrior(sp.Rational(1, 2))], ids=lambda p: p.name)
def test_mean_and_variance_of_tilted_measure(prior):
    # TRAMP primitives: ⟨σ⟩ and Var σ under dP(σ) e^{xσ + cσ²/2}, by direct sums/integrals
    x, c = 0.37, -0.45
    if isinstance(prior, GaussianPrior):
        v = 0.5
        dens = [lambda s, k=k: s**k * mpmath.npdf(s, 0, mpmath.sqrt(v)) * mpmath.exp(x * s + c * s * s / 2)
                for k in range(3)]
        mom = [mpmath.quad(f, [-mpmath.inf, mpmath.inf]) for f in dens]
    else:
        pts = [(float(s), float(w)) for s, w in zip(prior.support, prior.weights)]
        mom = [sum(w * s**k * math.exp(x * s + c * s * s / 2) for s, w in pts) for k in range(3)]
    mean = mom[1] / mom[0]
    var = mom[2] / mom[0] - mean**2
    assert float(prior.mean(sp.Float(x), sp.Float(c))) == pytest.approx(float(mean), rel=1e-10)
    assert float(prior.variance(sp.Float(x), sp.Float(c))) == pytest.approx(float(var), rel=1e-10)
    assert float(prior.log_partition_quadratic(sp.Float(x), sp.Float(c))) == pytest.approx(
        float(mpmath.log(mom[0])), rel=1e-10)


def _quad2(f, box=15.0):
    """Adaptive 2-d quadrature (scipy) on [−box, box]²: every integrand here is a Gaussian whose
    precision matrix has eigenvalues ≥ 0.7, so the mass outside the box is below e^{−70}."""
    value, _ = dblquad(f, -box, box, -box, box, epsabs=0, epsrel=1e-13)
    return value


@pytest.mark.parametrize("point", POINTS[:2])
def test_gaussian_single_site_is_the_replicated_gaussian_integral(point):
    # σ^a ~ N(0, v): n = 2 by 2-d quadrature, n = 3 by the determinant of the explicit 3×3 matrix,
    # n -> 0 by E_z of the 1-d tilted log-partition (closed form of a Gaussian integral)
    A, B, D = point
    v = 0.5
    prior = GaussianPrior(sp.Rational(1, 2))
    integral = _quad2(lambda s, t: math.exp(-(s * s + t * t) / (2 * v)) / (2 * math.pi * v)
                      * math.exp(A * (s + t) + B * s * t + D / 2 * (s * s + t * t)))
    expr, vals = _site(prior, A, B, D, 2)
    assert float(evaluate(expr, vals)) == pytest.approx(math.log(integral), rel=1e-10)
    M = (1 / v - D + B) * np.eye(3) - B * np.ones((3, 3))
    ones = np.ones(3)
    log3 = -1.5 * math.log(v) - 0.5 * math.log(np.linalg.det(M)) + 0.5 * A**2 * ones @ np.linalg.solve(M, ones)
    expr, vals = _site(prior, A, B, D, 3)
    assert float(evaluate(expr, vals)) == pytest.approx(log3, rel=1e-12)
    expr, vals = _site(prior, A, B, D, n)
    c = D - B
    ref = v * (A**2 + B) / (2 * (1 - c * v)) - 0.5 * math.log(1 - c * v)
    limit = replica_limit(expr, n)
    assert not limit.has(sp.Integral) and float(evaluate(limit, vals)) == pytest.approx(ref, rel=1e-12)


def test_spherical_single_site_is_gaussian_integral_with_multiplier():
    # n = 2, Lebesgue measure with e^{-λσ²/2} per replica, by 2-d quadrature
    A, B, D, lam = 0.3, 0.4, -0.2, 1.7
    prior = SphericalPrior()
    integral = _quad2(lambda s, t: math.exp(-(lam - D) / 2 * (s * s + t * t) + A * (s + t) + B * s * t))
    expr, vals = _site(prior, A, B, D, 2)
    vals["lambda"] = lam
    assert float(evaluate(expr, vals)) == pytest.approx(math.log(integral) + lam, rel=1e-10)


def _gauss_hermite(k=120):
    x, w = np.polynomial.hermite_e.hermegauss(k)
    return x, w / math.sqrt(2 * math.pi)


@pytest.fixture(scope="module")
def binary_sk():
    model = snn.model("sk", units="binary")
    return model, model.free_energy().saddle_point().compile()


def test_sk_with_binary_units_against_independent_scipy_solution(binary_sk):
    # SK with σ ∈ {0, 1} (lattice-gas SK): RS equations written by hand for a general single-spin
    # measure (Mézard, Parisi, Virasoro 1987, ch. II; soft-spin SK): effective field
    # u = β(J0 m + h + √q z) + β²(q_d − q)/2, m = q_d = E σ(u), q = E σ(u)², σ the logistic function;
    # f = J0 m²/2 + β(q_d² − q²)/4 − (1/β) E log(1 + e^u). Solved with scipy's fsolve.
    model, solver = binary_sk
    J0, h, T = 1.2, -0.3, 0.6
    beta = 1 / T
    t, w = _gauss_hermite()

    def fields(m, qd, q):
        return beta * (J0 * m + h + math.sqrt(max(q, 0.0)) * t) + beta**2 * (qd - q) / 2

    def residual(x):
        m, qd, q = x
        s = 1 / (1 + np.exp(-fields(m, qd, q)))
        return [m - w @ s, qd - w @ s, q - w @ s**2]
    m, qd, q = fsolve(residual, [0.5, 0.5, 0.3], xtol=1e-13)
    f_ref = J0 * m**2 / 2 + beta * (qd**2 - q**2) / 4 - (w @ np.logaddexp(0, fields(m, qd, q))) / beta
    sol = solver.solve(J0=J0, h=h, T=T, guess={"m": 0.5, "q_d": 0.5, "q": 0.3})
    assert sol.converged
    assert sol["m"] == pytest.approx(m, abs=1e-8)
    assert sol["q_d"] == pytest.approx(qd, abs=1e-8)
    assert sol["q"] == pytest.approx(q, abs=1e-8)
    assert sol.free_energy == pytest.approx(f_ref, abs=1e-8)
    assert [s.name for s in model.free_energy().order_parameters] == ["q_d", "m", "q"]


@pytest.fixture(scope="module")
def spherical_sk():
    model = snn.model("sk", units="spherical")
    return model, model.free_energy().saddle_point().compile()


def test_spherical_sk_reproduces_kosterlitz_thouless_jones_and_crisanti_sommers(spherical_sk):
    model, solver = spherical_sk
    # spin glass phase, J0 = h = 0: q = 1 − T (Kosterlitz, Thouless, Jones, PRL 36, 1217 (1976)) and
    # the free energy of Crisanti & Sommers, Z. Phys. B 87, 341 (1992), eq. (2.6) at p = 2:
    # −βf = ½(1 + log 2π) + (β²/4)(1 − q²) + ½ log(1 − q) + q/(2(1 − q))
    for T in (0.3, 0.7):
        beta = 1 / T
        sol = solver.solve(T=T, guess={"q": 0.5, "qhat": 1.0, "lambda": 1.0, "m": 0.0})
        q = 1 - T
        assert sol["q"] == pytest.approx(q, abs=1e-9)
        cs = 0.5 * (1 + math.log(2 * math.pi)) + beta**2 / 4 * (1 - q**2) + 0.5 * math.log(1 - q) + q / (2 * (1 - q))
        assert sol.free_energy == pytest.approx(-cs / beta, abs=1e-9)
        # the RS spin glass of the spherical model is marginal: replicon 1 − β²(1 − q)² = 0
        assert sol.replicon == pytest.approx(0.0, abs=1e-9)
    # paramagnet above T_c = 1: q = 0, f = −β/4 − (1 + log 2π)/(2β), replicon 1 − β² > 0
    sol = solver.solve(T=1.5, guess={"q": 0.0, "qhat": 0.0, "lambda": 1.0, "m": 0.0})
    beta = 1 / 1.5
    assert abs(sol["q"]) < 1e-9
    assert sol.free_energy == pytest.approx(-beta / 4 - (1 + math.log(2 * math.pi)) / (2 * beta), abs=1e-9)
    assert sol.replicon == pytest.approx(1 - beta**2, abs=1e-9)


def test_spherical_sk_zero_temperature(spherical_sk):
    # the multiplier is eliminated and q̂ = β² q̂_0 rescaled before β → ∞ (engine.zero_temperature)
    model, solver = spherical_sk
    zero = model.free_energy().saddle_point().zero_temperature()
    assert [s.name for s in zero.order_parameters] == ["m", "C", "qhat_0"]
    # ground state of the spherical SK: e0 = −λ_max(J)/2 = −1 (semicircle edge 2; Kosterlitz,
    # Thouless, Jones 1976), with C = β(1 − q) → 1
    sol = solver.solve(T=0.0)
    assert sol["C"] == pytest.approx(1.0, abs=1e-10) and sol.free_energy == pytest.approx(-1.0, abs=1e-10)
    # ferromagnet J0 > 1 (KTJ 1976): m² = (1 − T/J0)(1 − 1/J0²), C = 1/J0 at T = 0
    J0 = 1.5
    sol = solver.solve(T=0.0, J0=J0, guess={"m": 1.0})
    assert sol["m"] ** 2 == pytest.approx(1 - 1 / J0**2, abs=1e-9) and sol["C"] == pytest.approx(1 / J0, abs=1e-9)
    warm = solver.solve(T=0.3, J0=J0, guess={"m": 1.0, "q": 0.9, "qhat": 10.0, "lambda": 1.0})
    assert warm["m"] ** 2 == pytest.approx((1 - 0.3 / J0) * (1 - 1 / J0**2), abs=1e-9)


def test_soft_units_refuse_the_ising_zero_temperature_rule():
    gaussian = snn.model("sk", units="gaussian").free_energy()
    assert {s.name for s in gaussian.order_parameters} == {"q_d", "qhat_d", "m", "q", "qhat"}
    with pytest.raises(DerivationError, match="zero-temperature"):
        gaussian.saddle_point().zero_temperature()


def test_ising_sk_derivation_unchanged_by_units_option():
    # the default is the Foundation's SK: the same free energy expression as an explicit "ising"
    assert snn.model("sk").free_energy().expr == snn.model("sk", units="ising").free_energy().expr


def test_bad_prior_inputs_raise_parameter_errors():
    with pytest.raises(ParameterError, match="equal length"):
        DiscretePrior([0, 1], [1])
    with pytest.raises(ParameterError, match="non-negative"):
        DiscretePrior([0, 1], [1, -0.5])
    with pytest.raises(ParameterError, match="finite real"):
        DiscretePrior([0, float("nan")], [1, 1])
    with pytest.raises(ParameterError, match="finite real"):
        DiscretePrior([0, "1"], [1, 1])
    with pytest.raises(ParameterError, match="distinct"):
        DiscretePrior([1, 1], [1, 1])
    with pytest.raises(ParameterError, match="not all be zero"):
        DiscretePrior([0, 1], [0, 0])
    with pytest.raises(ParameterError, match=r"\[0, 1\)"):
        DilutedPrior(1.0)
    with pytest.raises(ParameterError, match="positive"):
        GaussianPrior(-1)
    with pytest.raises(ParameterError, match="ising, binary, gaussian, spherical"):
        prior_from_name("potts")
    with pytest.raises(ParameterError, match="units"):
        snn.model("sk", units="potts")
    assert DiscretePrior([0, 1, 2], [1, 2, 1]).weights == (sp.Rational(1, 4), sp.Rational(1, 2), sp.Rational(1, 4))


@pytest.mark.skipif(__import__("shutil").which("pdflatex") is None and not __import__("os").environ.get("CI"),
                    reason="pdflatex not installed (CI installs it)")
@pytest.mark.parametrize("name, options", [("sk", {"units": "spherical"}), ("sk", {"units": "binary"}),
                                           ("sk", {"units": "gaussian"}), ("rbm", {"hidden": "ising"}),
                                           ("rbm", {"visible": "spherical"})])
def test_derivations_with_new_priors_compile(tmp_path, name, options):
    import subprocess
    from statmech_nn.export import derivation_document
    text = derivation_document(snn.model(name, **options))
    assert "Single-site problem" in text
    # no zero-temperature section for soft units (the engine refuses that limit)
    assert ("Zero temperature" in text) == (options.get("units") not in ("binary", "gaussian"))
    tex = tmp_path / "doc.tex"
    tex.write_text(text)
    proc = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "doc.tex"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout[-2000:]
    assert (tmp_path / "doc.pdf").stat().st_size > 5_000
