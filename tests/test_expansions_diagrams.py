"""The diagram layer: automorphisms, symmetry factors, isomorphism, drawing and TikZ export."""
import itertools
import os
import random
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest
import sympy as sp

from statmech_nn.errors import ParameterError
from statmech_nn.expansions.diagrams import Diagram, DiagramSum, Edge
from statmech_nn.export import compile_latex, latex_document



def has_tikz():
    if shutil.which("kpsewhich") is None:
        return False
    return subprocess.run(["kpsewhich", "tikz.sty"], capture_output=True, text=True).stdout.strip() != ""


# tikz lives in TeX Live's pictures collection (Debian/Ubuntu: texlive-pictures), not in latex-recommended
needs_tikz = pytest.mark.skipif((shutil.which("pdflatex") is None or not has_tikz()) and not os.environ.get("CI"),
                                reason="pdflatex or tikz not installed (CI installs texlive-pictures)")

X4 = ("internal", None, 4)


def ext(k):
    return ("external", k)


# The seven phi^4 two-point graphs at two loops (loop order E - V + 1 = 2, i.e. two vertices) with their
# symmetry factors in feyngen's enumeration (Borinsky, Comput. Phys. Commun. 185, 3317 (2014); listed in
# REFERENCES.md as 1/128, 1/16, 1/4, 1/16, 1/48, 1/4, 1/6): four of them carry vacuum components.
FEYNGEN_PHI4_2PT_2LOOP = [
    ("propagator x two figure-eights", [(0, 1), (2, 2), (2, 2), (3, 3), (3, 3)], sp.Rational(1, 128)),
    ("tadpole x figure-eight", [(0, 2), (1, 2), (2, 2), (3, 3), (3, 3)], sp.Rational(1, 16)),
    ("tadpole on tadpole", [(0, 2), (1, 2), (2, 3), (2, 3), (3, 3)], sp.Rational(1, 4)),
    ("propagator x dumbbell", [(0, 1), (2, 2), (3, 3), (2, 3), (2, 3)], sp.Rational(1, 16)),
    ("propagator x melon", [(0, 1), (2, 3), (2, 3), (2, 3), (2, 3)], sp.Rational(1, 48)),
    ("two tadpoles in a row", [(0, 2), (1, 3), (2, 2), (3, 3), (2, 3)], sp.Rational(1, 4)),
    ("sunset", [(0, 2), (1, 3), (2, 3), (2, 3), (2, 3)], sp.Rational(1, 6)),
]


def feyngen_graphs():
    return [Diagram([ext(1), ext(2), X4, X4], edges, name=name) for name, edges, _ in FEYNGEN_PHI4_2PT_2LOOP]


def test_feyngen_phi4_two_loop_two_point_symmetry_factors():
    graphs = feyngen_graphs()
    assert [g.symmetry_factor for g in graphs] == [f for _, _, f in FEYNGEN_PHI4_2PT_2LOOP]
    assert all(g.loop_order == 2 for g in graphs)
    # pairwise non-isomorphic
    assert len({g.canonical_form() for g in graphs}) == 7
    # the three connected ones; sunset and tadpole-on-tadpole are 1PI
    assert [g.is_connected for g in graphs] == [False, False, True, False, False, True, True]
    assert [g.is_one_particle_irreducible() for g in graphs] == [False] * 2 + [True] + [False] * 3 + [True]
    assert [g.has_vacuum_components for g in graphs] == [True, True, False, True, True, False, False]
    # their sum is the lambda^2 coefficient of E[x^2 exp(-lambda x^4/4!)] = E[x^10]/(2 * 24^2) = 945/1152
    assert sum(g.symmetry_factor for g in graphs) == sp.Rational(945, 1152)


def brute_force_aut(d):
    """|Aut| by enumerating vertex permutations, edge permutations and edge-end swaps (flag maps)."""
    n, edges = d.n_vertices, d.edges
    count = 0
    for perm in itertools.permutations(range(n)):
        if any(d.vertices[perm[i]][:2] != d.vertices[i][:2] for i in range(n)):
            continue
        for eperm in itertools.permutations(range(len(edges))):
            for flips in itertools.product((0, 1), repeat=len(edges)):
                ok = True
                for k, e in enumerate(edges):
                    f = edges[eperm[k]]
                    if f.label != e.label or f.directed != e.directed or (flips[k] and e.directed):
                        ok = False
                        break
                    ends = (f.v, f.u) if flips[k] else (f.u, f.v)
                    if ends != (perm[e.u], perm[e.v]):
                        ok = False
                        break
                count += ok
    return count


