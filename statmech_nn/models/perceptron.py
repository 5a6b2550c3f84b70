"""Perceptron storage problem: the Gardner volume of weights that store ``P = αN`` random patterns
with random labels at margin ``κ``, spherical or binary (Ising) weights.

Gibbs learning with the number of errors as energy at temperature ``T``; ``T = 0`` is the volume of
the weights with no error (the version space), extremised over the overlap ``q`` of two solutions.
The capacity ``α_c(κ)`` is the load where ``q → 1`` (:meth:`Perceptron.capacity`).

References
----------
E. Gardner, J. Phys. A 21, 257 (1988) [G88]: spherical weights, ``α_c(κ) = 1/∫_{−κ}^∞ Dt (t+κ)²``
(eq. (30)); E. Gardner and B. Derrida, J. Phys. A 21, 271 (1988) [GD88]: binary weights, RS
``q → 1`` at ``α = 4/π``; W. Krauth and M. Mézard, J. Phys. France 50, 3057 (1989) [KM89]: the
capacity of binary weights ``α_c ≈ 0.833`` where the RS entropy vanishes.
"""
from ..parameters import Parameter
from .base import temperature_parameter
from .learning_base import LearningModel


class Perceptron(LearningModel):
    name = "perceptron"
    title = "perceptron (Gardner volume)"
    references = ("Gardner, J. Phys. A 21, 257 (1988)",
                  "Gardner & Derrida, J. Phys. A 21, 271 (1988)",
                  "Krauth & Mézard, J. Phys. France 50, 3057 (1989)")
    structural_options = {"weights": ("spherical", ("spherical", "ising"),
                                      "weight prior: spherical w·w = N or binary w = ±1")}
    ordered_point = {"alpha": 0.5, "kappa": 0.0, "T": 0.2}
    ordered_name = "version space"
    #: T → 0 keeps q < 1 (the version space); the solver's free energy there is lim βf = −s
    zero_temperature_limit = "version space"

    def make_parameter_specs(self):
        return {
            "alpha": Parameter("alpha", 0.5, "load P/N", lower=0.0, open_lower=True),
            "kappa": Parameter("kappa", 0.0, "margin (stability) κ"),
            "T": temperature_parameter(),
        }

    def free_energy(self):
        """The RS free energy derived from the weight prior and the threshold channel (cached)."""
        if self._free_energy is None:
            from ..symbolic.learning import (IsingWeights, SphericalWeights, ThresholdChannel,
                                             gardner_free_energy)
            weights = SphericalWeights() if self.options["weights"] == "spherical" else IsingWeights()
            channel = ThresholdChannel(self.symbol("kappa"), teacher=False)
            self._free_energy = gardner_free_energy(self, weights, channel, self.symbol("alpha"))
        return self._free_energy

    def default_guess(self, names):
        guess = {"q": 0.3, "q_hat": 0.5, "k_hat": 1.0}
        return {k: guess.get(k, 0.5) for k in names}

    def phase_seeds(self, names, signed=True):
        return [self.default_guess(names), {k: v * 0.2 for k, v in self.default_guess(names).items()}]

    def classify(self, values, parameters, replicon=float("nan")):
        return "version space" if parameters.get("T", 1.0) == 0 else "Gibbs learning"

    def capacity(self):
        """``α_c(κ)`` as a SymPy expression: the ``q → 1`` limit of the version-space entropy
        (spherical weights; G88 eq. (30))."""
        if self.options["weights"] != "spherical":
            raise NotImplementedError("the q → 1 capacity is derived for spherical weights; for binary "
                                      "weights the capacity is where the RS entropy vanishes "
                                      "(Perceptron.entropy_zero)")
        if getattr(self, "_capacity", None) is not None:
            return self._capacity
        from ..symbolic.learning import q, q_to_one_limit
        fe = self.free_energy()
        zero = fe.saddle_point().zero_temperature()
        G_S = fe.entropy_of_overlaps()
        entropy = G_S + self.symbol("alpha") * fe._structure["version_space_energetic"]
        self._capacity = q_to_one_limit(entropy, q, self.symbol("alpha"), zero.derivation)
        return self._capacity

    def capacity_curve(self, kappas):
        """``α_c(κ)`` evaluated from :meth:`capacity` at the margins ``kappas`` (NumPy array)."""
        import numpy as np
        import sympy as sp

        f = sp.lambdify(self.symbol("kappa"), self.capacity(), modules=["scipy", "numpy"])
        return np.asarray(f(np.asarray(kappas, float)), float)
