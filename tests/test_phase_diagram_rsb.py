"""``phase_diagram(..., rsb=1)``: the one-step RSB static and dynamical lines beside the RS diagram, for
the spherical 3-spin glass in a field (x = h, y = T).

Literature: A. Crisanti and H.-J. Sommers, Z. Phys. B 87, 341 (1992): T_s = 0.5861 and T_d = √(3/8) at
h = 0. In a field the numbers are checked against the hand-written one-step references of
``tests/_rsb_reference.py`` (``spherical_field_*``: a uniform field on the sphere adds ``h² q`` to the
covariance ``ξ(q) = q³/2``).
"""
import math

import numpy as np
import pytest

import _rsb_reference as ref
import statmech_nn as snn
from statmech_nn.errors import ConvergenceError, DerivationError, ParameterError
from statmech_nn.phases.rsb import dynamical_transition, static_transition
from statmech_nn.phases.rsb_lines import rsb_start

# one xdist worker with tests/test_rsb.py: the same disk-cached 1RSB kernels of the spherical p-spin
pytestmark = pytest.mark.xdist_group("rsb")

SPHERICAL_GUESS = {"m": 0.0, "lambda_m": 0.0, "q0": 0.0, "lambda_q0": 0.0, "q1": 0.71, "lambda_q1": 1.52,
                   "x": 0.74, "lambda": 0.43}
THRESHOLD_GUESS = {k: v for k, v in SPHERICAL_GUESS.items() if k != "x"}
TS, TD = "T_s (1RSB)", "T_d (1RSB)"


@pytest.fixture(scope="module")
def model():
    return snn.model("p-spin", p=3, spins="spherical")


@pytest.fixture(scope="module")
def diagram(model):
    # columns h = 0, 0.15, 0.3, 0.45, 0.6: the critical field where T_s and T_d meet (q1 − q0 → 0) lies
    # near h = 0.41, so both lines end after h = 0.3
    return snn.phase_diagram(model, x=("h", 0.0, 0.6), y=("T", 0.4, 0.8), resolution=5, rsb=1, J0=0.0)


def test_zero_field_points_are_crisanti_sommers(diagram):
    static, dynamical = diagram.line(TS), diagram.line(TD)
    assert (static.kind, dynamical.kind) == ("rsb-static", "rsb-dynamical")
    # Crisanti & Sommers, Z. Phys. B 87, 341 (1992): T_s = 0.5861, T_d = √(3/8) at h = 0
    assert static.points[0, 0] == 0.0 and static.points[0, 1] == pytest.approx(0.5861, abs=1e-4)
    assert dynamical.points[0, 0] == 0.0 and dynamical.points[0, 1] == pytest.approx(math.sqrt(3 / 8), abs=1e-6)
    # and the hand reference's T_s (x = 1 of the one-step functional) to the bisection's 1e-10
    assert static.points[0, 1] == pytest.approx(ref.spherical_static_temperature(3)[0], abs=1e-9)
    # the RS diagram is still there: its phases on the grid
    assert diagram.phase_at(h=0.0, T=0.8) == "paramagnet"


def test_points_in_a_field_are_solutions(diagram, model):
    static, dynamical = diagram.line(TS).points, diagram.line(TD).points
    assert np.array_equal(static[:, 0], [0.0, 0.15, 0.3]) and np.array_equal(dynamical[:, 0], static[:, 0])
    assert np.all(dynamical[1:, 1] > static[1:, 1])
    for h, T_s, T_d in zip(static[1:, 0], static[1:, 1], dynamical[1:, 1]):
        # the same transitions located directly at this h from the zero-field start, not by continuation
        direct_s, at_s = static_transition(model, 0.5, 0.7, SPHERICAL_GUESS, xtol=1e-10, J0=0.0, h=h)
        direct_d, at_d = dynamical_transition(model, 0.55, dict(THRESHOLD_GUESS, q0=0.05), J0=0.0, h=h)
        assert T_s == pytest.approx(direct_s, abs=1e-8) and T_d == pytest.approx(direct_d, abs=1e-8)
        assert at_s["x"] == pytest.approx(1.0, abs=1e-8) and at_s["q1"] > at_s["q0"] > 0
        assert abs(at_d.replicon) < 1e-6           # marginal threshold states
        # against the independent one-step functional in a field (tests/_rsb_reference.py)
        assert T_s == pytest.approx(ref.spherical_field_static_temperature(h)[0], abs=1e-9)
        assert T_d == pytest.approx(ref.spherical_field_dynamical_temperature(h)[0], abs=1e-10)


def test_both_temperatures_rise_with_the_field(diagram):
    # T_s(h) and T_d(h) increase with h up to the critical field (0.5861 -> 0.6591 and 0.6124 -> 0.6609 at
    # h = 0.3): the field adds h² q to the covariance, the same rise as the hand reference's, and T_d - T_s
    # shrinks towards the point where they meet
    static, dynamical = diagram.line(TS).points, diagram.line(TD).points
    assert np.all(np.diff(static[:, 1]) > 0) and np.all(np.diff(dynamical[:, 1]) > 0)
    assert np.all(np.diff(dynamical[:, 1] - static[:, 1]) < 0)


def test_lines_end_beyond_the_critical_field_and_say_so(diagram):
    for name in (TS, TD):
        assert diagram.line(name).points[:, 0].max() == 0.3
        note = next(n for n in diagram.notes if n.startswith(f"1RSB line {name!r} ends"))
        assert "ends at h = 0.3: not found at h = 0.45" in note
    assert any("merges into the replica-symmetric solution" in n for n in diagram.notes)
    # the start of the lines is reported
    assert any(n.startswith("1RSB lines start at (J0=0, h=0, T=0.4)") for n in diagram.notes)


