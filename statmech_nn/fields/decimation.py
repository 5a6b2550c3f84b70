"""Renormalisation of a raster's lattice field by decimation in time.

Coarse graining in time doubles the bin width: either every other time slice is summed out
(decimation, :meth:`Raster.decimate`) or two bins are merged into one (:meth:`Raster.rebin`, the
binning of Bardella, Franchini, Pani, Ferraina, Entropy 26, 495 (2024), arXiv:2310.09178, which ties
the lattice parameters to the experimental resolution). Fitting the space–time Ising model of
:mod:`statmech_nn.fields.maxent` at each bin width gives the *measured* flow of its parameters
(:func:`fitted_flow`).

For an Ising chain in time (each neuron on its own: ``J = 0``, diagonal ``K``) decimation is exact and
closes on ``(h, K)``: :func:`chain_decimation` derives the recursion with SymPy by summing out the middle
spin of ``exp(K s₁s₂ + K s₂s₃ + h s₂)`` (Nelson and Fisher, Ann. Phys. 91, 226 (1975)), and
:func:`chain_fixed_points` its fixed points. Nothing of the result is typed in here.
"""
from __future__ import annotations

import dataclasses
import functools

import numpy as np

from ..errors import ParameterError
from .raster import as_raster

__all__ = ["ChainDecimation", "chain_decimation", "chain_fixed_points", "predicted_chain_flow",
           "fitted_flow"]


@dataclasses.dataclass(frozen=True)
class ChainDecimation:
    """The decimation map of the Ising chain, derived symbolically.

    Attributes
    ----------
    K, h : sympy.Symbol
        Couplings before decimation (``H/kT = −K Σ s_t s_{t+1} − h Σ s_t`` in weight form
        ``exp(K Σ s_t s_{t+1} + h Σ s_t)``).
    K_new, h_new, g : sympy.Expr
        Couplings after one decimation step and the spin-independent constant per removed spin:
        ``Σ_{s₂=±1} exp(K s₂(s₁+s₃) + h s₂) = exp(g + K' s₁ s₃ + δh (s₁ + s₃))``, ``h' = h + 2 δh``
        (each kept spin loses a decimated neighbour on either side).
    steps : list of (str, sympy.Expr)
        The derivation, in order.
    """

    K: object
    h: object
    K_new: object
    h_new: object
    g: object
    steps: list

    def latex(self):
        """The derivation as a LaTeX body (one titled display per step; wrap it with
        :func:`statmech_nn.export.latex_document` for a standalone file)."""
        return steps_latex(self.steps)

    @functools.cached_property
    def _numeric(self):
        import sympy as sp
        return sp.lambdify((self.K, self.h), (self.K_new, self.h_new), "numpy")

    def __call__(self, K, h=0.0):
        """Numeric ``(K', h')`` from ``(K, h)`` (arrays broadcast)."""
        K_new, h_new = self._numeric(np.asarray(K, dtype=float), np.asarray(h, dtype=float))
        return np.asarray(K_new, dtype=float), np.asarray(h_new, dtype=float)


def steps_latex(steps):
    """LaTeX body of a list of ``(title, SymPy expression)`` steps: a paragraph title and a display each."""
    import sympy as sp
    from ..symbolic.derivation import escape_text
    return "\n\n".join(f"\\paragraph{{{escape_text(title)}}}\n\\begin{{equation*}}\n{sp.latex(expr)}\n"
                        f"\\end{{equation*}}" for title, expr in steps)


@functools.lru_cache(maxsize=1)
def chain_decimation():
    """Derive the decimation map ``(K, h) → (K', h')`` of the Ising chain with SymPy.

    The middle spin ``s₂`` is summed out of the weight ``exp(K s₂ (s₁ + s₃) + h s₂)`` explicitly over
    ``s₂ = ±1``; matching the four values of ``(s₁, s₃)`` to ``exp(g + K' s₁s₃ + δh (s₁+s₃))`` gives
    ``K' = ¼ log[Z₊₊ Z₋₋ / (Z₊₋ Z₋₊)]``, ``δh = ¼ log(Z₊₊/Z₋₋)``, ``g = ¼ log(Z₊₊ Z₋₋ Z₊₋ Z₋₊)``.

    Returns
    -------
    ChainDecimation

    References
    ----------
    Nelson D. R., Fisher M. E., Ann. Phys. 91, 226 (1975) (soluble renormalisation groups of the
    Ising chain).

    Examples
    --------
    >>> dec = chain_decimation()
    >>> [round(float(v), 12) for v in dec(0.5, 0.0)]
    [0.216890415242, 0.0]
    """
    import sympy as sp

    K, h = sp.symbols("K h", real=True)
    s1, s2, s3 = sp.symbols("s_1 s_2 s_3")
    weight = sp.exp(K * s1 * s2 + K * s2 * s3 + h * s2)
    summed = sum(weight.subs(s2, v) for v in (1, -1))
    Z = {(a, b): sp.simplify(summed.subs({s1: a, s3: b})) for a in (1, -1) for b in (1, -1)}
    K_new = sp.simplify(sp.log(Z[1, 1] * Z[-1, -1] / (Z[1, -1] * Z[-1, 1])) / 4)
    dh = sp.simplify(sp.log(Z[1, 1] / Z[-1, -1]) / 4)
    g = sp.simplify(sp.log(Z[1, 1] * Z[-1, -1] * Z[1, -1] * Z[-1, 1]) / 4)
    # the ansatz must reproduce every (s1, s3) configuration: the matching is exact, not a projection
    for (a, b), z in Z.items():
        check = sp.simplify(sp.expand_log(sp.log(z) - (g + K_new * a * b + dh * (a + b)), force=True))
        if check != 0 and abs(complex(check.subs({K: 0.37, h: -0.21}).evalf())) > 1e-12:
            raise RuntimeError("decimation ansatz does not close")  # pragma: no cover
    h_new = h + 2 * dh
    steps = [("Boltzmann weight of the middle spin", weight),
             (r"sum over $s_2 = \pm 1$", summed),
             (r"$Z(+,+)$", Z[1, 1]), (r"$Z(+,-)$", Z[1, -1]), (r"$Z(-,-)$", Z[-1, -1]),
             (r"$K' = \frac{1}{4}\log[Z(+,+)Z(-,-)/Z(+,-)^2]$", sp.Eq(sp.Symbol("K'"), K_new)),
             (r"$h' = h + 2\delta h$, $\delta h = \frac{1}{4}\log[Z(+,+)/Z(-,-)]$",
              sp.Eq(sp.Symbol("h'"), h_new)),
             ("constant per removed spin", sp.Eq(sp.Symbol("g"), g))]
    return ChainDecimation(K, h, K_new, h_new, g, steps)


