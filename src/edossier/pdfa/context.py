"""What a check sees and what it reports: the context (the raw bytes, the open Pdf, the flavour, the
limits, shared caches, bounded stream reading) and the issue and report types. Below every check module
and above only the leaves (limits.py, rules.py as data, util.py)."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Any

import pikepdf

from .limits import _ASCII_FILTERS, _EXPANSION, LimitExceeded, PdfLimits, ascii_decode
from .rules import table
from .util import filter_names, get


@dataclass(frozen=True)
class PdfIssue:
    rule_id: str  # veraPDF id like "6.2.11.4.1-1", or "AC-JS", "PDF-UNREADABLE", "CHECK-ERROR"
    clause: str  # ISO 19005-2 clause, e.g. "6.2.11.4.1"; "" for the other ids
    kind: str  # "pdfa" | "active" | "unreadable" | "internal"
    message_en: str
    message_zh: str
    location: str  # e.g. "page 3, font F1", "object 12 0 R", "XMP"


@dataclass(frozen=True)
class PdfReport:
    claimed: str | None  # e.g. "2B", "2U", "1B"; None if there is no pdfaid in the XMP
    flavour: str  # the flavour checked against: "2b" or "2u"
    issues: tuple[PdfIssue, ...]
    pages: int | None = None  # the page count, when the file opened without repair
    byte_range: bool = False  # "/ByteRange" outside stream data: the file may carry PDF signatures

    @property
    def conformant(self) -> bool:
        return not any(i.kind in ("pdfa", "active", "unreadable", "internal") for i in self.issues)


class Ctx:
    """Everything a check needs: raw bytes, the open Pdf, flavour, limits, shared caches."""

    def __init__(self, raw: bytes, pdf: pikepdf.Pdf, flavour: str, limits: PdfLimits,
                 active_content: bool) -> None:
        self.raw = raw
        self.pdf = pdf
        self.flavour = flavour
        self.limits = limits
        self.active_content = active_content
        self.cache: dict[str, Any] = {}
        self.issues: list[PdfIssue] = []
        self._seen: set[tuple[str, str]] = set()
        self._count: dict[str, int] = {}
        self.ops_budget = limits.max_content_ops

    # -- reporting -------------------------------------------------------------------------------
    def add(self, rule_id: str, location: str = "", detail: str = "") -> None:
        key = (rule_id, location + "|" + detail)
        if key in self._seen:
            return
        n = self._count.get(rule_id, 0)
        if n >= self.limits.max_issues_per_rule:
            return
        self._seen.add(key)
        self._count[rule_id] = n + 1
        self.issues.append(make_issue(rule_id, location, detail))

    def applies(self, rule_id: str) -> bool:
        r = table().get(rule_id)
        return r is None or self.flavour in r["flavours"]

    # -- safe data access ------------------------------------------------------------------------
    def stream_bytes(self, stream: pikepdf.Object) -> bytes:
        """Decoded stream data, refusing to inflate past ``limits.max_stream_bytes`` (read_stream)."""
        return read_stream(stream, self.limits.max_stream_bytes)


def read_stream(stream: pikepdf.Object, cap: int, *, prefix: bool = False) -> bytes:
    """Decoded stream data, refusing to inflate past `cap` bytes (LimitExceeded); with `prefix`, the first
    `cap` decoded bytes instead of refusing, where the chain allows it (no filter, or Flate behind ASCII
    filters, without predictors).

    Flate (optionally behind ASCIIHex/ASCII85) is inflated here with a hard output cap, so a compression
    bomb stops at the cap. Other chains are handed to qpdf only when the raw size times the worst-case
    expansion of the chain stays under the cap. Every read of stream data in the checker goes through
    here: qpdf's own read_bytes would inflate a 1 MB bomb to 1 GiB first (the XMP claim and the Type 1 built-in
    encoding did, until issue 19's eighth round). A damaged Flate stream reads as empty, the same for every check.
    """
    names = filter_names(stream)
    raw = stream.read_raw_bytes()
    if not names:
        if len(raw) > cap:
            if prefix:
                return raw[:cap]
            raise LimitExceeded(f"stream of {len(raw)} bytes")
        return raw
    if names[-1] in ("/FlateDecode", "/Fl") and all(n in _ASCII_FILTERS for n in names[:-1]):
        data = raw
        for n in names[:-1]:
            data = ascii_decode(n, data)
        d = zlib.decompressobj()
        try:
            out = d.decompress(data, cap + 1)
        except zlib.error:
            out = b""
        parms = get(stream, "/DecodeParms")  # util.get: a missing key costs pikepdf a C++ exception
        plain = parms is None or (isinstance(parms, pikepdf.Array) and all(p is None for p in parms))
        if len(out) > cap:
            if prefix and plain:
                return out[:cap]
            raise LimitExceeded(f"stream inflates past {cap} bytes")
        if plain:
            return out
        return stream.read_bytes()  # predictors never expand the inflated data
    bound = 1.0
    for n in names:
        bound *= _EXPANSION.get(n, 1.0)
    if len(raw) * bound > cap:
        raise LimitExceeded(f"stream of {len(raw)} bytes with filters {' '.join(names)} may exceed {cap} bytes")
    # "specialized": qpdf's default level ("generalized") leaves RunLengthDecode, a filter PDF/A-2 allows,
    # undecoded and raises, which reported a conforming document as unreadable; image codecs stay undecoded
    return stream.read_bytes(pikepdf.StreamDecodeLevel.specialized)


def make_issue(rule_id: str, location: str = "", detail: str = "") -> PdfIssue:
    from .detail_zh import detail_zh

    r = table().get(rule_id)
    if r is None:
        desc_en = desc_zh = rule_id
        clause, kind = "", "internal"
    else:
        desc_en, desc_zh, clause, kind = r["description_en"], r["description_zh"], r["clause"], r["kind"]
    msg_en = f"{desc_en} [{detail}]" if detail else desc_en
    msg_zh = f"{desc_zh}（{detail_zh(detail)}）" if detail else desc_zh
    return PdfIssue(rule_id, clause, kind, msg_en, msg_zh, location)
