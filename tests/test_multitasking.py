"""Multitasking Hebbian network (diluted patterns, several retrieved at once): the hierarchical
power law at T = 0, its existence threshold, the (d, T) phase diagram at α = 0 against independent
scipy/numpy computations, Monte Carlo, the finite-load variant."""
import itertools
import math

import numpy as np
import pytest
from scipy.optimize import brentq

import statmech_nn as snn
from statmech_nn.errors import ParameterError
from statmech_nn.symbolic.numeric import evaluate


@pytest.fixture(scope="module")
def solvers():
    out = {}
    for K in (2, 3, 4):
        model = snn.model("multitasking-hebbian", patterns=K)
        out[K] = (model, model.free_energy().saddle_point().compile())
    return out


def _entries(K, d):
    """All configurations of K diluted entries and their probabilities."""
    xs = np.array(list(itertools.product([-1, 0, 1], repeat=K)), float)
    w = np.prod(np.where(xs == 0, d, (1 - d) / 2), axis=1)
    return xs, w


def _zero_t_map(m, d):
    """m_k ← E ξ_k sign(Σ_l ξ_l m_l): the T = 0 low-load self-consistency written out by hand
    (Agliari et al., PRL 109, 268101 (2012); arXiv:2308.04106, low-storage equations)."""
    xs, w = _entries(len(m), d)
    return (w[:, None] * xs * np.sign(xs @ np.asarray(m))[:, None]).sum(0)


def _hierarchy(K, d):
    return np.array([(1 - d) * d**k for k in range(K)])


# -- T = 0: the power-law hierarchy ------------------------------------------------------------------

@pytest.mark.parametrize("K,d", [(2, 0.3), (2, 0.8), (3, 0.3), (3, 0.6), (4, 0.2), (4, 0.5)])
def test_zero_temperature_hierarchy_is_a_power_law(solvers, K, d):
    # Agliari et al. PRL 109, 268101 (2012) and arXiv:2308.04106: at T = 0 in the hierarchical
    # regime m_k = (1 − d) d^{k−1} (each neuron follows the first pattern that is non-zero on it)
    model, solver = solvers[K]
    sol = solver.solve(d=d, T=0.0)
    ms = np.array([sol[f"m_{k}"] for k in range(1, K + 1)])
    assert np.max(np.abs(ms - _hierarchy(K, d))) < 1e-12
    # a power law in the level k: constant ratio d between consecutive amplitudes
    assert np.allclose(ms[1:] / ms[:-1], d, atol=1e-12, rtol=0)
    assert model.classify({f"m_{k}": v for k, v in enumerate(ms, 1)}, {}) == "hierarchical"


def test_hierarchy_exists_only_while_each_level_dominates_the_rest(solvers):
    # the hierarchical configuration is a fixed point of the hand-written T = 0 map iff
    # m_1 > m_2 + … + m_K, i.e. d + … + d^{K−1} < 1; K = 3: d < (√5 − 1)/2 = 0.618
    golden = (math.sqrt(5) - 1) / 2
    for d in (golden - 0.01, golden + 0.01):
        fixed = np.allclose(_zero_t_map(_hierarchy(3, d), d), _hierarchy(3, d), atol=1e-14)
        assert fixed == (d < golden)
    # the engine's T = 0 equations agree: above the threshold the hierarchical start flows elsewhere
    model, solver = solvers[3]
    sol = solver.solve(d=golden + 0.05, T=0.0)
    ms = np.array([sol[f"m_{k}"] for k in (1, 2, 3)])
    assert np.max(np.abs(ms - _hierarchy(3, golden + 0.05))) > 1e-2
    assert np.max(np.abs(_zero_t_map(ms, golden + 0.05) - ms)) < 1e-12   # still a T = 0 fixed point


# -- the (d, T) phase diagram at α = 0 ------------------------------------------------------------------

