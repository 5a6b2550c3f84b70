"""One-step replica-symmetry breaking (1RSB), derived by the same engine steps as RS.

The terms of a Hamiltonian are applied to the replica state exactly as for RS (:mod:`~.state`); only the
ansatz differs. Every order parameter with two replica indices (the overlap ``q_ab`` and its conjugate,
``r_ab`` or ``λ_q``) takes the value ``x1`` inside the diagonal blocks of ``x`` replicas and ``x0``
between blocks (a Parisi matrix, :class:`~.replica.ParisiMatrix`); sums over replica pairs become
``n(x − 1)/2 · (…)_1 + n(n − x)/2 · (…)_0``; a replica-matrix function (the Hebbian ``log det``) is
evaluated on the Parisi matrix; the single-site problem gets two Gaussians,

``log E_{z0}[(E_{z1}[e^{x φ(A + √B0 z0 + √(B1 − B0) z1)}])^{n/x}] − n B1 σ²/2``

(``φ`` the unit's log-partition), or, for closed-form units, the Gaussian integral of the Parisi matrix.
The limit ``n → 0`` is the same SymPy step. ``x`` is an order parameter too (stationarity in ``x``).
A term that writes its RS action directly (the examples of a learning problem) gives its own one-step
action (``matrix.rsb1_action``) or the engine refuses. The frozen one-step states of a version space
(``q1 = 1``, ``q̂1 → ∞`` at fixed ``x``) are a limit of the derived free energy (:func:`frozen_rsb1`).

References
----------
G. Parisi, J. Phys. A 13, L115 and 1101 (1980); Mézard, Parisi, Virasoro, *Spin Glass Theory and Beyond*
(1987), ch. III; A. Crisanti and H.-J. Sommers, Z. Phys. B 87, 341 (1992) (spherical p-spin);
E. Gardner, Nucl. Phys. B 257, 747 (1985) (Ising p-spin); W. Krauth and M. Mézard, J. Phys. France 50,
3057 (1989) (frozen one-step states of the Ising perceptron).
"""
from __future__ import annotations

import sympy as sp

from ..errors import DerivationError
from .averages import GaussianAverage, expand_averages, quenched_average
from .free_energy import FreeEnergy
from .replica import ParisiMatrix, replica_limit
from .rewrite import hyperbolic_to_tanh
from .state import OrderParameter, ReplicaCalculation, beta, n

__all__ = ["derive_rsb1", "frozen_rsb1", "x_parisi", "z0", "z1"]

#: the Parisi block size and the two Gaussians of the 1RSB single-site problem
x_parisi = sp.Symbol("x", positive=True)
z0 = sp.Symbol("z_0", real=True)
z1 = sp.Symbol("z_1", real=True)


def _split(op):
    """The two 1RSB symbols ``(name0, name1)`` of a pair order parameter."""
    kw = op.symbol.assumptions0
    return sp.Symbol(f"{op.symbol.name}0", **kw), sp.Symbol(f"{op.symbol.name}1", **kw)


