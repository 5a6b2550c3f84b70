"""Dense Hebbian networks learning from noisy examples (supervised and unsupervised): the example
moments the engine derives against exact enumeration, the reduction to dense-hopfield, the T = 0
equations and capacity against hand-written scipy computations, the phase diagram at a few dataset
entropies, and the large-p scaling of the derived equations."""
import itertools
import math

import numpy as np
import pytest
import sympy as sp
from scipy.optimize import brentq, minimize_scalar
from scipy.special import erf

import statmech_nn as snn
from statmech_nn.errors import ParameterError
from statmech_nn.symbolic.averages import GaussianAverage, averages_in
from statmech_nn.symbolic.numeric import evaluate
from statmech_nn.models.dense_hebbian import DenseHebbian
from statmech_nn.models.dense_hebbian import DenseHebbianExamples


def _kappa(p, rho, setting, M=None):
    """Noise factor written out by hand (see DenseHebbianExamples): supervised (1 + ρ)^p,
    unsupervised 1 − 1/M + (1 + ρM)^p/M."""
    return (1 + rho) ** p if setting == "supervised" else 1 - 1 / M + (1 + rho * M) ** p / M


def test_example_moments_match_exact_enumeration():
    # M = 3 examples of quality r = 0.6: enumerate the 2^M example signs χ = ±1,
    # P(χ = 1) = (1 + r)/2 (Agliari et al., arXiv:2212.00606 and 2211.14067, η = χξ)
    M, r, p = 3, 0.6, 4
    rho = (1 - r * r) / (M * r * r)
    chis = np.array(list(itertools.product([-1, 1], repeat=M)), float)
    w = np.prod(np.where(chis > 0, (1 + r) / 2, (1 - r) / 2), axis=1)
    chibar = chis.sum(1) / (r * M)
    mean, var = np.sum(w * chibar), np.sum(w * chibar**2) - np.sum(w * chibar) ** 2
    # supervised: κ = (E η̂²)^p; unsupervised: Σ_ab E[Π_k χ^a χ^b]/(M r^p)² over p independent sites
    pair = np.einsum("c,ca,cb->ab", w, chis, chis)          # E χ^a χ^b for one site
    unsup = np.sum(pair ** p) / (M * r**p) ** 2
    for setting, exact_kappa in (("supervised", np.sum(w * chibar**2) ** p), ("unsupervised", unsup)):
        term = DenseHebbianExamples(p, sp.Symbol("alpha"), sp.Float(rho, 30), sp.Integer(M), setting)
        m_, v_, k_ = (float(x) for x in term.example_moments())
        assert m_ == pytest.approx(mean, abs=1e-14) and mean == pytest.approx(1, abs=1e-14)
        assert v_ == pytest.approx(var, abs=1e-14) and var == pytest.approx(rho, abs=1e-14)
        assert k_ == pytest.approx(exact_kappa, rel=1e-13)
        assert k_ == pytest.approx(_kappa(p, rho, setting, M), rel=1e-13)


@pytest.mark.parametrize("p,setting", [(3, "supervised"), (4, "supervised"), (4, "unsupervised")])
def test_perfect_data_is_dense_hopfield(p, setting):
    # ρ = 0 (r = 1 or M → ∞): the dense Hopfield network of the archetypes (Gardner 1987), at
    # random points of the order parameters, with h = 0 (dense-hebbian is written in the gauge
    # σ → ξσ, which needs no field)
    rng = np.random.default_rng(p)
    ours = DenseHebbian(p=p, setting=setting).free_energy().expr
    ref = snn.model("dense-hopfield", p=p).free_energy().expr
    # at ρ = 0 the dataset noise Y drops out of the integrands: E_Y[g] = g (no 2-d mpmath quadrature)
    ours = ours.subs(sp.Symbol("rho", positive=True), 0)
    ours = ours.subs(DenseHebbian(p=p, setting=setting).symbol("rho"), 0)
    outer = [a for a in averages_in(ours, GaussianAverage) if a.variable.name == "Y"]
    assert outer and all(not a.integrand.has(a.variable) for a in outer)
    ours = ours.xreplace({a: a.integrand for a in outer})
    for _ in range(2):
        point = {"m": rng.uniform(0.2, 1), "lambda_m": rng.uniform(0.5, 4), "q": rng.uniform(0.2, 1),
                 "lambda_q": rng.uniform(0.5, 4), "alpha": rng.uniform(0.001, 0.05),
                 "beta": rng.uniform(0.5, 5)}
        extra = {"M": rng.uniform(1, 20)} if setting == "unsupervised" else {}
        a = evaluate(ours, dict(point, **extra), dps=20)
        b = evaluate(ref, dict(point, h=0), dps=20)
        assert abs(a - b) < 1e-10


# -- T = 0: the retrieval state and its capacity, by hand ---------------------------------------------

#: Gauss–Hermite nodes for E_Y over a standard normal (probabilists' weights)
_Y, _WY = np.polynomial.hermite_e.hermegauss(120)
_WY = _WY / _WY.sum()


