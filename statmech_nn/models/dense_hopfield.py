"""Dense (p-body) Hopfield network ``H = −(1/(p N^{p−1})) Σ_μ Σ_{i1≠…≠ip} ξ^μ_{i1}…ξ^μ_{ip}
σ_{i1}…σ_{ip} − h Σ_i σ_i`` with ``P = α N^{p−1}`` random ``±1`` patterns, pattern 1 condensed.

The sum runs over ordered tuples of *distinct* sites (Gardner 1987): with the coincident-index
("diagonal") terms kept, their pattern average is not a constant at this load (for ``p = 3`` it is a
random field of order ``√α`` on every site, for ``p = 4`` an SK-like pair coupling), so the model would
change. ``p = 2`` is exactly the AGS Hopfield model ``−(1/2N) Σ_μ Σ_{i≠j}`` (:mod:`.hopfield`).

Derivation: the condensed pattern gives ``N (β/p) X^p``, introduced with a delta function and
conjugate ``lambda_m``; the ``≃ α N^{p−1}`` non-condensed patterns are averaged by a cumulant expansion
in which, for ``p ≥ 3``, only the second cumulant survives: a Gaussian p-body term
``N α β² (p−1)!/(2p) Σ_{a,b} Q_ab^p`` (overlap ``q``, conjugate ``lambda_q``). For ``p = 2`` all
cumulants contribute and the AGS ``log det`` route is used instead. So for ``p ≥ 3`` the RS equations
are those of the p-spin glass with coupling variance ``J² = 2α(p−1)!/p`` and ``J0 = 2/p`` (the
:mod:`.p_spin` mean term ``N (β J0/2) X^p``; gauge ``ξσ → σ``), and
at ``T = 0`` the retrieval state solves ``m = erf(m^{p−1}/√(2α(p−1)!))``: no Onsager reaction term.

Capacity: the RS retrieval state exists for ``α < α_c(p)``: ``α_c(2) = 0.1379`` (AGS), and from the
``T = 0`` equation above ``α_c(3) = 0.12610``, ``α_c(4) = 0.032977`` (this normalisation; checked
against scipy in ``tests/test_dense_hopfield.py``). With this normalisation the noise on a local field
has variance ``α (p−1)!``, so ``α_c(p) (p−1)!`` (0.252, 0.198, 0.173 for p = 3, 4, 5) falls only
slowly with ``p``. The Baldi–Venkatesh count ``P ~ N^{p−1}/(2 c_p log N)`` (PRL 58, 913 (1987)) is
for *exact* retrieval: every bit of every pattern stable, which needs a signal-to-noise ratio growing
like ``√(2 log N)`` (Gaussian tail over ``N`` sites), hence the extra ``1/log N``; the same
signal-to-noise argument with this normalisation gives ``c_p = (p−1)!`` (``c_p = (2p−3)!!`` is quoted
for Baldi–Venkatesh's own conventions; both are 1 at ``p = 2``). ``α_c(p)`` here is instead the load
at which the thermodynamic retrieval state, with a fraction ``(1 − m)/2`` of wrong bits, disappears:
a constant times ``N^{p−1}`` patterns. Replica symmetry is assumed throughout; Albanese, Alemanno,
Alessandrelli, Barra (arXiv:2111.12997) study the one-step RSB corrections.

References
----------
E. Gardner, J. Phys. A 20, 3453 (1987); Albanese, Alemanno, Alessandrelli, Barra, arXiv:2111.12997;
P. Baldi and S. Venkatesh, PRL 58, 913 (1987); Amit, Gutfreund, Sompolinsky, Ann. Phys. 173, 30 (1987).
"""
import math

from .. import blocks as B
from ..parameters import Parameter
from .declared import DeclaredModel
from .p_spin import conjugate_seeds

__all__ = ["DenseHopfield"]


class DenseHopfield(DeclaredModel):
    name = "dense-hopfield"
    title = "dense Hopfield network"
    references = ("Gardner, J. Phys. A 20, 3453 (1987)",
                  "Albanese, Alemanno, Alessandrelli & Barra, arXiv:2111.12997 (2022)",
                  "Baldi & Venkatesh, PRL 58, 913 (1987)")
    structural_options = {"p": (3, tuple(range(2, 11)), "interaction order (p = 2: AGS Hopfield)")}

    ordered_name = "retrieval"

    @property
    def ordered_point(self):
        """A point inside the retrieval phase (registry-wide tests, examples): the noise variance
        ``α (p−1)!`` is kept at ``0.1`` for ``p ≥ 3``."""
        p = self.options["p"]
        return {"alpha": 0.05 if p == 2 else 0.1 / math.factorial(p - 1), "h": 0.0, "T": 0.1}

    def parameter_overrides(self):
        return {"alpha": Parameter("alpha", 0.05, "load P/N^(p-1)", lower=0.0),
                "h": Parameter("h", 0.0, "uniform external field")}

    def declaration(self):
        return B.Ising(), [B.Hebbian("alpha", p=self.options["p"]), B.Field("h")]

    @property
    def description(self):
        p = self.options["p"]
        return (rf"Ising neurons, ${p}$-body Hebbian couplings of $P = \alpha N^{{{p - 1}}}$ "
                r"random $\pm1$ patterns (distinct sites in each tuple), field $h$. Replica "
                r"symmetry is assumed; where the replicon is negative the true solution "
                r"breaks it.")

    def default_guess(self, names):
        return conjugate_seeds([super().default_guess(names)], self.options["p"])[0]

    def phase_seeds(self, names, signed=True):
        return conjugate_seeds(super().phase_seeds(names, signed), self.options["p"])

    def sign_symmetric(self, parameters):
        """For even ``p`` only: ``m → −m`` maps solutions to solutions (``σ → −σ`` leaves an even
        p-body energy unchanged); for odd ``p`` the condensed term ``(N/p) m^p`` is odd in ``m`` and the
        reversed pattern is not a retrieval state."""
        return self.options["p"] % 2 == 0
