"""Continual learning of a binary perceptron by a *variational* student, the model of LHZH23.

Li, Huang, Zou and Huang (PRE 108, 014309 (2023), arXiv:2212.02846) train a mean-field distribution
``Q(w) = Π_i (1 + m_i w_i)/2`` over binary weights: its means ``m_i ∈ [−1, 1]`` (flat measure) carry the
β-weighted log-likelihood of the Gaussian-field (probit) approximation of the preactivation. Task 2
adds ``β γ KL(Q ‖ Q_1)`` to the task-1 solution ``Q_1``, which acts as a prior and as the reference
of a Franz–Parisi potential. The equations and conventions follow the authors' public code
(GitHub Chan-Li/VCL, "Continual learning with binary perceptron"); the paper's equation numbers
could not be read, so the references below name the code's scripts.

* :class:`VariationalPerceptron` — task 1 (FirstTaskReplica.py; fig-2-a,b.py: Fig. 2a,b).
  Order parameters ``q`` (Fig. 2a label ``q_0``), ``r`` (``r_1``), ``q_star`` (``q_d``) and their
  conjugates; ``ε_g = arccos(p)/π`` with ``p = E⟨sign m⟩`` the teacher overlap of the clipped weights.
* :class:`VariationalContinualPerceptron` — task 2 (SecondTaskReplica.py; fig-3.py: Fig. 3).
  Order parameters ``q_2, r_2, q_star_2`` and conjugates; parameters ``alpha_2``, ``T = 1/β``,
  ``gamma``, ``r_0`` (teacher–teacher overlap) and the task-1 conjugates ``q_hat_1, r_hat_1,
  q_star_hat_1`` (:meth:`VariationalContinualPerceptron.reference` solves task 1 for them);
  ``ε_1 = arccos(p_1)/π`` (old task), ``ε_2 = arccos(p_2)/π`` (new task).

The free energies are derived by :func:`statmech_nn.models.variational_replica.variational_free_energy`
and :func:`~statmech_nn.models.variational_replica.variational_franz_parisi_free_energy`; the averages over the
means are :class:`~statmech_nn.symbolic.averages.UniformAverage` nodes, integrated by the kernels
with a tanh–sinh rule on the solver's nested nodes (so the node doubling certifies them).

These models are not in the registry (the ``continual-perceptron`` of the registry is the Gibbs
variant): create them directly, ``VariationalPerceptron()``.

References
----------
C. Li, Z. Huang, W. Zou, H. Huang, Phys. Rev. E 108, 014309 (2023), arXiv:2212.02846 [LHZH23];
code: https://github.com/Chan-Li/VCL; S. Franz and G. Parisi, J. Phys. I France 5, 1401 (1995).
"""
import math

from ..errors import ParameterError
from ..parameters import Parameter
from .learning_base import LearningModel
from .teacher_student import generalisation_error

__all__ = ["VariationalPerceptron", "VariationalContinualPerceptron"]

_REFERENCES = ("Li, Huang, Zou & Huang, Phys. Rev. E 108, 014309 (2023), arXiv:2212.02846",
               "code: github.com/Chan-Li/VCL")


def _temperature():
    # T = 1/β of the variational loss; no T → 0 limit is derived (the paper works at β = 20)
    return Parameter("T", 0.05, "inverse of the weight β of the log-likelihood (LHZH23: β = 20)",
                     lower=0.0, open_lower=True)


