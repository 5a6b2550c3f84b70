"""Tests of statmech_nn.solve: quadrature, the compiled solver, stability flags and errors."""
import json
import math

import mpmath as mp
import numpy as np
import pytest
from scipy import integrate, optimize

from statmech_nn.errors import ConvergenceError, ParameterError
from statmech_nn.solve import Solution, Solver, gaussian_average, reference_rule
from statmech_nn.solve.quadrature import node_counts

from _handmade import curie_weiss_saddle, hopfield_saddle, hopfield_zero_saddle, sk_saddle


# --- quadrature -------------------------------------------------------------------------------

@pytest.mark.parametrize("b, a, c, n", [(1.0, 0.3, 0.8, 65), (2.5, -0.2, 1.1, 129),
                                        (40.0, 0.5, 0.7, 129), (400.0, -0.05, 0.3, 257)])
def test_kink_centred_rule_matches_mpmath(b, a, c, n):
    # E_z log 2cosh(b(a + c z)): the rule centred on the zero of the local field reaches 1e-12 with
    # ~100 nodes even at b = 400 (T = 0.0025), where Gauss–Hermite needs tens of thousands
    mp.mp.dps = 30
    exact = mp.quad(lambda z: mp.npdf(z) * mp.log(2 * mp.cosh(b * (a + c * z))),
                    [-mp.inf, -a / c, mp.inf])
    approx = gaussian_average(lambda z: np.abs(b * (a + c * z)) + np.log1p(np.exp(-2 * np.abs(b * (a + c * z)))),
                              slope=b * c, offset=b * a, n=n)
    assert abs(approx - float(exact)) < 1e-12 * max(1.0, abs(float(exact)))


def test_reference_rule_moments_and_normalisation():
    u, w = reference_rule(65)
    assert w.sum() == pytest.approx(2.0, abs=1e-15) and u[0] == -1 and u[-1] == 1
    # Gaussian moments E z^{2k} = (2k-1)!! through the mapped rule
    for k, moment in [(0, 1), (1, 1), (2, 3), (3, 15), (5, 945)]:
        assert gaussian_average(lambda z: z ** (2 * k), n=129) == pytest.approx(moment, rel=1e-12)
    assert abs(gaussian_average(lambda z: z ** 3, n=129)) < 1e-12
    with pytest.raises(ValueError):
        reference_rule(2)
    assert node_counts(65, 600) == [65, 129, 257, 513]


# --- reference solutions computed here with scipy -----------------------------------------------

def _sk_q_reference(T):
    """q = E_z tanh²(β √q z) (SK, h = J0 = 0; Sherrington & Kirkpatrick 1975), by brentq + quad."""
    beta = 1.0 / T

    def g(q):
        val = integrate.quad(lambda z: math.exp(-z * z / 2) / math.sqrt(2 * math.pi)
                             * math.tanh(beta * math.sqrt(q) * z) ** 2, -np.inf, np.inf,
                             epsabs=1e-14, epsrel=1e-14)[0]
        return val - q
    return optimize.brentq(g, 1e-6, 1.0, xtol=1e-15)


@pytest.mark.parametrize("T", [0.5, 0.8])
def test_sk_spin_glass_q_matches_scipy(T):
    solver = Solver(sk_saddle())
    sol = solver.solve(T=T, h=0.0, J0=0.0, guess={"m": 0.0, "q": 0.5})
    assert sol.converged
    assert sol["q"] == pytest.approx(_sk_q_reference(T), abs=1e-9)
    assert abs(sol["m"]) < 1e-12
    # below T = 1 the RS spin-glass solution is AT-unstable: replicon = 1 - β² E sech⁴ < 0
    assert sol.replicon < 0 and not sol.stable


