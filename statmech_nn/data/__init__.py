"""Small example data shipped with the package (used by the README and the notebooks).

- ``spikes.csv`` (30 kB): synthetic spikes of 6 neurons over 60 s, one ``neuron,time`` row per spike
  (times in whole ms). Each neuron fires as a Bernoulli process on the 1 ms grid with probability
  ``12e-3 × g_i × (1.6 or 0.4)`` per ms: the factor follows a shared up/down state that switches with
  probability 1/200 per ms, the gains are ``g_i ~ U(0.6, 1.4)``; drawn with
  ``numpy.random.default_rng(2024)`` in that order (switches, gains, then each neuron's grid). The
  shared state makes the neurons correlated in space and time, so a maximum-entropy fit finds
  positive couplings.
"""
from __future__ import annotations

import os

from ..errors import MissingFileError

__all__ = ["path", "FILES"]

#: the files shipped here
FILES = ("spikes.csv",)


def path(name):
    """The path of the shipped example file ``name`` (one of :data:`FILES`).

    Examples
    --------
    >>> import os
    >>> os.path.basename(path("spikes.csv"))
    'spikes.csv'
    """
    if name not in FILES:
        raise MissingFileError(f"no example file {name!r}; the package ships {', '.join(FILES)}")
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), name)
