"""Models nobody registered, declared in a few lines from public blocks, checked against independent
hand-written solutions of their published RS equations (each cited where it is defined below).

The hand-written references use plain numpy Gauss–Hermite quadrature (or scipy ``quad`` where the
integrand is sharp) and ``scipy.optimize.fsolve``; none of them touches the engine or its kernels.
"""
import math

import numpy as np
import pytest
import sympy as sp
from scipy.integrate import quad
from scipy.optimize import fsolve

import statmech_nn as snn
from statmech_nn import blocks as B
from statmech_nn.errors import DerivationError, ParameterError

#: Gauss–Hermite rule for E_z over a standard normal (probabilists' weights)
Z, WZ = np.polynomial.hermite_e.hermegauss(160)
WZ = WZ / WZ.sum()
TOL = 1e-7


def log2cosh(x):
    x = np.abs(x)
    return x + np.log1p(np.exp(-2 * x))


def solved(model, guess, **point):
    """Compile the declared model's saddle point once per model and solve at ``point``."""
    cache = solved.__dict__.setdefault("cache", {})
    if model.name not in cache:
        cache[model.name] = model.free_energy().saddle_point().compile()
    return cache[model.name].solve(guess=guess, **point)


# -- 1. Hopfield + ferromagnet ---------------------------------------------------------------------
# AGS, Ann. Phys. 173, 30 (1987), eq. (2.15), with the mean-field ferromagnetic term of
# Sherrington & Kirkpatrick, PRL 35, 1792 (1975) (couplings J0/N): the magnetisation M adds J0 M to the
# local field and J0 M²/2 to f; the Mattis overlap m and M are different quantities.

@pytest.fixture(scope="module")
def hopfield_ferro():
    return snn.declare("hopfield-ferro", units=B.Ising(),
                       terms=[B.Hebbian("alpha"), B.Ferromagnetic("J0"), B.Field("h")])


def _hopfield_ferro_hand(alpha, J0, h, T, start):
    b = 1 / T
    xi = np.array([-1.0, 1.0])[:, None]

    def fields(m, M, r):
        return b * (m * xi + J0 * M + h + np.sqrt(alpha * r) * Z[None, :])

    def eqs(v):
        m, M, q, r = v
        t = np.tanh(fields(m, M, max(r, 0)))
        return [np.mean(xi * t @ WZ) - m, np.mean(t @ WZ) - M, np.mean(t**2 @ WZ) - q,
                q / (1 - b * (1 - q)) ** 2 - r]

    m, M, q, r = fsolve(eqs, start, xtol=1e-13)
    L = 1 - b * (1 - q)
    f = (alpha / 2 + m**2 / 2 + J0 * M**2 / 2 + alpha / (2 * b) * (np.log(L) - b * q / L)
         + alpha * b * r * (1 - q) / 2 - np.mean(log2cosh(fields(m, M, r)) @ WZ) / b)
    return {"m": m, "M": M, "q": q, "r": r}, f


def test_hopfield_ferromagnet_has_distinct_m_and_M(hopfield_ferro):
    fe = hopfield_ferro.free_energy()
    assert [str(x) for x in fe.order_parameters] == ["m", "M", "q", "r"]
    eqs = fe.saddle_point().equations
    m, M = fe.order_parameters[:2]
    # m = E_xi[xi <tanh>], M = E_xi[<tanh>]: the Mattis overlap carries the pattern entry, the
    # magnetisation does not; both fields enter one tanh (no merged order parameter)
    assert eqs[m].integrand == sp.Symbol("xi") * eqs[M].integrand


@pytest.mark.parametrize("point, guess, branch", [
    (dict(alpha=0.05, J0=0.5, h=0.0, T=0.3), {"m": 1.0, "M": 0.0, "q": 0.98, "r": 1.1}, "retrieval"),
    (dict(alpha=0.05, J0=1.5, h=0.0, T=0.5), {"m": 0.0, "M": 0.9, "q": 0.9, "r": 1.5}, "ferromagnet"),
])
def test_hopfield_ferromagnet_solutions_match_hand_written(hopfield_ferro, point, guess, branch):
    sol = solved(hopfield_ferro, guess, **point)
    ref, f = _hopfield_ferro_hand(point["alpha"], point["J0"], point["h"], point["T"],
                                  [guess[k] for k in ("m", "M", "q", "r")])
    for k, v in ref.items():
        assert sol[k] == pytest.approx(v, abs=TOL), (branch, k)
    assert sol.free_energy == pytest.approx(f, abs=TOL)
    if branch == "retrieval":
        assert sol["m"] > 0.95 and abs(sol["M"]) < 1e-9
    else:
        assert abs(sol["m"]) < 1e-9 and sol["M"] > 0.5


