"""The README runs as written: its python blocks in order in one namespace, its `statmech-nn` lines
through the command line, and the numbers its comments promise.

A python block whose first line starts with ``# not run by tests/test_readme.py`` is skipped (the line
says why); every other block runs.
"""
import ast
import itertools
import math
import os
import re
import shlex

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
README = os.path.join(ROOT, "README.md")
SKIP = "# not run by tests/test_readme.py"

# one xdist worker runs the README's blocks once for all these tests
pytestmark = pytest.mark.xdist_group("readme")


def _blocks(kind):
    text = open(README, encoding="utf-8").read()
    return [(text.count("\n", 0, m.start()) + 2, m.group(1))
            for m in re.finditer(rf"```{kind}\n(.*?)```", text, re.S)]


def _run(code, line, namespace, values):
    """Execute a block statement by statement; the value of each expression statement is kept under
    its source text (as a notebook would show it)."""
    tree = ast.parse(code, filename=f"README.md:{line}")
    for statement in tree.body:
        source = ast.get_source_segment(code, statement)
        if isinstance(statement, ast.Expr):
            expr = compile(ast.Expression(statement.value), f"README.md:{line + statement.lineno - 1}", "eval")
            values[source] = eval(expr, namespace)   # the README's own code, not user input
        else:
            module = ast.Module([statement], type_ignores=[])
            exec(compile(module, f"README.md:{line + statement.lineno - 1}", "exec"), namespace)


