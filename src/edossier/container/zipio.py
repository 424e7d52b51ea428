"""Reading and writing the ZIP container.

Reading: the strict reader (`zipread`) parses the end records, the central directory and every local
header first and refuses any archive that parsers could read differently (docs/security.md); then
member names, types, features and limits are checked here, all before anything is decompressed.
Members are read only through `zipread.iter_member`: bounded chunks, never past the declared size,
CRC-32 checked. Python's `zipfile` is used for writing and as a differential second opinion. Writing: new members are appended after the existing ones, so an append
never rewrites an earlier layer's bytes.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import unicodedata
import zipfile
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import BinaryIO

from ..findings import Finding, finding
from .asic import MANIFEST_RE, MIMETYPE, SIGNATURE_RE, name_problem
from .reasons import reason_zh
from .zipread import (FLAG_ENCRYPTED, FLAG_STRONG_ENCRYPTION, FLAG_UTF8, Archive, Entry, MemberError, ZipRejected,
                      iter_member, parse_archive)

__all__ = ["Limits", "LimitError", "MemberError", "OpenedPackage", "PackageWriter", "open_package", "parse_limit"]

CHUNK = 256 * 1024
# Reading and hashing whole members: a typical document is read, CRC-checked and hashed in one call
# each, so a thread hashing it (validate.py) hands the GIL over a few times per member instead of a few
# times per 256 KiB, which matters while another thread holds it for PDF checks. 16 MiB per reader.
HASH_CHUNK = 16 * 1024 * 1024
PRECOMPRESSED = (".pdf", ".jpg", ".jpeg", ".png", ".tif", ".tiff", ".jp2", ".mp3", ".mp4", ".m4a", ".mov",
                 ".zip", ".ofd")


class LimitError(ValueError):
    """A member is larger than the limit for its kind; reported as C010, not as unreadable."""


@dataclass(frozen=True)
class Limits:
    """Safety limits for opening a package (docs/security.md#limits; `edossier validate --limit NAME=VALUE`).

    The defaults are those of docs/spec.md §2.5; every size is in bytes.
    """

    max_members: int = 10_000
    max_member_bytes: int = 4 * 1024**3
    max_total_bytes: int = 64 * 1024**3
    max_ratio: int = 100  # uncompressed / compressed, for members above ratio_floor bytes, and for the whole package
    ratio_floor: int = 1024 * 1024
    max_xml_bytes: int = 16 * 1024 * 1024

    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in fields(cls)]

    def with_values(self, values: dict[str, int]) -> "Limits":
        unknown = sorted(set(values) - set(self.names()))
        if unknown:
            raise ValueError(f"unknown limit {unknown[0]!r}; known: {', '.join(self.names())}")
        bad = [k for k, v in values.items() if not isinstance(v, int) or v < 1]
        if bad:
            raise ValueError(f"limit {bad[0]!r} must be a positive integer")
        return replace(self, **values)


_SUFFIXES = {"": 1, "k": 1000, "kb": 1000, "kib": 1024, "m": 1000**2, "mb": 1000**2, "mib": 1024**2,
             "g": 1000**3, "gb": 1000**3, "gib": 1024**3, "t": 1000**4, "tb": 1000**4, "tib": 1024**4}


def parse_limit(text: str) -> tuple[str, int]:
    """`NAME=VALUE` as given to --limit: VALUE is an integer with an optional unit (KiB, MiB, GiB, k, M, G …)."""
    name, sep, value = text.partition("=")
    name = name.strip().replace("-", "_")
    if not sep or not name:
        raise ValueError(f"{text!r}: use NAME=VALUE, e.g. max_members=2000")
    if name not in Limits.names():
        raise ValueError(f"unknown limit {name!r}; known: {', '.join(Limits.names())}")
    v = value.strip().replace("_", "").lower()
    digits = v.rstrip("abcdefghijklmnopqrstuvwxyz")
    unit = v[len(digits):].strip()
    if not digits.strip().isdigit() or unit not in _SUFFIXES:
        raise ValueError(f"{text!r}: the value must be a whole number with an optional unit (KiB, MiB, GiB)")
    number = int(digits) * _SUFFIXES[unit]
    if number < 1:
        raise ValueError(f"{text!r}: the value must be at least 1")
    return name, number


@dataclass
class OpenedPackage:
    """An archive that passed the strict structural checks; members are read from the open file only."""

    path: Path
    fh: BinaryIO
    infos: dict[str, zipfile.ZipInfo]
    order: list[str]
    findings: list[Finding] = field(default_factory=list)
    limits: Limits = field(default_factory=Limits)
    entries: dict[str, Entry] = field(default_factory=dict)
    # Positive evidence for the verdict (validate.py): True only when every entry of the central directory
    # became a member, no two names collide and the mimetype member is right. A left-out entry is bytes
    # of the package that nothing else checks, so the container is then not established.
    whole: bool = False

    def close(self) -> None:
        self.fh.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def chunks(self, name: str, chunk: int = CHUNK):
        """The member's data in bounded chunks (never more than its declared size; CRC checked at the end)."""
        return iter_member(self.fh, self.entries[name], chunk=chunk)

    def read(self, name: str, max_bytes: int) -> bytes:
        """Read a whole (small) member, at most max_bytes; raise LimitError beyond that, MemberError if corrupt."""
        entry = self.entries[name]
        if entry.file_size > max_bytes:
            raise LimitError(f"{entry.file_size} bytes, more than the limit of {max_bytes} for this member")
        return b"".join(self.chunks(name, HASH_CHUNK))

    def sha256(self, name: str) -> bytes:
        """Stream one member through SHA-256 (size and CRC-32 are checked at the end)."""
        return self.digests(name, ("sha256",))["sha256"]

    def digests(self, name: str, algorithms=("sha256",)) -> dict[str, bytes]:
        """Stream one member once through each of `algorithms` (hashlib names: the manifest digest
        algorithms, SHA-256 and SM3); size and CRC-32 are checked at the end."""
        hs = {a: hashlib.new(a) for a in algorithms}
        for chunk in self.chunks(name, HASH_CHUNK):
            for h in hs.values():
                h.update(chunk)
        return {a: h.digest() for a, h in hs.items()}


def open_package(path: Path, limits: Limits | None = None) -> OpenedPackage | list[Finding]:
    """Open a package and run the container checks.

    Returns the opened package (with any container findings attached), or a list of findings
    when the file cannot be used as a package at all. Nothing is decompressed here.
    """
    limits = limits or Limits()
    path = Path(path)
    loc = path.name
    try:
        fh = open(path, "rb")
    except OSError as exc:
        return [finding("C001", loc, detail=exc.strerror or str(exc))]
    try:
        result = _open(fh, path, limits)
    except BaseException:
        fh.close()
        raise
    if isinstance(result, list):
        fh.close()
    return result


def _open(fh: BinaryIO, path: Path, limits: Limits) -> OpenedPackage | list[Finding]:
    loc = path.name
    try:
        size = os.fstat(fh.fileno()).st_size
        if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
            return [finding("C001", loc, detail="not a regular file", detail_zh="不是普通文件")]
        archive = parse_archive(fh, size, max_members=limits.max_members)
    except ZipRejected as exc:
        return [finding(exc.code, loc, detail=exc.detail, detail_zh=exc.detail_zh)]
    except OSError as exc:
        return [finding("C001", loc, detail=exc.strerror or str(exc))]
    return inspect_archive(fh, path, archive, limits)


def inspect_archive(fh: BinaryIO, path: Path, archive: Archive, limits: Limits) -> OpenedPackage | list[Finding]:
    """Member-level checks on a structurally sound archive (names, types, features, limits)."""
    loc = path.name
    total = sum(e.file_size for e in archive.entries)
    if total > limits.max_total_bytes:
        return [finding("C010", loc, detail=f"{total} bytes in total, limit {limits.max_total_bytes}",
                        detail_zh=f"共 {total} 字节，上限 {limits.max_total_bytes}")]
    if total > limits.max_ratio * archive.size + limits.ratio_floor:
        return [finding("C010", loc, detail=f"{total} bytes uncompressed from a {archive.size}-byte package, "
                                            f"more than {limits.max_ratio} times its size",
                        detail_zh=f"从 {archive.size} 字节的卷宗包解压出 {total} 字节，超过其大小的 {limits.max_ratio} 倍")]
    if not any(e.name_problem for e in archive.entries):
        problem = _zipfile_disagrees(fh, archive)
        if problem:
            return [finding("C104", loc, detail=f"Python's zipfile reads the archive differently: {problem}")]

    out: list[Finding] = []
    infos: dict[str, zipfile.ZipInfo] = {}
    entries: dict[str, Entry] = {}
    folded: dict[str, str] = {}
    order: list[str] = []
    for e in archive.entries:
        name = e.name
        if e.name_problem:
            out.append(finding("C110", name, detail=e.name_problem, detail_zh=reason_zh(e.name_problem)))
            continue
        key = _collision_key(name)
        if name in entries or key in folded:
            out.append(finding("C006", name))
            continue
        folded[key] = name
        problem = None if name == "mimetype" else (name_problem(name) or _extra_name_problem(name))
        if problem:
            out.append(finding("C005", name, detail=problem, detail_zh=reason_zh(problem)))
            continue
        kind = _special_type(e)
        if kind:
            out.append(finding("C108", name, detail=kind, detail_zh=reason_zh(kind)))
            continue
        if e.flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION):
            out.append(finding("C012", name, detail="encrypted entry", detail_zh="加密条目"))
            continue
        if e.method not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            out.append(finding("C012", name, detail=f"compression method {e.method}", detail_zh=f"压缩方法 {e.method}"))
            continue
        if e.file_size > limits.max_member_bytes:
            out.append(finding("C010", name, detail=f"{e.file_size} bytes, limit {limits.max_member_bytes}",
                               detail_zh=f"{e.file_size} 字节，上限 {limits.max_member_bytes}"))
            continue
        if (
            e.method == zipfile.ZIP_DEFLATED
            and e.file_size > limits.ratio_floor
            and e.file_size > limits.max_ratio * max(e.compressed_size, 1)
        ):
            out.append(finding("C010", name, detail=f"compression ratio above {limits.max_ratio}",
                               detail_zh=f"压缩比超过 {limits.max_ratio}"))
            continue
        if e.method == zipfile.ZIP_DEFLATED and name.lower().endswith(PRECOMPRESSED):
            out.append(finding("C014", name))
        if name.startswith("META-INF/") and not (MANIFEST_RE.match(name) or SIGNATURE_RE.match(name)):
            out.append(finding("C007", name))
            continue
        infos[name] = _zipinfo(e)
        entries[name] = e
        order.append(name)
    collisions = _file_dir_collisions(order)
    out += collisions

    pkg = OpenedPackage(path, fh, infos, order, out, limits, entries)
    mimetype_ok = _check_mimetype(pkg, archive)
    pkg.whole = mimetype_ok and not collisions and len(order) == len(archive.entries)
    return pkg


