"""The result of :func:`statmech_nn.phase_diagram`: phase regions and transition lines."""
from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from ..errors import ParameterError

__all__ = ["Line", "PhaseDiagram", "LINE_KINDS"]

#: the kinds of line: the replica-symmetric ones, then the one-step RSB static (``x = 1``) and dynamical
#: (threshold states marginal) transitions of ``phase_diagram(..., rsb=1)``
LINE_KINDS = ("second-order", "first-order", "spinodal", "AT", "rsb-static", "rsb-dynamical")

#: the files :meth:`PhaseDiagram.save` writes: data (.json) or the figure


@dataclass
class Line:
    """A transition line: its name (e.g. ``"spinodal: retrieval"``), kind (one of
    :data:`LINE_KINDS`) and points, a ``(k, 2)`` array of ``(x, y)`` ordered along the line."""
    name: str
    kind: str
    points: np.ndarray

    def describe_window(self, window, xname, yname, bounds=((-np.inf, np.inf), (-np.inf, np.inf))):
        """Notes on where the line meets the edges of the window (it continues outside), except at
        edges that are ``bounds`` of the parameters (nothing lies beyond ``alpha = 0`` or ``T = 0``)."""
        xlo, xhi, ylo, yhi = window
        out = []
        tol_x, tol_y = 1e-9 * (xhi - xlo), 1e-9 * (yhi - ylo)
        for (x, y) in (self.points[0], self.points[-1]) if len(self.points) else ():
            edges = [f"{xname}={x:.8g}" for v in (xlo, xhi) if abs(x - v) <= tol_x and v not in bounds[0]] + \
                    [f"{yname}={y:.8g}" for v in (ylo, yhi) if abs(y - v) <= tol_y and v not in bounds[1]]
            if edges:
                out.append(f"line {self.name!r} reaches the edge of the window at "
                           f"({xname}, {yname}) = ({x:.8g}, {y:.8g}); it may continue outside")
        return out

    def to_dict(self):
        return {"name": self.name, "kind": self.kind, "points": self.points.tolist()}


