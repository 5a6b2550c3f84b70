"""The main job behind ``make demo``: derive the Hopfield model, solve it on an (alpha, T) grid, draw
its retrieval region with the spin-glass line, write the PNG and the LaTeX derivation.

Every curve is computed from the derived equations; no literature formula is used.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import time

import numpy as np

__all__ = ["run_demo", "spin_glass_line"]


def spin_glass_line(solver, alphas, T_lo=0.5, T_hi=2.5, tol=1e-6, q_min=1e-5):
    """Temperature where the non-retrieval (m = 0) branch acquires ``q > q_min``, by vectorised
    bisection on the solver's m = 0 solutions; NaN where the m = 0 branch has no transition in
    ``[T_lo, T_hi]``. The threshold biases the line by about ``q_min / |dq/dT|`` (~1e-5); it cannot be
    much smaller because critical slowing down near the transition leaves ``q ~ tol/(1 - slope)``
    in a converged paramagnet (the linear-stability location belongs to the phase-diagram engine)."""
    lo = np.full_like(alphas, T_lo, dtype=float)
    hi = np.full_like(alphas, T_hi, dtype=float)
    guess = {"m": 0.0, "q": 0.5, "r": 1.0}
    while np.max(hi - lo) > tol:
        mid = (lo + hi) / 2
        sol = solver.solve(alpha=alphas, T=mid, guess=guess, errors="mask")
        glassy = sol.converged & (np.nan_to_num(sol["q"]) > q_min)
        lo = np.where(glassy, mid, lo)
        hi = np.where(glassy, hi, mid)
    found = (lo > T_lo) & (hi < T_hi)
    return np.where(found, (lo + hi) / 2, np.nan)


def run_demo(out="out", n_alpha=121, n_T=121, log=print):
    import statmech_nn as snn
    from .export import write_derivation
    from .plot import plot_order_parameter_map

    os.makedirs(out, exist_ok=True)
    t0 = time.perf_counter()
    model = snn.model("hopfield")
    saddle = model.free_energy().saddle_point()
    saddle.zero_temperature()
    log(f"derived the {model.title}: f({', '.join(map(str, saddle.order_parameters))}) "
        f"in {time.perf_counter() - t0:.2f} s")
    tex = write_derivation(model, os.path.join(out, "hopfield_ags.tex"))
    log(f"wrote {tex}")
    if shutil.which("pdflatex"):
        subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "hopfield_ags.tex"],
                       cwd=out, check=True, stdout=subprocess.DEVNULL)
        log(f"wrote {os.path.join(out, 'hopfield_ags.pdf')}")

    t0 = time.perf_counter()
    solver = saddle.compile()
    alphas = np.linspace(0.0, 0.16, n_alpha)
    temps = np.linspace(0.0, 1.6, n_T)
    A, T = np.meshgrid(alphas, temps)
    sol = solver.solve(alpha=A, T=T, guess={"m": 1.0, "q": 1.0, "r": 1.0, "C": 0.0}, errors="mask")
    m = np.where(sol.converged & sol.stable, np.abs(sol["m"]), np.nan)
    retrieval = np.where(m > 1e-3, m, np.nan)   # locally stable retrieval states
    log(f"solved the saddle point on {A.size} (alpha, T) points in {time.perf_counter() - t0:.2f} s "
        f"(including compilation); retrieval states at {int(np.sum(np.isfinite(retrieval)))} points")

    a_line = np.linspace(0.0025, 0.16, 64)
    Tg = spin_glass_line(solver, a_line)
    ax = plot_order_parameter_map(
        alphas, temps, retrieval, xlabel=r"load $\alpha = P/N$", ylabel="temperature $T$",
        label="retrieval overlap $m$", region_level=1e-3, region_label=r"retrieval states exist ($T_M$)",
        lines=[(a_line, Tg, r"spin-glass line $T_g$ (solver)", {})],
        title="Hopfield model, replica-symmetric theory (derived)")
    png = os.path.join(out, "hopfield_phase_diagram.png")
    ax.figure.savefig(png, bbox_inches="tight")
    log(f"wrote {png}")
    return {"png": png, "tex": tex, "alpha": alphas, "T": temps, "m": retrieval, "Tg": (a_line, Tg)}
