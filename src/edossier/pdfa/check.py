"""PDF/A-2b / PDF/A-2u checker with an active-content policy: the public entry point.

``check_pdf`` opens the file once with pikepdf (qpdf) **without recovery**, runs every registered
check (see ``rules.py``) and returns a :class:`PdfReport`. Every check runs inside its own
``try``: an exception becomes a ``CHECK-ERROR`` issue for the document, never an escape. The
input is never modified (bytes are read once; pikepdf works on an in-memory copy).
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pikepdf

from .rules import Rule, registered_checks, rules_by_id

__all__ = ["PdfIssue", "PdfReport", "PdfLimits", "check_pdf", "rule_table", "LimitExceeded"]


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


@dataclass(frozen=True)
class PdfLimits:
    max_file_bytes: int = 1 << 30  # 1 GiB
    max_objects: int = 2_000_000
    max_pages: int = 20_000
    max_stream_bytes: int = 64 << 20  # decompressed bytes read from any one stream
    max_content_ops: int = 5_000_000  # content-stream operators parsed per document
    max_form_depth: int = 12  # nesting of Form XObjects / patterns / Type 3 glyphs
    max_issues_per_rule: int = 25
    max_walk_nodes: int = 2_000_000  # objects visited by the whole-document walks


class LimitExceeded(Exception):
    """A safety limit was hit; reported as PDF-UNREADABLE."""


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
        r = rules_by_id().get(rule_id)
        return r is None or self.flavour in r.flavours

    # -- safe data access ------------------------------------------------------------------------
    def stream_bytes(self, stream: pikepdf.Object) -> bytes:
        """Decoded stream data, refusing to inflate past ``limits.max_stream_bytes``.

        Flate (optionally behind ASCIIHex/ASCII85) is inflated here with a hard output cap, so a
        compression bomb stops at the cap. Other chains are handed to qpdf only when the raw size
        times the worst-case expansion of the chain stays under the cap.
        """
        cap = self.limits.max_stream_bytes
        names = _filter_names(stream)
        raw = stream.read_raw_bytes()
        if not names:
            if len(raw) > cap:
                raise LimitExceeded(f"stream of {len(raw)} bytes")
            return raw
        if names[-1] in ("/FlateDecode", "/Fl") and all(n in _ASCII_FILTERS for n in names[:-1]):
            data = raw
            for n in names[:-1]:
                data = _ascii_decode(n, data)
            d = zlib.decompressobj()
            try:
                out = d.decompress(data, cap + 1)
            except zlib.error:
                out = b""
            if len(out) > cap:
                raise LimitExceeded(f"stream inflates past {cap} bytes")
            parms = stream.get("/DecodeParms")
            if parms is None or (isinstance(parms, pikepdf.Array) and all(p is None for p in parms)):
                return out
            return stream.read_bytes()  # predictors never expand the inflated data
        bound = 1.0
        for n in names:
            bound *= _EXPANSION.get(n, 1.0)
        if len(raw) * bound > cap:
            raise LimitExceeded(f"stream of {len(raw)} bytes with filters {' '.join(names)} may exceed {cap} bytes")
        return stream.read_bytes()


_ASCII_FILTERS = {"/ASCIIHexDecode", "/AHx", "/ASCII85Decode", "/A85"}
# worst-case output/input ratio of the filters qpdf decodes (image codecs are not decoded by read_bytes)
_EXPANSION = {"/FlateDecode": 1032.0, "/Fl": 1032.0, "/LZWDecode": 2800.0, "/LZW": 2800.0,
              "/RunLengthDecode": 64.0, "/RL": 64.0, "/ASCIIHexDecode": 0.5, "/AHx": 0.5,
              "/ASCII85Decode": 0.8, "/A85": 0.8}


def _filter_names(stream) -> list[str]:
    f = stream.get("/Filter")
    if isinstance(f, pikepdf.Name):
        return [str(f)]
    if isinstance(f, pikepdf.Array):
        return [str(x) for x in f if isinstance(x, pikepdf.Name)]
    return []


def _ascii_decode(name: str, data: bytes) -> bytes:
    import base64
    import binascii

    if name in ("/ASCIIHexDecode", "/AHx"):
        h = bytes(b for b in data.split(b">", 1)[0] if chr(b) in "0123456789abcdefABCDEF")
        if len(h) % 2:
            h += b"0"
        return binascii.unhexlify(h)
    body = data.strip()
    if body.startswith(b"<~"):
        body = body[2:]
    body = body.split(b"~>", 1)[0]
    try:
        return base64.a85decode(body, adobe=False, ignorechars=b" \t\n\r\x0b\x0c")
    except ValueError:
        return b""


def make_issue(rule_id: str, location: str = "", detail: str = "") -> PdfIssue:
    from .detail_zh import detail_zh

    r: Rule | None = rules_by_id().get(rule_id)
    if r is None:
        desc_en = desc_zh = rule_id
        clause, kind = "", "internal"
    else:
        desc_en, desc_zh, clause, kind = r.description_en, r.description_zh, r.clause, r.kind
    msg_en = f"{desc_en} [{detail}]" if detail else desc_en
    msg_zh = f"{desc_zh}（{detail_zh(detail)}）" if detail else desc_zh
    return PdfIssue(rule_id, clause, kind, msg_en, msg_zh, location)


def rule_table() -> list[Rule]:
    """All rules (PDF/A-2b/2u, active-content, special) with their implementation status."""
    from .rules import all_rules

    return all_rules()


def _read_source(source: "Path | bytes | str", limits: PdfLimits) -> bytes:
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    else:
        p = Path(source)
        size = p.stat().st_size
        if size > limits.max_file_bytes:
            raise LimitExceeded(f"file is {size} bytes, limit {limits.max_file_bytes}")
        with p.open("rb") as fh:
            data = fh.read(limits.max_file_bytes + 1)
    if len(data) > limits.max_file_bytes:
        raise LimitExceeded(f"file is {len(data)} bytes, limit {limits.max_file_bytes}")
    return data


def _claim(pdf: pikepdf.Pdf) -> str | None:
    from .xmp import claimed_level

    return claimed_level(pdf)


def check_pdf(source: "Path | bytes", *, flavour: str | None = None, active_content: bool = True,
              limits: PdfLimits | None = None) -> PdfReport:
    """Check one PDF against PDF/A-2b or 2u (and, optionally, the active-content policy)."""
    limits = limits or PdfLimits()
    if flavour is not None:
        flavour = flavour.lower()
        if flavour not in ("2b", "2u"):
            raise ValueError(f"flavour must be '2b' or '2u', not {flavour!r}")
    try:
        raw = _read_source(source, limits)
    except LimitExceeded as exc:
        return PdfReport(None, flavour or "2b", (make_issue("PDF-UNREADABLE", "file", str(exc)),))
    except OSError as exc:
        return PdfReport(None, flavour or "2b", (make_issue("PDF-UNREADABLE", "file", _short(exc)),))

    pre_issues: list[PdfIssue] = []
    pdf = None
    try:
        pdf = pikepdf.open(_BytesSource(raw), attempt_recovery=False, suppress_warnings=True)
    except pikepdf.PasswordError as exc:
        return PdfReport(None, flavour or "2b", (
            make_issue("PDF-UNREADABLE", "file", "encrypted with a user password"),
            make_issue("AC-ENCRYPT", "trailer", _short(exc)),
            make_issue("6.1.3-2", "trailer", "encrypted")))
    except Exception as exc:  # noqa: BLE001 - any failure to open strictly
        # Not readable without repair. Never silently accept: report AC-REPAIRED (always, it is a
        # safety finding), then try the lenient open only to be able to say more.
        pre_issues.append(make_issue("AC-REPAIRED", "file", _short(exc)))
        try:
            pdf = pikepdf.open(_BytesSource(raw), attempt_recovery=True, suppress_warnings=True)
        except Exception as exc2:  # noqa: BLE001
            pre_issues.append(make_issue("PDF-UNREADABLE", "file", _short(exc2)))
            return PdfReport(None, flavour or "2b", tuple(pre_issues))
    try:
        return _run(raw, pdf, flavour, active_content, limits, pre_issues)
    finally:
        try:
            pdf.close()
        except Exception:  # noqa: BLE001
            pass


def _run(raw: bytes, pdf: pikepdf.Pdf, flavour: str | None, active_content: bool, limits: PdfLimits,
         pre_issues: list[PdfIssue]) -> PdfReport:
    try:
        claimed = _claim(pdf)
    except Exception:  # noqa: BLE001
        claimed = None
    if flavour is None:
        flavour = "2u" if (claimed or "").upper() in ("2U", "2A") else "2b"
    ctx = Ctx(raw, pdf, flavour, limits, active_content)
    ctx.claimed = claimed
    ctx.issues.extend(pre_issues)
    try:
        root_ok = isinstance(pdf.Root, pikepdf.Dictionary)
    except Exception:  # noqa: BLE001
        root_ok = False
    if not root_ok:
        ctx.issues.append(make_issue("PDF-UNREADABLE", "trailer", "no document catalog (/Root)"))
        return PdfReport(claimed, flavour, tuple(ctx.issues))
    try:
        nobj = len(pdf.objects) if limits.max_objects else 0
    except Exception:  # noqa: BLE001
        nobj = 0
    if nobj > limits.max_objects:
        ctx.issues.append(make_issue("PDF-UNREADABLE", "file", f"{nobj} objects, limit {limits.max_objects}"))
        return PdfReport(claimed, flavour, tuple(ctx.issues))
    try:
        npages = len(pdf.pages)
    except Exception as exc:  # noqa: BLE001
        ctx.issues.append(make_issue("PDF-UNREADABLE", "page tree", _short(exc)))
        return PdfReport(claimed, flavour, tuple(ctx.issues))
    if npages > limits.max_pages:
        ctx.issues.append(make_issue("PDF-UNREADABLE", "page tree", f"{npages} pages, limit {limits.max_pages}"))
        return PdfReport(claimed, flavour, tuple(ctx.issues))

    for chk in _checks_for(flavour):
        if chk.needs_active and not active_content:
            continue
        try:
            chk.func(ctx)
        except LimitExceeded as exc:
            ctx.add("PDF-UNREADABLE", chk.name, str(exc))
        except RecursionError:
            ctx.add("CHECK-ERROR", chk.name, "recursion too deep")
        except Exception as exc:  # noqa: BLE001 - the contract: never escape
            try:
                pdf.Root.keys()
            except Exception:  # noqa: BLE001 - qpdf lost the catalog while resolving objects
                ctx.add("PDF-UNREADABLE", "trailer", f"document catalog became unreadable: {_short(exc)}")
                break
            ctx.add("CHECK-ERROR", chk.name, _short(exc))
    if ctx.cache.get("unreadable"):
        ctx.add("CHECK-ERROR", "object graph", f"{ctx.cache['unreadable']} object(s) could not be read, so the "
                "checks that walk the objects did not see them")
    _repair_warnings(ctx, pre_issues)
    issues = [i for i in ctx.issues if i.kind != "pdfa" or ctx.applies(i.rule_id)]
    issues.sort(key=_issue_order)
    if pre_issues:  # opened only with repair: no page count or structure to rely on
        return PdfReport(claimed, flavour, tuple(issues))
    from .structure import syntax_spans

    byte_range = any(raw.find(b"/ByteRange", a, b) != -1 for a, b in syntax_spans(ctx))
    return PdfReport(claimed, flavour, tuple(issues), npages, byte_range)


# qpdf warnings that mean "I had to guess / repair" even without attempt_recovery; the harmless
# ones (e.g. "xref entry for the xref stream itself is missing") are not listed.
_REPAIR_WARNINGS = ("expected endstream", "reconstruct", "damaged", "recover", "invalid", "treating as",
                    "unable to", "not found", "unexpected", "ignoring", "loop")


def _repair_warnings(ctx, pre_issues) -> None:
    if any(i.rule_id == "AC-REPAIRED" for i in pre_issues):
        return
    try:
        warnings = ctx.pdf.get_warnings()
    except Exception:  # noqa: BLE001
        return
    for w in warnings:
        text = str(w)
        low = text.lower()
        if any(p in low for p in _REPAIR_WARNINGS):
            ctx.add("AC-REPAIRED", "file", "qpdf: " + text.split(": ", 1)[-1][:200])
            break


_KIND_ORDER = {"unreadable": 0, "internal": 1, "active": 2, "pdfa": 3}


def _issue_order(i: PdfIssue):
    return (_KIND_ORDER.get(i.kind, 9), [int(x) if x.isdigit() else 0 for x in re.split(r"[.-]", i.rule_id)]
            if i.kind == "pdfa" else [0], i.rule_id)


_CHECKS_BY_FLAVOUR: dict[str, list] = {}


def _checks_for(flavour: str) -> list:
    lst = _CHECKS_BY_FLAVOUR.get(flavour)
    if lst is None:
        by = rules_by_id()
        lst = [c for c in registered_checks()
               if any(by.get(r) is None or flavour in by[r].flavours for r in c.rule_ids)]
        _CHECKS_BY_FLAVOUR[flavour] = lst
    return lst


def _short(exc: BaseException) -> str:
    # qpdf names its input ("stream <_io.BytesIO object at 0x...>: "); that says nothing to the reader
    s = f"{type(exc).__name__}: {_INPUT_NAME.sub('', str(exc))}"
    return s if len(s) <= 300 else s[:297] + "..."


_INPUT_NAME = re.compile(r"(?:stream )?<_io\.BytesIO object at 0x[0-9a-f]+>(?:: )?")


def _BytesSource(raw: bytes):  # noqa: N802
    """Hand pikepdf a private in-memory copy: the caller's bytes / file are never touched."""
    import io

    return io.BytesIO(raw)
