"""Tests every registered model gets automatically: derivation, saddle point = stationarity of the
free energy, zero-temperature limit = large-beta limit, LaTeX, bad input."""
import mpmath
import numpy as np
import pytest
import sympy as sp

import statmech_nn as snn
from statmech_nn.symbolic.numeric import evaluate

MODELS = snn.available_models()


@pytest.fixture(scope="module", params=MODELS)
def compiled(request):
    model = snn.model(request.param)
    saddle = model.free_energy().saddle_point()
    return model, saddle, saddle.compile()


def test_registry_lists_models_with_metadata():
    assert {"curie-weiss", "sk", "hopfield"} <= set(MODELS)
    for name in MODELS:
        m = snn.model(name)
        assert m.name == name and m.references and m.ordered_point
        assert "T" in m.parameter_specs


def test_saddle_point_is_stationary_point_of_free_energy(compiled):
    # at the solved point every finite-difference derivative of f (mpmath, independent of codegen)
    # vanishes: the derived equations are the stationarity conditions
    model, saddle, solver = compiled
    point = dict(model.ordered_point)
    sol = solver.solve(**point)
    values = {s.name: float(sol[s.name]) for s in saddle.order_parameters}
    values.update({k: v for k, v in point.items() if k != "T"}, beta=1 / point["T"])
    h = mpmath.mpf("1e-8")
    for x in saddle.order_parameters:
        up = dict(values, **{x.name: values[x.name] + h})
        dn = dict(values, **{x.name: values[x.name] - h})
        grad = (evaluate(saddle.free_energy, up, dps=25) - evaluate(saddle.free_energy, dn, dps=25)) / (2 * h)
        assert abs(grad) < 1e-7, (model.name, x, grad)
    # and the compiled free energy equals the mpmath value
    assert sol.free_energy == pytest.approx(float(evaluate(saddle.free_energy, values)), abs=1e-9)


def test_zero_temperature_is_large_beta_limit(compiled):
    # the T = 0 equations (derived with C = beta(1 - q) finite) are the limit of the finite-T solutions:
    # the distance shrinks as T -> 0 and is small at the coldest point
    model, saddle, _ = compiled
    solver = saddle.compile(tol=1e-7)   # a limit check at percent level needs no more quadrature
    point = {k: v for k, v in model.ordered_point.items() if k != "T"}
    zero = solver.solve(T=0.0, **point)
    C = {x: str(c) for x, c in zip(saddle.order_parameters, saddle.zero_temperature().order_parameters)}
    distances = []
    for T in (0.2, 0.1, 0.05):
        cold = solver.solve(T=T, **point)
        d = 0.0
        for x in saddle.order_parameters:
            if x in saddle.overlaps:      # q -> 1 and beta (1 - q) -> C
                d = max(d, abs((1 - cold[x.name]) / T - zero[C[x]]) / max(1.0, zero[C[x]]))
            else:
                d = max(d, abs(cold[x.name] - zero[x.name]) / max(1.0, abs(zero[x.name])))
        distances.append(d)
        if getattr(model, "zero_temperature_limit", "ground state") == "version space":
            # learning problems: q stays < 1 at T -> 0 and the T = 0 solver reports lim beta f = -s
            # (minus the entropy of the version space); beta f(T) approaches it
            assert abs(cold.free_energy / T - zero.free_energy) < 2 * T
        else:
            # f(T) -> e0 with corrections of order T
            assert abs(cold.free_energy - zero.free_energy) < 2 * T
    assert distances[-1] < 0.05, distances
    assert distances[-1] <= distances[0] + 1e-12, distances


def test_equations_and_latex_are_sympy(compiled):
    model, saddle, _ = compiled
    assert list(saddle.equations) == list(saddle.order_parameters)
    assert all(isinstance(v, sp.Expr) for v in saddle.equations.values())
    assert saddle.latex().startswith(r"\begin{aligned}")
    assert model.free_energy().derivation.latex().count(r"\paragraph") >= 6


@pytest.mark.parametrize("name", MODELS)
def test_bad_parameters_raise_typed_errors(name):
    model = snn.model(name)
    solver = model.free_energy().saddle_point().compile()
    with pytest.raises(snn.ParameterError, match="T must lie in"):
        solver.solve(T=-0.1)
    with pytest.raises(ValueError, match="unknown parameter"):
        solver.solve(bogus=1.0)
    with pytest.raises(snn.ParameterError, match="must be finite"):
        solver.solve(T=np.nan)
    with pytest.raises(snn.ConvergenceError) as info:
        model.free_energy().saddle_point().compile(maxiter=1).solve(**model.ordered_point)
    assert info.value.residual is not None and info.value.parameters


# -- Monte Carlo at the ordered point ----------------------------------------------------------------
#: size, disorder samples and sweeps of the registry-wide Monte Carlo check (cheap on purpose)
MC_SAMPLES, MC_SWEEPS = 4, 300
#: finite-size allowance beside the error bar. Deep in a mean-field ordered phase the overlaps of a
#: finite system differ from N = ∞ by O(1/N) plus, for quenched disorder, O(1/√N) sample-to-sample
#: shifts of the mean (the load P = round(αN) is an integer; the local fields of P − K ≈ αN other
#: patterns are Gaussian only up to O(1/√N)); the disorder part is inside the error bar (spread of the
#: sample means), the rest is bounded by 1/√N (0.05 at the default N = model.montecarlo_size = 400).
#: Measured |MC − theory| at N = 400: curie-weiss m 8e-5 (err 4e-4), sk m 0.017 (err 0.036), hopfield
#: m 5e-5 (err 1e-5).


@pytest.mark.slow
def test_monte_carlo_agrees_with_theory_at_the_ordered_point(compiled):
    # every registered model: Monte Carlo (snn.monte_carlo, start in the condensed pattern(s) / all up)
    # against the compiled RS saddle point at model.ordered_point, for each magnetisation it measures
    model, saddle, solver = compiled
    name = model.name
    if not model.montecarlo:
        assert model.montecarlo_reason, f"{name}: montecarlo = False needs a montecarlo_reason"
        pytest.skip(f"{name}: {model.montecarlo_reason}")
    point = dict(model.ordered_point)
    theory = solver.solve(**point)
    N = model.montecarlo_size
    mc = snn.monte_carlo(model, N=N, samples=MC_SAMPLES, sweeps=MC_SWEEPS, seed=0, init="pattern", **point)
    compared = [str(x) for x in saddle.order_parameters if str(x).startswith("m") and str(x) in mc]
    assert compared, f"{name}: Monte Carlo measures none of the magnetisations {saddle.order_parameters}"
    for key in compared:
        assert theory[key] != 0, (name, key)    # the ordered point must be ordered
        # |MC − theory| within 3 error bars plus the finite-size allowance
        assert abs(mc[key].mean - theory[key]) <= 3 * mc[key].stderr + 1 / np.sqrt(N), \
            (name, key, mc[key], theory[key])
