"""Restricted Boltzmann machine / bipartite spin glass (issue 5): Hopfield equivalence with Gaussian
hidden units (symbolic and numeric), the para–spin-glass lines of Barra et al., Monte Carlo."""
import math

import numpy as np
import pytest
import sympy as sp

import statmech_nn as snn
from statmech_nn.errors import DerivationError, ParameterError
from statmech_nn.models.rbm import marginal_visible_hamiltonian
from statmech_nn.symbolic.numeric import evaluate


@pytest.fixture(scope="module")
def solvers():
    rbm = snn.model("rbm")
    hop = snn.model("hopfield")
    return (rbm, rbm.free_energy().saddle_point().compile(),
            hop, hop.free_energy().saddle_point().compile())


def test_marginalising_gaussian_hidden_units_gives_the_hopfield_hamiltonian():
    # Barra, Bernacchia, Santucci, Contucci, Neural Networks 34, 1 (2012), eq. (3); Agliari et al.,
    # arXiv:1407.5300: ∫ Π_μ √(β/2π) dτ_μ e^{−β(Σ τ²/2 − (1/√N) Σ ξστ)} = e^{(β/2N) Σ_μ (Σ_i ξ_iμ σ_i)²}.
    # The Gaussian integrals are done by SymPy inside marginal_visible_hamiltonian.
    N, P = 3, 2
    H, sigma, xi, beta = marginal_visible_hamiltonian(N, P)
    assert not H.has(beta) and not H.has(sp.Integral)
    full = -sum(sum(xi[i, mu] * sigma[i] for i in range(N)) ** 2 for mu in range(P)) / (2 * N)
    assert sp.expand(H - full) == 0
    # with Ising visible units (σ_i² = 1) it is the Hopfield Hamiltonian of AGS, which excludes
    # i = j, minus the constant Σ_μ Σ_i ξ_iμ²/(2N) (= P/2 for ±1 patterns)
    hopfield = -sum(xi[i, mu] * xi[j, mu] * sigma[i] * sigma[j]
                    for mu in range(P) for i in range(N) for j in range(N) if i != j) / (2 * N)
    ising = {s**2: 1 for s in sigma}
    diagonal = sum(xi[i, mu] ** 2 for i in range(N) for mu in range(P)) / (2 * N)
    assert sp.expand(sp.expand(H).subs(ising) - (hopfield - diagonal)) == 0
    # binary hidden units give the log-cosh marginal instead (no Hopfield equivalence)
    Hb, sigma, xi, beta = marginal_visible_hamiltonian(2, 1, hidden="ising")
    u = (xi[0, 0] * sigma[0] + xi[1, 0] * sigma[1]) / sp.sqrt(2)
    assert sp.simplify(Hb + sp.log(2 * sp.cosh(beta * u)) / beta) == 0


def test_derived_free_energy_is_hopfield_minus_alpha_over_two_at_random_points():
    # Z_rbm = Σ_σ e^{−β H_marg} and H_marg = H_hopfield − P/2: f_rbm = f_AGS − α/2 for every value of
    # the order parameters once the hidden overlap p is identified with AGS's r (AGS eq. (2.15))
    rbm = snn.model("rbm")
    # f_rbm + α/2 − f_AGS as one expression, so that α enters exactly as the mpmath number
    hop = snn.model("hopfield")
    alpha_ = rbm.symbol("alpha")
    difference = (rbm.free_energy().expr + alpha_ / 2
                  - hop.free_energy().expr.xreplace({hop.symbol("alpha"): alpha_}))
    rng = np.random.default_rng(3)
    for _ in range(3):
        m, q, r = rng.uniform(0.1, 0.9, 3)
        beta = rng.uniform(0.5, 1.0 / (1 - q) * 0.95)
        alpha = rng.uniform(0.01, 0.3)
        pt = dict(m=m, q=q, p=r, r=r, alpha=alpha, beta=beta, h=0.0)
        assert abs(evaluate(difference, pt, dps=30)) < 1e-25


def test_rbm_solutions_equal_hopfield_on_a_grid(solvers):
    rbm, s_rbm, hop, s_hop = solvers
    # retrieval (m = 1 start) and spin-glass/paramagnet (m = 0 start) branches, T = 0 included
    alpha, T = np.meshgrid([0.02, 0.06, 0.1, 0.13], [0.0, 0.05, 0.1, 0.3, 0.5, 1.0, 1.4])
    cold = T > 0
    for m0 in (1.0, 0.0):
        guess = {"m": m0, "q": 1.0}
        a = s_rbm.solve(alpha=alpha, T=T, guess=dict(guess, p=1.0), errors="mask")
        b = s_hop.solve(alpha=alpha, T=T, guess=dict(guess, r=1.0), errors="mask")
        assert np.array_equal(a.converged, b.converged) and a.converged.sum() >= 20
        ok = a.converged
        assert np.max(np.abs(a["m"][ok] - b["m"][ok])) < 1e-9
        assert np.max(np.abs(a["q"][ok & cold] - b["q"][ok & cold])) < 1e-9
        assert np.max(np.abs(a["p"][ok] - b["r"][ok])) < 1e-8            # hidden overlap p = AGS's r
        assert np.max(np.abs(a.free_energy[ok] + alpha[ok] / 2 - b.free_energy[ok])) < 1e-9
        assert np.max(np.abs(a.replicon[ok & cold] - b.replicon[ok & cold])) < 1e-9


