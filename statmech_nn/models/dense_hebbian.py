"""Dense (p-body) Hebbian network learning from noisy examples of its archetypes, supervised or
unsupervised (Agliari, Albanese, Alemanno, Alessandrelli, Barra, Giannotti, Lotito, Pedreschi,
arXiv:2212.00606 (supervised) and arXiv:2211.14067 (unsupervised)).

``P = α N^{p−1}`` archetypes ``ξ^μ = ±1``, ``M`` examples of each, ``η^{μ,a} = χ^{μ,a} ξ^μ`` with
``P(χ = ±1) = (1 ± r)/2``. Supervised: the couplings use the per-archetype average
``η̂^μ = (1/(rM)) Σ_a η^{μ,a}``; unsupervised: every example, scaled by ``1/(M r^p)`` (see
:class:`DenseHebbianExamples`, which derives the signal and the noise
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

import sympy as sp

from .. import blocks as B
from ..errors import DerivationError
from ..parameters import Parameter
from ..symbolic.pbody import overlap_power
from ..symbolic.state import N, beta
from .declared import DeclaredModel
from .p_spin import conjugate_seeds
from ..symbolic.printing import Tex

__all__ = ["DenseHebbian", "DenseHebbianExamples", "Examples"]

SETTINGS = ("supervised", "unsupervised")



class DenseHebbianExamples:
    """p-body Hebbian couplings built from ``M`` noisy examples ``η^{μ,a} = χ^{μ,a} ξ^μ`` of each of
    ``P = α N^{p−1}`` archetypes ``ξ^μ = ±1`` (``χ = ±1`` i.i.d., ``P(χ = 1) = (1 + r)/2``): the dense
    Hebbian learners of Agliari et al., arXiv:2212.00606 (supervised) and arXiv:2211.14067
    (unsupervised). ``p ≥ 3``; archetype 1 condensed.

    - ``setting="supervised"``: ``H = −(1/(p N^{p−1})) Σ_μ Σ_{i1≠…≠ip} Π_k η̂^μ_{ik} σ_{ik}`` with the
      teacher's per-archetype average ``η̂^μ_i = (1/(rM)) Σ_a η^{μ,a}_i``;
    - ``setting="unsupervised"``: ``H = −(1/(p N^{p−1} M r^p)) Σ_μ Σ_a Σ_{i1≠…≠ip} Π_k η^{μ,a}_{ik}
      σ_{ik}`` (every example on its own).

    Control parameters: the load ``α``, the dataset entropy ``ρ = (1 − r²)/(M r²)`` and, for the
    unsupervised setting, ``M`` (its noise depends on ``r`` and ``M`` separately). The engine derives
    from the law of ``χ`` (i) the signal: in both settings the condensed archetype enters through
    ``X = (1/N) Σ_i ξ_i χ̄_i σ_i`` with ``χ̄ = (1/(rM)) Σ_a χ^a`` (unsupervised: the ``M`` example
    overlaps are exchangeable, so at the saddle point they are equal, ``Σ_a n_a^p = M (rX)^p``), with
    mean ``E χ̄ = 1`` and variance ``ρ``; (ii) the noise: the second cumulant of a non-condensed
    archetype, ``κ`` times that of :class:`DenseHebbianCouplings`, with
    ``κ = (E η̂²)^p = (1 + ρ)^p`` (supervised) and ``κ = Σ_{a,b} E[Π_k χ^a_k χ^b_k]/(M r^p)²
    = 1 − 1/M + (1 + ρM)^p/M`` (unsupervised). The site variable ``χ̄`` is taken Gaussian,
    ``χ̄ = 1 + √ρ Y`` (the papers' large-dataset limit, central limit theorem in ``M``); ``ρ = 0``
    is :class:`DenseHebbianCouplings` exactly. The site problem is written in the gauge
    ``σ_i → ξ^1_i σ_i`` (no external field), which removes ``ξ^1``.
    """

    SETTINGS = SETTINGS

    def __init__(self, p, alpha, rho, M=None, setting="supervised"):
        self.p = int(p)
        if self.p < 3:
            raise DerivationError("DenseHebbianExamples needs p >= 3")
        if setting not in self.SETTINGS:
            raise DerivationError(f"setting must be one of {self.SETTINGS}, got {setting!r}")
        if setting == "unsupervised" and M is None:
            raise DerivationError("the unsupervised setting needs the number of examples M")
        self.alpha, self.rho, self.M, self.setting = alpha, rho, M, setting

    def display(self):
        p = self.p
        if self.setting == "supervised":
            return -Tex(r"\frac{1}{%d N^{%d}}\sum_{\mu=1}^{P}\sum_{i_1\neq\dots\neq i_{%d}}"
                              r"\hat\eta^\mu_{i_1}\cdots\hat\eta^\mu_{i_{%d}}\sigma_{i_1}\cdots\sigma_{i_{%d}}"
                              % (p, p - 1, p, p, p))
        return -Tex(r"\frac{1}{%d N^{%d} M r^{%d}}\sum_{\mu=1}^{P}\sum_{a=1}^{M}\sum_{i_1\neq\dots"
                          r"\neq i_{%d}}\eta^{\mu,a}_{i_1}\cdots\eta^{\mu,a}_{i_{%d}}\sigma_{i_1}\cdots"
                          r"\sigma_{i_{%d}}" % (p, p - 1, p, p, p, p))

    def example_moments(self):
        """``(E χ̄, Var χ̄, κ)`` from the law of ``χ``, in terms of ``ρ`` (and ``M``)."""
        p = self.p
        r, M, k = sp.symbols("r M k", positive=True)
        # χ = ±1 with P(χ = 1) = (1 + r)/2: E χ = r, E χ² = 1; distinct examples independent
        chi_mean, chi_sq = sp.Rational(1, 2) * (1 + r) - sp.Rational(1, 2) * (1 - r), sp.S.One
        sum_sq = M * chi_sq + M * (M - 1) * chi_mean**2            # E (Σ_a χ^a)²
        mean = sp.simplify(M * chi_mean / (r * M))
        var = sp.simplify(sum_sq / (r * M) ** 2 - mean**2)
        if self.setting == "supervised":
            kappa = (sum_sq / (r * M) ** 2) ** p                     # (E η̂²)^p, sites independent
        else:
            # Σ_{a,b} E Π_k χ^a_{i_k} χ^b_{i_k}: a = b gives 1, a ≠ b gives (E χ)^{2p}
            kappa = (M + M * (M - 1) * chi_mean ** (2 * p)) / (M * r**p) ** 2
        # r² = 1/(1 + ρM): the dataset entropy ρ = (1 − r²)/(M r²)
        rho = sp.Symbol("rho", positive=True)
        to_rho = {r: 1 / sp.sqrt(1 + rho * M)}
        mean, var = sp.simplify(mean.subs(to_rho)), sp.simplify(var.subs(to_rho))
        kappa = sp.factor(sp.simplify(kappa.subs(to_rho)))
        subs = {rho: self.rho}
        if self.M is not None:
            subs[M] = self.M
        return mean.subs(subs), var.subs(subs), kappa.subs(subs)

    def apply(self, calc):
        d = calc.derivation
        p, alpha = self.p, self.alpha
        s2 = calc.prior.self_overlap
        mean, var, kappa = self.example_moments()
        if mean != 1 or sp.simplify(var - self.rho) != 0:
            raise DerivationError(f"example average has mean {mean}, variance {var}: expected 1 and rho")
        Y = sp.Symbol("Y", real=True)
        chibar = mean + sp.sqrt(var) * Y
        d.add("Examples of the archetypes",
              [sp.Eq(Tex(r"\eta^{\mu,a}_i"), Tex(r"\chi^{\mu,a}_i\xi^\mu_i")),
               sp.Eq(Tex(r"\mathbb{E}\,\bar\chi"), mean),
               sp.Eq(Tex(r"\mathrm{Var}\,\bar\chi"), var),
               sp.Eq(Tex(r"\bar\chi"), chibar),
               sp.Eq(Tex(r"\kappa"), kappa)],
              r"$P(\chi = \pm1) = (1 \pm r)/2$, $\bar\chi = \frac{1}{rM}\sum_a\chi^a$, "
              r"$\rho = \frac{1-r^2}{Mr^2}$. The condensed archetype acts through "
              r"$X = \frac{1}{N}\sum_i\xi_i\bar\chi_i\sigma_i$ in both settings (unsupervised: the "
              r"$M$ example overlaps are exchangeable and equal at the saddle point); $\bar\chi$ is "
              r"Gaussian for large $M$. $\kappa$ multiplies the second cumulant of each "
              r"non-condensed archetype (" + self.setting + r"); the gauge $\sigma_i\to\xi^1_i\sigma_i$ "
              r"removes $\xi^1$.")
        c_m = beta / p
        calc.condense("dense Hebbian examples", "m", "xi chibar", c_m, p, site_vector=chibar,
                      quenched=[(Y, "gaussian")])
        # non-condensed archetypes: the cumulant expansion of DenseHebbianCouplings times κ
        t = beta / (p * N ** (p - 1))
        c_q = sp.simplify(alpha * N ** (p - 1) * t**2 / 2 * sp.factorial(p) * N**p / N * kappa)
        if c_q.has(N):
            raise DerivationError("dense Hebbian scaling does not give an extensive free energy")
        d.add("Average over non-condensed archetypes and their examples",
              sp.Eq(Tex(r"\frac{P}{N}\log\mathbb{E}\,e^{tY_\mu}"),
                    c_q * Tex(r"\sum_{a,b}Q_{ab}^{%d}" % p)),
              r"As for $p$-body Hebbian couplings of the archetypes (second cumulant only for $p\ge 3$), "
              r"with the variance of the examples' products: $\kappa$.")
        calc.energetic += calc.replica_sum(c_q * s2**p)
        calc.overlap_energy(overlap_power(2 * c_q, p, "dense Hebbian examples"))

class Examples(B.Term):
    """The block of :class:`DenseHebbianExamples`: ``p``-body Hebbian couplings built from ``M`` noisy
    examples of each archetype (``setting`` supervised or unsupervised), load ``alpha``, dataset
    entropy ``rho`` (and ``M``, a parameter name, unsupervised)."""

    _refs = (("alpha", "load"), ("rho", "dataset entropy"), ("M", "examples"))
    label = "Hebbian couplings from examples"

    def __init__(self, p, alpha, rho, M=None, setting="supervised"):
        self.p, self.alpha, self.rho, self.M, self.setting = int(p), alpha, rho, M, setting

    def build(self, symbols, owner):
        M = symbols[self.M] if isinstance(self.M, str) else self.M
        return DenseHebbianExamples(self.p, symbols[self.alpha], symbols[self.rho], M, self.setting)


class DenseHebbian(DeclaredModel):
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

    def parameter_overrides(self):
        return {"alpha": Parameter("alpha", 0.01, "load P/N^(p-1)", lower=0.0),
                "rho": Parameter("rho", 0.1, "dataset entropy (1 - r^2)/(M r^2)", lower=0.0),
                "M": Parameter("M", 10.0, "examples per archetype", lower=1.0)}

    def declaration(self):
        p, setting = self.options["p"], self.options["setting"]
        return B.Ising(), [Examples(p, "alpha", "rho", "M" if setting == "unsupervised" else None, setting)]

    @property
    def description(self):
        p, setting = self.options["p"], self.options["setting"]
        return (rf"Ising neurons, ${p}$-body Hebbian couplings built ({setting}) from $M$ "
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
