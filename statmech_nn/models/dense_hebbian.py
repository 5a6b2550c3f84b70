"""Dense (p-body) Hebbian network learning from noisy examples of its archetypes, supervised or
unsupervised (Agliari, Albanese, Alemanno, Alessandrelli, Barra, Giannotti, Lotito, Pedreschi,
arXiv:2212.00606 (supervised) and arXiv:2211.14067 (unsupervised)).

``P = α N^{p−1}`` archetypes ``ξ^μ = ±1``, ``M`` examples of each, ``η^{μ,a} = χ^{μ,a} ξ^μ`` with
``P(χ = ±1) = (1 ± r)/2``. Supervised: the couplings use the per-archetype average
``η̂^μ = (1/(rM)) Σ_a η^{μ,a}``; unsupervised: every example, scaled by ``1/(M r^p)`` (see
:class:`~statmech_nn.symbolic.pbody.DenseHebbianExamples`, which derives the signal and the noise
from the law of ``χ``). Control parameters: ``alpha``, ``T``, the dataset entropy
``rho = (1 − r²)/(M r²)`` and, unsupervised, ``M``. The condensed archetype acts through
``m = (1/N) Σ_i ξ_i χ̄_i σ_i`` (``χ̄ = (1/(rM)) Σ_a χ^a``, Gaussian ``1 + √ρ Y`` in the large-``M``
limit).

What the derived RS equations say (tests/test_dense_hebbian.py):

- ``rho = 0`` (``r = 1`` or ``M → ∞``) is :mod:`.dense_hopfield` exactly.
- The noise of the non-condensed archetypes has variance ``α (p−1)! κ`` with ``κ = (1 + ρ)^p``
  (supervised) or ``1 − 1/M + (1 + ρM)^p/M`` (unsupervised), and at ``T = 0`` the retrieval state
  solves ``m = E_Y[χ̄ erf(χ̄ m^{p−1}/√(2 α (p−1)! κ))]``: the boundary ``α_c`` depends on ``p`` through
  ``(p−1)! κ`` and the slowly varying ``m^{p−1}`` only, so ``α_c(p, ρ) (p−1)! κ`` tends to a
  function of ``ρ`` alone as ``p`` grows (*ultra-storage*: the number of storable archetypes is
  ``N^{p−1}`` times that, with ``(p−1)! κ`` the price of the dataset noise), and at low load
  (``α → 0``) retrieval of the archetype survives any dataset entropy (*ultra-detection*: the
  archetype overlap ``erf(1/√(2ρ))`` stays positive for every ``ρ``, at ``T = 0``).

Replica symmetry is assumed (as in the papers' RS picture).

The free energy's nested average ``E_Y E_z log 2cosh(β(a Y + b z + c))`` is one Gaussian average of
variance ``a² + b²`` (:func:`~statmech_nn.symbolic.averages.merge_gaussian_averages`), which the
mpmath reference evaluation uses.

Monte Carlo (:mod:`statmech_nn.montecarlo.systems`, ``snn.monte_carlo(DenseHebbian(...), N=...)``)
simulates the Hamiltonian above with binomial examples, starting in archetype 1: supervised through
the power sums of the real-valued ``η̂`` (the number of examples is the sampler option
``sampler_options={"M": ...}``, default 100: the theory depends on ``ρ`` only and takes ``χ̄``
Gaussian), unsupervised with every example a ``±1`` pattern (``M`` the model parameter, a whole
number). ``m`` is measured as ``(1/N) Σ_i η̂^1_i σ_i``. Finite size: with ``P = α N^{p−1} ≫ N``
archetypes the norms ``(1/N) Σ_i |χ̄_i|`` spread by ``√(ρ/N)``, so archetype 1 with a below-average
norm sits in a shallower well and a sample can leave it for another archetype, more often near
the retrieval edge and at higher ``T`` (``p = 3``, ``ρ = 0.1``, ``N = 200``: none of 32 samples at
noise variance ``α (p−1)! κ = 0.1``, ``T = 0.1``; 3 of 32 at ``0.15``, ``T = 0.3``).
tests/test_dense_hebbian_mc.py gives the measured finite-size trend.
"""
import math