@pytest.fixture(scope="module")
def diagrams():
    kwargs = dict(x=("alpha", 0.01, 0.16), y=("T", 0.0, 1.3), resolution=11)
    return snn.phase_diagram(snn.model("rbm"), **kwargs), snn.phase_diagram(snn.model("hopfield"), **kwargs)


def test_rbm_phase_diagram_coincides_with_hopfield(diagrams):
    rbm, hop = diagrams
    assert set(rbm.boundaries) == set(hop.boundaries)
    grid_x, grid_y = set(hop.xs), set(hop.ys)
    for name, pts in hop.boundaries.items():
        other = rbm.boundaries[name]
        # the points located on grid segments are the same; a line's continuation towards its end
        # (statmech_nn.phases.trace) may get one step further with one parametrisation (p vs r)
        # than with the other, but every point the shorter line has, the longer has too, at the
        # same value of the stepped coordinate
        def on_grid(q):
            return q[0] in grid_x or q[1] in grid_y
        assert sum(map(on_grid, pts)) == sum(map(on_grid, other)), name
        short, long_ = (pts, other) if len(pts) <= len(other) else (other, pts)
        for p in short:
            same = long_[(np.abs(long_[:, 0] - p[0]) < 1e-10) | (np.abs(long_[:, 1] - p[1]) < 1e-10)]
            assert len(same) and np.min(np.max(np.abs(same - p), axis=1)) < 1e-8, (name, p)
    # AGS 1987 (REFERENCES.md): T_g = 1 + √α and the retrieval spinodal reaching α_c ≈ 0.138 at T = 0
    pg = rbm.boundaries["paramagnet / spin glass"]
    assert np.max(np.abs(pg[:, 1] - (1 + np.sqrt(pg[:, 0])))) < 1e-6
    spinodal = np.vstack([v for k, v in rbm.boundaries.items() if k.startswith("spinodal: retrieval")])
    at_zero = spinodal[spinodal[:, 1] == 0]
    assert len(at_zero) == 1 and abs(at_zero[0, 0] - 0.138) < 1e-3


def test_boolean_bipartite_spin_glass_line_beta2_sqrt_alpha_is_one():
    # Boolean visible and hidden units (bipartite SK; Barra, Genovese, Sollich, Tantari 2017/2018,
    # arXiv:1612.03132, 1702.05882): the paramagnet q = p = 0 becomes unstable on β²√α = 1, i.e.
    # T = α^{1/4} with H = −(1/√N)Σξστ (linearising q = αβ²p, p = β²q gives αβ⁴ = 1). The same line
    # is T_c = (α₁α₂)^{1/4} of Hartnett, Parker, Geist, arXiv:1803.06442, whose couplings are scaled
    # by 1/√(N₁+N₂). (Equation numbers of these papers were not checked against their text.)
    model = snn.model("rbm", hidden="ising")
    assert [s.name for s in model.free_energy().order_parameters] == ["q", "p"]
    pd = snn.phase_diagram(model, x=("alpha", 0.1, 2.0), y=("T", 0.2, 1.5), resolution=9)
    pts = np.vstack([v for k, v in pd.boundaries.items() if k.startswith("paramagnet / spin glass")])
    assert len(pts) >= 6
    assert np.max(np.abs(pts[:, 1] - pts[:, 0] ** 0.25)) < 1e-6
    # and the engine's replicon of the paramagnet vanishes there: λ_R = 1 − αβ⁴
    solver = model.free_energy().saddle_point().compile()
    for alpha in (0.3, 1.5):
        sol = solver.solve(alpha=alpha, T=alpha ** 0.25, guess={"q": 0.0, "p": 0.0})
        assert abs(sol["q"]) < 1e-12 and abs(sol.replicon) < 1e-12
    # below the line the spin glass has q = p when α = 1 (symmetric layers)
    sol = solver.solve(alpha=1.0, T=0.5, guess={"q": 0.5, "p": 0.5})
    assert sol["q"] == pytest.approx(sol["p"], abs=1e-10) and sol["q"] > 0.3


