"""A strict ZIP reader: the archive is parsed byte by byte before `zipfile` is trusted with it.

The package comes from outside, and ZIP is ambiguous: the central directory (CD) and the local file
headers (LFH) say the same things twice, and different parsers believe different copies, look for the
end record from different ends, or tolerate bytes that belong to no member. A crafted archive can show
one set of members to the signer's tool and another to ours (docs/security.md, "ZIP"). This module
accepts only archives that every reasonable parser reads the same way:

* the file is exactly ``[LFH data (descriptor)]* CD [ZIP64 end record + locator] EOCD``, with the first
  local header at byte 0, members back to back, nothing between them, nothing after the end record,
  no archive comment, one disk;
* every central-directory entry agrees with its local header (name bytes, flags, method, CRC, sizes,
  ZIP64 fields), every extra field is well formed, not duplicated and one of the few blocks the profile
  allows (anything else, and a file comment, is hidden data: C107);
* no two members share bytes (this also refuses the "quoted overlap" bomb, CVE-2024-0450);
* declared sizes are within the limits *before* anything is decompressed, and reading a member
  never produces more than its declared size.

Every read is bounded: the tail is read once (at most 64 KiB + 98 bytes), the CD only when its declared
size is within a cap derived from the member limit, each local header with a fixed-size read.
Structural problems raise :class:`ZipRejected` with a registry code; problems of single members
(names, encryption, methods, sizes) are reported per member by `zipio.open_package`.
"""

from __future__ import annotations

import os
import struct
import zlib
from dataclasses import dataclass
from typing import BinaryIO, Iterator

SIG_LFH = b"PK\x03\x04"
SIG_CD = b"PK\x01\x02"
SIG_EOCD = b"PK\x05\x06"
SIG_Z64_EOCD = b"PK\x06\x06"
SIG_Z64_LOC = b"PK\x06\x07"
SIG_DD = b"PK\x07\x08"

EOCD_LEN = 22
Z64_LOC_LEN = 20
Z64_EOCD_LEN = 56
LFH_LEN = 30
CD_LEN = 46
MAX_COMMENT = 0xFFFF
CHUNK = 64 * 1024
MAX_VERSION_NEEDED = 63  # APPNOTE 6.3.x

EXTRA_ZIP64 = 0x0001
EXTRA_UNICODE_PATH = 0x7075
EXTRA_UNICODE_COMMENT = 0x6375
EXTRA_TIMESTAMP = 0x5455  # Info-ZIP extended timestamp ("UT")
EXTRA_UNIX = 0x7875  # Info-ZIP new Unix ("ux"): uid and gid
EXTRA_NTFS = 0x000A  # PKWARE NTFS: three file times

FLAG_ENCRYPTED = 0x0001
FLAG_DESCRIPTOR = 0x0008
FLAG_STRONG_ENCRYPTION = 0x0040
FLAG_UTF8 = 0x0800
FLAG_CD_ENCRYPTED = 0x2000


class ZipRejected(Exception):
    """The archive as a whole cannot be trusted; `code` is a registry code (C0xx/C1xx)."""

    def __init__(self, code: str, detail: str, detail_zh: str | None = None):
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail
        self.detail_zh = detail if detail_zh is None else detail_zh


class MemberError(ValueError):
    """A member's data does not decompress to what its headers declare (reported as C011)."""


@dataclass(frozen=True)
class Entry:
    index: int  # position in the central directory
    raw_name: bytes
    name: str  # decoded: UTF-8 if the flag is set, else ASCII (non-ASCII bytes become U+FFFD)
    flags: int
    method: int
    crc: int
    compressed_size: int
    file_size: int
    header_offset: int
    data_offset: int
    end_offset: int  # first byte after the data (and its data descriptor)
    create_system: int
    external_attr: int
    cd_extra: bytes
    local_extra: bytes
    name_problem: str | None = None  # encoding problem found while decoding the name

    @property
    def mode(self) -> int:
        return self.external_attr >> 16 if self.create_system == 3 else 0


@dataclass(frozen=True)
class Archive:
    size: int
    entries: tuple[Entry, ...]
    cd_offset: int
    cd_size: int
    zip64: bool


