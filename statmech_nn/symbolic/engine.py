"""The replica engine: ``E Z^n`` → disorder average → Hubbard–Stratonovich → order parameters → RS ansatz
→ ``n → 0`` ⇒ :class:`FreeEnergy` ⇒ :class:`SaddlePoint` ⇒ zero temperature, replicon.

A model declares its Hamiltonian as a prior plus interaction terms (see
:mod:`statmech_nn.symbolic.interactions`); each interaction performs its disorder average and introduces
its order parameters through the generic operations of :class:`ReplicaCalculation`. Nothing here or in
a model knows a final free energy: it is what the steps produce.

References
----------
Mézard, Parisi, Virasoro, *Spin Glass Theory and Beyond* (1987), ch. II and AGS reprint;
Amit, Gutfreund, Sompolinsky, Ann. Phys. 173, 30 (1987) [AGS], eqs. (2.9)–(2.15);
de Almeida and Thouless, J. Phys. A 11, 983 (1978).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

from ..errors import DerivationError
from .averages import Average, DiscreteAverage, GaussianAverage, averages_in, expand_averages, stein
from .derivation import Derivation
from .free_energy import FreeEnergy, SaddlePoint
from .replica import replica_limit

__all__ = ["ReplicaCalculation", "OrderParameter", "derive", "saddle_point", "zero_temperature",
           "large_beta_average", "n", "beta", "z", "N", "replica_a", "replica_b"]

#: number of replicas, inverse temperature, the HS Gaussian, system size, replica indices
n = sp.Symbol("n", positive=True)
beta = sp.Symbol("beta", positive=True)
z = sp.Symbol("z", real=True)
N = sp.Symbol("N", positive=True, integer=True)
replica_a, replica_b = sp.symbols("a b", integer=True, positive=True)


@dataclass
class OrderParameter:
    """An order parameter and how the engine introduced it.

    ``kind`` is ``"hs"`` (Hubbard–Stratonovich: its own stationarity fixes it) or ``"delta"``
    (introduced with a conjugate ``partner``: stationarity in the partner fixes it).
    ``overlap`` marks replica overlaps ``q_ab`` of units with fixed ``σ²`` (``q → σ²`` at ``T → 0``).
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
    replicon_kappa: sp.Expr = None              # λ_R = 1 − κ μ  (see replicon())
    site_diag: sp.Expr = sp.S.Zero              # D of (D/2) Σ_a (σ^a)² (priors without fixed σ²)
    layers: list = field(default_factory=list)  # further kinds of units (bipartite models)
    replicon_bilinear: tuple = None             # (κ, layer): λ_R = 1 − κ μ μ_layer

    def __post_init__(self):
        if self.derivation is None:
            self.derivation = Derivation(self.title)

    # -- generic operations -------------------------------------------------------------------
    def pair_sum(self, expr):
        """``Σ_{a<b} expr`` over replica pairs, symbolic ``n``."""
        a, b = replica_a, replica_b
        return sp.Sum(expr, (b, a + 1, n), (a, 1, n))

    def replica_sum(self, expr):
        return sp.Sum(expr, (replica_a, 1, n))

    def hubbard_stratonovich(self, coefficient, symbol, indexed, pair, note=""):
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
        sigma_a, sigma_b = sp.symbols(r"\sigma^{a} \sigma^{b}")
        if pair:
            self.energetic += self.pair_sum(-c * indexed**2)
            self.site_pair += 2 * c * indexed
            self.order_parameters.append(OrderParameter(symbol, indexed, "hs", overlap=True,
                                                        scale=2 * c / beta))
            self._add_replicon(2 * c)
            shown = sp.Eq(sp.Symbol(r"e^{N c Q_{ab}^2}"),
                          sp.Symbol(r"\mathrm{extr}_{%s}\, e^{N(-c\, %s^2 + 2 c\, %s Q_{ab})}"
                                    % (sp.latex(indexed), sp.latex(indexed), sp.latex(indexed))))
        else:
            self.energetic += self.replica_sum(-c * indexed**2)
            self.order_parameters.append(OrderParameter(symbol, indexed, "hs", scale=2 * c / beta))
            shown = sp.Eq(sp.Symbol(r"e^{N c X_{a}^2}"),
                          sp.Symbol(r"\mathrm{extr}_{%s}\, e^{N(-c\, %s^2 + 2 c\, %s X_a)}"
                                    % (sp.latex(indexed), sp.latex(indexed), sp.latex(indexed))))
        self.derivation.add(f"Hubbard–Stratonovich for {symbol}",
                            [shown, sp.Eq(sp.Symbol("c"), c)], note)
        return 2 * c * indexed

    def _add_replicon(self, kappa):
        if self.replicon_kappa is not None:
            raise DerivationError("more than one source of pair couplings: the replicon of this "
                                  "model needs the coupled (matrix) form, not implemented")
        self.replicon_kappa = kappa

    def conjugate_overlap(self, coefficient, symbol, indexed, hat_symbol, hat_indexed, pair=True):
        """``exp(N c X²)`` through an order parameter and its conjugate,
        ``extr_{x, x̂} exp(N(c x² − x̂ x + x̂ X))``: stationarity in ``x̂`` gives ``x = X``, in ``x``
        gives ``x̂ = 2 c x``. Used where the single-site problem is closed-form (Gaussian, spherical
        units) so that ``x = ⟨…⟩`` is a fixed-point form. ``pair=True``: ``X = Q_ab`` (``a<b``,
        pair coupling ``x̂``); ``pair=False``: ``X = Q_aa`` (diagonal term ``D = 2 x̂``)."""
        c = sp.sympify(coefficient)
        if pair:
            self.energetic += self.pair_sum(c * indexed**2 - hat_indexed * indexed)
            self.site_pair += hat_indexed
            self._add_replicon(2 * c)
        else:
            self.energetic += self.replica_sum(c * indexed**2 - hat_indexed * indexed)
            self.site_diag += 2 * hat_indexed
        self.order_parameters.append(OrderParameter(symbol, indexed, "delta", hat_symbol, overlap=pair))
        self.order_parameters.append(OrderParameter(hat_symbol, hat_indexed, "delta", symbol))
        what = r"Q_{ab}" if pair else r"Q_{aa}"
        self.derivation.add(f"Order parameter {symbol} and its conjugate {hat_symbol}",
                            [sp.Eq(sp.Symbol(r"e^{N c %s^2}" % what),
                                   sp.Symbol(r"\mathrm{extr}_{x,\hat{x}}\, e^{N(c\, x^2 - \hat{x} x + "
                                             r"\hat{x} %s)}" % what)),
                             sp.Eq(sp.Symbol("x"), indexed), sp.Eq(sp.Symbol(r"\hat{x}"), hat_indexed),
                             sp.Eq(sp.Symbol("c"), c)],
                            "Stationarity in the conjugate fixes the overlap, and back.")

    def diagonal_hubbard_stratonovich(self, coefficient, symbol, indexed, layer=None, note=""):
        """Linearise ``exp(N c Q_aa²)`` with ``Q_aa = (1/N) Σ_i (σ_i^a)²`` the self-overlap of units
        without a fixed ``σ²``: ``extr_x exp(N(−c x² + 2c x Q_aa))``, i.e. the diagonal term
        ``D = 4 c x`` of the single-site problem (``(D/2) Σ_a (σ^a)²``)."""
        c = sp.sympify(coefficient)
        self.energetic += self.replica_sum(-c * indexed**2)
        target = self if layer is None else layer
        target.site_diag += 4 * c * indexed
        self.order_parameters.append(OrderParameter(symbol, indexed, "hs"))
        self.derivation.add(f"Hubbard–Stratonovich for the self-overlap {symbol}",
                            [sp.Eq(sp.Symbol(r"e^{N c Q_{aa}^2}"),
                                   sp.Symbol(r"\mathrm{extr}_{%s}\, e^{N(-c\, %s^2 + 2 c\, %s Q_{aa})}"
                                             % ((sp.latex(indexed),) * 3))),
                             sp.Eq(sp.Symbol("c"), c)],
                            note or "The units have no fixed $\\sigma^2$: the diagonal overlap is an "
                            "order parameter, its conjugate a diagonal term of the single-site problem.")
        return 4 * c * indexed

    def bilinear_self_overlaps(self, coefficient, first, second):
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
        self.order_parameters.append(OrderParameter(q, q_a, "delta", p))
        self.order_parameters.append(OrderParameter(p, p_a, "delta", q))
        self.derivation.add(f"Self-overlaps {q} and {p}",
                            sp.Eq(sp.Symbol(r"e^{N c\, Q_{aa}P_{aa}}"),
                                  sp.Symbol(r"\mathrm{extr}\, e^{N c(-%s %s + %s P_{aa} + %s Q_{aa})}"
                                            % (sp.latex(q_a), sp.latex(p_a), sp.latex(q_a), sp.latex(p_a)))),
                            "Neither kind of unit has a fixed $\\sigma^2$: both self-overlaps are order "
                            "parameters.")

    def bilinear_overlaps(self, coefficient, first, second, note=""):
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
        self.order_parameters.append(OrderParameter(q, q_ab, "delta", p, overlap=fixed[0] is not None))
        self.order_parameters.append(OrderParameter(p, p_ab, "delta", q, overlap=fixed[1] is not None))
        self.derivation.add(f"Overlaps {q} and {p}",
                            [sp.Eq(sp.Symbol(r"e^{N c\, Q_{ab}P_{ab}}"),
                                   sp.Symbol(r"\mathrm{extr}_{%s, %s}\, e^{N c(-%s %s + %s P_{ab} + %s Q_{ab})}"
                                             % (sp.latex(q_ab), sp.latex(p_ab), sp.latex(q_ab),
                                                sp.latex(p_ab), sp.latex(q_ab), sp.latex(p_ab)))),
                             sp.Eq(sp.Symbol("c"), c)],
                            note or "A product of two overlaps, linearised by a pair of order "
                            "parameters: stationarity in one fixes the other.")

    def add_multiplier(self, symbol, root=None):
        """A Lagrange multiplier of a constraint of the units (e.g. the spherical ``Σσ² = N``):
        an order parameter fixed by its own stationarity."""
        if all(op.symbol != symbol for op in self.order_parameters):
            self.order_parameters.append(OrderParameter(symbol, None, "hs", root=root))

    def add_layer(self, prior, weight, name):
        """A second kind of units, ``weight`` of them per main unit, with its own single-site
        problem (bipartite models)."""
        layer = SiteLayer(prior, sp.sympify(weight), name)
        self.layers.append(layer)
        return layer

    def rs_ansatz(self):
        """Replace indexed order parameters by their RS values and do the replica sums."""
        subs = {op.indexed: op.symbol for op in self.order_parameters if op.indexed is not None}
        energetic = (self.energetic.xreplace(subs).doit() + self.rs_energetic_extra)
        energetic = sp.factor_terms(sp.simplify(energetic))
        field_ = self.site_field.xreplace(subs)
        pair = self.site_pair.xreplace(subs)
        self.derivation.add(
            "Replica-symmetric ansatz",
            [sp.Eq(op.indexed, op.symbol) for op in self.order_parameters if op.indexed is not None]
            + [sp.Eq(sp.Symbol(r"G_{\mathrm{RS}}(n)"), energetic)],
            "All replicas equivalent; the sums over replicas and replica pairs are done by SymPy "
            "with symbolic $n$.")
        return energetic, field_, pair


