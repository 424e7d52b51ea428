"""A second process that checks documents beside the validating one (issue 19).

The document checks (qpdf, the PDF/A rules, the JPEG entropy decoding of every scan) are pure Python
on one core; hashing runs on other threads, but the checks alone keep one core busy for most of a full
validation. :class:`DocumentHelper` forks one process that takes documents from the same list as the
parent, in the same order: each side claims the next unclaimed document (a counter in shared memory),
so the two share the work whatever each document costs.

The helper reads each document itself, by offset from the package file it inherited (os.pread, the
same `iter_member` reader with its size and CRC-32 checks), computes its SHA-256 from those bytes and
checks those same bytes, so the digest the integrity stage compares with the manifest is the digest of
exactly the bytes that were checked. It sends back (index, digest, outcome), or (index, the exception
reading raised, None).

Nothing is weaker and nothing changes in the output: every document is checked by the same function,
and the parent consumes the results in member order. If the helper dies (a crash inside a C library on
hostile input, a kill), the documents it claimed and did not report are read, hashed and checked by the
parent, as they would have been without a helper.

Memory: the helper holds one document at a time (up to members.MAX_PDF_BYTES, as the parent does when
a document's turn comes), beside the parent's read-ahead.

Forked, not spawned: a spawned interpreter would import pikepdf, pyHanko and the checks again (~0.7 s).
Fork only from a process whose other threads cannot hold a lock the checks need: the CLI, before the
hashing threads start (validate_package's `document_processes`, off by default for library callers
such as the exchange node, which serves requests on threads).
"""

from __future__ import annotations

import gc
import hashlib
import os
from typing import Callable

from ..forkpool import child_signals, signals_held

# outcome of one document's checks: ("ok", findings) or ("error", "Type: message") — see stages._integrity
Outcome = tuple


class DocumentHelper:
    def __init__(self, read: Callable[[str], bytes], check: Callable[[str, bytes], Outcome], names: list[str],
                 algorithms: tuple[str, ...] = ("sha256",)):
        import multiprocessing

        ctx = multiprocessing.get_context("fork")
        self.names = names
        self.algorithms = algorithms  # the manifests' digest algorithms (SHA-256, SM3): {algorithm: digest}
        self.index = {name: i for i, name in enumerate(names)}
        self._next = ctx.Value("q", 0)  # the next unclaimed document; its lock makes claims atomic
        self._results: dict[int, tuple] = {}
        self._dead = False
        receive, send = ctx.Pipe(duplex=False)
        self._proc = ctx.Process(target=self._serve, args=(read, check, send), daemon=True,
                                 name="edossier-documents")
        # The garbage collector of the helper would write to every object it inherited, copying the
        # parent's pages; frozen objects are left alone (the gc.freeze documentation's advice for fork).
        gc.freeze()
        try:
            with signals_held():  # until the helper has its own handlers (forkpool.child_signals)
                self._proc.start()
        finally:
            gc.unfreeze()
        send.close()  # the parent's copy of the write end: EOF on `receive` means the helper has gone
        self._receive = receive

    # --- in the helper process ---------------------------------------------------------------------

    def _claim_next(self) -> int:
        with self._next.get_lock():
            k = self._next.value
            self._next.value = k + 1
        return k

    def _serve(self, read, check, send) -> None:
        # Ctrl-C goes to the whole process group: the parent decides (and stops this process) alone.
        child_signals()
        try:
            self._work(read, check, send)
        except BaseException:  # noqa: BLE001 - the parent stopped listening (or went): nobody to tell, and
            pass  # no traceback on the user's terminal; whatever was not reported the parent does itself
        finally:
            try:
                send.close()
            except OSError:
                pass

    def _work(self, read, check, send) -> None:
        parent = os.getppid()
        while True:
            if os.getppid() != parent:
                return  # the validating process has gone: stop instead of checking for nobody
            k = self._claim_next()
            if k >= len(self.names):
                break
            name = self.names[k]
            try:
                data = read(name)
                digest = {a: hashlib.new(a, data).digest() for a in self.algorithms}
            except Exception as exc:  # noqa: BLE001 - a corrupt member is a finding, reported by the parent
                _send(send, (k, exc, None))
                continue
            _send(send, (k, digest, check(name, data)))
            del data

    # --- in the parent -------------------------------------------------------------------------------

    def claim(self, name: str) -> bool:
        """True when this (the parent) process takes `name`; False when the helper has claimed it.
        The parent claims documents in order, so the counter is at `name` or already past it."""
        k = self.index[name]
        with self._next.get_lock():
            if self._next.value > k:
                return False
            self._next.value = k + 1
        return True

    def ready(self, name: str) -> bool:
        """Whether result(name) would return at once (reported, or the helper has gone): without waiting."""
        k = self.index[name]
        while k not in self._results and not self._dead:
            try:
                if not self._receive.poll():
                    return False
                got = self._receive.recv()
            except (EOFError, OSError):
                self._dead = True
                break
            self._results[got[0]] = got[1:]
        return True

    def result(self, name: str):
        """(digest or the exception reading the member raised, outcome) for a document the helper
        claimed, waiting for it; None if the helper ended without reporting it (the parent then checks
        it itself)."""
        k = self.index[name]
        while k not in self._results and not self._dead:
            try:
                got = self._receive.recv()
            except (EOFError, OSError):
                self._dead = True
                break
            self._results[got[0]] = got[1:]
        got = self._results.pop(k, None)
        return None if got is None or got[0] == _REDO else got

    def close(self) -> None:
        proc = self._proc
        if proc.is_alive():
            with self._next.get_lock():
                self._next.value = len(self.names)  # nothing more to claim: it finishes the current one
            proc.join(timeout=0.2)
        if proc.is_alive():
            proc.terminate()
            proc.join(timeout=5)
            if proc.is_alive():  # stuck before letting SIGTERM in (forkpool.signals_held), or in C code
                proc.kill()
        proc.join()
        self._receive.close()


def _send(conn, item) -> None:
    try:
        conn.send(item)
    except (BrokenPipeError, OSError):
        raise
    except Exception:  # noqa: BLE001 - an unpicklable exception or finding: the parent does this one itself
        conn.send((item[0], _REDO, None))


_REDO = "redo"  # in the digest's place: the parent reads, hashes and checks the document itself


def available() -> bool:
    """A second process can help only where fork exists and there is a second core."""
    return hasattr(os, "fork") and (os.cpu_count() or 1) > 1
