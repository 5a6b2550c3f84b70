"""Priors of the units: each implements a few scalar primitives; the engine builds the single-site
problem of the replicated system from them (in the spirit of TRAMP's priors).

References
----------
Aubin, Baker, Krzakala, Zdeborová et al., TRAMP: Tree-AMP (2020) for the design of scalar primitives.
"""
from __future__ import annotations

import functools

import sympy as sp

from .averages import GaussianAverage, SiteIntegral
from .printing import Tex

__all__ = ["Prior", "IsingPrior"]


class Prior:
    """A single-unit measure ``dP(σ)`` given by a finite ``support`` and counting ``weights``."""

    name = "prior"
    support: tuple = ()
    weights: tuple = ()

    @property
    def self_overlap(self):
        """``σ²`` when it is the same for every support point (then ``Q_aa`` is fixed), else None."""
        squares = {sp.sympify(s) ** 2 for s in self.support}
        return squares.pop() if len(squares) == 1 else None

    def log_partition(self, x):
        """``φ(x) = log Σ_σ w_σ e^{xσ}``; symmetric pairs ``±s`` combine into ``2 w cosh(s x)``."""
        terms, used = [], set()
        pairs = list(zip(map(sp.sympify, self.support), map(sp.sympify, self.weights)))
        for s, w in pairs:
            if s in used:
                continue
            if s != 0 and (-s, w) in pairs:
                terms.append(2 * w * sp.cosh(s * x))
                used.update({s, -s})
            else:
                terms.append(w * sp.exp(s * x))
                used.add(s)
        return sp.log(sp.Add(*terms))

    def mean(self, x):
        """``⟨σ⟩`` under the tilted measure ``e^{xσ} dP(σ)``: ``φ'(x)``."""
        t = sp.Dummy("t")
        return sp.diff(self.log_partition(t), t).subs(t, x)

    def variance(self, x):
        """``⟨σ²⟩ − ⟨σ⟩²`` under the tilted measure: ``φ''(x)``."""
        t = sp.Dummy("t")
        return sp.simplify(sp.diff(self.log_partition(t), t, 2)).subs(t, x)

    def single_site(self, field, pair, n, z, deriv):
        """``log Σ_{σ^1..σ^n} exp(field Σ_a σ^a + pair Σ_{a<b} σ^a σ^b)`` with ``n`` symbolic.

        Uses ``Σ_{a<b} σ^a σ^b = ((Σ_a σ^a)² − n σ²)/2`` (fixed ``σ²``) and a Hubbard–Stratonovich
        Gaussian ``z`` for the square, after which the replicas factorise.
        """
        s2 = self.self_overlap
        if s2 is None:
            raise NotImplementedError(f"{self.name}: single-site problem needs a fixed σ²")
        x = field + sp.sqrt(pair) * z
        phi = self.log_partition(x)
        result = -pair * n * s2 / 2 + sp.log(GaussianAverage(sp.exp(n * phi), z))
        deriv.add(
            "Single-site problem",
            [sp.Eq(Tex(r"\log \sum_{\{\sigma^a\}} e^{A\sum_a\sigma^a + B\sum_{a<b}\sigma^a\sigma^b}"),
                   Tex(r"\log \sum_{\{\sigma^a\}} e^{A\sum_a\sigma^a + \frac{B}{2}(\sum_a\sigma^a)^2"
                             r" - \frac{B}{2} n \sigma^2}")),
             sp.Eq(sp.Symbol("A"), field), sp.Eq(sp.Symbol("B"), pair),
             sp.Eq(Tex(r"\log \mathcal{Z}_1"), result)],
            f"{self.name} units have $\\sigma^2 = {s2}$; the square is linearised with a Gaussian $z$ "
            r"and the sum over each replica gives $\log\sum_\sigma e^{x\sigma} = "
            f"{sp.latex(self.log_partition(sp.Symbol('x')))}$.")
        return result, x


class IsingPrior(Prior):
    """Ising units ``σ = ±1`` with counting measure: ``φ(x) = log 2cosh x``."""

    name = "Ising"
    support = (-1, 1)
    weights = (1, 1)


