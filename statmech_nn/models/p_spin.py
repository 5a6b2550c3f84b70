"""p-spin glass (Ising or spherical spins) ``H = −Σ_{i1<…<ip} J_{i1…ip} σ_{i1}…σ_{ip} − h Σ_i σ_i``
with Gaussian couplings
``J ~ N(J0 p!/(2N^{p−1}), p!/(2N^{p−1}))`` (so that ``p = 2`` is SK, mean ``J0/N``).

The replica engine derives the replica-symmetric (RS) free energy: the p-body disorder average gives
``N (β²/4) Σ_{a,b} Q_ab^p + N (β J0/2) Σ_a X_a^p``, and for ``p > 2`` the overlaps are introduced with delta
functions and conjugates ``lambda_q``, ``lambda_m`` (:mod:`statmech_nn.symbolic.pbody`). ``p = 2`` is
the Sherrington–Kirkpatrick model.

Replica symmetry breaking
-------------------------
For ``p ≥ 3`` the RS spin-glass solution is **not** the true low-temperature state: the static
transition of the Ising p-spin glass is a one-step RSB (1RSB) transition (Gardner 1985), and the RS
solution is unstable wherever its replicon ``λ_R = 1 − (β²p(p−1)/2) q^{p−2} E[sech⁴]`` is negative.
Below the RS instability the true solution breaks replica symmetry; the RS numbers this model gives
there are the RS approximation only. The RS paramagnet is exact above the transition; its entropy
``ln 2 − β²/4`` vanishes at ``T = 1/(2√ln 2)``, the random-energy-model critical temperature reached by
the 1RSB solution as ``p → ∞`` (Derrida, PRB 24, 2613 (1981); Gardner 1985).

Spherical spins (option ``spins="spherical"``, ``Σ_i σ_i² = N`` with the Lagrange multiplier
``lambda`` of :class:`~statmech_nn.symbolic.priors.SphericalPrior`): the RS spin-glass branch
(``h = J0 = 0``) solves ``(β² p/2) q^{p−2} (1 − q)² = 1`` and exists only below
``T = √(2/9) ≈ 0.471`` for ``p = 3``; its replicon is ``2 − p < 0``: it is always unstable. The true
transitions of the spherical ``p = 3`` model are one-step RSB: the dynamical ``T_d = √(3/8) ≈ 0.612``
and the static ``T_s ≈ 0.586`` (Crisanti & Sommers 1992). **The RS calculation here does not give
them**: above ``T_s`` the RS paramagnet is exact, below it the true solution breaks replica symmetry.
There is no zero-temperature limit for spherical spins (the multiplier needs its own scaling with
``β``; the engine refuses it with a ``DerivationError``).

References
----------
E. Gardner, Nucl. Phys. B 257, 747 (1985); B. Derrida, Phys. Rev. B 24, 2613 (1981);
A. Crisanti and H.-J. Sommers, Z. Phys. B 87, 341 (1992).
"""
from .. import blocks as B
from ..parameters import Parameter
from .declared import DeclaredModel

__all__ = ["PSpin", "conjugate_seeds"]


def conjugate_seeds(seeds, p):
    """Set the conjugates ``lambda_x`` of the seeds to their saddle-point values ``p x^{p−1}``."""
    out = []
    for seed in seeds:
        seed = dict(seed)
        for name in ("m", "q"):
            if name in seed and f"lambda_{name}" in seed:
                seed[f"lambda_{name}"] = p * seed[name] ** (p - 1)
        out.append(seed)
    return out


class PSpin(DeclaredModel):
    name = "p-spin"
    title = "p-spin glass"
    references = ("Gardner, Nucl. Phys. B 257, 747 (1985)",
                  "Derrida, Phys. Rev. B 24, 2613 (1981)",
                  "Crisanti & Sommers, Z. Phys. B 87, 341 (1992)")
    structural_options = {"p": (3, tuple(range(2, 11)), "number of spins per coupling (p = 2: SK)"),
                          "spins": ("ising", ("ising", "spherical"),
                                    "Ising ±1 spins (Gardner 1985) or spherical spins Σσ² = N "
                                    "(Crisanti & Sommers 1992)")}

    ordered_name = "ferromagnet"
    #: a point inside the ordered phase, used by the registry-wide tests and examples
    ordered_point = {"J0": 2.0, "h": 0.0, "T": 0.3}
    #: the sampler stores all C(N, p) couplings: C(100, 3) = 161 700
    montecarlo_size = 100

    def parameter_overrides(self):
        return {"J0": Parameter("J0", 0.0, "mean coupling (times 2N^{p-1}/p!)"),
                "h": Parameter("h", 0.0, "external field")}

    def declaration(self):
        p = self.options["p"]
        units = B.Spherical() if self.options["spins"] == "spherical" else B.Ising()
        # couplings N(J0 p!/(2N^{p-1}), p!/(2N^{p-1})): zero-mean Gaussian ones plus their p-body mean
        return units, [B.GaussianCouplings(1, p=p), B.Ferromagnetic("J0", p=p, magnetisation="m"), B.Field("h")]

    @property
    def description(self):
        p = self.options["p"]
        spherical = self.options["spins"] == "spherical"
        return (("Spherical spins $\\sum_i\\sigma_i^2 = N$" if spherical else "Ising spins")
                + rf", Gaussian ${p}$-body couplings of mean $J_0 {p}!/(2N^{{{p - 1}}})$ and "
                rf"variance ${p}!/(2N^{{{p - 1}}})$, field $h$. Below the RS instability "
                r"(replicon $\lambda_R < 0$) the true solution breaks replica symmetry "
                r"(one-step RSB for $p \geq 3$, Gardner 1985; Crisanti and Sommers 1992 for "
                r"spherical spins, whose 1RSB transitions the RS calculation does not give): the RS free "
                r"energy derived here is exact only where replica symmetry holds.")

    def default_guess(self, names):
        guess = super().default_guess(names)
        p = self.options["p"]
        return conjugate_seeds([guess], p)[0]

    def phase_seeds(self, names, signed=True):
        return conjugate_seeds(super().phase_seeds(names, signed), self.options["p"])

    def sign_symmetric(self, parameters):
        """``m → −m`` maps solutions to solutions only for even ``p`` (odd p-body couplings of
        non-zero mean favour one sign) and zero field."""
        return self.options["p"] % 2 == 0 and super().sign_symmetric(parameters)
