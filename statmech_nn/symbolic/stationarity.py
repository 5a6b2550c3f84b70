"""Stationarity: the saddle-point equations of a free energy in fixed-point form.

Each order parameter's equation comes from a derivative of ``f`` under the averages, simplified by
Stein's lemma ``⟨z g(z)⟩_z = ⟨g'(z)⟩_z`` and solved for the order parameter with the averages held
fixed. For a pair introduced by a delta function (an overlap ``x`` and its conjugate ``x̂``) the
derivative in ``x̂`` fixes ``x``; the derivative in ``x`` fixes ``x̂``, after the single-site part of it
is removed with the stationarity in ``x̂`` (``∂_x f − (∂_x B / ∂_x̂ B) ∂_x̂ f``, ``B`` the pair coupling of
the single-site problem): where several terms feed the same overlap, the conjugate then equals the
derivative of its own term's energy.
"""
from __future__ import annotations

import sympy as sp

from ..errors import DerivationError
from .averages import expand_averages, outer_averages, stein
from .free_energy import SaddlePoint
from .rewrite import hyperbolic_to_tanh
from .replicon import replicon
from .state import beta
from .zero_temperature import zero_temperature

__all__ = ["saddle_point", "solve_for", "hyperbolic_to_tanh"]


def _derivative(f, symbol):
    # linearity once more after the tanh form (it splits 1 − tanh² u, e.g. of the 1RSB block
    # averages), without taking apart what Stein's lemma reduced (the learning models' channel)
    return expand_averages(hyperbolic_to_tanh(stein(hyperbolic_to_tanh(sp.diff(f, symbol)))),
                           keep_reduced=True)


def saddle_point(fe):
    """Stationarity equations of ``fe`` in fixed-point form (Stein-simplified), with the replicon."""
    calc = fe._structure["calc"]
    pairs = fe._structure.get("site_pairs") or [fe._structure.get("site_pair", sp.S.Zero)]
    d = fe.derivation.copy(f"Saddle point of the {fe.model.title}")
    f = fe._structure.get("stationary_expr", fe.expr)
    equations = {}
    ops = fe._structure.get("order_parameters", calc.order_parameters)
    for op in ops:
        pair = next((B for B in pairs if sp.sympify(B).has(op.symbol)), sp.S.Zero)
        if op.kind in ("breaking", "newton"):
            # the Parisi parameter has no fixed-point form of its own: one Newton step of ∂f/∂x = 0
            # (a fixed point of it is a zero of ∂f/∂x)
            first = hyperbolic_to_tanh(stein(sp.diff(f, op.symbol)))
            second = hyperbolic_to_tanh(stein(sp.diff(f, op.symbol, 2)))
            equations[op.symbol] = op.symbol - first / second
            continue
        if op.kind == "delta" and not op.overlap and op.partner is not None and op.role == "conjugate" \
                and sp.diff(pair, op.partner) != 0 and sp.diff(pair, op.symbol) != 0:
            # conjugate of an overlap that other terms feed too: remove the site's part of ∂f/∂q
            x = op.partner
            derivative = sp.diff(f, x) - sp.cancel(sp.diff(pair, x) / sp.diff(pair, op.symbol)) \
                * sp.diff(f, op.symbol)
            derivative = hyperbolic_to_tanh(stein(hyperbolic_to_tanh(sp.expand(derivative))))
            equations[op.symbol] = solve_for(derivative, op.symbol, op.root)
            continue
        source = op.partner if op.kind == "delta" else op.symbol
        simplified = _derivative(f, source)
        if op.kind == "hs" and op.divisor is not None:
            simplified = sp.expand(sp.cancel(simplified / op.divisor))
        if op.kind == "hs" and op.scale is not None and getattr(calc.prior, "closed_form", False):
            # closed-form sites: x = ⟨…⟩(x) directly; solving the (linear) equation for x would
            # divide by a factor that vanishes on ordered branches (e.g. λ_R − βJ0 of the spherical
            # ferromagnet) and keep only x = 0 at zero field
            equations[op.symbol] = sp.factor_terms(sp.cancel(sp.expand(op.symbol - simplified / op.scale)))
            continue
        equations[op.symbol] = solve_for(simplified, op.symbol, op.root)
    d.add("Saddle-point equations",
          [sp.Eq(k, v) for k, v in equations.items()],
          r"Derivatives of $f$ under the averages, Stein's lemma $\langle z g(z)\rangle_z = "
          r"\langle g'(z)\rangle_z$, and each equation "
          "solved for its order parameter (for a conjugate pair, the derivative in one fixes the "
          "other).")
    lam = fe._structure.get("replicon_rule", replicon)(fe, d)
    held = fe._structure.get("held", {})      # parameters of the equations held at a value (1RSB x)
    if held:
        equations = {k: v.xreplace(held) for k, v in equations.items()}
        f = fe.expr
        lam = None if lam is None else lam.xreplace(held)
    result = SaddlePoint(fe.model, equations, f, fe.order_parameters, fe.parameters, lam, d,
                         "finite", beta, limit=fe._structure.get("limit", zero_temperature))
    result.overlaps = tuple(op.symbol for op in ops if op.overlap)
    result.self_overlap = calc.prior.self_overlap
    result.layer_self_overlaps = {layer.prior.self_overlap for layer in calc.layers
                                  if layer.prior.self_overlap is not None}
    result.multipliers = tuple(op.symbol for op in ops
                               if op.indexed is None and op.kind == "hs" and op.root is not None)
    result.roles = {op.symbol: op.role for op in ops}
    result.domains = {op.symbol: op.domain for op in ops}
    result.constraints = list(fe._structure.get("constraints", ()))
    return result


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


def solve_for(equation, target, root=None):
    """Solve ``equation = 0`` for the bare ``target`` with the averages held fixed (``root =
    "largest"``: several roots allowed, the largest one kept)."""
    opaque = outer_averages(equation)
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
    if not outer_averages(rhs):
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
