"""The replica state: ``E Z^n`` in replica-indexed form while the interaction terms are applied.

Each term of a Hamiltonian performs its disorder average on the replicated system and hands the
result to a :class:`ReplicaCalculation` through a few generic operations:

* :meth:`ReplicaCalculation.condense` — a squared (or ``p``-th power) empirical average
  ``X_a = (1/N) Σ_i v_i σ_i^a`` of one replica (a magnetisation, a Mattis overlap), linearised by
  Hubbard–Stratonovich (``p = 2``) or a delta function with a conjugate (``p > 2``); contributions of
  several terms to the *same* empirical average are added before it is linearised;
* :meth:`ReplicaCalculation.overlap_energy` — an energetic function of the replica overlap
  ``Q_ab = (1/N) Σ_i σ_i^a σ_i^b``. The overlap belongs to the units: every term's contribution is
  collected and :meth:`ReplicaCalculation.close_overlap` introduces ``q`` once, so that independent
  Gaussian noises (Hebbian ``α r``, SK ``J² q``) add in one field of the single-site problem;
* single-site terms (fields, quenched per-site variables, diagonal terms, further layers of units).

Every order parameter is *claimed* with its meaning; a second, different quantity under a name that is
taken raises :class:`~statmech_nn.errors.DerivationError` naming both terms (never a merged order
parameter).

References
----------
Mézard, Parisi, Virasoro, *Spin Glass Theory and Beyond* (1987), ch. II;
Amit, Gutfreund, Sompolinsky, Ann. Phys. 173, 30 (1987) [AGS], eqs. (2.9)–(2.15).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import sympy as sp

from ..errors import DerivationError
from .derivation import Derivation
from . import printing
from .printing import Tex

__all__ = ["ReplicaCalculation", "OrderParameter", "SiteLayer", "OverlapSource", "n", "beta", "z", "N",
           "replica_a", "replica_b"]

#: number of replicas, inverse temperature, the HS Gaussian, system size, replica indices
n = sp.Symbol("n", positive=True)
beta = sp.Symbol("beta", positive=True)
z = sp.Symbol("z", real=True)
N = sp.Symbol("N", positive=True, integer=True)
replica_a, replica_b = sp.symbols("a b", integer=True, positive=True)
_a, _b = replica_a, replica_b


@dataclass
class OrderParameter:
    """An order parameter and how the engine introduced it.

    ``kind`` is ``"hs"`` (Hubbard–Stratonovich: its own stationarity fixes it) or ``"delta"``
    (introduced with a conjugate ``partner``: stationarity in the partner fixes it).
    ``overlap`` marks replica overlaps ``q_ab`` of units with fixed ``σ²`` (``q → σ²`` at ``T → 0``).
    ``role`` says what it is (``"magnetisation"``, ``"overlap"``, ``"self-overlap"``, ``"conjugate"``,
    ``"multiplier"``), ``owner`` which term or units introduced it; the solver and the phase engine
    read roles, not names.
    """

    symbol: sp.Symbol
    indexed: object
    kind: str = "hs"
    partner: sp.Symbol = None
    overlap: bool = False
    #: ``"largest"``: the stationarity equation has several roots and the largest is the physical
    #: one (e.g. the spherical multiplier: the RS matrix of the site integral must be positive)
    root: str = None
    #: for HS order parameters: ``∂f/∂x = scale · (x − ⟨…⟩)``, so ``x = x − (∂f/∂x)/scale`` is the
    #: fixed-point form that keeps every branch (used for closed-form, i.e. Gaussian/spherical, sites)
    scale: sp.Expr = None
    role: str = "conjugate"
    owner: str = ""
    #: HS overlaps fed by several terms: ``∂f/∂q = divisor · (⟨σσ⟩ − q) · const``; dividing by it
    #: leaves the fixed-point form
    divisor: sp.Expr = None
    #: ``(lower, upper)`` of the physical domain (``None``: unbounded on that side)
    domain: tuple = (None, None)


@dataclass
class SiteLayer:
    """A further kind of units (e.g. the hidden layer of an RBM): its prior, how many there are per
    main unit, and the coefficients of its single-site problem."""

    prior: object
    weight: sp.Expr
    name: str
    site_field: sp.Expr = sp.S.Zero
    site_pair: sp.Expr = sp.S.Zero
    site_diag: sp.Expr = sp.S.Zero
    quenched: list = field(default_factory=list)


@dataclass
class OverlapSource:
    """One term's contribution to the energetic function of the units' overlap ``Q_ab``.

    Either elementwise, ``coefficient · Σ_{a<b} Q_ab^power``, or a replica-matrix function kept in
    RS form (``rs_energy``: a function of ``n``, the RS ``q`` and ``σ²``) together with the object
    that knows its replicon curvature (``matrix``, see :class:`~.replica.MatrixFunction`).
    ``conjugate`` is the name and scale the term gives the conjugate of ``q`` when it is the term that
    keeps one (AGS: ``r`` with ``q̂ = αβ² r``); ``None``: the term's part of the conjugate is
    substituted by its stationary value ``∂E/∂q``.
    """

    owner: str
    coefficient: sp.Expr = None
    power: int = None
    rs_energy: sp.Expr = None
    matrix: object = None
    conjugate: tuple = None

    def rs_energy_per_pair(self, q):
        """``E(q)`` per replica pair in the RS ansatz (elementwise sources)."""
        return self.coefficient * q ** self.power


@dataclass
class ReplicaCalculation:
    """State of one replica computation, in replica-indexed form until the RS ansatz.

    ``energetic`` is the part of ``(1/N) log E Z^n`` that no longer involves the units, ``site_field``
    the coefficient of ``Σ_a σ^a`` (indexed by ``a``), ``site_pair`` that of ``Σ_{a<b} σ^a σ^b``
    (indexed by ``a, b``), ``site_quenched`` the per-site quenched variables (pattern entries) with their
    support and, optionally, weights (``(ξ, support)`` or ``(ξ, support, weights)``).
    """

    title: str
    prior: object
    derivation: Derivation = None
    energetic: sp.Expr = sp.S.Zero
    site_field: sp.Expr = sp.S.Zero
    site_pair: sp.Expr = sp.S.Zero
    site_quenched: list = field(default_factory=list)
    order_parameters: list = field(default_factory=list)
    rs_energetic_extra: sp.Expr = sp.S.Zero     # terms already in RS form (matrix functions of Q)
    #: terms in RS form and in their final shape (the examples' averages of a learning problem): added
    #: to the RS action as they are, after the simplification of the rest
    rs_action: sp.Expr = sp.S.Zero
    site_diag: sp.Expr = sp.S.Zero              # D of (D/2) Σ_a (σ^a)² (priors without fixed σ²)
    layers: list = field(default_factory=list)  # further kinds of units (bipartite models)
    #: the replicon sector: elementwise/matrix sources of the units' overlap, or a bilinear coupling
    #: ``(c, (q, layer_q), (p, layer_p))`` of two kinds of units' overlaps
    overlap_sources: list = field(default_factory=list)
    bilinear: tuple = None
    #: name -> (meaning, owner) of every order parameter claimed so far
    claims: dict = field(default_factory=dict)
    #: pending condensations: observable key -> dict (see :meth:`condense`)
    condensed: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.derivation is None:
            self.derivation = Derivation(self.title)

    # -- bookkeeping --------------------------------------------------------------------------
    def pair_sum(self, expr):
        """``Σ_{a<b} expr`` over replica pairs, symbolic ``n``."""
        return sp.Sum(expr, (_b, _a + 1, n), (_a, 1, n))

    def replica_sum(self, expr):
        return sp.Sum(expr, (_a, 1, n))

    def claim(self, name, meaning, owner):
        """Reserve the order-parameter name ``name`` for the quantity ``meaning`` (a string) defined by
        ``owner``. The same quantity claimed again is fine; a different one is a
        :class:`DerivationError` naming both owners."""
        name = str(name)
        if name in self.claims and self.claims[name][0] != meaning:
            other_meaning, other = self.claims[name]
            raise DerivationError(
                f"order parameter {name!r} would mean two different quantities: {other_meaning} "
                f"(from {other}) and {meaning} (from {owner}); give one of the terms another name "
                "for it (e.g. the block's `magnetisation=` or `overlap=` argument)")
        self.claims.setdefault(name, (meaning, owner))

    def add(self, op):
        """Record an order parameter (its name must have been claimed, or is claimed here)."""
        if op.symbol.name not in self.claims:
            self.claim(op.symbol.name, f"the {op.role} {op.symbol.name} of {op.owner or 'the units'}",
                       op.owner or "the units")
        if all(o.symbol != op.symbol for o in self.order_parameters):
            self.order_parameters.append(op)
        return op

    # -- linearisations -------------------------------------------------------------------------
    def hubbard_stratonovich(self, coefficient, symbol, indexed, pair, note="", owner="", role=None):
        """Linearise ``exp(N c X²)`` with ``X`` an empirical average of the units.

        ``exp(N c X²) = extr_x exp(N(−c x² + 2 c x X))`` (the Gaussian integral over ``x`` done by
        steepest descent). ``pair=False``: ``X = (1/N)Σ_i ξ_i σ_i^a`` per replica; ``pair=True``:
        ``X = Q_ab = (1/N)Σ_i σ_i^a σ_i^b`` per pair ``a<b``.
        """
        c = sp.sympify(coefficient)
        x = sp.Symbol("x")
        X = sp.Symbol("X")
        # the identity, checked by SymPy: stationarity in x gives x = X and back the square
        exponent = -c * x**2 + 2 * c * x * X
        stationary = sp.solve(sp.diff(exponent, x), x)
        if len(stationary) != 1 or sp.simplify(exponent.subs(x, stationary[0]) - c * X**2) != 0:
            raise DerivationError("Hubbard–Stratonovich identity failed for coefficient %s" % c)
        if pair:
            self.energetic += self.pair_sum(-c * indexed**2)
            self.site_pair += 2 * c * indexed
            self.add(OrderParameter(symbol, indexed, "hs", overlap=True, scale=2 * c / beta,
                                    role=role or "overlap", owner=owner, domain=(0, None)))
            what = "Q_{ab}"
        else:
            self.energetic += self.replica_sum(-c * indexed**2)
            self.add(OrderParameter(symbol, indexed, "hs", scale=2 * c / beta,
                                    role=role or "magnetisation", owner=owner))
            what = "X_{a}"
        lx = printing.latex(indexed)
        shown = sp.Eq(Tex(r"e^{N c %s^2}" % what),
                      Tex(r"\mathrm{extr}_{%s}\, e^{N(-c\, %s^2 + 2 c\, %s %s)}" % (lx, lx, lx, what)))
        self.derivation.add(f"Hubbard–Stratonovich for {symbol}",
                            [shown, sp.Eq(sp.Symbol("c"), c)], note)
        return 2 * c * indexed

    def power_delta(self, coefficient, power, symbol, hat_symbol, pair, note="", owner="", role=None):
        """Introduce ``x`` and its conjugate ``x̂`` for ``exp(N c Σ X^p)`` (sum over replicas ``a`` or
        over pairs ``a<b``); return the site term ``c x̂`` (the coefficient of ``X`` per unit).

        ``exp(N c X^p) = ∫dx δ(x − X) e^{N c x^p} = extr_{x, x̂} exp(N c (x^p − x̂ x + x̂ X))`` (the
        conjugate along the imaginary axis, scaled by ``c`` so that it stays finite as ``β → ∞``; at
        the saddle point ``x̂ = p x^{p−1}``). For ``p = 2`` eliminating ``x̂`` gives back the
        Hubbard–Stratonovich result.

        References
        ----------
        E. Gardner, Nucl. Phys. B 257, 747 (1985), eqs. (2.1)–(2.9).
        """
        c = sp.sympify(coefficient)
        p = sp.Integer(power)
        if p < 2:
            raise DerivationError(f"a p-body term needs p >= 2, got p = {p}")
        # the identity, checked by SymPy: stationarity in x̂ gives x = X, in x gives x̂ = p x^{p−1}, and
        # the exponent at the stationary point is back c X^p
        x, xh, X = sp.symbols("x xhat X")
        exponent = c * (x**p - xh * x + xh * X)
        xh_star = sp.solve(sp.diff(exponent, x), xh)
        if len(xh_star) != 1 or sp.simplify(exponent.subs(x, X).subs(xh, xh_star[0]).subs(x, X)
                                            - c * X**p) != 0:
            raise DerivationError(f"delta-function identity failed for c = {c}, p = {p}")
        name, hat = symbol.name, hat_symbol.name
        if pair:
            xi_, xh_ = sp.IndexedBase(name)[_a, _b], sp.IndexedBase(hat)[_a, _b]
            self.energetic += self.pair_sum(c * (xi_**p - xh_ * xi_))
            self.site_pair += c * xh_
            label = "Q_{ab}"
        else:
            xi_, xh_ = sp.IndexedBase(name)[_a], sp.IndexedBase(hat)[_a]
            self.energetic += self.replica_sum(c * (xi_**p - xh_ * xi_))
            label = "X_a"
        lx, lh = printing.latex(xi_), printing.latex(xh_)
        self.add(OrderParameter(symbol, xi_, "delta", hat_symbol, overlap=pair,
                                role=role or ("overlap" if pair else "magnetisation"), owner=owner,
                                domain=(0, None) if pair else (None, None)))
        self.add(OrderParameter(hat_symbol, xh_, "delta", symbol, owner=owner))
        shown = (r"e^{N c\, %s^{%s}} = \mathrm{extr}_{%s, %s}\, e^{N c(%s^{%s} - %s %s + %s %s)}"
                 % (label, printing.latex(p), lx, lh, lx, printing.latex(p), lh, lx, lh, label))
        self.derivation.add(
            f"Delta function for {symbol} (p-body term)",
            [sp.Eq(sp.Symbol(r"1"), Tex(r"\int d%s\, d%s\; e^{-N c\, %s(%s - %s)}"
                                                % (lx, lh, lh, lx, label))),
             sp.Eq(sp.Symbol("c"), c), Tex(shown)],
            (note + " " if note else "")
            + rf"For $p = {printing.latex(p)} > 2$ no Hubbard–Stratonovich transform linearises "
            rf"${label}^{{{printing.latex(p)}}}$: it is fixed by a delta function with conjugate ${lh}$ (scaled "
            rf"by $c$); at the saddle point ${lh} = {printing.latex(p)}\,{lx}^{{{printing.latex(p - 1)}}}$.")
        return c * xh_

    def condense(self, owner, name, observable, coefficient, power=2, site_vector=sp.S.One,
                 quenched=(), note="", delta=False):
        """``exp(N c X_a^p)`` with ``X_a = (1/N) Σ_i v_i σ_i^a`` the empirical average of one replica
        along the site vector ``v`` (``1``: the magnetisation; a pattern entry ``ξ``: a Mattis overlap).

        Contributions of several terms with the same ``observable`` (a string naming ``v``) and power
        add; they are linearised once by :meth:`close_condensed` (Hubbard–Stratonovich for ``p = 2``,
        a delta function with conjugate ``lambda_<name>`` for ``p > 2`` or with ``delta``). ``quenched``
        are the per-site quenched entries of ``v`` (as for ``site_quenched``).
        """
        meaning = f"the empirical average (1/N) Σ_i {observable} σ_i"
        entry = self.condensed.get(observable)
        if entry is None:
            self.claim(name, meaning, owner)
            self.condensed[observable] = {"name": str(name), "coefficient": sp.sympify(coefficient),
                                          "power": int(power), "vector": sp.sympify(site_vector),
                                          "quenched": list(quenched), "owners": [owner], "notes": [note],
                                          "delta": bool(delta)}
            return
        if entry["power"] != int(power):
            raise DerivationError(
                f"{owner} and {entry['owners'][0]} both couple to {meaning}, with powers {power} and "
                f"{entry['power']}: a sum of different powers of one empirical average is not implemented")
        if str(name) != entry["name"]:
            raise DerivationError(
                f"{owner} names {meaning} {name!r} while {entry['owners'][0]} names it "
                f"{entry['name']!r}: one quantity, one name")
        entry["coefficient"] += sp.sympify(coefficient)
        entry["delta"] = entry["delta"] or bool(delta)
        entry["owners"].append(owner)
        entry["notes"].append(note)

    def close_condensed(self):
        """Linearise every pending condensation (see :meth:`condense`)."""
        for observable, e in self.condensed.items():
            symbol = sp.Symbol(e["name"], real=True)
            owner = " and ".join(e["owners"])
            note = " ".join(x for x in e["notes"] if x)
            if e["power"] == 2 and not e["delta"]:
                term = self.hubbard_stratonovich(e["coefficient"], symbol, sp.IndexedBase(e["name"])[_a],
                                                 pair=False, note=note, owner=owner)
            else:
                hat = sp.Symbol(f"lambda_{e['name']}", real=True)
                self.claim(hat.name, f"the conjugate of {e['name']}", owner)
                term = self.power_delta(e["coefficient"], e["power"], symbol, hat, pair=False, note=note,
                                        owner=owner)
            self.site_field += e["vector"] * term
            self.site_quenched.extend(e["quenched"])
        self.condensed = {}

    # -- the units' overlap ---------------------------------------------------------------------
    def overlap_energy(self, source):
        """Record a term's energetic function of the units' overlap ``Q_ab`` (an
        :class:`OverlapSource`); :meth:`close_overlap` introduces ``q`` once for all of them."""
        self.overlap_sources.append(source)

    def close_overlap(self, closed_site):
        """Introduce the units' overlap ``q`` for every recorded source.

        * One elementwise quadratic source and a site that is not closed-form: Hubbard–Stratonovich.
        * Otherwise a delta function ``δ(q_ab − Q_ab)`` with one conjugate: the first source that names
          one keeps it (``r`` of a Hebbian term, ``lambda_q`` of a p-body term), or ``qhat`` where the
          site is closed-form (Gaussian, spherical units: the fixed point needs it); every other source's
          part of the conjugate, ``∂E_t/∂q``, is substituted, so that the site sees the sum of the noises
          in one pair coupling and the free energy has no flat direction.
        * Only elementwise sources and no conjugate: the conjugate ``Σ_t ∂E_t/∂q`` is substituted
          (the Hubbard–Stratonovich form of a sum of powers).
        """
        sources = self.overlap_sources
        if not sources:
            return
        owners = ", ".join(dict.fromkeys(s.owner for s in sources))
        q = sp.Symbol("q", positive=True)
        q_ab = sp.IndexedBase("q")[_a, _b]
        self.claim("q", "the replica overlap (1/N) Σ_i σ_i^a σ_i^b of the units", owners)
        # 0 <= q <= σ² (Cauchy–Schwarz) where the units have a fixed σ²
        domain = (0, self.prior.self_overlap)
        keeper = next((s for s in sources if s.conjugate is not None), None)
        if keeper is None and closed_site:
            # closed-form (Gaussian, spherical) sites: q = <σσ> is a fixed-point form only with a conjugate
            keeper = sources[0]
            conj = (sp.Symbol("qhat", positive=True), sp.S.One)
        else:
            conj = keeper.conjugate if keeper is not None else None
        if (conj is None and len(sources) == 1 and sources[0].power == 2):
            self.hubbard_stratonovich(sources[0].coefficient, q, q_ab, pair=True, owner=owners)
            self.order_parameters[-1].domain = domain
            return
        substituted = [s for s in sources if s is not keeper]
        if any(s.power is None for s in substituted):
            # a matrix source without its own conjugate: its derivative has no elementwise form here
            raise DerivationError(f"{', '.join(s.owner for s in substituted if s.power is None)}: a "
                                  "replica-matrix term of the overlap must keep its conjugate")
        # substituted parts: E_t(q) − E_t'(q) q per pair, pair coupling E_t'(q)
        pair_coupling = sp.S.Zero
        for s in substituted:
            e = s.coefficient * q_ab ** s.power
            de = sp.diff(s.coefficient * q ** s.power, q).xreplace({q: q_ab})
            self.energetic += self.pair_sum(e - de * q_ab)
            pair_coupling += de
        self.site_pair += pair_coupling
        if conj is None:
            divisor = sp.Add(*[sp.diff(s.coefficient * q ** s.power, q, 2) for s in substituted])
            self.add(OrderParameter(q, q_ab, "hs", overlap=True, role="overlap", owner=owners,
                                    divisor=divisor, domain=domain))
            self.derivation.add(
                "Overlap of the units",
                [sp.Eq(Tex(r"\hat q_{ab}"), pair_coupling)],
                "Every term's contribution to the overlap energy is a power of $q_{ab}$: its conjugate "
                r"is substituted by its stationary value $\partial E/\partial q_{ab}$ (the "
                "Hubbard--Stratonovich form of the sum).")
            return
        hat, scale = conj
        hat_ab = sp.IndexedBase(hat.name)[_a, _b]
        self.claim(hat.name, "the conjugate of the overlap q", keeper.owner)
        if keeper.power is not None:
            self.energetic += self.pair_sum(keeper.coefficient * q_ab ** keeper.power)
        else:
            self.rs_energetic_extra += keeper.rs_energy
        self.energetic += self.pair_sum(-scale * hat_ab * q_ab)
        self.site_pair += scale * hat_ab
        self.add(OrderParameter(q, q_ab, "delta", hat, overlap=True, role="overlap", owner=owners,
                                domain=domain))
        self.add(OrderParameter(hat, hat_ab, "delta", q, role="conjugate", owner=keeper.owner))
        shown = [sp.Eq(sp.Symbol(r"1"), Tex(r"\int dq_{ab}\,d%s\, e^{-N %s(q_{ab} - Q_{ab})}"
                                                  % (printing.latex(hat_ab), printing.latex(scale * hat_ab))))]
        if pair_coupling != 0:
            shown.append(sp.Eq(Tex("B_{ab}"), scale * hat_ab + pair_coupling))
        self.derivation.add(
            f"Delta function for q and its conjugate {hat}", shown,
            "The overlap is fixed by a delta function; "
            + f"{keeper.owner} keeps its conjugate"
            + ("" if pair_coupling == 0 else
               "; the other terms' parts of the conjugate are substituted by their stationary values, "
               "so the noises add in one pair coupling $B_{ab}$ of the single-site problem")
            + ".")

    # -- further units and diagonal terms -------------------------------------------------------
    def conjugate_overlap(self, coefficient, symbol, indexed, hat_symbol, hat_indexed, pair=True,
                          owner=""):
        """``exp(N c X²)`` through an order parameter and its conjugate,
        ``extr_{x, x̂} exp(N(c x² − x̂ x + x̂ X))``: stationarity in ``x̂`` gives ``x = X``, in ``x``
        gives ``x̂ = 2 c x``. Used where the single-site problem is closed-form (Gaussian, spherical
        units) so that ``x = ⟨…⟩`` is a fixed-point form. ``pair=True``: ``X = Q_ab`` (``a<b``,
        pair coupling ``x̂``); ``pair=False``: ``X = Q_aa`` (diagonal term ``D = 2 x̂``)."""
        c = sp.sympify(coefficient)
        if pair:
            self.energetic += self.pair_sum(c * indexed**2 - hat_indexed * indexed)
            self.site_pair += hat_indexed
        else:
            self.energetic += self.replica_sum(c * indexed**2 - hat_indexed * indexed)
            self.site_diag += 2 * hat_indexed
        self.add(OrderParameter(symbol, indexed, "delta", hat_symbol, overlap=pair,
                                role="overlap" if pair else "self-overlap", owner=owner,
                                domain=(0, None)))
        self.add(OrderParameter(hat_symbol, hat_indexed, "delta", symbol, owner=owner))
        what = r"Q_{ab}" if pair else r"Q_{aa}"
        self.derivation.add(f"Order parameter {symbol} and its conjugate {hat_symbol}",
                            [sp.Eq(Tex(r"e^{N c %s^2}" % what),
                                   Tex(r"\mathrm{extr}_{x,\hat{x}}\, e^{N(c\, x^2 - \hat{x} x + "
                                             r"\hat{x} %s)}" % what)),
                             sp.Eq(sp.Symbol("x"), indexed), sp.Eq(Tex(r"\hat{x}"), hat_indexed),
                             sp.Eq(sp.Symbol("c"), c)],
                            "Stationarity in the conjugate fixes the overlap, and back.")

    def diagonal_hubbard_stratonovich(self, coefficient, symbol, indexed, layer=None, note="", owner=""):
        """Linearise ``exp(N c Q_aa²)`` with ``Q_aa = (1/N) Σ_i (σ_i^a)²`` the self-overlap of units
        without a fixed ``σ²``: ``extr_x exp(N(−c x² + 2c x Q_aa))``, i.e. the diagonal term
        ``D = 4 c x`` of the single-site problem (``(D/2) Σ_a (σ^a)²``)."""
        c = sp.sympify(coefficient)
        self.energetic += self.replica_sum(-c * indexed**2)
        target = self if layer is None else layer
        target.site_diag += 4 * c * indexed
        self.add(OrderParameter(symbol, indexed, "hs", role="self-overlap", owner=owner, domain=(0, None)))
        self.derivation.add(f"Hubbard–Stratonovich for the self-overlap {symbol}",
                            [sp.Eq(Tex(r"e^{N c Q_{aa}^2}"),
                                   Tex(r"\mathrm{extr}_{%s}\, e^{N(-c\, %s^2 + 2 c\, %s Q_{aa})}"
                                             % ((printing.latex(indexed),) * 3))),
                             sp.Eq(sp.Symbol("c"), c)],
                            note or "The units have no fixed $\\sigma^2$: the diagonal overlap is an "
                            "order parameter, its conjugate a diagonal term of the single-site problem.")
        return 4 * c * indexed

    def bilinear_self_overlaps(self, coefficient, first, second, owner=""):
        """Linearise ``exp(N c Σ_a Q_aa P_aa)`` (self-overlaps of two kinds of units without fixed
        ``σ²``): ``extr exp(N c Σ_a(−q_d p_d + q_d P_aa + p_d Q_aa))``; diagonal terms ``D = 2 c p_d``
        for the first units and ``2 c q_d / w`` per unit of the second kind."""
        c = sp.sympify(coefficient)
        (q, q_a, layer_q), (p, p_a, layer_p) = first, second
        self.energetic += self.replica_sum(-c * q_a * p_a)
        for layer, value in ((layer_q, p_a), (layer_p, q_a)):
            if layer is None:
                self.site_diag += 2 * c * value
            else:
                layer.site_diag += 2 * c * value / layer.weight
        self.add(OrderParameter(q, q_a, "delta", p, role="self-overlap", owner=owner, domain=(0, None)))
        self.add(OrderParameter(p, p_a, "delta", q, role="self-overlap", owner=owner, domain=(0, None)))
        self.derivation.add(f"Self-overlaps {q} and {p}",
                            sp.Eq(Tex(r"e^{N c\, Q_{aa}P_{aa}}"),
                                  Tex(r"\mathrm{extr}\, e^{N c(-%s %s + %s P_{aa} + %s Q_{aa})}"
                                            % (printing.latex(q_a), printing.latex(p_a), printing.latex(q_a), printing.latex(p_a)))),
                            "Neither kind of unit has a fixed $\\sigma^2$: both self-overlaps are order "
                            "parameters.")

    def bilinear_overlaps(self, coefficient, first, second, note="", owner=""):
        """Linearise ``exp(N c Σ_{a<b} Q_ab P_ab)`` with ``Q``, ``P`` the overlaps of two kinds of
        units (``first``/``second`` are ``(symbol, indexed, layer)``; ``layer`` None for the main
        units): ``extr_{q,p} exp(N c Σ_{a<b}(−q_ab p_ab + q_ab P_ab + p_ab Q_ab))``. The pair
        couplings are ``c p_ab`` for the first units and ``c q_ab / w`` per unit of the second kind
        (``w`` units of it per main unit); the stationarity in ``p`` fixes ``q`` and vice versa."""
        c = sp.sympify(coefficient)
        (q, q_ab, layer_q), (p, p_ab, layer_p) = first, second
        self.energetic += self.pair_sum(-c * q_ab * p_ab)
        for layer, value in ((layer_q, p_ab), (layer_p, q_ab)):
            if layer is None:
                self.site_pair += c * value
            else:
                layer.site_pair += c * value / layer.weight
        # overlaps of units with a fixed σ² go to σ² − C/β at T = 0 (zero_temperature)
        fixed = [(self.prior if layer is None else layer.prior).self_overlap for layer in (layer_q, layer_p)]
        self.add(OrderParameter(q, q_ab, "delta", p, overlap=fixed[0] is not None, role="overlap",
                                owner=owner, domain=(0, None)))
        self.add(OrderParameter(p, p_ab, "delta", q, overlap=fixed[1] is not None, role="overlap",
                                owner=owner, domain=(0, None)))
        self.bilinear = (c, (q, layer_q), (p, layer_p))
        self.derivation.add(f"Overlaps {q} and {p}",
                            [sp.Eq(Tex(r"e^{N c\, Q_{ab}P_{ab}}"),
                                   Tex(r"\mathrm{extr}_{%s, %s}\, e^{N c(-%s %s + %s P_{ab} + %s Q_{ab})}"
                                             % (printing.latex(q_ab), printing.latex(p_ab), printing.latex(q_ab),
                                                printing.latex(p_ab), printing.latex(q_ab), printing.latex(p_ab)))),
                             sp.Eq(sp.Symbol("c"), c)],
                            note or "A product of two overlaps, linearised by a pair of order "
                            "parameters: stationarity in one fixes the other.")

    def delta_order_parameter(self, symbol, hat_symbol, kind, scale=1, site_vector=sp.S.One, quenched=(),
                              owner="", role="overlap", domain=(None, None), note=""):
        """An empirical average of one replica fixed by a delta function with a conjugate, for a term
        whose energy is a function of it in RS form (e.g. the examples of a learning problem).

        ``kind="field"``: ``x_a = (1/N) Σ_i v_i σ_i^a`` along the site vector ``v`` (its per-site
        quenched entries in ``quenched``, as for ``site_quenched``), e.g. the teacher–student overlap
        ``R``; ``kind="diagonal"``: the self-overlap ``x_a = (1/N) Σ_i (σ_i^a)²`` of units without a
        fixed ``σ²``. ``δ(N x_a − Σ_i …) = ∫dx̂ e^{−s x̂ (N x_a − Σ_i …)}`` with the scale ``s``: the
        energetic part gets ``−s x̂_a x_a``, the single-site problem ``s x̂ v σ^a`` (field) or
        ``s x̂ (σ^a)²`` (diagonal term ``D = 2 s x̂``). Stationarity in ``x̂`` fixes ``x``, in ``x``
        fixes ``x̂``. Returns the indexed ``(x_a, x̂_a)``.
        """
        if kind not in ("field", "diagonal"):
            raise DerivationError(f"delta_order_parameter: kind must be 'field' or 'diagonal', got {kind!r}")
        scale = sp.sympify(scale)
        x_a, xh_a = sp.IndexedBase(symbol.name)[_a], sp.IndexedBase(hat_symbol.name)[_a]
        self.energetic += self.replica_sum(-scale * xh_a * x_a)
        if kind == "field":
            self.site_field += scale * xh_a * sp.sympify(site_vector)
            self.site_quenched.extend(quenched)
            what = r"\frac{1}{N}\sum_i %s\,\sigma_i^a" % printing.latex(sp.sympify(site_vector))
        else:
            self.site_diag += 2 * scale * xh_a
            what = r"\frac{1}{N}\sum_i (\sigma_i^a)^2"
        self.claim(hat_symbol.name, f"the conjugate of {symbol.name}", owner)
        self.add(OrderParameter(symbol, x_a, "delta", hat_symbol, role=role, owner=owner, domain=domain))
        self.add(OrderParameter(hat_symbol, xh_a, "delta", symbol, role="conjugate", owner=owner))
        self.derivation.add(
            f"Order parameter {symbol} and its conjugate {hat_symbol}",
            [sp.Eq(Tex(printing.latex(x_a)), Tex(what)),
             sp.Eq(sp.Symbol("1"), Tex(r"\int d%s\, d%s\; e^{-N %s(%s - %s)}"
                                              % (printing.latex(x_a), printing.latex(xh_a), printing.latex(scale * xh_a),
                                                 printing.latex(x_a), what)))],
            note or "A delta function with a conjugate: stationarity in one fixes the other.")
        return x_a, xh_a

    def add_multiplier(self, symbol, root=None, owner="the units"):
        """A Lagrange multiplier of a constraint of the units (e.g. the spherical ``Σσ² = N``):
        an order parameter fixed by its own stationarity."""
        if all(op.symbol != symbol for op in self.order_parameters):
            self.claim(symbol.name, "the Lagrange multiplier of the spherical constraint", owner)
            self.order_parameters.append(OrderParameter(symbol, None, "hs", root=root, role="multiplier",
                                                        owner=owner))

    def add_layer(self, prior, weight, name):
        """A second kind of units, ``weight`` of them per main unit, with its own single-site
        problem (bipartite models)."""
        layer = SiteLayer(prior, sp.sympify(weight), name)
        self.layers.append(layer)
        return layer

    def rs_ansatz(self):
        """Replace indexed order parameters by their RS values and do the replica sums."""
        subs = {op.indexed: op.symbol for op in self.order_parameters if op.indexed is not None}
        energetic = (replica_sums(self.energetic.xreplace(subs)) + self.rs_energetic_extra)
        energetic = sp.factor_terms(sp.simplify(energetic)) + self.rs_action
        field_ = self.site_field.xreplace(subs)
        pair = self.site_pair.xreplace(subs)
        self.derivation.add(
            "Replica-symmetric ansatz",
            [sp.Eq(op.indexed, op.symbol) for op in self.order_parameters if op.indexed is not None]
            + [sp.Eq(Tex(r"G_{\mathrm{RS}}(n)"), energetic)],
            "All replicas equivalent; the sums over replicas and replica pairs are done by SymPy "
            "with symbolic $n$.")
        return energetic, field_, pair


@lru_cache(maxsize=None)
def _power_sum(j):
    """``Σ_{k=1}^{x} k^j`` as a polynomial in ``x`` (Faulhaber), once per ``j``."""
    k = sp.Dummy("k", integer=True)
    return sp.Lambda(_POWER_SUM_X, sp.expand(sp.summation(k**j, (k, 1, _POWER_SUM_X))))


_POWER_SUM_X = sp.Dummy("x")


def replica_sums(expr):
    """Do the sums over replica indices, innermost first. A summand polynomial in its index is
    summed by Faulhaber's formulas (``Σ_{a<b} c = c n(n − 1)/2`` without SymPy's general summation,
    which tries telescoping by ``solve``); any other summand goes to ``Sum.doit``."""
    def one(s):
        body = s.function
        for var, lo, hi in s.limits:
            body = sp.expand(body)
            if not body.is_polynomial(var):
                body = sp.Sum(body, (var, lo, hi)).doit()
                continue
            coeffs = sp.Poly(body, var).all_coeffs()[::-1]
            body = sp.expand(sum((c * (_power_sum(j)(hi) - _power_sum(j)(lo - 1))
                                  for j, c in enumerate(coeffs)), sp.S.Zero))
        return body
    return expr.replace(lambda e: isinstance(e, sp.Sum), one)
