"""Numeric solution of saddle-point equations: compiled solvers and Gaussian quadrature."""
from .quadrature import gauss_hermite
from .solver import Solution, Solver

__all__ = ["Solver", "Solution", "gauss_hermite"]
