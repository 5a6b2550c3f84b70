"""LaTeX export of derivations (a leaf: imported only by the public API, CLI, scripts, notebooks)."""
from .latex import derivation_document, write_derivation

__all__ = ["derivation_document", "write_derivation"]
