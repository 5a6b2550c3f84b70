"""Replica-symmetry breaking derived by the engine (``model.free_energy(rsb=1)``, ``rsb="full"``), against
the literature and against the independent hand-written references of ``tests/_rsb_reference.py``.

Literature (cited where used, see ``../shared/REFERENCES.md``): G. Parisi, J. Phys. A 13, 1101 (1980);
A. Crisanti and T. Rizzo, PRE 65, 046137 (2002); A. Crisanti and H.-J. Sommers, Z. Phys. B 87, 341 (1992);
W. Krauth and M. Mézard, J. Phys. France 50, 3057 (1989).
"""
import math

import numpy as np
import pytest
import sympy as sp

import statmech_nn as snn
from statmech_nn.errors import DerivationError, ParameterError
from statmech_nn.phases.rsb import complexity, dynamical_transition, static_transition, zero_temperature_capacity
from statmech_nn.solve.parisi import sk_covariance, solve_krsb
from statmech_nn.symbolic.replica import ParisiMatrix, replica_limit

# one xdist worker for this file and notebook 09, which compiles the same kernels (see test_notebooks.py)
pytestmark = pytest.mark.xdist_group("rsb")

SPHERICAL_GUESS = {"m": 0.0, "lambda_m": 0.0, "q0": 0.0, "lambda_q0": 0.0, "q1": 0.71, "lambda_q1": 1.52,
                   "x": 0.74, "lambda": 0.43}


@pytest.fixture(scope="module")
def sk_rsb1():
    saddle = snn.model("sk").free_energy(rsb=1).saddle_point()
    return saddle, saddle.compile()


def test_parisi_matrix_against_explicit_matrices():
    n, x, d, p1, p0, b = sp.symbols("n x d p1 p0 b", positive=True)
    M = ParisiMatrix(d, p1, p0, x, n)
    for size, block in ((4, 2), (6, 3), (6, 2)):
        E = M.explicit(size, block)
        values = {n: size, x: block}
        assert sp.simplify(E.det() - M.det().subs(values)) == 0
        ones = sp.ones(size, 1)
        assert sp.simplify((ones.T * E.inv() * ones)[0] - M.ones_quadratic_form().subs(values)) == 0
    # x = 1 (one block per replica) is the RS matrix of the between-block value
    from statmech_nn.symbolic.replica import RSMatrix
    assert sp.simplify(replica_limit(M.logdet().subs(x, 1), n)
                       - replica_limit(RSMatrix(d, p0, n).logdet(), n)) == 0


def test_sk_1rsb_equations_are_the_textbook_ones(sk_rsb1):
    saddle, _ = sk_rsb1
    assert [str(s) for s in saddle.order_parameters] == ["m", "q0", "q1", "x"]
    # Parisi (1980): q0 = E_z0 <tanh>_w², q1 = E_z0 <tanh²>_w with the block weight w = (2 cosh)^x
    from statmech_nn.symbolic.averages import GaussianAverage
    q0, q1 = saddle.order_parameters[1:3]
    inner = {str(a.integrand) for a in saddle.equations[q1].atoms(GaussianAverage) if str(a.variable) == "z_1"}
    assert any("tanh" in e and "**2" in e for e in inner)
    assert saddle.replicon is not None


def test_sk_1rsb_at_finite_temperature_matches_the_hand_written_k1_solution(sk_rsb1):
    # the engine's derived 1RSB (f, q0, q1, x) against the independent Parisi-PDE k = 1 solver
    _, solver = sk_rsb1
    sol = solver.solve(T=0.5, J0=0.0, h=0.0, guess={"m": 0.0, "q0": 0.2, "q1": 0.6, "x": 0.3})
    ref = solve_krsb(1, *sk_covariance(), beta=2.0)
    assert sol.free_energy == pytest.approx(ref.free_energy, abs=1e-8)
    assert (sol["q0"], sol["q1"]) == pytest.approx(tuple(ref.q), abs=1e-6)
    assert sol["x"] == pytest.approx(ref.x[0], abs=1e-6)
    # 1RSB raises the free energy above RS (f is maximised in the order parameters as n -> 0) and
    # is itself unstable in SK (full RSB): its replicon inside the blocks is negative
    rs = snn.model("sk").free_energy().saddle_point().compile().solve(T=0.5, guess={"m": 0.0, "q": 0.5})
    assert sol.free_energy > rs.free_energy and sol.replicon < 0


