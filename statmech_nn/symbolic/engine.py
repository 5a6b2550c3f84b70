"""The replica engine, one module per job:

1. :mod:`~.state` — the replica state ``E Z^n`` in replica-indexed form while the terms are applied
   (Hubbard–Stratonovich, delta functions, the units' overlap shared by every term);
2. :mod:`~.assembly` — RS ansatz, single-site problems, quenched averages, ``n → 0`` ⇒
   :class:`~.free_energy.FreeEnergy`;
3. :mod:`~.stationarity` — the saddle-point equations in fixed-point form ⇒ :class:`~.free_energy.SaddlePoint`;
4. :mod:`~.replicon` — the replicon eigenvalue (de Almeida–Thouless) from the replicon sector of the Hessian;
5. :mod:`~.zero_temperature` — ``T → 0`` with ``C = β(1 − q)`` finite.

Nothing here or in a model knows a final free energy: it is what the steps produce. This module only
gathers the entry points.
"""
from .assembly import derive
from .state import N, OrderParameter, ReplicaCalculation, beta, n, replica_a, replica_b, z
from .rewrite import hyperbolic_to_tanh
from .stationarity import saddle_point, solve_for
from .zero_temperature import large_beta_average, zero_temperature

__all__ = ["ReplicaCalculation", "OrderParameter", "derive", "saddle_point", "zero_temperature",
           "large_beta_average", "hyperbolic_to_tanh", "solve_for", "n", "beta", "z", "N", "replica_a",
           "replica_b"]
