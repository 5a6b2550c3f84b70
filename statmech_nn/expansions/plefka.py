"""Plefka expansion of the Gibbs free energy of pairwise Ising models, TAP equations and a TAP solver.

For ``H = -Σ_{i<j} J_ij s_i s_j - Σ_i h_i s_i`` (``s_i = ±1``) the Gibbs free energy at fixed
magnetisations ``m`` is the Legendre transform (Plefka 1982; Georges & Yedidia 1991)::

    -βG(m; β) = min_λ ln Tr exp(-βH + Σ_i λ_i (s_i - m_i)) = Σ_n β^n A_n(m),

and the package **derives** the coefficients ``A_n`` with SymPy, it does not type them in:

1. ``λ_i(β) = atanh(m_i) + Σ_n β^n c_{n,i}``; the ``β = 0`` measure is the product measure with
   ``⟨s_i⟩_0 = m_i`` and gives the entropy ``A_0 = Σ_i [ln 2cosh λ_i - λ_i m_i]``.
2. With centred spins ``σ_i = s_i - m_i`` (algebra ``σ_i² = 1 - m_i² - 2 m_i σ_i``, ``⟨σ_S⟩_0 = 0``) the
   exponent is ``X = Σ_n β^n X_n``, ``X_1 = Σ c_{1,i} σ_i - H``, ``X_n = Σ c_{n,i} σ_i``; the cumulant
   (log-moment) series of ``ln⟨e^X⟩_0`` is expanded to ``β^K``.
3. Stationarity in ``λ`` fixes ``c_n`` order by order: ``∂A_{2n}/∂c_n = 0`` (``A`` is stationary in ``λ``,
   so an error ``O(β^n)`` in ``λ`` costs ``O(β^{2n})``); the remaining ``c``'s drop out — checked.
4. **Any N.** The coefficient of a coupling monomial ``Π J_e^{m_e}`` in ``A_n`` depends only on the spins
   it touches (spins outside are decoupled at fixed ``m``, and ``G`` is additive over decoupled parts), so
   deriving step 1-3 once on each possible *support* (a simple graph with at most ``K`` edges, at most
   ``2K`` spins) gives the complete general-``N`` result as a sum over *Plefka diagrams*: multigraphs
   ``P`` (spins = vertices, one edge per factor ``J``) with a weight ``f_P(m)``,
   ``A_n = Σ_P (1/|Aut_V(P)|) Σ_{distinct i_1..i_p} Π_{(a,b)∈P} J_{i_a i_b} f_P(m_{i_1}, …, m_{i_p})``.
   Only 2-vertex-connected ("strongly irreducible", Georges–Yedidia) diagrams survive; the rest come out 0.

From ``βG`` truncated at order ``k`` the stationarity condition ``∂G/∂m_i = 0`` (SymPy differentiation of
the diagram weights) gives ``m_i = tanh(-β ∂G_int/∂m_i)`` with ``G_int = G + T S(m)``: naive mean field at
k = 1, the TAP equations (Thouless, Anderson, Palmer 1977) at k = 2. :func:`solve_tap` iterates it with
damping; a restricted Boltzmann machine is the bipartite special case (:func:`boltzmann_machine`).

References
----------
T. Plefka, J. Phys. A 15, 1971 (1982).
A. Georges, J. S. Yedidia, J. Phys. A 24, 2173 (1991) (the expansion to 4th order; "strongly irreducible"
diagrams).
D. J. Thouless, P. W. Anderson, R. G. Palmer, Phil. Mag. 35, 593 (1977) (TAP equations).
M. Gabrié, E. W. Tramel, F. Krzakala, NeurIPS 2015, "Training restricted Boltzmann machines via the
Thouless-Anderson-Palmer free energy" (the RBM case).

Examples
--------
>>> from statmech_nn.expansions.plefka import plefka_expansion
>>> px = plefka_expansion(order=2)
>>> [(t.order, t.diagram.n_vertices, t.weight.factor()) for t in px.terms if t.order == 2]
[(2, 2, (m_0 - 1)*(m_0 + 1)*(m_1 - 1)*(m_1 + 1)/2)]
>>> px.coefficient(2, 3) == plefka_expansion(2).coefficient(2, 3)
True
>>> import numpy as np
>>> J = np.array([[0, 1.0], [1.0, 0]]) / 2
>>> float(round(px.solve(J, h=[0.3, -0.1], beta=0.5).m[0], 6))   # TAP magnetisation of spin 0
0.136866
"""
from __future__ import annotations

import functools
import itertools
import math
from dataclasses import dataclass

import numpy as np
import sympy as sp

from ..errors import ConvergenceError, DerivationError, ParameterError
from ..symbolic.derivation import Derivation, aligned_lines
from .diagrams import Diagram

