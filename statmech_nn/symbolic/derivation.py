"""A derivation: the titled symbolic steps the replica engine performed."""
from __future__ import annotations

from dataclasses import dataclass

import re

import sympy as sp

from . import printing

__all__ = ["Step", "Derivation", "escape_text", "aligned_lines"]


@dataclass
class Step:
    """One step: a title, the resulting expression (or equation) and a sentence of explanation."""

    title: str
    expr: object
    note: str = ""

    def latex(self):
        e = self.expr
        if isinstance(e, (list, tuple)):
            body = r" \\ ".join(_latex_item(x) for x in e)
            return r"\begin{aligned}" + body + r"\end{aligned}"
        return _latex_item(e)


def _latex_item(e):
    if isinstance(e, str):
        return e
    if isinstance(e, sp.Equality):
        return printing.latex(e.lhs) + " &= " + printing.latex(e.rhs)
    return printing.latex(e)


#: printed width (see :func:`printing.tex_width`) of an equation line in a document
LINE_WIDTH = 74


def equation_lines(e, width=LINE_WIDTH):
    """The ``align`` lines of one item of a step: an equation broken between terms when it is wider
    than ``width``; an expression alone is aligned at its start."""
    if isinstance(e, str):
        return [e]
    if isinstance(e, sp.Equality):
        return printing.display_lines(e.lhs, e.rhs, width)
    lines = printing.split_sum("", e, width)
    return [lines[0].replace(" &= ", "& ", 1)] + lines[1:]


def numbered_align(items, label=None, width=LINE_WIDTH):
    """An ``align`` environment: one number per item (continuation lines unnumbered), the first item
    labelled ``label`` and the others ``label`` + ``b``, ``c``, ..."""
    lines = []
    for k, item in enumerate(items):
        broken = equation_lines(item, width)
        for j, line in enumerate(broken):
            if j < len(broken) - 1:
                line += r" \nonumber"
            elif label:
                line += r" \label{%s}" % (label + ("" if k == 0 else "abcdefghijklmnopqrstuvwxyz"[k % 26]))
            lines.append(line)
    return "\\begin{align}\n" + " \\\\\n".join(lines) + "\n\\end{align}"


def _text_math(text):
    """A sentence with ``$...$`` math as MathJax-friendly LaTeX: ``\\text{...}`` pieces and math."""
    out = []
    for i, piece in enumerate(text.split("$")):
        if i % 2:
            out.append(piece)
        elif piece:
            piece = re.sub(r"([&%#_{}])", r"\\\1", piece)
            out.append(r"\text{%s}" % piece)
    return "".join(out)


class Derivation:
    """An ordered list of :class:`Step`; renders to LaTeX and in Jupyter."""

    def __init__(self, title):
        self.title = title
        self.steps = []

    def add(self, title, expr, note=""):
        self.steps.append(Step(title, expr, note))
        return expr

    def copy(self, title=None):
        d = Derivation(title or self.title)
        d.steps = list(self.steps)
        return d

    def __len__(self):
        return len(self.steps)

    def __iter__(self):
        return iter(self.steps)

    def __getitem__(self, i):
        return self.steps[i]

    def titles(self):
        return [s.title for s in self.steps]

    def latex(self, label="step"):
        """LaTeX body: one paragraph per step, its justification and its numbered equations
        (``align``, labelled ``eq:<label><i>``; needs amsmath). Long equations are broken between
        terms so that they fit a page 17 cm wide."""
        parts = []
        for i, s in enumerate(self.steps, 1):
            parts.append(r"\paragraph{Step %d: %s}" % (i, escape_text(s.title)))
            if s.note:
                parts.append(escape_text(s.note))
            items = list(s.expr) if isinstance(s.expr, (list, tuple)) else [s.expr]
            parts.append(numbered_align(items, "eq:%s%d" % (label, i) if label else None))
        return "\n".join(parts)

    def _repr_latex_(self):
        """The derivation typeset in Jupyter (MathJax): titles, justifications and equations."""
        lines = [r"\textbf{%s}" % _text_math(self.title).replace(r"\text", "")]
        for i, s in enumerate(self.steps, 1):
            lines.append(r"\textbf{%d. %s}" % (i, re.sub(r"([&%#_{}])", r"\\\1", s.title)))
            if s.note:
                lines.append(_text_math(s.note))
            items = list(s.expr) if isinstance(s.expr, (list, tuple)) else [s.expr]
            for item in items:
                body = _latex_item(item)
                lines.append(body if "&" in body else "& " + body)
        return "$$\\begin{aligned}" + " \\\\ ".join(
            line if "&" in line else "&" + line for line in lines) + "\\end{aligned}$$"

    def __repr__(self):
        return f"<Derivation {self.title!r}: {len(self.steps)} steps>"


_UNICODE = {"→": r"$\to$", "–": "--", "—": "---", "σ": r"$\sigma$", "β": r"$\beta$",
            "α": r"$\alpha$", "ξ": r"$\xi$", "μ": r"$\mu$", "√": r"$\surd$", "≥": r"$\geq$",
            "≤": r"$\leq$", "²": r"$^2$", "Σ": r"$\Sigma$", "λ": r"$\lambda$", "é": r"\'e",
            "ö": r'\"o', "ü": r'\"u', "ß": r"{\ss}"}


def escape_text(text):
    """Plain text (titles, notes) made safe for pdflatex; ``$...$`` segments pass through as math."""
    pieces = text.split("$")
    for i in range(0, len(pieces), 2):   # even pieces are text, odd ones math
        piece = pieces[i]
        for a, b in (("\\", r"\textbackslash{}"), ("&", r"\&"), ("%", r"\%"), ("#", r"\#"),
                     ("_", r"\_"), ("^", r"\^{}"), ("<", r"$<$"), (">", r"$>$")):
            piece = piece.replace(a, b)
        for a, b in _UNICODE.items():
            piece = piece.replace(a, b)
        pieces[i] = piece
    return "$".join(pieces)


def aligned_lines(lhs, expr, per_line=None, width=LINE_WIDTH):
    """``lhs = expr`` as ``align`` lines broken between terms so that each fits ``width``
    (``per_line`` is ignored: kept for old callers)."""
    return printing.split_sum(lhs, expr, width)
