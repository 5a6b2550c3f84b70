"""Models given by a declaration: units and interaction terms from :mod:`statmech_nn.blocks`.

:func:`declare` builds one in a few lines; every spin model of the registry is a
:class:`DeclaredModel` too (its :meth:`~DeclaredModel.declaration` plus docs, defaults and references),
so the registry exercises the same path.

Examples
--------
>>> import statmech_nn as snn
>>> from statmech_nn import blocks as B
>>> sk = snn.declare("my-sk", units=B.Ising(), terms=[B.GaussianCouplings(), B.Field("h")])
>>> sk.free_energy().saddle_point().equations        # doctest: +SKIP
"""
from __future__ import annotations

from ..errors import ParameterError
from ..parameters import Parameter
from .base import Model, temperature_parameter

__all__ = ["DeclaredModel", "declare"]


class DeclaredModel(Model):
    """A model whose Hamiltonian is a declaration: units plus terms (blocks).

    Subclasses (the registry's spin models) implement :meth:`declaration`; :func:`declare` makes an
    instance from blocks. The parameter specs come from the blocks' roles (:data:`~statmech_nn.blocks.ROLES`)
    unless :meth:`parameter_overrides` gives a parameter its own default, range or doc.
    """

    description = ""

    def declaration(self):
        """``(units, terms)``: a law block for the units and a list of term blocks."""
        raise NotImplementedError

    def parameter_overrides(self):
        """``{name: Parameter}`` replacing the block-derived spec of a parameter (docs, defaults)."""
        return {}

    def make_parameter_specs(self):
        from .. import blocks as B
        units, terms = self.declaration()
        roles = {}
        for block in [units, *terms]:
            for name, role in block.parameters().items():
                if name in roles and roles[name] != role:
                    raise ParameterError(f"model {self.name!r}: parameter {name!r} is used as a {roles[name]} "
                                         f"and as a {role}")
                roles[name] = role
        overrides = self.parameter_overrides()
        specs = {}
        for name, role in roles.items():
            if name in overrides:
                specs[name] = overrides[name]
                continue
            if role not in B.ROLES:
                raise ParameterError(f"model {self.name!r}: parameter {name!r} ({role}) needs a default and "
                                     "range: give it in parameter_overrides")
            default, (lo, hi, open_lo, open_hi), doc = B.ROLES[role]
            specs[name] = Parameter(name, default, doc, lower=lo, upper=hi, open_lower=open_lo,
                                    open_upper=open_hi)
        specs["T"] = overrides.get("T", temperature_parameter())
        return specs

    def hamiltonian(self):
        from ..symbolic.interactions import Hamiltonian
        units, terms = self.declaration()
        symbols = {name: spec.symbol for name, spec in self.parameter_specs.items()}
        prior = units.prior(symbols)
        many = len(terms) > 1
        interactions = [t.build(symbols, f"{t.label} (term {i + 1})" if many else t.label)
                        for i, t in enumerate(terms)]
        return Hamiltonian(prior, interactions, self.description or self._describe(units, terms))

    def sampler_spec(self):
        """The plain description of the declaration that :mod:`statmech_nn.montecarlo` builds a sampler
        from (``{"units": ..., "terms": [...]}``; parameter names stay names), or ``None`` with the reason
        in :attr:`montecarlo_reason` where a block has no sampler."""
        units, terms = self.declaration()
        spec = {"units": units.sampler(), "terms": [t.sampler() for t in terms]}
        missing = [repr(b) for b, d in zip([units, *terms], [spec["units"], *spec["terms"]]) if d is None]
        if missing:
            self.montecarlo_reason = f"no Monte Carlo sampler for {', '.join(missing)}"
            return None
        return spec

    @staticmethod
    def _describe(units, terms):
        return f"{type(units).__name__} units; " + "; ".join(t.describe() for t in terms) + "."