def test_sk_1rsb_ground_state_is_parisi_1980(sk_rsb1):
    # Parisi, J. Phys. A 13, 1101 (1980): one step of RSB gives e0 = -0.7652 for SK (J = 1); the T = 0
    # limit is derived by the engine with y = beta x finite
    saddle, solver = sk_rsb1
    zero = saddle.zero_temperature()
    assert [str(s) for s in zero.order_parameters] == ["m", "q0", "y"]
    sol = solver.solve(T=0, J0=0.0, h=0.0, guess={"m": 0.0, "q0": 0.45, "y": 1.3})
    assert sol.free_energy == pytest.approx(-0.7652, abs=1e-4)
    # and to 1e-9 the hand-written T = 0 1RSB reference of tests/_rsb_reference.py
    from _rsb_reference import sk_1rsb_ground_state
    energy, q0, y = sk_1rsb_ground_state()
    assert sol.free_energy == pytest.approx(energy, abs=1e-9)
    assert (sol["q0"], sol["y"]) == pytest.approx((q0, y), abs=1e-6)


def test_hopfield_1rsb_capacity_is_steffan_kuhn_1994():
    # the engine's T = 0 limit of the Hopfield 1RSB saddle point (C = β(1 − q1), y = βx finite): one
    # compiled zero-temperature solver for the solution at α = 0.13 and the capacity
    import _rsb_reference as ref
    zero = snn.model("hopfield").free_energy(rsb=1).saddle_point().zero_temperature()
    assert [str(s) for s in zero.order_parameters] == ["m", "q0", "r0", "r1", "C", "y"]
    solver = zero.compile()
    # the hand-written reference (tests/_rsb_reference.py, C = 2 E_z[φ(a/s)/(s A(a))] by the heat
    # equation) at α = 0.13, as the starting point; the engine solves its own derived equations
    m, w = ref.hopfield_1rsb_start(0.13)
    alpha, (m, C, q0, r0, r1, mu) = ref._hopfield_unpack(m, w)
    want = {"m": m, "q0": q0, "r0": r0, "r1": r1, "C": C, "y": mu}
    sol = solver.solve(T=0, alpha=float(alpha), h=0.0, guess=want)
    for k in ("m", "q0", "r0", "r1", "C"):
        assert sol[k] == pytest.approx(want[k], abs=1e-8), k
    # the energy depends on y only at the 1e-7 level: the reference's μ is solved to 1e-3 (its docstring)
    assert sol["y"] == pytest.approx(mu, abs=1e-3)
    assert sol.free_energy == pytest.approx(ref.hopfield_1rsb_energy((m, C, q0, r0, r1, mu), float(alpha)), abs=1e-10)
    assert sol["q0"] < 1 and sol["r1"] > sol["r0"]        # replica symmetry broken
    # the capacity: the fold of the T = 0 1RSB retrieval branch in α. Steffan & Kühn, Z. Phys. B 95, 249
    # (1994): 0.138186, above the RS 0.137905 (AGS 1987); the hand reference's fold is 0.13818649
    # (ref.hopfield_1rsb_capacity(), 30 s: its own slow test in test_rsb_reference.py)
    alpha_c, at = zero_temperature_capacity(solver, float(alpha), dict(sol.order_parameters), stop=0.145, h=0.0)
    assert alpha_c == pytest.approx(0.13819, abs=1e-4)
    assert alpha_c == pytest.approx(0.1381864895, abs=1e-6)
    assert alpha_c > ref.hopfield_rs_capacity()[0] + 2.5e-4
    assert at["m"] == pytest.approx(0.96678, abs=1e-4)


