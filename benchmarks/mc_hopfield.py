"""Monte Carlo speed: the package's kernels against baselines measured in the same run.

1. Hopfield, N = 10 000, alpha = 0.1 (P = 1000): Metropolis spin updates per second with cached pattern
   overlaps (O(P) per update), against a plain numpy implementation that recomputes the full local
   field h_i = sum_j J_ij s_j from the Hebbian coupling matrix at every update (O(N)). Goal: >= 50x.
   Also ns per attempted update per stored pattern.
2. SK, N = 4096: ns per attempted Metropolis flip (sequential sweeps, cached local fields, xoshiro256**)
   against the same algorithm as a C loop compiled with gcc -O2 and called through ctypes. Goal: within
   2x. Both start from the same spins and random stream; the final configurations are compared.

Run: ``python benchmarks/mc_hopfield.py`` (``make bench``).
"""
import ctypes
import os
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np
from _baselines import numpy_metropolis

from statmech_nn.montecarlo import kernels as K
from statmech_nn.montecarlo.systems import build_system


def streams(count, seed=0):
    return np.stack([s.generate_state(4, np.uint64) for s in np.random.SeedSequence(seed).spawn(count)])


def hopfield(N=10_000, alpha=0.1, T=0.1, package_sweeps=5, baseline_updates=20_000):
    system = build_system("hopfield", {"patterns": 1}, N, {"alpha": alpha, "h": 0.0, "T": T},
                          np.random.default_rng(0))
    xi = system.arrays["xi"]
    P = xi.shape[1]
    spins = system.init[None, :].copy()
    M = (spins.astype(np.int64) @ xi.astype(np.int64)).astype(np.float32)   # N P < 2**24: exact
    mag = spins.sum(axis=1).astype(np.int64)
    betas = np.array([1.0 / T])
    empty = np.zeros((0, 1))

    def run(n):
        K.run_patterns(xi, M, spins, mag, betas, 1.0, 2, 0.0, P / 2, K.METROPOLIS, n, rng, 1, empty,
                       np.zeros((0, 1, 1)), empty, np.zeros(0), np.zeros((0, 2), np.int64))

    rng = streams(2)
    run(1)                                   # compile / load from cache
    t = time.perf_counter()
    run(package_sweeps)
    t_pkg = (time.perf_counter() - t) / (package_sweeps * N)
    m_pkg = M[0, 0] / N

    # plain numpy: Hebbian coupling matrix, full local field per update
    t0 = time.perf_counter()
    xf = xi.astype(np.float64)
    J = xf @ xf.T / N
    np.fill_diagonal(J, 0.0)
    t_build = time.perf_counter() - t0
    s = system.init.astype(np.float64)
    # both compute the same energy change: check on 200 sites of a random configuration
    probe = np.where(np.random.default_rng(1).random(N) < 0.5, -1, 1).astype(np.int8)
    Mp = (probe.astype(np.int64) @ xi.astype(np.int64)).astype(np.float32)
    dE_pkg = np.array([K._pattern_delta(xi[i], Mp, probe[i], N, 1.0, 2, 0.0) for i in range(200)])
    dE_np = np.array([2 * probe[i] * (J[i] @ probe) for i in range(200)])
    assert np.allclose(dE_pkg, dE_np, rtol=0, atol=1e-9), np.abs(dE_pkg - dE_np).max()
    t_np = numpy_metropolis(J, s, T, baseline_updates)
    m_np = float(xf[:, 0] @ s / N)
    return {"N": N, "P": P, "T": T, "t_pkg": t_pkg, "t_np": t_np, "t_build": t_build, "m_pkg": m_pkg,
            "m_np": m_np}


C_SOURCE = r"""
#include <stdint.h>
#include <stddef.h>
#include <math.h>

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static inline uint64_t next(uint64_t *s) {          /* xoshiro256** */
    uint64_t result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t; s[3] = rotl(s[3], 45);
    return result;
}

static inline double uniform(uint64_t *s) { return (double)(next(s) >> 11) * 0x1.0p-53; }

long sk_metropolis(long N, const double *J, double *local, int8_t *spins, double beta, double h,
                   long sweeps, uint64_t *s) {
    long accepted = 0;
    for (long t = 0; t < sweeps; t++)
        for (long i = 0; i < N; i++) {
            int si = spins[i];
            double dE = 2.0 * si * (local[i] + h);
            if (dE <= 0.0 || uniform(s) < exp(-beta * dE)) {
                spins[i] = (int8_t)(-si);
                double d = -2.0 * si;
                const double *row = J + (size_t)i * N;
                for (long j = 0; j < N; j++) local[j] += d * row[j];
                accepted++;
            }
        }
    return accepted;
}
"""


