"""RBM priors moving continuously from Gaussian to Boolean (issue 5): the mixture prior's primitives
against scipy, the endpoints δ = 0, 1 against the existing Gaussian/Boolean options, and the
paramagnet–spin glass and spin glass–retrieval lines as δ moves (Barra, Genovese, Sollich, Tantari,
PRE 97, 022310 (2018), arXiv:1702.05882; PRE 96, 042156 (2017), arXiv:1612.03132)."""
import functools
import math
import os
import shutil
import subprocess

import numpy as np
import pytest
import sympy as sp
from scipy import integrate
from scipy.optimize import brentq

import statmech_nn as snn
from statmech_nn.errors import ConvergenceError, ParameterError
from statmech_nn.phases.rbm_lines import (lines_versus, paramagnet_spin_glass_temperature,
                                          retrieval_temperature)
from statmech_nn.symbolic.derivation import Derivation
from statmech_nn.symbolic.engine import n, z
from statmech_nn.symbolic.numeric import evaluate
from statmech_nn.symbolic.priors import GaussianMixturePrior
from statmech_nn.symbolic.replica import replica_limit

LOG2 = math.log(2)


def _tilted_moments(delta, w, x, c):
    """``∫ σ^k dP(σ) e^{xσ + cσ²/2}``, k = 0, 1, 2, by scipy quadrature of the mixture density
    ½N(√δ, (1 − δ)w) + ½N(−√δ, (1 − δ)w) (a sum over ±1 at δ = 1)."""
    if delta == 1:
        return [sum(0.5 * s**k * math.exp(x * s + c / 2) for s in (-1, 1)) for k in range(3)]
    v = (1 - delta) * w

    def tilted(s):      # one exponent per component: no overflow in the tails
        return sum(0.5 * math.exp(-(s - m) ** 2 / (2 * v) + x * s + c * s * s / 2)
                   / math.sqrt(2 * math.pi * v) for m in (math.sqrt(delta), -math.sqrt(delta)))
    return [integrate.quad(lambda s: s**k * tilted(s), -np.inf, np.inf, epsabs=0, epsrel=1e-13,
                           limit=200)[0] for k in range(3)]


@pytest.mark.parametrize("delta", [0.0, 0.3, 0.8, 1.0])
@pytest.mark.parametrize("w", [1.0, 0.4])
def test_mixture_primitives_against_scipy_quadrature(delta, w):
    # TRAMP-style primitives of the tilted measure: log-partition, mean, variance (the closed form
    # comes from SymPy's Gaussian integrals; the reference is scipy quadrature of the density)
    prior = GaussianMixturePrior(sp.nsimplify(delta), sp.nsimplify(w))
    for x, c in ((0.37, -0.45), (-1.2, 0.3)):
        m0, m1, m2 = _tilted_moments(delta, w, x, c)
        X, C = sp.Float(x), sp.Float(c)
        assert float(prior.log_partition_quadratic(X, C)) == pytest.approx(math.log(m0), rel=1e-11, abs=1e-12)
        assert float(prior.mean(X, C)) == pytest.approx(m1 / m0, rel=1e-10)
        assert float(prior.variance(X, C)) == pytest.approx(m2 / m0 - (m1 / m0) ** 2, rel=1e-10)
    # unit variance for w = 1 at every δ: the family moves from Gaussian to Boolean at fixed variance
    if w == 1.0:
        assert sp.simplify(prior.variance(0)) == 1


def test_mixture_endpoints_are_the_gaussian_and_boolean_log_partitions():
    x, c = sp.symbols("x c", real=True)
    w = sp.Symbol("w", positive=True)
    gauss = GaussianMixturePrior(0, w).log_partition_quadratic(x, c)
    assert sp.simplify(gauss - (w * x**2 / (2 * (1 - c * w)) - sp.log(1 - c * w) / 2)) == 0
    boolean = GaussianMixturePrior(1, w).log_partition_quadratic(x, c)
    assert sp.simplify(boolean - (sp.log(sp.cosh(x)) + c / 2)) == 0


