"""Monte Carlo backend: physics against theory and exact enumeration, reproducibility, scale-out,
resumable sweeps and errors. Sources of literature values are cited beside them."""
import itertools
import json
import math
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from scipy.special import gammaln

import statmech_nn as snn
from statmech_nn.errors import ParameterError
from statmech_nn.montecarlo import kernels as K
from statmech_nn.montecarlo import sweep

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def within(obs, value, sigmas=3.0):
    return abs(obs.mean - value) <= sigmas * obs.stderr


@pytest.fixture(scope="module")
def hopfield_solver():
    return snn.model("hopfield").free_energy().saddle_point().compile()


# -- physics against theory ---------------------------------------------------------------------

def _curie_weiss_exact_m(N, T):
    """Exact ⟨m⟩ of the N-spin Curie–Weiss model restricted to M > 0 (the chain starts all up and
    never crosses m = 0 at these N, T): P(M) ∝ binom(N, (N+M)/2) exp(βM²/2N)."""
    M = np.arange(1 if N % 2 else 2, N + 1, 2)
    logw = gammaln(N + 1) - gammaln((N + M) / 2 + 1) - gammaln((N - M) / 2 + 1) + M**2 / (2 * N * T)
    w = np.exp(logw - logw.max())
    return float((M / N * w).sum() / w.sum())


def test_curie_weiss_magnetisation_matches_mean_field():
    # Curie–Weiss (Agliari et al., arXiv:1407.5300, sec. 2): m = tanh(βm) (J = 1, h = 0),
    # solved by the package's compiled solver
    solver = snn.model("curie-weiss").free_energy().saddle_point().compile()
    for T in (0.5, 0.6):
        mc = snn.monte_carlo("curie-weiss", N=2000, samples=2, sweeps=2000, T=T)
        m_theory = solver.solve(T=T, guess={"m": 1.0})["m"]
        assert m_theory == pytest.approx(math.tanh(m_theory / T), abs=1e-10)
        assert within(mc["m"], m_theory), (T, mc["m"], m_theory)
        assert mc["m"].stderr < 5e-4
    # closer to T_c = 1 the finite-N mean sits O(1/N) below tanh (-1.5e-3 at T = 0.8, N = 2000):
    # there MC must match the exact finite-N sum, and resolve the difference from mean field
    mc = snn.monte_carlo("curie-weiss", N=2000, samples=2, sweeps=4000, T=0.8, dynamics="heat-bath")
    exact = _curie_weiss_exact_m(2000, 0.8)
    assert within(mc["m"], exact), (mc["m"], exact)
    assert solver.solve(T=0.8, guess={"m": 1.0})["m"] - exact > 3 * mc["m"].stderr


def test_sk_paramagnet_energy():
    # SK (Sherrington & Kirkpatrick 1975): u = −β/2 in the paramagnet (T > 1, J0 = h = 0). At finite N
    # u = −(β/2)(1 − ⟨q²⟩) with N⟨q²⟩ = χ_SG = 1/(1 − β²) (Binder & Young, Rev. Mod. Phys. 58, 801
    # (1986), sec. II.C): a relative correction of 0.45 % at N = 400
    T, N = 1.5, 400
    beta = 1 / T
    mc = snn.monte_carlo("sk", N=N, samples=8, sweeps=1000, T=T)
    finite_n = -beta / 2 * (1 - 1 / (N * (1 - beta**2)))
    assert within(mc["energy"], finite_n), (mc["energy"], finite_n)
    assert mc["energy"].mean == pytest.approx(-beta / 2, rel=0.01)
    assert mc["q2"].mean * N == pytest.approx(1 / (1 - beta**2), rel=0.1)
    assert mc.diagnostics["equilibrated"]


