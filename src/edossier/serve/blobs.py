"""Package files, content-addressed: STORE/sha256/ab/cdef… (the file's SHA-256 in hex), where STORE
is DIR/blobs on the node's disk or any fsspec URL (`--store`, docs/serve.md#store).

An upload is streamed into a temporary file under DIR/tmp/ while it is hashed and counted (never
held whole in memory), fsynced, then moved to its address; only after that does the caller commit
the rows that make it visible (db.py). The same bytes always land at the same address, so a second
upload of a package only drops its temporary file.

On a store that is not the local disk, a package is first written under a temporary name in the
store and then moved to its address (an object store's single PUT is atomic; the move is what makes
it visible under its address), and a local working copy (DIR/cache/blobs/ab/cdef…) is what the
validator, the receipt and the page viewer read; a missing working copy is fetched again and its
SHA-256 checked against its address before it is used.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import threading
from pathlib import Path

from .edo import fsync_dir as _fsync_dir


class TooLarge(Exception):
    pass


class StoreError(Exception):
    pass


def _fs(url: str):
    """(fsspec filesystem, root path inside it) of a store URL; StoreError when fsspec is missing or
    the URL names no known filesystem."""
    try:
        import fsspec
    except ImportError:
        raise StoreError("--store needs fsspec (pip install 'edossier[serve]')") from None
    try:
        return fsspec.core.url_to_fs(url)
    except Exception as exc:  # noqa: BLE001 - unknown protocol, missing driver, bad URL
        raise StoreError(f"{url}: {exc}") from None


class BlobStore:
    def __init__(self, root: Path, url: str | None = None):
        self.root = Path(root)
        self.tmp = self.root / "tmp"
        self.receipts = self.root / "receipts"
        self.url = url
        self.fs, self.base = None, None
        if url is not None and "://" in url and not url.startswith("file://"):
            self.fs, base = _fs(url)
            self.base = base.rstrip("/") + "/sha256"
            self.blobs = self.root / "cache" / "blobs"  # local working copies
            self.fs.makedirs(self.base, exist_ok=True)
        else:
            local = Path(url[len("file://"):] if url and url.startswith("file://") else url or self.root / "blobs")
            self.blobs = local / "sha256"
        self._fetching = threading.Lock()
        for folder in (self.tmp, self.blobs, self.receipts):
            folder.mkdir(parents=True, exist_ok=True)

    @property
    def remote(self) -> bool:
        return self.fs is not None

    @staticmethod
    def _check(sha256_hex: str) -> None:
        if len(sha256_hex) != 64 or any(c not in "0123456789abcdef" for c in sha256_hex):
            raise ValueError("not a SHA-256 in lower-case hex")

    def key(self, sha256_hex: str) -> str:
        """The package's address in the remote store."""
        self._check(sha256_hex)
        return f"{self.base}/{sha256_hex[:2]}/{sha256_hex[2:]}"

    def local_path(self, sha256_hex: str) -> Path:
        self._check(sha256_hex)
        return self.blobs / sha256_hex[:2] / sha256_hex[2:]

    def path(self, sha256_hex: str) -> Path:
        """A local file with the package's bytes: the stored file itself, or (remote store) its working
        copy, fetched and checked when it is missing. FileNotFoundError when the store lacks it."""
        target = self.local_path(sha256_hex)
        if self.fs is None or target.is_file():
            return target
        with self._fetching:  # one fetch at a time: two requests for one package share it
            if not target.is_file():
                self._fetch(sha256_hex, target)
        return target

    def _fetch(self, sha256_hex: str, target: Path) -> None:
        part = self.tmp / f"fetch-{secrets.token_hex(8)}.part"
        h = hashlib.sha256()
        try:
            with self.fs.open(self.key(sha256_hex), "rb") as src, open(part, "xb") as out:
                while chunk := src.read(1 << 20):
                    h.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            if h.hexdigest() != sha256_hex:
                raise StoreError(f"the store's file at {self.key(sha256_hex)} does not have the SHA-256 of its address")
            target.parent.mkdir(exist_ok=True)
            os.replace(part, target)
        finally:
            part.unlink(missing_ok=True)

    def exists(self, sha256_hex: str) -> bool:
        """Whether the store holds the package (its address, not a working copy)."""
        if self.fs is None:
            return self.local_path(sha256_hex).is_file()
        return bool(self.fs.exists(self.key(sha256_hex)))

    def receipt_path(self, submission_id: str) -> Path:
        if not submission_id.isalnum():
            raise ValueError("not a submission id")
        return self.receipts / f"{submission_id}.edr"

    def new_temp(self) -> "Upload":
        return Upload(self)

    def orphans(self, known: set[str]) -> list[str]:
        """The SHA-256 of every stored package that no submission names (a crash between the move to
        its address and the commit), and of every leftover temporary name in a remote store."""
        out = []
        if self.fs is None:
            for sub in self.blobs.iterdir():
                if sub.is_dir():
                    out += [sub.name + f.name for f in sub.iterdir() if sub.name + f.name not in known]
            return out
        base = self.base.strip("/")
        for path in self.fs.find(self.base):
            path = path.strip("/")
            if path.startswith(base + "/") and path[len(base) + 1:].replace("/", "") not in known:
                out.append(path[len(base) + 1:])  # "ab/cdef…" (or a leftover "ab/cdef….part-…")
        return out

    def remove(self, item: str) -> None:
        """Remove an orphan named by `orphans` (and its working copy)."""
        if self.fs is None:
            self.local_path(item).unlink(missing_ok=True)
            return
        with contextlib.suppress(FileNotFoundError):
            self.fs.rm(f"{self.base}/{item}")
        name = item.replace("/", "")
        if len(name) == 64:
            with contextlib.suppress(ValueError):
                self.local_path(name).unlink(missing_ok=True)

    def prune_copies(self, known: set[str]) -> int:
        """Remove the local working copies (remote store) of packages no submission names."""
        if self.fs is None:
            return 0
        n = 0
        for sub in self.blobs.iterdir():
            for f in sub.iterdir() if sub.is_dir() else ():
                if sub.name + f.name not in known:
                    f.unlink(missing_ok=True)
                    n += 1
        return n

    def clear_temp(self) -> int:
        """Remove every temporary upload (only safe when no request is running: at start)."""
        n = 0
        for f in self.tmp.iterdir():
            with contextlib.suppress(FileNotFoundError):
                f.unlink()
                n += 1
        return n