def test_para_spin_glass_line_does_not_depend_on_the_visible_prior():
    # Barra et al. 2018: the paramagnetic boundary is set by the unit variances only. Spherical
    # visible units (variance 1 in the paramagnet) with Gaussian hidden units: the same
    # T_g = 1 + √α as Boolean (Hopfield) ones, here from the replicon of the paramagnet
    model = snn.model("rbm", visible="spherical")
    assert [s.name for s in model.free_energy().order_parameters] == ["q", "p", "m", "lambda"]
    solver = model.free_energy().saddle_point().compile()
    for alpha in (0.04, 0.25):
        Tg = 1 + math.sqrt(alpha)
        sol = solver.solve(alpha=alpha, T=Tg, guess={"m": 0.0, "q": 0.0, "p": 0.0, "lambda": 1.0})
        assert sol["lambda"] == pytest.approx(1.0, abs=1e-12) and abs(sol.replicon) < 1e-12
        above = solver.solve(alpha=alpha, T=1.1 * Tg, guess={"m": 0.0, "q": 0.0, "p": 0.0, "lambda": 1.0})
        assert above.replicon > 0.05


def test_retrieval_needs_gaussian_hidden_units():
    from statmech_nn.symbolic.bipartite import BipartiteCouplings
    from statmech_nn.symbolic.engine import ReplicaCalculation
    from statmech_nn.symbolic.priors import IsingPrior
    calc = ReplicaCalculation("t", IsingPrior())
    with pytest.raises(DerivationError, match="Gaussian hidden units"):
        BipartiteCouplings(sp.Symbol("alpha"), IsingPrior(), IsingPrior(), retrieval=True).apply(calc)


def test_bad_rbm_options_raise_parameter_errors():
    with pytest.raises(ParameterError, match="hidden"):
        snn.model("rbm", hidden="relu")
    with pytest.raises(ParameterError, match="alpha"):
        snn.model("rbm").free_energy().saddle_point().compile().solve(alpha=0.0, T=0.5)
    with pytest.raises(ParameterError, match="visible='ising'"):
        snn.monte_carlo(snn.model("rbm", visible="spherical"), N=50, samples=1, sweeps=5, alpha=0.1, T=0.5)


@pytest.mark.slow
def test_monte_carlo_in_the_retrieval_phase_agrees_with_theory(solvers):
    rbm, s_rbm, hop, _ = solvers
    point = dict(alpha=0.05, T=0.1)
    theory = s_rbm.solve(**point)
    # the internal energy u = ∂(βf)/∂β from the theory (centred difference in β)
    b, db = 1 / point["T"], 1e-4
    bf = [s_rbm.solve(alpha=0.05, T=1 / x).free_energy * x for x in (b + db, b - db)]
    u = (bf[0] - bf[1]) / (2 * db)
    runs = {dyn: snn.monte_carlo(rbm, N=400, samples=4, sweeps=300, seed=1, dynamics=dyn, **point)
            for dyn in ("metropolis", "rbm")}
    for dyn, mc in runs.items():
        assert abs(mc["m"].mean - theory["m"]) < 2e-3, dyn
    # same seed and patterns as the hopfield sampler: identical trajectories, energies shifted by
    # exactly α/2 (the i = j terms), the RBM identity at finite N
    mc_hop = snn.monte_carlo(hop, N=400, samples=4, sweeps=300, seed=1, **point)
    assert runs["metropolis"]["m"].mean == mc_hop["m"].mean
    assert runs["metropolis"]["energy"].mean == pytest.approx(mc_hop["energy"].mean - 0.05 / 2, abs=1e-12)
    # finite-size offset of the energy at N = 400 (the same for the Hopfield sampler: about 0.007,
    # cf. the apparent capacity shift of Steffan & Kühn 1994): well below the 0.025 of α/2
    for mc in runs.values():
        assert abs(mc["energy"].mean - u) < 0.015


def test_boolean_layers_zero_temperature_is_the_large_beta_limit():
    # both layers with fixed σ² = 1: q = 1 − C_q/β and p = 1 − C_p/β; at α = 1 the layers are
    # symmetric and C_q = C_p = √(2/π) (the T → 0 limit of β(1 − E tanh²(β√q z))), e0 = −2√(2/π)
    model = snn.model("rbm", hidden="ising")
    saddle = model.free_energy().saddle_point()
    assert set(saddle.overlaps) == {sp.Symbol("q", positive=True), sp.Symbol("p", positive=True)}
    solver = saddle.compile()
    zero = solver.solve(alpha=1.0, T=0.0, guess={"C_q": 0.5, "C_p": 0.5})
    assert zero["C_q"] == pytest.approx(math.sqrt(2 / math.pi), abs=1e-10)
    assert zero["C_p"] == pytest.approx(math.sqrt(2 / math.pi), abs=1e-10)
    assert zero.free_energy == pytest.approx(-2 * math.sqrt(2 / math.pi), abs=1e-10)
    gaps = []
    for T in (0.1, 0.05, 0.02):
        cold = solver.solve(alpha=1.0, T=T)
        gaps.append(abs((1 - cold["q"]) / T - zero["C_q"]))
        assert abs(cold.free_energy - zero.free_energy) < 2 * T
    assert gaps[-1] < 0.01 and gaps == sorted(gaps, reverse=True)