@pytest.mark.slow
def test_sk_equilibration_identity_with_parallel_tempering():
    # Katzgraber, Palassini & Young, PRB 63, 184422 (2001), eq. (5): u = −(β/2)(1 − ⟨q²⟩) (J = 1) in
    # equilibrium; at T = 0.6 the SK model is glassy, parallel tempering equilibrates N = 128
    mc = snn.monte_carlo("sk", N=128, samples=48, sweeps=600, burn_in=400, T=0.6,
                         tempering=np.linspace(0.7, 1.6, 8))
    residual = mc.diagnostics["sk_identity"]
    assert abs(residual.mean) <= 3 * residual.stderr and residual.stderr < 0.015
    assert mc.diagnostics["equilibrated"]
    assert len(mc.swap_rates) == 8 and all(0.2 < r < 1 for r in mc.swap_rates)
    u_identity = -(1 / 0.6) / 2 * (1 - mc["q2"].mean)
    assert mc["energy"].mean == pytest.approx(u_identity, abs=4 * np.hypot(residual.stderr, 0.004))
    # without equilibration (random start, no burn-in) the identity fails: energy too high, q² too low
    young = snn.monte_carlo("sk", N=256, samples=4, sweeps=20, burn_in=0, T=0.6)
    assert young.diagnostics["sk_identity"].mean > 10 * young.diagnostics["sk_identity"].stderr
    assert young.diagnostics["equilibrated"] is False


def test_hopfield_retrieval_matches_ags(hopfield_solver):
    # AGS (Amit, Gutfreund, Sompolinsky 1987): retrieval overlap at alpha = 0.05; the solver's value
    # at T = 0.1 is checked against AGS in test_literature.py
    for T, N in ((0.1, 2000), (0.4, 1000)):
        theory = hopfield_solver.solve(alpha=0.05, T=T, guess={"m": 1.0})
        mc = snn.monte_carlo("hopfield", N=N, samples=6, sweeps=600, alpha=0.05, T=T)
        assert mc.info["P"] == round(0.05 * N)
        assert within(mc["m"], theory["m"]), (T, mc["m"], theory["m"])
        assert within(mc["q"], theory["q"]), (T, mc["q"], theory["q"])
    assert mc["m"].mean < 0.99     # T = 0.4 is a non-trivial point (m ≈ 0.966)


def test_mixture_overlaps_and_sk_with_mean_coupling_and_field():
    # Amit, Gutfreund & Sompolinsky, PRA 32, 1007 (1985): the symmetric mixture of three patterns has
    # overlaps m_1 = m_2 = m_3 = 1/2 at T = 0 (alpha = 0; at T = 0.1 the correction is below 1e-4)
    mc = snn.monte_carlo(snn.model("hopfield", patterns=3), N=1000, samples=4, sweeps=500, alpha=0.0, T=0.1)
    assert mc.info["P"] == 3
    for name in ("m_1", "m_2", "m_3"):
        assert within(mc[name], 0.5) and mc[name].stderr < 0.03, (name, mc[name])
    # SK with J0 and h (paramagnet, T = 1.5): the general identity
    # u = −(J0/2)(⟨m²⟩ − 1/N) − (β/2)(1 − ⟨q²⟩) − h⟨m⟩ holds, and m matches the RS solver
    sk = snn.monte_carlo("sk", N=200, samples=8, sweeps=1000, T=1.5, J0=0.5, h=0.3)
    assert sk.diagnostics["equilibrated"] and sk.diagnostics["sk_identity"].stderr < 0.005
    theory = snn.model("sk").free_energy().saddle_point().compile().solve(T=1.5, J0=0.5, h=0.3)
    assert within(sk["m"], theory["m"])


@pytest.mark.slow
def test_hopfield_loses_retrieval_past_capacity_as_n_grows():
    # AGS: alpha_c(T = 0) ≈ 0.138; simulations at finite N retrieve somewhat above it (apparent
    # capacity 0.14–0.15, Steffan & Kühn, Z. Phys. B 95, 249 (1994)): at alpha = 0.16 zero-temperature
    # dynamics started in the pattern still retrieve at N = 500 and lose the pattern at N = 4000
    def m(alpha, N):
        return snn.monte_carlo("hopfield", N=N, samples=6, sweeps=50, burn_in=100, alpha=alpha, T=0)["m"]
    small, large = m(0.16, 500), m(0.16, 4000)
    assert large.mean < 0.4 and small.mean > 0.8
    assert small.mean - large.mean > 3 * np.hypot(small.stderr, large.stderr)
    assert m(0.12, 4000).mean > 0.98            # below alpha_c retrieval survives at every N


