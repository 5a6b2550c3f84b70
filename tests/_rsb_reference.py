"""Hand-written one-step RSB references, independent of the package, for the tests of the replica
engine's RSB (``free_energy(rsb=1)``) and of :mod:`statmech_nn.solve.parisi`.

Each function is written from the paper's free energy with scipy (``quad``, ``fsolve``, ``brentq``,
``minimize_scalar``); nothing here imports the package. The derivations are summarised in the
docstrings; where a paper's equation number could not be checked here the formula is identified by
what it is, not by a number. Every formula has a test in ``tests/test_rsb_reference.py``: its
literature value, its ``k = 0`` (replica-symmetric) limit and its stationarity by finite differences.

References
----------
G. Parisi, J. Phys. A 13, 1101 (1980) (SK, one step, T = 0).
A. Crisanti and H.-J. Sommers, Z. Phys. B 87, 341 (1992); T. Castellani and A. Cavagna, J. Stat.
Mech. P05012 (2005) (spherical p-spin glass, one step, also in a field).
D. J. Amit, H. Gutfreund and H. Sompolinsky, Ann. Phys. 173, 30 (1987) (Hopfield, RS);
A. Crisanti, D. J. Amit and H. Gutfreund, Europhys. Lett. 2, 337 (1986) and H. Steffan and R. Kühn,
Z. Phys. B 95, 249 (1994) (Hopfield, one step, T = 0).
E. Gardner and B. Derrida, J. Phys. A 21, 271 (1988); W. Krauth and M. Mézard, J. Phys. France 50,
3057 (1989) (Ising perceptron).
"""
import functools
import math

import numpy as np
from scipy.integrate import quad
from scipy.optimize import brentq, fsolve, minimize, minimize_scalar
from scipy.special import erf, log_ndtr

SQRT_2PI = math.sqrt(2 * math.pi)


def gauss_average(f, mean=0.0, sd=1.0, points=()):
    """``E_z f(mean + sd z)`` over a standard normal ``z`` by adaptive quadrature; ``points`` are
    values of the argument ``mean + sd z`` where ``f`` has a narrow feature."""
    zs = sorted((p - mean) / sd for p in points if sd > 0 and abs((p - mean) / sd) < 12)
    return quad(lambda z: f(mean + sd * z) * math.exp(-z * z / 2) / SQRT_2PI, -12, 12,
                points=zs or None, limit=400, epsabs=1e-14, epsrel=1e-12)[0]


def log_abs_tilt(a, s, mu):
    """``log E_y exp(μ|a + s y|)`` (``y`` standard normal) in closed form:
    ``e^{μ²s²/2} [e^{μa} Φ(a/s + μs) + e^{−μa} Φ(−a/s + μs)]``; returns it and the logs of the two
    terms."""
    lp = mu * mu * s * s / 2 + mu * a + log_ndtr(a / s + mu * s)
    lm = mu * mu * s * s / 2 - mu * a + log_ndtr(-a / s + mu * s)
    return float(np.logaddexp(lp, lm)), lp, lm


# ------------------------------------------------------------------------------------------------
# SK, one step, T = 0 (Parisi 1980)
# ------------------------------------------------------------------------------------------------

def sk_1rsb_ground_state_functional(q0, mu):
    """One-step RSB ground-state energy of the SK model (``J_ij ~ N(0, 1/N)``) at ``T = 0``.

    Parisi's one-step free energy ``−βf = (β²/4)[1 − 2q1 + (1 − x)q1² + x q0²] + log 2
    + (1/x) E_z log E_y cosh^x β(√q0 z + √(q1 − q0) y)`` (Parisi 1980) with ``x = μ/β``,
    ``β(1 − q1)`` finite as ``β → ∞``: ``T log cosh(βu) → |u|``, ``q1 → 1`` and

        e(q0, μ) = −(1/μ) E_z log E_y exp(μ|√q0 z + √(1 − q0) y|) + μ(1 − q0²)/4,

    the inner average in closed form (:func:`log_abs_tilt`). ``μ → 0`` gives the RS ``−√(2/π)``.
    The ground state maximises ``e`` over ``(q0, μ)`` (the free energy is maximised over ``x``).
    """
    s = math.sqrt(1.0 - q0)
    inner = gauss_average(lambda a: log_abs_tilt(a, s, mu)[0], 0.0, math.sqrt(q0), points=(0.0,)) \
        if q0 > 0 else log_abs_tilt(0.0, s, mu)[0]
    return -inner / mu + mu * (1.0 - q0 ** 2) / 4


