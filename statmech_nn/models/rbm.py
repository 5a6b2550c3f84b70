"""Restricted Boltzmann machine / bipartite spin glass with chosen priors of visible units, hidden
units and weights.

``H(σ, τ) = −(1/√N) Σ_{i,μ} ξ_iμ σ_i τ_μ`` with ``N`` visible units ``σ_i``, ``P = αN`` hidden
units ``τ_μ`` and Gibbs weight ``e^{−βH}``. Gaussian units carry the self-energy ``Σ τ²/2`` in
``H`` (prior ``N(0, 1/β)`` with its normalisation), so that with Gaussian hidden units the marginal
of the visible layer is exactly the Hopfield network at the same temperature, with its ``i = j``
terms: ``f_rbm = f_hopfield − α/2``. One weight column can be a retrieved pattern (Mattis overlap
``m``), which needs Gaussian hidden units.

Options: ``visible`` ∈ {ising, spherical, gaussian, mixture}, ``hidden`` ∈ {gaussian, ising, mixture},
``weights`` ∈ {ising, gaussian, mixture} (Boolean ±1, standard Gaussian or mixture entries).

``mixture`` moves a layer continuously from Gaussian to Boolean (issue 5): the
:class:`~statmech_nn.symbolic.priors.GaussianMixturePrior` ``½N(±√δ, (1 − δ)w)`` with the control
parameter ``delta_v``, ``delta_h`` or ``delta_w`` ∈ [0, 1] (0 Gaussian, 1 Boolean). For the weights
``w = 1`` (unit variance for every δ); for units the Gaussian part carries its self-energy in ``H``
like the ``gaussian`` option (``w = T``), so δ = 0 is exactly the ``gaussian`` option and δ = 1 the
Boolean one (minus ``T log 2`` per unit: a probability measure instead of the counting measure).
Mixture hidden units retrieve: the condensed hidden unit's extensive part is that of its Gaussian
part, ``(1 − δ_h)β X²/2`` (the ``log cosh`` of the Boolean part is ``O(√N)``). Gaussian visible and
Gaussian hidden units together have no Gibbs measure (``½σ² + ½τ² − ξστ/√N`` is unbounded below,
the largest singular value of ``ξ/√N`` being ``1 + √α``); mixture visible units with Gaussian hidden
units need ``1/(1 − δ_v) > (1 + √α)²`` for the same reason. The lines as δ moves are computed by
:mod:`statmech_nn.phases.rbm_lines`: the retrieval region grows with ``δ_v`` and ``δ_w`` and shrinks
with ``δ_h``, the Barra et al. (2018) statements (tests/test_rbm_priors.py).
Order parameters (Barra et al. 2018): visible overlap ``q``, hidden overlap ``p``, Mattis overlap
``m``; ``lambda`` for spherical visible units; self-overlaps ``q_d``, ``p_d`` when both layers are
Gaussian. With Gaussian hidden units ``p`` is AGS's ``r``.

What the derivation shows (tests/test_rbm.py): Gaussian hidden units reproduce the Hopfield phase
diagram exactly; Boolean (±1) hidden units give the bipartite spin glass with the para–spin-glass
line ``β²√α = 1`` and no retrieval at this weight scale (the condensed hidden unit's free energy is
``O(√N)``); spherical visible units give the same ``T_g = 1 + √α`` and no retrieval state (the
visible susceptibility ``β(1 − q) = 1`` on a would-be retrieval branch makes the hidden layer's
``1 − β(1 − q)`` vanish); Gaussian weights give nested Gaussian averages (ξ and z); a retrieval
branch with Gaussian weights was not found by the solver at the points tried (α ≤ 1e-4, T ≤ 0.5),
where ``β(1 − q)`` of the would-be branch is close to 1 (the edge of the RS domain).

References
----------
Barra, Genovese, Sollich, Tantari, PRE 97, 022310 (2018), arXiv:1702.05882, and PRE 96, 042156
(2017), arXiv:1612.03132: para–spin-glass line ``β²√α = 1`` of the bipartite spin glass with Boolean
layers (the linear stability of ``q = p = 0``), spin glass–retrieval line;
Barra, Bernacchia, Santucci, Contucci, Neural Networks 34, 1 (2012): Hopfield ⇔ RBM with Gaussian
hidden units; Amit, Gutfreund, Sompolinsky, Ann. Phys. 173, 30 (1987) for the Hopfield lines.
"""
from .. import blocks as B
from ..parameters import Parameter
from .declared import DeclaredModel

