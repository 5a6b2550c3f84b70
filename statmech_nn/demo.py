"""The main job behind ``make demo``: derive the Hopfield model, write its LaTeX derivation, draw the
full AGS phase diagram with the phase-diagram engine, and overlay a Monte Carlo cross-check of the
retrieval overlap.

Every curve is computed from the derived equations; no literature formula is used.
"""
from __future__ import annotations

import os
import shutil
import time

__all__ = ["run_demo", "demo_figure"]

#: the corner of the diagram magnified in the inset: the AT line of the retrieval states, which ends
#: on their spinodal just short of alpha_c
INSET = ((0.085, 0.1395), (0.0, 0.032))


def demo_figure(pd, cc=None):
    """The demo's figure: the phase diagram (with the Monte Carlo points of ``cc`` on it and an inset
    on the low-temperature corner near ``alpha_c``) and, beside it, the cross-check along ``alpha``.
    Returns the matplotlib figure (not registered with pyplot)."""
    from matplotlib.figure import Figure

    from .plot.phases import symbol

    ncols = 2 if cc is not None else 1
    fig = Figure(figsize=(6.2 * ncols, 5.6), dpi=150, layout="constrained")
    axes = fig.subplots(1, ncols, squeeze=False)[0]
    box = [0.57, 0.6, 0.4, 0.3]                     # the inset, in axes fractions
    (xlo, xhi), (ylo, yhi) = pd.x[1:], pd.y[1:]
    clear = [(xlo + box[0] * (xhi - xlo), xhi, ylo + box[1] * (yhi - ylo), yhi)]
    if cc is not None:                              # and the band of the Monte Carlo markers
        Ts = [p["T"] for p in cc.points]
        clear.append((xlo, xhi, min(Ts) - 0.06 * (yhi - ylo), max(Ts) + 0.06 * (yhi - ylo)))
    ax = pd.plot(ax=axes[0], legend=False, title="Hopfield model: replica-symmetric phase diagram (derived)",
                 keep_clear=clear)
    if cc is not None:
        cc.overlay(ax, x="alpha", y="T")
    inset = ax.inset_axes(box)
    pd.plot(ax=inset, legend=False, title=False, regions=False)
    (x0, x1), (y0, y1) = INSET
    inset.set_xlim(x0, x1)
    inset.set_ylim(y0, y1)
    inset.tick_params(labelsize=6)
    inset.set_xlabel(symbol(pd.x[0]), fontsize=7, labelpad=1)
    inset.set_ylabel(symbol(pd.y[0]), fontsize=7, labelpad=1)
    inset.set_title("near $\\alpha_c$, low $T$", fontsize=7, pad=2)
    inset.set_facecolor("white")
    ax.indicate_inset_zoom(inset, edgecolor="0.4")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=1, fontsize=7, frameon=False)
    if cc is not None:
        cc.plot(ax=axes[1])
        axes[1].set_title(f"retrieval overlap at $T = {cc.points[0]['T']:g}$: theory vs Monte Carlo",
                          fontsize=9)
        axes[1].legend(fontsize="x-small", frameon=False, loc="lower left")
    return fig


def run_demo(out="out", resolution=25, monte_carlo=True, log=print, progress=None):
    """Derive, export, draw and cross-check the Hopfield model; returns the written paths (figure as
    PNG and PDF, derivation) and the :class:`~statmech_nn.phases.PhaseDiagram`.

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
        from .export.latex import compile_latex
        log(f"wrote {compile_latex(tex)}")

    t0 = time.perf_counter()
    pd = snn.phase_diagram(model, x=("alpha", 0.0, 0.16), y=("T", 0.0, 1.3), resolution=resolution,
                           progress=progress)
    log(f"phase diagram in {time.perf_counter() - t0:.2f} s (including compilation):")
    log(pd.summary())
    pd.save(os.path.join(out, "hopfield_phase_diagram.json"))
    cc = None
    if monte_carlo:
        from .montecarlo import hopfield_retrieval_crosscheck
        t0 = time.perf_counter()
        cc = hopfield_retrieval_crosscheck(progress=progress)
        log(f"Monte Carlo cross-check of the retrieval overlap in {time.perf_counter() - t0:.2f} s:")
        log(cc.table())
    fig = demo_figure(pd, cc)
    paths = {}
    for kind in ("png", "pdf"):
        paths[kind] = os.path.join(out, f"hopfield_phase_diagram.{kind}")
        fig.savefig(paths[kind], bbox_inches="tight")
        log(f"wrote {paths[kind]}")
    return {**paths, "tex": tex, "phase_diagram": pd, "crosscheck": cc}