__all__ = ["derive_gibbs_coefficients", "plefka_expansion", "PlefkaExpansion", "PlefkaTerm", "TAPSolution",
           "solve_tap", "boltzmann_machine", "ising_exact", "gibbs_exact", "MAX_ORDER"]

MAX_ORDER = 6


def m_symbol(i):
    return sp.Symbol(f"m_{i}")


def h_symbol(i):
    return sp.Symbol(f"h_{i}")


def J_symbol(i, j):
    i, j = min(i, j), max(i, j)
    return sp.Symbol(f"J_{i}_{j}")


# -------------------------------------------------------------------- centred spin algebra
# Polynomials in the centred spins σ are dicts frozenset(spins) -> coefficient, the coefficients being
# elements of a SymPy polynomial ring over QQ (sympy.polys.rings: exact and much faster than Expr).
def _poly_mul(a, b, v, m2):
    """Product with ``σ_i² = v_i + m2_i σ_i`` (``v_i = 1 - m_i²``, ``m2_i = -2 m_i``)."""
    out = {}
    for s, x in a.items():
        for t, y in b.items():
            both = sorted(s & t)
            rest = s ^ t
            coeff = x * y
            for r in range(len(both) + 1):
                for k in itertools.combinations(both, r):
                    term = coeff
                    for i in both:
                        term = term * (m2[i] if i in k else v[i])
                    key = rest | frozenset(k)
                    out[key] = out.get(key, 0) + term
    return {k: c for k, c in out.items() if c}


def _series_mul(a, b, order, v, m2):
    """Product of two β-series (lists of σ-polynomials), truncated after ``β^order``."""
    out = [dict() for _ in range(order + 1)]
    for i, pa in enumerate(a):
        for j, pb in enumerate(b):
            if i + j > order or not pa or not pb:
                continue
            for key, c in _poly_mul(pa, pb, v, m2).items():
                out[i + j][key] = out[i + j].get(key, 0) + c
    return out


