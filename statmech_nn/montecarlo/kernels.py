"""Numba kernels of the Monte Carlo backend: plain arrays and scalars in, plain arrays out.

No SymPy here (DESIGN.md layering): :mod:`statmech_nn.montecarlo.systems` turns a model into the
arrays these kernels take.

Every kernel advances ``C = R * B`` chains: ``R`` real replicas (same disorder, independent noise; two
of them give the overlap ``q``) times ``B`` temperature slots (parallel tempering when ``B > 1``).
Chain ``c = r * B + b`` sits at inverse temperature ``betas[b]``; slot ``b = 0`` is the temperature
that is measured. Each chain draws from its own xoshiro256** stream (row ``c`` of ``rng``; the last
row drives the replica exchanges), seeded from ``numpy.random.SeedSequence.spawn``, so the output
depends only on the seeds, never on threads or processes.

Single-spin dynamics sweep the sites in order ``0..N-1``. Each update leaves the Boltzmann
distribution invariant, so the sweep does too (balance, not detailed balance, is what is needed).

References
----------
Metropolis et al., J. Chem. Phys. 21, 1087 (1953); Glauber, J. Math. Phys. 4, 294 (1963) (heat bath);
Hukushima and Nemoto, J. Phys. Soc. Jpn. 65, 1604 (1996) (replica exchange); Blackman and Vigna,
ACM Trans. Math. Softw. 47, 36 (2021) (xoshiro256**).
"""
from __future__ import annotations

import math

import numba
import numpy as np

__all__ = ["METROPOLIS", "HEAT_BATH", "GAUSSIAN_HIDDEN", "BINARY_HIDDEN", "uniform", "normal",
           "run_patterns", "run_dense", "run_rbm", "run_centred_patterns", "warm_up"]

METROPOLIS = 0
HEAT_BATH = 1
GAUSSIAN_HIDDEN = 0
BINARY_HIDDEN = 1

_jit = numba.njit(cache=True, nogil=True)
# the overlap dot product sums integers that are exact in its float type (checked by the caller), so
# reassociating it (SIMD) cannot change a single bit of the result
_dot_jit = numba.njit(cache=True, nogil=True, fastmath={"reassoc", "contract"})

_U11 = np.uint64(11)
_U17 = np.uint64(17)
_U45 = np.uint64(45)
_U7 = np.uint64(7)
_U57 = np.uint64(57)
_U5 = np.uint64(5)
_U9 = np.uint64(9)
_U19 = np.uint64(19)
_TWO_M53 = 1.0 / 9007199254740992.0


@_jit
def _next(s):
    """xoshiro256** step on the 4-word state ``s`` (modified in place); returns 64 random bits."""
    s0, s1, s2, s3 = s[0], s[1], s[2], s[3]
    x = s1 * _U5
    result = ((x << _U7) | (x >> _U57)) * _U9
    t = s1 << _U17
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = (s3 << _U45) | (s3 >> _U19)
    s[0], s[1], s[2], s[3] = s0, s1, s2, s3
    return result


@_jit
def uniform(s):
    """Uniform double in ``[0, 1)`` (53 random bits) from the stream ``s``."""
    return float(_next(s) >> _U11) * _TWO_M53


@_jit
def normal(s):
    """Standard normal deviate (Box–Muller, one of the pair) from the stream ``s``."""
    u1 = 1.0 - uniform(s)          # (0, 1]: log is finite
    u2 = uniform(s)
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)


@_jit
def _accept(dE, beta, rule, s):
    """Accept a flip of energy change ``dE`` at inverse temperature ``beta`` (``inf``: T = 0)."""
    if rule == HEAT_BATH:
        # Glauber: flip with probability 1 / (1 + exp(beta dE)); at T = 0 a tie is a coin toss
        if math.isinf(beta):
            if dE < 0.0:
                return True
            if dE > 0.0:
                return False
            return uniform(s) < 0.5
        return uniform(s) * (1.0 + math.exp(beta * dE)) < 1.0
    if dE <= 0.0:
        return True
    if math.isinf(beta):
        return False
    return uniform(s) < math.exp(-beta * dE)


@_jit
def _exchange(beta_lo, beta_hi, E_lo, E_hi, s):
    """Replica-exchange acceptance ``min(1, exp((β_lo − β_hi)(E_lo − E_hi)))`` (β_lo at slot b)."""
    if E_lo == E_hi:
        return True
    d = (beta_lo - beta_hi) * (E_lo - E_hi)
    if d >= 0.0:
        return True
    return uniform(s) < math.exp(d)