def test_two_different_quantities_under_one_name_is_an_error():
    # the Hebbian overlap m and a magnetisation forced to the same name: a typed error naming both
    bad = snn.declare("clash", units=B.Ising(),
                      terms=[B.Hebbian("alpha"), B.Ferromagnetic("J0", magnetisation="m")])
    with pytest.raises(DerivationError, match=r"Hebbian couplings \(term 1\).*ferromagnetic couplings "
                                              r"\(term 2\)|ferromagnetic couplings \(term 2\).*Hebbian"):
        bad.free_energy()


# -- 2. Hopfield + SK noise ------------------------------------------------------------------------
# Sompolinsky, PRA 34, 2571 (1986): Gaussian synaptic noise of variance J²/N on the Hebbian couplings
# adds J² q to the variance α r of the noise field and −β J²(1 − q)²/4 to f (the SK term, SK 1975).

def test_hopfield_with_sk_noise_matches_hand_written():
    model = snn.declare("hopfield-sk", units=B.Ising(), terms=[B.Hebbian("alpha"), B.GaussianCouplings("J")])
    eqs = model.free_energy().saddle_point().equations
    q_sym, r_sym = sp.Symbol("q", positive=True), sp.Symbol("r", positive=True)
    # the noises add in one field sqrt(J² q + α r) z
    assert any(f.args[0].has(sp.sqrt(sp.Symbol("J", positive=True) ** 2 * q_sym
                                     + sp.Symbol("alpha", nonnegative=True) * r_sym))
               for f in eqs[q_sym].atoms(sp.tanh))
    alpha, J, T = 0.05, 0.3, 0.3
    b = 1 / T
    xi = np.array([-1.0, 1.0])[:, None]

    def field(m, q, r):
        return b * (m * xi + np.sqrt(max(J**2 * q + alpha * r, 0)) * Z[None, :])

    def hand(v):
        m, q, r = v
        t = np.tanh(field(m, q, r))
        return [np.mean(xi * t @ WZ) - m, np.mean(t**2 @ WZ) - q, q / (1 - b * (1 - q)) ** 2 - r]

    m, q, r = fsolve(hand, [0.95, 0.93, 1.6], xtol=1e-13)
    L = 1 - b * (1 - q)
    f = (alpha / 2 + m**2 / 2 + alpha / (2 * b) * (np.log(L) - b * q / L) + alpha * b * r * (1 - q) / 2
         - b * J**2 * (1 - q) ** 2 / 4 - np.mean(log2cosh(field(m, q, r)) @ WZ) / b)
    sol = solved(model, {"m": 1.0}, alpha=alpha, J=J, T=T)
    assert (sol["m"], sol["q"], sol["r"]) == pytest.approx((m, q, r), abs=TOL)
    assert sol.free_energy == pytest.approx(f, abs=TOL)


# -- 3. spherical SK ---------------------------------------------------------------------------------
# Kosterlitz, Thouless & Jones, PRL 36, 1217 (1976): below T = 1 (J = 1, h = 0) q = 1 − T and the
# energy per spin is u = −(β/2)(1 − q²) = −1 + T/2; above T = 1, q = 0 and u = −β/2.

def test_spherical_sk_is_kosterlitz_thouless_jones():
    model = snn.declare("spherical-sk", units=B.Spherical(), terms=[B.GaussianCouplings()])
    for T in (0.3, 0.6, 1.3):
        sol = solved(model, {"q": 0.5}, T=T)
        assert sol["q"] == pytest.approx(max(1 - T, 0.0), abs=1e-8)
        # u = d(βf)/dβ by a central difference of the solved free energy
        db = 1e-4
        bf = [(1 / T + s) * solved(model, {"q": max(1 - T, 0.0) + 1e-3}, beta=1 / T + s).free_energy
              for s in (-db, db)]
        u = (bf[1] - bf[0]) / (2 * db)
        assert u == pytest.approx(-1 + T / 2 if T < 1 else -1 / (2 * T), abs=1e-6)


# KTJ (1976) with a ferromagnetic coupling J0: −βf = β²J²(1 − q²)/4 + βJ0 M²/2 + (q − M²)/(2(1 − q))
# + log(1 − q)/2, by hand. ∂_M: M = 0 or 1 − q = T/J0; ∂_q: β²J² q = (q − M²)/(1 − q)². Ferromagnet
# (J0 > J): q = 1 − T/J0, M² = q(1 − J²/J0²); spin glass (J0 < J): M = 0, q = 1 − T/J.

