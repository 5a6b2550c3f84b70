"""The solver driver shared by every generated kernel module: compiled once, cached by numba.

Until this module existed, every generated module carried its own copy of the damped fixed point /
Newton driver and its batch loops (``parallel=True``), so numba compiled the same ~150 lines again for
every model and for its ``T = 0`` limit: about half of the first ``solve``. Here the driver is compiled
once (on first use after installation; numba's on-disk cache keeps it) and receives the model's kernels
as first-class functions of fixed signature (:data:`KERNEL_TYPES`); the arithmetic per point is the one
the generated drivers did, in the same order, so the numbers are identical.

Batches run on Python threads over chunks of rows (the kernels release the GIL), not numba's parallel
loops: their compilation cost seconds, and on small batches (the refinements of a phase diagram) their
start-up cost more than the work.
"""
from __future__ import annotations

import concurrent.futures as cf
import math
import os
import threading
from collections import namedtuple

import numba
import numpy as np
from numba import types
from numba.core.typing.typeof import typeof_impl

__all__ = ["Kernels", "kernels", "solve_batch", "evaluate_batch", "SIGNATURES", "KERNEL_TYPES", "run_rows"]

#: the compiled functions of one generated module (``replicon`` returns NaN where there is none)
Kernels = namedtuple("Kernels", "rhs jac jac_stein in_domain free_energy hessian replicon")

_vec = types.Array(types.float64, 1, "C")
_mat = types.Array(types.float64, 2, "C")
_cube = types.Array(types.float64, 3, "C")
_nodes = types.Array(types.float64, 1, "C", readonly=True)
_ivec = types.Array(types.int64, 1, "C")

#: the signatures of the generated kernels as the driver calls them (x, p, Z, W[, out])
SIGNATURES = {
    "rhs": types.void(_vec, _vec, _nodes, _nodes, _vec),
    "jac": types.void(_vec, _vec, _nodes, _nodes, _mat),
    "free_energy": types.float64(_vec, _vec, _nodes, _nodes),
    "in_domain": types.boolean(_vec, _vec),
}
SIGNATURES.update(jac_stein=SIGNATURES["jac"], hessian=SIGNATURES["jac"], replicon=SIGNATURES["free_energy"])
KERNEL_TYPES = {k: types.FunctionType(v) for k, v in SIGNATURES.items()}
_rhs_t, _jac_t, _f_t, _dom_t = (KERNEL_TYPES[k] for k in ("rhs", "jac", "free_energy", "in_domain"))

_jit = numba.njit(cache=True, fastmath=False, error_model="numpy", nogil=True)

_WARMUP = 5        # damped fixed-point iterations before Newton
_MAX_HALVINGS = 7  # Newton steps shorter than 2**-6 count as failed (stagnation at a minimum of |F|)
_BURST = 10        # damped iterations after the first failed Newton step (doubling with each failure)
#: how far (relative) an iterate may fall outside an order parameter's bounds and be put back on the
#: bound: the tolerance within which the solver counts a solution as inside its domain
#: (statmech_nn.solve.solver.DOMAIN_TOL); rounding puts a solution that lies on its bound (the
#: paramagnet's q = 0) on either side of it, and outside it the map may not be finite (a variance
#: q/(…)² < 0 under a square root), where no step can be taken
SNAP_TOL = 1e-8
_HALVINGS = 30     # halvings of a damped step that leaves the domain (non-finite residual)


@_jit
def _residual(rhs, in_domain, x, p, Z, W, r, F):
    """F = x - rhs(x); returns |F|_2 (inf if any entry is not finite or x leaves the domain of the
    free energy), the line-search merit."""
    if not in_domain(x, p):
        return math.inf
    rhs(x, p, Z, W, r)
    s = 0.0
    for i in range(x.shape[0]):
        F[i] = x[i] - r[i]
        if not math.isfinite(F[i]):
            return math.inf
        s += F[i] * F[i]
    return math.sqrt(s)


@_jit
def _maxnorm(F):
    worst = 0.0
    for i in range(F.shape[0]):
        worst = max(worst, abs(F[i]))
    return worst


@_jit
def _lu_solve(A, b, out):
    """Solve A out = b in place (Gaussian elimination, partial pivoting); False if singular."""
    n = b.shape[0]
    for i in range(n):
        out[i] = b[i]
    for c in range(n):
        piv = c
        for r in range(c + 1, n):
            if abs(A[r, c]) > abs(A[piv, c]):
                piv = r
        if not (abs(A[piv, c]) > 1e-300):
            return False
        if piv != c:
            for k in range(n):
                A[c, k], A[piv, k] = A[piv, k], A[c, k]
            out[c], out[piv] = out[piv], out[c]
        for r in range(c + 1, n):
            f = A[r, c] / A[c, c]
            for k in range(c, n):
                A[r, k] -= f * A[c, k]
            out[r] -= f * out[c]
    for c in range(n - 1, -1, -1):
        s = out[c]
        for k in range(c + 1, n):
            s -= A[c, k] * out[k]
        out[c] = s / A[c, c]
        if not math.isfinite(out[c]):
            return False
    return True


