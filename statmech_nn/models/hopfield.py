"""Hopfield network with Hebbian couplings and ``P = αN`` stored patterns.

``H = −(1/2N) Σ_μ Σ_{i≠j} η_i^μ η_j^μ σ_i σ_j − h Σ_i σ_i`` with ``K`` condensed patterns (option
``patterns``, 1 to 5) and pattern entries chosen by the option ``pattern``:

- ``"binary"`` (default): ``ξ = ±1`` with probability 1/2 each, ``η = ξ`` (AGS 1987);
- ``"diluted"``: ``ξ ∈ {−1, 0, +1}`` with ``P(0) = d`` and ``P(±1) = (1 − d)/2`` (parameter ``d``,
  ``0 ≤ d < 1``), ``η = ξ``; the couplings are *not* renormalised by ``1 − d``, so the noise of the
  non-condensed patterns has variance ``1 − d`` and the paramagnet–spin-glass line is
  ``T_g = (1 − d)(1 + √α)``;
- ``"biased"``: ``ξ = ±1`` with ``P(ξ = ±1) = (1 ± a)/2`` (parameter ``a``, ``|a| < 1``) and the
  learning rule of Amit, Gutfreund and Sompolinsky for biased patterns, ``η = ξ − a``
  (PRA 35, 2293 (1987), eq. (2.1)); the overlaps are ``m_μ = (1/N) Σ_i (ξ_i^μ − a) σ_i``. No
  constraint on the magnetisation is imposed (the field ``h`` is the only control of it).

The replica engine derives the mean (it must vanish) and the variance of ``η`` from the declared law.

References
----------
Amit, Gutfreund, Sompolinsky, Ann. Phys. 173, 30 (1987) [AGS]: free energy eq. (2.15), ``α_c ≈ 0.138``
at ``T = 0``, ``T_g = 1 + √α``; PRL 55, 1530 (1985) and PRA 32, 1007 (1985): symmetric mixture states at
``α = 0``; PRA 35, 2293 (1987): biased patterns.
"""

from .. import blocks as B
from ..errors import ParameterError
from ..parameters import Parameter
from .declared import DeclaredModel

PATTERN_KINDS = ("binary", "diluted", "biased")


class Hopfield(DeclaredModel):
    name = "hopfield"
    title = "Hopfield model"
    references = ("Amit, Gutfreund & Sompolinsky, Ann. Phys. 173, 30 (1987)",
                  "Amit, Gutfreund & Sompolinsky, Phys. Rev. Lett. 55, 1530 (1985)",
                  "Amit, Gutfreund & Sompolinsky, Phys. Rev. A 35, 2293 (1987)")
    structural_options = {
        "patterns": (1, (1, 2, 3, 4, 5), "number of condensed patterns K"),
        "pattern": ("binary", PATTERN_KINDS, "law of the pattern entries: binary ±1, diluted "
                    "{0, ±1} with P(0) = d, biased ±1 with mean a"),
    }

    ordered_name = "retrieval"
    #: a point inside the ordered phase, used by the registry-wide tests and examples
    ordered_point = {"alpha": 0.05, "h": 0.0, "T": 0.1}

    def __init__(self, **options):
        kind = options.get("pattern", "binary")
        if kind not in PATTERN_KINDS:
            raise ParameterError(f"option 'pattern' of model 'hopfield' must be one of "
                                 f"{list(PATTERN_KINDS)}; got {kind!r}")
        self._pattern_kind = kind
        super().__init__(**options)
        if kind != "binary":
            # the ordered point of these variants carries their own parameter (the model's default);
            # dilution lowers the capacity (alpha_c ≈ 0.054 at d = 0.2, T = 0), so a lower load there
            extra = "d" if kind == "diluted" else "a"
            value = self.defaults.get(extra, self.parameter_specs[extra].default)
            self.ordered_point = dict(type(self).ordered_point, **{extra: value})
            if kind == "diluted":
                self.ordered_point["alpha"] = 0.02

    def parameter_overrides(self):
        return {"alpha": Parameter("alpha", 0.05, "load P/N", lower=0.0),
                "h": Parameter("h", 0.0, "uniform external field"),
                "d": Parameter("d", 0.2, "pattern dilution P(xi = 0)", lower=0.0, upper=1.0, open_upper=True),
                "a": Parameter("a", 0.2, "pattern bias: P(xi = ±1) = (1 ± a)/2", lower=-1.0, upper=1.0,
                               open_lower=True, open_upper=True)}

    def make_parameter_specs(self):
        specs = super().make_parameter_specs()
        return {k: specs[k] for k in ("alpha", "h", "T", "d", "a") if k in specs}

    def pattern_block(self):
        """The law of the pattern entries (option ``pattern``)."""
        return {"binary": B.Binary(), "diluted": B.Diluted("d"), "biased": B.Biased("a")}[self._pattern_kind]

    def declaration(self):
        return B.Ising(), [B.Hebbian("alpha", patterns=self.pattern_block(), condensed=self.options["patterns"]),
                           B.Field("h")]

    @property
    def description(self):
        return {
            "binary": r"Ising neurons, Hebbian couplings of $P = \alpha N$ random $\pm1$ patterns, "
                      r"field $h$.",
            "diluted": r"Ising neurons, Hebbian couplings of $P = \alpha N$ diluted patterns "
                       r"$\xi\in\{0,\pm1\}$, $P(\xi = 0) = d$, field $h$.",
            "biased": r"Ising neurons, Hebbian couplings $(\xi_i - a)(\xi_j - a)$ of $P = \alpha N$ "
                      r"biased patterns, $P(\xi = \pm1) = (1 \pm a)/2$, field $h$.",
        }[self._pattern_kind]

    def sign_symmetric(self, parameters):
        """Binary and diluted patterns: always (their law is symmetric, so ``m → −m`` with
        ``ξ → −ξ`` leaves the pattern average unchanged, with or without the field ``h``). Biased
        patterns: only when ``a = 0`` and ``h = 0``."""
        if self._pattern_kind != "biased":
            return True
        return all(float(parameters.get(k, 0.0)) == 0.0 for k in ("a", "h"))