def test_sk_full_rsb_ground_state_is_crisanti_rizzo_2002():
    # Crisanti & Rizzo, PRE 65, 046137 (2002): e0 = -0.7631667; the covariance xi(q) = q²/2 is read off
    # the model's derivation (the overlap energy of its Gaussian couplings)
    functional = snn.model("sk").free_energy(rsb="full")
    q = functional.q
    assert sp.simplify(functional.covariance - q**2 / 2) == 0
    sol = functional.solve(T=0, J0=0.0, h=0.0, k_max=6)
    assert sol.free_energy == pytest.approx(-0.7631667, abs=1e-4)
    # the p-spin's covariance q^p/2 comes out of its own derivation too
    assert sp.simplify(snn.model("p-spin", p=3).free_energy(rsb="full").covariance - q**3 / 2) == 0
    with pytest.raises(ParameterError, match="magnetisation m"):
        functional.solve(T=0.5, J0=1.0)
    with pytest.raises(DerivationError, match="replica-matrix function"):
        snn.model("hopfield").free_energy(rsb="full")


def test_spherical_p3_static_and_dynamical_transitions_are_crisanti_sommers():
    # Crisanti & Sommers, Z. Phys. B 87, 341 (1992): T_s = 0.5861, T_d = sqrt(3/8) = 0.6124 with q1 = 1/2
    model = snn.model("p-spin", p=3, spins="spherical")
    Ts, at_s = static_transition(model, 0.5, 0.6, SPHERICAL_GUESS, J0=0.0, h=0.0)
    assert Ts == pytest.approx(0.5861, abs=1e-4)
    assert at_s["q0"] == pytest.approx(0.0, abs=1e-9)
    # the 1RSB solution of the spherical model is stable (its replicon inside the blocks is positive)
    # and at T_s the complexity of the equilibrium states vanishes
    assert at_s.replicon > 0 and abs(complexity(model, at_s)) < 1e-6
    threshold = {k: v for k, v in SPHERICAL_GUESS.items() if k != "x"}
    Td, at_d = dynamical_transition(model, 0.55, threshold, J0=0.0, h=0.0)
    assert Td == pytest.approx(math.sqrt(3 / 8), abs=1e-6)
    assert at_d["q1"] == pytest.approx(0.5, abs=1e-3)
    # marginal stability: the replicon of the threshold states vanishes at T_d
    assert abs(at_d.replicon) < 1e-3
    # between T_s and T_d the threshold states have a positive complexity
    assert complexity(model, at_d, fixed_x=1) > 0


def test_rsb_options_are_checked():
    model = snn.model("sk")
    with pytest.raises(ParameterError, match="rsb must be"):
        model.free_energy(rsb=2)
    with pytest.raises(ParameterError, match="use rsb=1"):
        model.free_energy(x=1)
    with pytest.raises(DerivationError, match=r"\(0, 1\]"):
        model.free_energy(rsb=1, x=1.5)
    with pytest.raises(DerivationError, match="bipartite"):
        snn.model("rbm").free_energy(rsb=1)


# -- the perceptron's one-step RSB (Gardner & Derrida 1988; Krauth & Mézard 1989) ----------------------

PERCEPTRON_POINT = {"beta": 2.0, "alpha": 0.7, "kappa": 0.3}


@pytest.fixture(scope="module")
def ising_perceptron():
    return snn.model("perceptron", weights="ising")


@pytest.fixture(scope="module")
def frozen_solver(ising_perceptron):
    return ising_perceptron.free_energy(rsb=1).frozen(0.5).compile()


@pytest.mark.parametrize("weights", ["ising", "spherical"])
def test_perceptron_1rsb_reduces_to_rs_at_equal_overlaps(weights):
    # the examples' energetic term is in the one-step free energy (it was once dropped: q_hat0 = q_hat1
    # = 0 at the saddle point): at q0 = q1, q_hat0 = q_hat1 the block averages are trivial and the 1RSB
    # functional and its replicon inside the blocks are the RS ones, for every x
    from statmech_nn.symbolic.averages import expand_averages
    from statmech_nn.symbolic.numeric import evaluate
    model = snn.model("perceptron", weights=weights)
    rs, one = model.free_energy(), model.free_energy(rsb=1)
    names = {str(s): s for s in one.expr.free_symbols}
    assert {"q0", "q1", "q_hat0", "q_hat1", "alpha", "kappa"} <= set(names)   # the examples are there
    point = dict(PERCEPTRON_POINT, q=0.4, q_hat=1.2, k_hat=1.7)
    equal = {names["q1"]: names["q0"], names["q_hat1"]: names["q_hat0"]}
    for x in (0.3, 0.8):
        values = dict(point, q0=0.4, q_hat0=1.2, x=x)
        f1 = evaluate(expand_averages(one.expr.xreplace(equal)), values, dps=20)
        assert float(f1) == pytest.approx(float(evaluate(rs.expr, point, dps=20)), abs=1e-12)
    if weights == "ising":
        lam1 = one.saddle_point().replicon.xreplace(equal)
        lam = rs.saddle_point().replicon
        for x in (0.3, 0.8):
            got = evaluate(expand_averages(lam1), dict(point, q0=0.4, q_hat0=1.2, x=x), dps=20)
            assert float(got) == pytest.approx(float(evaluate(lam, point, dps=20)), abs=1e-10)