# --- helpers --------------------------------------------------------------------------------------

def _read_at(fh: BinaryIO, offset: int, length: int) -> bytes:
    """Positional read (os.pread on real files, so concurrent readers never race on the offset)."""
    if offset < 0 or length < 0:
        return b""
    try:
        fd = fh.fileno()
    except (AttributeError, OSError, ValueError):
        fd = None
    if fd is not None:
        return os.pread(fd, length, offset)
    fh.seek(offset)
    return fh.read(length)


def parse_extra(extra: bytes, where: tuple[str, str]) -> dict[int, bytes]:
    """Split an extra field into {header id: data}; refuse truncated or duplicated blocks."""
    out: dict[int, bytes] = {}
    pos = 0
    while pos < len(extra):
        if pos + 4 > len(extra):
            raise ZipRejected("C104", f"{where[0]}: extra field is truncated", f"{where[1]}：扩展字段被截断")
        hid, ln = struct.unpack_from("<HH", extra, pos)
        pos += 4
        if pos + ln > len(extra):
            raise ZipRejected("C104", f"{where[0]}: extra field block 0x{hid:04x} runs past the end", f"{where[1]}：扩展字段块 0x{hid:04x} 超出末尾")
        if hid in out:
            raise ZipRejected("C104", f"{where[0]}: extra field block 0x{hid:04x} occurs twice", f"{where[1]}：扩展字段块 0x{hid:04x} 出现两次")
        out[hid] = extra[pos:pos + ln]
        pos += ln
    return out


def check_extra_blocks(blocks: dict[int, bytes], where: tuple[str, str], *, local: bool, zip64_len: int | None) -> None:
    """Every extra-field block must be one this profile knows, in its exact form: anything else is bytes that
    no signature covers and no check reads (hidden data, C107), or a malformed block (C104).

    `zip64_len` is the exact length the ZIP64 block must have (from the header fields set to their maximum),
    or None when the header needs no ZIP64 block (then there must be none). The Info-ZIP Unicode blocks are
    left to the name check (C110)."""
    for hid, data in blocks.items():
        n = len(data)
        if hid in (EXTRA_UNICODE_PATH, EXTRA_UNICODE_COMMENT):
            continue
        if hid == EXTRA_ZIP64:
            if zip64_len is None:
                raise ZipRejected("C107", f"{where[0]}: a ZIP64 extra field of {n} bytes that no header field needs "
                                          f"(no size or offset is 0xFFFFFFFF)",
                                  f"{where[1]}：ZIP64 扩展字段（{n} 字节）不被任何头字段需要（没有大小或偏移量为 0xFFFFFFFF）")
            if n != zip64_len:
                raise ZipRejected("C104", f"{where[0]}: ZIP64 extra field of {n} bytes, expected {zip64_len}",
                                  f"{where[1]}：ZIP64 扩展字段为 {n} 字节，应为 {zip64_len} 字节")
            continue
        if hid == EXTRA_TIMESTAMP:
            flags = data[0] if n else 0
            full = 1 + 4 * bin(flags & 7).count("1")
            ok = n >= 1 and not flags & ~7 and (n == full or (not local and n == 1 + 4 * (flags & 1)))
        elif hid == EXTRA_UNIX:
            ok = n == 0 and not local
            if n >= 3 and data[0] == 1:
                u = data[1]
                g_at = 2 + u
                ok = u <= 8 and g_at < n and data[g_at] <= 8 and n == g_at + 1 + data[g_at]
        elif hid == EXTRA_NTFS:
            ok = n == 32 and data[:8] == b"\0\0\0\0\x01\x00\x18\x00"
        else:
            raise ZipRejected("C107", f"{where[0]}: extra field block 0x{hid:04x} of {n} bytes is not one the "
                                      f"profile allows (ZIP64, extended timestamp, Unix uid/gid, NTFS times)",
                              f"{where[1]}：扩展字段块 0x{hid:04x}（{n} 字节）不是本规范允许的类型"
                              f"（ZIP64、扩展时间戳、Unix uid/gid、NTFS 时间）")
        if not ok:
            raise ZipRejected("C104", f"{where[0]}: extra field block 0x{hid:04x} of {n} bytes is malformed",
                              f"{where[1]}：扩展字段块 0x{hid:04x}（{n} 字节）格式错误")


