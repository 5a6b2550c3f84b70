"""Common base of the learning models (perceptron storage, teacher–student, continual learning):
continuation in the load, the zero of the version-space entropy, a solver with the learning damping."""
from __future__ import annotations

from ..errors import ConvergenceError, ParameterError
from .base import Model

__all__ = ["LearningModel"]


class LearningModel(Model):
    """A learning problem: the weights are the units, the examples a term (``free_energy`` from the
    replica engine with :mod:`statmech_nn.symbolic.learning`, see
    :class:`~statmech_nn.models.learning_declared.DeclaredLearningModel`)."""

    zero_temperature_limit = "version space"
    montecarlo = False
    montecarlo_reason = "checked by finite-instance solvers"
    #: the parameter that :meth:`follow` steps through (the load)
    load_parameter = "alpha"

    def free_energy(self, rsb=0, x=None):
        """The RS free energy derived by the replica engine from :meth:`hamiltonian` (the weights and the
        examples; :func:`~statmech_nn.symbolic.learning.derive_learning`), cached; ``rsb``, ``x`` as for
        :meth:`Model.free_energy <statmech_nn.models.base.Model.free_energy>`."""
        if rsb != 0 or x is not None:
            return super().free_energy(rsb, x)
        if self._free_energy is None:
            from ..symbolic.learning import derive_learning
            self._free_energy = derive_learning(self, self.hamiltonian())
        return self._free_energy

    def solver(self, **options):
        """The compiled saddle-point solver (cached for the default options; warm-up damping
        :data:`~statmech_nn.symbolic.learning.LEARNING_DAMPING` unless ``damping`` is given)."""
        if options:
            return self.free_energy().saddle_point().compile(**options)
        if getattr(self, "_compiled", None) is None:
            self._compiled = self.free_energy().saddle_point().compile()
        return self._compiled

    def follow(self, alphas, guess=None, max_halvings=8, solver=None, progress=None, **params):
        """Solutions along increasing loads ``alphas``, each started from the previous one; a step
        that loses the branch is retried in halves (up to ``max_halvings`` times). Returns a list of
        :class:`~statmech_nn.solve.Solution` (``None`` from where the branch is lost; where and why is
        in :attr:`branch_lost`: the last load reached and the first one missed). ``progress``: a bar
        over the loads (:func:`statmech_nn.progress.progress_bar`)."""
        import numpy as np

        from ..progress import progress_bar
        alphas = np.asarray(alphas, float)
        if alphas.ndim != 1 or np.any(np.diff(alphas) <= 0):
            raise ParameterError("alphas must be a 1-d increasing sequence of loads")
        out, current, previous = [], dict(guess or {}), None
        self.branch_lost = None
        with progress_bar(alphas.size, f"following {self.name} in {self.load_parameter}", progress,
                          unit="load") as bar:
            solver = solver or self.solver()
            for a in alphas:
                sol = self._reach(solver, previous, a, current, max_halvings, params)
                if sol is None:
                    self.branch_lost = (previous, float(a))
                    out += [None] * (alphas.size - len(out))
                    break
                out.append(sol)
                previous, current = a, dict(sol.order_parameters)
                bar.update()
        return out

    def _reach(self, solver, start, target, guess, halvings, params):
        sol = solver.solve(**{self.load_parameter: target}, guess=guess or None, errors="mask", **params)
        if sol.converged or start is None or halvings == 0:
            return sol if sol.converged else None
        middle = 0.5 * (start + target)
        mid = self._reach(solver, start, middle, guess, halvings - 1, params)
        if mid is None:
            return None
        return self._reach(solver, middle, target, dict(mid.order_parameters), halvings - 1, params)

    #: |q − R| above which a solution is off the Nishimori line where it must lie on it
    NISHIMORI_TOL = 1e-6
    #: the version-space entropy ``s = −f`` of discrete weights below which a solution is unphysical
    ENTROPY_TOL = 1e-9

    def _discrete_weights(self):
        return False

    def _on_nishimori_line_at_zero_temperature(self):
        return False

    def physics_checks(self, order_parameters, free_energy, parameters):
        """Two identities of learning problems (Nishimori 1980; Györgyi 1990, Seung, Sompolinsky & Tishby
        1992): at ``T = 0`` (the version space)

        * the entropy ``s = −f`` of discrete weights cannot be negative (``negative_entropy``: the RS
          solution is unphysical there, the true state is frozen or replica-symmetry broken);
        * a student with the teacher's prior learning a noiseless rule samples the posterior, so
          ``q = R`` (``off_nishimori``: a solution with ``q ≠ R`` is not Gibbs learning of this rule).
        """
        import numpy as np
        T = np.asarray(parameters.get("T", np.nan), float)
        f = np.asarray(free_energy, float)
        zero = np.broadcast_to(T == 0, f.shape)
        checks = []
        if self._discrete_weights():
            bad = zero & np.isfinite(f) & (f > self.ENTROPY_TOL)
            checks.append(("negative_entropy", bad, "the version-space entropy s = −f of discrete weights is "
                           "negative: the replica-symmetric solution is unphysical there"))
        if self._on_nishimori_line_at_zero_temperature() and "q" in order_parameters and "R" in order_parameters:
            gap = np.abs(np.asarray(order_parameters["q"], float) - np.asarray(order_parameters["R"], float))
            bad = zero & np.isfinite(gap) & (gap > self.NISHIMORI_TOL)
            checks.append(("off_nishimori", bad, "q ≠ R: a student with the teacher's prior learning its "
                           "noiseless rule at T = 0 samples the posterior, where q = R (Nishimori line)"))
        return checks

    def entropy_zero(self, low, high, **params):
        """The load in ``[low, high]`` where the RS entropy ``s`` of the version space (``T = 0``)
        vanishes, by Brent's method on ``s(α)``."""
        from scipy.optimize import brentq

        from ..progress import progress_bar
        with progress_bar(None, f"compiling {self.name}", None, unit="step"):
            solver = self.solver()

        def entropy(a):
            sol = solver.solve(alpha=a, T=0.0, errors="mask", **params)
            if not sol.converged:
                raise ConvergenceError(f"no version-space solution at alpha={a:g}", parameters=params)
            return -sol.free_energy

        return brentq(entropy, low, high, xtol=1e-10)
