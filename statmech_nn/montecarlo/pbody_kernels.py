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

Pattern systems with real-valued entries ``η_iμ`` (the supervised dense Hebbian learner):
``H = scale Σ_μ e_p(x^μ) − h Σ_i σ_i + shift`` with ``x^μ_i = η_iμ σ_i``; ``p! e_p`` is the sum over
ordered tuples of distinct sites. ``e_p`` is no longer a polynomial in one overlap, but by Newton's
identities it is one in the power sums ``Σ_i x_i^j``: ``Σ_i η_iμ^j σ_i`` for odd ``j`` (cached per
pattern, they change on a flip) and the constant ``Σ_i η_iμ^j`` for even ``j``. A flip of site ``i``
changes ``e_p`` by ``−2 x_i e_{p−1}(x without i)``, and ``e_{p−1}(x without i)`` follows from the cached
``e_0 … e_{p−1}(x)`` by ``e_k(x without i) = e_k(x) − x_i e_{k−1}(x without i)``: ``O(P p)`` per
attempted flip, ``O(P p²)`` per accepted one (power sums and Newton's recursion refreshed).

Explicit p-body couplings (the p-spin glass): a list of ``C(N, p)`` tuples with their couplings and,
per site, the tuples that contain it; one flip costs ``O(C(N−1, p−1) p)``.

No SymPy here (DESIGN.md layering).
"""
from __future__ import annotations

import numba
import numpy as np

from .kernels import (METROPOLIS, _accept, _exchange_pattern_chains, _record_pattern_slot, _chain_workspace,
                      _replica_exchange, _spin_overlap, _swap_rows)

__all__ = ["flip_polynomials", "poly_pattern_energy", "run_poly_patterns", "power_sum_pattern_energy",
           "power_sum_flip_energies", "power_sums", "run_power_sum_patterns", "tuple_energy", "run_tuples", "warm_up"]

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
    C, N, B, R, record, counts, E, swapped = _chain_workspace(spins, betas, energy)
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
    warm_up_power_sums()
    rng = np.ones((3, 4), np.uint64)
    xi = np.ones((2, 1), np.int8)
    run_poly_patterns(xi, np.full((2, 1), 2.0), np.ones((2, 2), np.int8), np.full(2, 2, np.int64),
                      np.ones(1), np.zeros(4), np.zeros(4), np.zeros(4), 0.0, 0.0, METROPOLIS, 1, rng, 1,
                      np.zeros((1, 2)),
                      np.zeros((1, 2, 1)), np.zeros((1, 2)), np.zeros(1), np.zeros((0, 2), np.int64))


# ------------------------------------------------------------------------------------------------
# real-valued pattern entries: H = scale Σ_μ e_p(η^μ σ) − h Σ_i σ_i + shift through the power sums
# S[k P + μ] = Σ_i η_iμ^{2k+1} σ_i (odd, per chain) and even_sums[k, μ] = Σ_i η_iμ^{2k+2} (constant)
# ------------------------------------------------------------------------------------------------

@_jit
def _elementary(S, even_sums, mu, p, power, elem):
    """``elem[k] = e_k(x^μ)``, ``k = 0..p``, by Newton's identities ``k e_k = Σ_{j=1}^k (−1)^{j−1}
    e_{k−j} P_j`` from the power sums ``P_j`` of pattern ``mu`` (``power`` is scratch, length p + 1)."""
    P = even_sums.shape[1]
    for j in range(1, p + 1):
        power[j] = S[(j - 1) // 2 * P + mu] if j % 2 else even_sums[j // 2 - 1, mu]
    elem[0] = 1.0
    for k in range(1, p + 1):
        acc = 0.0
        for j in range(1, k + 1):
            term = elem[k - j] * power[j]
            acc += term if j % 2 else -term
        elem[k] = acc / k
    return elem[p]


@_jit
def power_sum_pattern_energy(S, even_sums, p, scale, mag, h, shift):
    """Total energy ``scale Σ_μ e_p(x^μ) − h mag + shift`` from the odd power sums ``S`` of one chain."""
    power = np.empty(p + 1)
    elem = np.empty(p + 1)
    e = 0.0
    for mu in range(even_sums.shape[1]):
        e += _elementary(S, even_sums, mu, p, power, elem)
    return scale * e - h * mag + shift


@_jit
def _refresh_elementary(S, even_sums, p, cache):
    """``cache[μ, k] = e_k(x^μ)`` for ``k < p`` (what a flip's energy change needs)."""
    power = np.empty(p + 1)
    elem = np.empty(p + 1)
    for mu in range(cache.shape[0]):
        _elementary(S, even_sums, mu, p, power, elem)
        for k in range(p):
            cache[mu, k] = elem[k]


@_jit
def _power_sum_delta(row, cache, si, p, scale, h):
    """Energy change of flipping the spin ``si`` whose pattern entries are ``row``: ``e_p`` changes by
    ``−2 x e_{p−1}(x without i)`` per pattern, with ``e_k(without i) = e_k − x e_{k−1}(without i)``."""
    acc = 0.0
    for mu in range(row.shape[0]):
        x = row[mu] * si
        rest = 1.0
        for k in range(1, p):
            rest = cache[mu, k] - x * rest
        acc += x * rest
    return -2.0 * scale * acc + 2.0 * h * si


@_jit
def power_sum_flip_energies(eta, S, spins, even_sums, p, scale, h):
    """Energy change of flipping each site of one chain (what the sweep computes; for tests)."""
    N, P = eta.shape
    cache = np.empty((P, p))
    _refresh_elementary(S, even_sums, p, cache)
    out = np.empty(N)
    for i in range(N):
        out[i] = _power_sum_delta(eta[i], cache, spins[i], p, scale, h)
    return out


@_jit
def _power_sum_sweep(eta, S, spins, even_sums, p, scale, beta, h, rule, s):
    N, P = eta.shape
    n_odd = (p + 1) // 2
    cache = np.empty((P, p))
    _refresh_elementary(S, even_sums, p, cache)
    power = np.empty(p + 1)
    elem = np.empty(p + 1)
    accepted = 0
    for i in range(N):
        si = spins[i]
        row = eta[i]
        dE = _power_sum_delta(row, cache, si, p, scale, h)
        if _accept(dE, beta, rule, s):
            spins[i] = -si
            d = -2.0 * si
            for mu in range(P):
                y = row[mu]
                y2 = y * y
                odd_power = y
                for k in range(n_odd):
                    S[k * P + mu] += d * odd_power
                    odd_power *= y2
                _elementary(S, even_sums, mu, p, power, elem)
                for k in range(p):
                    cache[mu, k] = elem[k]
            accepted += 1
    return accepted


@_jit
def run_power_sum_patterns(eta, S, spins, mag, betas, even_sums, p, scale, h, shift, rule, n_sweeps, rng,
                           n_observed, energy, overlaps, accepted, q, swaps):
    """Advance chains of a p-body pattern system with real-valued entries by ``n_sweeps`` sweeps.

    ``eta`` is ``(N, P)`` float64; ``S`` ``(C, ((p + 1) // 2) P)`` float64 holds the odd power sums
    ``S[c, k P + μ] = Σ_i η_iμ^{2k+1} σ_i`` of each chain (updated in place; its first ``P`` columns
    are the overlaps ``Σ_i η_iμ σ_i``, recorded as ``M_μ / N`` for ``μ < n_observed``);
    ``even_sums`` ``(p // 2, P)`` the constants ``Σ_i η_iμ^{2k+2}``; the energy is
    ``scale Σ_μ e_p(η^μ σ) − h Σ_i σ_i + shift``. Other arguments as in
    :func:`statmech_nn.montecarlo.kernels.run_patterns`.
    """
    C, N, B, R, record, counts, E, swapped = _chain_workspace(spins, betas, energy)
    for t in range(n_sweeps):
        for c in range(C):
            counts[c] = _power_sum_sweep(eta, S[c], spins[c], even_sums, p, scale, betas[c % B], h, rule,
                                         rng[c])
            mag_c = 0
            for i in range(N):
                mag_c += spins[c, i]
            mag[c] = mag_c
        if B > 1:
            for c in range(C):
                E[c] = power_sum_pattern_energy(S[c], even_sums, p, scale, mag[c], h, shift)
            _exchange_pattern_chains(betas, E, R, rng[C], swaps, swapped, spins, S, mag, counts)
        if record:
            for r in range(R):
                E[r * B] = power_sum_pattern_energy(S[r * B], even_sums, p, scale, mag[r * B], h, shift)
            _record_pattern_slot(t, R, B, N, S, counts, E, spins, n_observed, energy, accepted, overlaps, q)


def power_sums(eta, spins, p):
    """Odd power sums ``(C, ((p+1)//2) P)`` of the chains ``spins`` (C, N) and the even constants
    ``(p//2, P)`` that :func:`run_power_sum_patterns` takes."""
    eta = np.asarray(eta, dtype=np.float64)
    sigma = np.asarray(spins, dtype=np.float64)
    odd = np.concatenate([sigma @ eta ** j for j in range(1, p + 1, 2)], axis=1)
    even = np.stack([np.sum(eta ** j, axis=0) for j in range(2, p + 1, 2)])
    return np.ascontiguousarray(odd), np.ascontiguousarray(even)


def warm_up_power_sums():
    """Compile (or load from the cache) :func:`run_power_sum_patterns` (see :func:`warm_up`)."""
    rng = np.ones((3, 4), np.uint64)
    eta = np.ones((2, 1))
    spins = np.ones((2, 2), np.int8)
    S, even = power_sums(eta, spins, 3)
    run_power_sum_patterns(eta, S, spins, np.full(2, 2, np.int64), np.ones(1), even, 3, -1.0, 0.0, 0.0,
                           METROPOLIS, 1, rng, 1, np.zeros((1, 2)), np.zeros((1, 2, 1)), np.zeros((1, 2)),
                           np.zeros(1), np.zeros((0, 2), np.int64))
    power_sum_flip_energies(eta, S[0], spins[0], even, 3, -1.0, 0.0)


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
    C, N, B, R, record, counts, E, swapped = _chain_workspace(spins, betas, energy)
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
