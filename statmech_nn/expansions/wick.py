"""Wick's theorem and the Feynman-diagram expansion of scalar phi^n theories.

Gaussian moments are sums over pairings (Isserlis 1918; Wick 1950): for a centred Gaussian vector with
covariance ``C``, ``E[x_{i_1} … x_{i_2k}] = Σ_pairings Π C_{ab}``, a sum of ``(2k-1)!!`` terms.

The interacting theory has the action (Euclidean, "zero-dimensional" when ``φ`` is a single number)::

    S[φ] = φ²/2 + Σ_k g_k φ^k / k!          weight exp(-S), propagator 1, vertex factor -g_k.

Expanding ``exp(-Σ g_k φ^k/k!)`` and Wick-contracting the ``n_k`` vertices of valence ``k`` with ``E``
labelled external legs gives multigraphs; contractions that give isomorphic graphs are grouped. The
weight of a graph is its number of contractions divided by ``Π_k n_k! (k!)^(n_k)``, which by the
orbit–stabiliser theorem equals its symmetry factor ``1/|Aut|`` (:mod:`.diagrams`); the package computes
both independently and the tests check they agree.

Two ways of counting contractions are implemented and must agree:
``method="pairings"`` enumerates every perfect matching of the half-edges (``(2h-1)!!`` of them; small
orders only) and ``method="multigraphs"`` (default) enumerates labelled multigraphs with the right
degrees and counts the matchings that produce each one,
``Π_v d_v! / (Π_{u<v} A_uv! · Π_v A_vv! 2^{A_vv})``.

References
----------
L. Isserlis, Biometrika 12, 134 (1918); G. C. Wick, Phys. Rev. 80, 268 (1950).
C. Itzykson, J.-B. Zuber, *Quantum Field Theory* (1980), sec. 6-1 (symmetry factors).
M. Borinsky, Comput. Phys. Commun. 185, 3317 (2014) (feyngen; graph weights of zero-dimensional QFT).

Examples
--------
>>> from statmech_nn.expansions.wick import ScalarTheory, gaussian_moment
>>> gaussian_moment([0, 0, 1, 1], [[2, 1], [1, 3]])          # C00 C11 + 2 C01²
8
>>> two_point = ScalarTheory(4).diagrams(n_external=2, loops=2)
>>> [str(f) for f in two_point.symmetry_factors]
['1/128', '1/16', '1/48', '1/16', '1/4', '1/4', '1/6']
"""
from __future__ import annotations

import itertools
import math
from collections import Counter

import sympy as sp

from ..errors import ParameterError
from ..parsing import as_expression
from .diagrams import Diagram, DiagramSum, Vertex

__all__ = ["pairings", "count_pairings", "gaussian_moment", "contract", "ScalarTheory", "FeynmanExpansion",
           "KINDS"]

KINDS = ("all", "no_vacuum", "connected", "1pi")


def count_pairings(n):
    """Number of perfect matchings of ``n`` objects: ``(n-1)!!`` for even ``n``, 0 for odd ``n``."""
    if n % 2:
        return 0
    return math.prod(range(n - 1, 0, -2))


def pairings(items):
    """All perfect matchings of ``items`` as tuples of pairs (first item paired first; none if odd).

    >>> [p for p in pairings("abcd")]
    [(('a', 'b'), ('c', 'd')), (('a', 'c'), ('b', 'd')), (('a', 'd'), ('b', 'c'))]
    """
    items = list(items)
    if not items:
        yield ()
        return
    if len(items) % 2:
        return
    first = items[0]
    for k in range(1, len(items)):
        rest = items[1:k] + items[k + 1:]
        for tail in pairings(rest):
            yield ((first, items[k]),) + tail


def _symbolic_propagator(a, b):
    a, b = sorted((a, b), key=str)
    return sp.Symbol("G_{%s%s}" % (a, b))


