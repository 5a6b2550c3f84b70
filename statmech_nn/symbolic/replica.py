"""Replica matrices with a symbolic number of replicas ``n`` and the replica limit ``n → 0``."""
from __future__ import annotations

import sympy as sp

from ..errors import DerivationError
from .averages import expand_averages

__all__ = ["RSMatrix", "replica_limit"]


class RSMatrix:
    """Replica-symmetric ``n × n`` matrix: ``diag`` on the diagonal, ``off`` elsewhere.

    Its eigenvalues are ``diag − off`` (the ``n − 1`` fold degenerate replicon/anomalous sector) and
    ``diag + (n − 1) off`` (the uniform vector), from which determinant, inverse and trace follow for
    symbolic ``n``.

    Examples
    --------
    >>> import sympy as sp
    >>> n, q, b = sp.symbols("n q beta", positive=True)
    >>> A = RSMatrix(1 - b, -b * q, n)
    >>> sp.simplify(replica_limit(A.logdet(), n) - (sp.log(1 - b + b*q) - b*q/(1 - b + b*q)))
    0
    """

    def __init__(self, diag, off, n):
        self.diag = sp.sympify(diag)
        self.off = sp.sympify(off)
        self.n = n

    @property
    def replicon_eigenvalue(self):
        """Eigenvalue on vectors orthogonal to the uniform one (multiplicity ``n − 1``)."""
        return self.diag - self.off

    @property
    def longitudinal_eigenvalue(self):
        """Eigenvalue on the uniform vector."""
        return self.diag + (self.n - 1) * self.off

    def det(self):
        return self.replicon_eigenvalue ** (self.n - 1) * self.longitudinal_eigenvalue

    def logdet(self):
        return (self.n - 1) * sp.log(self.replicon_eigenvalue) + sp.log(self.longitudinal_eigenvalue)

    def trace(self):
        return self.n * self.diag

    def inverse(self):
        """The inverse, again replica-symmetric."""
        lr, ll = self.replicon_eigenvalue, self.longitudinal_eigenvalue
        off = (1 / ll - 1 / lr) / self.n
        return RSMatrix(sp.simplify(1 / lr + off), sp.simplify(off), self.n)

    def explicit(self, size):
        """A concrete ``size × size`` SymPy matrix (for checks at integer ``n``)."""
        return sp.Matrix(size, size, lambda i, j: self.diag if i == j else self.off)

    def __repr__(self):
        return f"RSMatrix(diag={self.diag}, off={self.off}, n={self.n})"


def replica_limit(expr, n):
    """``lim_{n→0} expr / n`` for an ``expr`` that vanishes at ``n = 0``.

    SymPy checks ``expr(0) = 0`` and takes the limit as the derivative at ``n = 0`` (l'Hôpital);
    averages are differentiated under the integral sign.
    """
    at_zero = expand_averages(sp.expand_log(expr.subs(n, 0), force=True))
    at_zero = sp.simplify(at_zero)
    if at_zero != 0:
        raise DerivationError(f"the replicated action does not vanish at n = 0 (got {at_zero}); "
                              "the replica limit lim (1/n) log E Z^n does not exist")
    return expand_averages(sp.diff(expr, n).subs(n, 0))