def derive_rsb1(model, hamiltonian, x=None):
    """The one-step RSB free energy of ``hamiltonian`` (units plus terms) of ``model``; with ``x`` (a number
    in ``(0, 1]``) the Parisi parameter is held at that value (e.g. ``x = 1``: the threshold states of the
    dynamical transition) instead of being an order parameter."""
    from .stationarity import saddle_point
    calc = ReplicaCalculation(f"One-step RSB free energy of the {model.title}", hamiltonian.prior)
    d = calc.derivation
    d.add("Hamiltonian", hamiltonian.display(), hamiltonian.description)
    d.add("Replicated partition function",
          sp.Eq(sp.Symbol(r"-\beta f"),
                sp.Symbol(r"\lim_{N\to\infty}\lim_{n\to 0}\frac{1}{N n}\log \mathbb{E}\, Z^n")),
          r"The replica trick, with $n$ integer replicas first.")
    for term in hamiltonian.interactions:
        term.apply(calc)
    calc.close_condensed()
    closed = getattr(calc.prior, "closed_form", False)
    calc.close_overlap(closed_site=closed)
    if calc.layers or calc.bilinear is not None:
        raise DerivationError(f"1RSB of the {model.title}: two kinds of units (a bipartite model) are not "
                              "implemented")
    pair_ops = [op for op in calc.order_parameters if op.indexed is not None and len(op.indexed.indices) == 2]
    if not pair_ops:
        raise DerivationError(f"the {model.title} has no replica overlap: replica symmetry cannot break")
    single = {op.indexed: op.symbol for op in calc.order_parameters
              if op.indexed is not None and len(op.indexed.indices) == 1}
    split = {op.symbol: _split(op) for op in pair_ops}
    within = {op.indexed: split[op.symbol][1] for op in pair_ops}
    between = {op.indexed: split[op.symbol][0] for op in pair_ops}
    x_fixed, x = (None if x is None else sp.nsimplify(x)), x_parisi
    if x_fixed is not None and not (x_fixed.is_number and 0 < x_fixed <= 1):
        raise DerivationError(f"1RSB: a fixed Parisi parameter must lie in (0, 1], got {x_fixed}")

    # the 1RSB ansatz: pair sums over blocks, replica sums as in RS
    energetic = sp.S.Zero
    for term in sp.Add.make_args(calc.energetic):
        if not isinstance(term, sp.Sum):
            raise DerivationError(f"1RSB ansatz: unexpected energetic term {term}")
        e = term.function.xreplace(single)
        if len(term.limits) == 2:
            energetic += (n * (x - 1) / 2 * e.xreplace(within) + n * (n - x) / 2 * e.xreplace(between))
        else:
            energetic += n * e
    keeper = next((s for s in calc.overlap_sources if s.conjugate is not None or closed), None)
    if calc.rs_energetic_extra != 0:
        q_op = next(op for op in pair_ops if op.role == "overlap")
        q0, q1 = split[q_op.symbol]
        if keeper is None or keeper.matrix is None:
            raise DerivationError("1RSB ansatz: an RS-form energetic term without its replica-matrix function")
        energetic += keeper.matrix.rsb1(q0, q1, x, n)
    if calc.rs_action != 0:
        energetic += _rsb1_actions(calc, pair_ops, split, x, model)
    field_ = sp.sympify(calc.site_field).xreplace(single)
    B1 = sp.sympify(calc.site_pair).xreplace(single).xreplace(within)
    B0 = sp.sympify(calc.site_pair).xreplace(single).xreplace(between)
    diag = sp.sympify(calc.site_diag).xreplace(single)
    d.add("One-step RSB ansatz",
          [sp.Eq(op.indexed, sp.Symbol(r"%s\ (\mathrm{same\ block}),\ %s\ (\mathrm{otherwise})"
                                       % (sp.latex(split[op.symbol][1]), sp.latex(split[op.symbol][0]))))
           for op in pair_ops]
          + [sp.Eq(sp.Symbol(r"G_{\mathrm{1RSB}}(n)"), energetic)],
          r"Parisi's matrix: blocks of $x$ replicas; $\sum_{a<b}$ has $n(x-1)/2$ pairs inside blocks and "
          r"$n(n-x)/2$ between them (SymPy with symbolic $n$, $x$).")
    site = _site_rsb1(calc.prior, field_, B0, B1, diag, calc, d)
    site = quenched_average(site, calc.site_quenched)
    limit = replica_limit(energetic + site, n)
    d.add("Replica limit n → 0", sp.Eq(sp.Symbol(r"-\beta f"), limit),
          r"$\lim_{n\to0}\frac1n$ by SymPy, under the averages.")
    f = expand_averages(sp.expand(-limit / beta, log=False))

    ops = []
    for op in calc.order_parameters:
        if op.symbol not in split:
            if op.role == "multiplier":
                # the spherical constraint is a cubic in λ with a Parisi matrix: a Newton step, not a root
                op = OrderParameter(op.symbol, op.indexed, "newton", role="multiplier", owner=op.owner)
            ops.append(op)
            continue
        for k, sym in enumerate(split[op.symbol]):
            partner = split[op.partner][k] if op.partner in split else op.partner
            divisor = op.divisor
            ops.append(OrderParameter(sym, None, op.kind, partner, op.overlap, op.root, op.scale, op.role,
                                      op.owner, divisor, op.domain))
    f_general = f
    if x_fixed is None:
        ops.append(OrderParameter(x, None, "breaking", role="breaking", owner="replica symmetry breaking",
                                  domain=(0, 1)))
    else:
        # the equations come from f at general x, then x is set (at x = 1 the q1 terms of f vanish
        # and their stationarity carries a factor 1 − x, divided out before x is set)
        f = f.xreplace({x: x_fixed})
    # hs overlaps: the divisor of the RS equation, with each block's own value
    for op in ops:
        if op.kind == "hs" and op.divisor is not None and op.symbol in {s for pair in split.values() for s in pair}:
            base = next(k for k, v in split.items() if op.symbol in v)
            op.divisor = sp.sympify(op.divisor).xreplace({base: op.symbol})
    constraints = [split[op.symbol][1] - split[op.symbol][0] for op in pair_ops if op.role == "overlap"]
    symbols = [op.symbol for op in ops]
    d.add("Free energy", sp.Eq(sp.Symbol("f"), f),
          "Extremised over " + ", ".join(f"${sp.latex(o)}$" for o in symbols) + ".")
    params = sorted(f.free_symbols - set(symbols), key=lambda s_: (s_ != beta, s_.name))
    structure = {"calc": calc, "order_parameters": ops, "site_pairs": [B0, B1], "rsb": 1, "x": x_fixed,
                 "stationary_expr": f_general, "held": {} if x_fixed is None else {x: x_fixed},
                 "split": split, "constraints": constraints, "replicon_rule": _replicon_rsb1,
                 "site": (field_, B0, B1, diag),
                 "limit": zero_temperature_rsb1 if calc.rs_action == 0 else _no_zero_temperature_rsb1,
                 "frozen": frozen_rsb1}
    return FreeEnergy(model, f, symbols, params, d, structure, stationarity=saddle_point)


def _no_zero_temperature_rsb1(sp_finite):
    """The ``T → 0`` limit of :func:`zero_temperature_rsb1` (``q1 = σ² − C/β``, ``x = y/β``) is that of
    a spin glass; a version space freezes instead (``q1 = 1`` at finite ``x``, :func:`frozen_rsb1`)."""
    raise DerivationError(f"1RSB zero-temperature limit of the {sp_finite.model.title}: not derived for "
                          "a learning problem; the version space's one-step solution is the frozen one, "
                          "model.free_energy(rsb=1).frozen(x)")


def _rsb1_actions(calc, pair_ops, split, x, model):
    """The one-step form of the terms that wrote their RS action directly (``calc.rs_action``, e.g. the
    examples of a learning problem): each such term's overlap source must know its own one-step action
    (``matrix.rsb1_action``), and together they must account for the whole RS action; otherwise the
    term would be silently dropped from the 1RSB free energy, so the engine refuses."""
    q_op = next((op for op in pair_ops if op.role == "overlap"), None)
    owners = [s for s in calc.overlap_sources if hasattr(s.matrix, "rsb1_action")]
    accounted = sp.Add(*[s.matrix.rs_action(n) for s in owners])
    if q_op is None or sp.expand(calc.rs_action - accounted) != 0:
        missing = [s.owner for s in calc.overlap_sources if not hasattr(s.matrix, "rsb1_action")]
        raise DerivationError(f"1RSB of the {model.title}: a term in RS form ("
                              + (", ".join(missing) or "no overlap source") + ") has no one-step form; "
                              "its energetic term would be missing from the 1RSB free energy")
    q0, q1 = split[q_op.symbol]
    out = sp.S.Zero
    for s in owners:
        action = s.matrix.rsb1_action(q0, q1, x, n, z0, z1)
        calc.derivation.add(f"One-step action of the {s.owner}", sp.Eq(sp.Symbol(r"G^{\rm 1RSB}_E(n)"), action),
                            r"Each example's fields have the Parisi covariance: $h^a = \sqrt{q_0}z_0 + "
                            r"\sqrt{q_1 - q_0}\,z_1^{B(a)} + \sqrt{Q - q_1}\,x_a$ with one $z_1$ per block "
                            r"$B$ of $x$ replicas (checked by SymPy); per block $E_{z_1}[Z_{\rm out}^x]$.")
        out += action
    return out