def _zip64_values(blocks: dict[int, bytes], wanted: list[str], where: tuple[str, str]) -> dict[str, int]:
    """Read the 8-byte ZIP64 values named in `wanted` (in APPNOTE order) from the 0x0001 block."""
    if not wanted:
        return {}
    data = blocks.get(EXTRA_ZIP64)
    if data is None:
        raise ZipRejected("C104", f"{where[0]}: a size or offset is 0xFFFFFFFF but there is no ZIP64 extra field", f"{where[1]}：大小或偏移量为 0xFFFFFFFF，但没有 ZIP64 扩展字段")
    out = {}
    pos = 0
    for field in wanted:
        if field == "disk":
            if pos + 4 > len(data):
                raise ZipRejected("C104", f"{where[0]}: ZIP64 extra field is too short", f"{where[1]}：ZIP64 扩展字段过短")
            out[field] = struct.unpack_from("<I", data, pos)[0]
            pos += 4
        else:
            if pos + 8 > len(data):
                raise ZipRejected("C104", f"{where[0]}: ZIP64 extra field is too short", f"{where[1]}：ZIP64 扩展字段过短")
            out[field] = struct.unpack_from("<Q", data, pos)[0]
            pos += 8
    return out


def decode_name(raw: bytes, flags: int) -> tuple[str, str | None]:
    """The member name and, if its encoding is ambiguous, why.

    Names in our profile are ASCII, so any other byte is a problem: without the UTF-8 flag other
    tools decode CP437 or the local code page, with it a byte string that is not UTF-8 is read
    differently by every tool.
    """
    if flags & FLAG_UTF8:
        try:
            return raw.decode("utf-8"), None
        except UnicodeDecodeError:
            return raw.decode("utf-8", "replace"), "UTF-8 flag set but the name is not valid UTF-8"
    if raw.isascii():
        return raw.decode("ascii"), None
    return raw.decode("ascii", "replace"), "non-ASCII name without the UTF-8 flag (CP437 or a local code page?)"


# --- the end of the archive -----------------------------------------------------------------------

def _find_eocd(fh: BinaryIO, size: int) -> tuple[int, bytes]:
    """Position and bytes of the end record; it must be the last 22 bytes (no comment)."""
    if size < EOCD_LEN:
        raise ZipRejected("C001", f"{size} bytes, too short for a ZIP archive", f"{size} 字节，太短，不可能是 ZIP 压缩包")
    tail_len = min(size, EOCD_LEN + MAX_COMMENT + Z64_LOC_LEN + Z64_EOCD_LEN)
    tail = _read_at(fh, size - tail_len, tail_len)
    if len(tail) != tail_len:
        raise ZipRejected("C001", f"the file could not be read to its end", f"文件无法读到末尾")
    last = tail[-EOCD_LEN:]
    if last[:4] == SIG_EOCD and struct.unpack_from("<H", last, 20)[0] == 0:
        # Another end record earlier in the file is not refused by itself (a stored member may be a
        # ZIP or contain the signature by chance); glued archives fail the layout checks instead.
        return size - EOCD_LEN, last
    pos = tail.rfind(SIG_EOCD)
    while pos != -1:
        if pos + EOCD_LEN <= len(tail):
            (clen,) = struct.unpack_from("<H", tail, pos + 20)
            end = pos + EOCD_LEN + clen
            if end == len(tail):
                raise ZipRejected("C102", f"the archive has a comment of {clen} bytes", f"压缩包带有 {clen} 字节的注释")
            if end < len(tail):
                raise ZipRejected("C102", f"{len(tail) - end} bytes after the end of the archive", f"压缩包结束之后还有 {len(tail) - end} 字节")
        pos = tail.rfind(SIG_EOCD, 0, pos)
    raise ZipRejected("C001", f"no end-of-central-directory record (not a ZIP archive, or truncated)", f"没有中央目录结束记录（不是 ZIP 压缩包，或已被截断）")