# ------------------------------------------------------------------------------------------------
# Priors without a fixed σ² (issue 5): the diagonal overlap Q_aa becomes an order parameter and the
# single-site problem carries a quadratic diagonal term exp(A Σ_a σ^a + B Σ_{a<b} σ^a σ^b
# + (D/2) Σ_a (σ^a)²). Every prior below implements the TRAMP-style scalar primitives
# (log-partition of the tilted measure, mean, variance) with that quadratic tilt.
# ------------------------------------------------------------------------------------------------

__all__ += ["DiscretePrior", "BinaryPrior", "DilutedPrior", "GaussianPrior", "SphericalPrior",
            "SoftSpinPrior", "prior_from_name", "PRIOR_NAMES"]


def _site_step(deriv, prior, field, pair, diag, result, how):
    deriv.add(
        "Single-site problem",
        [sp.Eq(Tex(r"\log \mathcal{Z}_1"),
               Tex(r"\log \int\prod_a dP(\sigma^a)\, e^{A\sum_a\sigma^a + B\sum_{a<b}\sigma^a"
                         r"\sigma^b + \frac{D}{2}\sum_a(\sigma^a)^2}")),
         sp.Eq(sp.Symbol("A"), field), sp.Eq(sp.Symbol("B"), pair), sp.Eq(sp.Symbol("D"), diag),
         sp.Eq(Tex(r"\log \mathcal{Z}_1"), result)],
        f"{prior.name} units; " + how)


class DiscretePrior(Prior):
    """A discrete unit: ``P(σ = values[k]) ∝ weights[k]`` (weights normalised to a probability).

    Parameters
    ----------
    values : sequence of numbers
        Finite, distinct support points.
    weights : sequence of numbers
        Non-negative, not all zero, as many as ``values``; normalised to sum 1 (exact rationals
        where given as integers/fractions).

    Raises
    ------
    ParameterError
        Unequal lengths, negative or all-zero weights, non-finite or repeated values.

    Examples
    --------
    >>> import sympy as sp
    >>> p = DiscretePrior([0, 1, 2], [1, 2, 1])
    >>> p.weights
    (1/4, 1/2, 1/4)
    >>> sp.simplify(p.mean(0))
    1
    """

    name = "discrete"
    takes_diagonal = True

    def __init__(self, values, weights, name=None):
        from ..errors import ParameterError
        try:
            values, weights = list(values), list(weights)
        except TypeError:
            raise ParameterError("DiscretePrior needs sequences values=[...] and weights=[...]") from None
        if len(values) != len(weights) or not values:
            raise ParameterError(f"DiscretePrior: values and weights must be non-empty and of equal "
                                 f"length; got {len(values)} values and {len(weights)} weights")
        vals, ws = [], []
        for v, w in zip(values, weights):
            if not isinstance(v, (int, float, sp.Rational, sp.Float)) or isinstance(v, bool) \
                    or not sp.sympify(v).is_finite:
                raise ParameterError(f"DiscretePrior: every value must be a finite real number; got {v!r}")
            if not isinstance(w, (int, float, sp.Rational, sp.Float)) or isinstance(w, bool) \
                    or not sp.sympify(w).is_finite or w < 0:
                raise ParameterError(f"DiscretePrior: weights must be finite and non-negative; got {w!r}")
            vals.append(sp.nsimplify(v) if isinstance(v, int) else sp.sympify(v))
            ws.append(sp.Rational(w) if isinstance(w, int) else sp.sympify(w))
        if len(set(vals)) != len(vals):
            raise ParameterError(f"DiscretePrior: values must be distinct; got {values}")
        total = sp.Add(*ws)
        if total == 0:
            raise ParameterError("DiscretePrior: the weights must not all be zero")
        self.support = tuple(vals)
        self.weights = tuple(w / total for w in ws)
        if name is not None:
            self.name = name

    # the quadratic tilt: exp(xσ + cσ²/2)
    def log_partition_quadratic(self, x, c):
        """``φ(x, c) = log Σ_σ P(σ) e^{xσ + cσ²/2}`` (pairs ``±s`` of equal weight combine into
        ``cosh``)."""
        terms, used = [], set()
        pairs = list(zip(self.support, self.weights))
        for s, w in pairs:
            if s in used or w == 0:
                continue
            if s != 0 and (-s, w) in pairs:
                terms.append(2 * w * sp.exp(c * s**2 / 2) * sp.cosh(s * x))
                used.update({s, -s})
            else:
                terms.append(w * sp.exp(s * x + c * s**2 / 2))
                used.add(s)
        return sp.log(sp.Add(*terms))

    def mean(self, x, c=0):
        t = sp.Dummy("t")
        return sp.diff(self.log_partition_quadratic(t, c), t).subs(t, x)

    def variance(self, x, c=0):
        return _simplified_derivative(self.log_partition_quadratic, 2, x, c)

    def single_site(self, field, pair, n, z, deriv, diag=0, calc=None):
        """``log ∫Π_a dP(σ^a) exp(A Σσ^a + B Σ_{a<b}σ^aσ^b + (D/2)Σ(σ^a)²)`` for symbolic ``n``.

        ``Σ_{a<b} σ^aσ^b = ((Σ_a σ^a)² − Σ_a (σ^a)²)/2``: the square is linearised with a Gaussian
        ``z``; each replica then sees ``φ(A + √B z, D − B)``.
        """
        diag = sp.sympify(diag)
        x = field + sp.sqrt(pair) * z
        phi = self.log_partition_quadratic(x, diag - pair)
        result = sp.log(GaussianAverage(sp.exp(n * phi), z))
        _site_step(deriv, self, field, pair, diag, result,
                   r"with $\sum_{a<b}\sigma^a\sigma^b = \frac12[(\sum_a\sigma^a)^2 - \sum_a(\sigma^a)^2]$"
                   r" the square is linearised by a Gaussian $z$; each replica gives "
                   r"$\phi(x, c) = \log\sum_\sigma P(\sigma)e^{x\sigma + c\sigma^2/2} = "
                   + sp.latex(self.log_partition_quadratic(sp.Symbol("x"), sp.Symbol("c"))) + "$.")
        return result, x

    def log_partition(self, x):
        return self.log_partition_quadratic(x, 0)