def test_ising_perceptron_frozen_functional_is_krauth_mezard(ising_perceptron):
    # the engine's q1 -> 1, q_hat1 -> infinity limit of its own 1RSB free energy (T = 0, version space)
    # against the hand-written frozen functional of tests/_rsb_reference.py (Krauth & Mézard 1989)
    from _rsb_reference import ising_perceptron_frozen_1rsb_functional
    from statmech_nn.symbolic.numeric import evaluate
    one = ising_perceptron.free_energy(rsb=1)
    for q0, qhat0, x, alpha in ((0.4, 1.3, 0.5, 0.7), (0.6, 0.8, 0.3, 0.9), (0.2, 2.0, 1.0, 0.5)):
        frozen = one.frozen(x)
        assert [str(s) for s in frozen.order_parameters] == ["q0", "q_hat0"]
        phi = -evaluate(frozen.free_energy, {"q0": q0, "q_hat0": qhat0, "alpha": alpha, "kappa": 0.0}, dps=20)
        assert float(phi) == pytest.approx(ising_perceptron_frozen_1rsb_functional(q0, qhat0, x, alpha), abs=1e-8)


def test_ising_perceptron_frozen_capacity_is_krauth_mezard(ising_perceptron, frozen_solver):
    # Krauth & Mézard, J. Phys. France 50, 3057 (1989): the frozen one-step complexity of the Ising
    # perceptron vanishes at alpha_c = 0.833 (kappa = 0), the load where the RS entropy vanishes
    import _rsb_reference as ref
    from statmech_nn.phases.rsb import frozen_capacity
    q0, qhat0, phi = ref.ising_perceptron_frozen_1rsb(0.8, 0.5)
    sol = frozen_solver.solve(T=0, alpha=0.8, kappa=0.0, guess={"q0": 0.5, "q_hat0": 4.0})
    assert (sol["q0"], sol["q_hat0"]) == pytest.approx((q0, qhat0), abs=1e-6)
    assert -sol.free_energy == pytest.approx(phi, abs=1e-9)
    alpha_c, at = frozen_capacity(ising_perceptron, x=0.5, solver=frozen_solver, kappa=0.0)
    assert alpha_c == pytest.approx(0.833, abs=1e-3)
    assert alpha_c == pytest.approx(ref.ising_perceptron_frozen_capacity(), abs=1e-6)
    assert at.free_energy == pytest.approx(0.0, abs=1e-9)
    # independent of x (each frozen state is one configuration)
    alpha_c2, _ = frozen_capacity(ising_perceptron, x=0.8, kappa=0.0)
    assert alpha_c2 == pytest.approx(alpha_c, abs=1e-8)


def test_perceptron_1rsb_refuses_what_it_does_not_derive(ising_perceptron):
    # never a silently wrong number: a teacher in the one-step ansatz, the spin-glass T = 0 limit of a
    # version space and a frozen limit without x are refused by name
    with pytest.raises(DerivationError, match="teacher"):
        snn.model("teacher-student-perceptron", weights="ising").free_energy(rsb=1)
    one = ising_perceptron.free_energy(rsb=1)
    with pytest.raises(DerivationError, match="frozen"):
        one.saddle_point().zero_temperature()
    with pytest.raises(DerivationError, match=r"\(0, 1\]"):
        one.frozen()
    with pytest.raises(DerivationError, match="one-step"):
        ising_perceptron.free_energy().frozen(0.5)
    with pytest.raises(DerivationError, match="version space"):
        snn.model("sk").free_energy(rsb=1).frozen(0.5)
    with pytest.raises(DerivationError, match="spherical weights have no frozen states"):
        snn.model("perceptron").free_energy(rsb=1).frozen(0.5)
