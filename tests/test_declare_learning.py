"""Learning problems declared with snn.declare_learning, each in a few lines, checked against independent
hand-written scipy solutions of their published RS equations; typed errors for combinations and parameters
the engine refuses; the domain of the order parameters."""
import math

import numpy as np
import pytest
import sympy as sp
from scipy import integrate, optimize, special

import statmech_nn as snn
from statmech_nn import blocks as B


def gauss(f, lo=-12.0, hi=12.0):
    return integrate.quad(lambda z: f(z) * math.exp(-z * z / 2) / math.sqrt(2 * math.pi), lo, hi,
                          limit=200, epsabs=1e-13, epsrel=1e-12)[0]


def H(x):
    return 0.5 * special.erfc(x / math.sqrt(2))


# -- Gaussian weights, square loss: linear regression ---------------------------------------------------

def gaussian_square_loss_equations(alpha, beta, rho, Delta, E, dE_dR):
    """RS equations of Gibbs learning with N(0, 1) weights and the square loss, written out by hand
    (the generalised linear model of Barbier, Krzakala, Macris, Miolane, Zdeborová, PNAS 116, 5451 (2019)
    with a Gaussian prior and a Gaussian output). With K = 1 + Q̂ + q̂ the Gaussian weight integral gives
    G_S = −½ log K + (q̂ + R̂² ρ)/(2K); the output partition ∫Dx e^{−β(y − ω − √(Q−q) x)²/2} gives
    G_E = −½ log D − β E/(2D), D = 1 + β(Q − q), E = ⟨(y − h)²⟩ over the labels and the student field.
    Stationarity of Q̂Q/2 + q̂q/2 − R̂R + G_S + α G_E: returns the map x → F(x) of (q, Q, R, q̂, Q̂, R̂)."""
    def F(v):
        q, Q, R, qh, Qh, Rh = v
        K, D = 1 + Qh + qh, 1 + beta * (Q - q)
        e = E(q, R, rho, Delta)
        return np.array([(qh + Rh**2 * rho) / K**2, 1 / K + (qh + Rh**2 * rho) / K**2, Rh * rho / K,
                         alpha * beta**2 * e / D**2, alpha * beta / D - alpha * beta**2 * e / D**2,
                         -alpha * beta * dE_dR / (2 * D)])
    return F


def linear_teacher_E(q, R, rho, Delta):
    # y = u + √Δ ν with ⟨u²⟩ = ρ, ⟨uh⟩ = R, ⟨h²⟩ = q for the common part: ⟨(y − √q s)²⟩ = ρ − 2R + q + Δ
    return rho - 2 * R + q + Delta


def relu_teacher_E(q, R, rho, Delta):
    # y = max(0, u) + √Δ ν: ⟨max(0,u)²⟩ = ρ/2, and by Stein ⟨s max(0, u)⟩ = (R/√q) P(u > 0) = R/(2√q),
    # so ⟨(y − √q s)²⟩ = ρ/2 − R + q + Δ
    return rho / 2 - R + q + Delta


def hand_solution(F, start):
    root = optimize.fsolve(lambda v: F(v) - v, start, xtol=1e-13, full_output=True)
    assert root[2] == 1, root[3]
    return root[0]


@pytest.fixture(scope="module")
def ridge():
    return snn.declare_learning("ridge", weights=B.Gaussian(1), loss=B.SquareLoss(),
                                teacher=B.Teacher(weights=B.Gaussian(1), channel=B.Linear(noise="Delta")))


@pytest.fixture(scope="module")
def ridge_solver(ridge):
    return ridge.solver()


