"""Command line: ``statmech-nn models | describe | derive | solve | phase-diagram | mc | crosscheck | demo``.

Arguments are data: ``key=value`` pairs are checked against the model's parameters and options.
Parameter values are parsed as numbers with ``float``; a structural option is parsed by the kind of
its declared values (``Model.structural_options = {name: (default, allowed values, doc)}``: integers,
numbers, true/false or text), never evaluated. Every output path (``--out``, ``--latex``, ``--resume``)
is checked before any computation starts.
"""
from __future__ import annotations

import argparse
import json
import math
import numbers
import sys

from .errors import ConvergenceError, ParameterError, StatmechError

__all__ = ["main", "format_table"]

def _number(text, key):
    try:
        value = float(text)
    except ValueError:
        raise ParameterError(f"{key}={text!r}: the value must be a number (e.g. {key}=0.1)") from None
    if not math.isfinite(value):
        raise ParameterError(f"{key}={text!r}: the value must be finite")
    return value


def _split_assignments(items, model_cls_name):
    """``["alpha=0.05", "T=0.1"]`` -> dict of texts; every item must be ``name=value``."""
    out = {}
    for item in items:
        if "=" not in item:
            raise ParameterError(f"argument {item!r} is not of the form name=value "
                                 f"(e.g. alpha=0.05); see `statmech-nn describe {model_cls_name}`")
        key, _, value = item.partition("=")
        key = key.strip()
        if not key.isidentifier():
            raise ParameterError(f"{key!r} is not a parameter name")
        if key in out:
            raise ParameterError(f"parameter {key!r} given twice")
        out[key] = value.strip()
    return out


_TRUE, _FALSE = ("true", "yes", "1", "on"), ("false", "no", "0", "off")


def option_kind(default, allowed):
    """The kind of a structural option from its declared values: ``"integer"``, ``"number"``,
    ``"boolean"``, ``"text"``, or ``"value"`` (mixed kinds: matched by their text).

    Examples
    --------
    >>> option_kind(1, (1, 2, 3)), option_kind("binary", ("binary", "diluted"))
    ('integer', 'text')
    """
    values = [default, *allowed]
    if all(isinstance(v, bool) for v in values):
        return "boolean"
    if all(isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in values):
        return "integer"
    if all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in values):
        return "number"
    if all(isinstance(v, str) for v in values):
        return "text"
    return "value"


def _option_value(model_name, key, text, default, allowed):
    """The text of option ``key`` as a value of its declared kind (membership is checked by the
    model, whose message lists the allowed values)."""
    kind = option_kind(default, allowed)
    choices = ", ".join(map(str, allowed))
    try:
        if kind == "integer":
            return int(text)
        if kind == "number":
            return _number(text, key)
        if kind == "boolean":
            if text.lower() in _TRUE + _FALSE:
                return text.lower() in _TRUE
            raise ValueError
        if kind == "text":
            return text
        return next(v for v in allowed if str(v) == text)
    except (ValueError, StopIteration, ParameterError):
        raise ParameterError(f"option {key}={text!r} of model {model_name!r} must be "
                             f"{'an' if kind == 'integer' else 'a'} {kind}, one of {choices}") from None


def _build_model(name, assignments):
    from .models import model_class
    cls = model_class(name)
    options, params = {}, {}
    for key, text in assignments.items():
        if key in cls.structural_options:
            default, allowed, _ = cls.structural_options[key]
            options[key] = _option_value(name, key, text, default, allowed)
        else:
            params[key] = _number(text, key)
    model = cls(**options)
    model.parameters(**params)   # validates names and ranges before any work
    return model, params


