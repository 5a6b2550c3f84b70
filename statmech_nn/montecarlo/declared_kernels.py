"""Numba kernels of declared models (:mod:`statmech_nn.montecarlo.declared`): dense pair couplings with
Ising ``±1``, Boolean ``{0, 1}`` or spherical units. Plain arrays and scalars in; no SymPy.

Energy ``H(σ) = −Σ_{i<j} J_ij σ_i σ_j − h Σ_i σ_i`` with ``J`` symmetric and a zero diagonal; every chain
caches its local fields ``f_i = Σ_j J_ij σ_j`` (``O(N)`` per accepted move). Spins are float64 for every
kind of unit. Chains, temperature slots, random streams and replica exchange as in
:mod:`statmech_nn.montecarlo.kernels`.

Moves (one sweep visits ``i = 0..N−1`` in order; each move leaves the Boltzmann measure invariant):

- Ising: ``σ_i → −σ_i``; Boolean: ``σ_i → 1 − σ_i``; both ``ΔE = −d(f_i + h)`` with ``d`` the change of
  ``σ_i`` (the diagonal is zero): the dense SK sweep of :mod:`~statmech_nn.montecarlo.kernels`
  (:func:`~statmech_nn.montecarlo.kernels.dense_flip`).
- Spherical (``Σ_i σ_i² = N``): rotation of a pair of coordinates ``(i, j)``, ``j`` uniform among the
  other ``N − 1`` sites, by an angle ``θ`` uniform in ``[−δ, δ]``:
  ``(σ_i, σ_j) → (σ_i cos θ − σ_j sin θ, σ_i sin θ + σ_j cos θ)``. A rotation maps the sphere onto
  itself and preserves its uniform (surface) measure, and ``θ`` and ``−θ`` are equally likely, so the
  proposal is symmetric with respect to that measure; accepting with ``min(1, e^{−βΔE})`` (or Glauber's
  ``1/(1 + e^{βΔE})``) gives detailed balance with respect to ``e^{−βH} dS``. Rotations in the coordinate
  planes generate ``SO(N)``, so the chain is irreducible. With ``d_k`` the change of ``σ_k``:
  ``ΔE = −d_i(f_i + h) − d_j(f_j + h) − J_ij d_i d_j``. After each sweep ``σ`` is rescaled onto the
  sphere (rounding only) and ``f`` with it. The step ``δ`` of each temperature slot adapts during
  burn-in only (``adapt``: ``δ ← δ e^{a − 0.4}`` from the slot's acceptance ``a``, within ``[10⁻³, π]``);
  measurement sweeps use a fixed ``δ``, so they are a time-homogeneous Markov chain.

References
----------
Metropolis et al., J. Chem. Phys. 21, 1087 (1953); Hastings, Biometrika 57, 97 (1970) (symmetric
proposals); Kosterlitz, Thouless and Jones, PRL 36, 1217 (1976) (the spherical spin glass).
"""
from __future__ import annotations

import math

import numba
import numpy as np

from .kernels import (METROPOLIS, _accept, _dense_sweep, _exchange_dense_chains, _chain_workspace,
                      dense_energy, uniform)

__all__ = ["ISING", "BOOLEAN", "SPHERICAL", "UNIT_KINDS", "run_declared", "rotation_delta",
           "warm_up", "TARGET_ACCEPTANCE", "MIN_ANGLE"]

#: kinds of units the kernel moves
ISING, BOOLEAN, SPHERICAL = 0, 1, 2
UNIT_KINDS = {"ising": ISING, "boolean": BOOLEAN, "spherical": SPHERICAL}
#: acceptance the spherical step size is tuned to during burn-in, and its smallest angle
TARGET_ACCEPTANCE = 0.4
MIN_ANGLE = 1e-3

_jit = numba.njit(cache=True, nogil=True)


@_jit
def rotation_delta(si, sj, fi, fj, Jij, h, c, s):
    """``(ΔE, d_i, d_j)`` of rotating ``(σ_i, σ_j)`` by the angle with cosine ``c`` and sine ``s``."""
    di = c * si - s * sj - si
    dj = s * si + c * sj - sj
    return -di * (fi + h) - dj * (fj + h) - Jij * di * dj, di, dj


