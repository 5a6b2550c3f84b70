"""The command line: listing, derivation, solving, and clear errors for bad arguments."""
import json
import os
import shutil
import subprocess
import sys

import pytest

import statmech_nn as snn
from statmech_nn.cli import main


def test_models_lists_the_registry(capsys):
    assert main(["models"]) == 0
    out = capsys.readouterr().out
    names = {line.split()[0] for line in out.splitlines()}
    assert names == set(snn.available_models()) and {"curie-weiss", "sk", "hopfield"} <= names


def test_derive_json_gives_the_equations(capsys):
    assert main(["derive", "sk", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["order_parameters"] == ["m", "q"]
    assert set(payload["equations"]) == {"m", "q"}
    assert "tanh" in payload["equations"]["q"] and "Replica limit n → 0" in payload["steps"]


def test_derive_writes_latex(tmp_path, capsys):
    target = tmp_path / "h.tex"
    assert main(["derive", "hopfield", "patterns=2", "--latex", str(target)]) == 0
    text = target.read_text()
    assert r"\documentclass" in text and "m_{2}" in text


def test_solve_json_reproduces_AGS_retrieval(capsys):
    # AGS (1987): retrieval overlap close to 1 at alpha = 0.05, T = 0.1
    assert main(["solve", "hopfield", "alpha=0.05", "T=0.1", "--json"]) == 0
    sol = json.loads(capsys.readouterr().out)
    assert sol["converged"] is True and 0.98 < sol["order_parameters"]["m"] < 1.0
    assert main(["solve", "curie-weiss", "T=0.5", "--guess", "m=1", "--json"]) == 0
    m = json.loads(capsys.readouterr().out)["order_parameters"]["m"]
    assert m == pytest.approx(0.9575040240772687, abs=1e-10)   # m = tanh(2m), brentq


@pytest.mark.parametrize("argv, message", [
    (["solve", "hopfield", "alpha=abc"], "alpha='abc': the value must be a number"),
    (["solve", "hopfield", "gamma=1"], "unknown parameter(s) 'gamma'"),
    (["solve", "hopfield", "T=-1"], "T must lie in"),
    (["solve", "hopfield", "alpha=-0.1"], "alpha must lie in"),
    (["solve", "hopfield", "alpha"], "is not of the form name=value"),
    (["solve", "hopfield", "T=nan"], "must be finite"),
    (["solve", "hopfield", "__import__('os')=1"], "is not a parameter name"),
    (["solve", "hopfeld", "T=1"], "unknown model 'hopfeld'"),
    (["derive", "hopfield", "patterns=9"], "option 'patterns'"),
    (["solve", "hopfield", "T=0.1", "--guess", "m=x"], "m='x': the value must be a number"),
])
def test_bad_arguments_exit_2_with_a_message(argv, message, capsys):
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_non_convergence_exits_3(capsys, monkeypatch):
    # a guess from which the damped/Newton iteration cannot finish in one step
    from statmech_nn.symbolic.free_energy import SaddlePoint
    original = SaddlePoint.compile
    monkeypatch.setattr(SaddlePoint, "compile", lambda self, **kw: original(self, maxiter=1))
    assert main(["solve", "sk", "T=0.5"]) == 3
    assert "did not converge" in capsys.readouterr().err


def test_console_script_is_installed():
    exe = shutil.which("statmech-nn", path=os.path.dirname(sys.executable))
    assert exe is not None
    out = subprocess.run([exe, "describe", "sk"], capture_output=True, text=True, check=True).stdout
    assert "J0" in out and "[0.0, inf]" in out
