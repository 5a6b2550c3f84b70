"""How the engine's expressions are written for people: LaTeX through SymPy's printer hooks.

* :class:`Tex` — a placeholder symbol (a sum over sites, ``-\\beta H(\\sigma^a)``, ...) that carries its
  LaTeX in a ``_latex`` hook, so SymPy never splits it at ``_``/``^`` as it does symbol names; its name is
  plain text (what ``str`` and the plain-text Jupyter view show).
* :func:`tidy` — the display form of an engine expression, ordered and factored as physicists write it
  (``1 - \\beta(1 - q)`` for ``\\beta q - \\beta + 1``, common factors out), with :func:`checked_tidy`
  verifying that it is the same expression (the engine's own expression is returned otherwise).
* :func:`latex` — the package's LaTeX printer (``m_a``, ``q_{ab}`` for replica-indexed order parameters,
  terms in the display form's order, long fractions as ``\\frac{1}{\\beta}\\langle\\cdots\\rangle``).
* :func:`tex_width`, :func:`split_sum` — the printed width of LaTeX and a sum broken per term into lines
  that fit the page.
"""
from __future__ import annotations

import re

import sympy as sp
from sympy.printing.latex import LatexPrinter

__all__ = ["Tex", "DisorderAverage", "tidy", "checked_tidy", "same_expression", "latex", "tex_width", "split_sum", "display_lines"]


def _plain(tex):
    """Plain-text version of a LaTeX fragment (the :class:`Tex` symbol's name)."""
    text = re.sub(r"\\(?:left|right|Big|big|displaystyle|mathrm|mathbb|mathcal|operatorname)\b", "", tex)
    text = re.sub(r"\\[,;:!]|\\ |~", " ", text)
    text = re.sub(r"\\([A-Za-z]+)", r" \1", text)
    text = text.replace("{", "").replace("}", "").replace("\\", "")
    text = re.sub(r"\s*([_^])\s*", r"\1", text)
    return re.sub(r"\s+", " ", text).strip() or tex


class Tex(sp.Symbol):
    """A symbol that prints as a fixed LaTeX fragment.

    The LaTeX is returned by the ``_latex`` printer hook (so ``sympy.latex``, Jupyter and this package's
    printer all show it as written); the symbol's name is a plain-text rendering of it. Two ``Tex``
    symbols are equal when their LaTeX and assumptions are; a ``Tex`` is never equal to a plain
    :class:`sympy.Symbol`.

    Examples
    --------
    >>> import sympy as sp
    >>> h = sp.Symbol("h")
    >>> sp.latex(-h * Tex(r"\\sum_i\\sigma_i"))
    '- h \\\\sum_i\\\\sigma_i'
    """

    __slots__ = ("tex",)

    def __new__(cls, tex, name=None, **assumptions):
        obj = sp.Symbol.__xnew__(cls, name or _plain(tex), **assumptions)
        obj.tex = str(tex)
        return obj

    def __getnewargs_ex__(self):
        return (self.tex, self.name), self.assumptions0

    def _hashable_content(self):
        return super()._hashable_content() + (self.tex,)

    def _latex(self, printer):
        return self.tex

    def _sympystr(self, printer):
        return self.name


class DisorderAverage(sp.Function):
    """The unevaluated average ``E_x[expr]`` over quenched disorder (or patterns ``x``), as the engine
    writes it in a derivation step: ``DisorderAverage(expr)`` or ``DisorderAverage(expr, x)``; printed
    ``\\mathbb{E}_x\\, expr``."""

    nargs = (1, 2)

    def _latex(self, printer):
        arg = printer._print(self.args[0])
        if self.args[0].is_Add or self.args[0].is_Mul:
            arg = r"\left[%s\right]" % arg
        sub = "_{%s}" % printer._print(self.args[1]) if len(self.args) > 1 else ""
        return r"\mathbb{E}%s\, %s" % (sub, arg)

    def _sympystr(self, printer):
        return "E[%s]" % ", ".join(printer._print(a) for a in self.args)


# ---------------------------------------------------------------------------------------------------
# display forms

def _is_average(e):
    from .averages import GaussianAverage
    return any(isinstance(a, GaussianAverage) or type(a).__name__.endswith("Average")
               for a in sp.preorder_traversal(e))