def _collision_key(name: str) -> str:
    """Names that one file system or another would store as the same file map to the same key."""
    name = unicodedata.normalize("NFC", name.rstrip("/")).casefold()
    return "/".join(seg.rstrip(". ") for seg in name.split("/"))


def _extra_name_problem(name: str) -> str | None:
    """Checks beyond spec §3.1 rule 2, kept here so the reader stays safe even if that rule is relaxed."""
    if any(ord(c) < 0x20 or ord(c) == 0x7F or not c.isascii() for c in name):
        return "control or non-ASCII character"
    for seg in name.split("/"):
        if seg.endswith("."):
            return "a path segment ends with '.' (Windows drops it)"
    return None


def _special_type(e: Entry) -> str | None:
    fmt = stat.S_IFMT(e.mode)
    if fmt == stat.S_IFLNK:
        return "symbolic link"
    if fmt == stat.S_IFDIR or (e.create_system in (0, 11, 14) and e.external_attr & 0x10):
        return "directory"
    if fmt not in (0, stat.S_IFREG):
        return f"special file (mode 0o{e.mode:o})"
    return None


def _file_dir_collisions(order: list[str]) -> list[Finding]:
    keys = {_collision_key(n): n for n in order}
    out = []
    for name in order:
        parts = _collision_key(name).split("/")
        for i in range(1, len(parts)):
            prefix = "/".join(parts[:i])
            if prefix in keys:
                out.append(finding("C109", keys[prefix], detail=name))
    return out


