"""The main job behind ``make demo``: derive the Hopfield model, write its LaTeX derivation, draw the
full AGS phase diagram with the phase-diagram engine, and overlay a Monte Carlo cross-check of the
retrieval overlap.

Every curve is computed from the derived equations; no literature formula is used.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import time

__all__ = ["run_demo"]


def run_demo(out="out", resolution=25, monte_carlo=True, log=print):
    """Derive, export, draw and cross-check the Hopfield model; returns the written paths and the
    :class:`~statmech_nn.phases.PhaseDiagram`.

    ``out`` is checked first (an existing writable folder, or a new folder in an existing writable
    one: only that last folder is created); OutputPathError otherwise, before any work."""
    import statmech_nn as snn
    from .export import write_derivation
    from .files import check_output_folder

    check_output_folder(out, "demo output folder")
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
    pd = snn.phase_diagram(model, x=("alpha", 0.0, 0.16), y=("T", 0.0, 1.3), resolution=resolution)
    log(f"phase diagram in {time.perf_counter() - t0:.2f} s (including compilation):")
    log(pd.summary())
    pd.save(os.path.join(out, "hopfield_phase_diagram.json"))
    import matplotlib
    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    ncols = 2 if monte_carlo else 1
    fig, axes = plt.subplots(1, ncols, figsize=(5.8 * ncols, 4.6), dpi=150, squeeze=False)
    ax = pd.plot(ax=axes[0, 0])
    ax.set_title("Hopfield model: replica-symmetric phase diagram (derived)", fontsize=9)
    cc = None
    if monte_carlo:
        from .montecarlo import hopfield_retrieval_crosscheck
        t0 = time.perf_counter()
        cc = hopfield_retrieval_crosscheck()
        log(f"Monte Carlo cross-check of the retrieval overlap in {time.perf_counter() - t0:.2f} s:")
        log(cc.table())
        cc.overlay(ax, x="alpha", y="T")
        cc.plot(ax=axes[0, 1])
        axes[0, 1].set_title("retrieval overlap at T = 0.1: theory vs Monte Carlo", fontsize=9)
        axes[0, 1].legend(fontsize="x-small")
    fig.tight_layout()
    png = os.path.join(out, "hopfield_phase_diagram.png")
    fig.savefig(png, bbox_inches="tight")
    log(f"wrote {png}")
    return {"png": png, "tex": tex, "phase_diagram": pd, "crosscheck": cc}