@_jit
def _chain_workspace(spins, betas, energy):
    """Shapes and scratch arrays of a run over ``C = R × B`` chains (``R`` replicas of ``B``
    temperatures): ``(C, N, B, R, record, counts, E, swapped)``; ``record`` is whether ``energy``
    has rows to fill, ``counts`` the accepted moves per chain, ``E`` the energies and ``swapped``
    the flags of the replica exchanges."""
    C, N = spins.shape
    B = betas.shape[0]
    return (C, N, B, C // B, energy.shape[0] > 0, np.zeros(C, np.int64), np.empty(C),
            np.zeros(C, np.bool_))


@_jit
def _replica_exchange(betas, E, R, s, swaps, swapped):
    """One pass of exchanges between neighbouring temperature slots of each of the ``R`` replicas.

    ``E`` (``C = R·B``) holds each chain's energy and is permuted with the exchanges;
    ``swapped[lo]`` is set where chains ``lo`` and ``lo + 1`` exchanged, in the order decided, so the
    caller swaps its own state arrays in increasing ``lo``. ``swaps`` (``B − 1, 2``) counts accepted
    and attempted exchanges.
    """
    B = betas.shape[0]
    for r in range(R):
        for b in range(B - 1):
            lo = r * B + b
            swapped[lo] = False
            swaps[b, 1] += 1
            if _exchange(betas[b], betas[b + 1], E[lo], E[lo + 1], s):
                swaps[b, 0] += 1
                E[lo], E[lo + 1] = E[lo + 1], E[lo]
                swapped[lo] = True


@_dot_jit
def _overlap_dot(row, M):
    """``Σ_μ ξ_iμ M_μ`` for one site: integers, exact in the float type of ``M``."""
    acc = M[0] - M[0]          # zero in the float type of M
    for mu in range(row.shape[0]):
        acc += row[mu] * M[mu]
    return acc


@_dot_jit
def _overlap_update(row, M, d):
    """``M_μ += d ξ_iμ`` after a flip (``d = ∓2``: integers, exact in the float type of ``M``)."""
    for mu in range(row.shape[0]):
        M[mu] = M[mu] + d * row[mu]


# ------------------------------------------------------------------------------------------------
# pattern systems: H = −(J N / p) Σ_μ (M_μ / N)^p − h Σ_i σ_i + shift,  M_μ = Σ_i ξ_iμ σ_i
# (p = 2: Curie–Weiss with one all-ones pattern, Hopfield with shift = J P / 2 removing i = j)
# ------------------------------------------------------------------------------------------------

@_jit
def pattern_energy(M, mag, N, J, p, h, shift):
    """Total energy of a pattern system from its overlaps ``M`` and magnetisation ``mag = Σσ``."""
    e = 0.0
    for mu in range(M.shape[0]):
        e += (M[mu] / N) ** p
    return -J * N / p * e - h * mag + shift


@_jit
def _pattern_delta(xi_row, M, s, N, J, p, h):
    """Energy change of flipping a spin of value ``s`` with pattern entries ``xi_row``."""
    P = xi_row.shape[0]
    if p == 2:
        # −(J/2N) Σ_μ [(M − 2sξ)² − M²] = (2J/N)(s Σ_μ ξ M − P): one exact dot product, O(P)
        return 2.0 * J / N * (s * float(_overlap_dot(xi_row, M)) - P) + 2.0 * h * s
    d = 0.0
    for mu in range(P):
        m_old = M[mu] / N
        m_new = (M[mu] - 2.0 * s * xi_row[mu]) / N
        d += m_new ** p - m_old ** p
    return -J * N / p * d + 2.0 * h * s


@_jit
def _pattern_sweep(xi, M, spins, beta, J, p, h, rule, s):
    N = spins.shape[0]
    accepted = 0
    for i in range(N):
        si = spins[i]
        row = xi[i]
        dE = _pattern_delta(row, M, si, N, J, p, h)
        if _accept(dE, beta, rule, s):
            spins[i] = -si
            _overlap_update(row, M, np.float32(-2.0 * si))   # ±2: exact, and float32 keeps SIMD narrow
            accepted += 1
    return accepted


