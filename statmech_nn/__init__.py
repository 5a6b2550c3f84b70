"""statmech_nn: statistical mechanics of neural networks with a symbolic core.

Derive replica-symmetric free energies and saddle points with SymPy, solve them with generated numba
kernels, draw phase diagrams, cross-check with Monte Carlo, export LaTeX.
"""
from .errors import ConvergenceError, DerivationError, ParameterError, StatmechError
from .models import available_models, model

__version__ = "0.1.0"


def phase_diagram(model, x, y, **options):
    """The phase diagram of ``model`` in the plane of two parameters; see
    :func:`statmech_nn.phases.phase_diagram`."""
    from .phases import phase_diagram as _phase_diagram
    return _phase_diagram(model, x, y, **options)


def __getattr__(name):
    # heavy classes on first use: `import statmech_nn` stays light
    if name == "PhaseDiagram":
        from .phases import PhaseDiagram
        return PhaseDiagram
    raise AttributeError(f"module 'statmech_nn' has no attribute {name!r}")

__all__ = ["available_models", "model", "phase_diagram", "PhaseDiagram", "ConvergenceError", "ParameterError", "DerivationError",
           "StatmechError", "__version__"]
