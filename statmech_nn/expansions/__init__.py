"""Perturbative expansions organised by diagrams (pure SymPy and NumPy; drawing lazily in ``plot/``).

- :mod:`.diagrams`: the shared diagram layer (typed multigraphs, automorphisms, symmetry factors,
  isomorphism, TikZ / SVG / matplotlib output).
- :mod:`.wick`: Gaussian moments by Wick's theorem; Feynman graphs of phi^3 / phi^4 theory by contraction,
  with weights = symmetry factors and zero-dimensional series checks.
- :mod:`.plefka`: the Plefka expansion of the Ising Gibbs free energy to fourth order (derived), TAP
  equations, a TAP solver, Boltzmann machines, exact enumeration for checks.
- :mod:`.mlp`: Taylor coefficients of multilayer perceptrons as sums of propagator/vertex diagrams
  (Kaspschak & Meißner 2021); :mod:`.born`: the Born series of an S-wave scattering length and the
  iterative network perturbation theory of that paper.
- :mod:`.wide`: infinite-width kernels (NNGP) and the connected four-point function at order 1/width.
"""
from .diagrams import Diagram, DiagramSum, Edge, Vertex
from .plefka import (PlefkaExpansion, PlefkaTerm, TAPSolution, boltzmann_machine, derive_gibbs_coefficients,
                     gibbs_exact, ising_exact, plefka_expansion, solve_tap)
from .activations import NAMED_ACTIVATIONS, activation
from .born import BornNetworkPerturbationTheory, StepPotential, born_terms, square_well_scattering_length
from .mlp import MLP, MLPDiagram, MLPTaylor, diagram_count
from .wide import (NNGP, FourPointFunction, connected_four_point_estimate, connected_four_point_from_kernels,
                   kernel_estimate, pair_expectation, sample_networks)
from .wick import FeynmanExpansion, ScalarTheory, contract, count_pairings, gaussian_moment, pairings

__all__ = ["Diagram", "DiagramSum", "Edge", "Vertex",
           "FeynmanExpansion", "ScalarTheory", "contract", "count_pairings", "gaussian_moment", "pairings",
           "PlefkaExpansion", "PlefkaTerm", "TAPSolution", "boltzmann_machine", "derive_gibbs_coefficients",
           "gibbs_exact", "ising_exact", "plefka_expansion", "solve_tap",
           "NAMED_ACTIVATIONS", "activation", "MLP", "MLPDiagram", "MLPTaylor", "diagram_count",
           "BornNetworkPerturbationTheory", "StepPotential", "born_terms", "square_well_scattering_length",
           "NNGP", "FourPointFunction", "connected_four_point_estimate", "connected_four_point_from_kernels",
           "kernel_estimate", "pair_expectation", "sample_networks"]
