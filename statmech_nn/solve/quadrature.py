"""Quadrature of Gaussian averages: a kink-centred sinh-mapped trapezoid rule, and the node-doubling
rule that sets the node count from the requested tolerance.

**The rule.** In the models of this package a Gaussian average ``E_z[g(z)]`` depends on ``z`` through a
local field ``u = a + b z`` inside ``tanh``, ``log 2cosh``, ``sech²``, ``log H`` …; at low temperature
``b ∝ β`` is large and ``g`` has a sharp step of width ``1/b`` at ``z* = −a/b``. Gauss–Hermite
quadrature resolves that step only with thousands of nodes (measured: SK at ``T = 0.05`` still moves by
``1e-6`` between 8192 and 16384 Gauss–Hermite nodes). The generated kernels therefore group the
integrands of an average by their local field and integrate each group after the change of variables
``z = z* + s sinh(t)`` with ``s = 1/√(1 + b²)``: nodes cluster where the integrand varies, the
Gaussian tail is reached in ``|t| ≤ asinh((10 + |z*|)/s)``, and the trapezoid rule in ``t`` converges
exponentially (the integrand is analytic in a strip of width ``≈ π/2`` in ``t``). The solver passes the
*reference* rule below (nodes ``u ∈ [−1, 1]``); :func:`statmech_nn.codegen.primitives.kink_node` maps
it per point and per field.

**How many nodes (a-posteriori rule).** Accuracy is not predicted but measured on the solution itself:
the saddle point is solved with ``n`` nodes, re-solved from that answer with ``2n − 1`` (the nested
refinement of the trapezoid rule), and so on, until the solution (max-norm over the order parameters)
changes by less than ``tol`` between two consecutive node counts, or by less than ``√tol/10``: the rule
converges geometrically, so the finer solution's error is of the order of the square of that change.
The finer solution is kept. Each point
of a grid stops on its own. A point that still changes by more than ``tol`` at ``max_nodes`` is
reported as not converged. Doubling stops early, with the point not converged, when a solve ends with a
residual above ``√tol`` or two consecutive node counts fail to converge: such failures are not
quadrature errors.

References
----------
L. N. Trefethen and J. A. C. Weideman, "The exponentially convergent trapezoidal rule", SIAM Rev. 56,
385 (2014); the sinh map: e.g. D. Elliott and E. Venturino, Numer. Math. 77, 453 (1997).
"""
from __future__ import annotations

import functools

import numpy as np

__all__ = ["reference_rule", "gaussian_average", "node_counts"]


@functools.lru_cache(maxsize=32)
def _rule(n):
    nodes = np.linspace(-1.0, 1.0, n)
    weights = np.full(n, 2.0 / (n - 1))
    weights[[0, -1]] /= 2
    nodes.flags.writeable = False
    weights.flags.writeable = False
    return nodes, weights


def reference_rule(n):
    """The ``n``-point trapezoid rule on ``[−1, 1]`` (nodes, weights) that the kernels map per field.

    Examples
    --------
    >>> u, w = reference_rule(5)
    >>> u.tolist(), w.tolist()
    ([-1.0, -0.5, 0.0, 0.5, 1.0], [0.25, 0.5, 0.5, 0.5, 0.25])
    """
    n = int(n)
    if n < 3:
        raise ValueError(f"the number of quadrature nodes must be >= 3, got {n}")
    return _rule(n)


def gaussian_average(g, slope=0.0, offset=0.0, n=129):
    """``E_z[g(z)]`` with the kink-centred rule for a function of ``u = offset + slope z`` (Python
    reference of what the generated kernels do; ``g`` takes an array of ``z``).

    Examples
    --------
    >>> round(gaussian_average(lambda z: z**2), 12)
    1.0
    >>> round(gaussian_average(lambda z: np.tanh(40 * (0.3 + z)), slope=40, offset=12), 8)
    0.23576406
    """
    from ..codegen.primitives import kink_map, kink_node
    u, w = reference_rule(n)
    s, z0, tmax = kink_map(float(slope), float(offset))
    z, weights = np.vectorize(kink_node)(u, w, s, z0, tmax)
    return float(np.sum(weights * g(z)))


def node_counts(start, max_nodes):
    """The node counts tried: ``start`` and its nested refinements ``2n − 1`` up to ``max_nodes``.

    Examples
    --------
    >>> node_counts(33, 300)
    [33, 65, 129, 257]
    """
    counts = [int(start)]
    while 2 * counts[-1] - 1 <= max_nodes:
        counts.append(2 * counts[-1] - 1)
    return counts
