"""Vectorised numeric solution of saddle-point equations with generated numba kernels.

For every point of a parameter grid the fixed-point equations ``x = F(x; p)`` are solved by a few
damped fixed-point iterations followed by Newton's method on ``x - F(x)`` with a step-halving line
search (damped iterations as a fall-back), all inside one parallel numba loop over the points (see
:mod:`statmech_nn.codegen.generate`). The number of quadrature nodes is chosen a posteriori per
point by node doubling (see :mod:`statmech_nn.solve.quadrature`).
"""
from __future__ import annotations

import math

import numpy as np

from ..errors import ConvergenceError, DerivationError, ParameterError
from .quadrature import node_counts, reference_rule

__all__ = ["Solver", "Solution"]

STABILITY_TOL = 1e-9
"""Replicon eigenvalues and Schur-complement curvatures down to ``-STABILITY_TOL`` count as stable."""

DOMAIN_TOL = 1e-8
"""How far (relative) an order parameter may sit outside its domain before the point is refused."""

HESSIAN_NUDGE = 1e-12
"""Where the Hessian is not finite at a solution, exact zeros of the order parameters are moved this far
into the domain and the Hessian is taken there (its limit from inside)."""

NUMERIC_RANGE = 1e100
"""The solver handles parameters with ``|p| <= NUMERIC_RANGE`` and temperatures ``T = 0`` or
``1/NUMERIC_RANGE <= T <= NUMERIC_RANGE``: the kernels multiply parameters with each other and with
``β`` (``β h``, ``β²`` in the Hessian, ``T log 2cosh``), and products of three such numbers stay below
the double-precision limit 1.8e308. Values outside raise ParameterError before any work (at
``h = 1e308`` the free energy would overflow to ``−inf``; at ``T = 1e308`` the Hessian would)."""


