"""Command line: ``statmech-nn models | describe | derive | solve | phase-diagram | demo``.

Arguments are data: ``key=value`` pairs are checked against the model's parameters and options and
values are parsed as numbers with ``float``/``int``, never evaluated.
"""
from __future__ import annotations

import argparse
import json
import math
import sys

from .errors import ConvergenceError, ParameterError, StatmechError

__all__ = ["main"]


def _number(text, key):
    try:
        value = float(text)
    except ValueError:
        raise ParameterError(f"{key}={text!r}: the value must be a number (e.g. {key}=0.1)") from None
    if not math.isfinite(value):
        raise ParameterError(f"{key}={text!r}: the value must be finite")
    return value


def _split_assignments(items, model_cls_name):
    """``["alpha=0.05", "T=0.1"]`` -> dict; every item must be ``name=number``."""
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


def _build_model(name, assignments):
    from .models import model_class
    cls = model_class(name)
    structural = set(cls.structural_options)
    options, params = {}, {}
    for key, text in assignments.items():
        if key in structural:
            try:
                options[key] = int(text)
            except ValueError:
                raise ParameterError(f"option {key}={text!r} must be an integer") from None
        else:
            params[key] = _number(text, key)
    model = cls(**options)
    model.parameters(**params)   # validates names and ranges before any work
    return model, params


def _cmd_models(args):
    from .models import available_models, model
    for name in available_models():
        print(f"{name:14s} {model(name).title}")
    return 0


def _cmd_describe(args):
    from .models import model
    print(model(args.model).describe())
    return 0


def _cmd_derive(args):
    model, _ = _build_model(args.model, _split_assignments(args.options, args.model))
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


def _cmd_solve(args):
    assignments = _split_assignments(args.params, args.model)
    model, params = _build_model(args.model, assignments)
    guess = {k: _number(v, k) for k, v in _split_assignments(args.guess or [], args.model).items()}
    solver = model.free_energy().saddle_point().compile()
    sol = solver.solve(guess=guess or None, **params)
    if args.json:
        print(json.dumps(sol.to_dict(), indent=2))
    else:
        print(sol)
    return 0


def _axis_argument(text, flag):
    """``alpha:0:0.2`` -> ("alpha", 0.0, 0.2)."""
    parts = text.split(":")
    if len(parts) != 3 or not parts[0].isidentifier():
        raise ParameterError(f"{flag} {text!r}: expected NAME:LOW:HIGH, e.g. {flag} alpha:0:0.2")
    return parts[0], _number(parts[1], parts[0]), _number(parts[2], parts[0])


def _cmd_phase_diagram(args):
    from .phases import phase_diagram
    assignments = _split_assignments(args.params, args.model)
    model, params = _build_model(args.model, assignments)
    x = _axis_argument(args.x, "--x")
    y = _axis_argument(args.y, "--y")
    if args.resolution < 3:
        raise ParameterError(f"--resolution must be at least 3, got {args.resolution}")
    pd = phase_diagram(model, x, y, resolution=args.resolution, **params)
    if args.out:
        pd.save(args.out)
    if args.json:
        print(json.dumps(pd.to_dict(), indent=1))
    else:
        print(pd.summary())
        if args.out:
            print(f"wrote {args.out}")
    return 0


def _cmd_demo(args):
    from .demo import run_demo
    run_demo(args.out)
    return 0


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
    d.add_argument("options", nargs="*", help="structural options, e.g. patterns=2")
    d.add_argument("--latex", metavar="FILE", help="write the full derivation as a LaTeX document")
    d.add_argument("--json", action="store_true", help="machine-readable output")
    d.set_defaults(func=_cmd_derive)
    s = sub.add_parser("solve", help="solve the saddle-point equations at one point")
    s.add_argument("model")
    s.add_argument("params", nargs="*", help="parameters, e.g. alpha=0.05 T=0.1")
    s.add_argument("--guess", nargs="*", metavar="NAME=VALUE", help="initial order parameters")
    s.add_argument("--json", action="store_true", help="machine-readable output")
    s.set_defaults(func=_cmd_solve)
    d = sub.add_parser("phase-diagram", help="transition lines and phases in a plane of two parameters")
    d.add_argument("model")
    d.add_argument("params", nargs="*", help="fixed parameters and options, e.g. h=0 patterns=1")
    d.add_argument("--x", required=True, metavar="NAME:LOW:HIGH", help="horizontal axis, e.g. alpha:0:0.2")
    d.add_argument("--y", required=True, metavar="NAME:LOW:HIGH", help="vertical axis, e.g. T:0:1.5")
    d.add_argument("--resolution", type=int, default=25, help="coarse grid points per axis (default 25)")
    d.add_argument("--out", metavar="FILE", help="write the figure (.png/.pdf/.svg) or the data (.json)")
    d.add_argument("--json", action="store_true", help="print the diagram as JSON")
    d.set_defaults(func=_cmd_phase_diagram)
    d = sub.add_parser("demo", help="derive, solve and draw the Hopfield model (what `make demo` runs)")
    d.add_argument("--out", default="out", help="output directory (default: out)")
    d.set_defaults(func=_cmd_demo)
    return p


def main(argv=None):
    args = _parser().parse_args(argv)
    try:
        return args.func(args)
    except ConvergenceError as exc:
        print(f"statmech-nn: no convergence: {exc}", file=sys.stderr)
        return 3
    except (ParameterError, StatmechError) as exc:
        print(f"statmech-nn: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
