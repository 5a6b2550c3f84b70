"""Lattice field theories of neural networks (issue 8).

- :mod:`.lattice` — periodic lattices, free/phi^4 actions (standard and Albergo et al. conventions),
  coupled Klein–Gordon neural fields (Cooray, Cooray, Friston, arXiv:2308.10645); kernels, propagators,
  dispersion relations and continuum limits derived by SymPy; equipartition power spectra.
- :mod:`.montecarlo` — HMC and Metropolis for lattice phi^4 (numba kernels in :mod:`.kernels`), one RNG
  stream per chain, jackknife errors.
- :mod:`.synaptic` — synaptic field theory of perceptron training (Lee, Lee, Yi, arXiv:2503.08827).
- :mod:`.raster` — spike rasters as a binary lattice field (neurons × time bins; Bardella, Franchini, Pani,
  Ferraina, arXiv:2405.12022, arXiv:2310.09178): loading, binning, averages, spectra, correlations.
- :mod:`.maxent` — maximum-entropy Ising model with equal-time and one-bin temporal couplings, fitted by
  pseudo-likelihood with sandwich errors; exact and Gibbs samplers (numba in :mod:`.raster_kernels`).
- :mod:`.decimation` — renormalisation by decimation in time: the chain's flow derived by SymPy, and the
  flow of fitted parameters.
- :mod:`.duality` — Hopfield network ≡ Boltzmann machine with Gaussian hidden units (Agliari, Barra et al.,
  arXiv:1407.5300): the Hubbard–Stratonovich marginalisation done symbolically, partition functions by
  enumeration.

Everything is imported on first use: ``import statmech_nn.fields`` loads neither SymPy nor numba.
"""
import importlib

__all__ = ["Lattice", "ScalarFieldTheory", "NeuralFieldTheory", "one_loop_self_energy_coefficient",
           "phi4_monte_carlo", "measured_mass_shift", "Phi4Result", "Estimate",
           "SynapticFieldTheory", "perceptron_gradient_descent",
           "Raster", "load_raster", "spike_times_to_raster", "trial_magnetisation_kernel",
           "SpaceTimeIsing", "fit_maxent", "MaxEntFit",
           "chain_decimation", "chain_fixed_points", "predicted_chain_flow", "fitted_flow",
           "hubbard_stratonovich", "hopfield_partition_function", "rbm_partition_function"]

_LAZY = {"Lattice": "lattice", "ScalarFieldTheory": "lattice", "NeuralFieldTheory": "lattice",
         "one_loop_self_energy_coefficient": "lattice",
         "phi4_monte_carlo": "montecarlo", "measured_mass_shift": "montecarlo", "Phi4Result": "montecarlo",
         "Estimate": "montecarlo",
         "SynapticFieldTheory": "synaptic", "perceptron_gradient_descent": "synaptic",
         "Raster": "raster", "load_raster": "raster", "spike_times_to_raster": "raster",
         "trial_magnetisation_kernel": "raster",
         "SpaceTimeIsing": "maxent", "fit_maxent": "maxent", "MaxEntFit": "maxent",
         "chain_decimation": "decimation", "chain_fixed_points": "decimation",
         "predicted_chain_flow": "decimation", "fitted_flow": "decimation",
         "hubbard_stratonovich": "duality", "hopfield_partition_function": "duality",
         "rbm_partition_function": "duality"}


def __getattr__(name):
    if name in _LAZY:
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