def _gauss(f):
    return float(np.sum(_WY * f(_Y)))


def _zero_t_map(m, p, alpha, rho, kappa):
    """m ← E_Y[χ̄ erf(χ̄ m^{p−1}/√(2α(p−1)!κ))], χ̄ = 1 + √ρ Y: the T = 0 retrieval equation
    written out from the p-spin-like RS structure (q → 1, no Onsager term for p ≥ 3; Gardner,
    J. Phys. A 20, 3453 (1987) for ρ = 0) with the example noise of DenseHebbianExamples."""
    s = math.sqrt(2 * alpha * math.factorial(p - 1) * kappa)
    chibar = 1 + math.sqrt(rho) * _Y
    return float(np.sum(_WY * chibar * erf(chibar * m ** (p - 1) / s)))


def _retrieval(p, alpha, rho, kappa):
    """The largest fixed point of the (increasing) map, or None if only m = 0."""
    top = 1 + 4 * math.sqrt(rho)
    grid = np.linspace(0.02, top, 400)
    vals = np.array([_zero_t_map(m, p, alpha, rho, kappa) - m for m in grid])
    sign_changes = np.flatnonzero(vals[:-1] * vals[1:] < 0)
    if len(sign_changes) == 0:
        return None
    k = sign_changes[-1]
    return brentq(lambda m: _zero_t_map(m, p, alpha, rho, kappa) - m, grid[k], grid[k + 1], xtol=1e-14)


def _alpha_c(p, rho, kappa):
    """Largest α with a retrieval fixed point: the root in α of max_m [map(m)/m] = 1."""
    def excess(alpha):
        ratio = lambda m: -_zero_t_map(m, p, alpha, rho, kappa) / m
        grid = np.linspace(0.05, 1 + 4 * math.sqrt(rho), 200)
        j = int(np.argmin([ratio(m) for m in grid]))
        best = minimize_scalar(ratio, bounds=(grid[max(j - 1, 0)], grid[min(j + 1, 199)]), method="bounded",
                               options={"xatol": 1e-12})
        return -best.fun - 1
    lo, hi = 1e-4 / (math.factorial(p - 1) * kappa), 1.0 / (math.factorial(p - 1) * kappa)
    return brentq(excess, lo, hi, xtol=1e-14, rtol=1e-12)


@pytest.fixture(scope="module")
def supervised4():
    model = DenseHebbian(p=4)
    return model, model.free_energy().saddle_point().compile()


def test_zero_temperature_retrieval_matches_hand_written_equation(supervised4):
    model, solver = supervised4
    for rho, alpha in ((0.1, 0.01), (0.5, 0.004)):
        sol = solver.solve(alpha=alpha, rho=rho, T=0.0)
        assert sol["C"] > 0
        assert sol["m"] == pytest.approx(_retrieval(4, alpha, rho, (1 + rho) ** 4), abs=1e-8)


@pytest.mark.slow
def test_phase_diagram_at_three_dataset_entropies():
    # RS phase diagram in (α, T) at ρ = 0, 0.1, 0.3: retrieval at low load and T, the retrieval
    # spinodal ending near the hand-written T = 0 capacity, which shrinks as the dataset gets noisier
    model = DenseHebbian(p=4)
    solver = model.free_energy().saddle_point().compile()
    capacities = []
    for rho in (0.0, 0.1, 0.3):
        kappa = (1 + rho) ** 4
        ac = _alpha_c(4, rho, kappa)
        pd = snn.phase_diagram(model, x=("alpha", 0.0, 1.6 * ac), y=("T", 0.02, 0.6), resolution=7, rho=rho)
        assert pd.phase_at(alpha=0.3 * ac, T=0.02) == "retrieval"
        # the T = 0 solver has the retrieval state just below the capacity, none just above
        # on the coldest row retrieval is gone above the T = 0 capacity; below it the retrieval
        # state is metastable beyond the first-order line retrieval / spin glass (as for AGS)
        for alpha, phase in zip(pd.xs, pd.phases[0]):
            if alpha > 1.05 * ac:
                assert phase != "retrieval", (rho, alpha, phase, ac)
        first = pd.boundaries["retrieval / spin glass"]
        assert pd.line("retrieval / spin glass").kind == "first-order"
        assert 0 < first[:, 0].max() < ac
        above = solver.solve(alpha=1.01 * ac, rho=rho, T=0.0, errors="mask")
        assert not (above["m"] > 0.5)
        below = solver.solve(alpha=0.99 * ac, rho=rho, T=0.0)
        assert below["m"] == pytest.approx(_retrieval(4, 0.99 * ac, rho, kappa), abs=1e-8)
        capacities.append(ac)
    assert capacities[0] > capacities[1] > capacities[2]
    # ρ = 0 is the dense Hopfield capacity of this normalisation: σ_c² = α_c (p−1)! ≈ 0.198
    assert capacities[0] * math.factorial(3) == pytest.approx(0.1979, abs=1e-3)


