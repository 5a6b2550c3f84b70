"""Replica-symmetric matrices with symbolic n and the n → 0 limit."""
import pytest
import sympy as sp

from statmech_nn.errors import DerivationError
from statmech_nn.symbolic.replica import RSMatrix, replica_limit

n, d, o, b, q = sp.symbols("n d o beta q", positive=True)


@pytest.mark.parametrize("size", [2, 3, 5])
def test_rs_matrix_against_explicit(size):
    A = RSMatrix(d, o, n)
    vals = {d: sp.Rational(7, 3), o: sp.Rational(-2, 5), n: size}
    M = A.explicit(size).subs(vals)
    assert sp.simplify(A.det().subs(vals) - M.det()) == 0
    assert sp.simplify(A.trace().subs(vals) - M.trace()) == 0
    inv = A.inverse()
    Minv = M.inv()
    assert sp.simplify(inv.diag.subs(vals) - Minv[0, 0]) == 0
    assert sp.simplify(inv.off.subs(vals) - Minv[0, 1]) == 0
    assert sp.simplify(sp.exp(A.logdet().subs(vals)) - M.det()) == 0


def test_replica_limit_of_log_det_is_the_AGS_combination():
    # (1/n) log det(1 - βQ) → log(1 - β(1-q)) - βq/(1 - β(1-q))  [AGS 1987, eq. (2.15)]
    A = RSMatrix(1 - b, -b * q, n)
    lim = replica_limit(A.logdet(), n)
    expected = sp.log(1 - b * (1 - q)) - b * q / (1 - b * (1 - q))
    assert sp.simplify(lim - expected) == 0


def test_replica_limit_refuses_non_vanishing_action():
    with pytest.raises(DerivationError, match="does not vanish at n = 0"):
        replica_limit(1 + n, n)