def _pure_overlap(d, T):
    """m = (1 − d) tanh(m/T), the single-pattern state of diluted patterns (α = 0)."""
    return brentq(lambda m: m - (1 - d) * math.tanh(m / T), 1e-12, 1.0, xtol=1e-15)


def _pure_instability(d, T):
    """1 − β(1 − d)[d + (1 − d) sech²(βm)]: the m_2 direction of the pure state (∂m_2 of the
    K = 2 map at m_2 = 0); it vanishes where the second pattern starts to be retrieved."""
    m, b = _pure_overlap(d, T), 1 / T
    return 1 - b * (1 - d) * (d + (1 - d) / math.cosh(b * m) ** 2)


def _parallel_overlap(d, T):
    xs, w = _entries(2, d)
    return brentq(lambda m: m - np.sum(w * xs[:, 0] * np.tanh(m / T * xs.sum(1))), 1e-12, 1.0,
                  xtol=1e-15)


def _parallel_instability(d, T):
    """1 − β E[(ξ_1 − ξ_2)²/2 sech²(βm(ξ_1 + ξ_2))]: the antisymmetric direction m_1 − m_2 of the
    symmetric (parallel) state of K = 2 (Hessian of f at α = 0)."""
    xs, w = _entries(2, d)
    m, b = _parallel_overlap(d, T), 1 / T
    return 1 - b * np.sum(w * (xs[:, 0] - xs[:, 1]) ** 2 / 2 / np.cosh(b * m * xs.sum(1)) ** 2)


@pytest.fixture(scope="module")
def diagram():
    return snn.phase_diagram(snn.model("multitasking-hebbian"), x=("d", 0.05, 0.9), y=("T", 0.02, 1.0),
                             resolution=11)


def test_phase_diagram_regions(diagram):
    # paramagnet above T = 1 − d (linearised α = 0 map: m_k = β(1 − d) m_k), ordered below
    for j, T in enumerate(diagram.ys):
        for i, d in enumerate(diagram.xs):
            phase = diagram.phases[j][i]
            if abs(T - (1 - d)) > 0.02:
                assert (phase == "paramagnet") == (T > 1 - d), (d, T, phase)
    # at low T: hierarchical at mild dilution, parallel at strong dilution (arXiv:2308.04106)
    low = diagram.phases[0]
    assert low[1] == "hierarchical" and low[-1] == "parallel"
    assert {"pure retrieval", "parallel", "hierarchical", "paramagnet"} <= {p for row in diagram.phases for p in row}


def test_phase_lines_are_the_instabilities_of_pure_and_parallel_states(diagram):
    pure = diagram.line("pure retrieval / hierarchical")
    parallel = diagram.line("parallel / hierarchical")
    assert pure.kind == parallel.kind == "second-order"
    assert len(pure.points) >= 5 and len(parallel.points) >= 5
    for d, T in pure.points:
        assert abs(_pure_instability(d, T)) < 1e-6, (d, T)
    for d, T in parallel.points:
        assert abs(_parallel_instability(d, T)) < 1e-6, (d, T)
    # the parallel band widens with dilution: the line falls towards T = 0 as d grows
    pts = parallel.points[np.argsort(parallel.points[:, 0])]
    assert np.all(np.diff(pts[:, 1]) < 0)