def test_rbm_with_gaussian_hidden_units_reproduces_hopfield():
    # Agliari et al., arXiv:1407.5300, sec. 5: the Hopfield network is the marginal of an RBM with
    # Gaussian hidden units (precision β): same patterns (same seed), both dynamics, sample by sample
    common = dict(N=400, samples=4, sweeps=2000, alpha=0.05, T=0.4)
    spins = snn.monte_carlo("hopfield", **common)
    rbm = snn.monte_carlo("hopfield", dynamics="rbm", **common)
    for name in ("m", "energy", "q"):
        a, b = spins[name], rbm[name]
        z = (a.sample_means - b.sample_means) / np.hypot(a.sample_errors, b.sample_errors)
        assert np.all(np.abs(z) < 3.5), (name, z)
        assert within(a, b.mean, 3 * math.sqrt(2))


# -- kernels against exact enumeration ------------------------------------------------------------

def _streams(count, seed=0):
    return np.stack([s.generate_state(4, np.uint64) for s in np.random.SeedSequence(seed).spawn(count)])


def _patterns(N, P, seed):
    return np.where(np.random.default_rng(seed).random((N, P)) < 0.5, -1, 1).astype(np.int8)


def _run_patterns(xi, betas, p, h, n, rule=K.METROPOLIS, R=1, J=1.0, shift=0.0, seed=0):
    N, P = xi.shape
    C = R * len(betas)
    spins = np.ones((C, N), np.int8)
    M = (spins.astype(np.int64) @ xi.astype(np.int64)).astype(float)
    mag = spins.sum(axis=1).astype(np.int64)
    energy, acc = np.zeros((n, R)), np.zeros((n, R))
    ov, q = np.zeros((n, R, P)), np.zeros(n)
    swaps = np.zeros((len(betas) - 1, 2), np.int64)
    K.run_patterns(xi, M, spins, mag, np.asarray(betas, float), J, p, h, shift, rule, n, _streams(C + 1, seed),
                   P, energy, ov, acc, q, swaps)
    return energy, ov, acc, swaps, spins, M


def _exact(energy_of, N, T):
    states = np.array(list(itertools.product((-1, 1), repeat=N)))
    E = np.array([energy_of(s) for s in states])
    w = np.exp(-(E - E.min()) / T)
    return states, E, w / w.sum()


def test_dense_p_body_energy_and_sampling_match_enumeration():
    # dense (p-body) Hopfield H = −(1/(p N^{p−1})) Σ_μ Σ_{i1..ip} ξ_i1 σ_i1 ... ξ_ip σ_ip − h Σσ
    # (all index tuples) = −(N/p) Σ_μ m_μ^p − h Σσ
    N, P, p, h, T = 7, 2, 3, 0.1, 0.8
    xi = _patterns(N, P, 1)

    def energy(s):
        tuples = sum(np.prod([xi[i, mu] * s[i] for i in idx])
                     for mu in range(P) for idx in itertools.product(range(N), repeat=p))
        return -tuples / (p * N ** (p - 1)) - h * s.sum()

    states, E, w = _exact(energy, N, T)
    for s, e in zip(states[:20], E[:20]):
        M = (xi.astype(float) * s[:, None]).sum(axis=0)
        assert K.pattern_energy(M, s.sum(), N, 1.0, p, h, 0.0) == pytest.approx(e, abs=1e-12)
    e_mc, ov, _, _, spins, M = _run_patterns(xi, [1 / T], p, h, 40000, rule=K.HEAT_BATH, R=2)
    e_mean = e_mc.mean() * N
    e_err = e_mc.mean(axis=1).reshape(-1, 400).mean(axis=1).std(ddof=1) / math.sqrt(100) * N
    assert abs(e_mean - (w * E).sum()) < 4 * e_err
    m1 = (w * (states * xi[:, 0]).mean(axis=1)).sum()
    assert abs(ov[:, :, 0].mean() - m1) < 0.02
    # the cached overlaps stay exact
    assert np.array_equal(M, spins.astype(float) @ xi.astype(float))


