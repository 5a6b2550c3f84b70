"""Building blocks of a model declaration (:func:`statmech_nn.declare`, :func:`statmech_nn.declare_learning`).

A block is a small declarative object: it names the model parameters it uses (a string names a
parameter, checked like any other; a number is a constant) and builds the engine's object for the part
it declares. Nothing here knows a free energy: the replica engine derives it from the blocks.

Laws (units, pattern entries, weights)
    :class:`Ising` (±1), :class:`Binary` (±1 patterns), :class:`Binary01` ({0, 1} units),
    :class:`Gaussian`, :class:`Spherical`, :class:`Discrete`, :class:`Diluted`, :class:`Biased`,
    :class:`SoftSpin`.
Terms of a Hamiltonian (energy conventions as the registry's)
    :class:`Ferromagnetic` (``J0/N``; magnetisation ``M``), :class:`GaussianCouplings` (variance
    ``J² p!/(2N^{p−1})``; glass order parameter ``q``), :class:`Hebbian` (overlaps ``m`` or ``m_1..m_K``,
    ``q``, AGS conjugate ``r``), :class:`Field`, :class:`Bipartite` (a hidden layer, ``q`` and ``p``).
Learning
    losses :class:`ErrorCount`, :class:`SquareLoss`; channels :class:`Sign`, :class:`Threshold`,
    :class:`Linear`, :class:`ReLU`; :class:`Teacher`; the term :class:`Examples` that
    :func:`statmech_nn.declare_learning` builds from them.

Examples
--------
>>> import statmech_nn as snn
>>> from statmech_nn import blocks as B
>>> m = snn.declare("hopfield-ferro", units=B.Ising(),
...                 terms=[B.Hebbian("alpha"), B.Ferromagnetic("J0"), B.Field("h")])
>>> [str(x) for x in m.free_energy().order_parameters]
['m', 'M', 'q', 'r']
"""
from __future__ import annotations

import keyword
import math
import numbers

from .errors import ParameterError

__all__ = ["Block", "Ising", "Binary", "Binary01", "Gaussian", "Spherical", "Discrete", "Diluted", "Biased",
           "SoftSpin", "Ferromagnetic", "GaussianCouplings", "Hebbian", "Field", "Bipartite",
           "ErrorCount", "SquareLoss", "Sign", "Threshold", "Linear", "ReLU", "Teacher", "Examples", "ROLES"]

#: what a parameter of each role is: default, bounds (lower, upper, open_lower, open_upper), doc
ROLES = {
    "load": (0.05, (0.0, math.inf, False, False), "load (patterns or examples per unit)"),
    "coupling": (1.0, (-math.inf, math.inf, False, False), "ferromagnetic coupling (times N)"),
    "coupling strength": (1.0, (0.0, math.inf, True, False), "standard deviation of the couplings"),
    "field": (0.0, (-math.inf, math.inf, False, False), "uniform external field"),
    "dilution": (0.2, (0.0, 1.0, False, True), "dilution P(xi = 0)"),
    "bias": (0.2, (-1.0, 1.0, True, True), "bias: P(xi = ±1) = (1 ± a)/2"),
    "variance": (1.0, (0.0, math.inf, True, False), "variance"),
    "probability": (0.5, (0.0, 1.0, False, False), "probability"),
    "potential": (1.0, (-math.inf, math.inf, False, False), "coefficient of the soft-spin potential"),
    "margin": (0.0, (-math.inf, math.inf, False, False), "margin (stability) kappa"),
    "flip": (0.1, (0.0, 0.5, False, False), "probability that the teacher's label is flipped"),
    "noise": (0.5, (0.0, math.inf, True, False), "variance of the Gaussian output noise"),
}

#: names the engine uses itself
RESERVED = {"T", "beta", "n", "N", "z", "q", "r", "m", "M", "R", "x", "t", "lambda", "C"}


