"""Monte Carlo of declared models (statmech_nn.montecarlo.declared): the kernels against brute force,
exact enumeration and exact quadrature, the builder against the hand-written Hamiltonian, typed errors,
and Monte Carlo against the engine's RS solution for models nobody registered."""
import itertools
import math

import numpy as np
import pytest

import statmech_nn as snn
from statmech_nn import blocks as B
from statmech_nn.errors import ParameterError
from statmech_nn.montecarlo import declared as D
from statmech_nn.montecarlo import declared_kernels as DK
from statmech_nn.montecarlo import kernels as K


def _streams(count, seed=0):
    return np.stack([s.generate_state(4, np.uint64) for s in np.random.SeedSequence(seed).spawn(count)])


def _couplings(N, seed, J0=0.0):
    rng = np.random.default_rng(seed)
    J = np.triu(rng.standard_normal((N, N)) / math.sqrt(N) + J0 / N, 1)
    return J + J.T


def _energy(J, h, s):
    """``−Σ_{i<j} J_ij σ_i σ_j − h Σ_i σ_i`` by the double sum."""
    N = len(s)
    return -sum(J[i, j] * s[i] * s[j] for i in range(N) for j in range(i + 1, N)) - h * s.sum()


def _run(J, h, units, spins, betas, n, rule=K.METROPOLIS, R=2, readout=None, seed=0, burn=0):
    """Run the declared kernel (``burn`` adaptive sweeps, then ``n`` recorded ones); returns the
    records, the final state and the step sizes."""
    C, N = spins.shape
    B_ = len(betas)
    readout = np.eye(N) * N if readout is None else readout      # observed = each σ_k
    local = spins @ J
    delta = np.full(B_, 1.0)
    rng = _streams(C + 1, seed)
    betas = np.asarray(betas, float)
    swaps = np.zeros((B_ - 1, 2), np.int64)
    DK.run_declared(J, local, spins, betas, h, units, rule, delta, True, burn, rng, readout, np.zeros((0, R)),
                    np.zeros((0, R, readout.shape[0])), np.zeros((0, R)), np.zeros(0), swaps.copy())
    energy, acc, obs, q = np.zeros((n, R)), np.zeros((n, R)), np.zeros((n, R, readout.shape[0])), np.zeros(n)
    DK.run_declared(J, local, spins, betas, h, units, rule, delta, False, n, rng, readout, energy, obs, acc, q,
                    swaps)
    return energy, obs, acc, q, swaps, local, delta