class BinaryPrior(DiscretePrior):
    """Boolean occupancy units ``σ ∈ {0, 1}`` with the counting measure (like :class:`IsingPrior`):
    ``φ(x) = log(1 + e^x)``.

    Examples
    --------
    >>> import sympy as sp
    >>> x = sp.Symbol("x")
    >>> sp.simplify(BinaryPrior().mean(x) - 1 / (1 + sp.exp(-x)))
    0
    """

    name = "binary"

    def __init__(self):
        self.support = (sp.S.Zero, sp.S.One)
        self.weights = (sp.S.One, sp.S.One)


class DilutedPrior(DiscretePrior):
    """Diluted (sparse) units ``σ ∈ {0, ±1}``: ``P(0) = d``, ``P(±1) = (1 − d)/2``, ``0 ≤ d < 1``
    (``d`` a number or a SymPy symbol).

    Examples
    --------
    >>> import sympy as sp
    >>> d, x = sp.symbols("d x")
    >>> sp.simplify(DilutedPrior(d).log_partition(x) - sp.log(d + (1 - d) * sp.cosh(x)))
    0
    """

    name = "diluted"

    def __init__(self, d):
        from ..errors import ParameterError
        from ..parsing import as_expression
        d = as_expression(d, what="DilutedPrior: the dilution d")
        if d.is_number and not (d.is_finite and 0 <= d < 1):
            raise ParameterError(f"DilutedPrior: the dilution d = P(σ = 0) must lie in [0, 1); got {d}")
        self.d = d
        self.support = (sp.S.Zero, sp.S.NegativeOne, sp.S.One)
        self.weights = (d, (1 - d) / 2, (1 - d) / 2)

    @property
    def self_overlap(self):
        return None if self.d != 0 else sp.S.One


