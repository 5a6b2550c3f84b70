"""Continual learning of a binary perceptron as a Franz–Parisi potential (Li, Huang, Zou, Huang,
PRE 108, 014309 (2023), arXiv:2212.02846): exact limits, an independent evaluation of the potential,
learning curves of the old and the new task, Metropolis simulation, LaTeX."""
import math
import shutil

import numpy as np
import pytest
from scipy import integrate, special

import statmech_nn as snn
from statmech_nn.models.teacher_student import generalisation_error
from statmech_nn.montecarlo.learning import gibbs_continual


def gauss(f):
    return integrate.quad(lambda z: f(z) * math.exp(-z * z / 2) / math.sqrt(2 * math.pi), -12.0, 12.0,
                          limit=200, epsabs=1e-13, epsrel=1e-12)[0]


def H(x):
    return 0.5 * special.erfc(x / math.sqrt(2))


def log2cosh(x):
    return abs(x) + math.log1p(math.exp(-2 * abs(x)))


@pytest.fixture(scope="module")
def continual():
    return snn.model("continual-perceptron")


@pytest.fixture(scope="module")
def solver(continual):
    return continual.solver()


@pytest.fixture(scope="module")
def ising_ts():
    return snn.model("teacher-student-perceptron", weights="ising")


@pytest.mark.parametrize("T", [0.0, 0.5])
def test_zero_coupling_is_teacher_student_on_task_two(solver, ising_ts, T):
    # gamma = 0: the new student ignores the reference, so it is the binary teacher-student perceptron of
    # task 2 alone (Gyorgyi, PRL 64, 2957 (1990)) at the same load, free energy included; the old-task
    # overlap is its projection R_1 = rho R_2 (teacher 2 = teacher 1 on a fraction (1 + rho)/2 of sites)
    # and the overlap with the reference factorises, P = R_ref rho R_2
    rho, R_ref = 0.4, 0.55
    for alpha in (0.5, 1.0):
        cl = solver.solve(alpha_2=alpha, T=T, gamma=0.0, rho=rho, R_ref=R_ref)
        ts = ising_ts.solver().solve(alpha=alpha, T=T)
        assert cl["R_2"] == pytest.approx(ts["R"], abs=1e-8)
        assert cl["q"] == pytest.approx(ts["q"], abs=1e-8)
        assert cl["R_hat_2"] == pytest.approx(ts["R_hat"], abs=1e-7)
        assert cl.free_energy == pytest.approx(ts.free_energy, abs=1e-8)
        assert cl["R_1"] == pytest.approx(rho * cl["R_2"], abs=1e-8)
        assert cl["P"] == pytest.approx(R_ref * rho * cl["R_2"], abs=1e-8)


def test_derived_conjugates_of_the_coupling(continual):
    # stationarity in P fixes its conjugate to the coupling, P_hat = gamma; nothing in the task-2 channel
    # depends on R_1, so R_hat_1 = 0 (derived by the engine, not imposed)
    import sympy as sp

    eqs = {str(k): v for k, v in continual.free_energy().saddle_point().equations.items()}
    assert sp.simplify(eqs["P_hat"] - continual.symbol("gamma")) == 0
    assert eqs["R_hat_1"] == 0


def test_no_task_two_examples_leaves_the_coupled_reference(solver):
    # alpha_2 -> 0: the student is w with weight exp(gamma w.w~) alone, so P = tanh(gamma),
    # R_1 = tanh(gamma) R_ref, q = tanh(gamma)^2 (single-site algebra); corrections are O(alpha_2)
    gamma, R_ref = 0.7, 0.55
    diffs = []
    for alpha in (1e-6, 1e-4):
        sol = solver.solve(alpha_2=alpha, T=0.5, gamma=gamma, rho=0.4, R_ref=R_ref)
        diffs.append(abs(sol["R_1"] - math.tanh(gamma) * R_ref))
        assert sol["P"] == pytest.approx(math.tanh(gamma), abs=200 * alpha)
        assert sol["q"] == pytest.approx(math.tanh(gamma) ** 2, abs=200 * alpha)
    assert diffs[0] < 1e-6 and diffs[1] / diffs[0] == pytest.approx(100, rel=1e-2)