def _site_rsb1(prior, field_, B0, B1, diag, calc, deriv):
    """The 1RSB single-site problem (see the module docstring)."""
    from .replica import ParisiMatrix
    if getattr(prior, "closed_form", False):
        # Gaussian or spherical units: the Gaussian integral of the Parisi matrix
        if hasattr(prior, "multiplier"):
            lam = prior.multiplier
            calc.add_multiplier(lam, root="largest")
            M = ParisiMatrix(lam - diag, -B1, -B0, x_parisi, n)
            result = n * (lam + sp.log(2 * sp.pi)) / 2 + M.gaussian_log_integral(field_)
        else:
            v = prior.variance_
            M = ParisiMatrix(1 / v - diag, -B1, -B0, x_parisi, n)
            result = -n * sp.log(v) / 2 + M.gaussian_log_integral(field_)
        deriv.add("Single-site problem (1RSB)", sp.Eq(sp.Symbol(r"\log \mathcal{Z}_1"), result),
                  r"The replicated site integral is the Gaussian integral of a Parisi matrix: its three "
                  r"eigenvalues give $\log\det$ and $\mathbf 1^T M^{-1}\mathbf 1$.")
        return result
    h = field_ + sp.sqrt(B0) * z0 + sp.sqrt(B1 - B0) * z1
    if getattr(prior, "takes_diagonal", False):
        phi = prior.log_partition_quadratic(h, diag - B1)
        shift = sp.S.Zero
    else:
        s2 = prior.self_overlap
        if s2 is None:
            raise DerivationError(f"{prior.name} units: the 1RSB site problem needs a fixed σ² or a quadratic tilt")
        phi = prior.log_partition(h)
        shift = -n * B1 * s2 / 2 + n * diag * s2 / 2
    inner = GaussianAverage(sp.exp(x_parisi * phi), z1)
    result = shift + sp.log(GaussianAverage(inner ** (n / x_parisi), z0))
    deriv.add("Single-site problem (1RSB)",
              [sp.Eq(sp.Symbol(r"\log \mathcal{Z}_1"), result)],
              r"$\sum_{a<b}B_{ab}\sigma^a\sigma^b = \frac{B_0}{2}(\sum_a\sigma^a)^2 + \frac{B_1 - B_0}{2}"
              r"\sum_{\rm blocks}(\sum_{a\in{\rm block}}\sigma^a)^2 - \frac{B_1}{2}\sum_a(\sigma^a)^2$: a Gaussian "
              r"$z_0$ for the whole square, one $z_1$ per block; each replica gives $e^{\phi}$.")
    return result


def _replicon_rsb1(fe, deriv=None):
    """The replicon inside the blocks of the 1RSB saddle point, ``λ = 1 − κ(q1) μ1``: ``κ`` the replicon
    curvature of the overlap energy at ``q1`` (as for RS, :func:`~.replicon.energetic_curvature`),
    ``μ1 = E_{z0}[E_{z1}[w (∂²_h φ)²] / E_{z1}[w]]`` with the block weight ``w = e^{x φ}`` (the
    replicon susceptibility of one unit in the block measure)."""
    from .replicon import energetic_curvature
    st = fe._structure
    calc = st["calc"]
    if not calc.overlap_sources:
        return None
    q_sym = sp.Symbol("q", positive=True)
    q0, q1 = st["split"][q_sym]
    # terms that know their curvature in the block measure give it; for the others (powers of the
    # overlap) it is the RS curvature at q1
    block = [s for s in calc.overlap_sources if hasattr(s.matrix, "rsb1_replicon_curvature")]
    rest = [s for s in calc.overlap_sources if s not in block]
    kappa = sp.Add(*[s.matrix.rsb1_replicon_curvature(q0, q1, x_parisi, z0, z1) for s in block])
    if rest:
        kappa += energetic_curvature(rest, q_sym).xreplace({q_sym: q1})
    field_, B0, B1, diag = st["site"]
    prior = calc.prior
    if getattr(prior, "closed_form", False):
        # field-independent variance of one unit in the replicon sector inside the blocks: the inverse of
        # the Parisi matrix's eigenvalue diag − within there
        if hasattr(prior, "multiplier"):
            variance = 1 / (prior.multiplier - diag + B1)
        else:
            variance = 1 / (1 / prior.variance_ - diag + B1)
        mu = variance**2
    else:
        h = field_ + sp.sqrt(B0) * z0 + sp.sqrt(B1 - B0) * z1
        t = sp.Dummy("t")
        if getattr(prior, "takes_diagonal", False):
            phi = prior.log_partition_quadratic(t, diag - B1)
        else:
            phi = prior.log_partition(t)
        curvature = hyperbolic_to_tanh(sp.diff(phi, t, 2)).xreplace({t: h})
        w = sp.exp(x_parisi * phi.xreplace({t: h}))
        mu = GaussianAverage(GaussianAverage(w * curvature**2, z1) / GaussianAverage(w, z1), z0)
        mu = quenched_average(mu, calc.site_quenched)
    lam = 1 - kappa * mu
    if deriv is not None:
        deriv.add("Replicon of the 1RSB saddle point", sp.Eq(sp.Symbol(r"\lambda_R^{(1)}"), lam),
                  r"The replicon sector inside the blocks: the overlap energy's curvature at $q_1$ times "
                  r"the replicon susceptibility of one unit in the block measure $e^{x\phi}$.")
    return lam


# -- zero temperature: q1 = σ² − C/β and y = βx finite -------------------------------------------------

#: the finite Parisi parameter of the zero-temperature limit, y = βx
y_parisi = sp.Symbol("y", positive=True)


