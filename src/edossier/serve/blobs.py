"""Package files, content-addressed on disk: DIR/blobs/sha256/ab/cdef… (the file's SHA-256 in hex).

An upload is streamed into a temporary file under DIR/tmp/ while it is hashed and counted (never
held whole in memory), fsynced, then renamed to its address; only after that does the caller commit
the rows that make it visible (db.py). The same bytes always land at the same address, so a second
upload of a package only drops its temporary file.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
from pathlib import Path

from .edo import fsync_dir as _fsync_dir


class TooLarge(Exception):
    pass


class BlobStore:
    def __init__(self, root: Path):
        self.root = Path(root)
        self.tmp = self.root / "tmp"
        self.blobs = self.root / "blobs" / "sha256"
        self.receipts = self.root / "receipts"
        for folder in (self.tmp, self.blobs, self.receipts):
            folder.mkdir(parents=True, exist_ok=True)

    def path(self, sha256_hex: str) -> Path:
        if len(sha256_hex) != 64 or any(c not in "0123456789abcdef" for c in sha256_hex):
            raise ValueError("not a SHA-256 in lower-case hex")
        return self.blobs / sha256_hex[:2] / sha256_hex[2:]

    def receipt_path(self, submission_id: str) -> Path:
        if not submission_id.isalnum():
            raise ValueError("not a submission id")
        return self.receipts / f"{submission_id}.edr"

    def new_temp(self) -> "Upload":
        return Upload(self)

    def orphans(self, known: set[str]) -> list[Path]:
        """Blob files that no submission names (a crash between rename and commit)."""
        out = []
        for sub in self.blobs.iterdir():
            if not sub.is_dir():
                continue
            for f in sub.iterdir():
                if sub.name + f.name not in known:
                    out.append(f)
        return out

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
        """Move the finished upload to its address (or drop it if those bytes are already stored)."""
        target = self.store.path(self.sha256)
        target.parent.mkdir(exist_ok=True)
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
