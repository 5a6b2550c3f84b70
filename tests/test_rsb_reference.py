"""The hand-written one-step RSB references of ``tests/_rsb_reference.py`` against the literature, their
replica-symmetric limits, and their stationarity by finite differences. They are the independent
numbers the replica engine's ``free_energy(rsb=1)`` will be tested against."""
import math

import numpy as np
import pytest

import _rsb_reference as ref


def _grad(f, v, eps=1e-6):
    out = []
    for i in range(len(v)):
        up, down = list(v), list(v)
        up[i] += eps
        down[i] -= eps
        out.append((f(up) - f(down)) / (2 * eps))
    return np.array(out)


# ------------------------------------------------------------------------------------------------
# SK at T = 0
# ------------------------------------------------------------------------------------------------

def test_sk_one_step_ground_state():
    e, q0, mu = ref.sk_1rsb_ground_state()
    # one-step RSB ground-state energy of SK, −0.7652: G. Parisi, J. Phys. A 13, 1101 (1980)
    assert abs(e - (-0.7652)) < 1e-4
    # stationary in (q0, μ), and μ → 0 is replica symmetric: −E|z| = −√(2/π) for any q0
    g = _grad(lambda v: ref.sk_1rsb_ground_state_functional(*v), [q0, mu])
    assert np.max(np.abs(g)) < 1e-6
    for q in (0.0, 0.3, 0.8):
        assert ref.sk_1rsb_ground_state_functional(q, 1e-7) == pytest.approx(-math.sqrt(2 / math.pi), abs=1e-6)


# ------------------------------------------------------------------------------------------------
# spherical p = 3 spin glass
# ------------------------------------------------------------------------------------------------

def test_spherical_3_spin_transitions():
    T_d, q_d = ref.spherical_dynamical_temperature(3)
    # dynamical transition T_d = √(3/8) = 0.6124 with q = 1/2 (Crisanti & Sommers, Z. Phys. B 87, 341
    # (1992)); reproducing it fixes the normalisation ξ(q) = q^p/2 (couplings of variance p!/(2N^{p−1}))
    assert T_d == pytest.approx(math.sqrt(3 / 8), abs=1e-10) and q_d == pytest.approx(0.5, abs=1e-10)
    for p in (3, 4, 5):   # the closed form T_d² = p(p − 2)^{p−2}/(2(p − 1)^{p−1})
        assert ref.spherical_dynamical_temperature(p)[0] == pytest.approx(
            math.sqrt(p * (p - 2) ** (p - 2) / (2 * (p - 1) ** (p - 1))), abs=1e-10)
    T_s, q_s = ref.spherical_static_temperature(3)
    # static transition T_s = 0.5861, where the one-step solution reaches x = 1 (Crisanti & Sommers 1992)
    assert abs(T_s - 0.5861) < 1e-4
    assert T_s < T_d
    # both one-step equations hold at (q_s, x = 1) ... (the q one divided by 1 − x)
    d_q, d_x = ref.spherical_1rsb_equations(q_s, 1.0 - 1e-12, T_s, 3)
    assert abs(d_x) < 1e-9
    b2 = 1 / T_s ** 2
    assert b2 * 3 * q_s * (1 - q_s) / 2 == pytest.approx(1.0, abs=1e-12)


