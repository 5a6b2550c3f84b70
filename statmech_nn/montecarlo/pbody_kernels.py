"""Numba kernels of the p-body models.

Pattern systems whose energy per pattern is a polynomial in the overlap:
``H = Σ_μ E(M_μ) − h Σ_i σ_i + shift`` with ``M_μ = Σ_i ξ_iμ σ_i`` and ``E`` given by its coefficients.

The dense Hopfield model sums over ordered tuples of *distinct* sites; for ``±1`` units
``Σ_{i1≠…≠ip} Π_k ξ_{i_k} σ_{i_k} = p! e_p(x)`` (``x_i = ξ_i σ_i``, ``e_p`` the elementary symmetric
polynomial), a polynomial in ``M`` by Newton's identities because the power sums are ``M`` (odd) and
``N`` (even): :mod:`statmech_nn.montecarlo.systems` computes the coefficients. An attempted flip
costs one ``O(P)`` dot product (the even part of the energy change is the same for every site and
the odd part is cached per pattern); an accepted one ``O(P p)``. Chains, streams, dynamics and
replica exchange as in :mod:`.kernels` (shared helpers).

Explicit p-body couplings (the p-spin glass): a list of ``C(N, p)`` tuples with their couplings and,
per site, the tuples that contain it; one flip costs ``O(C(N−1, p−1) p)``.

No SymPy here (DESIGN.md layering).
"""
from __future__ import annotations

import numba
import numpy as np

from .kernels import (METROPOLIS, _accept, _exchange_pattern_chains, _record_pattern_slot,
                      _replica_exchange, _spin_overlap, _swap_rows)

__all__ = ["flip_polynomials", "poly_pattern_energy", "run_poly_patterns", "tuple_energy", "run_tuples",
           "warm_up"]

_jit = numba.njit(cache=True, nogil=True)


@_jit
def _horner(coef, x):
    """``Σ_k coef[k] x^k`` (ascending coefficients)."""
    acc = 0.0
    for k in range(coef.shape[0] - 1, -1, -1):
        acc = acc * x + coef[k]
    return acc


@_jit
def poly_pattern_energy(M, mag, coef, h, shift):
    """Total energy ``Σ_μ E(M_μ) − h mag + shift``."""
    e = 0.0
    for mu in range(M.shape[0]):
        e += _horner(coef, M[mu])
    return e - h * mag + shift


def flip_polynomials(coef):
    """Even and odd parts of a flip: ``E(M + d) − E(M) = A(M) + (d/2) B(M)`` for ``d = ±2`` with
    ``A = Σ_{k even ≥ 2} E^{(k)} 2^k/k!`` and ``B = Σ_{k odd} E^{(k)} 2^k/k!`` (Taylor's formula is exact
    for a polynomial), as ascending coefficient arrays of equal length."""
    from numpy.polynomial import polynomial as poly
    coef = np.asarray(coef, dtype=np.float64)
    even, odd = np.zeros(max(coef.size, 1)), np.zeros(max(coef.size, 1))
    derivative, factor = coef, 1.0
    for k in range(1, coef.size):
        derivative = poly.polyder(derivative)
        factor *= 2.0 / k
        target = even if k % 2 == 0 else odd
        target[:derivative.size] += factor * derivative
    return even, odd


@_jit
def _poly_refresh(M, even, odd, odd_values):
    """``Σ_μ A(M_μ)`` and the cache ``B(M_μ)`` after the overlaps changed."""
    total = 0.0
    for mu in range(M.shape[0]):
        total += _horner(even, M[mu])
        odd_values[mu] = _horner(odd, M[mu])
    return total


@_jit
def _poly_sweep(xi, M, spins, beta, even, odd, h, rule, s):
    # flipping σ_i = s changes M_μ by d = −2 s ξ_iμ: ΔE = Σ_μ A(M_μ) − s Σ_μ ξ_iμ B(M_μ) + 2hs, with
    # Σ_μ A and the B(M_μ) cached and refreshed only after an accepted flip (O(P) per attempt)
    N = spins.shape[0]
    P = xi.shape[1]
    odd_values = np.empty(P)
    even_sum = _poly_refresh(M, even, odd, odd_values)
    accepted = 0
    for i in range(N):
        si = spins[i]
        row = xi[i]
        acc = 0.0
        for mu in range(P):
            acc += row[mu] * odd_values[mu]
        dE = even_sum - si * acc + 2.0 * h * si
        if _accept(dE, beta, rule, s):
            spins[i] = -si
            for mu in range(P):
                M[mu] -= 2.0 * si * row[mu]
            even_sum = _poly_refresh(M, even, odd, odd_values)
            accepted += 1
    return accepted