@pytest.mark.parametrize("alpha,Delta", [(0.5, 0.5), (2.0, 0.5), (2.0, 0.1), (5.0, 1.0)])
def test_bayes_optimal_linear_regression_on_the_nishimori_line(ridge_solver, alpha, Delta):
    # Barbier, Krzakala, Macris, Miolane, Zdeborová, PNAS 116, 5451 (2019): at T = Δ the Gibbs measure of
    # the square loss is the posterior of the Gaussian channel with the Gaussian prior (Bayes-optimal), so
    # the Nishimori identities hold: q = R, Q = ρ = 1, Q̂ = 0, q̂ = R̂. By hand, with them the equations
    # above reduce to q/(1 − q) = α/(Δ + 1 − q) (the MMSE 1 − q of linear regression).
    sol = ridge_solver.solve(alpha=alpha, Delta=Delta, T=Delta)
    q = optimize.brentq(lambda q: q / (1 - q) - alpha / (Delta + 1 - q), 1e-12, 1 - 1e-12, xtol=1e-15)
    assert sol["q"] == pytest.approx(q, abs=1e-9)
    assert sol["R"] == pytest.approx(q, abs=1e-9) and sol["Q"] == pytest.approx(1.0, abs=1e-9)
    assert sol["Q_hat"] == pytest.approx(0.0, abs=1e-8) and sol["q_hat"] == pytest.approx(sol["R_hat"], abs=1e-8)
    assert sol.stable


@pytest.mark.parametrize("alpha,Delta,T", [(2.0, 0.5, 0.2), (0.7, 0.3, 1.0)])
def test_linear_regression_off_the_nishimori_line(ridge_solver, alpha, Delta, T):
    # the hand-written RS equations (above) solved by scipy at T != Δ: q != R
    sol = ridge_solver.solve(alpha=alpha, Delta=Delta, T=T)
    F = gaussian_square_loss_equations(alpha, 1 / T, 1.0, Delta, linear_teacher_E, -2.0)
    ref = hand_solution(F, [0.5, 1.0, 0.5, 1.0, 0.0, 1.0])
    for name, value in zip(("q", "Q", "R", "q_hat", "Q_hat", "R_hat"), ref):
        assert sol[name] == pytest.approx(value, abs=1e-8), name
    assert abs(sol["q"] - sol["R"]) > 1e-3


def test_student_channel_is_the_likelihood(ridge_solver):
    # channel=Linear(Δ) instead of a loss: energy −Σ log P(y|h) = Σ (y − h)²/(2Δ) + (P/2) log 2πΔ, so Gibbs
    # learning at T = 1 is the square loss at T = Δ, with −βf shifted by −(α/2) log 2πΔ
    bayes = snn.declare_learning("bayes", weights=B.Gaussian(1), channel=B.Linear(noise="Delta"),
                                 teacher=B.Teacher(weights=B.Gaussian(1), channel=B.Linear(noise="Delta")))
    alpha, Delta = 2.0, 0.5
    lik = bayes.solver().solve(alpha=alpha, Delta=Delta, T=1.0)
    sq = ridge_solver.solve(alpha=alpha, Delta=Delta, T=Delta)
    for name in ("q", "Q", "R"):
        assert lik[name] == pytest.approx(sq[name], abs=1e-9)
    assert -lik.free_energy == pytest.approx(-sq.free_energy / Delta - alpha / 2 * math.log(2 * math.pi * Delta),
                                             abs=1e-9)


def sign_teacher_E(q, R, rho, Delta):
    # y = sign(u): ⟨y²⟩ = 1 and ⟨h sign(u)⟩ = R √(2/(πρ)) (jointly Gaussian h, u), so ⟨(y − h)²⟩ = 1 − 2R√(2/(πρ)) + q
    return 1 - 2 * R * math.sqrt(2 / (math.pi * rho)) + q


@pytest.mark.parametrize("channel,E,dE_dR", [
    (B.ReLU(noise="Delta"), relu_teacher_E, -1.0),
    (B.Sign(), sign_teacher_E, -2 * math.sqrt(2 / math.pi))], ids=["relu", "sign"])