def derive_gibbs_coefficients(n_spins, couplings, order, fields=True, derivation=None):
    """Derive ``A_0 … A_order`` of ``-βG = Σ β^n A_n`` for one small system, symbolically.

    Parameters
    ----------
    n_spins : int
    couplings : iterable of (i, j)
        The pairs with a coupling; each gets the symbol ``J_i_j`` (``i < j``).
    order : int
        Highest power of β (``1 ≤ order ≤ MAX_ORDER``).
    fields : bool
        Include symbolic fields ``h_i``.
    derivation : Derivation, optional
        If given, the steps are recorded in it.

    Returns
    -------
    list of SymPy expressions ``[A_0, …, A_order]`` in ``m_i``, ``J_i_j`` (and ``h_i``).
    """
    from sympy.polys.rings import ring
    if not isinstance(order, int) or not 1 <= order <= MAX_ORDER:
        raise ParameterError(f"order must be an int in 1..{MAX_ORDER}, got {order!r}")
    n = n_spins
    pairs = sorted({(min(i, j), max(i, j)) for i, j in couplings})
    if any(i == j or not 0 <= i < n or not 0 <= j < n for i, j in pairs):
        raise ParameterError(f"couplings must be pairs of distinct spins in 0..{n - 1}, got {pairs}")
    m_syms = [m_symbol(i) for i in range(n)]
    J_syms = [J_symbol(i, j) for i, j in pairs]
    h_syms = [h_symbol(i) for i in range(n)] if fields else []
    c_syms = [[sp.Symbol(f"c_{k}_{i}") for i in range(n)] for k in range(1, order)]   # β^k correction
    R, *gens = ring(m_syms + J_syms + h_syms + [x for row in c_syms for x in row], sp.QQ)
    m = gens[:n]
    J = dict(zip(pairs, gens[n:n + len(pairs)]))
    h = gens[n + len(pairs):n + len(pairs) + len(h_syms)]
    c = [None] + [gens[len(gens) - (order - 1) * n + (k - 1) * n:][:n] for k in range(1, order)]
    v = [1 - mi ** 2 for mi in m]
    m2 = [-2 * mi for mi in m]
    # spins s_i = m_i + σ_i; H = -Σ J_ij s_i s_j - Σ h_i s_i as a σ-polynomial
    spin = [{frozenset(): m[i], frozenset([i]): R.one} for i in range(n)]
    H = {}
    for (i, j), Jij in J.items():
        for key, val in _poly_mul(spin[i], spin[j], v, m2).items():
            H[key] = H.get(key, 0) - Jij * val
    for i, hi in enumerate(h):
        for key, val in spin[i].items():
            H[key] = H.get(key, 0) - hi * val
    X = [dict() for _ in range(order + 1)]
    for k in range(1, order):
        X[k] = {frozenset([i]): c[k][i] for i in range(n)}
    for key, val in H.items():
        X[1][key] = X[1].get(key, 0) - val
    # moments ⟨X^p⟩_0 as β-series: only the σ-free part survives the product measure
    mm1 = [R.zero] * (order + 1)          # M - 1 = Σ_p ⟨X^p⟩/p!
    power = X
    for p in range(1, order + 1):
        if p > 1:
            power = _series_mul(power, X, order, v, m2)
        for k, poly in enumerate(power):
            mm1[k] += poly.get(frozenset(), R.zero) * sp.QQ(1, math.factorial(p))
    # ln M = Σ_r (-1)^{r+1} (M - 1)^r / r
    A = [R.zero] * (order + 1)
    term = [R.one] + [R.zero] * order
    for r in range(1, order + 1):
        term = [sum((term[a] * mm1[k - a] for a in range(k + 1)), R.zero) for k in range(order + 1)]
        for k in range(order + 1):
            A[k] += term[k] * sp.QQ((-1) ** (r + 1), r)
    if derivation is not None:
        derivation.add("Cumulant expansion before stationarity",
                       [line for k in range(1, min(order, 2) + 1) for line in aligned_lines(f"A_{k}", A[k].as_expr(), 4)],
                       "ln of the $\\beta=0$ average of $e^X$, order by order in $\\beta$ "
                       "(shown to second order).")
    # stationarity in λ: ∂A_{2k}/∂c_{k,i} = v_i c_{k,i} + b_i (σ's independent) fixes c_k
    for k in range(1, order):
        if 2 * k > order:
            break
        solution = []
        for i in range(n):
            eq = A[2 * k].diff(c[k][i])
            slope = eq.diff(c[k][i])
            rest = eq - slope * c[k][i]
            if slope != v[i] or rest.diff(c[k][i]) != 0:
                raise DerivationError(f"stationarity at beta^{2 * k} is not v_i c_{k},{i} + b_i = 0")
            quotient, remainder = rest.div(v[i])
            if remainder != 0:
                raise DerivationError(f"c_{k},{i} is not polynomial: {rest.as_expr()} / (1 - m_{i}^2)")
            solution.append(-quotient)
        A = [a.compose([(c[k][i], solution[i]) for i in range(n)]) for a in A]
        if derivation is not None:
            derivation.add(f"Stationarity in $\\lambda$ at order $\\beta^{2 * k}$",
                           [sp.Eq(c_syms[k - 1][i], sp.factor(solution[i].as_expr())) for i in range(n)],
                           f"$\\partial A_{{{2 * k}}}/\\partial c_{{{k},i}} = 0$ fixes the $\\beta^{k}$ "
                           "correction of the Lagrange multipliers.")
    c_left = {x for row in c_syms for x in row}
    out = []
    for k, a in enumerate(A):
        expr = a.as_expr()
        left = expr.free_symbols & c_left
        if left:
            raise DerivationError(f"A_{k} still depends on {sorted(map(str, left))}: the multipliers are not "
                                  "stationary (bug in the expansion)")
        out.append(expr)
    # zeroth order: the product measure with tanh λ_i = m_i
    lam0, mu = sp.symbols("lambda m")
    entropy_one = (sp.log(2 * sp.cosh(lam0)) - lam0 * mu).subs(lam0, sp.atanh(mu))
    entropy_one = sp.expand_log(sp.simplify(entropy_one.rewrite(sp.log)), force=True)
    out[0] = sum(entropy_one.subs(mu, mi) for mi in m_syms)
    return out


# -------------------------------------------------------------------- general-N form
@dataclass(frozen=True)
class PlefkaTerm:
    """One Plefka diagram at one order: ``(1/|Aut_V|) Σ_{distinct indices} Π J · weight(m, h)``.

    ``diagram`` has one vertex per spin (labelled 0..p-1, the order of ``m_0 … m_{p-1}`` in ``weight``)
    and one edge per factor ``J``; ``weight`` (a SymPy expression in ``m_a``, and ``h_a`` for the field
    term) is the derived coefficient of the monomial ``Π J`` on spins ``0..p-1``; the sum over ordered
    distinct index tuples meets every copy ``|Aut_V|`` times, hence the ``1/|Aut_V|``."""

    order: int
    diagram: Diagram
    weight: sp.Expr

    @property
    def n_spins(self):
        return self.diagram.n_vertices

    @property
    def vertex_automorphisms(self):
        return len(self.diagram.vertex_automorphisms())


