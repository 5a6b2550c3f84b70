"""Monte Carlo backend: samplers built from the same models the replica engine derives.

Numba kernels (:mod:`.kernels`, plain arrays, no SymPy), model samplers (:mod:`.systems`), one task per
disorder sample (:mod:`.runner`) and the public functions :func:`monte_carlo`, :func:`sweep` and
:func:`crosscheck` (:mod:`.api`); the overlap distribution ``P(q)`` of SK by parallel tempering
(:func:`overlap_distribution`, :mod:`.overlap`).
"""
from .api import (CrosscheckResult, MCResult, Observable, crosscheck, hopfield_retrieval_crosscheck,
                  monte_carlo, sweep)
from .overlap import OverlapResult, OverlapSize, overlap_distribution

__all__ = ["monte_carlo", "sweep", "crosscheck", "hopfield_retrieval_crosscheck", "MCResult",
           "Observable", "CrosscheckResult", "overlap_distribution", "OverlapResult", "OverlapSize"]
