"""Feynman-like diagrams: small typed multigraphs with automorphisms, symmetry factors and drawings.

This is the diagram layer shared by every expansion of :mod:`statmech_nn.expansions` (Wick / phi^n
theory, Plefka / TAP, MLP propagator-vertex series). It is pure Python (NumPy for the layout, SymPy for
exact factors); drawing with matplotlib happens lazily in :mod:`statmech_nn.plot.diagrams`.

API
---
``Vertex(kind="internal", label=None, valence=None)``
    ``kind`` is ``"internal"`` (an interaction vertex) or ``"external"`` (an external point / leg end).
    ``label`` is any hashable, sortable-by-``repr`` value (a string is treated as LaTeX math when
    printed; e.g. ``"x_1"``, ``("layer", 2)``, a SymPy symbol). ``valence``, when given, is checked
    against the number of edge ends at the vertex (a self-loop counts twice).
``Edge(u, v, label=None, directed=False)``
    A propagator between vertex indices ``u`` and ``v``; ``u == v`` is a self-loop, repeated edges are
    multi-edges; ``directed`` edges run from ``u`` to ``v``; ``label`` types the propagator.
``Diagram(vertices, edges, name=None)``
    Immutable. ``vertices`` items may be :class:`Vertex`, a kind string, or a tuple
    ``(kind, label[, valence])``; ``edges`` items may be :class:`Edge` or tuples ``(u, v[, label[, directed]])``.
    Bad input raises :class:`~statmech_nn.errors.ParameterError`.

    Structure: ``.vertices``, ``.edges``, ``.internal`` / ``.external`` (vertex indices), ``.degree(i)``,
    ``.components()``, ``.is_connected``, ``.betti_number`` (first Betti number ``E - V + C``),
    ``.loop_order`` (``E - V + 1``: feyngen's / the ħ-counting loop number, which adds vacuum
    components' loops minus one each; equal to the Betti number for connected graphs),
    ``.has_vacuum_components``, ``.is_one_particle_irreducible()``, ``.subdiagram(vertex_indices)``.

    Symmetry: ``.vertex_automorphisms()`` (all vertex permutations preserving kinds, labels and edge
    multiplicities), ``.automorphism_count()`` (``|Aut|``, see below), ``.symmetry_factor`` (SymPy
    ``Rational(1, |Aut|)``).

    Isomorphism: ``.canonical_form()`` (hashable; equal iff isomorphic), ``.is_isomorphic(other)``;
    ``==`` and ``hash`` use the canonical form, so diagrams de-duplicate in sets and dict keys.

    Output: ``.latex()`` (a TikZ ``tikzpicture``; needs ``packages=("tikz",)``), ``.draw(ax=None)``
    (matplotlib axes), ``._repr_svg_()`` (Jupyter), ``.geometry()`` (vertex positions and the cubic
    Bézier control points of every edge, the single source of all three renderers).

    Constructors: ``Diagram.from_pairing(vertices, owners, pairing)`` builds the graph of one Wick
    contraction (half-edge ``h`` belongs to vertex ``owners[h]``; ``pairing`` lists pairs of half-edges).

``DiagramSum(terms, title=None)``
    A sum ``Σ coefficient × diagram`` (terms are ``(coefficient, Diagram)``): ``.terms``,
    ``.diagrams``, ``.coefficients``, ``.latex()`` (TikZ diagrams with their coefficients),
    ``._repr_html_()`` (Jupyter table of SVGs), ``.draw()`` (a matplotlib figure, one panel per term).

Automorphisms and symmetry factors
----------------------------------
An automorphism is a permutation of the half-edges (edge ends) induced by a permutation of vertices and
of edges that preserves incidence, vertex kinds and labels, edge labels and directions. Equivalently
(this is how it is counted, exactly, not sampled) a vertex permutation ``π`` preserving the edge
multiplicity of every (endpoint pair, label, direction) class, times the permutations of parallel edges
inside each class (``m!``) and the end-swaps of undirected self-loops (``2`` each)::

    |Aut| = |Aut_V| · Π_classes m_c! · 2^(#undirected self-loops)

External vertices carrying distinct labels are therefore fixed (labelled external legs, the convention of
feyngen, Borinsky 2014); external vertices with equal labels may be permuted. With these conventions
``1/|Aut|`` is the weight of the graph in the Wick expansion of ``∫dx exp(-x²/2 - Σ_k g_k x^k/k!)``:
the number of Wick contractions that produce it, divided by ``Π_k n_k! (k!)^(n_k)``. E.g. the one-vertex
phi^4 vacuum graph (figure eight) has ``|Aut| = 2! · 2² = 8``, the tadpole ``2``, the sunset ``3! = 6``.

Vertex automorphisms and the canonical form come from one individualisation–refinement search
(colour refinement, then branching on the first non-singleton cell): the canonical form is the smallest
leaf encoding and ``|Aut_V|`` is the number of leaves that reach it. Graphs are small (tens of vertices
at most), which is all the expansions need.

References
----------
M. Borinsky, "Feynman graph generation and calculations in the Hopf algebra of Feynman graphs",
Comput. Phys. Commun. 185, 3317 (2014) (feyngen; symmetry-factor conventions).
B. D. McKay, A. Piperno, "Practical graph isomorphism II", J. Symb. Comput. 60, 94 (2014)
(individualisation–refinement).

Examples
--------
>>> from statmech_nn.expansions.diagrams import Diagram
>>> legs = [("external", 1), ("external", 2)]          # labelled legs are fixed by automorphisms
>>> sunset = Diagram(legs + [("internal", None, 4)] * 2, [(0, 2), (1, 3), (2, 3), (2, 3), (2, 3)])
>>> sunset.symmetry_factor
1/6
>>> Diagram(["external", "external", ("internal", None, 4), ("internal", None, 4)],
...         [(0, 2), (1, 3), (2, 3), (2, 3), (2, 3)]).symmetry_factor   # unlabelled legs may swap
1/12
>>> sunset.loop_order, sunset.is_one_particle_irreducible()
(2, True)
"""
from __future__ import annotations

