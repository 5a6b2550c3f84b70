"""Figures (matplotlib, imported lazily; a leaf of the package)."""
from .diagram import plot_order_parameter_map

__all__ = ["plot_order_parameter_map"]
