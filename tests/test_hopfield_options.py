"""Hopfield options: diluted and biased patterns, K condensed patterns (symmetric mixtures and their
stability), against independent scipy computations and the papers cited beside each number."""
import itertools
import os
import shutil
import math

import mpmath
import numpy as np
import pytest
import sympy as sp
from scipy.integrate import quad
from scipy.optimize import brentq, fsolve, minimize_scalar
from scipy.special import erf

import statmech_nn as snn
from statmech_nn.errors import DerivationError, ParameterError
from statmech_nn.symbolic.engine import derive
from statmech_nn.symbolic.interactions import ExternalField, Hamiltonian, HebbianCouplings
from statmech_nn.symbolic.laws import DiscreteLaw
from statmech_nn.symbolic.numeric import evaluate
from statmech_nn.symbolic.priors import IsingPrior

GUESS3 = {"m_1": 1.0, "m_2": 1.0, "m_3": 1.0}


@pytest.fixture(scope="module")
def diluted():
    return snn.model("hopfield", pattern="diluted")


@pytest.fixture(scope="module")
def biased():
    return snn.model("hopfield", pattern="biased")


@pytest.fixture(scope="module")
def mixture3():
    # maxiter: near T = 1 at α = 0 the damped iteration contracts only by ~(1 + β)/2 per step
    return snn.model("hopfield", patterns=3).free_energy().saddle_point().compile(maxiter=3000)


# -- independent computations (scipy, equations written out by hand) -----------------------------

def _gauss(f):
    """E_z f(z), z standard normal, by adaptive quadrature."""
    return quad(lambda z: f(z) * math.exp(-z * z / 2) / math.sqrt(2 * math.pi), -12, 12,
                epsabs=1e-13, epsrel=1e-12, limit=200)[0]


def _law(kind, value):
    """(entries η = ξ − c, their probabilities, v = E η²) of the pattern law."""
    if kind == "diluted":
        d = value
        return np.array([-1.0, 0.0, 1.0]), np.array([(1 - d) / 2, d, (1 - d) / 2]), 1 - d
    a = value
    return np.array([-1.0 - a, 1.0 - a]), np.array([(1 - a) / 2, (1 + a) / 2]), 1 - a * a


def _rs_map(x, kind, value, alpha, T, h):
    """AGS saddle point (Ann. Phys. 173, 30 (1987), eqs. (2.16)–(2.18)) with the noise of the
    non-condensed patterns scaled by v = E η² (second-order pattern average, see
    HebbianCouplings): m = E_η η <tanh β(ηm + h + √(αr) z)>, q = E <tanh²>,
    r = v² q / (1 − βv(1 − q))²."""
    m, q, r = x
    beta = 1 / T
    eta, w, v = _law(kind, value)
    noise = math.sqrt(alpha * r)
    m_new = sum(p * e * _gauss(lambda z: math.tanh(beta * (e * m + h + noise * z))) for e, p in zip(eta, w))
    q_new = sum(p * _gauss(lambda z: math.tanh(beta * (e * m + h + noise * z)) ** 2) for e, p in zip(eta, w))
    return np.array([m_new, q_new, v * v * q / (1 - beta * v * (1 - q)) ** 2])


def _rs_free_energy(x, kind, value, alpha, T, h):
    """AGS eq. (2.15) with βQ → βvQ in the log det and αv/2 from the i = j terms."""
    m, q, r = x
    beta = 1 / T
    eta, w, v = _law(kind, value)
    D = 1 - beta * v * (1 - q)
    noise = math.sqrt(alpha * r)

    def log2cosh(u):
        return abs(u) + math.log1p(math.exp(-2 * abs(u)))
    site = sum(p * _gauss(lambda z: log2cosh(beta * (e * m + h + noise * z))) for e, p in zip(eta, w))
    return (alpha * v / 2 + m * m / 2 + alpha / (2 * beta) * (math.log(D) - beta * v * q / D)
            + alpha * beta * r * (1 - q) / 2 - site / beta)


_XI3 = np.array(list(itertools.product([-1, 1], repeat=3)), float)