def _check_ref(value, what, role):
    """A parameter reference: a name (string) or a finite real number."""
    if isinstance(value, str):
        if not value.isidentifier() or keyword.iskeyword(value) or value.startswith("_"):
            raise ParameterError(f"{what}: parameter name {value!r} must be a plain identifier "
                                 "(letters, digits, underscore; not starting with '_')")
        if value in RESERVED:
            raise ParameterError(f"{what}: {value!r} is a name the engine uses itself "
                                 f"({', '.join(sorted(RESERVED))}); choose another parameter name")
        return value
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise ParameterError(f"{what}: expected a parameter name (a string) or a finite real number, got "
                             f"{value!r}")
    lo, hi, open_lo, open_hi = ROLES[role][1]
    if value < lo or value > hi or (open_lo and value == lo) or (open_hi and value == hi):
        raise ParameterError(f"{what} = {value} is out of range: a {role} must lie in "
                             f"{'(' if open_lo else '['}{lo}, {hi}{')' if open_hi else ']'}")
    return value


class Block:
    """Base of every block: its parameter references with their roles (``{name: role}``)."""

    #: (attribute, role) of the references the block holds
    _refs = ()

    def parameters(self):
        """``{parameter name: role}`` of the parameters this block (and the blocks inside it) use."""
        out = {}
        for attribute, role in self._refs:
            value = getattr(self, attribute)
            if isinstance(value, str):
                out[value] = role
        for child in self._children():
            for name, role in child.parameters().items():
                if name in out and out[name] != role:
                    raise ParameterError(f"parameter {name!r} is used as a {out[name]} and as a {role}")
                out[name] = role
        return out

    def _children(self):
        return ()

    def describe(self):
        """A phrase for the derivation's Hamiltonian step."""
        return getattr(self, "label", None) or repr(self)

    def sampler(self):
        """A plain description (dict of numbers, strings and lists; parameter names stay names) from
        which :mod:`statmech_nn.montecarlo` builds this block's part of the sampler, or ``None`` where no
        sampler exists for it."""
        return None

    def __repr__(self):
        args = ", ".join(f"{a}={getattr(self, a)!r}" for a, _ in self._refs)
        return f"{type(self).__name__}({args})"


def _resolve(value, symbols):
    import sympy as sp
    return symbols[value] if isinstance(value, str) else sp.nsimplify(value) if isinstance(value, int) \
        else sp.Float(value)


# -- laws ----------------------------------------------------------------------------------------

class Law(Block):
    """A law of a unit, a pattern entry or a weight; each subclass says which uses it allows."""

    def prior(self, symbols):
        raise ParameterError(f"{self!r} is not a law of units; units are Ising(), Binary01(), Gaussian(), "
                             "Spherical(), Discrete(values, probs), Diluted(d) or SoftSpin(V)")

    def pattern_law(self, symbols):
        raise ParameterError(f"{self!r} is not a law of pattern entries; patterns are Binary(), Gaussian(), "
                             "Diluted(d), Biased(a) or Discrete(values, probs)")

    def weight_prior(self, symbols):
        """The prior of quenched weights of this law (a probability measure)."""
        return self.prior(symbols)

    def teacher_law(self, symbols):
        """The law of a teacher's weights (quenched per-site variables of a learning problem)."""
        try:
            return self.pattern_law(symbols)
        except ParameterError:
            raise ParameterError(f"{self!r} cannot be the law of a teacher's weights; use Ising(), Gaussian(v), "
                                 "Spherical(), Discrete(values, probs), Diluted(d) or Binary01()") from None


class Ising(Law):
    """Ising units (or entries) ``±1`` with equal weight."""

    def sampler(self):
        return {"kind": "discrete", "values": [-1, 1], "probs": [0.5, 0.5], "centre": 0}

    def prior(self, symbols):
        from .symbolic.priors import IsingPrior
        return IsingPrior()

    def pattern_law(self, symbols):
        from .symbolic.laws import DiscreteLaw
        return DiscreteLaw((-1, 1), name="binary ±1")


class Binary(Ising):
    """Binary pattern entries ``ξ = ±1`` with probability ½ each (for units: :class:`Ising`)."""

    def prior(self, symbols):
        raise ParameterError("Binary() is the ±1 law of pattern entries (and of a Bipartite term's quenched "
                             "weights); for units or learned weights use Ising() (±1) or Binary01() ({0, 1})")

    def weight_prior(self, symbols):
        return Ising().prior(symbols)


