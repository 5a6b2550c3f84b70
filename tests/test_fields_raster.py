"""Rasters as lattice fields (Bardella et al., Entropy 26, 495 (2024); iScience 2024): loading, the
magnetisation kernel, spectra and correlations, the space–time maximum-entropy fit and decimation in time."""
import math

import numpy as np
import pytest

from statmech_nn.errors import ParameterError
from statmech_nn.fields.decimation import (chain_decimation, chain_fixed_points, fitted_flow,
                                           predicted_chain_flow)
from statmech_nn.fields.maxent import SpaceTimeIsing, fit_maxent
from statmech_nn.fields.raster import (Raster, load_raster, spike_times_to_raster,
                                      trial_magnetisation_kernel)


def batch_mean_error(x, n_blocks=40):
    """Standard error of the mean of a correlated series by batch means."""
    blocks = np.array([b.mean() for b in np.array_split(np.asarray(x, float), n_blocks)])
    return blocks.std(ddof=1) / math.sqrt(n_blocks)


# ---------------------------------------------------------------------------------- raster basics
def test_spins_rebin_decimate_and_averages():
    r = Raster([[0, 1, 1, 0, 0, 0], [1, 0, 0, 0, 1, 1]], bin_width=2.5)
    assert r.spins.tolist() == [[-1, 1, 1, -1, -1, -1], [1, -1, -1, -1, 1, 1]]
    merged = r.rebin(2)  # a merged bin is active when any of its bins is
    assert merged.activity.tolist() == [[1, 1, 0], [1, 0, 1]] and merged.bin_width == 5.0
    assert r.rebin(4).activity.tolist() == [[1], [1]]  # trailing bins dropped
    dec = r.decimate(2)
    assert dec.activity.tolist() == [[0, 1, 0], [1, 0, 1]] and dec.bin_width == 5.0
    assert r.decimate(2, offset=1).activity.tolist() == [[1, 0, 0], [0, 0, 1]]
    np.testing.assert_allclose(r.row_means(), [-1 / 3, 0.0])
    np.testing.assert_allclose(r.column_means(), [0, 0, 0, -1, 0, 0])
    assert Raster.from_counts([[0, 3], [2, 0]]).activity.tolist() == [[0, 1], [1, 0]]
    assert Raster(np.array([[True, False]])).spins.tolist() == [[1, -1]]


def test_magnetisation_kernel_is_the_window_mean():
    rng = np.random.default_rng(3)
    r = Raster(rng.integers(0, 2, (7, 31)))
    s = r.spins
    blocks = r.magnetisation_kernel(neurons=2, bins=5)  # non-overlapping blocks
    assert blocks.shape == (3, 6)
    for a in range(3):
        for b in range(6):
            assert blocks[a, b] == pytest.approx(s[2 * a:2 * a + 2, 5 * b:5 * b + 5].mean(), abs=1e-12)
    sliding = r.magnetisation_kernel(neurons=1, bins=4, stride=(1, 1))
    assert sliding.shape == (7, 28)
    assert sliding[4, 9] == pytest.approx(s[4, 9:13].mean(), abs=1e-12)
    np.testing.assert_allclose(r.magnetisation_kernel(1, 1), s)  # 1×1 windows: the field itself
    np.testing.assert_allclose(r.magnetisation_kernel(7, 31), [[s.mean()]])
    with pytest.raises(ParameterError, match="larger than the raster"):
        r.magnetisation_kernel(8, 2)


def test_trial_kernel_is_the_ensemble_magnetisation():
    rng = np.random.default_rng(8)
    trials = rng.integers(0, 2, (5, 3, 12))
    m = trial_magnetisation_kernel(trials)
    np.testing.assert_allclose(m, (2 * trials - 1).mean(axis=0))
    blocked = trial_magnetisation_kernel([Raster(t) for t in trials], neurons=3, bins=4)
    np.testing.assert_allclose(blocked[0], [(2 * trials[:, :, 4 * b:4 * b + 4] - 1).mean() for b in range(3)])
    with pytest.raises(ParameterError, match="share one shape"):
        trial_magnetisation_kernel([np.zeros((3, 12), int), np.zeros((3, 11), int)])


