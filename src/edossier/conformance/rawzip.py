"""A ZIP writer that can lie: every header field of every member can be set independently.

Used to generate the container cases of the conformance corpus and the hostile archives of the attack
corpus (tests/attacks/). Timestamps are fixed (1980-01-01), so the output depends only on the input. `build()` writes local headers, data,
central directory and end record in the usual order; `Member.lfh` / `Member.cd` override single fields
of the local header or the central-directory entry, and the keyword arguments of `build()` add bytes
in front, between members, before the central directory and after the end record.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass, field, replace

DEFAULT_ATTR = REGULAR_FILE = 0o100644 << 16
MADE_BY_UNIX = (3 << 8) | 20


def deflate(data: bytes, level: int = 6) -> bytes:
    c = zlib.compressobj(level, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


@dataclass
class Member:
    name: bytes
    data: bytes = b""  # uncompressed content
    method: int = 0
    flags: int = 0
    extra: bytes = b""  # both headers unless overridden
    attr: int = DEFAULT_ATTR
    made_by: int = MADE_BY_UNIX
    payload: bytes | None = None  # the bytes written after the local header (default: data, deflated if method 8)
    descriptor: bytes = b""  # written after the payload
    lfh: dict = field(default_factory=dict)  # overrides: name, method, flags, crc, csize, usize, extra
    cd: dict = field(default_factory=dict)  # overrides: name, method, flags, crc, csize, usize, extra, offset, attr, made_by, disk, comment

    def body(self) -> bytes:
        if self.payload is not None:
            return self.payload
        return deflate(self.data) if self.method == 8 else self.data

    def values(self) -> dict:
        body = self.body()
        return {"name": self.name, "method": self.method, "flags": self.flags, "crc": zlib.crc32(self.data),
                "csize": len(body), "usize": len(self.data), "extra": self.extra}


def local_header(v: dict) -> bytes:
    return struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, v["flags"], v["method"], 0, 0x21, v["crc"],
                       v["csize"], v["usize"], len(v["name"]), len(v["extra"])) + v["name"] + v["extra"]


def cd_entry(v: dict) -> bytes:
    comment = v.get("comment", b"")
    return struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", v["made_by"], 20, v["flags"], v["method"], 0, 0x21,
                       v["crc"], v["csize"], v["usize"], len(v["name"]), len(v["extra"]), len(comment), v.get("disk", 0), 0,
                       v["attr"], v["offset"]) + v["name"] + v["extra"] + comment


def eocd(n: int, size: int, offset: int, comment: bytes = b"", **over) -> bytes:
    v = {"disk": 0, "cd_disk": 0, "n_disk": n, "n_total": n, "cd_size": size, "cd_offset": offset}
    v.update(over)
    return struct.pack("<4sHHHHIIH", b"PK\x05\x06", v["disk"], v["cd_disk"], v["n_disk"], v["n_total"],
                       v["cd_size"], v["cd_offset"], len(comment)) + comment


def build(members: list[Member], *, prefix: bytes = b"", between: dict | None = None, before_cd: bytes = b"",
          after_cd: bytes = b"", comment: bytes = b"", trailing: bytes = b"", eocd_over: dict | None = None,
          cd_order: list[int] | None = None, shift_offsets: int = 0, extra_cd: list[bytes] | None = None,
          zip64_eocd: bool = False) -> bytes:
    """Assemble an archive. `shift_offsets` is added to every stored offset (to fix up for a prefix)."""
    out = bytearray(prefix)
    between = between or {}
    cds = []
    for i, m in enumerate(members):
        out += between.get(i, b"")
        v = m.values()
        lv = {**v, **m.lfh}
        offset = len(out)
        out += local_header(lv) + m.body() + m.descriptor
        cv = {**v, "attr": m.attr, "made_by": m.made_by, "offset": offset - len(prefix) + shift_offsets, **m.cd}
        cds.append(cd_entry(cv))
    out += before_cd
    cd_offset = len(out)
    order = cd_order if cd_order is not None else range(len(cds))
    cd = b"".join(cds[i] for i in order) + b"".join(extra_cd or [])
    out += cd + after_cd
    n = len(list(order)) + len(extra_cd or [])
    stated_offset = cd_offset - len(prefix) + shift_offsets
    if zip64_eocd:
        z_off = len(out)
        out += struct.pack("<4sQHHIIQQQQ", b"PK\x06\x06", 44, 45, 45, 0, 0, n, n, len(cd), stated_offset)
        out += struct.pack("<4sIQI", b"PK\x06\x07", 0, z_off - len(prefix) + shift_offsets, 1)
        out += eocd(0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, comment, **(eocd_over or {}))
    else:
        out += eocd(n, len(cd), stated_offset, comment, **(eocd_over or {}))
    out += trailing
    return bytes(out)


def zip64_extra(*values: int) -> bytes:
    body = b"".join(struct.pack("<Q", v) for v in values)
    return struct.pack("<HH", 1, len(body)) + body


def from_zip(path) -> list[Member]:
    """The members of a real archive (a path or a file object), re-emitted with the same names, methods
    and contents."""
    import zipfile

    out = []
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            out.append(Member(info.filename.encode(), zf.read(info), method=info.compress_type))
    return out


def with_member(members: list[Member], name: str, **changes) -> list[Member]:
    return [replace(m, **changes) if m.name == name.encode() else m for m in members]


def members_of(package: bytes) -> list[Member]:
    import io

    return from_zip(io.BytesIO(package))