def test_potential_is_stationary_independent_evaluation(solver):
    # the Franz-Parisi potential written out by hand (binary student coupled to a reference with site
    # marginal P(w~ = +-1) = (1 +- R_ref)/2; teacher-2 channel of Seung, Sompolinsky, Tishby, PRA 45, 6056
    # (1992), as in tests/test_teacher_student.py), with P_hat = gamma and R_hat_1 = 0 eliminated:
    # -beta f = -q_hat (1-q)/2 - R_hat_2 R_2 + sum_{tau,w~} p(tau) p(w~) <log 2cosh(gamma w~ + R_hat_2 tau
    #           + sqrt(q_hat) z)>_z + 2 alpha_2 int Dt H(-R_2 t/sqrt(q-R_2^2)) log[e^-b + (1-e^-b) H(-sqrt(q) t/sqrt(1-q))]
    alpha, T, gamma, rho, R_ref = 1.0, 0.5, 0.8, 0.3, 0.6
    beta = 1 / T
    sol = solver.solve(alpha_2=alpha, T=T, gamma=gamma, rho=rho, R_ref=R_ref)
    sites = [(tau * 1.0, w * 1.0, (1 + rho * tau) / 2 * (1 + R_ref * w) / 2) for tau in (-1, 1) for w in (-1, 1)]

    def site_average(f, q_hat, R_hat_2):
        return sum(p * gauss(lambda z: f(gamma * w + R_hat_2 * tau + math.sqrt(q_hat) * z, tau, w))
                   for tau, w, p in sites)

    def phi(q, q_hat, R_2, R_hat_2):
        energetic = gauss(lambda t: H(-R_2 * t / math.sqrt(q - R_2 * R_2)) * math.log(
            math.exp(-beta) + (1 - math.exp(-beta)) * H(-math.sqrt(q) * t / math.sqrt(1 - q))))
        return (-q_hat * (1 - q) / 2 - R_hat_2 * R_2 + site_average(lambda h, tau, w: log2cosh(h), q_hat, R_hat_2)
                + 2 * alpha * energetic)

    x = [sol["q"], sol["q_hat"], sol["R_2"], sol["R_hat_2"]]
    h = 1e-5
    for i in range(4):
        up, dn = list(x), list(x)
        up[i] += h
        dn[i] -= h
        assert abs(phi(*up) - phi(*dn)) / (2 * h) < 1e-6
    assert sol.free_energy == pytest.approx(-phi(*x) / beta, abs=1e-9)
    # the overlaps with teacher 1 and with the reference are the site averages of tanh
    assert sol["R_1"] == pytest.approx(site_average(lambda h_, tau, w: math.tanh(h_), x[1], x[3]), abs=1e-9)
    assert sol["P"] == pytest.approx(site_average(lambda h_, tau, w: w * math.tanh(h_), x[1], x[3]), abs=1e-9)


def test_reference_is_task_one_teacher_student(continual, ising_ts):
    ref = continual.reference(1.0, T=0.0)
    # Gyorgyi (1990) version space at alpha = 1: the same saddle point as the teacher-student model
    assert ref["R"] == pytest.approx(ising_ts.solver().solve(alpha=1.0, T=0.0)["R"], abs=1e-12)


@pytest.fixture(scope="module")
def curves(continual):
    # T = 0 (version space of task 2), alpha_1 = 1, orthogonal teachers (rho = 0), couplings 0, 0.5, 1, 2
    alphas = [0.25, 0.5, 1.0]
    return {g: continual.learning_curves(1.0, alphas, T=0.0, gamma=g, rho=0.0) for g in (0.0, 0.5, 1.0, 2.0)}


