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
capacity of binary weights ``α_c ≈ 0.833`` where the RS entropy vanishes; the replicon (AT)
instability of the RS solution is :meth:`Perceptron.at_line` (GD88).
"""
from .. import blocks as B
from ..parameters import Parameter
from .learning_declared import DeclaredLearningModel


class Perceptron(DeclaredLearningModel):
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

    def parameter_overrides(self):
        return {"alpha": Parameter("alpha", 0.5, "load P/N", lower=0.0, open_lower=True),
                "kappa": Parameter("kappa", 0.0, "margin (stability) κ")}

    def declaration(self):
        """Weights (spherical or ±1) and ``P = αN`` examples with random labels, learned with the number
        of errors at margin ``κ`` as energy."""
        weights = B.Spherical() if self.options["weights"] == "spherical" else B.Ising()
        return weights, [B.Examples("alpha", loss=B.ErrorCount("kappa"))]

    @property
    def description(self):
        return (f"{self.options['weights'].capitalize()} weights, $P = \\alpha N$ patterns with random labels "
                r"$\pm1$, energy: the number of patterns with stability below $\kappa$.")

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
        from ..symbolic.learning import entropy_of_overlaps, q, q_to_one_limit
        fe = self.free_energy()
        zero = fe.saddle_point().zero_temperature()
        self._capacity = q_to_one_limit(entropy_of_overlaps(fe), q, self.symbol("alpha"), zero.derivation)
        return self._capacity

    def capacity_curve(self, kappas):
        """``α_c(κ)`` evaluated from :meth:`capacity` at the margins ``kappas`` (NumPy array)."""
        import numpy as np
        import sympy as sp

        f = sp.lambdify(self.symbol("kappa"), self.capacity(), modules=["scipy", "numpy"])
        return np.asarray(f(np.asarray(kappas, float)), float)

    def at_line(self, kappas, T=0.0, alpha_max=None, points=24, xtol=1e-10):
        """``α_AT(κ)``: the load where the replicon of the RS solution changes sign (de Almeida–Thouless
        instability; GD88), ``NaN`` where RS stays stable up to ``alpha_max``.

        The branch is followed (:meth:`follow`) on ``points`` loads up to ``alpha_max`` (default for
        spherical weights: ``0.95 α_c(κ)`` from :meth:`capacity_curve`, about as close to ``q = 1`` as
        the solver follows the version space, so an AT line still closer to ``α_c``, at small negative
        ``κ``, is missed), and the first sign change of
        :attr:`Solution.replicon <statmech_nn.solve.Solution.replicon>` is refined by Brent's method,
        each solve continued from the stable end of the bracket.

        Parameters
        ----------
        kappas : array_like
            Margins.
        T : float
            Temperature (``0``: the version space).
        alpha_max : float or array_like, optional
            Largest load searched (one per margin or a scalar); required for binary weights, whose RS
            ``q → 1`` load is not derived (it is ``4/π`` at ``κ = 0``, GD88).
        points : int
            Loads of the continuation grid per margin.

        Returns
        -------
        numpy.ndarray
            ``α_AT`` for each margin.

        Raises
        ------
        ParameterError
            Binary weights without ``alpha_max``, ``points < 2`` or ``alpha_max <= 0``.
        ConvergenceError
            The branch is lost before the replicon changes sign or ``alpha_max`` is reached.

        Examples
        --------
        >>> snn.model("perceptron").at_line([0.0, -0.5])      # doctest: +SKIP
        array([       nan, 3.9507...])
        """
        import numpy as np
        from scipy.optimize import brentq

        from ..errors import ConvergenceError, ParameterError

        kappas = np.atleast_1d(np.asarray(kappas, float))
        if alpha_max is None:
            if self.options["weights"] != "spherical":
                raise ParameterError("at_line of binary weights needs alpha_max (e.g. 4/pi at kappa = 0, "
                                     "where the RS overlap reaches 1)")
            alpha_max = 0.95 * self.capacity_curve(kappas)
        alpha_max = np.broadcast_to(np.asarray(alpha_max, float), kappas.shape)
        if int(points) != points or points < 2:
            raise ParameterError(f"points must be an integer >= 2, got {points!r}")
        if not np.all(alpha_max > 0):
            raise ParameterError(f"alpha_max must be positive, got {alpha_max}")
        solver = self.solver()
        out = np.full(kappas.shape, np.nan)
        for i, (kappa, top) in enumerate(zip(kappas, alpha_max)):
            alphas = np.linspace(top / points, top, points)
            sols = self.follow(alphas, max_halvings=12, solver=solver, kappa=kappa, T=T)
            previous = None
            for a, sol in zip(alphas, sols):
                if sol is None:
                    raise ConvergenceError(f"the RS branch at kappa={kappa:g} is lost at alpha={a:g} before "
                                           "its replicon changes sign", parameters={"kappa": kappa, "T": T})
                if sol.replicon < 0:
                    break
                previous = (a, sol)
            else:
                continue
            if previous is None:
                raise ConvergenceError(f"replicon negative already at alpha={alphas[0]:g} (kappa={kappa:g}); "
                                       "increase points", parameters={"kappa": kappa, "T": T})
            low, start = previous

            def replicon(alpha):
                # continuation from the stable end in halved steps: a whole grid step can lose the branch
                s_ = self._reach(solver, low, alpha, dict(start.order_parameters), 12,
                                 {"kappa": kappa, "T": T})
                if s_ is None:
                    raise ConvergenceError(f"RS branch lost at alpha={alpha:g}, kappa={kappa:g}",
                                           parameters={"kappa": kappa, "T": T})
                return float(s_.replicon)

            out[i] = brentq(replicon, low, a, xtol=xtol)
        return out
