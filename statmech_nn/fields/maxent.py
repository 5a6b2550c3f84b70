"""Maximum-entropy (Ising) description of a raster with spatial and temporal couplings.

The raster's lattice field ``s_i(t) = ±1`` (neurons ``i = 0..N−1``, time bins ``t = 0..T−1``) is
described by the space–time Ising model

    P(S) = exp{ Σ_t [Σ_i h_i s_i(t) + Σ_{i<j} J_ij s_i(t) s_j(t)] + Σ_{t=0}^{T−2} Σ_{ij} K_ij s_i(t) s_j(t+1) } / Z,

open in time: the pairwise maximum-entropy model of equal-time activity (Schneidman et al., Nature 440,
1007 (2006)) extended along the time axis of the lattice by a nearest-bin coupling ``K_ij`` (Bardella,
Franchini, Pani, Ferraina, Entropy 26, 495 (2024), arXiv:2310.09178, the Ising model "extended in time";
iScience 2024, arXiv:2405.12022). ``K`` need not be symmetric: ``K_ij`` couples neuron ``i`` now to
neuron ``j`` one bin later. ``structure=`` picks which parameters are free:

* ``"full"``        — ``h_i``, ``J_ij`` (i<j), ``K_ij`` (all i, j);
* ``"static"``      — ``h_i``, ``J_ij``; ``K = 0`` (the equal-time maximum-entropy model);
* ``"chain"``       — ``h_i``, ``K_ii``; ``J = 0`` (independent neurons, each an Ising chain in time);
* ``"homogeneous"`` — the lattice-homogeneous model of the paper's lattice picture: one field ``h``,
  one nearest-neighbour coupling ``J`` between neurons ``i, i+1`` and one temporal coupling ``K``
  between ``s_i(t)`` and ``s_i(t+1)``.

The fit maximises the pseudo-likelihood (Besag, J. R. Stat. Soc. D 24, 179 (1975); for Ising inverse
problems Aurell and Ekeberg, PRL 108, 090201 (2012)) with its exact gradient by L-BFGS. Errors come
from the sandwich (Godambe) covariance of the pseudo-likelihood estimator, ``H⁻¹ V H⁻¹`` with ``H`` the
exact Hessian and ``V`` the covariance of the score estimated by batch means over time blocks (so that
the correlation of neighbouring bins is accounted for); they shrink like ``1/√T``.
"""
from __future__ import annotations

import dataclasses

import numpy as np

from ..errors import ConvergenceError, ParameterError
from .raster import Raster, as_raster

__all__ = ["SpaceTimeIsing", "MaxEntFit", "fit_maxent", "STRUCTURES"]

STRUCTURES = ("full", "static", "chain", "homogeneous")
_EXACT_LIMIT = 3e7  # largest 2^N · T handled by the exact transfer-matrix sampler


