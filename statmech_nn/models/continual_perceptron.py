"""Continual learning of a binary perceptron as a Franz–Parisi potential.

Task 1: a binary student learns ``α₁N`` examples of a binary teacher ``w*¹`` by Gibbs learning at
temperature ``T`` (the ``teacher-student-perceptron`` with ``weights="ising"``); one configuration
``w̃`` of its Gibbs measure is the *reference*. Task 2: a new binary student ``w`` learns ``α₂N``
examples of a teacher ``w*²`` (overlap ``ρ = w*¹·w*²/N`` with the first) at the same temperature,
with the coupling ``γ w·w̃`` to the reference — the previous task's knowledge acting as a prior
and as a reference (LHZH23, sec. III). Its free energy averaged over the reference is a Franz–Parisi
potential, derived by :func:`statmech_nn.symbolic.learning.franz_parisi_free_energy`.

Order parameters of the new student: ``q`` (two students coupled to the same reference), ``R_1``
and ``R_2`` (overlaps with teacher 1 and teacher 2), ``P`` (overlap with the reference) and their
conjugates. The reference enters through its own RS saddle point, via its teacher-1 overlap
``R_ref`` (a parameter; :meth:`ContinualPerceptron.reference` solves task 1 for it). Generalisation
errors: ``ε₁ = arccos(R_1)/π`` (old task, forgetting) and ``ε₂ = arccos(R_2)/π`` (new task).

Exact limits: ``γ = 0`` is the binary teacher–student perceptron of task 2 alone (with
``R_1 = ρ R_2``); ``α₂ → 0`` leaves the student coupled to the reference (``P = tanh γ``,
``R_1 = R_ref tanh γ``). Identical teachers (``ρ = 1``) do *not* give one task of ``α₁ + α₂``
examples: the student is coupled to one configuration of the task-1 Gibbs measure, not to the
task-1 posterior as a prior.

This Gibbs model is *not* the paper's own: LHZH23 train a variational (mean-field) student with a KL
coupling to the task-1 solution, derived in :mod:`statmech_nn.models.variational_continual`.

References
----------
C. Li, Z. Huang, W. Zou, H. Huang, Phys. Rev. E 108, 014309 (2023), arXiv:2212.02846 [LHZH23];
S. Franz and G. Parisi, J. Phys. I France 5, 1401 (1995) (the potential);
H. Huang and Y. Kabashima, Phys. Rev. E 90, 052813 (2014) (Franz–Parisi potential of the binary
perceptron); G. Györgyi, Phys. Rev. Lett. 64, 2957 (1990) (task 1 alone).
"""
import math

from ..errors import ParameterError
from ..parameters import Parameter
from .base import temperature_parameter
from .learning_base import LearningModel
from .teacher_student import generalisation_error

__all__ = ["ContinualPerceptron"]


