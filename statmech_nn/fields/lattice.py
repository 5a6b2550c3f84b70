"""Lattice scalar field theories on periodic ``L_1 × … × L_d`` lattices: actions, momentum-space
kernels derived from them, propagators, dispersion relations and their continuum limits.

Conventions
-----------
``"standard"`` (Montvay–Münster; lattice spacing 1)::

    S = Σ_x [ ½ Σ_μ (φ_{x+μ} − φ_x)² + ½ m² φ_x² + (λ/4!) φ_x⁴ ]

so that the free propagator is ``⟨φ̃(k) φ̃(−k)⟩ = 1/(m² + Σ_μ 4 sin²(k_μ/2))`` with
``φ̃(k) = V^{-1/2} Σ_x e^{−ik·x} φ_x`` and ``k_μ = 2π n_μ / L_μ``.

``"albergo"`` (Albergo, Kanwar, Shanahan, Phys. Rev. D 100, 034515 (2019), their lattice phi^4 action;
the same action as in the tutorial of Albergo et al., arXiv:2101.08176, whose benchmark point is
``L = 8, m² = −4, λ = 8`` in 2D)::

    S = Σ_x [ Σ_μ φ_x (2φ_x − φ_{x+μ} − φ_{x−μ}) + m² φ_x² + λ φ_x⁴ ]
      = Σ_x [ −2 Σ_μ φ_x φ_{x+μ} + (m² + 2d) φ_x² + λ φ_x⁴ ]

It equals the standard action of ``√2 φ`` with ``λ_standard = 6 λ`` (see
:meth:`ScalarFieldTheory.standard_equivalent`); its free propagator is ``1/(2(m² + k̂²))``.

Every momentum-space quantity here is *derived* from the action density: the quadratic part of the
action, ``½ Σ_x Σ_{a,b} H_ab φ_{x+a} φ_{x+b}`` (``a, b`` the site offsets that appear in the density,
``H`` its Hessian at ``φ = 0``), is diagonal in plane waves with kernel
``K(k) = Σ_{a,b} H_ab e^{ik·(a−b)}``, and ``⟨φ̃(k) φ̃(−k)⟩ = K(k)^{-1}``.
"""
from __future__ import annotations

import itertools
import math

import numpy as np
import sympy as sp

from ..errors import DerivationError, ParameterError

__all__ = ["Lattice", "ScalarFieldTheory", "NeuralFieldTheory", "CONVENTIONS", "one_loop_self_energy_coefficient"]

CONVENTIONS = ("standard", "albergo")


def _check_number(name, value, minimum=None, allow_symbol=True):
    if allow_symbol and isinstance(value, sp.Basic):
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not math.isfinite(value):
        raise ParameterError(f"{name} must be a finite real number, got {value!r}")
    if minimum is not None and value < minimum:
        raise ParameterError(f"{name} must be >= {minimum}, got {value!r}")
    return value


