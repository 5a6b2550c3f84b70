"""Renderers for :class:`statmech_nn.expansions.diagrams.Diagram`: matplotlib axes and standalone SVG.

Both draw the same geometry (``Diagram.geometry()``: positions and cubic Bézier edges); matplotlib is
imported inside the functions, never at module level.
"""
from __future__ import annotations

from html import escape

import numpy as np

__all__ = ["draw_diagram", "draw_diagram_sum", "diagram_svg"]


def _plain(label):
    """Readable text for a label outside LaTeX (SVG): tuples joined, LaTeX braces and backslashes dropped."""
    from ..expansions.diagrams import latex_label
    text = latex_label(label)
    for a, b in (("\\", ""), ("{", ""), ("}", ""), ("$", "")):
        text = text.replace(a, b)
    return text


def draw_diagram(diagram, ax=None, labels=True, color="black", seed=0):
    """Draw ``diagram`` on ``ax`` (a new figure if None); returns the axes.

    Internal vertices are filled dots, external points open circles with their labels (as mathtext)."""
    import matplotlib
    if ax is None:
        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt
        _, ax = plt.subplots(figsize=(3, 2.2), dpi=120)
    from matplotlib.patches import PathPatch, Polygon
    from matplotlib.path import Path
    from ..expansions.diagrams import _midpoint, _outward, latex_label
    g = diagram.geometry(seed=seed)
    pos = g["positions"]
    for e, c, arrow in zip(diagram.edges, g["curves"], g["arrows"]):
        path = Path(c, [Path.MOVETO, Path.CURVE4, Path.CURVE4, Path.CURVE4])
        ax.add_patch(PathPatch(path, fill=False, lw=1.6, color=color))
        if arrow is not None:
            ax.add_patch(Polygon(arrow, closed=True, color=color))
        if labels and e.label is not None:
            mid, normal = _midpoint(c)
            ax.text(*(mid + 0.22 * normal), "$%s$" % latex_label(e.label), fontsize=8,
                    ha="center", va="center")
    for i, v in enumerate(diagram.vertices):
        if v.kind == "internal":
            ax.plot(*pos[i], "o", color=color, ms=6)
        else:
            ax.plot(*pos[i], "o", mfc="white", mec=color, ms=5)
        if labels and v.label is not None:
            right = v.kind == "internal" or _outward(diagram, pos, i)[0] >= 0
            ax.annotate("$%s$" % latex_label(v.label), pos[i], xytext=(6 if right else -6, 4),
                        textcoords="offset points", fontsize=8, ha="left" if right else "right")
    pts = np.vstack([pos] + list(g["curves"])) if g["curves"] else pos
    if len(pts):
        lo, hi = pts.min(axis=0) - 0.4, pts.max(axis=0) + 0.4
        ax.set_xlim(lo[0], hi[0])
        ax.set_ylim(lo[1], hi[1])
    ax.set_aspect("equal")
    ax.axis("off")
    if diagram.name:
        ax.set_title(diagram.name, fontsize=9)
    return ax


def draw_diagram_sum(diagram_sum, ncols=4, labels=True):
    """A figure with one panel per term of a :class:`DiagramSum`, titled by its coefficient."""
    import matplotlib
    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    import sympy as sp
    n = max(len(diagram_sum), 1)
    ncols = min(ncols, n)
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(2.6 * ncols, 2.2 * nrows), dpi=120, squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, (c, d) in zip(axes.flat, diagram_sum.terms):
        draw_diagram(d, ax=ax, labels=labels)
        ax.set_title("$%s$" % sp.latex(c), fontsize=10)
    if diagram_sum.title:
        fig.suptitle(diagram_sum.title)
    fig.tight_layout()
    return fig


def diagram_svg(diagram, size=160, labels=True, seed=0):
    """A standalone SVG string of ``diagram`` (no matplotlib needed), ``size`` pixels on the long side."""
    from ..expansions.diagrams import _outward
    g = diagram.geometry(seed=seed)
    pos = g["positions"]
    pts = np.vstack([pos] + list(g["curves"])) if g["curves"] else (pos if len(pos) else np.zeros((1, 2)))
    lo, hi = pts.min(axis=0) - 0.45, pts.max(axis=0) + 0.45
    span = max(hi - lo)
    scale = size / span
    w, h = (hi - lo) * scale

    def xy(p):   # SVG's y axis points down
        return (p[0] - lo[0]) * scale, (hi[1] - p[1]) * scale

    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.1f %.1f">'
           % (w, h, w, h)]
    for e, c, arrow in zip(diagram.edges, g["curves"], g["arrows"]):
        p = [xy(q) for q in c]
        out.append('<path d="M %.1f %.1f C %.1f %.1f, %.1f %.1f, %.1f %.1f" fill="none" stroke="black" '
                   'stroke-width="2"/>' % (*p[0], *p[1], *p[2], *p[3]))
        if arrow is not None:
            out.append('<polygon points="%s" fill="black"/>' % " ".join("%.1f,%.1f" % xy(q) for q in arrow))
    for i, v in enumerate(diagram.vertices):
        x, y = xy(pos[i])
        if v.kind == "internal":
            out.append('<circle cx="%.1f" cy="%.1f" r="4" fill="black"/>' % (x, y))
        else:
            out.append('<circle cx="%.1f" cy="%.1f" r="3" fill="white" stroke="black"/>' % (x, y))
        if labels and v.label is not None:
            right = v.kind == "internal" or _outward(diagram, pos, i)[0] >= 0
            out.append('<text x="%.1f" y="%.1f" font-size="11" font-family="serif" text-anchor="%s">%s</text>'
                       % (x + (5 if right else -5), y - 5, "start" if right else "end", escape(_plain(v.label))))
    out.append("</svg>")
    return "\n".join(out)