def _mixture_overlap(T, K=3):
    """Symmetric K-mixture at α = 0 (AGS, PRA 32, 1007 (1985), eq. (3.3)): m = E ξ_1 tanh(βm Σ_μ ξ_μ)."""
    xis = np.array(list(itertools.product([-1, 1], repeat=K)), float)
    return brentq(lambda m: m - np.mean(xis[:, 0] * np.tanh(m / T * xis.sum(1))), 1e-9, 1.0, xtol=1e-14)


def _mixture_curvature(T, K=3):
    """Lowest eigenvalue of the α = 0 Hessian ∂²f/∂m_μ∂m_ν = δ_μν − β E[ξ_μ ξ_ν sech²(βm Σξ)]."""
    xis = np.array(list(itertools.product([-1, 1], repeat=K)), float)
    m = _mixture_overlap(T, K)
    weight = 1 / np.cosh(m / T * xis.sum(1)) ** 2
    H = np.eye(K) - np.einsum("k,ki,kj->ij", weight, xis, xis) / len(xis) / T
    return np.linalg.eigvalsh(H).min()


def _alpha_c(d):
    """T = 0 capacity of the diluted model: with y = m/√(2αr) the T = 0 equations reduce to
    √α = erf(y)/(√2 y) − √(2/π)(d + (1 − d)e^{−y²}); α_c is the square of its maximum
    (d = 0: AGS 1987 eq. (4.8), α_c = 0.138)."""
    g = lambda y: -(erf(y) / (math.sqrt(2) * y) - math.sqrt(2 / math.pi) * (d + (1 - d) * math.exp(-y * y)))
    return minimize_scalar(g, bounds=(0.5, 5), method="bounded", options={"xatol": 1e-12}).fun ** 2


def _retrieval_y(alpha, d):
    """Largest root y of the reduced T = 0 equation of :func:`_alpha_c` (retrieval: m = (1 − d) erf y)."""
    g = lambda y: erf(y) / (math.sqrt(2) * y) - math.sqrt(2 / math.pi) * (d + (1 - d) * math.exp(-y * y))
    peak = minimize_scalar(lambda y: -g(y), bounds=(0.5, 5), method="bounded", options={"xatol": 1e-12}).x
    return brentq(lambda y: g(y) - math.sqrt(alpha), peak, 8.0, xtol=1e-15)


# -- derivation ----------------------------------------------------------------------------------

def test_engine_derives_the_pattern_moments_and_rejects_uncentred_patterns():
    d, a, alpha = sp.symbols("d a alpha")
    # diluted {−1, 0, 1} with P(0) = d: mean 0, variance 1 − d
    assert HebbianCouplings(alpha, 1, DiscreteLaw((-1, 0, 1), ((1 - d) / 2, d, (1 - d) / 2))).pattern_moments() \
        == (0, sp.factor(1 - d))
    # biased ±1 with P(±1) = (1 ± a)/2 and the rule (ξ − a)(ξ' − a) (AGS, PRA 35, 2293 (1987)):
    # mean 0, variance 1 − a²
    mean, var = HebbianCouplings(alpha, 1, DiscreteLaw((-1, 1), ((1 - a) / 2, (1 + a) / 2), centre=a)).pattern_moments()
    assert mean == 0 and sp.expand(var - (1 - a**2)) == 0
    # biased entries without the centre: E ξ = a ≠ 0 would make P − K patterns a field of order αN
    uncentred = Hamiltonian(IsingPrior(), [HebbianCouplings(alpha, 1, DiscreteLaw((-1, 1), ((1 - a) / 2, (1 + a) / 2))),
                                           ExternalField(sp.Symbol("h"))])
    with pytest.raises(DerivationError, match="mean"):
        derive(snn.model("hopfield"), uncentred)
    with pytest.raises(ParameterError, match="sum to 1"):
        DiscreteLaw((-1, 1), (sp.Rational(1, 2), sp.Rational(1, 3)))