import math
from collections import Counter
from typing import Hashable, NamedTuple

import numpy as np
import sympy as sp

from ..errors import ParameterError
from ..parsing import as_expression

__all__ = ["Vertex", "Edge", "Diagram", "DiagramSum", "label_key"]

KINDS = ("internal", "external")


class Vertex(NamedTuple):
    """A vertex: ``kind`` ("internal" or "external"), a hashable ``label`` and an optional ``valence``."""

    kind: str = "internal"
    label: Hashable = None
    valence: int | None = None


class Edge(NamedTuple):
    """A propagator from vertex ``u`` to ``v`` (a self-loop if ``u == v``), typed by ``label``."""

    u: int
    v: int
    label: Hashable = None
    directed: bool = False


def label_key(label):
    """A sort key for any label (labels of mixed types must still order the same way every run)."""
    if label is None:
        return ("",)
    if isinstance(label, (bool, int)):
        return ("int", int(label), "")
    return (type(label).__name__, 0, repr(label))


def _as_vertex(item, i):
    if isinstance(item, Vertex):
        vertex = item
    elif isinstance(item, str):
        vertex = Vertex(item)
    elif isinstance(item, tuple) and 1 <= len(item) <= 3:
        vertex = Vertex(*item)
    else:
        raise ParameterError(f"vertex {i}: {item!r} is not a Vertex, a kind string or a tuple "
                             "(kind, label[, valence])")
    if vertex.kind not in KINDS:
        raise ParameterError(f"vertex {i}: kind {vertex.kind!r} is not one of {KINDS}")
    if vertex.valence is not None and (not isinstance(vertex.valence, int) or vertex.valence < 0):
        raise ParameterError(f"vertex {i}: valence must be a non-negative int or None, got {vertex.valence!r}")
    try:
        hash(vertex.label)
    except TypeError:
        raise ParameterError(f"vertex {i}: label {vertex.label!r} is not hashable (use a tuple or str)") from None
    return vertex


