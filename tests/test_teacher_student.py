"""Teacher–student perceptron: learning curves against independent solutions of the literature
equations, large-alpha asymptotics, the binary student's first-order transition and spinodal, Gibbs
sampling, LaTeX."""
import math
import shutil

import numpy as np
import pytest
from scipy import integrate, optimize, special

import statmech_nn as snn
from statmech_nn.models.teacher_student import generalisation_error
from statmech_nn.montecarlo.learning import gibbs_teacher_student


def gauss(f, lo=-12.0, hi=12.0):
    return integrate.quad(lambda z: f(z) * math.exp(-z * z / 2) / math.sqrt(2 * math.pi), lo, hi,
                          limit=200, epsabs=1e-13, epsrel=1e-12)[0]


def H(x):
    return 0.5 * special.erfc(x / math.sqrt(2))


def overlap_integral(R):
    """``∫Dt exp(−R t²/2)/H(−√R t)`` of the version-space equations (Engel & Van den Broeck 2001,
    eq. (2.42); Györgyi 1990)."""
    return gauss(lambda t: math.exp(-R * t * t / 2) / H(-math.sqrt(R) * t))


def spherical_R(alpha):
    # Engel & Van den Broeck (2001) eq. (2.42), Gibbs learning at T = 0: R/sqrt(1-R) = (alpha/pi) I(R)
    return optimize.brentq(lambda R: R / math.sqrt(1 - R) - alpha / math.pi * overlap_integral(R),
                           1e-9, 1 - 1e-12, xtol=1e-14)


def ising_alpha_of_R(R):
    # binary student (Györgyi, PRL 64, 2957 (1990); Engel & Van den Broeck ch. 7): R = <tanh(Rh + sqrt(Rh) z)>,
    # Rh = alpha I(R) / (pi sqrt(1-R)); solved for alpha along the branch, parametrised by R
    Rh = optimize.brentq(lambda h: gauss(lambda z: math.tanh(h + math.sqrt(h) * z)) - R, 1e-12, 500,
                         xtol=1e-14)
    return math.pi * math.sqrt(1 - R) * Rh / overlap_integral(R)


@pytest.fixture(scope="module")
def spherical():
    return snn.model("teacher-student-perceptron")


@pytest.fixture(scope="module")
def ising():
    return snn.model("teacher-student-perceptron", weights="ising")


def test_spherical_learning_curve_matches_literature(spherical):
    curve = spherical.learning_curve([0.5, 1.0, 2.0, 5.0], T=0.0)
    for a, R, q, eps in zip(curve["alpha"], curve["R"], curve["q"], curve["epsilon"]):
        assert R == pytest.approx(spherical_R(a), abs=1e-8)
        assert q == pytest.approx(R, abs=1e-8)       # teacher and students are equivalent at T = 0
        assert eps == pytest.approx(math.acos(spherical_R(a)) / math.pi, abs=1e-8)
    # Engel & Van den Broeck (2001), fig. 2.3: eps(1) ~ 0.34, eps(5) ~ 0.12
    assert curve["epsilon"][1] == pytest.approx(0.3384, abs=1e-4)


@pytest.mark.slow
def test_spherical_large_alpha_asymptotics(spherical):
    # eps ~ c/alpha with c = sqrt(2)/int Dt exp(-t^2/2)/H(-t) (the R -> 1 limit of eq. (2.42)) = 0.625
    # (Engel & Van den Broeck 2001, sec. 2.3: eps ~ 0.625/alpha for Gibbs learning)
    c = math.sqrt(2) / overlap_integral(1.0)
    assert c == pytest.approx(0.625, abs=0.001)
    # conjugates grow like alpha^2: an absolute tolerance of 1e-8 on them is what double precision allows
    solver = spherical.solver(tol=1e-8, max_nodes=16385)
    alphas = np.array([5.0, 8.0, 11.0, 15.0])
    curve = spherical.learning_curve(np.r_[1.0, 3.0, alphas], T=0.0, solver=solver)
    eps = curve["epsilon"][2:]
    R_ref = spherical_R(15.0)
    assert curve["R"][-1] == pytest.approx(R_ref, abs=1e-7)
    gap = np.abs(eps * alphas - c)
    assert np.all(np.diff(gap) < 0) and gap[-1] < 0.006


