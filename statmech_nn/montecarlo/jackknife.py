"""Jackknife error bars of (possibly non-linear) functions of Monte Carlo averages.

The time series is first reduced to block means (blocks much longer than the autocorrelation time are
nearly independent); the delete-one-block jackknife then gives the error of any smooth function of the
means, e.g. a susceptibility ``⟨M²⟩ − ⟨|M|⟩²`` or an inverse propagator (Efron, *The Jackknife, the
Bootstrap and Other Resampling Plans*, SIAM 1982; Berg, *Markov Chain Monte Carlo Simulations and Their
Statistical Analysis*, World Scientific 2004, ch. 2.7). NumPy only: usable by any sampler.
"""
from __future__ import annotations

import numpy as np

from ..errors import ParameterError

__all__ = ["block_means", "jackknife"]


def block_means(series, n_blocks):
    """Means of ``n_blocks`` consecutive equal blocks along axis 0 (a remainder at the end is dropped)."""
    series = np.asarray(series, dtype=float)
    if isinstance(n_blocks, bool) or not isinstance(n_blocks, (int, np.integer)) or n_blocks < 2:
        raise ParameterError(f"n_blocks must be an int >= 2, got {n_blocks!r}")
    size = series.shape[0] // n_blocks
    if size < 1:
        raise ParameterError(f"{series.shape[0]} measurements cannot fill {n_blocks} blocks: measure longer "
                             "or use fewer blocks")
    return series[: size * n_blocks].reshape((n_blocks, size) + series.shape[1:]).mean(axis=1)


def jackknife(blocks, func=None):
    """Estimate and jackknife standard error of ``func(mean of blocks)``.

    Parameters
    ----------
    blocks : array_like, shape (n_blocks, ...)
        Block means (one row per block; several observables along further axes).
    func : callable, optional
        Maps an array shaped like one row to the estimate (scalar or array). Identity by default (then
        the error is the standard error of the mean of the blocks).

    Returns
    -------
    (estimate, error) : floats or arrays
        ``estimate = func(mean)``, ``error² = (n−1)/n Σ_i (func(mean_{−i}) − mean_i func(mean_{−i}))²``.
    """
    blocks = np.asarray(blocks, dtype=float)
    n = blocks.shape[0]
    if n < 2:
        raise ParameterError(f"the jackknife needs at least 2 blocks, got {n}")
    func = func or (lambda x: x)
    total = blocks.sum(axis=0)
    estimate = np.asarray(func(total / n), dtype=float)
    reps = np.array([func((total - blocks[i]) / (n - 1)) for i in range(n)], dtype=float)
    error = np.sqrt((n - 1) / n * np.sum((reps - reps.mean(axis=0)) ** 2, axis=0))
    if estimate.ndim == 0:
        return float(estimate), float(error)
    return estimate, error