def test_parallel_tempering_and_heat_bath_match_enumeration_for_sk():
    # small SK sample: ⟨E⟩ at T = 0.4 from exact enumeration vs Metropolis + replica exchange
    N, T = 10, 0.4
    rng = np.random.default_rng(3)
    J = np.triu(rng.standard_normal((N, N)) / math.sqrt(N), 1)
    J = J + J.T
    states, E, w = _exact(lambda s: -0.5 * s @ J @ s, N, T)
    betas = 1 / np.array([T, 0.6, 0.9, 1.4])
    for rule in (K.METROPOLIS, K.HEAT_BATH):
        spins = np.ones((4, N), np.int8)
        local = spins.astype(float) @ J
        n = 30000
        energy, mag, acc = np.zeros((n, 1)), np.zeros((n, 1)), np.zeros((n, 1))
        swaps = np.zeros((3, 2), np.int64)
        K.run_dense(J, local, spins, betas, 0.0, rule, n, _streams(5), energy, mag, acc, np.zeros(n), swaps)
        blocks = energy[:, 0].reshape(-1, 300).mean(axis=1) * N
        assert abs(blocks.mean() - (w * E).sum()) < 4 * blocks.std(ddof=1) / math.sqrt(blocks.size)
        assert np.all(swaps[:, 1] == n) and np.all(swaps[:, 0] > 0.1 * n)
        np.testing.assert_allclose(local, spins.astype(float) @ J, atol=1e-9)   # cached fields exact


def test_rbm_with_binary_hidden_units_matches_enumeration():
    # binary hidden units: p(σ) ∝ e^{βhΣσ} Π_μ 2cosh(β u_μ), u_μ = Σ_i ξ_iμ σ_i / √N
    N, P, T, h = 6, 2, 0.7, 0.2
    xi = _patterns(N, P, 2)
    beta = 1 / T

    def minus_log_weight_times_T(s):
        u = xi.T.astype(float) @ s / math.sqrt(N)
        return -h * s.sum() - T * np.log(2 * np.cosh(beta * u)).sum()

    states, _, w = _exact(minus_log_weight_times_T, N, T)
    n, R = 40000, 2
    spins = np.ones((R, N), np.int8)
    ov, q = np.zeros((n, R, P)), np.zeros(n)
    K.run_rbm(xi, spins, np.zeros((R, P)), beta, h, K.BINARY_HIDDEN, n, _streams(R), P, np.zeros((n, R)),
              ov, np.zeros((n, R)), q)
    for mu in range(P):
        exact = (w * (states * xi[:, mu]).mean(axis=1)).sum()
        blocks = ov[:, :, mu].mean(axis=1).reshape(-1, 400).mean(axis=1)
        assert abs(blocks.mean() - exact) < 4 * blocks.std(ddof=1) / math.sqrt(blocks.size)
    exact_q = sum(w[a] * w[b] * (states[a] @ states[b]) / N for a in range(len(w)) for b in range(len(w)))
    assert abs(q.mean() - exact_q) < 0.02


def test_zero_temperature_dynamics_never_raise_the_energy():
    xi = _patterns(300, 30, 4)
    energy, _, acc, _, spins, M = _run_patterns(xi, [math.inf], 2, 0.0, 30, shift=15.0)
    assert np.all(np.diff(energy[:, 0]) <= 1e-12)
    assert acc[-1, 0] == 0.0      # a fixed point: no flip lowers the energy
    assert np.array_equal(M[0], (xi.astype(float) * spins[0][:, None]).sum(axis=0))


# -- reproducibility and scale-out -------------------------------------------------------------------

def _table(results):
    return [(r.N, r.parameters, {k: (v.mean, v.stderr) for k, v in r.items()}) for r in results]


SMALL = dict(N=200, samples=3, sweeps=60, alpha=0.05)


