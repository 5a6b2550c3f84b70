"""Numerically stable scalar primitives used by generated kernels (numba ``njit``).

Every function takes and returns a float, never overflows for finite input and is callable from
Python as well as from compiled code. They stand in for the textbook forms that break down at low
temperature, where arguments like ``beta * h`` become large:

``log2cosh(x) = log(2 cosh x)``, ``logcosh(x) = log(cosh x)``, ``sech2(x) = 1/cosh(x)**2``,
``H(x) = erfc(x/√2)/2`` (Gaussian tail), ``logH(x) = log H(x)`` and the inverse Mills ratio
``mills(x) = φ(x)/H(x)`` with the standard normal density ``φ``.

References
----------
M. Abramowitz and I. A. Stegun, *Handbook of Mathematical Functions* (1964), eqs. 7.1.13 and 26.2.12
(asymptotics and continued fraction of the normal tail).
"""
import math

import numba

__all__ = ["log2cosh", "logcosh", "sech2", "H", "logH", "mills", "kink_map", "kink_node", "interval_node"]

_LOG2 = math.log(2.0)
_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)
_SQRT_2PI = math.sqrt(2.0 * math.pi)
_CF_START = 5.0  # above this the continued fraction is exact to double precision
_CF_TERMS = 60

_jit = numba.njit(cache=True, fastmath=False, error_model="numpy")


@_jit
def log2cosh(x):
    """``log(2 cosh x) = |x| + log1p(exp(-2|x|))``, exact for all finite ``x``.

    Examples
    --------
    >>> round(log2cosh(1000.0), 12)
    1000.0
    """
    a = abs(x)
    return a + math.log1p(math.exp(-2.0 * a))


@_jit
def logcosh(x):
    """``log(cosh x)`` without overflow (``log2cosh(x) - log 2``)."""
    a = abs(x)
    return a + math.log1p(math.exp(-2.0 * a)) - _LOG2


@_jit
def sech2(x):
    """``1/cosh(x)**2 = 4 e^{-2|x|} / (1 + e^{-2|x|})**2``; underflows gracefully to 0."""
    t = math.exp(-2.0 * abs(x))
    return 4.0 * t / ((1.0 + t) * (1.0 + t))


@_jit
def H(x):
    """Gaussian tail ``H(x) = ∫_x^∞ Dz = erfc(x/√2)/2``."""
    return 0.5 * math.erfc(x / math.sqrt(2.0))


@_jit
def _tail_ratio(x):
    """``H(x)/φ(x)`` for ``x >= _CF_START`` by the continued fraction 1/(x+1/(x+2/(x+...)))."""
    f = x
    for k in range(_CF_TERMS, 0, -1):
        f = x + k / f
    return 1.0 / f


@_jit
def logH(x):
    """``log H(x)``: ``log1p(-H(-x))`` for ``x < 0``; for large ``x`` from ``-x²/2 - log √(2π) + log(H/φ)`` (no underflow).

    Examples
    --------
    >>> abs(logH(100.0) - (-5004.6084420137) ) < 1e-6
    True
    """
    if x < 0.0:
        return math.log1p(-0.5 * math.erfc(-x / math.sqrt(2.0)))
    if x < _CF_START:
        return math.log(0.5 * math.erfc(x / math.sqrt(2.0)))
    return -0.5 * x * x - _LOG_SQRT_2PI + math.log(_tail_ratio(x))


@_jit
def mills(x):
    """Inverse Mills ratio ``φ(x)/H(x)`` (the derivative of ``-logH``); ``≈ x`` for large ``x``."""
    if x < _CF_START:
        return math.exp(-0.5 * x * x) / _SQRT_2PI / (0.5 * math.erfc(x / math.sqrt(2.0)))
    return 1.0 / _tail_ratio(x)


# -- kink-centred quadrature of Gaussian averages (see statmech_nn.solve.quadrature) ---------------
_SQRT_2PI_INV = 1.0 / math.sqrt(2.0 * math.pi)
_Z_RANGE = 10.0     # |z| beyond this carries Gaussian weight below 1e-22
_KINK_CLIP = 6.0    # beyond this a kink has Gaussian weight < 1e-9 times its width


@_jit
def kink_map(slope, offset):
    """Parameters ``(s, z0, tmax)`` of the map ``z = z0 + s sinh(t)``, ``|t| ≤ tmax``, for an integrand
    that depends on ``z`` through the local field ``u = offset + slope z``: centred on the zero of
    ``u`` with width ``s = 1/√(1 + slope²)`` (the scale on which ``tanh u`` varies, at most 1) and a
    range covering ``|z| ≤ 10``. A zero beyond ``|z| = 6`` is ignored (centre ``±6``, ``s = 1``): there the
    kink has no weight and the nodes are better spent on the bulk of the Gaussian."""
    s = 1.0 / math.sqrt(1.0 + slope * slope)
    z0 = -offset / slope if slope != 0.0 else 0.0
    if not math.isfinite(z0):
        z0 = 0.0
    if abs(z0) > _KINK_CLIP:   # a kink this far out carries no weight: resolve the bulk instead
        z0 = math.copysign(_KINK_CLIP, z0)
        s = 1.0
    tmax = math.asinh((_Z_RANGE + abs(z0)) / s)
    return s, z0, tmax


@_jit
def kink_node(u, w, s, z0, tmax):
    """Node ``z`` and weight (Gaussian density included) for the reference node ``u ∈ [-1, 1]`` with
    trapezoid weight ``w``."""
    e = math.exp(tmax * u)
    z = z0 + 0.5 * s * (e - 1.0 / e)
    return z, w * tmax * s * 0.5 * (e + 1.0 / e) * math.exp(-0.5 * z * z) * _SQRT_2PI_INV


# -- tanh-sinh quadrature of the uniform average on [-1, 1] (symbolic.averages.UniformAverage) -------
_TS_TAU = 18.0      # tanh-sinh range: 1 - |m| down to ~e^{-36} ≈ 2e-16, still distinct from 1 in float64
_TS_TMAX = math.asinh(2.0 * _TS_TAU / math.pi)


@_jit
def interval_node(u, w):
    """Node ``m ∈ (−1, 1)`` and weight (the ½ of the uniform density included) of ``½∫_{−1}^{1} dm``
    for the reference node ``u ∈ [−1, 1]`` with trapezoid weight ``w``.

    Each half ``[0, 1]`` (``u ≥ 0``) and ``[−1, 0]`` (``u < 0``) gets its own tanh–sinh map
    ``|m| = (1 + tanh(π/2 sinh t))/2``, ``t = t_max(2|u| − 1)``: nodes cluster double-exponentially at
    ``m = 0`` and ``m = ±1``, so endpoint-concentrated integrands (``e^{A m}``, large ``A``) and a
    jump at ``m = 0`` (``sign m``) converge exponentially under the nested trapezoid refinement
    (Takahasi & Mori, Publ. RIMS 9, 721 (1974)). ``|m| = 1`` exactly is never a node.
    """
    t = _TS_TMAX * (2.0 * abs(u) - 1.0)
    tau = 0.5 * math.pi * math.sinh(t)
    half = 0.5 * (1.0 + math.tanh(tau))
    m = half if u >= 0.0 else -half
    c = math.cosh(tau)
    # dm/du = 2 t_max · ½ · (π/2) cosh t / cosh² τ; times ½ for the uniform density
    return m, w * 0.5 * _TS_TMAX * 0.5 * math.pi * math.cosh(t) / (c * c)