def test_parallel_state_wins_near_the_critical_temperature_above_two_thirds_dilution(solvers):
    # Landau expansion of f(m_1, m_2) = Σm²/2 − T E ln 2cosh(βΣξm) at T → T_c = 1 − d (written out
    # here, not by the engine): the quartic form (β³/12)[(1 − d)Σm⁴ + 6(1 − d)² m_1² m_2²] is lower on
    # the symmetric (parallel) direction than on the pure one iff 3(1 − d) < 1, i.e. d > 2/3 for
    # every K. The engine's Schur-complement curvature of the parallel state (the stability the
    # phase diagram uses) must change sign there as t = T/(1 − d) → 1.
    model, solver = solvers[2]

    def parallel_stable(d, t):
        m0 = 0.3 * (1 - d)
        sol = solver.solve(d=d, T=t * (1 - d), guess={"m_1": m0, "m_2": m0})
        assert sol["m_1"] == pytest.approx(sol["m_2"], abs=1e-9) and sol["m_1"] > 1e-6
        return bool(sol.curvature_stable)

    thresholds = []
    for t in (0.999, 0.99):
        lo, hi = 0.55, 0.8
        assert not parallel_stable(lo, t) and parallel_stable(hi, t)
        for _ in range(24):
            mid = (lo + hi) / 2
            lo, hi = (lo, mid) if parallel_stable(mid, t) else (mid, hi)
        thresholds.append(hi)
        # the hand-written Hessian of the parallel state (_parallel_instability) vanishes there
        assert abs(_parallel_instability(hi, t * (1 - hi))) < 1e-4
    # measured: 0.66640 (t = 0.999), 0.66401 (t = 0.99): O(1 − t) below 2/3
    assert abs(thresholds[0] - 2 / 3) < 1e-3
    assert thresholds[1] < thresholds[0] < 2 / 3


# -- Monte Carlo ------------------------------------------------------------------------------------------

@pytest.mark.slow
def test_monte_carlo_parallel_state(solvers):
    # strong dilution d = 0.7 at T = 0.1: the hierarchical start relaxes to parallel retrieval,
    # m_1 = m_2 = 0.2523 (RS theory, exact at α = 0 for N → ∞)
    model, solver = solvers[2]
    theory = solver.solve(d=0.7, T=0.1)
    assert theory["m_1"] == pytest.approx(theory["m_2"], abs=1e-9)
    assert theory["m_1"] == pytest.approx(_parallel_overlap(0.7, 0.1), abs=1e-9)
    N = 1000
    mc = snn.monte_carlo(model, N=N, samples=4, sweeps=400, seed=1, init="pattern", d=0.7, T=0.1)
    for key in ("m_1", "m_2"):
        assert abs(mc[key].mean - theory[key]) <= 3 * mc[key].stderr + 1 / math.sqrt(N), (key, mc[key])


# -- finite load and bad input --------------------------------------------------------------------------

def test_finite_load_is_the_diluted_hopfield_model():
    # load="finite" composes the same engine terms as hopfield(pattern="diluted", patterns=K)
    finite = snn.model("multitasking-hebbian", patterns=2, load="finite").free_energy().expr
    hop = snn.model("hopfield", pattern="diluted", patterns=2).free_energy().expr
    point = {"m_1": 0.6, "m_2": 0.2, "q": 0.8, "r": 1.1, "alpha": 0.02, "beta": 4.0, "h": 0.0, "d": 0.3}
    assert abs(evaluate(finite, point, dps=30) - evaluate(hop, point, dps=30)) < 1e-25
    # and its α → 0 limit is the low-load model
    solver = snn.model("multitasking-hebbian", load="finite").free_energy().saddle_point().compile()
    low = snn.model("multitasking-hebbian").free_energy().saddle_point().compile()
    a, b = solver.solve(alpha=1e-9, d=0.3, T=0.1), low.solve(d=0.3, T=0.1)
    assert a["m_1"] == pytest.approx(b["m_1"], abs=1e-5) and a["m_2"] == pytest.approx(b["m_2"], abs=1e-5)


def test_bad_input_raises_typed_errors():
    with pytest.raises(ParameterError, match="load"):
        snn.model("multitasking-hebbian", load="medium")
    with pytest.raises(ParameterError, match="patterns"):
        snn.model("multitasking-hebbian", patterns=1)
    solver = snn.model("multitasking-hebbian").free_energy().saddle_point().compile()
    with pytest.raises(ParameterError, match="d"):
        solver.solve(d=1.0, T=0.1)
    with pytest.raises(ParameterError):
        snn.model("multitasking-hebbian").parameters(alpha=0.1)   # no load parameter at low load