class PhaseDiagram:
    """Phase regions and transition lines of a model in a plane of two parameters.

    Attributes
    ----------
    model : str
        Registry name of the model; ``options`` its structural options, ``fixed`` the other
        parameters.
    x, y : tuple
        ``(name, low, high)`` of the axes.
    xs, ys : numpy.ndarray
        The coarse grid on which the branches were searched.
    phases : list of list of str
        The phase (branch of lowest free energy) at each grid point, ``phases[j][i]`` at
        ``(xs[i], ys[j])``; ``""`` where no solution was found.
    lines : list of Line
    notes : list of str
        Everything the engine could not do or wants the reader to know (failed refinements,
        lines that leave the window).
    version : str
        Package version that computed it.
    seconds : float
        Wall time of the computation.
    """

    def __init__(self, model, options, fixed, x, y, xs, ys, phases, lines, notes, seconds=0.0,
                 version=None):
        from .. import __version__
        self.model = model
        self.options = dict(options)
        self.fixed = dict(fixed)
        self.x = tuple(x)
        self.y = tuple(y)
        self.xs = np.asarray(xs, float)
        self.ys = np.asarray(ys, float)
        self.phases = [list(row) for row in phases]
        self.lines = list(lines)
        self.notes = list(notes)
        self.seconds = float(seconds)
        self.version = version or __version__

    @property
    def boundaries(self):
        """``{line name: (k, 2) array of (x, y) points}``."""
        return {line.name: line.points for line in self.lines}

    def line(self, name):
        for line in self.lines:
            if line.name == name:
                return line
        raise KeyError(f"no line {name!r}; lines: {', '.join(l.name for l in self.lines)}")

    def lines_of_kind(self, kind):
        if kind not in LINE_KINDS:
            raise ParameterError(f"unknown line kind {kind!r}; kinds: {', '.join(LINE_KINDS)}")
        return [line for line in self.lines if line.kind == kind]

    @property
    def phase_names(self):
        """The phases present, in order of first appearance on the grid."""
        return list(dict.fromkeys(p for row in self.phases for p in row if p))

    def phase_at(self, **point):
        """The phase at the grid point nearest to ``point`` (given by the axis names)."""
        try:
            i = int(np.argmin(np.abs(self.xs - point[self.x[0]])))
            j = int(np.argmin(np.abs(self.ys - point[self.y[0]])))
        except KeyError:
            raise ParameterError(f"give both {self.x[0]!r} and {self.y[0]!r}") from None
        return self.phases[j][i]

    def interpolate(self, name, at, along="x"):
        """The other coordinate of line ``name`` at ``along = at``, by linear interpolation of
        its points (``NaN`` if the line does not reach there)."""
        pts = self.line(name).points
        a, b = (pts[:, 0], pts[:, 1]) if along == "x" else (pts[:, 1], pts[:, 0])
        order = np.argsort(a)
        a, b = a[order], b[order]
        if len(a) == 0 or at < a[0] or at > a[-1]:
            return float("nan")
        return float(np.interp(at, a, b))

    # -- output --------------------------------------------------------------------------
    def plot(self, ax=None, regions=True, legend=True, title=True, keep_clear=()):
        """Draw the diagram: phase regions shaded from the located lines and labelled, the lines
        styled by kind, the legend below the axes (:func:`statmech_nn.plot.phases.plot_phase_diagram`).

        Returns the matplotlib axes.
        """
        from ..plot.phases import plot_phase_diagram
        return plot_phase_diagram(self, ax=ax, regions=regions, legend=legend, title=title,
                                  keep_clear=keep_clear)

    def figure(self):
        """A new matplotlib figure of the diagram (not registered with pyplot, so nothing to close)."""
        from matplotlib.figure import Figure
        fig = Figure(figsize=(5.6, 4.8), dpi=150)
        self.plot(ax=fig.add_subplot())
        return fig

    def _repr_png_(self):
        import io
        buf = io.BytesIO()
        self.figure().savefig(buf, format="png", bbox_inches="tight", dpi=100)
        return buf.getvalue()

    def _repr_html_(self):
        import base64
        from html import escape
        xn, yn = self.x[0], self.y[0]
        fixed = ", ".join(f"{escape(k)} = {v:g}" for k, v in self.fixed.items())
        rows = "".join(
            f"<tr><td>{escape(line.name)}</td><td>{escape(line.kind)}</td><td>{len(line.points)}</td>"
            f"<td>{line.points[:, 0].min():.6g} – {line.points[:, 0].max():.6g}</td>"
            f"<td>{line.points[:, 1].min():.6g} – {line.points[:, 1].max():.6g}</td></tr>"
            for line in self.lines)
        notes = "".join(f"<li>{escape(n)}</li>" for n in self.notes)
        png = base64.b64encode(self._repr_png_()).decode("ascii")
        return (f"<div><p><b>Phase diagram of {escape(self.model)}</b> in ({escape(xn)}, {escape(yn)})"
                + (f", {fixed}" if fixed else "") + f"; phases: {escape(', '.join(self.phase_names))}</p>"
                f'<img src="data:image/png;base64,{png}" alt="phase diagram of {escape(self.model)}"/>'
                f"<table><thead><tr><th>line</th><th>kind</th><th>points</th><th>{escape(xn)}</th>"
                f"<th>{escape(yn)}</th></tr></thead><tbody>{rows}</tbody></table>"
                + (f"<details><summary>{len(self.notes)} note(s)</summary><ul>{notes}</ul></details>"
                   if self.notes else "") + "</div>")

    def to_dict(self):
        return {"format": "statmech_nn.PhaseDiagram", "version": self.version, "model": self.model,
                "options": self.options, "fixed": self.fixed, "x": list(self.x), "y": list(self.y),
                "xs": self.xs.tolist(), "ys": self.ys.tolist(), "phases": self.phases,
                "lines": [line.to_dict() for line in self.lines], "notes": self.notes,
                "seconds": self.seconds}

    #: what :meth:`save` writes, by file suffix
    SAVE_FORMATS = (".json", ".png", ".pdf", ".svg")

    def save(self, path):
        """Write the diagram with its model, parameters and package version: ``.json`` (data) or the
        figure, ``.png`` or vector ``.pdf``/``.svg``. Returns the path.

        Raises
        ------
        OutputPathError
            Another extension, a folder that does not exist (it is not created) or cannot be written
            (nothing is written).
        """
        import os
        from ..files import check_output_path
        check_output_path(path, self.SAVE_FORMATS, "phase diagram file")
        suffix = os.path.splitext(str(path))[1].lower()
        if suffix == ".json":
            with open(path, "w", encoding="utf-8") as fh:
                json.dump(self.to_dict(), fh, indent=1)
            return path
        what = f"phase diagram of {self.model} by statmech_nn {self.version}"
        meta = ({"Software": f"statmech_nn {self.version}", "Description": what} if suffix == ".png"
                else {"Creator": f"statmech_nn {self.version}", "Title": what})
        self.figure().savefig(path, bbox_inches="tight", metadata=meta)
        return path

    @classmethod
    def load(cls, path):
        """Read a diagram written by :meth:`save` to a ``.json`` file.

        Raises
        ------
        MissingFileError
            No such file.
        InputFileError
            Not UTF-8 text, not JSON (e.g. truncated: the line of the error is named), or JSON that is
            not a phase diagram written by :meth:`save` (the missing or malformed entry is named).
        """
        from ..errors import InputFileError
        from ..files import read_json
        data = read_json(path, "phase diagram file")

        def bad(what):
            return InputFileError(f"phase diagram file {str(path)!r}: {what}; it is not a phase diagram "
                                  f"written by PhaseDiagram.save", path)

        if not isinstance(data, dict) or data.get("format") != "statmech_nn.PhaseDiagram":
            raise bad("the entry 'format' is not 'statmech_nn.PhaseDiagram'")
        kinds = {"model": str, "options": dict, "fixed": dict, "x": list, "y": list, "xs": list, "ys": list,
                 "phases": list, "lines": list, "notes": list, "version": str}
        for key, kind in kinds.items():
            if not isinstance(data.get(key), kind):
                raise bad(f"the entry {key!r} is missing or not a {kind.__name__}")
        try:
            lines = []
            for i, d in enumerate(data["lines"]):
                if not isinstance(d, dict) or d.get("kind") not in LINE_KINDS:
                    raise ValueError(f"lines[{i}] is not a line of a kind in {LINE_KINDS}")
                lines.append(Line(str(d["name"]), d["kind"], np.array(d["points"], float).reshape(-1, 2)))
            return cls(data["model"], data["options"], data["fixed"], data["x"], data["y"], data["xs"],
                       data["ys"], data["phases"], lines, data["notes"], float(data.get("seconds", 0.0)),
                       data["version"])
        except (KeyError, TypeError, ValueError) as exc:
            raise bad(f"malformed entry ({type(exc).__name__}: {exc})") from None

    def summary(self):
        """A plain-text account: phases, each line with its extent, and the notes."""
        xn, yn = self.x[0], self.y[0]
        out = [f"phase diagram of {self.model!r} in ({xn}, {yn}), fixed "
               + ", ".join(f"{k}={v:g}" for k, v in self.fixed.items()),
               "phases: " + ", ".join(self.phase_names)]
        for line in self.lines:
            p = line.points
            out.append(f"  {line.kind:12s} {line.name}: {len(p)} points, {xn} in "
                       f"[{p[:, 0].min():.6g}, {p[:, 0].max():.6g}], {yn} in "
                       f"[{p[:, 1].min():.6g}, {p[:, 1].max():.6g}]")
        out += [f"  note: {n}" for n in self.notes]
        return "\n".join(out)

    def __repr__(self):
        return (f"<PhaseDiagram of {self.model!r} in ({self.x[0]}, {self.y[0]}): "
                f"{len(self.phase_names)} phases, {len(self.lines)} lines>")
