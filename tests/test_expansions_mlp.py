"""MLP Taylor coefficients from propagator/vertex diagrams (Kaspschak & Meissner 2021) and the Born-series
example of neural-network perturbation theory."""
import itertools
import math
import os
import shutil

import mpmath
import numpy as np
import pytest
import sympy as sp

from statmech_nn.errors import ParameterError
from statmech_nn.expansions.born import (LAMBDA, R_SYM, BornNetworkPerturbationTheory, StepPotential, born_terms,
                                         square_well_scattering_length)
from statmech_nn.expansions.diagrams import Diagram
from statmech_nn.expansions.mlp import (MLP, MLPTaylor, count_generating_function, diagram_count,
                                        generate_trees)

needs_pdflatex = pytest.mark.skipif(shutil.which("pdflatex") is None and not os.environ.get("CI"),
                                    reason="pdflatex not installed (CI installs it)")

X0 = [0.3, -0.2]
# small random networks: (input, hidden..., output) sizes by number of hidden layers
SIZES = {1: (2, 4, 2), 2: (2, 3, 3, 1), 3: (2, 3, 2, 3, 1)}


# ------------------------------------------------------------------ counting
def test_diagram_counts_follow_the_chain_rule():
    t = sp.Symbol("t")
    for h in (1, 2, 3):
        egf = sp.series(count_generating_function(h, t), t, 0, 7).removeO()
        for k in range(1, 6):
            enumerated = len(generate_trees(k, h))
            assert enumerated == diagram_count(k, h)
            assert enumerated == sp.factorial(k) * egf.coeff(t, k)
    assert [diagram_count(k, 1) for k in range(1, 6)] == [1] * 5           # z^1 is linear in x
    assert [diagram_count(k, 2) for k in range(1, 7)] == [int(sp.bell(k)) for k in range(1, 7)]
    # OEIS A000258, exp(exp(exp(t) - 1) - 1): 1, 3, 12, 60, 358, 2471
    assert [diagram_count(k, 3) for k in range(1, 7)] == [1, 3, 12, 60, 358, 2471]


def test_shapes_carry_multiplicity_k_factorial_over_automorphisms():
    net = MLP.random(SIZES[2], "tanh", seed=0)
    taylor = MLPTaylor(net, X0, order=4)
    for k in range(1, 5):
        shapes = taylor.shapes(k)
        # with two hidden layers a shape is an integer partition of k (block sizes): p(k) = 1, 2, 3, 5
        assert len(shapes) == [1, 2, 3, 5][k - 1]
        assert shapes.total() == diagram_count(k, 2)
    # k = 4: {1234}, {123}{4} x4, {12}{34} x3, {12}{3}{4} x6, singletons x1
    assert sorted(int(c) for c in taylor.shapes(4).coefficients) == [1, 1, 3, 4, 6]
    deep = MLPTaylor(MLP.random(SIZES[3], "tanh", seed=0), X0, order=4)
    assert deep.shapes(4).total() == 60
    # a diagram with labelled slots is one chain-rule term: no automorphisms; vertices = tree nodes + legs
    dg = taylor.diagrams(3)[1]
    graph = dg.graph()
    assert isinstance(graph, Diagram) and graph.automorphism_count() == 1
    assert len(graph.external) == 3 + 1 and len(graph.internal) == len(dg.tree.vertices())
    assert r"\begin{tikzpicture}" in graph.latex()


