r"""Born series of the S-wave scattering length, and its neural-network perturbation theory.

Physics (units ``ħ = 2μ = 1``, so ``U(r) = 2μV(r)/ħ² = V(r)``): the zero-energy S-wave radial function
solves ``u'' = U u`` with ``u(0) = 0`` and ``u(r) ∝ r − a`` beyond the range of the potential; ``a`` is the
scattering length (``a > 0`` for a weak repulsion). With the zero-energy Green's function
``G(r, r') = −min(r, r')`` (``∂_r² G = δ(r − r')``, ``G(0, r') = 0``) the Lippmann–Schwinger equation
``u = r + ∫ G U u`` and ``a = ∫_0^∞ r U(r) u(r) dr`` iterate into the Born series ``a = a_1 + a_2 + …``,

``a_1 = ∫ r² U(r) dr``,   ``a_2 = −∫∫ r U(r) min(r, r') U(r') r' dr dr' = −2 ∫ dr r U(r) ∫_0^r r'² U(r') dr'``.

What this module reproduces from Kaspschak & Meißner (2021, Secs. III–IV): networks that map a discretised
potential to its scattering length, whose first- and second-order Taylor coefficients at ``U = 0``
(computed with the propagator/vertex diagrams of :mod:`.mlp`) approximate the first and second Born
terms, and the *iterative* scheme: a second network is trained on the scattering length minus the first
network's first-order term, so that its leading (second-order) coefficients are learned faithfully.

What is our own construction (not from the paper): potentials piecewise constant on ``M`` shells of
``[0, R]`` (the network input is the vector of shell values, for which the scattering length is exact by
transfer matrices and the Born terms are exact rationals from the Green's-function integrals done by
SymPy); one-hidden-layer tanh networks with random fixed hidden weights whose readout is trained by
linear least squares on antithetic samples (``±U``), instead of the paper's gradient-trained deeper
networks; and the square-well check: the exact ``a = R − tan(kR)/k`` (``U = −k²`` inside ``R``) is derived
here by matching the interior and exterior solutions with SymPy and expanded in the depth ``λ = k²``.

References
----------
B. Kaspschak, U.-G. Meißner, Phys. Rev. Research 3, 023223 (2021), arXiv:2009.03192.
J. J. Sakurai, *Modern Quantum Mechanics*, Sec. 7.2 (Lippmann–Schwinger equation, Born series).
F. Calogero, *Variable Phase Approach to Potential Scattering*, Academic Press (1967) (zero-energy limit).
"""
from __future__ import annotations

import numpy as np
import sympy as sp

from ..errors import ParameterError
from ..parsing import as_expression
from ..symbolic.derivation import Derivation
from .mlp import MLP, MLPTaylor

__all__ = ["LAMBDA", "R_SYM", "square_well_scattering_length", "born_terms", "StepPotential",
           "BornNetworkPerturbationTheory"]

REFERENCES = (
    "B. Kaspschak and U.-G. Meissner, Neural network perturbation theory and its application to the Born "
    "series, Phys. Rev. Research 3, 023223 (2021), arXiv:2009.03192.",
    "J. J. Sakurai, Modern Quantum Mechanics, Sec. 7.2.",
)

R_SYM = sp.Symbol("R", positive=True)
LAMBDA = sp.Symbol(r"\lambda", positive=True)
_r, _s = sp.symbols("r s", positive=True)


def square_well_scattering_length(order=2):
    """The attractive square well ``U = −λ`` (``r < R``): exact ``a(λ)`` by matching, and its expansion.

    Returns
    -------
    (exact, coefficients, derivation)
        ``exact`` in :data:`LAMBDA` and :data:`R_SYM`; ``coefficients[n-1]`` the ``λ^n`` term ``a_n``.
    """
    k = sp.sqrt(LAMBDA)
    amp, c, a = sp.symbols("A C a")
    d = Derivation("Square well: exact zero-energy scattering length")
    inside = amp * sp.sin(k * _r)                         # u'' = -k² u, u(0) = 0
    outside = c * (_r - a)                                # u'' = 0 beyond R
    d.add("Interior and exterior solutions", [sp.Eq(sp.Symbol("u_<"), inside), sp.Eq(sp.Symbol("u_>"), outside)])
    ratio = sp.simplify((inside / sp.diff(inside, _r)).subs(_r, R_SYM))
    exact = sp.solve(sp.Eq(ratio, (outside / sp.diff(outside, _r)).subs(_r, R_SYM)), a)[0]
    d.add("Continuity of u'/u at R", sp.Eq(a, exact))
    series = sp.series(exact, LAMBDA, 0, order + 1).removeO()
    coefficients = [sp.simplify(series.coeff(LAMBDA, n) * LAMBDA**n) for n in range(1, order + 1)]
    d.add("Expansion in the depth", sp.Eq(a, sp.Add(*coefficients) + sp.O(LAMBDA**(order + 1))))
    return exact, coefficients, d