class Binary01(Law):
    """Boolean units ``σ ∈ {0, 1}`` (counting measure)."""

    def sampler(self):
        return {"kind": "discrete", "values": [0, 1], "probs": [0.5, 0.5], "centre": 0}

    def prior(self, symbols):
        from .symbolic.priors import BinaryPrior
        return BinaryPrior()

    def pattern_law(self, symbols):
        from .symbolic.laws import DiscreteLaw
        return DiscreteLaw((0, 1), name="Boolean {0, 1}")


class Gaussian(Law):
    """Gaussian ``N(0, variance)`` units, pattern entries or weights."""

    _refs = (("variance", "variance"),)

    def __init__(self, variance=1):
        self.variance = _check_ref(variance, "Gaussian variance", "variance")

    def prior(self, symbols):
        from .symbolic.priors import GaussianPrior
        return GaussianPrior(_resolve(self.variance, symbols))

    def sampler(self):
        return {"kind": "gaussian", "variance": self.variance}

    def pattern_law(self, symbols):
        from .symbolic.laws import GaussianLaw
        return GaussianLaw(_resolve(self.variance, symbols))


class Spherical(Law):
    """Spherical units ``Σ_i σ_i² = N`` (a Lagrange multiplier ``lambda``)."""

    def sampler(self):
        return {"kind": "spherical"}

    def prior(self, symbols):
        from .symbolic.priors import SphericalPrior
        return SphericalPrior()

    def teacher_law(self, symbols):
        # the components of a spherical teacher of norm √N are asymptotically N(0, 1)
        from .symbolic.laws import GaussianLaw
        return GaussianLaw(1)


class Discrete(Law):
    """``P(σ = values[k]) = probs[k]``: numbers, or parameter names for the probabilities."""

    def __init__(self, values, probs):
        try:
            values, probs = list(values), list(probs)
        except TypeError:
            raise ParameterError("Discrete(values, probs) needs two sequences") from None
        if not values or len(values) != len(probs):
            raise ParameterError(f"Discrete: values and probs must be non-empty and of equal length; got "
                                 f"{len(values)} values and {len(probs)} probabilities")
        self.values = [_check_ref(v, "Discrete value", "coupling") for v in values]
        if any(isinstance(v, str) for v in self.values):
            raise ParameterError("Discrete: the values must be numbers")
        if len(set(self.values)) != len(self.values):
            raise ParameterError(f"Discrete: the values must be distinct, got {values}")
        self.probs = [_check_ref(p, "Discrete probability", "probability") for p in probs]
        if all(not isinstance(p, str) for p in self.probs) and abs(sum(self.probs) - 1) > 1e-12:
            raise ParameterError(f"Discrete: the probabilities must sum to 1, they sum to {sum(self.probs)}")

    def parameters(self):
        return {p: "probability" for p in self.probs if isinstance(p, str)}

    def _weights(self, symbols):
        import sympy as sp
        return [sp.nsimplify(p) if not isinstance(p, str) else symbols[p] for p in self.probs]

    def prior(self, symbols):
        from .symbolic.priors import DiscretePrior
        weights = self._weights(symbols)
        if any(not w.is_number for w in weights):
            raise ParameterError("Discrete units need numeric probabilities")
        return DiscretePrior(self.values, [float(w) if w.is_Float else w for w in weights])

    def pattern_law(self, symbols):
        from .symbolic.laws import DiscreteLaw
        return DiscreteLaw(self.values, self._weights(symbols))

    def sampler(self):
        return {"kind": "discrete", "values": list(self.values), "probs": list(self.probs), "centre": 0}

    def __repr__(self):
        return f"Discrete({self.values!r}, {self.probs!r})"


class Diluted(Law):
    """Diluted entries ``{−1, 0, +1}``: ``P(0) = d``, ``P(±1) = (1 − d)/2``."""

    _refs = (("d", "dilution"),)

    def __init__(self, d):
        self.d = _check_ref(d, "Diluted d", "dilution")

    def prior(self, symbols):
        from .symbolic.priors import DilutedPrior
        return DilutedPrior(_resolve(self.d, symbols))

    def pattern_law(self, symbols):
        from .symbolic.laws import DiscreteLaw
        d = _resolve(self.d, symbols)
        return DiscreteLaw((-1, 0, 1), ((1 - d) / 2, d, (1 - d) / 2), name="diluted")

    def sampler(self):
        return {"kind": "diluted", "d": self.d}


