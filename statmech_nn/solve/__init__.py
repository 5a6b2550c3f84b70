"""Numeric solution of saddle-point equations: compiled solvers and Gaussian quadrature; the Parisi
functional of replica-symmetry breaking (:mod:`.parisi`, imported on first use: it compiles numba kernels)."""
from .quadrature import gaussian_average, reference_rule
from .solver import Solution, Solver

__all__ = ["Solver", "Solution", "gaussian_average", "reference_rule", "solve_parisi", "solve_krsb",
           "parisi_functional", "ParisiSolution", "sk_covariance", "p_spin_covariance"]

_PARISI = {"solve_parisi", "solve_krsb", "parisi_functional", "ParisiSolution", "sk_covariance",
           "p_spin_covariance"}


def __getattr__(name):
    if name in _PARISI:
        from . import parisi
        return getattr(parisi, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
