"""Control parameters of a model: names, symbols, ranges and validation of user input."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import sympy as sp

from .errors import ParameterError

__all__ = ["Parameter", "validate_parameters"]


@dataclass(frozen=True)
class Parameter:
    """A control parameter with its paper name, default and allowed range.

    ``lower``/``upper`` are inclusive bounds unless ``open_lower``/``open_upper`` is set.
    """

    name: str
    default: float
    doc: str
    lower: float = -math.inf
    upper: float = math.inf
    open_lower: bool = False
    open_upper: bool = False
    symbol: sp.Symbol = field(default=None, compare=False)

    def __post_init__(self):
        if self.symbol is None:
            positive = self.lower >= 0 and self.open_lower
            nonneg = self.lower >= 0
            kw = {"positive": True} if positive else ({"nonnegative": True} if nonneg else {"real": True})
            object.__setattr__(self, "symbol", sp.Symbol(self.name, **kw))

    def describe_range(self):
        lo = "(" if self.open_lower else "["
        hi = ")" if self.open_upper else "]"
        return f"{lo}{self.lower}, {self.upper}{hi}"

    def check(self, value):
        """Return ``value`` as a float array, or raise ParameterError saying what is allowed."""
        arr = np.asarray(value)
        if arr.dtype == object or not np.issubdtype(arr.dtype, np.number) or np.iscomplexobj(arr):
            raise ParameterError(f"parameter {self.name!r} must be a real number, got {value!r}")
        arr = arr.astype(float)
        if not np.all(np.isfinite(arr)):
            raise ParameterError(f"parameter {self.name!r} must be finite, got {value!r}")
        bad = (arr < self.lower) | (arr > self.upper)
        if self.open_lower:
            bad |= arr == self.lower
        if self.open_upper:
            bad |= arr == self.upper
        if np.any(bad):
            example = arr[bad].flat[0]
            raise ParameterError(
                f"parameter {self.name!r} = {example} is out of range: {self.name} must lie in "
                f"{self.describe_range()} ({self.doc})")
        return arr


def validate_parameters(specs, values, allow_beta=True):
    """Check user parameters against ``specs`` (a dict name -> Parameter).

    Temperature may be given as ``T`` (``T = 0`` allowed) or as ``beta`` = 1/T, not both.
    Returns a dict name -> float array including defaults, with ``T`` always present.
    """
    values = dict(values)
    if "beta" in values and allow_beta and "T" in specs:
        if "T" in values:
            raise ParameterError("give either T or beta, not both")
        beta = np.asarray(values.pop("beta"), dtype=float)
        if np.any(~np.isfinite(beta)) or np.any(beta <= 0):
            raise ParameterError("beta must be a positive finite number (use T=0 for zero temperature)")
        values["T"] = 1.0 / beta
    unknown = sorted(set(values) - set(specs))
    if unknown:
        valid = ", ".join(sorted(specs)) + (", beta" if "T" in specs else "")
        raise ParameterError(f"unknown parameter(s) {', '.join(map(repr, unknown))}; valid: {valid}")
    out = {}
    for name, spec in specs.items():
        raw = values.get(name, spec.default)
        if isinstance(raw, (str, bytes)):
            raise ParameterError(f"parameter {name!r} must be a number, got the text {raw!r}")
        out[name] = spec.check(raw)
    return out
