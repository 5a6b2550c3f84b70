"""Benchmark: `import statmech_nn` and deriving every model — each registry model and a set of models
nobody registered (declared from blocks) — in a fresh interpreter each.

"derive" is the free energy, the saddle point, the T = 0 limit (where the model has one) and the
replicon. Goals: import under 1 s; Hopfield derive under 1.5 s on an idle 2-core machine.

Baselines measured in the same run: `import sympy` alone (for the import), and for Hopfield a physicist's
SymPy session — the AGS free energy typed in by hand (with its Gaussian and pattern averages as
SymPy integrals and sums) and differentiated in each order parameter — which is what the engine
replaces.
"""
import subprocess
import sys

IMPORT = "import time; t=time.perf_counter(); import statmech_nn; print(time.perf_counter()-t)"
BASE = "import time; t=time.perf_counter(); import sympy; print(time.perf_counter()-t)"

DERIVE = """
import time, sympy as sp, statmech_nn as snn
from statmech_nn import blocks as B
from statmech_nn.errors import DerivationError
x = sp.Symbol("x")
t = time.perf_counter()
m = {make}
s = m.free_energy().saddle_point()
try:
    s.zero_temperature()
except DerivationError:
    pass
s.replicon
print(time.perf_counter() - t)
"""

# the AGS free energy typed in by hand (Ann. Phys. 173, 30 (1987), eq. (2.15)) and differentiated
HAND = """
import time, sympy as sp
t = time.perf_counter()
m, q, r, b, a, z, xi = sp.symbols("m q r beta alpha z xi", real=True)
density = sp.exp(-z**2 / 2) / sp.sqrt(2 * sp.pi)
site = sp.Integral(density * sp.log(2 * sp.cosh(b * (m * xi + sp.sqrt(a * r) * z))), (z, -sp.oo, sp.oo))
site = (site.subs(xi, 1) + site.subs(xi, -1)) / 2
f = (a / 2 + m**2 / 2 + a / (2 * b) * (sp.log(1 - b * (1 - q)) - b * q / (1 - b * (1 - q)))
     + a * b * r * (1 - q) / 2 - site / b)
eqs = [sp.simplify(sp.diff(f, v)) for v in (m, q, r)]
print(time.perf_counter() - t)
"""

REGISTRY = ["curie-weiss", "sk", "hopfield", "perceptron", "teacher-student-perceptron", "p-spin",
            "dense-hopfield", "rbm", "continual-perceptron", "multitasking-hebbian", "dense-hebbian"]

DECLARED = {
    "hopfield + ferromagnet": 'snn.declare("hf", units=B.Ising(), terms=[B.Hebbian("alpha"), '
                              'B.Ferromagnetic("J0"), B.Field("h")])',
    "hopfield + SK noise": 'snn.declare("hsk", units=B.Ising(), terms=[B.Hebbian("alpha"), '
                           'B.GaussianCouplings("J")])',
    "spherical SK": 'snn.declare("ssk", units=B.Spherical(), terms=[B.GaussianCouplings()])',
    "Gaussian-pattern Hopfield": 'snn.declare("gh", units=B.Ising(), terms=[B.Hebbian("alpha", '
                                 'patterns=B.Gaussian())])',
    "{0,1} SK": 'snn.declare("sk01", units=B.Binary01(), terms=[B.GaussianCouplings(), B.Field("h")])',
    "quartic soft-spin SK": 'snn.declare("soft", units=B.SoftSpin(x**4/4 - x**2/2), '
                            'terms=[B.GaussianCouplings()])',
}


def run(code):
    return float(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                                text=True).stdout.strip().splitlines()[-1])


def best(code, repeats):
    return min(run(code) for _ in range(repeats))


if __name__ == "__main__":
    t_sympy = best(BASE, 3)
    t_import = best(IMPORT, 3)
    print(f"import statmech_nn: {1e3 * t_import:.1f} ms (baseline: import sympy alone "
          f"{1e3 * t_sympy:.0f} ms; ratio {t_import / t_sympy:.3f}); goal < 1 s")
    t_hand = best(HAND, 3)
    t_hopfield = best(DERIVE.format(make='snn.model("hopfield")'), 3)
    print(f"derive hopfield (f, saddle point, T=0, replicon): {t_hopfield:.3f} s (baseline: the AGS f typed "
          f"by hand and differentiated by SymPy {t_hand:.3f} s; ratio {t_hopfield / t_hand:.2f}); goal < 1.5 s")
    print("\nderive time per model (best of 2, fresh interpreter each):")
    for name in REGISTRY:
        print(f"  registry  {name:28s} {best(DERIVE.format(make=f'snn.model({name!r})'), 2):7.3f} s")
    for name, make in DECLARED.items():
        print(f"  declared  {name:28s} {best(DERIVE.format(make=make), 2):7.3f} s")