def derive(model, hamiltonian):
    """Run the replica engine on ``hamiltonian`` (a prior plus interactions) of ``model``."""
    calc = ReplicaCalculation(f"Replica-symmetric free energy of the {model.title}", hamiltonian.prior)
    d = calc.derivation
    d.add("Hamiltonian", hamiltonian.display(), hamiltonian.description)
    d.add("Replicated partition function",
          sp.Eq(sp.Symbol(r"-\beta f"),
                sp.Symbol(r"\lim_{N\to\infty}\lim_{n\to 0}\frac{1}{N n}\log \mathbb{E}\, Z^n,\quad "
                          r"\mathbb{E}\,Z^n = \mathbb{E}\sum_{\{\sigma^a\}} e^{-\beta\sum_{a=1}^n "
                          r"H(\sigma^a)}")),
          r"The replica trick $\log Z = \lim_{n\to0}(Z^n - 1)/n$, with $n$ integer replicas first.")
    for term in hamiltonian.interactions:
        term.apply(calc)
    energetic, field_, pair = calc.rs_ansatz()
    rs = {op.indexed: op.symbol for op in calc.order_parameters if op.indexed is not None}
    diag = sp.sympify(calc.site_diag).xreplace(rs)
    site, x = _site_problem(calc.prior, field_, pair, diag, calc, d)
    site = _quenched_average(site, calc.site_quenched)
    total = energetic + site
    layer_sites = []
    for layer in calc.layers:
        l_field, l_pair, l_diag = (sp.sympify(e).xreplace(rs)
                                   for e in (layer.site_field, layer.site_pair, layer.site_diag))
        l_site, l_x = _site_problem(layer.prior, l_field, l_pair, l_diag, calc, d)
        total += layer.weight * _quenched_average(l_site, layer.quenched)
        layer_sites.append((l_x, l_diag - l_pair))
    limit = replica_limit(total, n)
    d.add("Replica limit n → 0",
          sp.Eq(sp.Symbol(r"-\beta f"), limit),
          r"$\lim_{n\to0}\frac{1}{n}$ of the RS action, by SymPy: the action vanishes at $n = 0$ and "
          "its $n$-derivative is taken under the averages.")
    f = expand_averages(sp.expand(-limit / beta, log=False))
    ops = [op.symbol for op in calc.order_parameters]
    d.add("Free energy", sp.Eq(sp.Symbol("f"), f),
          "Extremised over the order parameters " + ", ".join(f"${sp.latex(o)}$" for o in ops) + ".")
    params = sorted(f.free_symbols - set(ops), key=lambda s: (s != beta, s.name))
    structure = {"calc": calc, "site_argument": x, "site_curvature": diag - pair,
                 "layer_sites": layer_sites}
    return FreeEnergy(model, f, ops, params, d, structure)