def _as_matrix(value, N, name):
    arr = np.zeros((N, N)) if value is None else np.array(value, dtype=float)
    if arr.shape != (N, N):
        raise ParameterError(f"{name} must have shape ({N}, {N}) for {N} neurons, got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ParameterError(f"{name} contains NaN or infinite entries")
    return arr


class SpaceTimeIsing:
    """The space–time Ising model of a raster (module docstring), parameters ``h``, ``J``, ``K``.

    Parameters
    ----------
    h : array_like, shape (N,)
        Fields.
    J : array_like, shape (N, N), optional
        Equal-time couplings, symmetric with zero diagonal (default 0).
    K : array_like, shape (N, N), optional
        Temporal couplings ``K_ij s_i(t) s_j(t+1)`` (default 0).

    Examples
    --------
    >>> model = SpaceTimeIsing(h=[0.1, -0.2], J=[[0, 0.3], [0.3, 0]], K=[[0.5, 0], [0, 0.5]])
    >>> model.sample(T=1000, seed=0).shape
    (2, 1000)
    """

    def __init__(self, h, J=None, K=None):
        h = np.array(h, dtype=float).ravel()
        if h.size == 0 or not np.all(np.isfinite(h)):
            raise ParameterError("h must be a non-empty vector of finite fields, one per neuron")
        N = h.size
        J = _as_matrix(J, N, "J")
        if not np.allclose(J, J.T, atol=1e-12) or np.any(np.diag(J) != 0):
            raise ParameterError("J must be symmetric with zero diagonal (J_ij = J_ji, J_ii = 0)")
        self.h, self.J, self.K = h, J, _as_matrix(K, N, "K")

    @property
    def n_neurons(self):
        return self.h.size

    def __repr__(self):
        return f"SpaceTimeIsing(N={self.n_neurons})"

    # ------------------------------------------------------------------ sampling
    def _population_weights(self):
        """``log φ(a)`` and ``log ψ(a, b)`` over the ``2^N`` population states (bit i of a ↔ s_i = +1)."""
        N = self.n_neurons
        states = 2 * ((np.arange(2 ** N)[:, None] >> np.arange(N)[None, :]) & 1) - 1
        log_site = states @ self.h + 0.5 * np.einsum("ai,ij,aj->a", states, self.J, states)
        log_link = states @ self.K @ states.T
        return states, log_site, log_link

    def sample(self, T, seed=0, method="auto", sweeps=200, bin_width=1.0):
        """Draw one raster of ``T`` bins.

        Parameters
        ----------
        T : int
            Number of time bins.
        seed : int or numpy.random.SeedSequence
            The only source of randomness: equal seeds give equal rasters.
        method : {"auto", "exact", "gibbs"}
            ``"exact"``: transfer-matrix sampling over the ``2^N`` population states (needs
            ``2^N · T ≤ 3·10^7``); ``"gibbs"``: ``sweeps`` heat-bath sweeps of the whole lattice from a
            random start (numba); ``"auto"``: exact when allowed.
        """
        from . import raster_kernels

        T = int(T)
        if T < 2:
            raise ParameterError(f"T must be at least 2 time bins, got {T}")
        if method not in ("auto", "exact", "gibbs"):
            raise ParameterError(f"method must be 'auto', 'exact' or 'gibbs', got {method!r}")
        N = self.n_neurons
        exact_ok = N <= 12 and 2 ** N * T <= _EXACT_LIMIT
        if method == "exact" and not exact_ok:
            raise ParameterError(f"exact sampling needs 2^N·T ≤ {_EXACT_LIMIT:.0e} (N={N}, T={T}); "
                                 "use method='gibbs'")
        rng = np.random.default_rng(seed)
        if method == "exact" or (method == "auto" and exact_ok):
            states, log_site, log_link = self._population_weights()
            idx = raster_kernels.transfer_matrix_sample(log_site, log_link, T, rng.random(T))
            return Raster.from_spins(states[idx].T, bin_width)
        sweeps = int(sweeps)
        if sweeps < 1:
            raise ParameterError(f"sweeps must be ≥ 1, got {sweeps}")
        S = rng.choice(np.array([-1, 1], dtype=np.int8), size=(N, T))
        L = raster_kernels.local_fields(S, self.J, self.K)
        for _ in range(sweeps):
            raster_kernels.gibbs_sweep(S, L, self.h, self.J, self.K, rng.random((N, T)))
        return Raster.from_spins(S, bin_width)


# ---------------------------------------------------------------------------------------------- fit
def _tying(N, structure):
    """Matrix ``A`` with ``full = A θ`` (full = [h (N), J_{i<j} (N(N−1)/2), K (N²)]) and θ's names."""
    pairs = [(i, j) for i in range(N) for j in range(i + 1, N)]
    n_full = N + len(pairs) + N * N
    h_cols = list(range(N))
    j_cols = {p: N + k for k, p in enumerate(pairs)}
    k_col = lambda i, j: N + len(pairs) + i * N + j  # noqa: E731
    columns, names = [], []
    if structure == "homogeneous":
        columns = [h_cols, [j_cols[(i, i + 1)] for i in range(N - 1)], [k_col(i, i) for i in range(N)]]
        names = ["h", "J", "K"]
        if N == 1:  # no neighbour pair to couple
            columns, names = [columns[0], columns[2]], ["h", "K"]
    else:
        columns += [[c] for c in h_cols]
        names += [f"h[{i}]" for i in range(N)]
        if structure in ("full", "static"):
            columns += [[j_cols[p]] for p in pairs]
            names += [f"J[{i},{j}]" for i, j in pairs]
        if structure == "full":
            columns += [[k_col(i, j)] for i in range(N) for j in range(N)]
            names += [f"K[{i},{j}]" for i in range(N) for j in range(N)]
        if structure == "chain":
            columns += [[k_col(i, i)] for i in range(N)]
            names += [f"K[{i},{i}]" for i in range(N)]
    A = np.zeros((n_full, len(columns)))
    for c, rows in enumerate(columns):
        A[rows, c] = 1.0
    return A, names, pairs


def _unpack(full, N, pairs):
    h = full[:N].copy()
    J = np.zeros((N, N))
    for k, (i, j) in enumerate(pairs):
        J[i, j] = J[j, i] = full[N + k]
    K = full[N + len(pairs):].reshape(N, N).copy()
    return h, J, K


def _neighbours(S):
    s_next = np.zeros_like(S)
    s_prev = np.zeros_like(S)
    s_next[:, :-1] = S[:, 1:]
    s_prev[:, 1:] = S[:, :-1]
    return s_next, s_prev


def _log2cosh(x):
    a = np.abs(x)
    return a + np.log1p(np.exp(-2.0 * a))


@dataclasses.dataclass
class MaxEntFit:
    """Result of :func:`fit_maxent`.

    Attributes
    ----------
    model : SpaceTimeIsing
        The fitted model (``.h``, ``.J``, ``.K``).
    h_err, J_err, K_err : numpy.ndarray
        One-standard-error of each entry (sandwich covariance; zero for entries fixed by ``structure``;
        tied entries of ``"homogeneous"`` share the error of their parameter).
    theta, theta_err, names : arrays / list
        The free parameters, their errors and names (``"h[0]"``, ``"J[0,1]"``, ``"K[1,0]"``, or
        ``"h"``, ``"J"``, ``"K"`` for ``"homogeneous"``).
    covariance : numpy.ndarray
        Covariance of ``theta``.
    pseudo_loglik : float
        Mean log pseudo-likelihood per lattice site at the optimum.
    structure : str
    n_bins : int
    bin_width : float
    """

    model: SpaceTimeIsing
    h_err: np.ndarray
    J_err: np.ndarray
    K_err: np.ndarray
    theta: np.ndarray
    theta_err: np.ndarray
    names: list
    covariance: np.ndarray
    pseudo_loglik: float
    structure: str
    n_bins: int
    bin_width: float

    @property
    def h(self):
        return self.model.h

    @property
    def J(self):
        return self.model.J

    @property
    def K(self):
        return self.model.K

    def __getitem__(self, name):
        """Value and error of a free parameter by name, e.g. ``fit["K[0,0]"]`` → ``(value, error)``."""
        if name not in self.names:
            raise ParameterError(f"unknown parameter {name!r}; fitted ones are {self.names}")
        k = self.names.index(name)
        return float(self.theta[k]), float(self.theta_err[k])


def fit_maxent(raster, structure="full", l2=0.0, errors=True, n_blocks=40, tol=1e-10, max_iter=2000):
    """Fit the space–time Ising model to a raster by maximum pseudo-likelihood.

    Parameters
    ----------
    raster : Raster or array_like of 0/1
    structure : {"full", "static", "chain", "homogeneous"}
        Which parameters are free (module docstring).
    l2 : float
        Optional ridge penalty ``(l2/2)|θ|²`` on the mean negative log pseudo-likelihood (0: none; the
        errors are then those of the penalised estimator, valid only for small ``l2``).
    errors : bool
        Compute the sandwich errors (batch means over ``n_blocks`` contiguous time blocks).
    tol, max_iter
        L-BFGS stopping rule (gradient tolerance) and iteration cap.

    Returns
    -------
    MaxEntFit

    Raises
    ------
    ParameterError
        Unknown structure, too short a raster, a neuron that never (or always) fires.
    ConvergenceError
        L-BFGS failed to converge.

    Examples
    --------
    >>> true = SpaceTimeIsing(h=[0.2, -0.1], J=[[0, 0.4], [0.4, 0]], K=[[0.3, 0.1], [0.0, 0.3]])
    >>> fit = fit_maxent(true.sample(T=20000, seed=1))
    >>> bool(abs(fit.J[0, 1] - 0.4) < 5 * fit.J_err[0, 1])
    True
    """
    from scipy.optimize import minimize

    raster = as_raster(raster)
    if structure not in STRUCTURES:
        raise ParameterError(f"unknown structure {structure!r}; choose one of {STRUCTURES}")
    l2 = float(l2)
    if not np.isfinite(l2) or l2 < 0:
        raise ParameterError(f"l2 must be a non-negative number, got {l2}")
    N, T = raster.shape
    n_blocks = int(n_blocks)
    if errors and (n_blocks < 2 or T < 4 * n_blocks):
        raise ParameterError(f"errors need ≥ 2 blocks of ≥ 4 bins: T={T}, n_blocks={n_blocks}; "
                             "use a longer raster or fewer n_blocks")
    if T < 3:
        raise ParameterError(f"the raster has {T} time bins; a fit needs at least 3")
    rates = raster.activity.mean(axis=1)
    if l2 == 0 and np.any((rates == 0) | (rates == 1)):
        i = int(np.flatnonzero((rates == 0) | (rates == 1))[0])
        raise ParameterError(f"neuron {i} is {'never' if rates[i] == 0 else 'always'} active: its field is "
                             "infinite; drop it or pass l2 > 0")
    A, names, pairs = _tying(N, structure)
    S = raster.spins.astype(float)
    s_next, s_prev = _neighbours(S)
    sites = N * T

    def fields(theta):
        h, J, K = _unpack(A @ theta, N, pairs)
        return h[:, None] + J @ S + K @ s_next + K.T @ s_prev

    def objective(theta):
        H = fields(theta)
        value = -(np.sum(S * H) - np.sum(_log2cosh(H))) / sites + 0.5 * l2 * theta @ theta
        R = S - np.tanh(H)
        g_h = R.sum(axis=1)
        G_J = R @ S.T + S @ R.T
        g_J = np.array([G_J[i, j] for i, j in pairs])
        G_K = R[:, :-1] @ S[:, 1:].T + S[:, :-1] @ R[:, 1:].T
        grad_full = np.concatenate([g_h, g_J, G_K.ravel()])
        return value, -(A.T @ grad_full) / sites + l2 * theta

    res = minimize(objective, np.zeros(A.shape[1]), jac=True, method="L-BFGS-B",
                   options={"maxiter": int(max_iter), "gtol": float(tol), "ftol": 1e-15})
    grad_norm = float(np.max(np.abs(res.jac))) if res.jac.size else 0.0
    if not res.success and grad_norm > 1e-6:
        raise ConvergenceError(f"pseudo-likelihood fit did not converge ({res.message}); max |gradient| = "
                               f"{grad_norm:.2e}. Try l2 > 0 or a longer raster", residual=grad_norm)
    theta = res.x
    h, J, K = _unpack(A @ theta, N, pairs)
    cov = np.full((theta.size, theta.size), np.nan)
    theta_err = np.full(theta.size, np.nan)
    if errors:
        cov = _sandwich_covariance(S, s_next, s_prev, fields(theta), A, N, pairs, n_blocks, l2)
        theta_err = np.sqrt(np.diag(cov))
    err_full = np.abs(A) @ theta_err  # each full entry is tied to at most one θ
    h_err, J_err, K_err = _unpack(err_full, N, pairs)
    return MaxEntFit(SpaceTimeIsing(h, J, K), h_err, J_err, K_err, theta, theta_err, names, cov,
                     float(-res.fun + 0.5 * l2 * theta @ theta), structure, T, raster.bin_width)


def _sandwich_covariance(S, s_next, s_prev, H, A, N, pairs, n_blocks, l2):
    """``H⁻¹ V H⁻¹`` for the total log pseudo-likelihood: ``H = Σ_{i,t} sech²(H_i(t)) x x^T`` (exact
    Hessian, the local fields being linear in θ) and ``V`` the batch-means covariance of the score."""
    T = S.shape[1]
    n_pairs = len(pairs)
    pair_index = {p: N + k for k, p in enumerate(pairs)}
    P = A.shape[1]
    hess = np.zeros((P, P))
    edges = np.linspace(0, T, n_blocks + 1).astype(int)
    scores = np.zeros((n_blocks, P))
    R = S - np.tanh(H)
    W = 1.0 / np.cosh(H) ** 2
    for i in range(N):
        # the entries of θ_full that H_i(t) depends on, and ∂H_i(t)/∂θ_full as columns of X
        idx = [i]
        cols = [np.ones(T)]
        for j in range(N):
            if j != i:
                idx.append(pair_index[(min(i, j), max(i, j))])
                cols.append(S[j])
        for j in range(N):
            idx.append(N + n_pairs + i * N + j)   # K_ij s_j(t+1)
            cols.append(s_next[j])
            idx.append(N + n_pairs + j * N + i)   # K_ji s_j(t−1)
            cols.append(s_prev[j])
        X = np.array(cols).T
        A_loc = A[idx]
        hess += A_loc.T @ ((X * W[i][:, None]).T @ X) @ A_loc
        block_sums = np.add.reduceat(X * R[i][:, None], edges[:-1], axis=0)
        scores += block_sums @ A_loc
    hess += l2 * S.size * np.eye(P)
    scores -= scores.mean(axis=0)
    V = scores.T @ scores * n_blocks / (n_blocks - 1)
    try:
        hinv = np.linalg.inv(hess)
    except np.linalg.LinAlgError:
        raise ParameterError("the pseudo-likelihood Hessian is singular (a parameter is not identified "
                             "by the raster); use a simpler structure or a longer raster") from None
    return hinv @ V @ hinv