def test_learning_curves_trade_off_forgetting_against_learning(curves):
    # Li, Huang, Zou, Huang (2023): the coupling to the previous solution (knowledge of task 1 acting as
    # prior and reference) retains task 1 at the price of learning task 2 more slowly.
    for g, c in curves.items():
        assert c["converged"].all()
        assert np.all(np.diff(c["epsilon_2"]) < 0)                    # task 2 is learned
        if g > 0:
            assert np.all(np.diff(c["epsilon_1"]) > 0)                # task 1 is forgotten as alpha_2 grows
            assert np.all(c["epsilon_1"] > c["epsilon_ref"])          # never better than the reference
    # without coupling and with orthogonal teachers task 1 is lost entirely: eps_1 = 1/2
    assert curves[0.0]["epsilon_1"] == pytest.approx(0.5, abs=1e-12)
    gammas = sorted(curves)
    eps1 = np.array([curves[g]["epsilon_1"] for g in gammas])
    eps2 = np.array([curves[g]["epsilon_2"] for g in gammas])
    assert np.all(np.diff(eps1, axis=0) < 0)     # stronger coupling: less forgetting ...
    assert np.all(np.diff(eps2, axis=0) > 0)     # ... and slower learning of the new task


def test_related_teachers_help_the_old_task(continual):
    # rho > 0: learning teacher 2 also teaches teacher 1 (R_1 = rho R_2 at gamma = 0); with gamma = 0 the
    # old-task error then falls with alpha_2 instead of rising
    c = continual.learning_curves(1.0, [0.25, 0.5, 1.0], T=0.0, gamma=0.0, rho=0.8)
    assert np.all(np.diff(c["epsilon_1"]) < 0)
    assert c["R_1"] == pytest.approx(0.8 * c["R_2"], abs=1e-8)


def test_transition_to_perfect_generalisation_of_the_new_task(continual, ising_ts):
    # gamma = 0: the first-order transition of the binary teacher-student perceptron, where the version-space
    # entropy vanishes, alpha = 1.245 (Gyorgyi, PRL 64, 2957 (1990); Seung, Sompolinsky, Tishby 1992)
    plain = continual.perfect_generalisation_transition(1.0, 0.0, 0.0)
    assert plain == pytest.approx(ising_ts.entropy_zero(1.1, 1.4), abs=1e-8)
    assert plain == pytest.approx(1.245, abs=0.002)
    # the coupling to the old solution delays perfect learning of an orthogonal new task, and the more
    # so the stronger it is; a related teacher (rho = 0.9) makes the old solution a head start
    half = continual.perfect_generalisation_transition(1.0, 0.5, 0.0)
    one = continual.perfect_generalisation_transition(1.0, 1.0, 0.0)
    related = continual.perfect_generalisation_transition(1.0, 1.0, 0.9)
    assert plain < half < one
    assert related < plain


def test_identical_teachers_are_not_one_long_task(continual, ising_ts):
    # rho = 1: both tasks have the same teacher, so R_1 = R_2. The Franz-Parisi construction couples the
    # new student to ONE configuration of the task-1 Gibbs measure, not to the task-1 posterior as a prior,
    # so it does not reduce to learning alpha_1 + alpha_2 examples at once: at alpha_1 = alpha_2 = 0.5 the
    # coupled student
    # improves on the reference but stays below the binary teacher-student overlap at alpha = 1
    R_joint = ising_ts.solver().solve(alpha=1.0, T=0.0)["R"]
    for g in (0.5, 1.0, 2.0):
        c = continual.learning_curves(0.5, [0.5], T=0.0, gamma=g, rho=1.0)
        assert c["R_1"][0] == pytest.approx(c["R_2"][0], abs=1e-10)
        assert c["R_ref"] < c["R_2"][0] < R_joint - 0.1


@pytest.mark.slow
def test_phase_diagram_engine_finds_the_task_two_spinodal(continual):
    # the generic phase-diagram engine on the continual model: at gamma = 0 the version-space branch of the
    # new task ends at the fold of the binary teacher-student equations, 1.4926 (see
    # tests/test_teacher_student.py, computed there from Gyorgyi's equations by scipy)
    pd = snn.phase_diagram(continual, x=("alpha_2", 1.3, 2.3), y=("T", 0.0, 0.1), resolution=(6, 3),
                           gamma=0.0, rho=0.0, R_ref=0.56)
    at_zero = [p for line in pd.lines if line.kind == "spinodal" for p in line.points if p[1] == 0.0]
    assert at_zero and at_zero[0][0] == pytest.approx(1.4926, abs=2e-3)
    assert pd.phases[0][0] == "continual learning"