def _site_problem(prior, field_, pair, diag, calc, deriv):
    """The single-site problem of ``prior`` with linear, pair and diagonal coefficients. Priors with
    the quadratic tilt (``log_partition_quadratic``) take the diagonal term themselves; for the
    fixed-``σ²`` priors of the Foundation (Ising) it is the constant ``n D σ²/2``."""
    if hasattr(prior, "log_partition_quadratic") or isinstance(prior, _multiplier_priors()):
        return prior.single_site(field_, pair, n, z, deriv, diag=diag, calc=calc)
    site, x = prior.single_site(field_, pair, n, z, deriv)
    if diag != 0:
        s2 = prior.self_overlap
        if s2 is None:
            raise DerivationError(f"{prior.name} units: a diagonal term needs the quadratic tilt "
                                  "log_partition_quadratic or a fixed σ²")
        site += n * diag * s2 / 2
    return site, x


def _multiplier_priors():
    from .priors import SphericalPrior
    return (SphericalPrior,)


def _quenched_average(expr, quenched):
    """``expr`` averaged over the per-site quenched variables (pattern entries).

    Each entry is ``(variable, support)`` (uniform weights), ``(variable, support, weights)``, or
    ``(variable, "gaussian")`` (standard Gaussian entries: nested Gaussian averages). The variables
    are independent and must share one distribution (i.i.d. pattern entries).
    """
    if not quenched:
        return expr
    if any(entry[1] == "mixture" for entry in quenched):
        return _mixture_average(expr, quenched)
    laws = {(tuple(entry[1]) if entry[1] != "gaussian" else "gaussian",
             tuple(entry[2]) if len(entry) > 2 and entry[2] is not None else None)
            for entry in quenched}
    if len(laws) != 1:
        raise DerivationError("the quenched per-site variables must share one distribution, got "
                              f"{sorted(map(str, laws))}")
    support, weights = laws.pop()
    if support == "gaussian":
        for entry in quenched:
            expr = GaussianAverage(expr, entry[0])
        return expr
    return DiscreteAverage(expr, [entry[0] for entry in quenched], support, weights)