class Solution:
    """Order parameters, free energy and diagnostics of a saddle-point solve.

    For scalar parameters every attribute is a Python scalar; for array parameters an array of the
    broadcast shape. Points that did not converge (only with ``errors="mask"``) carry ``NaN`` values,
    ``converged=False`` and ``stable=False``.

    Attributes
    ----------
    order_parameters : dict
        Name -> value. At ``T = 0`` the zero-temperature order parameters (e.g. ``C = β(1-q)``) replace
        those without a finite limit; an order parameter absent at a point is ``NaN`` there.
    free_energy : float or numpy.ndarray
        Free energy per unit (the ground-state energy at ``T = 0``).
    converged : bool or numpy.ndarray
    stable : bool or numpy.ndarray
        Replicon ``>= -1e-9`` (if the saddle point has a replicon) and, if the leading order parameters
        are magnetisations (names starting with ``m``), a positive semi-definite Schur complement
        ``H_mm - H_mR H_RR^+ H_Rm`` of the Hessian of ``f``: the curvature of ``f`` in ``m`` with the
        remaining order parameters ``R`` slaved to their equations. With neither criterion available
        (no replicon, no magnetisation) a converged point counts as stable.
    replicon : float or numpy.ndarray
        The replicon eigenvalue (``NaN`` where the saddle point has none).
    curvature_stable : bool or numpy.ndarray
        The magnetisation criterion of ``stable`` alone (``True`` where it does not apply): whether
        the point is a minimum of ``f`` in the magnetisations, replica symmetry aside.
    hessian : numpy.ndarray
        Hessian of ``f`` in the order parameters (shape ``shape + (n, n)``, order of
        ``order_parameters`` of the finite- or zero-temperature equations of each point).
    residual : float or numpy.ndarray
        Max-norm of ``x - F(x)`` at the returned point.
    iterations : int or numpy.ndarray
        Iterations summed over all node counts tried.
    nodes : int or numpy.ndarray
        Quadrature nodes of the returned solution (1 where no Gaussian average occurs).
    parameters : dict
        All model parameters of the points (defaults included), temperature as ``T``.
    flags : dict
        Name -> bool (or boolean array): converged points that violate an identity the model requires
        beyond stationarity (:meth:`~statmech_nn.models.base.Model.physics_checks`, e.g.
        ``negative_entropy`` of discrete weights, ``off_nishimori`` where ``q = R`` must hold); only the
        identities violated somewhere are listed, each explained in :attr:`flag_messages`.
    physical : bool or numpy.ndarray
        Converged and no flag raised.
    """

    def __init__(self, model, order_parameters, free_energy, converged, stable, replicon, residual,
                 iterations, nodes, parameters, shape, curvature_stable=None, hessian=None, flags=None):
        scalar = shape == ()

        def out(a):
            a = np.asarray(a).reshape(shape)
            return a.item() if scalar else a

        self.model = model
        self.shape = shape
        self.order_parameters = {k: out(v) for k, v in order_parameters.items()}
        self.free_energy = out(free_energy)
        self.converged = out(converged)
        self.stable = out(stable)
        self.replicon = out(replicon)
        self.curvature_stable = out(stable if curvature_stable is None else curvature_stable)
        self.hessian = None if hessian is None else hessian.reshape(shape + hessian.shape[1:])
        self.residual = out(residual)
        self.iterations = out(iterations)
        self.nodes = out(nodes)
        self.parameters = {k: out(np.broadcast_to(v, shape)) for k, v in parameters.items()}
        flags = flags or {}
        self.flags = {k: out(mask) for k, (mask, _) in flags.items()}
        self.flag_messages = {k: message for k, (_, message) in flags.items()}
        ok = np.asarray(converged, bool).copy()
        for mask, _ in flags.values():
            ok &= ~np.asarray(mask, bool)
        self.physical = out(ok)

    def __getitem__(self, name):
        try:
            return self.order_parameters[name]
        except KeyError:
            raise KeyError(f"no order parameter {name!r}; this solution has "
                           f"{', '.join(self.order_parameters)}") from None

    def __contains__(self, name):
        return name in self.order_parameters

    def to_dict(self):
        """A JSON-serialisable dict (arrays become nested lists, ``NaN`` becomes ``None``)."""
        def plain(v):
            a = np.asarray(v)
            if a.dtype == bool:
                return a.tolist()
            if np.issubdtype(a.dtype, np.integer):
                return a.tolist()
            return np.where(np.isfinite(a), a, None).tolist() if a.ndim else \
                (float(a) if np.isfinite(a) else None)

        return {
            "model": self.model,
            "shape": list(self.shape),
            "parameters": {k: plain(v) for k, v in self.parameters.items()},
            "order_parameters": {k: plain(v) for k, v in self.order_parameters.items()},
            "free_energy": plain(self.free_energy),
            "converged": plain(self.converged),
            "stable": plain(self.stable),
            "replicon": plain(self.replicon),
            "residual": plain(self.residual),
            "iterations": plain(self.iterations),
            "nodes": plain(self.nodes),
            "flags": {k: plain(v) for k, v in self.flags.items()},
        }

    def _repr_html_(self):
        """A table in Jupyter: the order parameters, free energy and flags at a point, or a summary
        of a grid (ranges over the converged points)."""
        from html import escape
        if self.shape == ():
            pars = ", ".join(f"{escape(k)} = {v:g}" for k, v in self.parameters.items())
            rows = [(k, f"{v:.10g}") for k, v in self.order_parameters.items()]
            rows += [("free energy", f"{self.free_energy:.10g}"), ("replicon", f"{self.replicon:.6g}"),
                     ("converged", str(self.converged)), ("stable", str(self.stable)),
                     ("residual", f"{self.residual:.2g}"), ("quadrature nodes", str(self.nodes))]
            rows += [(f"flag: {k}", self.flag_messages[k]) for k, v in self.flags.items() if v]
            head = f"<p><b>Solution of {escape(self.model)}</b> at {pars}</p>"
        else:
            conv = np.asarray(self.converged)
            head = (f"<p><b>Solution of {escape(self.model)}</b> on a grid of shape {self.shape}: "
                    f"{int(conv.sum())}/{conv.size} converged, {int(np.asarray(self.stable).sum())} stable</p>")

            def span(v):
                v = np.asarray(v, float)[conv]
                return f"{v.min():.6g} … {v.max():.6g}" if v.size and np.isfinite(v).any() else "—"
            rows = [(k, span(v)) for k, v in self.order_parameters.items()]
            rows += [("free energy", span(self.free_energy))]
            rows += [(k, span(v)) for k, v in self.parameters.items() if np.ndim(v)]
        body = "".join(f"<tr><td>{escape(k)}</td><td>{escape(v)}</td></tr>" for k, v in rows)
        return f"<div>{head}<table><tbody>{body}</tbody></table></div>"

    def __repr__(self):
        if self.shape == ():
            vals = ", ".join(f"{k}={v:.6g}" for k, v in self.order_parameters.items())
            pars = ", ".join(f"{k}={v:g}" for k, v in self.parameters.items())
            raised = [k for k, v in self.flags.items() if v]
            return (f"<Solution of {self.model!r} at {pars}: {vals}, f={self.free_energy:.8g}, "
                    f"converged={self.converged}, stable={self.stable}"
                    + (f", flags: {', '.join(raised)}" if raised else "") + ">")
        conv = np.asarray(self.converged)
        return (f"<Solution of {self.model!r} on a grid of shape {self.shape} in "
                f"({', '.join(self.order_parameters)}): {int(conv.sum())}/{conv.size} converged, "
                f"{int(np.asarray(self.stable).sum())} stable>")