def test_mixture_single_site_problem_against_quadrature():
    # the replicated single-site problem of the engine (one HS Gaussian z for the replica pairs):
    # n = 2 against the direct 2-d integral over σ¹, σ² (scipy), n → 0 against E_z φ(A + √B z, D − B)
    A, B, D = 0.3, 0.4, -0.2
    delta = 0.4
    prior = GaussianMixturePrior(sp.Rational(2, 5))
    A_, B_, D_ = sp.symbols("A B D", real=True)
    expr, _ = prior.single_site(A_, B_, n, z, Derivation("t"), diag=D_)
    vals = {"A": A, "B": B, "D": D}
    v = 1 - delta

    def density(s):
        return sum(0.5 * math.exp(-(s - m) ** 2 / (2 * v)) / math.sqrt(2 * math.pi * v)
                   for m in (math.sqrt(delta), -math.sqrt(delta)))
    two = integrate.dblquad(lambda t, s: density(s) * density(t) * math.exp(A * (s + t) + B * s * t
                                                                           + D / 2 * (s * s + t * t)),
                            -12, 12, -12, 12, epsabs=1e-13, epsrel=1e-12)[0]
    assert float(evaluate(expr.subs(n, 2), vals)) == pytest.approx(math.log(two), rel=1e-9)
    limit = replica_limit(expr, n)

    def phi(zz):
        return math.log(_tilted_moments(delta, 1.0, A + math.sqrt(B) * zz, D - B)[0])
    ref = integrate.quad(lambda zz: phi(zz) * math.exp(-zz * zz / 2) / math.sqrt(2 * math.pi),
                         -10, 10, epsabs=1e-13)[0]
    assert float(evaluate(limit, vals)) == pytest.approx(ref, rel=1e-9)


def test_bad_delta_raises_parameter_errors():
    for bad in (1.5, -0.1, float("nan")):
        with pytest.raises(ParameterError, match=r"\[0, 1\]"):
            GaussianMixturePrior(bad)
    with pytest.raises(ParameterError, match="noise variance"):
        GaussianMixturePrior(0.5, 0)
    with pytest.raises(ParameterError, match="delta_h"):
        snn.model("rbm", hidden="mixture", delta_h=1.2)
    with pytest.raises(ParameterError, match="delta_h"):        # δ only exists for a mixture layer
        snn.model("rbm", delta_h=0.5)
    with pytest.raises(ParameterError, match="visible"):
        snn.model("rbm", visible="mixtures")


# -- endpoints δ = 0, 1 against the existing options -----------------------------------------------

@pytest.fixture(scope="module")
def hidden_mixture():
    return _compiled(hidden="mixture")


@pytest.fixture(scope="module")
def visible_mixture():
    return _compiled(visible="mixture")


@pytest.fixture(scope="module")
def weights_mixture():
    return _compiled(weights="mixture")


ENDPOINT_CASES = [("hidden", {}), ("visible", {"hidden": "ising"}), ("weights", {})]
DELTA_NAME = {"visible": "delta_v", "hidden": "delta_h", "weights": "delta_w"}


def _shift(role, delta, alpha, T):
    """The mixture is a probability measure, the Ising prior the counting measure on ±1: at δ = 1
    f differs by exactly −T log 2 per Boolean unit (visible: 1, hidden: α per visible unit)."""
    if delta == 1.0:
        return {"visible": T * LOG2, "hidden": alpha * T * LOG2, "weights": 0.0}[role]
    return 0.0


@pytest.mark.parametrize("role,options", ENDPOINT_CASES[:2])
def test_endpoint_free_energies_equal_the_gaussian_and_boolean_options(role, options):
    # δ = 0 is the existing Gaussian option, δ = 1 the Boolean (±1) one: the derived free energies
    # agree as functions of the order parameters (mpmath at random points, to 1e-15). Gaussian
    # visible and Gaussian hidden units together have no Gibbs measure (½σ² + ½τ² − ξστ/√N is
    # unbounded below: the largest singular value of ξ/√N is 1 + √α), so the visible endpoints are
    # checked with Boolean hidden units. (The weights' endpoints are checked on the solutions
    # below: their nested mpmath averages over ξ, g and z take minutes.)
    mixture = snn.model("rbm", **{**options, role: "mixture"}).free_energy()
    rng = np.random.default_rng(5)
    for delta, end in ((0.0, "gaussian"), (1.0, "ising")):
        reference = snn.model("rbm", **{**options, role: end}).free_energy()
        names = {x.name for x in mixture.order_parameters} | {x.name for x in reference.order_parameters}
        for _ in range(2):
            alpha, T = rng.uniform(0.02, 0.1), rng.uniform(1.0, 1.5)
            point = {k: rng.uniform(0.1, 0.4) for k in names}
            if "q_d" in names:       # a normalisable point: q_d < T
                point["q_d"] = rng.uniform(1.0, T)
            point.update(alpha=alpha, beta=1 / T, **{DELTA_NAME[role]: delta})
            gap = evaluate(mixture.expr, point, dps=20) - evaluate(reference.expr, point, dps=20)
            assert abs(gap - _shift(role, delta, alpha, T)) < 1e-15, (role, delta, float(gap))


