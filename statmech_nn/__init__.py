"""statmech_nn: statistical mechanics of neural networks with a symbolic core.

Derive replica-symmetric free energies and saddle points with SymPy, solve them with generated numba
kernels, draw phase diagrams, cross-check with Monte Carlo, export LaTeX.
"""
from .errors import ConvergenceError, DerivationError, ParameterError, StatmechError
from .models import available_models, model

__version__ = "0.1.0"

__all__ = ["available_models", "model", "ConvergenceError", "ParameterError", "DerivationError",
           "StatmechError", "__version__"]
