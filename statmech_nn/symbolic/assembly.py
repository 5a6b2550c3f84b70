"""Assembly: a Hamiltonian's terms applied to the replica state, the RS ansatz, the single-site
problems, the quenched averages and the replica limit ``n → 0`` ⇒ :class:`~.free_energy.FreeEnergy`.

References
----------
Mézard, Parisi, Virasoro, *Spin Glass Theory and Beyond* (1987), ch. II;
Amit, Gutfreund, Sompolinsky, Ann. Phys. 173, 30 (1987) [AGS], eqs. (2.9)–(2.15).
"""
from __future__ import annotations

import sympy as sp

from ..errors import DerivationError
from .averages import expand_averages, quenched_average
from .free_energy import FreeEnergy
from .stationarity import saddle_point
from .replica import replica_limit
from .state import N, ReplicaCalculation, beta, n, z
from .printing import DisorderAverage, Tex

__all__ = ["derive", "site_problem"]


def derive(model, hamiltonian):
    """Run the replica engine on ``hamiltonian`` (units plus interaction terms) of ``model``."""
    calc = ReplicaCalculation(f"Replica-symmetric free energy of the {model.title}", hamiltonian.prior)
    d = calc.derivation
    d.add("Hamiltonian", hamiltonian.display(), hamiltonian.description)
    Z, a_ = sp.Symbol("Z"), sp.Symbol("a", integer=True, positive=True)
    d.add("Replicated partition function",
          [sp.Eq(-beta * sp.Symbol("f"),
                 sp.Limit(sp.Limit(sp.log(DisorderAverage(Z**n)) / (N * n), n, 0, "+-"), N, sp.oo)),
           sp.Eq(DisorderAverage(Z**n),
                 DisorderAverage(Tex(r"\sum_{\{\sigma^a\}}", "sum_{sigma^a}")
                                 * sp.exp(-beta * sp.Sum(Tex(r"H(\sigma^a)", "H(sigma^a)"), (a_, 1, n)))))],
          r"The replica trick $\log Z = \lim_{n\to0}(Z^n - 1)/n$, with $n$ integer replicas first.")
    for term in hamiltonian.interactions:
        term.apply(calc)
    calc.close_condensed()
    calc.close_overlap(closed_site=getattr(calc.prior, "closed_form", False))
    energetic, field_, pair = calc.rs_ansatz()
    rs = {op.indexed: op.symbol for op in calc.order_parameters if op.indexed is not None}
    diag = sp.sympify(calc.site_diag).xreplace(rs)
    site, x = site_problem(calc.prior, field_, pair, diag, calc, d)
    site = quenched_average(site, calc.site_quenched)
    total = energetic + site
    layer_sites = []
    for layer in calc.layers:
        l_field, l_pair, l_diag = (sp.sympify(e).xreplace(rs)
                                   for e in (layer.site_field, layer.site_pair, layer.site_diag))
        l_site, l_x = site_problem(layer.prior, l_field, l_pair, l_diag, calc, d)
        total += layer.weight * quenched_average(l_site, layer.quenched)
        layer_sites.append((l_x, l_diag - l_pair))
    limit = replica_limit(total, n)
    d.add("Replica limit n → 0",
          sp.Eq(Tex(r"-\beta f"), limit),
          r"$\lim_{n\to0}\frac{1}{n}$ of the RS action, by SymPy: the action vanishes at $n = 0$ and "
          "its $n$-derivative is taken under the averages.")
    f = expand_averages(sp.expand(-limit / beta, log=False))
    ops = [op.symbol for op in calc.order_parameters]
    d.add("Free energy", sp.Eq(sp.Symbol("f"), f),
          "Extremised over the order parameters " + ", ".join(f"${sp.latex(o)}$" for o in ops) + ".")
    params = sorted(f.free_symbols - set(ops), key=lambda s: (s != beta, s.name))
    structure = {"calc": calc, "site_argument": x, "site_curvature": diag - pair,
                 "layer_sites": layer_sites, "site_pair": pair}
    return FreeEnergy(model, f, ops, params, d, structure, stationarity=saddle_point)


def site_problem(prior, field_, pair, diag, calc, deriv):
    """The single-site problem of ``prior`` with linear, pair and diagonal coefficients. Priors with
    the quadratic tilt (``log_partition_quadratic``) or a multiplier take the diagonal term themselves;
    for priors with a fixed ``σ²`` it is the constant ``n D σ²/2``."""
    if getattr(prior, "takes_diagonal", False):
        return prior.single_site(field_, pair, n, z, deriv, diag=diag, calc=calc)
    site, x = prior.single_site(field_, pair, n, z, deriv)
    if diag != 0:
        s2 = prior.self_overlap
        if s2 is None:
            raise DerivationError(f"{prior.name} units: a diagonal term needs the quadratic tilt "
                                  "log_partition_quadratic or a fixed σ²")
        site += n * diag * s2 / 2
    return site, x
