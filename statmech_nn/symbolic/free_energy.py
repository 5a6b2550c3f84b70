"""Results of the replica engine: the RS free energy and its saddle point."""
from __future__ import annotations

import sympy as sp

from ..errors import DerivationError
from . import printing


__all__ = ["FreeEnergy", "SaddlePoint"]


class FreeEnergy:
    """Replica-symmetric free energy per unit ``f(order parameters; parameters)``.

    Attributes
    ----------
    expr : sympy.Expr
        ``f``; Gaussian and pattern averages appear as unevaluated
        :class:`~statmech_nn.symbolic.averages.GaussianAverage` / ``DiscreteAverage`` nodes.
    order_parameters : tuple of sympy.Symbol
        In paper names (``m``, ``q``, ``r``, ...).
    parameters : tuple of sympy.Symbol
        Control parameters the expression depends on; the inverse temperature is ``beta``.
    derivation : Derivation
        The engine's steps, from the Hamiltonian to ``f``.
    """

    def __init__(self, model, expr, order_parameters, parameters, derivation, structure, stationarity=None):
        self.model = model
        self.expr = expr
        self.order_parameters = tuple(order_parameters)
        self.parameters = tuple(parameters)
        self.derivation = derivation
        self._structure = structure  # engine bookkeeping: conjugate pairs, replicon pieces
        self._saddle = None
        self._stationarity = stationarity  # the engine step that derives the saddle point

    def saddle_point(self):
        """Stationarity of ``f`` in every order parameter, Stein-simplified to fixed-point form."""
        if self._saddle is None:
            if self._stationarity is None:
                raise DerivationError(f"no stationarity step was given for {self!r}")
            self._saddle = self._stationarity(self)
        return self._saddle

    def frozen(self, x=None):
        """The frozen one-step solution (``q1 = 1``, ``q̂1 → ∞`` at fixed Parisi parameter ``x``) of a
        one-step free energy (``model.free_energy(rsb=1)``) of a version space: a :class:`SaddlePoint`
        at ``T = 0`` in ``(q0, q_hat0)`` whose free energy is ``−Φ = −Σ/x`` (``Σ`` the complexity of the
        frozen states), see :func:`~statmech_nn.symbolic.rsb.frozen_rsb1` (Krauth & Mézard, J. Phys.
        France 50, 3057 (1989)).

        Raises
        ------
        DerivationError
            Not a one-step free energy, or no version space to freeze in.
        """
        rule = self._structure.get("frozen")
        if rule is None:
            raise DerivationError(f"the frozen one-step limit needs a one-step free energy "
                                  f"(free_energy(rsb=1)); {self!r} is not one")
        return rule(self, x)

    def latex(self):
        """``f = ...`` in the display form (checked equal to :attr:`expr`)."""
        return r"f = " + printing.latex(self.expr)

    def _repr_latex_(self):
        return "$\\displaystyle " + self.latex() + "$"

    def __repr__(self):
        names = ", ".join(map(str, self.order_parameters))
        return f"<FreeEnergy of {self.model.name!r} in ({names})>"


class SaddlePoint:
    """Saddle-point (fixed-point) equations ``x = F(x; parameters)`` of a free energy.

    Attributes
    ----------
    equations : dict
        ``{order parameter symbol: right-hand side}``, in the order of ``order_parameters``.
    free_energy : sympy.Expr
        The free energy evaluated by the solver (the ground-state energy at ``T = 0``).
    replicon : sympy.Expr or None
        de Almeida–Thouless replicon eigenvalue (``> 0``: the RS solution is stable), up to a positive
        factor.
    temperature : {"finite", "zero"}
    """

    def __init__(self, model, equations, free_energy, order_parameters, parameters, replicon,
                 derivation, temperature="finite", beta=None, finite=None, limit=None):
        self.model = model
        self.equations = dict(equations)
        self.free_energy = free_energy
        self.order_parameters = tuple(order_parameters)
        self.parameters = tuple(parameters)
        self.replicon = replicon
        self.derivation = derivation
        self.temperature = temperature
        self.beta = beta
        self._finite = finite
        self._zero = None
        self._limit = limit   # the engine step that takes T → 0

    def zero_temperature(self):
        """The ``T → 0`` limit with ``C = β(1 − q)`` kept finite."""
        if self.temperature == "zero":
            return self
        if self._zero is None:
            if self._limit is None:
                raise DerivationError(f"no zero-temperature limit is derived for the {self.model.title}")
            self._zero = self._limit(self)
        return self._zero

    def hessian(self):
        """Hessian ``∂²f/∂x_i∂x_j`` of the RS free energy in the order parameters, as a SymPy matrix
        (averages differentiated under the integral). Together with :attr:`replicon` it decides the
        stability of a solution (see :class:`statmech_nn.solve.Solution`)."""
        return sp.hessian(self.free_energy, self.order_parameters)

    def compile(self, **options):
        """A numeric solver generated from these equations (see :class:`statmech_nn.solve.Solver`)."""
        from ..solve import Solver
        return Solver(self, **options)

    def latex(self):
        lines = [printing.latex(k) + " &= " + printing.latex(v) for k, v in self.equations.items()]
        return r"\begin{aligned}" + r" \\ ".join(lines) + r"\end{aligned}"

    def _repr_latex_(self):
        return "$\\displaystyle " + self.latex() + "$"

    def __repr__(self):
        names = ", ".join(map(str, self.order_parameters))
        return f"<SaddlePoint of {self.model.name!r} ({self.temperature} T) in ({names})>"
