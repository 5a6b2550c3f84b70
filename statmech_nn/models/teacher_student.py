"""Teacher–student perceptron: a student learns ``P = αN`` examples labelled by a teacher perceptron,
by Gibbs learning at temperature ``T`` (energy: the number of training errors); spherical or binary
(Ising) student and teacher.

Order parameters: ``q`` (overlap of two students), ``R`` (student–teacher overlap) and their
conjugates ``q̂``, ``R̂`` (and the norm multiplier ``k̂`` of spherical weights). The generalisation
error is ``ε = arccos(R)/π`` (:func:`generalisation_error`). ``T = 0`` is learning in the version space
(zero training error), where ``q = R`` for matched teacher and student priors.

References
----------
G. Györgyi, Phys. Rev. Lett. 64, 2957 (1990) [G90]: binary student, first-order transition to perfect
generalisation at ``α ≈ 1.245``; H. S. Seung, H. Sompolinsky and N. Tishby, Phys. Rev. A 45, 6056
(1992) [SST92]: Gibbs learning, spherical ``ε ≈ 0.62/α`` at ``T = 0``, binary spinodal ``α ≈ 1.63``;
A. Engel and C. Van den Broeck, *Statistical Mechanics of Learning* (CUP 2001) [EVdB], ch. 2 and 7.
"""
import math

from ..parameters import Parameter
from .base import Model, temperature_parameter

__all__ = ["TeacherStudentPerceptron", "generalisation_error"]


def generalisation_error(R):
    """``ε = arccos(R)/π``: the probability that student and teacher disagree on a random input,
    for a normalised student with teacher overlap ``R`` (EVdB eq. (2.3))."""
    import numpy as np
    return np.arccos(np.clip(R, -1.0, 1.0)) / math.pi


class TeacherStudentPerceptron(Model):
    name = "teacher-student-perceptron"
    title = "teacher–student perceptron"
    references = ("Györgyi, Phys. Rev. Lett. 64, 2957 (1990)",
                  "Seung, Sompolinsky & Tishby, Phys. Rev. A 45, 6056 (1992)",
                  "Engel & Van den Broeck, Statistical Mechanics of Learning (2001)")
    structural_options = {"weights": ("spherical", ("spherical", "ising"),
                                      "prior of student and teacher: spherical or binary ±1")}
    ordered_point = {"alpha": 1.0, "T": 0.2}
    ordered_name = "poor generalisation"
    zero_temperature_limit = "version space"
    montecarlo = False
    montecarlo_reason = "checked by finite-instance solvers"

    def make_parameter_specs(self):
        return {
            "alpha": Parameter("alpha", 1.0, "examples per weight P/N", lower=0.0, open_lower=True),
            "T": temperature_parameter(),
        }

    def free_energy(self):
        """The RS free energy derived from the weight prior and the teacher channel (cached)."""
        if self._free_energy is None:
            from ..symbolic.learning import (IsingWeights, SphericalWeights, ThresholdChannel,
                                             gardner_free_energy)
            weights = SphericalWeights() if self.options["weights"] == "spherical" else IsingWeights()
            channel = ThresholdChannel(teacher=True)
            self._free_energy = gardner_free_energy(self, weights, channel, self.symbol("alpha"))
        return self._free_energy

    def hamiltonian(self):
        raise NotImplementedError("the teacher–student perceptron is derived from a weight prior and "
                                  "a channel: use free_energy()")

    def default_guess(self, names):
        guess = {"q": 0.5, "q_hat": 1.0, "R": 0.5, "R_hat": 1.0, "k_hat": 0.5}
        return {k: guess.get(k, 0.5) for k in names}

    def phase_seeds(self, names, signed=True):
        """Poor generalisation (``R`` well below 1) and, for binary weights, near-perfect
        generalisation (``R → 1``)."""
        seeds = [self.default_guess(names)]
        if self.options["weights"] == "ising":
            seeds.append({"q": 0.999, "q_hat": 8.0, "R": 0.999, "R_hat": 8.0})
        return [{k: v for k, v in s.items() if k in names} for s in seeds]

    def classify(self, values, parameters, replicon=float("nan")):
        R = values.get("R", float("nan"))
        return "perfect generalisation" if R > 1 - 1e-3 else "poor generalisation"