def gaussian_moment(indices, covariance=None):
    """``E[x_{i_1} x_{i_2} … x_{i_m}]`` of a centred Gaussian vector by Wick's theorem.

    Parameters
    ----------
    indices : sequence
        The factors' indices (repeats allowed: ``[0, 0, 1, 1]`` is ``E[x_0² x_1²]``).
    covariance : SymPy Matrix, 2-D array, callable ``(a, b) -> expr``, or None
        ``C[a][b]``; None gives symbolic propagators ``G_{ab}`` (indices sorted, so ``G_{ab} = G_{ba}``).

    Returns
    -------
    SymPy expression (sum over the ``(m-1)!!`` pairings; 0 for odd ``m``).
    """
    indices = list(indices)
    if covariance is None:
        prop = _symbolic_propagator
    elif callable(covariance):
        prop = covariance
    else:
        matrix = sp.Matrix(covariance)
        if matrix.shape[0] != matrix.shape[1] or matrix != matrix.T:
            raise ParameterError("covariance must be a symmetric square matrix, got shape %s" % (matrix.shape,))
        for i in indices:
            if not isinstance(i, int) or not 0 <= i < matrix.shape[0]:
                raise ParameterError(f"index {i!r} is not a row of the {matrix.shape[0]}x{matrix.shape[0]} covariance")
        prop = lambda a, b: matrix[a, b]   # noqa: E731
    return sp.Add(*[sp.Mul(*[prop(indices[a], indices[b]) for a, b in p]) for p in pairings(range(len(indices)))])


# -------------------------------------------------------------------- contraction into graphs
def _check_valences(valences, n_external):
    valences = list(valences)
    for k in valences:
        if not isinstance(k, int) or k < 1:
            raise ParameterError(f"vertex valences must be positive ints, got {k!r}")
    if not isinstance(n_external, int) or n_external < 0:
        raise ParameterError(f"n_external must be a non-negative int, got {n_external!r}")
    return valences


def _vertices(valences, n_external):
    """External legs labelled 1..E (fixed by automorphisms, as in feyngen), then internal vertices."""
    return ([Vertex("external", k + 1, 1) for k in range(n_external)]
            + [Vertex("internal", None, k) for k in valences])


def _matrix_key(n, edges):
    c = Counter(tuple(sorted(e)) for e in edges)
    return tuple(sorted(c.items()))