class GaussianPrior(Prior):
    """Gaussian units ``σ ~ N(0, v)`` (``v`` a positive number or SymPy expression).

    The tilted measure is Gaussian: ``φ(x, c) = v x²/(2(1 − c v)) − ½ log(1 − c v)`` (the integral
    done by SymPy), and the replicated single-site integral is the Gaussian integral of an RS matrix:
    ``log Z_1 = −(n/2) log v − ½ log det M + (A²/2) 1ᵀM⁻¹1`` with ``M = (1/v − D) 1 − B(J − 1)``
    (no ``z`` average is left).

    Examples
    --------
    >>> import sympy as sp
    >>> x = sp.Symbol("x")
    >>> GaussianPrior().log_partition(x)
    x**2/2
    """

    name = "Gaussian"
    closed_form = True
    takes_diagonal = True

    def __init__(self, variance=1):
        from ..errors import ParameterError
        from ..parsing import as_expression
        v = as_expression(variance, what="GaussianPrior: the variance")
        if v.is_number and not (v.is_finite and v > 0):
            raise ParameterError(f"GaussianPrior: the variance must be a finite positive number; got {v}")
        self.variance_ = v
        self.support = ()

    @property
    def self_overlap(self):
        return None

    def log_partition_quadratic(self, x, c):
        s = sp.Symbol("s", real=True)
        w = sp.Symbol("w", positive=True)     # w = 1/v − c > 0: the tilted measure is normalisable
        density = sp.exp(-s**2 * w / 2) / sp.sqrt(2 * sp.pi)
        X = sp.Symbol("X", real=True)
        integral = sp.integrate(density * sp.exp(X * s), (s, -sp.oo, sp.oo))
        phi = sp.expand(sp.expand_log(sp.simplify(sp.log(integral)), force=True))
        return phi.xreplace({w: 1 / self.variance_ - c, X: x}) - sp.log(self.variance_) / 2

    def log_partition(self, x):
        return sp.expand(self.log_partition_quadratic(x, 0))

    def mean(self, x, c=0):
        """``∂φ/∂x`` of the tilted log-partition (SymPy)."""
        t = sp.Dummy("t")
        return sp.simplify(sp.diff(self.log_partition_quadratic(t, c), t)).subs(t, x)

    def variance(self, x, c=0):
        """``∂²φ/∂x²`` of the tilted log-partition (SymPy)."""
        t = sp.Dummy("t")
        return sp.simplify(sp.diff(self.log_partition_quadratic(t, c), t, 2)).subs(t, x)

    def single_site(self, field, pair, n, z, deriv, diag=0, calc=None):
        from .replica import RSMatrix
        M = RSMatrix(1 / self.variance_ - diag, -pair, n)
        result = -n * sp.log(self.variance_) / 2 + M.gaussian_log_integral(field)
        _site_step(deriv, self, field, pair, diag, result,
                   r"the replicated site integral is Gaussian, $\int d^n\sigma\, e^{-\frac12\sigma^T M "
                   r"\sigma + A\,\mathbf{1}^T\sigma}$ with the RS matrix $M$ of diagonal $1/v - D$ and "
                   r"off-diagonal $-B$; its determinant and $\mathbf{1}^T M^{-1}\mathbf{1}$ come from "
                   r"the two eigenvalues of $M$.")
        return result, field + sp.sqrt(pair) * z


class SphericalPrior(Prior):
    """Spherical units ``Σ_i σ_i² = N``: Lebesgue measure times ``δ(Σσ² − N)``, the constraint
    imposed per replica by a Lagrange multiplier ``λ`` (an order parameter; its stationarity is the
    constraint ``Q_aa = 1``).

    ``log Z_1 = (n/2)(λ + log 2π) − ½ log det M + (A²/2) 1ᵀM⁻¹1``, ``M = (λ − D) 1 − B(J − 1)``; the
    free sphere (``A = B = D = 0``) has entropy ``½ log(2πe)`` per unit.

    References
    ----------
    Kosterlitz, Thouless and Jones, PRL 36, 1217 (1976); Crisanti and Sommers, Z. Phys. B 87, 341
    (1992), eq. (2.6).
    """

    name = "spherical"
    closed_form = True
    takes_diagonal = True
    multiplier = sp.Symbol("lambda", positive=True)

    @property
    def self_overlap(self):
        return sp.S.One

    def mean(self, x, c=0):
        raise NotImplementedError("spherical units have no independent single-unit measure")

    def log_partition_quadratic(self, x, c):
        """``log ∫dσ e^{−(λ − c)σ²/2 + xσ}``: one unit in the effective Gaussian measure of the
        multiplier (the integral done by SymPy for a positive precision ``λ − c``)."""
        s_, X = sp.Symbol("s", real=True), sp.Symbol("X", real=True)
        k = sp.Symbol("k", positive=True)
        integral = sp.integrate(sp.exp(-k * s_**2 / 2 + X * s_), (s_, -sp.oo, sp.oo), conds="none")
        return sp.expand_log(sp.log(integral), force=True).xreplace({k: self.multiplier - c, X: x})

    def variance(self, x, c=0):
        """Susceptibility of one unit in the effective Gaussian measure ``e^{−(λ − c)σ²/2}``: ``∂²φ/∂x²``."""
        t = sp.Dummy("t")
        return sp.simplify(sp.diff(self.log_partition_quadratic(t, c), t, 2)).subs(t, x)

    def single_site(self, field, pair, n, z, deriv, diag=0, calc=None):
        from .replica import RSMatrix
        lam = self.multiplier
        M = RSMatrix(lam - diag, -pair, n)
        result = n * (lam + sp.log(2 * sp.pi)) / 2 + M.gaussian_log_integral(field)
        if calc is not None:
            calc.add_multiplier(lam, root="largest")
        _site_step(deriv, self, field, pair, diag, result,
                   r"$\delta(\sum_i(\sigma_i^a)^2 - N) = \int\frac{d\lambda}{4\pi i}e^{-\frac{\lambda}{2}"
                   r"(\sum_i(\sigma_i^a)^2 - N)}$ per replica (RS: one $\lambda$); the site integral is "
                   r"then Gaussian with the RS matrix $M$ of diagonal $\lambda - D$ and off-diagonal $-B$.")
        return result, field + sp.sqrt(pair) * z


