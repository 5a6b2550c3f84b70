"""Wick contractions and the Feynman-diagram expansion of zero-dimensional phi^3 / phi^4 theory."""
import math
import os
import random
import shutil
import subprocess

import pytest
import sympy as sp

from statmech_nn.errors import ParameterError
from statmech_nn.expansions.diagrams import Diagram
from statmech_nn.expansions.wick import ScalarTheory, contract, count_pairings, gaussian_moment, pairings
from statmech_nn.export import compile_latex, latex_document


def has_tikz():
    return shutil.which("kpsewhich") is not None and subprocess.run(
        ["kpsewhich", "tikz.sty"], capture_output=True, text=True).stdout.strip() != ""


needs_tikz = pytest.mark.skipif((shutil.which("pdflatex") is None or not has_tikz()) and not os.environ.get("CI"),
                                reason="pdflatex or tikz not installed (CI installs texlive-pictures)")

lam, g = sp.Symbol("lambda"), sp.Symbol("g")


def test_pairing_count_is_double_factorial():
    for k in range(1, 7):
        ps = list(pairings(range(2 * k)))
        assert len(ps) == count_pairings(2 * k) == sp.factorial2(2 * k - 1)
        assert len({frozenset(map(frozenset, p)) for p in ps}) == len(ps)   # all distinct
    assert list(pairings(range(3))) == [] and count_pairings(3) == 0


def test_gaussian_moment_matches_characteristic_function():
    # E[Π x_i] = ∂_t... exp(t·C·t/2) at t = 0 (the moment generating function of N(0, C))
    rng = random.Random(3)
    a = sp.Matrix(3, 3, lambda i, j: sp.Rational(rng.randint(-3, 3), rng.randint(1, 3)))
    cov = a * a.T + sp.eye(3)
    t = sp.symbols("t0:3")
    mgf = sp.exp((sp.Matrix(t).T * cov * sp.Matrix(t))[0] / 2)
    for idx in ([0, 0, 1, 2], [0, 1, 1, 2, 2, 2], [2, 2, 2, 2], [0, 1, 2]):
        expected = sp.diff(mgf, *[t[i] for i in idx]).subs({s: 0 for s in t})
        assert sp.simplify(gaussian_moment(idx, cov) - expected) == 0
    # symbolic propagators: E[abcd] = G_ab G_cd + G_ac G_bd + G_ad G_bc, 15 terms for six factors
    G = lambda x, y: sp.Symbol("G_{%s%s}" % tuple(sorted(x + y)))   # noqa: E731
    assert gaussian_moment("abcd") == G("a", "b") * G("c", "d") + G("a", "c") * G("b", "d") + G("a", "d") * G("b", "c")
    assert len(sp.Add.make_args(gaussian_moment("abcdef"))) == 15
    assert gaussian_moment([0, 0, 0, 0], [[sp.Symbol("s")]]) == 3 * sp.Symbol("s") ** 2


# feyngen (Borinsky, Comput. Phys. Commun. 185, 3317 (2014)), as listed in REFERENCES.md: the phi^4 2-point
# graphs at two loops have symmetry factors 1/128, 1/16, 1/4, 1/16, 1/48, 1/4, 1/6; which graphs they are is
# documented in tests/test_expansions_diagrams.py (four of them have vacuum components).
FEYNGEN = {
    ((0, 1), (2, 2), (2, 2), (3, 3), (3, 3)): sp.Rational(1, 128),
    ((0, 2), (1, 2), (2, 2), (3, 3), (3, 3)): sp.Rational(1, 16),
    ((0, 2), (1, 2), (2, 3), (2, 3), (3, 3)): sp.Rational(1, 4),
    ((0, 1), (2, 2), (3, 3), (2, 3), (2, 3)): sp.Rational(1, 16),
    ((0, 1), (2, 3), (2, 3), (2, 3), (2, 3)): sp.Rational(1, 48),
    ((0, 2), (1, 3), (2, 2), (3, 3), (2, 3)): sp.Rational(1, 4),
    ((0, 2), (1, 3), (2, 3), (2, 3), (2, 3)): sp.Rational(1, 6),
}


@pytest.mark.parametrize("method", ["multigraphs", "pairings"])
def test_phi4_two_point_two_loops_is_feyngen_list(method):
    expansion = ScalarTheory(4).diagrams(n_external=2, loops=2, method=method)
    hand = {Diagram([("external", 1), ("external", 2), ("internal", None, 4), ("internal", None, 4)], list(e)): f
            for e, f in FEYNGEN.items()}
    assert len(expansion) == 7
    assert {d: f for d, f in zip(expansion.diagrams, expansion.symmetry_factors)} == hand
    # weight from counting contractions = symmetry factor from the automorphism group
    assert expansion.weights == expansion.symmetry_factors
    assert expansion.contractions == count_pairings(10) == 945
    assert expansion.value() == sp.Rational(105, 128) * lam ** 2
    connected = ScalarTheory(4).diagrams(n_external=2, loops=2, kind="connected", method=method)
    assert sorted(connected.symmetry_factors) == [sp.Rational(1, 6), sp.Rational(1, 4), sp.Rational(1, 4)]
    one_pi = ScalarTheory(4).diagrams(n_external=2, loops=2, kind="1pi", method=method)
    assert sorted(one_pi.symmetry_factors) == [sp.Rational(1, 6), sp.Rational(1, 4)]


CASES = [(4, 0, 1), (4, 0, 2), (4, 0, 3), (4, 2, 1), (4, 2, 2), (4, 4, 1), (4, 4, 2),
         (3, 0, 2), (3, 0, 4), (3, 1, 1), (3, 1, 3), (3, 2, 2), (3, 3, 1), (3, 3, 3)]


