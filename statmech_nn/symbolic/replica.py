"""Replica matrices with a symbolic number of replicas ``n`` and the replica limit ``n → 0``."""
from __future__ import annotations

import sympy as sp

from ..errors import DerivationError
from .averages import expand_averages

__all__ = ["RSMatrix", "ParisiMatrix", "LogDet", "replica_limit", "replicon_direction"]


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
        return RSMatrix(sp.cancel(1 / lr + off), sp.cancel(off), self.n)

    def ones_quadratic_form(self):
        """``1ᵀ M⁻¹ 1``, the sum of the entries of the inverse (from :meth:`inverse`)."""
        inv = self.inverse()
        return sp.factor(sp.simplify(self.n * (inv.diag + (self.n - 1) * inv.off)))

    def gaussian_log_integral(self, linear=0):
        """``log ∫ Π_a dz_a/√(2π) exp(−½ zᵀ M z + b Σ_a z_a)`` for this positive-definite ``M``.

        The Gaussian integral in the eigenbasis of ``M``: ``−½ log det M + (b²/2) 1ᵀ M⁻¹ 1``, both from
        the two eigenvalues (``n`` symbolic).

        Examples
        --------
        >>> import sympy as sp
        >>> n, a, b = sp.symbols("n a b", positive=True)
        >>> sp.simplify(replica_limit(RSMatrix(1 + a, a, n).gaussian_log_integral(b), n)
        ...             - (-sp.log(1) / 2 - a / 2 + b**2 / 2))
        0
        """
        b = sp.sympify(linear)
        out = -self.logdet() / 2
        if b != 0:
            out += b**2 * self.ones_quadratic_form() / 2
        return out

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


class ParisiMatrix:
    """One-step replica-symmetry-breaking (Parisi) ``n × n`` matrix: ``diag`` on the diagonal, ``within``
    between two replicas of the same block of ``x`` replicas, ``between`` for replicas of different
    blocks; ``n`` and ``x`` symbolic.

    Its eigenvalues (``n − n/x`` fold, ``n/x − 1`` fold and the uniform vector) are
    ``diag − within``, ``diag − within + x (within − between)`` and that plus ``n · between``: from them
    the determinant and ``1ᵀM⁻¹1`` follow for symbolic ``n``, ``x``. ``x = 1`` or ``within = between`` is
    the RS matrix.

    References
    ----------
    Mézard, Parisi, Virasoro, *Spin Glass Theory and Beyond* (1987), ch. III; Crisanti & Sommers,
    Z. Phys. B 87, 341 (1992), eqs. (2.9)–(2.12).

    Examples
    --------
    >>> import sympy as sp
    >>> n, x, d, p1, p0 = sp.symbols("n x d p1 p0", positive=True)
    >>> M = ParisiMatrix(d, p1, p0, x, n)
    >>> sp.simplify(M.explicit(4, 2).det() - M.det().subs({n: 4, x: 2}))
    0
    """

    def __init__(self, diag, within, between, x, n):
        self.diag, self.within, self.between = map(sp.sympify, (diag, within, between))
        self.x, self.n = x, n

    def eigenvalues(self):
        """``[(eigenvalue, multiplicity)]``."""
        a = self.diag - self.within
        b = a + self.x * (self.within - self.between)
        return [(a, self.n - self.n / self.x), (b, self.n / self.x - 1), (b + self.n * self.between, 1)]

    def det(self):
        return sp.Mul(*[lam ** k for lam, k in self.eigenvalues()])

    def logdet(self):
        return sp.Add(*[k * sp.log(lam) for lam, k in self.eigenvalues()])

    def ones_quadratic_form(self):
        """``1ᵀ M⁻¹ 1 = n / λ_uniform``: the uniform vector is an eigenvector."""
        return self.n / self.eigenvalues()[-1][0]

    def gaussian_log_integral(self, linear=0):
        """``log ∫ Π_a dz_a/√(2π) exp(−½ zᵀ M z + b Σ_a z_a)`` (as :meth:`RSMatrix.gaussian_log_integral`)."""
        b = sp.sympify(linear)
        out = -self.logdet() / 2
        if b != 0:
            out += b**2 * self.ones_quadratic_form() / 2
        return out

    def explicit(self, size, block):
        """A concrete ``size × size`` matrix with blocks of ``block`` replicas (checks at integer ``n``)."""
        def element(i, j):
            if i == j:
                return self.diag
            return self.within if i // block == j // block else self.between
        return sp.Matrix(size, size, element)