def _zipinfo(e: Entry) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(e.name)
    info.orig_filename = e.name
    info.compress_type = e.method
    info.flag_bits = e.flags
    info.CRC = e.crc
    info.compress_size = e.compressed_size
    info.file_size = e.file_size
    info.header_offset = e.header_offset
    info.create_system = e.create_system
    info.external_attr = e.external_attr
    info.extra = e.cd_extra
    return info


def _zipfile_disagrees(fh: BinaryIO, archive: Archive) -> str | None:
    """Differential check: Python's zipfile must see exactly the members we parsed."""
    try:
        fh.seek(0)
        with zipfile.ZipFile(fh) as zf:
            infos = zf.infolist()
    except Exception as exc:  # noqa: BLE001 - any disagreement is a finding
        return f"{type(exc).__name__}: {exc}"
    if len(infos) != len(archive.entries):
        return f"{len(infos)} members instead of {len(archive.entries)}"
    for zi, e in zip(infos, archive.entries):
        raw = zi.orig_filename.encode("utf-8" if zi.flag_bits & FLAG_UTF8 else "cp437")
        if (raw, zi.header_offset, zi.compress_size, zi.file_size, zi.CRC, zi.compress_type, zi.flag_bits) != (
                e.raw_name, e.header_offset, e.compressed_size, e.file_size, e.crc, e.method, e.flags):
            return f"member {e.name!r}"
    return None


