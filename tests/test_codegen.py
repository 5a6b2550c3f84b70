"""Tests of statmech_nn.codegen: stable primitives, stable rewrites and generated kernels."""

import mpmath as mp
import numpy as np
import pytest
import sympy as sp

from statmech_nn.codegen import compile_saddle_point, primitives as P
from statmech_nn.codegen.generate import generate_source
from statmech_nn.symbolic.rewrite import Log2Cosh, LogH, Mills, Sech2, stabilise
from statmech_nn.solve import reference_rule

from _handmade import hopfield_saddle, sk_saddle

mp.mp.dps = 50
ARGS = [-1e300, -1e4, -750.0, -40.0, -5.0, -0.3, 0.0, 1e-8, 0.7, 4.99, 5.0, 20.0, 37.0, 40.0,
        750.0, 1e4, 1e300]


def _rel(a, b):
    b = float(b)
    return abs(a - b) / max(abs(b), 1e-300)


@pytest.mark.parametrize("x", ARGS)
def test_log2cosh_and_sech2_match_mpmath_without_overflow(x):
    exact = mp.log(2 * mp.cosh(mp.mpf(x)))
    assert _rel(P.log2cosh(x), exact) < 1e-15
    assert _rel(P.logcosh(x), exact - mp.log(2)) < 1e-14 or abs(x) < 1e-4
    assert abs(P.logcosh(x) - float(exact - mp.log(2))) < 1e-15 * max(1.0, abs(x))
    s = P.sech2(x)
    assert np.isfinite(s) and abs(s - float(1 / mp.cosh(mp.mpf(x)) ** 2)) <= 1e-15 * max(s, 1e-300)


@pytest.mark.parametrize("x", [a for a in ARGS if abs(a) < 1e150])
def test_H_logH_mills_match_mpmath(x):
    # Abramowitz & Stegun 26.2: H(x) = erfc(x/√2)/2, the standard normal tail
    Hx = mp.erfc(mp.mpf(x) / mp.sqrt(2)) / 2
    # erfc is a few ulp accurate; rounding x/√2 costs a relative x²·ε
    assert abs(P.H(x) - float(Hx)) <= 1e-15 * (4 + x * x) * float(Hx) + 1e-300
    if Hx < 1:  # log H is exactly 0 in double precision otherwise
        assert _rel(P.logH(x), mp.log(Hx)) < 1e-13
    mills = mp.npdf(x) / Hx
    if mills > 1e-300:
        assert _rel(P.mills(x), mills) < 1e-15 * (4 + x * x)


def test_primitives_never_overflow_or_nan():
    xs = np.concatenate([-np.logspace(-3, 300, 200), np.logspace(-3, 300, 200)])
    for fn in (P.log2cosh, P.logcosh, P.sech2, P.H, P.mills):
        assert all(np.isfinite(fn(x)) for x in xs)
    assert all(np.isfinite(P.logH(x)) for x in xs if x < 1e150)


def test_stabilise_rewrites_overflow_prone_forms():
    u = sp.Symbol("u", real=True)
    assert stabilise(sp.log(2 * sp.cosh(u))) == Log2Cosh(u)
    assert stabilise(sp.log(sp.cosh(u))) == Log2Cosh(u) - sp.log(2)
    assert sp.diff(stabilise(sp.log(2 * sp.cosh(u))), u) == sp.tanh(u)
    assert stabilise(1 / sp.cosh(u) ** 2) == Sech2(u)
    assert stabilise(sp.sinh(u) / sp.cosh(u)) == sp.tanh(u)
    assert stabilise(sp.log(sp.erfc(u) / 2)) == LogH(sp.sqrt(2) * u)
    assert sp.diff(LogH(u), u) == -Mills(u)
    # the rewritten derivative is finite where sinh/cosh would be inf/inf
    f = sp.lambdify(u, sp.diff(stabilise(sp.log(2 * sp.cosh(u))), u), "math")
    assert f(800.0) == 1.0