def test_sk_paramagnet_above_tc():
    sol = Solver(sk_saddle()).solve(T=1.5, guess={"m": 0.0, "q": 0.3})
    assert sol.converged and abs(sol["q"]) < 1e-9
    assert sol.replicon == pytest.approx(1 - 1 / 1.5 ** 2, abs=1e-9)   # AT: 1 - β² at q = 0
    assert sol.stable


def test_sk_paramagnet_free_energy():
    # f = -β/4 - T log 2 at q = m = 0 (SK 1975)
    T = 1.5
    sol = Solver(sk_saddle()).solve(T=T, guess={"m": 0.0, "q": 0.3})
    assert sol.free_energy == pytest.approx(-1 / (4 * T) - T * math.log(2), abs=1e-9)


def test_curie_weiss_magnetisation_and_stability():
    solver = Solver(curie_weiss_saddle())
    T = 0.7
    m_ref = optimize.brentq(lambda m: m - math.tanh(m / T), 0.1, 1.0, xtol=1e-15)
    sol = solver.solve(T=T, guess={"m": 0.9})
    assert sol["m"] == pytest.approx(m_ref, abs=1e-10) and sol.stable
    # the m = 0 solution below T_c = 1 is a maximum of f: d²f/dm² = J - βJ² < 0
    sol0 = solver.solve(T=T, guess={"m": 0.0})
    assert sol0.converged and sol0["m"] == 0.0 and not sol0.stable
    # above T_c only m = 0, stable
    sol_hot = solver.solve(T=1.3, guess={"m": 0.9})
    assert abs(sol_hot["m"]) < 1e-9 and sol_hot.stable
    # f = J m²/2 - T log 2cosh(βJm)
    assert sol.free_energy == pytest.approx(m_ref ** 2 / 2 - T * math.log(2 * math.cosh(m_ref / T)),
                                            abs=1e-12)


def test_curie_weiss_huge_beta_no_overflow():
    sol = Solver(curie_weiss_saddle()).solve(beta=1e4, h=0.01, guess={"m": 1.0})
    assert sol["m"] == 1.0 and np.isfinite(sol.free_energy)
    assert sol.free_energy == pytest.approx(0.5 - 1.01, abs=1e-12)


def test_hopfield_retrieval_matches_scipy_fsolve():
    T, alpha = 0.5, 0.05
    sol = Solver(hopfield_saddle(1)).solve(T=T, alpha=alpha)
    beta = 1 / T

    def eqs(x):
        m, q, r = x
        def avg(fun):
            return integrate.quad(lambda z: math.exp(-z * z / 2) / math.sqrt(2 * math.pi)
                                  * fun(math.tanh(beta * (m + math.sqrt(alpha * r) * z))),
                                  -np.inf, np.inf, epsabs=1e-13, epsrel=1e-13)[0]
        return [m - avg(lambda t: t), q - avg(lambda t: t * t), r - q / (1 - beta * (1 - q)) ** 2]

    ref = optimize.fsolve(eqs, [1.0, 1.0, 1.0], xtol=1e-13)
    got = [sol["m"], sol["q"], sol["r"]]
    np.testing.assert_allclose(got, ref, atol=1e-8)
    assert sol.stable


def test_grid_equals_point_by_point():
    solver = Solver(sk_saddle())
    T = np.array([0.6, 0.9, 1.4])
    h = np.array([[0.0], [0.3]])
    grid = solver.solve(T=T, h=h, J0=0.5)
    assert grid["m"].shape == (2, 3) and grid.converged.all()
    for i in range(2):
        for j in range(3):
            point = solver.solve(T=T[j], h=h[i, 0], J0=0.5)
            assert point["m"] == pytest.approx(grid["m"][i, j], abs=1e-12)
            assert point["q"] == pytest.approx(grid["q"][i, j], abs=1e-12)
            assert point.free_energy == pytest.approx(grid.free_energy[i, j], abs=1e-12)
            assert point.stable == grid.stable[i, j]


