"""Hand-written saddle points used as fixtures by the codegen and solver tests.

They are typed in here (from the literature) only to test the numeric layer independently of the
replica engine; the package itself derives such equations.

References
----------
SK: D. Sherrington and S. Kirkpatrick, PRL 35, 1792 (1975); J. R. L. de Almeida and D. J. Thouless,
J. Phys. A 11, 983 (1978) (replicon).
Hopfield: D. J. Amit, H. Gutfreund and H. Sompolinsky, Ann. Phys. 173, 30 (1987), eqs. (2.16)-(2.18).
"""
import sympy as sp

from statmech_nn.parameters import Parameter, validate_parameters
from statmech_nn.symbolic.averages import DiscreteAverage, GaussianAverage
from statmech_nn.symbolic.free_energy import SaddlePoint


class HandSaddlePoint(SaddlePoint):
    """A typed-in saddle point: its T = 0 limit is whatever a test attaches as ``_zero``."""

    def zero_temperature(self):
        if self.temperature == "zero":
            return self
        if self._zero is None:
            raise NotImplementedError(f"no T = 0 limit attached to {self.model.name!r}")
        return self._zero


class FakeModel:
    def __init__(self, name, specs, guesses):
        self.name = name
        self.parameter_specs = {p.name: p for p in specs}
        self._guesses = guesses

    def default_guess(self, names):
        return {n: self._guesses.get(n, 0.5) for n in names}

    def parameters(self, **values):
        return validate_parameters(self.parameter_specs, values)


def _temperature():
    return Parameter("T", 1.0, "temperature", lower=0.0)


def sk_saddle():
    """SK model with ferromagnetic bias J0 and field h (finite T only)."""
    T = _temperature()
    J0p = Parameter("J0", 0.0, "mean coupling")
    hp = Parameter("h", 0.0, "external field")
    model = FakeModel("sk-handmade", [T, J0p, hp], {"m": 0.5, "q": 0.5})
    beta = sp.Symbol("beta", positive=True)
    m, q = sp.symbols("m q", real=True)
    z = sp.Symbol("z", real=True)
    J0, h = J0p.symbol, hp.symbol
    u = beta * (sp.sqrt(q) * z + J0 * m + h)
    eqs = {m: GaussianAverage(sp.tanh(u), z), q: GaussianAverage(sp.tanh(u) ** 2, z)}
    f = (-beta / 4 * (1 - q) ** 2 + J0 * m ** 2 / 2
         - GaussianAverage(sp.log(2 * sp.cosh(u)), z) / beta)
    replicon = 1 - beta ** 2 * GaussianAverage((1 - sp.tanh(u) ** 2) ** 2, z)
    return HandSaddlePoint(model, eqs, f, (m, q), (beta, J0, h), replicon, derivation=None,
                       beta=beta)


def curie_weiss_saddle():
    """Curie–Weiss ferromagnet: m = tanh(beta (J m + h)), f = J m²/2 - log(2 cosh(beta(J m + h)))/beta."""
    T = _temperature()
    Jp = Parameter("J", 1.0, "coupling")
    hp = Parameter("h", 0.0, "external field")
    model = FakeModel("cw-handmade", [T, Jp, hp], {"m": 0.9})
    beta = sp.Symbol("beta", positive=True)
    m = sp.Symbol("m", real=True)
    J, h = Jp.symbol, hp.symbol
    u = beta * (J * m + h)
    f = J * m ** 2 / 2 - sp.log(2 * sp.cosh(u)) / beta
    return HandSaddlePoint(model, {m: sp.tanh(u)}, f, (m,), (beta, J, h), None, derivation=None,
                       beta=beta)


def hopfield_saddle(patterns=1):
    """AGS Hopfield equations with ``patterns`` condensed patterns (finite T)."""
    T = _temperature()
    ap = Parameter("alpha", 0.05, "load", lower=0.0)
    hp = Parameter("h", 0.0, "field")
    ms = sp.symbols(" ".join(f"m{i + 1}" for i in range(patterns)), real=True, seq=True) \
        if patterns > 1 else (sp.Symbol("m", real=True),)
    model = FakeModel("hopfield-handmade", [T, ap, hp],
                      {**{str(mi): (1.0 if i == 0 else 0.0) for i, mi in enumerate(ms)},
                       "q": 1.0, "r": 1.0})
    beta = sp.Symbol("beta", positive=True)
    q, r = sp.symbols("q r", real=True)
    z = sp.Symbol("z", real=True)
    xis = sp.symbols(" ".join(f"xi{i + 1}" for i in range(patterns)), seq=True)
    alpha, h = ap.symbol, hp.symbol
    field = sum(mi * xi for mi, xi in zip(ms, xis)) + h + sp.sqrt(alpha * r) * z
    t = sp.tanh(beta * field)
    eqs = {mi: DiscreteAverage(xi * GaussianAverage(t, z), xis) for mi, xi in zip(ms, xis)}
    eqs[q] = DiscreteAverage(GaussianAverage(t ** 2, z), xis)
    eqs[r] = q / (1 - beta * (1 - q)) ** 2
    c = 1 - beta * (1 - q)
    f = (alpha / 2 + sum(mi ** 2 for mi in ms) / 2
         + alpha / (2 * beta) * (sp.log(c) - beta * q / c)
         + alpha * beta * r * (1 - q) / 2
         - DiscreteAverage(GaussianAverage(sp.log(2 * sp.cosh(beta * field)), z), xis) / beta)
    order = (*ms, q, r)
    return HandSaddlePoint(model, {x: eqs[x] for x in order}, f, order, (beta, alpha, h), None,
                       derivation=None, beta=beta)


def hopfield_zero_saddle():
    """AGS Hopfield equations at T = 0 (one condensed pattern), with ``C = β(1 - q)``:
    ``m = erf(m/√(2αr))``, ``C = √(2/(παr)) exp(-m²/(2αr))``, ``r = 1/(1 - C)²``.

    Only the equations are used by the tests; ``f`` is a placeholder so that the kernels exist.
    """
    finite = hopfield_saddle(1)
    m, q, r = finite.order_parameters
    C = sp.Symbol("C", real=True)
    beta, alpha, h = finite.parameters
    x = (m + h) / sp.sqrt(2 * alpha * r)
    eqs = {m: sp.erf(x), C: sp.sqrt(2 / (sp.pi * alpha * r)) * sp.exp(-x ** 2), r: 1 / (1 - C) ** 2}
    f = m ** 2 / 2 - m * sp.erf(x)
    return HandSaddlePoint(finite.model, eqs, f, (m, C, r), (alpha, h), None, derivation=None,
                       temperature="zero")