def test_zero_dilution_and_zero_bias_give_the_binary_model(diluted, biased):
    # d = 0 and a = 0 are the AGS model: equal free energies at a random point (mpmath, no codegen)
    binary = snn.model("hopfield").free_energy().expr
    point = {"m": 0.7, "q": 0.8, "r": 1.3, "alpha": 0.07, "beta": 3.0, "h": 0.05}
    ref = evaluate(binary, point, dps=30)
    assert abs(evaluate(diluted.free_energy().expr, dict(point, d=0), dps=30) - ref) < 1e-25
    assert abs(evaluate(biased.free_energy().expr, dict(point, a=0), dps=30) - ref) < 1e-25
    # the dilution enters through the weights of the pattern average and through v = 1 − d
    fe = diluted.free_energy()
    assert {s.name for s in fe.parameters} == {"alpha", "beta", "d", "h"}
    assert "Pattern entries" in fe.derivation.latex()
    # explicit pattern="binary" is the default model
    assert snn.model("hopfield", pattern="binary").free_energy().expr == binary


def test_derivative_in_a_weight_parameter_is_the_derivative_of_the_sum(diluted):
    # ∂/∂d of the pattern average differentiates its weights too (finite differences, mpmath)
    fe = diluted.free_energy()
    df = sp.diff(fe.expr, diluted.symbol("d"))
    point = {"m": 0.6, "q": 0.7, "r": 1.5, "alpha": 0.03, "beta": 2.5, "h": 0.0}
    h = mpmath.mpf("1e-10")
    numeric = (evaluate(fe.expr, dict(point, d=0.3 + h), dps=30)
               - evaluate(fe.expr, dict(point, d=0.3 - h), dps=30)) / (2 * h)
    assert abs(evaluate(df, dict(point, d=0.3), dps=30) - numeric) < 1e-12


@pytest.mark.parametrize("kind, value, alpha, T, h", [("diluted", 0.3, 0.01, 0.2, 0.0),
                                                     ("biased", 0.3, 0.05, 0.2, 0.05)])
def test_diluted_and_biased_saddle_points_match_scipy(kind, value, alpha, T, h, diluted, biased):
    model = diluted if kind == "diluted" else biased
    key = "d" if kind == "diluted" else "a"
    sol = model.free_energy().saddle_point().compile().solve(alpha=alpha, T=T, h=h, guess={"m": 1.0},
                                                             **{key: value})
    x = np.array([sol["m"], sol["q"], sol["r"]])
    # the package's point is a fixed point of the hand-written equations ...
    assert np.max(np.abs(_rs_map(x, kind, value, alpha, T, h) - x)) < 1e-9
    # ... scipy finds the same point from another start ...
    def residual(y):     # in (m, q, log r), so that r stays positive
        x_ = np.array([y[0], y[1], math.exp(y[2])])
        return _rs_map(x_, kind, value, alpha, T, h) - x_
    start = np.array([0.9 * x[0], 0.95 * x[1], math.log(1.2 * x[2])])
    other = fsolve(residual, start, xtol=1e-13)
    assert np.max(np.abs(np.array([other[0], other[1], math.exp(other[2])]) - x)) < 1e-8
    # ... with the same free energy
    assert sol.free_energy == pytest.approx(_rs_free_energy(x, kind, value, alpha, T, h), abs=1e-9)
    assert sol.stable
    # the retrieval overlap is bounded by E|η|: 1 − d (diluted), 1 − a² (biased, h = 0)
    bound = 1 - value if kind == "diluted" else 1 - value**2
    assert 0.9 * bound < sol["m"] < bound + 2 * h