@_jit
def run_patterns(xi, M, spins, mag, betas, J, p, h, shift, rule, n_sweeps, rng, n_observed,
                 energy, overlaps, accepted, q, swaps):
    """Advance pattern-system chains by ``n_sweeps`` sweeps, recording the measured slot.

    Parameters
    ----------
    xi : (N, P) int8
        Patterns ``ξ_iμ = ±1`` (Curie–Weiss: one column of ones).
    M : (C, P) float32 or float64
        Overlaps ``Σ_i ξ_iμ σ_i`` of each chain (integers; the caller picks float32 only when
        ``N P < 2**24`` so that every partial sum is exact). Updated in place.
    spins : (C, N) int8
        ``±1`` configurations, updated in place.
    mag : (C,) int64
        ``Σ_i σ_i`` of each chain, updated in place.
    betas : (B,) float64
        Inverse temperatures of the slots (``inf`` for T = 0); ``C = R * B``.
    J, p, h, shift : float, int, float, float
        Coupling scale, interaction order, field, constant energy shift.
    rule : int
        ``METROPOLIS`` or ``HEAT_BATH``.
    n_sweeps : int
    rng : (C + 1, 4) uint64
        xoshiro256** states; row ``C`` drives the replica exchanges.
    n_observed : int
        Number of leading patterns whose overlaps are recorded.
    energy, accepted : (n_sweeps, R) float64 or (0, R)
        Energy per spin and acceptance ratio of slot 0 of each replica after each sweep (not
        recorded when they have no rows).
    overlaps : (n_sweeps, R, n_observed) float64
        ``m_μ = M_μ / N`` of slot 0.
    q : (n_sweeps,) float64
        ``(1/N) Σ_i σ_i^1 σ_i^2`` between replicas 0 and 1 at slot 0 (``R >= 2``).
    swaps : (B - 1, 2) int64
        Accepted and attempted exchanges between slots ``b`` and ``b + 1`` (added to).
    """
    C, N, B, R, record, counts, E, swapped = _chain_workspace(spins, betas, energy)
    for t in range(n_sweeps):
        for c in range(C):
            counts[c] = _pattern_sweep(xi, M[c], spins[c], betas[c % B], J, p, h, rule, rng[c])
            mag_c = 0
            for i in range(N):
                mag_c += spins[c, i]
            mag[c] = mag_c
        if B > 1:
            for c in range(C):
                E[c] = pattern_energy(M[c], mag[c], N, J, p, h, shift)
            _exchange_pattern_chains(betas, E, R, rng[C], swaps, swapped, spins, M, mag, counts)
        if record:
            for r in range(R):
                E[r * B] = pattern_energy(M[r * B], mag[r * B], N, J, p, h, shift)
            _record_pattern_slot(t, R, B, N, M, counts, E, spins, n_observed, energy, accepted, overlaps, q)


@_jit
def _swap_rows(a, i, j):
    for k in range(a.shape[1]):
        a[i, k], a[j, k] = a[j, k], a[i, k]


@_jit
def _spin_overlap(a, b):
    acc = 0
    for i in range(a.shape[0]):
        acc += a[i] * b[i]
    return acc / a.shape[0]


# ------------------------------------------------------------------------------------------------
# dense couplings: H = −Σ_{i<j} J_ij σ_i σ_j − h Σ_i σ_i with cached local fields Σ_j J_ij σ_j
# ------------------------------------------------------------------------------------------------

@_jit
def _exchange_pattern_chains(betas, E, R, s, swaps, swapped, spins, M, mag, counts):
    """Replica exchange between temperature slots of pattern chains (energies ``E``), moving each
    swapped pair's spins, overlaps ``M``, magnetisations and acceptance counts together."""
    _replica_exchange(betas, E, R, s, swaps, swapped)
    for lo in range(spins.shape[0] - 1):
        if swapped[lo]:
            _swap_rows(spins, lo, lo + 1)
            _swap_rows(M, lo, lo + 1)
            mag[lo], mag[lo + 1] = mag[lo + 1], mag[lo]
            counts[lo], counts[lo + 1] = counts[lo + 1], counts[lo]


@_jit
def _record_pattern_slot(t, R, B, N, M, counts, E, spins, n_observed, energy, accepted, overlaps, q):
    """Record sweep ``t`` of the measured slot of each replica (``E`` holds its total energy)."""
    for r in range(R):
        c = r * B
        energy[t, r] = E[c] / N
        accepted[t, r] = counts[c] / N
        for k in range(n_observed):
            overlaps[t, r, k] = M[c, k] / N
    if R >= 2:
        q[t] = _spin_overlap(spins[0], spins[B])