def born_terms(potential, r=None, R=None):
    """First and second Born terms of a potential of range ``R`` by the Green's-function integrals (SymPy).

    Parameters
    ----------
    potential : sympy.Expr
        ``U(r)`` on ``0 < r < R`` (zero beyond).
    r : sympy.Symbol
        Its variable (default: the module's positive ``r``).
    R : sympy.Expr
        The range (default :data:`R_SYM`).
    """
    r = r if r is not None else _r
    R = R if R is not None else R_SYM
    u = as_expression(potential, what="potential").subs(r, _r)
    a1 = sp.integrate(_r**2 * u, (_r, 0, R))
    inner = sp.integrate(_s**2 * u.subs(_r, _s), (_s, 0, _r))
    a2 = -2 * sp.integrate(_r * u * inner, (_r, 0, R))
    return sp.simplify(a1), sp.simplify(a2)


class StepPotential:
    """Potentials constant on ``M`` equal shells of ``[0, R]``: exact scattering lengths and Born terms.

    Attributes
    ----------
    edges : ndarray
        Shell boundaries ``r_0 = 0 < … < r_M = R``.
    first, second : ndarray
        ``a_1 = first · U`` and ``a_2 = U · second · U`` (exact rationals from SymPy, as floats).
    """

    def __init__(self, shells=4, R=1.0):
        if not isinstance(shells, (int, np.integer)) or shells < 1 or not R > 0:
            raise ParameterError(f"shells must be an int >= 1 and R > 0, got {shells!r}, {R!r}")
        self.shells = int(shells)
        self.R = float(R)
        self.edges = np.linspace(0.0, self.R, self.shells + 1)
        rational = [sp.nsimplify(e) for e in self.edges]
        self.first_exact = [sp.integrate(_r**2, (_r, a, b)) for a, b in zip(rational[:-1], rational[1:])]
        self.second_exact = [[-sp.integrate(sp.integrate(_r * _s * sp.Min(_r, _s), (_s, c, e)), (_r, a, b))
                              for c, e in zip(rational[:-1], rational[1:])]
                             for a, b in zip(rational[:-1], rational[1:])]
        self.first = np.array([float(v) for v in self.first_exact])
        self.second = np.array([[float(v) for v in row] for row in self.second_exact])

    def scattering_length(self, U):
        """Exact ``a`` for shell values ``U`` (shape ``(..., M)``) by transfer of ``(u, u')`` through the shells."""
        U = np.asarray(U, dtype=float)
        if U.shape[-1] != self.shells:
            raise ParameterError(f"U must have {self.shells} shell values in its last axis, got shape {U.shape}")
        u = np.zeros(U.shape[:-1])
        du = np.ones(U.shape[:-1])
        for m in range(self.shells):
            h = self.edges[m + 1] - self.edges[m]
            s = np.sqrt(U[..., m].astype(complex))            # cosh/sinh for U > 0, cos/sin for U < 0
            small = np.abs(s * h) < 1e-8
            safe = np.where(small, 1.0, s)
            c = np.cosh(s * h)
            sinc = np.where(small, h, np.sinh(s * h) / safe)    # sinh(sh)/s -> h as s -> 0
            u, du = (u * c + du * sinc).real, (u * s * np.sinh(s * h) + du * c).real
        if np.any(np.abs(du) < 1e-300):
            raise ParameterError("a zero-energy bound state sits at threshold: the scattering length diverges")
        return self.R - u / du

    def born(self, U):
        """``(a_1, a_2)`` for shell values ``U`` (shape ``(..., M)``)."""
        U = np.asarray(U, dtype=float)
        return U @ self.first, np.einsum("...m,mn,...n->...", U, self.second, U)