def _locate_cd(fh: BinaryIO, size: int, eocd_pos: int, eocd: bytes) -> tuple[int, int, int, int, bool]:
    """(number of entries, CD offset, CD size, where the CD must end, zip64) from the end records."""
    (_sig, disk, cd_disk, n_disk, n_total, cd_size, cd_offset, _clen) = struct.unpack("<4sHHHHIIH", eocd)
    zip64 = False
    cd_end = eocd_pos
    loc_pos = eocd_pos - Z64_LOC_LEN
    has_locator = loc_pos >= 0 and _read_at(fh, loc_pos, 4) == SIG_Z64_LOC
    needs64 = 0xFFFF in (disk, cd_disk, n_disk, n_total) or 0xFFFFFFFF in (cd_size, cd_offset)
    if has_locator:
        loc = _read_at(fh, loc_pos, Z64_LOC_LEN)
        _s, z_disk, z_off, z_disks = struct.unpack("<4sIQI", loc)
        if z_disk != 0 or z_disks != 1:
            raise ZipRejected("C104", f"multi-disk (split) archives are not supported", f"不支持分卷压缩包")
        if z_off + Z64_EOCD_LEN != loc_pos:
            raise ZipRejected("C104", f"the ZIP64 end record is not directly before its locator", f"ZIP64 结束记录不紧邻其定位器")
        rec = _read_at(fh, z_off, Z64_EOCD_LEN)
        if len(rec) != Z64_EOCD_LEN or rec[:4] != SIG_Z64_EOCD:
            raise ZipRejected("C104", f"the ZIP64 locator does not point at a ZIP64 end record", f"ZIP64 定位器未指向 ZIP64 结束记录")
        (_s, rec_size, _vm, _vn, z_disk, z_cd_disk, z_n_disk, z_n_total, z_cd_size, z_cd_off) = struct.unpack(
            "<4sQHHIIQQQQ", rec)
        if rec_size != Z64_EOCD_LEN - 12:
            raise ZipRejected("C104", f"the ZIP64 end record has an extensible data sector", f"ZIP64 结束记录带有可扩展数据区")
        if z_disk != 0 or z_cd_disk != 0 or z_n_disk != z_n_total:
            raise ZipRejected("C104", f"multi-disk (split) archives are not supported", f"不支持分卷压缩包")
        for small, big, mx, what, what_zh in ((n_total, z_n_total, 0xFFFF, "entry count", "条目数"),
                                              (n_disk, z_n_disk, 0xFFFF, "entry count", "条目数"),
                                              (cd_size, z_cd_size, 0xFFFFFFFF, "CD size", "中央目录大小"),
                                              (cd_offset, z_cd_off, 0xFFFFFFFF, "CD offset", "中央目录偏移")):
            if small != mx and small != big:
                raise ZipRejected("C104", f"the end record and the ZIP64 end record disagree on the {what}", f"结束记录与 ZIP64 结束记录的{what_zh}不一致")
        n_total, n_disk, cd_size, cd_offset = z_n_total, z_n_disk, z_cd_size, z_cd_off
        zip64 = True
        cd_end = z_off
    elif needs64:
        raise ZipRejected("C104", f"the end record needs ZIP64 values but there is no ZIP64 locator", f"结束记录需要 ZIP64 值，但没有 ZIP64 定位器")
    else:
        if disk != 0 or cd_disk != 0:
            raise ZipRejected("C104", f"multi-disk (split) archives are not supported", f"不支持分卷压缩包")
    if n_disk != n_total:
        raise ZipRejected("C104", f"multi-disk (split) archives are not supported", f"不支持分卷压缩包")
    if cd_offset + cd_size != cd_end:
        _diagnose_misplaced_cd(fh, size, cd_offset, cd_size, cd_end)
    return n_total, cd_offset, cd_size, cd_end, zip64