def _block_average_limit(avg, b):
    """``lim_{β→∞} E_{z1}[exp((y/β) φ(u)) g(u)]`` for a unit's log-partition ``φ`` growing like ``c± t``, a
    bounded ``g`` with limits ``g±`` (a polynomial in ``tanh``: ``1``, ``tanh``, ``tanh²`` …) and a local
    field ``u = β X + o(β)``, ``X = a + b' z1``: ``g₊ E[e^{y c₊ X}; X > 0] + g₋ E[e^{y c₋ X}; X < 0]``, the
    two half-line Gaussian integrals by the Gaussian shift identity, plus the ``1/β`` correction of ``g`` at
    its kink.

    Returns ``(v, K)`` with the limit ``= e^K v``: ``K`` (a :class:`~.averages.BlockAnchor`) is a smooth
    upper bound of the larger exponent of the two half-line integrals ``e^{E±} H(…)``, and ``v`` holds
    them as ``BlockTilt(E± + log H(…), K) = e^{E± + log H − K}`` (at most 1, with the stable ``log H``);
    written out, ``e^{E±}`` overflows and ``H`` underflows where ``y|a|`` or ``a/b'`` is large (``y`` of
    order 100 for the Hopfield model)."""
    from .rewrite import LogH
    from .zero_temperature import _tanh_polynomial_pieces
    from .averages import BlockAnchor, BlockTilt, Tilt
    z_ = avg.variable
    integrand = sp.powsimp(avg.integrand, combine="exp")
    factors = sp.Mul.make_args(integrand)
    weight = sp.Mul(*[f for f in factors if isinstance(f, sp.exp) and f.has(z_)])
    rest = sp.Mul(*[f for f in factors if not (isinstance(f, sp.exp) and f.has(z_))])
    exponent = sp.expand_log(sp.log(weight), force=True)
    args = {f.args[0] for f in exponent.atoms(sp.cosh, sp.exp) if f.args[0].has(z_)}
    if len(args) != 1:
        raise DerivationError(f"1RSB at T = 0: the block average {avg} has no single local field")
    u = args.pop()
    t = sp.Symbol("t", real=True)
    G = sp.expand_log((exponent * b / y_parisi).xreplace({u: t}), force=True)
    g = rest.xreplace({u: t}) if rest != 1 else sp.S.One
    if G.has(z_) or G.has(b) or G.has(y_parisi) or g.has(z_):
        raise DerivationError(f"1RSB at T = 0: the block average {avg} is not exp(x φ(u)) g(u)")
    pieces = _tanh_polynomial_pieces(g, t) if g != 1 else (sp.S.One, sp.S.One, sp.S.Zero)
    if pieces is None:
        raise DerivationError(f"1RSB at T = 0: no large-β rule for {g} inside a block average")
    gp, gm = pieces[0], pieces[1]
    # the leading local field X = lim u/β, term by term
    X = sp.Add(*[sp.limit(term, b, sp.oo) for term in sp.Add.make_args(sp.expand(u / b))])
    if not (X.is_polynomial(z_) and sp.degree(X, z_) == 1):
        raise DerivationError(f"1RSB at T = 0: the local field {u} is not linear in {z_}")
    # φ(βX)/β → c₊ X for X > 0, c₋ X for X < 0 (the log-partition's slopes at ±∞)
    cp, cm = sp.limit(G / t, t, sp.oo), sp.limit(G / t, t, -sp.oo)
    a_, slope = X.xreplace({z_: 0}), sp.diff(X, z_)
    # E[e^{k(a + b w)}; w > −a/b] and E[e^{k'(a + b w)}; w < −a/b] by the Gaussian shift identity,
    # as logarithms: y c a + log F(k, c)
    log_upper, log_lower = _half_line_logs(y_parisi, cp, cm, a_, slope)
    # the larger of the two exponents without their (non-positive) log H parts
    e_up, e_low = [sp.expand(e.replace(lambda f: isinstance(f, LogH), lambda f: sp.S.Zero))
                   for e in (log_upper, log_lower)]
    # the scale is an Anchor (zero derivatives): every expression it enters, K + log v and the ratios of
    # block averages, is independent of it, so derivatives at fixed K are exact. K ≥ max(E₊, E₋), smoothed
    # on the step's own scale y (c₊ − c₋) b'/2 (order one) so that K and log v are smooth apart too (the
    # linearity of the averages separates them)
    half_gap, width = (e_up - e_low) / 2, y_parisi * (cp - cm) * slope / 2
    K = BlockAnchor(sp.factor_terms((e_up + e_low) / 2 + sp.sqrt(sp.expand(half_gap**2 + width**2))),
                    sp.expand(a_ / slope))
    # the 1/β correction of a bounded g at its kink X = 0 (where the weight is 1): what β(1 − ⟨tanh²⟩)
    # keeps, as in the RS rule (zero_temperature.large_beta_average)
    kink = pieces[2] * Tilt(-(a_ / slope) ** 2 / 2, K) / (sp.sqrt(2 * sp.pi) * b * slope)
    return gp * BlockTilt(log_upper, K) + gm * BlockTilt(log_lower, K) + kink, K


def _half_line_logs(k, cp, cm, a, slope):
    """``log E_w[e^{k c₊ u}; u > 0]`` and ``log E_w[e^{k c₋ u}; u < 0]`` for ``u = a + slope·w``, ``w``
    standard normal (the two asymptotic halves of ``E[e^{k φ(u)}]`` with slopes ``c±``), by the Gaussian
    shift identity (:func:`_shifted_tail`), shared by the ``T = 0`` block averages and the frozen limit."""
    log_tail = _shifted_tail(log=True)
    return (k * cp * a + log_tail(k * cp * slope, -a / slope),
            k * cm * a + log_tail(-k * cm * slope, a / slope))