class _Observables:
    """Kernels of the clipped-weight overlaps: the derived expressions compiled by the codegen as the
    right-hand sides of a saddle point whose free energy is zero, evaluated (not solved) at a solution
    on the same nested nodes as the solver, and on twice as many as a check."""

    def __init__(self, model, fe):
        import sympy as sp

        from ..symbolic.engine import beta
        from ..symbolic.free_energy import SaddlePoint

        names = list(fe.observables)
        params = sorted(set().union(*(e.free_symbols for e in fe.observables.values())),
                        key=lambda s_: s_.name)
        self.parameters = [str(p) for p in params]
        self.names = [str(n) for n in names]
        saddle = SaddlePoint(model, fe.observables, sp.S.Zero, names, params, None,
                             fe.derivation, "finite", beta)
        from ..codegen import compile_saddle_point
        self.kernels = compile_saddle_point(saddle)

    def __call__(self, values, nodes):
        """``{name: value}`` and the change between ``nodes`` and ``2 nodes − 1`` reference nodes."""
        import numpy as np

        from ..solve.quadrature import reference_rule

        p = np.array([values["beta"] if k == "beta" else values[k] for k in self.parameters], float)
        x = np.zeros(len(self.names))
        out = []
        for count in (int(nodes), 2 * int(nodes) - 1):
            Z, W = reference_rule(count)
            res = np.empty(len(self.names))
            self.kernels.module.rhs(x, p, np.asarray(Z), np.asarray(W), res)
            out.append(res)
        return dict(zip(self.names, out[1])), float(np.max(np.abs(out[1] - out[0])))


class _VariationalBase(LearningModel):
    references = _REFERENCES
    structural_options = {}
    montecarlo_reason = ("the variational (mean-field) student is not a Gibbs measure on binary "
                         "weights; LHZH23 check it with SGD on the fields")

    def classify(self, values, parameters, replicon=float("nan")):
        return self.ordered_name

    def phase_seeds(self, names, signed=True):
        return [self.default_guess(names)]

    def observables(self, solution):
        """The clipped-weight overlaps at a converged :class:`~statmech_nn.solve.Solution` (one point):
        ``({name: value}, quadrature change)``."""
        if getattr(self, "_observables", None) is None:
            self._observables = _Observables(self, self.free_energy())
        values = {k: float(v) for k, v in solution.parameters.items()}
        values.update({k: float(v) for k, v in solution.order_parameters.items()})
        values["beta"] = 1.0 / values["T"]
        return self._observables(values, int(solution.nodes))


class VariationalPerceptron(_VariationalBase):
    """Task 1 of LHZH23: variational teacher–student learning of a binary perceptron.

    Derived free energy (``-βf = G_S + α G_E``, extremised)::

        G_S = q q̂/2 − q_* q̂_* − r r̂ + E_z log U_m[exp((q̂_* − q̂/2) m² + √q̂ z m + r̂ m)]
        G_E = 2 E_z[H(−r z/√(q − r²)) log E_x H(−(√(q_*−q) x + √q z)/√(1−q_*))^β]

    (``U_m`` the flat average over ``m ∈ [−1, 1]``), identical to the code's form after ``z, x → −z, −x``;
    stationarity gives ``q = E⟨m⟩²``, ``r = E⟨m⟩``, ``q_* = E⟨m²⟩``, ``q̂ = −2α∂G_E/∂q``,
    ``r̂ = α∂G_E/∂r``, ``q̂_* = α∂G_E/∂q_*`` — the conventions of FirstTaskReplica.py. Fig. 2a,b of
    LHZH23 (fig-2-a,b.py) plot ``q_0 = q``, ``r_1 = r``, ``q_d = q_*`` and ``ε_g = arccos(p)/π``
    against ``α`` at ``β = 20``.

    Examples
    --------
    >>> vp = VariationalPerceptron()                                  # doctest: +SKIP
    >>> vp.learning_curve([0.5, 1.0, 2.0], T=0.05)["epsilon"]         # doctest: +SKIP
    """

    name = "variational-perceptron"
    title = "variational binary perceptron"
    ordered_point = {"alpha": 1.0, "T": 0.05}
    ordered_name = "learning"

    def make_parameter_specs(self):
        return {"alpha": Parameter("alpha", 2.0, "examples per weight P/N", lower=0.0, open_lower=True),
                "T": _temperature()}

    def free_energy(self):
        if self._free_energy is None:
            from .variational_replica import variational_free_energy
            self._free_energy = variational_free_energy(self, self.symbol("alpha"))
        return self._free_energy

    def default_guess(self, names):
        guess = {"q": 0.5, "q_hat": 10.0, "r": 0.35, "r_hat": 2.0, "q_star": 0.65, "q_star_hat": 6.0}
        return {k: guess.get(k, 0.5) for k in names}

    def learning_curve(self, alphas, T=0.05, guess=None, solver=None):
        """Order parameters and ``epsilon = arccos(p)/π`` (``p = E⟨sign m⟩``) along increasing loads.

        Returns
        -------
        dict of numpy.ndarray
            ``alpha``, every order parameter, ``p``, ``epsilon``, ``epsilon_mean`` (``arccos(r)/π``,
            the error of the unclipped means), ``free_energy``, ``converged``.
        """
        import numpy as np

        sols = self.follow(alphas, guess=guess, solver=solver, T=T)
        out = {"alpha": np.asarray(alphas, float)}
        for key in (str(o) for o in self.free_energy().order_parameters):
            out[key] = np.array([s_[key] if s_ is not None else np.nan for s_ in sols])
        out["p"] = np.array([self.observables(s_)[0]["p"] if s_ is not None else np.nan for s_ in sols])
        out["epsilon"] = generalisation_error(out["p"])
        out["epsilon_mean"] = generalisation_error(out["r"])
        out["free_energy"] = np.array([s_.free_energy if s_ is not None else np.nan for s_ in sols])
        out["converged"] = np.array([s_ is not None for s_ in sols])
        return out


