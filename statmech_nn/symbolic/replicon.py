"""Replica-symmetry stability: the replicon eigenvalue from the replicon sector of the Hessian of the
replicated action.

In the replicon sector (perturbations ``δq_ab`` with ``Σ_b δq_ab = 0``) the overlaps decouple from the
other sectors. For one overlap ``q`` with pair coupling ``B`` of the single-site problem the action per
pair is ``E(q) − B q + S(B)``; its Hessian there is ``[[κ, −1], [−1, μ]]`` with

* ``κ`` the replicon curvature of the energetic function of the overlap matrix, summed over every term
  that feeds it (elementwise ``c Σ_{a<b} Q_ab^p``: ``∂²/∂q²``; a replica-matrix function such as the
  Hebbian ``log det``: its second derivative along an explicit replicon perturbation,
  :meth:`~.replica.LogDet.replicon_curvature`);
* ``μ = E[(∂²_x log Z_1(x))²]`` the replicon susceptibility of one unit: the variance of the unit
  under its tilted single-site measure, squared and averaged over the Gaussian field and the quenched
  entries (``∂²_x log Z_1`` by SymPy from the prior's log-partition).

The replicon eigenvalue is ``λ_R = −det = 1 − κ μ`` (``> 0``: RS is stable). Two kinds of units coupled
through their overlaps (``−c q p``, a bipartite model) give the ``2 × 2`` Hessian in ``(q, p)`` with the
two sites' susceptibilities on the diagonal and ``λ_R = −det / c²``.

References
----------
J. R. L. de Almeida and D. J. Thouless, J. Phys. A 11, 983 (1978);
E. Gardner, Nucl. Phys. B 257, 747 (1985), sec. 3 (p-body);
Barra, Genovese, Sollich, Tantari, PRE 97, 022310 (2018) (bipartite).
"""
from __future__ import annotations

import sympy as sp

from .averages import GaussianAverage, expand_averages, quenched_average
from .rewrite import hyperbolic_to_tanh
from .state import z
from .printing import Tex

__all__ = ["replicon", "replicon_susceptibility", "energetic_curvature"]


def replicon_susceptibility(prior, x, curvature, quenched):
    """``μ = E[(∂²φ/∂x²)²]``, the replicon susceptibility of one unit (``φ''`` is the variance of the
    unit under its tilted measure, with the quadratic tilt ``curvature`` where the prior has no fixed
    ``σ²``)."""
    if getattr(prior, "takes_diagonal", False):
        variance = prior.variance(x, curvature)
    else:
        variance = prior.variance(x)
    return expand_averages(quenched_average(GaussianAverage(hyperbolic_to_tanh(variance ** 2), z), quenched))


def energetic_curvature(sources, q):
    """``κ``: the replicon curvature per pair of the overlap energy, summed over its sources."""
    elementwise, matrix = sp.S.Zero, sp.S.Zero
    for s in sources:
        if s.power is not None:
            elementwise += sp.diff(s.coefficient * q ** s.power, q, 2)
        else:
            # in the form its own method gives (LogDet factors it; the examples of a learning problem
            # keep their average over the fields, which simplify would multiply out)
            matrix += s.matrix.replicon_curvature(q)
    return sp.simplify(elementwise) + matrix


def replicon(fe, deriv=None):
    """The replicon eigenvalue of the RS saddle point of ``fe`` (``None`` where no overlap is
    coupled)."""
    calc = fe._structure["calc"]
    st = fe._structure
    mu = None
    if calc.bilinear is not None:
        c, (q, layer_q), (p, layer_p) = calc.bilinear
        rs = {op.indexed: op.symbol for op in calc.order_parameters if op.indexed is not None}
        c = sp.sympify(c).xreplace(rs)
        def site_block(layer, other):
            # the units of `layer` see the pair coupling B(other overlap); w of them per main unit
            if layer is None:
                mu_ = replicon_susceptibility(calc.prior, st["site_argument"], st["site_curvature"],
                                              calc.site_quenched)
                pair, weight = calc.site_pair, sp.S.One
            else:
                l_x, l_curvature = st["layer_sites"][calc.layers.index(layer)]
                mu_ = replicon_susceptibility(layer.prior, l_x, l_curvature, layer.quenched)
                pair, weight = layer.site_pair, layer.weight
            return weight * sp.diff(sp.sympify(pair).xreplace(rs), other) ** 2 * mu_

        cross = sp.diff(-c * q * p, q, p)
        hessian = sp.Matrix([[site_block(layer_p, q), cross], [cross, site_block(layer_q, p)]])
        # −det/c² = 1 − H_qq H_pp / c²
        lam = 1 - hyperbolic_to_tanh(sp.factor_terms(sp.simplify(hessian[0, 0] * hessian[1, 1] / cross**2)))
        if deriv is not None:
            deriv.add("Replicon eigenvalue (de Almeida–Thouless)",
                      [sp.Eq(Tex(r"H_{\rm replicon}"), hessian), sp.Eq(Tex(r"\lambda_R"), lam)],
                      r"Hessian of the replicated action in the replicon sector of the two overlaps "
                      r"$(%s, %s)$: the sites' replicon susceptibilities on the diagonal; RS is stable "
                      r"while $\lambda_R = -\det H/c^2 > 0$." % (sp.latex(q), sp.latex(p)))
        return lam
    if not calc.overlap_sources:
        return None
    q = sp.Symbol("q", positive=True)
    kappa = energetic_curvature(calc.overlap_sources, q)
    mu = replicon_susceptibility(calc.prior, st["site_argument"], st["site_curvature"], calc.site_quenched)
    mu_, kappa_ = sp.Symbol(r"\mu"), sp.Symbol(r"\kappa")
    hessian = sp.Matrix([[kappa_, -1], [-1, mu_]])
    # the determinant of the symbols, then κ and μ substituted: no common denominator is formed across
    # the averages inside them
    lam = (-hessian.det()).xreplace({mu_: mu, kappa_: kappa})
    if deriv is not None:
        deriv.add("Replicon eigenvalue (de Almeida–Thouless)",
                  [sp.Eq(Tex(r"\kappa"), kappa), sp.Eq(Tex(r"\mu"), mu),
                   sp.Eq(Tex(r"\lambda_R"), lam)],
                  r"Hessian of the replicated action in the replicon sector of $(q_{ab}, \hat q_{ab})$, "
                  r"$\left(\begin{smallmatrix}\kappa & -1\\ -1 & \mu\end{smallmatrix}\right)$: $\kappa$ the "
                  r"replicon curvature of the overlap energy of every term, $\mu$ the replicon "
                  r"susceptibility of one unit; RS is stable while $\lambda_R = -\det > 0$.")
    return lam