def test_large_p_scaling_of_the_capacity():
    # ultra-storage in the derived equations: α_c depends on p and the dataset only through the
    # noise variance α (p−1)! κ (and m^{p−1}), so the critical variance σ_c² = α_c (p−1)! κ is the
    # same for both settings, and with perfect data m → 1 needs (p−1) e^{−1/(2σ²)} → 0, i.e.
    # σ_c² ≈ 1/(2 ln p): P_c ≈ N^{p−1}/(2 (p−1)! ln p) archetypes. 2 ln p σ_c² rises slowly to 1.
    scaled = [_alpha_c(p, 0.0, 1.0) * math.factorial(p - 1) * 2 * math.log(p) for p in (4, 6, 8, 10, 14)]
    assert np.all(np.diff(scaled) > 0) and 0.5 < scaled[0] and scaled[-1] < 1
    sup = _alpha_c(6, 0.2, _kappa(6, 0.2, "supervised")) * _kappa(6, 0.2, "supervised")
    unsup = _alpha_c(6, 0.2, _kappa(6, 0.2, "unsupervised", 10)) * _kappa(6, 0.2, "unsupervised", 10)
    assert sup == pytest.approx(unsup, rel=1e-9)
    # the engine's T = 0 solver agrees at p = 6: retrieval just below α_c, none just above
    model = DenseHebbian(p=6)
    solver = model.free_energy().saddle_point().compile()
    ac = _alpha_c(6, 0.2, 1.2**6)
    below = solver.solve(alpha=0.97 * ac, rho=0.2, T=0.0)
    assert below["m"] == pytest.approx(_retrieval(6, 0.97 * ac, 0.2, 1.2**6), abs=1e-7)
    above = solver.solve(alpha=1.03 * ac, rho=0.2, T=0.0, errors="mask")
    assert not (above["m"] > 0.5)


def test_low_load_detection_at_any_dataset_entropy(supervised4):
    # α → 0 at T = 0: m = E|χ̄| for every ρ (no noise: each neuron follows sign(χ̄)), so the
    # archetype is retrieved however noisy the dataset; the overlap with the archetype itself is
    # P(χ̄ > 0) − P(χ̄ < 0) = erf(1/√(2ρ))
    model, solver = supervised4
    for rho in (0.5, 2.0):
        alpha = 2e-3 / (1 + rho) ** 4        # noise variance α 3! κ = 0.012
        # (T = 0.01: the engine's T = 0 form of C overflows when the noise is this small)
        sol = solver.solve(alpha=alpha, rho=rho, T=0.01)
        expected = _gauss(lambda y: abs(1 + math.sqrt(rho) * y))
        assert sol["m"] == pytest.approx(expected, abs=1e-2)


def test_unsupervised_noise_depends_on_M_and_bad_input():
    un = DenseHebbian(p=4, setting="unsupervised")
    solver = un.free_energy().saddle_point().compile()
    sup = DenseHebbian(p=4).free_energy().saddle_point().compile()
    # equal noise variances α κ give equal solutions: κ_unsup(M = 10, ρ = 0.1) = 2.5
    a = solver.solve(alpha=0.004, rho=0.1, M=10.0, T=0.1)
    b = sup.solve(alpha=0.004 * 2.5 / 1.1**4, rho=0.1, T=0.1)
    assert a["m"] == pytest.approx(b["m"], abs=1e-9)
    with pytest.raises(ParameterError, match="setting"):
        DenseHebbian(setting="semi")
    with pytest.raises(ParameterError, match="p"):
        DenseHebbian(p=2)
    with pytest.raises(ParameterError):
        solver.solve(alpha=0.01, rho=0.1, M=0.5, T=0.1)        # M >= 1
    with pytest.raises(ParameterError):
        sup.solve(alpha=0.01, rho=-0.1, T=0.1)


def test_paramagnet_at_high_temperature_is_stable(supervised4):
    # at q = λ_q = 0 the noise field ∝ √λ_q makes the Hessian's terms 0·inf; the solver takes the
    # Hessian as its limit from inside, so the paramagnet (m = q = 0) counts as stable above the
    # ordered phases (the (ρ, T) phase diagram had unclassified cells there)
    model, solver = supervised4
    sol = solver.solve(alpha=0.005, rho=0.0, T=0.6, guess={"m": 0.0, "lambda_m": 0.0, "q": 0.0, "lambda_q": 0.0})
    assert sol["m"] == 0.0 and sol["q"] == 0.0 and sol["lambda_q"] == 0.0
    assert np.all(np.isfinite(sol.hessian)) and sol.stable and sol.curvature_stable
    # f ⊃ λ_m m/4 − T E log 2cosh(β λ_m/4 + …): H_{m λ_m} = 1/4, H_{λ_m λ_m} = −T (β/4)² = −β/16 at zero field
    assert sol.hessian[0, 1] == pytest.approx(0.25, abs=1e-12)
    assert sol.hessian[1, 1] == pytest.approx(-1 / 0.6 / 16, rel=1e-9)
