"""Perturbative expansions organised by diagrams (pure SymPy and NumPy; drawing lazily in ``plot/``).

- :mod:`.diagrams`: the shared diagram layer (typed multigraphs, automorphisms, symmetry factors,
  isomorphism, TikZ / SVG / matplotlib output).
- :mod:`.wick`: Gaussian moments by Wick's theorem; Feynman graphs of phi^3 / phi^4 theory by contraction,
  with weights = symmetry factors and zero-dimensional series checks.
"""
from .diagrams import Diagram, DiagramSum, Edge, Vertex
from .wick import FeynmanExpansion, ScalarTheory, contract, count_pairings, gaussian_moment, pairings

__all__ = ["Diagram", "DiagramSum", "Edge", "Vertex",
           "FeynmanExpansion", "ScalarTheory", "contract", "count_pairings", "gaussian_moment", "pairings"]