def _supports(max_edges):
    """Connected simple graphs with 1..max_edges edges, up to isomorphism (vertices 0..p-1), grown edge
    by edge. Disconnected supports need no derivation: ``G`` is additive over decoupled parts at fixed
    ``m``, so a monomial touching two components has coefficient 0."""
    found = {}
    layer = {Diagram(["internal"] * 2, [(0, 1)])}
    for size in range(1, max_edges + 1):
        for d in layer:
            found[d] = size
        if size == max_edges:
            break
        nxt = set()
        for d in layer:
            p = d.n_vertices
            present = {tuple(sorted((e.u, e.v))) for e in d.edges}
            options = [(a, b) for a in range(p) for b in range(a + 1, p) if (a, b) not in present]
            options += [(a, p) for a in range(p)]
            for a, b in options:
                q = max(p, b + 1)
                nxt.add(Diagram(["internal"] * q, [(e.u, e.v) for e in d.edges] + [(a, b)]))
        layer = nxt
    return list(found)


@functools.lru_cache(maxsize=None)
def _general_terms(order):
    terms = []
    # one spin: entropy and field. A field is linear in s_i, so it is absorbed by the multiplier
    # (λ_i → λ_i + β h_i) and enters at first order only: checked here on one spin and with couplings in
    # the tests; the coupling supports below are derived without fields.
    single = derive_gibbs_coefficients(1, [], order)
    for k in range(2, order + 1):
        if single[k] != 0:
            raise DerivationError(f"field term survives at order {k}: {single[k]}")
    lone = Diagram(["internal"], [])
    terms.append(PlefkaTerm(0, lone, single[0]))
    terms.append(PlefkaTerm(1, lone, single[1]))
    seen = set()
    for support in _supports(order):
        p = support.n_vertices
        pairs = [(e.u, e.v) for e in support.edges]
        A = derive_gibbs_coefficients(p, pairs, order, fields=False)
        Js = [J_symbol(a, b) for a, b in pairs]
        allowed = {m_symbol(a) for a in range(p)}
        for k in range(1, order + 1):
            if A[k] == 0:
                continue
            poly = sp.Poly(A[k], *Js)
            for powers in itertools.product(range(1, k + 1), repeat=len(pairs)):
                if sum(powers) != k:
                    continue
                weight = sp.factor(poly.coeff_monomial(tuple(powers)))
                if weight.free_symbols - allowed:
                    raise DerivationError(f"coefficient of {powers} on support {pairs} depends on "
                                          f"{weight.free_symbols - allowed}")
                diagram = Diagram(["internal"] * p, [ab for ab, r in zip(pairs, powers) for _ in range(r)])
                if diagram in seen:
                    continue
                seen.add(diagram)
                for perm in diagram.vertex_automorphisms():
                    moved = weight.xreplace({m_symbol(a): m_symbol(perm[a]) for a in range(p)})
                    if sp.expand(moved - weight) != 0:
                        raise DerivationError(f"weight of {diagram.edges} is not symmetric under {perm}")
                terms.append(PlefkaTerm(k, diagram, weight))
    return tuple(t for t in terms if t.weight != 0), tuple(seen)