def test_spherical_one_step_in_a_field():
    T, h = 0.6, 0.2
    # the hand-derived equations are the gradient of the functional (each rescaled as documented)
    q0, q1, x = 0.1, 0.55, 0.8
    g = _grad(lambda v: ref.spherical_field_free_entropy(*v, T, h), [q0, q1, x])
    d_q0, d_q1, d_x = ref.spherical_field_equations(q0, q1, x, T, h)
    assert g == pytest.approx([d_q0 * x / 2, d_q1 * (1 - x) / 2, d_x], abs=1e-7)
    # h = 0, q0 = 0: the zero-field functional less its constant, and the same transitions
    for qq, xx in ((0.7, 0.6), (0.5, 0.9)):
        assert ref.spherical_field_free_entropy(0.0, qq, xx, T, 0.0) == pytest.approx(
            ref.spherical_1rsb_free_entropy(qq, xx, T, 3) - (1 + math.log(2 * math.pi)) / 2, abs=1e-12)
    assert ref.spherical_field_static_temperature(0.0, guess=(0.0, 0.62, 0.6))[0] == pytest.approx(
        ref.spherical_static_temperature(3)[0], abs=1e-10)
    assert ref.spherical_field_dynamical_temperature(0.0, guess=(0.0, 0.5, 0.62))[0] == pytest.approx(
        math.sqrt(3 / 8), abs=1e-10)
    # k = 0: x = 1 is the replica-symmetric paramagnet, q1 drops out (Crisanti & Sommers 1992)
    assert ref.spherical_field_free_entropy(q0, 0.3, 1.0, T, h) == pytest.approx(
        ref.spherical_field_free_entropy(q0, 0.9, 1.0, T, h), abs=1e-12)
    # in a field q0 > 0, and T_s < T_d both rise with h (the field adds h² q to the covariance)
    T_s, q0_s, q1_s = ref.spherical_field_static_temperature(0.15)
    T_d, q0_d, q1_d = ref.spherical_field_dynamical_temperature(0.15)
    assert 0 < q0_s < q1_s and 0 < q0_d < q1_d and T_s < T_d
    assert T_s > ref.spherical_static_temperature(3)[0] and T_d > math.sqrt(3 / 8)
    assert max(abs(e) for e in ref.spherical_field_equations(q0_s, q1_s, 1.0, T_s, 0.15)) < 1e-12
    # the lines meet where q1 − q0 → 0: q1 = q0 = 1/3 at h = 1/√6, T = 2/3 solves the x = 1 equations and
    # is marginal (β² ξ''(q)(1 − q)² = (9/4)·3·(1/3)·(4/9) = 1); at h = 0.4 the gap is still open
    d_q0, d_q1, _ = ref.spherical_field_equations(1 / 3, 1 / 3, 1.0, 2 / 3, 1 / math.sqrt(6))
    assert abs(d_q0) < 1e-12 and abs(d_q1) < 1e-12
    assert 3 * (1 / 3) * (1 - 1 / 3) ** 2 / (2 / 3) ** 2 == pytest.approx(1.0, abs=1e-12)
    # (followed there in small steps of h: near the critical point fsolve from a rough guess finds others)
    gaps, guess = [], (0.23, 0.43, 0.66)
    for hh in np.arange(0.30, 0.4001, 0.01):
        T_s, q0_s, q1_s = ref.spherical_field_static_temperature(hh, guess=guess)
        gaps.append(q1_s - q0_s)
        guess = (q0_s, q1_s, T_s)
    assert np.all(np.diff(gaps) < 0) and 0 < gaps[-1] < 0.02 and T_s == pytest.approx(2 / 3, abs=1e-4)


def test_spherical_one_step_functional():
    T, p = 0.55, 3
    q, x = ref.spherical_1rsb_solution(T, p)
    # below T_s a proper one-step solution, x < 1, with f above the paramagnet's (f is maximised over x)
    assert 0 < x < 1 and 0.5 < q < 1
    para = ref.spherical_1rsb_free_entropy(0.0, 0.5, T, p)
    assert ref.spherical_1rsb_free_entropy(q, x, T, p) < para
    # the hand-derived equations are the gradient of the functional
    g = _grad(lambda v: ref.spherical_1rsb_free_entropy(v[0], v[1], T, p), [0.7, 0.6])
    assert g == pytest.approx(ref.spherical_1rsb_equations(0.7, 0.6, T, p), abs=1e-7)
    # x = 1 and q = 0 are the paramagnet β²/4 + (1 + log 2π)/2 (k = 0)
    for qq, xx in ((0.3, 1.0), (0.9, 1.0), (0.0, 0.4)):
        paramagnet = 1 / (4 * T * T) + (1 + math.log(2 * math.pi)) / 2
        assert ref.spherical_1rsb_free_entropy(qq, xx, T, p) == pytest.approx(paramagnet)
    # x → 1 as T → T_s from below
    T_s, _ = ref.spherical_static_temperature(p)
    assert ref.spherical_1rsb_solution(T_s - 1e-4, p, guess=(0.65, 0.99))[1] > 0.99


def test_spherical_normalisation_is_the_package_p_spin():
    """The package's spherical p-spin paramagnet has the Crisanti–Sommers free energy
    f = −T(1 + log 2π)/2 − 1/(4T), i.e. E[H H'] = N q^p/2: the same normalisation as the reference."""
    import statmech_nn as snn
    solver = snn.model("p-spin", p=3, spins="spherical").free_energy().saddle_point().compile()
    for T in (0.9, 1.2):
        sol = solver.solve(T=T, J0=0.0, h=0.0)
        assert abs(sol["q"]) < 1e-8
        assert sol.free_energy == pytest.approx(-T * ref.spherical_1rsb_free_entropy(0.0, 1.0, T, 3), abs=1e-10)


