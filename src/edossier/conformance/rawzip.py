"""A small ZIP writer whose every header field can be set on its own, for the container cases.

`build()` writes local headers, data, central directory and end record in the usual order; a
member's `lfh` / `cd` dictionaries override single fields of its local header or central-directory
entry, and the keyword arguments of `build()` put bytes before, between or after the parts.
Timestamps are fixed (1980-01-01), so the output depends only on the input.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from dataclasses import dataclass, field

REGULAR_FILE = 0o100644 << 16
MADE_BY_UNIX = (3 << 8) | 20
DOS_TIME, DOS_DATE = 0, 0x21  # 1980-01-01 00:00


def deflate(data: bytes, level: int = 6) -> bytes:
    c = zlib.compressobj(level, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


@dataclass
class Member:
    name: bytes
    data: bytes = b""
    method: int = 0  # 0 stored, 8 deflated
    flags: int = 0
    extra: bytes = b""
    attr: int = REGULAR_FILE
    made_by: int = MADE_BY_UNIX
    payload: bytes | None = None  # bytes after the local header (default: data, deflated for method 8)
    lfh: dict = field(default_factory=dict)
    cd: dict = field(default_factory=dict)

    def body(self) -> bytes:
        if self.payload is not None:
            return self.payload
        return deflate(self.data) if self.method == 8 else self.data

    def values(self) -> dict:
        body = self.body()
        return {"name": self.name, "method": self.method, "flags": self.flags, "crc": zlib.crc32(self.data),
                "csize": len(body), "usize": len(self.data), "extra": self.extra}


def _lfh(v: dict) -> bytes:
    return struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, v["flags"], v["method"], DOS_TIME, DOS_DATE, v["crc"],
                       v["csize"], v["usize"], len(v["name"]), len(v["extra"])) + v["name"] + v["extra"]


def _cd(v: dict) -> bytes:
    return struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", v["made_by"], 20, v["flags"], v["method"], DOS_TIME,
                       DOS_DATE, v["crc"], v["csize"], v["usize"], len(v["name"]), len(v["extra"]), 0, 0, 0,
                       v["attr"], v["offset"]) + v["name"] + v["extra"]


def _eocd(n: int, cd_size: int, cd_offset: int, comment: bytes = b"", **over) -> bytes:
    v = {"n_disk": n, "n_total": n, "cd_size": cd_size, "cd_offset": cd_offset}
    v.update(over)
    return struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, v["n_disk"], v["n_total"], v["cd_size"], v["cd_offset"],
                       len(comment)) + comment


def build(members: list[Member], *, prefix: bytes = b"", between: dict | None = None, before_cd: bytes = b"",
          comment: bytes = b"", trailing: bytes = b"", eocd_over: dict | None = None,
          offsets_from_prefix: bool = False) -> bytes:
    """Assemble an archive. Offsets count from the start of the file unless `offsets_from_prefix`
    (then they count from the end of `prefix`, as if the prefix were not there)."""
    out = bytearray(prefix)
    base = len(prefix) if offsets_from_prefix else 0
    between = between or {}
    cds = []
    for i, m in enumerate(members):
        out += between.get(i, b"")
        v = m.values()
        offset = len(out)
        out += _lfh({**v, **m.lfh}) + m.body()
        cds.append(_cd({**v, "attr": m.attr, "made_by": m.made_by, "offset": offset - base, **m.cd}))
    out += before_cd
    cd_offset = len(out)
    cd = b"".join(cds)
    out += cd
    out += _eocd(len(cds), len(cd), cd_offset - base, comment, **(eocd_over or {}))
    out += trailing
    return bytes(out)


def members_of(package: bytes) -> list[Member]:
    """The members of a well-formed archive, with the same names, methods and contents."""
    import io

    out = []
    with zipfile.ZipFile(io.BytesIO(package)) as zf:
        for info in zf.infolist():
            out.append(Member(info.filename.encode(), zf.read(info), method=info.compress_type))
    return out


def rebuild(package: bytes, **kw) -> bytes:
    return build(members_of(package), **kw)