def _as_edge(item, n, i):
    if isinstance(item, Edge):
        edge = item
    elif isinstance(item, tuple) and 2 <= len(item) <= 4:
        edge = Edge(*item)
    else:
        raise ParameterError(f"edge {i}: {item!r} is not an Edge or a tuple (u, v[, label[, directed]])")
    for end in (edge.u, edge.v):
        if not isinstance(end, (int, np.integer)) or not 0 <= end < n:
            raise ParameterError(f"edge {i}: endpoint {end!r} is not a vertex index in 0..{n - 1}")
    try:
        hash(edge.label)
    except TypeError:
        raise ParameterError(f"edge {i}: label {edge.label!r} is not hashable") from None
    return Edge(int(edge.u), int(edge.v), edge.label, bool(edge.directed))


class Diagram:
    """A Feynman-like diagram: a multigraph with typed vertices and typed (possibly directed) edges.

    See the module docstring for the conventions (automorphisms, symmetry factors, loop numbers).

    Parameters
    ----------
    vertices : sequence
        :class:`Vertex` items, kind strings, or tuples ``(kind, label[, valence])``.
    edges : sequence
        :class:`Edge` items or tuples ``(u, v[, label[, directed]])`` of vertex indices.
    name : str, optional
        Shown in drawings and reprs.
    """

    def __init__(self, vertices, edges, name=None):
        self.vertices = tuple(_as_vertex(v, i) for i, v in enumerate(vertices))
        n = len(self.vertices)
        self.edges = tuple(_as_edge(e, n, i) for i, e in enumerate(edges))
        self.name = name
        deg = [0] * n
        for e in self.edges:
            deg[e.u] += 1
            deg[e.v] += 1
        self._degree = tuple(deg)
        for i, v in enumerate(self.vertices):
            if v.valence is not None and v.valence != deg[i]:
                raise ParameterError(f"vertex {i} ({v.kind}, label {v.label!r}) has valence {v.valence} but "
                                     f"{deg[i]} edge ends (a self-loop counts twice); fix the edges or the valence")
        self._search = None   # cached (canonical form, |Aut_V|, vertex automorphisms)

    # ---------------------------------------------------------------- constructors
    @classmethod
    def from_pairing(cls, vertices, owners, pairing, edge_label=None, name=None):
        """The graph of one Wick contraction.

        Parameters
        ----------
        vertices : sequence
            As for :class:`Diagram`.
        owners : sequence of int
            ``owners[h]`` is the vertex that half-edge ``h`` belongs to.
        pairing : iterable of (int, int)
            A perfect matching of the half-edges ``0..len(owners)-1``; each pair becomes an edge.
        """
        pairs = [tuple(p) for p in pairing]
        used = sorted(h for p in pairs for h in p)
        if used != list(range(len(owners))):
            raise ParameterError("pairing must use every half-edge 0..%d exactly once" % (len(owners) - 1))
        return cls(vertices, [(owners[a], owners[b], edge_label) for a, b in pairs], name=name)

    # ---------------------------------------------------------------- structure
    @property
    def n_vertices(self):
        return len(self.vertices)

    @property
    def internal(self):
        """Indices of the internal vertices."""
        return tuple(i for i, v in enumerate(self.vertices) if v.kind == "internal")

    @property
    def external(self):
        """Indices of the external vertices."""
        return tuple(i for i, v in enumerate(self.vertices) if v.kind == "external")

    def degree(self, i):
        """Number of edge ends at vertex ``i`` (a self-loop counts twice)."""
        return self._degree[i]

    def neighbours(self, i):
        """Vertex indices adjacent to ``i`` (with repetition for multi-edges, ``i`` itself for loops)."""
        out = []
        for e in self.edges:
            if e.u == i:
                out.append(e.v)
            elif e.v == i:
                out.append(e.u)
        return out

    def components(self):
        """Connected components as sorted tuples of vertex indices, ordered by smallest index."""
        parent = list(range(self.n_vertices))

        def find(a):
            while parent[a] != a:
                parent[a] = parent[parent[a]]
                a = parent[a]
            return a

        for e in self.edges:
            parent[find(e.u)] = find(e.v)
        groups = {}
        for i in range(self.n_vertices):
            groups.setdefault(find(i), []).append(i)
        return sorted((tuple(g) for g in groups.values()), key=lambda g: g[0])

    @property
    def is_connected(self):
        return len(self.components()) <= 1

    @property
    def betti_number(self):
        """First Betti number ``E - V + C`` (independent cycles), external vertices counted as vertices."""
        return len(self.edges) - self.n_vertices + len(self.components())

    @property
    def loop_order(self):
        """``E - V + 1``: the loop number of feyngen and of ħ-counting (propagator ħ, vertex 1/ħ).

        Equal to :attr:`betti_number` for connected graphs; a vacuum component with ``L`` loops adds
        ``L - 1``. For phi^4 with two external legs it is the number of internal vertices."""
        return len(self.edges) - self.n_vertices + 1

    @property
    def has_vacuum_components(self):
        """True if some component has no external vertex (a vacuum bubble)."""
        ext = set(self.external)
        return any(not ext.intersection(c) for c in self.components())

    def subdiagram(self, vertex_indices, name=None):
        """The induced diagram on ``vertex_indices`` (kept in the given order; declared valences are
        dropped since cut edges change them)."""
        index = {v: k for k, v in enumerate(vertex_indices)}
        edges = [Edge(index[e.u], index[e.v], e.label, e.directed) for e in self.edges
                 if e.u in index and e.v in index]
        return Diagram([Vertex(self.vertices[v].kind, self.vertices[v].label) for v in vertex_indices], edges,
                       name=name)

    def is_one_particle_irreducible(self):
        """Connected, and still connected (internal part) after cutting any one internal propagator.

        External legs (edges at external vertices) are amputated first; a graph with no internal
        vertex (a bare propagator) is not 1PI."""
        if not self.is_connected or not self.internal:
            return False
        inner = self.subdiagram(self.internal)
        for k in range(len(inner.edges)):
            cut = Diagram(inner.vertices, inner.edges[:k] + inner.edges[k + 1:])
            if not cut.is_connected:
                return False
        return True

    # ---------------------------------------------------------------- isomorphism and symmetry
    def _edge_classes(self):
        """Counter of (min/ordered endpoints, label key, directed) → multiplicity."""
        c = Counter()
        for e in self.edges:
            ends = (e.u, e.v) if e.directed else tuple(sorted((e.u, e.v)))
            c[(ends, label_key(e.label), e.directed)] += 1
        return c

    def _encode(self, order):
        """The graph written with vertex ``order[k]`` renamed ``k`` (a comparable tuple)."""
        new = {old: k for k, old in enumerate(order)}
        verts = tuple((self.vertices[old].kind, label_key(self.vertices[old].label)) for old in order)
        edges = []
        for (ends, lab, directed), m in self._edge_classes().items():
            a, b = new[ends[0]], new[ends[1]]
            if not directed and a > b:
                a, b = b, a
            edges.append((a, b, lab, directed, m))
        return verts, tuple(sorted(edges))

    def _refine(self, colours):
        """Colour refinement to the coarsest equitable partition; colours are canonical ranks."""
        n = self.n_vertices
        incident = [[] for _ in range(n)]
        for e in self.edges:
            lab = label_key(e.label)
            # (edge label, direction seen from this end, neighbour) — a loop is seen from both ends
            incident[e.u].append((lab, "out" if e.directed else "-", e.v))
            incident[e.v].append((lab, "in" if e.directed else "-", e.u))
        while True:
            sig = [(colours[i], tuple(sorted((lab, d, colours[j]) for lab, d, j in incident[i])))
                   for i in range(n)]
            ranks = {s: r for r, s in enumerate(sorted(set(sig)))}
            new = [ranks[s] for s in sig]
            if len(set(new)) == len(set(colours)):
                return new
            colours = new

    def _run_search(self):
        if self._search is not None:
            return self._search
        n = self.n_vertices
        start = [(v.kind, label_key(v.label), self._degree[i]) for i, v in enumerate(self.vertices)]
        ranks = {s: r for r, s in enumerate(sorted(set(start)))}
        colours = self._refine([ranks[s] for s in start])
        leaves = []   # (encoding, order)

        def search(colours):
            cells = Counter(colours)
            target = next((c for c in sorted(cells) if cells[c] > 1), None)
            if target is None:
                order = sorted(range(n), key=lambda i: colours[i])
                leaves.append((self._encode(order), tuple(order)))
                return
            for v in [i for i in range(n) if colours[i] == target]:
                # individualise v: it gets a colour just below its cell's, then refine
                branch = [2 * c + (0 if i == v else 1) if c == target else 2 * c + 1 for i, c in enumerate(colours)]
                # renumber densely, keeping order
                ranks = {c: r for r, c in enumerate(sorted(set(branch)))}
                search(self._refine([ranks[c] for c in branch]))

        search(colours)
        best = min(enc for enc, _ in leaves)
        best_orders = [order for enc, order in leaves if enc == best]
        # two leaves with equal encodings differ by an automorphism: σ maps order0[k] → order[k]
        base = best_orders[0]
        autos = []
        for order in best_orders:
            perm = [0] * n
            for k in range(n):
                perm[base[k]] = order[k]
            autos.append(tuple(perm))
        self._search = (best, len(best_orders), sorted(set(autos)))
        return self._search

    def canonical_form(self):
        """A hashable invariant that is equal for two diagrams iff they are isomorphic."""
        return self._run_search()[0]

    def is_isomorphic(self, other):
        """True if a vertex bijection maps ``self`` onto ``other`` preserving kinds, labels and edges."""
        return isinstance(other, Diagram) and self.canonical_form() == other.canonical_form()

    def vertex_automorphisms(self):
        """All vertex permutations (tuples ``perm[i] = image of i``) that map the diagram onto itself."""
        return list(self._run_search()[2])

    def automorphism_count(self):
        """``|Aut|`` on half-edges: ``|Aut_V| · Π m_c! · 2^(undirected self-loops)`` (module docstring)."""
        count = self._run_search()[1]
        for (ends, _lab, directed), m in self._edge_classes().items():
            count *= math.factorial(m)
            if ends[0] == ends[1] and not directed:
                count *= 2 ** m
        return count

    @property
    def symmetry_factor(self):
        """``1/|Aut|`` as a SymPy Rational."""
        return sp.Rational(1, self.automorphism_count())

    def __eq__(self, other):
        return self.is_isomorphic(other)

    def __hash__(self):
        return hash(self.canonical_form())

    def __repr__(self):
        name = f" {self.name!r}" if self.name else ""
        return (f"<Diagram{name}: {len(self.internal)} internal, {len(self.external)} external vertices, "
                f"{len(self.edges)} edges, symmetry factor {self.symmetry_factor}>")

    # ---------------------------------------------------------------- geometry and output
    def geometry(self, seed=0):
        """Positions and edge curves used by every renderer.

        Returns
        -------
        dict with ``positions`` (``(V, 2)`` array), ``curves`` (list of ``(4, 2)`` arrays: cubic Bézier
        control points, one per edge in :attr:`edges` order) and ``arrows`` (for directed edges:
        ``(3, 2)`` triangles at the curve midpoints; None for undirected ones).
        """
        pos = _layout(self, seed)
        curves = _edge_curves(self, pos)
        arrows = [_arrow(c) if e.directed else None for e, c in zip(self.edges, curves)]
        return {"positions": pos, "curves": curves, "arrows": arrows}

    def latex(self, scale=0.8, labels=True):
        """A TikZ picture of the diagram (``\\usepackage{tikz}``); external labels as math."""
        g = self.geometry()
        pos = g["positions"]
        out = [r"\begin{tikzpicture}[baseline={([yshift=-0.5ex]current bounding box.center)},"
               f"scale={scale:g}]"]
        for e, c, arrow in zip(self.edges, g["curves"], g["arrows"]):
            p = ["(%.3f,%.3f)" % tuple(pt) for pt in c]
            out.append(r"\draw[thick] %s .. controls %s and %s .. %s;" % tuple(p))
            if arrow is not None:
                out.append(r"\fill %s -- %s -- %s -- cycle;" % tuple("(%.3f,%.3f)" % tuple(pt) for pt in arrow))
            if labels and e.label is not None:
                mid, normal = _midpoint(c)
                x, y = mid + 0.22 * normal
                out.append(r"\node[font=\scriptsize] at (%.3f,%.3f) {$%s$};" % (x, y, latex_label(e.label)))
        for i, v in enumerate(self.vertices):
            x, y = pos[i]
            if v.kind == "internal":
                out.append(r"\fill (%.3f,%.3f) circle (2.2pt);" % (x, y))
                if labels and v.label is not None:
                    out.append(r"\node[font=\scriptsize,above right] at (%.3f,%.3f) {$%s$};"
                               % (x, y, latex_label(v.label)))
            else:
                out.append(r"\draw (%.3f,%.3f) circle (1.5pt);" % (x, y))
                if labels and v.label is not None:
                    anchor = "right" if _outward(self, pos, i)[0] >= 0 else "left"
                    out.append(r"\node[font=\scriptsize,%s] at (%.3f,%.3f) {$%s$};"
                               % (anchor, x, y, latex_label(v.label)))
        if not self.edges and not self.vertices:
            out.append(r"\node {$1$};")   # the empty diagram is the unit
        out.append(r"\end{tikzpicture}")
        return "\n".join(out)

    def draw(self, ax=None, labels=True, **style):
        """Draw with matplotlib (imported lazily); returns the axes."""
        from ..plot.diagrams import draw_diagram
        return draw_diagram(self, ax=ax, labels=labels, **style)

    def _repr_svg_(self):
        from ..plot.diagrams import diagram_svg
        return diagram_svg(self)


