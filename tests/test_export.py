"""LaTeX export: the derivation documents compile with real pdflatex."""
import os
import re
import shutil
import subprocess
import sys

import pytest

import statmech_nn as snn
from statmech_nn.export import derivation_document

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


@needs_pdflatex
@pytest.mark.parametrize("name", snn.available_models())
def test_every_model_document_compiles(tmp_path, name):
    tex = tmp_path / f"{name}.tex"
    tex.write_text(derivation_document(snn.model(name)))
    rc, log = pdflatex(str(tex))
    assert rc == 0, log[-2000:]
    assert (tmp_path / f"{name}.pdf").stat().st_size > 5_000