class PlefkaExpansion:
    """The derived Plefka expansion of ``-βG`` to a given order, for any number of spins.

    Attributes
    ----------
    order : int
    terms : tuple of PlefkaTerm
        The non-zero diagrams (order 0: entropy; order 1: field and ``J m m``; …).
    candidates : tuple of Diagram
        Every multigraph examined (the zero ones are the diagrams that are not 2-vertex-connected).
    derivation : Derivation
        The symbolic steps (illustrated on two spins) and the general result.
    """

    def __init__(self, order):
        if not isinstance(order, int) or not 1 <= order <= MAX_ORDER:
            raise ParameterError(f"order must be an int in 1..{MAX_ORDER}, got {order!r}")
        self.order = order
        self.terms, self.candidates = _general_terms(order)
        self._numeric = None
        self.derivation = self._derivation()

    # ---------------------------------------------------------------- symbolic output
    def coefficient(self, k, n_spins, couplings=None):
        """``A_k`` for ``n_spins`` spins as a SymPy expression in ``m_i, h_i, J_i_j``: the general form
        instantiated (sums over distinct indices). ``couplings``: pairs with ``J ≠ 0`` (default all)."""
        if not 0 <= k <= self.order:
            raise ParameterError(f"k must be in 0..{self.order}")
        allowed = None if couplings is None else {tuple(sorted(p)) for p in couplings}
        total = sp.Integer(0)
        for t in self.terms:
            if t.order != k:
                continue
            p = t.n_spins
            m_loc = [m_symbol(a) for a in range(p)]
            h_loc = [h_symbol(a) for a in range(p)]
            aut = t.vertex_automorphisms
            for idx in itertools.permutations(range(n_spins), p):
                edges = [tuple(sorted((idx[e.u], idx[e.v]))) for e in t.diagram.edges]
                if allowed is not None and any(e not in allowed for e in edges):
                    continue
                sub = {m_loc[a]: m_symbol(idx[a]) for a in range(p)} | {h_loc[a]: h_symbol(idx[a]) for a in range(p)}
                total += sp.Mul(*[J_symbol(*e) for e in edges]) * t.weight.xreplace(sub) / aut
        return sp.expand(total)

    def beta_gibbs(self, n_spins, order=None, couplings=None):
        """``βG`` truncated at ``β^order`` (default: the full order) for ``n_spins`` spins, symbolic."""
        order = self.order if order is None else order
        beta = sp.Symbol("beta", positive=True)
        return -sum(beta ** k * self.coefficient(k, n_spins, couplings) for k in range(order + 1))

    def tap_equations(self, n_spins, order=2, couplings=None):
        """Stationarity ``∂G/∂m_i = 0`` in fixed-point form ``m_i = tanh(-β ∂G_int/∂m_i)``, derived by
        SymPy differentiation of :meth:`beta_gibbs` (order 1: naive mean field; order 2: TAP)."""
        bg = self.beta_gibbs(n_spins, order, couplings)
        interaction = bg + self.coefficient(0, n_spins)     # βG_int = βG + S(m)
        eqs = []
        for i in range(n_spins):
            # β ∂G/∂m_i = atanh(m_i) + ∂(βG_int)/∂m_i = 0  (the entropy's derivative is derived, then inverted)
            d_entropy = sp.simplify(-sp.diff(self.coefficient(0, 1).subs(m_symbol(0), m_symbol(i)), m_symbol(i)))
            if sp.simplify(d_entropy - sp.atanh(m_symbol(i)).rewrite(sp.log)) != 0:
                raise DerivationError(f"entropy derivative is {d_entropy}, expected atanh(m)")
            eqs.append(sp.Eq(m_symbol(i), sp.tanh(sp.expand(-sp.diff(interaction, m_symbol(i))))))
        return eqs

    def general_latex(self, order=None, display=True):
        """LaTeX of ``-βG`` for any N: one sum over distinct indices per Plefka diagram (an ``align*``
        block with a sentence on the index convention; ``display=False``: an ``aligned`` body only)."""
        order = self.order if order is None else order
        names = "ijklpqrs"
        lines = []
        for k in range(order + 1):
            parts = []
            for t in self.terms:
                if t.order != k:
                    continue
                p = t.n_spins
                sub = {m_symbol(a): sp.Symbol(f"m_{names[a]}") for a in range(p)} | \
                      {h_symbol(a): sp.Symbol(f"h_{names[a]}") for a in range(p)}
                weight = _display_weight(t.weight / t.vertex_automorphisms, p).xreplace(sub)
                js = sp.Mul(*[sp.Symbol("J_{%s%s}" % (names[e.u], names[e.v])) for e in t.diagram.edges])
                index = ",".join(names[:p])
                sign, body = ("-", -weight) if weight.could_extract_minus_sign() else ("+", weight)
                parts.append(r"%s \sum_{%s} %s" % (sign, "(" + index + ")" if p > 1 else index,
                                                    sp.latex(js * body)))
            if parts:   # one diagram per line
                parts[0] = parts[0].lstrip("+ ")
                text = " \\\\\n&\\qquad ".join(parts)
                lines.append((r"\beta^{%d}\Big[" % k if k else "") + text + (r"\Big]" if k else ""))
        body = "-\\beta G &= " + " \\\\\n&\\quad + ".join(lines)
        if not display:
            return "\\begin{aligned}" + body + "\\end{aligned}"
        return ("\\begin{align*}\n" + body + "\n\\end{align*}\n"
                "Sums run over distinct indices $(i,j,\\dots)$ (ordered tuples).")

    def _derivation(self):
        d = Derivation(f"Plefka expansion of the Gibbs free energy to order beta^{self.order}")
        beta, lam, m_ = sp.symbols("beta lambda_i m_i")
        d.add("Legendre transform at fixed magnetisations",
              r"-\beta G(m) = \min_\lambda \ln \mathrm{Tr}\, e^{-\beta H + \sum_i \lambda_i (s_i - m_i)},\quad "
              r"H = -\sum_{i<j} J_{ij} s_i s_j - \sum_i h_i s_i",
              "Plefka (1982); Georges and Yedidia (1991); the multipliers enforce $\\langle s_i\\rangle = m_i$.")
        d.add("Zeroth order: independent spins", sp.Eq(sp.Symbol("A_0"), self.coefficient(0, 1)),
              "$\\lambda_i = \\mathrm{atanh}\\, m_i$; per spin $\\ln 2\\cosh\\lambda - \\lambda m$.")
        illustration = Derivation("two spins")
        derive_gibbs_coefficients(2, [(0, 1)], min(self.order, 4), derivation=illustration)
        for step in illustration:
            d.add(step.title + " (two spins)", step.expr, step.note)
        d.add("Plefka diagrams for any N", self.general_latex(display=False),
              "Each coupling monomial's coefficient is derived on its own support (spins outside it "
              "decouple at fixed $m$); diagrams that are not 2-connected come out zero. Sums run over "
              "ordered tuples of distinct indices.")
        return d

    def latex(self):
        """LaTeX body: the derivation, the general-N result and the TAP equations of 3 spins."""
        tap = self.tap_equations(3, order=min(2, self.order))
        return "\n".join([self.derivation.latex(), r"\paragraph{TAP equations (three spins, order 2)}",
                          "\\begin{align*}\n" + " \\\\\n".join(sp.latex(e.lhs) + " &= " + sp.latex(e.rhs)
                                                             for e in tap) + "\n\\end{align*}"])

    def diagrams(self, k):
        """The order-``k`` Plefka diagrams as a :class:`DiagramSum` with coefficients ``weight/|Aut_V|``
        (the summand of the sum over distinct indices), for drawing and TikZ export."""
        from .diagrams import DiagramSum
        return DiagramSum([(_display_weight(t.weight / t.vertex_automorphisms, t.n_spins), t.diagram)
                           for t in self.terms if t.order == k and t.diagram.edges],
                          title=f"Plefka diagrams at order beta^{k}")

    def _repr_latex_(self):
        return self.derivation._repr_latex_()

    def __repr__(self):
        counts = [sum(t.order == k for t in self.terms) for k in range(self.order + 1)]
        return f"<PlefkaExpansion to beta^{self.order}: diagrams per order {counts}>"

    # ---------------------------------------------------------------- numerics
    def _compiled(self):
        if self._numeric is None:
            out = []
            for t in self.terms:
                p = t.n_spins
                args = [m_symbol(a) for a in range(p)] + [h_symbol(a) for a in range(p)]
                f = sp.lambdify(args, t.weight, "numpy")
                grads = [sp.lambdify(args, sp.diff(t.weight, m_symbol(a)), "numpy") for a in range(p)]
                out.append((t, f, grads))
            self._numeric = out
        return self._numeric

    def _evaluate(self, m, J, h, order, gradient):
        m, J, h = _check_system(m, J, h)
        n = len(m)
        values = np.zeros(order + 1)
        grad = np.zeros((order + 1, n))
        for t, f, grads in self._compiled():
            if t.order > order:
                continue
            p = t.n_spins
            shape = lambda a: tuple(n if b == a else 1 for b in range(p))   # noqa: E731
            ms = [m.reshape(shape(a)) for a in range(p)]
            hs = [h.reshape(shape(a)) for a in range(p)]
            weight = np.ones((1,) * p)
            for e in t.diagram.edges:
                axes = [1] * p
                axes[e.u] = axes[e.v] = n
                weight = weight * J.reshape(axes)
            mask = np.ones((1,) * p, dtype=bool)
            idx = [np.arange(n).reshape(shape(a)) for a in range(p)]
            for a, b in itertools.combinations(range(p), 2):
                mask = mask & (idx[a] != idx[b])
            base = np.broadcast_to(weight * mask, (n,) * p) / t.vertex_automorphisms
            values[t.order] += float(np.sum(base * f(*ms, *hs)))
            if gradient:
                for a in range(p):
                    g = base * grads[a](*ms, *hs)
                    grad[t.order] += np.sum(g, axis=tuple(b for b in range(p) if b != a)).reshape(n)
        return values, grad

    def coefficients_numeric(self, m, J, h=None):
        """``[A_0, …, A_order]`` at magnetisations ``m`` for coupling matrix ``J`` (symmetric, zero
        diagonal) and fields ``h`` (NumPy)."""
        return self._evaluate(m, J, h, self.order, gradient=False)[0]

    def beta_gibbs_numeric(self, m, J, h, beta, order=None):
        """``βG_k(m) = -Σ_{n≤k} β^n A_n(m)``."""
        order = self.order if order is None else order
        values, _ = self._evaluate(m, J, h, order, gradient=False)
        return -float(np.sum(values * float(beta) ** np.arange(order + 1)))

    def tap_map(self, m, J, h, beta, order=2):
        """The right-hand side ``tanh(-β ∂G_int/∂m_i)`` of the order-``order`` stationarity equations."""
        _, grad = self._evaluate(m, J, h, order, gradient=True)
        powers = float(beta) ** np.arange(order + 1)
        # β ∂G_int/∂m = -Σ_{k≥1} β^k ∂A_k/∂m
        return np.tanh((powers[1:, None] * grad[1:]).sum(axis=0))

    def solve(self, J, h, beta, order=2, **options):
        """Solve the order-``order`` stationarity equations; see :func:`solve_tap`."""
        return solve_tap(J, h, beta, order=order, expansion=self, **options)


