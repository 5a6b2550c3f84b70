"""Typed errors of statmech_nn: each message says what to fix."""

__all__ = ["StatmechError", "ParameterError", "ConvergenceError", "DerivationError"]


class StatmechError(Exception):
    """Base class of the package's errors."""


class ParameterError(StatmechError, ValueError):
    """An unknown model, option or parameter, or a value out of its range."""


class DerivationError(StatmechError, RuntimeError):
    """A symbolic step could not be carried out (e.g. a stationarity equation that cannot be
    brought into fixed-point form)."""


class ConvergenceError(StatmechError, RuntimeError):
    """A saddle-point solve did not converge.

    Attributes
    ----------
    residual : float or numpy.ndarray
        Max-norm of the fixed-point residual at the last iterate (per point for grids).
    parameters : dict
        The parameters of the point(s) that failed.
    """

    def __init__(self, message, residual=None, parameters=None):
        super().__init__(message)
        self.residual = residual
        self.parameters = parameters or {}
