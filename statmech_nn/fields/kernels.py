"""Numba kernels for lattice phi^4 Monte Carlo: plain arrays and scalars in, plain arrays out.

No SymPy here (DESIGN.md layering): :mod:`statmech_nn.fields.lattice` reads the per-site coefficients
off the symbolic action and :mod:`statmech_nn.fields.montecarlo` passes them in. The action is

    S = Σ_x [ −hop Σ_μ φ_x φ_{x+μ} + a2 φ_x² + a4 φ_x⁴ ]

on any periodic lattice given by its flattened neighbour table ``nbr`` (``V × 2d``: forward then
backward neighbours), so every dimension d uses the same kernels. Each chain draws from its own
xoshiro256** stream (the generator of :mod:`statmech_nn.montecarlo.kernels`), seeded from
``numpy.random.SeedSequence.spawn``: the output depends only on the seed.

References
----------
Metropolis et al., J. Chem. Phys. 21, 1087 (1953); Duane, Kennedy, Pendleton, Roweth, Phys. Lett. B
195, 216 (1987) (hybrid Monte Carlo, leapfrog integrator); Mackenzie, Phys. Lett. B 226, 369 (1989)
(randomised trajectory length).
"""
from __future__ import annotations

import math

import numba
import numpy as np

from ..montecarlo.kernels import normal, uniform

__all__ = ["action", "hmc_block", "metropolis_block"]

_jit = numba.njit(cache=True, nogil=True)


@_jit
def action(phi, nbr, hop, a2, a4):
    """``S(φ)`` summed over sites (each bond counted once through the forward neighbours)."""
    V = phi.shape[0]
    d = nbr.shape[1] // 2
    S = 0.0
    for x in range(V):
        p = phi[x]
        fwd = 0.0
        for mu in range(d):
            fwd += phi[nbr[x, mu]]
        p2 = p * p
        S += -hop * p * fwd + a2 * p2 + a4 * p2 * p2
    return S


@_jit
def _force(phi, nbr, hop, a2, a4, out):
    """``out = ∂S/∂φ`` (the negative force)."""
    V = phi.shape[0]
    for x in range(V):
        nsum = 0.0
        for j in range(nbr.shape[1]):
            nsum += phi[nbr[x, j]]
        p = phi[x]
        out[x] = -hop * nsum + 2.0 * a2 * p + 4.0 * a4 * p * p * p


@_jit
def _record(phi, k, M_out, S_out, fields_out, S):
    M = 0.0
    for x in range(phi.shape[0]):
        M += phi[x]
    M_out[k] = M
    S_out[k] = S
    if fields_out.shape[0] > 0:
        fields_out[k, :] = phi


@_jit
def hmc_block(phi, nbr, hop, a2, a4, eps0, jitter, n_leapfrog, n_measure, every, rng, M_out, S_out, fields_out):
    """``n_measure × every`` HMC trajectories on ``phi`` (updated in place); records ``M = Σ_x φ_x``,
    ``S`` (and the field, when ``fields_out`` has rows) after every ``every``-th trajectory.

    Leapfrog with ``n_leapfrog`` steps of size ``eps = eps0 (1 + jitter (2u − 1))``, ``u`` drawn per
    trajectory: a fixed trajectory length resonates with modes whose frequency times the length is a
    multiple of π (they return to ±themselves and never decorrelate; Mackenzie, Phys. Lett. B 226, 369
    (1989)). Unit-mass momenta. Returns the number of accepted trajectories.
    """
    V = phi.shape[0]
    mom = np.empty(V)
    grad = np.empty(V)
    old = np.empty(V)
    accepted = 0
    S = action(phi, nbr, hop, a2, a4)
    for k in range(n_measure):
        for _ in range(every):
            eps = eps0 * (1.0 + jitter * (2.0 * uniform(rng) - 1.0))
            kin = 0.0
            for x in range(V):
                m = normal(rng)
                mom[x] = m
                kin += 0.5 * m * m
                old[x] = phi[x]
            H0 = kin + S
            _force(phi, nbr, hop, a2, a4, grad)
            for x in range(V):
                mom[x] -= 0.5 * eps * grad[x]
            for step in range(n_leapfrog):
                for x in range(V):
                    phi[x] += eps * mom[x]
                _force(phi, nbr, hop, a2, a4, grad)
                h = eps if step < n_leapfrog - 1 else 0.5 * eps
                for x in range(V):
                    mom[x] -= h * grad[x]
            kin = 0.0
            for x in range(V):
                kin += 0.5 * mom[x] * mom[x]
            S_new = action(phi, nbr, hop, a2, a4)
            dH = kin + S_new - H0
            # accept with min(1, e^{-ΔH}); a NaN/inf trajectory (blown-up integrator) is rejected
            if dH <= 0.0 or uniform(rng) < math.exp(-dH):
                accepted += 1
                S = S_new
            else:
                for x in range(V):
                    phi[x] = old[x]
        _record(phi, k, M_out, S_out, fields_out, S)
    return accepted


@_jit
def metropolis_block(phi, nbr, hop, a2, a4, width, n_measure, every, rng, M_out, S_out, fields_out):
    """``n_measure × every`` single-site Metropolis sweeps (sites in order ``0..V−1``, proposal
    ``φ_x + width·(2u − 1)``); records as :func:`hmc_block`. Returns the number of accepted site updates.
    """
    V = phi.shape[0]
    accepted = 0
    S = action(phi, nbr, hop, a2, a4)
    for k in range(n_measure):
        for _ in range(every):
            for x in range(V):
                nsum = 0.0
                for j in range(nbr.shape[1]):
                    nsum += phi[nbr[x, j]]
                p = phi[x]
                q = p + width * (2.0 * uniform(rng) - 1.0)
                p2 = p * p
                q2 = q * q
                dS = -hop * (q - p) * nsum + a2 * (q2 - p2) + a4 * (q2 * q2 - p2 * p2)
                if dS <= 0.0 or uniform(rng) < math.exp(-dS):
                    phi[x] = q
                    S += dS
                    accepted += 1
        # the running sum drifts by round-off over many updates: recompute once per measurement
        S = action(phi, nbr, hop, a2, a4)
        _record(phi, k, M_out, S_out, fields_out, S)
    return accepted
