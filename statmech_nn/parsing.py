"""Text to SymPy without running code: a restricted parser of mathematical expressions.

``sympy.sympify("...")`` evaluates its argument as Python (``sympify("__import__('os').system(...)")``
runs the command). Every text a user gives that becomes a SymPy expression goes through
:func:`parse_expression` instead: the text is parsed by Python's :mod:`ast` (parsing runs nothing) and
the tree is translated node by node, accepting only

- numbers (integers, decimals, ``1e-3``), ``+ - * / **`` (and ``^`` for a power, as in SymPy),
  unary ``+``/``-``, parentheses;
- names from an allow-list: the ``names`` given by the caller, or by default any plain identifier
  (letters, digits, underscores, not starting with an underscore) as a SymPy ``Symbol``, and the
  constants ``pi``, ``E``;
- calls of the functions in :data:`FUNCTIONS` (``exp``, ``log``, ``sqrt``, ``cosh``, ``tanh`` ...)
  with positional arguments.

Anything else (attribute access, subscripts, keywords, strings, lambdas, comprehensions, calls of
other names) raises :class:`~statmech_nn.errors.ParameterError` naming the piece of text and what is
allowed. :func:`as_expression` takes user input that may be a text or already a number/SymPy object.
"""
from __future__ import annotations

import ast
import numbers
import operator
import re

import sympy as sp

from .errors import ParameterError

__all__ = ["parse_expression", "as_expression", "FUNCTIONS", "CONSTANTS"]

#: functions a text may call
FUNCTIONS = {
    "exp": sp.exp, "log": sp.log, "sqrt": sp.sqrt, "Abs": sp.Abs, "abs": sp.Abs, "sign": sp.sign,
    "cosh": sp.cosh, "sinh": sp.sinh, "tanh": sp.tanh, "sech": sp.sech,
    "cos": sp.cos, "sin": sp.sin, "tan": sp.tan, "atan": sp.atan, "asinh": sp.asinh, "atanh": sp.atanh,
    "erf": sp.erf, "erfc": sp.erfc, "gamma": sp.gamma,
    "Max": sp.Max, "Min": sp.Min, "Rational": sp.Rational,
}

#: constants a text may name
CONSTANTS = {"pi": sp.pi, "E": sp.E}

#: the largest exponent of a number: ``9**9**9`` would take SymPy minutes and gigabytes
MAX_EXPONENT = 10_000


def _power(base, exponent):
    if base.is_number and exponent.is_number and abs(exponent) > MAX_EXPONENT:
        raise ValueError(f"a number raised to the power {exponent} (at most {MAX_EXPONENT})")
    return base**exponent


_BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
           ast.Pow: _power}
_UNARY = {ast.UAdd: operator.pos, ast.USub: operator.neg}
_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
MAX_LENGTH = 2000