def sk_1rsb_ground_state():
    """``(e, q0, μ)``: the maximum of :func:`sk_1rsb_ground_state_functional` (Parisi 1980: −0.7652)."""
    res = minimize(lambda v: -sk_1rsb_ground_state_functional(v[0], v[1]), [0.5, 1.4], method="Nelder-Mead",
                   options={"xatol": 1e-9, "fatol": 1e-14, "maxiter": 4000})
    return -res.fun, res.x[0], res.x[1]


# ------------------------------------------------------------------------------------------------
# spherical p-spin glass, one step (Crisanti & Sommers 1992)
# ------------------------------------------------------------------------------------------------

def spherical_1rsb_free_entropy(q, x, T, p):
    """``−βf`` of the spherical ``p``-spin glass (``Σσ² = N``, couplings of variance
    ``p!/(2N^{p−1})``, i.e. ``E[H H'] = N q^p/2``) in the one-step ansatz ``q0 = 0``, ``q1 = q``, block
    size ``x`` (Crisanti & Sommers 1992; Castellani & Cavagna 2005):

        −βf = (β²/4)[1 − (1 − x) q^p] + (1/2)[((x − 1)/x) log(1 − q) + (1/x) log(1 − (1 − x) q)]
              + (1/2)(1 + log 2π).

    At ``x = 1`` or ``q = 0`` it is the paramagnet ``β²/4 + (1 + log 2π)/2`` (the log-volume of the
    sphere per spin).
    """
    b2 = 1.0 / T ** 2
    return (b2 / 4 * (1 - (1 - x) * q ** p)
            + 0.5 * ((x - 1) / x * math.log(1 - q) + math.log(1 - (1 - x) * q) / x)
            + 0.5 * (1 + math.log(2 * math.pi)))


def spherical_1rsb_equations(q, x, T, p):
    """Stationarity of :func:`spherical_1rsb_free_entropy` in ``q`` and ``x`` (derived by hand):

        ∂/∂q:  (1 − x)/2 · [q/((1 − q)(1 − (1 − x) q)) − β² p q^{p−1}/2],
        ∂/∂x:  (β²/4) q^p + (1/(2x²)) [log(1 − q) − log(1 − (1 − x) q)] + q/(2x(1 − (1 − x) q)).
    """
    b2 = 1.0 / T ** 2
    d_q = (1 - x) / 2 * (q / ((1 - q) * (1 - (1 - x) * q)) - b2 * p * q ** (p - 1) / 2)
    d_x = (b2 / 4 * q ** p + (math.log(1 - q) - math.log(1 - (1 - x) * q)) / (2 * x * x)
           + q / (2 * x * (1 - (1 - x) * q)))
    return d_q, d_x


def spherical_static_temperature(p):
    """``(T_s, q)``: where the one-step solution reaches ``x = 1`` (the static transition). At ``x = 1``
    the ``q`` equation divided by ``1 − x`` reads ``β² p q^{p−2}(1 − q)/2 = 1`` and the ``x`` equation
    ``β² q^p/2 + log(1 − q) + q = 0``; eliminating ``β²`` leaves one equation in ``q``."""
    def g(q):
        b2 = 2.0 / (p * q ** (p - 2) * (1 - q))
        return b2 * q ** p / 2 + math.log(1 - q) + q
    q = brentq(g, 0.05, 0.999, xtol=1e-15)
    b2 = 2.0 / (p * q ** (p - 2) * (1 - q))
    return 1.0 / math.sqrt(b2), q


