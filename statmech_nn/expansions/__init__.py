"""Perturbative expansions organised by diagrams (pure SymPy and NumPy; drawing lazily in ``plot/``).

- :mod:`.diagrams`: the shared diagram layer (typed multigraphs, automorphisms, symmetry factors,
  isomorphism, TikZ / SVG / matplotlib output).
- :mod:`.wick`: Gaussian moments by Wick's theorem; Feynman graphs of phi^3 / phi^4 theory by contraction,
  with weights = symmetry factors and zero-dimensional series checks.
- :mod:`.plefka`: the Plefka expansion of the Ising Gibbs free energy to fourth order (derived), TAP
  equations, a TAP solver, Boltzmann machines, exact enumeration for checks.
"""
from .diagrams import Diagram, DiagramSum, Edge, Vertex
from .plefka import (PlefkaExpansion, PlefkaTerm, TAPSolution, boltzmann_machine, derive_gibbs_coefficients,
                     gibbs_exact, ising_exact, plefka_expansion, solve_tap)
from .wick import FeynmanExpansion, ScalarTheory, contract, count_pairings, gaussian_moment, pairings

__all__ = ["Diagram", "DiagramSum", "Edge", "Vertex",
           "FeynmanExpansion", "ScalarTheory", "contract", "count_pairings", "gaussian_moment", "pairings",
           "PlefkaExpansion", "PlefkaTerm", "TAPSolution", "boltzmann_machine", "derive_gibbs_coefficients",
           "gibbs_exact", "ising_exact", "plefka_expansion", "solve_tap"]
