"""Run lists of independent tasks on any ``concurrent.futures.Executor``, with a progress bar (tqdm,
see :mod:`statmech_nn.progress`) and resumable sweeps (each finished task appended to a JSON-lines file as it completes).

Executors: ``None`` (local threads: the Monte Carlo kernels release the GIL), ``"threads"``,
``"processes"``, an ``int`` (that many local threads), any ``concurrent.futures.Executor``, or a
``dask.distributed.Client`` (its ``get_executor()`` is used). Results never depend on the executor:
each task carries its own seed, and results are returned in task order.

Numba's on-disk cache races between worker processes started together (DESIGN.md, Numerics), so
callers compile their kernels in the parent first (``prepare``) and workers only read the cache.
"""
from __future__ import annotations

import concurrent.futures as cf
import hashlib
import json
import os

from .errors import ParameterError
from .progress import progress_bar

__all__ = ["resolve_executor", "map_tasks", "run_resumable", "task_key", "in_process"]


def resolve_executor(executor=None):
    """``(executor, owned)``: an Executor for ``executor`` and whether the caller must shut it down."""
    if executor is None or executor == "threads":
        return cf.ThreadPoolExecutor(max_workers=os.cpu_count() or 1), True
    if executor == "processes":
        return cf.ProcessPoolExecutor(max_workers=os.cpu_count() or 1), True
    if isinstance(executor, int) and not isinstance(executor, bool):
        if executor < 1:
            raise ParameterError(f"executor = {executor}: the number of worker threads must be >= 1")
        return cf.ThreadPoolExecutor(max_workers=executor), True
    if isinstance(executor, cf.Executor):
        return executor, False
    if hasattr(executor, "get_executor"):     # dask.distributed.Client
        return executor.get_executor(), False
    raise ParameterError(f"executor must be None, 'threads', 'processes', a number of threads, a "
                         f"concurrent.futures.Executor or a dask.distributed.Client; got {executor!r}")


def in_process(executor):
    """Whether ``executor`` runs tasks as threads of this process (they can report progress)."""
    return (executor is None or executor == "threads" or isinstance(executor, cf.ThreadPoolExecutor)
            or (isinstance(executor, int) and not isinstance(executor, bool)))


def map_tasks(fn, tasks, executor=None, progress=None, desc="", on_result=None):
    """``[fn(t) for t in tasks]`` on ``executor`` (see :func:`resolve_executor`), in task order.

    ``on_result(index, result)`` is called in the parent as each task finishes (in completion order).
    ``progress``: ``True``/``False``/``None`` for a bar over the tasks (see
    :func:`statmech_nn.progress.progress_bar`), or a callable ``progress(index)`` called as each task
    finishes (the caller keeps its own account, e.g. in sweeps). A single task with no executor given
    runs inline. The first failing task cancels the rest and re-raises its exception.
    """
    tasks = list(tasks)
    results = [None] * len(tasks)
    if not tasks:
        return results
    if callable(progress):
        bar, advance = None, progress
    else:
        bar = progress_bar(len(tasks), desc, progress, unit="task")
        advance = lambda i: bar.update(1)   # noqa: E731
    try:
        if executor is None and len(tasks) == 1:
            results[0] = fn(tasks[0])
            if on_result:
                on_result(0, results[0])
            advance(0)
            return results
        _run_pool(fn, tasks, executor, results, on_result, advance)
    finally:
        if bar is not None:
            bar.close()
    return results


def _run_pool(fn, tasks, executor, results, on_result, advance):
    pool, owned = resolve_executor(executor)
    try:
        futures = {pool.submit(fn, task): i for i, task in enumerate(tasks)}
        try:
            for future in cf.as_completed(futures):
                i = futures[future]
                results[i] = future.result()
                if on_result:
                    on_result(i, results[i])
                advance(i)
        except BaseException:
            for future in futures:
                future.cancel()
            raise
    finally:
        if owned:
            pool.shutdown(wait=True, cancel_futures=True)


def task_key(task):
    """A stable key of a JSON-able task: the SHA-256 of its canonical JSON."""
    return hashlib.sha256(json.dumps(task, sort_keys=True).encode()).hexdigest()


def run_resumable(fn, tasks, path=None, executor=None, progress=None, desc="", config=None):
    """Like :func:`map_tasks`, but each finished task is appended to the journal ``path`` (see
    :mod:`statmech_nn.journal`) as it completes, and tasks already recorded there are not run again.

    Tasks and results must be JSON-serialisable; a task is identified by :func:`task_key`. ``path``
    is a file name or an open :class:`~statmech_nn.journal.Journal`; ``config`` (a JSON-able dict)
    describes the run, and a journal written with another ``config`` is refused naming the
    difference (default: the list of task keys). With ``path=None`` it is :func:`map_tasks` with the
    results normalised through JSON as well, so a resumed sweep and an uninterrupted one return
    identical values.
    """
    from .journal import Journal
    keys = [task_key(t) for t in tasks]
    journal = path
    if path is not None and not isinstance(path, Journal):
        journal = Journal.open(path, {"tasks": keys} if config is None else config, set(keys))
    done = dict(journal.done) if journal is not None else {}
    todo = [i for i, k in enumerate(keys) if k not in done]

    def record(j, result):
        i = todo[j]
        done[keys[i]] = json.loads(json.dumps(result))
        if journal is not None:
            journal.append(keys[i], result)

    try:
        map_tasks(fn, [tasks[i] for i in todo], executor, progress, desc, on_result=record)
    finally:
        if journal is not None:
            journal.close()
    return [done[k] for k in keys]
