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

Handing over without reading back (issue 19, fifth round): for a SHA-256 manifest the builder already
has each document's bytes and their SHA-256 (computed with the /ID, pdfmake/finish.py). `hand(data,
digest)` copies those bytes into a shared memory slot mapped before the fork and sends (slot, length,
digest); the process copies exactly `length` bytes out, frees the slot, computes the facts of that copy
and sends them back under the builder's digest of the same bytes. Nothing else writes the slot (an
anonymous mapping shared with this process's own children only), and the parent writes it only after
the process has said it has copied the previous document out. So the facts are still about bytes
whose digest was computed from them, only by the builder instead of a second time here: this saves the
process a read back and a SHA-256 pass over every document (about 0.3 s of CPU per 584 MB). The preflight
still takes them only for a member whose bytes, as it reads them from the file, have that digest: a
document written wrongly, or changed in the file afterwards, is checked from scratch. When the slot is
busy (or the document larger than it), the document goes the old way, read back from the file.

Not waiting for the last documents (same round): for a SHA-256 manifest the builder knows every
document's digest, so it `expect`s each one (validation/evidence.py), tells the process to stop after the
documents it has (`stop`) and starts its preflight at once; a document check whose facts are still on
their way waits for them while the process is `alive` (reporting within STALL seconds), and otherwise
checks the document itself. The preflight's reading and hashing of the package thus overlaps the check
of the last documents instead of following it.

Forked, not spawned (no second start-up: the checks' modules are imported before the fork), and only
before the package writer's thread and the OCR pool's threads exist (the fork copies only the calling
thread; the OCR workers, spawned processes started without a thread, may already run).
Linux only, as the precheck pool (fork is not safe with macOS's system libraries); off with one core.
"""

from __future__ import annotations

import gc
import hashlib
import mmap
import os
import sys
import threading
import time
from pathlib import Path

from ..forkpool import child_signals, signals_held

STALL = 120.0  # seconds without a result after which finish() stops the child
SLOT_BYTES = 16 << 20  # the shared slot for `hand`; a larger document is read back from the file


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
        # one slot (anonymous, MAP_SHARED: the child sees what the parent copies in); pages are touched
        # only as far as documents reach, so it costs the resident size of one document in each process
        self._slot = mmap.mmap(-1, SLOT_BYTES) if algorithm == "sha256" else None
        self._slot_free = threading.Event()
        self._slot_free.set()
        self.handed = 0
        self.keys: list[tuple[str, bytes]] = []
        self._expected: list[tuple[str, bytes]] = []
        self.submitted = 0
        self._closed = False
        tasks_r, self._tasks = ctx.Pipe(duplex=False)
        self._results, results_w = ctx.Pipe(duplex=False)
        self._proc = ctx.Process(target=_serve, args=(str(self.target), algorithm, tasks_r, results_w, self._slot),
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
                self._tasks.send(("file", offset, length))
                self.submitted += 1
                self._progress = time.monotonic()  # the stall clock runs from the later of send and result
            except (OSError, ValueError):
                pass  # the child has gone: the preflight checks these documents itself

    def hand(self, data: bytes, digest: bytes) -> bool:
        """Check `data`, whose SHA-256 the caller computed from these very bytes, without reading it back
        from the target: copied into the shared slot when it is free (the process has copied the previous
        document out). False when it is not taken (slot busy or too small, SM3, too large to check, the
        process gone): then `submit` it once written, as before."""
        from ..validation.members import MAX_PDF_BYTES

        if (self._slot is None or len(data) > min(SLOT_BYTES, MAX_PDF_BYTES) or len(digest) != 32
                or not self._slot_free.is_set() or not self._proc.is_alive()):
            return False
        with self._send_lock:
            self._slot_free.clear()  # until the process says it has copied these bytes out
            self._slot[:len(data)] = data
            try:
                self._tasks.send(("slot", len(data), digest))
                self.handed += 1
                self._progress = time.monotonic()
            except (OSError, ValueError):
                return False  # the child has gone (the slot stays busy: nothing more is handed over)
        self.expect(digest)
        return True

    def expect(self, digest: bytes) -> None:
        """The facts of the document with this digest (in this check's algorithm) will come: a preflight
        started before they have waits for them while the process is `alive`."""
        from ..validation.evidence import expect

        expect(self.algorithm, digest, self.alive)
        self._expected.append((self.algorithm, digest))

    def alive(self) -> bool:
        """Still reporting: the process has not gone, and said something (or was sent something) within
        STALL seconds."""
        return self._collector.is_alive() and time.monotonic() - self._progress <= STALL

    def stop(self) -> None:
        """No more documents; do not wait (what is still expected is waited for by whoever needs it)."""
        with self._send_lock:
            try:
                self._tasks.send(None)
            except (OSError, ValueError):
                pass

    def _collect(self) -> None:
        from ..validation.evidence import give_up, remember

        try:
            self._collect_until_eof(remember)
        finally:
            give_up(self._expected)  # the process has gone: nothing more will come

    def _collect_until_eof(self, remember) -> None:
        while True:
            try:
                message = self._results.recv()
            except (EOFError, OSError):
                return
            except Exception:  # noqa: BLE001 - a result that cannot be read is a document not checked ahead
                continue
            if message == "slot free":
                self._slot_free.set()
                self._progress = time.monotonic()
                continue
            algorithm, digest, facts = message
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
        from ..validation.evidence import forget, give_up

        if self._closed:
            return
        self._closed = True
        try:
            self._tasks.close()
        except OSError:
            pass
        if self._proc.is_alive() and not self.alive():
            self._proc.kill()  # stalled (said nothing for STALL seconds): as finish() would have done
        if self._proc.is_alive():
            self._proc.terminate()
            self._proc.join(timeout=5)
            if self._proc.is_alive():  # stuck before letting SIGTERM in (forkpool.signals_held), or in C code
                self._proc.kill()
        self._proc.join()
        self._collector.join(timeout=5)
        self._results.close()
        if self._slot is not None:
            self._slot.close()
        give_up(self._expected)
        forget(self.keys)
        self.keys, self._expected = [], []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _serve(target: str, algorithm: str, tasks, results, slot=None) -> None:
    """In the child: check each document handed over in `slot` (bytes and their digest) or submitted
    by where it lies in the target (read and hashed here), until the parent says stop (or goes)."""
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
            try:
                if task[0] == "slot":
                    _, length, digest = task
                    data = slot[:length]  # a copy: the parent may fill the slot again once told
                    results.send("slot free")
                else:
                    _, offset, length = task
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