def _mixture_average(expr, quenched):
    """Entries ``(ξ, "mixture", δ)``: ``ξ = √δ s + √(1 − δ) g`` with ``s = ±1`` and a standard
    Gaussian ``g`` (the Gaussian-to-Boolean pattern law of :class:`~.priors.GaussianMixturePrior`):
    a Gaussian average over ``g`` inside the discrete average over ``s``."""
    if any(entry[1] != "mixture" for entry in quenched) or len({entry[2] for entry in quenched}) != 1:
        raise DerivationError("the quenched per-site variables must share one distribution, got "
                              f"{sorted(str(entry[1:]) for entry in quenched)}")
    delta = quenched[0][2]
    signs = []
    for k, entry in enumerate(quenched):
        s_k, g_k = sp.Symbol(f"s_{entry[0]}", real=True), sp.Symbol(f"g_{entry[0]}", real=True)
        expr = GaussianAverage(expr.xreplace({entry[0]: sp.sqrt(delta) * s_k + sp.sqrt(1 - delta) * g_k}), g_k)
        signs.append(s_k)
    return DiscreteAverage(expr, signs, (-1, 1))


def _outer_averages(expr):
    """Averages of ``expr`` not nested inside another average."""
    out = []

    def walk(e):
        if isinstance(e, Average):
            if e not in out:
                out.append(e)
            return
        for a in e.args:
            walk(a)
    walk(expr)
    return out


def _largest_root(solutions):
    """The largest of several symbolic roots, identified at one generic point (all symbols set to
    distinct values in (0.5, 1)): for the quadratic of a multiplier the ``+√`` root is the larger
    one wherever the roots are real, so one point decides for all."""
    symbols = sorted(set().union(*(sp.sympify(r).free_symbols for r in solutions)), key=str)
    point = {s_: sp.Rational(1, 2) + sp.Rational(k + 1, 2 * (len(symbols) + 2))
             for k, s_ in enumerate(symbols)}
    values = [complex(sp.N(sp.sympify(r).xreplace(point))) for r in solutions]
    real = [(v.real, r) for v, r in zip(values, solutions) if abs(v.imag) < 1e-12]
    if not real:
        raise DerivationError(f"no real root among {solutions}")
    return max(real, key=lambda t: t[0])[1]