class Lattice:
    """A periodic hypercubic lattice of shape ``(L_1, …, L_d)`` with sites flattened in C order.

    Parameters
    ----------
    shape : int or tuple of int
        Extent per dimension (each ``>= 2``). An int ``L`` with ``d`` gives ``L^d``.
    d : int, optional
        Dimension when ``shape`` is an int.

    Examples
    --------
    >>> lat = Lattice(8, d=2)
    >>> lat.volume, lat.neighbours().shape
    (64, (64, 4))
    """

    def __init__(self, shape, d=None):
        if isinstance(shape, (int, np.integer)) and not isinstance(shape, bool):
            if d is None or isinstance(d, bool) or not isinstance(d, (int, np.integer)) or d < 1:
                raise ParameterError(f"give the dimension d >= 1 with an int shape, got d={d!r}")
            shape = (int(shape),) * int(d)
        try:
            shape = tuple(int(s) for s in shape)
        except (TypeError, ValueError):
            raise ParameterError(f"shape must be an int or a tuple of ints, got {shape!r}") from None
        if not shape or any(s < 2 for s in shape):
            raise ParameterError(f"every lattice extent must be >= 2, got shape {shape}")
        self.shape = shape
        self.d = len(shape)
        self.volume = int(np.prod(shape))

    def __repr__(self):
        return f"Lattice({self.shape})"

    def neighbours(self):
        """``(V, 2d)`` int64 table: column ``μ`` is site ``x + e_μ``, column ``d + μ`` is ``x − e_μ``."""
        idx = np.arange(self.volume).reshape(self.shape)
        cols = [np.roll(idx, -1, axis=mu).ravel() for mu in range(self.d)]
        cols += [np.roll(idx, 1, axis=mu).ravel() for mu in range(self.d)]
        return np.ascontiguousarray(np.stack(cols, axis=1), dtype=np.int64)

    def momenta(self):
        """``(V, d)`` lattice momenta ``k_μ = 2π n_μ/L_μ`` in the order of ``numpy.fft.fftn(...).ravel()``."""
        grids = np.meshgrid(*[2 * np.pi * np.fft.fftfreq(L, d=1.0 / L) / L for L in self.shape], indexing="ij")
        return np.stack([g.ravel() for g in grids], axis=1)

    def khat2(self):
        """``k̂² = Σ_μ 4 sin²(k_μ/2)`` per momentum (the lattice Laplacian's eigenvalues)."""
        return np.sum(4 * np.sin(self.momenta() / 2) ** 2, axis=1)

    def fourier(self, phi):
        """``φ̃(k) = V^{-1/2} Σ_x e^{−ik·x} φ_x`` of field(s) ``phi`` of shape ``(..., V)``; returns ``(..., V)``."""
        phi = np.asarray(phi, dtype=float)
        if phi.shape[-1] != self.volume:
            raise ParameterError(f"the last axis of phi must have the lattice volume {self.volume}, got {phi.shape}")
        field = phi.reshape(phi.shape[:-1] + self.shape)
        axes = tuple(range(-self.d, 0))
        return np.fft.fftn(field, axes=axes).reshape(phi.shape) / math.sqrt(self.volume)


def _site_symbols(d, name="phi"):
    """``φ_x`` and its forward neighbours ``φ_{x+e_μ}``."""
    here = sp.Symbol(f"{name}_x", real=True)
    fwd = [sp.Symbol(f"{name}_{{x+{mu + 1}}}", real=True) for mu in range(d)]
    return here, fwd


def _kernel_from_density(density, fields_at, k):
    """Momentum-space kernel ``K_ij(k) = Σ_{a,b} ∂²s/∂φ^i_a ∂φ^j_b |_0 e^{ik·(a−b)}``.

    ``fields_at`` maps each field index ``i`` to ``{offset tuple: symbol}``; ``k`` is the list of
    momentum symbols.
    """
    n = len(fields_at)
    zero = {s: 0 for f in fields_at for s in f.values()}
    K = sp.zeros(n, n)
    for i, j in itertools.product(range(n), repeat=2):
        total = sp.Integer(0)
        for (a, sa), (b, sb) in itertools.product(fields_at[i].items(), fields_at[j].items()):
            h = sp.diff(density, sa, sb).subs(zero)
            if h != 0:
                phase = sum(kk * (ai - bi) for kk, ai, bi in zip(k, a, b))
                # e^{iθ} as cos θ + i sin θ: the sine parts of a real symmetric action cancel
                total += h * (sp.cos(phase) + sp.I * sp.sin(phase))
        K[i, j] = sp.simplify(total)
    return K


def _continuum(kernel, k, normalisation, order):
    """``(K(0) + (K(a k) − K(0))/a²)/c`` expanded in the lattice spacing ``a`` up to ``a^order``."""
    a = sp.Symbol("a", positive=True)
    at_zero = kernel.subs({kk: 0 for kk in k})
    scaled = at_zero + (kernel.subs({kk: a * kk for kk in k}, simultaneous=True) - at_zero) / a ** 2
    series = sp.series(scaled / normalisation, a, 0, order + 1).removeO()
    return sp.expand(series), a


