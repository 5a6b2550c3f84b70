"""The command line: listing, derivation, solving, and clear errors for bad arguments."""
import json
import os
import shutil
import subprocess
import sys

import pytest

import statmech_nn as snn
from statmech_nn.cli import main
from statmech_nn.errors import ParameterError


def test_models_lists_the_registry(capsys):
    assert main(["models"]) == 0
    out = capsys.readouterr().out
    names = {line.split()[0] for line in out.splitlines()[2:]}     # under the header and its rule
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


# -- every option, typed by its declared kind ------------------------------------------------------

def test_every_structural_option_of_every_model_is_settable():
    from statmech_nn.cli import _build_model, option_kind
    from statmech_nn.models import model_class
    for name in snn.available_models():
        for key, (default, allowed, _) in model_class(name).structural_options.items():
            kind = option_kind(default, allowed)
            assert kind in ("integer", "text"), (name, key, kind)
            for value in allowed:
                model, _ = _build_model(name, {key: str(value)})
                assert model.options[key] == value and type(model.options[key]) is type(value)


def test_option_kind_is_derived_from_the_declared_values():
    from statmech_nn.cli import _option_value, option_kind
    assert option_kind(2, (1, 2, 3)) == "integer" and option_kind("a", ("a", "b")) == "text"
    assert option_kind(0.5, (0.5, 1.0)) == "number" and option_kind(True, (True, False)) == "boolean"
    assert option_kind(1, (1, "auto")) == "value"
    assert _option_value("m", "flag", "yes", True, (True, False)) is True
    assert _option_value("m", "mode", "auto", 1, (1, "auto")) == "auto"
    assert _option_value("m", "mode", "1", 1, (1, "auto")) == 1
    with pytest.raises(ParameterError, match=r"option flag='maybe' of model 'm' must be a boolean"):
        _option_value("m", "flag", "maybe", True, (True, False))


@pytest.mark.parametrize("argv, message", [
    (["solve", "hopfield", "patterns=two"], "option patterns='two' of model 'hopfield' must be an integer, one of 1, 2"),
    (["solve", "hopfield", "pattern=gaussian"], "option 'pattern' of model 'hopfield' must be one of ['binary', 'diluted', 'biased']"),
    (["solve", "sk", "units=2"], "option 'units' of model 'sk' must be one of ['ising', 'binary', 'gaussian', 'spherical']"),
])
def test_bad_option_values_name_the_option_and_the_allowed_values(argv, message, capsys):
    assert main(argv) == 2
    assert message in capsys.readouterr().err


# -- tables and readable results ----------------------------------------------------------------

def test_models_table_is_aligned_for_long_names(capsys):
    assert main(["models"]) == 0
    lines = capsys.readouterr().out.splitlines()
    rows = lines[2:]
    assert any(len(line.split()[0]) > 14 for line in rows)       # teacher-student-perceptron, ...
    column = len(lines[1].split()[0]) + 1                           # where the rule's second dash run starts
    for line in rows:                                               # every title starts in that column
        assert line[:column].rstrip() == line.split()[0] and line[column] != " ", line


def test_solve_prints_a_readable_result(capsys):
    assert main(["solve", "curie-weiss", "T=0.5", "--guess", "m=1"]) == 0
    out = capsys.readouterr().out
    assert "<Solution" not in out and out.startswith("curie-weiss at J=1, h=0, T=0.5")
    values = {line.split()[0]: line.split()[1] for line in out.splitlines()[3:]}
    assert float(values["m"]) == pytest.approx(0.9575040240772687, abs=1e-9)   # m = tanh(2m), brentq
    assert values["converged"] == "yes" and values["stable"] == "yes"


# -- Monte Carlo and cross-check from the shell -------------------------------------------------------

DILUTED = ["hopfield", "pattern=diluted", "d=0.2", "T=0.1"]
SMALL_MC = ["--samples", "2", "--sweeps", "40", "--seed", "1"]