def test_capacity_of_binary_patterns_through_the_new_options_is_ags(diluted, biased):
    # d = 0 and a = 0 reproduce AGS 1987: α_c ≈ 0.138 at T = 0 (0.1379 from the reduced equation),
    # retrieval overlap m ≈ 0.967 there (REFERENCES.md)
    ac = _alpha_c(0.0)
    assert ac == pytest.approx(0.1379, abs=1e-4)
    assert erf(_retrieval_y(ac, 0.0)) == pytest.approx(0.967, abs=1e-3)
    for model, key in ((diluted, "d"), (biased, "a")):
        solver = model.free_energy().saddle_point().compile()
        below = solver.solve(alpha=ac - 5e-4, T=0.0, **{key: 0.0}, guess={"m": 1.0})
        assert below["m"] == pytest.approx(erf(_retrieval_y(ac - 5e-4, 0.0)), abs=1e-7)
        above = solver.solve(alpha=ac + 1e-4, T=0.0, **{key: 0.0}, guess={"m": 1.0}, errors="mask")
        assert not (above.converged and above["m"] > 0.5)
    # dilution lowers the T = 0 capacity: α_c(d = 0.2) from the package's T = 0 equations equals the
    # scipy reduction (0.05367)
    solver = diluted.free_energy().saddle_point().compile()
    ac = _alpha_c(0.2)
    assert solver.solve(alpha=ac - 5e-4, T=0.0, d=0.2, guess={"m": 1.0})["m"] > 0.7
    above = solver.solve(alpha=ac + 5e-4, T=0.0, d=0.2, guess={"m": 1.0}, errors="mask")
    assert not (above.converged and above["m"] > 0.5)


@pytest.mark.slow
def test_diluted_phase_diagram_spin_glass_line_and_capacity(diluted):
    # para–SG line. Linearising the saddle point about q = r = 0: q = β²αr, r = v²q/(1 − βv)², so
    # β v √α = 1 − βv, T_g = v(1 + √α) with v = 1 − d (AGS 1987: T_g = 1 + √α at v = 1; the same
    # line follows from the R-transform of the Wishart coupling spectrum, α v²/(1 − vx)², with
    # β² R'(β) = 1). Couplings are not renormalised by 1 − d, so no α/(1 − d) appears.
    pd = snn.phase_diagram(diluted, x=("alpha", 0.0, 0.1), y=("T", 0.0, 1.1), resolution=13, d=0.2)
    tg = pd.boundaries["paramagnet / spin glass"]
    assert len(tg) >= 6
    assert np.max(np.abs(tg[:, 1] - 0.8 * (1 + np.sqrt(tg[:, 0])))) < 1e-6
    assert pd.line("paramagnet / spin glass").kind == "second-order"
    # the retrieval spinodal reaches T = 0 at the scipy capacity α_c(0.2) = 0.05367
    spinodal = pd.boundaries["spinodal: retrieval"]
    at_zero = spinodal[spinodal[:, 1] == 0]
    assert len(at_zero) == 1 and at_zero[0, 0] == pytest.approx(_alpha_c(0.2), abs=2e-4)
    # retrieval becomes the global minimum only below the first-order line, at lower load
    first = pd.boundaries["retrieval / spin glass"]
    assert first[:, 0].max() < at_zero[0, 0]


# -- K condensed patterns: symmetric mixtures ------------------------------------------------------

def test_three_mixture_exists_below_T_1(mixture3):
    # AGS, PRL 55, 1530 (1985) and PRA 32, 1007 (1985): at α = 0 the symmetric 3-mixture bifurcates
    # from the paramagnet at T = 1
    # below T = 1 the solver finds the mixture; above it a small symmetric start decays to m = 0
    small = {"m_1": 0.01, "m_2": 0.01, "m_3": 0.01, "q": 0.01, "r": 0.01}
    sol = mixture3.solve(alpha=0.0, T=0.95, guess={"m_1": .3, "m_2": .3, "m_3": .3, "q": .3, "r": .5})
    ms = [sol[f"m_{mu}"] for mu in (1, 2, 3)]
    assert np.ptp(ms) < 1e-9 and ms[0] == pytest.approx(_mixture_overlap(0.95), abs=1e-8)
    assert ms[0] > 0.1
    # above T = 1 the mixture equation has no positive root (scipy), and the solver finds m = 0
    grid = np.linspace(1e-3, 1, 1000)
    assert np.all([m - np.mean(_XI3[:, 0] * np.tanh(m / 1.05 * _XI3.sum(1))) > 0 for m in grid])
    hot = mixture3.solve(alpha=0.0, T=1.05, guess=small)
    assert max(abs(hot[f"m_{mu}"]) for mu in (1, 2, 3)) < 1e-8 and hot.curvature_stable