class _Branch:
    """One compiled saddle point (finite or zero temperature) and its parameter mapping."""

    def __init__(self, saddle_point, specs, progress=None):
        from ..codegen import compile_saddle_point

        self.saddle_point = saddle_point
        self.order_parameters = [str(x) for x in saddle_point.order_parameters]
        self._columns = []
        for sym in saddle_point.parameters:
            if sym == saddle_point.beta or sym.name == "beta":
                self._columns.append("beta")
            elif sym.name in specs:
                self._columns.append(sym.name)
            else:
                raise ParameterError(
                    f"the saddle point depends on {sym.name!r}, which is not a parameter of model "
                    f"{saddle_point.model.name!r} (its parameters: {', '.join(sorted(specs))})")
        if "beta" in self._columns and "T" not in specs:
            raise ParameterError(f"model {saddle_point.model.name!r} has no temperature parameter 'T'")
        roles = getattr(saddle_point, "roles", None) or {}
        if roles:
            # the magnetisations by role, wherever they stand (the RBM's m comes after q and p: taken
            # as the leading ones only, it had no minimum test, and an unstable branch of m ranked
            # as high as the stable one in the low-temperature retry)
            mags = [j for j, x in enumerate(saddle_point.order_parameters) if roles.get(x) == "magnetisation"]
        else:
            mags = []
            for x in saddle_point.order_parameters:
                # the leading magnetisations by name, for saddle points without roles
                if not str(x).startswith("m"):
                    break
                mags.append(len(mags))
        self.magnetisations = mags
        self._domain(saddle_point)
        self.kernels = compile_saddle_point(saddle_point, progress=progress)

    def _domain(self, saddle_point):
        """Bounds of each order parameter and constraints ``g(x, p) >= 0`` of a physical solution."""
        import sympy as sp
        n = len(self.order_parameters)
        self.lower, self.upper = np.full(n, -np.inf), np.full(n, np.inf)
        for j, x in enumerate(saddle_point.order_parameters):
            lo, hi = (getattr(saddle_point, "domains", None) or {}).get(x, (None, None))
            if lo is not None:
                self.lower[j] = float(lo)
            if hi is not None:
                self.upper[j] = float(hi)
        self.constraints = []
        symbols = list(saddle_point.order_parameters) + list(saddle_point.parameters)
        for g in getattr(saddle_point, "constraints", ()) or ():
            self.constraints.append((g, sp.lambdify(symbols, g, "numpy")))

    def outside(self, X, P):
        """Which rows of ``X`` (order parameters) at parameters ``P`` leave the domain, and why."""
        tol = DOMAIN_TOL * np.maximum(1.0, np.abs(X))
        low = X < self.lower - tol
        high = X > self.upper + tol
        bad = low.any(axis=1) | high.any(axis=1)
        reasons = {}
        for i in np.flatnonzero(bad):
            j = int(np.flatnonzero(low[i] | high[i])[0])
            side = (f"< {self.lower[j]:g}" if low[i, j] else f"> {self.upper[j]:g}")
            reasons[i] = f"{self.order_parameters[j]} = {X[i, j]:.6g} {side}"
        for g, f in self.constraints:
            with np.errstate(all="ignore"):
                value = np.broadcast_to(np.asarray(f(*X.T, *P.T), float), (X.shape[0],))
            viol = ~(value >= -DOMAIN_TOL)
            for i in np.flatnonzero(viol & ~bad):
                reasons[i] = f"{g} = {value[i]:.6g} < 0"
            bad |= viol
        return bad, reasons

    def parameter_matrix(self, values, idx):
        cols = []
        for name in self._columns:
            if name == "beta":
                cols.append(1.0 / values["T"][idx])
            else:
                cols.append(values[name][idx])
        return np.ascontiguousarray(np.stack(cols, axis=-1) if cols else np.empty((len(idx), 0)))