class ScalarFieldTheory:
    """Single-component lattice scalar field: free (``lam = 0``) or phi^4.

    Parameters
    ----------
    d : int
        Lattice dimension.
    m2 : float or SymPy expression
        Bare mass squared (may be negative: the broken-symmetry regime).
    lam : float or SymPy expression
        Quartic coupling (``>= 0`` when numeric).
    convention : {"standard", "albergo"}
        Normalisation of the action, see the module docstring.

    Examples
    --------
    >>> th = ScalarFieldTheory(2, m2=sp.Symbol("m2"), lam=0)
    >>> th.propagator()
    1/(m2 - 2*cos(k_1) - 2*cos(k_2) + 4)
    """

    def __init__(self, d, m2, lam=0, convention="standard"):
        if isinstance(d, bool) or not isinstance(d, (int, np.integer)) or d < 1:
            raise ParameterError(f"d must be an int >= 1, got {d!r}")
        if convention not in CONVENTIONS:
            raise ParameterError(f"convention must be one of {CONVENTIONS}, got {convention!r}")
        self.d = int(d)
        self.m2 = _check_number("m2", m2)
        self.lam = _check_number("lam", lam, minimum=0)
        self.convention = convention
        self.k = [sp.Symbol(f"k_{mu + 1}", real=True) for mu in range(self.d)]

    def __repr__(self):
        return f"ScalarFieldTheory(d={self.d}, m2={self.m2}, lam={self.lam}, convention={self.convention!r})"

    def _sym(self, value):
        return sp.nsimplify(value, rational=True) if not isinstance(value, sp.Basic) else value

    def action_density(self):
        """The action per site as a SymPy expression in ``φ_x`` and its forward neighbours ``φ_{x+μ}``."""
        phi, fwd = _site_symbols(self.d)
        m2, lam = self._sym(self.m2), self._sym(self.lam)
        if self.convention == "standard":
            return (sp.Rational(1, 2) * sum((f - phi) ** 2 for f in fwd) + m2 * phi ** 2 / 2
                    + lam * phi ** 4 / sp.factorial(4))
        # Albergo et al. (2019): Σ_μ φ_x(2φ_x − φ_{x+μ} − φ_{x−μ}); summed over x, the φ_x φ_{x−μ} term
        # is the φ_{x} φ_{x+μ} term of the neighbouring site, so per site it reads 2φ_x² − 2φ_x φ_{x+μ}
        return sum(2 * phi ** 2 - 2 * phi * f for f in fwd) + m2 * phi ** 2 + lam * phi ** 4

    def latex(self):
        r"""``S = \sum_x [...]`` as LaTeX."""
        return r"S = \sum_{x} \left[" + sp.latex(self.action_density()) + r"\right]"

    def _fields_at(self):
        phi, fwd = _site_symbols(self.d)
        offsets = {(0,) * self.d: phi}
        for mu, f in enumerate(fwd):
            offsets[tuple(1 if nu == mu else 0 for nu in range(self.d))] = f
        return [offsets]

    def kernel(self):
        """``K(k)``: the quadratic form of the action in momentum space, derived from the density."""
        return _kernel_from_density(self.action_density(), self._fields_at(), self.k)[0, 0]

    def propagator(self):
        """Free (λ-independent) propagator ``⟨φ̃(k) φ̃(−k)⟩_0 = 1/K(k)``."""
        return 1 / self.kernel()

    def field_normalisation(self):
        """``c = ½ ∂²K/∂k_1²`` at ``k = 0``: the kernel is ``c (m² + k̂²)`` (1 standard, 2 Albergo)."""
        return sp.simplify(sp.diff(self.kernel(), self.k[0], 2).subs({kk: 0 for kk in self.k}) / 2)

    def dispersion(self):
        """``ω²(k) = K(k)/c`` in lattice units, e.g. ``m² + Σ_μ 4 sin²(k_μ/2)``."""
        return sp.simplify(self.kernel() / self.field_normalisation())

    def continuum_limit(self, order=2):
        """``ω²(k)`` with lattice spacing ``a`` restored, as a SymPy series in ``a`` up to ``a^order``.

        The ``a⁰`` term is the continuum Klein–Gordon dispersion ``m² + k²``; the ``a²`` term is the
        leading lattice artefact ``−a² Σ_μ k_μ⁴/12``. Returns ``(series, a)``.
        """
        return _continuum(self.kernel(), self.k, self.field_normalisation(), order)

    def free_propagator(self, lattice):
        """Numeric ``1/K(k)`` at every momentum of ``lattice`` (FFT order)."""
        lattice = self._lattice(lattice)
        f = sp.lambdify(self.k, self.propagator().subs({}), "numpy")
        p = lattice.momenta()
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.broadcast_to(np.asarray(f(*p.T), dtype=float), (lattice.volume,)).copy()
        if not np.all(np.isfinite(out)) or np.any(out <= 0):
            raise ParameterError("the free propagator has a non-positive kernel at some momentum (m2 <= 0 "
                                 "at lam = 0 has a zero mode): give m2 > 0 for the free field")
        return out

    def tadpole_sum(self, lattice):
        """``G(0) = (1/V) Σ_k 1/K(k)``: the free propagator at coincident points."""
        return float(np.mean(self.free_propagator(lattice)))

    def _lattice(self, lattice):
        if not isinstance(lattice, Lattice):
            lattice = Lattice(lattice, d=self.d)
        if lattice.d != self.d:
            raise ParameterError(f"the lattice has d = {lattice.d}, the theory d = {self.d}")
        return lattice

    def coefficients(self):
        """Per-site coefficients ``(hop, a2, a4)`` of ``S = Σ_x [−hop Σ_μ φ_x φ_{x+μ} + a2 φ_x² + a4 φ_x⁴]``.

        Read off the action density by SymPy (terms of neighbouring sites folded onto ``x`` by
        translation invariance); these are what the numba kernels take.
        """
        phi, fwd = _site_symbols(self.d)
        dens = sp.expand(self.action_density())
        gens = [phi] + fwd
        poly = sp.Poly(dens, *gens)
        hop, a2, a4 = None, sp.Integer(0), sp.Integer(0)
        for monom, coeff in poly.terms():
            powers = dict((g, p) for g, p in zip(gens, monom) if p)
            if len(powers) == 1 and list(powers.values())[0] in (2, 4):
                (p,) = powers.values()
                if p == 2:
                    a2 += coeff
                else:
                    a4 += coeff
            elif len(powers) == 2 and phi in powers and set(powers.values()) == {1}:
                c = -coeff
                if hop is not None and c != hop:
                    raise DerivationError("the hopping term differs between directions")
                hop = c
            else:
                raise DerivationError(f"term {coeff}*{monom} of the action is not of the form the kernels "
                                      "support (nearest-neighbour hopping, phi^2, phi^4)")
        try:
            return float(hop), float(a2), float(a4)
        except TypeError:
            raise ParameterError("Monte Carlo needs numeric m2 and lam, not symbols") from None

    def one_loop_mass_shift(self, lattice):
        """One-loop tadpole shift of ``m²``: ``δm² = c λ_s G_s(0)`` in the standard convention (``c = 1/2``
        from :func:`one_loop_self_energy_coefficient`, ``G_s(0) = (1/V) Σ_k 1/(m² + k̂²)``), the same
        ``m²`` shift in either convention."""
        m2, lam_s, _ = self.standard_equivalent()
        standard = ScalarFieldTheory(self.d, m2=m2, lam=0)
        return float(one_loop_self_energy_coefficient()) * lam_s * standard.tadpole_sum(lattice)

    def standard_equivalent(self):
        """``(m2, lam, field_scale)`` of the standard-convention theory equal to this one under
        ``φ_standard = field_scale · φ``; derived by matching :meth:`coefficients`."""
        hop, a2, a4 = self.coefficients()
        # standard: hop = 1, a2 = d + m²/2, a4 = λ/24, for the field φ_s = s φ (s² = hop)
        s2 = hop
        return (2 * (a2 / s2 - self.d), 24 * a4 / s2 ** 2, math.sqrt(s2))


