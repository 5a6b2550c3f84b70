"""Progress bars (tqdm; ``tqdm.auto``: a widget in Jupyter when ipywidgets is installed, text otherwise).

Every call that can take more than a second (compiling kernels, deriving, solving grids, phase
diagrams, Monte Carlo) takes ``progress``:

* ``True`` — a bar from the start;
* ``False`` — none;
* ``None`` (default) — a bar only once the call has lasted :data:`DELAY` seconds, and only where
  someone watches: a terminal or a notebook, never a log file or a pipe (where a bar's carriage
  returns would pile up on one line).

tqdm is imported on the first bar, so ``import statmech_nn`` stays light.
"""
from __future__ import annotations

import sys

__all__ = ["progress_bar", "DELAY"]

#: seconds a call runs before its bar appears (``progress=None``)
DELAY = 1.0


def _watched():
    """Whether a person sees stderr: a terminal, or a Jupyter kernel."""
    ipython = sys.modules.get("IPython")
    if ipython is not None:
        try:
            shell = ipython.get_ipython()
            if shell is not None and "IPKernelApp" in shell.config:
                return True
        except Exception:          # an IPython without a running shell
            pass
    stream = sys.stderr
    return bool(stream is not None and hasattr(stream, "isatty") and stream.isatty())


class _Silent:
    """The interface of a tqdm bar, doing nothing (``progress=False``)."""
    n = 0
    total = None

    def update(self, n=1):
        self.n += n

    def set_description(self, desc=None, refresh=True):
        pass

    def set_postfix_str(self, s="", refresh=True):
        pass

    def reset(self, total=None):
        self.n = 0
        self.total = total

    def refresh(self):
        pass

    def close(self):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


def progress_bar(total=None, desc="", progress=None, unit="it", leave=None):
    """A tqdm bar over ``total`` steps (``None``: unknown), or a silent stand-in.

    Parameters
    ----------
    total : int or None
    desc : str
        What is being done, e.g. ``"compiling kernels"``.
    progress : bool or None
        ``True``: shown at once; ``False``: never; ``None``: shown after :data:`DELAY` seconds, on a
        terminal or in a notebook only.
    unit : str
        What a step is (``"task"``, ``"sweep"``, ``"kernel"``).
    leave : bool, optional
        Keep the finished bar on screen (tqdm's default: the outermost bar stays).

    Returns
    -------
    tqdm.tqdm or a silent object with the same ``update``/``set_description``/``close``.
    """
    if progress is False or (progress is None and not _watched()):
        return _Silent()
    from tqdm.auto import tqdm
    return tqdm(total=total, desc=desc, unit=unit, leave=leave, delay=0.0 if progress else DELAY,
                dynamic_ncols=True)