class VariationalContinualPerceptron(_VariationalBase):
    """Task 2 of LHZH23 as a Franz–Parisi potential: the new means ``m`` learn ``α₂N`` examples of
    teacher 2 (overlap ``r_0`` with teacher 1) with ``−βγ KL(Q_m ‖ Q_{m¹})`` to the reference means
    ``m¹`` drawn from the task-1 replica measure (SecondTaskReplica.py; Fig. 3 via fig-3.py).

    Site exponent of the derived entropic term::

        (q̂₂* − q̂₂/2) m² + √q̂₂ x m + r̂₂ B m − βγ KL(m ‖ m¹),  P(B = ±1) = (1 ± r₀)/2,

    averaged over ``m¹`` with density ``ρ(m¹) = E_z[e^{g₁(m¹)}/U_{m'}[e^{g₁(m')}]]``,
    ``g₁ = (q̂₁* − q̂₁/2) m² + √q̂₁ z m + r̂₁ m``. Limits: ``γ = 0`` is task 1 with teacher 2 and load
    ``α₂`` (``p₁ = r₀ p₂``); ``α₂ → 0`` keeps the student at the reference for any ``γ > 0``.
    Identical teachers (``r₀ = 1``) are not one task of ``α₁ + α₂`` examples: the reference enters
    through the KL term, not through a product of likelihoods.
    """

    name = "continual-perceptron-variational"
    title = "continual-learning variational binary perceptron"
    ordered_point = {"alpha_2": 1.0, "T": 0.05, "gamma": 1.0, "r_0": 0.0}
    ordered_name = "continual learning"
    load_parameter = "alpha_2"

    def make_parameter_specs(self):
        return {
            "alpha_2": Parameter("alpha_2", 1.0, "examples of task 2 per weight", lower=0.0,
                                 open_lower=True),
            "T": _temperature(),
            "gamma": Parameter("gamma", 1.0, "weight of the KL divergence to the task-1 solution",
                               lower=0.0),
            "r_0": Parameter("r_0", 0.0, "overlap w*1.w*2/N of the two teachers", lower=-1.0, upper=1.0),
            "q_hat_1": Parameter("q_hat_1", 160.0, "task-1 conjugate q̂ (reference(alpha_1, T) gives it)",
                                 lower=0.0, open_lower=True),
            "r_hat_1": Parameter("r_hat_1", 20.0, "task-1 conjugate r̂ (reference(alpha_1, T))"),
            "q_star_hat_1": Parameter("q_star_hat_1", 117.0, "task-1 conjugate q̂_* (reference(alpha_1, T))"),
        }

    def free_energy(self):
        if self._free_energy is None:
            import sympy as sp

            from .variational_replica import variational_franz_parisi_free_energy
            names = ("q_2", "q_hat_2", "r_2", "r_hat_2", "q_star_2", "q_star_hat_2")
            kinds = {"q_2": {"nonnegative": True}, "q_hat_2": {"nonnegative": True},
                     "q_star_2": {"nonnegative": True}}
            symbols = tuple(sp.Symbol(s_, **kinds.get(s_, {"real": True})) for s_ in names)
            reference = tuple(self.symbol(s_) for s_ in ("q_hat_1", "r_hat_1", "q_star_hat_1"))
            self._free_energy = variational_franz_parisi_free_energy(
                self, self.symbol("alpha_2"), self.symbol("gamma"), self.symbol("r_0"), reference, symbols)
        return self._free_energy

    def default_guess(self, names):
        guess = {"q_2": 0.5, "q_hat_2": 5.0, "r_2": 0.2, "r_hat_2": 1.0, "q_star_2": 0.7,
                 "q_star_hat_2": 3.0}
        return {k: guess.get(k, 0.5) for k in names}

    def reference(self, alpha_1, T=0.05, task1=None):
        """The task-1 saddle point at load ``alpha_1`` (:class:`VariationalPerceptron`), followed from
        ``alpha = 0.1``; its ``q_hat, r_hat, q_star_hat`` are the ``*_1`` parameters of this model."""
        import numpy as np

        if not (alpha_1 > 0 and math.isfinite(alpha_1)):
            raise ParameterError(f"alpha_1 must be a positive number of task-1 examples per weight, "
                                 f"got {alpha_1!r}")
        task1 = task1 or VariationalPerceptron()
        path = np.unique(np.r_[np.arange(0.1, alpha_1, 0.1), alpha_1]) if alpha_1 > 0.1 else [alpha_1]
        sols = task1.follow(path, T=T)
        if sols[-1] is None:
            from ..errors import ConvergenceError
            raise ConvergenceError(f"task 1 not solved at alpha_1={alpha_1:g}", parameters={"T": T})
        return sols[-1]

    def learning_curves(self, alpha_1, alphas_2, T=0.05, gamma=1.0, r_0=0.0, solver=None, task1=None):
        """Generalisation errors of the old and the new task along the task-2 loads ``alphas_2``.

        Returns
        -------
        dict of numpy.ndarray
            ``alpha_2``, every order parameter, ``p_1``, ``p_2``, ``epsilon_1`` (``arccos p_1/π``,
            old task), ``epsilon_2`` (``arccos p_2/π``, new task), ``converged``, and the scalars
            ``epsilon_ref`` (task-1 error of the reference) and ``reference`` (its solution).
        """
        import numpy as np

        ref = self.reference(alpha_1, T, task1=task1)
        task1 = task1 or VariationalPerceptron()
        conj = {"q_hat_1": ref["q_hat"], "r_hat_1": ref["r_hat"], "q_star_hat_1": ref["q_star_hat"]}
        sols = self.follow(alphas_2, solver=solver, T=T, gamma=gamma, r_0=r_0, **conj)
        out = {"alpha_2": np.asarray(alphas_2, float)}
        for key in (str(o) for o in self.free_energy().order_parameters):
            out[key] = np.array([s_[key] if s_ is not None else np.nan for s_ in sols])
        obs = [self.observables(s_)[0] if s_ is not None else {"p_1": np.nan, "p_2": np.nan} for s_ in sols]
        out["p_1"] = np.array([o["p_1"] for o in obs])
        out["p_2"] = np.array([o["p_2"] for o in obs])
        out["epsilon_1"] = generalisation_error(out["p_1"])
        out["epsilon_2"] = generalisation_error(out["p_2"])
        out["converged"] = np.array([s_ is not None for s_ in sols])
        out["reference"] = ref
        out["epsilon_ref"] = float(generalisation_error(task1.observables(ref)[0]["p"]))
        return out
