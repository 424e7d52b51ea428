"""A forked pool of worker processes that always ends (issue 19).

`with multiprocessing.Pool() as pool:` ends with `Pool.terminate()`, which sends SIGTERM to the workers and
waits for them. In a process with a Python-level SIGTERM handler (the CLI's, cli/main.py: exit with
128 + 15), that wait can last forever: the 2 GB benchmark build hung for 49 minutes with one worker
asleep on the pool's task-queue lock and nobody left to wake it, and a loop of 3-task pools under the same
handler hangs after a few hundred pools (tests/test_forkpool.py). A pool that is closed and joined instead
lets every worker finish on the end-of-work sentinel, with no signal at all; that never hung.

So: on the normal path close() + join(); terminate() only when the block raised (the work is being
abandoned anyway), with the workers' SIGTERM back to the default action, so that they die on it instead
of running the inherited handler.

Every forked child of ours (these pools, the build's check-ahead process, the validator's document
helper) is started with SIGINT and SIGTERM held (`signals_held`): a signal that arrives between the fork
and the child's own handlers would otherwise run the parent's handler inside the child. The child sets
its handlers first and then lets held signals in (`child_signals`); the parent lets its own in after
the fork, so nothing is lost, only delayed by the fork's duration."""

from __future__ import annotations

import contextlib
import signal


_HELD = {signal.SIGINT, signal.SIGTERM}


@contextlib.contextmanager
def signals_held():
    """SIGINT and SIGTERM held (blocked, not lost) in this thread while it forks children."""
    old = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def child_signals() -> None:
    """In a child forked under `signals_held`: die on SIGTERM (do not run the parent's handler), leave
    Ctrl-C to the parent, then let the held signals in."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _HELD)


def _worker_start(initializer, initargs) -> None:
    child_signals()
    if initializer is not None:
        initializer(*initargs)


@contextlib.contextmanager
def forked_pool(processes: int, initializer=None, initargs=()):
    """A fork-context multiprocessing.Pool of `processes` workers (Linux: the callers fork only there)."""
    import multiprocessing as mp

    with signals_held():  # the pool forks its workers here; its helper threads inherit the held mask
        pool = mp.get_context("fork").Pool(processes, initializer=_worker_start, initargs=(initializer, initargs))
    try:
        yield pool
    except BaseException:
        pool.terminate()
        raise
    pool.close()
    pool.join()