class Solver:
    """Numeric solver of a :class:`~statmech_nn.symbolic.SaddlePoint`, vectorised over parameters.

    Compiling the finite-temperature kernels happens here; the ``T = 0`` kernels (from
    ``saddle_point.zero_temperature()``) are compiled on the first solve with a ``T = 0`` point.

    Parameters
    ----------
    saddle_point : SaddlePoint
    tol : float
        Tolerance of the max-norm residual ``|x - F(x)|`` and of the change of the solution between
        two quadrature node counts.
    maxiter : int
        Iterations per point and per node count.
    damping : float
        Step ``d`` of the damped iteration ``x <- x + d (F(x) - x)``, in ``(0, 1]``.
    nodes, max_nodes : int
        First and largest node count of the doubling rule (see :mod:`statmech_nn.solve.quadrature`).
    progress : bool or None
        Progress bar while deriving the ``T = 0`` limit and compiling kernels (``None``: after a
        second, on a terminal or in a notebook; see :func:`statmech_nn.progress.progress_bar`).

    Examples
    --------
    >>> solver = sp.compile()                                  # doctest: +SKIP
    >>> sol = solver.solve(alpha=0.05, T=0.1, guess={"m": 1.0})  # doctest: +SKIP
    >>> sol["m"], sol.converged                                # doctest: +SKIP
    """

    def __init__(self, saddle_point, tol=1e-10, maxiter=200, damping=0.5, nodes=65,
                 max_nodes=4097, progress=None):
        if not (tol > 0 and math.isfinite(tol)):
            raise ParameterError(f"tol must be a positive number, got {tol!r}")
        if int(maxiter) != maxiter or maxiter < 1:
            raise ParameterError(f"maxiter must be a positive integer, got {maxiter!r}")
        if not 0 < damping <= 1:
            raise ParameterError(f"damping must lie in (0, 1], got {damping!r}")
        if not 3 <= nodes <= max_nodes:
            raise ParameterError(f"need 3 <= nodes <= max_nodes, got {nodes!r}, {max_nodes!r}")
        self.saddle_point = saddle_point
        self.model = saddle_point.model
        self.tol = float(tol)
        self.maxiter = int(maxiter)
        self.damping = float(damping)
        self.nodes = int(nodes)
        self.max_nodes = int(max_nodes)
        self.progress = progress
        self._specs = self.model.parameter_specs
        self._branches = {}
        self._branch("zero" if saddle_point.temperature == "zero" else "finite")

    def __repr__(self):
        return f"<Solver of {self.saddle_point!r}, tol={self.tol:g}, maxiter={self.maxiter}>"

    def _zero_saddle(self):
        from ..progress import progress_bar
        try:
            with progress_bar(None, f"deriving the T = 0 limit of {self.model.name!r}", self.progress,
                              unit="step"):
                return self.saddle_point.zero_temperature()
        except (NotImplementedError, DerivationError) as exc:
            raise ParameterError(
                f"model {self.model.name!r} has no zero-temperature limit ({exc}); use T > 0") from exc

    def _branch(self, kind):
        if kind not in self._branches:
            if kind == "zero":
                self._branches[kind] = _Branch(self._zero_saddle(), self._specs, self.progress)
            elif self.saddle_point.temperature == "zero":
                raise ParameterError("this saddle point is the T = 0 limit: T must be 0")
            else:
                self._branches[kind] = _Branch(self.saddle_point, self._specs, self.progress)
        return self._branches[kind]

    def _known_guess_names(self, names):
        known = [str(x) for x in self.saddle_point.order_parameters]
        if set(names) - set(known) and self.saddle_point.temperature == "finite" \
                and "T" in self._specs:
            try:
                known += [str(x) for x in self._zero_saddle().order_parameters]
            except ParameterError:
                pass
        return known

    def solve(self, guess=None, errors="raise", **params):
        """Solve the saddle-point equations at every point of the broadcast parameter grid.

        Parameters
        ----------
        guess : dict, optional
            Order parameter name -> starting value (scalar or array broadcast with the parameters);
            missing entries from the model's ``default_guess``. Guesses for order parameters that do
            not exist at ``T = 0`` (e.g. ``q``) are ignored at ``T = 0`` points.
        errors : {"raise", "mask"}
            ``"raise"``: a point that does not converge raises :class:`ConvergenceError`.
            ``"mask"``: such points are returned with ``converged=False`` and ``NaN`` values.
        **params
            Model parameters by their names (``T`` or ``beta``, ``alpha``, ``h``, ...), scalars or
            arrays broadcast together; missing ones take the model's defaults
            (``snn.model("hopfield", alpha=0.1)`` sets ``alpha``).

        Returns
        -------
        Solution

        Raises
        ------
        ParameterError
            Unknown or out-of-range parameters, unknown guess names, parameters outside the range
            the solver handles (:data:`NUMERIC_RANGE`).
        ConvergenceError
            With ``errors="raise"``, if any point does not converge; ``.residual`` and ``.parameters``
            describe the failing points.
        """
        if errors not in ("raise", "mask"):
            raise ParameterError(f"errors must be 'raise' or 'mask', got {errors!r}")
        values = self.model.parameters(**params)   # the model's own defaults fill the gaps
        _check_numeric_range(values)
        guess = dict(guess or {})
        known = self._known_guess_names(guess)
        unknown = sorted(set(guess) - set(known))
        if unknown:
            raise ParameterError(f"unknown order parameter(s) in guess: {', '.join(map(repr, unknown))}; "
                                 f"valid: {', '.join(dict.fromkeys(known))}")
        guess = {k: np.asarray(v, dtype=float) for k, v in guess.items()}
        shape = np.broadcast_shapes(*(v.shape for v in values.values()),
                                    *(v.shape for v in guess.values()))
        size = int(np.prod(shape))
        flat = {k: np.broadcast_to(v, shape).ravel() for k, v in values.items()}
        flat_guess = {k: np.broadcast_to(v, shape).ravel() for k, v in guess.items()}

        if "T" in self._specs:
            is_zero = flat["T"] == 0
        else:
            is_zero = np.full(size, self.saddle_point.temperature == "zero")
        groups = [(kind, np.flatnonzero(mask)) for kind, mask in
                  (("finite", ~is_zero), ("zero", is_zero))]
        groups = [(kind, idx) for kind, idx in groups if idx.size]

        results = {}
        for kind, idx in groups:
            branch = self._branch(kind)
            results[kind] = self._solve_group(branch, flat, flat_guess, idx)
            if branch.kernels.has_gaussian:
                self._retry_unresolved(branch, flat, flat_guess, idx, results[kind])

        names = list(dict.fromkeys(n for kind, _ in groups for n in self._branch(kind).order_parameters))
        order = {n: np.full(size, np.nan) for n in names}
        fields = {k: np.full(size, np.nan) for k in ("free_energy", "replicon", "residual")}
        converged = np.zeros(size, bool)
        stable = np.zeros(size, bool)
        curvature_stable = np.zeros(size, bool)
        nx = max(len(self._branch(kind).order_parameters) for kind, _ in groups) if groups else 0
        hessian = np.full((size, nx, nx), np.nan)
        iterations = np.zeros(size, np.int64)
        nodes = np.zeros(size, np.int64)
        quad_failed = np.zeros(size, bool)
        outside = {}
        for kind, idx in groups:
            r = results[kind]
            for j, n in enumerate(self._branch(kind).order_parameters):
                order[n][idx] = r["X"][:, j]
            for k in fields:
                fields[k][idx] = r[k]
            converged[idx] = r["converged"]
            stable[idx] = r["stable"]
            curvature_stable[idx] = r["curvature_stable"]
            k = r["hessian"].shape[1]
            hessian[idx, :k, :k] = r["hessian"]
            iterations[idx] = r["iterations"]
            nodes[idx] = r["nodes"]
            quad_failed[idx] = r["quad_failed"]
            outside.update({int(idx[i]): why for i, why in r["reasons"].items() if r["outside"][i]})

        bad = ~converged
        if bad.any() and errors == "raise":
            raise self._error(bad, quad_failed, flat, fields["residual"], iterations, nodes, names, outside)
        for v in order.values():
            v[bad] = np.nan
        fields["free_energy"][bad] = np.nan
        fields["replicon"][bad] = np.nan
        flags = {}
        checks = getattr(self.model, "physics_checks", None)     # a model object without the hook
        for name, mask, message in (checks(order, fields["free_energy"], flat) if checks else []):
            mask = np.asarray(mask, bool) & converged
            if mask.any():
                flags[name] = (mask, message)
        return Solution(self.model.name, order, fields["free_energy"], converged, stable,
                        fields["replicon"], fields["residual"], iterations, nodes, values, shape,
                        curvature_stable, hessian, flags)

    def _solve_group(self, branch, flat, flat_guess, idx, start=None):
        kernels = branch.kernels
        P = branch.parameter_matrix(flat, idx)
        defaults = self.model.default_guess(branch.order_parameters)
        X = np.empty((idx.size, len(branch.order_parameters)))
        for j, name in enumerate(branch.order_parameters):
            X[:, j] = flat_guess[name][idx] if name in flat_guess else defaults[name]
        X, res, iters, nodes, converged, quad_failed, moved = self._solve_adaptive(kernels, X, P, start)
        # a fixed point outside the order parameters' domain is not a solution
        outside, reasons = branch.outside(X, P)
        outside &= converged
        converged &= ~outside

        F = np.full(idx.size, np.nan)
        R = np.full(idx.size, np.nan)
        n = X.shape[1]
        Hs = np.full((idx.size, n, n), np.nan)
        for count in np.unique(nodes[converged]):
            sel = np.flatnonzero(converged & (nodes == count))
            Z, W = reference_rule(max(count, 3))
            f, h, r = np.empty(sel.size), np.empty((sel.size, n, n)), np.empty(sel.size)
            kernels.module.evaluate_batch(np.ascontiguousarray(X[sel]), np.ascontiguousarray(P[sel]),
                                          Z, W, f, h, r)
            bad = ~np.all(np.isfinite(h), axis=(1, 2))
            if bad.any():
                # a saddle point on the edge of the domain (e.g. λ_q = 0 under a square root, where the
                # Hessian's terms are 0·inf): take the Hessian as the limit from inside
                Xn = X[sel][bad]
                Xn[Xn == 0.0] = HESSIAN_NUDGE
                hn = np.empty((Xn.shape[0], n, n))
                kernels.module.evaluate_batch(Xn, np.ascontiguousarray(P[sel][bad]), Z, W,
                                              np.empty(Xn.shape[0]), hn, np.empty(Xn.shape[0]))
                h[bad] = hn
            F[sel], Hs[sel], R[sel] = f, h, r
        curvature_stable = converged & np.isfinite(F)
        if branch.magnetisations:
            curvature_stable &= _schur_stable(Hs, branch.magnetisations, converged)
        stable = curvature_stable.copy()
        if kernels.has_replicon:
            stable &= R >= -STABILITY_TOL
        return {"X": X, "residual": res, "iterations": iters, "nodes": nodes, "converged": converged,
                "quad_failed": quad_failed, "free_energy": F, "replicon": R, "stable": stable,
                "curvature_stable": curvature_stable, "hessian": Hs, "outside": outside,
                "reasons": reasons, "moved": moved}

    def _retry_unresolved(self, branch, flat, flat_guess, idx, result):
        """Solve again, starting the node doubling where the guess is resolved (:meth:`_start_levels`),
        the points whose guess was not resolved by the first node count and that either did not end
        on a converged stable solution, or reached theirs through a coarse fixed point that a finer
        rule moved by more than ``√tol`` (the coarse rule did not resolve the solution it found, so
        the refinements may have carried it to another branch: dense Hebbian, ``p = 4``, ``ρ = 2``,
        ``T = 0.01``, guess ``m = 1``: a spurious ``m = −3.7`` of the 65-node rule refined to the
        mirror ``m = −1.399``). The second answer is kept where it ranks higher (converged, then a
        minimum in the magnetisations, then replica-symmetric stability) and, for a first answer that
        was converged and stable through an unresolved path, where it ranks as high (its path starts
        from a rule that resolves the guess). ``result`` (of :meth:`_solve_group` at the points
        ``idx``) is updated in place. Points whose guess the first rule resolves keep their answer
        (the spin glass stays the spin glass).

        The doubling rule assumes that the solution with few nodes lies near the exact one. At low
        temperature from an ordered guess the Gaussian averages have steps of width ``T`` that a
        coarse rule misses by far more than the distance between branches (Hopfield at ``α = 0.05``,
        ``T = 0.001``, guess ``m = 1``: ``1 − m`` is off by 1e-3 with 65 nodes, exact 7.7e-6 with 129)
        and the coarse equations carry the iteration to another branch (the unstable ``m = 0.72``)
        that the finer rules then refine. Elsewhere the coarse start stays: its smoother equations are
        a good path to solutions that a fine start misses (e.g. the binary teacher–student at
        ``α = 2``, ``T = 0`` from ``q = R = 0.999``).
        """
        good = result["converged"] & result["curvature_stable"] & result["stable"]
        unresolved = good & (result["moved"] > math.sqrt(self.tol))
        weak = np.flatnonzero(~good | unresolved)
        if not weak.size:
            return
        defaults = self.model.default_guess(branch.order_parameters)
        X0 = np.empty((weak.size, len(branch.order_parameters)))
        for j, name in enumerate(branch.order_parameters):
            X0[:, j] = flat_guess[name][idx[weak]] if name in flat_guess else defaults[name]
        start = self._start_levels(branch.kernels, X0, branch.parameter_matrix(flat, idx[weak]),
                                   node_counts(self.nodes, self.max_nodes))
        rows = weak[start > 0]
        if not rows.size:
            return
        second = self._solve_group(branch, flat, flat_guess, idx[rows], start[start > 0])

        def rank(r, sel=slice(None)):
            return (4 * r["converged"][sel].astype(int) + 2 * r["curvature_stable"][sel].astype(int)
                    + r["stable"][sel].astype(int))

        better = (rank(second) > rank(result, rows)) | (unresolved[rows] & (rank(second) == 7))
        for key, values in result.items():
            if isinstance(values, np.ndarray):
                values[rows[better]] = second[key][better]
        # the reasons for leaving the domain are keyed by row: those of the kept second answers
        for k, row in zip(np.flatnonzero(better), rows[better]):
            result["reasons"].pop(int(row), None)
            if int(k) in second["reasons"]:
                result["reasons"][int(row)] = second["reasons"][int(k)]

    def _start_levels(self, kernels, X0, P, counts):
        """Per point, the first node count of the doubling rule that resolves its guess: the smallest
        whose fixed-point map at ``X0`` agrees with the next refinement to ``√tol``. The kernels'
        batch solver gives ``|x − F(x)|`` (no iteration) and one damped step ``x + d (F(x) − x)`` at
        every node count."""
        n = X0.shape[0]

        def probe(count, rows, maxiter):
            Z, W = reference_rule(max(count, 3))
            X1, R = np.empty((rows.size, X0.shape[1])), np.empty(rows.size)
            kernels.module.solve_batch(np.ascontiguousarray(X0[rows]), np.ascontiguousarray(P[rows]), Z, W,
                                       0.0, maxiter, self.damping, X1, R, np.empty(rows.size, np.int64))
            return X1, R

        start = np.zeros(n, np.int64)
        residual = probe(counts[0], np.arange(n), 0)[1]
        # a guess outside the domain of the equations says nothing about the rule: usual start
        pending = np.flatnonzero(np.isfinite(residual))
        residual = residual[pending]
        previous = None
        for level, count in enumerate(counts):
            if not pending.size:
                break
            if level:
                residual = probe(count, pending, 0)[1]
            # |x - F(x)| at the guess and one damped step: both bound |F_n - F_2n-1| from below (the
            # step exactly, unless it was shortened to stay in the domain)
            current = np.column_stack([probe(count, pending, 1)[0] / self.damping, residual])
            start[pending] = level
            if previous is not None:
                change = np.max(np.abs(current - previous), axis=1)
                resolved = ~(change > math.sqrt(self.tol))     # NaN: no information, usual start
                start[pending[resolved]] = level - 1
                pending, current = pending[~resolved], current[~resolved]
            previous = current
        return start

    def _solve_adaptive(self, kernels, X0, P, start=None):
        """Node doubling (see :mod:`statmech_nn.solve.quadrature`) around the batch solver; point ``i``
        starts at node count number ``start[i]`` (default: the first)."""
        N = X0.shape[0]
        X = X0.copy()
        res = np.full(N, np.inf)
        iters = np.zeros(N, np.int64)
        nodes = np.zeros(N, np.int64)
        converged = np.zeros(N, bool)
        moved = np.zeros(N)            # largest change of a converged coarse solution by a finer rule
        prev_ok = np.zeros(N, bool)
        tried = np.zeros(N, bool)
        counts = node_counts(self.nodes, self.max_nodes) if kernels.has_gaussian else [1]
        start = np.zeros(N, np.int64) if start is None else start
        active = np.flatnonzero(start == 0)
        for level, count in enumerate(counts):
            active = np.union1d(active, np.flatnonzero(start == level))
            if not active.size:
                continue
            Z, W = reference_rule(max(count, 3))
            X0a = np.ascontiguousarray(X[active])
            Xa, Ra, Ia = np.empty_like(X0a), np.empty(active.size), np.empty(active.size, np.int64)
            kernels.module.solve_batch(X0a, np.ascontiguousarray(P[active]), Z, W, self.tol,
                                       self.maxiter, self.damping, Xa, Ra, Ia)
            ok = Ra <= self.tol
            first = ~tried[active]
            if kernels.has_gaussian:
                change = np.max(np.abs(Xa - X0a), axis=1)
                refined = prev_ok[active] & ~first
                moved[active[refined]] = np.maximum(moved[active[refined]], change[refined])
                # geometric convergence: the finer rule's error is ~ (change)^2, so a change below
                # sqrt(tol)/10 certifies it as well as a change below tol
                certified = (change <= self.tol) | (change <= 0.1 * math.sqrt(self.tol))
                done = ok & prev_ok[active] & certified & ~first
                # more nodes cannot fix a solve that is far from converging
                give_up = ~ok & ((Ra > math.sqrt(self.tol)) | (~prev_ok[active] & ~first))
            else:
                done, give_up = ok, ~ok
            X[active], res[active], nodes[active] = Xa, Ra, count
            iters[active] += Ia
            converged[active] = done
            prev_ok[active] = ok
            tried[active] = True
            active = active[~done & ~give_up]
            if not active.size and not np.any(start > level):
                break
        quad_failed = ~converged & (res <= self.tol)
        return X, res, iters, nodes, converged, quad_failed, moved

    def _error(self, bad, quad_failed, flat, residual, iterations, nodes, names, outside=None):
        where = np.flatnonzero(bad)
        i = where[0]
        at = ", ".join(f"{k}={flat[k][i]:g}" for k in flat)
        msg = (f"the saddle point of {self.model.name!r} did not converge at {where.size} of "
               f"{bad.size} point(s); first at {at}: ")
        if outside and i in outside:
            msg += (f"the fixed point reached lies outside the domain of the order parameters "
                    f"({outside[i]}): not a physical solution. Fix: start from another guess "
                    f"(guess={{" + ", ".join(f"{n!r}: ..." for n in names) + "}).")
        elif quad_failed[i]:
            msg += (f"the solution still changed by more than tol={self.tol:g} between "
                    f"{(nodes[i] + 1) // 2} and {nodes[i]} quadrature nodes. Fix: loosen tol, raise "
                    f"max_nodes (Solver(..., max_nodes={2 * self.max_nodes - 1})) or solve at T=0.")
        else:
            msg += (f"residual {residual[i]:.3g} > tol={self.tol:g} after {iterations[i]} "
                    f"iterations. Fix: try another starting point (guess={{"
                    + ", ".join(f"{n!r}: ..." for n in names)
                    + f"}}), more iterations (Solver(..., maxiter={4 * self.maxiter})) or stronger "
                    f"damping (Solver(..., damping={self.damping / 2:g})); solve with errors='mask' "
                    f"to inspect the other points.")
        pars = {k: (v[where].item() if where.size == 1 else v[where].copy()) for k, v in flat.items()}
        res = residual[where].item() if where.size == 1 else residual[where].copy()
        return ConvergenceError(msg, residual=res, parameters=pars)


