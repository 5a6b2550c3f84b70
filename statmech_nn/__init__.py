"""statmech_nn: statistical mechanics of neural networks with a symbolic core.

Derive replica-symmetric free energies and saddle points with SymPy, solve them with generated numba
kernels, draw phase diagrams, cross-check with Monte Carlo, export LaTeX.
"""
from .errors import (ConvergenceError, DerivationError, InputFileError, MissingFileError, OutputPathError,
                     ParameterError, ResourceError, ResumeError, StatmechError)
from .models import available_models, model

__version__ = "0.1.0"

__all__ = ["available_models", "model", "declare", "declare_learning", "phase_diagram", "PhaseDiagram",
           "monte_carlo", "crosscheck", "overlap_distribution", "solve_parisi", "ConvergenceError",
           "ParameterError", "DerivationError", "StatmechError", "InputFileError", "MissingFileError",
           "OutputPathError", "ResumeError", "ResourceError", "__version__"]

# heavy parts are imported on first use: ``import statmech_nn`` stays light (no numba, matplotlib)
_LAZY = {"declare": "models.declared", "declare_learning": "models.learning_declared",
         "phase_diagram": "phases", "PhaseDiagram": "phases", "monte_carlo": "montecarlo",
         "crosscheck": "montecarlo", "overlap_distribution": "montecarlo", "solve_parisi": "solve.parisi"}


def __getattr__(name):
    if name in _LAZY:
        import importlib
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
