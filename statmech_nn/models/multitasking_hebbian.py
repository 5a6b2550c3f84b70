"""Multitasking Hebbian network: Hopfield couplings of diluted patterns retrieving several patterns
at once (Agliari, Barra, Galluzzi, Guerra, Moauro, PRL 109, 268101 (2012); Agliari, Alessandrelli,
Barra, Ricci-Tersenghi, arXiv:2308.04106 (2023)).

``H = −(1/2N) Σ_μ Σ_{i≠j} ξ_i^μ ξ_j^μ σ_i σ_j − h Σ_i σ_i`` with i.i.d. entries ``ξ ∈ {−1, 0, +1}``,
``P(0) = d``, ``P(±1) = (1 − d)/2`` (couplings not renormalised by ``1 − d``, as in
:mod:`.hopfield` with ``pattern="diluted"``). All ``K`` patterns (option ``patterns``) are condensed:
overlaps ``m_1 … m_K``.

- ``load="low"`` (default): ``P = K`` patterns, ``α = 0`` (the papers' low-storage setting): the
  engine keeps only the condensed patterns (no noise, no ``q``).
- ``load="finite"``: ``P = αN`` patterns, ``K`` of them condensed: the AGS noise term of the other
  ``αN − K`` (variance ``1 − d``) is derived as for :mod:`.hopfield`.

Regimes (what the derived equations give, checked in ``tests/test_multitasking.py``):

- *hierarchical*: at ``T = 0`` each neuron aligns with the first pattern that is non-zero on it, so
  ``m_k = (1 − d) d^{k−1}``: a power law in the information content, one factor ``d`` per level
  (Agliari et al. 2012 and arXiv:2308.04106, low-storage analysis). It is a solution of the
  ``T = 0`` equations while every level dominates the ones below, ``m_k > Σ_{l>k} m_l``, i.e.
  ``Σ_{l=1}^{K−1} d^l < 1`` (``K = 2``: every ``d < 1``; ``K = 3``: ``d < (√5 − 1)/2``; ``K → ∞``:
  ``d < 1/2``).
- *parallel*: all ``K`` overlaps equal (symmetric parallel retrieval): at ``α = 0`` it branches off
  the paramagnet at ``T = 1 − d`` and, as ``T`` is lowered, becomes unstable towards the hierarchical
  state (Bartolucci & Annibale, arXiv:1405.2454). The stronger the dilution, the wider the band of
  ``T`` in which the parallel state is the equilibrium one.

References
----------
E. Agliari, A. Alessandrelli, A. Barra, F. Ricci-Tersenghi, arXiv:2308.04106 (2023);
E. Agliari, A. Barra, A. Galluzzi, F. Guerra, F. Moauro, PRL 109, 268101 (2012);
S. Bartolucci, A. Annibale, arXiv:1405.2454 (2014).
"""
from .. import blocks as B
from ..errors import ParameterError
from ..parameters import Parameter
from .base import Model
from .hopfield import Hopfield

__all__ = ["MultitaskingHebbian"]

LOADS = ("low", "finite")


class MultitaskingHebbian(Hopfield):
    name = "multitasking-hebbian"
    title = "multitasking Hebbian network (diluted patterns)"
    references = ("Agliari, Alessandrelli, Barra & Ricci-Tersenghi, arXiv:2308.04106 (2023)",
                  "Agliari, Barra, Galluzzi, Guerra & Moauro, PRL 109, 268101 (2012)",
                  "Bartolucci & Annibale, arXiv:1405.2454 (2014)")
    structural_options = {
        "patterns": (2, (2, 3, 4, 5), "number K of condensed diluted patterns"),
        "load": ("low", LOADS, "low: P = K patterns (alpha = 0); finite: P = alpha N patterns"),
    }
    ordered_name = "pure retrieval"
    #: relative difference below which non-zero overlaps count as equal (parallel regime)
    parallel_tolerance = 1e-5

    def __init__(self, **options):
        load = options.get("load", "low")
        if load not in LOADS:
            raise ParameterError(f"option 'load' of model 'multitasking-hebbian' must be one of "
                                 f"{list(LOADS)}; got {load!r}")
        self._pattern_kind = "diluted"
        self._load = load
        Model.__init__(self, **options)

    @property
    def ordered_point(self):
        """A point in the hierarchical regime (``K = 2``, ``d = 0.3``, ``T = 0.1``); ``load="finite"``
        at ``α = 0.01``."""
        point = {"d": 0.3, "h": 0.0, "T": 0.1}
        if self._load == "finite":
            point["alpha"] = 0.01
        return point

    def parameter_overrides(self):
        return {"d": Parameter("d", 0.3, "pattern dilution P(xi = 0)", lower=0.0, upper=1.0, open_upper=True),
                "h": Parameter("h", 0.0, "uniform external field"),
                "alpha": Parameter("alpha", 0.01, "load P/N", lower=0.0)}

    def make_parameter_specs(self):
        specs = super(Hopfield, self).make_parameter_specs()
        return {k: specs[k] for k in ("d", "h", "T", "alpha") if k in specs}

    def declaration(self):
        load = "alpha" if self._load == "finite" else 0
        return B.Ising(), [B.Hebbian(load, patterns=B.Diluted("d"), condensed=self.options["patterns"]),
                           B.Field("h")]

    @property
    def description(self):
        load = r"$P = K$" if self._load == "low" else r"$P = \alpha N$"
        K = self.options["patterns"]
        return (rf"Ising neurons, Hebbian couplings of {load} diluted patterns "
                rf"$\xi\in\{{0,\pm1\}}$, $P(\xi = 0) = d$, all $K = {K}$ condensed, field $h$.")

    def hierarchical_seed(self, names, ratio=0.5):
        """Overlaps ``m_k = ratio^{k−1}`` (the hierarchical ordering) and the default for the rest."""
        seed = Model.default_guess(self, names)
        mags = [n for n in names if n.startswith("m")]
        for k, name in enumerate(mags):
            seed[name] = ratio ** k
        return seed

    def default_guess(self, names):
        """The hierarchical state: ``m_k = 2^{−(k−1)}``."""
        return self.hierarchical_seed(names)

    def phase_seeds(self, names, signed=True):
        """The base seeds (paramagnet, spin glass, pure and symmetric mixtures = parallel states)
        plus hierarchical ones with ratios ``0.3`` and ``0.6`` (``m → −m`` is a gauge symmetry of the
        symmetric diluted law, so one sign suffices for them)."""
        return Model.phase_seeds(self, names, signed) + [self.hierarchical_seed(names, r)
                                                         for r in (0.3, 0.6)]

    def classify(self, values, parameters, replicon=float("nan")):
        """``"paramagnet"``/``"spin glass"`` (no overlap), ``"pure retrieval"`` (one), ``"parallel"``
        (all non-zero overlaps equal in magnitude; ``"parallel (k of K)"`` when only ``k < K`` are
        non-zero) or ``"hierarchical"`` (several non-zero overlaps of different sizes)."""
        mags = [abs(v) for k, v in values.items() if k.startswith("m") and v == v]
        nonzero = [v for v in mags if v > self.zero_tolerance]
        if len(nonzero) < 2:
            return Model.classify(self, values, parameters, replicon)
        if max(nonzero) - min(nonzero) <= self.parallel_tolerance * max(nonzero):
            return "parallel" if len(nonzero) == len(mags) else f"parallel ({len(nonzero)} of {len(mags)})"
        return "hierarchical"