def test_three_mixture_overlaps_are_one_half_at_zero_temperature(mixture3):
    # AGS, PRA 32, 1007 (1985): each overlap of the symmetric 3-mixture is 1/2 at T = 0
    # (σ = sign(ξ1 + ξ2 + ξ3) agrees with ξ1 on 3/4 of the sites: m = 3/4 − 1/4)
    cold = mixture3.solve(alpha=0.0, T=0.1, guess=GUESS3)
    assert all(cold[f"m_{mu}"] == pytest.approx(0.5, abs=1e-4) for mu in (1, 2, 3))
    # the T = 0 equations at a tiny load (α = 0 itself leaves the noise r undefined)
    zero = mixture3.solve(alpha=0.001, T=0.0, guess={"m_1": 0.5, "m_2": 0.5, "m_3": 0.5})
    assert all(zero[f"m_{mu}"] == pytest.approx(0.5, abs=1e-9) for mu in (1, 2, 3))
    assert zero.curvature_stable
    # its energy −(3/2)(1/2)² = −3/8 lies above the retrieval state's −1/2 (AGS 1985)
    assert zero.free_energy == pytest.approx(-3 / 8 - 0.001 / 2, abs=1e-3)


def test_three_mixture_is_stable_below_T_046(mixture3):
    # AGS, PRL 55, 1530 (1985): the symmetric 3-mixture is a minimum of f below T ≈ 0.46. The
    # package's criterion (Solution.curvature_stable: Hessian of f in the m sector) switches at the
    # temperature where the scipy Hessian's lowest eigenvalue crosses zero, 0.4598
    T_scipy = brentq(_mixture_curvature, 0.3, 0.6, xtol=1e-12)
    assert T_scipy == pytest.approx(0.46, abs=5e-3)
    lo, hi = 0.40, 0.55
    assert mixture3.solve(alpha=0.0, T=lo, guess=GUESS3).curvature_stable
    assert not mixture3.solve(alpha=0.0, T=hi, guess=GUESS3).curvature_stable
    guess = dict(GUESS3)
    while hi - lo > 2e-4:
        mid = (lo + hi) / 2
        sol = mixture3.solve(alpha=0.0, T=mid, guess=guess)
        assert np.ptp([sol[f"m_{mu}"] for mu in (1, 2, 3)]) < 1e-8     # still the symmetric mixture
        lo, hi = (mid, hi) if sol.curvature_stable else (lo, mid)
    assert (lo + hi) / 2 == pytest.approx(T_scipy, abs=3e-4)
    # where the mixture is unstable the retrieval state (one condensed pattern) is stable
    pure = mixture3.solve(alpha=0.0, T=0.55, guess={"m_1": 1.0, "m_2": 0.0, "m_3": 0.0})
    assert pure.curvature_stable and abs(pure["m_2"]) < 1e-9 and pure["m_1"] > 0.9


def test_two_mixture_is_unstable():
    # AGS, PRA 32, 1007 (1985): symmetric mixtures of an even number of patterns are unstable. At
    # α = 0, m = (1/2) tanh(2βm) and the Hessian has a negative eigenvalue (checked with scipy).
    # (Below T ≈ 0.6 the 2-mixture has β(1 − q) > 1, outside the domain of log(1 − β(1 − q)) that
    # the solver keeps even at α = 0, where that term drops out: the solver does not reach it there.)
    solver = snn.model("hopfield", patterns=2).free_energy().saddle_point().compile(maxiter=1000)
    for T in (0.7, 0.9):
        sol = solver.solve(alpha=0.0, T=T, guess={"m_1": .5, "m_2": .5, "q": .5, "r": 1.0})
        m = brentq(lambda x: x - 0.5 * math.tanh(2 * x / T), 1e-6, 1.0, xtol=1e-14)
        assert sol["m_1"] == pytest.approx(m, abs=1e-8) and sol["m_2"] == pytest.approx(m, abs=1e-8)
        assert _mixture_curvature(T, K=2) < 0
        assert not sol.curvature_stable and not sol.stable


# -- Monte Carlo ---------------------------------------------------------------------------------------