def _shifted_tail(log=False):
    """``F(k, c) = ∫_c^∞ e^{k w} Dw = e^{k²/2} erfc((c − k)/√2)/2``, the Gaussian shift identity, checked by
    SymPy (``∂_c F = −e^{kc} e^{−c²/2}/√(2π)`` and ``F → 0`` as ``c → ∞``); returns ``F`` as a function,
    or with ``log`` its logarithm ``k²/2 + log H(c − k)`` (``LogH``, checked against ``log F``)."""
    if not hasattr(_shifted_tail, "rule"):
        from .rewrite import LogH
        k, c = sp.Symbol("k", real=True), sp.Symbol("c", real=True)
        F = sp.exp(k**2 / 2) * sp.erfc((c - k) / sp.sqrt(2)) / 2
        density = sp.exp(k * c - c**2 / 2) / sp.sqrt(2 * sp.pi)
        if sp.simplify(sp.diff(F, c) + density) != 0 or sp.limit(F, c, sp.oo) != 0:
            raise DerivationError("the Gaussian shift identity failed")
        log_F = k**2 / 2 + LogH(c - k)
        as_erfc = log_F.replace(lambda f: isinstance(f, LogH),
                                lambda f: sp.log(sp.erfc(f.args[0] / sp.sqrt(2)) / 2))
        if sp.simplify(sp.exp(as_erfc) - F) != 0:
            raise DerivationError("the logarithm of the Gaussian shift identity failed")
        _shifted_tail.rule = sp.Lambda((k, c), F)
        _shifted_tail.log_rule = sp.Lambda((k, c), log_F)
    return _shifted_tail.log_rule if log else _shifted_tail.rule


def _replace_blocks(expr, b, extra=None):
    """Every block average ``E_{z1}[…]`` of ``expr`` by its large-β form ``e^K v``
    (:func:`_block_average_limit`): ``log E_{z1}[…] → K + log v`` and elsewhere ``v`` alone where the
    block averages enter only through ratios (the block measure is normalised: ``⟨g⟩_w =
    E_{z1}[w g]/E_{z1}[w]``), which SymPy checks by scaling them all by one symbol ``λ`` and seeing it
    cancel; otherwise ``e^K v``. ``extra`` maps further block averages to ``(v, K)`` (already taken)."""
    limits = dict(extra or {})
    for a in expr.atoms(GaussianAverage):
        if a.variable == z1 and a not in limits:
            limits[a] = _block_average_limit(a, b)
    if not limits:
        return expr
    expr = expr.xreplace({sp.log(a): K + sp.log(v) for a, (v, K) in limits.items()})
    lam = sp.Dummy("lambda", positive=True)
    scaled = expr.xreplace({a: lam * v for a, (v, K) in limits.items()})
    if not scaled.has(lam):
        return scaled
    return expr.xreplace({a: sp.exp(K) * v for a, (v, K) in limits.items()})


def _gap_limit(rhs, s2, to_zero, b, limit):
    """``C = lim_{β→∞} β(σ² − q1)`` from the finite-temperature equation ``q1 = E[⟨g⟩_w]``, ``⟨g⟩_w =
    E_{z1}[w g]/E_{z1}[w]`` (``g → σ²`` away from the kink of the local field): each block average is
    written ``E_{z1}[w g] = σ² E_{z1}[w] − E_{z1}[w (σ² − g)]`` (the two block averages held as opaque
    functions of the outer variables, so that ``σ² W/W`` cancels before linearity splits the outer
    averages) and then the second one, ``O(1/β)``, replaced by its large-β form, the kink term of
    :func:`_block_average_limit`. Without that, linearity recombines the two and ``σ²`` cancels only
    under the limit, where SymPy sees ``β(σ² − E[…])`` with an opaque average and returns ``±∞``; here
    ``β`` times the gap is ``E[κ/E_{z1}[w]]`` with ``κ`` the kink term times ``β``."""
    e = rhs.xreplace(to_zero)
    opaque, back, kinks = {}, {}, set()
    for i, a in enumerate(sorted((a for a in e.atoms(GaussianAverage) if a.variable == z1), key=str)):
        factors = sp.Mul.make_args(a.integrand)
        w = sp.Mul(*[f for f in factors if isinstance(f, sp.exp) and f.has(z1)])
        g = sp.Mul(*[f for f in factors if not (isinstance(f, sp.exp) and f.has(z1))])
        if g == 1:
            continue
        outer = sorted(a.free_symbols, key=str)
        W_, G_ = sp.Function(f"W_{i}")(*outer), sp.Function(f"G_{i}")(*outer)
        v_w, K = _block_average_limit(a.with_integrand(w), b)
        v_gap, K_gap = _block_average_limit(a.with_integrand(w * (s2 - g)), b)
        if K_gap != K:
            raise DerivationError(f"1RSB zero-temperature limit: two scales in the block averages of {rhs}")
        opaque.update({a: s2 * W_ - G_, a.with_integrand(w): W_})
        back.update({W_: v_w, G_: v_gap})
        kinks.add(G_)
    if not opaque:
        raise DerivationError(f"1RSB zero-temperature limit: no block average in the q1 equation {rhs}")
    gap = expand_averages(s2 - expand_averages(e.xreplace(opaque)))
    if gap.atoms(GaussianAverage) and any(a.variable == z1 for a in gap.atoms(GaussianAverage)):
        raise DerivationError(f"1RSB zero-temperature limit: a block average of {rhs} is not a ratio")
    # the common scale e^K of the block averages cancels in their ratios (checked)
    lam = sp.Dummy("lambda", positive=True)
    if gap.xreplace({k: lam * v for k, v in back.items()}).has(lam):
        raise DerivationError(f"1RSB zero-temperature limit: β(σ² − q1) is not a ratio of block averages")
    # β times the gap: β times the (linear) O(1/β) block averages, before expansion can bury β in a sum
    if sp.expand(expand_averages(gap.xreplace({k: lam * k for k in kinks})) - lam * gap) != 0:
        raise DerivationError(f"1RSB zero-temperature limit: β(σ² − q1) is not linear in its kink terms")
    result = limit(gap.xreplace({k: (sp.expand(b * v) if k in kinks else v) for k, v in back.items()}))
    if result.has(sp.oo, -sp.oo, sp.zoo, sp.nan) or result.has(b):
        raise DerivationError(f"1RSB zero-temperature limit: β(σ² − q1) has no finite limit ({result})")
    return result