__all__ = ["RBM", "marginal_visible_hamiltonian"]


#: the Boolean-weight parameter of each layer's Gaussian-to-Boolean mixture prior
MIXTURE_PARAMETERS = {"visible": "delta_v", "hidden": "delta_h", "weights": "delta_w"}


def _prior(name, role, delta=None):
    from ..symbolic.state import beta
    from ..symbolic.priors import GaussianMixturePrior, GaussianPrior, IsingPrior, SphericalPrior
    if name == "mixture":
        # units: the Gaussian part carries its self-energy in H like the Gaussian option (variance
        # (1 − δ)T: δ = 0 is the "gaussian" option, δ = 1 the Boolean one); weights: unit variance
        return GaussianMixturePrior(delta, 1 / beta if role != "weights" else 1)
    if name == "ising":
        return IsingPrior()
    if name == "spherical":
        return SphericalPrior()
    # Gaussian units: the self-energy ½σ² belongs to H, so the prior is N(0, 1/β); Gaussian weights
    # are quenched and standard normal
    return GaussianPrior(1 / beta if role != "weights" else 1)


class Layer(B.Law):
    """A layer's law as the RBM uses it (option value ``kind``): Gaussian units carry their self-energy
    in ``H`` (prior ``N(0, 1/β)``), Gaussian weights are standard normal, ``mixture`` is the
    Gaussian-to-Boolean family with the parameter ``delta``."""

    _refs = (("delta", "probability"),)

    def __init__(self, kind, role, delta=None):
        self.kind, self.role, self.delta = kind, role, delta

    def prior(self, symbols):
        return _prior(self.kind, self.role, symbols[self.delta] if self.delta else None)

    weight_prior = prior

    def __repr__(self):
        return f"Layer({self.kind!r}, {self.role!r})"


