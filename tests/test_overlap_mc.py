"""Monte Carlo overlap distribution of SK (:mod:`statmech_nn.montecarlo.overlap`): the kernel against
exact enumeration, and the finite-size trend of P(q) at T = 0.5 towards Parisi's full-RSB q(x)
(:mod:`statmech_nn.solve.parisi`)."""
import itertools
import math

import numpy as np
import pytest

from statmech_nn.errors import ParameterError
from statmech_nn.montecarlo import overlap_distribution
from statmech_nn.montecarlo.systems import build_system
from statmech_nn.solve.parisi import sk_covariance, solve_parisi


@pytest.mark.parametrize("h", [0.0, 0.3])
def test_histogram_matches_exact_enumeration(h):
    """N = 8: the two-replica histogram of one disorder sample equals the exact
    P(q) = Σ_{σ,τ} p(σ) p(τ) [σ·τ = Nq] at the measured temperature and at the top of the ladder."""
    N, T, seed = 8, 0.5, 11
    ladder = [0.8, 1.2]
    res = overlap_distribution("sk", N=N, T=T, samples=1, sweeps=60000, temperatures=ladder, seed=seed, h=h)
    out = res[N]
    disorder = np.random.SeedSequence(seed, spawn_key=(0,)).spawn(3)[0]
    J = build_system("sk", {}, N, {"J0": 0.0, "h": h, "T": T}, np.random.default_rng(disorder), "random").arrays["J"]
    S = np.array(list(itertools.product([-1, 1], repeat=N)), float)
    E = -0.5 * np.einsum("si,ij,sj->s", S, J, S) - h * S.sum(axis=1)
    overlaps = np.rint(S @ S.T).astype(int)              # N q of every pair of configurations
    for slot, temp in ((0, T), (2, ladder[-1])):
        p = np.exp(-(E - E.min()) / temp)
        p /= p.sum()
        exact = np.bincount(((overlaps + N) // 2).ravel(), weights=np.outer(p, p).ravel(), minlength=N + 1)
        measured = out.sample_density[0, slot] * 2.0 / N
        # 60000 sweeps, autocorrelation ~1 sweep: each probability to ~0.002 (1σ)
        assert np.max(np.abs(measured - exact)) < 0.01, (slot, measured, exact)
        energy = float(p @ E) / N
        assert out.observables["energy"][slot].mean == pytest.approx(energy, abs=0.01)
    assert len(out.swap_rates) == 2 and all(0 < r <= 1 for r in out.swap_rates)


@pytest.mark.slow
def test_finite_size_trend_towards_parisi_at_T_half():
    """SK at T = 0.5: the Monte Carlo ⟨q²⟩ and the weight of P(q) near q_EA approach Parisi's values as
    N grows.

    What is compared. Parisi: ⟨q²⟩ = ∫_0^1 q(x)² dx = 0.28854 (k = 4 steps; the k → ∞ limit is 4e-6
    higher), q_EA = q(1) ≈ 0.638, and the weight of P(|q|) in [0.55, 0.75], 1 − x(0.55) (the δ peak at
    q_EA plus the continuous part above 0.55) ≈ 0.6. Monte Carlo: [⟨q_12²⟩] and [P(0.55 ≤ |q| ≤ 0.75)] over
    disorder samples.

    Why the tolerances. Measured first (this code, seed 7, 4096 sweeps after 1024, 256/256/128/64
    samples): ⟨q²⟩ = 0.371(8), 0.341(8), 0.315(10), 0.292(12) at N = 32, 64, 128, 256, an excess over
    Parisi's value of 0.082, 0.053, 0.026 at N = 32–128 that falls like N^{−2/3} (a fit
    a + b N^{−2/3} through N = 32–128 gives a ≈ 0.28; b N^{−1/3} would extrapolate to 0.22); the
    weight near q_EA grows slowly, 0.35, 0.35, 0.37, 0.43, the δ peak broadened by finite N. The sample
    to sample spread of ⟨q²⟩ (P(q) is not self-averaging) is ~0.13, so 160 samples give errors ~0.01:
    the test asserts (i) equilibrium (the SK identity u = −(β/2)(1 − ⟨q²⟩) within 3σ), (ii) an excess
    over Parisi at every N that shrinks from N = 16 to 64 by more than 3σ, (iii) that the N^{−2/3}
    extrapolation of the three sizes is Parisi's ⟨q²⟩ within 3σ of the fit, (iv) a weight near q_EA
    that grows from N = 16 to 64 by more than 2.5σ and stays below Parisi's. Sizes, samples and sweeps
    are what 2 cores run in ~30 s.
    """
    parisi = solve_parisi(*sk_covariance(), T=0.5, k_max=4)
    q2_parisi = parisi.overlap_moment(2)
    # P(0.55 <= |q| <= 0.75) = 1 − x(0.55): the step x(q) of 4 steps gives 0.59, the continuous one ~0.62
    weight_parisi = 1.0 - float(parisi.x_of_q(0.55))
    assert 0.285 < q2_parisi < 0.292 and 0.55 < weight_parisi < 0.7

    sizes = [16, 32, 64]
    res = overlap_distribution("sk", N=sizes, T=0.5, samples=160, sweeps=1024, seed=3)
    for n in sizes:
        ident = res[n]["sk_identity"]
        assert abs(ident.mean) < 3 * ident.stderr and ident.stderr < 0.03
    N, q2, err = res.trend("q2")
    excess = q2 - q2_parisi
    assert np.all(excess > 2 * err)
    assert excess[0] - excess[-1] > 3 * math.hypot(err[0], err[-1])
    # weighted least squares q2 = a + b N^(-2/3)
    X = np.column_stack([np.ones(3), N ** (-2 / 3)])
    W = np.diag(1 / err ** 2)
    cov = np.linalg.inv(X.T @ W @ X)
    a, b = cov @ X.T @ W @ q2
    assert b > 0 and abs(a - q2_parisi) < 3 * math.sqrt(cov[0, 0])
    w16, e16 = res[16].weight(0.55, 0.75)
    w64, e64 = res[64].weight(0.55, 0.75)
    assert w64 - w16 > 2.5 * math.hypot(e16, e64) and w64 < weight_parisi


def test_results_are_reproducible_and_normalised():
    kw = dict(N=[12, 20], T=0.6, samples=3, sweeps=64, seed=5)
    a, b = overlap_distribution("sk", **kw), overlap_distribution("sk", executor=1, **kw)
    for n in (12, 20):
        assert np.array_equal(a[n].sample_density, b[n].sample_density)
        assert np.allclose(a[n].density.sum(axis=1) * 2 / n, 1.0)
        # h = 0: P(q) is symmetric sample by sample only on average, the moments are even
        assert a[n]["q2"].mean >= a[n]["abs_q"].mean ** 2 - 1e-12
        assert a[n].temperatures[0] == 0.6 and len(a[n].temperatures) == 11
    assert a.trend("abs_q")[0].tolist() == [12, 20]
    with pytest.raises(KeyError, match="N = 7"):
        a[7]


@pytest.mark.parametrize("kwargs, match", [
    (dict(model="hopfield"), "SK model"),
    (dict(model="sk", T=0.0), "T must be > 0"),
    (dict(model="sk", sweeps=16), "sweeps"),
    (dict(model="sk", temperatures=[0.3, 1.0]), "tempering"),
    (dict(model="sk", N=1), "N"),
    (dict(model="sk", N=[]), "N"),
    (dict(model="sk", dynamics="rbm"), "dynamics"),
    (dict(model="sk", alpha=0.1), "alpha"),
])
def test_bad_input_is_a_parameter_error(kwargs, match):
    args = dict(model="sk", N=10, T=0.5, samples=1, sweeps=64)
    args.update(kwargs)
    with pytest.raises(ParameterError, match=match):
        overlap_distribution(**args)


def test_spherical_units_are_refused():
    import statmech_nn as snn
    with pytest.raises(ParameterError, match="Ising units"):
        overlap_distribution(snn.model("sk", units="spherical"), N=10, T=0.5, samples=1, sweeps=64)


def test_docstring_examples():
    import doctest

    from statmech_nn.montecarlo import overlap
    result = doctest.testmod(overlap)
    assert result.failed == 0 and result.attempted >= 4
