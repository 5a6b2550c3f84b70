"""Files a user names: output paths checked before any computation, input files read with typed errors.

Output paths (:func:`check_output_path`, :func:`check_output_folder`) are checked *before* the work
that produces them starts, so a typo costs nothing: the folder must exist (it is never created
silently), be writable, and the extension must be one the writer knows. Input files
(:func:`read_text`, :func:`read_json`) raise :class:`~statmech_nn.errors.MissingFileError` or
:class:`~statmech_nn.errors.InputFileError` naming the file and, where one is to blame, the line.
"""
from __future__ import annotations

import json
import os
import tempfile

from .errors import InputFileError, MissingFileError, OutputPathError

__all__ = ["check_output_path", "check_output_folder", "read_bytes", "decode_text", "read_text", "read_json"]


def _as_path(path, what):
    if not isinstance(path, (str, bytes, os.PathLike)) or not os.fspath(path):
        raise OutputPathError(f"{what} must be a file path (a non-empty string), got {path!r}")
    path = os.fspath(path)
    return os.fsdecode(path)


def _probe_folder(folder, what, path):
    """Raise OutputPathError unless a file can be created in ``folder`` (tried with a temporary file
    that is removed at once: permission bits alone say nothing for root or read-only mounts)."""
    try:
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".statmech_nn-probe-")
    except OSError as exc:
        raise OutputPathError(f"{what} {path!r}: cannot write in the folder {folder!r} "
                              f"({exc.strerror or exc}); choose a writable folder") from None
    os.close(fd)
    os.remove(probe)


def check_output_path(path, extensions, what="output file"):
    """Check that ``path`` can be written, without creating anything that stays.

    Parameters
    ----------
    path : str or os.PathLike
    extensions : sequence of str or None
        Allowed extensions, lower case with the dot (``(".png", ".json")``); None: any.
    what : str
        How the message names the path (e.g. ``"--out"``).

    Returns
    -------
    str
        The path.

    Raises
    ------
    OutputPathError
        An extension not in ``extensions``, a folder that does not exist, a path that is a folder,
        an existing file or a folder that cannot be written.

    Examples
    --------
    >>> check_output_path("/nonexistent/x.png", (".png",))
    Traceback (most recent call last):
    ...
    statmech_nn.errors.OutputPathError: output file '/nonexistent/x.png': the folder '/nonexistent' does not exist (folders are not created: make it first)
    """
    path = _as_path(path, what)
    ext = os.path.splitext(path)[1].lower()
    if extensions is not None and ext not in extensions:
        raise OutputPathError(f"{what} {path!r}: the extension {ext or '(none)'!r} is not allowed; use "
                              f"one of {', '.join(extensions)}")
    if os.path.isdir(path):
        raise OutputPathError(f"{what} {path!r} is a folder; give a file name ending in "
                              f"{', '.join(extensions)}")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise OutputPathError(f"{what} {path!r}: the folder {folder!r} does not exist (folders are not "
                              f"created: make it first)")
    if os.path.exists(path):
        try:
            with open(path, "ab"):
                pass
        except OSError as exc:
            raise OutputPathError(f"{what} {path!r} exists and cannot be overwritten "
                                  f"({exc.strerror or exc})") from None
    else:
        _probe_folder(folder, what, path)
    return path


def check_output_folder(path, what="output folder"):
    """Check that ``path`` is a writable folder, or can be made as one new folder in an existing,
    writable parent (nothing is created here). Returns the path."""
    path = _as_path(path, what)
    if os.path.exists(path):
        if not os.path.isdir(path):
            raise OutputPathError(f"{what} {path!r} exists and is not a folder")
        _probe_folder(path, what, path)
        return path
    parent = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(parent):
        raise OutputPathError(f"{what} {path!r}: its parent folder {parent!r} does not exist (only the "
                              f"last folder is created: make the parent first)")
    _probe_folder(parent, what, path)
    return path


def read_bytes(path, what="file"):
    """The bytes of an input file; MissingFileError / InputFileError naming it otherwise."""
    if not isinstance(path, (str, bytes, os.PathLike)):
        raise InputFileError(f"{what} must be a file path, got {path!r}")
    path = os.fsdecode(os.fspath(path))
    if not os.path.exists(path):
        raise MissingFileError(f"{what} {path!r}: no such file", path)
    if os.path.isdir(path):
        raise InputFileError(f"{what} {path!r} is a folder, not a file", path)
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except OSError as exc:
        raise InputFileError(f"{what} {path!r} cannot be read ({exc.strerror or exc})", path) from None


def decode_text(data, path, what="file"):
    """``data`` (bytes of ``path``) as UTF-8 text; InputFileError naming the line of the first bad
    byte otherwise."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputFileError(f"{what} {path!r} is not UTF-8 text: byte {data[exc.start]:#04x} at line "
                             f"{line} (offset {exc.start}); is it a binary file?", path, line) from None


def read_text(path, what="file"):
    """An input file as UTF-8 text (typed errors: missing, a folder, unreadable, not UTF-8)."""
    data = read_bytes(path, what)
    return decode_text(data, os.fsdecode(os.fspath(path)), what)


def read_json(path, what="JSON file"):
    """An input JSON file (typed errors as :func:`read_text`, and the line of a syntax error)."""
    text = read_text(path, what)
    path = os.fsdecode(os.fspath(path))
    if not text.strip():
        raise InputFileError(f"{what} {path!r} is empty", path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputFileError(f"{what} {path!r} is not valid JSON: {exc.msg} at line {exc.lineno}, column "
                             f"{exc.colno} (truncated or not JSON?)", path, exc.lineno) from None