def _display_weight(weight, p):
    """``weight`` written as ``c · Π_a (1 - m_a²)^{k_a} · rest`` (the Georges–Yedidia way of writing it)."""
    expr = sp.factor(weight)
    if not expr.is_polynomial(*[m_symbol(a) for a in range(p)]):
        return expr                     # the entropy
    factors = []
    for a in range(p):
        v = 1 - m_symbol(a) ** 2
        k = 0
        while True:
            q, r = sp.div(sp.expand(expr), v, m_symbol(a))
            if r != 0 or expr == 0:
                break
            expr, k = q, k + 1
        if k:
            factors.append(sp.Pow(v, k, evaluate=False) if k > 1 else v)
    return sp.Mul(sp.factor(expr), *factors, evaluate=False)


@functools.lru_cache(maxsize=None)
def plefka_expansion(order=4):
    """The derived :class:`PlefkaExpansion` to ``β^order`` (cached per order)."""
    return PlefkaExpansion(order)


def _check_system(m, J, h):
    J = np.asarray(J, dtype=float)
    if J.ndim != 2 or J.shape[0] != J.shape[1]:
        raise ParameterError(f"J must be a square matrix, got shape {J.shape}")
    n = J.shape[0]
    if not np.allclose(J, J.T) or np.any(np.diag(J) != 0):
        raise ParameterError("J must be symmetric with zero diagonal (H = -sum_{i<j} J_ij s_i s_j)")
    h = np.zeros(n) if h is None else np.asarray(h, dtype=float).reshape(-1)
    if h.shape != (n,):
        raise ParameterError(f"h must have length {n}, got {h.shape}")
    if m is not None:
        m = np.asarray(m, dtype=float).reshape(-1)
        if m.shape != (n,) or np.any(np.abs(m) >= 1) or not np.all(np.isfinite(m)):
            raise ParameterError("m must have one entry per spin, each strictly inside (-1, 1)")
    if not (np.all(np.isfinite(J)) and np.all(np.isfinite(h))):
        raise ParameterError("J and h must be finite")
    return m, J, h


