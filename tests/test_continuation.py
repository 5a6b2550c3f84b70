"""Pseudo-arclength continuation: folds and branch points located to 1e-8, branch switching."""
import math

import numpy as np
import pytest
from scipy.optimize import brentq

from statmech_nn.errors import ParameterError
from statmech_nn.solve.continuation import continuation, switch_branch


@pytest.fixture(scope="module")
def cw_solver(curie_weiss):
    return curie_weiss.free_energy().saddle_point().compile()


@pytest.fixture(scope="module")
def sk_solver(sk):
    return sk.free_energy().saddle_point().compile()


def test_curie_weiss_pitchfork_and_branch_switching(cw_solver):
    # m = 0 branch of m = tanh(βm): the ferromagnetic branches leave it at T_c = J = 1
    # (Agliari et al. arXiv:1407.5300 sec. 2; REFERENCES.md)
    br = continuation(cw_solver, "T", 2.0, 0.5, guess={"m": 0.0})
    assert br.reason == "stop" and br.values[-1] == pytest.approx(0.5, abs=1e-12)
    assert [e.kind for e in br.events] == ["branch point"]
    assert abs(br.events[0].value - 1.0) < 1e-8
    assert np.max(np.abs(br["m"])) < 1e-12
    up = switch_branch(cw_solver, br.events[0], 0.5, direction=1)
    down = switch_branch(cw_solver, br.events[0], 0.5, direction=-1)
    assert up.reason == down.reason == "stop"
    m = up["m"][-1]
    assert m == pytest.approx(math.tanh(m / 0.5), abs=1e-10) and m > 0.95
    assert down["m"][-1] == pytest.approx(-m, abs=1e-10)
    # every point of the switched branch solves the equation
    assert np.max(np.abs(up["m"] - np.tanh(up["m"] / up.values))) < 1e-9


def test_curie_weiss_spinodal_fold_in_the_field(cw_solver):
    # at T = 0.5 the m > 0 branch, followed to negative h, folds where β sech²(β(m + h)) = 1:
    # m_s = sqrt(1 - T) ... solved here independently with scipy from m = tanh(β(m + h))
    T = 0.5
    # the fold of m = tanh(β(m + h)): β(1 - m²) = 1, so m_s = sqrt(1 - T), h_s = T atanh(m_s) - m_s
    m_s = brentq(lambda m: (1 - m * m) / T - 1, 0.0, 1.0)
    h_s = T * math.atanh(m_s) - m_s
    br = continuation(cw_solver, "h", 0.2, -0.5, guess={"m": 1.0}, fixed={"T": T}, stop_at_fold=True)
    assert br.reason == "fold" and len(br.folds) == 1
    fold = br.folds[0]
    assert abs(fold.value - h_s) < 1e-8
    assert fold.order_parameters["m"] == pytest.approx(m_s, abs=1e-4)
    # followed through the fold, the branch turns back along the unstable middle solution to the
    # second fold at +h_s, on the m < 0 side: the whole S-shaped curve
    full = continuation(cw_solver, "h", 0.2, -0.5, guess={"m": 1.0}, fixed={"T": T}, max_steps=60)
    assert [round(e.value, 8) for e in full.folds] == [round(h_s, 8), round(-h_s, 8)]
    assert full.folds[1].order_parameters["m"] == pytest.approx(-m_s, abs=1e-4)


def test_sk_branch_points_on_the_paramagnet(sk_solver):
    # the q = m = 0 branch at J0 = 1.5: ferromagnet leaves at T = J0 (SK 1975), spin glass at T = 1
    br = continuation(sk_solver, "T", 2.0, 0.5, guess={"m": 0.0, "q": 0.0}, fixed={"J0": 1.5})
    values = sorted(e.value for e in br.branch_points)
    assert len(values) == 2
    assert abs(values[0] - 1.0) < 1e-8 and abs(values[1] - 1.5) < 1e-8


def test_hopfield_retrieval_spinodal_matches_existence(hopfield):
    solver = hopfield.free_energy().saddle_point().compile()
    br = continuation(solver, "T", 0.3, 1.2, guess={"m": 1, "q": 1, "r": 1}, fixed={"alpha": 0.05},
                      stop_at_fold=True)
    T_M = br.folds[0].value
    inside = solver.solve(alpha=0.05, T=T_M - 1e-6, guess=br.folds[0].order_parameters)
    assert inside.converged and inside["m"] > 0.5
    outside = solver.solve(alpha=0.05, T=T_M + 1e-6, guess=br.folds[0].order_parameters,
                           errors="mask")
    assert not (outside.converged and outside["m"] > 0.5)


def test_bad_input(cw_solver):
    with pytest.raises(ParameterError, match="alpha"):
        continuation(cw_solver, "alpha", 0.1, 0.2)
    with pytest.raises(ParameterError, match="stop != start"):
        continuation(cw_solver, "T", 0.5, 0.5)
    with pytest.raises(ParameterError, match="branch point"):
        switch_branch(cw_solver, continuation(cw_solver, "h", 0.2, -0.5, guess={"m": 1.0},
                                              fixed={"T": 0.5}, stop_at_fold=True).folds[0], 0.1)