class Biased(Law):
    """Biased ``±1`` pattern entries, ``P(ξ = ±1) = (1 ± a)/2``, with the learning rule ``η = ξ − a``
    (Amit, Gutfreund, Sompolinsky, PRA 35, 2293 (1987), eq. (2.1))."""

    _refs = (("a", "bias"),)

    def __init__(self, a):
        self.a = _check_ref(a, "Biased a", "bias")

    def pattern_law(self, symbols):
        from .symbolic.laws import DiscreteLaw
        a = _resolve(self.a, symbols)
        return DiscreteLaw((-1, 1), ((1 - a) / 2, (1 + a) / 2), centre=a, name="biased")

    def sampler(self):
        return {"kind": "biased", "a": self.a}


class SoftSpin(Law):
    """Soft-spin units ``dP(x) ∝ e^{−V(x)} dx`` with ``V`` a SymPy expression in the symbol ``x``
    (its other symbols are model parameters), growing faster than ``x²``.

    Examples
    --------
    >>> import sympy as sp
    >>> x, g = sp.symbols("x g")
    >>> SoftSpin(x**4 / 4 - g * x**2 / 2).parameters()
    {'g': 'potential'}
    """

    def __init__(self, V, variable="x"):
        import sympy as sp
        if isinstance(V, str):
            raise ParameterError("SoftSpin: give V as a SymPy expression (e.g. x**4/4 with x = sympy.Symbol('x')), "
                                 "not as text")
        if not isinstance(V, sp.Expr):
            raise ParameterError(f"SoftSpin: V must be a SymPy expression in x, got {V!r}")
        self.variable = next((s for s in V.free_symbols if s.name == variable), None)
        if self.variable is None:
            raise ParameterError(f"SoftSpin: V = {V} does not contain the variable {variable!r}")
        self.V = V
        for s in V.free_symbols - {self.variable}:
            _check_ref(s.name, "SoftSpin parameter", "potential")

    def parameters(self):
        return {s.name: "potential" for s in self.V.free_symbols if s != self.variable}

    def prior(self, symbols):
        from .symbolic.priors import SoftSpinPrior
        V = self.V.xreplace({s: symbols[s.name] for s in self.V.free_symbols if s != self.variable})
        return SoftSpinPrior(V, self.variable)

    def __repr__(self):
        return f"SoftSpin({self.V})"


# -- terms of a Hamiltonian -------------------------------------------------------------------------

class Term(Block):
    """A term of a spin Hamiltonian: :meth:`build` returns the engine's interaction object."""

    label = "term"

    def build(self, symbols, owner):
        raise NotImplementedError


class Ferromagnetic(Term):
    """Ferromagnetic couplings ``J0/N`` between every pair, ``H = −(J0/N) Σ_{i<j} σ_i σ_j`` (``p = 2``),
    or the ``p``-body mean ``H = −J0 p!/(2N^{p−1}) Σ_{i1<…<ip} σ_{i1}…σ_{ip}``; the magnetisation is
    named ``magnetisation`` (default ``M``)."""

    _refs = (("J0", "coupling"),)
    label = "ferromagnetic couplings"

    def __init__(self, J0, p=2, magnetisation="M"):
        self.J0 = _check_ref(J0, "Ferromagnetic J0", "coupling")
        self.p = _order(p, "Ferromagnetic")
        self.magnetisation = _name(magnetisation, "Ferromagnetic magnetisation")

    def describe(self):
        body = f"ferromagnetic couplings {self.J0}/N" if self.p == 2 else \
            f"ferromagnetic {self.p}-body couplings of mean {self.J0}"
        return f"{body} (magnetisation {self.magnetisation})"

    def build(self, symbols, owner):
        from .symbolic.interactions import UniformCouplings
        return UniformCouplings(_resolve(self.J0, symbols), self.p, self.magnetisation, owner)

    def sampler(self):
        return {"kind": "ferromagnetic", "J0": self.J0, "p": self.p, "observed": [self.magnetisation]}


