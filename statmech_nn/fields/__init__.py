"""Lattice field theories of neural networks (issue 8).

- :mod:`.lattice` — periodic lattices, free/phi^4 actions (standard and Albergo et al. conventions),
  coupled Klein–Gordon neural fields (Cooray, Cooray, Friston, arXiv:2308.10645); kernels, propagators,
  dispersion relations and continuum limits derived by SymPy; equipartition power spectra.
- :mod:`.montecarlo` — HMC and Metropolis for lattice phi^4 (numba kernels in :mod:`.kernels`), one RNG
  stream per chain, jackknife errors.
- :mod:`.synaptic` — synaptic field theory of perceptron training (Lee, Lee, Yi, arXiv:2503.08827).

Everything is imported on first use: ``import statmech_nn.fields`` loads neither SymPy nor numba.
"""
import importlib

__all__ = ["Lattice", "ScalarFieldTheory", "NeuralFieldTheory", "one_loop_self_energy_coefficient",
           "phi4_monte_carlo", "measured_mass_shift", "Phi4Result", "Estimate",
           "SynapticFieldTheory", "perceptron_gradient_descent"]

_LAZY = {"Lattice": "lattice", "ScalarFieldTheory": "lattice", "NeuralFieldTheory": "lattice",
         "one_loop_self_energy_coefficient": "lattice",
         "phi4_monte_carlo": "montecarlo", "measured_mass_shift": "montecarlo", "Phi4Result": "montecarlo",
         "Estimate": "montecarlo",
         "SynapticFieldTheory": "synaptic", "perceptron_gradient_descent": "synaptic"}


def __getattr__(name):
    if name in _LAZY:
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
