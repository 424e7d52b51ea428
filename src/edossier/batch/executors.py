"""Where per-package work runs: local processes (default) or a Dask distributed cluster.

An executor maps a picklable function over items and yields ``(index, result)`` pairs **as they
complete** (not in input order), keeping only a bounded window of items in flight, so the caller can
aggregate results as they stream back and its memory does not grow with the number of items.

Fault tolerance, the same in both executors: a work item whose worker process dies (a segfault, the
OOM killer, ``os._exit``) is set aside as a *suspect*, together with any other item that was in flight
when that worker died. When the stream is done, every suspect is retried **once, alone** (nothing
else in flight), so a second death can be blamed on that item and no other; then ``on_crash(item,
error)`` makes its result (for validation: finding X001). An ordinary exception inside the function is
the function's own business (many.py retries it once and reports X001 as well).

Dask and distributed are imported only when a Dask executor is made.
"""

from __future__ import annotations

import os
import threading
from typing import Any, Callable, Iterable, Iterator

from ..errors import UserError
from ..forkpool import child_signals, signals_held
from ..i18n import t

OnCrash = Callable[[Any, str], Any]

POLL_SECONDS = 5
NO_WORKERS_GRACE = 60  # seconds a cluster may stay without workers (restarts) before its tasks are given up


class ExecutorError(UserError, RuntimeError):
    """The executor could not start (e.g. no Dask scheduler at that address)."""


class NoWorkers(RuntimeError):
    """The Dask cluster has no worker left to run tasks."""


class LocalExecutor:
    """`jobs` local processes (ProcessPoolExecutor); `jobs=1` runs in this process (no protection
    against a hard crash there, but no process start-up either)."""

    name = "local"

    def __init__(self, jobs: int | None = None, *, window: int | None = None):
        self.workers = max(1, jobs or os.cpu_count() or 1)
        self.window = window or 4 * self.workers
        # Manager threads of pools shut down without waiting (map_unordered); a server calls map_unordered
        # from several threads, for as long as it runs, so the list is locked and keeps only live threads.
        self._ending: list = []
        self._ending_lock = threading.Lock()

    def describe(self, lang: str = "en") -> str:
        if self.workers > 1:
            return t("executor.processes", lang, n=self.workers)
        return t("executor.in_process", lang)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self) -> None:
        """Wait until the worker processes of the pools shut down without waiting have ended.

        CPython 3.11's exit hook for process pools (concurrent.futures.process._python_exit) writes to
        each pool thread's wake-up pipe without a lock: if that thread is closing the pipe just then,
        the write fails (OSError EBADF) and the exit hook raises. Joined here, the thread has closed the
        pipe before the hook runs, and the hook leaves it alone."""
        with self._ending_lock:
            ending, self._ending = self._ending, []
        for thread in ending:
            thread.join()

    def map_unordered(self, fn: Callable, items: Iterable, *, on_crash: OnCrash,
                      last: Callable | None = None) -> Iterator[tuple[int, Any]]:
        """`last`, if given, runs instead of `fn` for the final `workers` items: those that start
        while the other workers are running out of items, so each may use a core that would otherwise
        idle until the batch ends (many.validate_many: the document helper process, issue 19)."""
        if self.workers == 1:
            for i, item in enumerate(items):
                yield i, fn(item)
            return
        from collections import deque
        from concurrent.futures import FIRST_COMPLETED, wait
        from concurrent.futures.process import BrokenProcessPool

        suspects: list[tuple[int, Any]] = []
        source = enumerate(items)
        ahead: deque = deque()  # items read from `source` and not yet submitted: how many are left
        exhausted = False
        tail = self.workers if last is not None else 0
        pool = None
        inflight: dict = {}
        finished = False
        try:
            while True:
                if pool is None:
                    pool = _pool(self.workers)
                while len(inflight) < self.window:
                    while not exhausted and len(ahead) <= tail:  # one more than `tail` read ahead
                        try:
                            ahead.append(next(source))
                        except StopIteration:
                            exhausted = True
                    if not ahead:
                        break
                    i, item = ahead.popleft()
                    final = len(ahead) < tail  # one of the last `tail` items (the source is exhausted)
                    with signals_held():  # the first submit forks the workers (forkpool.py: why held)
                        inflight[pool.submit(last if final else fn, item)] = (i, item)
                if not inflight:
                    break
                done, _ = wait(inflight, return_when=FIRST_COMPLETED)
                broken = False
                for fut in done:
                    i, item = inflight.pop(fut)
                    try:
                        result = fut.result()
                    except BrokenProcessPool:
                        suspects.append((i, item))
                        broken = True
                        continue
                    except Exception as exc:  # noqa: BLE001 - e.g. a result that cannot be pickled
                        result = on_crash(item, f"{type(exc).__name__}: {exc}")
                    yield i, result
                if broken:  # the pool is gone: everything still in flight is a suspect
                    for fut, (i, item) in inflight.items():
                        try:
                            result = fut.result()
                        except BrokenProcessPool:
                            suspects.append((i, item))
                            continue
                        except Exception as exc:  # noqa: BLE001
                            result = on_crash(item, f"{type(exc).__name__}: {exc}")
                        yield i, result
                    inflight.clear()
                    pool.shutdown(wait=True, cancel_futures=True)
                    pool = None
            finished = True
        finally:
            if pool is not None:
                # Every result is in: the workers exit, and are joined by the pool's own thread, while
                # the caller goes on (a CLI batch renders its report meanwhile instead of waiting ~20 ms
                # for the processes to end with both cores idle, issue 19). Stopped early (Ctrl-C, `kill`,
                # an error, a consumer that stopped reading): the workers, which leave Ctrl-C to this
                # process, are ended instead of finishing the packages they hold; what is queued is
                # cancelled and the processes are waited for.
                if not finished:
                    _terminate(pool)
                # `close` joins the pool's thread later (shutdown forgets it; a Python without the
                # attribute waits here).
                manager = getattr(pool, "_executor_manager_thread", None) if finished else None
                pool.shutdown(wait=not finished or manager is None, cancel_futures=not finished)
                if manager is not None:
                    with self._ending_lock:
                        self._ending = [t for t in self._ending if t.is_alive()] + [manager]
        yield from self._retry_alone(fn, suspects, on_crash)

    def _retry_alone(self, fn, suspects, on_crash) -> Iterator[tuple[int, Any]]:
        from concurrent.futures.process import BrokenProcessPool

        pool = None
        finished = False
        try:
            for i, item in sorted(suspects, key=lambda s: s[0]):
                if pool is None:
                    pool = _pool(1)
                try:
                    with signals_held():
                        future = pool.submit(fn, item)
                    result = future.result()
                except BrokenProcessPool as exc:
                    pool.shutdown(wait=True)
                    pool = None
                    result = on_crash(item, f"the worker process died twice ({exc or 'BrokenProcessPool'})")
                except Exception as exc:  # noqa: BLE001
                    result = on_crash(item, f"{type(exc).__name__}: {exc}")
                yield i, result
            finished = True
        finally:
            if pool is not None:
                if not finished:  # stopped early, as in map_unordered
                    _terminate(pool)
                pool.shutdown(wait=True)