# ------------------------------------------------------------------ values
@pytest.mark.parametrize("act", ["tanh", "sigmoid"])
@pytest.mark.parametrize("hidden", [1, 2, 3])
def test_diagram_sum_equals_sympy_differentiation(act, hidden):
    # SymPy differentiates the network expression restricted to the line x0 + t v (all numbers exact
    # binary floats at 30 digits); k+1 directions in general position fix the symmetric order-k tensor
    # (polarisation), so agreement along 5 directions checks every partial derivative up to order 4
    net = MLP.random(SIZES[hidden], act, seed=10 * hidden + len(act))
    taylor = MLPTaylor(net, X0, order=4)
    t = sp.Symbol("t", real=True)
    rng = np.random.default_rng(hidden)
    for _ in range(5):
        v = rng.standard_normal(2)
        line = [sp.Float(X0[i], 30) + t * sp.Float(v[i], 30) for i in range(2)]
        y = net.sympy_expression(line)
        for k in range(1, 5):
            y = y.diff(t)
            tensor = taylor.derivative_tensor(k)
            along = tensor
            for _ in range(k):
                along = along @ v
            scale = np.abs(tensor).max() * np.linalg.norm(v)**k
            for o in range(net.output_dim):
                exact = float(y[o].xreplace({t: sp.Integer(0)}).evalf(25))
                assert abs(along[o] - exact) <= 1e-10 * max(abs(exact), 1e-3 * scale), (k, o, along[o], exact)


@pytest.mark.parametrize("act", ["tanh", "sigmoid"])
@pytest.mark.parametrize("hidden", [1, 2, 3])
def test_diagram_sum_equals_high_precision_finite_differences(act, hidden):
    # independent numeric method: mpmath's finite-difference partial derivatives in 40-digit arithmetic
    net = MLP.random(SIZES[hidden], act, seed=7 + hidden)
    taylor = MLPTaylor(net, X0, order=4)
    point = [mpmath.mpf(X0[0]), mpmath.mpf(X0[1])]
    with mpmath.workdps(40):
        for o in range(net.output_dim):
            f = net.mpmath_function(o)
            for k in range(1, 5):
                scale = np.abs(taylor.derivative_tensor(k)[o]).max()
                for combo in itertools.combinations_with_replacement(range(2), k):
                    orders = (combo.count(0), combo.count(1))
                    reference = float(mpmath.diff(f, point, orders))
                    value = taylor.derivative(combo)[o]
                    assert abs(value - reference) <= 1e-10 * max(abs(reference), 1e-3 * scale), (combo, value,
                                                                                              reference)


def test_taylor_polynomial_error_shrinks_like_fifth_power():
    net = MLP.random(SIZES[3], "tanh", seed=3)
    taylor = MLPTaylor(net, X0, order=4)
    direction = np.array([0.6, -0.8])
    errors = [abs(net(np.add(X0, h * direction))[0] - taylor.series(h * direction)[0]) for h in (0.02, 0.01)]
    assert math.log2(errors[0] / errors[1]) == pytest.approx(5, abs=0.2)
    coefficients = taylor.taylor_coefficients(2)
    assert coefficients[(1, 1)][0] == pytest.approx(taylor.derivative((0, 1))[0])
    assert coefficients[(2, 0)][0] == pytest.approx(taylor.derivative((0, 0))[0] / 2)


def test_bad_input_raises_parameter_errors():
    with pytest.raises(ParameterError, match="at least one hidden layer"):
        MLP([np.ones((1, 2))], [np.ones(1)])
    with pytest.raises(ParameterError, match="columns"):
        MLP([np.ones((3, 2)), np.ones((1, 4))], [np.ones(3), np.ones(1)])
    with pytest.raises(ParameterError, match="unknown activation"):
        MLP.random((2, 3, 1), "swish")
    net = MLP.random((2, 3, 1), "tanh", seed=0)
    with pytest.raises(ParameterError, match="length 2"):
        MLPTaylor(net, [0.0, 0.0, 0.0])
    with pytest.raises(ParameterError, match="order"):
        MLPTaylor(net, X0, order=0)
    with pytest.raises(ParameterError, match="in 1..2"):
        MLPTaylor(net, X0, order=2).derivative_tensor(3)
    with pytest.raises(ParameterError, match="input indices"):
        MLPTaylor(net, X0, order=2).derivative((0, 5))