def test_monte_carlo_of_the_three_mixture(mixture3):
    # α = 0, T = 0.25 (below the stability temperature 0.46): started in sign(ξ1 + ξ2 + ξ3) the
    # chains stay in the mixture. At finite N the three patterns overlap by O(1/√N), so the three
    # m_μ of one sample differ by O(1/√N); their mean is compared, over disorder samples, with the
    # theory (allowance 1/√N for the finite-size shift of that mean)
    T, N = 0.25, 2000
    theory = mixture3.solve(alpha=0.0, T=T, guess=GUESS3)["m_1"]
    assert theory == pytest.approx(_mixture_overlap(T), abs=1e-8)
    mc = snn.monte_carlo(snn.model("hopfield", patterns=3), N=N, samples=6, sweeps=300, seed=0,
                         alpha=0.0, T=T)
    per_sample = np.mean([mc[f"m_{mu}"].sample_means for mu in (1, 2, 3)], axis=0)
    assert np.all(np.abs(per_sample - theory) < 0.05)          # every sample in the mixture
    err = per_sample.std(ddof=1) / math.sqrt(per_sample.size)
    assert abs(per_sample.mean() - theory) <= 3 * err + 1 / math.sqrt(N), (per_sample, theory)


@pytest.mark.parametrize("kind", ["diluted", "biased"])
def test_monte_carlo_of_diluted_and_biased_patterns(kind, diluted, biased):
    # dense Hebbian couplings of the centred entries; at the model's ordered point (diluted: d = 0.2,
    # α = 0.02; biased: a = 0.2, α = 0.05; T = 0.1) the retrieval overlap matches the RS theory
    # within 3 error bars plus the registry's finite-size allowance 1/√N
    model = diluted if kind == "diluted" else biased
    point = model.ordered_point
    theory = model.free_energy().saddle_point().compile().solve(**point)
    N = 400
    mc = snn.monte_carlo(model, N=N, samples=4, sweeps=300, seed=0, **point)
    assert mc.info["P"] == round(point["alpha"] * N)
    assert abs(mc["m"].mean - theory["m"]) <= 3 * mc["m"].stderr + 1 / math.sqrt(N), (mc["m"], theory["m"])
    # a retrieval state, not a spin glass: every sample keeps most of the pattern
    assert np.all(mc["m"].sample_means > 0.9 * theory["m"])


def test_centred_sampler_draws_the_declared_patterns_and_energy():
    # the sampler's entries η come from the declared law (rebuilt here from the same random numbers)
    # and the kernel's energy is −(1/2N) Σ_μ Σ_{i≠j} η_i η_j σ_i σ_j − h Σ σ, the model file's H
    from statmech_nn.montecarlo import kernels as K
    from statmech_nn.montecarlo.systems import build_system
    N = 60
    for kind, par in (("diluted", {"d": 0.3}), ("biased", {"a": -0.4})):
        params = {"alpha": 0.1, "h": 0.2, "T": 0.5, **par}
        system = build_system("hopfield", {"patterns": 2, "pattern": kind}, N, params,
                              np.random.default_rng(3))
        assert system.kind == "centred" and system.observed == ["m_1", "m_2"] and system.info["P"] == 6
        u = np.random.default_rng(3).random((N, 6))
        if kind == "diluted":
            eta = np.where(u < 0.3, 0.0, np.where(u < 0.3 + 0.35, -1.0, 1.0))
        else:
            eta = np.where(u < 0.3, 1.0, -1.0) + 0.4          # P(ξ = 1) = (1 + a)/2 = 0.3, η = ξ − a
        assert np.array_equal(system.arrays["eta"], eta)
        sigma = np.where(np.random.default_rng(4).random(N) < 0.5, -1.0, 1.0)
        J = eta @ eta.T / N
        np.fill_diagonal(J, 0.0)
        hebbian = -0.5 * sigma @ J @ sigma - 0.2 * sigma.sum()
        energy = K.centred_pattern_energy(sigma @ eta, sigma.sum(), N, 0.2, system.scalars["shift"])
        assert energy == pytest.approx(hebbian, abs=1e-12)


