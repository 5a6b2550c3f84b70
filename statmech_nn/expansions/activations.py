"""Activation functions as SymPy expressions of one variable, shared by the MLP and wide-network expansions.

An activation is given by name (from a fixed table, never parsed from text), as a SymPy ``Lambda`` of one
variable, or as a one-argument callable that builds a SymPy expression (``sympy.tanh``, ``lambda u: u**3``).
"""
from __future__ import annotations

import numpy as np
import sympy as sp

from ..errors import ParameterError

__all__ = ["NAMED_ACTIVATIONS", "activation", "numeric_activation", "U"]

U = sp.Symbol("u", real=True)

NAMED_ACTIVATIONS = {
    "erf": sp.erf(U),
    "relu": sp.Max(0, U),
    "gaussian": sp.exp(-U**2 / 2),
    "tanh": sp.tanh(U),
    "sigmoid": 1 / (1 + sp.exp(-U)),
    "sin": sp.sin(U),
    "linear": U,
}


def activation(spec):
    """The activation ``spec`` as a SymPy ``Lambda`` of one real variable.

    Parameters
    ----------
    spec : str, sympy.Lambda or callable
        A name of :data:`NAMED_ACTIVATIONS`, a one-variable ``Lambda``, or a callable taking a SymPy
        symbol and returning a SymPy expression of it alone.

    Raises
    ------
    ParameterError
        For an unknown name, or an expression with other free symbols.
    """
    if isinstance(spec, sp.Lambda):
        if len(spec.variables) != 1:
            raise ParameterError(f"an activation Lambda takes one variable, got {len(spec.variables)}")
        expr = spec(U)
    elif isinstance(spec, str):
        if spec not in NAMED_ACTIVATIONS:
            raise ParameterError(f"unknown activation {spec!r}; use one of {sorted(NAMED_ACTIVATIONS)}, a "
                                 "sympy.Lambda of one variable, or a callable such as sympy.tanh")
        expr = NAMED_ACTIVATIONS[spec]
    elif callable(spec):
        try:
            expr = sp.sympify(spec(U), strict=True)
        except (TypeError, ValueError, sp.SympifyError) as exc:
            raise ParameterError(f"activation {spec!r} must map a SymPy symbol to a SymPy expression: {exc}") from None
    else:
        raise ParameterError(f"activation must be a name, a sympy.Lambda or a callable, got {type(spec).__name__}")
    extra = expr.free_symbols - {U}
    if extra:
        raise ParameterError(f"activation {expr} has free symbols {sorted(map(str, extra))} besides its argument; "
                             "substitute numbers for them first")
    return sp.Lambda(U, expr)


def numeric_activation(expr, variable=U):
    """A NumPy ufunc-like callable of the SymPy expression ``expr(variable)`` (erf from SciPy)."""
    import scipy.special
    modules = [{"erf": scipy.special.erf, "erfc": scipy.special.erfc,
                "Heaviside": lambda x, h0=0.5: np.heaviside(x, h0), "DiracDelta": lambda x: np.zeros_like(x)},
               "numpy"]
    fn = sp.lambdify(variable, expr, modules=modules)
    if not expr.has(variable):       # constants: broadcast to the argument's shape
        value = float(expr)
        return lambda x: np.full(np.shape(x), value)
    return fn
