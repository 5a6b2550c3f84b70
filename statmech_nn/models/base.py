"""Base class of a model: a Hamiltonian structure, control parameters, options."""
from __future__ import annotations


from ..errors import ParameterError
from ..parameters import Parameter, validate_parameters

__all__ = ["Model", "temperature_parameter"]


def temperature_parameter():
    return Parameter("T", 0.5, "temperature; T = 0 uses the zero-temperature limit", lower=0.0)


class Model:
    """A model: priors + interaction terms + control parameters.

    Subclasses set ``name``, ``title``, ``references``, ``parameter_specs`` (a dict of
    :class:`~statmech_nn.parameters.Parameter`), ``structural_options`` (name -> (default, allowed
    values, doc)) and implement :meth:`hamiltonian`. The free energy is *derived* by the replica
    engine from that structure.
    """

    name = "model"
    title = "model"
    references = ()
    structural_options = {}
    #: parameters of a point inside the ordered phase (for examples and registry-wide tests)
    ordered_point = {}

    def __init__(self, **options):
        self.parameter_specs = self.make_parameter_specs()
        valid = sorted(set(self.structural_options) | set(self.parameter_specs) | {"beta"})
        unknown = sorted(set(options) - set(valid))
        if unknown:
            raise ParameterError(f"model {self.name!r} has no option(s) {', '.join(map(repr, unknown))};"
                                 f" valid options: {', '.join(valid)}")
        self.options = {}
        for key, (default, allowed, doc) in self.structural_options.items():
            value = options.pop(key, default)
            if value not in allowed:
                raise ParameterError(f"option {key!r} of model {self.name!r} must be one of "
                                     f"{list(allowed)} ({doc}); got {value!r}")
            self.options[key] = value
        # remaining options are parameter defaults, validated like solve-time values
        self.defaults = {k: float(v) for k, v in validate_parameters(self.parameter_specs, options).items()
                         if k in options or (k == "T" and "beta" in options)}
        self._free_energy = None

    # -- to be provided by subclasses -------------------------------------------------------
    def make_parameter_specs(self):
        raise NotImplementedError

    def hamiltonian(self):
        raise NotImplementedError

    def default_guess(self, names):
        """Initial values of order parameters: the ordered (retrieval/ferromagnetic) branch."""
        out = {}
        for name in names:
            if name.startswith("m"):
                out[name] = 1.0
            elif name.startswith("C"):
                out[name] = 0.1
            else:
                out[name] = 1.0
        return out

    # -- derived objects ---------------------------------------------------------------------
    def free_energy(self):
        """The RS free energy derived by the replica engine (cached)."""
        if self._free_energy is None:
            from ..symbolic.engine import derive
            self._free_energy = derive(self, self.hamiltonian())
        return self._free_energy

    def saddle_point(self):
        return self.free_energy().saddle_point()

    def symbol(self, name):
        return self.parameter_specs[name].symbol

    def parameters(self, **values):
        """Validated parameters (defaults filled in) as a dict of floats/arrays."""
        merged = dict(self.defaults)
        if "beta" in values:
            merged.pop("T", None)
        merged.update(values)
        return validate_parameters(self.parameter_specs, merged)

    def describe(self):
        lines = [f"{self.name}: {self.title}"]
        for p in self.parameter_specs.values():
            lines.append(f"  {p.name:6s} default {p.default:<6g} range {p.describe_range():14s} {p.doc}")
        for k, (default, allowed, doc) in self.structural_options.items():
            lines.append(f"  {k:6s} option, default {default}, one of {list(allowed)}: {doc}")
        return "\n".join(lines)

    def __repr__(self):
        opts = ", ".join(f"{k}={v!r}" for k, v in {**self.options, **self.defaults}.items())
        return f"snn.model({self.name!r}{', ' if opts else ''}{opts})"