# -------------------------------------------------------------------- TAP solver
@dataclass
class TAPSolution:
    """Magnetisations solving the order-``order`` Plefka stationarity equations."""

    m: np.ndarray
    order: int
    iterations: int
    residual: float
    beta_gibbs: float

    def __repr__(self):
        return (f"<TAPSolution order {self.order}: {self.iterations} iterations, residual {self.residual:.2e}, "
                f"beta*G = {self.beta_gibbs:.6g}>")


def solve_tap(J, h, beta, order=2, m0=None, damping=0.5, tol=1e-10, max_iter=10000, expansion=None):
    """Damped fixed-point iteration ``m ← (1-a) m + a tanh(-β ∂G_int/∂m)`` of the order-``order`` equations.

    Parameters
    ----------
    J, h : arrays
        Couplings (symmetric, zero diagonal) and fields.
    beta : float
    order : int
        1 = naive mean field, 2 = TAP, 3-4 = higher Plefka orders.
    m0 : array, optional
        Start (default ``tanh(β h)``, or 0.1 where ``h = 0``).
    damping : float
        Largest weight ``a`` of the new iterate (0 < a ≤ 1); it is halved whenever the residual grows
        and grows back by 10% per step while it shrinks.
    tol, max_iter : float, int

    Raises
    ------
    ConvergenceError
        With the last residual ``max |m - map(m)|`` when ``max_iter`` is reached or ``|m| → 1``.
    """
    if not 0 < damping <= 1:
        raise ParameterError(f"damping must be in (0, 1], got {damping!r}")
    if not beta > 0:
        raise ParameterError(f"beta must be > 0, got {beta!r}")
    expansion = expansion or plefka_expansion(max(order, 2))
    if order > expansion.order:
        raise ParameterError(f"order {order} exceeds the expansion's order {expansion.order}")
    _, J, h = _check_system(None, J, h)
    m = np.tanh(beta * h) if m0 is None else np.asarray(m0, dtype=float).copy()
    if m0 is None:
        m = np.where(m == 0, 0.1, m)
    residual = np.inf
    a = damping
    for it in range(1, max_iter + 1):
        if np.any(np.abs(m) >= 1 - 1e-12):
            break
        new = expansion.tap_map(m, J, h, beta, order)
        r = float(np.max(np.abs(new - m)))
        # halve the step when the residual grows (oscillation), recover it slowly while it shrinks
        a = max(a / 2, 1e-3) if r > residual else min(damping, 1.1 * a)
        residual = r
        if r < tol:
            return TAPSolution(new, order, it, r, expansion.beta_gibbs_numeric(new, J, h, beta, order))
        m = (1 - a) * m + a * new
    raise ConvergenceError(f"Plefka order-{order} equations did not converge at beta={beta} (residual "
                           f"{residual:.3g} after {it} iterations); lower beta, increase damping's "
                           "effect (smaller damping) or max_iter, or use a lower order",
                           residual=residual, parameters={"beta": beta, "order": order})