@functools.lru_cache(maxsize=None)
def _compiled(tol=1e-10, **options):
    # cached: the derivation and compilation of one option set serve every test that needs it
    model = snn.model("rbm", **options)
    return model, model.free_energy().saddle_point().compile(tol=tol, maxiter=4000)


@pytest.mark.parametrize("role,options", ENDPOINT_CASES)
def test_endpoint_solutions_equal_the_gaussian_and_boolean_options(role, options):
    # the solved saddle points on a grid, every branch reached from two starts: equal to 1e-9
    # relative to max(1, |value|) where both solvers converge (the solver's own tolerance 1e-12
    # limits the agreement next to the paramagnet, where the iteration converges slowly)
    _, solver = _compiled(tol=1e-12, **{**options, role: "mixture"})
    if role == "visible":
        alpha, T = np.meshgrid([0.5, 1.0, 2.0], [0.7, 1.2, 2.0])
    else:
        alpha, T = np.meshgrid([0.01, 0.05, 0.1], [0.1, 0.3, 0.6, 1.3])
    for delta, end in ((0.0, "gaussian"), (1.0, "ising")):
        _, reference = _compiled(tol=1e-12, **{**options, role: end})
        ref_names = [s.name for s in reference.saddle_point.order_parameters]
        for start in ({k: 1.0 for k in ref_names}, {k: (0.0 if k == "m" else 0.5) for k in ref_names}):
            a = solver.solve(alpha=alpha, T=T, guess=start, errors="mask", **{DELTA_NAME[role]: delta})
            b = reference.solve(alpha=alpha, T=T, guess=start, errors="mask")
            ok = a.converged & b.converged
            assert ok.sum() >= 5, (role, delta)
            for k in ref_names:
                scale = np.maximum(1.0, np.abs(b[k][ok]))
                assert np.max(np.abs(a[k][ok] - b[k][ok]) / scale) < 1e-9, (role, delta, k)
            shift = _shift(role, delta, alpha[ok], T[ok])
            scale = np.maximum(1.0, np.abs(b.free_energy[ok]))
            assert np.max(np.abs(a.free_energy[ok] - b.free_energy[ok] - shift) / scale) < 1e-9, (role, delta)


# -- the paramagnet–spin glass line ----------------------------------------------------------------

def _paramagnetic_variance(delta, T, tilt):
    """Variance of a mixture unit (Gaussian part (1 − δ)T, its self-energy in H) under the
    paramagnetic measure ∝ dP(σ) e^{tilt σ²/2}, by scipy quadrature."""
    m0, m1, m2 = _tilted_moments(delta, T, 0.0, tilt)
    return m2 / m0 - (m1 / m0) ** 2


