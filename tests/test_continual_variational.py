"""LHZH23's variational continual learning of a binary perceptron (models/variational_continual.py).

Li, Huang, Zou, Huang, Phys. Rev. E 108, 014309 (2023), arXiv:2212.02846 [LHZH23]; the equations' form
and conventions are those of the authors' code, github.com/Chan-Li/VCL ("Continual learning with binary
perceptron/FirstTaskReplica.py" and "SecondTaskReplica.py") [VCL].
"""
import math
import shutil
import subprocess

import mpmath
import numpy as np
import pytest
from numpy.polynomial.hermite_e import hermegauss
from numpy.polynomial.legendre import leggauss
from scipy.special import log_ndtr, ndtr

from statmech_nn.errors import ParameterError
from statmech_nn.models.variational_continual import (VariationalContinualPerceptron,
                                                      VariationalPerceptron)

BETA = 20.0   # LHZH23 main text (fig-2-a,b.py, fig-3.py): beta = 20
T = 1 / BETA


@pytest.fixture(scope="module")
def task1():
    return VariationalPerceptron()


@pytest.fixture(scope="module")
def task1_half(task1):
    return task1.solver().solve(alpha=0.5, T=T)


@pytest.fixture(scope="module")
def task2():
    return VariationalContinualPerceptron()


def _conjugates(sol):
    return {"q_hat_1": sol["q_hat"], "r_hat_1": sol["r_hat"], "q_star_hat_1": sol["q_star_hat"]}


# -- the authors' form of the task-1 equations, typed here only as a check [VCL FirstTaskReplica.py]:
# G_E = 2 ∫Dz H(r z/√(q−r²)) ln ∫Dx H(g)^β, g = (√(q*−q) x + √q z)/√(1−q*);
# q̂ = −2α ∂G_E/∂q, r̂ = α ∂G_E/∂r, q̂* = α ∂G_E/∂q*;
# q = E_z⟨m⟩², r = E_z⟨m⟩, q* = E_z⟨m²⟩ with weight exp((q̂*−q̂/2)m² + √q̂ z m + r̂ m) on m ∈ [−1, 1].
def _authors_energetic(q, r, qs, beta, nodes=160):
    z, w = hermegauss(nodes)
    w = w / w.sum()
    g = (math.sqrt(qs - q) * z[None, :] + math.sqrt(q) * z[:, None]) / math.sqrt(1 - qs)
    L = beta * log_ndtr(-g)
    top = L.max(axis=1, keepdims=True)
    log_avg = top[:, 0] + np.log((w[None, :] * np.exp(L - top)).sum(axis=1))
    return 2 * np.sum(w * ndtr(-r * z / math.sqrt(q - r * r)) * log_avg)


def _authors_entropic(q_hat, r_hat, qs_hat, nodes=2000):
    # 200 Gauss-Hermite nodes: q to 5e-8 (mpmath gives q = 0.5395258633195 at the alpha = 0.5 solution;
    # 120 nodes are off by 1e-5)
    z, w = hermegauss(200)
    w = w / w.sum()
    m, wm = leggauss(nodes)
    E = (qs_hat - q_hat / 2) * m[None, :] ** 2 + (math.sqrt(q_hat) * z[:, None] + r_hat) * m[None, :]
    weight = wm * np.exp(E - E.max(axis=1, keepdims=True))
    norm = weight.sum(axis=1)
    mean = (weight * m).sum(axis=1) / norm
    second = (weight * m * m).sum(axis=1) / norm
    return np.sum(w * mean**2), np.sum(w * mean), np.sum(w * second)


def test_task1_equations_match_the_authors_form(task1, task1_half):
    # the derived fixed-point map at the solution equals the authors' equations evaluated independently
    # (numpy quadrature, central differences of G_E): same signs, factor 2, conjugate conventions
    s = task1_half
    q, r, qs, a = s["q"], s["r"], s["q_star"], 0.5
    h = 1e-5
    d = [(_authors_energetic(*(np.array([q, r, qs]) + h * e), BETA)
          - _authors_energetic(*(np.array([q, r, qs]) - h * e), BETA)) / (2 * h) for e in np.eye(3)]
    assert s["q_hat"] == pytest.approx(-2 * a * d[0], rel=2e-4)
    assert s["r_hat"] == pytest.approx(a * d[1], rel=2e-4)
    assert s["q_star_hat"] == pytest.approx(a * d[2], rel=2e-4)
    q_, r_, qs_ = _authors_entropic(s["q_hat"], s["r_hat"], s["q_star_hat"])
    assert (q, r, qs) == pytest.approx((q_, r_, qs_), abs=2e-7)


