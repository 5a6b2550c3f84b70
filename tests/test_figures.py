"""Figures and notebook displays: regions from the located lines, labels, colours, legend, vector
output, ``_repr_html_``/``_repr_png_`` of solutions, phase diagrams, Monte Carlo results and
cross-checks, and the progress bars."""
from html.parser import HTMLParser

import numpy as np
import pytest

import statmech_nn as snn
from statmech_nn.errors import ParameterError
from statmech_nn.plot.phases import LINE_COLOURS, REGION_COLOURS, region_raster

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")


class _Balance(HTMLParser):
    """Start and end tags must pair up (void elements aside)."""
    VOID = {"img", "br", "hr", "meta", "input"}

    def __init__(self):
        super().__init__()
        self.stack, self.text, self.errors = [], [], []

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        pass

    def handle_endtag(self, tag):
        if not self.stack or self.stack.pop() != tag:
            self.errors.append(tag)

    def handle_data(self, data):
        self.text.append(data)


def parsed(html):
    p = _Balance()
    p.feed(html)
    p.close()
    assert not p.errors and not p.stack, (p.errors, p.stack)
    return " ".join(p.text)


def _phase_at(pd, raster, alpha, T):
    X, Y, idx = raster
    i = int(np.argmin(np.abs(X[0] - alpha)))
    j = int(np.argmin(np.abs(Y[:, 0] - T)))
    return pd.phase_names[idx[j, i]]


def test_regions_are_cut_by_the_located_lines_not_by_grid_cells(hopfield_pd):
    raster = region_raster(hopfield_pd)
    cell = hopfield_pd.xs[1] - hopfield_pd.xs[0]
    tc = hopfield_pd.boundaries["retrieval / spin glass"]
    tg = hopfield_pd.boundaries["paramagnet / spin glass"]
    # a fifth of a grid cell either side of T_c and T_g, the shading changes where the line is
    for a, T in tc[(tc[:, 1] > 0.1) & (tc[:, 1] < 0.9)]:
        assert _phase_at(hopfield_pd, raster, a - 0.2 * cell, T) == "retrieval"
        assert _phase_at(hopfield_pd, raster, a + 0.2 * cell, T) == "spin glass"
    for a, T in tg[(tg[:, 0] > 0.01) & (tg[:, 1] < 1.28)]:
        assert _phase_at(hopfield_pd, raster, a, T + 0.01) == "paramagnet"
        assert _phase_at(hopfield_pd, raster, a, T - 0.01) == "spin glass"
    # every pixel has a phase, and the three phases are all there
    assert raster[2].min() >= 0 and set(np.unique(raster[2])) == {0, 1, 2}


def test_figure_labels_colours_and_a_legend_that_covers_nothing(hopfield_pd):
    ax = hopfield_pd.plot()
    fig = ax.figure
    fig.canvas.draw()
    assert ax.get_xlabel() == r"$\alpha$" and ax.get_ylabel() == "$T$"
    assert "$h = 0$" in ax.get_title()
    # one line per located line, Okabe-Ito colours, and the regions in Tol's pale scheme
    lines = [l for l in ax.get_lines() if l.get_label() and not l.get_label().startswith("_")]
    assert len(lines) == len(hopfield_pd.lines) == 4
    assert {matplotlib.colors.to_hex(l.get_color()) for l in lines} <= {c.lower() for c in LINE_COLOURS}
    filled = {matplotlib.colors.to_hex(c) for coll in ax.collections for c in np.atleast_2d(coll.get_facecolor())}
    assert {c.lower() for c in REGION_COLOURS[:3]} <= filled
    # the legend lies below the axes, the region labels inside them, and none overlaps another
    legend = ax.get_legend().get_window_extent()
    frame = ax.get_window_extent()
    assert legend.y1 < frame.y0
    labels = [t for t in ax.texts if t.get_text() in hopfield_pd.phase_names]
    assert {t.get_text() for t in labels} == set(hopfield_pd.phase_names)
    boxes = [t.get_window_extent() for t in labels]
    for b in boxes:
        assert frame.x0 <= b.x0 and b.x1 <= frame.x1 and frame.y0 <= b.y0 and b.y1 <= frame.y1
        assert not b.overlaps(legend)
    assert not any(a.overlaps(b) for k, a in enumerate(boxes) for b in boxes[k + 1:])
    matplotlib.pyplot.close(fig)


def test_vector_and_raster_output_with_provenance(hopfield_pd, tmp_path):
    svg, pdf, png = tmp_path / "pd.svg", tmp_path / "pd.pdf", tmp_path / "pd.png"
    for path in (svg, pdf, png):
        hopfield_pd.save(str(path))
    text = svg.read_text()
    assert text.count("<path") > 20 and "<image" not in text         # regions are vector paths
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and b"/Subtype /Image" not in data and b"statmech_nn" in data
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and b"statmech_nn" in png.read_bytes()
    bad = tmp_path / "pd.txt"
    with pytest.raises(ParameterError, match=r"\.json, \.png, \.pdf, \.svg"):
        hopfield_pd.save(str(bad))
    assert not bad.exists()


def test_phase_diagram_displays_in_jupyter(hopfield_pd):
    png = hopfield_pd._repr_png_()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000
    text = parsed(hopfield_pd._repr_html_())
    for line in hopfield_pd.lines:
        assert line.name in text and f"{len(line.points)}" in text
    assert "retrieval, spin glass, paramagnet" in text and "data:image/png;base64," in hopfield_pd._repr_html_()


def test_solution_and_monte_carlo_display_in_jupyter():
    solver = snn.model("hopfield").free_energy().saddle_point().compile()
    sol = solver.solve(alpha=0.05, T=0.1, guess={"m": 1.0})
    text = parsed(sol._repr_html_())
    assert f"{sol['m']:.10g}" in text and f"{sol.free_energy:.10g}" in text and "alpha = 0.05" in text
    grid = solver.solve(alpha=np.array([0.05, 0.1]), T=0.1, guess={"m": 1.0})
    text = parsed(grid._repr_html_())
    assert "2/2 converged" in text and f"{grid['m'].min():.6g}" in text
    mc = snn.monte_carlo("hopfield", N=100, samples=2, sweeps=40, alpha=0.05, T=0.1, progress=False)
    text = parsed(mc._repr_html_())
    assert f"{mc['energy'].mean:.6g}" in text and "N = 100" in text and "τ_int" in text


def test_phase_diagram_progress_bar_counts_its_stages(capsys):
    snn.phase_diagram("curie-weiss", x=("h", -0.2, 0.2), y=("T", 0.4, 1.4), resolution=5, progress=True)
    err = capsys.readouterr().err
    assert "phase diagram of 'curie-weiss'" in err and "6/6" in err
    snn.phase_diagram("curie-weiss", x=("h", -0.2, 0.2), y=("T", 0.4, 1.4), resolution=5)
    assert capsys.readouterr().err == ""          # the default: only on a terminal or in a notebook