def _bucket(term):
    """Physicists' order of the terms of a sum: numbers, monomials, other functions, averages."""
    if term.is_number:
        return 0
    if _is_average(term):
        return 3
    if term.atoms(sp.Function) or any(isinstance(a, sp.Pow) and a.exp.is_negative and a.base.is_Add
                                      for a in sp.preorder_traversal(term)):
        return 2
    return 1


def _merge_pairs(terms):
    """Merge ``t`` and ``-t s`` (``s`` a single symbol power) into ``t (1 - s)``: ``αβr/2 - αβqr/2`` →
    ``αβr(1 - q)/2``, ``-β + βq`` → ``-β(1 - q)``."""
    terms = list(terms)
    merged = True
    while merged:
        merged = False
        for i in range(len(terms)):
            for j in range(len(terms)):
                if i == j:
                    continue
                a, b = terms[i], terms[j]
                if a.is_number or b.is_number:
                    continue   # a constant stays alone: 1 - β(1 - q), not (1 - β) + βq
                ratio = _symbol_power_ratio(a, b)
                if ratio is None:
                    continue
                inner = sp.Add(sp.S.One, -ratio, evaluate=False)
                new = sp.Mul(*sp.Mul.make_args(a), inner)
                terms = [t for k, t in enumerate(terms) if k not in (i, j)] + [new]
                merged = True
                break
            if merged:
                break
    return terms


def _symbol_power_ratio(a, b):
    """``−b/a`` when it is a positive integer power of one symbol, else None. ``a``, ``b`` are monomials
    (no sums, no functions), so the ratio is read off their powers: no ``cancel`` per pair."""
    ca, ma = a.as_coeff_Mul()
    cb, mb = b.as_coeff_Mul()
    if cb != -ca:
        return None
    pa, pb = ma.as_powers_dict(), mb.as_powers_dict()
    diff = [(k, pb.get(k, 0) - pa.get(k, 0)) for k in set(pa) | set(pb)]
    diff = [(k, e) for k, e in diff if e != 0]
    if len(diff) != 1:
        return None
    base, exp = diff[0]
    return base ** exp if base.is_Symbol and exp.is_Integer and exp > 0 else None


def _tidy_add(expr):
    terms = [tidy(t) for t in expr.as_ordered_terms()]
    polynomial = [t for t in terms if _bucket(t) <= 1 and not t.has(sp.Add)]
    others = [t for t in terms if not (_bucket(t) <= 1 and not t.has(sp.Add))]
    terms = _merge_pairs(polynomial) + others
    terms.sort(key=_bucket)   # stable: SymPy's order within a bucket
    if len(terms) == 2 and terms[0].is_number and terms[0].is_negative and not terms[1].could_extract_minus_sign():
        terms.reverse()       # n - 1, not -1 + n
    if len(terms) == 1:
        return terms[0]
    return sp.Add(*terms, evaluate=False)


def _tidy_mul(expr):
    coeff = sp.S.One
    factors = []
    for f in expr.args:
        if f.is_Pow and f.base.is_Add and f.exp.is_Integer:
            content, prim = f.base.as_content_primitive()
            if content != 1 and content.is_Rational:
                coeff *= content ** f.exp
                f = sp.Pow(prim, f.exp)
            factors.append(sp.Pow(tidy(f.base), f.exp, evaluate=False) if f.is_Pow else tidy(f))
        elif f.is_Add:
            content, prim = f.as_content_primitive()
            if content != 1 and content.is_Rational:
                coeff *= content
                f = prim
            factors.append(tidy(f))
        else:
            factors.append(tidy(f))
    return sp.Mul(coeff, *factors)