def _check_mimetype(pkg: OpenedPackage, archive: Archive) -> bool:
    """Report what is wrong with the mimetype member; True when it is exactly right."""
    first = archive.entries[0] if archive.entries else None
    if first is None or first.name != "mimetype" or first.header_offset != 0:
        found = first.name if first else "an empty archive"
        pkg.findings.append(finding("C002", "mimetype", detail=found))
        return False
    if "mimetype" not in pkg.entries:
        return False  # already reported (encrypted, special type, …)
    ok = True
    if first.method != zipfile.ZIP_STORED or first.local_extra or first.cd_extra:
        pkg.findings.append(finding("C003", "mimetype"))
        ok = False
    try:
        content = pkg.read("mimetype", 256)
    except (ValueError, OSError) as exc:
        pkg.findings.append(finding("C011", "mimetype", detail=str(exc), detail_zh=reason_zh(str(exc))))
        return False
    if content != MIMETYPE:
        pkg.findings.append(finding("C004", "mimetype", detail=repr(content[:60].decode("utf-8", "replace"))))
        return False
    return ok


class PackageWriter:
    """Writes a new package, or appends to a copy of an existing one, into `target` (a temp path).

    `in_place=True` appends to `target` itself (the builder adds the signature to the very file its
    preflight validated: no copy, and the validated bytes are the delivered bytes). `direct=True` writes
    a new package (not an appended copy) past the page cache where the file system allows (`.direct`
    says whether it did).
    `add_bytes_later` hands a member to one background thread that CRCs, hashes and writes it (zlib,
    hashlib and file writes release the GIL), so the builder makes the next document meanwhile; members
    are still written one after the other, in the order they were given."""

    PENDING = 2  # members queued for the background thread at most (memory: a few documents)

    def __init__(self, target: Path, *, base: Path | None = None, date_time=(1980, 1, 1, 0, 0, 0),
                 in_place: bool = False, direct: bool = False):
        self.date_time = date_time
        self._pool = None
        self._pending: list = []
        self._fh = None
        self.direct = False  # whether the new package went to the disk past the page cache (directio.py)
        if in_place:
            self.zf = zipfile.ZipFile(target, "a", allowZip64=True)
        elif base is None:
            from ..directio import open_writer

            # Written once, fsynced, read back once by the preflight: past the page cache where the file
            # system allows (directio.py says why, and why the preflight reads through the cache).
            self._fh = open_writer(target, direct=direct)
            self.direct = self._fh.direct
            try:
                self.zf = zipfile.ZipFile(self._fh, "w", allowZip64=True)
                self.zf.writestr(self._info("mimetype", zipfile.ZIP_STORED), MIMETYPE)
            except BaseException:
                self._fh.close()
                raise
        else:
            # Byte-for-byte copy, then zipfile's append mode writes after the last member and
            # rewrites only the central directory. Through the page cache: the preflight reads the
            # whole copy back, and a copy written past the cache made appending no faster (directio.py).
            shutil.copyfile(base, target)
            self.zf = zipfile.ZipFile(target, "a", allowZip64=True)

    def _info(self, name: str, compress_type: int) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=self.date_time)
        info.compress_type = compress_type
        info.create_system = 3
        info.external_attr = (stat.S_IFREG | 0o644) << 16
        return info

    def _write(self, name: str, data: bytes, compress: bool, algorithm: str = "sha256", written=None,
               digest: bytes | None = None) -> bytes:
        info = self._info(name, zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED)
        self.zf.writestr(info, data, compresslevel=6 if compress else None)
        if written is not None and not compress and not info.flag_bits & 0x08:
            # a stored member without a data descriptor ends where the next one starts
            self.zf.fp.flush()
            written(self.zf.start_dir - info.compress_size, info.compress_size)
        return digest if digest is not None else hashlib.new(algorithm, data).digest()

    def add_bytes(self, name: str, data: bytes, *, compress: bool, algorithm: str = "sha256") -> bytes:
        """Write one member now (after every member queued before it); return its digest in `algorithm`
        (the manifest's digest algorithm)."""
        self.drain()
        return self._write(name, data, compress, algorithm)

    def add_bytes_later(self, name: str, data: bytes, *, compress: bool, algorithm: str = "sha256", written=None,
                        digest: bytes | None = None):
        """Queue one member for the background thread; returns a Future of its digest. Waits while
        PENDING members are queued, so memory holds a bounded number of documents. `written(offset,
        length)` is called on that thread once a stored member's data is in the file (flushed), with
        where it lies. `digest`: the caller's digest of exactly `data` in `algorithm`, computed
        anyway (the builder's for a PDF's /ID), so it is not hashed again; a wrong one would show as
        I001 in the preflight."""
        if self._pool is None:
            from concurrent.futures import ThreadPoolExecutor

            self._pool = ThreadPoolExecutor(1, thread_name_prefix="edossier-zip")
        while len(self._pending) >= self.PENDING:
            self._pending.pop(0).result()
        future = self._pool.submit(self._write, name, data, compress, algorithm, written, digest)
        self._pending.append(future)
        return future

    def drain(self) -> None:
        """Wait for every queued member (and raise the first error of the background thread)."""
        while self._pending:
            self._pending.pop(0).result()

    def close(self) -> None:
        try:
            self.drain()
        finally:
            try:
                if self._pool is not None:
                    self._pool.shutdown(wait=True, cancel_futures=True)
                self.zf.close()
            finally:
                if self._fh is not None:
                    self._fh.close()  # zipfile leaves a file object it was given open

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if exc[0] is not None and self._pool is not None:
            # an error while making documents: stop writing; the caller removes the partial file
            for f in self._pending:
                f.cancel()
            self._pending.clear()
        self.close()