from ..parameters import Parameter
from ..symbolic.interactions import Hamiltonian
from ..symbolic.pbody import DenseHebbianExamples
from ..symbolic.priors import IsingPrior
from .base import Model, temperature_parameter
from .p_spin import conjugate_seeds

__all__ = ["DenseHebbian"]

SETTINGS = DenseHebbianExamples.SETTINGS


class DenseHebbian(Model):
    name = "dense-hebbian"
    title = "dense Hebbian network learning from examples"
    references = ("Agliari et al., Dense Hebbian neural networks: a replica symmetric picture of "
                  "supervised learning, arXiv:2212.00606 (2022)",
                  "Agliari et al., Dense Hebbian neural networks: a replica symmetric picture of "
                  "unsupervised learning, arXiv:2211.14067 (2022)")
    structural_options = {
        "p": (4, tuple(range(3, 11)), "interaction order"),
        "setting": ("supervised", SETTINGS, "supervised (per-archetype example average) or "
                    "unsupervised (every example)"),
    }
    ordered_name = "retrieval"
    montecarlo = True
    #: P = α N^{p−1} archetypes: at p = 4 and N = 60 the ordered point has P ≈ 2 500 (supervised) or
    #: 1 440 archetypes × 10 examples (unsupervised), about 1 s for 4 samples × 300 sweeps
    montecarlo_size = 60

    @property
    def ordered_point(self):
        """Inside the retrieval phase: noise variance ``α (p−1)! κ`` near ``0.1`` at ``ρ = 0.1``."""
        p = self.options["p"]
        point = {"alpha": 0.1 / math.factorial(p - 1) / 1.1**p, "rho": 0.1, "T": 0.1}
        if self.options["setting"] == "unsupervised":
            point["M"] = 10.0
            point["alpha"] = 0.1 / math.factorial(p - 1) / (1 - 0.1 + 2.0**p / 10)
        return point

    def __init__(self, **options):
        # the parameter list depends on the setting (unsupervised: M), read before the specs are made
        self._setting = options.get("setting", "supervised")
        super().__init__(**options)

    def make_parameter_specs(self):
        specs = {
            "alpha": Parameter("alpha", 0.01, "load P/N^(p-1)", lower=0.0),
            "rho": Parameter("rho", 0.1, "dataset entropy (1 - r^2)/(M r^2)", lower=0.0),
            "T": temperature_parameter(),
        }
        if self._setting == "unsupervised":
            specs["M"] = Parameter("M", 10.0, "examples per archetype", lower=1.0)
        return specs

    def hamiltonian(self):
        p, setting = self.options["p"], self.options["setting"]
        M = self.symbol("M") if setting == "unsupervised" else None
        return Hamiltonian(IsingPrior(), [DenseHebbianExamples(p, self.symbol("alpha"), self.symbol("rho"),
                                                                M, setting)],
                           rf"Ising neurons, ${p}$-body Hebbian couplings built ({setting}) from $M$ "
                           r"examples of quality $r$ of each of $P = \alpha N^{p-1}$ random $\pm1$ "
                           r"archetypes, dataset entropy $\rho = (1-r^2)/(Mr^2)$. Replica symmetry is "
                           r"assumed.")

    def default_guess(self, names):
        return conjugate_seeds([super().default_guess(names)], self.options["p"])[0]

    def phase_seeds(self, names, signed=True):
        return conjugate_seeds(super().phase_seeds(names, signed), self.options["p"])

    def sign_symmetric(self, parameters):
        """Even ``p`` only (``σ → −σ`` leaves an even p-body energy unchanged)."""
        return self.options["p"] % 2 == 0