@_jit
def _spherical_sweep(Jmat, local, spins, beta, h, rule, delta, s):
    N = spins.shape[0]
    accepted = 0
    for i in range(N):
        j = int(uniform(s) * (N - 1))
        if j >= i:
            j += 1
        theta = delta * (2.0 * uniform(s) - 1.0)
        dE, di, dj = rotation_delta(spins[i], spins[j], local[i], local[j], Jmat[i, j], h,
                                    math.cos(theta), math.sin(theta))
        if _accept(dE, beta, rule, s):
            spins[i] += di
            spins[j] += dj
            row_i, row_j = Jmat[i], Jmat[j]
            for k in range(N):
                local[k] += di * row_i[k] + dj * row_j[k]
            accepted += 1
    # back onto the sphere: the rotations keep Σσ² = N up to rounding only
    norm = 0.0
    for k in range(N):
        norm += spins[k] * spins[k]
    scale = math.sqrt(N / norm)
    for k in range(N):
        spins[k] *= scale
        local[k] *= scale
    return accepted


@_jit
def _dot(a, b):
    acc = 0.0
    for i in range(a.shape[0]):
        acc += a[i] * b[i]
    return acc


@_jit
def run_declared(Jmat, local, spins, betas, h, units, rule, delta, adapt, n_sweeps, rng, readout, energy,
                 observed, accepted, q, swaps):
    """Advance the chains of a declared model by ``n_sweeps`` sweeps, recording slot 0 of each replica.

    Parameters
    ----------
    Jmat : (N, N) float64
        Symmetric couplings, zero diagonal.
    local : (C, N) float64
        ``Σ_j J_ij σ_j`` of each chain, updated in place.
    spins : (C, N) float64
        Configurations (``±1``, ``{0, 1}`` or on the sphere ``Σσ² = N``), updated in place.
    betas : (B,) float64
        Inverse temperatures of the slots (``inf``: T = 0); ``C = R B``.
    h : float
    units : int
        :data:`ISING`, :data:`BOOLEAN` or :data:`SPHERICAL`.
    rule : int
        ``kernels.METROPOLIS`` or ``kernels.HEAT_BATH``.
    delta : (B,) float64
        Largest rotation angle of each slot (spherical units; updated in place when ``adapt``).
    adapt : bool
        Tune ``delta`` after each sweep (burn-in only).
    n_sweeps : int
    rng : (C + 1, 4) uint64
        xoshiro256** states; row ``C`` drives the replica exchanges.
    readout : (K, N) float64
        The observed overlaps are ``(1/N) readout @ σ`` (e.g. ones: the magnetisation; a pattern: its
        Mattis overlap).
    energy, accepted : (n_sweeps, R) float64 or (0, R)
        Energy per unit and accepted moves per unit (not recorded when they have no rows).
    observed : (n_sweeps, R, K) float64
    q : (n_sweeps,) float64
        ``(1/N) Σ_i σ_i^1 σ_i^2`` between replicas 0 and 1 (``R >= 2``).
    swaps : (B − 1, 2) int64
        Accepted and attempted exchanges (added to).
    """
    C, N, B, R, record, counts, E, swapped = _chain_workspace(spins, betas, energy)
    K = readout.shape[0]
    for t in range(n_sweeps):
        for c in range(C):
            b = c % B
            if units != SPHERICAL:
                counts[c] = _dense_sweep(Jmat, local[c], spins[c], betas[b], h, rule, rng[c], units == BOOLEAN)
            else:
                counts[c] = _spherical_sweep(Jmat, local[c], spins[c], betas[b], h, rule, delta[b], rng[c])
        if adapt and units == SPHERICAL:
            for b in range(B):
                rate = 0.0
                for r in range(R):
                    rate += counts[r * B + b]
                rate /= R * N
                delta[b] = min(math.pi, max(MIN_ANGLE, delta[b] * math.exp(rate - TARGET_ACCEPTANCE)))
        if B > 1:
            _exchange_dense_chains(betas, E, R, rng[C], swaps, swapped, spins, local, counts, h)
        if record:
            for r in range(R):
                c = r * B
                energy[t, r] = dense_energy(spins[c], local[c], h) / N
                accepted[t, r] = counts[c] / N
                for k in range(K):
                    observed[t, r, k] = _dot(readout[k], spins[c]) / N
            if R >= 2:
                q[t] = _dot(spins[0], spins[B]) / N


def warm_up():
    """Compile (or load from numba's cache) :func:`run_declared` in the parent process (see
    :func:`statmech_nn.montecarlo.kernels.warm_up`)."""
    rng = np.ones((3, 4), np.uint64)
    for units in (ISING, BOOLEAN, SPHERICAL):
        spins = np.ones((2, 2))
        run_declared(np.zeros((2, 2)), np.zeros((2, 2)), spins, np.ones(1), 0.0, units, METROPOLIS, np.ones(1),
                     True, 1, rng, np.ones((1, 2)), np.zeros((1, 2)), np.zeros((1, 2, 1)), np.zeros((1, 2)),
                     np.zeros(1), np.zeros((0, 2), np.int64))