class NeuralFieldTheory:
    """Coupled multi-field Klein–Gordon "neural field" on a periodic lattice (Cooray, Cooray, Friston,
    arXiv:2308.10645: neural masses on a 2D lattice, coupled Klein–Gordon fields in the continuum).

    ``S = Σ_x [ ½ Σ_a c_a Σ_μ (φ^a_{x+μ} − φ^a_x)² + ½ Σ_{ab} φ^a_x M_ab φ^b_x ]``

    with ``M_aa = m_a²`` (masses) and ``M_ab = g_ab`` (couplings between populations).

    Parameters
    ----------
    masses : sequence
        ``m_a²`` per field (numbers or SymPy expressions).
    couplings : dict {(a, b): value} or square array, optional
        Off-diagonal ``g_ab`` (symmetric; ``(a, b)`` and ``(b, a)`` are the same coupling).
    stiffness : sequence, optional
        ``c_a`` (squared propagation speeds), 1 by default.
    d : int
        Lattice dimension (2 in Cooray et al.).

    Examples
    --------
    >>> nf = NeuralFieldTheory(masses=[1.0, 2.0], couplings={(0, 1): 0.5}, d=2)
    >>> sp.simplify(nf.kernel()[0, 1])
    0.500000000000000
    """

    def __init__(self, masses, couplings=None, stiffness=None, d=2):
        if isinstance(d, bool) or not isinstance(d, (int, np.integer)) or d < 1:
            raise ParameterError(f"d must be an int >= 1, got {d!r}")
        try:
            masses = list(masses)
        except TypeError:
            raise ParameterError(f"masses must be a sequence of m_a^2, got {masses!r}") from None
        if not masses:
            raise ParameterError("give at least one field mass")
        n = len(masses)
        self.n, self.d = n, int(d)
        M = sp.zeros(n, n)
        for a, m in enumerate(masses):
            M[a, a] = sp.sympify(_check_number(f"masses[{a}]", m))
        if couplings is not None:
            if isinstance(couplings, dict):
                items = couplings.items()
            else:
                arr = np.asarray(couplings, dtype=float)
                if arr.shape != (n, n) or not np.allclose(arr, arr.T):
                    raise ParameterError(f"couplings must be a symmetric {n}x{n} array or a dict {{(a, b): g}}")
                items = {(a, b): arr[a, b] for a in range(n) for b in range(a + 1, n)}.items()
            for key, g in items:
                if (not isinstance(key, tuple) or len(key) != 2 or key[0] == key[1]
                        or not all(isinstance(i, (int, np.integer)) and 0 <= i < n for i in key)):
                    raise ParameterError(f"coupling keys must be pairs (a, b) of distinct field indices < {n}, "
                                         f"got {key!r}")
                g = sp.sympify(_check_number(f"couplings[{key}]", g))
                M[key[0], key[1]] = M[key[1], key[0]] = g
        self.mass_matrix = M
        stiffness = [1] * n if stiffness is None else list(stiffness)
        if len(stiffness) != n:
            raise ParameterError(f"stiffness needs one value per field ({n}), got {len(stiffness)}")
        self.stiffness = [sp.sympify(_check_number(f"stiffness[{a}]", c, minimum=0)) for a, c in enumerate(stiffness)]
        self.k = [sp.Symbol(f"k_{mu + 1}", real=True) for mu in range(self.d)]

    def __repr__(self):
        return f"NeuralFieldTheory(n={self.n}, d={self.d}, M={self.mass_matrix.tolist()})"

    def _symbols(self):
        return [_site_symbols(self.d, name=f"phi{a + 1}") for a in range(self.n)]

    def action_density(self):
        """The action per site, a SymPy expression in ``φ^a_x`` and ``φ^a_{x+μ}``."""
        syms = self._symbols()
        here = sp.Matrix([s[0] for s in syms])
        grad = sum(c * sum((f - s[0]) ** 2 for f in s[1]) for c, s in zip(self.stiffness, syms)) / 2
        return grad + (here.T * self.mass_matrix * here)[0, 0] / 2

    def latex(self):
        return r"S = \sum_{x} \left[" + sp.latex(self.action_density()) + r"\right]"

    def kernel(self):
        """``K_ab(k)``, the ``n × n`` momentum-space kernel derived from the action density."""
        fields_at = []
        for here, fwd in self._symbols():
            offsets = {(0,) * self.d: here}
            for mu, f in enumerate(fwd):
                offsets[tuple(1 if nu == mu else 0 for nu in range(self.d))] = f
            fields_at.append(offsets)
        return _kernel_from_density(self.action_density(), fields_at, self.k)

    def dispersion(self):
        """Eigenvalues ``ω_n²(k)`` of ``K(k)`` (symbolic; use :meth:`spectrum` for numbers)."""
        return list(self.kernel().eigenvals(multiple=True))

    def continuum_limit(self, order=0):
        """The continuum kernel ``K(k)`` (spacing ``a → 0``) up to ``a^order`` and its eigenvalues:
        ``c_a k² δ_ab + M_ab`` at order 0 — the coupled Klein–Gordon operator. Returns ``(K, eigenvalues, a)``."""
        K = self.kernel()
        a = sp.Symbol("a", positive=True)
        out = sp.zeros(self.n, self.n)
        for i, j in itertools.product(range(self.n), repeat=2):
            out[i, j], a = _continuum(K[i, j], self.k, 1, order)
        return out, list(out.eigenvals(multiple=True)), a

    def klein_gordon_equations(self):
        """Continuum equations of motion from the Lagrangian density
        ``½ Σ_a (∂_t φ_a)² − [continuum limit of the lattice action density]`` by Euler–Lagrange:
        ``∂_t² φ_a = c_a ∇² φ_a − Σ_b M_ab φ_b``. Returns a list of SymPy ``Eq``."""
        from sympy.calculus.euler import euler_equations
        t = sp.Symbol("t", real=True)
        xs = [sp.Symbol(f"x_{mu + 1}", real=True) for mu in range(self.d)]
        a = sp.Symbol("a", positive=True)
        fields = [sp.Function(f"phi_{i + 1}")(t, *xs) for i in range(self.n)]
        subs = {}
        for field, (here, fwd) in zip(fields, self._symbols()):
            subs[here] = field
            for mu, f in enumerate(fwd):
                shifted = field.subs(xs[mu], xs[mu] + a)
                subs[f] = sp.series(shifted, a, 0, 2).removeO().doit()
        dens = sp.expand(self.action_density().subs(subs, simultaneous=True))
        # the differences φ(x + a e_μ) − φ(x) are O(a): the gradient energy is the a² coefficient
        mass_part = dens.subs(a, 0)
        grad_part = sp.expand((dens - mass_part) / a ** 2).subs(a, 0)
        lagrangian = sum(sp.diff(f, t) ** 2 for f in fields) / 2 - grad_part - mass_part
        return euler_equations(lagrangian, fields, [t, *xs])

    def spectrum(self, lattice, temperature=1.0):
        """Eigenmodes per momentum and the equipartition power spectrum (Cooray et al.).

        Each eigenmode ``n`` of ``K(k)`` (frequency² ``ω_n²(k)``, eigenvector ``U_{·n}(k)``) carries
        ``⟨|ψ_n(k)|²⟩ = T/ω_n²(k)``; the power of field ``a`` is ``P_a(k) = Σ_n |U_an(k)|² T/ω_n²(k)``.

        Returns
        -------
        dict
            ``momenta`` (V, d), ``omega2`` (V, n) ascending per momentum, ``modes`` (V, n, n) (columns
            are eigenvectors), ``power`` (V, n).
        """
        if not isinstance(lattice, Lattice):
            lattice = Lattice(lattice, d=self.d)
        if lattice.d != self.d:
            raise ParameterError(f"the lattice has d = {lattice.d}, the theory d = {self.d}")
        _check_number("temperature", temperature, minimum=0, allow_symbol=False)
        if temperature <= 0:
            raise ParameterError("temperature must be > 0")
        K = self.kernel()
        if K.free_symbols - set(self.k):
            raise ParameterError(f"spectrum needs numeric masses/couplings; free symbols "
                                 f"{sorted(map(str, K.free_symbols - set(self.k)))}")
        f = sp.lambdify(self.k, K, "numpy")
        p = lattice.momenta()
        Ks = np.array([np.asarray(f(*row), dtype=float) for row in p])
        omega2, modes = np.linalg.eigh(Ks)
        if np.any(omega2 <= 0):
            raise ParameterError("the mass/coupling matrix has a non-positive eigenmode: equipartition needs "
                                 "a positive-definite kernel (raise the masses or lower the couplings)")
        power = np.einsum("van,vn->va", modes ** 2, temperature / omega2)
        return {"momenta": p, "omega2": omega2, "modes": modes, "power": power}


def one_loop_self_energy_coefficient():
    """``c`` in the one-loop mass shift ``δm² = c λ G(0)`` of ``(λ/4!) φ⁴`` theory, from the diagram layer.

    The one-loop 1PI two-point graph of :class:`statmech_nn.expansions.ScalarTheory` (the tadpole, vertex
    factor ``−λ``, symmetry factor ``1/2``) is evaluated with a symbolic propagator ``G``; removing the
    two external legs leaves the self-energy ``Σ = −c λ G(0)``, and ``δm² = −Σ``.
    """
    from ..expansions.wick import ScalarTheory
    G = sp.Symbol("G", positive=True)
    theory = ScalarTheory(4, propagator=G)
    graphs = theory.diagrams(n_external=2, loops=1, kind="1pi")
    sigma = sp.expand(graphs.value() / G ** 2)          # amputate the external legs
    lam = theory.couplings[4]
    coefficient = sp.simplify(-sigma / (lam * G))
    if coefficient.free_symbols:
        raise DerivationError(f"the one-loop self-energy is not proportional to lambda G(0): {sigma}")
    return coefficient
