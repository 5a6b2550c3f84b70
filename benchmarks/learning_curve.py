"""Benchmark: the Gibbs-learning (T = 0) curve of the spherical teacher–student perceptron on a grid
of loads.

The package (derived equations -> generated numba kernels, the whole grid in one vectorised call,
started from a continuation guess) against the hand-written solver a physicist would write: the
literature equation R/sqrt(1-R) = (alpha/pi) int Dt exp(-R t^2/2)/H(-sqrt(R) t) (Engel & Van den
Broeck 2001, eq. (2.42)) by scipy ``quad`` inside ``brentq`` per point, measured in the same run;
both are checked to agree.

Usage: python benchmarks/learning_curve.py [--points 200]
"""
import argparse
import math
import time

import numpy as np
from scipy import integrate, optimize, special

import statmech_nn as snn


def baseline_R(alpha):
    def H(x):
        return 0.5 * special.erfc(x / math.sqrt(2))

    def integral(R):
        return integrate.quad(lambda t: math.exp(-t * t / 2 - R * t * t / 2) / math.sqrt(2 * math.pi)
                              / H(-math.sqrt(R) * t), -12, 12, limit=200)[0]

    return optimize.brentq(lambda R: R / math.sqrt(1 - R) - alpha / math.pi * integral(R),
                           1e-9, 1 - 1e-12, xtol=1e-13)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--points", type=int, default=200)
    args = parser.parse_args()
    alphas = np.linspace(0.2, 5.0, args.points)
    model = snn.model("teacher-student-perceptron")
    solver = model.solver()
    coarse = model.learning_curve(np.linspace(0.2, 5.0, 6), T=0.0)   # also compiles the kernels
    names = [str(x) for x in model.free_energy().order_parameters]
    guess = {k: np.interp(alphas, coarse["alpha"], coarse[k]) for k in names}
    solver.solve(alpha=alphas[:2], T=0.0)                             # warm-up: numba compile/load
    t0 = time.perf_counter()
    sol = solver.solve(alpha=alphas, T=0.0, guess=guess)
    package = time.perf_counter() - t0
    t0 = time.perf_counter()
    reference = np.array([baseline_R(a) for a in alphas])
    baseline = time.perf_counter() - t0
    error = float(np.max(np.abs(sol["R"] - reference)))
    print(f"grid of {alphas.size} loads: package {package:.3f} s, scipy baseline {baseline:.3f} s, "
          f"speed-up x{baseline / package:.1f}; max |R - R_baseline| = {error:.2e}")


if __name__ == "__main__":
    main()