class Upload:
    """One upload being received: `write` chunks, then `commit` (fsync + rename) or `discard`."""

    def __init__(self, store: BlobStore):
        self.store = store
        self.path = store.tmp / f"upload-{secrets.token_hex(8)}.part"
        self._fh = open(self.path, "xb")
        self._hash = hashlib.sha256()
        self.size = 0
        self.sha256: str | None = None

    def write(self, chunk: bytes, limit: int) -> None:
        self.size += len(chunk)
        if self.size > limit:
            raise TooLarge()
        self._hash.update(chunk)
        self._fh.write(chunk)

    def finish(self) -> str:
        """Flush and fsync the temporary file; its SHA-256 (hex). The file is still temporary."""
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self._fh.close()
        self.sha256 = self._hash.hexdigest()
        return self.sha256

    def commit(self) -> Path:
        """Move the finished upload to its address (or drop it if those bytes are already stored);
        the local file to read it from."""
        store = self.store
        target = store.local_path(self.sha256)
        target.parent.mkdir(exist_ok=True)
        if store.fs is not None:
            if not store.exists(self.sha256):
                key = store.key(self.sha256)
                part = f"{key}.part-{secrets.token_hex(8)}"
                store.fs.makedirs(key.rsplit("/", 1)[0], exist_ok=True)
                store.fs.put_file(str(self.path), part)
                store.fs.mv(part, key)
            if target.exists():
                self.discard()
            else:  # the upload itself becomes the working copy
                os.replace(self.path, target)
            return target
        if target.exists():
            self.discard()
        else:
            os.replace(self.path, target)
            _fsync_dir(target.parent)
        return target

    def discard(self) -> None:
        with contextlib.suppress(Exception):
            self._fh.close()
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
