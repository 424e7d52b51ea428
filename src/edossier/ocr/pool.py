"""Recognising pages in parallel worker processes, one engine instance per worker."""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor

from .types import PageRef, PageText

_ENGINE = None


def _init(name: str) -> None:
    global _ENGINE
    for var in ("OMP_NUM_THREADS", "OMP_THREAD_LIMIT"):
        os.environ.setdefault(var, "1")
    from .engines import get_engine

    _ENGINE = get_engine(name)


def _ready() -> None:
    """Nothing: submitted once per worker so that the workers start (and load the engine) right away."""


def _recognise(ref: PageRef) -> PageText:
    from .types import load_upright

    return _ENGINE.recognise(load_upright(ref))


class OcrPool:
    """`submit(PageRef) -> Future[PageText]`; use as a context manager."""

    def __init__(self, engine: str, jobs: int | None = None):
        from .engines import check_engine

        check_engine(engine)
        self.engine = engine
        if not jobs:
            jobs = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
        self.jobs = max(1, jobs)
        self._ex = ProcessPoolExecutor(max_workers=self.jobs, mp_context=multiprocessing.get_context("spawn"),
                                       initializer=_init, initargs=(engine,))
        # The executor starts a worker per submitted task, when the task comes. Start them all now, so
        # that importing and loading the engine (~1.2 s of CPU a worker) overlaps the builder's own
        # checks of the scans instead of waiting for the first page.
        for _ in range(self.jobs):
            self._ex.submit(_ready)

    def submit(self, ref: PageRef) -> Future:
        return self._ex.submit(_recognise, ref)

    def close(self, cancel: bool = False) -> None:
        self._ex.shutdown(wait=True, cancel_futures=cancel)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, *exc):
        self.close(cancel=exc_type is not None)