def _solve_for(equation, target, root=None):
    """Solve ``equation = 0`` for the bare ``target`` with the averages held fixed (``root =
    "largest"``: several roots allowed, the largest one kept)."""
    opaque = _outer_averages(equation)
    eq = equation.xreplace({a: sp.Dummy() for a in opaque})
    # transcendental functions of the target are held fixed too (the fixed-point map keeps them)
    opaque += [f for f in eq.atoms(sp.Function) if f.has(target) and not f.has(sp.Dummy)]
    dummies = {a: sp.Dummy(f"A{i}") for i, a in enumerate(opaque)}
    eq = equation.xreplace(dummies)
    sols = sp.solve(eq, target, dict=False)
    if len(sols) > 1 and root == "largest":
        sols = [_largest_root(sols)]
    if len(sols) != 1:
        raise DerivationError(f"stationarity equation {equation} = 0 cannot be put in fixed-point "
                              f"form for {target}: solutions {sols}")
    back = {v: k for k, v in dummies.items()}
    rhs = sols[0].xreplace(back)
    if rhs == 0:
        rhs = _homogeneous_fixed_point(equation, target)
    if not _outer_averages(rhs):
        rhs = sp.factor(rhs)
    return sp.factor_terms(rhs)


def _homogeneous_fixed_point(equation, target):
    """``a x = 0`` with ``a`` free of ``x`` (e.g. ``m (1 − β/λ) = 0`` for spherical units): the
    solution ``x = 0`` would lose the branch where ``a = 0``; ``a = k − g`` with ``k`` its constant
    part gives the fixed-point form ``x = x g / k``, whose fixed points are ``x = 0`` and ``a = 0``."""
    a = sp.simplify(sp.expand(equation) / target)
    if a.has(target):
        return sp.S.Zero
    k = sum((t for t in sp.Add.make_args(sp.expand(a)) if t.is_number), sp.S.Zero)
    if k == 0:
        return sp.S.Zero
    return target * sp.expand(k - a) / k