def test_solve_mc_and_crosscheck_with_a_text_option(tmp_path, capsys):
    # diluted patterns (option pattern=diluted): theory, Monte Carlo and their comparison
    assert main(["solve", *DILUTED, "alpha=0.02", "--json"]) == 0
    theory = json.loads(capsys.readouterr().out)
    m = theory["order_parameters"]["m"]
    assert theory["converged"] and theory["stable"] and 0.7 < m < 0.9

    journal = tmp_path / "mc.jsonl"
    argv = ["mc", *DILUTED, "alpha=0.02", "--N", "200", *SMALL_MC, "--json", "--resume", str(journal)]
    assert main(argv) == 0
    mc = json.loads(capsys.readouterr().out)
    assert mc["N"] == 200 and mc["info"]["P"] == 4 and mc["settings"]["samples"] == 2
    assert abs(mc["observables"]["m"]["mean"] - m) < 0.1           # MC agrees with the RS theory
    frozen = journal.read_bytes()
    assert main(argv) == 0 and json.loads(capsys.readouterr().out) == mc   # resumed: nothing ran again
    assert journal.read_bytes() == frozen

    assert main(["mc", *DILUTED, "alpha=0.02", "--N", "200", *SMALL_MC]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].startswith("Monte Carlo of hopfield at alpha=0.02") and table[1].split()[:2] == ["observable", "mean"]
    assert float(next(line for line in table if line.startswith("m ")).split()[1]) == pytest.approx(
        mc["observables"]["m"]["mean"], abs=5e-6)

    argv = ["crosscheck", *DILUTED, "--path", "alpha=0.02,0.05", "--N", "100,200", *SMALL_MC, "--guess", "m=1"]
    assert main(argv + ["--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["rows"]
    assert [(r["alpha"], r["N"]) for r in rows] == [(0.02, 100), (0.02, 200), (0.05, 100), (0.05, 200)]
    assert rows[0]["theory"] == pytest.approx(m, abs=1e-9) and all(r["converged"] for r in rows)
    assert main(argv) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "theory m" in lines[1] and len(lines) == 3 + 4 + 1


def test_sk_with_a_text_option_solves_and_simulates(capsys, monkeypatch):
    assert main(["solve", "sk", "units=spherical", "J0=1.5", "T=0.5", "--json"]) == 0
    sol = json.loads(capsys.readouterr().out)
    # spherical SK ferromagnet (Kosterlitz, Thouless, Jones, PRL 36, 1217 (1976)): q = 1 - T/J0,
    # m² = (1 - T/J0)(1 - 1/J0²) at J = 1; J0 = 1.5, T = 0.5
    q, m = sol["order_parameters"]["q"], sol["order_parameters"]["m"]
    assert sol["converged"] and q == pytest.approx(2 / 3, abs=1e-9) and m**2 == pytest.approx(2 / 3 * 5 / 9, abs=1e-9)
    # spherical spins are simulated from the model's declaration (pair rotations on the sphere)
    assert main(["mc", "sk", "units=spherical", "J0=1.5", "T=0.5", "--N", "200", "--samples", "4",
                 "--sweeps", "200", "--json"]) == 0
    obs = json.loads(capsys.readouterr().out)["observables"]
    N = 200
    assert abs(obs["m"]["mean"] - m) <= 3 * obs["m"]["stderr"] + 1 / N**0.5, obs["m"]
    assert abs(obs["q"]["mean"] - q) <= 3 * obs["q"]["stderr"] + 1 / N**0.5, obs["q"]
    assert main(["crosscheck", "sk", "units=spherical", "J0=1.5", "--path", "T=0.4,0.5", "--N", "100",
                 "--samples", "2", "--sweeps", "100", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["rows"]
    assert [r["T"] for r in rows] == [0.4, 0.5] and all(r["converged"] for r in rows)
    # a model the sampler cannot simulate (spherical p = 3: p-body couplings) is refused before the theory
    from statmech_nn.symbolic.free_energy import SaddlePoint
    monkeypatch.setattr(SaddlePoint, "compile", lambda *a, **k: pytest.fail("compiled before the check"))
    assert main(["mc", "p-spin", "spins=spherical", "T=0.5", "--N", "50"]) == 2
    assert "no Monte Carlo sampler for GaussianCouplings(J=1): p = 3" in capsys.readouterr().err
    assert main(["crosscheck", "p-spin", "spins=spherical", "--path", "T=0.4,0.5", "--N", "50"]) == 2
    assert "p = 3" in capsys.readouterr().err


# -- output paths are checked before any computation ------------------------------------------------

def test_output_paths_are_checked_before_computing(tmp_path, monkeypatch, capsys, snapshot):
    import statmech_nn.phases as phases
    from statmech_nn.models.base import Model
    monkeypatch.setattr(phases, "phase_diagram", lambda *a, **k: pytest.fail("computed before the check"))
    monkeypatch.setattr(Model, "free_energy", lambda self: pytest.fail("derived before the check"))
    monkeypatch.chdir(tmp_path)
    before = snapshot(tmp_path)
    cases = [
        (["phase-diagram", "hopfield", "--x", "alpha:0:0.2", "--y", "T:0:1.5", "--out", "/nonexistent/x.png"],
         "--out '/nonexistent/x.png': the folder '/nonexistent' does not exist"),
        (["phase-diagram", "hopfield", "--x", "alpha:0:0.2", "--y", "T:0:1.5", "--out", "x.txt"],
         "--out 'x.txt': the extension '.txt' is not allowed; use one of .json, .png, .pdf, .svg"),
        (["demo", "--out", "/proc/forbidden"], "cannot write in the folder '/proc'"),
        (["derive", "hopfield", "--latex", "/nonexistent/x.tex"], "the folder '/nonexistent' does not exist"),
        (["derive", "hopfield", "--latex", "x.pdf"], "the extension '.pdf' is not allowed; use one of .tex"),
        (["mc", "hopfield", "--resume", "/nonexistent/run.jsonl"], "the folder '/nonexistent' does not exist"),
    ]
    for argv, message in cases:
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err, (argv, err)
    assert snapshot(tmp_path) == before and not os.path.exists("/nonexistent")


def test_mc_refuses_absurd_sizes_with_the_estimate(capsys):
    assert main(["mc", "hopfield", "alpha=1e6", "--N", "100", "--samples", "1"]) == 2
    assert "P = 100000000 patterns" in capsys.readouterr().err
    assert main(["mc", "hopfield", "alpha=0.001", "--N", "100"]) == 2
    assert "alpha = 0.001 at N = 100 gives P = round(alpha N) = 1 pattern(s)" in capsys.readouterr().err


def test_phase_diagram_rsb_needs_the_temperature_axis(monkeypatch, capsys):
    from statmech_nn.models.base import Model
    monkeypatch.setattr(Model, "free_energy", lambda self, *a, **k: pytest.fail("derived before the check"))
    argv = ["phase-diagram", "p-spin", "p=3", "spins=spherical", "--x", "T:0.4:0.8", "--y", "h:0:0.3", "--rsb", "1"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "rsb=1 traces the 1RSB transition temperatures" in err and "got y = 'h'" in err
    assert "Traceback" not in err