def _diagnose_misplaced_cd(fh: BinaryIO, size: int, cd_offset: int, cd_size: int, cd_end: int) -> None:
    """The CD does not end where the end record is: say why as precisely as we can, then refuse."""
    stated_end = cd_offset + cd_size
    if stated_end < cd_end and cd_offset < size and _read_at(fh, cd_offset, 4) in (SIG_CD, SIG_EOCD):
        # the CD is where it says, but something sits between it and the end record
        gap = _read_at(fh, stated_end, min(cd_end - stated_end, 1 << 20))
        if SIG_EOCD in gap or SIG_Z64_EOCD in gap:
            raise ZipRejected("C103", f"another end record between the central directory and the end of the file", f"中央目录与文件末尾之间还有另一个结束记录")
        raise ZipRejected("C102", f"{cd_end - stated_end} bytes between the central directory and the end record", f"中央目录与结束记录之间有 {cd_end - stated_end} 字节")
    shift = cd_end - stated_end
    if 0 < shift <= size and _read_at(fh, cd_offset + shift, 4) in (SIG_CD, SIG_EOCD):
        # the whole archive was moved back by `shift` bytes: something was put in front of it
        lo = max(0, shift - (EOCD_LEN + MAX_COMMENT))
        before = _read_at(fh, lo, shift - lo)
        if SIG_EOCD in before:
            raise ZipRejected("C103", f"two archives concatenated (the second starts at byte {shift})", f"两个压缩包首尾相接（第二个从第 {shift} 字节开始）")
        raise ZipRejected("C101", f"{shift} bytes of other data before the archive", f"压缩包之前有 {shift} 字节其他数据")
    raise ZipRejected("C104", f"the central directory ({cd_size} bytes at {cd_offset}) does not end where the "
                              f"end record is ({cd_end})",
                      f"中央目录（位于 {cd_offset}，{cd_size} 字节）的结尾不在结束记录处（{cd_end}）")


# --- the whole archive ----------------------------------------------------------------------------

def parse_archive(fh: BinaryIO, size: int, *, max_members: int) -> Archive:
    """Parse and cross-check the whole structure of the archive in `fh` (`size` bytes)."""
    eocd_pos, eocd = _find_eocd(fh, size)
    n_total, cd_offset, cd_size, cd_end, zip64 = _locate_cd(fh, size, eocd_pos, eocd)
    if n_total == 0:
        raise ZipRejected("C002", f"an empty archive", f"空压缩包")
    if n_total > max_members:
        raise ZipRejected("C010", f"{n_total} members, limit {max_members}", f"{n_total} 个成员，上限 {max_members}")
    if _read_at(fh, 0, 4) != SIG_LFH:
        raise ZipRejected("C101", f"the file does not start with a ZIP local file header", f"文件不是以 ZIP 本地文件头开始")
    # A CD entry is 46 bytes plus name, extra and comment (each at most 65535 bytes); we allow
    # 1 KiB per entry on average, which no sane producer comes near.
    cd_cap = n_total * 1024 + 65536
    if cd_size < n_total * CD_LEN or cd_size > cd_cap:
        raise ZipRejected("C104", f"central directory of {cd_size} bytes for {n_total} entries", f"{n_total} 个条目的中央目录却有 {cd_size} 字节")
    cd = _read_at(fh, cd_offset, cd_size)
    if len(cd) != cd_size:
        raise ZipRejected("C104", f"the central directory runs past the end of the file", f"中央目录超出文件末尾")
    entries = []
    pos = 0
    for index in range(n_total):
        entry, pos = _cd_entry(fh, cd, pos, index, cd_offset)
        entries.append(entry)
    if pos != cd_size:
        raise ZipRejected("C104", f"{cd_size - pos} bytes in the central directory after its {n_total} entries", f"中央目录在 {n_total} 个条目之后还有 {cd_size - pos} 字节")
    _check_layout(entries, cd_offset)
    return Archive(size, tuple(entries), cd_offset, cd_size, zip64)