def test_uniform_average_quadrature_matches_mpmath():
    # the tanh-sinh rule of the kernels on the task-1 site integral at beta = 20, alpha = 1.2
    # (q̂ ≈ 122, r̂ ≈ 11, q̂* ≈ 75: weight piled up at m → ±1) against mpmath
    from statmech_nn.codegen.primitives import interval_node
    from statmech_nn.solve.quadrature import reference_rule

    q_hat, r_hat, qs_hat, z = 121.9, 11.0, 75.3, 1.5

    def f(m):
        return mpmath.exp((qs_hat - q_hat / 2) * m * m + (math.sqrt(q_hat) * z + r_hat) * m - 200)

    exact = float(mpmath.quad(f, [-1, 0, 1]) / 2)
    U, W = reference_rule(257)
    ours = sum(w_ * float(f(m_)) for m_, w_ in (interval_node(u, w) for u, w in zip(U, W)))
    assert ours == pytest.approx(exact, rel=1e-12)


def test_task1_saddle_is_stationary(task1, task1_half):
    # the solution is a stationary point of the derived free energy (central differences of the
    # generated free-energy kernel at the solver's node count)
    from statmech_nn.solve.quadrature import reference_rule

    kernels = task1.solver()._branches["finite"].kernels
    names = kernels.order_parameters
    x0 = np.array([task1_half[k] for k in names])
    p = np.array([BETA if k == "beta" else 0.5 for k in kernels.parameters])
    Z, W = (np.asarray(a) for a in reference_rule(int(task1_half.nodes)))
    for i in range(len(names)):
        h = 1e-5 * max(1.0, abs(x0[i]))
        up, down = x0.copy(), x0.copy()
        up[i] += h
        down[i] -= h
        grad = (kernels.module.free_energy(up, p, Z, W) - kernels.module.free_energy(down, p, Z, W)) / (2 * h)
        assert abs(grad) < 1e-6, names[i]


def test_task1_learning_curve_numbers(task1):
    # beta = 20 (LHZH23 Fig. 2a,b): q_0 = q, r_1 = r, q_d = q_star and eps_g = arccos(E<sign m>)/pi;
    # values of this implementation (no published numbers could be read): clipping helps (p > r)
    c = task1.learning_curve([0.5, 1.0], T=T)
    assert c["q"] == pytest.approx([0.539526, 0.849057], abs=2e-6)
    assert c["r"] == pytest.approx([0.378974, 0.605352], abs=2e-6)
    assert c["q_star"] == pytest.approx([0.679767, 0.911751], abs=2e-6)
    assert c["epsilon"] == pytest.approx([0.355433, 0.282760], abs=2e-6)
    assert np.all(c["p"] > c["r"])
    assert np.all(np.diff(c["epsilon"]) < 0)


def test_gamma_zero_is_task1_with_teacher_2(task1, task1_half, task2):
    # γ = 0: the reference drops out; task 2 is the task-1 problem at α₂ with teacher 2, and the
    # overlap with teacher 1 is r₀ times that with teacher 2 (B independent of the site problem)
    sol = task2.solver().solve(alpha_2=0.5, T=T, gamma=0.0, r_0=0.5, **_conjugates(task1_half))
    for k2, k1 in (("q_2", "q"), ("r_2", "r"), ("q_star_2", "q_star"), ("q_hat_2", "q_hat"),
                   ("r_hat_2", "r_hat"), ("q_star_hat_2", "q_star_hat")):
        assert sol[k2] == pytest.approx(task1_half[k1], rel=1e-7, abs=1e-9)
    obs, change = task2.observables(sol)
    p_task1 = task1.observables(task1_half)[0]["p"]
    assert obs["p_2"] == pytest.approx(p_task1, abs=1e-8)
    assert obs["p_1"] == pytest.approx(0.5 * obs["p_2"], abs=1e-8)
    assert change < 1e-8