def tidy(expr):
    """The display form of ``expr``: the same expression, with sums ordered as physicists write them
    (constants, monomials, functions, averages), ``t - t s`` written ``t(1 - s)`` and numeric contents
    of sums moved out (``2βq - 2β + 2`` → ``2(1 - β(1 - q))``). Sums are unevaluated, so the printer
    keeps this order; :func:`checked_tidy` verifies the result."""
    expr = sp.sympify(expr)
    if isinstance(expr, sp.Equality):
        return sp.Eq(tidy(expr.lhs), tidy(expr.rhs), evaluate=False)
    if expr.is_Atom or isinstance(expr, (sp.Indexed, sp.IndexedBase)):
        return expr
    if expr.is_Add:
        return _tidy_add(expr)
    if expr.is_Mul:
        return _tidy_mul(expr)
    if expr.is_Pow:
        base = expr.base
        if base.is_Add and expr.exp.is_Integer:
            content, prim = base.as_content_primitive()
            if content != 1 and content.is_Rational:
                return sp.Mul(content ** expr.exp, sp.Pow(tidy(prim), expr.exp, evaluate=False),
                              evaluate=False)
        return sp.Pow(tidy(base), tidy(expr.exp), evaluate=False)
    try:
        return expr.func(*[tidy(a) for a in expr.args], evaluate=False)
    except TypeError:
        try:
            return expr.func(*[tidy(a) for a in expr.args])
        except Exception:   # a node that cannot be rebuilt from its arguments: shown as it is
            return expr


def _evaluate(expr):
    """Rebuild ``expr`` bottom up with SymPy's automatic evaluation (undoes ``evaluate=False``)."""
    if not isinstance(expr, sp.Basic) or not expr.args or isinstance(expr, (sp.Indexed, Tex)):
        return expr
    try:
        return expr.func(*[_evaluate(a) for a in expr.args])
    except Exception:
        return expr


def same_expression(shown, expr):
    """``True`` when the displayed form ``shown`` is the expression ``expr``: structurally after
    re-evaluation, or when ``expand`` of the difference is 0."""
    expr = sp.sympify(expr)
    if isinstance(expr, sp.Equality):
        return (isinstance(shown, sp.Equality) and same_expression(shown.lhs, expr.lhs)
                and same_expression(shown.rhs, expr.rhs))
    value = _evaluate(shown)
    if value == expr:
        return True
    if sp.count_ops(expr) > 300:
        return False   # too large to expand quickly: such an expression is shown as the engine wrote it
    try:
        diff = value - expr
        # (no simplify: on the learning models' expressions it can take minutes; a form that expand
        # cannot confirm is not shown)
        return sp.expand(diff) == 0
    except Exception:
        return False


def checked_tidy(expr):
    """:func:`tidy` of ``expr`` when it is verified equal to ``expr`` (:func:`same_expression`);
    otherwise ``expr`` itself."""
    if not isinstance(expr, sp.Basic):
        return expr
    shown = tidy(expr)
    return shown if same_expression(shown, expr) else expr


# ---------------------------------------------------------------------------------------------------
# the printer

def _heavy(factor):
    """A factor written after a fraction rather than in its numerator: a function or an average (or a
    positive power of one)."""
    if factor.is_Pow:
        return factor.exp.is_positive and _heavy(factor.base)
    return isinstance(factor, sp.Function) or _is_average(factor)


