"""A derivation: the titled symbolic steps the replica engine performed."""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

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
        return sp.latex(e.lhs) + " &= " + sp.latex(e.rhs)
    return sp.latex(e)


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

    def latex(self):
        """LaTeX body: one numbered subsection-like paragraph per step (needs amsmath)."""
        parts = []
        for i, s in enumerate(self.steps, 1):
            parts.append(r"\paragraph{Step %d: %s}" % (i, escape_text(s.title)))
            if s.note:
                parts.append(escape_text(s.note))
            parts.append(r"\begin{equation*}")
            body = s.latex()
            if "&" in body and not body.startswith(r"\begin{aligned}"):
                body = r"\begin{aligned}" + body + r"\end{aligned}"
            parts.append(body)
            parts.append(r"\end{equation*}")
        return "\n".join(parts)

    def _repr_markdown_(self):
        out = [f"**{self.title}**\n"]
        for i, s in enumerate(self.steps, 1):
            body = s.latex()
            if "&" in body and not body.startswith(r"\begin{aligned}"):
                body = r"\begin{aligned}" + body + r"\end{aligned}"
            out.append(f"{i}. *{s.title}*. {s.note}\n\n   $$ {body} $$\n")
        return "\n".join(out)

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


def aligned_lines(lhs, expr, per_line=3):
    """``lhs = expr`` as ``align`` lines of a few terms each, so long sums fit the page."""
    terms = sp.Add.make_args(sp.sympify(expr)) if isinstance(expr, sp.Add) else (expr,)
    lines = []
    for i in range(0, len(terms), per_line):
        chunk = sp.latex(sp.Add(*terms[i:i + per_line], evaluate=False))
        if i and not chunk.startswith("-"):
            chunk = "+ " + chunk
        lines.append(("%s &= " % lhs if not i else "&\\quad ") + chunk)
    return lines