def test_square_loss_with_nonlinear_teachers(channel, E, dE_dR):
    # least squares on the labels of a ReLU or a sign teacher: the engine integrates the teacher's own
    # Gaussian (the kink of max(0, u), the threshold of sign(u)) and the common Gaussian in closed form;
    # against the hand-written equations with ⟨(y − h)²⟩ worked out above
    m = snn.declare_learning("ls", weights=B.Gaussian(1), loss=B.SquareLoss(),
                             teacher=B.Teacher(weights=B.Gaussian(1), channel=channel))
    alpha, Delta, T = 1.5, 0.2, 0.4
    sol = m.solver().solve(alpha=alpha, T=T, **({"Delta": Delta} if "Delta" in m.parameter_specs else {}))
    F = gaussian_square_loss_equations(alpha, 1 / T, 1.0, Delta, E, dE_dR)
    ref = hand_solution(F, [0.3, 1.0, 0.3, 1.0, 0.0, 1.0])
    for name, value in zip(("q", "Q", "R", "q_hat", "Q_hat", "R_hat"), ref):
        assert sol[name] == pytest.approx(value, abs=1e-8), name


# -- spherical perceptron, Gibbs learning -------------------------------------------------------------

def sst_phi(alpha, beta, flip=0.0):
    """−βf(q, R) of Gibbs learning of a spherical student from a spherical teacher with output noise
    ``flip`` (Seung, Sompolinsky, Tishby, PRA 45, 6056 (1992); Engel & Van den Broeck, Statistical Mechanics
    of Learning (2001), ch. 2–5): ½ log(1 − q) + (q − R²)/(2(1 − q)) + 2α ∫Dt P(+|t) log[e^{−β} +
    (1 − e^{−β}) H(−√q t/√(1 − q))], P(+|t) = (1 − ε) H(−R t/√(q − R²)) + ε H(R t/√(q − R²))."""
    def phi(q, R):
        s = math.sqrt(q - R * R)
        energetic = gauss(lambda t: ((1 - flip) * H(-R * t / s) + flip * H(R * t / s)) * math.log(
            math.exp(-beta) + (1 - math.exp(-beta)) * H(-math.sqrt(q) * t / math.sqrt(1 - q))))
        return (0.5 * math.log(1 - q) + (q - R * R) / (2 * (1 - q)) + 2 * alpha * energetic
                + 0.5 * math.log(2 * math.pi * math.e))
    return phi


def stationary_point(phi, start, h=1e-4):
    def grad(v):
        q, R = v
        return [(phi(q + h, R) - phi(q - h, R)) / (2 * h), (phi(q, R + h) - phi(q, R - h)) / (2 * h)]
    root = optimize.root(grad, start, tol=1e-12)
    assert root.success, root.message
    return root.x


@pytest.fixture(scope="module")
def gibbs():
    return snn.declare_learning("gibbs", weights=B.Spherical(), loss=B.ErrorCount(),
                                teacher=B.Teacher(weights=B.Spherical(), channel=B.Sign()))


@pytest.mark.parametrize("alpha,T", [(1.0, 0.5), (3.0, 1.0)])
def test_gibbs_learning_of_the_spherical_perceptron(gibbs, alpha, T):
    # SST92 / EVdB: the stationary point of the hand-written −βf(q, R), found by scipy from the gradient
    sol = gibbs.solver().solve(alpha=alpha, T=T)
    q, R = stationary_point(sst_phi(alpha, 1 / T), [0.4, 0.5])
    assert sol["q"] == pytest.approx(q, abs=1e-6) and sol["R"] == pytest.approx(R, abs=1e-6)
    assert sol.free_energy == pytest.approx(-T * sst_phi(alpha, 1 / T)(sol["q"], sol["R"]), abs=1e-9)
    assert sol["q"] < sol["R"]       # students agree less with each other than with the teacher at T > 0
    # the declaration is the registry's teacher-student perceptron
    ts = snn.model("teacher-student-perceptron").solver().solve(alpha=alpha, T=T)
    assert ts["R"] == pytest.approx(sol["R"], abs=1e-12)