@pytest.fixture(scope="session")
def readme(tmp_path_factory):
    """The README's blocks run once per session (a module fixture is set up again whenever xdist
    interleaves another module's tests), in a folder of their own; the working folder is restored
    before the tests read the results."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    cwd = os.getcwd()
    folder = str(tmp_path_factory.mktemp("readme"))
    os.chdir(folder)       # the README writes hopfield.json, hopfield_ags.tex
    namespace, values, skipped = {"__name__": "readme"}, {}, []
    try:
        for line, code in _blocks("python"):
            if code.lstrip().startswith(SKIP):
                skipped.append(line)
                continue
            _run(code, line, namespace, values)
    finally:
        plt.close("all")
        os.chdir(cwd)
    return namespace, values, skipped, folder


def test_most_blocks_run_and_skips_are_marked(readme):
    _, _, skipped, _ = readme
    blocks = _blocks("python")
    assert len(blocks) >= 8 and len(skipped) <= 1, skipped


def test_solve_block_gives_the_retrieval_state(readme):
    _, values, _, _ = readme
    m, f, converged, stable = values['sol["m"], sol.free_energy, sol.converged, sol.stable']
    # AGS (1987): retrieval overlap close to 1 at alpha = 0.05, T = 0.1 (README: "~0.99")
    assert converged and stable and 0.98 < m <= 1.0
    grid = readme[0]["grid"]
    assert grid.shape == (100, 100) and np.asarray(grid.converged).mean() > 0.95


def test_phase_diagram_block_reaches_alpha_c(readme):
    namespace, values, _, folder = readme
    spinodal = values['pd.boundaries["spinodal: retrieval"]']
    # AGS (1987) / REFERENCES.md: the retrieval spinodal T_M(alpha) ends at alpha_c = 0.137905 at T = 0
    end = spinodal[np.argmin(spinodal[:, 1])]
    assert end[1] == pytest.approx(0.0, abs=1e-9) and end[0] == pytest.approx(0.137905, abs=2e-5)
    assert os.path.getsize(os.path.join(folder, "hopfield.json")) > 0
    assert "spinodal: retrieval" in namespace["snn"].PhaseDiagram.load(os.path.join(folder, "hopfield.json")).boundaries


def test_rsb_phase_diagram_block(readme):
    _, values, _, _ = readme
    ts, td = values['pd_rsb.boundaries["T_s (1RSB)"], pd_rsb.boundaries["T_d (1RSB)"]']
    # Crisanti & Sommers, Z. Phys. B 87, 341 (1992): T_s = 0.5861, T_d = sqrt(3/8) at h = 0
    assert ts[:, 0].tolist() == [0.0, 0.15, 0.3] and td[:, 0].tolist() == [0.0, 0.15, 0.3]
    assert ts[0, 1] == pytest.approx(0.58605, abs=1e-5) and td[0, 1] == pytest.approx(math.sqrt(3 / 8), abs=1e-9)
    # both rise with the field (README: 0.6591 and 0.6609 at h = 0.3), T_d above T_s
    assert np.all(np.diff(ts[:, 1]) > 0) and np.all(np.diff(td[:, 1]) > 0) and np.all(td[:, 1] > ts[:, 1])
    assert ts[-1, 1] == pytest.approx(0.6591, abs=1e-4) and td[-1, 1] == pytest.approx(0.6609, abs=1e-4)


def test_monte_carlo_block_retrieves(readme):
    _, values, _, _ = readme
    mean, stderr = values['mc["m"].mean, mc["m"].stderr']
    assert mean > 0.95 and 0 <= stderr < 0.01
    cc = readme[0]["cc"]
    rows = {(r["alpha"], r["N"]): r for r in cc.rows}
    assert all(rows[(a, n)]["converged"] and rows[(a, n)]["theory"] > 0.99 for a in (0.02, 0.06) for n in (400, 1600))


def test_expansion_block(readme):
    namespace, values, _, _ = readme
    # feyngen (Nagy 2007-style counts quoted in the README): 7 two-point graphs of phi^4 at two loops
    assert len(values['ex.ScalarTheory(4).diagrams(n_external=2, loops=2)']) == 7
    J, h = namespace["J"], namespace["h"]
    assert np.allclose(J, J.T) and np.all(np.diag(J) == 0) and h.shape == (6,)
    tap = values["plefka.solve(J, h, beta=0.5, order=2).m"]
    exact = namespace["ex"].ising_exact(J, h, 0.5)[1]
    assert np.max(np.abs(tap - exact)) < 0.01        # weak couplings: TAP is close to the exact answer
    kernel = np.asarray(values['ex.NNGP("erf", hidden_layers=2).kernel(X)'], dtype=float)
    assert kernel.shape == (4, 4) and np.allclose(kernel, kernel.T) and np.all(np.linalg.eigvalsh(kernel) > -1e-12)


def test_fields_block_with_the_shipped_spikes(readme):
    namespace, values, _, _ = readme
    raster = namespace["raster"]
    assert raster.n_neurons == 6 and raster.bin_width == 5.0 and raster.shape[1] > 11_000
    assert os.path.getsize(namespace["spikes"]) < 50_000
    # the shared drive of the example data: the equal-time couplings are positive on average
    assert np.mean(namespace["fit"].model.J[np.triu_indices(6, 1)]) > 0
    flow = values["fields.fitted_flow(raster, levels=2)"]
    assert [f.bin_width for f in flow] == [5.0, 10.0, 20.0]
    # the RBM with Gaussian hidden units: Z = Σ_σ exp(β/(2N) Σ_μ (ξ^μ·σ)²) = e^{βP/2} × Z_Hopfield
    xi, beta = namespace["xi"], namespace["beta"]
    P, N = xi.shape
    spins = np.array(list(itertools.product((-1, 1), repeat=N)))
    direct = np.sum(np.exp(beta / (2 * N) * np.sum((spins @ xi.T) ** 2, axis=1)))
    z = values["fields.rbm_partition_function(xi, beta)"]
    assert float(z) == pytest.approx(direct, rel=1e-12)
    assert float(z) / math.exp(beta * P / 2) < direct


def test_command_lines_run(readme, capsys, monkeypatch):
    from statmech_nn.cli import main
    _, _, _, folder = readme
    monkeypatch.chdir(folder)        # the commands write hopfield.pdf, mc.jsonl, ... beside the blocks' files
    lines = [ln for _, block in _blocks("sh") for ln in block.splitlines() if ln.startswith("statmech-nn ")]
    assert len(lines) >= 8
    outputs = {}
    for line in lines:
        argv = shlex.split(line)[1:]
        assert main(argv) == 0, line
        outputs[line] = capsys.readouterr().out
    import json
    solve = json.loads(outputs["statmech-nn solve hopfield alpha=0.05 T=0.1 --json"])
    assert 0.98 < solve["order_parameters"]["m"] <= 1 and solve["stable"] is True
    journal = open(os.path.join(folder, "mc.jsonl"), encoding="utf-8").read().splitlines()
    assert len(journal) == 1 + 2 and json.loads(journal[0])["journal"] == "statmech_nn resume journal"
    assert "<Solution" not in "".join(outputs.values())