def zero_temperature_rsb1(sp_finite):
    """The ``T → 0`` limit of a 1RSB saddle point: the overlap inside the blocks ``q1 = σ² − C/β``, the
    Parisi parameter ``x = y/β`` with ``y`` finite, each block average
    ``E_{z1}[e^{x φ(βX)}] → E_{z1}[e^{y(c₊X⁺ + c₋X⁻)}]`` (closed form), then ``β → ∞`` by SymPy. The
    equations are the stationarity of the ground-state energy ``e0`` in its order parameters (a Newton
    ``v = v − ∂e0/∂v``, solved by Newton's method).

    References
    ----------
    G. Parisi, J. Phys. A 13, 1101 (1980) (SK: ``e0 = −0.7652`` at one step).
    """
    from .free_energy import SaddlePoint
    from .zero_temperature import _limit_infinite_beta
    model = sp_finite.model
    b = sp_finite.beta
    s2 = sp_finite.self_overlap
    if s2 is None or getattr(model, "_rsb_closed_units", False):
        raise DerivationError(f"1RSB zero-temperature limit of the {model.title}: needs units with a fixed σ² "
                              "and a discrete single-site measure")
    roles = sp_finite.roles
    q1 = next(k for k, v in roles.items() if v == "overlap" and k.name.endswith("1"))
    C = sp.Symbol("C", positive=True)
    to_zero = {q1: s2 - C / b, x_parisi: y_parisi / b}
    f = sp_finite.free_energy.xreplace(to_zero)
    f = expand_averages(_replace_blocks(f, b))
    e0 = expand_averages(_limit_infinite_beta(f, b))
    if e0.has(b):
        raise DerivationError(f"1RSB zero-temperature limit: β left in {e0}")
    order = [k for k in sp_finite.order_parameters if k not in (q1, x_parisi)]
    order = [k if k != q1 else C for k in order] + ([C] if e0.has(C) else []) + [y_parisi]
    order = [k for k in order if e0.has(k)]
    # the finite-temperature equations of the other order parameters in the limit (block averages by
    # the rule above: tanh → ±1 on either side of the kink); the Parisi parameter y by one Newton step of
    # ∂e0/∂y = 0 (the finite-T x equation has no finite limit of its own)
    from .stationarity import _derivative

    def limit(expr):
        e = expr.xreplace(to_zero)
        e = _replace_blocks(e, b)
        return expand_averages(_limit_infinite_beta(expand_averages(e), b))

    equations = {}
    for v in order:
        if v == y_parisi:
            first = _derivative(e0, v)
            equations[v] = v - first / sp.diff(first, v)
        elif v == C:
            equations[v] = _gap_limit(sp_finite.equations[q1], s2, to_zero, b, limit)
        elif v in sp_finite.equations:
            equations[v] = limit(sp_finite.equations[v])
        else:
            raise DerivationError(f"1RSB zero-temperature limit: no equation for {v}")
    d = sp_finite.derivation.copy(f"Zero-temperature limit (1RSB) of the {model.title}")
    d.add("Zero temperature, one-step RSB",
          [sp.Eq(q1, to_zero[q1]), sp.Eq(x_parisi, to_zero[x_parisi]), sp.Eq(sp.Symbol("e_0"), e0)],
          r"Inside the blocks the overlap tends to $\sigma^2$ and $x\to0$ with $y = \beta x$ finite; "
          r"$E_{z_1}[e^{x\phi(\beta X)}] \to E_{z_1}[e^{y(c_+X^+ + c_-X^-)}]$ (SymPy), then $\beta\to\infty$. "
          r"The equations are the stationarity of $e_0$.")
    params = [p for p in sp_finite.parameters if p != b]
    result = SaddlePoint(model, equations, e0, order, params, None, d, "zero", None, finite=sp_finite)
    result.roles = {k: ("breaking" if k == y_parisi else roles.get(k, "overlap")) for k in order}
    result.domains = {k: ((0, None) if k in (y_parisi, C) else sp_finite.domains.get(k, (None, None)))
                      for k in order}
    q0 = next((k for k, v in roles.items() if v == "overlap" and k.name.endswith("0")), None)
    result.constraints = [s2 - q0] if q0 in order else []
    return result


# -- frozen states: q1 = 1 and q_hat1 → ∞ at fixed x (Krauth & Mézard 1989) ---------------------------

def _narrow_block_limit(avg, delta):
    """``lim_{δ→0} E_{z1}[F(erfc(a))]`` for a block average whose one ``erfc`` argument diverges like
    ``a = X/√δ + o(1/√δ)``, ``X`` linear in ``z1``: ``erfc(a) → 0`` where ``X > 0`` and ``→ 2`` where
    ``X < 0`` (``X = 0`` has measure zero), so the integrand tends to ``F(0) θ(X) + F(2) θ(−X)``
    (``F`` by SymPy, e.g. ``(1 − e/2)^x`` at ``x > 0`` gives ``θ(X)``: the probability of no error of
    a frozen state), and the Gaussian average of the thresholds is a Gaussian tail
    (:func:`~.learning.gaussian_smooth`)."""
    from .learning import gaussian_smooth
    v = avg.variable
    tails = [f for f in avg.integrand.atoms(sp.erfc) if f.has(delta)]
    if len(tails) != 1:
        raise DerivationError(f"frozen limit: the block average {avg} has no single Gaussian tail")
    (tail,) = tails
    X = sp.expand(sp.Add(*[sp.limit(term, delta, 0) for term in
                           sp.Add.make_args(sp.expand(sp.sqrt(delta) * tail.args[0]))]))
    if X.has(delta) or X.has(sp.oo, -sp.oo, sp.zoo, sp.nan) or not (X.is_polynomial(v) and sp.degree(X, v) == 1):
        raise DerivationError(f"frozen limit: the tail {tail} does not become a threshold linear in {v}")
    e = sp.Dummy("e")
    F = avg.integrand.xreplace({tail: e})
    if F.has(delta):
        raise DerivationError(f"frozen limit: {avg.integrand} depends on the width other than through {tail}")
    above, below = F.xreplace({e: sp.S.Zero}), F.xreplace({e: sp.Integer(2)})
    t_ = sp.Dummy("t", real=True)
    threshold = above * sp.Heaviside(t_) + below * sp.Heaviside(-t_)
    return gaussian_smooth(threshold.xreplace({t_: X}), v, sp.S.Zero, sp.S.One, v)


