"""Package locations: local paths, or URLs that fsspec can open (``file://``, ``s3://``, ``memory://`` …).

A location is a string. Plain paths never import fsspec. A folder (local or remote) is searched
recursively for packages (*.edp, *.asice, *.sce) and sorted, so the same archive always gives the same
list. A remote package is copied to a temporary local file for the time it is checked (the validator
reads ZIP members at random offsets and is built around a real file); the copy is bounded by
`max_bytes` and removed afterwards.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from pathlib import Path
from typing import Iterator

from ..errors import UserError

PACKAGE_SUFFIXES = (".edp", ".asice", ".sce")
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
MAX_PACKAGE_BYTES = 64 * 1024**3  # the default max_total_bytes limit (docs/security.md)


class LocationError(UserError):
    """A package path or URL that cannot be read."""


def is_url(location: str) -> bool:
    return bool(_URL.match(str(location)))


def local_path(location: str) -> Path | None:
    """The local file system path of `location`, or None when it is remote."""
    location = str(location)
    if not is_url(location):
        return Path(location)
    if location.lower().startswith("file://"):
        from urllib.parse import unquote, urlparse

        return Path(unquote(urlparse(location).path))
    return None


def _fs(location: str):
    try:
        from fsspec.core import url_to_fs
    except ImportError:
        raise LocationError(f"{location}: reading URLs needs fsspec: pip install 'edossier[stats]'",
                            f"{location}：读取 URL 需要 fsspec：请执行 pip install 'edossier[stats]'") from None
    try:
        return url_to_fs(location)
    except (ImportError, ValueError) as exc:
        raise LocationError(f"{location}: {exc}", f"{location}：{exc}") from None


def _is_package(name: str) -> bool:
    return name.lower().endswith(PACKAGE_SUFFIXES)


def exists(location: str) -> bool:
    path = local_path(location)
    if path is not None:
        return path.exists()
    fs, root = _fs(location)
    try:
        return fs.exists(root)
    except Exception:  # noqa: BLE001 - unreachable storage counts as missing
        return False


def expand(locations) -> list[str]:
    """Files as given; folders searched recursively for packages, sorted (locations keep their scheme)."""
    out: list[str] = []
    for loc in map(str, locations):
        path = local_path(loc)
        if path is not None and not is_url(loc):
            if path.is_dir():
                out += sorted(str(f) for f in path.rglob("*") if f.is_file() and _is_package(f.name))
            else:
                out.append(loc)
            continue
        fs, root = _fs(loc)
        if fs.isdir(root):
            out += sorted(fs.unstrip_protocol(p) for p in fs.find(root) if _is_package(p))
        else:
            out.append(loc)
    return out


@contextlib.contextmanager
def opened_locally(location: str, *, max_bytes: int = MAX_PACKAGE_BYTES) -> Iterator[Path]:
    """A local path holding the package at `location` for the duration of the block."""
    path = local_path(location)
    if path is not None:
        yield path
        return
    fs, root = _fs(location)
    suffix = os.path.splitext(root)[1][:16]
    fd, tmp = tempfile.mkstemp(prefix="edossier-pkg-", suffix=suffix)
    try:
        with os.fdopen(fd, "wb") as out, fs.open(root, "rb") as src:
            copied = 0
            while chunk := src.read(1 << 20):
                copied += len(chunk)
                if copied > max_bytes:
                    raise LocationError(f"{location}: larger than {max_bytes} bytes",
                                        f"{location}：大于 {max_bytes} 字节")
                out.write(chunk)
        yield Path(tmp)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def read_bytes(location: str, max_bytes: int) -> bytes:
    path = local_path(location)
    if path is not None:
        with open(path, "rb") as fh:
            data = fh.read(max_bytes + 1)
    else:
        fs, root = _fs(location)
        with fs.open(root, "rb") as fh:
            data = fh.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise LocationError(f"{location}: larger than {max_bytes} bytes", f"{location}：大于 {max_bytes} 字节")
    return data