@_jit
def run_poly_patterns(xi, M, spins, mag, betas, coef, even, odd, h, shift, rule, n_sweeps, rng,
                      n_observed, energy, overlaps, accepted, q, swaps):
    """Advance polynomial pattern-system chains by ``n_sweeps`` sweeps, recording the measured slot.

    Arguments as in :func:`statmech_nn.montecarlo.kernels.run_patterns`, with ``M`` (C, P) float64,
    ``coef`` the ascending coefficients of the energy per pattern ``E(M)`` in place of ``J, p`` and
    ``even, odd`` its :func:`flip_polynomials`.
    """
    C, N = spins.shape
    B = betas.shape[0]
    R = C // B
    record = energy.shape[0] > 0
    counts = np.zeros(C, np.int64)
    E = np.empty(C)
    swapped = np.zeros(C, np.bool_)
    for t in range(n_sweeps):
        for c in range(C):
            counts[c] = _poly_sweep(xi, M[c], spins[c], betas[c % B], even, odd, h, rule, rng[c])
            mag_c = 0
            for i in range(N):
                mag_c += spins[c, i]
            mag[c] = mag_c
        if B > 1:
            for c in range(C):
                E[c] = poly_pattern_energy(M[c], mag[c], coef, h, shift)
            _exchange_pattern_chains(betas, E, R, rng[C], swaps, swapped, spins, M, mag, counts)
        if record:
            for r in range(R):
                E[r * B] = poly_pattern_energy(M[r * B], mag[r * B], coef, h, shift)
            _record_pattern_slot(t, R, B, N, M, counts, E, spins, n_observed, energy, accepted, overlaps, q)


def warm_up():
    """Compile (or load from numba's cache) the kernel signatures the backend uses."""
    warm_up_tuples()
    rng = np.ones((3, 4), np.uint64)
    xi = np.ones((2, 1), np.int8)
    run_poly_patterns(xi, np.full((2, 1), 2.0), np.ones((2, 2), np.int8), np.full(2, 2, np.int64),
                      np.ones(1), np.zeros(4), np.zeros(4), np.zeros(4), 0.0, 0.0, METROPOLIS, 1, rng, 1,
                      np.zeros((1, 2)),
                      np.zeros((1, 2, 1)), np.zeros((1, 2)), np.zeros(1), np.zeros((0, 2), np.int64))


# ------------------------------------------------------------------------------------------------
# p-body couplings: H = −Σ_t J_t Π_{k∈t} σ_k − h Σ_i σ_i over a list of p-tuples t (the p-spin glass);
# a flip of site i changes the sign of every term containing i: ΔE = 2 Σ_{t∋i} J_t Π_{k∈t} σ_k + 2hσ_i
# ------------------------------------------------------------------------------------------------

@_jit
def tuple_energy(tuples, J, spins, h):
    """Total energy ``−Σ_t J_t Π_{k∈t} σ_k − h Σ_i σ_i``."""
    e = 0.0
    for t in range(tuples.shape[0]):
        prod = 1
        for k in range(tuples.shape[1]):
            prod *= spins[tuples[t, k]]
        e -= J[t] * prod
    mag = 0
    for i in range(spins.shape[0]):
        mag += spins[i]
    return e - h * mag


@_jit
def _tuple_sweep(tuples, J, start, members, spins, beta, h, rule, s):
    N = spins.shape[0]
    p = tuples.shape[1]
    accepted = 0
    for i in range(N):
        local = 0.0
        for a in range(start[i], start[i + 1]):
            t = members[a]
            prod = 1
            for k in range(p):
                prod *= spins[tuples[t, k]]
            local += J[t] * prod
        dE = 2.0 * local + 2.0 * h * spins[i]
        if _accept(dE, beta, rule, s):
            spins[i] = -spins[i]
            accepted += 1
    return accepted


@_jit
def run_tuples(tuples, J, start, members, spins, betas, h, rule, n_sweeps, rng, energy, magnetisation,
               accepted, q, swaps):
    """Advance p-body chains by ``n_sweeps`` sweeps, recording the measured slot.

    ``tuples`` (T, p) int32 sites of each coupling, ``J`` (T,) its value; ``members[start[i]:start[i+1]]``
    the couplings that contain site ``i``. Other arguments as in
    :func:`statmech_nn.montecarlo.kernels.run_dense`.
    """
    C, N = spins.shape
    B = betas.shape[0]
    R = C // B
    record = energy.shape[0] > 0
    counts = np.zeros(C, np.int64)
    E = np.empty(C)
    swapped = np.zeros(C, np.bool_)
    for t in range(n_sweeps):
        for c in range(C):
            counts[c] = _tuple_sweep(tuples, J, start, members, spins[c], betas[c % B], h, rule, rng[c])
        if B > 1:
            for c in range(C):
                E[c] = tuple_energy(tuples, J, spins[c], h)
            _replica_exchange(betas, E, R, rng[C], swaps, swapped)
            for lo in range(C - 1):
                if swapped[lo]:
                    _swap_rows(spins, lo, lo + 1)
                    counts[lo], counts[lo + 1] = counts[lo + 1], counts[lo]
        if record:
            for r in range(R):
                c = r * B
                energy[t, r] = tuple_energy(tuples, J, spins[c], h) / N
                accepted[t, r] = counts[c] / N
                mag = 0
                for i in range(N):
                    mag += spins[c, i]
                magnetisation[t, r] = mag / N
            if R >= 2:
                q[t] = _spin_overlap(spins[0], spins[B])


def warm_up_tuples():
    rng = np.ones((3, 4), np.uint64)
    tuples = np.array([[0, 1, 2]], np.int32)
    start = np.array([0, 1, 2, 3], np.int64)
    members = np.zeros(3, np.int64)
    run_tuples(tuples, np.ones(1), start, members, np.ones((2, 3), np.int8), np.ones(1), 0.0, METROPOLIS,
               1, rng, np.zeros((1, 2)), np.zeros((1, 2)), np.zeros((1, 2)), np.zeros(1),
               np.zeros((0, 2), np.int64))
