"""Numba kernels for rasters drawn from the space–time Ising model of :mod:`statmech_nn.fields.maxent`.

Plain arrays and scalars in, plain arrays out; no SymPy here (DESIGN.md layering). The model is

    log P(S) = Σ_t [Σ_i h_i s_i(t) + Σ_{i<j} J_ij s_i(t) s_j(t)] + Σ_{t<T−1} Σ_ij K_ij s_i(t) s_j(t+1) − log Z

on an open chain of ``T`` time bins. Two samplers:

* :func:`gibbs_sweep` — one heat-bath sweep over the lattice (times in order, neurons in order) with
  cached local fields; every update leaves the distribution invariant. The uniforms come from the caller's
  ``numpy.random.Generator``, so the result depends only on the seed.
* :func:`transfer_matrix_sample` — an exact draw for small ``N``: the raster is a Markov chain in time
  over the ``2^N`` population states, sampled by backward messages and forward sampling.

References
----------
Glauber, J. Math. Phys. 4, 294 (1963) (heat bath); Baum et al., Ann. Math. Stat. 41, 164 (1970)
(backward messages of a chain).
"""
from __future__ import annotations

import math

import numba
import numpy as np

__all__ = ["local_fields", "gibbs_sweep", "transfer_matrix_sample"]

_jit = numba.njit(cache=True, nogil=True)


@_jit
def local_fields(S, J, K):
    """``L[i, t] = Σ_j J_ij s_j(t) + Σ_j K_ij s_j(t+1) + Σ_j K_ji s_j(t−1)`` (open ends), float64."""
    N, T = S.shape
    L = np.zeros((N, T))
    for t in range(T):
        for i in range(N):
            acc = 0.0
            for j in range(N):
                acc += J[i, j] * S[j, t]
                if t + 1 < T:
                    acc += K[i, j] * S[j, t + 1]
                if t > 0:
                    acc += K[j, i] * S[j, t - 1]
            L[i, t] = acc
    return L


@_jit
def gibbs_sweep(S, L, h, J, K, uniforms):
    """One heat-bath sweep of the ``N × T`` int8 field ``S`` in place (``J`` symmetric, zero diagonal).

    ``L`` holds the coupling part of every local field (:func:`local_fields`) and is kept up to date:
    a flip of ``s_i(t)`` costs O(N), a site that keeps its value O(1).
    """
    N, T = S.shape
    for t in range(T):
        for i in range(N):
            field = h[i] + L[i, t]
            # P(s = +1 | rest) = 1 / (1 + exp(−2 field)), written to avoid overflow
            if field >= 0.0:
                p_up = 1.0 / (1.0 + math.exp(-2.0 * field))
            else:
                e = math.exp(2.0 * field)
                p_up = e / (1.0 + e)
            new = 1 if uniforms[i, t] < p_up else -1
            if new != S[i, t]:
                delta = 2.0 * new
                S[i, t] = new
                for j in range(N):
                    L[j, t] += J[j, i] * delta
                if t > 0:
                    for j in range(N):
                        L[j, t - 1] += K[j, i] * delta
                if t + 1 < T:
                    for j in range(N):
                        L[j, t + 1] += K[i, j] * delta


@_jit
def transfer_matrix_sample(log_site, log_link, T, uniforms):
    """Exact draw of ``T`` states of the chain with weight ``Π_t φ(a_t) Π_t ψ(a_t, a_{t+1})``.

    ``log_site[a] = log φ(a)``, ``log_link[a, b] = log ψ(a, b)`` over population states ``a``;
    ``uniforms`` has length ``T``. Returns the state indices (int64, length T).
    """
    M = log_site.shape[0]
    link = np.exp(log_link - log_link.max())
    site = np.exp(log_site - log_site.max())
    # beta[t, a] ∝ Σ over the future a_{t+1..T−1} given a_t = a (normalised each step)
    beta = np.empty((T, M))
    for a in range(M):
        beta[T - 1, a] = 1.0
    for t in range(T - 2, -1, -1):
        total = 0.0
        for a in range(M):
            acc = 0.0
            for b in range(M):
                acc += link[a, b] * site[b] * beta[t + 1, b]
            beta[t, a] = acc
            total += acc
        for a in range(M):
            beta[t, a] /= total
    states = np.empty(T, dtype=np.int64)
    weights = np.empty(M)
    for t in range(T):
        total = 0.0
        for b in range(M):
            w = site[b] * beta[t, b]
            if t > 0:
                w *= link[states[t - 1], b]
            weights[b] = w
            total += w
        target = uniforms[t] * total
        acc = 0.0
        chosen = M - 1
        for b in range(M):
            acc += weights[b]
            if target < acc:
                chosen = b
                break
        states[t] = chosen
    return states