def boltzmann_machine(W, a=None, b=None):
    """Couplings and fields of a Boltzmann machine with ±1 visible (``W.shape[0]``) and hidden units.

    The energy ``E = -v·W·h - a·v - b·h`` is the pairwise Ising model with the bipartite coupling matrix
    ``J = [[0, W], [Wᵀ, 0]]`` and fields ``(a, b)``; every Plefka result applies, and diagrams with odd
    cycles vanish identically on it.

    Returns
    -------
    (J, fields) : NumPy arrays of shape ``(n_v + n_h, n_v + n_h)`` and ``(n_v + n_h,)``.
    """
    W = np.asarray(W, dtype=float)
    if W.ndim != 2:
        raise ParameterError(f"W must be a (visible x hidden) matrix, got shape {W.shape}")
    nv, nh = W.shape
    a = np.zeros(nv) if a is None else np.asarray(a, dtype=float)
    b = np.zeros(nh) if b is None else np.asarray(b, dtype=float)
    if a.shape != (nv,) or b.shape != (nh,):
        raise ParameterError(f"visible fields need shape ({nv},), hidden ({nh},); got {a.shape}, {b.shape}")
    J = np.zeros((nv + nh, nv + nh))
    J[:nv, nv:] = W
    J[nv:, :nv] = W.T
    return J, np.concatenate([a, b])


# -------------------------------------------------------------------- exact enumeration (checks)
def _states(n):
    if n > 20:
        raise ParameterError(f"exact enumeration is for n <= 20 spins, got {n}")
    return 1 - 2 * ((np.arange(2 ** n)[:, None] >> np.arange(n)) & 1).astype(float)


def ising_exact(J, h, beta):
    """Exact ``ln Z`` and magnetisations of ``H = -Σ_{i<j} J_ij s_i s_j - Σ h_i s_i`` by enumeration."""
    _, J, h = _check_system(None, J, h)
    s = _states(len(h))
    x = beta * (0.5 * np.einsum("si,ij,sj->s", s, J, s) + s @ h)
    top = x.max()
    w = np.exp(x - top)
    z = w.sum()
    return float(np.log(z) + top), (w @ s) / z


def gibbs_exact(m, J, h, beta, tol=1e-13, max_iter=100):
    """Exact ``βG(m)`` by the Legendre transform, ``-βG = min_λ [ln Tr e^{-βH + λ·s} - λ·m]``
    (Newton on λ with enumeration; exact up to ``tol``)."""
    m, J, h = _check_system(m, J, h)
    s = _states(len(m))
    x0 = beta * (0.5 * np.einsum("si,ij,sj->s", s, J, s) + s @ h)

    def objective(lam):   # convex in λ; its minimum is -βG(m)
        x = x0 + s @ lam
        top = x.max()
        w = np.exp(x - top)
        z = w.sum()
        return float(np.log(z) + top - lam @ m), w / z

    lam = np.arctanh(m) - beta * h
    value, p = objective(lam)
    for it in range(max_iter):
        mean = p @ s
        grad = mean - m
        if np.max(np.abs(grad)) < tol:
            return -value
        cov = (s * p[:, None]).T @ s - np.outer(mean, mean)
        step = np.linalg.solve(cov + 1e-14 * np.eye(len(m)), grad)
        t = 1.0
        while True:   # backtracking keeps Newton from overshooting into |λ| → ∞
            new_value, new_p = objective(lam - t * step)
            if new_value <= value + 1e-15 * abs(value) or t < 1e-8:
                break
            t /= 2
        lam, value, p = lam - t * step, new_value, new_p
    raise ConvergenceError(f"Legendre transform did not converge (gradient {np.max(np.abs(grad)):.3g})",
                           residual=float(np.max(np.abs(grad))), parameters={"beta": beta})