def test_same_seed_same_bits_for_one_and_two_workers():
    points = [{"T": 0.2}, {"T": 0.5}]
    one = sweep("hopfield", points, executor=1, **SMALL)
    two = sweep("hopfield", points, executor=2, **SMALL)
    assert _table(one) == _table(two)
    assert _table(one) != _table(sweep("hopfield", points, executor=2, seed=1, **SMALL))
    # a point of a sweep reproduces the standalone run with the same seed
    alone = snn.monte_carlo("hopfield", T=0.5, executor=1, **SMALL)
    assert _table([alone]) == _table(one[1:])


@pytest.mark.slow
def test_worker_processes_give_the_same_table():
    # kernels are compiled in the parent first, so the two workers only read numba's cache
    from concurrent.futures import ProcessPoolExecutor
    import multiprocessing
    points = [{"T": 0.2}, {"T": 0.5}]
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        remote = sweep("hopfield", points, executor=pool, **SMALL)
    assert _table(remote) == _table(sweep("hopfield", points, executor=1, **SMALL))


@pytest.mark.slow
def test_dask_local_cluster_gives_the_same_table():
    distributed = pytest.importorskip("distributed")
    points = [{"T": 0.2}, {"T": 0.5}]
    local = sweep("hopfield", points, **SMALL)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        remote = sweep("hopfield", points, executor=client, **SMALL)
    assert _table(local) == _table(remote)


RESUME_SCRIPT = """
import sys, statmech_nn as snn
from statmech_nn.montecarlo import crosscheck
cc = crosscheck("hopfield", {"T": [0.1, 0.3, 0.5, 0.7]}, N=[300, 600], samples=2, sweeps=400,
                alpha=0.05, executor=1, resume=sys.argv[1], guess={"m": 1.0})
print(cc.table())
"""


def _journal_records(path):
    """Complete task records of a resume journal (the header and a half-written line are none)."""
    from statmech_nn.journal import read_journal
    return [record for _, record in read_journal(path)[1]]


