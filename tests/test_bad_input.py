"""Every failure a user can cause is a typed statmech_nn error (also the matching builtin) naming the
culprit and what is allowed; input files and output folders are byte-identical after a refused call."""
import os
import re
import warnings

import numpy as np
import pytest

import statmech_nn as snn
from statmech_nn.errors import (InputFileError, MissingFileError, OutputPathError, ParameterError, ResourceError,
                                StatmechError)


# -- PhaseDiagram.load ----------------------------------------------------------------------------

def _tiny_diagram():
    from statmech_nn.phases.diagram import Line
    return snn.PhaseDiagram("hopfield", {"patterns": 1}, {"h": 0.0}, ("alpha", 0.0, 0.1), ("T", 0.0, 1.0),
                            [0.0, 0.1], [0.0, 1.0], [["retrieval", "spin glass"], ["paramagnet", "paramagnet"]],
                            [Line("spinodal: retrieval", "spinodal", np.array([[0.0, 0.5], [0.1, 0.2]]))], [])


def test_load_of_a_missing_file(tmp_path):
    with pytest.raises(MissingFileError, match=r"phase diagram file '.*nope.json': no such file") as err:
        snn.PhaseDiagram.load(tmp_path / "nope.json")
    assert isinstance(err.value, FileNotFoundError) and isinstance(err.value, StatmechError)


@pytest.mark.parametrize("content, message", [
    (None, r"not valid JSON: .* at line \d+"),                               # truncated
    (b"\x89PNG\r\n\x1a\n\x00\x00", r"not UTF-8 text: byte 0x89 at line 1"),  # binary
    (b'{"some": "other json"}', r"the entry 'format' is not 'statmech_nn.PhaseDiagram'"),
    (b"[1, 2]", r"the entry 'format'"),
    (b'{"format": "statmech_nn.PhaseDiagram", "version": "0.1.0"}', r"the entry 'model' is missing"),
    (b"", r"is empty"),
])
def test_load_of_a_bad_file_names_it_and_leaves_it_alone(tmp_path, snapshot, content, message):
    path = tmp_path / "pd.json"
    if content is None:
        _tiny_diagram().save(path)
        content = path.read_bytes()[:-25]
    path.write_bytes(content)
    before = snapshot(tmp_path)
    with pytest.raises(InputFileError, match=message) as err:
        snn.PhaseDiagram.load(path)
    assert str(path) in str(err.value) and isinstance(err.value, ValueError)
    assert snapshot(tmp_path) == before


def test_a_saved_diagram_loads_back(tmp_path):
    path = tmp_path / "pd.json"
    _tiny_diagram().save(path)
    back = snn.PhaseDiagram.load(path)
    assert back.phase_at(alpha=0.0, T=0.0) == "retrieval"
    assert np.array_equal(back.boundaries["spinodal: retrieval"], [[0.0, 0.5], [0.1, 0.2]])


# -- output paths ------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, message", [
    ("/nonexistent/x.png", r"the folder '/nonexistent' does not exist \(folders are not created"),
    ("x.txt", r"the extension '.txt' is not allowed; use one of .json, .png, .pdf, .svg"),
    ("/proc/forbidden.png", r"cannot write in the folder '/proc'"),
])
def test_phase_diagram_save_checks_the_path(tmp_path, monkeypatch, snapshot, name, message):
    monkeypatch.chdir(tmp_path)
    before = snapshot(tmp_path)
    with pytest.raises(OutputPathError, match=message):
        _tiny_diagram().save(name)
    assert snapshot(tmp_path) == before and not os.path.exists("/nonexistent")


def test_write_derivation_creates_no_folder(tmp_path, monkeypatch):
    from statmech_nn.export import write_derivation
    from statmech_nn.models.base import Model
    monkeypatch.setattr(Model, "free_energy", lambda self: pytest.fail("derived before the path was checked"))
    with pytest.raises(OutputPathError, match="does not exist"):
        write_derivation(snn.model("hopfield"), tmp_path / "new" / "x.tex")
    assert not os.path.exists(tmp_path / "new")
    with pytest.raises(OutputPathError, match="extension '.pdf'"):
        write_derivation(snn.model("hopfield"), tmp_path / "x.pdf")