class GaussianCouplings(Term):
    """Zero-mean Gaussian ``p``-body couplings of variance ``J² p!/(2N^{p−1})`` (``p = 2``: SK,
    ``J_ij ~ N(0, J²/N)``); they give the glass overlap ``q``."""

    _refs = (("J", "coupling strength"),)
    label = "Gaussian couplings"

    def __init__(self, J=1, p=2):
        self.J = _check_ref(J, "GaussianCouplings J", "coupling strength")
        self.p = _order(p, "GaussianCouplings")

    def describe(self):
        return f"Gaussian {self.p}-body couplings of strength {self.J}"

    def build(self, symbols, owner):
        J = _resolve(self.J, symbols)
        if self.p == 2:
            from .symbolic.interactions import GaussianCouplings as Pairwise
            return Pairwise(0, J, owner=owner)
        from .symbolic.pbody import PBodyGaussianCouplings
        return PBodyGaussianCouplings(self.p, 0, J, owner=owner)

    def sampler(self):
        return {"kind": "gaussian-couplings", "J": self.J, "p": self.p}


class Hebbian(Term):
    """Hebbian couplings of ``P = load · N^{p−1}`` patterns with i.i.d. entries of law ``patterns``,
    ``condensed`` of them retrieved (Mattis overlaps ``m`` or ``m_1..m_K``, named by ``overlap``); the
    others give the glass overlap ``q`` and, for ``p = 2``, AGS's conjugate ``r``. ``load = 0`` (the
    number) is the low load ``P = K``."""

    _refs = (("load", "load"),)
    label = "Hebbian couplings"

    def __init__(self, load, patterns=None, condensed=1, p=2, overlap="m"):
        self.load = _check_ref(load, "Hebbian load", "load")
        self.patterns = Binary() if patterns is None else patterns
        if not isinstance(self.patterns, Law):
            raise ParameterError(f"Hebbian patterns must be a law block (Binary(), Gaussian(), Diluted(d), "
                                 f"Biased(a), Discrete(values, probs)), got {patterns!r}")
        if isinstance(condensed, bool) or not isinstance(condensed, numbers.Integral) or condensed < 0:
            raise ParameterError(f"Hebbian condensed must be a non-negative integer, got {condensed!r}")
        self.condensed = int(condensed)
        self.p = _order(p, "Hebbian")
        self.overlap = _name(overlap, "Hebbian overlap")

    def _children(self):
        return (self.patterns,)

    def describe(self):
        body = "Hebbian couplings" if self.p == 2 else f"{self.p}-body Hebbian couplings"
        return (f"{body} of load {self.load} ({type(self.patterns).__name__.lower()} patterns, "
                f"{self.condensed} condensed: {self.overlap})")

    def build(self, symbols, owner):
        load = _resolve(self.load, symbols)
        if self.p == 2:
            from .symbolic.interactions import HebbianCouplings
            return HebbianCouplings(load, self.condensed, self.patterns.pattern_law(symbols), self.overlap,
                                    owner=owner)
        if not isinstance(self.patterns, (Binary, Ising)) or type(self.patterns) not in (Binary, Ising):
            raise ParameterError("p-body Hebbian couplings are derived for binary ±1 patterns only")
        if self.condensed != 1:
            raise ParameterError("p-body Hebbian couplings are derived with one condensed pattern")
        from .symbolic.pbody import DenseHebbianCouplings
        return DenseHebbianCouplings(self.p, load, self.overlap, owner=owner)

    def sampler(self):
        law = self.patterns.sampler()
        if law is None:
            return None
        names = [self.overlap] if self.condensed == 1 else [f"{self.overlap}_{k}" for k in range(1, self.condensed + 1)]
        return {"kind": "hebbian", "load": self.load, "condensed": self.condensed, "p": self.p, "law": law,
                "observed": names}

    def __repr__(self):
        return (f"Hebbian({self.load!r}, patterns={self.patterns!r}, condensed={self.condensed}, p={self.p}, "
                f"overlap={self.overlap!r})")


class Field(Term):
    """A uniform external field ``H = −h Σ_i σ_i``."""

    _refs = (("h", "field"),)
    label = "field"

    def __init__(self, h):
        self.h = _check_ref(h, "Field h", "field")

    def describe(self):
        return f"field {self.h}"

    def build(self, symbols, owner):
        from .symbolic.interactions import ExternalField
        return ExternalField(_resolve(self.h, symbols))

    def sampler(self):
        return {"kind": "field", "h": self.h}


