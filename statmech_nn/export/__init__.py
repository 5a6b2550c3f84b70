"""LaTeX export of derivations (a leaf: imported only by the public API, CLI, scripts, notebooks)."""
from .latex import compile_latex, derivation_document, latex_document, write_derivation

__all__ = ["latex_document", "compile_latex", "derivation_document", "write_derivation"]
