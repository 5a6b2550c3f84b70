"""Complete LaTeX documents from the replica engine's own steps."""
from __future__ import annotations

import datetime
import os

import sympy as sp

from ..symbolic.derivation import escape_text

__all__ = ["derivation_document", "write_derivation"]

_PREAMBLE = r"""\documentclass[10pt]{article}
\usepackage[utf8]{inputenc}
\usepackage[margin=2cm]{geometry}
\usepackage{amsmath,amssymb}
\allowdisplaybreaks
\setlength{\parindent}{0pt}
"""


def _long_equation(lhs, expr, terms_per_line=3):
    """``lhs = expr`` in an ``align*``, a sum broken after every few terms so it fits the page."""
    terms = sp.Add.make_args(sp.sympify(expr)) if isinstance(expr, sp.Add) else (expr,)
    lines = []
    for i in range(0, len(terms), terms_per_line):
        chunk = sp.latex(sp.Add(*terms[i:i + terms_per_line], evaluate=False))
        if i and not chunk.startswith("-"):
            chunk = "+ " + chunk
        lines.append(("%s &= " % lhs if not i else "&\\quad ") + chunk)
    return "\\begin{align*}\n" + " \\\\\n".join(lines) + "\n\\end{align*}"


def _equations(pairs):
    body = r" \\ ".join(sp.latex(k) + " &= " + sp.latex(v) for k, v in pairs)
    return "\\begin{align*}\n" + body + "\n\\end{align*}"


def derivation_document(model, zero_temperature=True):
    """A standalone LaTeX document: the model, every engine step, the saddle point, its ``T = 0``
    limit and the replicon, with the model's references.

    Parameters
    ----------
    model : statmech_nn.models.base.Model
    zero_temperature : bool
        Include the zero-temperature section when the model has one.
    """
    from .. import __version__
    fe = model.free_energy()
    saddle = fe.saddle_point()
    parts = [_PREAMBLE,
             r"\title{%s: replica-symmetric derivation}" % escape_text(model.title),
             r"\author{statmech\_nn %s}" % __version__,
             r"\date{%s}" % datetime.date.today().isoformat(),
             r"\begin{document}", r"\maketitle",
             r"\section{Derivation}",
             "Every expression below was produced by the replica engine of statmech\\_nn; nothing was "
             "typed in. Gaussian averages $\\langle\\cdot\\rangle_z$ are over a standard normal $z$, "
             "pattern averages $\\langle\\cdot\\rangle_\\xi$ over $\\xi=\\pm1$.",
             saddle.derivation.latex(),
             r"\section{Result}",
             r"\subsection{Free energy}",
             _long_equation("f", fe.expr),
             r"\subsection{Saddle-point equations}",
             _equations(saddle.equations.items())]
    if saddle.replicon is not None:
        parts += [r"\subsection{Stability}",
                  "The replica-symmetric solution is stable while the replicon eigenvalue is positive "
                  "(de Almeida--Thouless):",
                  "\\begin{equation*}\n\\lambda_R = " + sp.latex(saddle.replicon) + "\n\\end{equation*}"]
    if zero_temperature:
        zt = saddle.zero_temperature()
        parts += [r"\section{Zero temperature}",
                  "With $C=\\beta(1-q)$ finite as $\\beta\\to\\infty$:",
                  _equations(zt.equations.items()),
                  "Ground-state energy per unit:",
                  _long_equation("e_0", zt.free_energy, terms_per_line=2)]
    if model.references:
        parts.append(r"\section*{References}")
        parts.append(r"\begin{itemize}")
        parts += [r"\item " + escape_text(ref) for ref in model.references]
        parts.append(r"\end{itemize}")
    parts.append(r"\end{document}")
    return "\n".join(parts) + "\n"


def write_derivation(model, path, **options):
    """Write :func:`derivation_document` to ``path``; returns the path."""
    text = derivation_document(model, **options)
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)
    return path
