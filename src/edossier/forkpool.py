"""A forked pool of worker processes that always ends (issue 19).

`with multiprocessing.Pool() as pool:` ends with `Pool.terminate()`, which sends SIGTERM to the workers and
waits for them. In a process with a Python-level SIGTERM handler (the CLI's, cli/main.py: exit with
128 + 15), that wait can last forever: the 2 GB benchmark build hung for 49 minutes with one worker
asleep on the pool's task-queue lock and nobody left to wake it, and a loop of 3-task pools under the same
handler hangs after a few hundred pools (tests/test_forkpool.py). A pool that is closed and joined instead
lets every worker finish on the end-of-work sentinel, with no signal at all; that never hung.

So: on the normal path close() + join(); terminate() only when the block raised (the work is being
abandoned anyway), with the workers' SIGTERM back to the default action, so that they die on it instead
of running the inherited handler."""

from __future__ import annotations

import contextlib
import signal


def _worker_start(initializer, initargs) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # die on terminate(), do not run the parent's handler
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    if initializer is not None:
        initializer(*initargs)


@contextlib.contextmanager
def forked_pool(processes: int, initializer=None, initargs=()):
    """A fork-context multiprocessing.Pool of `processes` workers (Linux: the callers fork only there)."""
    import multiprocessing as mp

    pool = mp.get_context("fork").Pool(processes, initializer=_worker_start, initargs=(initializer, initargs))
    try:
        yield pool
    except BaseException:
        pool.terminate()
        raise
    pool.close()
    pool.join()
