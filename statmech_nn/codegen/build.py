"""Write generated kernels to the on-disk cache and import them.

A module is named by a SHA-256 key of its *inputs*: the ``srepr`` of the saddle point's expressions
and symbols, the text of the code generator itself and the numba/Python versions. A second process
(or a second session) with the same saddle point therefore finds the module without redoing the
symbolic work, and numba's own on-disk cache (``cache=True``, stored next to the module) skips
compilation too. Files are written atomically (temporary file + :func:`os.replace`), so concurrent
processes never import a half-written module.

A cached module is executed only after its content is checked: beside ``<name>.py`` the cache keeps
``<name>.sha256``, the SHA-256 of the source written for that key. A module whose bytes do not match
(edited, truncated, replaced, or without a record) is never executed: it is generated again from the
saddle point and overwritten. The bytes that were checked are the bytes compiled (the file is not
read a second time).

The cache directory is ``$STATMECH_NN_CACHE_DIR`` or ``~/.cache/statmech_nn/kernels``.
"""
from __future__ import annotations

import hashlib
import os
import pathlib
import sys
import tempfile
import threading
import types

import sympy as sp

__all__ = ["cache_dir", "compile_saddle_point", "CompiledKernels"]

_GENERATOR_FILES = ("generate.py", "primitives.py", "build.py")
_LOADED = {}
_LOCK = threading.Lock()


def cache_dir():
    """The kernel cache directory (created if missing)."""
    path = os.environ.get("STATMECH_NN_CACHE_DIR") or os.path.join(
        os.path.expanduser("~"), ".cache", "statmech_nn", "kernels")
    path = pathlib.Path(path)
    path.mkdir(parents=True, exist_ok=True)
    return path


class CompiledKernels:
    """An imported kernel module with what it computes.

    Attributes
    ----------
    module : module
        Defines ``rhs``, ``jac``, ``free_energy``, ``hessian``, optionally ``replicon``, and the drivers
        ``solve_batch``/``evaluate_batch`` (see :mod:`statmech_nn.codegen.generate`).
    order_parameters, parameters : tuple of str
    has_replicon, has_gaussian : bool
    path : pathlib.Path
        The generated source file.
    """

    def __init__(self, module, spec, path):
        self.module = module
        self.order_parameters = spec.order_parameters
        self.parameters = spec.parameters
        self.has_replicon = spec.has_replicon
        self.has_gaussian = spec.has_gaussian
        self.path = path

    def __repr__(self):
        return f"<CompiledKernels ({', '.join(self.order_parameters)}) at {self.path}>"


def _key(saddle_point):
    import numba

    h = hashlib.sha256()
    here = pathlib.Path(__file__).parent
    for name in _GENERATOR_FILES:
        h.update((here / name).read_bytes())
    for name in ("averages.py", "rewrite.py"):   # lowering uses their Stein and stable forms
        h.update((here.parent / "symbolic" / name).read_bytes())
    h.update(f"{numba.__version__} {sys.version_info[:2]}".encode())
    h.update(saddle_point.model.name.encode())
    h.update(saddle_point.temperature.encode())
    xs = saddle_point.order_parameters
    for item in (xs, saddle_point.parameters, [saddle_point.equations[x] for x in xs],
                 saddle_point.free_energy, saddle_point.replicon):
        h.update(sp.srepr(item).encode())
        h.update(b"\0")
    return h.hexdigest()[:32]


def _digest(data):
    return hashlib.sha256(data).hexdigest()


def _verified_source(path):
    """The source in ``path`` if its SHA-256 is the one recorded beside it, else None."""
    try:
        data = path.read_bytes()
        recorded = path.with_suffix(".sha256").read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    if _digest(data) != recorded:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _write_atomic(path, text):
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.stem, suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _spec_from_header(module):
    from .generate import KernelSpec

    return KernelSpec(module.ORDER_PARAMETERS, module.PARAMETERS, module.HAS_REPLICON,
                      module.HAS_GAUSSIAN)


def compile_saddle_point(saddle_point, progress=None):
    """Generate (or find in the cache, verified), import and compile the kernels of ``saddle_point``.

    Numba compiles each kernel for the signature the solver driver calls it with
    (:data:`statmech_nn.codegen.driver.SIGNATURES`), or loads it from its on-disk cache. A cached
    module whose content does not match the SHA-256 recorded for its key is regenerated, never run.
    ``progress``: a bar over the steps (see :func:`statmech_nn.progress.progress_bar`).

    Returns
    -------
    CompiledKernels
    """
    key = _key(saddle_point)
    with _LOCK:
        if key in _LOADED:
            return _LOADED[key]
        from ..progress import progress_bar
        bar = progress_bar(len(_KERNELS) + 2, f"kernels of {saddle_point.model.name!r} "
                           f"({saddle_point.temperature} T)", progress, unit="step")
        try:
            kernels = _build(saddle_point, key, bar)
        finally:
            bar.close()
        _LOADED[key] = kernels
        return kernels


#: the compiled functions of a module, in the order they are compiled
_KERNELS = ("rhs", "jac", "jac_stein", "in_domain", "free_energy", "hessian", "replicon")


def _build(saddle_point, key, bar):
    """Source (verified or generated), driver, module and its compiled kernels, one bar step each."""
    name = f"_statmech_nn_kernel_{key}"
    path = cache_dir() / f"{name}.py"
    source = _verified_source(path)
    if source is None:        # absent, or not what was written for this key: never executed
        from .generate import generate_source

        bar.set_postfix_str("generating")
        source, spec = generate_source(saddle_point)
        source += (f"\nORDER_PARAMETERS = {spec.order_parameters!r}\n"
                   f"PARAMETERS = {spec.parameters!r}\n"
                   f"HAS_REPLICON = {spec.has_replicon!r}\n"
                   f"HAS_GAUSSIAN = {spec.has_gaussian!r}\n")
        _write_atomic(path, source)
        _write_atomic(path.with_suffix(".sha256"), _digest(source.encode("utf-8")) + "\n")
    bar.update()
    bar.set_postfix_str("solver driver")
    from . import driver               # compiled once for all models (numba's cache keeps it)
    bar.update()
    module = types.ModuleType(name)
    module.__file__ = str(path)      # numba's cache locates its files from here
    sys.modules[name] = module
    exec(compile(source, str(path), "exec"), module.__dict__)
    for kernel in _KERNELS:
        bar.set_postfix_str(kernel)
        getattr(module, kernel).compile(driver.SIGNATURES[kernel])
        bar.update()
    return CompiledKernels(module, _spec_from_header(module), path)
