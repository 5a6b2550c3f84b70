"""Typed errors of statmech_nn: each message names the culprit (file, line, parameter or option) and
says what is allowed.

Every error a user can cause is a :class:`StatmechError` and also an instance of the builtin it
corresponds to (``ValueError`` for a bad value, ``FileNotFoundError`` for a missing input file,
``MemoryError`` for an input whose cost is refused up front), so generic handlers keep working.
"""

__all__ = ["StatmechError", "ParameterError", "ConvergenceError", "DerivationError", "InputFileError",
           "MissingFileError", "OutputPathError", "ResumeError", "ResourceError"]


class StatmechError(Exception):
    """Base class of the package's errors."""


class ParameterError(StatmechError, ValueError):
    """An unknown model, option or parameter, or a value out of its range."""


class DerivationError(StatmechError, RuntimeError):
    """A symbolic step could not be carried out (e.g. a stationarity equation that cannot be
    brought into fixed-point form)."""


class InputFileError(ParameterError):
    """An input file that cannot be used: not text, not the expected format, a bad line (a
    :class:`ParameterError`: the value of the argument that names the file is unusable).

    Attributes
    ----------
    path : str or None
        The file.
    line : int or None
        The 1-based line of the culprit, where one line is to blame.
    """

    def __init__(self, message, path=None, line=None):
        super().__init__(message)
        self.path = None if path is None else str(path)
        self.line = line


class MissingFileError(InputFileError, FileNotFoundError):
    """An input file that does not exist."""


class ResumeError(InputFileError):
    """A resume file that is not a journal of this run (refused untouched), or a journal written by
    a run with another configuration (the message names the difference)."""


class OutputPathError(ParameterError):
    """An output path that cannot be written: missing folder, no permission, unknown extension.
    Raised before any computation starts."""


class ResourceError(ParameterError, MemoryError):
    """An input whose cost (memory of couplings, patterns, a raster) is absurd, refused up front with
    the estimated size."""


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