def compile_c():
    gcc = shutil.which("gcc")
    if gcc is None:
        return None
    folder = tempfile.mkdtemp(prefix="snn_bench_")
    src, lib = os.path.join(folder, "sk.c"), os.path.join(folder, "sk.so")
    with open(src, "w") as f:
        f.write(C_SOURCE)
    subprocess.run([gcc, "-O2", "-shared", "-fPIC", src, "-o", lib, "-lm"], check=True)
    so = ctypes.CDLL(lib)
    so.sk_metropolis.restype = ctypes.c_long
    ptr = ctypes.c_void_p
    so.sk_metropolis.argtypes = [ctypes.c_long, ptr, ptr, ptr, ctypes.c_double, ctypes.c_double,
                                 ctypes.c_long, ptr]
    return so


def sk(N=4096, T=0.5, sweeps=10):
    system = build_system("sk", {}, N, {"J0": 0.0, "h": 0.0, "T": T}, np.random.default_rng(0))
    J = system.arrays["J"]
    start = np.where(np.random.default_rng(1).random(N) < 0.5, -1, 1).astype(np.int8)
    betas = np.array([1.0 / T])
    e = np.zeros((0, 1))

    spins = start[None, :].copy()
    local = spins.astype(float) @ J
    rng = streams(2)
    K.run_dense(J, local.copy(), spins.copy(), betas, 0.0, K.METROPOLIS, 1, rng.copy(), e, e, e, np.zeros(0),
                np.zeros((0, 2), np.int64))                                   # compile / load
    t = time.perf_counter()
    K.run_dense(J, local, spins, betas, 0.0, K.METROPOLIS, sweeps, rng, e, e, e, np.zeros(0),
                np.zeros((0, 2), np.int64))
    t_pkg = (time.perf_counter() - t) / (sweeps * N)
    out = {"N": N, "T": T, "t_pkg": t_pkg, "t_c": None, "same": None,
           "acceptance": None}
    so = compile_c()
    if so is None:
        return out
    c_spins = start.copy()
    c_local = (start.astype(float) @ J)
    c_rng = streams(2)[0].copy()
    t = time.perf_counter()
    acc = so.sk_metropolis(N, J.ctypes.data, c_local.ctypes.data, c_spins.ctypes.data, 1.0 / T, 0.0, sweeps,
                           c_rng.ctypes.data)
    out["t_c"] = (time.perf_counter() - t) / (sweeps * N)
    out["acceptance"] = acc / (sweeps * N)
    out["same"] = bool(np.array_equal(c_spins, spins[0]))
    return out


def main():
    print(f"python {sys.version.split()[0]}, numpy {np.__version__}, {os.cpu_count()} cores")
    for T in (0.1, 0.5):
        r = hopfield(T=T)
        ratio = r["t_np"] / r["t_pkg"]
        print(f"Hopfield N = {r['N']}, alpha = 0.1 (P = {r['P']}), T = {r['T']}, Metropolis:")
        print(f"  package (cached overlaps, O(P)):  {1 / r['t_pkg']:12.4g} updates/s  "
              f"{r['t_pkg'] * 1e9:8.1f} ns/update  {r['t_pkg'] * 1e9 / r['P']:.3f} ns/update/pattern  "
              f"(m = {r['m_pkg']:.3f})")
        print(f"  numpy (full local field, O(N)):   {1 / r['t_np']:12.4g} updates/s  "
              f"{r['t_np'] * 1e9:8.1f} ns/update  (m = {r['m_np']:.3f}; building J took {r['t_build']:.1f} s)")
        print(f"  speed-up: {ratio:.0f}x  (goal >= 50x: {'met' if ratio >= 50 else 'NOT met'})")
    r = sk()
    print(f"SK N = {r['N']}, T = {r['T']}, Metropolis with cached local fields:")
    print(f"  package: {r['t_pkg'] * 1e9:.1f} ns per attempted flip")
    if r["t_c"] is None:
        print("  gcc not found: no C baseline")
    else:
        ratio = r["t_pkg"] / r["t_c"]
        print(f"  C (gcc -O2, same algorithm and random stream): {r['t_c'] * 1e9:.1f} ns per attempted flip "
              f"(acceptance {r['acceptance']:.3f}; same final spins: {r['same']})")
        print(f"  package / C: {ratio:.2f}  (goal <= 2: {'met' if ratio <= 2 else 'NOT met'})")


if __name__ == "__main__":
    main()