def spherical_dynamical_temperature(p):
    """``(T_d, q)``: marginal stability of the threshold states — the ``x = 1`` ``q`` equation
    ``β² p q^{p−2}(1 − q)/2 = 1`` together with a vanishing replicon of the ``q`` block,
    ``β² ξ''(q)(1 − q)² = 1`` with ``ξ''(q) = p(p − 1)q^{p−2}/2``. Solved numerically; in closed form
    ``T_d² = p(p − 2)^{p−2}/(2(p − 1)^{p−1})`` (``√(3/8)`` for ``p = 3``)."""
    def eqs(v):
        q, b2 = v
        return [b2 * p * q ** (p - 2) * (1 - q) / 2 - 1,
                b2 * p * (p - 1) * q ** (p - 2) / 2 * (1 - q) ** 2 - 1]
    q, b2 = fsolve(eqs, [0.5, 2.5], xtol=1e-14, full_output=True)[0]
    return 1.0 / math.sqrt(b2), q


def spherical_1rsb_solution(T, p, guess=(0.6, 0.8)):
    """``(q, x)`` solving both one-step equations at ``T`` (below ``T_s`` ``x < 1``)."""
    sol = fsolve(lambda v: spherical_1rsb_equations(v[0], v[1], T, p), guess, xtol=1e-14, full_output=True)[0]
    return float(sol[0]), float(sol[1])


def spherical_field_free_entropy(q0, q1, x, T, h, p=3):
    """``−βf`` of the spherical ``p``-spin glass in a uniform field ``h`` (``−h Σσ``) in the one-step
    ansatz ``(q0, q1, x)``, without the constant ``(1 + log 2π)/2``.

    On the sphere a uniform field enters like a random one of variance ``h²``: the replicated
    ``β h Σ_a m_a + ½ log det(Q − m mᵀ)``, maximised over the magnetisations, is ``½ log det Q +
    (β²h²/2) Σ_ab Q_ab``, the term a field ``h_i ~ N(0, h²)`` gives. So the covariance is
    ``ξ(q) = q^p/2 + h² q`` and (Crisanti & Sommers 1992, the spherical one-step free energy with ``ξ``)

        2(−βf) = β²[ξ(1) − (1 − x) ξ(q1) − x ξ(q0)] + ((x − 1)/x) log(1 − q1) + (1/x) log L + q0/L,
        L = 1 − (1 − x) q1 − x q0.

    At ``h = 0``, ``q0 = 0`` it is :func:`spherical_1rsb_free_entropy` less its constant.
    """
    b2 = 1.0 / T ** 2
    L = 1 - (1 - x) * q1 - x * q0
    return 0.5 * (b2 * (_xi_field(1.0, h, p) - (1 - x) * _xi_field(q1, h, p) - x * _xi_field(q0, h, p))
                  + (x - 1) / x * math.log(1 - q1) + math.log(L) / x + q0 / L)


def _xi_field(q, h, p):
    return q ** p / 2 + h * h * q


def spherical_field_equations(q0, q1, x, T, h, p=3):
    """Stationarity of :func:`spherical_field_free_entropy` (derived by hand; ``ξ'(q) = p q^{p−1}/2 +
    h²``), the ``q0`` one divided by ``x/2`` and the ``q1`` one by ``(1 − x)/2``:

        ∂/∂q0:  q0/L² − β² ξ'(q0),
        ∂/∂q1:  (1/x)[1/(1 − q1) − 1/L] + q0/L² − β² ξ'(q1),
        ∂/∂x:   ½{β²[ξ(q1) − ξ(q0)] + [log(1 − q1) − log L]/x² + (q1 − q0)/(x L) − q0 (q1 − q0)/L²}.
    """
    b2 = 1.0 / T ** 2
    L = 1 - (1 - x) * q1 - x * q0
    dxi0, dxi1 = p * q0 ** (p - 1) / 2 + h * h, p * q1 ** (p - 1) / 2 + h * h
    d_q0 = q0 / L ** 2 - b2 * dxi0
    d_q1 = (1 / (1 - q1) - 1 / L) / x + q0 / L ** 2 - b2 * dxi1
    d_x = 0.5 * (b2 * (_xi_field(q1, h, p) - _xi_field(q0, h, p)) + (math.log(1 - q1) - math.log(L)) / x ** 2
                 + (q1 - q0) / (x * L) - q0 * (q1 - q0) / L ** 2)
    return d_q0, d_q1, d_x