class Bipartite(Term):
    """A hidden layer of ``P = load · N`` units of law ``hidden`` coupled to the units by weights of law
    ``weights``, ``H = −(1/√N) Σ_iμ ξ_iμ σ_i τ_μ`` (a restricted Boltzmann machine); with
    ``retrieval`` weight column 1 is a pattern with Mattis overlap ``m`` (Gaussian hidden units)."""

    _refs = (("load", "load"),)
    label = "bipartite couplings"

    def __init__(self, load, hidden=None, weights=None, retrieval=True):
        self.load = _check_ref(load, "Bipartite load", "load")
        self.hidden = Gaussian() if hidden is None else hidden
        self.weights = Binary() if weights is None else weights
        self.retrieval = bool(retrieval)

    def _children(self):
        return (self.hidden, self.weights)

    def build(self, symbols, owner):
        from .symbolic.bipartite import BipartiteCouplings
        return BipartiteCouplings(_resolve(self.load, symbols), self.hidden.prior(symbols),
                                  self.weights.weight_prior(symbols), self.retrieval)


def _order(p, what):
    if isinstance(p, bool) or not isinstance(p, numbers.Integral) or p < 2:
        raise ParameterError(f"{what}: the interaction order p must be an integer >= 2, got {p!r}")
    return int(p)


def _name(name, what):
    if not isinstance(name, str) or not name.isidentifier() or name.startswith("_"):
        raise ParameterError(f"{what}: an order-parameter name must be a plain identifier, got {name!r}")
    return name


# -- learning -------------------------------------------------------------------------------------

class Loss(Block):
    """The energy of one training example as a function of the label ``y`` and the student's field ``h``."""

    #: whether the loss needs labels ±1
    binary = False


class ErrorCount(Loss):
    """``θ(−y h)`` (with a margin: ``θ(κ − y h)``): the number of training errors."""

    _refs = (("kappa", "margin"),)
    binary = True

    def __init__(self, kappa=0):
        self.kappa = _check_ref(kappa, "ErrorCount kappa", "margin")

    def build(self, symbols):
        from .symbolic.learning import ErrorCountLoss
        return ErrorCountLoss(_resolve(self.kappa, symbols))


class SquareLoss(Loss):
    """``(y − h)²/2``."""

    def build(self, symbols):
        from .symbolic import learning
        return learning.SquareLoss()


class Channel(Block):
    """The teacher's output law ``P(y | h)`` given its field ``h``."""

    #: whether the labels are ±1
    binary = False


class Sign(Channel):
    """``y = sign(h)``, flipped with probability ``flip``."""

    _refs = (("flip", "flip"),)
    binary = True

    def __init__(self, flip=0):
        self.flip = _check_ref(flip, "Sign flip", "flip")

    def build(self, symbols):
        from .symbolic.learning import SignChannel
        return SignChannel(flip=_resolve(self.flip, symbols))


class Threshold(Channel):
    """``y = sign(h − κ)``."""

    _refs = (("kappa", "margin"),)
    binary = True

    def __init__(self, kappa=0):
        self.kappa = _check_ref(kappa, "Threshold kappa", "margin")

    def build(self, symbols):
        from .symbolic.learning import SignChannel
        return SignChannel(kappa=_resolve(self.kappa, symbols))


class Linear(Channel):
    """``y = h + √Δ ξ`` with Gaussian noise of variance ``noise`` (``Δ``)."""

    _refs = (("noise", "noise"),)

    def __init__(self, noise=0):
        self.noise = noise if noise == 0 else _check_ref(noise, "Linear noise", "noise")

    def build(self, symbols):
        from .symbolic.learning import LinearChannel
        return LinearChannel(_resolve(self.noise, symbols))


class ReLU(Channel):
    """``y = max(0, h) + √Δ ξ``."""

    _refs = (("noise", "noise"),)

    def __init__(self, noise=0):
        self.noise = noise if noise == 0 else _check_ref(noise, "ReLU noise", "noise")

    def build(self, symbols):
        from .symbolic.learning import ReLUChannel
        return ReLUChannel(_resolve(self.noise, symbols))