def latex_label(label):
    """LaTeX math for a label: SymPy objects through ``sympy.latex``, strings as given (already math)."""
    if isinstance(label, sp.Basic):
        return sp.latex(label)
    if isinstance(label, tuple):
        return ",".join(latex_label(x) for x in label)
    return str(label)


class DiagramSum:
    """A sum of diagrams with coefficients: ``Σ_k c_k D_k``.

    Parameters
    ----------
    terms : iterable of (coefficient, Diagram)
        Coefficients are SymPy expressions (or numbers, sympified).
    title : str, optional
    """

    def __init__(self, terms, title=None):
        self.terms = [(as_expression(c, what="DiagramSum coefficient"), d) for c, d in terms]
        for _, d in self.terms:
            if not isinstance(d, Diagram):
                raise ParameterError(f"DiagramSum terms must be (coefficient, Diagram) pairs, got {d!r}")
        self.title = title

    @property
    def diagrams(self):
        return [d for _, d in self.terms]

    @property
    def coefficients(self):
        return [c for c, _ in self.terms]

    def __len__(self):
        return len(self.terms)

    def __iter__(self):
        return iter(self.terms)

    def __getitem__(self, k):
        return self.terms[k]

    def total(self):
        """The sum of the coefficients (the value of the sum when every diagram evaluates to 1)."""
        return sp.Add(*self.coefficients)

    def latex(self, per_line=4, scale=0.6):
        """LaTeX body: the sum written with TikZ diagrams, ``per_line`` terms per line (needs tikz)."""
        lines, line = [], []
        for k, (c, d) in enumerate(self.terms):
            coeff = sp.latex(c)
            sign = "" if (k == 0 or coeff.startswith("-")) else "+"
            line.append(r"%s %s\,%s" % (sign, _paren(c, coeff), d.latex(scale=scale)))
            if len(line) == per_line:
                lines.append(" ".join(line))
                line = []
        if line:
            lines.append(" ".join(line))
        if not lines:
            lines = ["0"]
        return "\\begin{align*}\n&" + " \\\\\n&".join(lines) + "\n\\end{align*}"

    def _repr_html_(self):
        from ..plot.diagrams import diagram_svg
        from html import escape
        cells = "".join('<td style="text-align:center">%s<br/>%s</td>' % (diagram_svg(d, size=110), escape(str(c)))
                        for c, d in self.terms)
        title = f"<b>{escape(self.title)}</b><br/>" if self.title else ""
        return f'{title}<table><tr>{cells}</tr></table>'

    def draw(self, ncols=4, labels=True):
        """One matplotlib panel per term, titled by its coefficient; returns the figure."""
        from ..plot.diagrams import draw_diagram_sum
        return draw_diagram_sum(self, ncols=ncols, labels=labels)

    def __repr__(self):
        title = f" {self.title!r}" if self.title else ""
        return f"<{type(self).__name__}{title}: {len(self.terms)} terms, total {self.total()}>"


