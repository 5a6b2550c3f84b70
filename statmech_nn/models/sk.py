"""Sherrington–Kirkpatrick spin glass ``H = −Σ_{i<j} J_ij σ_i σ_j − h Σ_i σ_i``,
``J_ij ~ N(J0/N, 1/N)``.

Option ``units``: Ising ``±1`` (default), binary ``{0, 1}`` (the self-overlap ``q_d`` becomes an order
parameter), Gaussian ``N(0, 1)`` (``q_d`` and the conjugates ``qhat_d``, ``qhat``) or spherical
``Σσ² = N`` (conjugate ``qhat`` and the Lagrange multiplier ``lambda``; Kosterlitz–Thouless–Jones).
Binary and Gaussian units have no zero-temperature limit in the engine.

References
----------
Sherrington and Kirkpatrick, PRL 35, 1792 (1975); de Almeida and Thouless, J. Phys. A 11, 983 (1978);
Kosterlitz, Thouless and Jones, PRL 36, 1217 (1976) (spherical units).
"""
from .. import blocks as B
from ..parameters import Parameter
from .declared import DeclaredModel

#: the units of the option ``units``
UNITS = {"ising": B.Ising, "binary": B.Binary01, "gaussian": B.Gaussian, "spherical": B.Spherical}


class SherringtonKirkpatrick(DeclaredModel):
    name = "sk"
    title = "Sherrington–Kirkpatrick model"
    references = ("Sherrington & Kirkpatrick, PRL 35, 1792 (1975)",
                  "de Almeida & Thouless, J. Phys. A 11, 983 (1978)")

    structural_options = {"units": ("ising", ("ising", "binary", "gaussian", "spherical"),
                                    "prior of the spins: Ising ±1, binary {0,1}, Gaussian N(0,1) or "
                                    "spherical (Σσ² = N, Kosterlitz–Thouless–Jones 1976)")}
    ordered_name = "ferromagnet"
    #: a point inside the ordered phase, used by the registry-wide tests and examples
    ordered_point = {"J0": 1.5, "h": 0.0, "T": 0.5}

    @property
    def description(self):
        return (f"{self.options['units']} spins, " + r"Gaussian couplings of mean $J_0/N$ and variance $1/N$, "
                r"field $h$.")

    def declaration(self):
        # couplings N(J0/N, 1/N): zero-mean Gaussian couplings plus ferromagnetic ones J0/N
        return UNITS[self.options["units"]](), [B.GaussianCouplings(1), B.Ferromagnetic("J0", magnetisation="m"),
                                                B.Field("h")]

    def parameter_overrides(self):
        return {"J0": Parameter("J0", 0.0, "mean coupling times N"),
                "h": Parameter("h", 0.0, "external field")}

    def default_guess(self, names):
        guess = super().default_guess(names)
        guess.update({k: 0.5 for k in names if k == "q"})
        return guess

    def classify(self, values, parameters, replicon=float("nan")):
        """Paramagnet, spin glass, ferromagnet, or the mixed phase (ferromagnet with broken replica
        symmetry, below the AT line; Toulouse 1980). In a field ``h ≠ 0`` the magnetisation is
        induced, not spontaneous: there the phases are the paramagnet and, below the AT line, the
        spin glass (de Almeida–Thouless 1978)."""
        rsb = replicon < -1e-9
        if parameters.get("h", 0.0) != 0.0:
            return "spin glass" if rsb else "paramagnet"
        label = super().classify(values, parameters, replicon)
        if label.startswith("ferromagnet") and rsb:
            return "mixed" + label[len("ferromagnet"):]
        return label