@pytest.fixture(scope="module")
def noisy():
    return snn.declare_learning("noisy", weights=B.Spherical(), loss=B.ErrorCount(),
                                teacher=B.Teacher(weights=B.Spherical(), channel=B.Sign(flip="eps")))


def test_noisy_teacher_perceptron(noisy):
    # output noise (EVdB ch. 5): each label flipped with probability ε. Hand-written −βf with the noisy
    # label law, solved by scipy
    solver = noisy.solver()
    alpha, T, eps = 2.0, 0.5, 0.2
    sol = solver.solve(alpha=alpha, T=T, eps=eps)
    q, R = stationary_point(sst_phi(alpha, 1 / T, eps), [0.4, 0.5])
    assert sol["q"] == pytest.approx(q, abs=1e-6) and sol["R"] == pytest.approx(R, abs=1e-6)
    assert sol.free_energy == pytest.approx(-T * sst_phi(alpha, 1 / T, eps)(sol["q"], sol["R"]), abs=1e-9)
    # noise slows learning: R below the noiseless teacher's at the same load and temperature
    clean = solver.solve(alpha=alpha, T=T, eps=0.0)
    assert sol["R"] < clean["R"] - 0.05


@pytest.mark.parametrize("alpha", [0.5, 3.0])
def test_noisy_teacher_at_the_bayes_temperature(noisy, alpha):
    # e^{−β·errors} with β = log((1 − ε)/ε) is proportional to the likelihood (1 − ε)^{P − errors} ε^{errors}
    # of the flipped labels: with the teacher's (spherical) prior the Gibbs measure is the posterior, and the
    # Nishimori identity q = R holds (Barbier et al., PNAS 116, 5451 (2019); EVdB ch. 5)
    eps = 0.1
    sol = noisy.solver().solve(alpha=alpha, eps=eps, T=1 / math.log((1 - eps) / eps))
    assert sol["q"] == pytest.approx(sol["R"], abs=1e-9)


# -- discrete weights ---------------------------------------------------------------------------------

def test_ising_student_of_a_gaussian_teacher():
    # binary weights learning from a Gaussian teacher: the teacher's weight is a quenched site variable
    # (no gauge), R = E_{w*} w* ⟨tanh(R̂ w* + √q̂ z)⟩ — by hand with scipy at the solver's conjugates
    m = snn.declare_learning("ising-gauss", weights=B.Ising(), teacher=B.Teacher(weights=B.Gaussian(1)))
    sol = m.solver().solve(alpha=1.0, T=0.5)
    qh, Rh = sol["q_hat"], sol["R_hat"]
    R = integrate.dblquad(lambda z, w: w * math.tanh(Rh * w + math.sqrt(qh) * z)
                          * math.exp(-(z * z + w * w) / 2) / (2 * math.pi), -10, 10, -10, 10, epsabs=1e-12)[0]
    q = integrate.dblquad(lambda z, w: math.tanh(Rh * w + math.sqrt(qh) * z) ** 2
                          * math.exp(-(z * z + w * w) / 2) / (2 * math.pi), -10, 10, -10, 10, epsabs=1e-12)[0]
    assert sol["R"] == pytest.approx(R, abs=1e-8) and sol["q"] == pytest.approx(q, abs=1e-8)


# -- typed errors ---------------------------------------------------------------------------------------