def test_ising_version_space_matches_gyorgyi(ising):
    curve = ising.learning_curve([0.5, 1.0, 1.4], T=0.0)
    for a, R, q in zip(curve["alpha"], curve["R"], curve["q"]):
        assert q == pytest.approx(R, abs=1e-8)
        assert ising_alpha_of_R(R) == pytest.approx(a, abs=1e-7)


def test_ising_first_order_transition_and_spinodal(ising):
    # Györgyi, PRL 64, 2957 (1990) and Seung, Sompolinsky, Tishby, PRA 45, 6056 (1992): the entropy of the
    # poor-generalisation state vanishes at alpha_c = 1.245, where the student jumps to the teacher
    # (R = 1, entropy 0): a first-order transition to perfect generalisation
    alpha_c = ising.entropy_zero(1.1, 1.4)
    assert alpha_c == pytest.approx(1.245, abs=0.002)
    # the metastable branch ends at the fold of alpha(R) of the same literature equations (independent
    # scipy solution): 1.4926. The issue quotes 1.63 for the spinodal; the RS T = 0 equations give 1.49
    fold = optimize.minimize_scalar(lambda R: -ising_alpha_of_R(R), bounds=(0.8, 0.96),
                                    method="bounded", options={"xatol": 1e-9})
    spinodal = ising.branch_end(1.2, step=0.02, T=0.0, tol=1e-4)
    assert spinodal == pytest.approx(-fold.fun, abs=2e-3)
    assert -fold.fun == pytest.approx(1.4926, abs=1e-3)


def test_finite_temperature_is_stationary_point_of_sst_free_energy(spherical):
    # Seung, Sompolinsky, Tishby (1992), Gibbs learning at temperature T, spherical student:
    # -beta f = 1/2 log(1-q) + (q-R^2)/(2(1-q)) + 2 alpha int Dt H(-R t/sqrt(q-R^2))
    #            * log[e^-beta + (1-e^-beta) H(-sqrt(q) t/sqrt(1-q))]   (+ 1/2 log 2 pi e)
    alpha, T = 1.0, 0.5
    beta = 1 / T
    sol = spherical.solver().solve(alpha=alpha, T=T)

    def phi(q, R):
        energetic = gauss(lambda t: H(-R * t / math.sqrt(q - R * R)) * math.log(
            math.exp(-beta) + (1 - math.exp(-beta)) * H(-math.sqrt(q) * t / math.sqrt(1 - q))))
        return (0.5 * math.log(1 - q) + (q - R * R) / (2 * (1 - q)) + 2 * alpha * energetic
                + 0.5 * math.log(2 * math.pi * math.e))

    q, R = sol["q"], sol["R"]
    h = 1e-5
    assert abs(phi(q + h, R) - phi(q - h, R)) / (2 * h) < 1e-6
    assert abs(phi(q, R + h) - phi(q, R - h)) / (2 * h) < 1e-6
    assert sol.free_energy == pytest.approx(-phi(q, R) / beta, abs=1e-9)
    assert q < R   # at T > 0 students overlap less with each other than with the teacher


def test_generalisation_error_definition():
    # eps = arccos(R)/pi (Engel & Van den Broeck eq. (2.3)): 1/2 for R = 0, 0 for R = 1, 1/4 for R = 1/sqrt 2
    assert generalisation_error(np.array([0.0, 1.0, 1 / math.sqrt(2)])) == pytest.approx([0.5, 0.0, 0.25])