def spherical_field_static_temperature(h, p=3, guess=(0.03, 0.62, 0.6)):
    """``(T_s, q0, q1)`` in the field ``h``: the three one-step equations at ``x = 1``."""
    v = fsolve(lambda v: spherical_field_equations(v[0], v[1], 1.0, v[2], h, p), guess, xtol=1e-14,
               full_output=True)[0]
    return float(v[2]), float(v[0]), float(v[1])


def spherical_field_dynamical_temperature(h, p=3, guess=(0.03, 0.5, 0.62)):
    """``(T_d, q0, q1)`` in the field ``h``: the ``q0``, ``q1`` equations at ``x = 1`` and the marginal
    stability of the ``q1`` block, ``β² ξ''(q1)(1 − q1)² = 1`` (the field adds nothing to ``ξ''``)."""
    def eqs(v):
        q0, q1, T = v
        d_q0, d_q1, _ = spherical_field_equations(q0, q1, 1.0, T, h, p)
        return d_q0, d_q1, p * (p - 1) * q1 ** (p - 2) / 2 * (1 - q1) ** 2 / T ** 2 - 1
    v = fsolve(eqs, guess, xtol=1e-14, full_output=True)[0]
    return float(v[2]), float(v[0]), float(v[1])


# ------------------------------------------------------------------------------------------------
# Hopfield model at T = 0: RS (AGS 1987) and one step (Crisanti, Amit, Gutfreund 1986; Steffan & Kühn 1994)
# ------------------------------------------------------------------------------------------------

def hopfield_rs_alpha(y):
    """AGS zero-temperature retrieval equations with ``y = m/√(2αr)``: ``m = erf(y)``,
    ``C = √(2/(παr)) e^{−y²} = (2y/(m√π)) e^{−y²}``, ``r = 1/(1 − C)²``, so the load of the branch at
    ``y`` is ``α = m²(1 − C)²/(2y²)`` (Amit, Gutfreund & Sompolinsky 1987). Returns ``(α, m, C)``."""
    m = erf(y)
    C = 2 * y / (m * math.sqrt(math.pi)) * math.exp(-y * y)
    return m * m * (1 - C) ** 2 / (2 * y * y), m, C


def hopfield_rs_capacity():
    """``(α_c, m)``: the largest load of the RS retrieval branch (AGS: ``α_c ≈ 0.138``)."""
    res = minimize_scalar(lambda y: -hopfield_rs_alpha(y)[0], bounds=(1.0, 3.0), method="bounded",
                          options={"xatol": 1e-12})
    a, m, _ = hopfield_rs_alpha(res.x)
    return a, m


