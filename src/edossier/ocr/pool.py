"""Recognising pages in parallel worker processes, one engine instance per worker."""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor

from .types import PageRef, PageText

_ENGINE = None
_FAILED: tuple[str, str] | None = None  # why this worker's engine did not start (en, zh)


def _init(name: str) -> None:
    global _ENGINE, _FAILED
    for var in ("OMP_NUM_THREADS", "OMP_THREAD_LIMIT"):
        os.environ.setdefault(var, "1")
    try:
        from .engines import get_engine

        _ENGINE = get_engine(name)
    except Exception as exc:  # noqa: BLE001 - reported with every page this worker is given
        # Not raised: ProcessPoolExecutor would print the traceback on stderr and break the whole pool
        # ("a process terminated abruptly"), which names neither the engine nor the cause.
        en = getattr(exc, "en", None) or f"{type(exc).__name__}: {exc}"
        zh = getattr(exc, "zh", None) or en
        _FAILED = (f"the OCR engine {name!r} could not start: {en}", f"文字识别引擎 {name!r} 无法启动：{zh}")


def _ready() -> None:
    """Nothing: submitted once per worker when the processes cannot be started without a task."""


def _recognise(ref: PageRef) -> PageText:
    from .engines import OcrError
    from .types import load_upright

    if _ENGINE is None:
        raise OcrError(*(_FAILED or ("the OCR engine did not start", "文字识别引擎未启动")))
    return _ENGINE.recognise(load_upright(ref))


class OcrPool:
    """`submit(PageRef) -> Future[PageText]`; use as a context manager.

    The worker processes are started when the pool is made, and start loading the engine at once (imports
    and model compilation: ~0.7 s of CPU a worker), so make the pool as early as possible: the builder
    makes it before it reads its source (building/pipeline.py). Starting them creates no thread in this
    process (see `_start_workers`), so the builder may still fork afterwards (the scan precheck, the
    check-ahead process) as it did before the pool existed.
    """

    def __init__(self, engine: str, jobs: int | None = None):
        from .engines import check_engine

        check_engine(engine)
        self.engine = engine
        if not jobs:
            jobs = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
        self.jobs = max(1, jobs)
        self._used = False  # a task was submitted (so the executor's manager thread runs)
        self._manager = None  # the executor's manager thread, kept by release()
        self._ex = ProcessPoolExecutor(max_workers=self.jobs, mp_context=multiprocessing.get_context("spawn"),
                                       initializer=_init, initargs=(engine,))
        self._start_workers()

    def _start_workers(self) -> None:
        """Start every worker now. The executor starts a worker per submitted task, when the task comes,
        and its first task also starts its manager thread (and the task queue its feeder thread): a
        fork after that copies a process whose other threads may hold locks. `_adjust_process_count` is
        the part of `submit` that starts one worker process (spawned: fork + exec, no Python state
        copied) and nothing else; the workers run their initializer (the engine) right away and then
        wait for tasks. CPython 3.9-3.13 have it; elsewhere each worker gets an empty task instead
        (threads then exist, and forks later are as safe as Python makes them)."""
        start = getattr(self._ex, "_adjust_process_count", None)
        processes = getattr(self._ex, "_processes", None)
        if callable(start) and isinstance(processes, dict):
            for _ in range(self.jobs):
                start()
            if len(processes) == self.jobs:
                return
        self._used = True
        for _ in range(self.jobs):
            self._ex.submit(_ready)

    def submit(self, ref: PageRef) -> Future:
        self._used = True
        return self._ex.submit(_recognise, ref)

    def release(self) -> None:
        """No more pages: the workers may exit once they have finished what they have, while this
        process goes on (an OpenVINO worker takes ~0.3 s to exit); `close` then waits for what is left."""
        self._manager = getattr(self._ex, "_executor_manager_thread", None)  # shutdown() forgets it
        self._ex.shutdown(wait=False)

    def close(self, cancel: bool = False) -> None:
        if not self._used:
            # Started but never given a task (the build stopped before its first page): the executor
            # has no manager thread to tell the workers to stop, and they hold nothing: end them.
            workers = list((getattr(self._ex, "_processes", None) or {}).values())
            for p in workers:
                p.terminate()
            for p in workers:
                p.join()
        self._ex.shutdown(wait=True, cancel_futures=cancel)
        if self._manager is not None:
            self._manager.join()  # it joins the workers (released: their exit overlapped other work)
            self._manager = None

    def __enter__(self):
        return self

    def __exit__(self, exc_type, *exc):
        self.close(cancel=exc_type is not None)
