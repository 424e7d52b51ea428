"""Checking each new document on the second core while the builder makes the next one (issue 19).

The preflight validates the finished, unsigned package exactly as `validate` would. Most of that is the
per-document checks (the PDF/A rules and the image checks, `validation.documents.document_facts`), and
they are a pure function of each document's bytes. :class:`CheckAhead` forks one process before the
documents are made; as soon as the package writer has written a document into the output file, that
process reads it back from the file (os.pread, by offset), hashes exactly the bytes it read, computes
their document facts and sends (algorithm, digest, facts) back; the builder notes them by that digest
(validation/evidence.py). When the preflight's integrity stage then reads the member and its digest,
computed there from the bytes it read, is noted, the document check takes the noted facts.

So the evidence is always about the very bytes the preflight reads: a document changed after it was
checked ahead has another digest and is checked again from scratch; a document whose check ahead did
not finish (the process died, a check raised) is simply checked by the preflight. Nothing is decided
here, and the preflight's report is the same as without it (tests/test_build_ahead.py).

Forked, not spawned (no second start-up: the checks' modules are imported before the fork), and only
before the package writer's thread and the OCR pool's threads exist (the fork copies only the calling
thread; the OCR workers, spawned processes started without a thread, may already run).
Linux only, as the precheck pool (fork is not safe with macOS's system libraries); off with one core.
"""

from __future__ import annotations

import gc
import hashlib
import os
import sys
import threading
import time
from pathlib import Path

from ..forkpool import child_signals, signals_held

STALL = 120.0  # seconds without a result after which finish() stops the child


def available() -> bool:
    return sys.platform.startswith("linux") and hasattr(os, "fork") and (
        len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)) > 1


class CheckAhead:
    """One forked process checking documents from `target` (the package being written), in the order
    they are submitted. `submit(offset, length)` may be called from the writer thread; `finish()` waits
    for every result and returns the (algorithm, digest) keys noted; `close()` ends the process and
    forgets the notes (call it when the preflight is done)."""

    def __init__(self, target: Path, algorithm: str = "sha256"):
        import multiprocessing

        # what the checks import lazily, imported once here instead of in the child after the fork
        import fontTools.ttLib  # noqa: F401
        import pikepdf  # noqa: F401

        from ..pdfa import check, images_pdf  # noqa: F401
        from ..validation import documents, evidence  # noqa: F401

        ctx = multiprocessing.get_context("fork")
        self.target, self.algorithm = Path(target), algorithm
        self.keys: list[tuple[str, bytes]] = []
        self.submitted = 0
        self._closed = False
        tasks_r, self._tasks = ctx.Pipe(duplex=False)
        self._results, results_w = ctx.Pipe(duplex=False)
        self._proc = ctx.Process(target=_serve, args=(str(self.target), algorithm, tasks_r, results_w),
                                 daemon=True, name="edossier-check-ahead")
        gc.freeze()  # the child's collector would otherwise touch (copy) every inherited object
        try:
            with signals_held():
                self._proc.start()
        finally:
            gc.unfreeze()
        tasks_r.close()
        results_w.close()  # EOF on `_results` once the child has gone
        self._send_lock = threading.Lock()
        self._progress = time.monotonic()  # when the child last reported (finish's stall watch)
        self._collector = threading.Thread(target=self._collect, name="edossier-check-ahead", daemon=True)
        self._collector.start()

    def submit(self, offset: int, length: int) -> None:
        """Check the `length` bytes at `offset` of the target (a member's data, written and flushed)."""
        from ..validation.members import MAX_PDF_BYTES

        if length > MAX_PDF_BYTES:
            return  # the preflight does not check it either (X005): not read into memory here
        with self._send_lock:
            try:
                self._tasks.send((offset, length))
                self.submitted += 1
            except (OSError, ValueError):
                pass  # the child has gone: the preflight checks these documents itself

    def _collect(self) -> None:
        from ..validation.evidence import remember

        while True:
            try:
                algorithm, digest, facts = self._results.recv()
            except (EOFError, OSError):
                return
            except Exception:  # noqa: BLE001 - a result that cannot be read is a document not checked ahead
                continue
            remember(algorithm, digest, facts)
            self.keys.append((algorithm, digest))
            self._progress = time.monotonic()

    def finish(self) -> list[tuple[str, bytes]]:
        """No more documents: wait until the child has sent every result (or has gone). A child that sends
        nothing for STALL seconds is stopped (a deadlock after the fork, a pathological input PDF): the
        preflight then checks what it did not report, as it would without it."""
        with self._send_lock:
            try:
                self._tasks.send(None)
            except (OSError, ValueError):
                pass
        while self._collector.is_alive():
            self._collector.join(timeout=1.0)
            if self._collector.is_alive() and time.monotonic() - self._progress > STALL:
                self._proc.kill()  # EOF for the collector; SIGKILL: a stuck child may not have let SIGTERM in yet
                self._collector.join(timeout=5)
                break
        self._proc.join(timeout=5)
        return list(self.keys)

    def close(self) -> None:
        from ..validation.evidence import forget

        if self._closed:
            return
        self._closed = True
        try:
            self._tasks.close()
        except OSError:
            pass
        if self._proc.is_alive():
            self._proc.terminate()
            self._proc.join(timeout=5)
            if self._proc.is_alive():  # stuck before letting SIGTERM in (forkpool.signals_held), or in C code
                self._proc.kill()
        self._proc.join()
        self._collector.join(timeout=5)
        self._results.close()
        forget(self.keys)
        self.keys = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _serve(target: str, algorithm: str, tasks, results) -> None:
    """In the child: read, hash and check each submitted member until the parent says stop (or goes)."""
    child_signals()  # Ctrl-C: the parent decides, and stops this process
    from ..validation.documents import document_facts
    from .memory import keep_heap

    # let glibc keep freed document buffers for the next document instead of returning them to the system
    # and faulting fresh zeroed pages in for every one (each document is read, opened and its images copied)
    keep_heap()
    fd = None
    try:
        while True:
            try:
                task = tasks.recv()
            except (EOFError, OSError):
                return
            if task is None:
                return
            offset, length = task
            try:
                if fd is None:
                    fd = os.open(target, os.O_RDONLY)
                data = _pread(fd, length, offset)
                digest = hashlib.new(algorithm, data).digest()
                facts = document_facts(data)
            except Exception:  # noqa: BLE001 - not checked ahead: the preflight checks it itself
                continue
            del data
            try:
                results.send((algorithm, digest, facts))
            except OSError:
                return  # the parent went away
            except Exception:  # noqa: BLE001 - facts that cannot be sent: the preflight checks it itself
                continue
    except BaseException:  # noqa: BLE001 - the parent went away: nobody to tell, and no traceback
        pass
    finally:
        if fd is not None:
            os.close(fd)
        try:
            results.close()
        except OSError:
            pass


def _pread(fd: int, length: int, offset: int) -> bytes:
    parts, got = [], 0
    while got < length:
        chunk = os.pread(fd, length - got, offset + got)
        if not chunk:
            raise EOFError("the member ends early")
        parts.append(chunk)
        got += len(chunk)
    return parts[0] if len(parts) == 1 else b"".join(parts)
