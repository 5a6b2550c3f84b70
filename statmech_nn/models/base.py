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
    #: what a branch with one non-zero magnetisation is called in phase diagrams
    ordered_name = "ordered"
    #: order parameters below this magnitude count as zero when branches are classified
    zero_tolerance = 1e-6
    #: whether a spin sampler (``statmech_nn.montecarlo.systems.SAMPLERS``) simulates this model, so
    #: that the registry-wide test compares Monte Carlo with the theory at :attr:`ordered_point`.
    #: A model whose Monte Carlo is not a spin sampler (e.g. a learning problem) sets ``False`` and
    #: says why in :attr:`montecarlo_reason`.
    montecarlo = True
    montecarlo_reason = ""
    #: system size of that cross-check (models whose sampler stores p-body couplings need fewer units)
    montecarlo_size = 400

    def __init__(self, **options):
        # structural options first: they decide the declaration and so the parameters
        self.options = {}
        for key, (default, allowed, doc) in self.structural_options.items():
            value = options.pop(key, default)
            if value not in allowed:
                raise ParameterError(f"option {key!r} of model {self.name!r} must be one of "
                                     f"{list(allowed)} ({doc}); got {value!r}")
            self.options[key] = value
        self.parameter_specs = self.make_parameter_specs()
        valid = sorted(set(self.structural_options) | set(self.parameter_specs) | {"beta"})
        unknown = sorted(set(options) - set(valid))
        if unknown:
            raise ParameterError(f"model {self.name!r} has no option(s) {', '.join(map(repr, unknown))};"
                                 f" valid options: {', '.join(valid)}")
        # remaining options are parameter defaults, validated like solve-time values
        self.defaults = {k: float(v) for k, v in validate_parameters(self.parameter_specs, options).items()
                         if k in options or (k == "T" and "beta" in options)}
        self._free_energy = None

    # -- to be provided by subclasses -------------------------------------------------------
    def make_parameter_specs(self):
        raise NotImplementedError

    def hamiltonian(self):
        raise NotImplementedError

    def physics_checks(self, order_parameters, free_energy, parameters):
        """Identities a solution of this model must satisfy beyond stationarity, checked by the solver:
        a list of ``(name, mask, message)`` with ``mask`` (a boolean array over the points) true where
        the solution violates it. The solver reports them in :attr:`Solution.flags`; none by default."""
        return []

    def magnetisation_names(self, names):
        """The magnetisation-like order parameters among ``names`` (Mattis overlaps, magnetisations):
        by the role the engine gave them, by name (``m…``) for order parameters without a role."""
        roles = {}
        if self._free_energy is not None or hasattr(self, "declaration"):
            try:
                saddle = self.free_energy().saddle_point()
                zero = getattr(saddle, "_zero", None)
                key = (id(saddle), id(zero))
                cached = getattr(self, "_roles_by_name", None)
                if cached is not None and cached[0] == key:
                    roles = cached[1]
                else:   # once per derivation: a phase diagram asks thousands of times
                    roles = {str(k): v for k, v in (getattr(saddle, "roles", None) or {}).items()}
                    roles.update({str(k): v for k, v in (getattr(zero, "roles", None) or {}).items()})
                    self._roles_by_name = (key, roles)
            except Exception:   # a model whose derivation fails: names decide
                roles = {}
        return [n for n in names if roles.get(n) == "magnetisation" or (n not in roles and n.startswith("m"))]

    def default_guess(self, names):
        """Initial values of order parameters: the ordered (retrieval/ferromagnetic) branch."""
        out = {}
        mags = set(self.magnetisation_names(names))
        for name in names:
            if name in mags:
                out[name] = 1.0
            elif name.startswith("C"):
                out[name] = 0.1
            else:
                out[name] = 1.0
        return out

    def sign_symmetric(self, parameters):
        """Whether flipping the sign of every magnetisation maps solutions to solutions of equal
        free energy at these parameters (default: when every field ``h`` vanishes)."""
        return all(float(v) == 0.0 for k, v in parameters.items() if k == "h")

    def phase_seeds(self, names, signed=True):
        """Starting points that reach every kind of branch (for phase diagrams): the paramagnet
        (all order parameters 0), the spin glass (magnetisations 0) and one retrieval/ferromagnetic
        start (per sign if ``signed``), plus symmetric mixtures of the first ``k``
        magnetisations."""
        mags = self.magnetisation_names(names)
        base = self.default_guess(names)
        glass = {n: v for n, v in base.items() if n not in mags}
        seeds = [dict({n: 0.0 for n in names}, **{n: base[n] for n in names if n.startswith("C")}),
                 dict(glass, **{m: 0.0 for m in mags})]
        for k in range(1, len(mags) + 1):
            for sign in ((1.0, -1.0) if signed else (1.0,)):
                seeds.append(dict(glass, **{m: (sign if i < k else 0.0) for i, m in enumerate(mags)}))
        return seeds

    def classify(self, values, parameters, replicon=float("nan")):
        """Name of the branch a solution belongs to, from its order parameters.

        No non-zero magnetisation: ``"paramagnet"`` (``q = 0``) or ``"spin glass"``; one:
        :attr:`ordered_name` (with ``" (m<0)"`` for a negative overlap); ``k > 1``:
        ``"k-mixture"``. At ``T = 0`` (order parameter ``C``) ``q = 1``.

        Parameters
        ----------
        values : dict
            Order parameter name -> value at one point.
        parameters : dict
            Model parameters of the point.
        replicon : float
            The replicon eigenvalue there (``NaN`` if none); models whose phases differ only by
            replica-symmetry breaking use it.
        """
        eps = self.zero_tolerance
        names = set(self.magnetisation_names(list(values)))
        mags = [v for k, v in values.items() if k in names and v == v]
        nonzero = [v for v in mags if abs(v) > eps]
        if not nonzero:
            glass = ("q" in values and values["q"] > eps) or ("C" in values and values["C"] == values["C"])
            return "spin glass" if glass else "paramagnet"
        if len(nonzero) > 1:
            return f"{len(nonzero)}-mixture"
        return self.ordered_name + (" (m<0)" if nonzero[0] < 0 else "")

    # -- derived objects ---------------------------------------------------------------------
    def free_energy(self, rsb=0, x=None):
        """The free energy derived by the replica engine (cached): replica-symmetric (``rsb=0``), one-step
        RSB (``rsb=1``: order parameters ``q0``, ``q1``, their conjugates and ``x``; ``x=`` holds the Parisi
        parameter at a value, e.g. ``x=1`` for the threshold states), or full RSB
        (``rsb="full"``: the model's Parisi functional, :class:`~statmech_nn.symbolic.parisi_functional.
        ParisiFunctional`, whose ``solve(T=..., ...)`` returns ``q(x)`` and the free energy)."""
        if x is not None and rsb != 1:
            raise ParameterError("a fixed Parisi parameter x is a one-step RSB option: use rsb=1")
        if rsb == 0:
            if self._free_energy is None:
                from ..symbolic.assembly import derive
                self._free_energy = derive(self, self.hamiltonian())
            return self._free_energy
        if rsb == 1:
            cache = self.__dict__.setdefault("_rsb_free_energies", {})
            if (1, x) not in cache:
                from ..symbolic.rsb import derive_rsb1
                cache[(1, x)] = derive_rsb1(self, self.hamiltonian(), x)
            return cache[(1, x)]
        if rsb == "full":
            cache = self.__dict__.setdefault("_rsb_free_energies", {})
            if "full" not in cache:
                from ..symbolic.parisi_functional import parisi_functional
                cache["full"] = parisi_functional(self)
            return cache["full"]
        raise ParameterError(f"rsb must be 0 (replica symmetric), 1 (one-step RSB) or 'full'; got {rsb!r}")

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
