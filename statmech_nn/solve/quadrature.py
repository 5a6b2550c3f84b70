"""Gauss–Hermite quadrature for the standard normal measure and the node-doubling rule.

Gaussian averages ``E_z[g(z)] = ∫ Dz g(z)`` are evaluated as ``Σ_k W_k g(Z_k)`` with the
probabilists' Gauss–Hermite rule (nodes of ``He_n``, weights normalised to sum to 1; exact for
polynomials of degree ``< 2n``).

**How many nodes (a-posteriori rule).** Accuracy is not predicted but measured on the solution itself:
the saddle point is solved with ``n`` nodes, re-solved from that answer with ``2n`` nodes, and so on,
until the solution (max-norm over the order parameters) changes by less than ``tol`` between two
consecutive node counts; the finer solution is kept. Each point of a grid stops doubling on its own, so
only the points that need more nodes (typically low temperature, where ``tanh(β·)`` is sharp) are
re-solved. A point that still changes by more than ``tol`` at ``max_nodes`` is reported as not converged.
Doubling stops early, with the point not converged, when a solve ends with a residual above ``√tol`` or
two consecutive node counts fail to converge: such failures are not quadrature errors.

References
----------
G. H. Golub and J. H. Welsch, "Calculation of Gauss quadrature rules", Math. Comp. 23, 221 (1969).
"""
from __future__ import annotations

import functools

import numpy as np

__all__ = ["gauss_hermite", "node_counts", "WEIGHT_CUTOFF"]

WEIGHT_CUTOFF = 1e-100
"""Nodes whose normalised weight is below this are dropped (they lie beyond ``|z| ≈ 21``)."""


@functools.lru_cache(maxsize=32)
def _rule(n):
    from scipy.special import roots_hermitenorm

    nodes, weights = roots_hermitenorm(n)
    weights = weights / weights.sum()
    keep = weights > WEIGHT_CUTOFF
    nodes, weights = np.ascontiguousarray(nodes[keep]), np.ascontiguousarray(weights[keep])
    weights /= weights.sum()
    nodes.flags.writeable = False
    weights.flags.writeable = False
    return nodes, weights


def gauss_hermite(n):
    """Nodes and weights of the ``n``-point rule for ``E_z[g(z)]``, ``z ~ N(0, 1)``.

    Parameters
    ----------
    n : int
        Number of nodes (``>= 1``); nodes with weight below :data:`WEIGHT_CUTOFF` are dropped.

    Returns
    -------
    nodes, weights : numpy.ndarray
        Read-only float64 arrays; ``weights.sum() == 1``.

    Examples
    --------
    >>> z, w = gauss_hermite(10)
    >>> round(float(w @ z**2), 12), round(float(w @ z**4), 12)
    (1.0, 3.0)
    """
    n = int(n)
    if n < 1:
        raise ValueError(f"the number of quadrature nodes must be >= 1, got {n}")
    return _rule(n)


def node_counts(start, max_nodes):
    """The node counts tried by the doubling rule: ``start, 2 start, ...`` up to ``max_nodes``.

    Examples
    --------
    >>> node_counts(64, 512)
    [64, 128, 256, 512]
    """
    counts = [int(start)]
    while counts[-1] * 2 <= max_nodes:
        counts.append(counts[-1] * 2)
    return counts