def _cd_entry(fh: BinaryIO, cd: bytes, pos: int, index: int, cd_offset: int) -> tuple[Entry, int]:
    """Parse the CD entry at `pos`, check it against its local header; return it and the next position."""
    where = (f"central directory entry {index + 1}", f"中央目录第 {index + 1} 个条目")
    if pos + CD_LEN > len(cd) or cd[pos:pos + 4] != SIG_CD:
        raise ZipRejected("C104", f"{where[0]}: bad signature or truncated", f"{where[1]}：签名标记错误或被截断")
    (_sig, made_by, need, flags, method, _time, _date, crc, csize, usize, nlen, xlen, clen, disk, _iattr,
     eattr, offset) = struct.unpack_from("<4sHHHHHHIIIHHHHHII", cd, pos)
    end = pos + CD_LEN + nlen + xlen + clen
    if end > len(cd):
        raise ZipRejected("C104", f"{where[0]}: runs past the end of the central directory", f"{where[1]}：超出中央目录末尾")
    raw_name = cd[pos + CD_LEN:pos + CD_LEN + nlen]
    extra = cd[pos + CD_LEN + nlen:pos + CD_LEN + nlen + xlen]
    name, name_problem = decode_name(raw_name, flags)
    where = (f"central directory entry {index + 1} ({name!r})", f"中央目录第 {index + 1} 个条目（{name!r}）")
    blocks = parse_extra(extra, where)
    if clen:
        raise ZipRejected("C107", f"{where[0]}: a file comment of {clen} bytes", f"{where[1]}：带有 {clen} 字节的文件注释")
    wanted = [f for f, v, mx in (("usize", usize, 0xFFFFFFFF), ("csize", csize, 0xFFFFFFFF),
                                 ("offset", offset, 0xFFFFFFFF), ("disk", disk, 0xFFFF)) if v == mx]
    check_extra_blocks(blocks, where, local=False,
                       zip64_len=sum(4 if f == "disk" else 8 for f in wanted) if wanted else None)
    z = _zip64_values(blocks, wanted, where)
    usize, csize, offset, disk = z.get("usize", usize), z.get("csize", csize), z.get("offset", offset), z.get("disk", disk)
    if disk != 0:
        raise ZipRejected("C104", f"{where[0]}: on disk {disk} (multi-disk archives are not supported)", f"{where[1]}：位于分卷 {disk}（不支持分卷压缩包）")
    if name_problem is None and (EXTRA_UNICODE_PATH in blocks or EXTRA_UNICODE_COMMENT in blocks):
        name_problem = "Info-ZIP Unicode path or comment extra field (other tools would show another name)"
    if need > MAX_VERSION_NEEDED:
        # APPNOTE 6.3 is the newest; a larger "version needed" makes zipfile and others refuse the archive
        raise ZipRejected("C012", f"{where[0]}: needs ZIP version {need // 10}.{need % 10} to extract", f"{where[1]}：需要 ZIP {need // 10}.{need % 10} 版才能解压")
    if flags & FLAG_CD_ENCRYPTED:
        raise ZipRejected("C012", f"{where[0]}: the central directory is encrypted", f"{where[1]}：中央目录已加密")
    if offset >= cd_offset:
        raise ZipRejected("C104", f"{where[0]}: local header offset {offset} is not before the central directory", f"{where[1]}：本地文件头偏移 {offset} 不在中央目录之前")
    lfh = _read_at(fh, offset, LFH_LEN)
    if len(lfh) != LFH_LEN or lfh[:4] != SIG_LFH:
        raise ZipRejected("C105", f"{where[0]}: no local file header at offset {offset}", f"{where[1]}：偏移 {offset} 处没有本地文件头")
    (_sig, lneed, lflags, lmethod, _ltime, _ldate, lcrc, lcsize, lusize, lnlen, lxlen) = struct.unpack(
        "<4sHHHHHIIIHH", lfh)
    if lnlen != nlen:
        raise ZipRejected("C105", f"{where[0]}: the local header's name has another length", f"{where[1]}：本地文件头中名称的长度不同")
    lvar = _read_at(fh, offset + LFH_LEN, lnlen + lxlen)
    if len(lvar) != lnlen + lxlen:
        raise ZipRejected("C105", f"{where[0]}: the local header runs past the end of the file", f"{where[1]}：本地文件头超出文件末尾")
    if lvar[:lnlen] != raw_name:
        raise ZipRejected("C105", f"{where[0]}: the local header names the member differently "
                                  f"({lvar[:lnlen].decode('utf-8', 'replace')!r})",
                          f"{where[1]}：本地文件头中的成员名称不同（{lvar[:lnlen].decode('utf-8', 'replace')!r}）")
    lextra = lvar[lnlen:]
    lblocks = parse_extra(lextra, (f"local header of {name!r}", f"{name!r} 的本地文件头"))
    if lneed > MAX_VERSION_NEEDED:
        raise ZipRejected("C012", f"{where[0]}: the local header needs ZIP version {lneed // 10}.{lneed % 10}", f"{where[1]}：本地文件头需要 ZIP {lneed // 10}.{lneed % 10} 版")
    if lflags != flags:
        raise ZipRejected("C105", f"{where[0]}: flags differ (local 0x{lflags:04x}, central 0x{flags:04x})", f"{where[1]}：标志位不一致（本地 0x{lflags:04x}，中央目录 0x{flags:04x}）")
    if lmethod != method:
        raise ZipRejected("C105", f"{where[0]}: compression method differs (local {lmethod}, central {method})", f"{where[1]}：压缩方法不一致（本地 {lmethod}，中央目录 {method}）")
    if (EXTRA_UNICODE_PATH in lblocks) != (EXTRA_UNICODE_PATH in blocks) and name_problem is None:
        name_problem = "Info-ZIP Unicode path extra field (other tools would show another name)"
    # ZIP64 in the local header: both sizes are in the block when either field is 0xFFFFFFFF (APPNOTE 4.5.3);
    # a streaming writer (data descriptor, sizes 0) may announce a ZIP64 descriptor with a block of zeros.
    lz64 = lblocks.get(EXTRA_ZIP64)
    lneeds = lusize == 0xFFFFFFFF or lcsize == 0xFFFFFFFF
    streamed = bool(flags & FLAG_DESCRIPTOR) and (lcrc, lcsize, lusize) == (0, 0, 0)
    lwhere = (f"local header of {name!r}", f"{name!r} 的本地文件头")
    check_extra_blocks(lblocks, lwhere, local=True, zip64_len=16 if lneeds or streamed else None)
    if streamed and not lneeds and lz64 is not None and lz64 != bytes(16):
        raise ZipRejected("C107", f"{lwhere[0]}: the ZIP64 extra field of a streamed member holds values",
                          f"{lwhere[1]}：流式写入成员的 ZIP64 扩展字段含有数值")
    # ZIP64 in the local header: both sizes are in the block when either field is 0xFFFFFFFF.
    if lusize == 0xFFFFFFFF or lcsize == 0xFFFFFFFF:
        zl = _zip64_values(lblocks, ["usize", "csize"], (f"local header of {name!r}", f"{name!r} 的本地文件头"))
        lusize, lcsize = zl["usize"], zl["csize"]
    descriptor = bool(flags & FLAG_DESCRIPTOR)
    if descriptor and (lcrc, lcsize, lusize) == (0, 0, 0):
        pass  # values follow the data in a data descriptor, checked below
    elif (lcrc, lcsize, lusize) != (crc, csize, usize):
        raise ZipRejected("C105", f"{where[0]}: CRC or sizes differ between local header and central directory", f"{where[1]}：本地文件头与中央目录的 CRC 或大小不一致")
    if descriptor and method == 0:
        # The end of stored data with a descriptor can only be found through the CD; streaming readers
        # search for the next signature instead, and a stored ZIP inside makes them see other members.
        raise ZipRejected("C012", f"{where[0]}: a stored member with a data descriptor", f"{where[1]}：不压缩存储的成员带有数据描述符")
    if method == 0 and csize != usize:
        raise ZipRejected("C105", f"{where[0]}: stored member with compressed size {csize} ≠ size {usize}", f"{where[1]}：不压缩存储的成员压缩后大小 {csize} ≠ 大小 {usize}")
    data_offset = offset + LFH_LEN + lnlen + lxlen
    end_offset = data_offset + csize
    if end_offset > cd_offset:
        raise ZipRejected("C106", f"{where[0]}: its data runs into the central directory", f"{where[1]}：其数据进入了中央目录")
    if descriptor:
        end_offset = _check_descriptor(fh, end_offset, cd_offset, crc, csize, usize,
                                       EXTRA_ZIP64 in lblocks or max(csize, usize) >= 0xFFFFFFFF, where)
    return Entry(index, raw_name, name, flags, method, crc, csize, usize, offset, data_offset, end_offset,
                 made_by >> 8, eattr, extra, lextra, name_problem), end


