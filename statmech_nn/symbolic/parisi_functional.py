"""The Parisi functional of a model, read off its derivation: full replica-symmetry breaking.

For Ising units and an energetic function of the overlap that is a sum of powers (Gaussian couplings of
any order, declared or registered), the free energy with a Parisi order-parameter function ``q(x)`` is
Parisi's variational formula for the covariance ``ξ(q) = E(q)/β²``, where ``E(q) = Σ_t c_t q^{p_t}`` is the
overlap energy per replica pair that the engine collected from the terms
(:meth:`~.state.ReplicaCalculation.overlap_energy`): the ``k``-step RSB free energies of the engine's
1RSB path (``k = 1``) are its members. The numerical solution
(Parisi PDE layer by layer, the ``k``-step sequence and its extrapolation) is
:func:`statmech_nn.solve.parisi.solve_parisi`; this module only derives what it takes: ``ξ``, ``ξ'``,
``ξ''`` as SymPy expressions (turned into numpy callables) and the field ``h``.

References
----------
G. Parisi, J. Phys. A 13, 1101 (1980); A. Crisanti and T. Rizzo, PRE 65, 046137 (2002);
M. Talagrand, *Mean field models for spin glasses* (2011), ch. 14 (mixed p-spin models, ``ξ``).
"""
from __future__ import annotations

import sympy as sp

from ..errors import DerivationError, ParameterError
from .state import beta

__all__ = ["ParisiFunctional", "parisi_functional"]


class ParisiFunctional:
    """What the full-RSB solution of a model needs, derived from its declaration.

    Attributes
    ----------
    covariance : sympy.Expr
        ``ξ(q)``, a polynomial in ``q`` with the model's parameters.
    field : sympy.Expr
        The uniform field of the single-site problem per ``β`` (``h``).
    parameters : tuple of sympy.Symbol
        The model parameters ``ξ`` and the field depend on.
    """

    def __init__(self, model, covariance, field, q, magnetisations):
        self.model = model
        self.covariance = covariance
        self.field = field
        self.q = q
        self.magnetisations = magnetisations
        self.parameters = tuple(sorted((covariance.free_symbols | field.free_symbols) - {q},
                                       key=lambda s: s.name))

    def __repr__(self):
        return f"<ParisiFunctional of {self.model.name!r}: xi(q) = {self.covariance}, field {self.field}>"

    def solve(self, T=None, beta_=None, k_max=6, tol=1e-9, **params):
        """The full-RSB solution at temperature ``T`` (``T = 0``: the ground state) and the model's
        parameters: :class:`~statmech_nn.solve.parisi.ParisiSolution` with ``q_of_x``, ``x_of_q``,
        ``free_energy`` (extrapolated in ``k``), ``energy``, ``q_EA``, ``overlap_distribution()``.

        Raises
        ------
        ParameterError
            Unknown parameters, or a non-zero ferromagnetic coupling (its magnetisation needs a
            self-consistent field the Parisi solver does not iterate).
        """
        import math

        import numpy as np

        from ..solve.parisi import solve_parisi
        values = self.model.parameters(**({"T": T} if T is not None else {}),
                                       **({"beta": beta_} if beta_ is not None else {}), **params)
        point = {k: float(np.asarray(v)) for k, v in values.items()}
        T_ = point["T"]
        symbols = set(self.parameters).union(*(c.free_symbols for _, c in self.magnetisations))
        subs = {s: point[s.name] for s in symbols if s.name in point}
        for name, coupling in self.magnetisations:
            if coupling.xreplace(subs) != 0:
                raise ParameterError(f"rsb='full' of {self.model.name!r}: the magnetisation {name} couples with "
                                     f"{coupling} = {coupling.xreplace(subs)} != 0; the Parisi solver takes a "
                                     "fixed field only (set it to 0)")
        xi = sp.lambdify(self.q, self.covariance.xreplace(subs), "numpy")
        dxi = sp.lambdify(self.q, sp.diff(self.covariance, self.q).xreplace(subs), "numpy")
        ddxi = sp.lambdify(self.q, sp.diff(self.covariance, self.q, 2).xreplace(subs), "numpy")

        def vector(f):
            return lambda q: np.broadcast_to(np.asarray(f(q), float), np.shape(q)) + 0.0
        h = float(self.field.xreplace(subs))
        return solve_parisi(vector(xi), vector(dxi), vector(ddxi), beta=math.inf if T_ == 0 else 1.0 / T_,
                            h=h, k_max=k_max, tol=tol)


def parisi_functional(model):
    """The :class:`ParisiFunctional` of ``model`` from its replica state, or a DerivationError naming
    what the full-RSB solver does not handle (units without ``σ² = 1``, a non-polynomial overlap energy
    such as the Hebbian ``log det``, several kinds of units)."""
    from .state import ReplicaCalculation
    from .priors import IsingPrior
    hamiltonian = model.hamiltonian()
    prior = hamiltonian.prior
    if not isinstance(prior, IsingPrior):
        raise DerivationError(f"rsb='full' of the {model.title}: the Parisi solver takes Ising ±1 units, not "
                              f"{prior.name} units")
    calc = ReplicaCalculation(f"Parisi functional of the {model.title}", prior)
    for term in hamiltonian.interactions:
        term.apply(calc)
    if calc.layers or calc.bilinear is not None:
        raise DerivationError(f"rsb='full' of the {model.title}: two kinds of units are not implemented")
    q = sp.Symbol("q", positive=True)
    covariance = sp.S.Zero
    for source in calc.overlap_sources:
        if source.power is None:
            raise DerivationError(f"rsb='full' of the {model.title}: the overlap energy of {source.owner} is a "
                                  "replica-matrix function (not a sum of powers of q); use rsb=1")
        c = sp.simplify(source.coefficient / beta**2)
        if c.has(beta):
            raise DerivationError(f"rsb='full': the overlap energy of {source.owner} is not β² times a covariance")
        covariance += c * q**source.power
    if covariance == 0:
        raise DerivationError(f"rsb='full' of the {model.title}: no overlap energy (no disorder to break)")
    mags = [(e["name"], e["coefficient"]) for e in calc.condensed.values()]
    if any(e["vector"] != 1 or e["quenched"] for e in calc.condensed.values()):
        raise DerivationError(f"rsb='full' of the {model.title}: condensed patterns are not implemented")
    field = sp.simplify(sp.sympify(calc.site_field) / beta)
    if field.has(beta) or any(field.has(sp.IndexedBase(n)) for n, _ in mags):
        raise DerivationError(f"rsb='full' of the {model.title}: the site field {field} is not a constant field")
    return ParisiFunctional(model, sp.expand(covariance), field, q, mags)