def test_save_and_load_keep_the_rsb_lines(diagram, tmp_path):
    path = diagram.save(tmp_path / "pspin.json")
    back = snn.PhaseDiagram.load(path)
    for name in (TS, TD):
        assert back.line(name).kind == diagram.line(name).kind
        assert np.array_equal(back.line(name).points, diagram.line(name).points)
    assert [l.name for l in back.lines_of_kind("rsb-static")] == [TS]
    assert [l.name for l in back.lines_of_kind("rsb-dynamical")] == [TD]


def test_plot_draws_the_rsb_lines_in_their_own_style(diagram):
    from matplotlib.figure import Figure
    ax = Figure().add_subplot()
    diagram.plot(ax=ax)
    drawn = {l.get_label(): l for l in ax.get_lines()}
    static = drawn["T_s (1RSB) (static transition, x = 1)"]
    dynamical = drawn["T_d (1RSB) (dynamical transition, threshold states marginal)"]
    assert np.array_equal(static.get_xydata(), diagram.line(TS).points)
    assert (static.get_linestyle(), static.get_marker()) == ("-.", "o")
    assert dynamical.get_marker() == "s"
    others = {(l.get_linestyle(), l.get_marker()) for l in ax.get_lines() if "1RSB" not in l.get_label()}
    assert ("-.", "o") not in others and ("-.", "s") not in others
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert static.get_label() in legend and dynamical.get_label() in legend


def test_rsb_options_are_checked(model):
    with pytest.raises(ParameterError, match="rsb=1 .* y must be the temperature"):
        snn.phase_diagram(model, x=("T", 0.4, 0.8), y=("h", 0.0, 0.3), resolution=3, rsb=1)
    for bad in (2, "full", True):
        with pytest.raises(ParameterError, match="rsb must be 0"):
            snn.phase_diagram(model, x=("h", 0.0, 0.3), y=("T", 0.4, 0.8), resolution=3, rsb=bad)
    with pytest.raises(ParameterError, match="rsb_guess .* needs rsb=1"):
        snn.phase_diagram(model, x=("h", 0.0, 0.3), y=("T", 0.4, 0.8), resolution=3, rsb_guess={"x": 0.5})
    with pytest.raises(ParameterError, match=r"rsb_guess\['T'\] must be a positive"):
        snn.phase_diagram(model, x=("h", 0.0, 0.3), y=("T", 0.4, 0.8), resolution=3, rsb=1,
                          rsb_guess={"T": -1.0})
    # a model without a 1RSB derivation fails before the grid is solved
    with pytest.raises(DerivationError, match="bipartite"):
        snn.phase_diagram("rbm", x=("alpha", 0.1, 0.3), y=("T", 0.2, 1.0), resolution=3, rsb=1)


def test_the_start_of_the_lines(model):
    rs = model.free_energy().saddle_point().compile()
    at = {"J0": 0.0, "h": 0.0, "T": 0.5}
    # from the user's guess and from the RS solution alone: the same 1RSB solution (Crisanti & Sommers'
    # at T = 0.5: x = 0.736, q1 = 0.712), and the threshold states' upper branch
    given, threshold, how = rsb_start(model, rs, at, SPHERICAL_GUESS)
    built, threshold_built, how_built = rsb_start(model, rs, at)
    assert "rsb_guess" in how and "built on the replica-symmetric" in how_built
    for k in ("q1", "x"):
        assert given[k] == pytest.approx(built[k], abs=1e-9)
    assert given["x"] == pytest.approx(0.736, abs=1e-3) and given["q1"] == pytest.approx(0.712, abs=1e-3)
    assert threshold["q1"] == pytest.approx(threshold_built["q1"], abs=1e-9) and threshold["q1"] > given["q1"]
    # above T_s there is no x < 1: a clear error, before any grid is solved
    with pytest.raises(ConvergenceError, match="rsb_guess"):
        rsb_start(model, rs, dict(at, T=0.7))
    with pytest.raises(ParameterError, match="unknown order parameter"):
        rsb_start(model, rs, at, {"q": 0.5})


def test_a_line_that_leaves_the_window_ends_there(model):
    # the lines alone, in a window whose top T = 0.64 lies below T_s(0.3) = 0.6591 and T_d(0.3) = 0.6609
    from statmech_nn.phases.rsb_lines import rsb_lines
    from statmech_nn.progress import progress_bar
    rs = model.free_energy().saddle_point().compile()
    start, threshold, _ = rsb_start(model, rs, {"J0": 0.0, "h": 0.0, "T": 0.5}, SPHERICAL_GUESS)
    notes = []
    lines = rsb_lines(model, "h", np.array([0.0, 0.15, 0.3]), (0.4, 0.64), 0.06, {"J0": 0.0}, start,
                      threshold, 0.5, notes, progress_bar(2, "", False), min_points=2)
    static, dynamical = lines
    # the points inside the window, and none made up beyond it
    assert static.points[:, 0].tolist() == [0.0, 0.15] and dynamical.points[:, 0].tolist() == [0.0, 0.15]
    assert static.points[1, 1] == pytest.approx(ref.spherical_field_static_temperature(0.15)[0], abs=1e-9)
    assert dynamical.points[1, 1] == pytest.approx(ref.spherical_field_dynamical_temperature(0.15)[0], abs=1e-10)
    assert any(n.startswith("1RSB line 'T_s (1RSB)' ends at h = 0.15: not found at h = 0.3: x < 1 up to "
                            "T_high = 0.64") for n in notes), notes
    assert any(n.startswith("1RSB line 'T_d (1RSB)' ends at h = 0.15: it leaves the window: at h = 0.3 "
                            "T = 0.66092334") for n in notes), notes