def hopfield_1rsb_energy(v, alpha):
    """One-step RSB ground-state energy per neuron of the Hopfield model (one condensed pattern).

    Derivation: the replica free energy of Amit, Gutfreund & Sompolinsky (1987),

        f = α/2 + m²/2 + (α/2βn) Tr log(1 − βQ) + (αβ/2n) Σ_{a≠b} r_ab q_ab
            − (1/βn) log Tr_σ exp(βm Σ_a σ_a + (αβ²/2) Σ_{a≠b} r_ab σ_a σ_b),   Q_aa = 1,

    with Parisi's one-step ``Q`` (``q1`` in diagonal blocks of size ``x``, ``q0`` outside) and ``R``
    (``r1``, ``r0``). The eigenvalues of ``1 − βQ`` give, as ``n → 0``,
    ``(1 − 1/x) log Λ1 + (1/x) log Λ2 − βq0/Λ2`` with ``Λ1 = 1 − β(1 − q1)``,
    ``Λ2 = Λ1 − βx(q1 − q0)``; ``(1/n) Σ_{a≠b} r q → (x − 1) r1 q1 − x r0 q0``; in the single-site
    term ``Σ_{a≠b} r σσ = r0 (Σσ)² + (r1 − r0) Σ_blocks (Σσ)² − n r1`` (the last gives ``+αβr1/2``) and
    two Hubbard–Stratonovich fields give ``(1/βx) E_z log E_y [2cosh β(m + √(αr0) z +
    √(α(r1 − r0)) y)]^x``. At ``T → 0`` with ``C = β(1 − q1)`` and ``μ = βx`` finite (Crisanti, Amit &
    Gutfreund 1986; ``(1/β) log 2cosh βu → |u|``):

        e = α/2 + m²/2 + (α/2μ) log[(1 − C − μ(1 − q0))/(1 − C)] − (α/2) q0/(1 − C − μ(1 − q0))
            + (α/2)[μ(r1 − r0 q0) + r1 C] − (1/μ) E_z log E_y exp(μ|m + √(αr0) z + √(α(r1 − r0)) y|).

    ``μ → 0`` gives the AGS energy ``α/2 + m²/2 − α/(2(1 − C)) + αr1C/2 − E|m + √(αr1) z|``.
    ``v = (m, C, q0, r0, r1, μ)``.
    """
    m, C, q0, r0, r1, mu = v
    D, L = 1 - C, 1 - C - mu * (1 - q0)
    s, sd = math.sqrt(alpha * (r1 - r0)), math.sqrt(alpha * r0)
    G = gauss_average(lambda a: log_abs_tilt(a, s, mu)[0], m, sd, points=(0.0,)) / mu
    return (alpha / 2 + m * m / 2 + alpha / (2 * mu) * (math.log(L) - math.log(D)) - alpha / 2 * q0 / L
            + alpha / 2 * (mu * (r1 - r0 * q0) + r1 * C) - G)


def hopfield_1rsb_equations(v, alpha):
    """Stationarity of :func:`hopfield_1rsb_energy` (derived by hand; each line is ``∂e/∂(·) = 0``
    brought to fixed-point form, with ``a = m + √(αr0) z``, ``s = √(α(r1 − r0))``, ``A(a) =
    E_y e^{μ|a + sy|}``, ``M(a) = ∂_a log A / μ`` the mean sign under the tilted measure):

        m  = E_z M(a)                                  (∂/∂m)
        C  = 2 E_z [φ(a/s) / (s A(a))]                 (∂/∂r1, heat equation ∂_{s²}A = ∂_a²A/2)
        q0 = E_z M(a)²                                  (∂/∂r0, Stein's lemma)
        r0 = q0 / L²                                    (∂/∂q0)
        r1 = (1/μ)(1/L − 1/(1 − C)) + q0 / L²           (∂/∂C)
        ∂e/∂μ = 0,

    ``L = 1 − C − μ(1 − q0)``. Returns the six residuals."""
    m, C, q0, r0, r1, mu = v
    D, L = 1 - C, 1 - C - mu * (1 - q0)
    s, sd = math.sqrt(alpha * (r1 - r0)), math.sqrt(alpha * r0)

    def sign_mean(a):
        la, lp, lm = log_abs_tilt(a, s, mu)
        return math.exp(lp - la) - math.exp(lm - la)

    def c_term(a):
        return 2 * math.exp(-a * a / (2 * s * s) - log_abs_tilt(a, s, mu)[0]) / (SQRT_2PI * s)

    def abs_mean(a):     # ⟨|a + sy|⟩ under the tilted measure = ∂_μ log A
        la, lp, lm = log_abs_tilt(a, s, mu)
        return (mu * s * s + a * (math.exp(lp - la) - math.exp(lm - la))
                + 2 * s * math.exp(-a * a / (2 * s * s) - la) / SQRT_2PI)

    avg = lambda f: gauss_average(f, m, sd, points=(0.0,))
    EM, EM2, EC = avg(sign_mean), avg(lambda a: sign_mean(a) ** 2), avg(c_term)
    ElogA, EU = avg(lambda a: log_abs_tilt(a, s, mu)[0]), avg(abs_mean)
    dG_dmu = -ElogA / mu ** 2 + EU / mu
    de_dmu = (alpha / 2 * (-(math.log(L) - math.log(D)) / mu ** 2 - (1 - q0) / (mu * L))
              - alpha / 2 * q0 * (1 - q0) / L ** 2 + alpha / 2 * (r1 - r0 * q0) - dG_dmu)
    return [m - EM, C - EC, q0 - EM2, r0 - q0 / L ** 2, r1 - ((1 / L - 1 / D) / mu + q0 / L ** 2), de_dmu]