@_jit
def dense_energy(spins, local, h):
    """Total energy ``−(1/2) Σ_i σ_i (Σ_j J_ij σ_j) − h Σ_i σ_i`` (zero diagonal)."""
    e = 0.0
    for i in range(spins.shape[0]):
        e -= spins[i] * (0.5 * local[i] + h)
    return e


@_jit
def dense_flip(si, fi, h, boolean):
    """``(ΔE, d)`` of flipping a unit of value ``si`` with local field ``fi`` (zero diagonal): ``d`` is
    its change, ``−2σ`` for ``±1`` units (``σ → −σ``) or ``1 − 2σ`` for ``{0, 1}`` units
    (``boolean``, ``σ → 1 − σ``), and ``ΔE = −d (f + h)``."""
    d = (1 - si) - si if boolean else -2 * si
    return -d * (fi + h), d


@_jit
def _dense_sweep(Jmat, local, spins, beta, h, rule, s, boolean=False):
    """One sweep of single-unit flips (:func:`dense_flip`) with cached local fields."""
    N = spins.shape[0]
    accepted = 0
    for i in range(N):
        si = spins[i]
        dE, d = dense_flip(si, local[i], h, boolean)
        if _accept(dE, beta, rule, s):
            spins[i] = si + d
            row = Jmat[i]
            for j in range(N):
                local[j] += d * row[j]
            accepted += 1
    return accepted


@_jit
def _exchange_dense_chains(betas, E, R, s, swaps, swapped, spins, local, counts, h):
    """Replica exchange between temperature slots of dense-coupling chains (energies from the cached
    local fields), moving each swapped pair's configuration, local fields and acceptance counts
    together."""
    for c in range(spins.shape[0]):
        E[c] = dense_energy(spins[c], local[c], h)
    _replica_exchange(betas, E, R, s, swaps, swapped)
    for lo in range(spins.shape[0] - 1):
        if swapped[lo]:
            _swap_rows(spins, lo, lo + 1)
            _swap_rows(local, lo, lo + 1)
            counts[lo], counts[lo + 1] = counts[lo + 1], counts[lo]


@_jit
def run_dense(Jmat, local, spins, betas, h, rule, n_sweeps, rng, energy, magnetisation, accepted,
              q, swaps):
    """Advance dense-coupling chains (SK) by ``n_sweeps`` sweeps, recording slot 0.

    ``Jmat`` is ``(N, N)`` float64, symmetric with zero diagonal; ``local`` ``(C, N)`` holds
    ``Σ_j J_ij σ_j`` of each chain (updated in place, O(N) per accepted flip). Other arguments as in
    :func:`run_patterns`; ``magnetisation`` ``(n_sweeps, R)`` records ``(1/N) Σ_i σ_i``.
    """
    C, N, B, R, record, counts, E, swapped = _chain_workspace(spins, betas, energy)
    for t in range(n_sweeps):
        for c in range(C):
            counts[c] = _dense_sweep(Jmat, local[c], spins[c], betas[c % B], h, rule, rng[c])
        if B > 1:
            _exchange_dense_chains(betas, E, R, rng[C], swaps, swapped, spins, local, counts, h)
        if record:
            for r in range(R):
                c = r * B
                energy[t, r] = dense_energy(spins[c], local[c], h) / N
                accepted[t, r] = counts[c] / N
                mag_c = 0
                for i in range(N):
                    mag_c += spins[c, i]
                magnetisation[t, r] = mag_c / N
            if R >= 2:
                q[t] = _spin_overlap(spins[0], spins[B])


# ------------------------------------------------------------------------------------------------
# bipartite (RBM): visible σ = ±1, hidden z_μ; E(σ, z) = Σ_μ z_μ²/2 [Gaussian] − (1/√N) Σ ξ σ z − h Σσ
# ------------------------------------------------------------------------------------------------