class PhysicsLatexPrinter(LatexPrinter):
    """SymPy's LaTeX printer with the package's conventions: terms in the order of the expression
    (the display form's order), replica indices as ``q_{ab}``, long fractions split as
    ``\\frac{1}{\\beta}\\langle\\cdots\\rangle``, ``\\det``."""

    def _print_Mul(self, expr):
        # a fraction times functions or averages: \frac{\alpha}{2\beta}\log(...), -\frac{1}{\beta}\langle...\rangle
        if isinstance(expr, sp.Mul) and sp.fraction(expr)[1] != 1:
            heavy = [f for f in expr.args if _heavy(f)]
            sums = any((f.is_Pow and f.base.is_Add and f.exp.is_positive) or f.is_Add for f in expr.args)
            if heavy and len(heavy) < len(expr.args) and not sums:
                light = sp.Mul(*[f for f in expr.args if not _heavy(f)])
                tail = " ".join(self._print(h) for h in heavy)
                if light == 1:
                    return tail
                if light == -1:
                    return "- " + tail
                return self._print(light) + " " + tail
        return super()._print_Mul(expr)

    def _print_Add(self, expr, order=None):
        # a sum keeps the order of its terms (the display form's; SymPy's canonical order, constants
        # first, for an evaluated sum); factors of a product are still ordered by the printer
        return super()._print_Add(expr, order="none")

    def _print_Indexed(self, expr):
        base = self._print(expr.base.label)
        indices = [self._print(i) for i in expr.indices]
        sep = "" if all(len(i) == 1 for i in indices) else ","
        m = re.fullmatch(r"(.*)_\{([^{}]*)\}", base)
        if m and "_" not in m.group(1):   # R_1 with replica a: R_{1,a}
            return "%s_{%s,%s}" % (m.group(1), m.group(2), sep.join(indices))
        if "_" in base or "^" in base:
            base = "{{" + base + "}}"
        return "%s_{%s}" % (base, sep.join(indices))

    def _print_Symbol(self, expr, style="plain"):
        # conjugates named x_hat (q_hat, q_hat_2, q_star_hat_2) print as \hat{x}
        m = re.fullmatch(r"([A-Za-z]+)((?:_star)?)_hat(?:_(\w+))?", expr.name)
        if m and type(expr) is sp.Symbol:
            base = self._print(sp.Symbol(m.group(1)))
            text = r"\hat{%s}" % base
            sub = ",".join(x for x in ("*" if m.group(2) else "", m.group(3) or "") if x)
            if m.group(2) and m.group(3):
                sub = m.group(3) + "*"
            return text + ("_{%s}" % sub if sub else "")
        return super()._print_Symbol(expr, style=style)

    def _print_MatAdd(self, expr):
        args = sorted(expr.args, key=lambda t: not isinstance(t, sp.Identity))   # 1 - \beta Q
        out = ""
        for k, t in enumerate(args):
            text = self._print(t)
            if text.startswith("-"):
                out += (" - " if k else "- ") + text[1:].lstrip()
            else:
                out += (" + " if k else "") + text
        return out

    def _print_Determinant(self, expr):
        return r"\det\left(%s\right)" % self._print(expr.arg)

    def _print_Identity(self, expr):
        return "1"


def latex(expr, display=True, **settings):
    """LaTeX of ``expr`` (an expression, an equation or a LaTeX string, returned as it is); with
    ``display`` its verified display form (:func:`checked_tidy`) is printed."""
    if isinstance(expr, str):
        return expr
    if display:
        expr = checked_tidy(expr)
    return PhysicsLatexPrinter(settings).doprint(expr)


# ---------------------------------------------------------------------------------------------------
# widths and line breaks

_NAMED = re.compile(r"(log|cosh|sinh|tanh|exp|erf|erfc|operatorname|det|lim|max|min|extr|sum|int|prod|mathrm|"
                    r"mathbb|mathcal|text)$")


def _group(tex, i):
    """The brace group starting at ``tex[i] == '{'``: (content, index after it)."""
    depth = 0
    for j in range(i, len(tex)):
        if tex[j] == "{":
            depth += 1
        elif tex[j] == "}":
            depth -= 1
            if depth == 0:
                return tex[i + 1:j], j + 1
    return tex[i + 1:], len(tex)


def tex_width(tex):
    """Approximate printed width of math LaTeX in units of an average character (fractions count
    their wider part, scripts 0.7, ``\\left``/``\\right`` nothing)."""
    w, i = 0.0, 0
    while i < len(tex):
        c = tex[i]
        if c == "\\":
            m = re.match(r"\\([A-Za-z]+|.)", tex[i:])
            cmd = m.group(1)
            i += len(m.group(0))
            if cmd in ("left", "right", "displaystyle", "nonumber", "quad", "qquad"):
                w += {"quad": 2, "qquad": 4}.get(cmd, 0)
                if cmd in ("left", "right") and i < len(tex):
                    i += 1 if tex[i] != "\\" else len(re.match(r"\\([A-Za-z]+|.)", tex[i:]).group(0))
                    w += 0.6
                continue
            if cmd in ("frac", "dfrac", "tfrac"):
                a, i = _group(tex, i)
                b, i = _group(tex, i)
                w += max(tex_width(a), tex_width(b)) * (1 if cmd != "tfrac" else 0.7) + 0.5
                continue
            if cmd in ("mathrm", "operatorname", "text", "mathbb", "mathcal", "textrm"):
                a, i = _group(tex, i) if i < len(tex) and tex[i] == "{" else ("x", i)
                w += len(a) * 0.8
                continue
            if cmd in (",", ";", ":", "!", " "):
                w += 0.3
                continue
            w += 0.8 * len(cmd) if _NAMED.match(cmd) else 1.2
            continue
        if c in "^_":
            i += 1
            if i < len(tex) and tex[i] == "{":
                a, i = _group(tex, i)
                w += 0.7 * tex_width(a)
            elif i < len(tex) and tex[i] == "\\":
                m = re.match(r"\\([A-Za-z]+|.)", tex[i:])
                i += len(m.group(0))
                w += 0.8
            else:
                i += 1
                w += 0.7
            continue
        if c in "{} &":
            i += 1
            continue
        w += 1.8 if c in "+-=<>" else 1.0
        i += 1
    return w