def _hopfield_unpack(m, w):
    alpha, C, lq, r0, ld, lmu = w
    return alpha, (m, C, 1 - math.exp(lq), r0, r0 + math.exp(ld), math.exp(lmu))


def hopfield_1rsb_at_overlap(m, guess):
    """The one-step retrieval solution with overlap ``m``: solves the six equations for
    ``(α, C, q0, r0, r1, μ)`` (``q0 < 1``, ``r1 > r0``, ``μ > 0`` through logs). ``guess`` in the
    same log variables; returns ``(α, v, w, residual)``."""
    def F(w, scale=1e6):
        alpha, v = _hopfield_unpack(m, w)
        r = hopfield_1rsb_equations(v, alpha)
        r[5] *= scale            # e depends on μ at the 1e-7 level only: weigh its equation up
        return r
    w = fsolve(F, guess, xtol=1e-13, full_output=True)[0]
    alpha, v = _hopfield_unpack(m, w)
    return alpha, v, w, float(np.max(np.abs(F(w, 1.0))))


@functools.lru_cache(maxsize=4)
def hopfield_1rsb_start(alpha=0.13):
    """A one-step retrieval solution at load ``alpha``, found from the RS (AGS) one with a small
    breaking (``1 − q0 = 10⁻³``, ``r1 − r0 = 10⁻³``): the first five equations are solved at fixed
    ``μ`` and ``μ`` is the root of ``∂e/∂μ`` (bracketed on ``μ = 50, 100, 200, 400``; the energy
    depends on ``μ`` only at the ``1e-7`` level, so ``μ`` is not solved together with the rest).
    Returns ``(m, w)`` in the variables of :func:`hopfield_1rsb_at_overlap`."""
    y = brentq(lambda t: hopfield_rs_alpha(t)[0] - alpha, 1.5, 3.0)
    _, m_rs, C_rs = hopfield_rs_alpha(y)
    r_rs = 1 / (1 - C_rs) ** 2

    def solve5(mu, w0):
        def F(w):
            m, C, lq, r0, ld = w
            return hopfield_1rsb_equations((m, C, 1 - math.exp(lq), r0, r0 + math.exp(ld), mu), alpha)[:5]
        w = fsolve(F, w0, xtol=1e-13, full_output=True)[0]
        m, C, lq, r0, ld = w
        return w, hopfield_1rsb_equations((m, C, 1 - math.exp(lq), r0, r0 + math.exp(ld), mu), alpha)[5]

    w0, prev = [m_rs, C_rs, math.log(1e-3), r_rs, math.log(1e-3)], None
    for mu in (50.0, 100.0, 200.0, 400.0):
        w0, d = solve5(mu, w0)
        if prev is not None and prev[1] * d < 0:
            # μ to 1e-3 leaves ∂e/∂μ below 1e-12
            mu_star = brentq(lambda t: solve5(t, w0)[1], prev[0], mu, xtol=1e-3)
            w5, _ = solve5(mu_star, w0)
            m, C, lq, r0, ld = w5
            return m, np.array([alpha, C, lq, r0, ld, math.log(mu_star)])
        prev = (mu, d)
    raise RuntimeError("no root of de/dmu found in the scan")