def test_demo_checks_its_folder_before_any_work(monkeypatch):
    from statmech_nn.demo import run_demo
    monkeypatch.setattr(snn, "model", lambda *a, **k: pytest.fail("work started before the check"))
    with pytest.raises(OutputPathError, match="cannot write in the folder '/proc'"):
        run_demo("/proc/forbidden")
    with pytest.raises(OutputPathError, match="parent folder '/nonexistent' does not exist"):
        run_demo("/nonexistent/out")
    assert not os.path.exists("/nonexistent")


# -- Monte Carlo sizes ----------------------------------------------------------------------------

def test_monte_carlo_refuses_absurd_memory_up_front(tmp_path, monkeypatch, snapshot):
    from statmech_nn.montecarlo import runner
    monkeypatch.setattr(runner, "run_task", lambda task: pytest.fail("a sample ran"))
    monkeypatch.chdir(tmp_path)
    before = snapshot(tmp_path)
    # alpha = 1e6 at N = 100: 1e8 patterns, drawn as 8-byte uniforms: ~169 GiB (was a raw MemoryError)
    with pytest.raises(ResourceError, match=r"at N = 100, P = 100000000 patterns.* about 1\d\d GiB per "
                                            r"disorder sample") as err:
        snn.monte_carlo("hopfield", N=100, alpha=1e6, T=0.1, samples=1, sweeps=10, resume="run.jsonl")
    assert isinstance(err.value, MemoryError) and isinstance(err.value, ValueError)
    with pytest.raises(ResourceError, match=r"at N = 1000000000000, .*use a smaller N"):   # was a raw ValueError
        snn.monte_carlo("hopfield", N=10**12, alpha=0.05, T=0.1, samples=1, sweeps=10)
    with pytest.raises(ResourceError, match=r"model 'sk' at N = 1000000, 2 chain"):
        snn.monte_carlo("sk", N=10**6, T=0.5, samples=1, sweeps=10)
    assert snapshot(tmp_path) == before          # no resume file, nothing written


def test_monte_carlo_refuses_a_load_that_rounding_moves(monkeypatch):
    from statmech_nn.montecarlo import runner
    monkeypatch.setattr(runner, "run_task", lambda task: pytest.fail("a sample ran"))
    # alpha = 0.001 at N = 100: P = round(0.1) = 0 -> 1 pattern, alpha = 0.01 (was silently simulated)
    with pytest.raises(ParameterError, match=r"alpha = 0.001 at N = 100 gives P = round\(alpha N\) = 1 "
                                             r"pattern\(s\), i.e. alpha = 0.01 \(\+900.0 %\).*N = 991"):
        snn.monte_carlo("hopfield", N=100, alpha=0.001, T=0.1, samples=1, sweeps=10)
    with pytest.raises(ParameterError, match=r"alpha N\^2\) = 1 pattern"):
        snn.monte_carlo(snn.model("dense-hopfield", p=3), N=20, alpha=1e-4, T=0.1, samples=1, sweeps=10)


def test_loads_that_round_within_one_percent_run():
    from statmech_nn.montecarlo.systems import check_load
    check_load("hopfield", {"patterns": 1}, 400, {"alpha": 0.138})        # P = 55: alpha 0.1375 (-0.4 %)
    check_load("hopfield", {"patterns": 3}, 100, {"alpha": 0.0})          # alpha = 0: the condensed patterns
    with pytest.raises(ParameterError, match=r"P = round\(alpha N\) = 5 pattern\(s\), i.e. alpha = 0.05 \(-2.9 %\)"):
        check_load("hopfield", {"patterns": 1}, 100, {"alpha": 0.0515})


# -- spike rasters --------------------------------------------------------------------------------