def parse_expression(text, names=None, what="expression"):
    """The SymPy expression written in ``text``, parsed without evaluating any code.

    Parameters
    ----------
    text : str
    names : dict or iterable of str, optional
        The names the text may use: a dict ``name -> SymPy object`` or names that become plain
        ``Symbol``\\ s. Default: any identifier not starting with ``_`` becomes a ``Symbol``.
    what : str
        What the text is, for messages (e.g. ``"DilutedPrior: the dilution d"``).

    Raises
    ------
    ParameterError
        Syntax errors and anything outside the grammar above, naming the culprit.

    Examples
    --------
    >>> parse_expression("(1 - d)/2 + exp(-x**2)") == (1 - sp.Symbol("d"))/2 + sp.exp(-sp.Symbol("x")**2)
    True
    >>> parse_expression("__import__('os').system('true')")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    statmech_nn.errors.ParameterError: expression "__import__('os').system('true')": the call of ... is not allowed; ...
    """
    if not isinstance(text, str):
        raise ParameterError(f"{what} must be a text, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ParameterError(f"{what}: the text is {len(text)} characters long; at most {MAX_LENGTH}")
    if isinstance(names, dict):
        table = dict(names)
    elif names is not None:
        table = {n: sp.Symbol(n) for n in names}
    else:
        table = None
    allowed = ("numbers, + - * / ** ^, names, and the functions " + ", ".join(FUNCTIONS))
    quoted = f"{what} {text!r}" if "'" not in text else f'{what} "{text}"'

    def refuse(why):
        return ParameterError(f"{quoted}: {why} is not allowed; allowed: {allowed}")

    # ``^`` is a power with the precedence of ``**`` (as in SymPy): replaced before parsing, since
    # Python's ``^`` binds more loosely than ``*`` and ``-`` (a string literal holding it is refused anyway)
    source = text.strip().replace("^", "**")
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        raise ParameterError(f"{quoted} is not a valid expression ({exc.msg}); allowed: {allowed}") from None
    except (ValueError, RecursionError, MemoryError) as exc:
        raise ParameterError(f"{quoted} is not a valid expression ({type(exc).__name__})") from None

    def name(node_id):
        if table is not None and node_id in table:
            return table[node_id]
        if node_id in CONSTANTS:
            return CONSTANTS[node_id]
        if table is None and _IDENTIFIER.match(node_id) and node_id not in FUNCTIONS:
            return sp.Symbol(node_id)
        known = sorted(table) if table is not None else None
        hint = f" (names allowed here: {', '.join(known) or 'none'})" if known is not None else \
            " (names must start with a letter)"
        raise refuse(f"the name {node_id!r}{hint}")

    def build(node):
        if isinstance(node, ast.Expression):
            return build(node.body)
        if isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise refuse(f"the literal {value!r}")
            return sp.Integer(value) if isinstance(value, int) else sp.Float(ast.get_source_segment(
                source, node) or repr(value))
        if isinstance(node, ast.Name):
            return name(node.id)
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            left, right = build(node.left), build(node.right)
            try:
                return _BINARY[type(node.op)](left, right)
            except ValueError as exc:
                raise refuse(str(exc)) from None
        if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
            return _UNARY[type(node.op)](build(node.operand))
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
                called = node.func.id if isinstance(node.func, ast.Name) else ast.unparse(node.func)
                raise refuse(f"the call of {called!r}")
            if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
                raise refuse(f"keyword or starred arguments of {node.func.id!r}")
            try:
                return FUNCTIONS[node.func.id](*(build(a) for a in node.args))
            except (TypeError, ValueError) as exc:
                raise ParameterError(f"{quoted}: {node.func.id}(...) {exc}") from None
        if isinstance(node, ast.Attribute):
            raise refuse(f"attribute access '.{node.attr}'")
        raise refuse(f"'{ast.unparse(node)}' ({type(node).__name__})")

    try:
        return build(tree)
    except RecursionError:
        raise ParameterError(f"{quoted} is nested too deeply") from None


def as_expression(value, names=None, what="value"):
    """User input as a SymPy object: a text through :func:`parse_expression`; a SymPy object as is;
    a real number (int, float, numpy scalar, Fraction) converted exactly as SymPy does. Anything
    else raises ParameterError (no ``str()`` fall-back that would reach ``sympify``'s evaluator).

    Examples
    --------
    >>> as_expression("1/3"), as_expression(0.25), as_expression(2)
    (1/3, 0.250000000000000, 2)
    """
    if isinstance(value, str):
        return parse_expression(value, names, what)
    if isinstance(value, sp.Basic):
        return value
    if isinstance(value, bool) or not isinstance(value, numbers.Number):
        raise ParameterError(f"{what} must be a number, a SymPy expression or a text, got {value!r}")
    try:
        return sp.sympify(value, strict=True)
    except sp.SympifyError:
        raise ParameterError(f"{what} must be a real number or a SymPy expression, got {value!r}") from None
