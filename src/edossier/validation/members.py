"""Reading and hashing a package's data members beside the validation stages (validation/pipeline.py):
the integrity stage consumes the digests, the documents stage the bytes of the documents to check."""

from __future__ import annotations

import hashlib

from ..container.zipio import OpenedPackage

MAX_PDF_BYTES = 512 * 1024 * 1024  # documents larger than this are not PDF-checked (X005)
READ_AHEAD = 2  # documents read and hashed ahead of the one being checked
# With a helper process, which holds the document it checks, the parent reads one ahead: three documents
# in memory across both processes (the parent's current and next, the helper's), never more.
READ_AHEAD_WITH_HELPER = 1
READ_AHEAD_MAX_BYTES = 32 * 1024 * 1024  # larger documents are read only when their turn comes (memory)


class MemberReader:
    """Reads and hashes the data members in two threads, starting at once; iterate to get, in order,
    (name, bytes of a document to check or None, {algorithm: digest} or the exception). The digests are
    those of `algorithms`, the manifests' digest algorithms (SHA-256, SM3), each member read once.

    os.pread, zlib.crc32 and hashlib release the GIL, so the hashing runs on the second core while this
    thread verifies signatures and checks documents (pure Python, holding the GIL). Members that are
    only hashed are streamed and all queued at once; at most READ_AHEAD documents are held in memory
    ahead of the consumer (READ_AHEAD_WITH_HELPER beside a helper process, which holds one itself).
    """

    def __init__(self, pkg: OpenedPackage, names: list[str], documents: dict, algorithms=("sha256",), *,
                 check=None, helpers: int = 0):
        from collections import deque
        from concurrent.futures import ThreadPoolExecutor

        self.pkg, self.names, self.documents = pkg, names, documents
        self.algorithms = tuple(algorithms) or ("sha256",)
        self.helper = None
        to_check = [n for n in names if self._document(n)]
        if helpers and check is not None and len(to_check) > 1:
            from .helper import DocumentHelper

            # Forked before the hashing threads exist (helper.py says why that matters).
            self.helper = DocumentHelper(lambda name: pkg.read(name, MAX_PDF_BYTES), check, to_check,
                                         self.algorithms)
        self.pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="edossier-hash")
        self.pending: deque = deque()
        self.next = 0
        self.held = 0  # documents read (or being read) into memory and not yet handed out
        self.ahead = READ_AHEAD if self.helper is None else READ_AHEAD_WITH_HELPER
        # Beside a helper: this process checks the documents it holds while it waits for one of the
        # helper's in member order, instead of idling (issue 19); outcomes are handed out in order.
        self.check = check if self.helper is not None else None
        self.done_ahead: dict[str, tuple] = {}  # name -> (digest, Checked) checked while waiting
        self._fill()

    def _document(self, name: str) -> bool:
        return name in self.documents and self.pkg.infos[name].file_size <= MAX_PDF_BYTES

    def _held(self, name: str) -> bool:
        return self._document(name) and self.pkg.infos[name].file_size <= READ_AHEAD_MAX_BYTES

    def _read_hashed(self, name: str):
        data = self.pkg.read(name, MAX_PDF_BYTES)
        return data, {a: hashlib.new(a, data).digest() for a in self.algorithms}

    def _work(self, name: str):
        if self._held(name):
            return self._read_hashed(name)
        if self._document(name):
            return None, None  # too big to hold ahead: read when its turn comes
        return None, self.pkg.digests(name, self.algorithms)

    def _fill(self) -> None:
        while self.next < len(self.names):
            name = self.names[self.next]
            held = self._held(name)
            if held and self.held >= self.ahead:
                return
            if self.helper is not None and self._document(name) and not self.helper.claim(name):
                self.pending.append([name, False, None])  # the helper reads, hashes and checks it
                self.next += 1
                continue
            self.held += held
            self.pending.append([name, held, self.pool.submit(self._work, name)])
            self.next += 1

    def __iter__(self):
        try:
            while self.pending:
                name, held, fut = self.pending.popleft()
                if name in self.done_ahead:
                    digest, checked = self.done_ahead.pop(name)
                    self._fill()
                    yield name, checked, digest
                    continue
                if fut is None:
                    while not self.helper.ready(name) and self._check_one_ahead():
                        pass
                    done = self.helper.result(name)
                    if done is not None:
                        digest, outcome = done
                        self._fill()
                        yield name, (None if isinstance(digest, Exception) else Checked(outcome)), digest
                        continue
                try:
                    data, digest = fut.result() if fut is not None else (None, None)
                    if digest is None:
                        data, digest = self._read_hashed(name)
                except Exception as exc:  # noqa: BLE001 - a corrupt member is a finding, not a crash
                    data, digest = None, exc
                del fut
                self.held -= held
                self._fill()
                yield name, data, digest
                del data
        finally:
            self.close()

    def _check_one_ahead(self) -> bool:
        """Check the first document read ahead here and not yet checked; True if one was checked. Its
        bytes are released at once (the outcome is small), so reading goes on while the helper works."""
        if self.check is None:
            return False
        for item in self.pending:
            name, held, fut = item
            if fut is None or not held or fut is _AHEAD:
                continue
            try:
                data, digest = fut.result()
            except Exception:  # noqa: BLE001 - reported in member order by the consumer, as always
                continue
            if data is None or not isinstance(digest, dict):
                continue
            # the same call as the consumer's (stages._integrity): `digest` is of exactly `data`
            self.done_ahead[name] = (digest, Checked(self.check(name, data, digest)))
            item[1], item[2] = False, _AHEAD
            del data, fut
            self.held -= 1
            self._fill()
            return True
        return False

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)
        if self.helper is not None:
            self.helper.close()
            self.helper = None


_AHEAD = object()  # in a pending entry's future's place: checked ahead, outcome in done_ahead


class Checked:
    """A document already read, hashed and checked, by the helper process or by this one while it waited
    for the helper: `outcome` as `check` returned it. When reading failed, the reader yields the exception
    as the digest (as for any member) and this is None."""

    __slots__ = ("outcome",)

    def __init__(self, outcome):
        self.outcome = outcome