def _blocked(x, blocks=100):
    """Mean and error of a time series from ``blocks`` block means."""
    b = np.asarray(x)[: (len(x) // blocks) * blocks].reshape(blocks, -1).mean(axis=1)
    return b.mean(), b.std(ddof=1) / math.sqrt(blocks)


# -- energies and moves against brute force ---------------------------------------------------------

def test_energy_and_move_deltas_match_brute_force():
    N, h = 7, 0.37
    J = _couplings(N, 1, J0=0.8)
    rng = np.random.default_rng(2)
    for units in (DK.ISING, DK.BOOLEAN, DK.SPHERICAL):
        for _ in range(5):
            if units == DK.ISING:
                s = np.where(rng.random(N) < 0.5, -1.0, 1.0)
            elif units == DK.BOOLEAN:
                s = np.where(rng.random(N) < 0.5, 0.0, 1.0)
            else:
                s = rng.standard_normal(N)
                s *= math.sqrt(N) / np.linalg.norm(s)
            f = J @ s
            assert K.dense_energy(s, f, h) == pytest.approx(_energy(J, h, s), abs=1e-12)
            if units != DK.SPHERICAL:
                for i in range(N):
                    t = s.copy()
                    t[i] = -s[i] if units == DK.ISING else 1 - s[i]
                    dE, d = K.dense_flip(s[i], f[i], h, units == DK.BOOLEAN)
                    assert dE == pytest.approx(_energy(J, h, t) - _energy(J, h, s), abs=1e-12)
                    assert s[i] + d == t[i]
                continue
            for i, j in [(0, 1), (2, 5), (6, 3)]:
                theta = rng.uniform(-math.pi, math.pi)
                c, sn = math.cos(theta), math.sin(theta)
                t = s.copy()
                t[i], t[j] = c * s[i] - sn * s[j], sn * s[i] + c * s[j]
                dE, di, dj = DK.rotation_delta(s[i], s[j], f[i], f[j], J[i, j], h, c, sn)
                assert dE == pytest.approx(_energy(J, h, t) - _energy(J, h, s), abs=1e-12)
                assert (di, dj) == pytest.approx((t[i] - s[i], t[j] - s[j]), abs=1e-15)
                assert np.sum(t**2) == pytest.approx(N, rel=1e-14)      # the rotation stays on the sphere


# -- sampling against exact enumeration and exact quadrature --------------------------------------

@pytest.mark.parametrize("units", [DK.ISING, DK.BOOLEAN])
def test_ising_and_boolean_sampling_match_enumeration(units):
    # ⟨E⟩, every ⟨σ_k⟩ and ⟨q⟩ = Σ_k ⟨σ_k⟩²/N of a random 8-unit sample, exact by enumeration of the
    # 2^8 states, against Metropolis and heat bath with a replica-exchange ladder
    N, T, h = 8, 0.5, -0.2 if units == DK.BOOLEAN else 0.15
    J = _couplings(N, 3, J0=1.0)
    values = (-1.0, 1.0) if units == DK.ISING else (0.0, 1.0)
    states = np.array(list(itertools.product(values, repeat=N)))
    E = np.array([_energy(J, h, s) for s in states])
    w = np.exp(-(E - E.min()) / T)
    w /= w.sum()
    mean_s = w @ states
    for rule in (K.METROPOLIS, K.HEAT_BATH):
        betas = [1 / T, 1 / 0.8, 1 / 1.3]
        spins = np.tile(np.array(values[1]), (2 * len(betas), N)).astype(float)
        n = 30000
        energy, obs, acc, q, swaps, local, _ = _run(J, h, units, spins, betas, n, rule=rule, seed=4)
        m, err = _blocked(energy.mean(axis=1) * N)
        assert abs(m - w @ E) < 4 * err, (rule, m, err, w @ E)
        for k in range(N):
            m, err = _blocked(obs[:, :, k].mean(axis=1))
            assert abs(m - mean_s[k]) < 4 * err + 1e-12, (rule, k, m, err, mean_s[k])
        m, err = _blocked(q)
        assert abs(m - mean_s @ mean_s / N) < 4 * err, (rule, m, err)
        assert np.all(swaps[:, 1] == 2 * n) and np.all(swaps[:, 0] > 0.1 * n)      # R = 2 replicas
        assert set(np.unique(spins)) <= set(values)
        np.testing.assert_allclose(local, spins @ J, atol=1e-10)       # cached local fields stay exact
        # the recorded energy is the energy of the state
        assert energy[-1, 0] * N == pytest.approx(_energy(J, h, spins[0]), abs=1e-9)


def _sphere_averages(J, h, T, nodes=240):
    """Exact ⟨σ⟩ and ⟨E⟩ on the sphere Σσ² = 3 (uniform surface measure e^{−H/T} dS): Gauss–Legendre
    in cos θ times the periodic trapezoid rule in φ (both converge exponentially for this smooth
    integrand)."""
    u, wu = np.polynomial.legendre.leggauss(nodes)
    phi = np.linspace(0.0, 2 * math.pi, 2 * nodes, endpoint=False)
    U, PHI = np.meshgrid(u, phi, indexing="ij")
    R = math.sqrt(3.0)
    s = R * np.stack([np.sqrt(1 - U**2) * np.cos(PHI), np.sqrt(1 - U**2) * np.sin(PHI), U])
    E = -(J[0, 1] * s[0] * s[1] + J[0, 2] * s[0] * s[2] + J[1, 2] * s[1] * s[2]) - h * s.sum(axis=0)
    w = np.exp(-(E - E.min()) / T) * wu[:, None]
    w /= w.sum()
    return (s * w).sum(axis=(1, 2)), float((E * w).sum())


def test_spherical_moves_sample_the_boltzmann_measure_on_the_sphere():
    # Free units in a field on the sphere of radius √3 (N = 3): by Archimedes' theorem x = σ·u
    # (u = (1,1,1)/√3) is uniform on [−√3, √3] under the surface measure, so with Σσ = √3 x the law is
    # ∝ e^{c x}, c = √3 h/T: ⟨Σσ⟩ = √3 (√3 coth(√3 c) − 1/c) exactly
    N, T, h = 3, 0.6, 0.25
    c = math.sqrt(3) * h / T
    exact = math.sqrt(3) * (math.sqrt(3) / math.tanh(math.sqrt(3) * c) - 1 / c)
    J = np.zeros((N, N))
    mean_s, _ = _sphere_averages(J, h, T)
    assert mean_s.sum() == pytest.approx(exact, rel=1e-10)      # the quadrature against Archimedes
    # random couplings: ⟨E⟩, each ⟨σ_k⟩ and ⟨q⟩ against the quadrature, Metropolis and heat bath with
    # a replica-exchange ladder; the measure is checked, not only the mean energy
    J = _couplings(N, 5, J0=1.5) * 2.0
    for rule in (K.METROPOLIS, K.HEAT_BATH):
        for Jm, hm in ((np.zeros((N, N)), h), (J, 0.3)):
            mean_s, mean_E = _sphere_averages(Jm, hm, T)
            betas = [1 / T, 1 / 1.0]
            spins = np.ones((4, N))
            n = 40000
            energy, obs, acc, q, swaps, local, delta = _run(Jm, hm, DK.SPHERICAL, spins, betas, n, rule=rule,
                                                            seed=6, burn=500)
            m, err = _blocked(energy.mean(axis=1) * N)
            assert abs(m - mean_E) < 4 * err, (rule, m, err, mean_E)
            for k in range(N):
                m, err = _blocked(obs[:, :, k].mean(axis=1))
                assert abs(m - mean_s[k]) < 4 * err, (rule, k, m, err, mean_s[k])
            m, err = _blocked(q)
            assert abs(m - mean_s @ mean_s / N) < 4 * err, (rule, m, err)
            np.testing.assert_allclose(np.sum(spins**2, axis=1), N, rtol=1e-13)
            np.testing.assert_allclose(local, spins @ Jm, atol=1e-10)
            # burn-in tuned the step towards the target acceptance (or to π where even that is accepted
            # more often)
            assert 0.25 < acc.mean() < 0.6 or (delta[0] == math.pi and acc.mean() > DK.TARGET_ACCEPTANCE)
            assert DK.MIN_ANGLE <= delta.min() and delta.max() <= math.pi


# -- the builder against the hand-written Hamiltonian -----------------------------------------------

def test_builder_sums_the_terms_into_the_hamiltonian():
    # Hopfield + ferromagnet + field: J_ij = (1/N) Σ_μ ξ_i^μ ξ_j^μ + J0/N (i ≠ j), zero diagonal
    model = snn.declare("hopfield-ferro", units=B.Ising(),
                        terms=[B.Hebbian("alpha"), B.Ferromagnetic("J0"), B.Field("h"), B.Field(0.05)])
    spec = D.spec_of(model)
    N, params = 50, {"alpha": 0.1, "J0": 0.7, "h": 0.2, "T": 0.5}
    system = D.build(spec, N, params, np.random.default_rng(9), "pattern")
    xi = np.where(np.random.default_rng(9).random((N, 5)) < 0.5, -1.0, 1.0)   # the same draws
    expected = (xi @ xi.T + 0.7) / N
    np.fill_diagonal(expected, 0.0)
    np.testing.assert_allclose(system.arrays["J"], expected, atol=1e-15)
    assert system.scalars["h"] == pytest.approx(0.25) and system.scalars["units"] == "ising"
    assert system.observed == ["m", "M"] and system.info == {"P": 5, "alpha_effective": 0.1}
    np.testing.assert_array_equal(system.arrays["readout"], np.stack([xi[:, 0], np.ones(N)]))
    start = D.start_configurations(system, np.random.default_rng(0), 2)
    np.testing.assert_array_equal(start, np.tile(xi[:, 0], (2, 1)))            # the retrieval start
    # spherical units, SK couplings J N(0, 1/N) plus a ferromagnet: the start is all up on the sphere
    model = snn.declare("sph", units=B.Spherical(), terms=[B.GaussianCouplings("J"), B.Ferromagnetic("J0")])
    system = D.build(D.spec_of(model), N, {"J": 2.0, "J0": 1.0, "T": 0.5}, np.random.default_rng(1), "pattern")
    upper = np.triu_indices(N, 1)
    z = np.zeros((N, N))
    z[upper] = np.random.default_rng(1).standard_normal(upper[0].size)
    np.testing.assert_allclose(system.arrays["J"], (2.0 * (z + z.T) / math.sqrt(N) + 1.0 / N) * (1 - np.eye(N)),
                               atol=1e-15)
    np.testing.assert_array_equal(D.start_configurations(system, np.random.default_rng(0), 1), np.ones((1, N)))
    x = D.start_configurations(D.build(D.spec_of(model), N, {"J": 2.0, "J0": 1.0, "T": 0.5},
                                       np.random.default_rng(1), "random"), np.random.default_rng(0), 3)
    np.testing.assert_allclose(np.sum(x**2, axis=1), N)
    # Boolean units record the self-overlap q_d = (1/N) Σσ² = (1/N) Σσ
    model = snn.declare("sk01", units=B.Binary01(), terms=[B.GaussianCouplings(1), B.Field("h")])
    system = D.build(D.spec_of(model), N, {"h": 0.0, "T": 1.0}, np.random.default_rng(1), "random")
    assert system.observed == ["q_d"]
    assert set(np.unique(D.start_configurations(system, np.random.default_rng(0), 2))) == {0.0, 1.0}


@pytest.mark.parametrize("law, variance", [
    (B.Binary(), 1.0), (B.Diluted("d"), 0.7), (B.Biased("a"), 1 - 0.4**2), (B.Gaussian(2.5), 2.5),
    (B.Discrete([-2, 1], [1 / 3, 2 / 3]), 2.0)])
def test_pattern_laws_draw_centred_entries_of_the_right_variance(law, variance):
    # η = ξ − c has mean 0 and variance v: 1 (binary), 1 − d (diluted), 1 − a² (biased, AGS PRA 35,
    # 2293 (1987) eq. (2.1)), v (Gaussian); Discrete({−2, 1}, {1/3, 2/3}): mean 0, variance 4/3 + 2/3
    term = B.Hebbian("alpha", patterns=law).sampler()
    eta = D._draw_entries(term["law"], np.random.default_rng(0), 1000, 400, {"d": 0.3, "a": 0.4})
    n = eta.size
    assert abs(eta.mean()) < 5 * math.sqrt(variance / n)
    assert eta.var() == pytest.approx(variance, abs=5 * math.sqrt(2 * variance**2 / n))


def test_declared_ising_sampler_reproduces_the_registry_sk_bit_for_bit():
    # the registry's SK is the declaration Ising + GaussianCouplings(1) + Ferromagnetic(J0) + Field(h):
    # simulated through the declared builder it draws the same couplings and runs the same moves
    mine = snn.declare("my-sk", units=B.Ising(),
                       terms=[B.GaussianCouplings(1), B.Ferromagnetic("J0", magnetisation="m"), B.Field("h")])
    for init in ("random", "pattern"):
        kw = dict(N=40, samples=2, sweeps=40, T=0.7, J0=0.5, h=0.1, init=init, tempering=[1.0, 1.4],
                  progress=False)
        a, b = snn.monte_carlo("sk", **kw), snn.monte_carlo(mine, **kw)
        for key in ("m", "energy", "acceptance", "q", "q2"):
            np.testing.assert_array_equal(a[key].sample_means, b[key].sample_means)
        assert a.swap_rates == b.swap_rates


# -- plumbing: tasks are plain data, workers never load SymPy ----------------------------------------

def test_declared_task_runs_without_sympy_and_resumes(tmp_path):
    import json
    import subprocess
    import sys
    model = snn.declare("hopfield-ferro", units=B.Ising(),
                        terms=[B.Hebbian("alpha"), B.Ferromagnetic("J0"), B.Field("h")])
    spec = D.spec_of(model)
    task = {"model": "declared", "options": spec, "N": 60, "params": {"alpha": 0.05, "J0": 0.5, "h": 0.0, "T": 0.3},
            "dynamics": "metropolis", "init": "pattern", "sweeps": 10, "burn_in": 0, "replicas": 2, "tempering": [],
            "seed": 0, "sample": 0}
    code = ("import sys, json; from statmech_nn.montecarlo.runner import run_task;"
            f"r = run_task(json.loads({json.dumps(json.dumps(task))}));"
            "print('sympy' in sys.modules, r['info']['P'], sorted(r['observables']))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split("\n")[0] == "False 3 ['M', 'acceptance', 'energy', 'm', 'q', 'q2']"
    # a sweep of the declared model resumes from its journal to the same numbers
    path = tmp_path / "sweep.jsonl"
    kw = dict(N=60, samples=2, sweeps=20, J0=0.5, h=0.0, T=0.3, resume=str(path), progress=False)
    first = snn.montecarlo.sweep(model, [{"alpha": 0.05}, {"alpha": 0.1}], **kw)
    lines = path.read_text().count("\n")
    again = snn.montecarlo.sweep(model, [{"alpha": 0.05}, {"alpha": 0.1}], **kw)
    # the journal's header and one record per (point, sample): 1 + 2 × 2 lines, none added by the resume
    assert path.read_text().count("\n") == lines == 5
    for a, b in zip(first, again):
        assert {k: v.mean for k, v in a.items()} == {k: v.mean for k, v in b.items()}
    assert first[1].info == {"P": 6, "alpha_effective": 0.1}


# -- errors -------------------------------------------------------------------------------------------

def test_models_without_a_sampler_raise_typed_errors_naming_the_block():
    import sympy as sp
    x = sp.Symbol("x")
    cases = [
        (snn.declare("g", units=B.Gaussian(), terms=[B.GaussianCouplings(1)]),
         r"no Monte Carlo sampler for Gaussian\(variance=1\) units"),
        (snn.declare("d", units=B.Discrete([-1, 0, 1], [0.25, 0.5, 0.25]), terms=[B.Ferromagnetic("J0")]),
         r"no Monte Carlo sampler for Discrete\(\[-1, 0, 1\], \[0.25, 0.5, 0.25\]\) units"),
        (snn.declare("soft", units=B.SoftSpin(x**4 / 4), terms=[B.GaussianCouplings(1)]),
         r"model 'soft': no Monte Carlo sampler for SoftSpin\(x\*\*4/4\)"),
        (snn.declare("p3", units=B.Ising(), terms=[B.GaussianCouplings(1, p=3), B.Field("h")]),
         r"no Monte Carlo sampler for GaussianCouplings\(J=1\): p = 3"),
        (snn.declare("dh", units=B.Ising(), terms=[B.Hebbian("alpha", p=3)]), r"Hebbian\('alpha'.*p = 3"),
        (snn.declare("rbm", units=B.Ising(), terms=[B.Bipartite("alpha")]), r"no Monte Carlo sampler for Bipartite"),
        (snn.declare("two", units=B.Ising(), terms=[B.Hebbian("alpha"), B.Hebbian("alpha2")]),
         r"observes 'm', which another term observes too"),
        (snn.declare("e", units=B.Ising(), terms=[B.Ferromagnetic("J0", magnetisation="energy")]),
         r"observes 'energy', a name the Monte Carlo run records itself"),
    ]
    for model, message in cases:
        with pytest.raises(ParameterError, match=message):
            snn.monte_carlo(model, N=50, sweeps=4)
    model = snn.declare("hopfield-ferro", units=B.Ising(), terms=[B.Hebbian("alpha"), B.Ferromagnetic("J0")])
    with pytest.raises(ParameterError, match=r"at N = 20000 needs 6\.\d+ GiB .* the limit is 1 GiB"):
        snn.monte_carlo(model, N=20000, sweeps=4)
    with pytest.raises(ParameterError, match="dynamics 'rbm' is not available for models simulated from their declaration"):
        snn.monte_carlo(model, N=50, sweeps=4, dynamics="rbm")
    # registry models whose options their own sampler does not simulate go through the declaration
    with pytest.raises(ParameterError, match=r"no Monte Carlo sampler for Gaussian\(variance=1\) units"):
        snn.monte_carlo(snn.model("sk", units="gaussian"), N=50, sweeps=4)
    with pytest.raises(ParameterError, match=r"GaussianCouplings\(J=1\): p = 3"):
        snn.monte_carlo(snn.model("p-spin", p=3, spins="spherical"), N=20, sweeps=4)


# -- Monte Carlo against the engine's RS solution, models nobody registered ---------------------------
# Finite-size allowances (beside 3 error bars) were measured before the tests were written: 64 disorder
# samples × 1000 sweeps (seed 1) at the test's N and at 2N (4N where noted); the allowance is
# |MC − theory| + 2 × (its error) at the test's N, an upper bound of the finite-size shift at ~95 %:
#
# (a) Hopfield + ferromagnet, α = 0.02, J0 = 0.5, h = 0, T = 0.5 (RS: m = 0.94500, q = 0.89459, M = 0):
#     N = 200: m −0.0374 ± 0.0174 (some samples leave retrieval at N = 200: the test uses N = 400),
#     N = 400: m −0.00009 ± 0.00048, q −0.00019 ± 0.00078; N = 800: m +0.00060 ± 0.00033,
#     q +0.00100 ± 0.00054  →  allowance 0.001 (m), 0.002 (q). M: 0 for every N (ξ → −ξ symmetry).
# (b) spherical SK + ferromagnet, J = 1, J0 = 2 (RS: T = 0.5: M = q = 0.75; T = 1: M = 0.61237, q = 0.5):
#     T = 0.5: N = 100: M −0.0069 ± 0.0038, q −0.0026 ± 0.0032; N = 400: M −0.00013 ± 0.0017,
#     q −0.0004 ± 0.0013; N = 800: M −0.00001 ± 0.0013, q −0.0012 ± 0.0010  →  allowance 0.004;
#     T = 1: N = 200: M −0.0059 ± 0.0037, q −0.0092 ± 0.0046; N = 400: M −0.0017 ± 0.0023,
#     q −0.0032 ± 0.0026 (a 1/N trend)  →  allowance 0.009.
# (c) {0, 1} SK, J = 1, h = 0, T = 1 (RS: q_d = 0.52725, q = 0.29403): N = 100: q_d −0.0027 ± 0.0024,
#     N = 200: −0.0017 ± 0.0016, N = 400: q_d −0.00048 ± 0.0010, q −0.00054 ± 0.0012  →  allowance 0.003.

def _agrees(obs, theory, allowance):
    return abs(obs.mean - theory) <= 3 * obs.stderr + allowance


def test_hopfield_plus_ferromagnet_retrieval_matches_rs():
    # Hopfield couplings plus a ferromagnet J0/N, declared in one line: in the retrieval state the Mattis
    # overlap m and the magnetisation M are distinct order parameters (m ≠ 0, M = 0) and the Monte
    # Carlo sampler built from the same terms measures both (AGS, Ann. Phys. 173, 30 (1987) for m, q)
    model = snn.declare("hopfield-ferro", units=B.Ising(),
                        terms=[B.Hebbian("alpha"), B.Ferromagnetic("J0"), B.Field("h")])
    point = dict(alpha=0.02, J0=0.5, h=0.0, T=0.5)
    theory = model.free_energy().saddle_point().compile().solve(guess={"m": 1.0}, **point)
    assert theory.converged and theory.stable and theory["m"] > 0.9 and abs(theory["M"]) < 1e-9
    mc = snn.monte_carlo(model, N=400, samples=8, sweeps=400, seed=0, progress=False, **point)
    assert mc.info == {"P": 8, "alpha_effective": 0.02}
    assert _agrees(mc["m"], theory["m"], 0.001), (mc["m"], theory["m"])
    assert _agrees(mc["q"], theory["q"], 0.002), (mc["q"], theory["q"])
    assert _agrees(mc["M"], 0.0, 0.0), mc["M"]
    # the noise of the 7 other patterns is resolved: without it (α = 0, m = tanh(m/T)) m is 0.9575
    assert mc["m"].mean < 0.9575 - 3 * mc["m"].stderr


def test_spherical_sk_with_a_ferromagnet_matches_rs_by_crosscheck():
    # spherical SK couplings J²/N plus a ferromagnet J0/N > J: the RS ferromagnet has the condensate
    # q = 1 − T/J0 (Kosterlitz, Thouless, Jones, PRL 36, 1217 (1976)) and M² = q (1 − J²/J0²), the
    # squared overlap of the outlier eigenvector of the couplings with the uniform direction (Péché,
    # Probab. Theory Relat. Fields 134, 127 (2006)); snn.crosscheck compares M along T
    model = snn.declare("spherical-sk-ferro", units=B.Spherical(),
                        terms=[B.GaussianCouplings("J"), B.Ferromagnetic("J0")])
    cc = snn.crosscheck(model, {"T": [0.5, 1.0]}, N=[400], observable="M", guess={"M": 1.0}, samples=8,
                        sweeps=400, seed=0, J=1.0, J0=2.0, progress=False)
    for row, mc, allowance in zip(cc.rows, cc.results, (0.004, 0.009)):
        T = row["T"]
        q = 1 - T / 2.0
        assert row["converged"] and row["theory"] == pytest.approx(math.sqrt(q * (1 - 1 / 4)), abs=1e-8)
        assert abs(row["mean"] - row["theory"]) <= 3 * row["stderr"] + allowance, row
        assert _agrees(mc["q"], q, allowance), (T, mc["q"], q)
        assert 0.25 < mc["acceptance"].mean < 0.6      # the rotation step tuned in burn-in


def test_boolean_sk_matches_rs():
    # SK couplings on {0, 1} units: the self-overlap q_d = (1/N) Σσ is an order parameter beside q
    model = snn.declare("sk01", units=B.Binary01(), terms=[B.GaussianCouplings("J"), B.Field("h")])
    point = dict(J=1.0, h=0.0, T=1.0)
    theory = model.free_energy().saddle_point().compile().solve(**point)
    assert theory.converged and theory.stable
    mc = snn.monte_carlo(model, N=400, samples=8, sweeps=400, seed=0, init="random", progress=False, **point)
    for key in ("q_d", "q"):
        assert _agrees(mc[key], theory[key], 0.003), (key, mc[key], theory[key])
    # the registry's SK with units="binary" is simulated from its declaration: the same sampler
    reg = snn.monte_carlo(snn.model("sk", units="binary"), N=400, samples=8, sweeps=400, seed=0, init="random",
                          progress=False, J0=0.0, h=0.0, T=1.0)
    assert reg["q"].mean == mc["q"].mean and reg["q_d"].mean == mc["q_d"].mean
