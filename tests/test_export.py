"""LaTeX export: the derivation documents compile with real pdflatex."""
import os
import re
import shutil
import subprocess
import sys

import pytest
import sympy as sp

import statmech_nn as snn
from statmech_nn.export import derivation_document

# one xdist worker for the module: the documents of every registry model are derived once, not per worker
pytestmark = pytest.mark.xdist_group("export")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
needs_pdflatex = pytest.mark.skipif(shutil.which("pdflatex") is None and not os.environ.get("CI"),
                                    reason="pdflatex not installed (CI installs it)")


def pdflatex(tex_path):
    proc = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error",
                           os.path.basename(tex_path)], cwd=os.path.dirname(tex_path),
                          capture_output=True, text=True, timeout=120)
    return proc.returncode, proc.stdout


@needs_pdflatex
def test_hopfield_ags_script_compiles(tmp_path):
    subprocess.run([sys.executable, os.path.join(ROOT, "derivations", "hopfield_ags.py"),
                    "--out", str(tmp_path)], check=True, capture_output=True)
    tex = tmp_path / "hopfield_ags.tex"
    text = tex.read_text()
    # the engine's steps are in the document, with the AT line and the T = 0 limit
    assert text.count(r"\paragraph{Step") >= 10
    assert r"\lambda_R" in text and "Zero temperature" in text
    rc, log = pdflatex(str(tex))
    assert rc == 0, log[-2000:]
    pdf = tmp_path / "hopfield_ags.pdf"
    assert pdf.stat().st_size > 10_000
    pages = int(re.search(r"Output written on hopfield_ags\.pdf \((\d+) pages?", log).group(1))
    assert pages >= 3


@pytest.fixture(scope="session")
def documents():
    """Each registry model's derivation document, built once (per session: a module fixture is set
    up again whenever xdist interleaves another module's tests)."""
    return {name: derivation_document(snn.model(name)) for name in snn.available_models()}


@needs_pdflatex
@pytest.mark.parametrize("name", snn.available_models())
def test_every_model_document_compiles(tmp_path, documents, name):
    tex = tmp_path / f"{name}.tex"
    tex.write_text(documents[name])
    rc, log = pdflatex(str(tex))
    assert rc == 0, log[-2000:]
    assert "Overfull" not in log, re.findall(r"Overfull[^\n]*", log)
    assert (tmp_path / f"{name}.pdf").stat().st_size > 5_000


def _unbalanced_script(group):
    return group.count(")") > group.count("(") or group.count("(") > group.count(")")


@pytest.mark.parametrize("name", snn.available_models())
def test_notation_of_every_model(documents, name):
    text = documents[name]
    # SymPy's symbol-name splitting (sigma^{a)}, O(t^{3)}) leaves a script group with an unmatched
    # parenthesis: ^{...)} / _{...)}
    for pattern in (r"\^\{([^{}]*\))\}", r"_\{([^{}]*\))\}"):
        broken = [g for g in re.findall(pattern, text) if _unbalanced_script(g)]
        assert not broken, broken
    assert text.count("{") - text.count(r"\{") == text.count("}") - text.count(r"\}")
    assert r"\textbackslash" not in text      # no Symbol name escaped as text
    assert "\\sum_{i\\sigma" not in text and "{\\sigma}" not in text
    # every LaTeX-bearing symbol in the engine's steps carries its LaTeX in a printer hook
    from statmech_nn.symbolic.printing import Tex
    fe = snn.model(name).free_energy()
    for step in fe.saddle_point().derivation:
        items = step.expr if isinstance(step.expr, (list, tuple)) else [step.expr]
        for item in items:
            if isinstance(item, str):
                continue
            for s in item.atoms(sp.Symbol):
                if not isinstance(s, Tex):
                    assert not re.search(r"[{}^]|\\[a-z]+[_^(\\]", s.name), (name, step.title, s.name)
                else:
                    assert "\\" not in s.name, s.name


@pytest.mark.parametrize("name", snn.available_models())
def test_printed_final_forms_are_the_engine_expressions(name):
    # what is printed (the display form, or the engine's own expression where SymPy could not confirm
    # the display form quickly) expands to the engine's expression
    from statmech_nn.symbolic.printing import _evaluate, checked_tidy
    fe = snn.model(name).free_energy()
    saddle = fe.saddle_point()
    for e in [fe.expr, saddle.replicon] + list(saddle.equations.values()):
        if e is None:
            continue
        shown = checked_tidy(e)
        assert shown is e or sp.expand(_evaluate(shown) - e) == 0


def test_display_forms_read_like_the_literature():
    from statmech_nn.symbolic.printing import latex
    beta, q, r, alpha = sp.symbols("beta q r alpha", positive=True)
    assert latex(beta * q - beta + 1) == r"1 - \beta \left(1 - q\right)"
    assert latex(alpha * beta * r / 2 - alpha * beta * q * r / 2) == r"\frac{\alpha \beta r \left(1 - q\right)}{2}"
    assert latex(alpha / (2 * beta * q - 2 * beta + 2)) == r"\frac{\alpha}{2 \left(1 - \beta \left(1 - q\right)\right)}"
    fe = snn.model("hopfield").free_energy()
    text = fe.latex()
    assert r"\frac{\alpha \beta r \left(1 - q\right)}{2}" in text
    assert r"\log{\left(1 - \beta \left(1 - q\right) \right)}" in text
    # the Hamiltonian and the replicated partition function are SymPy expressions
    steps = {s.title: s for s in fe.derivation}
    assert r"- h \sum_i\sigma_i" in steps["Hamiltonian"].latex()
    assert r"\det\left(1 - \beta Q\right)" in fe.derivation.latex()
    assert r"\lim_{N \to \infty}" in steps["Replicated partition function"].latex()


def test_derivation_renders_as_latex_in_jupyter():
    d = snn.model("hopfield").free_energy().derivation
    text = d._repr_latex_()
    assert text.startswith("$$") and text.endswith("$$") and r"\begin{aligned}" in text
    assert not hasattr(d, "_repr_markdown_")