def _pool(workers: int):
    """A process pool whose workers leave Ctrl-C to this process and die on SIGTERM
    (forkpool.child_signals; the CLI's SIGTERM handler, inherited, would raise SystemExit inside a task,
    which the pool hands back as that task's result)."""
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(max_workers=workers, initializer=child_signals)


def _terminate(pool) -> None:
    """SIGTERM to the pool's worker processes (the pool then finds them gone and shuts down at once)."""
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        try:
            process.terminate()
        except (OSError, ValueError, AttributeError):  # already gone, or closed
            pass


class DaskExecutor:
    """A Dask distributed cluster: an existing scheduler (``tcp://host:8786``) or a LocalCluster.

    For a LocalCluster this starts, the scheduler's ``allowed-failures`` is 0, so the first worker
    death marks the task KilledWorker at once and the executor's own isolated retry is the one
    retry. An existing scheduler keeps its own setting (Dask's default retries 3 times first).
    """

    name = "dask"

    def __init__(self, scheduler: str | None = None, *, workers: int | None = None, processes: bool = True,
                 window: int | None = None, timeout: float = 20):
        try:
            import dask
            from distributed import Client, LocalCluster
        except ImportError as exc:
            raise ExecutorError(f"Dask is not installed ({exc.name}): pip install 'edossier[stats]'",
                                f"未安装 Dask（{exc.name}）：请执行 pip install 'edossier[stats]'") from None
        self.cluster = None
        self.scheduler = scheduler
        try:
            if scheduler is None:
                n = max(1, workers or os.cpu_count() or 1)
                with dask.config.set({"distributed.scheduler.allowed-failures": 0,
                                      "distributed.admin.system-monitor.gil.enabled": False}):
                    self.cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=processes,
                                                dashboard_address=":0", silence_logs=50,
                                                **({"memory_limit": 0} if processes else {}))
                self.client = Client(self.cluster, set_as_default=False)
            else:
                self.client = Client(scheduler, timeout=timeout, set_as_default=False)
        except Exception as exc:  # noqa: BLE001 - no scheduler, bad address, ports in use
            self.close()
            where = scheduler or "LocalCluster"
            raise ExecutorError(f"cannot start or reach the Dask cluster ({where}): {exc}",
                                f"无法启动或连接 Dask 集群（{where}）：{exc}") from None
        self.workers = max(1, len(self.client.scheduler_info().get("workers", {})) or (workers or 1))
        self.window = window or max(8, 4 * self.workers)

    def describe(self, lang: str = "en") -> str:
        where = self.scheduler or "LocalCluster"
        return t("executor.dask", lang, where=where, n=self.workers)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self) -> None:
        client, cluster = getattr(self, "client", None), self.cluster
        self.client = self.cluster = None
        if client is not None:
            try:
                client.close()
            except Exception:  # noqa: BLE001
                pass
        if cluster is not None:
            try:
                cluster.close()
            except Exception:  # noqa: BLE001
                pass

    def map_unordered(self, fn: Callable, items: Iterable, *, on_crash: OnCrash) -> Iterator[tuple[int, Any]]:
        from distributed.scheduler import KilledWorker

        client = self.client
        source = enumerate(items)
        exhausted = False
        inflight: dict = {}  # future -> (index, item)
        suspects: list[tuple[int, Any]] = []

        def refill():
            nonlocal exhausted
            while not exhausted and len(inflight) < self.window:
                try:
                    i, item = next(source)
                except StopIteration:
                    exhausted = True
                    return
                inflight[client.submit(fn, item, pure=False)] = (i, item)

        refill()
        while inflight:
            try:
                done = self._first_done(list(inflight))
            except NoWorkers as exc:  # the rest cannot run: say so for each, never wait forever
                for fut, (i, item) in inflight.items():
                    fut.release()
                    yield i, on_crash(item, str(exc))
                inflight.clear()
                for i, item in source:
                    yield i, on_crash(item, str(exc))
                return
            for fut in done:
                i, item = inflight.pop(fut)
                # One call, not a look at .status first and a fetch after: a finished result lives on
                # the worker that made it, and that worker may die before it is fetched (killed by the
                # next package it runs). Dask then recomputes the key, and the fetch can end in
                # KilledWorker for a future that looked finished: that escaped and aborted the batch.
                try:
                    result = fut.result()
                except KilledWorker:
                    fut.release()
                    suspects.append((i, item))
                    continue
                except Exception as exc:  # noqa: BLE001 - the item's own failure is its result
                    result = on_crash(item, f"{type(exc).__name__}: {exc}")
                fut.release()
                yield i, result
            refill()
        for i, item in sorted(suspects, key=lambda s: s[0]):
            fut = client.submit(fn, item, pure=False)
            try:
                self._first_done([fut])
                result = fut.result()
            except KilledWorker as exc:
                result = on_crash(item, f"the worker process died twice ({exc})")
            except NoWorkers as exc:
                result = on_crash(item, str(exc))
            except Exception as exc:  # noqa: BLE001
                result = on_crash(item, f"{type(exc).__name__}: {exc}")
            fut.release()
            yield i, result

    def _first_done(self, futures: list) -> set:
        """The finished ones of `futures`, waiting for at least one. Raises NoWorkers when the cluster
        has had no worker for NO_WORKERS_GRACE seconds: its tasks would otherwise wait forever (seen
        when a LocalCluster's nannies did not restart workers killed by a crashing package)."""
        import time

        from distributed import as_completed

        alone_since = None
        while True:
            try:  # (distributed.wait would need this client to be the default one)
                first = next(as_completed(futures, loop=self.client.loop, timeout=POLL_SECONDS))
                return {first} | {f for f in futures if f.done()}
            except TimeoutError:
                pass
            if self.client.scheduler_info().get("workers"):
                alone_since = None
            elif alone_since is None:
                alone_since = time.monotonic()
            elif time.monotonic() - alone_since > NO_WORKERS_GRACE:
                raise NoWorkers(f"no Dask worker has been available for {NO_WORKERS_GRACE:.0f} s: the package "
                                f"was not checked")

def make_executor(*, jobs: int | None = None, scheduler: str | None = None, dask_local: bool = False,
                  processes: bool = True):
    """The executor the options ask for: `scheduler` (tcp://host:8786), `dask_local` (a LocalCluster
    of `jobs` workers), else `jobs` local processes."""
    if scheduler:
        return DaskExecutor(scheduler)
    if dask_local:
        return DaskExecutor(None, workers=jobs, processes=processes)
    return LocalExecutor(jobs)
