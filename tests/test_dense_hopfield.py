"""Dense (p-body) Hopfield network: the cumulant-expansion route of the engine, p = 2 = AGS, the T = 0
capacity against an independent scipy computation, and Monte Carlo of the distinct-site Hamiltonian."""
import itertools
import math

import numpy as np
import pytest
from scipy import integrate, special

import statmech_nn as snn
from statmech_nn.montecarlo.systems import build_system, distinct_tuple_polynomial


@pytest.fixture(scope="module")
def solvers():
    return {p: snn.model("dense-hopfield", p=p).saddle_point().compile() for p in (2, 3, 4)}


def test_p2_is_the_ags_hopfield_model(solvers):
    # p = 2: H = -(1/2N) Σ_μ Σ_{i≠j} ξξσσ is the Hopfield model of Amit, Gutfreund, Sompolinsky,
    # Ann. Phys. 173, 30 (1987): the same saddle point and free energy at every (α, T), and T = 0
    hop = snn.model("hopfield").saddle_point().compile()
    alpha = np.array([0.02, 0.05, 0.1, 0.12])
    for T in (0.0, 0.1, 0.4):
        ours, theirs = solvers[2].solve(alpha=alpha, T=T), hop.solve(alpha=alpha, T=T)
        for name in theirs.order_parameters:
            assert np.allclose(ours[name], theirs[name], rtol=0, atol=1e-12)
        assert np.allclose(ours.free_energy, theirs.free_energy, rtol=0, atol=1e-12)


@pytest.mark.parametrize("p", [3, 4])
def test_gaussian_noise_term_is_a_p_spin_glass(solvers, p):
    # for p ≥ 3 the non-condensed patterns give N α β² (p-1)!/(2p) Σ_ab Q_ab^p (second cumulant only):
    # the RS equations are those of the p-spin glass with variance J² = 2α(p-1)!/p and mean term
    # (β/p) N X^p, i.e. J0 = (2/p)/J in units of J (gauge ξσ -> σ). Two different routes of the engine
    # (sympy.stats CGF of Gaussian couplings vs. the cumulant expansion of the pattern average) agree.
    pspin = snn.model("p-spin", p=p).saddle_point().compile()
    alpha, T = 0.3 / math.factorial(p - 1), 0.3
    J = math.sqrt(2 * alpha * math.factorial(p - 1) / p)
    dense = solvers[p].solve(alpha=alpha, T=T)
    ref = pspin.solve(J0=2 / p / J, T=T / J, guess={"m": 1.0, "q": 1.0})
    assert dense["m"] == pytest.approx(ref["m"], abs=1e-10)
    assert dense["q"] == pytest.approx(ref["q"], abs=1e-10)
    assert dense.free_energy == pytest.approx(J * ref.free_energy, abs=1e-10)


def _capacity_scipy(p):
    """Largest a = α (p-1)! for which m = erf(m^{p-1}/√(2a)) has a root m > 0.3 (fine grid + bisection).

    At T = 0 the retrieval state of the p ≥ 3 model has the local field m^{p-1} + √(α (p-1)!) z and
    no Onsager reaction term: m = erf(m^{p-1} / √(2 α (p-1)!)) (Gardner, J. Phys. A 20, 3453 (1987),
    RS; the same structure as the RS equations of Albanese et al., arXiv:2111.12997, sec. 3)."""
    m = np.linspace(0.3, 1.0, 200001)
    lo, hi = 1e-6, 2.0
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if np.any(special.erf(m ** (p - 1) / np.sqrt(2 * mid)) > m) else (lo, mid)
    return lo


def _capacity_package(solver):
    lo, hi = 0.0, 0.3
    for _ in range(34):
        mid = 0.5 * (lo + hi)
        sol = solver.solve(T=0.0, alpha=mid, errors="mask")
        lo, hi = (mid, hi) if (bool(sol.converged) and sol["m"] > 0.3) else (lo, mid)
    return lo


def test_zero_temperature_capacity(solvers):
    # p = 2: α_c ≈ 0.138 (AGS 1987, sec. 4; 0.1379 to four digits)
    assert _capacity_package(solvers[2]) == pytest.approx(0.1379, abs=1e-4)
    # p = 3, 4: the RS capacity against scipy's solution of the same T = 0 equation
    a3, a4 = _capacity_scipy(3), _capacity_scipy(4)
    c3, c4 = _capacity_package(solvers[3]), _capacity_package(solvers[4])
    assert c3 == pytest.approx(a3 / math.factorial(2), rel=1e-6)
    assert c4 == pytest.approx(a4 / math.factorial(3), rel=1e-6)
    # P ~ α_c N^{p-1} with α_c(p) (p-1)! falling slowly with p (noise variance α (p-1)! at capacity)
    assert 0.19 < a4 < a3 < 0.26