def test_spherical_sk_with_a_ferromagnet_is_ktj():
    model = snn.declare("spherical-sk-ferro", units=B.Spherical(),
                        terms=[B.GaussianCouplings("J"), B.Ferromagnetic("J0")])
    T, J = 0.5, 1.0
    ferro = solved(model, {"M": 0.6, "q": 0.6}, T=T, J=J, J0=1.5)
    q = 1 - T / 1.5
    assert ferro["q"] == pytest.approx(q, abs=TOL)
    assert ferro["M"] == pytest.approx(math.sqrt(q * (1 - J**2 / 1.5**2)), abs=TOL)
    glass = solved(model, {"M": 0.0, "q": 0.4}, T=T, J=J, J0=0.5)
    assert glass["M"] == 0 and glass["q"] == pytest.approx(1 - T / J, abs=TOL)


# -- 4. Gaussian-pattern Hopfield ------------------------------------------------------------------
# AGS (1987) eq. (2.15) holds for any i.i.d. pattern law of mean 0 and variance 1 (only v = E ξ² enters
# the log det); the pattern average becomes a Gaussian average over ξ (Barra, Genovese, Sollich,
# Tantari, PRE 97, 022310 (2018): the RBM with Gaussian weights). Spin-glass branch m = 0; the
# paramagnet–spin-glass line is AGS's T_g = 1 + √α.

def test_gaussian_pattern_hopfield_matches_hand_written():
    model = snn.declare("gaussian-hopfield", units=B.Ising(),
                        terms=[B.Hebbian("alpha", patterns=B.Gaussian())])
    fe = model.free_energy()
    # the law is a Gaussian average over the pattern entry, not a discrete one
    from statmech_nn.symbolic.averages import DiscreteAverage, GaussianAverage
    assert not fe.expr.atoms(DiscreteAverage)
    assert "xi" in {str(a.variable) for a in fe.expr.atoms(GaussianAverage)}
    alpha, T = 0.05, 0.5
    b = 1 / T

    def hand(v):
        q, r = v
        t = np.tanh(b * np.sqrt(alpha * max(r, 0)) * Z)
        return [t**2 @ WZ - q, q / (1 - b * (1 - q)) ** 2 - r]

    q, r = fsolve(hand, [0.8, 5.0], xtol=1e-13)
    sol = solved(model, {"m": 0.0, "q": 0.8, "r": 5.0}, alpha=alpha, T=T)
    assert abs(sol["m"]) < 1e-9
    # r = q/(1 − β(1 − q))² amplifies the last digits of q by 2βq/(1 − β(1 − q))³ ≈ 100 here
    assert sol["q"] == pytest.approx(q, abs=TOL) and sol["r"] == pytest.approx(r, rel=TOL)
    # q vanishes at T_g = 1 + sqrt(alpha) (AGS): positive just below, zero just above
    Tg = 1 + math.sqrt(alpha)
    assert solved(model, {"m": 0.0, "q": 0.5, "r": 1.0}, alpha=alpha, T=0.97 * Tg)["q"] > 1e-3
    assert solved(model, {"m": 0.0, "q": 0.5, "r": 1.0}, alpha=alpha, T=1.03 * Tg)["q"] < 1e-8


# -- 5. {0, 1} SK ------------------------------------------------------------------------------------
# SK couplings J_ij ~ N(0, 1/N) between occupation variables n ∈ {0, 1} (MPV, Spin Glass Theory and
# Beyond (1987), ch. II, with n² = n): Q_aa = q_d is an order parameter, and by hand
# f = β(q_d² − q²)/4 − (1/β) E_z log(1 + e^u), u = βh + β²(q_d − q)/2 + β√q z;
# q_d = E_z σ(u), q = E_z σ(u)², σ the logistic function.

def test_binary01_sk_matches_hand_written():
    model = snn.declare("sk01", units=B.Binary01(), terms=[B.GaussianCouplings(), B.Field("h")])
    h, T = 0.2, 0.5
    b = 1 / T

    def u(qd, q):
        return b * h + b * b * (qd - q) / 2 + b * np.sqrt(max(q, 0)) * Z

    def hand(v):
        qd, q = v
        s = 1 / (1 + np.exp(-u(qd, q)))
        return [s @ WZ - qd, s**2 @ WZ - q]

    qd, q = fsolve(hand, [0.6, 0.4], xtol=1e-13)
    f = b * (qd**2 - q**2) / 4 - (np.logaddexp(0, u(qd, q)) @ WZ) / b
    sol = solved(model, {"q_d": 0.6, "q": 0.4}, h=h, T=T)
    assert (sol["q_d"], sol["q"]) == pytest.approx((qd, q), abs=TOL)
    assert sol.free_energy == pytest.approx(f, abs=TOL)
    assert 0 < sol["q"] < sol["q_d"] < 1


