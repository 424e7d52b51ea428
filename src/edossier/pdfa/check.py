"""PDF/A-2b / PDF/A-2u checker with an active-content policy: the public entry point.

``check_pdf`` opens the file once with pikepdf (qpdf) **without recovery**, runs every registered
check (see ``rules.py``) and returns a :class:`PdfReport`. Every check runs inside its own
``try``: an exception becomes a ``CHECK-ERROR`` issue for the document, never an escape. The
input is never modified (bytes are read once; pikepdf works on an in-memory copy).
"""

from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Callable
from pathlib import Path

import pikepdf

# Importing the check modules registers their checks (rules.check); the runner is the one that needs them.
from . import active, annots, colour, fonts, graphics, structure, xmp  # noqa: F401
from .context import Ctx, PdfIssue, PdfReport, make_issue
from .limits import QPDF_OVERFLOW, LimitExceeded, PdfLimits
from .rules import Rule, registered_checks, rules_by_id

__all__ = ["PdfIssue", "PdfReport", "PdfLimits", "check_pdf", "rule_table", "LimitExceeded"]


def clear_caches() -> None:
    """Forget what earlier checks on this thread kept for later ones (parsed font programs by digest,
    the last XMP packet and its properties, ICC profile headers by digest): for timing a first check
    (benchmarks/run.py)."""
    from . import colour, fontprograms, xmpparse

    fontprograms._programs.__dict__.clear()
    xmpparse._last.__dict__.clear()
    xmpparse._props_of.__dict__.clear()
    colour._icc.__dict__.clear()


def rule_table() -> list[Rule]:
    """All rules (PDF/A-2b/2u, active-content, special) with their implementation status."""
    from .rules import all_rules

    return all_rules()


def _read_source(source: "Path | bytes | str", limits: PdfLimits) -> bytes:
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    else:
        # os-level calls, not pathlib's (~12 us a file more: 1 % of the veraPDF corpus's time, issue 19); the
        # same order and errors as Path.stat then Path.open
        st = os.stat(source)
        size = st.st_size
        if size > limits.max_file_bytes:
            raise LimitExceeded(f"file is {size} bytes, limit {limits.max_file_bytes}")
        if stat.S_ISDIR(st.st_mode):  # os.open opens a directory for reading, where Path.open refuses
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), os.fsdecode(source))
        fd = os.open(source, os.O_RDONLY | os.O_CLOEXEC)
        try:
            # what stat promised and one byte more (to see a file that grew), then on to the limit: a single
            # read(limit + 1) allocates and shrinks a 1 GiB buffer every time (~35 us a file, 1,007 files)
            data = _read_upto(fd, size + 1)
            if len(data) > size:
                data += _read_upto(fd, limits.max_file_bytes + 1 - len(data))
        finally:
            os.close(fd)
    if len(data) > limits.max_file_bytes:
        raise LimitExceeded(f"file is {len(data)} bytes, limit {limits.max_file_bytes}")
    return data


def _read_upto(fd: int, n: int) -> bytes:
    """Up to n bytes, fewer only at the end of the file (os.read may return less than asked: a pipe, a large
    read)."""
    data = os.read(fd, n)
    if len(data) == n or not data:
        return data
    parts = [data]
    got = len(data)
    while got < n:
        more = os.read(fd, n - got)
        if not more:
            break
        parts.append(more)
        got += len(more)
    return b"".join(parts)


def _claim(pdf: pikepdf.Pdf) -> str | None:
    from .xmpparse import claimed_level

    return claimed_level(pdf)


def check_pdf(source: "Path | bytes", *, flavour: str | None = None, active_content: bool = True,
              limits: PdfLimits | None = None, then: Callable[[pikepdf.Pdf], object] | None = None) -> PdfReport:
    """Check one PDF against PDF/A-2b or 2u (and, optionally, the active-content policy).

    `then(pdf)`, if given, is called with the open pikepdf.Pdf after the checks when the file opened
    strictly and its pages were counted (the report's `pages` is set), before it is closed: for a
    caller with more to check in the same file (the validator's image checks), which then does not
    open it a second time (issue 19). It must not modify the document; what it raises is its own."""
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
        report = _run(raw, pdf, flavour, active_content, limits, pre_issues)
        if then is not None and report.pages is not None:
            then(pdf)
        return report
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
        # qpdf's list of every object (it resolves them all): kept for structure.streams, which walks it
        objects = pdf.objects if limits.max_objects else None
        nobj = len(objects) if objects is not None else 0
    except Exception:  # noqa: BLE001
        objects, nobj = None, 0
    ctx.cache["objects"] = objects
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
# "treating object as null": qpdf dropped an object it could not parse, so whatever it held (an action,
# JavaScript) is invisible to every check; the one such warning no other pattern names is the 64-bit overflow
_REPAIR_WARNINGS = ("expected endstream", "reconstruct", "damaged", "recover", "invalid", "treating as",
                    "treating object as null", "unable to", "not found", "unexpected", "ignoring", "loop")


_WARNED_OBJECT = re.compile(r"\(object (\d+) (\d+)[,)]")


def _overflow_findings(ctx, warnings) -> None:
    """6.1.13-1 for each integer qpdf could not hold (ISO 32000-1 Table C.1: an integer is at most 2^31-1 in
    magnitude, so one beyond 64 bits is out of range whatever else the object held)."""
    for w in warnings:
        text = str(w)
        m = QPDF_OVERFLOW.search(text)
        if m:
            o = _WARNED_OBJECT.search(text, 0, m.start())
            digits = m.group(1)
            ctx.add("6.1.13-1", f"object {o.group(1)} {o.group(2)} R" if o else "file",
                    digits if len(digits) <= 40 else digits[:37] + "...")


def _repair_warnings(ctx, pre_issues) -> None:
    try:
        warnings = ctx.pdf.get_warnings()
    except Exception:  # noqa: BLE001
        return
    _overflow_findings(ctx, warnings)
    if any(i.rule_id == "AC-REPAIRED" for i in pre_issues):
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
