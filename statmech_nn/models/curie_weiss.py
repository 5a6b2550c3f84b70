"""Curie–Weiss ferromagnet ``H = −(J/2N) Σ_{i,j} σ_i σ_j − h Σ_i σ_i``.

References
----------
Agliari, Barra, Galluzzi, Tantari, Tavani, arXiv:1407.5300 (2014), sec. 2: ``m = tanh(β(Jm + h))``,
``T_c = J``.
"""
from .. import blocks as B
from ..parameters import Parameter
from .declared import DeclaredModel


class CurieWeiss(DeclaredModel):
    name = "curie-weiss"
    title = "Curie–Weiss model"
    references = ("Agliari et al., arXiv:1407.5300, sec. 2",)

    #: a point inside the ordered phase, used by the registry-wide tests and examples
    ordered_point = {"J": 1.0, "h": 0.0, "T": 0.5}

    description = r"Ising spins, all-to-all ferromagnetic couplings $J/N$, uniform field $h$."

    def declaration(self):
        return B.Ising(), [B.Ferromagnetic("J", magnetisation="m"), B.Field("h")]

    def parameter_overrides(self):
        return {"J": Parameter("J", 1.0, "ferromagnetic coupling", lower=0.0, open_lower=True),
                "h": Parameter("h", 0.0, "external field")}

    def classify(self, values, parameters, replicon=float("nan")):
        """``"m > 0"``, ``"m < 0"`` or ``"paramagnet"``: in a field the two magnetised branches are
        the phases that coexist below ``T_c`` (the first-order line at ``h = 0``)."""
        m = values["m"]
        if abs(m) <= self.zero_tolerance:
            return "paramagnet"
        return "m > 0" if m > 0 else "m < 0"
