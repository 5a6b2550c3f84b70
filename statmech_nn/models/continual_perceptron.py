"""Continual learning of a binary perceptron as a Franz–Parisi potential.

Task 1: a binary student learns ``α₁N`` examples of a binary teacher ``w*¹`` by Gibbs learning at
temperature ``T`` (the ``teacher-student-perceptron`` with ``weights="ising"``); one configuration
``w̃`` of its Gibbs measure is the *reference*. Task 2: a new binary student ``w`` learns ``α₂N``
examples of a teacher ``w*²`` (overlap ``ρ = w*¹·w*²/N`` with the first) at the same temperature,
with the coupling ``γ w·w̃`` to the reference — the previous task's knowledge acting as a prior
and as a reference (LHZH23, sec. III). Its free energy averaged over the reference is a Franz–Parisi
potential, derived by the replica engine from three terms of the new student's binary weights: the
task-2 examples (:class:`~statmech_nn.symbolic.learning.LearningExamples`, teacher 2 a quenched site
variable), the overlap with teacher 1 and the coupling to the reference (:class:`ReferenceCoupling`,
the reference weight a quenched site variable with the marginal of :func:`reference_marginal`).

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

import sympy as sp

from ..errors import DerivationError, ParameterError
from ..parameters import Parameter
from .base import temperature_parameter
from .learning_base import LearningModel
from .teacher_student import generalisation_error
from ..symbolic.printing import Tex

__all__ = ["ContinualPerceptron", "ReferenceCoupling", "TeacherOverlap", "reference_marginal"]

#: teacher 2's weight in the gauge of teacher 1 and the reference weight (quenched site variables)
tau = sp.Symbol("tau", real=True)
w_ref = sp.Symbol(r"\tilde w", real=True)


def reference_marginal(reference_equation, reference_overlap, q_hat, R_hat, deriv):
    """Weights ``P(w̃ = ∓1)`` of one weight of the reference in the gauge ``w*¹ = +1``.

    The reference is one of ``m → 0`` replicas of the task-1 student: with the Hubbard–Stratonovich
    field ``h̃ = R̂ + √q̂ z₀`` of its own RS saddle point, ``P(w̃) = E_{z₀} e^{w̃h̃}/(2 cosh h̃)``
    (the other ``m − 1`` replicas sum to ``(2cosh h̃)^{m−1} → 1/(2cosh h̃)``). SymPy rewrites the
    Gibbs weight as ``(1 + w̃ tanh h̃)/2``; the average ``E_{z₀} tanh h̃`` is then recognised as the
    right-hand side ``reference_equation`` of the reference's saddle-point equation for its teacher
    overlap (checked at random points) and replaced by ``reference_overlap``.
    """
    from ..symbolic.averages import GaussianAverage, expand_averages
    from ..symbolic.numeric import evaluate

    z0 = sp.Symbol("z_0", real=True)
    h = R_hat + sp.sqrt(q_hat) * z0
    weights = []
    for s_ in (-1, 1):
        gibbs = sp.exp(s_ * h) / (2 * sp.cosh(h))
        linear = (1 + s_ * sp.tanh(h)) / 2
        if sp.simplify((gibbs - linear).rewrite(sp.exp)) != 0:
            raise DerivationError("reference Gibbs weight is not (1 + w tanh h)/2")
        weights.append(expand_averages(GaussianAverage(linear, z0)))
    (average,) = {a for w_ in weights for a in w_.atoms(GaussianAverage)}
    probe = [{"q_hat": 0.7, "R_hat": 0.4}, {"q_hat": 2.3, "R_hat": 1.9}]
    for p in probe:
        ours = float(evaluate(average, p))
        theirs = float(evaluate(reference_equation, p))
        if abs(ours - theirs) > 1e-10:
            raise DerivationError(f"E tanh(h) = {ours} is not the reference's R equation ({theirs})")
    weights = [sp.expand(w_.xreplace({average: reference_overlap})) for w_ in weights]
    deriv.add("Reference: one weight of the task-1 Gibbs measure",
              [sp.Eq(Tex(r"P(\tilde w)"),
                     Tex(r"\left\langle \frac{e^{\tilde w \tilde h}}{2\cosh \tilde h}\right\rangle_{z_0}")),
               sp.Eq(Tex(r"\tilde h"), h.xreplace({z0: sp.Symbol("z_0")})),
               sp.Eq(Tex(r"\langle \tanh \tilde h\rangle_{z_0}"), reference_overlap),
               sp.Eq(Tex(r"P(\tilde w = -1)"), weights[0]),
               sp.Eq(Tex(r"P(\tilde w = +1)"), weights[1])],
              r"The reference is replica 1 of $m\to0$ replicas of the task-1 student; $(2\cosh\tilde h)^{m-1}"
              r"\to 1/2\cosh\tilde h$. By its own saddle-point equation $\langle\tanh\tilde h\rangle = "
              r"\tilde R$, its teacher-1 overlap: that is all the new student sees of it.")
    return weights


class TeacherOverlap:
    """The overlap ``R_1 = w·w*¹/N`` of the student with teacher 1 (gauged to ``w*¹ = +1``): an order
    parameter with a conjugate and no energy of its own (LHZH23: task 1 is not seen again)."""

    def __init__(self, name="R_1", hat="R_hat_1"):
        self.symbol, self.hat = sp.Symbol(name, real=True), sp.Symbol(hat, real=True)

    def display(self):
        return sp.S.Zero

    def apply(self, calc):
        calc.delta_order_parameter(self.symbol, self.hat, "field", owner="teacher 1", role="teacher overlap",
                                   note=r"The overlap with teacher 1 ($w^{*1}_i = +1$ by gauge), watched "
                                        r"through a delta function: no term of the energy depends on it.")


class ReferenceCoupling:
    """``−H = γ Σ_i w_i w̃_i = Nγ P`` with the reference ``w̃`` a quenched site variable and ``P = w·w̃/N``
    an order parameter with conjugate ``P̂`` (LHZH23 sec. III); the coupling enters without ``β``, as a
    prior. The marginal ``P(w̃ = ±1) = (1 ± R̃)/2`` of the reference comes from the task-1 saddle point
    (:func:`reference_marginal`, with ``reference_equation`` its equation for the teacher overlap and
    ``reference_overlap`` the parameter ``R̃``)."""

    def __init__(self, coupling, reference_equation, reference_overlap, name="P", hat="P_hat"):
        self.coupling, self.reference_equation, self.reference_overlap = coupling, reference_equation, reference_overlap
        self.symbol, self.hat = sp.Symbol(name, real=True), sp.Symbol(hat, real=True)

    def display(self):
        return -self.coupling * Tex(r"\sum_i w_i\tilde w_i")

    def apply(self, calc):
        from ..symbolic.learning import R_hat, q_hat
        calc.derivation.add(
            "Franz--Parisi potential",
            sp.Eq(Tex(r"-\beta f"),
                  Tex(r"\lim_{N\to\infty}\frac1N\mathbb{E}\sum_{\tilde w}\frac{e^{-\beta E_1(\tilde w)}}"
                            r"{Z_1}\log\sum_w e^{-\beta E_2(w) + \gamma\, w\cdot\tilde w}")),
            r"Task 1 (teacher $w^{*1}$, $\alpha_1 N$ examples) learned first by Gibbs learning; its Gibbs "
            r"measure supplies the reference $\tilde w$. The new student learns task 2 (teacher $w^{*2}$, "
            r"$w^{*1}\cdot w^{*2}/N = \rho$, $\alpha_2 N$ examples) coupled to the reference with strength "
            r"$\gamma$ (Li, Huang, Zou, Huang, PRE 108, 014309 (2023)). Replicas: $m\to0$ of the "
            r"reference, $n\to0$ of the student; the cross overlaps of student and reference replicas "
            r"have vanishing conjugates (neither meets the other's examples).")
        weights = reference_marginal(self.reference_equation, self.reference_overlap, q_hat, R_hat,
                                     calc.derivation)
        total = sp.simplify(sp.Add(*weights))
        if total != 1:
            raise DerivationError(f"reference marginal does not sum to one: {total}")
        P_a, _ = calc.delta_order_parameter(
            self.symbol, self.hat, "field", site_vector=w_ref, quenched=[(w_ref, (-1, 1), tuple(weights))],
            owner="reference coupling", role="overlap",
            note=r"The overlap $P = w\cdot\tilde w/N$ with the reference, a quenched site variable; the "
                 r"coupling $\gamma\sum_i w_i\tilde w_i = N\gamma P$.")
        calc.energetic += calc.replica_sum(self.coupling * P_a)


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

    def hamiltonian(self):
        """The new student's binary weights with three terms: the overlap with teacher 1, the task-2
        examples (teacher 2 in the gauge of teacher 1, ``τ = ±1`` with ``P(τ = 1) = (1 + ρ)/2``) and the
        coupling to the reference."""
        from ..symbolic.interactions import Hamiltonian
        from ..symbolic.laws import DiscreteLaw
        from ..symbolic.learning import ErrorCountLoss, LearningExamples, R, SignChannel, TeacherRule
        from ..symbolic.priors import IsingPrior

        equation = self._reference_model().free_energy().saddle_point().equations[R]
        rho = self.symbol("rho")
        teacher_2 = TeacherRule(DiscreteLaw((-1, 1), ((1 - rho) / 2, (1 + rho) / 2)), SignChannel(),
                                name="teacher 2")
        terms = [TeacherOverlap(),
                 LearningExamples(self.symbol("alpha_2"), ErrorCountLoss(), teacher_2, owner="task-2 examples",
                                  overlap="R_2"),
                 ReferenceCoupling(self.symbol("gamma"), equation, self.symbol("R_ref"))]
        return Hamiltonian(IsingPrior(), terms, r"Binary student; teacher 1 gauged to $+1$, teacher 2 "
                           r"$\tau_i = w^{*2}_i$; $\alpha_2 N$ task-2 examples; coupling $\gamma$ to the "
                           r"reference $\tilde w$ of the task-1 Gibbs measure (Li, Huang, Zou, Huang, PRE 108, "
                           r"014309 (2023)).")

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