SMALL = [
    Diagram([X4], [(0, 0), (0, 0)]),                                           # figure eight: 8
    Diagram([("internal", None, 3)] * 2, [(0, 1)] * 3),                        # theta: 12
    Diagram([("internal", None, 3)] * 2, [(0, 0), (0, 1), (1, 1)]),            # dumbbell: 8
    Diagram([ext(1), ext(2), X4], [(0, 2), (1, 2), (2, 2)]),                   # tadpole: 2
    Diagram([("external", "x"), ("external", "x")], [(0, 1)]),                 # unlabelled legs swap: 2
    Diagram(["internal"] * 3, [(0, 1, None, True), (1, 2, None, True), (2, 0, None, True)]),   # 3-cycle: 3
    Diagram(["internal"] * 3, [(0, 1), (1, 2), (2, 0)]),                       # triangle: 6
    Diagram(["internal"] * 2, [(0, 1, "a"), (0, 1, "b"), (0, 0, "a")]),        # typed edges: 2
    Diagram(["internal"] * 2, [(0, 0, None, True), (1, 1, None, True), (0, 1)]),   # directed loops: 2
]


@pytest.mark.parametrize("d, expected", list(zip(SMALL, [8, 12, 8, 2, 2, 3, 6, 2, 2])))
def test_automorphism_count_equals_brute_force(d, expected):
    assert d.automorphism_count() == expected
    assert brute_force_aut(d) == expected
    assert d.symmetry_factor == sp.Rational(1, expected)


def test_feyngen_graphs_agree_with_brute_force():
    for g in feyngen_graphs():
        assert brute_force_aut(g) == g.automorphism_count()


def shuffled(d, rng):
    perm = list(range(d.n_vertices))
    rng.shuffle(perm)   # new index of old vertex i is perm[i]
    inv = sorted(range(d.n_vertices), key=lambda i: perm[i])
    edges = [Edge(perm[e.u], perm[e.v], e.label, e.directed) for e in d.edges]
    rng.shuffle(edges)
    edges = [Edge(e.v, e.u, e.label, e.directed) if (not e.directed and rng.random() < 0.5) else e for e in edges]
    return Diagram([d.vertices[i] for i in inv], edges)


def test_canonical_form_is_invariant_and_separates():
    rng = random.Random(1)
    graphs = feyngen_graphs() + SMALL
    for g in graphs:
        for _ in range(5):
            h = shuffled(g, rng)
            assert h == g and hash(h) == hash(g) and h.automorphism_count() == g.automorphism_count()
    forms = [g.canonical_form() for g in graphs]
    assert len(set(forms)) == len(forms)
    # direction, edge labels and vertex labels all distinguish
    path = Diagram(["internal"] * 2, [(0, 1, None, True)])
    assert path != Diagram(["internal"] * 2, [(0, 1)])
    assert path == Diagram(["internal"] * 2, [(1, 0, None, True)])
    assert Diagram(["internal"] * 2, [(0, 1, "w1")]) != Diagram(["internal"] * 2, [(0, 1, "w2")])
    assert Diagram([("internal", 1), ("internal", 2)], [(0, 1)]) != Diagram([("internal", 1), ("internal", 1)], [(0, 1)])


def test_vertex_automorphisms_preserve_the_graph():
    cube_edges = [(a, b) for a in range(8) for b in range(a + 1, 8) if bin(a ^ b).count("1") == 1]
    cube = Diagram(["internal"] * 8, cube_edges)
    autos = cube.vertex_automorphisms()
    assert len(autos) == 48 == cube.automorphism_count()   # hyperoctahedral group of the 3-cube
    edge_set = {frozenset(e) for e in cube_edges}
    for p in autos:
        assert {frozenset((p[a], p[b])) for a, b in cube_edges} == edge_set
    # Petersen graph: |Aut| = 120 (S_5 acting on 2-subsets)
    pairs = list(itertools.combinations(range(5), 2))
    petersen = Diagram(["internal"] * 10, [(i, j) for i, j in itertools.combinations(range(10), 2)
                                           if not set(pairs[i]) & set(pairs[j])])
    assert petersen.automorphism_count() == 120


