"""File-system helpers: every file edossier writes is written atomically (temp file + rename)."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path


def _fsync_dir(folder: Path) -> None:
    try:
        dfd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(dfd)
    except OSError:
        pass
    finally:
        os.close(dfd)


@contextlib.contextmanager
def atomic_output(path: Path | str, *, mode: int = 0o644):
    """Yield a temporary path next to `path`; on success it is fsynced and renamed onto `path`.

    On any exception the temporary file is removed and `path` is left as it was, so a failed or
    interrupted run never leaves a half-written file behind.
    """
    path = Path(path)
    tmp = None
    try:
        # The name is chosen before the file is created, so that an interrupt at any moment after
        # creation (tests send one exactly then) still finds and removes it.
        while True:
            tmp = path.parent / f".{path.name}.{secrets.token_hex(6)}.part"
            try:
                os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
                break
            except FileExistsError:
                continue
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
        _fsync_dir(path.parent)
    finally:
        if tmp is not None:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()


def atomic_write_bytes(path: Path | str, data: bytes, *, mode: int = 0o644) -> None:
    with atomic_output(path, mode=mode) as tmp:
        tmp.write_bytes(data)
