"""No code from strings: every text that becomes a SymPy expression goes through the restricted parser."""
import pytest
import sympy as sp

from statmech_nn.errors import ParameterError
from statmech_nn.parsing import as_expression, parse_expression


def _exploit(target):
    return f"__import__('os').system('touch {target}')"


def test_the_exploit_of_issue_16_runs_nothing(tmp_path):
    # DilutedPrior("__import__('os').system('touch …')") used to run the command through sympify
    from statmech_nn.symbolic.priors import DilutedPrior, GaussianMixturePrior, GaussianPrior
    target = tmp_path / "pwned"
    for make in (DilutedPrior, GaussianPrior, GaussianMixturePrior, lambda t: GaussianMixturePrior(0.5, t)):
        with pytest.raises(ParameterError, match=r"the call of .* is not allowed; allowed: numbers") as err:
            make(_exploit(target))
        assert "__import__" in str(err.value)
        assert not target.exists()


@pytest.mark.parametrize("make", [
    lambda t: __import__("statmech_nn.expansions", fromlist=["x"]).ScalarTheory({4: t}),
    lambda t: __import__("statmech_nn.expansions", fromlist=["x"]).ScalarTheory(4, propagator=t),
    lambda t: __import__("statmech_nn.expansions", fromlist=["x"]).born_terms(t),
    lambda t: __import__("statmech_nn.expansions", fromlist=["x"]).DiagramSum([(t, None)]),
])
def test_expansions_take_text_through_the_parser(tmp_path, make):
    target = tmp_path / "pwned"
    with pytest.raises(ParameterError, match="is not allowed"):
        make(_exploit(target))
    assert not target.exists()


def test_text_that_is_mathematics_still_works():
    from statmech_nn.symbolic.priors import DilutedPrior, GaussianPrior
    assert DilutedPrior("1/3").d == sp.Rational(1, 3)
    assert DilutedPrior("d").d == sp.Symbol("d")
    assert GaussianPrior("2*v").variance_ == 2 * sp.Symbol("v")
    with pytest.raises(ParameterError, match=r"dilution d = P\(σ = 0\) must lie in \[0, 1\); got 3/2"):
        DilutedPrior("3/2")
    x, beta = sp.symbols("x beta")
    assert parse_expression("exp(-beta*x^2)/sqrt(2*pi) + log(cosh(x))") == \
        sp.exp(-beta * x**2) / sp.sqrt(2 * sp.pi) + sp.log(sp.cosh(x))
    assert parse_expression("1e-3") == sp.Float("0.001") and parse_expression("-(2)") == -2
    assert parse_expression("-x^2") == -x**2 == sp.sympify("-x^2")     # ^ binds like ** (as in SymPy)


@pytest.mark.parametrize("text, culprit", [
    ("x.__class__", "attribute access '.__class__'"),
    ("eval('1')", "the call of 'eval'"),
    ("getattr(x, 'y')", "the call of 'getattr'"),
    ("(lambda: 1)()", "the call of 'lambda: 1'"),
    ("x[0]", "'x[0]' (Subscript)"),
    ("'text'", "the literal 'text'"),
    ("[i for i in x]", "(ListComp)"),
    ("exp(x, base=2)", "keyword or starred arguments of 'exp'"),
    ("_hidden + 1", "the name '_hidden'"),
    ("9**9**9", "a number raised to the power 387420489"),
    ("1 +", "is not a valid expression"),
])
def test_anything_else_is_refused_naming_the_culprit(text, culprit):
    with pytest.raises(ParameterError) as err:
        parse_expression(text, what="the test's text")
    assert culprit in str(err.value) and "the test's text" in str(err.value)


def test_names_from_an_allow_list():
    d = sp.Symbol("d", nonnegative=True)
    assert parse_expression("(1 - d)/2", names={"d": d}) == (1 - d) / 2
    with pytest.raises(ParameterError, match=r"the name 'q' \(names allowed here: d\)"):
        parse_expression("q + d", names={"d": d})


def test_as_expression_takes_numbers_and_sympy_but_not_arbitrary_objects():
    class Sneaky:
        def __str__(self):               # sympify's fallback would parse this text
            return "__import__('os').getcwd()"

    assert as_expression(0.5) == sp.Float(0.5) and as_expression(sp.Symbol("a")) == sp.Symbol("a")
    with pytest.raises(ParameterError, match="must be a number, a SymPy expression or a text"):
        as_expression(Sneaky())
    with pytest.raises(ParameterError, match="must be a number"):
        as_expression(True)