@pytest.mark.parametrize("name, content, kwargs, error, message", [
    ("bad.npy", b"not an array at all", {}, InputFileError, r"is not a .npy file"),
    ("trunc.npy", None, {}, InputFileError, r"cannot be read as a .npy array \(ValueError"),
    ("latin1.csv", b"neuron,time\n0,1.5\n1,caf\xe9\n", {"bin_width": 1.0}, InputFileError,
     r"'.*latin1.csv' is not UTF-8 text: byte 0xe9 at line 3"),
    ("ids.csv", b"0,1.0\n1000000000000,2.0\n", {"bin_width": 1.0}, ResourceError,
     r"1e\+12 neurons \(largest id 1e\+12\) .* about 931 GiB"),
    ("times.csv", b"0,1.0\n1,1e308\n", {"bin_width": 5.0}, ResourceError,
     r"2e\+307 time bins \(last spike at t = 1e\+308"),
    ("cols.csv", b"0,1.0\n1,2.0,3\n", {"bin_width": 1.0}, InputFileError, r"line 2: expected 2 columns"),
])
def test_load_raster_bad_files(tmp_path, snapshot, name, content, kwargs, error, message):
    from statmech_nn.fields import load_raster
    path = tmp_path / name
    if content is None:
        np.save(path, np.eye(4, dtype=np.int8))
        content = path.read_bytes()[:100]
    path.write_bytes(content)
    before = snapshot(tmp_path)
    with pytest.raises(error, match=message) as err:
        load_raster(path, **kwargs)
    assert str(path) in str(err.value) or error is ResourceError
    assert snapshot(tmp_path) == before


def test_load_raster_missing_file_is_file_not_found(tmp_path):
    from statmech_nn.fields import load_raster
    with pytest.raises(FileNotFoundError, match="no such file"):
        load_raster(tmp_path / "spikes.csv", bin_width=1.0)


# -- the solver's numeric range -----------------------------------------------------------------

@pytest.fixture(scope="module")
def hopfield_solver():
    return snn.model("hopfield").saddle_point().compile()


@pytest.mark.parametrize("params, culprit, allowed", [
    ({"h": 1e308}, "'h' = 1e+308", r"\|h\| <= 1e\+100"),          # was f = -inf reported as converged
    ({"T": 1e308}, "'T' = 1e+308", r"T = 0 or 1e-100 <= T <= 1e\+100"),   # was stable=False, replicon 1
    ({"T": 1e-300}, "'T' = 1e-300", r"T = 0 or 1e-100"),
    ({"alpha": np.array([0.05, 1e200])}, "'alpha' = 1e+200", r"\|alpha\| <= 1e\+100"),
])
def test_solver_refuses_parameters_outside_its_range(hopfield_solver, params, culprit, allowed):
    with warnings.catch_warnings():
        warnings.simplefilter("error")            # and no numpy warnings on the way
        with pytest.raises(ParameterError, match=rf"parameter {re.escape(culprit)} is outside the range the "
                                                 rf"solver handles: {allowed}"):
            hopfield_solver.solve(**params)


def test_solver_is_overflow_free_up_to_its_range(hopfield_solver):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        hot = hopfield_solver.solve(T=1e100, alpha=0.05)
        # paramagnet: q = m = 0 and f = -T log 2 exactly in the large-T limit
        assert hot.converged and hot.stable and hot["q"] == 0.0
        assert hot.free_energy == pytest.approx(-1e100 * np.log(2), rel=1e-12)
        strong = hopfield_solver.solve(h=1e100, alpha=0.05, T=0.5)
        # the field dominates: f = -h to leading order, finite
        assert strong.converged and np.isfinite(strong.free_energy)
        assert strong.free_energy == pytest.approx(-1e100, rel=1e-9)


# -- options of samplers ------------------------------------------------------------------------------

def test_monte_carlo_refuses_options_its_sampler_does_not_simulate():
    # spherical p = 3 spins: neither the registry sampler (±1 spins) nor the declared one (pair terms)
    # simulates them; the error names the block (they would once have been simulated as Ising spins)
    with pytest.raises(ParameterError, match=r"no Monte Carlo sampler for GaussianCouplings\(J=1\): p = 3"):
        snn.monte_carlo(snn.model("p-spin", spins="spherical"), N=20, T=0.5, samples=1, sweeps=4)
    with pytest.raises(ParameterError, match=r"no Monte Carlo sampler for Gaussian\(variance=1\)"):
        snn.monte_carlo(snn.model("sk", units="gaussian"), N=20, T=0.5, samples=1, sweeps=4)


def test_typed_errors_are_builtins_too():
    assert issubclass(MissingFileError, FileNotFoundError) and issubclass(ResourceError, MemoryError)
    for cls in (InputFileError, MissingFileError, OutputPathError, ResourceError, snn.ResumeError):
        assert issubclass(cls, ValueError) and issubclass(cls, StatmechError)