def _paren(expr, text):
    return r"\left(%s\right)" % text if isinstance(expr, sp.Add) else text


# -------------------------------------------------------------------- layout
def _layout(d, seed=0):
    """Deterministic positions: spring layout per component, components side by side (unit edge length)."""
    pos = np.zeros((d.n_vertices, 2))
    x0 = 0.0
    for comp in d.components():
        p = _component_layout(d, comp, seed)
        p[:, 0] -= p[:, 0].min()
        width = p[:, 0].max()
        # self-loops stick out about 0.7 beyond their vertex
        loops = any(e.u == e.v and e.u in comp for e in d.edges)
        pad = 0.7 if loops else 0.0
        pos[list(comp)] = p + np.array([x0 + pad, 0.0])
        x0 += width + 2 * pad + 1.0
    return pos


def _component_layout(d, comp, seed):
    comp = list(comp)
    n = len(comp)
    if n == 1:
        return np.zeros((1, 2))
    local = {v: k for k, v in enumerate(comp)}
    links = [(local[e.u], local[e.v]) for e in d.edges if e.u in local and e.u != e.v]
    ext = [local[v] for v in comp if d.vertices[v].kind == "external"]
    rng = np.random.default_rng(seed)
    angles = 2 * np.pi * np.arange(n) / n
    p = np.c_[np.cos(angles), np.sin(angles)] + 1e-3 * rng.standard_normal((n, 2))
    # external points start on the left and right so legs come out sideways
    for k, v in enumerate(ext):
        p[v] = (-2.0 if k % 2 == 0 else 2.0, 0.5 * (k // 2))
    pairs = np.array(sorted(set(tuple(sorted(l)) for l in links)), dtype=int).reshape(-1, 2)
    for it in range(300):
        delta = p[:, None, :] - p[None, :, :]
        dist = np.linalg.norm(delta, axis=-1) + np.eye(n)
        force = (delta / dist[..., None] ** 3).sum(axis=1) * 0.3          # repulsion ~ 1/r²
        if len(pairs):
            dv = p[pairs[:, 1]] - p[pairs[:, 0]]
            L = np.linalg.norm(dv, axis=1, keepdims=True) + 1e-12
            pull = dv * (L - 1.0) / L                                     # springs of rest length 1
            np.add.at(force, pairs[:, 0], pull)
            np.add.at(force, pairs[:, 1], -pull)
        step = 0.1 * (1 - it / 300) + 0.01
        norm = np.linalg.norm(force, axis=1, keepdims=True)
        p += force * np.minimum(1.0, step / (norm + 1e-12))
    p -= p.mean(axis=0)
    # orient: first two external points horizontal, first on the left; else principal axis horizontal
    if len(ext) >= 2:
        axis = p[ext[1]] - p[ext[0]]
    else:
        _, vecs = np.linalg.eigh(p.T @ p)
        axis = vecs[:, -1]
    if np.linalg.norm(axis) > 1e-9:
        c, s = axis / np.linalg.norm(axis)
        p = p @ np.array([[c, -s], [s, c]])
    return p


def _edge_curves(d, pos):
    """Cubic Bézier control points per edge: straight lines, fanned multi-edges, loops in free space."""
    curves = [None] * len(d.edges)
    groups = {}
    for k, e in enumerate(d.edges):
        groups.setdefault(tuple(sorted((e.u, e.v))), []).append(k)
    for (a, b), ks in groups.items():
        if a != b:
            pa, pb = pos[a], pos[b]
            dv = pb - pa
            normal = np.array([-dv[1], dv[0]]) / (np.linalg.norm(dv) + 1e-12)
            m = len(ks)
            for j, k in enumerate(ks):
                e = d.edges[k]
                start, end = (pa, pb) if e.u == a else (pb, pa)
                off = (j - (m - 1) / 2) * 0.55 * np.linalg.norm(dv) / max(m - 1, 1) * (1 if m > 1 else 0)
                sgn = 1 if e.u == a else -1   # same bulge side whatever the edge's own direction
                c1 = start + (end - start) / 3 + sgn * off * normal * 4 / 3
                c2 = start + 2 * (end - start) / 3 + sgn * off * normal * 4 / 3
                curves[k] = np.array([start, c1, c2, end])
    for v in range(d.n_vertices):
        loops = groups.get((v, v), [])
        if not loops:
            continue
        others = [u for u in d.neighbours(v) if u != v]
        angles = sorted(np.arctan2(*(pos[u] - pos[v])[::-1]) for u in others)
        if angles:
            gaps = [(angles[(i + 1) % len(angles)] - angles[i]) % (2 * np.pi) or 2 * np.pi
                    for i in range(len(angles))]
            i = int(np.argmax(gaps))
            start, gap = angles[i], gaps[i]
            dirs = [start + gap * (j + 1) / (len(loops) + 1) for j in range(len(loops))]
            width = min(0.6, gap / (len(loops) + 1) / 2)
        else:
            dirs = [np.pi / 2 + 2 * np.pi * j / len(loops) for j in range(len(loops))]
            width = min(0.6, np.pi / len(loops) / 2)
        for k, phi in zip(loops, dirs):
            r = 0.9
            c1 = pos[v] + r * np.array([np.cos(phi - width), np.sin(phi - width)])
            c2 = pos[v] + r * np.array([np.cos(phi + width), np.sin(phi + width)])
            curves[k] = np.array([pos[v], c1, c2, pos[v]])
    return curves


def _outward(d, pos, i):
    """Unit vector pointing away from vertex ``i``'s neighbours (up if it has none): where labels go."""
    others = [u for u in d.neighbours(i) if u != i]
    if not others:
        return np.array([0.0, 1.0])
    away = pos[i] - pos[others].mean(axis=0)
    norm = np.linalg.norm(away)
    return away / norm if norm > 1e-9 else np.array([0.0, 1.0])


def _bezier(c, t):
    return ((1 - t) ** 3 * c[0] + 3 * (1 - t) ** 2 * t * c[1] + 3 * (1 - t) * t ** 2 * c[2] + t ** 3 * c[3])


def _midpoint(c):
    """Midpoint of a Bézier curve and the unit normal there."""
    mid = _bezier(c, 0.5)
    tangent = 0.75 * (c[3] + c[2] - c[1] - c[0])
    tangent = tangent / (np.linalg.norm(tangent) + 1e-12)
    return mid, np.array([-tangent[1], tangent[0]])


def _arrow(c, size=0.12):
    """A filled triangle at the curve's midpoint pointing along the edge direction."""
    mid, normal = _midpoint(c)
    tangent = np.array([normal[1], -normal[0]])
    tip = mid + size * tangent
    back = mid - size * tangent
    return np.array([tip, back + 0.7 * size * normal, back - 0.7 * size * normal])