def test_paramagnet_spin_glass_line_is_set_by_the_unit_variances(hidden_mixture):
    # Barra et al. 2018: the paramagnetic boundary depends on the priors only through the (second
    # moments of the) units. Linearising q = αβ²χ_v² p, p = β²χ_h² q about q = p = 0 gives
    # √α β² χ_v χ_h = 1, χ the variances of the units in the paramagnet: Boolean visible units
    # χ_v = 1, mixture hidden units χ_h of the tilted measure dP(τ) e^{β²τ²/2} (the diagonal
    # Σ_a Q_aa P_aa term). Independent root of that equation with scipy quadrature for χ_h.
    model, _ = hidden_mixture
    alpha = 0.01
    for delta in (0.0, 0.3, 0.7, 1.0):
        Tg = paramagnet_spin_glass_temperature(model, alpha, delta_h=delta)

        def gap(T):
            return math.sqrt(alpha) / T**2 * _paramagnetic_variance(delta, T, 1 / T**2) - 1
        # the tilted Gaussian part must stay normalisable: (1 − δ)β < 1 (2 % above that edge the
        # quadrature is still well conditioned and the gap positive)
        lower = max((1 - delta) * 1.02, 0.05)
        assert Tg == pytest.approx(brentq(gap, lower, 5.0, xtol=1e-14), abs=1e-8), delta
    # endpoints: AGS T_g = 1 + √α (Gaussian hidden = Hopfield) and β²√α = 1 (Boolean hidden)
    assert paramagnet_spin_glass_temperature(model, alpha, delta_h=0.0) == pytest.approx(1 + math.sqrt(alpha), abs=1e-8)
    assert paramagnet_spin_glass_temperature(model, alpha, delta_h=1.0) == pytest.approx(alpha ** 0.25, abs=1e-8)


def test_paramagnet_spin_glass_line_does_not_depend_on_the_pattern_law(weights_mixture):
    # the weights enter the paramagnet only through their variance (= 1 for every δ_w, Barra et al.
    # 2018 sec. 2): T_g = 1 + √α (AGS 1987) for Gaussian, mixed and Boolean patterns
    model, _ = weights_mixture
    for delta in (0.0, 0.5, 1.0):
        assert paramagnet_spin_glass_temperature(model, 0.04, delta_w=delta) == pytest.approx(1.2, abs=1e-8)


# -- the spin glass–retrieval line -----------------------------------------------------------------

@pytest.mark.slow
def test_retrieval_region_grows_with_peaked_visible_units_and_patterns_and_broad_hidden_units(
        hidden_mixture, visible_mixture, weights_mixture):
    # Barra et al. 2018, abstract: "The retrieval region is larger when the pattern entries and
    # retrieval units get more peaked and, conversely, when the hidden units acquire a broader
    # prior". The retrieval temperature T_M (end of the retrieval branch) at fixed load:
    hidden = lines_versus(hidden_mixture[0], "delta_h", [0.0, 0.3, 0.6], alpha=0.01, T_start=0.05)
    visible = lines_versus(visible_mixture[0], "delta_v", [0.5, 0.75, 1.0], alpha=0.01, T_start=0.05)
    weights = lines_versus(weights_mixture[0], "delta_w", [0.5, 0.75, 1.0], alpha=0.001, T_start=0.05)
    assert np.all(np.diff(hidden["T_M"]) < -0.1)             # more Boolean hidden units: smaller
    assert np.all(np.diff(visible["T_M"]) > 0.02)            # more Boolean visible units: larger
    assert np.all(np.diff(weights["T_M"]) > 0.1)             # more Boolean patterns: larger
    # the Hopfield point (Gaussian hidden, Boolean visible and patterns) is reached from both sides
    assert hidden["T_M"][0] == pytest.approx(visible["T_M"][-1], abs=2e-6)
    # values measured here (α = 0.01): 0.801 → 0.159 over δ_h = 0 … 0.6, 0.613 → 0.801 over
    # δ_v = 0.5 … 1; (α = 0.001) 0.494 → 0.938 over δ_w = 0.5 … 1
    assert hidden["T_M"][0] == pytest.approx(0.8010, abs=1e-3)
    assert hidden["T_M"][-1] == pytest.approx(0.1586, abs=1e-3)
    assert weights["T_M"][0] == pytest.approx(0.4940, abs=1e-3)
    # the paramagnetic line moves the other way with δ_h and δ_v (the paramagnetic variances
    # shrink as the Gaussian part of the units, with variance (1 − δ)T, goes away)
    assert np.all(np.diff(hidden["T_g"]) < 0) and np.all(np.diff(visible["T_g"]) < 0)
    assert np.all(np.asarray(hidden["T_M"]) < np.asarray(hidden["T_g"]))