class SoftSpinPrior(Prior):
    """Soft spins: the Lebesgue measure tilted by a potential, ``dP(σ) ∝ e^{−V(σ)} dσ`` (e.g. the quartic
    ``V = λ(σ² − 1)²``), for a ``V`` that grows faster than ``σ²`` (the measure must stay normalisable
    with the quadratic tilt of the single-site problem).

    No closed form: the tilted log-partition ``φ(x, c) = log ∫dσ e^{−V(σ) + xσ + cσ²/2}`` is a
    :class:`~.averages.SiteIntegral` that the generated kernels integrate numerically; its derivatives
    (mean, variance) are taken under the integral by SymPy. The self-overlap is an order parameter.

    Parameters
    ----------
    potential : sympy.Expr
        ``V`` as an expression in ``variable`` (and model parameters).
    variable : sympy.Symbol
        The symbol of the spin in ``potential``.

    References
    ----------
    Sompolinsky and Zippelius, PRB 25, 6860 (1982) (soft-spin spin glasses).
    """

    name = "soft-spin"
    takes_diagonal = True
    self_overlap = None

    def __init__(self, potential, variable):
        from ..errors import ParameterError
        from ..parsing import as_expression
        potential = as_expression(potential, what="the soft-spin potential V")
        if not isinstance(variable, sp.Symbol):
            variable = as_expression(variable, what="the soft-spin variable")
        if not isinstance(variable, sp.Symbol):
            raise ParameterError(f"SoftSpinPrior: the variable must be a SymPy symbol, got {variable!r}")
        if not potential.has(variable):
            raise ParameterError(f"SoftSpinPrior: the potential {potential} does not depend on {variable}")
        s = sp.Symbol("s", real=True)
        self.potential = potential.xreplace({variable: s})
        self.spin = s
        # the measure must be normalisable under any quadratic tilt: V must outgrow σ²
        growth = sp.limit(self.potential.xreplace({sym: sp.Rational(1, 2) for sym in
                                                   self.potential.free_symbols - {s}}) / s**2, s, sp.oo)
        if growth is not sp.oo:
            raise ParameterError(f"SoftSpinPrior: V = {potential} must grow faster than {variable}**2 "
                                 "(otherwise the single-site measure with a quadratic tilt is not "
                                 "normalisable); use Gaussian units for a quadratic V")
        self.support = ()

    def log_partition_quadratic(self, x, c):
        s = self.spin
        return sp.log(SiteIntegral(sp.exp(-self.potential + x * s + c * s**2 / 2), s))

    def log_partition(self, x):
        return self.log_partition_quadratic(x, 0)

    def mean(self, x, c=0):
        t = sp.Dummy("t")
        return sp.diff(self.log_partition_quadratic(t, c), t).subs(t, x)

    def variance(self, x, c=0):
        t = sp.Dummy("t")
        return sp.diff(self.log_partition_quadratic(t, c), t, 2).subs(t, x)

    def single_site(self, field, pair, n, z, deriv, diag=0, calc=None):
        """As :meth:`DiscretePrior.single_site`: a Gaussian ``z`` for the replica pairs, then each replica
        sees ``φ(A + √B z, D − B)``."""
        diag = sp.sympify(diag)
        x = field + sp.sqrt(pair) * z
        phi = self.log_partition_quadratic(x, diag - pair)
        result = sp.log(GaussianAverage(sp.exp(n * phi), z))
        _site_step(deriv, self, field, pair, diag, result,
                   r"with $\sum_{a<b}\sigma^a\sigma^b = \frac12[(\sum_a\sigma^a)^2 - \sum_a(\sigma^a)^2]$ "
                   r"the square is linearised by a Gaussian $z$; each replica gives the single-site integral "
                   r"$\phi(x, c) = \log\int d\sigma\, e^{-V(\sigma) + x\sigma + c\sigma^2/2}$, $V = "
                   + sp.latex(self.potential) + r"$ (no closed form: integrated numerically).")
        return result, x