# ------------------------------------------------------------------ the Born series
def test_square_well_series_equals_green_function_born_terms():
    exact, (a1, a2), _ = square_well_scattering_length(2)
    k = sp.sqrt(LAMBDA)
    # textbook form a = R - tan(kR)/k for an attractive well U = -k^2 (Sakurai, Sec. 7.8)
    assert sp.simplify(exact - (R_SYM - sp.tan(k * R_SYM) / k)) == 0
    b1, b2 = born_terms(-LAMBDA)
    assert sp.simplify(a1 - b1) == 0 and sp.simplify(a2 - b2) == 0
    assert sp.simplify(a1 + LAMBDA * R_SYM**3 / 3) == 0 and sp.simplify(a2 + 2 * LAMBDA**2 * R_SYM**5 / 15) == 0


def test_step_potential_born_terms_are_the_expansion_of_the_exact_map():
    shells = StepPotential(4, 1.0)
    # a uniform well is the square well: the shell integrals add up to R^3/3 and -2R^5/15 exactly
    assert sum(shells.first_exact) == sp.Rational(1, 3)
    assert sum(sum(row) for row in shells.second_exact) == sp.Rational(-2, 15)
    well = -0.3 * np.ones(4)
    exact, _, _ = square_well_scattering_length(2)
    assert shells.scattering_length(well) == pytest.approx(float(exact.subs({LAMBDA: 0.3, R_SYM: 1})), rel=1e-13)
    # an irregular, partly repulsive profile: the remainder after two Born terms is O(lambda^3)
    profile = np.array([0.8, -1.3, 0.4, -0.6])
    remainders = []
    for lam in (0.04, 0.02):
        a1, a2 = shells.born(lam * profile)
        remainders.append(abs(shells.scattering_length(lam * profile) - a1 - a2))
    assert math.log2(remainders[0] / remainders[1]) == pytest.approx(3, abs=0.1)


def test_network_perturbation_theory_learns_first_and_second_born_terms():
    shells = StepPotential(4, 1.0)
    nnpt = BornNetworkPerturbationTheory(shells, seed=0)
    well = -0.3 * np.ones(4)
    a1, a2 = nnpt.born(well)
    # closed forms of the square well: -lambda R^3/3 = -0.1, -2 lambda^2 R^5/15 = -0.012 (lambda = 0.3, R = 1)
    assert a1 == pytest.approx(-0.1, rel=5e-3)
    assert a2 == pytest.approx(-0.012, rel=2e-2)
    np.testing.assert_allclose(nnpt.first_kernel, shells.first, rtol=5e-2)
    second_error = np.abs(nnpt.second_kernel - shells.second).max() / np.abs(shells.second).max()
    assert second_error < 3e-2
    # the paper's point: after eliminating the leading order, the second network learns the second-order
    # coefficients better than the first network's own Hessian does
    first_hessian = MLPTaylor(nnpt.first_network, np.zeros(4), order=2).derivative_tensor(2)[0] / 2
    assert second_error < np.abs(first_hessian - shells.second).max() / np.abs(shells.second).max()
    with pytest.raises(ParameterError, match="bind"):
        BornNetworkPerturbationTheory(shells, amplitude=3.0)


@needs_pdflatex
def test_mlp_and_born_latex_compiles(tmp_path):
    from statmech_nn.export import compile_latex, latex_document
    from statmech_nn.expansions.born import REFERENCES as BORN_REFERENCES
    from statmech_nn.expansions.mlp import REFERENCES
    taylor = MLPTaylor(MLP.random(SIZES[2], ["tanh", "sigmoid"], seed=1), X0, order=4)
    body = [taylor.latex(), BornNetworkPerturbationTheory(StepPotential(4, 1.0), seed=0).latex()]
    assert body[0].count(r"\begin{tikzpicture}") == 1 + 2 + 3       # shapes of orders 1-3
    tex = tmp_path / "mlp.tex"
    tex.write_text(latex_document("MLP Taylor coefficients and the Born series", body, packages=("tikz",),
                                  references=REFERENCES + BORN_REFERENCES))
    pdf = compile_latex(str(tex))
    assert os.path.getsize(pdf) > 10_000