@_jit
def run_rbm(xi, spins, hidden, beta, h, hidden_kind, n_sweeps, rng, n_observed, energy, overlaps,
            changed, q):
    """Block Gibbs sampling of a bipartite model with weights ``ξ_iμ / √N``.

    One sweep samples every hidden unit given the visible layer, then every visible unit given the
    hidden layer. With Gaussian hidden units (``hidden_kind = GAUSSIAN_HIDDEN``, energy
    ``Σ_μ z_μ²/2 − (1/√N) Σ_iμ ξ_iμ σ_i z_μ − h Σ_i σ_i`` at inverse temperature β),
    ``z_μ | σ ~ N(u_μ, 1/β)`` with ``u_μ = (1/√N) Σ_i ξ_iμ σ_i``; with binary hidden units
    (``BINARY_HIDDEN``, no ``z²`` term) ``P(z_μ = ±1 | σ) ∝ exp(±β u_μ)``. Given ``z``, each
    ``σ_i = +1`` with probability ``1 / (1 + exp(−2β φ_i))``, ``φ_i = (1/√N) Σ_μ ξ_iμ z_μ + h``.

    Records, for each replica (``spins`` is ``(R, N)``, ``hidden`` ``(R, P)``): the visible energy
    per spin (Gaussian: the marginal Hamiltonian ``−(1/2N) Σ_μ (Σ_i ξ_iμ σ_i)² − h Σ σ``, i.e.
    the Hopfield Hamiltonian with the ``i = j`` terms, a constant ``P/2`` below it; binary: the joint
    energy ``−Σ_μ u_μ z_μ − h Σσ``), the overlaps ``m_μ`` of the first ``n_observed`` patterns, the
    fraction of visible units that changed, and ``q`` between replicas 0 and 1.
    ``beta`` must be finite (the caller checks).
    """
    R, N = spins.shape
    P = xi.shape[1]
    record = energy.shape[0] > 0
    scale = 1.0 / math.sqrt(N)
    sd = 1.0 / math.sqrt(beta)
    M = np.zeros(P)
    for t in range(n_sweeps):
        for r in range(R):
            s = rng[r]
            sp = spins[r]
            z = hidden[r]
            M[:] = 0.0
            for i in range(N):
                for mu in range(P):
                    M[mu] += xi[i, mu] * sp[i]
            joint = 0.0
            for mu in range(P):
                u = M[mu] * scale
                if hidden_kind == GAUSSIAN_HIDDEN:
                    z[mu] = u + sd * normal(s)
                else:
                    z[mu] = 1.0 if uniform(s) * (1.0 + math.exp(-2.0 * beta * u)) < 1.0 else -1.0
            n_changed = 0
            for mu in range(P):
                M[mu] = 0.0
            for i in range(N):
                phi = h
                for mu in range(P):
                    phi += xi[i, mu] * z[mu] * scale
                new = 1 if uniform(s) * (1.0 + math.exp(-2.0 * beta * phi)) < 1.0 else -1
                if new != sp[i]:
                    n_changed += 1
                sp[i] = new
                for mu in range(P):
                    M[mu] += xi[i, mu] * new
            if record:
                mag = 0
                for i in range(N):
                    mag += sp[i]
                e = -h * mag
                if hidden_kind == GAUSSIAN_HIDDEN:
                    for mu in range(P):
                        e -= M[mu] * M[mu] / (2.0 * N)
                else:
                    for mu in range(P):
                        joint -= M[mu] * scale * z[mu]
                    e += joint
                energy[t, r] = e / N
                changed[t, r] = n_changed / N
                for k in range(n_observed):
                    overlaps[t, r, k] = M[k] / N
        if record and R >= 2:
            q[t] = _spin_overlap(spins[0], spins[1])


def warm_up():
    """Compile (or load from numba's on-disk cache) every kernel signature the backend uses.

    Called in the parent before tasks go to worker processes, so that workers started together only
    read the cache and never race to write it (DESIGN.md, Numerics).
    """
    rng = np.ones((3, 4), np.uint64)
    xi = np.ones((2, 1), np.int8)
    spins = np.ones((2, 2), np.int8)
    betas = np.ones(1)
    for dtype in (np.float32, np.float64):
        for p in (2, 3):
            run_patterns(xi, np.full((2, 1), 2.0, dtype), spins.copy(), np.full(2, 2, np.int64), betas,
                         1.0, p, 0.0, 0.0, METROPOLIS, 1, rng, 1, np.zeros((1, 2)), np.zeros((1, 2, 1)),
                         np.zeros((1, 2)), np.zeros(1), np.zeros((0, 2), np.int64))
    J = np.zeros((2, 2))
    run_dense(J, np.zeros((2, 2)), spins.copy(), betas, 0.0, METROPOLIS, 1, rng, np.zeros((1, 2)),
              np.zeros((1, 2)), np.zeros((1, 2)), np.zeros(1), np.zeros((0, 2), np.int64))
    run_rbm(xi, spins.copy(), np.zeros((2, 1)), 1.0, 0.0, GAUSSIAN_HIDDEN, 1, rng, 1, np.zeros((1, 2)),
            np.zeros((1, 2, 1)), np.zeros((1, 2)), np.zeros(1))
    warm_up_centred()