#: names accepted by :func:`prior_from_name`
PRIOR_NAMES = ("ising", "binary", "gaussian", "spherical")


def prior_from_name(name):
    """The prior of a structural option value: ``"ising"``, ``"binary"``, ``"gaussian"``,
    ``"spherical"``."""
    from ..errors import ParameterError
    table = {"ising": IsingPrior, "binary": BinaryPrior, "gaussian": GaussianPrior,
             "spherical": SphericalPrior}
    if name not in table:
        raise ParameterError(f"unknown prior {name!r}; choose one of {', '.join(PRIOR_NAMES)}")
    return table[name]()


# ------------------------------------------------------------------------------------------------
# Gaussian → Boolean interpolation (issue 5, RBM lines of Barra, Genovese, Sollich, Tantari 2018)
# ------------------------------------------------------------------------------------------------

__all__ += ["GaussianMixturePrior"]


class GaussianMixturePrior(DiscretePrior):
    """Symmetric two-Gaussian mixture ``½N(+√δ, (1 − δ)w) + ½N(−√δ, (1 − δ)w)``, ``0 ≤ δ ≤ 1``:
    ``σ = √δ s + √(1 − δ) g`` with ``s = ±1`` and ``g ~ N(0, w)``.

    ``δ = 0`` is the Gaussian ``N(0, w)``, ``δ = 1`` the Boolean ``±1`` (as a probability measure,
    i.e. :class:`IsingPrior` minus ``log 2``); with ``w = 1`` the variance is 1 for every ``δ``, so
    the family moves from Gaussian to Boolean at fixed unit variance. Barra, Genovese, Sollich,
    Tantari, PRE 97, 022310 (2018), arXiv:1702.05882, interpolate their unit and pattern priors
    between these two endpoints; their exact definition could not be read here, so this is the
    natural family with that property (if theirs is parametrised by the variance ``Ω`` of the
    Gaussian part at unit total variance, ``Ω = 1 − δ``).

    The tilted measure has the closed form (each Gaussian component integrated by SymPy)
    ``φ(x, c) = log E e^{xσ + cσ²/2} = −½ log(1 − cv) + (v x² + c δ)/(2(1 − cv))
    + log cosh(√δ x/(1 − cv))``, ``v = (1 − δ)w``, regular at ``δ = 1`` where it is the Ising
    ``log cosh x + c/2``. The replicated single-site problem is that of :class:`DiscretePrior`
    (one Gaussian ``z`` for the replica pairs, ``φ(A + √B z, D − B)`` per replica).

    Parameters
    ----------
    delta : number or SymPy expression
        The Boolean weight ``δ ∈ [0, 1]`` (a symbol for a control parameter).
    noise_variance : number or SymPy expression, optional
        ``w``, the variance of the Gaussian part at ``δ = 0`` (default 1). The RBM's Gaussian units
        carry their self-energy in ``H`` and use ``w = 1/β`` (see ``models/rbm.py``).

    Raises
    ------
    ParameterError
        A numeric ``δ`` outside ``[0, 1]`` or a non-positive numeric ``w``.

    Examples
    --------
    >>> import sympy as sp
    >>> x = sp.Symbol("x")
    >>> GaussianMixturePrior(0).log_partition(x)
    x**2/2
    >>> GaussianMixturePrior(1).log_partition(x)
    log(cosh(x))
    >>> sp.simplify(GaussianMixturePrior(sp.Rational(1, 3)).variance(0))
    1
    """

    name = "Gaussian mixture"

    def __init__(self, delta, noise_variance=1):
        from ..errors import ParameterError
        from ..parsing import as_expression
        delta = as_expression(delta, what="GaussianMixturePrior: the Boolean weight delta")
        w = as_expression(noise_variance, what="GaussianMixturePrior: the noise variance")
        if delta.is_number and not (delta.is_real and delta.is_finite and 0 <= delta <= 1):
            raise ParameterError(f"GaussianMixturePrior: the Boolean weight δ must lie in [0, 1] "
                                 f"(0 Gaussian, 1 Boolean ±1); got {delta}")
        if w.is_number and not (w.is_real and w.is_finite and w > 0):
            raise ParameterError(f"GaussianMixturePrior: the noise variance w must be a finite "
                                 f"positive number; got {w}")
        self.delta, self.noise_variance = delta, w
        self.support, self.weights = (), ()

    @property
    def self_overlap(self):
        return sp.S.One if self.delta == 1 else None

    def log_partition_quadratic(self, x, c):
        """``φ(x, c) = log E e^{xσ + cσ²/2}``: each component ``N(±μ, v)`` integrated by SymPy."""
        phi, (mu, v, X, C) = _mixture_log_partition()
        v_, mu_ = (1 - self.delta) * self.noise_variance, sp.sqrt(self.delta)
        return phi.xreplace({mu: mu_, v: v_, X: x, C: c})


