"""Numeric solution of saddle-point equations: compiled solvers and Gaussian quadrature."""
from .quadrature import gaussian_average, reference_rule
from .solver import Solution, Solver

__all__ = ["Solver", "Solution", "gaussian_average", "reference_rule"]