# -- 6. quartic soft-spin SK ---------------------------------------------------------------------------
# Sompolinsky & Zippelius, PRB 25, 6860 (1982): soft spins with dP(x) ∝ e^{−V(x)} dx, SK couplings
# (J = 1). By hand (the steps of SK 1975 with a free self-overlap):
# f = β(q_d² − q²)/4 − (1/β) E_z log ∫dx e^{−V(x) + β√q z x + β²(q_d − q)x²/2},
# q_d = E_z⟨x²⟩, q = E_z⟨x⟩² under that single-site measure. No closed form: the engine keeps the
# single-site integral as a node that the kernels integrate numerically.

def _soft_spin_site(V, z, qd, q, b, powers=(0, 1, 2)):
    a, c = b * math.sqrt(q) * z, b * b * (qd - q) / 2
    xs = np.linspace(-12, 12, 24001)
    e = -V(xs) + a * xs + c * xs**2
    x0, emax = xs[np.argmax(e)], e.max()
    vals = [quad(lambda x, k=k: x**k * math.exp(-V(x) + a * x + c * x * x - emax), x0 - 10, x0 + 10,
                 points=[x0], limit=200, epsabs=0, epsrel=1e-12)[0] for k in powers]
    return vals, emax


def test_quartic_soft_spin_sk_matches_hand_written():
    x = sp.Symbol("x")
    model = snn.declare("soft-spin-sk", units=B.SoftSpin(x**4 / 4 - x**2 / 2), terms=[B.GaussianCouplings()])
    assert [str(o) for o in model.free_energy().order_parameters] == ["q_d", "q"]
    T = 1.0
    b = 1 / T
    sol = solved(model, {"q_d": 2.0, "q": 1.0}, T=T)
    qd, q = sol["q_d"], sol["q"]
    V = lambda s: s**4 / 4 - s**2 / 2   # noqa: E731
    # the engine's solution is a fixed point of the hand-written map (adaptive quadrature)
    rhs = np.zeros(2)
    logz = 0.0
    for z, w in zip(*np.polynomial.hermite_e.hermegauss(100)):
        (I0, I1, I2), emax = _soft_spin_site(V, z, qd, q, b)
        rhs += w / math.sqrt(2 * math.pi) * np.array([I2 / I0, (I1 / I0) ** 2])
        logz += w / math.sqrt(2 * math.pi) * (math.log(I0) + emax)
    assert rhs == pytest.approx([qd, q], abs=1e-7)
    assert sol.free_energy == pytest.approx(b * (qd**2 - q**2) / 4 - logz / b, abs=1e-7)
    assert q > 0.5 and qd > q        # a spin glass at T = 1 (its RS solution)


# -- bad declarations ------------------------------------------------------------------------------------

def test_bad_declarations_raise_typed_errors():
    with pytest.raises(ParameterError, match="law of units"):
        snn.declare("x", units=B.Biased("a"), terms=[B.Field("h")])
    with pytest.raises(ParameterError, match="not a term block"):
        snn.declare("x", units=B.Ising(), terms=[B.Ising()])
    with pytest.raises(ParameterError, match="engine uses itself"):
        B.Field("beta")
    with pytest.raises(ParameterError, match="plain identifier"):
        B.Hebbian("__import__('os')")
    with pytest.raises(ParameterError, match="used as a load and as a field"):
        snn.declare("x", units=B.Ising(), terms=[B.Hebbian("a"), B.Field("a")])
    with pytest.raises(ParameterError, match="text"):
        B.SoftSpin("x**4")
    with pytest.raises(ParameterError, match="out of range"):
        B.Diluted(1.5)
    # the law of the patterns is a block, not a name iterated letter by letter
    with pytest.raises(ParameterError, match="must be a law block"):
        B.Hebbian("alpha", patterns="gaussian")
    with pytest.raises(ParameterError, match="at least one term"):
        snn.declare("x", units=B.Ising(), terms=[])


def test_registry_spin_models_are_declarations():
    from statmech_nn.models.declared import DeclaredModel
    spin = ["curie-weiss", "sk", "hopfield", "p-spin", "dense-hopfield", "rbm", "multitasking-hebbian",
            "dense-hebbian"]
    for name in spin:
        model = snn.model(name)
        assert isinstance(model, DeclaredModel), name
        units, terms = model.declaration()
        assert isinstance(units, B.Law) and all(isinstance(t, B.Term) for t in terms), name