def _labelled_multigraphs(degrees):
    """Symmetric non-negative integer matrices ``A`` with ``Σ_u A_vu + A_vv = d_v`` (loops count twice),
    yielded as dicts ``{(u, v): A_uv}`` (``u <= v``) with the number of half-edge matchings giving each."""
    n = len(degrees)
    rest = list(degrees)
    current = {}

    def row(u):
        if u == n:
            yield dict(current)
            return
        for loops in range(rest[u] // 2, -1, -1):
            rest[u] -= 2 * loops
            if loops:
                current[(u, u)] = loops
            yield from fill(u, u + 1)
            current.pop((u, u), None)
            rest[u] += 2 * loops

    def fill(u, v):
        if rest[u] == 0:
            yield from row(u + 1)
            return
        if v == n:
            return
        for m in range(min(rest[u], rest[v]), -1, -1):
            rest[u] -= m
            rest[v] -= m
            if m:
                current[(u, v)] = m
            yield from fill(u, v + 1)
            current.pop((u, v), None)
            rest[u] += m
            rest[v] += m

    numerator = math.prod(math.factorial(d) for d in degrees)
    for adjacency in row(0):
        denominator = 1
        for (u, v), m in adjacency.items():
            denominator *= math.factorial(m) * (2 ** m if u == v else 1)
        yield adjacency, numerator // denominator


def contract(valences, n_external=0, method="multigraphs"):
    """Wick-contract internal vertices of the given valences with ``n_external`` labelled legs.

    Parameters
    ----------
    valences : sequence of int
        One entry per internal vertex (e.g. ``[4, 4]`` for second order in phi^4).
    n_external : int
        External legs, labelled 1..E.
    method : {"multigraphs", "pairings"}
        How contractions are counted (module docstring); both give the same numbers.

    Returns
    -------
    dict ``{Diagram: number of contractions}`` over isomorphism classes (the Diagram is a representative).
    """
    valences = _check_valences(valences, n_external)
    vertices = _vertices(valences, n_external)
    degrees = [1] * n_external + valences
    classes = {}    # labelled adjacency -> (representative, count): canonicalise each labelled graph once
    if method == "pairings":
        owners = [v for v, d in enumerate(degrees) for _ in range(d)]
        for p in pairings(range(len(owners))):
            edges = [(owners[a], owners[b]) for a, b in p]
            key = _matrix_key(len(degrees), edges)
            if key in classes:
                classes[key][1] += 1
            else:
                classes[key] = [Diagram(vertices, edges), 1]
    elif method == "multigraphs":
        if sum(degrees) % 2 == 0:
            for adjacency, count in _labelled_multigraphs(degrees):
                edges = [uv for uv, m in sorted(adjacency.items()) for _ in range(m)]
                classes[tuple(sorted(adjacency.items()))] = [Diagram(vertices, edges), count]
    else:
        raise ParameterError(f"method must be 'multigraphs' or 'pairings', got {method!r}")
    out = {}
    for diagram, count in classes.values():
        out[diagram] = out.get(diagram, 0) + count
    return {d: c for d, c in out.items()}


# -------------------------------------------------------------------- the theory
class FeynmanExpansion(DiagramSum):
    """Diagrams of one order of a :class:`ScalarTheory` with their weights and values.

    Attributes
    ----------
    terms : list of (value, Diagram)
        ``value = Π_k (-g_k)^(n_k) · propagator^(edges) · multiplicity / Π_k n_k! (k!)^(n_k)``.
    multiplicities : list of int
        Number of Wick contractions giving each diagram.
    weights : list of sympy.Rational
        ``multiplicity / Π_k n_k! (k!)^(n_k)``; equal to each diagram's ``symmetry_factor``.
    contractions : int
        Total number of contractions (``(h-1)!!`` over all vertex multisets of the order).
    """

    def __init__(self, terms, multiplicities, weights, title=None):
        super().__init__(terms, title=title)
        self.multiplicities = list(multiplicities)
        self.weights = list(weights)

    @property
    def symmetry_factors(self):
        return [d.symmetry_factor for d in self.diagrams]

    @property
    def contractions(self):
        return sum(self.multiplicities)

    def value(self):
        """The sum of the diagrams' values (zero dimensions: every propagator is ``propagator``)."""
        return sp.expand(self.total())


class ScalarTheory:
    """A scalar theory ``S = φ²/(2Δ) + Σ_k g_k φ^k/k!`` (``Δ``: the propagator, 1 by default).

    Parameters
    ----------
    couplings : dict {int: SymPy expression} or int
        Valence → coupling, e.g. ``{4: lambda}``; an int ``k`` means ``{k: Symbol("g_k")}``
        (``lambda`` for k = 4, ``g`` for k = 3).
    propagator : SymPy expression
        Value of one propagator line (``1/m²`` for a massive zero-dimensional field); default 1.

    Examples
    --------
    >>> import sympy as sp
    >>> th = ScalarTheory(4)
    >>> exp2 = th.diagrams(n_external=2, loops=2)
    >>> len(exp2), exp2.value()
    (7, 105*lambda**2/128)
    """

    def __init__(self, couplings=4, propagator=sp.Integer(1)):
        if isinstance(couplings, int):
            names = {3: "g", 4: "lambda"}
            couplings = {couplings: sp.Symbol(names.get(couplings, f"g_{couplings}"))}
        if not isinstance(couplings, dict) or not couplings:
            raise ParameterError("couplings must be a non-empty dict {valence: coupling} or an int valence")
        for k in couplings:
            if not isinstance(k, int) or k < 3:
                raise ParameterError(f"interaction valences must be ints >= 3 (phi^3, phi^4, ...), got {k!r}")
        self.couplings = {k: as_expression(g, what=f"coupling of valence {k}") for k, g in sorted(couplings.items())}
        self.propagator = as_expression(propagator, what="propagator")

    def __repr__(self):
        return f"ScalarTheory({self.couplings}, propagator={self.propagator})"

    @property
    def field(self):
        return sp.Symbol("phi")

    def action(self):
        """``S(φ)`` as a SymPy expression."""
        phi = self.field
        return phi ** 2 / (2 * self.propagator) + sum(g * phi ** k / sp.factorial(k) for k, g in self.couplings.items())

    def vertex_orders(self, n_external, loops):
        """All vertex-count dicts ``{k: n_k}`` whose graphs have loop order ``loops`` (= E - V + 1, with
        ``Σ n_k (k-2)/2 = loops - 1 + E/2``)."""
        target = sp.Rational(2 * (loops - 1) + n_external, 2)
        if target < 0:
            return []
        ks = list(self.couplings)
        out = []
        bounds = [int(target / sp.Rational(k - 2, 2)) for k in ks]
        for counts in itertools.product(*[range(b + 1) for b in bounds]):
            if sum(sp.Rational(n * (k - 2), 2) for n, k in zip(counts, ks)) == target:
                out.append(dict(zip(ks, counts)))
        return out

    def diagrams(self, n_external=0, order=None, loops=None, kind="all", method="multigraphs"):
        """The Feynman diagrams of one order with their values.

        Parameters
        ----------
        n_external : int
            External legs (0: vacuum graphs).
        order : int or dict, optional
            Number of vertices (single coupling) or ``{k: n_k}``. Give ``order`` or ``loops``.
        loops : int, optional
            Loop order ``E - V + 1`` (feyngen's; the vertex count for phi^4 two-point graphs).
        kind : {"all", "no_vacuum", "connected", "1pi"}
            Which graphs to keep: all (the unnormalised ``E[φ^E e^{-S_int}]``), those without vacuum
            components (normalised by Z), connected ones, or one-particle-irreducible ones.
        method : {"multigraphs", "pairings"}
            Contraction counting, see :func:`contract`.

        Returns
        -------
        FeynmanExpansion
        """
        if kind not in KINDS:
            raise ParameterError(f"kind must be one of {KINDS}, got {kind!r}")
        if (order is None) == (loops is None):
            raise ParameterError("give exactly one of order= (number of vertices) or loops=")
        if order is not None:
            if isinstance(order, int):
                if len(self.couplings) != 1:
                    raise ParameterError("with several couplings give order as a dict {valence: count}")
                order = {next(iter(self.couplings)): order}
            if set(order) - set(self.couplings) or any(not isinstance(n, int) or n < 0 for n in order.values()):
                raise ParameterError(f"order must map valences {sorted(self.couplings)} to counts >= 0, got {order}")
            orders = [order]
        else:
            if not isinstance(loops, int) or loops < 0:
                raise ParameterError(f"loops must be an int >= 0, got {loops!r}")
            orders = self.vertex_orders(n_external, loops)
        terms, mults, weights = [], [], []
        for counts in orders:
            valences = [k for k in sorted(counts) for _ in range(counts[k])]
            norm = math.prod(math.factorial(n) * math.factorial(k) ** n for k, n in counts.items())
            factor = sp.Mul(*[(-self.couplings[k]) ** n for k, n in counts.items()])
            for d, mult in sorted(contract(valences, n_external, method).items(), key=lambda kv: _sort_key(kv[0])):
                if not _keep(d, kind):
                    continue
                weight = sp.Rational(mult, norm)
                terms.append((factor * weight * self.propagator ** len(d.edges), d))
                mults.append(mult)
                weights.append(weight)
        title = f"{self._name()}: {n_external}-point, " + (f"order {order}" if loops is None else f"{loops} loops") \
            + f" ({kind})"
        return FeynmanExpansion(terms, mults, weights, title=title)

    def _name(self):
        return " + ".join(f"phi^{k}" for k in self.couplings)

    def series(self, n_external, max_order, kind="all", method="multigraphs"):
        """``Σ`` of all diagram values with up to ``max_order`` vertices (single coupling) — the
        perturbative series of the zero-dimensional moment ``E[φ^E e^{-S_int}]`` (kind "all"), of the
        normalised moment (``"no_vacuum"``), or of the connected one (``"connected"``; ``log Z`` for E = 0)."""
        if len(self.couplings) != 1:
            raise ParameterError("series() needs a single coupling; use diagrams(order={...}) for several")
        total = sp.Integer(0)
        for n in range(max_order + 1):
            total += self.diagrams(n_external, order=n, kind=kind, method=method).value()
        return sp.expand(total)

    def zero_dimensional_moment(self, power, max_order, kind="all"):
        """The series of a zero-dimensional moment in the (single) coupling up to ``g^max_order``, by SymPy.

        ``exp(-S_int)`` is expanded and each term integrated against the Gaussian ``e^{-φ²/2Δ}/√(2πΔ)``.

        Parameters
        ----------
        power : int
            ``E``, the power of ``φ``.
        kind : {"all", "no_vacuum", "connected"}
            ``∫φ^E e^{-S}/√(2πΔ)`` (unnormalised; ``Z`` for E = 0), the normalised moment ``⟨φ^E⟩``, or
            the cumulant ``⟨φ^E⟩_c`` (``log Z`` for E = 0) — the same three sums as :meth:`diagrams`.
        """
        if len(self.couplings) != 1:
            raise ParameterError("zero_dimensional_moment() needs a single coupling")
        if kind not in KINDS[:3]:
            raise ParameterError(f"kind must be one of {KINDS[:3]}, got {kind!r}")
        (k, g), = self.couplings.items()
        eps, phi = sp.Symbol("epsilon"), self.field
        delta = self.propagator
        weight = sp.series(sp.exp(-eps * g * phi ** k / sp.factorial(k)), eps, 0, max_order + 1).removeO()

        def truncate(expr):
            return sp.expand(sp.series(expr, eps, 0, max_order + 1).removeO())

        def raw(p):
            out = sp.Integer(0)
            for term in sp.Add.make_args(sp.expand(weight * phi ** p)):
                out += sp.integrate(term * sp.exp(-phi ** 2 / (2 * delta)), (phi, -sp.oo, sp.oo))
            return sp.expand(out / sp.sqrt(2 * sp.pi * delta))

        z = raw(0)
        if kind == "all":
            result = raw(power)
        elif power == 0:
            result = truncate(sp.log(z)) if kind == "connected" else sp.Integer(1)
        else:
            moments = [sp.Integer(1)] + [truncate(raw(j) / z) for j in range(1, power + 1)]
            if kind == "no_vacuum":
                result = moments[power]
            else:   # cumulants from moments: κ_n = m_n - Σ_{j<n} C(n-1, j-1) κ_j m_{n-j}
                kappa = [sp.Integer(0)]
                for n in range(1, power + 1):
                    kappa.append(truncate(moments[n] - sum(sp.binomial(n - 1, j - 1) * kappa[j] * moments[n - j]
                                                           for j in range(1, n))))
                result = kappa[power]
        return sp.expand(result.subs(eps, 1))


def _keep(d, kind):
    if kind == "all":
        return True
    if kind == "no_vacuum":
        return not d.has_vacuum_components
    if kind == "connected":
        return d.is_connected and d.n_vertices > 0
    return d.is_one_particle_irreducible()


def _sort_key(d):
    """Order within one vertex count: fewer components first, then by canonical form (stable output)."""
    return (-len(d.components()), d.betti_number, d.canonical_form())