def test_bad_input_raises_parameter_error(task2):
    with pytest.raises(ParameterError):
        VariationalPerceptron(T=0.0)          # no T → 0 limit of the tempered likelihood
    with pytest.raises(ParameterError):
        VariationalContinualPerceptron(r_0=1.5)
    with pytest.raises(ParameterError):
        VariationalContinualPerceptron(gamma=-1.0)
    with pytest.raises(ParameterError):
        task2.reference(-1.0)
    with pytest.raises(ParameterError):
        VariationalContinualPerceptron(student="gibbs")


def test_derivation_latex(task2):
    fe = task2.free_energy()
    text = fe.derivation.latex()
    assert r"\mathrm{KL}" in text and r"\rho" in text and r"\hat x" in text
    assert set(map(str, fe.order_parameters)) == {"q_2", "q_hat_2", "r_2", "r_hat_2", "q_star_2",
                                                  "q_star_hat_2"}
    assert set(map(str, fe.observables)) == {"p_1", "p_2"}


@pytest.mark.slow
def test_small_alpha_2_keeps_the_reference(task1, task1_half, task2):
    # α₂ → 0 with a strong coupling γ: the new student stays at the reference, so its error on the
    # old task is the task-1 error (0.43872 → 0.43825 at α₂ = 0.01, γ = 5) and it knows nothing of
    # teacher 2 (r₀ = 0: p₂ → 0)
    sol = task2.solver().solve(alpha_2=0.01, T=T, gamma=5.0, r_0=0.0, **_conjugates(task1_half))
    obs, _ = task2.observables(sol)
    p_ref = task1.observables(task1_half)[0]["p"]
    assert obs["p_1"] == pytest.approx(p_ref, abs=1e-3)
    assert obs["p_1"] < p_ref
    assert abs(obs["p_2"]) < 1e-3


@pytest.mark.slow
def test_forgetting_curves_are_ordered_like_fig3(task1, task2):
    # LHZH23 Fig. 3a,b (fig-3.py: beta = 20, gamma = 1, r_0 in {-0.5, 0, 0.5}): the new-task error
    # falls and the old-task error (forgetting) rises with alpha_2, both ordered by r_0. Here alpha_1 = 1
    # (the paper's alpha_1 = 2 is beyond the end, alpha ≈ 1.25, of the task-1 branch this solver follows)
    curves = {r0: task2.learning_curves(1.0, [0.5, 2.0], T=T, gamma=1.0, r_0=r0, task1=task1)
              for r0 in (-0.5, 0.5)}
    for c in curves.values():
        assert np.all(c["converged"])
        assert c["epsilon_2"][1] < c["epsilon_2"][0]
        assert c["epsilon_ref"] < c["epsilon_1"][0] < c["epsilon_1"][1]
    assert np.all(curves[-0.5]["epsilon_1"] > curves[0.5]["epsilon_1"])
    assert np.all(curves[-0.5]["epsilon_2"] > curves[0.5]["epsilon_2"])
    # values of this implementation (alpha_1 = 1): eps_1 = 0.31445, 0.41377 and eps_2 = 0.57397, 0.46612
    # for r_0 = -0.5; eps_1 = 0.28758, 0.30173 and eps_2 = 0.38452, 0.29585 for r_0 = 0.5
    assert curves[-0.5]["epsilon_1"] == pytest.approx([0.31445, 0.41377], abs=2e-5)
    assert curves[0.5]["epsilon_2"] == pytest.approx([0.38452, 0.29585], abs=2e-5)


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex not installed")
@pytest.mark.parametrize("cls", [VariationalPerceptron, VariationalContinualPerceptron])
def test_derivation_document_compiles(tmp_path, cls):
    # as tests/test_export.py does for the registered models
    from statmech_nn.export import derivation_document

    tex = tmp_path / "doc.tex"
    tex.write_text(derivation_document(cls()))
    proc = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "doc.tex"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout[-2000:]
    assert (tmp_path / "doc.pdf").stat().st_size > 5_000