def test_plot_continual_curves(curves):
    import matplotlib
    matplotlib.use("Agg")
    from statmech_nn.plot.learning import plot_continual_learning_curves

    ax = plot_continual_learning_curves({f"gamma = {g}": curves[g] for g in (0.5, 2.0)})
    assert len(ax.lines) == 5    # eps_2 and eps_1 per curve, one reference line
    assert np.allclose(ax.lines[1].get_ydata(), curves[0.5]["epsilon_1"])


@pytest.mark.slow
def test_metropolis_matches_theory(continual, solver):
    # Metropolis Gibbs learning of task 1, then of task 2 with the coupling to the last task-1
    # configuration, N = 200, 16 instances, at (alpha_1, alpha_2, T, gamma, rho) = (1, 1, 0.5, 1, 0.3).
    # Agreement within 3 standard errors over instances plus an allowance of 0.01 for finite N and
    # finite sampling time (replica symmetry is assumed, as in tests/test_teacher_student.py).
    alpha_1, alpha_2, T, gamma, rho = 1.0, 1.0, 0.5, 1.0, 0.3
    ref = continual.reference(alpha_1, T)
    th = solver.solve(alpha_2=alpha_2, T=T, gamma=gamma, rho=rho, R_ref=ref["R"])
    mc = gibbs_continual(N=200, alpha_1=alpha_1, alpha_2=alpha_2, T=T, gamma=gamma, rho=rho, samples=16,
                         sweeps=2000, burn_in=500, seed=1)
    assert mc["rho"] == pytest.approx(rho)
    assert abs(mc["R_ref"] - ref["R"]) < 3 * mc["R_ref_stderr"] + 0.01
    for key, value in (("epsilon_1", generalisation_error(th["R_1"])),
                       ("epsilon_2", generalisation_error(th["R_2"])), ("P", th["P"])):
        assert abs(mc[key] - value) < 3 * mc[key + "_stderr"] + 0.01, (key, mc[key], value)
    # the coupling is visible: without it the old-task error would be arccos(rho R_2)/pi
    assert mc["epsilon_1"] < generalisation_error(rho * th["R_2"]) - 5 * mc["epsilon_1_stderr"]


def test_bad_inputs_raise_typed_errors(continual, solver):
    with pytest.raises(snn.ParameterError, match="alpha_1"):
        continual.reference(-1.0)
    with pytest.raises(snn.ParameterError, match="rho"):
        solver.solve(alpha_2=1.0, T=0.5, rho=1.5)
    with pytest.raises(snn.ParameterError, match="R_ref"):
        solver.solve(alpha_2=1.0, T=0.5, R_ref=-2.0)
    with pytest.raises(snn.ParameterError, match="increasing"):
        continual.learning_curves(1.0, [1.0, 0.5])
    with pytest.raises(snn.ParameterError, match="rho"):
        gibbs_continual(N=20, alpha_1=1.0, alpha_2=1.0, T=1.0, gamma=1.0, rho=2.0)
    with pytest.raises(snn.ParameterError, match="positive temperature"):
        gibbs_continual(N=20, alpha_1=1.0, alpha_2=1.0, T=0.0, gamma=1.0, rho=0.0)


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex not installed (CI installs it)")
def test_derivation_compiles_with_pdflatex(tmp_path, continual):
    from statmech_nn.export import compile_latex, write_derivation

    tex = write_derivation(continual, str(tmp_path / "continual.tex"))
    text = open(tex).read()
    assert "Franz--Parisi potential" in text and "Reference: one weight" in text
    compile_latex(tex)
    assert (tmp_path / "continual.pdf").stat().st_size > 10_000
