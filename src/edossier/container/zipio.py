"""Reading and writing the ZIP container.

Reading: members are hashed in one streaming pass with bounded reads; structural checks that can be
made from the central directory and local headers come first, so that a hostile archive is refused
before any decompression. Writing: new members are appended after the existing ones, so an append
never rewrites an earlier layer's bytes.
"""

from __future__ import annotations

import hashlib
import shutil
import stat
import struct
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ..findings import Finding, finding
from .asic import MANIFEST_RE, MIMETYPE, SIGNATURE_RE, name_problem

CHUNK = 1024 * 1024
PRECOMPRESSED = (".pdf", ".jpg", ".jpeg", ".png", ".tif", ".tiff", ".jp2", ".mp3", ".mp4", ".m4a", ".mov",
                 ".zip", ".ofd")


class LimitError(ValueError):
    """A member is larger than the limit for its kind; reported as C010, not as unreadable."""


@dataclass(frozen=True)
class Limits:
    """Safety limits for opening a package. Defaults are documented in docs/spec.md (c-limits)."""

    max_members: int = 10_000
    max_member_bytes: int = 4 * 1024**3
    max_total_bytes: int = 64 * 1024**3
    max_ratio: int = 100  # uncompressed / compressed, for members above ratio_floor bytes
    ratio_floor: int = 1024 * 1024
    max_xml_bytes: int = 16 * 1024 * 1024


@dataclass
class OpenedPackage:
    path: Path
    zf: zipfile.ZipFile
    infos: dict[str, zipfile.ZipInfo]
    order: list[str]
    findings: list[Finding] = field(default_factory=list)
    limits: Limits = field(default_factory=Limits)

    def close(self) -> None:
        self.zf.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def read(self, name: str, max_bytes: int) -> bytes:
        """Read a whole (small) member, at most max_bytes; raise ValueError beyond that."""
        info = self.infos[name]
        if info.file_size > max_bytes:
            raise LimitError(f"{info.file_size} bytes, more than the limit of {max_bytes} for this member")
        with self.zf.open(info) as fh:
            data = fh.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise LimitError(f"more than the limit of {max_bytes} bytes for this member")
        return data

    def sha256(self, name: str) -> bytes:
        """Stream one member through SHA-256 (zipfile checks the CRC at the end)."""
        info = self.infos[name]
        h = hashlib.sha256()
        remaining = info.file_size
        with self.zf.open(info) as fh:
            while True:
                chunk = fh.read(min(CHUNK, remaining + 1))
                if not chunk:
                    break
                remaining -= len(chunk)
                if remaining < 0:
                    raise ValueError("member is longer than its declared size")
                h.update(chunk)
        return h.digest()