def _wide_block_limit(avg, b):
    """``log E_{z1}[e^{x φ(a + b z1)}]`` as ``b → ∞`` (``a`` finite): the tilted measure moves to
    ``|a + b z1| ~ x b²``, where ``φ(t) = c± t + d± + o(1)`` (slopes and offsets at ``t → ±∞`` by
    SymPy), so the average is that of ``e^{x(c± u + d±)}`` on either half-line, done by the Gaussian
    shift identity (:func:`_shifted_tail`): ``Σ± e^{x d± + x c± a + (x c± b)²/2} H(∓a/b − x|c±| b)``.
    The tails tend to 1 (their arguments to ``−∞``, by SymPy); with equal ``c₊² = c₋² = c²`` this is
    ``x² c² b²/2 + log Σ± e^{x(c± a + d±)}`` (for ``φ = log 2cosh``: ``x² b²/2 + log 2cosh(x a)``).

    Returns the limit of the logarithm (the divergent ``x² c² b²/2`` included)."""
    from .rewrite import LogH
    z_ = avg.variable
    integrand = sp.powsimp(avg.integrand, combine="exp")
    if not (isinstance(integrand, sp.exp) and integrand.has(x_parisi)):
        raise DerivationError(f"frozen limit: the block average {avg} is not E[exp(x φ(u))]")
    exponent = sp.expand_log(integrand.args[0], force=True)
    args = {f.args[0] for f in exponent.atoms(sp.cosh, sp.exp) if f.args[0].has(z_)}
    if len(args) != 1:
        raise DerivationError(f"frozen limit: the block average {avg} has no single local field")
    u = args.pop()
    t = sp.Symbol("t", real=True)
    phi = sp.expand(exponent / x_parisi).xreplace({u: t})
    if phi.has(z_) or phi.has(x_parisi) or phi.has(b):
        raise DerivationError(f"frozen limit: the block average {avg} is not E[exp(x φ(u))]")
    slope, a_ = sp.diff(u, z_), u.xreplace({z_: 0})
    if sp.simplify(slope - b) != 0 or a_.has(b):
        raise DerivationError(f"frozen limit: the local field {u} is not a + b z with b → ∞")
    cp, cm = sp.limit(phi / t, t, sp.oo), sp.limit(phi / t, t, -sp.oo)
    dp, dm = sp.limit(phi - cp * t, t, sp.oo), sp.limit(phi - cm * t, t, -sp.oo)
    if any(c.has(sp.oo, -sp.oo, sp.zoo, sp.nan) for c in (cp, cm, dp, dm)) or not (cp > 0 and cm < 0):
        raise DerivationError(f"frozen limit: φ = {phi} is not asymptotically linear with slopes of "
                              "opposite signs")
    if sp.simplify(cp**2 - cm**2) != 0:
        raise DerivationError(f"frozen limit: the slopes {cp}, {cm} of φ differ in size; one side "
                              "dominates (not implemented)")
    y = x_parisi
    upper, lower = _half_line_logs(y, cp, cm, a_, b)
    sides = [y * dp + upper, y * dm + lower]
    divergent = (y * cp * b)**2 / 2
    finite = []
    for side in sides:
        rest = sp.expand(side - divergent)
        for f in rest.atoms(LogH):
            if sp.limit(f.args[0], b, sp.oo) != -sp.oo:
                raise DerivationError(f"frozen limit: the tail {f} does not tend to 1 as {b} → ∞")
        rest = rest.xreplace({f: sp.S.Zero for f in rest.atoms(LogH)})
        if rest.has(b):
            raise DerivationError(f"frozen limit: {rest} depends on {b} beyond the common divergence")
        finite.append(rest)
    return divergent + sp.log(sp.simplify(sp.exp(finite[0]) + sp.exp(finite[1])))


def frozen_rsb1(fe, x=None):
    """The frozen one-step solution of a version space (Krauth & Mézard 1989): ``T → 0`` with the
    weights' version space non-empty (``e^{−β} → 0``, :func:`~.learning.version_space`), then inside
    the blocks ``q1 → 1`` (each state is one configuration) and ``q̂1 → ∞`` at fixed ``x``.

    From the derived 1RSB ``βf`` (SymPy on every step):

    * ``q1 = 1 − δ``, ``δ → 0``: each block average of the examples' ``Z_out^x`` becomes the
      probability of no error of a frozen state, a Gaussian tail (:func:`_narrow_block_limit`);
    * ``q̂1 = q̂0 + b²``, ``b → ∞``: each block average of the site, ``E_{z1}[e^{xφ(a + b z1)}]``, by
      its asymptotic form (:func:`_wide_block_limit`), whose ``x b²/2`` must cancel the ``q̂1`` of the
      rest (checked: the result may not depend on ``b``).

    The result is ``βf → −Φ_frozen(q0, q̂0; x)``, with the complexity (log-number of frozen states per
    weight) ``Σ = x Φ``; for Ising weights ``Φ = −(x/2) q̂0(1 − q0) + (1/x) E log 2cosh(x√q̂0 z)
    + (α/x) E log H(√(q0/(1 − q0)) z)`` at zero margin, whose zero of ``Σ`` is the capacity
    ``α_c ≈ 0.833`` (independent of ``x``).

    Parameters
    ----------
    fe : FreeEnergy
        A one-step free energy (``model.free_energy(rsb=1)``) of a learning problem with an error count.
    x : float, optional
        The Parisi parameter in ``(0, 1]``; default the one the free energy holds.

    Returns
    -------
    SaddlePoint
        At ``T = 0`` (solve with ``T=0``) in ``(q0, q_hat0)``; its free energy is ``−Φ_frozen``.

    References
    ----------
    W. Krauth and M. Mézard, J. Phys. France 50, 3057 (1989); E. Gardner and B. Derrida, J. Phys. A 21,
    271 (1988).
    """
    from .learning import LearningSaddlePoint, _examples
    from .stationarity import saddle_point
    st = fe._structure
    model = fe.model
    x_value = st["x"] if x is None else sp.nsimplify(x)
    if x_value is None or not (x_value.is_number and 0 < x_value <= 1):
        raise DerivationError(f"frozen 1RSB of the {model.title}: needs a Parisi parameter x in (0, 1], "
                              f"got {x_value}")
    cache = st.setdefault("frozen_cache", {})
    if x_value in cache:
        return cache[x_value]
    calc = st["calc"]
    if not calc.rs_action:
        raise DerivationError(f"frozen 1RSB of the {model.title}: derived for the version space of a "
                              "learning problem only")
    examples = _examples(fe)
    if not examples.loss.version_space:
        raise DerivationError(f"frozen 1RSB of the {model.title}: {type(examples.loss).__name__} has no "
                              "version space (only an error count has)")
    if calc.prior.self_overlap is None or getattr(calc.prior, "closed_form", False):
        raise DerivationError(f"frozen 1RSB of the {model.title}: {calc.prior.name} weights have no frozen "
                              "states (q1 → σ² at finite x needs discrete weights with a fixed norm)")
    d = fe.derivation.copy(f"Frozen one-step solution of the {model.title}")
    if "minus_phi" not in st:
        st["minus_phi"] = _frozen_functional(fe, d)
    minus_phi = st["minus_phi"]
    q_sym, qh_sym = sp.Symbol("q", positive=True), sp.Symbol("q_hat", nonnegative=True)
    (q0, _), (qh0, _) = st["split"][q_sym], st["split"][qh_sym]
    ops = [op for op in st["order_parameters"] if op.symbol in (q0, qh0)]
    params = sorted(minus_phi.free_symbols - {q0, qh0, x_parisi}, key=lambda s_: s_.name)
    structure = {"calc": calc, "order_parameters": ops, "site_pairs": [st["site_pairs"][0]],
                 "stationary_expr": minus_phi, "held": {x_parisi: x_value},
                 "replicon_rule": lambda fe_, deriv=None: None}
    frozen_fe = FreeEnergy(model, minus_phi.xreplace({x_parisi: x_value}), [q0, qh0], params, d, structure)
    cold = saddle_point(frozen_fe)
    result = LearningSaddlePoint(model, cold.equations, cold.free_energy, [q0, qh0], params, None,
                                 cold.derivation, "zero", None)
    result.overlaps = ()
    result.self_overlap = calc.prior.self_overlap
    result.roles, result.domains = cold.roles, dict(cold.domains)
    result.domains[q0] = (0, calc.prior.self_overlap)
    result.constraints = []
    result.x = x_value
    cache[x_value] = result
    return result