def _signed_terms(expr):
    """LaTeX of each term of a sum with its sign: ``["\\frac{\\alpha}{2}", "- \\beta q", ...]``."""
    terms = list(expr.args) if isinstance(expr, sp.Add) else [expr]
    out = []
    for k, t in enumerate(terms):
        if t.could_extract_minus_sign():
            text = "- " + latex(-t, display=False)
        else:
            text = ("+ " if k else "") + latex(t, display=False)
        out.append(text)
    return out


def _distributed(term):
    """``c (a + b)`` as ``[c a, c b]`` when ``term`` is a product with one sum in its numerator (to
    break a long product between lines); otherwise ``[term]``."""
    if not term.is_Mul:
        return [term]
    sums = [f for f in term.args if f.is_Add]
    if len(sums) != 1:
        return [term]
    rest = sp.Mul(*[f for f in term.args if f is not sums[0]])
    return [checked_tidy(rest * t) for t in sums[0].args]


def split_sum(lhs, expr, width=80, first_indent=0):
    """``lhs = expr`` as lines for a ``split``/``align``: the sum broken between terms so each line
    stays under ``width`` characters (see :func:`tex_width`). Returns ``[line, ...]`` with the ``&``
    alignment point before the ``=`` of the first line; continuation lines start with ``&\\quad``."""
    lhs_tex = latex(lhs) if not isinstance(lhs, str) else lhs
    shown = checked_tidy(expr)
    room = width - tex_width(lhs_tex) - 2 - first_indent
    terms = list(shown.args) if isinstance(shown, sp.Add) else [shown]
    if any(tex_width(latex(t, display=False)) > room for t in terms):
        terms = [piece for t in terms
                 for piece in (_distributed(t) if tex_width(latex(t, display=False)) > room else [t])]
        shown = sp.Add(*terms, evaluate=False) if len(terms) > 1 else terms[0]
    pieces = _signed_terms(shown)
    lines, current = [], ""
    for piece in pieces:
        trial = (current + " " + piece).strip()
        if current and tex_width(trial) > room:
            lines.append(current)
            current = piece
            room = width - tex_width(lhs_tex) - 2 - 2
        else:
            current = trial
    if current:
        lines.append(current)
    out = ["%s &= %s" % (lhs_tex, lines[0])]
    out += ["&\\quad " + line for line in lines[1:]]
    return out


def display_lines(lhs, expr, width=80):
    """``lhs = expr`` as ``align`` lines that fit ``width``: broken between terms
    (:func:`split_sum`), and, where single terms are still too wide, with repeated subexpressions named
    ``u_1, u_2, ...`` (SymPy's ``cse``) and defined on the lines after it."""
    lines = split_sum(lhs, expr, width)
    if all(tex_width(line) <= width + 4 for line in lines) or not isinstance(expr, sp.Basic):
        return lines
    names = (Tex("u_{%d}" % k, "u%d" % k) for k in range(1, 1000))
    source = _evaluate(expr)
    try:
        replacements, (reduced,) = sp.cse(source, symbols=names, optimizations=None)
    except Exception:
        return lines
    if not replacements:
        return lines
    back = reduced
    for sym, sub in reversed(replacements):
        back = back.xreplace({sym: sub})
    back = _evaluate(back)
    if back != source and sp.expand(back - source) != 0:   # substituted back, it is expr
        return lines
    out = split_sum(lhs, reduced, width)
    for sym, sub in replacements:
        out += split_sum(sym, sub, width)
    return out