def hopfield_1rsb_capacity(start=0.13, step=0.003):
    """``(α_c, m, v)``: the largest load of the one-step retrieval branch, followed in the overlap ``m``
    downward from :func:`hopfield_1rsb_start` (linear extrapolation of the previous two solutions as
    the next guess) and maximised with ``minimize_scalar`` around the largest point."""
    m, w = hopfield_1rsb_start(start)
    sols = [(m, w)]
    while True:
        m_next = sols[-1][0] - step
        guess = sols[-1][1] if len(sols) < 2 else 2 * sols[-1][1] - sols[-2][1]
        alpha, v, w, res = hopfield_1rsb_at_overlap(m_next, guess)
        if res > 1e-10:
            raise RuntimeError(f"one-step retrieval equations not solved at m = {m_next} (residual {res:.1e})")
        sols.append((m_next, w))
        if len(sols) >= 3 and sols[-1][1][0] < sols[-2][1][0]:
            break
    lo, hi = sols[-1][0], sols[-3][0]
    start = sols[-2][1]
    # α(m) is flat at its maximum: m to 2e-5 gives α to ~1e-9
    res = minimize_scalar(lambda mm: -hopfield_1rsb_at_overlap(mm, start)[0], bounds=(lo, hi), method="bounded",
                          options={"xatol": 2e-5})
    alpha, v, _, _ = hopfield_1rsb_at_overlap(res.x, start)
    return alpha, res.x, v


# ------------------------------------------------------------------------------------------------
# Ising perceptron (Gardner & Derrida 1988; Krauth & Mézard 1989), margin κ = 0
# ------------------------------------------------------------------------------------------------

def _log_H(t):
    """``log H(t)``, ``H(t) = ∫_t^∞ Dx = Φ(−t)``."""
    return float(log_ndtr(-t))


def ising_perceptron_rs_functional(q, qhat, alpha):
    """RS entropy functional of the Ising perceptron (weights ``±1``, constraints ``ξ·w/√N > 0``):

        s(q, q̂) = −(q̂/2)(1 − q) + E_z log 2cosh(√q̂ z) + α E_z log H(√(q/(1 − q)) z)

    (Gardner & Derrida 1988); its saddle point is the RS entropy per weight."""
    t = math.sqrt(q / (1 - q))
    ent = gauss_average(lambda u: math.log(2 * math.cosh(u)) if abs(u) < 30 else abs(u), 0.0, math.sqrt(qhat))
    energ = gauss_average(lambda u: _log_H(u), 0.0, t, points=(0.0,))
    return -qhat / 2 * (1 - q) + ent + alpha * energ


def ising_perceptron_rs(alpha, guess=(0.6, 1.5)):
    """``(q, q̂, s)``: the RS saddle point (``q = E tanh²(√q̂ z)``;
    ``q̂ = 2α (dt/dq) E_z[z G(tz)/H(tz)]`` with ``t = √(q/(1 − q))``, ``dt/dq = 1/(2√q (1 − q)^{3/2})``,
    ``G`` the normal density: ``∂s/∂q = 0``) and its entropy."""
    def eqs(w):            # q = 1/(1 + e^{−w0}) in (0, 1), q̂ = e^{w1} > 0
        q, qhat = 1 / (1 + math.exp(-w[0])), math.exp(w[1])
        t = math.sqrt(q / (1 - q))
        dt = 1 / (2 * math.sqrt(q) * (1 - q) ** 1.5)
        eq_q = q - gauss_average(lambda u: math.tanh(u) ** 2, 0.0, math.sqrt(qhat))
        ratio = gauss_average(lambda z: z * math.exp(-(t * z) ** 2 / 2 - _log_H(t * z)) / SQRT_2PI, 0.0, 1.0)
        return [eq_q, qhat - 2 * alpha * dt * ratio]
    w = fsolve(eqs, [math.log(guess[0] / (1 - guess[0])), math.log(guess[1])], xtol=1e-13, full_output=True)[0]
    q, qhat = 1 / (1 + math.exp(-w[0])), math.exp(w[1])
    return q, qhat, ising_perceptron_rs_functional(q, qhat, alpha)