@pytest.mark.slow
def test_killed_sweep_resumes_to_the_same_table(tmp_path):
    path = tmp_path / "sweep.jsonl"
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.Popen([sys.executable, "-c", RESUME_SCRIPT, str(path)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.time() + 120
    while time.time() < deadline and (not path.exists() or len(path.read_text().splitlines()) < 4):
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    killed = path.read_bytes()
    finished = len(_journal_records(path))
    assert 3 <= finished < 16, finished         # killed mid-run, some samples on disk
    resumed = subprocess.run([sys.executable, "-c", RESUME_SCRIPT, str(path)], env=env,
                             capture_output=True, text=True, check=True)
    assert path.read_bytes().startswith(killed)  # append-only: nothing written before was changed
    assert len(_journal_records(path)) == 16
    fresh = subprocess.run([sys.executable, "-c", RESUME_SCRIPT, str(tmp_path / "fresh.jsonl")], env=env,
                           capture_output=True, text=True, check=True)
    assert resumed.stdout == fresh.stdout and "± " in fresh.stdout
    keys = [record["key"] for record in _journal_records(path)]
    assert len(set(keys)) == 16          # nothing ran twice


def test_crosscheck_table_and_plot():
    import matplotlib
    matplotlib.use("Agg")
    cc = snn.crosscheck("hopfield", {"T": [0.1, 0.3]}, N=[100, 200], samples=2, sweeps=100, alpha=0.05,
                        guess={"m": 1.0})
    assert [(r["T"], r["N"]) for r in cc.rows] == [(0.1, 100), (0.1, 200), (0.3, 100), (0.3, 200)]
    assert all(r["converged"] and 0.95 < r["theory"] < 1 for r in cc.rows)
    assert all(abs(r["mean"] - r["theory"]) < 0.05 for r in cc.rows)
    # AGS 1987: at alpha = 0.05 retrieval is the phase below T_c ≈ 0.25 and metastable above it
    assert [r["status"] for r in cc.rows] == ["equilibrium"] * 2 + ["metastable"] * 2
    table = cc.table()
    assert table.count("\n| ") == 5 and "theory m (that branch)" in table and "chain in" in table
    assert "metastable: a local minimum of f" in table
    ax = cc.plot()
    assert len(ax.lines) >= 1 and len(ax.containers) == 2          # theory line, one errorbar per N
    assert ax.get_xlabel() == "$T$" and ax.get_ylabel() == "$m$"
    ax2 = cc.overlay(ax, x="T", y="alpha")
    assert len(ax2.collections) >= 2


def test_crosscheck_compares_each_chain_with_its_own_branch():
    # past alpha_c ≈ 0.138 (AGS 1987) the N -> infinity theory has no retrieval state at T = 0.1, but
    # finite chains started in a pattern keep it (Steffan and Kühn 1994): no number of sigma then
    cc = snn.crosscheck("hopfield", {"alpha": [0.05, 0.16]}, N=[100], samples=3, sweeps=100, T=0.1,
                        guess={"m": 1.0}, progress=False)
    first, last = cc.rows[0], cc.rows[-1]
    assert first["branch"] == "retrieval" and first["status"] == "equilibrium"
    assert first["theory"] == pytest.approx(0.99995, abs=1e-5)
    assert last["alpha"] == 0.16 and last["branch"] == "retrieval" and last["status"] == "absent"
    assert np.isnan(last["theory"]) and np.isnan(last["z"]) and last["mean"] > 0.5
    table = cc.table()
    assert "| — | — | absent |" in table and "finite-size effect" in table
    html = cc._repr_html_()
    assert html.count("<tr>") == 1 + len(cc.rows) and "absent" in html and "finite-size" in html
    # the theory line stays on the retrieval branch: no spin-glass m = 0 drawn past its end
    grid, values, on_branch, _ = cc.curve
    assert cc.curve_branch == "retrieval" and np.all(values[on_branch] > 0.9)
    assert not on_branch[grid > 0.139].any()


def test_samples_in_different_branches_get_a_row_each():
    from statmech_nn.montecarlo.api import CrosscheckResult, MCResult
    # four disorder samples of one point, two still retrieving (m ~ 1), two in the spin glass
    # (m ~ 1/sqrt(N)): each pair against its own branch, with its own mean and error
    stats = {"m": [(1.0, 0.001, 1.0), (0.99, 0.001, 1.0), (0.02, 0.003, 1.0), (-0.01, 0.003, 1.0)],
             "q": [(0.98, 0.002, 1.0)] * 4}
    results = [{"observables": {k: list(v[s]) for k, v in stats.items()}, "info": {}, "swaps": []}
               for s in range(4)]
    mc = MCResult("hopfield", 400, {"alpha": 0.1, "h": 0.0, "T": 0.1}, {"samples": 4, "sweeps": 10}, results)
    branches = [{"retrieval": {"value": 0.997, "replicon": 0.5, "dominant": False},
                 "spin glass": {"value": 0.0, "replicon": -0.1, "dominant": True}}]
    from statmech_nn.montecarlo.api import _chain_branch
    chains = [_chain_branch(snn.model("hopfield"), mc, ["m", "q", "r"])]
    assert chains == [["retrieval", "retrieval", "spin glass", "spin glass"]]
    cc = CrosscheckResult("hopfield", "m", "alpha", [{"alpha": 0.1, "T": 0.1}], [400], [0.997], [True], [mc],
                          branches=branches, chains=chains)
    (r1, r2) = cc.rows
    assert (r1["branch"], r1["samples"], r1["status"]) == ("retrieval", 2, "metastable")
    assert r1["mean"] == pytest.approx(0.995) and r1["z"] == pytest.approx((0.995 - 0.997) / r1["stderr"])
    assert (r2["branch"], r2["status"], r2["floor"]) == ("spin glass", "RS unstable", True)
    assert np.isnan(r2["z"]) and "(2/4 samples)" in cc.table()


@pytest.mark.parametrize("name, options, dynamics, extra", [
    ("hopfield", {}, "metropolis", {"tempering": [0.3]}),       # pattern kernel, replica exchange
    ("hopfield", {"pattern": "diluted"}, "heat-bath", {}),      # centred patterns
    ("hopfield", {}, "rbm", {}),                                # block Gibbs
    ("sk", {}, "metropolis", {"tempering": [0.8]}),             # dense couplings
    ("p-spin", {}, "metropolis", {}),                           # p-body tuples
    ("dense-hopfield", {}, "metropolis", {}),                   # polynomial patterns
    ("dense-hebbian", {}, "metropolis", {}),                    # power sums
])
def test_sweeps_reported_in_chunks_give_the_same_bits(name, options, dynamics, extra):
    from statmech_nn.montecarlo.runner import run_task
    model = snn.model(name, **options)
    params = {k: float(v) for k, v in model.parameters(T=0.2).items()}
    task = {"model": name, "options": dict(model.options), "N": 40, "params": params, "dynamics": dynamics,
            "init": "pattern", "sweeps": 23, "burn_in": 7, "replicas": 2, "tempering": [], "seed": 3,
            "sample": 1, **extra}
    reported = []
    chunked = run_task(task, report=reported.append)
    assert chunked == run_task(task)                 # bit for bit, every observable and swap count
    assert sum(reported) == 30 and len(reported) == 30   # 50 chunks asked, one sweep each here


def test_monte_carlo_progress_bar_counts_sweeps(capsys):
    from statmech_nn.parallel import map_tasks
    snn.monte_carlo("hopfield", N=60, samples=3, sweeps=40, burn_in=10, alpha=0.05, T=0.1, progress=True)
    err = capsys.readouterr().err
    assert "150/150" in err and "sweep" in err             # 3 samples x (40 + 10) sweeps
    snn.monte_carlo("hopfield", N=60, samples=3, sweeps=40, alpha=0.05, T=0.1, progress=None)
    assert capsys.readouterr().err == ""                   # not a terminal: no bar
    assert map_tasks(abs, [-1, -2, 3], executor=2, progress=False) == [1, 2, 3]
    seen = []
    assert map_tasks(abs, [-1, -2, 3], executor="processes", progress=seen.append) == [1, 2, 3]
    assert sorted(seen) == [0, 1, 2]


# -- errors -----------------------------------------------------------------------------------------

def test_bad_input_raises_clear_errors():
    from statmech_nn.models.base import Model, temperature_parameter

    class Toy(Model):
        name = "toy"

        def make_parameter_specs(self):
            return {"T": temperature_parameter()}

    with pytest.raises(ParameterError, match="N must be an integer >= 2"):
        snn.monte_carlo("hopfield", N=1)
    with pytest.raises(ParameterError, match="N must be an integer"):
        snn.monte_carlo("hopfield", N=100.5)
    with pytest.raises(ParameterError, match="sweeps must be an integer >= 2"):
        snn.monte_carlo("hopfield", N=100, sweeps=-5)
    with pytest.raises(ParameterError, match="burn_in must be an integer >= 0"):
        snn.monte_carlo("hopfield", N=100, burn_in=-1)
    with pytest.raises(ValueError, match="unknown model 'nope'"):
        snn.monte_carlo("nope", N=100)
    with pytest.raises(ParameterError, match="no Monte Carlo sampler; models with one: curie-weiss, sk"):
        snn.monte_carlo(Toy(), N=100)
    with pytest.raises(ParameterError, match="dynamics 'wolff'"):
        snn.monte_carlo("sk", N=100, dynamics="wolff")
    with pytest.raises(ParameterError, match="needs T > 0"):
        snn.monte_carlo("hopfield", N=100, dynamics="rbm", T=0)
    with pytest.raises(ParameterError, match="above T"):
        snn.monte_carlo("sk", N=100, T=0.6, tempering=[0.5, 1.0])
    with pytest.raises(ParameterError, match="one parameter point"):
        snn.monte_carlo("sk", N=100, T=[0.5, 1.0])
    with pytest.raises(ParameterError, match="out of range"):
        snn.monte_carlo("hopfield", N=100, alpha=-0.1)
    with pytest.raises(ParameterError, match="executor must be"):
        snn.monte_carlo("hopfield", N=100, samples=2, executor="gpu")
    with pytest.raises(ParameterError, match="not an order parameter"):
        snn.crosscheck("hopfield", {"T": [0.1]}, N=[40], observable="energy")   # P = 0.05 N = 2