@pytest.mark.parametrize("k, n_ext, n", CASES)
def test_multiplicity_over_group_order_is_symmetry_factor(k, n_ext, n):
    # orbit–stabiliser: #contractions giving a graph / (n! (k!)^n) = 1/|Aut|, by brute-force pairings
    by_pairing = contract([k] * n, n_ext, method="pairings")
    by_multigraph = contract([k] * n, n_ext, method="multigraphs")
    assert by_pairing == by_multigraph
    assert sum(by_pairing.values()) == count_pairings(k * n + n_ext)
    norm = math.factorial(n) * math.factorial(k) ** n
    for d, mult in by_pairing.items():
        assert sp.Rational(mult, norm) == d.symmetry_factor, d.edges


def test_multiplicity_rule_at_higher_order():
    for k, n_ext, n in [(4, 0, 4), (4, 2, 3), (3, 2, 4), (3, 0, 6)]:
        found = contract([k] * n, n_ext)
        assert sum(found.values()) == count_pairings(k * n + n_ext)
        norm = math.factorial(n) * math.factorial(k) ** n
        assert all(sp.Rational(m, norm) == d.symmetry_factor for d, m in found.items())


@pytest.mark.parametrize("valence, n_ext, order, kinds", [
    (4, 0, 4, ("all", "connected")),                 # Z and log Z to lambda^4
    (4, 2, 3, ("all", "no_vacuum", "connected")),    # E[x^2 ...], <x^2>, <x^2>_c to three loops
    (4, 4, 2, ("all", "no_vacuum", "connected")),    # four-point function
    (3, 0, 6, ("all", "connected")),                 # Z and log Z to g^6
    (3, 1, 3, ("all", "no_vacuum", "connected")),    # <x> to g^3
    (3, 2, 4, ("all", "no_vacuum", "connected")),    # <x^2> and <x^2>_c = <x^2> - <x>^2 to two loops
])
def test_zero_dimensional_diagram_sums_equal_sympy_series(valence, n_ext, order, kinds):
    theory = ScalarTheory(valence)
    for kind in kinds:
        diagrams = theory.series(n_ext, order, kind=kind)
        assert sp.expand(diagrams - theory.zero_dimensional_moment(n_ext, order, kind=kind)) == 0, kind


def test_zero_dimensional_series_against_closed_forms():
    # independent of the package: SymPy integrates exp(-x^2/2 - lambda x^4/4!) term by term
    x = sp.Symbol("x")
    series = sp.series(sp.exp(-lam * x ** 4 / 24), lam, 0, 4).removeO()
    z = sum(sp.integrate(term * sp.exp(-x ** 2 / 2), (x, -sp.oo, sp.oo)) / sp.sqrt(2 * sp.pi)
            for term in sp.Add.make_args(sp.expand(series)))
    assert sp.expand(ScalarTheory(4).series(0, 3) - z) == 0
    assert sp.expand(ScalarTheory(4).series(0, 3, kind="connected")
                     - sp.series(sp.log(z), lam, 0, 4).removeO()) == 0
    # phi^3 vacuum graphs at order g^2: the theta (symmetry factor 1/12) and the dumbbell (1/8), so
    # log Z = (1/12 + 1/8) g^2 + ... (Srednicki, Quantum Field Theory (2007), ch. 9, fig. 9.1: S = 12 and S = 8)
    theta_and_dumbbell = ScalarTheory(3).diagrams(0, order=2, kind="connected")
    assert sorted(theta_and_dumbbell.symmetry_factors) == [sp.Rational(1, 12), sp.Rational(1, 8)]
    assert ScalarTheory(3).series(0, 2, kind="connected") == sp.Rational(5, 24) * g ** 2


def test_massive_propagator_and_mixed_couplings():
    m2 = sp.Symbol("m2", positive=True)
    theory = ScalarTheory({4: lam}, propagator=1 / m2)
    assert sp.simplify(theory.series(2, 2, kind="no_vacuum") - theory.zero_dimensional_moment(2, 2, "no_vacuum")) == 0
    mixed = ScalarTheory({3: g, 4: lam})
    orders = mixed.vertex_orders(n_external=2, loops=2)
    assert sorted(tuple(sorted(o.items())) for o in orders) == [((3, 0), (4, 2)), ((3, 2), (4, 1)), ((3, 4), (4, 0))]
    both = mixed.diagrams(n_external=2, loops=2)
    assert both.weights == both.symmetry_factors


def test_bad_input():
    with pytest.raises(ParameterError, match="exactly one"):
        ScalarTheory(4).diagrams(2)
    with pytest.raises(ParameterError, match="kind"):
        ScalarTheory(4).diagrams(2, order=1, kind="amputated")
    with pytest.raises(ParameterError, match="symmetric"):
        gaussian_moment([0, 1], [[1, 2], [0, 1]])
    with pytest.raises(ParameterError, match="valences"):
        ScalarTheory({2: g})
    with pytest.raises(ParameterError, match="method"):
        contract([4], 2, method="guess")


@needs_tikz
def test_expansion_latex_compiles(tmp_path):
    theory = ScalarTheory(4)
    body = [r"Action: $S = %s$." % sp.latex(theory.action()),
            theory.diagrams(n_external=2, loops=2).latex(),
            theory.diagrams(n_external=0, order=2, kind="connected").latex()]
    tex = tmp_path / "phi4.tex"
    tex.write_text(latex_document("phi^4 diagrams", body, packages=("tikz",),
                                  references=["M. Borinsky, Comput. Phys. Commun. 185, 3317 (2014)"]))
    assert os.path.getsize(compile_latex(str(tex))) > 5_000


def test_docstring_examples():
    import doctest
    import statmech_nn.expansions.wick as module
    result = doctest.testmod(module)
    assert result.attempted >= 8 and result.failed == 0