def _check_descriptor(fh, pos, limit, crc, csize, usize, zip64: bool, where: str) -> int:
    fmt = "<IQQ" if zip64 else "<III"
    n = struct.calcsize(fmt)
    head = _read_at(fh, pos, 4)
    if head == SIG_DD:
        pos += 4
    body = _read_at(fh, pos, n)
    if len(body) != n or pos + n > limit:
        raise ZipRejected("C105", f"{where[0]}: data descriptor missing or truncated", f"{where[1]}：数据描述符缺失或被截断")
    if struct.unpack(fmt, body) != (crc, csize, usize):
        raise ZipRejected("C105", f"{where[0]}: the data descriptor disagrees with the central directory", f"{where[1]}：数据描述符与中央目录不一致")
    return pos + n


def _check_layout(entries: list[Entry], cd_offset: int) -> None:
    """Members must tile [0, cd_offset) exactly: no overlap, no gap, nothing hidden."""
    pos = 0
    for e in sorted(entries, key=lambda e: (e.header_offset, e.index)):
        if e.header_offset < pos:
            raise ZipRejected("C106", f"{e.name!r} (at {e.header_offset}) overlaps the member before it "
                                      f"(which ends at {pos}): a possible zip bomb",
                              f"{e.name!r}（位于 {e.header_offset}）与前一个成员（结束于 {pos}）重叠：可能是压缩炸弹")
        if e.header_offset > pos:
            raise ZipRejected("C107", f"{e.header_offset - pos} bytes at offset {pos} belong to no member", f"偏移 {pos} 处的 {e.header_offset - pos} 字节不属于任何成员")
        pos = e.end_offset
    if pos != cd_offset:
        raise ZipRejected("C107", f"{cd_offset - pos} bytes between the last member and the central directory", f"最后一个成员与中央目录之间有 {cd_offset - pos} 字节")