def format_table(header, rows, align=None):
    """Rows of strings as aligned columns (numbers right-aligned), a rule under the header.

    Examples
    --------
    >>> print(format_table(["name", "value"], [["a", "1"], ["long-name", "22"]], align="lr"))
    name      value
    --------- -----
    a             1
    long-name    22
    """
    cells = [list(map(str, header))] + [list(map(str, r)) for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    align = align or "l" * len(header)

    def line(r):
        return " ".join(c.rjust(w) if a == "r" else c.ljust(w)
                        for c, w, a in zip(r, widths, align)).rstrip()

    return "\n".join([line(cells[0]), " ".join("-" * w for w in widths)] + [line(r) for r in cells[1:]])


def _fmt(value, spec=".8g"):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return format(value, spec)


def _point(parameters):
    return ", ".join(f"{k}={v:g}" for k, v in parameters.items())


def _cmd_models(args):
    from .models import available_models, model
    rows = [[name, model(name).title] for name in available_models()]
    print(format_table(["model", "what"], rows))
    return 0


def _cmd_describe(args):
    from .models import model
    print(model(args.model).describe())
    return 0


def _cmd_derive(args):
    from .files import check_output_path
    model, _ = _build_model(args.model, _split_assignments(args.options, args.model))
    if args.latex:
        check_output_path(args.latex, (".tex",), "--latex")
    fe = model.free_energy()
    saddle = fe.saddle_point()
    if args.latex:
        from .export import write_derivation
        write_derivation(model, args.latex)
        print(f"wrote {args.latex}")
    if args.json:
        payload = {"model": model.name,
                   "free_energy": str(fe.expr),
                   "order_parameters": [str(s) for s in fe.order_parameters],
                   "parameters": [str(s) for s in fe.parameters],
                   "equations": {str(k): str(v) for k, v in saddle.equations.items()},
                   "replicon": None if saddle.replicon is None else str(saddle.replicon),
                   "steps": fe.derivation.titles()}
        print(json.dumps(payload, indent=2))
    elif not args.latex:
        import sympy as sp
        print(f"{model.title}: free energy per unit")
        print("  f =", sp.sstr(fe.expr))
        print("saddle point:")
        for k, v in saddle.equations.items():
            print(f"  {k} = {sp.sstr(v)}")
        if saddle.replicon is not None:
            print("replicon (AT) eigenvalue:\n  lambda_R =", sp.sstr(saddle.replicon))
    return 0


def _guess(items, model_name):
    return {k: _number(v, k) for k, v in _split_assignments(items or [], model_name).items()}


def describe_solution(sol):
    """A solution at one point as aligned plain text (what ``statmech-nn solve`` prints)."""
    rows = [[k, _fmt(v, ".10g")] for k, v in sol.order_parameters.items()]
    rows.append(["free energy", _fmt(sol.free_energy, ".12g")])
    rows.append(["converged", f"{_fmt(bool(sol.converged))} (residual {sol.residual:.2g}, "
                              f"{sol.iterations} iterations, {sol.nodes} quadrature nodes)"])
    replicon = sol.replicon
    stability = "" if replicon is None or replicon != replicon else f" (replicon {replicon:.6g})"
    rows.append(["stable", _fmt(bool(sol.stable)) + stability])
    return f"{sol.model} at {_point(sol.parameters)}\n" + format_table(["", "value"], rows)


def _cmd_solve(args):
    model, params = _build_model(args.model, _split_assignments(args.params, args.model))
    guess = _guess(args.guess, args.model)
    solver = model.free_energy().saddle_point().compile()
    sol = solver.solve(guess=guess or None, **params)
    if args.json:
        print(json.dumps(sol.to_dict(), indent=2))
    else:
        print(describe_solution(sol))
    return 0


def _axis_argument(text, flag):
    """``alpha:0:0.2`` -> ("alpha", 0.0, 0.2)."""
    parts = text.split(":")
    if len(parts) != 3 or not parts[0].isidentifier():
        raise ParameterError(f"{flag} {text!r}: expected NAME:LOW:HIGH, e.g. {flag} alpha:0:0.2")
    return parts[0], _number(parts[1], parts[0]), _number(parts[2], parts[0])


def _cmd_phase_diagram(args):
    from .files import check_output_path
    from .phases import phase_diagram
    from .phases.diagram import PhaseDiagram
    model, params = _build_model(args.model, _split_assignments(args.params, args.model))
    x = _axis_argument(args.x, "--x")
    y = _axis_argument(args.y, "--y")
    if args.resolution < 3:
        raise ParameterError(f"--resolution must be at least 3, got {args.resolution}")
    if args.out:
        check_output_path(args.out, PhaseDiagram.SAVE_FORMATS, "--out")
    pd = phase_diagram(model, x, y, resolution=args.resolution, rsb=args.rsb, **params)
    if args.out:
        pd.save(args.out)
    if args.json:
        print(json.dumps(pd.to_dict(), indent=1))
    else:
        print(pd.summary())
        if args.out:
            print(f"wrote {args.out}")
    return 0


def _int_list(text, flag):
    try:
        values = [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise ParameterError(f"{flag} {text!r}: expected whole numbers separated by commas, e.g. "
                             f"{flag} 400,1600") from None
    if not values:
        raise ParameterError(f"{flag} needs at least one value")
    return values


def _number_list(text, key):
    values = [_number(v, key) for v in text.split(",") if v.strip()]
    if not values:
        raise ParameterError(f"{key}: give at least one value, e.g. {key}=0.1,0.2")
    return values


def _mc_settings(args):
    out = {"samples": args.samples, "sweeps": args.sweeps, "burn_in": args.burn_in, "seed": args.seed,
           "dynamics": args.dynamics, "replicas": args.replicas, "init": args.init, "resume": args.resume}
    if args.tempering:
        out["tempering"] = _number_list(args.tempering, "--tempering")
    return out


def _plain(value):
    """JSON-safe: NaN and infinities become None."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _observables(mc):
    return {k: {"mean": v.mean, "stderr": v.stderr, "tau": v.tau} for k, v in mc.items()}


def _cmd_mc(args):
    from .montecarlo import monte_carlo
    model, params = _build_model(args.model, _split_assignments(args.params, args.model))
    N = model.montecarlo_size if args.N is None else args.N
    mc = monte_carlo(model, N=N, progress=not args.json and None, **_mc_settings(args), **params)
    if args.json:
        print(json.dumps(_plain({"model": mc.model, "N": mc.N, "parameters": mc.parameters,
                                 "settings": mc.settings, "info": mc.info,
                                 "observables": _observables(mc), "swap_rates": mc.swap_rates}), indent=2))
        return 0
    print(f"Monte Carlo of {mc.model} at {_point(mc.parameters)}, N = {mc.N}, "
          f"{mc.settings['samples']} sample(s) × {mc.settings['sweeps']} sweeps")
    rows = [[k, f"{v.mean:.6g}", f"{v.stderr:.2g}", f"{v.tau:.3g}"] for k, v in mc.items()]
    print(format_table(["observable", "mean", "stderr", "tau (sweeps)"], rows, align="lrrr"))
    return 0


def _path_argument(items):
    """``["alpha=0.02,0.06", ...]`` -> {"alpha": [0.02, 0.06]}."""
    path = {}
    for key, text in _split_assignments(items, "--path").items():
        path[key] = _number_list(text, key)
    if not path:
        raise ParameterError("--path needs at least one NAME=V1,V2,... (e.g. --path alpha=0.02,0.06,0.1)")
    return path


def _cmd_crosscheck(args):
    from .montecarlo import crosscheck
    model, params = _build_model(args.model, _split_assignments(args.params, args.model))
    path = _path_argument(args.path)
    sizes = _int_list(args.N, "--N")
    cc = crosscheck(model, path, N=sizes, observable=args.observable, guess=_guess(args.guess, args.model) or None,
                    progress=not args.json and None, **_mc_settings(args), **params)
    if args.json:
        print(json.dumps(_plain({"model": cc.model, "observable": cc.observable, "x": cc.x, "rows": cc.rows}),
                         indent=2))
        return 0
    keys = list(cc.points[0])
    rows = []
    for r in cc.rows:
        z = f"{r['z']:+.2f}" if math.isfinite(r["z"]) else "n/a"
        rows.append([f"{r[k]:g}" for k in keys] + [str(r["N"]),
                    f"{r['theory']:.6f}" if r["converged"] else "no solution",
                    f"{r['mean']:.6f}", f"{r['stderr']:.2g}", z])
    print(f"{cc.model}: Monte Carlo against the saddle point, {cc.observable} along {cc.x}")
    print(format_table(keys + ["N", f"theory {cc.observable}", "MC", "stderr", "z"], rows,
                       align="r" * (len(keys) + 5)))
    print("z = (MC - theory) / stderr; n/a where the solver found no solution or MC did not fluctuate")
    return 0


def _cmd_demo(args):
    from .demo import run_demo
    run_demo(args.out)
    return 0


def _add_mc_arguments(d):
    d.add_argument("params", nargs="*", help="parameters and options, e.g. alpha=0.05 T=0.1 pattern=diluted")
    d.add_argument("--samples", type=int, default=4, help="disorder samples (default 4)")
    d.add_argument("--sweeps", type=int, default=1000, help="measurement sweeps per sample (default 1000)")
    d.add_argument("--burn-in", type=int, default=None, help="sweeps before measuring (default sweeps/4)")
    d.add_argument("--seed", type=int, default=0, help="root seed (default 0)")
    d.add_argument("--dynamics", default="metropolis", help="metropolis, heat-bath or rbm")
    d.add_argument("--replicas", type=int, default=2, help="real replicas per sample (default 2: q)")
    d.add_argument("--tempering", metavar="T1,T2,...", help="parallel-tempering temperatures above T")
    d.add_argument("--init", default=None, help="start: pattern or random (default: the model's)")
    d.add_argument("--resume", metavar="FILE", help="journal of finished samples: a rerun continues it")
    d.add_argument("--json", action="store_true", help="machine-readable output")


def _parser():
    p = argparse.ArgumentParser(prog="statmech-nn",
                                description="Replica theory of neural networks: derive, solve, export.")
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("models", help="list the registered models").set_defaults(func=_cmd_models)
    d = sub.add_parser("describe", help="parameters and options of a model")
    d.add_argument("model")
    d.set_defaults(func=_cmd_describe)
    d = sub.add_parser("derive", help="derive the RS free energy and saddle point")
    d.add_argument("model")
    d.add_argument("options", nargs="*", help="structural options, e.g. patterns=2 pattern=diluted")
    d.add_argument("--latex", metavar="FILE", help="write the full derivation as a LaTeX document (.tex)")
    d.add_argument("--json", action="store_true", help="machine-readable output")
    d.set_defaults(func=_cmd_derive)
    s = sub.add_parser("solve", help="solve the saddle-point equations at one point")
    s.add_argument("model")
    s.add_argument("params", nargs="*", help="parameters and options, e.g. alpha=0.05 T=0.1 pattern=diluted")
    s.add_argument("--guess", nargs="*", metavar="NAME=VALUE", help="initial order parameters")
    s.add_argument("--json", action="store_true", help="machine-readable output")
    s.set_defaults(func=_cmd_solve)
    d = sub.add_parser("phase-diagram", help="transition lines and phases in a plane of two parameters")
    d.add_argument("model")
    d.add_argument("params", nargs="*", help="fixed parameters and options, e.g. h=0 patterns=1")
    d.add_argument("--x", required=True, metavar="NAME:LOW:HIGH", help="horizontal axis, e.g. alpha:0:0.2")
    d.add_argument("--y", required=True, metavar="NAME:LOW:HIGH", help="vertical axis, e.g. T:0:1.5")
    d.add_argument("--resolution", type=int, default=25, help="coarse grid points per axis (default 25)")
    d.add_argument("--rsb", type=int, choices=(0, 1), default=0,
                   help="1: add the one-step RSB lines T_s and T_d (needs --y T:LOW:HIGH)")
    d.add_argument("--out", metavar="FILE", help="write the figure (.png/.pdf/.svg) or the data (.json)")
    d.add_argument("--json", action="store_true", help="print the diagram as JSON")
    d.set_defaults(func=_cmd_phase_diagram)
    d = sub.add_parser("mc", help="Monte Carlo of the model at one point (observables with error bars)")
    d.add_argument("model")
    d.add_argument("--N", type=int, default=None, help="number of spins (default: the model's test size)")
    _add_mc_arguments(d)
    d.set_defaults(func=_cmd_mc)
    d = sub.add_parser("crosscheck", help="Monte Carlo against the saddle point along a path")
    d.add_argument("model")
    d.add_argument("--path", nargs="+", required=True, metavar="NAME=V1,V2,...",
                   help="the path, e.g. --path alpha=0.02,0.06,0.1 (several names broadcast together)")
    d.add_argument("--N", default="200,800", metavar="N1,N2,...", help="system sizes (default 200,800)")
    d.add_argument("--observable", default=None, help="order parameter to compare (default: the first)")
    d.add_argument("--guess", nargs="*", metavar="NAME=VALUE", help="initial order parameters of the solver")
    _add_mc_arguments(d)
    d.set_defaults(func=_cmd_crosscheck)
    d = sub.add_parser("demo", help="derive, solve and draw the Hopfield model (what `make demo` runs)")
    d.add_argument("--out", default="out", help="output folder (default: out)")
    d.set_defaults(func=_cmd_demo)
    return p


def main(argv=None):
    args = _parser().parse_args(argv)
    try:
        return args.func(args)
    except ConvergenceError as exc:
        print(f"statmech-nn: no convergence: {exc}", file=sys.stderr)
        return 3
    except StatmechError as exc:
        print(f"statmech-nn: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