@pytest.mark.parametrize("kind, dynamics", [("diluted", "metropolis"), ("biased", "heat-bath")])
def test_centred_sampler_matches_exact_enumeration(kind, dynamics):
    # N = 10 spins, P = 3 patterns, one disorder sample: ⟨m_1⟩ and ⟨E⟩/N from Monte Carlo equal the
    # exact Boltzmann averages over all 2^10 configurations (field h breaks the σ → −σ symmetry)
    from statmech_nn.montecarlo.systems import build_system
    N, T, h = 10, 1.0, 0.3
    par = {"d": 0.3} if kind == "diluted" else {"a": 0.3}
    params = {"alpha": 0.3, "h": h, "T": T, **par}
    model = snn.model("hopfield", pattern=kind)
    disorder = np.random.SeedSequence(7, spawn_key=(0,)).spawn(3)[0]   # the runner's disorder stream
    eta = build_system("hopfield", dict(model.options), N, params, np.random.default_rng(disorder)).arrays["eta"]
    configs = np.array(list(itertools.product([-1.0, 1.0], repeat=N)))
    J = eta @ eta.T / N
    np.fill_diagonal(J, 0.0)
    E = -0.5 * np.einsum("ki,ij,kj->k", configs, J, configs) - h * configs.sum(1)
    w = np.exp(-(E - E.min()) / T)
    w /= w.sum()
    exact_m = w @ (configs @ eta[:, 0]) / N
    exact_e = w @ E / N
    mc = snn.monte_carlo(model, N=N, samples=1, sweeps=200_000, seed=7, dynamics=dynamics, replicas=1,
                         init="random", **params)
    assert abs(mc["m"].mean - exact_m) <= 4 * mc["m"].stderr and mc["m"].stderr < 0.006, (mc["m"], exact_m)
    assert abs(mc["energy"].mean - exact_e) <= 4 * mc["energy"].stderr, (mc["energy"], exact_e)


# -- bad input -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("make, match", [
    (lambda: snn.model("hopfield", pattern="sparse"), "option 'pattern'.*binary"),
    (lambda: snn.model("hopfield", pattern="diluted", d=1.0), "d must lie in"),
    (lambda: snn.model("hopfield", pattern="diluted", d=-0.1), "d must lie in"),
    (lambda: snn.model("hopfield", pattern="biased", a=1.0), "a must lie in"),
    (lambda: snn.model("hopfield", pattern="diluted", a=0.1), "no option"),
    (lambda: snn.model("hopfield", d=0.1), "no option"),
    (lambda: snn.model("hopfield", patterns=6), "option 'patterns'"),
])
def test_bad_options_raise(make, match):
    with pytest.raises(ParameterError, match=match):
        make()


def test_bad_solve_and_sampler_input_raise(diluted, biased):
    with pytest.raises(ParameterError, match="d must lie in"):
        diluted.free_energy().saddle_point().compile().solve(alpha=0.02, T=0.1, d=1.5)
    with pytest.raises(ParameterError, match="a must lie in"):
        biased.free_energy().saddle_point().compile().solve(alpha=0.02, T=0.1, a=-1.0)
    with pytest.raises(ParameterError, match="rbm"):
        snn.monte_carlo(diluted, N=50, samples=1, sweeps=4, dynamics="rbm", **diluted.ordered_point)


@pytest.mark.skipif(shutil.which("pdflatex") is None and not os.environ.get("CI"),
                    reason="pdflatex not installed (CI installs it)")
@pytest.mark.parametrize("kind", ["diluted", "biased"])
def test_pattern_option_documents_compile(tmp_path, kind):
    # the derivation of each pattern law, with its "Pattern entries" step, compiles with pdflatex
    from statmech_nn.export import compile_latex, derivation_document
    tex = tmp_path / f"hopfield_{kind}.tex"
    text = derivation_document(snn.model("hopfield", pattern=kind, patterns=3))
    assert "Pattern entries" in text and r"\lambda_R" in text
    tex.write_text(text)
    pdf = compile_latex(str(tex))
    assert os.path.getsize(pdf) > 5_000
