"""Benchmark: `import statmech_nn` and deriving the Hopfield model (free energy, saddle point, T = 0).

Goals (issue 2): import under 1 s, derivation under 3 s. Each is measured in a fresh interpreter.
"""
import subprocess
import sys

IMPORT = "import time; t=time.perf_counter(); import statmech_nn; print(time.perf_counter()-t)"
DERIVE = ("import time, statmech_nn as snn; t=time.perf_counter(); m=snn.model('hopfield'); "
          "s=m.free_energy().saddle_point(); s.zero_temperature(); s.replicon; print(time.perf_counter()-t)")
BASE = "import time; t=time.perf_counter(); import sympy; print(time.perf_counter()-t)"


def run(code):
    return float(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                                text=True).stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    t_sympy = min(run(BASE) for _ in range(3))
    t_import = min(run(IMPORT) for _ in range(3))
    t_derive = min(run(DERIVE) for _ in range(3))
    print(f"import statmech_nn: {1e3 * t_import:.1f} ms (baseline: import sympy alone "
          f"{1e3 * t_sympy:.0f} ms; ratio {t_import / t_sympy:.3f}); goal < 1 s")
    print(f"derive hopfield (f, saddle point, T=0, replicon): {t_derive:.3f} s; goal < 3 s")
