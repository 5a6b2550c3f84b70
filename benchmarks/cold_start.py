"""Cold start: the first ``solve`` of the Hopfield model and the first ``monte_carlo``, each in a fresh
Python process, against the same calls warm and against hand-written baselines measured in the same run.

Scenarios (each call in its own process, caches in fresh temporary directories):

* **cold** — nothing cached: the kernel cache (``STATMECH_NN_CACHE_DIR``) and numba's cache
  (``NUMBA_CACHE_DIR``) are empty, as on the first use of a freshly installed package;
* **new model** (solve only) — the package's own compiled code (quadrature primitives, solver driver)
  is in numba's cache, the model's generated kernels are not: the first solve of a model never solved
  before on this machine;
* **warm process** — a second process with both caches filled (what every later session sees);
* **warm call** — the same call again in the same process.

Wall time depends on what else the machine runs; the CPU time of the cold process (all its threads)
is printed beside it. The first call includes ``import statmech_nn``, the derivation, code generation
and compilation.

Baselines: the AGS equations typed by hand and solved with scipy ``quad`` + ``fsolve`` at the same
point (``solver_hopfield.baseline_point``), and a plain numpy Metropolis
(``_baselines.numpy_metropolis``) doing as many spin updates as the Monte Carlo run.

Usage: python benchmarks/cold_start.py [--repeat 1]
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np
from _baselines import numpy_metropolis
from solver_hopfield import baseline_point

SOLVE = """
import json, time
t0, c0 = time.perf_counter(), time.process_time()
import statmech_nn as snn
solver = snn.model("hopfield").free_energy().saddle_point().compile(progress=False)
sol = solver.solve(alpha=0.05, T=0.1, guess={"m": 1.0})
t1, c1 = time.perf_counter(), time.process_time()
solver.solve(alpha=0.05, T=0.1, guess={"m": 1.0})
t2 = time.perf_counter()
print(json.dumps({"first": t1 - t0, "cpu": c1 - c0, "again": t2 - t1, "m": sol["m"]}))
"""

MC = """
import json, time
t0, c0 = time.perf_counter(), time.process_time()
import statmech_nn as snn
mc = snn.monte_carlo("hopfield", N=500, samples=2, sweeps=200, alpha=0.05, T=0.1, progress=False)
t1, c1 = time.perf_counter(), time.process_time()
snn.monte_carlo("hopfield", N=500, samples=2, sweeps=200, alpha=0.05, T=0.1, progress=False)
t2 = time.perf_counter()
print(json.dumps({"first": t1 - t0, "cpu": c1 - c0, "again": t2 - t1, "m": mc["m"].mean}))
"""

#: spin updates of the Monte Carlo call above: samples x replicas x (sweeps + burn-in) x N
MC_UPDATES = 2 * 2 * (200 + 50) * 500


def run(code, kernels, numba_cache):
    env = dict(os.environ, STATMECH_NN_CACHE_DIR=kernels, NUMBA_CACHE_DIR=numba_cache)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


def scenario(code, tmp, model_only=False):
    """Times of ``code`` cold (or with the package's own numba cache only), then in a warm process."""
    kernels, numba_cache = os.path.join(tmp, "kernels"), os.path.join(tmp, "numba")
    for d in (kernels, numba_cache):
        shutil.rmtree(d, ignore_errors=True)
    if model_only:
        run(code, kernels, numba_cache)          # fill both caches, then forget the model's kernels
        shutil.rmtree(kernels)
        for entry in os.listdir(numba_cache):
            if entry.startswith("kernels_"):     # numba's cache of the generated modules
                shutil.rmtree(os.path.join(numba_cache, entry))
    cold = run(code, kernels, numba_cache)
    warm = run(code, kernels, numba_cache)
    return cold, warm


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=1, help="runs per scenario (the minimum is printed)")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="snn_cold_") as tmp:
        res = {}
        for name, code, model_only in (("solve", SOLVE, False), ("solve, new model", SOLVE, True),
                                       ("monte_carlo", MC, False)):
            runs = [scenario(code, tmp, model_only) for _ in range(args.repeat)]
            res[name] = (min(r[0]["first"] for r in runs), min(r[0]["cpu"] for r in runs),
                         min(r[1]["first"] for r in runs), min(r[1]["again"] for r in runs), runs[0][0])

    t0 = time.perf_counter()
    (m, q, r), ok = baseline_point(0.05, 0.1)
    t_solve = time.perf_counter() - t0
    assert ok and abs(m - res["solve"][-1]["m"]) < 1e-6, (m, res["solve"][-1]["m"])
    gen = np.random.default_rng(0)
    N = 500
    xi = np.where(gen.random((N, 25)) < 0.5, -1.0, 1.0)
    J = xi @ xi.T / N
    np.fill_diagonal(J, 0.0)
    s = xi[:, 0].copy()
    per_update = numpy_metropolis(J, s, 0.1, 20_000)
    t_mc = per_update * MC_UPDATES          # measured per update, scaled to the run's updates

    print("first call in a fresh process (s):   cold (wall)  cold (CPU)  warm process  warm call")
    for name, (cold, cpu, warm, again, _) in res.items():
        print(f"  {name:18s}              {cold:11.2f} {cpu:11.2f} {warm:13.2f} {again:10.3f}")
    print(f"baseline: scipy quad+fsolve, AGS typed by hand, same point: {t_solve:.2f} s")
    print(f"baseline: numpy Metropolis, {MC_UPDATES} updates (scaled from 20000): {t_mc:.2f} s")
    print(f"ratio   : first solve cold / scipy baseline = {res['solve'][0] / t_solve:.1f}; "
          f"warm process / scipy baseline = {res['solve'][2] / t_solve:.1f}")
    print(f"ratio   : first monte_carlo cold / numpy baseline = {res['monte_carlo'][0] / t_mc:.1f}; "
          f"warm process / numpy baseline = {res['monte_carlo'][2] / t_mc:.2f}")


if __name__ == "__main__":
    main()