class BornNetworkPerturbationTheory:
    """Iterative neural-network perturbation theory for the Born series (Kaspschak & Meißner 2021, Sec. IV).

    Iteration 1 trains a network ``N_1(U) ≈ a(U)`` on random shallow step potentials; its gradient at
    ``U = 0`` (one diagram per order, :class:`MLPTaylor`) is the learned first Born kernel. Iteration 2
    trains ``N_2(U) ≈ a(U) − ∇N_1(0)·U``, whose leading behaviour is quadratic; half its Hessian at 0 is
    the learned second Born kernel.

    Parameters
    ----------
    potential : StepPotential
    amplitude : float
        Shell values are drawn uniformly from ``[−amplitude, amplitude]`` (shallow: keep the well below the
        first bound state, ``amplitude·R² < π²/4``).
    samples, width : int
        Training potentials (antithetic pairs ``±U``) and hidden units.
    seed : int
    """

    def __init__(self, potential, amplitude=0.5, samples=8000, width=600, seed=0):
        if not 0 < amplitude * potential.R**2 < np.pi**2 / 4:
            raise ParameterError("amplitude * R² must lie in (0, π²/4): deeper wells bind and the Born series "
                                 "of a diverges")
        if samples < 2 or width < 1:
            raise ParameterError("samples must be >= 2 and width >= 1")
        self.potential = potential
        self.amplitude = float(amplitude)
        rng = np.random.default_rng(seed)
        half = rng.uniform(-amplitude, amplitude, (samples // 2, potential.shells))
        self.inputs = np.vstack([half, -half])           # antithetic: odd and even orders decouple
        self.targets = potential.scattering_length(self.inputs)
        self.first_network = self._train(self.targets, width, rng)
        zero = np.zeros(potential.shells)
        self.first_kernel = MLPTaylor(self.first_network, zero, order=1).derivative_tensor(1)[0]
        self.second_network = self._train(self.targets - self.inputs @ self.first_kernel, width, rng)
        self.second_kernel = MLPTaylor(self.second_network, zero, order=2).derivative_tensor(2)[0] / 2

    def _train(self, targets, width, rng, ridge=1e-10):
        """One hidden tanh layer with random weights ``N(0, 1/amplitude²)``; the readout by ridge least squares."""
        m = self.potential.shells
        w1 = rng.standard_normal((width, m)) / self.amplitude
        b1 = rng.standard_normal(width)
        features = np.hstack([np.tanh(self.inputs @ w1.T + b1), np.ones((len(self.inputs), 1))])
        gram = features.T @ features
        readout = np.linalg.solve(gram + ridge * np.trace(gram) / len(gram) * np.eye(len(gram)),
                                  features.T @ targets)
        return MLP([w1, readout[None, :-1]], [b1, readout[-1:]], "tanh")

    def born(self, U):
        """The machine-learned ``(a_1, a_2)`` for shell values ``U``."""
        U = np.asarray(U, dtype=float)
        return U @ self.first_kernel, np.einsum("...m,mn,...n->...", U, self.second_kernel, U)

    def _repr_markdown_(self):
        well = -0.3 * np.ones(self.potential.shells)
        exact, learned = self.potential.born(well), self.born(well)
        return ("**Iterative network perturbation theory** (square well, depth 0.3)\n\n| | Green's function | "
                "networks |\n|---|---|---|\n" + "\n".join("| a%d | %.6g | %.6g |" % (n + 1, exact[n], learned[n])
                                                      for n in range(2)))

    def latex(self):
        """LaTeX body: the square-well derivation and a table of exact vs learned Born terms."""
        exact, coefficients, derivation = square_well_scattering_length(2)
        lam = 0.3
        well = -lam * np.ones(self.potential.shells)
        learned = self.born(well)
        closed = [float(c.subs({LAMBDA: lam, R_SYM: self.potential.R})) for c in coefficients]
        steps = self.potential.born(well)
        rows = "\n".join(r"$a_%d$ & %.6g & %.6g & %.6g \\" % (n + 1, closed[n], steps[n], learned[n])
                         for n in range(2))
        return "\n".join([
            r"\subsection*{Born series of the S-wave scattering length}",
            "Units $\\hbar = 2\\mu = 1$; $u'' = U u$, $u \\propto r - a$ outside the potential. Born terms "
            "$a_1 = \\int r^2 U$, $a_2 = -\\iint r U(r) \\min(r,r') U(r') r'$.",
            derivation.latex(),
            "Square well of depth $\\lambda = %g$ and radius $R = %g$: closed form, exact Green's-function "
            "integrals over %d shells, and the iterative network perturbation theory (Taylor coefficients of "
            "the trained networks at $U = 0$ from their diagrams)." % (lam, self.potential.R, self.potential.shells),
            "\\begin{center}\\begin{tabular}{lrrr}\n & closed form & shells (exact) & networks \\\\ \\hline\n"
            + rows + "\n\\end{tabular}\\end{center}"])
