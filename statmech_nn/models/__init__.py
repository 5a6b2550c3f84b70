"""Model registry: one module per model, one line per model here."""
from __future__ import annotations

import importlib

from ..errors import ParameterError

__all__ = ["available_models", "model", "model_class"]

_REGISTRY = {
    "curie-weiss": "curie_weiss:CurieWeiss",
    "sk": "sk:SherringtonKirkpatrick",
    "hopfield": "hopfield:Hopfield",
    "perceptron": "perceptron:Perceptron",
    "teacher-student-perceptron": "teacher_student:TeacherStudentPerceptron",
    "p-spin": "p_spin:PSpin",
    "dense-hopfield": "dense_hopfield:DenseHopfield",
    "rbm": "rbm:RBM",
    "continual-perceptron": "continual_perceptron:ContinualPerceptron",
    "multitasking-hebbian": "multitasking_hebbian:MultitaskingHebbian",
    "dense-hebbian": "dense_hebbian:DenseHebbian",
}


def available_models():
    """Names of the registered models."""
    return list(_REGISTRY)


def model_class(name):
    if not isinstance(name, str) or name not in _REGISTRY:
        raise ParameterError(f"unknown model {name!r}; available models: {', '.join(_REGISTRY)}")
    module, cls = _REGISTRY[name].split(":")
    return getattr(importlib.import_module(f"{__name__}.{module}"), cls)


def model(name, **options):
    """A model by registry name; unknown names or options raise ``ValueError`` naming the valid ones."""
    return model_class(name)(**options)
