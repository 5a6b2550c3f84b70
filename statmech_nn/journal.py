"""Resume files: append-only journals of finished tasks.

A journal is a UTF-8 JSON-lines file. Line 1 is a header naming the format and the configuration of
the run that owns it; every further line records one finished task, ``{"key": ..., "result": ...}``,
written in one piece, flushed and fsync'ed as the task completes. The file is never truncated or
rewritten:

- a run killed while writing leaves a half-written last line; it is ignored on read, and the next run
  that appends first ends that line and writes a marker ``{"partial_line": n}`` after it, so the
  journal stays readable line by line;
- a file that is not a journal (any other content) is refused untouched (:class:`ResumeError`);
- a journal written by a run with another configuration (another model, point, size, seed, number of
  sweeps ...) is refused untouched, the message naming what differs;
- any other unreadable line is refused naming the file and the line.

An absent or empty file starts a new journal; nothing is written until the first task finishes.
"""
from __future__ import annotations

import json
import os

from .errors import InputFileError, ResumeError
from .files import check_output_path, decode_text, read_bytes

__all__ = ["Journal", "read_journal", "FORMAT"]

#: the ``journal`` entry of the header line
FORMAT = "statmech_nn resume journal"
VERSION = 1


def _plain(value):
    """``value`` as it reads back from JSON (tuples become lists, ...)."""
    return json.loads(json.dumps(value))


def _short(value, width=90):
    text = json.dumps(value, sort_keys=True)
    return text if len(text) <= width else text[:width - 3] + "..."


def config_difference(old, new):
    """Human-readable list of the entries in which two configurations differ."""
    out = []
    for key in sorted(set(old) | set(new)):
        if key not in new:
            out.append(f"{key}: the journal has {_short(old[key])}, this call has none")
        elif key not in old:
            out.append(f"{key}: the journal has none, this call has {_short(new[key])}")
        elif old[key] != new[key]:
            out.append(f"{key}: the journal has {_short(old[key])}, this call has {_short(new[key])}")
    return out


class Journal:
    """The journal of one run at ``path`` (see the module docstring).

    Use :meth:`open`, which reads and checks an existing file without changing it, then
    :meth:`append` for each finished task.

    Attributes
    ----------
    path : str
    config : dict
        The run's configuration (as JSON reads it back).
    done : dict
        ``{task key: result}`` of the tasks recorded.
    """

    def __init__(self, path, config, done, state):
        self.path = path
        self.config = config
        self.done = done
        self._state = state        # "new", "complete" or ("partial", line number)
        self._handle = None

    @classmethod
    def open(cls, path, config, keys=None):
        """Read and check the journal at ``path`` for a run with ``config`` (a JSON-able dict) whose
        task keys are ``keys`` (optional); nothing is written.

        Raises
        ------
        ResumeError
            Not a journal, another configuration, a recorded task that is not part of this run, an
            unreadable line (other than a half-written last one).
        OutputPathError
            A new journal whose folder does not exist or cannot be written.
        """
        config = _plain(config)
        path = os.fsdecode(os.fspath(path))
        if not os.path.exists(path) or (os.path.isfile(path) and os.path.getsize(path) == 0):
            check_output_path(path, None, "resume file")
            return cls(path, config, {}, "new")
        header, records, complete = read_journal(path)
        diff = config_difference(header.get("config", {}), config)
        if diff:
            raise ResumeError(f"resume file {path!r} is the journal of another run and was left "
                              f"untouched; it differs in " + "; ".join(diff)
                              + ". Use another file for this run, or repeat the journal's run", path, 1)
        done = {}
        for number, record in records:
            if keys is not None and record["key"] not in keys:
                raise ResumeError(f"resume file {path!r} line {number} records a task that is not part "
                                  f"of this run; the file was left untouched", path, number)
            done[record["key"]] = record["result"]
        # a last line without its newline: the next append ends it first
        return cls(path, config, done, "complete" if complete is True else ("partial", complete))

    def append(self, key, result):
        """Record a finished task (one line, flushed and fsync'ed)."""
        if self._handle is None:
            self._handle = open(self.path, "ab")
            if self._state == "new":
                self._write({"journal": FORMAT, "version": VERSION, "config": self.config})
            elif self._state != "complete":
                # end the half-written line and mark it, so that it reads as skipped
                self._handle.write(b"\n")
                self._write({"partial_line": self._state[1]})
            self._state = "complete"
        self._write({"key": key, "result": result})
        self.done[key] = _plain(result)

    def _write(self, record):
        self._handle.write((json.dumps(record) + "\n").encode("utf-8"))
        self._handle.flush()
        os.fsync(self._handle.fileno())

    def close(self):
        if self._handle is not None:
            self._handle.close()
            self._handle = None


def read_journal(path):
    """Read a journal without changing it: ``(header, records, complete)`` with ``records`` the
    ``(line number, {"key": ..., "result": ...})`` of the finished tasks and ``complete`` True, or
    the number of a half-written last line (ignored).

    Raises
    ------
    ResumeError
        Not a journal (not UTF-8 text, no header on line 1), another version, a bad line (named).
    """
    path = os.fsdecode(os.fspath(path))
    data = read_bytes(path, "resume file")
    refuse = (f"resume file {path!r} is not a statmech_nn resume journal; it was left untouched: "
              f"give the name of a new file or of a journal this run wrote")
    try:
        text = decode_text(data, path, "resume file")
    except InputFileError as exc:
        raise ResumeError(f"{refuse} ({exc})", path, exc.line) from None
    lines = text.split("\n")
    complete_end = text.endswith("\n")
    if complete_end:
        lines.pop()                       # the empty string after the final newline
    try:
        header = json.loads(lines[0]) if (len(lines) > 1 or complete_end) else None
    except json.JSONDecodeError:
        header = None
    if not (isinstance(header, dict) and header.get("journal") == FORMAT):
        raise ResumeError(refuse + " (line 1 is not its header)", path, 1)
    if header.get("version") != VERSION:
        raise ResumeError(f"resume file {path!r} is a journal of version {header.get('version')!r}; "
                          f"this package reads version {VERSION}", path, 1)
    records = []
    for number, line in enumerate(lines[1:], start=2):
        last = number == len(lines)
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            record = None
        if isinstance(record, dict) and set(record) == {"partial_line"}:
            continue
        if isinstance(record, dict) and set(record) == {"key", "result"} \
                and isinstance(record["key"], str) and isinstance(record["result"], dict):
            records.append((number, record))
            continue
        if last and not complete_end:
            continue                      # killed while writing: ignored, never deleted
        if not last and _marks(lines[number], number):
            continue                      # a half-written line that a later run marked
        raise ResumeError(f"resume file {path!r} line {number} is not a record of a finished task "
                          f"({_short(line, 60)}); the file was left untouched", path, number)
    return header, records, True if complete_end else len(lines)


def _marks(next_line, number):
    """Whether ``next_line`` is the marker of a half-written line ``number``."""
    try:
        record = json.loads(next_line)
    except json.JSONDecodeError:
        return False
    return isinstance(record, dict) and record.get("partial_line") == number and len(record) == 1