def test_stabilise_takes_the_complement_of_erfc_without_cancellation():
    # the Gibbs weight of an error count, e^{-β} + (1 − e^{-β}) H(x) with H(x) = erfc(x/√2)/2, as SymPy
    # writes it (1 − erfc(u)/2 + e^{-β} erfc(u)/2): where erfc(u) → 2 it is of order e^{-β}, and
    # 1 − erfc(u)/2 has lost every digit of it at low temperature
    u, b = sp.Symbol("u", real=True), sp.Symbol("b", positive=True)
    weight = 1 - sp.erfc(u) / 2 + sp.exp(-b) * sp.erfc(u) / 2
    assert sp.erfc(-u) == 2 - sp.erfc(u)       # why the cancellation is there in the first place
    stable = stabilise(weight)
    assert stable == sp.exp(LogH(-sp.sqrt(2) * u)) + sp.exp(-b) * sp.erfc(u) / 2
    assert stabilise(sp.log(1 - sp.erfc(u) / 2)) == LogH(-sp.sqrt(2) * u)
    # a common factor and a sum of other terms around the pair
    v = sp.Symbol("v", real=True)
    assert stabilise(4 * v - 2 * v * sp.erfc(u) + v ** 2) == 4 * v * sp.exp(LogH(-sp.sqrt(2) * u)) + v ** 2
    assert stabilise(3 + sp.erfc(u)) == 3 + sp.erfc(u)
    f = sp.lambdify((u, b), stable, modules=[{"LogH": P.logH}, "math"])
    for uu, bb in ((-6.0, 20.0), (-4.0, 30.0), (0.3, 20.0), (5.0, 1.0)):
        exact = mp.erfc(-mp.mpf(uu)) / 2 + mp.exp(-bb) * mp.erfc(mp.mpf(uu)) / 2
        assert _rel(f(uu, bb), exact) < 1e-13


def test_generated_source_uses_one_quadrature_loop_and_stable_log():
    src, spec = generate_source(sk_saddle())
    rhs = src[src.index("def rhs"):src.index("def jac")]
    assert rhs.count("for _k") == 1
    assert rhs.count("math.tanh") == 1          # tanh shared between the m and q integrands
    fe = src[src.index("def free_energy"):src.index("def hessian")]
    assert "log2cosh(" in fe and "math.log(" not in fe
    assert "eval(" not in src
    assert spec.order_parameters == ("m", "q") and spec.parameters == ("beta", "J0", "h")
    assert spec.has_replicon and spec.has_gaussian


def test_hopfield_three_patterns_one_loop_per_local_field():
    # ξ ∈ {±1}³ gives 8 local fields; each gets one loop centred on its kink, in which tanh is
    # computed once and shared by the m- and q-equations
    src, spec = generate_source(hopfield_saddle(3))
    rhs = src[src.index("def rhs"):src.index("def jac")]
    assert rhs.count("for _k") == 8
    assert rhs.count("kink_map(") == 8
    assert rhs.count("math.tanh") == 8
    assert spec.order_parameters == ("m1", "m2", "m3", "q", "r")


def test_compile_is_cached_in_process_and_on_disk():
    k1 = compile_saddle_point(sk_saddle())
    k2 = compile_saddle_point(sk_saddle())
    assert k1 is k2
    assert k1.path.exists() and k1.path.suffix == ".py"