@functools.lru_cache(maxsize=None)
def _mixture_log_partition():
    """``log ∫ ½[N(μ, v) + N(−μ, v)](s) e^{Xs + Cs²/2} ds`` integrated by SymPy (once), returned in
    the form ``−½ log(1 − Cv) + (vX² + Cμ²)/(2(1 − Cv)) + log cosh(μX/(1 − Cv))`` that is regular
    at ``v = 0`` (Boolean), after checking it equals the integral."""
    s, X, C = sp.Symbol("s", real=True), sp.Symbol("X", real=True), sp.Symbol("C", real=True)
    mu, v = sp.Symbol("mu", nonnegative=True), sp.Symbol("v", positive=True)
    a = sp.Symbol("a", positive=True)        # a = 1/v − C > 0: the tilted measure is normalisable
    mixture = 0
    for sign in (1, -1):
        exponent = sp.expand((-(s - sign * mu) ** 2 / (2 * v) + X * s + C * s**2 / 2).subs(C, 1 / v - a))
        component = sp.integrate(sp.exp(exponent), (s, -sp.oo, sp.oo), conds="none")
        mixture += component / (2 * sp.sqrt(2 * sp.pi * v))
    integral = sp.log(mixture).subs(a, 1 / v - C)
    regular = (-sp.log(1 - C * v) / 2 + (v * X**2 + C * mu**2) / (2 * (1 - C * v))
               + sp.log(sp.cosh(mu * X / (1 - C * v))))
    for probe in ((sp.Rational(3, 5), sp.Rational(2, 7), sp.Rational(-4, 3), sp.Rational(1, 2)),
                  (sp.Rational(1, 3), sp.Rational(5, 4), sp.Rational(7, 5), sp.Rational(-2, 3))):
        gap = sp.N((integral - regular).xreplace(dict(zip((mu, v, X, C), probe))), 30)
        if abs(gap) > 1e-25:
            from ..errors import DerivationError
            raise DerivationError(f"GaussianMixturePrior: SymPy's integral differs from the closed "
                                  f"form by {gap}")
    return regular, (mu, v, X, C)


def _simplified_derivative(log_partition, order, x, c):
    """``∂^order_x φ(x, c)``, simplified with ``x`` and ``c`` as plain symbols and substituted after:
    ``simplify`` on the substituted form (``c`` the site curvature, an expression in the order
    parameters) can take a minute (the mixture prior's ``sech²``, by ``trigsimp``)."""
    t, k = sp.Dummy("t"), sp.Dummy("c")
    return sp.simplify(sp.diff(log_partition(t, k), t, order)).xreplace({t: x, k: sp.sympify(c)})
