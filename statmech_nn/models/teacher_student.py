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

from ..errors import ConvergenceError, ParameterError
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

    # -- learning curves -----------------------------------------------------------------------
    def _solver(self):
        if getattr(self, "_compiled", None) is None:
            self._compiled = self.free_energy().saddle_point().compile()
        return self._compiled

    def learning_curve(self, alphas, T=0.0, guess=None):
        """The generalisation error along increasing loads, each point started from the previous one
        (continuation along the poor-generalisation branch).

        Parameters
        ----------
        alphas : sequence of float
            Increasing loads.
        T : float
            Temperature (``0``: version space).
        guess : dict, optional
            Start of the first point.

        Returns
        -------
        dict of numpy.ndarray
            ``alpha``, ``R``, ``q``, ``epsilon`` (``arccos R/π``), ``free_energy`` (``−s`` at
            ``T = 0``), ``converged``; points past the end of the branch are ``NaN``.

        Examples
        --------
        >>> ts = snn.model("teacher-student-perceptron")            # doctest: +SKIP
        >>> ts.learning_curve([0.5, 1, 2], T=0)["epsilon"]          # doctest: +SKIP
        array([0.40956..., 0.33836..., 0.24035...])
        """
        import numpy as np

        solver = self._solver()
        alphas = np.asarray(alphas, float)
        if alphas.ndim != 1 or np.any(np.diff(alphas) <= 0):
            raise ParameterError("alphas must be a 1-d increasing sequence of loads")
        out = {k: np.full(alphas.size, np.nan) for k in ("R", "q", "free_energy")}
        out["converged"] = np.zeros(alphas.size, bool)
        current = dict(guess or {})
        for i, a in enumerate(alphas):
            sol = solver.solve(alpha=a, T=T, guess=current or None, errors="mask")
            if not sol.converged:
                break
            current = dict(sol.order_parameters)
            out["R"][i], out["q"][i], out["free_energy"][i] = sol["R"], sol["q"], sol.free_energy
            out["converged"][i] = True
        out["alpha"] = alphas
        out["epsilon"] = generalisation_error(out["R"])
        return out

    def branch_end(self, start, step=0.02, T=0.0, tol=1e-4):
        """Where the poor-generalisation branch followed from ``alpha = start`` ends (the spinodal
        of the first-order transition for binary weights, SST92 sec. V): continuation until the
        solver loses the branch, then bisection on the step."""
        solver = self._solver()
        sol = solver.solve(alpha=start, T=T)
        a, current = start, dict(sol.order_parameters)
        while step > tol:
            trial = solver.solve(alpha=a + step, T=T, guess=current, errors="mask")
            # a jump to R ≈ 1 is the other branch, not a continuation of this one
            if trial.converged and trial["R"] < 1 - 1e-6 and abs(trial["R"] - current["R"]) < 0.1:
                a, current = a + step, dict(trial.order_parameters)
            else:
                step /= 2
            if a > 1e3:
                raise ConvergenceError("the branch does not end below alpha = 1000")
        return a

    def entropy_zero(self, low, high, T=0.0):
        """The load where the version-space entropy of the poor-generalisation branch vanishes: for
        binary weights the first-order transition to perfect generalisation (the state ``R = 1`` has
        entropy 0; G90, SST92)."""
        from scipy.optimize import brentq

        solver = self._solver()

        def entropy(a):
            return -solver.solve(alpha=a, T=0.0).free_energy

        return brentq(entropy, low, high, xtol=1e-10)