@pytest.mark.parametrize("tamper", ["append code", "replace", "truncate", "drop record"])
def test_a_tampered_cached_kernel_is_regenerated_never_executed(tamper, tmp_path, monkeypatch):
    import hashlib

    from statmech_nn.codegen import build
    # a private cache: the four variants run on different xdist workers at once, and each tampers with
    # the file it checks
    monkeypatch.setenv("STATMECH_NN_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(build, "_LOADED", {})
    saddle = sk_saddle()
    good = compile_saddle_point(saddle)
    path, record = good.path, good.path.with_suffix(".sha256")
    original = path.read_bytes()
    assert record.read_text().strip() == hashlib.sha256(original).hexdigest()
    marker = tmp_path / "executed"
    payload = f"\nopen({str(marker)!r}, 'w').write('ran')\n".encode()
    if tamper == "append code":
        path.write_bytes(original + payload)
    elif tamper == "replace":
        path.write_bytes(payload)
    elif tamper == "truncate":
        path.write_bytes(original[: len(original) // 2])
    else:
        path.write_bytes(original + payload)
        record.unlink()
    monkeypatch.setattr(build, "_LOADED", {})          # as a new process: nothing loaded yet
    again = compile_saddle_point(saddle)
    assert not marker.exists()                          # the tampered file never ran
    assert path.read_bytes() == original                # regenerated from the saddle point
    assert record.read_text().strip() == hashlib.sha256(original).hexdigest()
    assert again is not good and again.module.__file__ == str(path)
    x, p = np.array([0.3, 0.6]), np.array([1.3, 0.7, 0.2])
    Z, W = reference_rule(65)
    assert again.module.free_energy(x, p, Z, W) == good.module.free_energy(x, p, Z, W)


def _fd_jacobian(fun, x, n_out, eps=1e-6):
    J = np.empty((n_out, x.size))
    for j in range(x.size):
        e = np.zeros_like(x)
        e[j] = eps
        J[:, j] = (fun(x + e) - fun(x - e)) / (2 * eps)
    return J


@pytest.mark.parametrize("make, x, p", [
    (sk_saddle, [0.3, 0.6], [1.3, 0.7, 0.2]),
    (lambda: hopfield_saddle(2), [0.7, 0.2, 0.8, 1.5], [1.5, 0.05, 0.1]),
])
def test_newton_jacobian_and_hessian_match_finite_differences(make, x, p):
    k = compile_saddle_point(make()).module
    Z, W = reference_rule(257)    # quadrature exact to ~1e-15 at these temperatures
    x, p = np.array(x), np.array(p)
    n = x.size

    def rhs(y):
        out = np.empty(n)
        k.rhs(y, p, Z, W, out)
        return out

    J = np.empty((n, n))
    k.jac(x, p, Z, W, J)
    np.testing.assert_allclose(J, _fd_jacobian(rhs, x, n), atol=2e-8)

    def grad(y):
        return _fd_jacobian(lambda v: np.array([k.free_energy(v, p, Z, W)]), y, 1, eps=1e-5)[0]

    Hs = np.empty((n, n))
    k.hessian(x, p, Z, W, Hs)
    np.testing.assert_allclose(Hs, Hs.T, atol=0)
    np.testing.assert_allclose(Hs, _fd_jacobian(grad, x, n, eps=1e-4), atol=2e-5)


def test_kernels_finite_at_q_zero_thanks_to_stein():
    # d/dq of E tanh(β√q z) contains 1/√q before Stein's lemma: Newton's exact Jacobian of the
    # discretised map is not finite at q = 0, so the solver falls back to the Stein form, which is
    k = compile_saddle_point(sk_saddle()).module
    Z, W = reference_rule(65)
    J = np.empty((2, 2))
    k.jac_stein(np.array([0.0, 0.0]), np.array([0.5, 0.0, 0.0]), Z, W, J)
    assert np.all(np.isfinite(J))
    # q-equation: d/dq E tanh²(β√q z) at q = 0 equals β² (SK paramagnet, AT 1978)
    assert J[1, 1] == pytest.approx(0.25, abs=1e-14)


def test_direct_and_stein_jacobians_agree_where_both_exist():
    # the two forms differ only by quadrature error: identical to 1e-12 with enough nodes at q > 0
    k = compile_saddle_point(sk_saddle()).module
    Z, W = reference_rule(257)
    x, p = np.array([0.3, 0.4]), np.array([1.5, 0.5, 0.1])
    Jd, Js = np.empty((2, 2)), np.empty((2, 2))
    k.jac(x, p, Z, W, Jd)
    k.jac_stein(x, p, Z, W, Js)
    np.testing.assert_allclose(Jd, Js, atol=1e-12)


def test_exponential_of_a_completed_square_is_absorbed_into_its_average():
    # exp(−c) E_Y[exp(−2cY) exp(−cY²)] = E_Y[exp(−c(1 + Y)²)]: separately the outer factor underflows
    # and the inner one overflows at the tail nodes (0·inf = nan); merged, the exponent stays finite
    import math

    import sympy as sp

    from statmech_nn.symbolic.rewrite import absorb_exponentials
    from statmech_nn.symbolic.averages import GaussianAverage
    Y, c = sp.Symbol("Y", real=True), sp.Symbol("c", positive=True)
    split = sp.exp(-c) * GaussianAverage(sp.exp(-2 * c * Y) * sp.exp(-c * Y**2), Y)
    merged = absorb_exponentials(split)
    (avg,) = merged.atoms(GaussianAverage)
    assert merged == avg and len(avg.integrand.atoms(sp.exp)) == 1
    # the same value: E exp(−c(1+Y)²) = exp(−c/(1+2c))/√(1+2c), by 64-node Gauss–Hermite at c = 0.3
    nodes, weights = np.polynomial.hermite_e.hermegauss(64)
    weights = weights / weights.sum()
    f = sp.lambdify((Y, c), avg.integrand, "numpy")
    assert abs(np.sum(weights * f(nodes, 0.3)) - math.exp(-0.3 / 1.6) / math.sqrt(1.6)) < 1e-12
    # at c = 800 the split form is 0·inf = nan on these nodes, the merged one finite
    with np.errstate(over="ignore", invalid="ignore"):
        naive = math.exp(-800) * np.sum(weights * np.exp(-1600 * nodes) * np.exp(-800 * nodes**2))
        assert np.isnan(naive)
        assert np.isfinite(np.sum(weights * f(nodes, 800.0)))