# ------------------------------------------------------------------------------------------------
# Hopfield model at T = 0
# ------------------------------------------------------------------------------------------------

def test_hopfield_rs_capacity():
    alpha, m = ref.hopfield_rs_capacity()
    # RS storage capacity 0.137905 (Amit, Gutfreund & Sompolinsky, Ann. Phys. 173, 30 (1987); the
    # six-digit value as quoted by Steffan & Kühn, Z. Phys. B 95, 249 (1994)) with m = 0.967 (AGS)
    assert abs(alpha - 0.137905) < 1e-6
    assert abs(m - 0.967) < 1e-3


def test_hopfield_one_step_equations_and_rs_limit():
    m, w = ref.hopfield_1rsb_start(0.13)
    alpha, v = ref._hopfield_unpack(m, w)
    assert max(abs(r) for r in ref.hopfield_1rsb_equations(v, alpha)) < 1e-10
    assert v[2] < 1 and v[4] > v[3]                     # q0 < 1, r1 > r0: replica symmetry is broken
    # the six hand-derived equations are the stationarity of the one-step energy
    g = _grad(lambda u: ref.hopfield_1rsb_energy(u, alpha), list(v), eps=1e-6)
    assert np.max(np.abs(g)) < 1e-6
    # μ → 0 is the AGS zero-temperature energy α/2 + m²/2 − α/(2(1 − C)) + αrC/2 − E|m + √(αr) z|
    mm, C, q0, r0, r1 = 0.98, 0.05, 0.9, 1.1, 1.2
    rs = (alpha / 2 + mm * mm / 2 - alpha / (2 * (1 - C)) + alpha * r1 * C / 2
          - ref.gauss_average(abs, mm, math.sqrt(alpha * r1), points=(0.0,)))
    assert ref.hopfield_1rsb_energy((mm, C, q0, r0, r1, 1e-6), alpha) == pytest.approx(rs, abs=1e-6)


@pytest.mark.slow
def test_hopfield_one_step_capacity():
    alpha_c, m, v = ref.hopfield_1rsb_capacity()
    # one-step RSB capacity 0.138186 (H. Steffan and R. Kühn, Z. Phys. B 95, 249 (1994)), above the RS
    # 0.137905 (AGS 1987); the 1986 one-step estimate 0.144 (Crisanti, Amit & Gutfreund) is not confirmed
    assert abs(alpha_c - 0.138186) < 1e-6
    assert alpha_c > ref.hopfield_rs_capacity()[0] + 2.5e-4
    assert max(abs(r) for r in ref.hopfield_1rsb_equations(v, alpha_c)) < 1e-9
    assert 0.96 < m < 0.97


# ------------------------------------------------------------------------------------------------
# Ising perceptron
# ------------------------------------------------------------------------------------------------

def test_ising_perceptron_rs_saddle_point():
    q, qhat, s = ref.ising_perceptron_rs(0.8)
    g = _grad(lambda v: ref.ising_perceptron_rs_functional(v[0], v[1], 0.8), [q, qhat])
    assert np.max(np.abs(g)) < 1e-7
    assert 0 < q < 1 and s > 0


def test_ising_perceptron_frozen_one_step_capacity():
    a_rs = ref.ising_perceptron_rs_entropy_zero()
    # Krauth & Mézard, J. Phys. France 50, 3057 (1989): the RS entropy vanishes at α_c ≈ 0.833, the
    # capacity of the frozen one-step solution
    assert abs(a_rs - 0.833) < 5e-4
    # frozen states: Φ(x) = s_RS/x, its stationary point the RS one with q̂0 = q̂_RS/x²
    alpha, x = 0.8, 0.4
    q_rs, qh_rs, s_rs = ref.ising_perceptron_rs(alpha)
    q0, qh0, phi = ref.ising_perceptron_frozen_1rsb(alpha, x)
    assert q0 == pytest.approx(q_rs, abs=1e-7) and qh0 == pytest.approx(qh_rs / x ** 2, rel=1e-6)
    assert phi == pytest.approx(s_rs / x, abs=1e-10)
    # the complexity xΦ vanishes at the same load for any x
    assert ref.ising_perceptron_frozen_capacity(x=0.5) == pytest.approx(a_rs, abs=1e-8)


def test_ising_perceptron_matches_the_package():
    import statmech_nn as snn
    assert snn.model("perceptron", weights="ising").entropy_zero(0.7, 0.95) == pytest.approx(
        ref.ising_perceptron_rs_entropy_zero(), abs=1e-7)
