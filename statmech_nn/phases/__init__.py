"""Phase diagrams: every branch of a model, compared, and every transition line located."""
from .diagram import LINE_KINDS, Line, PhaseDiagram
from .engine import phase_diagram

__all__ = ["phase_diagram", "PhaseDiagram", "Line", "LINE_KINDS"]