# --- reading one member ---------------------------------------------------------------------------

def iter_member(fh: BinaryIO, entry: Entry, *, chunk: int = CHUNK) -> Iterator[bytes]:
    """Yield the member's uncompressed data in chunks of at most `chunk` bytes.

    Raises MemberError if the data is longer or shorter than declared, the DEFLATE stream is corrupt
    or does not end exactly at the end of the compressed data, or the CRC-32 differs.
    """
    if entry.method not in (0, 8):
        raise MemberError(f"compression method {entry.method}")
    remaining_in = entry.compressed_size
    limit = entry.file_size
    produced = 0
    crc = 0
    pos = entry.data_offset
    d = zlib.decompressobj(-15) if entry.method == 8 else None

    def account(piece: bytes) -> bytes:
        nonlocal produced, crc
        produced += len(piece)
        if produced > limit:
            raise MemberError(f"decompresses to more than its declared {limit} bytes")
        crc = zlib.crc32(piece, crc)
        return piece

    try:
        while remaining_in > 0:
            raw = _read_at(fh, pos, min(chunk, remaining_in))
            if not raw:
                raise MemberError("the member's data is cut off")
            pos += len(raw)
            remaining_in -= len(raw)
            if d is None:
                yield account(raw)
                continue
            data = raw
            while data:
                if d.eof:
                    raise MemberError("bytes after the end of the compressed stream")
                out = d.decompress(data, chunk)
                data = d.unconsumed_tail
                if out:
                    yield account(out)
        if d is not None:
            while not d.eof:
                out = d.decompress(b"", chunk)
                if not out:
                    break
                yield account(out)
            if not d.eof:
                raise MemberError("the compressed stream is incomplete")
            if d.unused_data:
                raise MemberError("bytes after the end of the compressed stream")
    except zlib.error as exc:
        raise MemberError(f"corrupt compressed data ({exc})") from None
    if produced != entry.file_size:
        raise MemberError(f"{produced} bytes, but {entry.file_size} declared")
    if crc != entry.crc:
        raise MemberError(f"CRC-32 mismatch (data {crc:08x}, header {entry.crc:08x})")
