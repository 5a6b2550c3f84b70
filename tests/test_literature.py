"""Numbers from the literature reproduced by solving the derived equations (sources beside each)."""
import math

import numpy as np
import pytest
from scipy.integrate import quad
from scipy.optimize import brentq

import statmech_nn as snn


@pytest.fixture(scope="module")
def hopfield_solver():
    return snn.model("hopfield").free_energy().saddle_point().compile()


def test_curie_weiss_critical_temperature_and_amplitude():
    # Curie–Weiss (e.g. Agliari et al. 2014, sec. 2): T_c = J, and m² ≈ 3(1 - T) just below T_c (J = 1)
    solver = snn.model("curie-weiss").free_energy().saddle_point().compile()
    above = solver.solve(T=1.01, guess={"m": 1.0})
    below = solver.solve(T=0.99, guess={"m": 1.0})
    assert abs(above["m"]) < 1e-6 and below["m"] > 0.1
    for T in (0.999, 0.9999):
        m = solver.solve(T=T, guess={"m": 0.5})["m"]
        assert m**2 / (3 * (1 - T)) == pytest.approx(1.0, abs=2 * (1 - T) + 1e-6)
    # J sets the scale: T_c = J = 2
    assert abs(solver.solve(J=2.0, T=2.02, guess={"m": 1.0})["m"]) < 1e-6
    assert solver.solve(J=2.0, T=1.98, guess={"m": 1.0})["m"] > 0.1


def test_sk_critical_temperature_and_rs_overlap():
    # Sherrington & Kirkpatrick (1975): T_c = 1 at J0 = h = 0; RS q solves q = E_z tanh²(β√q z)
    solver = snn.model("sk").free_energy().saddle_point().compile()
    assert solver.solve(T=1.02, guess={"m": 0.0, "q": 0.5})["q"] < 1e-8
    assert solver.solve(T=0.98, guess={"m": 0.0, "q": 0.5})["q"] > 1e-3
    for T in (0.3, 0.6, 0.9):
        beta = 1 / T

        def rs(q):
            return q - quad(lambda z: np.tanh(beta * np.sqrt(q) * z) ** 2 * np.exp(-z * z / 2)
                            / np.sqrt(2 * np.pi), -np.inf, np.inf, epsabs=1e-13)[0]
        q_ref = brentq(rs, 1e-6, 1.0, xtol=1e-13)
        sol = solver.solve(T=T, guess={"m": 0.0, "q": 0.5})
        assert sol["q"] == pytest.approx(q_ref, abs=1e-9)
        # below T_c the RS spin-glass solution is unstable (de Almeida & Thouless 1978)
        assert sol.replicon < 0 and not sol.stable
    para = solver.solve(T=1.5, guess={"m": 0.0, "q": 0.0})
    assert para.replicon == pytest.approx(1 - 1 / 1.5**2, abs=1e-12) and para.stable


def test_ags_storage_capacity_at_zero_temperature(hopfield_solver):
    # Amit, Gutfreund, Sompolinsky (1987): alpha_c(T = 0) ≈ 0.138 with m(alpha_c) ≈ 0.967
    def retrieves(alpha):
        s = hopfield_solver.solve(alpha=alpha, T=0.0, guess={"m": 1.0}, errors="mask")
        return bool(s.converged) and s["m"] > 0.5, s
    lo, hi = 0.10, 0.20
    assert retrieves(lo)[0] and not retrieves(hi)[0]
    while hi - lo > 1e-7:
        mid = (lo + hi) / 2
        if retrieves(mid)[0]:
            lo = mid
        else:
            hi = mid
    alpha_c, m_c = lo, retrieves(lo)[1]["m"]
    assert alpha_c == pytest.approx(0.138, abs=0.001)
    assert m_c == pytest.approx(0.967, abs=0.002)


def test_ags_retrieval_at_finite_temperature(hopfield_solver):
    # AGS (1987): at alpha = 0.05, T = 0.1 the retrieval state has m close to 1 and is a local minimum
    sol = hopfield_solver.solve(alpha=0.05, T=0.1, guess={"m": 1.0})
    assert 0.98 < sol["m"] < 1.0 and sol.converged and sol.stable
    # the alpha -> 0 limit is the Curie–Weiss magnet: m = tanh(m/T)
    m0 = hopfield_solver.solve(alpha=0.0, T=0.5, guess={"m": 1.0})["m"]
    assert m0 == pytest.approx(brentq(lambda m: m - math.tanh(m / 0.5), 0.1, 1.0, xtol=1e-14), abs=1e-10)