def ising_perceptron_rs_entropy_zero(lo=0.7, hi=0.95):
    """The load where the RS entropy vanishes (Krauth & Mézard 1989: ``α_c ≈ 0.833``)."""
    return brentq(lambda a: ising_perceptron_rs(a)[2], lo, hi, xtol=1e-12)


def ising_perceptron_frozen_1rsb_functional(q0, qhat0, x, alpha):
    """One-step functional of the Ising perceptron on *frozen* states (``q1 = 1``, ``q̂1 → ∞``;
    Krauth & Mézard 1989).

    The general one-step entropy (block size ``x``)

        Φ = −(1/2)[(x − 1) q̂1 q1 − x q̂0 q0] − q̂1/2
            + (1/x) E_z log E_y [2cosh(√q̂0 z + √(q̂1 − q̂0) y)]^x
            + (α/x) E_z log E_y H(−(√q0 z + √(q1 − q0) y)/√(1 − q1))^x

    at ``q1 = 1`` has ``H^x = θ``, so the energetic average is
    ``E_y θ(√q0 z + √(1 − q0) y) = H(−√(q0/(1 − q0)) z)`` (and ``z → −z``), and as ``q̂1 → ∞``
    ``(1/x) log E_y[…]^x → x(q̂1 − q̂0)/2 + (1/x) log 2cosh(x√q̂0 z)``, whose ``q̂1`` cancels the
    first line's at ``q1 = 1``:

        Φ_frozen = −(x/2) q̂0 (1 − q0) + (1/x) E_z log 2cosh(x √q̂0 z)
                   + (α/x) E_z log H(√(q0/(1 − q0)) z).

    Each state is a single configuration, so ``Φ = Σ/x`` with ``Σ`` the log-number of states per
    weight; with ``q̂ = x² q̂0`` this is ``s_RS(q0, q̂)/x``: ``Σ`` is the RS entropy and the frozen
    one-step capacity is where it vanishes.
    """
    ent = gauss_average(lambda u: math.log(2 * math.cosh(u)) if abs(u) < 30 else abs(u), 0.0,
                        x * math.sqrt(qhat0))
    t = math.sqrt(q0 / (1 - q0))
    energ = gauss_average(lambda u: _log_H(u), 0.0, t, points=(0.0,))
    return -x / 2 * qhat0 * (1 - q0) + ent / x + alpha * energ / x


def ising_perceptron_frozen_1rsb(alpha, x):
    """``(q0, q̂0, Φ)``: stationary point of :func:`ising_perceptron_frozen_1rsb_functional` in
    ``(q0, q̂0)`` by Nelder–Mead on the squared finite-difference gradient (independent of the RS
    equations)."""
    def grad(v):
        q0, qh = v
        e = 1e-6
        return [(ising_perceptron_frozen_1rsb_functional(q0 + e, qh, x, alpha)
                 - ising_perceptron_frozen_1rsb_functional(q0 - e, qh, x, alpha)) / (2 * e),
                (ising_perceptron_frozen_1rsb_functional(q0, qh + e, x, alpha)
                 - ising_perceptron_frozen_1rsb_functional(q0, qh - e, x, alpha)) / (2 * e)]
    q_rs, qh_rs, _ = ising_perceptron_rs(alpha)
    q0, qh = fsolve(grad, [q_rs * 0.97, qh_rs / x ** 2 * 1.03], xtol=1e-12, full_output=True)[0]
    return q0, qh, ising_perceptron_frozen_1rsb_functional(q0, qh, x, alpha)


def ising_perceptron_frozen_capacity(x=0.5, lo=0.7, hi=0.95):
    """The load where the frozen one-step complexity ``Σ = xΦ_frozen`` vanishes (Krauth & Mézard
    1989: 0.833); independent of ``x``."""
    return brentq(lambda a: x * ising_perceptron_frozen_1rsb(a, x)[2], lo, hi, xtol=1e-10)

