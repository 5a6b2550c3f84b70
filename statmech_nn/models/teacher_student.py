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
(1992) [SST92]: Gibbs learning, spherical ``ε ≈ 0.62/α`` at ``T = 0``; the poor-generalisation branch
of the binary student ends at its spinodal ``α ≈ 1.493`` (found here by continuation and by the fold of the
literature equations; not checked against a quoted value);
A. Engel and C. Van den Broeck, *Statistical Mechanics of Learning* (CUP 2001) [EVdB], ch. 2 and 7.
"""
import math

from .. import blocks as B
from ..errors import ConvergenceError
from ..parameters import Parameter
from .learning_declared import DeclaredLearningModel

__all__ = ["TeacherStudentPerceptron", "generalisation_error"]


def generalisation_error(R):
    """``ε = arccos(R)/π``: the probability that student and teacher disagree on a random input,
    for a normalised student with teacher overlap ``R`` (EVdB eq. (2.3))."""
    import numpy as np
    return np.arccos(np.clip(R, -1.0, 1.0)) / math.pi


class TeacherStudentPerceptron(DeclaredLearningModel):
    name = "teacher-student-perceptron"
    title = "teacher–student perceptron"
    references = ("Györgyi, Phys. Rev. Lett. 64, 2957 (1990)",
                  "Seung, Sompolinsky & Tishby, Phys. Rev. A 45, 6056 (1992)",
                  "Engel & Van den Broeck, Statistical Mechanics of Learning (2001)")
    structural_options = {"weights": ("spherical", ("spherical", "ising"),
                                      "prior of student and teacher: spherical or binary ±1")}
    ordered_point = {"alpha": 1.0, "T": 0.2}
    ordered_name = "poor generalisation"

    def parameter_overrides(self):
        return {"alpha": Parameter("alpha", 1.0, "examples per weight P/N", lower=0.0, open_lower=True)}

    def declaration(self):
        """Student and teacher with the same prior (spherical or ±1); labels ``sign(u)`` of the teacher's
        field; energy: the number of training errors."""
        law = B.Spherical() if self.options["weights"] == "spherical" else B.Ising()
        return law, [B.Examples("alpha", loss=B.ErrorCount(), teacher=B.Teacher(weights=law, channel=B.Sign()))]

    @property
    def description(self):
        return (f"{self.options['weights'].capitalize()} student and teacher; $P = \\alpha N$ examples "
                r"labelled $\mathrm{sign}(w^*\cdot\xi)$; energy: the number of training errors.")

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
    def learning_curve(self, alphas, T=0.0, guess=None, solver=None):
        """The generalisation error along increasing loads (continuation with :meth:`follow`).

        Returns
        -------
        dict of numpy.ndarray
            ``alpha``, every order parameter (``R``, ``q``, their conjugates), ``epsilon``
            (``arccos R/π``), ``free_energy`` (``−s`` at ``T = 0``), ``converged``, ``physical``
            (no :attr:`~statmech_nn.solve.Solution.flags` raised); points past the end of the branch
            are ``NaN`` (:attr:`branch_lost` says between which loads it was lost).

        Examples
        --------
        >>> ts = snn.model("teacher-student-perceptron")            # doctest: +SKIP
        >>> ts.learning_curve([0.5, 1, 2], T=0)["epsilon"]          # doctest: +SKIP
        array([0.40956..., 0.33836..., 0.24031...])
        """
        import numpy as np

        sols = self.follow(alphas, guess=guess, solver=solver, T=T)
        out = {"alpha": np.asarray(alphas, float)}
        names = [str(x) for x in self.free_energy().order_parameters]
        for key in names:
            out[key] = np.array([s[key] if s is not None else np.nan for s in sols])
        out["free_energy"] = np.array([s.free_energy if s is not None else np.nan for s in sols])
        out["converged"] = np.array([s is not None for s in sols])
        # converged and no identity violated (Solution.flags: negative entropy, off the Nishimori line)
        out["physical"] = np.array([s is not None and bool(s.physical) for s in sols])
        out["epsilon"] = generalisation_error(out["R"])
        return out

    def branch_end(self, start, step=0.02, T=0.0, tol=1e-4):
        """Where the poor-generalisation branch followed from ``alpha = start`` ends (the spinodal
        of the first-order transition for binary weights): continuation until the solver loses the
        branch, then bisection on the step."""
        solver = self.solver()
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