def test_structure_properties():
    sunset = feyngen_graphs()[-1]
    assert sunset.internal == (2, 3) and sunset.external == (0, 1)
    assert sunset.betti_number == 2 and sunset.degree(2) == 4
    fig8 = Diagram([X4], [(0, 0), (0, 0)])
    assert fig8.betti_number == 2 and fig8.loop_order == 2
    # a vacuum component with L loops adds L - 1 to the loop order
    two = Diagram([X4, X4], [(0, 0), (0, 0), (1, 1), (1, 1)])
    assert two.betti_number == 4 and two.loop_order == 3 and len(two.components()) == 2
    pairing = Diagram.from_pairing([ext(1), ext(2), X4], [0, 1, 2, 2, 2, 2], [(0, 2), (1, 5), (3, 4)])
    assert pairing == Diagram([ext(1), ext(2), X4], [(0, 2), (1, 2), (2, 2)])
    assert Diagram([ext(1), ext(2)], [(0, 1)]).is_one_particle_irreducible() is False


def test_bad_input_raises_parameter_error():
    with pytest.raises(ParameterError, match="kind"):
        Diagram(["vertex"], [])
    with pytest.raises(ParameterError, match="vertex index"):
        Diagram(["internal"], [(0, 1)])
    with pytest.raises(ParameterError, match="valence 4 but 2"):
        Diagram([X4], [(0, 0)])
    with pytest.raises(ParameterError, match="hashable"):
        Diagram([("internal", [1])], [])
    with pytest.raises(ParameterError, match="every half-edge"):
        Diagram.from_pairing([X4], [0, 0, 0, 0], [(0, 1)])
    with pytest.raises(ParameterError, match="Diagram"):
        DiagramSum([(1, "not a diagram")])


def test_svg_and_matplotlib_drawing():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    for g in feyngen_graphs():
        root = ET.fromstring(g._repr_svg_())
        ns = "{http://www.w3.org/2000/svg}"
        assert len(root.findall(ns + "path")) == len(g.edges)
        assert len(root.findall(ns + "circle")) == g.n_vertices
        ax = g.draw()
        assert len(ax.patches) == len(g.edges)
        plt.close(ax.figure)
    arrowed = Diagram(["internal"] * 2, [(0, 1, "w", True)])
    assert len(ET.fromstring(arrowed._repr_svg_()).findall("{http://www.w3.org/2000/svg}polygon")) == 1
    total = DiagramSum([(g.symmetry_factor, g) for g in feyngen_graphs()], title="phi^4, 2 loops")
    fig = total.draw()
    assert len([ax for ax in fig.axes if ax.patches]) == 7
    plt.close(fig)
    assert total._repr_html_().count("<svg") == 7
    assert total.total() == sp.Rational(105, 128)


def test_geometry_curves_start_and_end_at_their_vertices():
    for g in feyngen_graphs() + SMALL:
        geo = g.geometry()
        for e, c in zip(g.edges, geo["curves"]):
            assert c.shape == (4, 2)
            assert abs(c[0] - geo["positions"][e.u]).max() < 1e-12
            assert abs(c[3] - geo["positions"][e.v]).max() < 1e-12


@needs_tikz
def test_tikz_document_compiles(tmp_path):
    graphs = feyngen_graphs()
    total = DiagramSum([(g.symmetry_factor, g) for g in graphs])
    labelled = Diagram([("external", "x_1"), ("internal", sp.Symbol("sigma")), ("external", "y")],
                       [(0, 1, r"w^{(1)}", True), (1, 2, r"w^{(2)}", True)])
    body = ["Two-loop phi-four two-point graphs (feyngen):", total.latex(),
            r"\begin{center}" + labelled.latex() + r"\end{center}"]
    tex = tmp_path / "diagrams.tex"
    tex.write_text(latex_document("Diagrams", body, packages=("tikz",),
                                  references=["M. Borinsky, Comput. Phys. Commun. 185, 3317 (2014)"]))
    pdf = compile_latex(str(tex))
    assert os.path.getsize(pdf) > 5_000
    assert total.latex().count(r"\begin{tikzpicture}") == 7


def test_docstring_examples():
    import doctest
    import statmech_nn.expansions.diagrams as module
    result = doctest.testmod(module)
    assert result.attempted >= 5 and result.failed == 0