def test_convergence_error_carries_residual_and_parameters():
    solver = Solver(sk_saddle(), maxiter=1)
    with pytest.raises(ConvergenceError) as info:
        solver.solve(T=0.5, h=0.2)
    err = info.value
    assert err.residual > solver.tol
    assert err.parameters["T"] == 0.5 and err.parameters["h"] == 0.2
    text = str(err)
    assert "T=0.5" in text and "residual" in text and "maxiter" in text and "guess" in text


def test_mask_mode_returns_nan_not_silently():
    solver = Solver(sk_saddle(), maxiter=1)
    sol = solver.solve(T=[0.5, 0.7], errors="mask")
    assert not sol.converged.any()
    assert np.isnan(sol["m"]).all() and np.isnan(sol.free_energy).all()
    assert not sol.stable.any()
    assert (sol.residual > solver.tol).all()


def test_parameter_errors():
    solver = Solver(sk_saddle())
    with pytest.raises(ParameterError, match="valid: .*J0.*T.*h"):
        solver.solve(T=0.5, alpha=0.1)
    with pytest.raises(ParameterError, match="out of range"):
        solver.solve(T=-0.1)
    with pytest.raises(ParameterError, match="valid: 'm', 'q'|valid: m, q"):
        solver.solve(T=0.5, guess={"x": 1.0})
    with pytest.raises(ParameterError):
        solver.solve(T=0.5, errors="ignore")
    with pytest.raises(ParameterError):
        Solver(sk_saddle(), damping=0.0)


def test_zero_temperature_points_use_the_zero_temperature_saddle_point():
    finite = hopfield_saddle(1)
    zero = hopfield_zero_saddle()
    finite._zero = zero         # what SaddlePoint.zero_temperature() returns (engine bookkeeping)
    solver = Solver(finite)
    alpha = 0.05
    sol = solver.solve(T=[0.0, 0.3], alpha=alpha, guess={"m": 1.0, "C": 0.0, "q": 1.0})
    assert sol.converged.all()
    assert set(sol.order_parameters) == {"m", "q", "r", "C"}
    assert np.isnan(sol["q"][0]) and np.isnan(sol["C"][1])

    def eqs(x):   # AGS T = 0 equations, Amit, Gutfreund & Sompolinsky (1987)
        m, C, r = x
        s = math.sqrt(2 * alpha * r)
        return [m - math.erf(m / s), C - math.sqrt(2 / (math.pi * alpha * r)) * math.exp(-(m / s) ** 2),
                r - 1 / (1 - C) ** 2]

    ref = optimize.fsolve(eqs, [1.0, 0.0, 1.0], xtol=1e-14)
    np.testing.assert_allclose([sol["m"][0], sol["C"][0], sol["r"][0]], ref, atol=1e-10)
    assert sol.nodes[0] == 1                          # no Gaussian average left at T = 0


def test_zero_temperature_unavailable_is_a_parameter_error():
    sk = sk_saddle()

    def no_limit():
        raise NotImplementedError("no T = 0 limit for this test model")
    sk.zero_temperature = no_limit
    with pytest.raises(ParameterError, match="zero-temperature"):
        Solver(sk).solve(T=0.0)


def test_solution_to_dict_is_json_and_repr():
    solver = Solver(sk_saddle(), maxiter=1)
    sol = solver.solve(T=[0.5, 1.5], errors="mask")
    d = json.loads(json.dumps(sol.to_dict(), allow_nan=False))
    assert d["order_parameters"]["m"] == [None, None] and d["converged"] == [False, False]
    assert "0/2 converged" in repr(sol)
    ok = Solver(sk_saddle()).solve(T=1.5, guess={"m": 0.0})
    assert isinstance(ok, Solution) and isinstance(ok["q"], float)
    assert "converged=True" in repr(ok)
    assert json.loads(json.dumps(ok.to_dict(), allow_nan=False))["parameters"]["T"] == 1.5