def _mattis_overlap(delta, T):
    """α = 0 Mattis overlap m = E ξ tanh(βξm) for mixture patterns (scipy; AGS 1985 at α = 0)."""
    def rhs(m):
        return sum(0.5 * integrate.quad(
            lambda g: (s * math.sqrt(delta) + math.sqrt(1 - delta) * g)
            * math.tanh((s * math.sqrt(delta) + math.sqrt(1 - delta) * g) * m / T)
            * math.exp(-g * g / 2) / math.sqrt(2 * math.pi), -12, 12, epsabs=1e-13)[0] for s in (1, -1))
    return brentq(lambda m: rhs(m) - m, 1e-6, 3.0, xtol=1e-14)


def test_low_load_retrieval_exists_for_every_pattern_law_but_the_gaussian(weights_mixture):
    # Barra et al. 2018, abstract: "at low load retrieval always exists below some critical
    # temperature, for every pattern distribution ranging from the Boolean to the Gaussian case".
    # At α → 0 the retrieval state is the Mattis state m = E ξ tanh(βξm); at α = 1e-6 the solver
    # finds it for δ_w = 0.25, 0.5, 1 at T = 0.5 with m within the O(α p) noise correction.
    model, solver = weights_mixture
    for delta in (0.25, 0.5, 1.0):
        sol = solver.solve(alpha=1e-6, T=0.5, delta_w=delta, guess={"q": 1.0, "p": 1.0, "m": 1.0})
        assert sol["m"] == pytest.approx(_mattis_overlap(delta, 0.5), abs=5e-3), delta
    # The Gaussian endpoint is marginal in this RS theory: on the α = 0 Mattis branch Stein's lemma
    # gives m = E ξ tanh(βξm) = βm E sech²(βξm), i.e. β(1 − q) = 1 exactly, where the hidden
    # overlap p = q/(1 − β(1 − q))² diverges; so no retrieval state at any small α > 0.
    with pytest.raises(ConvergenceError, match="no retrieval state"):
        retrieval_temperature(model, 1e-8, T_start=0.5, delta_w=0.0)
    # for δ_w > 0, β(1 − q) < 1 on the Mattis branch, and retrieval needs a load below ~(1 − β(1 − q))²:
    # δ_w = 0.25 retrieves at α = 1e-5 and its T_M approaches the α = 0 value 1 as α → 0
    assert 0.85 < retrieval_temperature(model, 1e-6, T_start=0.3, delta_w=0.25) < 1.0


def test_phase_diagram_in_the_delta_h_temperature_plane(hidden_mixture):
    # the phase-diagram engine draws the (δ_h, T) plane at fixed load: retrieval for broad (Gaussian)
    # hidden units at low T, the spin glass for Boolean ones, the paramagnet above T_g = 1 + √α at δ_h = 0
    model, _ = hidden_mixture
    pd = snn.phase_diagram(model, x=("delta_h", 0.0, 1.0), y=("T", 0.05, 1.3), resolution=7, alpha=0.01)
    assert pd.phase_at(delta_h=0.0, T=0.2) == "retrieval"
    assert pd.phase_at(delta_h=1.0, T=0.2) == "spin glass"
    assert pd.phase_at(delta_h=0.0, T=1.25) == "paramagnet"
    spinodal = np.vstack([v for k, v in pd.boundaries.items() if k.startswith("spinodal: retrieval")])
    order = np.argsort(spinodal[:, 0])
    assert len(spinodal) >= 4 and np.all(np.diff(spinodal[order, 1]) < 0)   # T_M falls as δ_h grows


@pytest.mark.skipif(shutil.which("pdflatex") is None and not os.environ.get("CI"),
                    reason="pdflatex not installed (CI installs it)")
@pytest.mark.parametrize("role", ["visible", "hidden", "weights"])
def test_mixture_derivation_document_compiles(tmp_path, role):
    from statmech_nn.export import derivation_document
    text = derivation_document(snn.model("rbm", **{role: "mixture"}))
    assert r"\delta_{%s}" % role[0] in text          # the control parameter δ_v, δ_h, δ_w
    tex = tmp_path / "rbm_mixture.tex"
    tex.write_text(text)
    proc = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", tex.name],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout[-2000:]
    assert (tmp_path / "rbm_mixture.pdf").stat().st_size > 5_000