def chain_fixed_points():
    """Fixed points of the zero-field chain decimation, found with SymPy in the variable ``t = tanh K``.

    The derived ``K'(K)`` at ``h = 0`` is rewritten as ``t' = tanh K'`` in terms of ``t`` and the fixed
    points solve ``t' = t`` on ``0 ≤ t ≤ 1``; the slope ``dt'/dt`` there says whether a fixed point
    attracts (``|slope| < 1``) or repels.

    Returns
    -------
    dict
        ``{"map": t'(t) (SymPy), "t": symbol, "fixed_points": [{"t": t*, "K": K*, "slope": λ,
        "stable": bool}, ...]}`` — ``K* = 0`` (disorder, attractive) and ``K* = ∞`` (``t* = 1``,
        zero-temperature order, repulsive).
    """
    import sympy as sp

    dec = chain_decimation()
    t = sp.Symbol("t", nonnegative=True)
    K_new = dec.K_new.subs(dec.h, 0)
    # substitute K = atanh t = ½ log[(1 + t)/(1 − t)] and let SymPy simplify tanh K' to a rational t'(t)
    t_new = sp.tanh(K_new.subs(dec.K, sp.atanh(t).rewrite(sp.log))).rewrite(sp.exp)
    t_new = sp.factor(sp.simplify(t_new))
    roots = sp.solve(sp.Eq(t_new, t), t)
    candidates = sorted({sp.nsimplify(r) for r in roots if r.is_real and 0 <= r <= 1} | {sp.Integer(0)})
    slope = sp.diff(t_new, t)
    points = []
    for r in candidates:
        lam = sp.limit(slope, t, r) if r in (0, 1) else slope.subs(t, r)
        points.append({"t": r, "K": sp.oo if r == 1 else sp.atanh(r), "slope": lam,
                       "stable": bool(abs(lam) < 1)})
    return {"map": t_new, "t": t, "fixed_points": points}


def predicted_chain_flow(K, h=0.0, levels=3):
    """``(K, h)`` after ``0, 1, …, levels`` decimations of an Ising chain (arrays: shape (levels+1, …))."""
    levels = int(levels)
    if levels < 0:
        raise ParameterError(f"levels must be ≥ 0, got {levels}")
    dec = chain_decimation()
    Ks, hs = [np.asarray(K, dtype=float)], [np.asarray(h, dtype=float)]
    for _ in range(levels):
        k, hh = dec(Ks[-1], hs[-1])
        Ks.append(k)
        hs.append(hh)
    return np.array(Ks), np.array(hs)


def fitted_flow(raster, levels=3, coarse="decimate", **fit_options):
    """Fit the space–time Ising model at bin widths ``w, 2w, …, 2^levels w``.

    Parameters
    ----------
    raster : Raster or array_like
    levels : int
        Number of coarse-graining steps.
    coarse : {"decimate", "merge"}
        ``"decimate"`` keeps every other time slice (exact renormalisation of the chain, compare with
        :func:`predicted_chain_flow`); ``"merge"`` merges pairs of bins (the paper's binning).
    **fit_options
        Passed to :func:`~statmech_nn.fields.maxent.fit_maxent` (e.g. ``structure="chain"``).

    Returns
    -------
    list of MaxEntFit
        One fit per bin width, finest first (``fit.bin_width`` says which).
    """
    from .maxent import fit_maxent

    if coarse not in ("decimate", "merge"):
        raise ParameterError(f"coarse must be 'decimate' or 'merge', got {coarse!r}")
    levels = int(levels)
    if levels < 0:
        raise ParameterError(f"levels must be ≥ 0, got {levels}")
    raster = as_raster(raster)
    fits = [fit_maxent(raster, **fit_options)]
    for _ in range(levels):
        raster = raster.decimate(2) if coarse == "decimate" else raster.rebin(2)
        fits.append(fit_maxent(raster, **fit_options))
    return fits