@_jit
def _snap(xt, lo, hi):
    """Iterates outside their bounds by less than SNAP_TOL (relative) back onto the bound."""
    for i in range(xt.shape[0]):
        if xt[i] < lo[i] and xt[i] >= lo[i] - SNAP_TOL * max(1.0, abs(lo[i])):
            xt[i] = lo[i]
        elif xt[i] > hi[i] and xt[i] <= hi[i] + SNAP_TOL * max(1.0, abs(hi[i])):
            xt[i] = hi[i]


@_jit
def _damped_step(rhs, in_domain, x, p, Z, W, damping, r, F, xt, Ft, res, lo, hi):
    """x <- x - d F(x); d is halved while the new residual is not finite. Returns the residual."""
    nx = x.shape[0]
    d = damping
    for _ in range(_HALVINGS):
        for i in range(nx):
            xt[i] = x[i] - d * F[i]
        _snap(xt, lo, hi)
        rt = _residual(rhs, in_domain, xt, p, Z, W, r, Ft)
        if math.isfinite(rt):
            for i in range(nx):
                x[i] = xt[i]
                F[i] = Ft[i]
            return rt
        d *= 0.5
    return res


@_jit
def _solve_point(rhs, jac, jac_stein, in_domain, x, p, Z, W, tol, maxiter, damping, lo, hi):
    """Damped fixed point, then Newton on x - rhs(x) with step halving (Armijo on |F|_2). When
    Newton stalls (no root nearby, e.g. a branch that has ended) a burst of damped iterations follows,
    which flows to a stable fixed point. Returns the final max-norm residual and the iterations."""
    nx = x.shape[0]
    r = np.empty(nx)
    F = np.empty(nx)
    Ft = np.empty(nx)
    xt = np.empty(nx)
    dx = np.empty(nx)
    J = np.empty((nx, nx))
    res = _residual(rhs, in_domain, x, p, Z, W, r, F)
    if not math.isfinite(res):
        # the start lies outside the domain of the free energy (or the map is not finite there):
        # nothing to iterate from (F is not filled there: stepping along it would start a walk
        # from whatever the memory held, a different branch from run to run)
        return math.inf, 0
    it = 0
    stalls = 0
    burst = _WARMUP
    while it < maxiter and not (_maxnorm(F) <= tol):
        it += 1
        accepted = False
        if burst > 0:
            burst -= 1
        else:
            jac(x, p, Z, W, J)
            finite = True
            for i in range(nx):
                for j in range(nx):
                    finite = finite and math.isfinite(J[i, j])
            if not finite:
                jac_stein(x, p, Z, W, J)
            for i in range(nx):
                for j in range(nx):
                    J[i, j] = (1.0 if i == j else 0.0) - J[i, j]
            if _lu_solve(J, F, dx):
                lam = 1.0
                for _ in range(_MAX_HALVINGS):
                    for i in range(nx):
                        xt[i] = x[i] - lam * dx[i]
                    _snap(xt, lo, hi)
                    rt = _residual(rhs, in_domain, xt, p, Z, W, r, Ft)
                    if rt <= (1.0 - 1e-4 * lam) * res:
                        for i in range(nx):
                            x[i] = xt[i]
                            F[i] = Ft[i]
                        res = rt
                        accepted = True
                        break
                    lam *= 0.5
            if not accepted:   # stalled (e.g. the ghost of a vanished branch): flow for longer
                stalls += 1
                burst = _BURST * 2 ** min(stalls, 6)
        if not accepted:
            res = _damped_step(rhs, in_domain, x, p, Z, W, damping, r, F, xt, Ft, res, lo, hi)
    return (_maxnorm(F) if math.isfinite(res) else math.inf), it


@numba.njit(types.void(_rhs_t, _jac_t, _jac_t, _dom_t, _mat, _mat, _nodes, _nodes, types.float64,
                       types.int64, types.float64, _mat, _vec, _ivec, _nodes, _nodes),
            cache=True, fastmath=False, error_model="numpy", nogil=True)
def _solve_rows(rhs, jac, jac_stein, in_domain, X0, P, Z, W, tol, maxiter, damping, X, RES, ITERS, lo, hi):
    for i in range(X0.shape[0]):
        for j in range(X0.shape[1]):
            X[i, j] = X0[i, j]
        res, it = _solve_point(rhs, jac, jac_stein, in_domain, X[i], P[i], Z, W, tol, maxiter, damping,
                               lo, hi)
        RES[i] = res
        ITERS[i] = it