def test_power_spectrum_parseval_and_ising_chain_spectrum():
    # Parseval: Σ_k P(f_k) over the two-sided spectrum equals Σ_t (s − m)²
    rng = np.random.default_rng(0)
    r = Raster(rng.integers(0, 2, (3, 64)), bin_width=0.5)
    freqs, power = r.power_spectrum()
    assert freqs[1] == pytest.approx(1 / (64 * 0.5)) and power.shape == (3, 33)
    two_sided = power[:, 0] + 2 * power[:, 1:-1].sum(axis=1) + power[:, -1]
    x = r.spins - r.spins.mean(axis=1, keepdims=True)
    np.testing.assert_allclose(two_sided, (x ** 2).sum(axis=1), rtol=1e-12)
    # zero-field Ising chain in time: ⟨s(t)s(t+τ)⟩ = ρ^|τ| with ρ = tanh K (Baxter, Exactly Solved Models
    # (1982), sec. 2.2), so its spectrum is the AR(1) form (1 − ρ²)/(1 − 2ρ cos ω + ρ²) (Wiener–Khinchin)
    K, N, T = 0.6, 16, 2048
    chain = SpaceTimeIsing(np.zeros(N), K=K * np.eye(N)).sample(T, seed=5, method="gibbs", sweeps=300)
    _, power = chain.power_spectrum()
    rho = math.tanh(K)
    omega = 2 * np.pi * np.fft.rfftfreq(T)
    theory = (1 - rho ** 2) / (1 - 2 * rho * np.cos(omega) + rho ** 2)
    bands = np.array_split(np.arange(1, T // 2), 8)  # periodogram ordinates are ~independent: band means
    for band in bands:
        values = power[:, band].ravel()
        err = values.std() / math.sqrt(values.size)
        assert abs(values.mean() - theory[band].mean()) < 5 * err, band[0]


def test_lagged_correlations_of_an_ising_chain():
    # C(τ) = tanh(K)^τ at h = 0 (Baxter (1982), sec. 2.2); two neurons, independent chains, exact sampling
    K, T = 0.5, 100_000
    r = SpaceTimeIsing([0.0, 0.0], K=K * np.eye(2)).sample(T, seed=11)
    for lag in (0, 1, 2, 3):
        C = r.correlation_matrix(lag)
        prod = r.spins[0, : T - lag].astype(float) * r.spins[0, lag:]
        err = batch_mean_error(prod) + 1e-12
        assert abs(C[0, 0] - math.tanh(K) ** lag) < 5 * err + 1e-3 * (lag == 0), lag
        assert abs(C[0, 1]) < 0.02  # independent neurons
    assert np.allclose(r.correlation_matrix(0), r.correlation_matrix(0).T)
    with pytest.raises(ParameterError, match="lag"):
        r.correlation_matrix(-1)


def test_equal_time_correlations_match_enumeration():
    # K = 0: time bins are independent draws of P(s) ∝ exp(h·s + Σ_{i<j} J_ij s_i s_j); exact moments by
    # enumerating the 2^3 states
    h = np.array([0.3, -0.2, 0.1])
    J = np.array([[0, 0.5, -0.3], [0.5, 0, 0.2], [-0.3, 0.2, 0]])
    states = 2 * ((np.arange(8)[:, None] >> np.arange(3)) & 1) - 1
    w = np.exp(states @ h + 0.5 * np.einsum("ai,ij,aj->a", states, J, states))
    w /= w.sum()
    m = w @ states
    C = np.einsum("a,ai,aj->ij", w, states, states) - np.outer(m, m)
    r = SpaceTimeIsing(h, J).sample(60_000, seed=2)
    np.testing.assert_allclose(r.row_means(), m, atol=0.02)
    np.testing.assert_allclose(r.correlation_matrix(0), C, atol=0.02)


# ---------------------------------------------------------------------------------- loading
def test_loading_arrays_npy_npz_and_csv(tmp_path):
    arr = np.array([[0, 1, 0], [1, 1, 0]])
    np.save(tmp_path / "r.npy", arr)
    np.savez(tmp_path / "r.npz", raster=arr.astype(bool))
    assert load_raster(tmp_path / "r.npy").activity.tolist() == arr.tolist()
    assert load_raster(str(tmp_path / "r.npz"), bin_width=2.0).bin_width == 2.0
    assert load_raster(arr.astype(bool)).activity.tolist() == arr.tolist()
    (tmp_path / "spikes.csv").write_text("neuron,time\n0,0.5\n2,1.7\n0,2.2\n1,0.1\n")
    r = load_raster(tmp_path / "spikes.csv", bin_width=1.0)
    assert r.activity.tolist() == [[1, 0, 1], [1, 0, 0], [0, 1, 0]]
    r = load_raster(tmp_path / "spikes.csv", bin_width=0.5, n_neurons=4, t_stop=3.0)
    assert r.shape == (4, 6) and r.activity[2, 3] == 1 and r.activity[3].sum() == 0
    assert spike_times_to_raster([1], [9.99], bin_width=5.0, n_neurons=2).activity.tolist() == [[0, 0], [0, 1]]


@pytest.mark.parametrize("bad, message", [
    ([[0, 2], [1, 0]], "binary"),
    ([[0, 1], [1]], "ragged"),
    ([[0.0, np.nan]], "NaN"),
    (np.zeros((0, 5)), "empty"),
    (np.zeros(5), "2D"),
    ([["a", "b"]], "non-numeric"),
])
def test_malformed_arrays_raise(bad, message):
    with pytest.raises(ParameterError, match=message):
        Raster(bad)


def test_malformed_files_raise(tmp_path):
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(ParameterError, match="empty"):
        load_raster(tmp_path / "empty.csv", bin_width=1.0)
    (tmp_path / "neg.csv").write_text("0,1.0\n1,-0.5\n")
    with pytest.raises(ParameterError, match="negative spike time"):
        load_raster(tmp_path / "neg.csv", bin_width=1.0)
    (tmp_path / "ids.csv").write_text("0,1.0\n5,0.5\n")
    with pytest.raises(ParameterError, match="unknown neuron id 5"):
        load_raster(tmp_path / "ids.csv", bin_width=1.0, n_neurons=3)
    (tmp_path / "nan.csv").write_text("0,1.0\n1,nan\n")
    with pytest.raises(ParameterError, match="NaN"):
        load_raster(tmp_path / "nan.csv", bin_width=1.0)
    (tmp_path / "cols.csv").write_text("0,1.0,3\n")
    with pytest.raises(ParameterError, match="2 columns"):
        load_raster(tmp_path / "cols.csv", bin_width=1.0)
    (tmp_path / "header_only.csv").write_text("neuron,time\n")
    with pytest.raises(ParameterError, match="no spikes"):
        load_raster(tmp_path / "header_only.csv", bin_width=1.0)
    with pytest.raises(ParameterError, match="bin_width"):
        load_raster(tmp_path / "ids.csv")
    np.save(tmp_path / "bad.npy", np.array([[0, 3]]))
    with pytest.raises(ParameterError, match="binary"):
        load_raster(tmp_path / "bad.npy")
    with pytest.raises(ParameterError, match="no such file"):
        load_raster(tmp_path / "missing.npy")
    with pytest.raises(ParameterError, match="unknown raster file type"):
        (tmp_path / "r.xyz").write_text("1")
        load_raster(tmp_path / "r.xyz")


# ---------------------------------------------------------------------------------- samplers and fit
TRUE = dict(h=[0.2, -0.1, 0.0, 0.15],
            J=[[0, 0.4, -0.2, 0], [0.4, 0, 0.1, 0], [-0.2, 0.1, 0, 0.3], [0, 0, 0.3, 0]],
            K=[[0.3, 0.1, 0, 0], [0, 0.3, -0.2, 0], [0.1, 0, 0.5, 0], [0, 0, 0, 0.2]])


def test_gibbs_sampler_agrees_with_exact_sampler():
    model = SpaceTimeIsing(**TRUE)
    exact = model.sample(30_000, seed=1, method="exact")
    gibbs = model.sample(30_000, seed=1, method="gibbs", sweeps=200)
    assert np.array_equal(gibbs.activity, model.sample(30_000, seed=1, method="gibbs").activity)  # seeded
    for stat in (lambda r: r.row_means(), lambda r: r.correlation_matrix(0).ravel(),
                 lambda r: r.correlation_matrix(1).ravel()):
        a, b = stat(exact), stat(gibbs)
        assert np.max(np.abs(a - b)) < 0.035, np.max(np.abs(a - b))  # 5σ of a difference at T = 3·10⁴


def test_gibbs_kernel_keeps_its_local_fields_exact():
    from statmech_nn.fields import raster_kernels
    model = SpaceTimeIsing(**TRUE)
    rng = np.random.default_rng(0)
    S = rng.choice(np.array([-1, 1], dtype=np.int8), size=(4, 50))
    L = raster_kernels.local_fields(S, model.J, model.K)
    s_next = np.hstack([S[:, 1:], np.zeros((4, 1))])
    s_prev = np.hstack([np.zeros((4, 1)), S[:, :-1]])
    np.testing.assert_allclose(L, model.J @ S + model.K @ s_next + model.K.T @ s_prev, atol=1e-12)
    for _ in range(5):
        raster_kernels.gibbs_sweep(S, L, model.h, model.J, model.K, rng.random(S.shape))
    np.testing.assert_allclose(L, raster_kernels.local_fields(S, model.J, model.K), atol=1e-12)


def test_fit_recovers_couplings_within_sandwich_errors():
    model = SpaceTimeIsing(**TRUE)
    fit = fit_maxent(model.sample(40_000, seed=7))
    truth = np.concatenate([model.h, model.J[np.triu_indices(4, 1)], model.K.ravel()])
    pulls = (fit.theta - truth) / fit.theta_err
    assert fit.names[4] == "J[0,1]" and fit.names[10] == "K[0,0]"
    assert np.max(np.abs(pulls)) < 4.0
    assert 0.4 < np.mean(pulls ** 2) < 1.8  # χ²/dof of 26 parameters
    value, err = fit["K[2,0]"]
    assert abs(value - 0.1) < 4 * err and 0.003 < err < 0.03


def test_errors_match_replica_spread_and_shrink_like_inverse_sqrt_T():
    # the lattice-homogeneous model: one h, one nearest-neighbour J, one temporal K
    N = 4
    J = np.diag(np.full(N - 1, 0.3), 1)
    model = SpaceTimeIsing(np.full(N, 0.1), J + J.T, 0.4 * np.eye(N))
    fits = [fit_maxent(model.sample(4000, seed=s), structure="homogeneous") for s in range(16)]
    thetas = np.array([f.theta for f in fits])
    assert fits[0].names == ["h", "J", "K"]
    np.testing.assert_allclose(thetas.mean(axis=0), [0.1, 0.3, 0.4],
                               atol=4 * thetas.std(axis=0, ddof=1).max() / math.sqrt(len(fits)))
    ratio = thetas.std(axis=0, ddof=1) / np.mean([f.theta_err for f in fits], axis=0)
    assert np.all((ratio > 0.6) & (ratio < 1.5)), ratio  # sandwich error = true spread (16 replicas)
    long = fit_maxent(model.sample(64_000, seed=99), structure="homogeneous")
    shrink = np.mean([f.theta_err for f in fits], axis=0) / long.theta_err
    np.testing.assert_allclose(shrink, 4.0, rtol=0.2)  # T × 16 → errors / 4


def test_fit_bad_input():
    r = Raster(np.random.default_rng(0).integers(0, 2, (2, 400)))
    with pytest.raises(ParameterError, match="structure"):
        fit_maxent(r, structure="dense")
    silent = Raster(np.vstack([np.zeros(400, int), np.ones(400, int)]))
    with pytest.raises(ParameterError, match="never"):
        fit_maxent(silent)
    with pytest.raises(ParameterError, match="symmetric"):
        SpaceTimeIsing([0, 0], J=[[0, 1], [0, 0]])
    with pytest.raises(ParameterError, match="shape"):
        SpaceTimeIsing([0, 0], K=np.eye(3))
    with pytest.raises(ParameterError, match="exact sampling"):
        SpaceTimeIsing(np.zeros(14)).sample(10_000, method="exact")


# ---------------------------------------------------------------------------------- decimation
def test_derived_chain_map_matches_the_literature():
    dec = chain_decimation()
    rng = np.random.default_rng(0)
    K, h = rng.uniform(0.05, 2.0, 20), rng.uniform(-1, 1, 20)
    K0, h0 = dec(K, 0.0)
    # zero field: tanh K' = tanh² K, h stays 0 (Nelson and Fisher, Ann. Phys. 91, 226 (1975), eq. (2.5))
    np.testing.assert_allclose(np.tanh(K0), np.tanh(K) ** 2, rtol=1e-12)
    np.testing.assert_allclose(h0, 0.0, atol=1e-14)
    K1, h1 = dec(K, h)
    # with a field: K' = ¼ log[cosh(2K+h) cosh(2K−h)/cosh² h], h' = h + ½ log[cosh(2K+h)/cosh(2K−h)]
    # (Nelson and Fisher (1975), sec. 2)
    np.testing.assert_allclose(K1, 0.25 * np.log(np.cosh(2 * K + h) * np.cosh(2 * K - h) / np.cosh(h) ** 2),
                               rtol=1e-12)
    np.testing.assert_allclose(h1, h + 0.5 * np.log(np.cosh(2 * K + h) / np.cosh(2 * K - h)), rtol=1e-12)
    assert "Z" in dec.latex() or "cosh" in dec.latex()


def test_chain_fixed_points():
    import sympy as sp
    fp = chain_fixed_points()
    assert sp.simplify(fp["map"] - fp["t"] ** 2) == 0  # t' = t² (Nelson and Fisher (1975))
    points = {(p["t"], p["K"]): (p["slope"], p["stable"]) for p in fp["fixed_points"]}
    assert points == {(0, 0): (0, True), (1, sp.oo): (2, False)}
    Ks, _ = predicted_chain_flow(2.0, 0.0, 8)
    assert np.all(np.diff(Ks) < 0) and Ks[-1] < 1e-3  # every finite K flows to K* = 0


@pytest.mark.slow
def test_fitted_parameters_follow_the_decimation_flow():
    # three independent neurons, each an Ising chain in time; decimate twice and refit
    K0, h0 = np.array([0.9, 0.6, 0.3]), np.array([0.1, -0.2, 0.0])
    raster = SpaceTimeIsing(h0, K=np.diag(K0)).sample(2 ** 17, seed=4)
    fits = fitted_flow(raster, levels=2, structure="chain")
    Ks, hs = predicted_chain_flow(K0, h0, 2)
    assert [f.bin_width for f in fits] == [1.0, 2.0, 4.0]
    for level, fit in enumerate(fits):
        K_fit = np.diag(fit.K)
        K_err = np.diag(fit.K_err)
        assert np.all(np.abs(K_fit - Ks[level]) < 4 * K_err), (level, K_fit, Ks[level], K_err)
        assert np.all(np.abs(fit.h - hs[level]) < 4 * fit.h_err), (level, fit.h, hs[level], fit.h_err)
    assert Ks[2, 0] < 0.5 * Ks[0, 0]  # the flow is resolved: K shrinks well beyond the errors
    # bin merging (the paper's binning) is not the decimation map: a merged bin is silent only when both
    # bins are, so its rate is 1 − P(−,−) with P(s, s') = u_s V_ss' u_s' / λ from the chain's symmetric
    # transfer matrix V = exp(K s s' + h (s + s')/2) and Perron pair (λ, u) (Baxter (1982), sec. 2.1)
    merged = fitted_flow(raster, levels=1, coarse="merge", structure="chain")
    assert merged[1].bin_width == 2.0 and merged[1].n_bins == 2 ** 16
    for i in range(3):
        spins = np.array([1.0, -1.0])
        V = np.exp(K0[i] * np.outer(spins, spins) + h0[i] * (spins[:, None] + spins[None, :]) / 2)
        lam, vecs = np.linalg.eigh(V)
        u = np.abs(vecs[:, -1])
        p_silent = u[1] * V[1, 1] * u[1] / lam[-1]
        rate = raster.rebin(2).activity[i]
        assert abs(rate.mean() - (1 - p_silent)) < 5 * batch_mean_error(rate), i
        # the merged field is larger than the decimated one: merging raises the firing probability
        assert merged[1].h[i] > fits[1].h[i] + 5 * fits[1].h_err[i]


def test_raster_plots():
    import matplotlib
    matplotlib.use("Agg")
    from statmech_nn.plot.raster import plot_chain_flow, plot_magnetisation_kernel, plot_raster
    r = Raster(np.random.default_rng(1).integers(0, 2, (5, 40)), bin_width=2.0)
    ax = plot_raster(r)
    np.testing.assert_array_equal(ax.images[0].get_array(), r.spins)
    ax = plot_magnetisation_kernel(r, neurons=1, bins=8)
    np.testing.assert_allclose(ax.images[0].get_array(), r.magnetisation_kernel(1, 8))
    ax = plot_chain_flow(starts=[(1.0, 0.2)], steps=3)
    Ks, hs = predicted_chain_flow(1.0, 0.2, 3)
    np.testing.assert_allclose(ax.lines[0].get_xdata(), np.tanh(Ks))
    np.testing.assert_allclose(ax.lines[0].get_ydata(), hs)
    import matplotlib.pyplot as plt
    plt.close("all")