@pytest.mark.slow
def test_gibbs_sampling_matches_theory(ising):
    # Metropolis on binary weights, energy = training errors, at (alpha, T) = (1, 1): the student-teacher
    # overlap agrees with the RS theory (exact for the teacher-student problem) within error bars
    theory = ising.solver().solve(alpha=1.0, T=1.0)
    eps_theory = generalisation_error(theory["R"])
    mc = gibbs_teacher_student(N=200, alpha=1.0, T=1.0, samples=8, sweeps=2000, burn_in=500, seed=3)
    assert abs(mc["epsilon"] - eps_theory) < 3 * mc["epsilon_stderr"] + 0.005, (mc, eps_theory)
    assert abs(mc["R"] - theory["R"]) < 3 * mc["R_stderr"] + 0.01


def test_bad_inputs_raise_typed_errors(spherical):
    with pytest.raises(snn.ParameterError, match="increasing"):
        spherical.learning_curve([2.0, 1.0])
    with pytest.raises(snn.ParameterError, match="positive temperature"):
        gibbs_teacher_student(N=20, alpha=1.0, T=0.0)
    with pytest.raises(snn.ParameterError, match="burn_in"):
        gibbs_teacher_student(N=20, alpha=1.0, T=1.0, sweeps=10, burn_in=10)


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex not installed (CI installs it)")
def test_derivation_compiles_with_pdflatex(tmp_path, ising):
    from statmech_nn.export import compile_latex, write_derivation

    tex = write_derivation(ising, str(tmp_path / "teacher_student.tex"))
    text = open(tex).read()
    assert "Teacher label and rotation" in text and "version space" in text
    compile_latex(tex)
    assert (tmp_path / "teacher_student.pdf").stat().st_size > 10_000


@pytest.mark.slow
def test_phase_diagram_engine_finds_the_spinodal(ising):
    # the generic phase-diagram engine, on the binary student: the poor-generalisation branch ends at
    # a fold (spinodal) at T = 0, the same point as branch_end and the literature equations (1.4926)
    pd = snn.phase_diagram(ising, x=("alpha", 1.3, 1.6), y=("T", 0.0, 0.1), resolution=(7, 3))
    spinodals = [line for line in pd.lines if line.kind == "spinodal"]
    at_zero = [p for line in spinodals for p in line.points if p[1] == 0.0]
    assert at_zero and at_zero[0][0] == pytest.approx(1.4926, abs=2e-3)
    assert pd.phases[0][0] == "poor generalisation"


def test_solutions_off_the_nishimori_line_or_with_negative_entropy_are_flagged(ising):
    # Györgyi, PRL 64, 2957 (1990): a binary student learning a binary teacher's noiseless rule at T = 0
    # samples the posterior, so q = R (Nishimori), and the version-space entropy s = -f of ±1 weights
    # is >= 0. Started near q = R = 1 at alpha = 2 the RS equations reach a fixed point with q != R and
    # s < 0: converged, but flagged as unphysical; the physical branch at alpha = 1 raises no flag.
    solver = ising.solver()
    good = solver.solve(alpha=1.0, T=0.0)
    assert good["q"] == pytest.approx(good["R"], abs=1e-8) and good.flags == {} and good.physical
    bad = solver.solve(alpha=2.0, T=0.0, guess={"q": 0.999, "R": 0.999})
    assert bad.converged and abs(bad["q"] - bad["R"]) > 1e-2 and bad.free_energy > 0
    assert bad.flags == {"negative_entropy": True, "off_nishimori": True} and not bad.physical
    assert "Nishimori" in bad.flag_messages["off_nishimori"] and "flags: negative_entropy" in repr(bad)
    assert bad.to_dict()["flags"] == {"negative_entropy": True, "off_nishimori": True}
    # a spherical student is continuous: no entropy flag, and on its Nishimori line
    sph = snn.model("teacher-student-perceptron").solver().solve(alpha=1.0, T=0.0)
    assert sph.flags == {} and sph["q"] == pytest.approx(sph["R"], abs=1e-8)