def _frozen_functional(fe, d):
    """``lim βf`` of the frozen one-step solution (see :func:`frozen_rsb1`), a function of ``q0``,
    ``q̂0``, ``x`` and the parameters."""
    from .averages import averages_in
    from .rewrite import stabilise
    from .state import beta as beta_
    st = fe._structure
    q_sym, qh_sym = sp.Symbol("q", positive=True), sp.Symbol("q_hat", nonnegative=True)
    (q0, q1), (qh0, qh1) = st["split"][q_sym], st["split"][qh_sym]
    s2 = st["calc"].prior.self_overlap
    f = st["stationary_expr"]
    # βf term by term (every term of f carries 1/β), then e^{−β} → 0: the version space
    times_beta = sp.Add(*[sp.cancel(beta_ * term) if not averages_in(term) else beta_ * term
                          for term in sp.Add.make_args(sp.expand(f, log=False))])
    minus_s = expand_averages(times_beta.xreplace({sp.exp(-beta_): sp.S.Zero}))
    if minus_s.has(beta_):
        raise DerivationError(f"frozen limit: β left in {minus_s}")
    delta, b, spread = (sp.Symbol("delta", positive=True), sp.Symbol("b", positive=True),
                        sp.Symbol("g", positive=True))
    # the block spread √(q1 − q0) > 0 as a positive symbol while the thresholds are integrated (it
    # decides their side), back to √(σ² − q0) at the end
    e = minus_s.xreplace({sp.sqrt(q1 - q0): spread, sp.sqrt(-q0 + q1): spread})
    e = e.xreplace({q1: s2 - delta, qh1: qh0 + b**2})
    rules = {}
    for a in e.atoms(GaussianAverage):
        if a.variable != z1:
            continue
        if a.has(delta) and not a.has(b):
            rules[a] = _narrow_block_limit(a, delta)
        elif a.has(b) and not a.has(delta):
            rules[sp.log(a)] = _wide_block_limit(a, b)
        else:
            raise DerivationError(f"frozen limit: the block average {a} has neither or both limits")
    e = e.xreplace({k: v for k, v in rules.items() if isinstance(k, sp.log)})
    e = e.xreplace({k: v for k, v in rules.items() if not isinstance(k, sp.log)})
    if any(a.variable == z1 for a in e.atoms(GaussianAverage)):
        raise DerivationError(f"frozen limit: a block average left in {e}")
    e = expand_averages(sp.expand(expand_averages(e)))
    e = sp.expand(e.xreplace({delta: sp.S.Zero}))
    if e.has(sp.oo, -sp.oo, sp.zoo, sp.nan):
        raise DerivationError(f"frozen limit: q1 → {s2} diverges: {e}")
    # the divergent x b²/2 of the site cancels the q̂1 of the Lagrange terms
    if sp.simplify(sp.diff(e, b)) != 0:
        raise DerivationError(f"frozen limit: q̂1 → ∞ does not cancel ({sp.diff(e, b)})")
    e = e.xreplace({b: sp.S.Zero}).xreplace({spread: sp.sqrt(s2 - q0)})
    e = stabilise(expand_averages(sp.expand(e)))
    d.add("Frozen one-step states (Krauth–Mézard)",
          [sp.Eq(q1, s2), sp.Eq(qh1, sp.oo), sp.Eq(sp.Symbol(r"\lim \beta f = -\Phi"), e)],
          r"$T\to0$ in the version space ($e^{-\beta}\to0$); inside a block every replica is the same "
          r"configuration: $q_1 \to 1$ turns $E_{z_1}[Z_{\rm out}^x]$ into the probability of no error, a "
          r"Gaussian tail; $\hat q_1 = \hat q_0 + b^2$, $b\to\infty$: $\frac1x\log E_{z_1}[e^{x\phi(a + b z_1)}]"
          r" \to x b^2/2 + \frac1x \log\sum_\pm e^{x(c_\pm a + d_\pm)}$ (the asymptotes of $\phi$ by SymPy), "
          r"whose $b^2$ cancels $\hat q_1$ (checked). The complexity is $\Sigma = x\Phi$.")
    return e