# ------------------------------------------------------------------------------------------------
# centred Hebbian patterns (diluted or biased Hopfield):
# H = −(1/2N) Σ_μ (M_μ² − S_μ) − h Σ_i σ_i,  M_μ = Σ_i η_iμ σ_i,  S_μ = Σ_i η_iμ² (i ≠ j),
# real-valued η (e.g. ξ − a); O(P) per attempted flip through the cached overlaps M
# ------------------------------------------------------------------------------------------------

@_jit
def centred_pattern_energy(M, mag, N, h, shift):
    """Total energy ``−(1/2N) Σ_μ M_μ² − h Σσ + shift`` (``shift = Σ_iμ η_iμ² / 2N`` removes i = j)."""
    e = 0.0
    for mu in range(M.shape[0]):
        e += M[mu] * M[mu]
    return -e / (2.0 * N) - h * mag + shift


@_jit
def _centred_sweep(eta, M, spins, self_coupling, beta, h, rule, s):
    N = spins.shape[0]
    P = eta.shape[1]
    accepted = 0
    for i in range(N):
        si = spins[i]
        dot = 0.0
        for mu in range(P):
            dot += eta[i, mu] * M[mu]
        # −(1/2N) Σ_μ [(M − 2sη)² − M²] + 2hs = (2/N)(s Σ_μ η M − Σ_μ η²) + 2hs
        dE = 2.0 / N * (si * dot - self_coupling[i]) + 2.0 * h * si
        if _accept(dE, beta, rule, s):
            spins[i] = -si
            d = -2.0 * si
            for mu in range(P):
                M[mu] += d * eta[i, mu]
            accepted += 1
    return accepted


@_jit
def run_centred_patterns(eta, M, spins, mag, self_coupling, betas, h, shift, rule, n_sweeps, rng,
                         n_observed, energy, overlaps, accepted, q, swaps):
    """Advance chains of a Hebbian model with real-valued pattern entries by ``n_sweeps`` sweeps.

    ``eta`` is ``(N, P)`` float64 (the centred entries ``η_iμ``), ``M`` ``(C, P)`` float64 the
    overlaps ``Σ_i η_iμ σ_i`` of each chain (updated in place), ``self_coupling`` ``(N,)`` the
    ``Σ_μ η_iμ²`` that the ``i ≠ j`` rule removes. Other arguments as in :func:`run_patterns`;
    ``overlaps`` records ``M_μ / N`` of the first ``n_observed`` patterns.
    """
    C, N, B, R, record, counts, E, swapped = _chain_workspace(spins, betas, energy)
    for t in range(n_sweeps):
        for c in range(C):
            counts[c] = _centred_sweep(eta, M[c], spins[c], self_coupling, betas[c % B], h, rule, rng[c])
            mag_c = 0
            for i in range(N):
                mag_c += spins[c, i]
            mag[c] = mag_c
        if B > 1:
            for c in range(C):
                E[c] = centred_pattern_energy(M[c], mag[c], N, h, shift)
            _exchange_pattern_chains(betas, E, R, rng[C], swaps, swapped, spins, M, mag, counts)
        if record:
            for r in range(R):
                E[r * B] = centred_pattern_energy(M[r * B], mag[r * B], N, h, shift)
            _record_pattern_slot(t, R, B, N, M, counts, E, spins, n_observed, energy, accepted, overlaps, q)


def warm_up_centred():
    """Compile (or load from the cache) :func:`run_centred_patterns` (see :func:`warm_up`)."""
    rng = np.ones((3, 4), np.uint64)
    spins = np.ones((2, 2), np.int8)
    run_centred_patterns(np.ones((2, 1)), np.full((2, 1), 2.0), spins, np.full(2, 2, np.int64), np.ones(2),
                         np.ones(1), 0.0, 0.0, METROPOLIS, 1, rng, 1, np.zeros((1, 2)), np.zeros((1, 2, 1)),
                         np.zeros((1, 2)), np.zeros(1), np.zeros((0, 2), np.int64))