def replicon_direction(size):
    """An explicit ``size × size`` (``size ≥ 4``) symmetric perturbation ``δQ`` in the replicon sector
    (zero diagonal, every row summing to zero): ``δQ_12 = δQ_34 = 1``, ``δQ_13 = δQ_24 = −1``."""
    if size < 4:
        raise DerivationError("the replicon sector needs at least 4 replicas")
    entries = {(0, 1): 1, (2, 3): 1, (0, 2): -1, (1, 3): -1}

    def element(i, j):
        return entries.get((min(i, j), max(i, j)), 0)

    return sp.Matrix(size, size, element)


class LogDet:
    """The replica-matrix function ``c log det(A_0 1 + s Q)`` of the overlap matrix ``Q`` (``Q_aa = σ²``,
    ``Q_ab = q`` in the RS ansatz), as the Gaussian integral over the non-condensed overlaps of a
    Hebbian term leaves it.

    :meth:`rs` is its value for symbolic ``n`` (from :class:`RSMatrix`); :meth:`replicon_curvature` the
    second derivative per replica pair along a replicon perturbation ``δQ`` of ``Q``, from the identity
    ``∂²_ε log det(A + ε B) = −Tr(A⁻¹ B A⁻¹ B)`` evaluated on explicit ``4 × 4`` and ``5 × 5`` matrices
    (it must not depend on ``n``; otherwise the engine refuses).
    """

    def __init__(self, coefficient, diagonal, scale, self_overlap):
        self.coefficient = sp.sympify(coefficient)
        self.diagonal = sp.sympify(diagonal)
        self.scale = sp.sympify(scale)
        self.self_overlap = sp.sympify(self_overlap)

    def matrix(self, q, n_):
        return RSMatrix(self.diagonal + self.scale * self.self_overlap, self.scale * q, n_)

    def rs(self, q, n_):
        return self.coefficient * self.matrix(q, n_).logdet()

    def rsb1(self, q0, q1, x, n_):
        """The same function of a one-step RSB overlap matrix (``q1`` within blocks of ``x``)."""
        M = ParisiMatrix(self.diagonal + self.scale * self.self_overlap, self.scale * q1, self.scale * q0, x, n_)
        return self.coefficient * M.logdet()

    def replicon_curvature(self, q):
        values = []
        for size in (4, 5):
            # A⁻¹ = c₁ 1 + c₂ J (an RS matrix, J all ones): A⁻¹B = c₁ B + c₂ J B with integer J B, so
            # Tr(A⁻¹ B A⁻¹ B) is a sum of integer traces times c₁², c₁c₂, c₂²
            inv = self.matrix(q, size).inverse()
            c1, c2 = inv.diag - inv.off, inv.off
            D = replicon_direction(size)
            J = sp.ones(size, size)
            JD = J * D
            traces = [(D * D).trace(), (D * JD).trace(), (JD * JD).trace()]
            pairs = sum(e**2 for e in D) / 2
            second = -self.scale**2 * (c1**2 * traces[0] + 2 * c1 * c2 * traces[1] + c2**2 * traces[2])
            values.append(sp.factor(sp.cancel(self.coefficient * second / pairs)))
        if sp.cancel(values[0] - values[1]) != 0:
            raise DerivationError(f"the replicon curvature of {self} depends on the number of replicas "
                                  f"({values[0]} at n = 4, {values[1]} at n = 5): not implemented")
        return values[0]

    def __repr__(self):
        return f"{self.coefficient}*logdet({self.diagonal} + {self.scale} Q)"