class _Declaration(DeclaredModel):
    """A model made by :func:`declare`."""

    def __init__(self, name, title, units, terms, description, references, defaults, ordered_point):
        self.name, self.title = name, title
        self._units, self._terms = units, list(terms)
        self.description, self.references = description, tuple(references)
        super().__init__(**(defaults or {}))
        self.hamiltonian()    # every block builds its engine object now: a bad block is refused here
        if ordered_point is not None:
            unknown = sorted(set(ordered_point) - set(self.parameter_specs))
            if unknown:
                raise ParameterError(f"ordered_point of {name!r} names unknown parameter(s) {unknown}")
            self.ordered_point = dict(ordered_point)
        else:
            self.ordered_point = {k: p.default for k, p in self.parameter_specs.items()}

    def declaration(self):
        return self._units, self._terms

    def classify(self, values, parameters, replicon=float("nan")):
        """``"paramagnet"``, ``"spin glass"``, or the non-zero magnetisations by name (``"m ≠ 0"``,
        ``"M ≠ 0"``, ``"m, M ≠ 0"``; ``" (m<0)"``-style signs where one is negative): a declared model
        has no paper names for its phases, so its order parameters name them."""
        eps = self.zero_tolerance
        mags = [k for k in self.magnetisation_names(list(values)) if values[k] == values[k]]
        nonzero = [k for k in mags if abs(values[k]) > eps]
        if not nonzero:
            return super().classify(values, parameters, replicon)
        label = ", ".join(nonzero) + " ≠ 0"
        negative = [k for k in nonzero if values[k] < 0]
        return label + (f" ({', '.join(negative)}<0)" if negative else "")


def declare(name, units, terms, *, title=None, description="", references=(), defaults=None,
            ordered_point=None):
    """A spin model from blocks: its RS free energy, saddle point, solver, phase diagram, Monte Carlo
    and LaTeX come from the same engine as the registry's.

    Parameters
    ----------
    name : str
        A name for the model (shown in results and LaTeX).
    units : statmech_nn.blocks.Law
        The prior of the units: ``Ising()``, ``Binary01()``, ``Gaussian(variance)``, ``Spherical()``,
        ``Discrete(values, probs)``, ``Diluted(d)``, ``SoftSpin(V)``.
    terms : sequence of statmech_nn.blocks.Term
        ``Ferromagnetic(J0)``, ``GaussianCouplings(J, p)``, ``Hebbian(load, patterns, condensed, p)``,
        ``Field(h)``, ``Bipartite(load, hidden, weights)``, in any number. A string names a model
        parameter, a number is a constant.
    title, description : str, optional
        Shown in the derivation.
    references : sequence of str, optional
    defaults : dict, optional
        Default values of parameters (validated).
    ordered_point : dict, optional
        A point inside the ordered phase (examples, cross-checks); default: the parameters' defaults.

    Returns
    -------
    DeclaredModel

    Raises
    ------
    ParameterError
        A block that is not a law or a term, a parameter used in two roles, a reserved name.

    Examples
    --------
    >>> import statmech_nn as snn
    >>> from statmech_nn import blocks as B
    >>> m = snn.declare("hopfield-sk", units=B.Ising(),
    ...                 terms=[B.Hebbian("alpha"), B.GaussianCouplings("J"), B.Field("h")])
    >>> sorted(m.parameter_specs)
    ['J', 'T', 'alpha', 'h']
    """
    from .. import blocks as B
    if not isinstance(name, str) or not name.strip():
        raise ParameterError(f"declare: name must be a non-empty string, got {name!r}")
    if not isinstance(units, B.Law):
        raise ParameterError(f"declare: units must be a law block (B.Ising(), B.Gaussian(), ...), got {units!r}")
    try:
        terms = list(terms)
    except TypeError:
        raise ParameterError(f"declare: terms must be a list of term blocks, got {terms!r}") from None
    if not terms:
        raise ParameterError("declare: a model needs at least one term")
    for t in terms:
        if not isinstance(t, B.Term):
            raise ParameterError(f"declare: {t!r} is not a term block (B.Ferromagnetic, B.GaussianCouplings, "
                                 "B.Hebbian, B.Field, B.Bipartite)")
    return _Declaration(name, title or name, units, terms, description, references, defaults, ordered_point)
