"""Architecture rules of DESIGN.md, checked on the source: layering and lazy heavy imports."""
import ast
import os
import subprocess
import sys

import pytest

ROOT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "statmech_nn")


def imported_modules(folder, top_level_only=False):
    """Modules imported by each file of ``folder`` (only at module level if ``top_level_only``: a
    function may import a higher layer lazily, e.g. ``SaddlePoint.compile`` the solver)."""
    out = {}
    for dirpath, _, files in os.walk(os.path.join(ROOT, folder)):
        for name in files:
            if name.endswith(".py"):
                path = os.path.join(dirpath, name)
                tree = ast.parse(open(path, encoding="utf-8").read())
                mods = set()
                for node in (tree.body if top_level_only else ast.walk(tree)):
                    if isinstance(node, ast.Import):
                        mods |= {a.name for a in node.names}
                    elif isinstance(node, ast.ImportFrom):
                        mods.add(("." * node.level) + (node.module or ""))
                out[os.path.relpath(path, ROOT)] = mods
    return out


@pytest.mark.parametrize("folder", ["symbolic", "models", "expansions"])
def test_symbolic_layers_import_no_numerics_backends(folder):
    # symbolic/, models/ and expansions/ import no numba, matplotlib, codegen, solve, plot or montecarlo
    # at module level (expansions draw through plot/ lazily, inside methods), and numba nowhere (next test)
    forbidden = ("numba", "matplotlib", "codegen", "solve", "plot", "montecarlo", "export")
    for path, mods in imported_modules(folder, top_level_only=True).items():
        bad = [m for m in mods if any(part in forbidden for part in m.replace(".", " ").split())]
        assert not bad, (path, bad)


def test_symbolic_layer_imports_no_codegen_even_lazily():
    # SymPy rewrite rules live in symbolic/rewrite.py: the replica engine never reaches into codegen/
    # (SaddlePoint.compile hands itself to the solver, the public way from equations to numbers)
    for path, mods in imported_modules("symbolic").items():
        bad = [m for m in mods if any(part in ("codegen", "montecarlo", "numba")
                                      for part in m.replace(".", " ").split())]
        assert not bad, (path, bad)


def test_engine_modules_import_each_other_without_cycles():
    # the engine split by job is a DAG: state -> assembly -> stationarity -> replicon/zero_temperature,
    # none of them importing its importer (free_energy receives its steps, it does not import them)
    graph = {}
    for path, mods in imported_modules("symbolic").items():
        name = os.path.splitext(os.path.basename(path))[0]
        graph[name] = {m.lstrip(".").split(".")[0] for m in mods if m.startswith(".") and not m.startswith("..")}
    seen, stack = set(), []

    def visit(node):
        assert node not in stack, f"import cycle: {' -> '.join(stack + [node])}"
        if node in seen:
            return
        stack.append(node)
        for nxt in graph.get(node, ()):
            visit(nxt)
        stack.pop()
        seen.add(node)
    for node in graph:
        visit(node)


def test_only_codegen_bridges_sympy_to_numba():
    # numba only in codegen/ and in the numeric kernels of montecarlo/ and fields/, which never see SymPy
    numeric_kernels = ("fields/kernels.py", "fields/raster_kernels.py", "solve/parisi.py")
    for path, mods in imported_modules(".").items():
        if not path.startswith(("codegen", "montecarlo")) and path not in numeric_kernels:
            assert "numba" not in mods, path


def test_montecarlo_never_imports_sympy_or_the_symbolic_layer():
    for path, mods in imported_modules("montecarlo").items():
        bad = [m for m in mods if any(part in ("sympy", "symbolic", "codegen")
                                      for part in m.replace(".", " ").split())]
        assert not bad, (path, bad)
    # and at run time: a worker that runs a Monte Carlo task never loads SymPy
    code = ("import sys; from statmech_nn.montecarlo.runner import run_task;"
            "r = run_task({'model': 'hopfield', 'options': {'patterns': 1}, 'N': 50,"
            " 'params': {'alpha': 0.1, 'h': 0.0, 'T': 0.2}, 'dynamics': 'metropolis', 'init': 'pattern',"
            " 'sweeps': 10, 'burn_in': 0, 'replicas': 2, 'tempering': [], 'seed': 0, 'sample': 0});"
            "print('sympy' in sys.modules, 'numba' in sys.modules, r['info']['P'])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True", "5"]


def test_import_is_light_and_lazy():
    code = ("import sys, time; t = time.perf_counter(); import statmech_nn; dt = time.perf_counter() - t;"
            "print(dt, *[m in sys.modules for m in ('numba', 'matplotlib', 'sympy', 'scipy')])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    dt, numba, mpl, sympy, scipy = out.stdout.split()
    assert (numba, mpl, sympy, scipy) == ("False", "False", "False", "False")
    assert float(dt) < 1.0


def test_fields_numeric_kernels_never_import_sympy_or_the_symbolic_layer():
    for path, mods in imported_modules("fields").items():
        if os.path.basename(path) in ("kernels.py", "raster_kernels.py"):
            bad = [m for m in mods if any(part in ("sympy", "symbolic", "codegen", "expansions", "lattice", "synaptic")
                                          for part in m.replace(".", " ").split())]
            assert not bad, (path, bad)


def test_phi4_kernels_run_without_sympy():
    # the lattice phi^4 kernels take plain arrays; the driver reads the coefficients off the action once
    code = ("import sys, numpy as np; from statmech_nn.fields import kernels as K;"
            "nbr = np.array([[1, 1], [0, 0]]); print(K.action(np.array([1.0, 2.0]), nbr, 1.0, 0.5, 0.0),"
            " 'sympy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    # S = -1*(1*2 + 2*1) + 0.5*(1 + 4) = -1.5 on the 2-site ring
    assert out.stdout.split() == ["-1.5", "False"]
