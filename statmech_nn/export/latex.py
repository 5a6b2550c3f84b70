"""Complete LaTeX documents from the replica engine's own steps."""
from __future__ import annotations

import datetime
import os
import re


from ..errors import DerivationError, StatmechError
from ..symbolic.derivation import LINE_WIDTH, escape_text
from ..symbolic.printing import display_lines, latex

__all__ = ["latex_document", "compile_latex", "derivation_document", "write_derivation"]

_PREAMBLE = r"""\documentclass[10pt]{article}
\usepackage[utf8]{inputenc}
\usepackage[margin=2cm]{geometry}
\usepackage{amsmath,amssymb}
\allowdisplaybreaks
\setlength{\parindent}{0pt}
"""


def latex_document(title, body, packages=(), references=()):
    """A standalone LaTeX document around ``body`` (already LaTeX), with the package's preamble.

    Parameters
    ----------
    title : str
        Plain text; escaped here.
    body : str or sequence of str
        LaTeX source of the document body (joined by blank lines).
    packages : sequence of str
        Extra ``\\usepackage`` names, e.g. ``("tikz",)`` for diagrams.
    references : sequence of str
        Plain-text references, listed at the end.
    """
    from .. import __version__
    if not isinstance(body, str):
        body = "\n\n".join(body)
    parts = [_PREAMBLE]
    parts += [r"\usepackage{%s}" % name for name in packages]
    parts += [r"\title{%s}" % escape_text(title),
              r"\author{statmech\_nn %s}" % __version__,
              r"\date{%s}" % datetime.date.today().isoformat(),
              r"\begin{document}", r"\maketitle", body]
    if references:
        parts += [r"\section*{References}", r"\begin{itemize}\raggedright"]
        parts += [r"\item " + escape_text(ref) for ref in references]
        parts.append(r"\end{itemize}")
    parts.append(r"\end{document}")
    return "\n".join(parts) + "\n"


def compile_latex(tex_path, timeout=120):
    """Run ``pdflatex`` on ``tex_path`` in its folder; returns the PDF path.

    Raises
    ------
    FileNotFoundError
        If ``pdflatex`` is not installed (install TeX Live, e.g. ``texlive-latex-recommended``).
    StatmechError
        If pdflatex fails; the message holds the end of its log.
    """
    import shutil
    import subprocess
    if shutil.which("pdflatex") is None:
        raise FileNotFoundError("pdflatex not found: install TeX Live (texlive-latex-base and "
                                "texlive-latex-recommended) to compile the exported LaTeX")
    folder, name = os.path.split(os.path.abspath(tex_path))
    # twice: the second pass resolves the \ref{}s of the numbered equations
    for _ in range(2):
        proc = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", name], cwd=folder,
                              capture_output=True, text=True, timeout=timeout)
        if proc.returncode != 0:
            raise StatmechError(f"pdflatex failed on {tex_path}:\n{proc.stdout[-2000:]}")
    return os.path.join(folder, os.path.splitext(name)[0] + ".pdf")


def _label(*parts):
    return "eq:" + "-".join(re.sub(r"[^A-Za-z0-9]+", "", str(p)) or "x" for p in parts)


def _long_equation(lhs, expr, label=None, width=LINE_WIDTH):
    """``lhs = expr`` as a numbered display: one line when it fits, otherwise a ``split`` broken
    between terms (the display form of ``expr``, checked equal to it)."""
    lines = display_lines(lhs, expr, width)
    tag = "\n\\label{%s}" % label if label else ""
    if len(lines) == 1:
        return "\\begin{equation}\n" + lines[0].replace(" &= ", " = ", 1) + tag + "\n\\end{equation}"
    return ("\\begin{equation}" + tag + "\n\\begin{split}\n" + " \\\\\n".join(lines)
            + "\n\\end{split}\n\\end{equation}")


def _equations(pairs, label=None):
    """Numbered ``align`` of ``lhs = rhs`` pairs, each labelled ``label-<lhs>``."""
    lines = []
    for k, v in pairs:
        broken = display_lines(k, v, LINE_WIDTH)
        for j, line in enumerate(broken):
            if j < len(broken) - 1:
                line += r" \nonumber"
            elif label:
                line += r" \label{%s}" % _label(label, k)
            lines.append(line)
    return "\\begin{align}\n" + " \\\\\n".join(lines) + "\n\\end{align}"


def derivation_document(model, zero_temperature=True):
    """A standalone LaTeX document: the model, every engine step (numbered, labelled equations with
    a line of justification each), the free energy, the saddle point, its ``T = 0`` limit and the
    replicon in display form, with the model's references.

    Every printed form is the display form of the engine's expression (terms ordered and factored
    as physicists write them), verified equal to it by SymPy; long equations are broken between
    terms.

    Parameters
    ----------
    model : statmech_nn.models.base.Model
    zero_temperature : bool
        Include the zero-temperature section when the model has one.
    """
    fe = model.free_energy()
    saddle = fe.saddle_point()
    parts = [r"\section{Derivation}",
             "Every expression below was produced by the replica engine of statmech\\_nn; nothing was "
             "typed in. Gaussian averages $\\langle\\cdot\\rangle_z$ are over a standard normal $z$, "
             "pattern averages $\\langle\\cdot\\rangle_\\xi$ over the pattern entries.",
             saddle.derivation.latex(label="step"),
             r"\section{Result}",
             r"\subsection{Free energy}",
             "The replica-symmetric free energy per unit, to be extremised over "
             + ", ".join("$%s$" % latex(o) for o in fe.order_parameters) + ":",
             _long_equation("f", fe.expr, label="eq:free-energy"),
             r"\subsection{Saddle-point equations}",
             "Stationarity of \\eqref{eq:free-energy} in each order parameter:",
             _equations(saddle.equations.items(), label="saddle")]
    if saddle.replicon is not None:
        parts += [r"\subsection{Stability}",
                  "The replica-symmetric solution is stable while the replicon eigenvalue is positive "
                  "(de Almeida--Thouless):",
                  _long_equation(r"\lambda_R", saddle.replicon, label="eq:replicon")]
    zt = None
    if zero_temperature:
        try:
            zt = saddle.zero_temperature()
        except DerivationError:   # e.g. soft units: the model has no T = 0 section
            zt = None
    if zt is not None and getattr(model, "zero_temperature_limit", None) == "version space":
        parts += [r"\section{Zero temperature: the version space}",
                  "As $\\beta\\to\\infty$ only weights without errors keep their weight; the overlaps "
                  "stay below 1:",
                  _equations(zt.equations.items(), label="zero"),
                  "Minus the entropy of the version space per weight:",
                  _long_equation("-s", zt.free_energy, label="eq:zero-entropy")]
    elif zt is not None:
        parts += [r"\section{Zero temperature}",
                  "With $C=\\beta(1-q)$ finite as $\\beta\\to\\infty$:",
                  _equations(zt.equations.items(), label="zero"),
                  "Ground-state energy per unit:",
                  _long_equation("e_0", zt.free_energy, label="eq:ground-state")]
    return latex_document(f"{model.title}: replica-symmetric derivation", "\n".join(parts),
                          references=model.references)


def write_derivation(model, path, **options):
    """Write :func:`derivation_document` to ``path`` (a ``.tex`` file in an existing folder, checked
    before the document is built: :class:`~statmech_nn.errors.OutputPathError` otherwise); returns
    the path."""
    from ..files import check_output_path
    check_output_path(path, (".tex",), "LaTeX file")
    text = derivation_document(model, **options)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)
    return path