@pytest.mark.parametrize("kink", [0.0, 1.5, 3.0, 4.5, 5.5, 7.0, 16.0, -40.0])
@pytest.mark.parametrize("slope", [0.3, 30.0, 3000.0])
def test_kink_centred_rule_wherever_the_kink_lies(kink, slope):
    # E_z tanh(slope (z - kink)) and tanh²: 1e-11 with 257 nodes for kinks inside, at the edge of and
    # far outside the Gaussian bulk, from T ~ 1 to T ~ 1e-3 (mpmath split at the kink as reference)
    mp.mp.dps = 30
    pts = sorted({-10.0, 10.0} | ({kink - 5 / slope, kink, kink + 5 / slope} if abs(kink) < 10 else set()))
    for power in (1, 2):
        exact = mp.quad(lambda z: mp.npdf(z) * mp.tanh(slope * (z - kink)) ** power,
                        [-mp.inf] + pts + [mp.inf])
        approx = gaussian_average(lambda z: np.tanh(slope * (z - kink)) ** power, slope=slope,
                                  offset=-slope * kink, n=257)
        assert abs(approx - float(exact)) < 1e-11


def test_model_defaults_are_used_by_the_solver():
    import statmech_nn as snn
    solver = snn.model("curie-weiss", T=0.5).free_energy().saddle_point().compile()
    # m = tanh(2m) at T = 0.5 (set on the model), not the spec default
    assert solver.solve(guess={"m": 1.0})["m"] == pytest.approx(0.9575040240772686, abs=1e-10)
    assert solver.solve(beta=1 / 0.5, guess={"m": 1.0})["m"] == pytest.approx(0.9575040240772686, abs=1e-10)


def test_low_temperature_retrieval_guess_stays_on_the_retrieval_branch(hopfield):
    # issue 16: at alpha = 0.05, T = 0.001 a retrieval guess {"m": 1} returned the unstable middle
    # branch m = 0.7236 while T = 0.002 and T = 0 gave 0.99999. The 65-node rule missed the width-T
    # step of tanh(beta(m + sqrt(alpha r) z)) by 1e-3 at the guess and carried the iteration off the
    # retrieval branch; such a point is now solved again from the node count that resolves its guess
    solver = hopfield.saddle_point().compile()
    zero = solver.solve(alpha=0.05, T=0, guess={"m": 1.0})
    # the T = 0 retrieval state: m = erf(m / sqrt(2 alpha r)) (AGS, Ann. Phys. 173, 30 (1987), T = 0 limit)
    assert zero["m"] == pytest.approx(math.erf(zero["m"] / math.sqrt(2 * 0.05 * zero["r"])), abs=1e-12)
    for T in (1e-5, 1e-4, 5e-4, 1e-3, 1.5e-3, 2e-3):
        sol = solver.solve(alpha=0.05, T=T, guess={"m": 1.0})
        assert sol.stable and sol.curvature_stable, T
        assert abs(sol["m"] - zero["m"]) < 1e-8, (T, sol["m"])
    # the unstable middle branch is still there for a guess on it, and reported unstable
    middle = solver.solve(alpha=0.05, T=1e-3, guess={"m": 0.72, "q": 0.9993, "r": 8.87})
    assert middle["m"] == pytest.approx(0.72357, abs=1e-5) and not middle.stable and not middle.curvature_stable


def test_start_levels_follow_the_sharpness_of_the_guess(hopfield):
    # warm points start at the first node count, cold retrieval guesses at a finer one
    solver = hopfield.saddle_point().compile()
    branch = solver._branch("finite")
    T = np.array([0.5, 0.1, 1e-3, 1e-5])
    P = branch.parameter_matrix({"alpha": np.full(4, 0.05), "T": T, "h": np.zeros(4)}, np.arange(4))
    start = solver._start_levels(branch.kernels, np.ones((4, 3)), P, node_counts(65, 4097))
    assert start[0] == 0 and start[2] >= 1 and np.all(np.diff(start) >= 0)