def hyperbolic_to_tanh(expr):
    """``sinh u → tanh u · cosh u`` and ``cosh(u)^(−2k) → (1 − tanh² u)^k``: the textbook form that also
    evaluates without overflow."""
    def rewrite(e):
        if isinstance(e, sp.sinh):
            return sp.tanh(e.args[0]) * sp.cosh(e.args[0])
        return e
    expr = expr.replace(lambda e: isinstance(e, sp.sinh), rewrite)
    expr = expr.replace(
        lambda e: e.is_Pow and isinstance(e.base, sp.cosh) and e.exp.is_Integer and e.exp < 0
        and e.exp % 2 == 0,
        lambda e: (1 - sp.tanh(e.base.args[0]) ** 2) ** (-e.exp // 2))
    return expr


def saddle_point(fe):
    """Stationarity equations of ``fe`` in fixed-point form (Stein-simplified)."""
    calc = fe._structure["calc"]
    d = fe.derivation.copy(f"Saddle point of the {fe.model.title}")
    f = fe.expr
    equations = {}
    for op in calc.order_parameters:
        source = op.partner if op.kind == "delta" else op.symbol
        derivative = hyperbolic_to_tanh(sp.diff(f, source))
        simplified = hyperbolic_to_tanh(stein(derivative))
        if op.kind == "hs" and op.scale is not None and getattr(calc.prior, "closed_form", False):
            # closed-form sites: x = ⟨…⟩(x) directly; solving the (linear) equation for x would
            # divide by a factor that vanishes on ordered branches (e.g. λ_R − βJ0 of the spherical
            # ferromagnet) and keep only x = 0 at zero field
            equations[op.symbol] = sp.factor_terms(sp.cancel(sp.expand(op.symbol - simplified / op.scale)))
            continue
        equations[op.symbol] = _solve_for(simplified, op.symbol, op.root)
    d.add("Saddle-point equations",
          [sp.Eq(k, v) for k, v in equations.items()],
          r"Derivatives of $f$ under the averages, Stein's lemma $\langle z g(z)\rangle_z = "
          r"\langle g'(z)\rangle_z$, and each equation "
          "solved for its order parameter (for a conjugate pair, the derivative in one fixes the "
          "other).")
    replicon = _replicon(fe)
    if replicon is not None:
        d.add("Replicon eigenvalue (de Almeida–Thouless)", sp.Eq(sp.Symbol(r"\lambda_R"), replicon),
              "Hessian of the replicated action restricted to the replicon sector; the RS solution is "
              r"stable while $\lambda_R > 0$.")
    result = SaddlePoint(fe.model, equations, f, fe.order_parameters, fe.parameters, replicon, d,
                         "finite", beta)
    result.overlaps = tuple(op.symbol for op in calc.order_parameters if op.overlap)
    result.self_overlap = calc.prior.self_overlap
    result.layer_self_overlaps = {layer.prior.self_overlap for layer in calc.layers
                                  if layer.prior.self_overlap is not None}
    result.multipliers = tuple(op.symbol for op in calc.order_parameters
                               if op.indexed is None and op.kind == "hs" and op.root is not None)
    return result


def _replicon(fe):
    """``λ_R = 1 − κ μ`` with ``κ`` the replicon curvature of the energetic term in the pair couplings
    and ``μ = E[(φ''(x))²]`` the single-site replicon susceptibility (``φ'' = Var(σ | x)``)."""
    calc = fe._structure["calc"]
    if calc.replicon_kappa is None and calc.replicon_bilinear is None:
        return None
    subs = {op.indexed: op.symbol for op in calc.order_parameters if op.indexed is not None}
    mu = _replicon_susceptibility(calc.prior, fe._structure["site_argument"],
                                  fe._structure.get("site_curvature", 0), calc.site_quenched)
    if calc.replicon_bilinear is not None:
        # two kinds of units coupled only through their overlaps: λ_R = 1 − κ μ μ' (the product of
        # the two single-site replicon susceptibilities closes the loop q → p → q)
        kappa, layer = calc.replicon_bilinear
        index = calc.layers.index(layer)
        l_x, l_curvature = fe._structure["layer_sites"][index]
        mu_layer = _replicon_susceptibility(layer.prior, l_x, l_curvature, layer.quenched)
        kappa = sp.simplify(sp.sympify(kappa).xreplace(subs))
        return 1 - kappa * mu * mu_layer
    kappa = sp.simplify(sp.sympify(calc.replicon_kappa).xreplace(subs))
    return 1 - kappa * mu


def _replicon_susceptibility(prior, x, curvature, quenched):
    """``μ = E[(∂²φ/∂x²)²]``, the replicon susceptibility of one unit (``φ''`` is the variance of
    the unit under its tilted measure, with the quadratic tilt ``curvature`` where the prior has
    no fixed ``σ²``)."""
    if hasattr(prior, "log_partition_quadratic") or isinstance(prior, _multiplier_priors()):
        variance = prior.variance(x, curvature)
    else:
        variance = prior.variance(x)
    return expand_averages(_quenched_average(GaussianAverage(hyperbolic_to_tanh(variance ** 2), z), quenched))


# -- zero temperature --------------------------------------------------------------------------

def large_beta_average(avg, beta_=beta):
    """Asymptotic form of ``E_z[g(β(A + B z))]`` as ``β → ∞``, ``B > 0``.

    Bounded ``g`` with limits ``g±`` at ``±∞``: ``g₊ Φ(A/B) + g₋ Φ(−A/B) + (φ(A/B)/(βB)) ∫(g − step)``;
    ``g`` growing like ``c± |t|``: ``β (c₊ E[X⁺] − c₋ E[X⁻])`` to leading order. ``Φ``, ``φ`` are the
    standard normal distribution and density; the correction integral is done by SymPy.
    """
    integrand = avg.integrand
    zz = avg.variable
    args = {f.args[0] for f in integrand.atoms(sp.tanh, sp.cosh, sp.sinh)}
    if len(args) != 1:
        raise DerivationError(f"zero-temperature rule needs one local field in {integrand}")
    u = args.pop()
    X = sp.expand(u / beta_)
    A = sp.simplify(X.subs(zz, 0))
    B = sp.simplify(sp.diff(X, zz))
    if B.has(zz) or A.has(zz):
        raise DerivationError(f"local field {u} is not linear in {zz}")
    t = sp.Symbol("t", real=True)
    g = integrand.xreplace({u: t})
    if g.has(zz):
        raise DerivationError(f"integrand {integrand} depends on {zz} outside its local field")
    y = A / B
    Phi = (1 + sp.erf(y / sp.sqrt(2))) / 2
    dens = sp.exp(-y**2 / 2) / sp.sqrt(2 * sp.pi)
    try:
        gp, gm = sp.limit(g, t, sp.oo), sp.limit(g, t, -sp.oo)
    except NotImplementedError as exc:   # e.g. an average nested inside g (mixture patterns)
        raise DerivationError(f"no zero-temperature rule for E_z[{integrand}]: SymPy: {exc}") from exc
    if gp.is_finite and gm.is_finite:
        lead = gp * Phi + gm * (1 - Phi)
        even = sp.simplify((g + g.subs(t, -t)) / 2 - (gp + gm) / 2)
        integral = 2 * sp.integrate(even, (t, 0, sp.oo)) if even != 0 else 0
        if sp.sympify(integral).has(sp.Integral):
            raise DerivationError(f"SymPy cannot integrate the β → ∞ correction of {g}")
        return lead + integral * dens / (beta_ * B)
    cp, cm = sp.limit(g / t, t, sp.oo), sp.limit(g / t, t, -sp.oo)
    if not (cp.is_finite and cm.is_finite):
        raise DerivationError(f"no zero-temperature rule for E_z[{integrand}]")
    positive_part = B * dens + A * Phi          # E[X 1{X>0}]
    negative_part = -B * dens + A * (1 - Phi)   # E[X 1{X<0}]
    return beta_ * (cp * positive_part + cm * negative_part)


def _zero_t_rules(expr, beta_):
    """Replace every Gaussian average by its large-β form; ``tanh(βX) → sign(X)`` and
    ``log(c cosh βX) → β|X| + log(c/2)`` outside averages."""
    # innermost only: an outer Gaussian average over a quenched variable (e.g. the dataset noise
    # of dense-hebbian) commutes with the limit and keeps its (replaced) integrand
    avgs = [a for a in averages_in(expr, GaussianAverage) if not averages_in(a.integrand, GaussianAverage)]
    expr = expr.xreplace({a: large_beta_average(a, beta_) for a in avgs})
    rep = {}
    for f in expr.atoms(sp.tanh):
        X = sp.simplify(f.args[0] / beta_)
        if not X.has(beta_):
            rep[f] = sp.sign(X)
    for f in expr.atoms(sp.log):
        const, inner = f.args[0].as_independent(beta_, as_Add=False)
        if isinstance(inner, sp.cosh):
            X = sp.simplify(inner.args[0] / beta_)
            if not X.has(beta_):   # log(c cosh(βX)) = β|X| + log(c/2) + O(e^{-2β|X|})
                rep[f] = beta_ * sp.Abs(X) + sp.log(const / 2)
    return expr.xreplace(rep)


def _limit_infinite_beta(expr, beta_):
    """``lim_{β→∞}``, taken inside finite (pattern) averages, which commute with the limit."""
    expr = expr.xreplace({a: _beta_power_out(a, beta_) for a in _outer_averages(expr)
                          if isinstance(a, GaussianAverage)})
    avgs = _outer_averages(expr)
    inner = {a: a.with_integrand(_limit_infinite_beta(a.integrand, beta_)) for a in avgs}
    dummies = {a: sp.Dummy(f"D{i}") for i, a in enumerate(avgs)}
    outer = sp.expand(expr.xreplace(dummies), log=False)
    if outer.has(beta_):
        # term by term keeps the result readable; fall back to the whole sum if a term diverges
        terms = [sp.limit(t, beta_, sp.oo) if t.has(beta_) else t for t in sp.Add.make_args(outer)]
        if all(t.is_finite is not False and not t.has(sp.oo, -sp.oo, sp.zoo, sp.nan) for t in terms):
            outer = sp.Add(*[sp.powsimp(sp.factor_terms(t)) for t in terms])
        else:
            outer = sp.limit(outer, beta_, sp.oo)
    back = {dummies[a]: inner[a] for a in avgs}
    return outer.xreplace(back)


def _beta_power_out(avg, beta_):
    """``E_Y[β^k h(Y)] = β^k E_Y[h(Y)]``: a power of ``β`` common to the whole integrand of an outer
    (quenched) Gaussian average, written outside it so that ``β × E_Y[O(1/β)]`` has a finite limit
    (SymPy's ``expand`` buries it in a summed denominator)."""
    num, den = sp.fraction(sp.together(avg.integrand))
    power = 0
    for part, sign in ((sp.factor_terms(num), 1), (sp.factor_terms(den), -1)):
        for factor in sp.Mul.make_args(part):
            base, exponent = factor.as_base_exp()
            if base == beta_ and exponent.is_number:
                power += sign * exponent
    if power == 0:
        return avg
    return beta_**power * avg.with_integrand(sp.simplify(avg.integrand / beta_**power))


def zero_temperature(sp_finite):
    """The ``T → 0`` saddle point: ``q = σ² − C/β`` with ``C`` finite, the averages by their large-β
    forms, then ``β → ∞`` by SymPy. The free energy becomes the ground-state energy per unit."""
    model = sp_finite.model
    overlaps = [s for s in sp_finite.order_parameters if s in sp_finite.overlaps]
    b = sp_finite.beta
    multipliers = tuple(getattr(sp_finite, "multipliers", ()))
    if sp_finite.self_overlap is None or \
            getattr(sp_finite, "layer_self_overlaps", set()) - {sp_finite.self_overlap}:
        raise DerivationError(
            f"zero-temperature limit of the {model.title}: the rule q = σ² − C/β needs units with a "
            "fixed σ² (soft or Gaussian units need their own scaling of the self-overlap with β, not "
            "implemented); solve at T > 0")
    d = sp_finite.derivation.copy(f"Zero-temperature limit of the {model.title}")
    C = {q: sp.Symbol("C" if len(overlaps) == 1 else f"C_{q.name}", positive=True) for q in overlaps}
    s2 = sp_finite.self_overlap
    to_C = {q: s2 - C[q] / b for q in overlaps}
    finite_equations, finite_energy = dict(sp_finite.equations), sp_finite.free_energy
    scaled = {}
    if multipliers:
        finite_equations, finite_energy, scaled = _eliminate_multipliers(
            finite_equations, finite_energy, multipliers, to_C, b)
        to_C.update({x: b ** k * X for x, (X, k) in scaled.items()})

    def limit(e):
        e = expand_averages(sp.expand(e.xreplace(to_C), log=False))
        e = expand_averages(sp.expand(_zero_t_rules(e, b), log=False))
        return expand_averages(sp.expand(_limit_infinite_beta(e, b), log=False))

    equations = {}
    order = []
    for x, rhs in finite_equations.items():
        if x in scaled:
            X, k = scaled[x]
            key, value = X, limit(rhs / b ** k)
        else:
            key = C.get(x, x)
            value = limit(b * (s2 - rhs)) if x in C else limit(rhs)
        equations[key] = sp.factor(value) if not _outer_averages(value) else value
        order.append(key)
    energy = limit(finite_energy)
    if multipliers:
        d.add("Multipliers eliminated",
              [sp.Eq(x, sp_finite.equations[x]) for x in multipliers]
              + [sp.Eq(x, b ** k * X) for x, (X, k) in scaled.items()],
              "Each Lagrange multiplier is replaced by its stationary value before the limit (its "
              "large-$\\beta$ expansion carries the $O(1)$ terms that fix $C$); conjugates growing like "
              "a power of $\\beta$ are rescaled.")
    d.add("Zero temperature",
          [sp.Eq(q, to_C[q]) for q in overlaps]
          + [sp.Eq(k, v) for k, v in equations.items()]
          + [sp.Eq(sp.Symbol("e_0"), energy)],
          r"$q = 1 - C/\beta$ with $C = \beta(1 - q)$ finite; Gaussian averages of functions of "
          r"$\beta X$ (local field $X$) replaced by their large-$\beta$ forms ($\langle\tanh\rangle "
          r"\to \mathrm{erf}$, $\beta\langle\mathrm{sech}^2\rangle \to$ Gaussian density, "
          r"$\langle\log 2\cosh\rangle/\beta \to \langle|X|\rangle$), then $\beta\to\infty$.")
    params = [p for p in sp_finite.parameters if p != b]
    return SaddlePoint(model, equations, energy, order, params, None, d, "zero", None,
                       finite=sp_finite)


def _eliminate_multipliers(equations, energy, multipliers, to_C, b):
    """Substitute the explicit stationary values of the Lagrange multipliers (e.g. the spherical
    ``λ``) into the other equations and the free energy, and find the order parameters that grow
    like ``β^k`` (their right-hand side, with ``q = σ² − C/β``, is a polynomial of degree ``k`` in
    ``β``, e.g. ``q̂ = β² q``): they become ``x = β^k x_0``. Returns the equations without the
    multipliers, the free energy and ``{x: (x_0, k)}``."""
    values = {x: equations[x] for x in multipliers}
    for _ in multipliers:      # multipliers may refer to one another
        values = {x: v.xreplace(values) for x, v in values.items()}
    rest = {x: v.xreplace(values) for x, v in equations.items() if x not in multipliers}
    scaled = {}
    for x, rhs in rest.items():
        if x in to_C:
            continue
        e = sp.expand(rhs.xreplace(to_C))
        if e.is_polynomial(b):
            k = sp.degree(e, b)
            if k > 0:
                scaled[x] = (sp.Symbol(f"{x.name}_0", **x.assumptions0), int(k))
    return rest, energy.xreplace(values), scaled