def open_package(path: Path, limits: Limits | None = None) -> OpenedPackage | list[Finding]:
    """Open a package and run the container checks.

    Returns the opened package (with any container findings attached), or a list of findings
    when the file cannot be used as a package at all.
    """
    limits = limits or Limits()
    loc = path.name
    try:
        with open(path, "rb") as fh:
            head = fh.read(4)
    except OSError as exc:
        return [finding("C001", loc, detail=exc.strerror or str(exc))]
    if head != b"PK\x03\x04":
        return [finding("C001", loc, detail="it does not start with a ZIP local file header")]
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        return [finding("C001", loc, detail=str(exc) or type(exc).__name__)]

    infos_list = zf.infolist()
    if len(infos_list) > limits.max_members:
        zf.close()
        return [finding("C010", loc, detail=f"{len(infos_list)} members, limit {limits.max_members}")]

    out: list[Finding] = []
    infos: dict[str, zipfile.ZipInfo] = {}
    folded: dict[str, str] = {}
    order: list[str] = []
    total = 0
    for info in infos_list:
        name = info.filename
        key = unicodedata.normalize("NFC", name).casefold()
        if name in infos or key in folded:
            out.append(finding("C006", name))
            continue
        folded[key] = name
        problem = name_problem(name) if name != "mimetype" else None
        mode = info.external_attr >> 16
        if problem is None and info.create_system == 3 and stat.S_ISLNK(mode):
            problem = "symbolic link"
        if problem:
            out.append(finding("C005", name, detail=problem))
            continue
        if info.flag_bits & 0x1:
            out.append(finding("C012", name, detail="encrypted entry"))
            continue
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            out.append(finding("C012", name, detail=f"compression method {info.compress_type}"))
            continue
        if info.file_size > limits.max_member_bytes:
            out.append(finding("C010", name, detail=f"{info.file_size} bytes, limit {limits.max_member_bytes}"))
            continue
        if (
            info.compress_type == zipfile.ZIP_DEFLATED
            and info.file_size > limits.ratio_floor
            and info.file_size > limits.max_ratio * max(info.compress_size, 1)
        ):
            out.append(finding("C010", name, detail=f"compression ratio above {limits.max_ratio}"))
            continue
        total += info.file_size
        if info.compress_type == zipfile.ZIP_DEFLATED and name.lower().endswith(PRECOMPRESSED):
            out.append(finding("C014", name))
        if name.startswith("META-INF/") and not (MANIFEST_RE.match(name) or SIGNATURE_RE.match(name)):
            out.append(finding("C007", name))
            continue
        infos[name] = info
        order.append(name)
    if total > limits.max_total_bytes:
        out.append(finding("C010", loc, detail=f"{total} bytes in total, limit {limits.max_total_bytes}"))

    pkg = OpenedPackage(path, zf, infos, order, out, limits)
    _check_mimetype(pkg, infos_list)
    return pkg


def _check_mimetype(pkg: OpenedPackage, infos_list: list[zipfile.ZipInfo]) -> None:
    first = infos_list[0] if infos_list else None
    if first is None or first.filename != "mimetype" or first.header_offset != 0:
        found = first.filename if first else "an empty archive"
        pkg.findings.append(finding("C002", "mimetype", detail=found))
        return
    with open(pkg.path, "rb") as fh:
        header = fh.read(30)
    extra_len = struct.unpack("<H", header[28:30])[0] if len(header) == 30 else 0
    if first.compress_type != zipfile.ZIP_STORED or extra_len or first.extra:
        pkg.findings.append(finding("C003", "mimetype"))
    try:
        content = pkg.read("mimetype", 256)
    except (ValueError, zipfile.BadZipFile, OSError, EOFError) as exc:
        pkg.findings.append(finding("C011", "mimetype", detail=str(exc)))
        return
    if content != MIMETYPE:
        pkg.findings.append(finding("C004", "mimetype", detail=repr(content[:60].decode("utf-8", "replace"))))


class PackageWriter:
    """Writes a new package, or appends to a copy of an existing one, into `target` (a temp path)."""

    def __init__(self, target: Path, *, base: Path | None = None, date_time=(1980, 1, 1, 0, 0, 0)):
        self.date_time = date_time
        if base is None:
            self.zf = zipfile.ZipFile(target, "w", allowZip64=True)
            info = self._info("mimetype", zipfile.ZIP_STORED)
            self.zf.writestr(info, MIMETYPE)
        else:
            # Byte-for-byte copy, then zipfile's append mode writes after the last member and
            # rewrites only the central directory.
            shutil.copyfile(base, target)
            self.zf = zipfile.ZipFile(target, "a", allowZip64=True)

    def _info(self, name: str, compress_type: int) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=self.date_time)
        info.compress_type = compress_type
        info.create_system = 3
        info.external_attr = (stat.S_IFREG | 0o644) << 16
        return info

    def add_bytes(self, name: str, data: bytes, *, compress: bool) -> bytes:
        info = self._info(name, zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED)
        self.zf.writestr(info, data, compresslevel=6 if compress else None)
        return hashlib.sha256(data).digest()

    def close(self) -> None:
        self.zf.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