@numba.njit(types.void(_f_t, _jac_t, _f_t, _mat, _mat, _nodes, _nodes, _vec, _cube, _vec),
            cache=True, fastmath=False, error_model="numpy", nogil=True)
def _evaluate_rows(free_energy, hessian, replicon, X, P, Z, W, F, HESS, REPL):
    for i in range(X.shape[0]):
        F[i] = free_energy(X[i], P[i], Z, W)
        hessian(X[i], P[i], Z, W, HESS[i])
        REPL[i] = replicon(X[i], P[i], Z, W)


class _Address(types.WrapperAddressProtocol):
    """A kernel as a first-class function of its driver signature, its address looked up once (numba
    looks a dispatcher's up on every call: ~0.1 ms, as much as a small batch's work)."""

    def __init__(self, dispatcher, signature):
        self.dispatcher = dispatcher        # keeps the compiled code alive
        self._signature = signature
        self._address = None
        self.numba_type = types.FunctionType(signature)

    def __wrapper_address__(self):
        if self._address is None:
            from numba.experimental.function_type import _get_wrapper_address
            self.dispatcher.compile(self._signature)
            self._address = _get_wrapper_address(self.dispatcher, self._signature)
        return self._address

    def signature(self):
        return self._signature


@typeof_impl.register(_Address)
def _typeof_address(val, c):
    # the type made once: numba's generic typeof of a first-class function rebuilds it on every call
    return val.numba_type


def kernels(*dispatchers):
    """:class:`Kernels` of a generated module from its jitted functions (in the order of the fields)."""
    return Kernels(*(_Address(d, SIGNATURES[name]) for name, d in zip(Kernels._fields, dispatchers)))


# -- batches on threads -----------------------------------------------------------------------------
_POOL = None
_POOL_LOCK = threading.Lock()
#: rows below which a batch runs in the calling thread (thread hand-over costs more than it saves)
MIN_ROWS_PER_THREAD = 8


def _threads():
    return max(1, int(os.environ.get("NUMBA_NUM_THREADS") or numba.config.NUMBA_NUM_THREADS or 1))


def _pool(n):
    global _POOL
    with _POOL_LOCK:
        if _POOL is None or _POOL._max_workers != n:
            _POOL = cf.ThreadPoolExecutor(max_workers=n, thread_name_prefix="statmech_nn-kernels")
        return _POOL


def run_rows(fn, *arrays):
    """``fn(*chunks)`` over chunks of rows of ``arrays`` (equal numbers of rows, C-contiguous, outputs
    included: the chunks are views), on a pool of threads when the batch is large enough."""
    rows = arrays[0].shape[0]
    n = min(_threads(), rows // MIN_ROWS_PER_THREAD)
    if n <= 1:
        fn(*arrays)
        return
    bounds = np.linspace(0, rows, 4 * n + 1).astype(int)   # more chunks than threads: uneven costs
    pool = _pool(n)
    futures = [pool.submit(fn, *(a[lo:hi] for a in arrays))
               for lo, hi in zip(bounds[:-1], bounds[1:]) if hi > lo]
    for f in futures:
        f.result()


def solve_batch(kernels, X0, P, Z, W, tol, maxiter, damping, X, RES, ITERS, lower=None, upper=None):
    """Solve every row of ``X0``/``P`` with :class:`Kernels` ``kernels``; writes ``X``, the final
    max-norm residual ``RES`` and the iterations ``ITERS``. ``lower``, ``upper``: the bounds of the
    order parameters (default none), onto which iterates that fall outside by rounding
    (:data:`SNAP_TOL`) are put back."""
    k = kernels
    n = X0.shape[1]
    lo = np.full(n, -np.inf) if lower is None else np.ascontiguousarray(lower, dtype=float)
    hi = np.full(n, np.inf) if upper is None else np.ascontiguousarray(upper, dtype=float)
    lo.flags.writeable = hi.flags.writeable = False

    def call(X0, P, X, RES, ITERS):
        _solve_rows(k.rhs, k.jac, k.jac_stein, k.in_domain, X0, P, Z, W, float(tol), int(maxiter),
                    float(damping), X, RES, ITERS, lo, hi)

    run_rows(call, X0, P, X, RES, ITERS)


def evaluate_batch(kernels, X, P, Z, W, F, HESS, REPL):
    """Free energy, Hessian and replicon (NaN where the saddle point has none) at every row of
    ``X``/``P``."""
    k = kernels

    def call(X, P, F, HESS, REPL):
        _evaluate_rows(k.free_energy, k.hessian, k.replicon, X, P, Z, W, F, HESS, REPL)

    run_rows(call, X, P, F, HESS, REPL)