class Teacher(Block):
    """The rule that labels the examples: weights of law ``weights`` and a ``channel``."""

    def __init__(self, weights, channel=None):
        if not isinstance(weights, Law):
            raise ParameterError(f"Teacher weights must be a law block, got {weights!r}")
        self.weights = weights
        self.channel = Sign() if channel is None else channel
        if not isinstance(self.channel, Channel):
            raise ParameterError(f"Teacher channel must be Sign(), Threshold(kappa), Linear(noise) or ReLU(), "
                                 f"got {channel!r}")

    def _children(self):
        return (self.weights, self.channel)

    def build(self, symbols):
        from .symbolic.learning import TeacherRule
        return TeacherRule(self.weights.teacher_law(symbols), self.channel.build(symbols))

    def __repr__(self):
        return f"Teacher({self.weights!r}, {self.channel!r})"


class Examples(Block):
    """The ``P = load · N`` training examples of Gibbs learning, the one term of a learning declaration
    (:func:`statmech_nn.declare_learning`; not a term of :func:`statmech_nn.declare`, whose stationarity and
    ``T = 0`` limit are those of spin models): energy ``Σ_μ loss(y_μ, w·ξ_μ/√N)`` or, with ``channel``, the
    student's likelihood ``−Σ_μ log P(y_μ | h_μ)``; labels from ``teacher`` or random ``±1``
    (storage). Without a loss or a channel: an error count for labels ``±1``, the square loss for real
    labels. The teacher overlap is named ``overlap``."""

    _refs = (("load", "load"),)
    label = "examples"

    def __init__(self, load, loss=None, teacher=None, channel=None, overlap="R"):
        self.load = _check_ref(load, "examples load", "load")
        if teacher is not None and not isinstance(teacher, Teacher):
            raise ParameterError(f"teacher must be Teacher(weights, channel) or None (random ±1 labels), got "
                                 f"{teacher!r}")
        binary = teacher is None or teacher.channel.binary
        if loss is not None and channel is not None:
            raise ParameterError(f"give a loss or a student channel (its likelihood is the loss), not both: "
                                 f"loss={loss!r}, channel={channel!r}")
        if loss is not None and not isinstance(loss, Loss):
            raise ParameterError(f"loss must be ErrorCount(kappa) or SquareLoss(), got {loss!r}")
        if channel is not None and not isinstance(channel, Channel):
            raise ParameterError(f"channel must be Sign(flip), Threshold(kappa), Linear(noise) or ReLU(noise), "
                                 f"got {channel!r}")
        if loss is None and channel is None:
            loss = ErrorCount() if binary else SquareLoss()
        labels = (f"the teacher's {teacher.channel!r}" if teacher is not None else "random ±1 labels")
        needs_binary = loss.binary if loss is not None else channel.binary
        if needs_binary and not binary:
            raise ParameterError(f"{loss or channel!r} needs labels ±1, but {labels} gives real labels: use "
                                 "SquareLoss() or a Linear/ReLU student channel")
        if channel is not None and not channel.binary and binary:
            raise ParameterError(f"the student channel {channel!r} is a law of real labels, but {labels} "
                                 "gives labels ±1: use Sign(flip) or Threshold(kappa)")
        if channel is not None and not channel.binary and channel.noise == 0:
            raise ParameterError(f"the student channel {channel!r} has no noise: its likelihood is a delta "
                                 "function; give it a noise variance or use a loss")
        self.loss, self.teacher, self.channel = loss, teacher, channel
        self.overlap = _name(overlap, "Examples overlap")

    def _children(self):
        return tuple(b for b in (self.loss, self.teacher, self.channel) if b is not None)

    def build(self, symbols, owner):
        from .symbolic.learning import LearningExamples, LikelihoodLoss
        loss = self.loss.build(symbols) if self.loss is not None else LikelihoodLoss(self.channel.build(symbols))
        teacher = self.teacher.build(symbols) if self.teacher is not None else None
        return LearningExamples(_resolve(self.load, symbols), loss, teacher, owner=owner, overlap=self.overlap)

    def __repr__(self):
        return (f"Examples({self.load!r}, loss={self.loss!r}, teacher={self.teacher!r}"
                + (f", channel={self.channel!r}" if self.channel is not None else "") + ")")
