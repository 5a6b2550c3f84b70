"""Hopfield network ≡ Boltzmann machine with Gaussian hidden units (Agliari, Barra, Galluzzi, Tantari,
Tavani, arXiv:1407.5300; Barra et al., Neural Networks 34, 1 (2012))."""
import math
import shutil
import subprocess

import numpy as np
import pytest

from statmech_nn.errors import ParameterError
from statmech_nn.fields.duality import (hopfield_energy, hopfield_partition_function,
                                        hubbard_stratonovich, rbm_partition_function)


def test_sympy_integrates_the_gaussian_hidden_unit():
    import sympy as sp
    d = hubbard_stratonovich(3, 2)
    # ∫ dz/√(2π) exp(−z²/2 + a z) = exp(a²/2): the Gaussian moment generating function
    # (Abramowitz and Stegun, eq. 7.4.2 with completing the square)
    assert sp.simplify(d.gaussian_integral - sp.exp(d.a ** 2 / 2)) == 0
    assert d.hidden_integral(1.3) == pytest.approx(math.exp(1.3 ** 2 / 2), rel=1e-15)
    assert "beta" in d.latex()


@pytest.mark.parametrize("N, P", [(2, 1), (3, 2), (4, 3)])
def test_marginal_is_hopfield_weight_up_to_beta_P_over_2(N, P):
    import sympy as sp
    d = hubbard_stratonovich(N, P)
    beta = sp.Symbol("beta", positive=True)
    # the diagonal i = j terms of (Σ_i ξ_i σ_i)² give N per pattern: the constant is βP/2 (arXiv:1407.5300,
    # RBM section: Z_RBM ∝ Z_Hopfield)
    assert sp.simplify(d.constant - beta * P / 2) == 0
    assert d.hopfield_log_weight.free_symbols >= {beta}


def test_partition_functions_are_equal_by_exact_enumeration():
    rng = np.random.default_rng(2014)
    worst = 0.0
    for N in range(2, 13):
        for P in (1, 2, 3):
            xi = rng.choice([-1, 1], size=(P, N))
            for beta in (0.3, 1.0, 2.5):
                z_hop = hopfield_partition_function(xi, beta)
                z_rbm = rbm_partition_function(xi, beta)
                worst = max(worst, abs(z_rbm / (math.exp(beta * P / 2) * z_hop) - 1))
                # keeping the diagonal in H moves the constant into the energy: equal Z with no factor
                z_keep = hopfield_partition_function(xi, beta, diagonal="keep")
                assert z_rbm == pytest.approx(z_keep, rel=1e-12)
    assert worst < 1e-12, worst


@pytest.mark.parametrize("N, P, beta", [(12, 3, 2.5), (9, 2, 0.7)])
def test_quadrature_hidden_integral_gives_the_same_partition_function(N, P, beta):
    xi = np.random.default_rng(N).choice([-1, 1], size=(P, N))
    z_quad = rbm_partition_function(xi, beta, hidden="quadrature")  # mpmath, 30 digits, no SymPy result
    assert z_quad == pytest.approx(math.exp(beta * P / 2) * hopfield_partition_function(xi, beta), rel=1e-12)


def test_limits_of_the_hopfield_partition_function():
    xi = np.array([[1, -1, 1, 1, -1]])
    assert hopfield_partition_function(xi, 0.0) == 2 ** 5  # β = 0 counts states
    # one pattern: H = −(m²N − 1)/2 with m = ξ·σ/N; the ground states ±ξ have H = −(N − 1)/2
    # (Mattis model, Amit, Modeling Brain Function (1989), sec. 4.1)
    assert hopfield_energy(xi[0], xi) == pytest.approx(-(5 - 1) / 2)
    beta = 40.0
    assert math.log(hopfield_partition_function(xi, beta)) == pytest.approx(beta * 2 + math.log(2), rel=1e-6)


def test_bad_input():
    with pytest.raises(ParameterError, match="−1 and \\+1"):
        hopfield_partition_function([[1, 0, 1]], 1.0)
    with pytest.raises(ParameterError, match="beta"):
        rbm_partition_function([[1, -1]], -1.0)
    with pytest.raises(ParameterError, match="N ≤ 20"):
        hopfield_partition_function(np.ones((1, 21)), 1.0)
    with pytest.raises(ParameterError, match="hidden"):
        rbm_partition_function([[1, -1]], 1.0, hidden="monte-carlo")
    with pytest.raises(ParameterError, match="diagonal"):
        hopfield_partition_function([[1, -1]], 1.0, diagonal="half")


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex not installed (CI installs it)")
def test_derivations_compile_with_pdflatex(tmp_path):
    from statmech_nn.export import latex_document
    from statmech_nn.fields.decimation import chain_decimation
    body = [hubbard_stratonovich(2, 2).latex(), chain_decimation().latex()]
    assert body[0].count(r"\paragraph") == len(hubbard_stratonovich(2, 2).steps) == 6
    tex = tmp_path / "fields.tex"
    tex.write_text(latex_document("Hopfield = RBM; decimation in time", body))
    proc = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "fields.tex"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout[-2000:]
    assert (tmp_path / "fields.pdf").stat().st_size > 5_000