def test_zero_temperature_retrieval_and_replicon(solvers):
    p, alpha = 3, 0.1
    cold = solvers[p].solve(T=0.0, alpha=alpha)
    m = cold["m"]
    width = math.sqrt(2 * alpha * math.factorial(p - 1))
    assert m == pytest.approx(math.erf(m ** (p - 1) / width), abs=1e-12)
    # finite T: replicon 1 - α β² (p-1)(p-1)! q^{p-2} E sech⁴ β(m^{p-1} ξ + √(α (p-1)! q^{p-1}) z)
    # (Gardner 1985's p-spin replicon with J² = 2α(p-1)!/p), here by scipy quad
    T = 0.2
    sol = solvers[p].solve(T=T, alpha=alpha)
    b, m, q = 1 / T, sol["m"], sol["q"]
    noise = math.sqrt(alpha * math.factorial(p - 1) * q ** (p - 1))
    mu = integrate.quad(lambda t: math.exp(-t * t / 2) / math.sqrt(2 * math.pi)
                        / math.cosh(b * (m ** (p - 1) + noise * t)) ** 4, -12, 12, epsabs=1e-14, limit=200)[0]
    replicon = 1 - alpha * b * b * (p - 1) * math.factorial(p - 1) * q ** (p - 2) * mu
    assert sol.replicon == pytest.approx(replicon, abs=1e-8)
    assert sol.replicon > 0 and sol.stable


@pytest.mark.parametrize("p", [3, 4, 5])
def test_distinct_site_polynomial_is_the_brute_force_sum(p):
    # Σ over ordered tuples of distinct sites of Π x_i, by enumeration, vs the Newton-identity polynomial
    rng = np.random.default_rng(p)
    for N in (6, 8):
        x = rng.choice([-1, 1], N)
        brute = sum(int(np.prod(x[list(t)])) for t in itertools.permutations(range(N), p))
        coef = distinct_tuple_polynomial(p, N)
        assert sum(c * float(x.sum()) ** k for k, c in enumerate(coef)) == pytest.approx(brute, abs=1e-9)


def test_sampler_builds_the_model_hamiltonian():
    # the kernel's energy of the start configuration equals the brute-force Hamiltonian
    from statmech_nn.montecarlo.pbody_kernels import poly_pattern_energy
    N, p = 7, 3
    system = build_system("dense-hopfield", {"p": p}, N, {"alpha": 0.4, "h": 0.2, "T": 0.5},
                          np.random.default_rng(3), "pattern")
    xi, sigma = system.arrays["xi"].astype(int), system.init.astype(int)
    assert system.info["P"] == round(0.4 * N ** 2)
    brute = -sum(np.prod((xi[list(t), mu] * sigma[list(t)])) for mu in range(xi.shape[1])
                 for t in itertools.permutations(range(N), p)) / (p * N ** (p - 1)) - 0.2 * sigma.sum()
    M = (sigma @ xi).astype(float)
    energy = poly_pattern_energy(M, int(sigma.sum()), system.arrays["coef"], 0.2, 0.0)
    assert energy == pytest.approx(brute, abs=1e-10)


@pytest.mark.slow
def test_monte_carlo_agrees_with_the_rs_retrieval_state(solvers):
    # α = 0.05, T = 0.3, p = 3 (P = 2000 patterns at N = 200): RS theory m = 0.9788, energy per unit
    # u = f - T df/dT = -0.3244 (replicon > 0). Monte Carlo of the distinct-site Hamiltonian, 4 disorder
    # samples: the error bars include the sample-to-sample spread (several 1e-3 in m at this N)
    T, alpha = 0.3, 0.05
    theory = solvers[3].solve(alpha=alpha, T=T)
    dT = 1e-4
    slope = (solvers[3].solve(alpha=alpha, T=T + dT).free_energy
             - solvers[3].solve(alpha=alpha, T=T - dT).free_energy) / (2 * dT)
    energy = theory.free_energy - T * slope
    assert theory.replicon > 0
    mc = snn.monte_carlo(snn.model("dense-hopfield", p=3), N=200, samples=4, sweeps=800, alpha=alpha, T=T,
                         progress=False)
    assert abs(mc["m"].mean - theory["m"]) < 3 * mc["m"].stderr, (mc["m"].mean, mc["m"].stderr)
    assert abs(mc["energy"].mean - energy) < 3 * mc["energy"].stderr, (mc["energy"].mean, energy)
    assert mc["m"].stderr < 0.01


def test_bad_options_raise_typed_errors():
    with pytest.raises(snn.ParameterError, match="option 'p'"):
        snn.model("dense-hopfield", p=1)
    with pytest.raises(snn.ParameterError, match="alpha"):
        snn.model("dense-hopfield").saddle_point().compile().solve(alpha=-0.1)


@pytest.mark.slow
def test_phase_diagram_p3():
    pd = snn.phase_diagram(snn.model("dense-hopfield", p=3), x=("alpha", 0.0, 0.2), y=("T", 0.05, 1.0),
                           resolution=(9, 9))
    assert pd.phase_at(alpha=0.03, T=0.1) == "retrieval"
    assert pd.phase_at(alpha=0.18, T=0.95) == "paramagnet"


@pytest.mark.parametrize("p", [3, 4, 6])
def test_flip_polynomials_give_the_exact_energy_change(p):
    # the kernel's O(P) update: E(M + d) - E(M) = A(M) + (d/2) B(M) for d = ±2 (Taylor, exact for polynomials)
    from statmech_nn.montecarlo.pbody_kernels import flip_polynomials
    N = 50
    coef = -distinct_tuple_polynomial(p, N) / (p * float(N) ** (p - 1))
    even, odd = flip_polynomials(coef)
    E = np.polynomial.Polynomial(coef)
    M = np.arange(-N, N + 1, 2, dtype=float)
    for d in (-2.0, 2.0):
        exact = E(M + d) - E(M)
        split = np.polynomial.Polynomial(even)(M) + d / 2 * np.polynomial.Polynomial(odd)(M)
        assert np.allclose(split, exact, rtol=1e-12, atol=1e-12 * np.abs(E(M)).max())
