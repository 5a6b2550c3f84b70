"""Learning problems given by a declaration: weights, a loss (or a student channel), a teacher, a load.

:func:`declare_learning` builds one in a few lines; the registry's ``perceptron`` and
``teacher-student-perceptron`` are :class:`DeclaredLearningModel` s too. The declaration is a spin
declaration whose units are the weights and whose one term is the examples
(:class:`statmech_nn.blocks.Examples`): the same replica engine derives both
(:func:`statmech_nn.symbolic.learning.derive_learning`).

Examples
--------
>>> import statmech_nn as snn
>>> from statmech_nn import blocks as B
>>> ridge = snn.declare_learning("ridge", weights=B.Gaussian(1), loss=B.SquareLoss(),
...                              teacher=B.Teacher(weights=B.Gaussian(1), channel=B.Linear(noise="Delta")))
>>> [str(x) for x in ridge.free_energy().order_parameters]        # doctest: +SKIP
['q', 'q_hat', 'Q', 'Q_hat', 'R', 'R_hat']
"""
from __future__ import annotations

from .. import blocks as B
from ..errors import ParameterError
from .declared import DeclaredModel, _Declaration
from .learning_base import LearningModel

__all__ = ["DeclaredLearningModel", "declare_learning"]


class DeclaredLearningModel(LearningModel, DeclaredModel):
    """A learning problem whose declaration is ``(weights, [Examples(load, loss, teacher)])``.

    Order parameters: ``q`` (student–student), ``R`` (teacher–student, with a teacher), ``Q`` (the
    weights' self-overlap where their norm is free), their conjugates ``q_hat``, ``R_hat``, ``Q_hat``
    and, for spherical weights, the norm multiplier ``k_hat``. Gibbs learning at temperature ``T``;
    ``T = 0`` is the version space of an error count (no ``T = 0`` limit for other losses).
    """

    montecarlo = False
    montecarlo_reason = "a learning problem: checked by finite-instance solvers, not a spin sampler"
    ordered_name = "Gibbs learning"

    def default_guess(self, names):
        guess = {"q": 0.5, "q_hat": 1.0, "R": 0.5, "R_hat": 1.0, "Q": 1.0, "Q_hat": 0.0, "k_hat": 0.5}
        return {k: guess.get(k, 0.5) for k in names}

    def phase_seeds(self, names, signed=True):
        return [self.default_guess(names)]

    def classify(self, values, parameters, replicon=float("nan")):
        return "version space" if parameters.get("T", 1.0) == 0 else self.ordered_name

    def _discrete_weights(self):
        law, _ = self.declaration()
        return isinstance(law, (B.Ising, B.Binary01, B.Discrete, B.Diluted))

    def _on_nishimori_line_at_zero_temperature(self):
        # an error count with zero margin of a noiseless sign teacher whose weights have the student's law
        law, terms = self.declaration()
        examples = terms[0]
        teacher, loss = examples.teacher, examples.loss
        if loss is None and teacher is not None and getattr(teacher.channel, "binary", False):
            loss = B.ErrorCount()                  # the default loss of labels ±1
        if teacher is None or examples.channel is not None or not isinstance(loss, B.ErrorCount):
            return False
        return (repr(teacher.weights) == repr(law) and isinstance(teacher.channel, B.Sign)
                and teacher.channel.flip == 0 and loss.kappa == 0)


class _LearningDeclaration(DeclaredLearningModel, _Declaration):
    """A model made by :func:`declare_learning`."""


def declare_learning(name, weights, loss=None, teacher=None, load="alpha", channel=None, *, title=None,
                     description="", references=(), defaults=None, ordered_point=None):
    """A learning problem from blocks: Gibbs learning of ``P = load · N`` examples at temperature ``T``.

    Parameters
    ----------
    name : str
    weights : statmech_nn.blocks.Law
        The prior of the student's weights: ``Ising()``, ``Spherical()``, ``Gaussian(variance)``
        (free norm), ``Discrete(values, probs)``, ``Diluted(d)``, ``Binary01()``, ``SoftSpin(V)``.
    loss : statmech_nn.blocks.Loss, optional
        ``ErrorCount(kappa)`` (labels ±1) or ``SquareLoss()``. Default: an error count for labels ±1,
        the square loss for real labels.
    teacher : statmech_nn.blocks.Teacher, optional
        ``Teacher(weights=law, channel=Sign(flip) | Threshold(kappa) | Linear(noise) | ReLU(noise))``;
        ``None``: random labels ±1 (the storage problem).
    load : str or float
        The load ``α = P/N`` (a parameter name or a number).
    channel : statmech_nn.blocks.Channel, optional
        Instead of a loss, the student's own channel: energy ``−Σ_μ log P(y_μ | h_μ)`` (``T = 1``:
        Bayesian learning).
    title, description, references, defaults, ordered_point
        As for :func:`statmech_nn.declare`.

    Returns
    -------
    DeclaredLearningModel

    Raises
    ------
    ParameterError
        A block of the wrong kind, a loss and a channel together, an error count with real labels, a
        parameter used in two roles.

    Examples
    --------
    >>> import statmech_nn as snn
    >>> from statmech_nn import blocks as B
    >>> gibbs = snn.declare_learning("gibbs", weights=B.Spherical(), loss=B.ErrorCount(),
    ...                              teacher=B.Teacher(weights=B.Spherical()))
    >>> sorted(gibbs.parameter_specs)
    ['T', 'alpha']
    """
    if not isinstance(name, str) or not name.strip():
        raise ParameterError(f"declare_learning: name must be a non-empty string, got {name!r}")
    if not isinstance(weights, B.Law):
        raise ParameterError(f"declare_learning: weights must be a law block (B.Ising(), B.Spherical(), "
                             f"B.Gaussian(v), ...), got {weights!r}")
    examples = B.Examples(load, loss=loss, teacher=teacher, channel=channel)
    model = _LearningDeclaration(name, title or name, weights, [examples], description, references, defaults,
                                 ordered_point)
    # the engine's objects of the blocks (cheap): weights or a teacher the engine cannot use fail here
    symbols = {k: p.symbol for k, p in model.parameter_specs.items()}
    try:
        weights.prior(symbols)
    except ParameterError as exc:
        raise ParameterError(f"declare_learning: {weights!r} cannot be the law of the weights: {exc}") from None
    examples.build(symbols, "examples")
    return model
