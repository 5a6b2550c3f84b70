"""Perturbative expansions organised by diagrams (pure SymPy and NumPy; drawing lazily in ``plot/``).

- :mod:`.diagrams`: the shared diagram layer (typed multigraphs, automorphisms, symmetry factors,
  isomorphism, TikZ / SVG / matplotlib output).
"""
from .diagrams import Diagram, DiagramSum, Edge, Vertex

__all__ = ["Diagram", "DiagramSum", "Edge", "Vertex"]
