"""Hopfield network with Hebbian couplings and ``P = αN`` stored patterns.

``H = −(1/2N) Σ_μ Σ_{i≠j} ξ_i^μ ξ_j^μ σ_i σ_j − h Σ_i σ_i`` with ``K`` condensed patterns (option
``patterns``, 1 to 3).

References
----------
Amit, Gutfreund, Sompolinsky, Ann. Phys. 173, 30 (1987) [AGS]: free energy eq. (2.15), ``α_c ≈ 0.138``
at ``T = 0``, ``T_g = 1 + √α``.
"""
from ..parameters import Parameter
from ..symbolic.interactions import ExternalField, Hamiltonian, HebbianCouplings
from ..symbolic.priors import IsingPrior
from .base import Model, temperature_parameter


class Hopfield(Model):
    name = "hopfield"
    title = "Hopfield model"
    references = ("Amit, Gutfreund & Sompolinsky, Ann. Phys. 173, 30 (1987)",)
    structural_options = {"patterns": (1, (1, 2, 3), "number of condensed patterns K")}

    ordered_name = "retrieval"
    #: a point inside the ordered phase, used by the registry-wide tests and examples
    ordered_point = {"alpha": 0.05, "h": 0.0, "T": 0.1}

    def make_parameter_specs(self):
        return {
            "alpha": Parameter("alpha", 0.05, "load P/N", lower=0.0),
            "h": Parameter("h", 0.0, "uniform external field"),
            "T": temperature_parameter(),
        }

    def hamiltonian(self):
        return Hamiltonian(IsingPrior(), [HebbianCouplings(self.symbol("alpha"),
                                                           self.options["patterns"]),
                                          ExternalField(self.symbol("h"))],
                           r"Ising neurons, Hebbian couplings of $P = \alpha N$ random $\pm1$ patterns, field $h$.")

    def sign_symmetric(self, parameters):
        """Always: the patterns are symmetric ``±1``, so ``m → −m`` with ``ξ → −ξ`` leaves the
        pattern average unchanged, with or without the field ``h``."""
        return True