class RBM(DeclaredModel):
    """Restricted Boltzmann machine (bipartite spin glass), derived by the replica engine."""

    name = "rbm"
    title = "restricted Boltzmann machine"
    references = ("Barra, Genovese, Sollich & Tantari, PRE 97, 022310 (2018), arXiv:1702.05882",
                  "Barra, Genovese, Sollich & Tantari, PRE 96, 042156 (2017), arXiv:1612.03132",
                  "Barra, Bernacchia, Santucci & Contucci, Neural Networks 34, 1 (2012)")
    structural_options = {
        "visible": ("ising", ("ising", "spherical", "gaussian", "mixture"),
                    "prior of the visible units (mixture: Gaussian-to-Boolean, parameter delta_v)"),
        "hidden": ("gaussian", ("gaussian", "ising", "mixture"),
                   "prior of the hidden units (Gaussian: the RBM is the Hopfield network; mixture: "
                   "Gaussian-to-Boolean, parameter delta_h)"),
        "weights": ("ising", ("ising", "gaussian", "mixture"),
                    "prior of the weights/pattern entries ξ_iμ (mixture: Gaussian-to-Boolean at unit "
                    "variance, parameter delta_w)"),
    }
    ordered_name = "retrieval"
    #: a point inside the ordered phase (retrieval for Gaussian hidden units), for the registry tests
    ordered_point = {"alpha": 0.05, "T": 0.1}

    def __init__(self, **options):
        # the δ parameters exist only for the layers given the mixture prior
        self._mixture_roles = tuple(r for r in MIXTURE_PARAMETERS if options.get(r) == "mixture")
        super().__init__(**options)
        if self.options["hidden"] == "ising":
            # no retrieval at this weight scale: the ordered phase is the spin glass
            self.ordered_point = {"alpha": 1.0, "T": 0.5}
            self.ordered_name = "spin glass"

    def parameter_overrides(self):
        specs = {"alpha": Parameter("alpha", 0.05, "load P/N (hidden units per visible unit)", lower=0.0,
                                    open_lower=True)}
        for role in getattr(self, "_mixture_roles", ()):
            name = MIXTURE_PARAMETERS[role]
            specs[name] = Parameter(name, 0.5, f"Boolean weight of the {role} prior ½N(±√δ, 1 − δ) "
                                    "(0 Gaussian, 1 Boolean ±1)", lower=0.0, upper=1.0)
        return specs

    def declaration(self):
        o = self.options
        visible, hidden, weights = (Layer(o[k], k, MIXTURE_PARAMETERS[k] if o[k] == "mixture" else None)
                                    for k in ("visible", "hidden", "weights"))
        retrieval = o["hidden"] in ("gaussian", "mixture")
        return visible, [B.Bipartite("alpha", hidden=hidden, weights=weights, retrieval=retrieval)]

    @property
    def description(self):
        o = self.options
        retrieval = o["hidden"] in ("gaussian", "mixture")
        return (f"{o['visible']} visible units, {o['hidden']} hidden units (P = alpha N), "
                f"{o['weights']} weights" + ("; pattern 1 retrieved." if retrieval else "."))

    def sign_symmetric(self, parameters):
        """Always: the weight prior is symmetric, ``m → −m`` with ``ξ → −ξ``."""
        return True


def marginal_visible_hamiltonian(N=3, P=2, hidden="gaussian"):
    """``−(1/β) log ∫ Π_μ dP(τ_μ) e^{−β H(σ, τ)}`` for explicit small ``N``, ``P`` with symbolic
    ``σ_i``, ``ξ_iμ`` and ``β``: each hidden integral done by SymPy.

    With ``hidden="gaussian"`` (``H`` containing ``Σ_μ τ_μ²/2``, measure ``√(β/2π) dτ``) the result is
    ``−(1/2N) Σ_μ (Σ_i ξ_iμ σ_i)²``, the Hopfield Hamiltonian with its ``i = j`` terms (Barra,
    Bernacchia, Santucci, Contucci 2012, eq. (3)); with ``hidden="ising"``
    ``−(1/β) Σ_μ log 2cosh(β u_μ)``, ``u_μ = (1/√N) Σ_i ξ_iμ σ_i``.

    Returns
    -------
    (expression, sigma symbols, xi matrix, beta)

    Examples
    --------
    >>> import sympy as sp
    >>> H, s, xi, b = marginal_visible_hamiltonian(2, 1)
    >>> sp.expand(H + (xi[0, 0] * s[0] + xi[1, 0] * s[1])**2 / 4)
    0
    """
    import sympy as sp
    b = sp.Symbol("beta", positive=True)
    sigma = sp.symbols(f"sigma1:{N + 1}", real=True)
    xi = sp.Matrix(N, P, lambda i, mu: sp.Symbol(f"xi_{i + 1}{mu + 1}", real=True))
    tau = sp.Symbol("tau", real=True)
    log_z = 0
    for mu in range(P):
        u = sum(xi[i, mu] * sigma[i] for i in range(N)) / sp.sqrt(N)
        if hidden == "gaussian":
            weight = sp.sqrt(b / (2 * sp.pi)) * sp.exp(-b * tau**2 / 2 + b * u * tau)
            log_z += sp.log(sp.integrate(weight, (tau, -sp.oo, sp.oo), conds="none"))
        else:
            log_z += sp.log(sum(sp.exp(b * u * s) for s in (-1, 1)))
    H = sp.expand(sp.expand_log(sp.simplify(-log_z / b), force=True))
    return H, sigma, xi, b