def test_bad_combinations_raise_typed_errors():
    x = sp.Symbol("x")
    with pytest.raises(snn.ParameterError, match=r"ErrorCount.*needs labels ±1.*Linear"):
        snn.declare_learning("bad", weights=B.Gaussian(1), loss=B.ErrorCount(),
                             teacher=B.Teacher(weights=B.Gaussian(1), channel=B.Linear(noise=0.5)))
    with pytest.raises(snn.ParameterError, match="not both"):
        snn.declare_learning("bad", weights=B.Gaussian(1), loss=B.SquareLoss(), channel=B.Linear(noise=0.5),
                             teacher=B.Teacher(weights=B.Gaussian(1), channel=B.Linear(noise=0.5)))
    with pytest.raises(snn.ParameterError, match="no noise"):
        snn.declare_learning("bad", weights=B.Gaussian(1), channel=B.Linear(),
                             teacher=B.Teacher(weights=B.Gaussian(1), channel=B.Linear(noise=0.5)))
    with pytest.raises(snn.ParameterError, match=r"ReLU.*law of real labels.*Sign"):
        snn.declare_learning("bad", weights=B.Gaussian(1), channel=B.ReLU(noise=0.5),
                             teacher=B.Teacher(weights=B.Spherical()))
    with pytest.raises(snn.ParameterError, match="weights"):
        snn.declare_learning("bad", weights=B.Binary())
    with pytest.raises(snn.ParameterError, match=r"SoftSpin.*teacher"):
        snn.declare_learning("bad", weights=B.Ising(), teacher=B.Teacher(weights=B.SoftSpin(x**4)))
    with pytest.raises(snn.ParameterError, match="law block"):
        snn.declare_learning("bad", weights="ising")
    with pytest.raises(snn.ParameterError, match="Teacher"):
        snn.declare_learning("bad", weights=B.Ising(), teacher=B.Sign())
    # the examples are the term of a learning declaration, not of a spin model (other T = 0 limit)
    with pytest.raises(snn.ParameterError, match="Examples.*not a term block"):
        snn.declare("bad", units=B.Ising(), terms=[B.Examples("alpha")])


def test_bad_parameters_raise_typed_errors(noisy, ridge_solver):
    with pytest.raises(snn.ParameterError, match="flip"):
        B.Sign(flip=0.7)
    with pytest.raises(snn.ParameterError, match="noise"):
        B.Linear(noise=-1.0)
    with pytest.raises(snn.ParameterError, match="engine uses itself"):
        B.ErrorCount(kappa="q")
    with pytest.raises(snn.ParameterError, match="eps must lie in"):
        noisy.solver().solve(alpha=1.0, T=0.5, eps=0.7)
    # the square loss has no T = 0 limit (only an error count has its version space)
    with pytest.raises(snn.ParameterError, match="zero-temperature"):
        ridge_solver.solve(alpha=1.0, Delta=0.5, T=0.0)


# -- domain ---------------------------------------------------------------------------------------------

def test_domains_and_constraints(gibbs):
    saddle = gibbs.free_energy().saddle_point()
    s = {str(k): k for k in saddle.order_parameters}
    assert saddle.domains[s["q"]] == (0, 1) and saddle.domains[s["q_hat"]] == (0, None)
    assert {str(g) for g in saddle.constraints} == {"-R**2 + q", "k_hat + q_hat"}
    zero = saddle.zero_temperature()
    assert zero.domains[s["q"]] == (0, 1) and len(zero.constraints) == 2
    # the point a user once got reported as converged, q = −0.56, R = 1.51, is outside both
    point = {s["q"]: -0.56, s["R"]: 1.51, s["k_hat"]: 1.0, s["q_hat"]: 1.0}
    assert point[s["q"]] < saddle.domains[s["q"]][0]
    assert any(float(g.xreplace(point)) < 0 for g in saddle.constraints)
    # a teacher of variance 2: R² ≤ ρ q with ρ = 2; free norm: q ≤ Q and a positive precision
    m = snn.declare_learning("wide", weights=B.Gaussian(1), loss=B.SquareLoss(),
                             teacher=B.Teacher(weights=B.Gaussian(2), channel=B.Linear(noise=0.5)))
    assert {str(g) for g in m.free_energy().saddle_point().constraints} == {"-R**2 + 2*q", "Q - q",
                                                                            "Q_hat + q_hat + 1"}
    sol = m.solver().solve(alpha=1.0, T=0.5)
    assert sol["R"] ** 2 <= 2 * sol["q"] and sol["q"] <= sol["Q"]