class ContinualPerceptron(LearningModel):
    name = "continual-perceptron"
    title = "continual-learning binary perceptron"
    references = ("Li, Huang, Zou & Huang, Phys. Rev. E 108, 014309 (2023), arXiv:2212.02846",
                  "Franz & Parisi, J. Phys. I France 5, 1401 (1995)",
                  "Györgyi, Phys. Rev. Lett. 64, 2957 (1990)")
    structural_options = {}
    ordered_point = {"alpha_2": 1.0, "T": 0.2, "gamma": 0.5, "rho": 0.5, "R_ref": 0.6}
    ordered_name = "continual learning"
    load_parameter = "alpha_2"

    def make_parameter_specs(self):
        return {
            "alpha_2": Parameter("alpha_2", 1.0, "examples of task 2 per weight", lower=0.0,
                                 open_lower=True),
            "T": temperature_parameter(),
            "gamma": Parameter("gamma", 0.5, "coupling of the new weights to the reference"),
            "rho": Parameter("rho", 0.5, "overlap w*1.w*2/N of the two teachers", lower=-1.0, upper=1.0),
            "R_ref": Parameter("R_ref", 0.6, "teacher-1 overlap of the reference (the task-1 solution; "
                               "ContinualPerceptron.reference(alpha_1, T) gives it)", lower=-1.0, upper=1.0),
        }

    def free_energy(self):
        """The Franz–Parisi potential derived from the reference, the coupled binary weights and the
        task-2 teacher channel (cached)."""
        if self._free_energy is None:
            import sympy as sp

            from ..symbolic.learning import R as R_task, franz_parisi_free_energy

            reference = self._reference_model()
            equation = reference.free_energy().saddle_point().equations[R_task]
            names = ("R_1", "R_hat_1", "R_2", "R_hat_2", "P", "P_hat")
            symbols = tuple(sp.Symbol(s, real=True) for s in names)
            self._free_energy = franz_parisi_free_energy(
                self, self.symbol("gamma"), self.symbol("rho"), equation, self.symbol("R_ref"),
                self.symbol("alpha_2"), symbols)
        return self._free_energy

    def _reference_model(self):
        if getattr(self, "_reference", None) is None:
            from . import model
            self._reference = model("teacher-student-perceptron", weights="ising")
        return self._reference

    def default_guess(self, names):
        guess = {"q": 0.3, "q_hat": 0.5, "R_1": 0.3, "R_hat_1": 0.0, "R_2": 0.3, "R_hat_2": 0.5,
                 "P": 0.4, "P_hat": 0.5}
        return {k: guess.get(k, 0.5) for k in names}

    def phase_seeds(self, names, signed=True):
        return [self.default_guess(names)]

    def classify(self, values, parameters, replicon=float("nan")):
        R_2 = values.get("R_2", float("nan"))
        return "perfect generalisation" if R_2 > 1 - 1e-3 else "continual learning"

    # -- task 1 -----------------------------------------------------------------------------------
    def reference(self, alpha_1, T=0.0):
        """The RS saddle point of task 1 (binary teacher–student at load ``alpha_1``, temperature
        ``T``) whose Gibbs measure supplies the reference; ``["R"]`` is the ``R_ref`` input.

        The poor-generalisation branch: beyond ``alpha_1 ≈ 1.245`` (Györgyi 1990) it is metastable at
        ``T = 0`` and the equilibrium reference is the teacher itself (``R_ref = 1``).
        """
        if not (alpha_1 > 0 and math.isfinite(alpha_1)):
            raise ParameterError(f"alpha_1 must be a positive number of task-1 examples per weight, "
                                 f"got {alpha_1!r}")
        return self._reference_model().solver().solve(alpha=alpha_1, T=T)

    # -- learning curves --------------------------------------------------------------------------
    def learning_curves(self, alpha_1, alphas_2, T=0.0, gamma=0.5, rho=0.5, solver=None):
        """Generalisation errors of the old and the new task along the task-2 load ``alphas_2``.

        Parameters
        ----------
        alpha_1 : float
            Task-1 load (fixes the reference through :meth:`reference`).
        alphas_2 : sequence of float
            Increasing task-2 loads.
        T, gamma, rho : float
            Temperature of both tasks, coupling to the reference, teacher–teacher overlap.

        Returns
        -------
        dict of numpy.ndarray
            ``alpha_2``, every order parameter, ``epsilon_1`` (``arccos R_1/π``, old task),
            ``epsilon_2`` (``arccos R_2/π``, new task), ``free_energy``, ``converged``, and the
            scalars ``R_ref`` and ``epsilon_ref`` (the reference's own error on task 1).

        Examples
        --------
        >>> cp = snn.model("continual-perceptron")                                   # doctest: +SKIP
        >>> c = cp.learning_curves(1.0, [0.5, 1, 2], T=0, gamma=1.0, rho=0.0)        # doctest: +SKIP
        >>> c["epsilon_1"], c["epsilon_2"]                                          # doctest: +SKIP
        """
        import numpy as np

        ref = self.reference(alpha_1, T)
        sols = self.follow(alphas_2, solver=solver, T=T, gamma=gamma, rho=rho, R_ref=ref["R"])
        out = {"alpha_2": np.asarray(alphas_2, float)}
        for key in (str(x) for x in self.free_energy().order_parameters):
            out[key] = np.array([s[key] if s is not None else np.nan for s in sols])
        out["free_energy"] = np.array([s.free_energy if s is not None else np.nan for s in sols])
        out["converged"] = np.array([s is not None for s in sols])
        out["epsilon_1"] = generalisation_error(out["R_1"])
        out["epsilon_2"] = generalisation_error(out["R_2"])
        out["R_ref"] = ref["R"]
        out["epsilon_ref"] = float(generalisation_error(ref["R"]))
        return out

    def perfect_generalisation_transition(self, alpha_1, gamma, rho, low=0.5, high=3.0, step=0.05):
        """The task-2 load of the first-order transition to perfect generalisation of the new task at
        ``T = 0`` (the analogue of Györgyi's ``α ≈ 1.245`` for a student coupled to a reference).

        The student equal to teacher 2 has no entropy and coupling energy ``γ w*²·w̃/N = γ ρ R_ref``
        (``τ`` and the reference weight are independent in the gauge of teacher 1), so its
        ``−βf`` is ``γ ρ R_ref``; the transition is where the version-space branch, whose solver free
        energy is ``−(s + γP)``, reaches ``−γ ρ R_ref``: the branch is followed from ``low`` in steps
        of ``step`` up to the first sign change, then Brent's method.

        Raises
        ------
        ConvergenceError
            If the branch ends (its spinodal) or reaches ``high`` before the crossing.
        """
        import numpy as np
        from scipy.optimize import brentq

        from ..errors import ConvergenceError

        R_ref = self.reference(alpha_1, 0.0)["R"]
        solver = self.solver()
        params = {"T": 0.0, "gamma": gamma, "rho": rho, "R_ref": R_ref}
        grid = np.arange(low, high + step / 2, step)
        sols = self.follow(grid, solver=solver, **params)
        gaps = [s_.free_energy + gamma * rho * R_ref if s_ is not None else np.nan for s_ in sols]
        for k in range(1, len(grid)):
            if not np.isfinite(gaps[k]):
                break
            if gaps[k - 1] * gaps[k] <= 0:
                guess = dict(sols[k - 1].order_parameters)

                def gap(a):
                    sol = solver.solve(alpha_2=a, guess=guess, errors="mask", **params)
                    if not sol.converged:
                        raise ConvergenceError(f"lost the branch at alpha_2={a:g}", parameters=params)
                    return sol.free_energy + gamma * rho * R_ref

                return brentq(gap, grid[k - 1], grid[k], xtol=1e-10)
        raise ConvergenceError(f"the version-space branch ends or reaches alpha_2 = {high:g} before the "
                               f"transition to perfect generalisation", parameters=params)