def _check_numeric_range(values):
    """ParameterError for parameters outside :data:`NUMERIC_RANGE`, naming the parameter."""
    for name, v in values.items():
        a = np.abs(np.asarray(v, dtype=float))
        tiny = (a > 0) & (a < 1.0 / NUMERIC_RANGE) if name == "T" else np.zeros(a.shape, bool)
        bad = (a > NUMERIC_RANGE) | tiny
        if np.any(bad):
            value = np.asarray(v, dtype=float)[bad].flat[0]
            allowed = (f"T = 0 or {1 / NUMERIC_RANGE:g} <= T <= {NUMERIC_RANGE:g}" if name == "T"
                       else f"|{name}| <= {NUMERIC_RANGE:g}")
            raise ParameterError(f"parameter {name!r} = {value:g} is outside the range the solver handles: "
                                 f"{allowed} (beyond it products such as beta*{name if name != 'T' else 'h'}"
                                 f" or the Hessian's beta**2 overflow double precision)")


def _schur_stable(Hs, mags, converged):
    """Positive semi-definite ``H_mm - H_mR pinv(H_RR) H_Rm`` at each converged point."""
    out = np.zeros(Hs.shape[0], bool)
    ok = converged & np.all(np.isfinite(Hs), axis=(1, 2))
    if not ok.any():
        return out
    H = Hs[ok]
    n = H.shape[1]
    m = np.asarray(mags)
    rest = np.setdiff1d(np.arange(n), m)
    S = H[:, m[:, None], m[None, :]]
    if rest.size:
        Hmr = H[:, m[:, None], rest[None, :]]
        Hrr = H[:, rest[:, None], rest[None, :]]
        S = S - Hmr @ np.linalg.pinv(Hrr) @ np.swapaxes(Hmr, 1, 2)
    S = 0.5 * (S + np.swapaxes(S, 1, 2))
    out[ok] = np.linalg.eigvalsh(S).min(axis=1) >= -STABILITY_TOL
    return out
