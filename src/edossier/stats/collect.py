"""On the worker: one package → a small `PackageFacts` (a few hundred bytes, not the whole report).

Two sources of verdicts: validating the package here (`collect_validated`), or an entry of an earlier
`edossier validate --format json` report (`collect_reported`), in which case the package is only opened
to read its records (pages, events, scans), without checking signatures again.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from ..batch.many import ValidateOptions, validate_one, crashed_report

CST = dt.timezone(dt.timedelta(hours=8))
DEFAULT_NEAR_DAYS = 7


@dataclass(frozen=True)
class LayerFacts:
    layer: int
    role: str | None
    agency: str | None
    credit_code: str | None
    stage: str | None
    time: str | None  # ISO 8601: the signature's signing time, else the record's creation time
    documents: int
    pages: int
    electronic: int  # documents made electronically (no scan recorded)
    signed: bool  # the layer's signature was judged TOTAL_PASSED


@dataclass(frozen=True)
class PeriodFacts:
    kind: str
    person: str
    state: str  # expired | due-soon | near
    open: bool  # still running (not closed by a later event)
    start: str
    end: str  # last day (ISO date)
    days_left: int  # whole days from the judging time to the deadline; negative: overdue


MAX_EXAMPLE_CHARS = 500  # a message quoting hostile input (a file name) stays small in the facts


@dataclass(frozen=True, order=True)
class Example:
    """A finding of one code in one package, with its messages as the package reported them: every
    template parameter already filled by `findings.finding` (a JSON report carries these messages but
    not the parameters, so the filled messages are what both sources of facts share)."""

    code: str
    location: str
    message_en: str
    message_zh: str

    def to_dict(self) -> dict:
        return {"location": self.location, "message": {"zh-CN": self.message_zh, "en": self.message_en}}


def _cut(text) -> str:
    text = "" if text is None else str(text)
    return text if len(text) <= MAX_EXAMPLE_CHARS else text[:MAX_EXAMPLE_CHARS - 1] + "…"


def _examples(items) -> tuple[Example, ...]:
    """The least Example of each code (a total order: the same whatever order findings come in)."""
    best: dict[str, Example] = {}
    for ex in items:
        if ex.code not in best or ex < best[ex.code]:
            best[ex.code] = ex
    return tuple(best[c] for c in sorted(best))


def finding_examples(findings) -> tuple[Example, ...]:
    return _examples(Example(f.code, _cut(f.location), _cut(f.message_en), _cut(f.message_zh)) for f in findings)


@dataclass(frozen=True)
class PackageFacts:
    location: str
    verdict: str  # accept | reject
    checked: bool  # False: the validator could not check it (X001)
    readable: bool  # the records could be read (pages, events)
    case_number: str | None
    case_name: str | None
    procedure: str | None
    codes: tuple[tuple[str, str, int], ...]  # (code, severity, occurrences)
    layers: tuple[LayerFacts, ...]
    periods: tuple[PeriodFacts, ...]
    # one finding per code, as the package reported it: the dashboard shows its message with every
    # parameter filled (issue #16), never the bare template
    examples: tuple[Example, ...] = ()

    @property
    def fully_electronic(self) -> bool:
        """Every document made electronically and every layer's signature valid (全流程无纸化)."""
        return (self.readable and bool(self.layers) and sum(lf.documents for lf in self.layers) > 0
                and all(lf.signed and lf.electronic == lf.documents for lf in self.layers))


@dataclass(frozen=True)
class StatsOptions:
    validate: ValidateOptions | None  # None: verdicts come from an earlier JSON report
    judge: dt.datetime  # deadlines are judged at this time (--at, else the start of the run)
    near_days: int = DEFAULT_NEAR_DAYS


def _iso(t) -> str | None:
    return t.isoformat() if t is not None else None


def _codes(findings) -> tuple[tuple[str, str, int], ...]:
    c = Counter((f.code, f.severity) for f in findings)
    return tuple(sorted((code, sev, n) for (code, sev), n in c.items()))


def _layer_facts(n: int, record, signing_time, signed: bool) -> LayerFacts:
    if record is None:
        return LayerFacts(n, None, None, None, None, _iso(signing_time), 0, 0, 0, signed)
    docs = record.documents
    return LayerFacts(n, record.agency.role, record.agency.name, record.agency.credit_code, record.stage,
                      _iso(signing_time or record.created), len(docs), sum(d.pages for d in docs),
                      sum(1 for d in docs if d.scan is None), signed)


def period_facts(records, judge: dt.datetime, near_days: int) -> tuple[PeriodFacts, ...]:
    """Statutory periods past their end, or near it (due-soon per the engine, or running and ending
    within `near_days`), judged at `judge` (caserules/deadlines.py)."""
    from ..caserules.deadlines import compute

    if not records:
        return ()
    try:
        tl = compute(records, at=judge)
    except Exception:  # noqa: BLE001 - records that confuse the engine give no periods, not a crash
        return ()
    out = []
    for p in tl.periods:
        deadline = p.deadline
        if deadline is None:
            continue
        days_left = (deadline - judge).days  # floor: 12 hours overdue is -1
        state = p.state
        if state == "running" and deadline - judge <= dt.timedelta(days=near_days):
            state = "near"
        if state not in ("expired", "due-soon", "near"):
            continue
        out.append(PeriodFacts(p.kind, p.person or "", state, p.closed_at is None, p.start.isoformat(),
                               p.end.isoformat(), days_left))
    return tuple(sorted(out, key=lambda x: (x.end, x.kind, x.person, x.start)))


def _case(records):
    case = records[-1].case if records else None
    return (case.number, case.name, case.procedure) if case else (None, None, None)


def facts_from_report(report, judge: dt.datetime, near_days: int = DEFAULT_NEAR_DAYS) -> PackageFacts:
    """Facts of a validated package (a validate.PackageReport)."""
    records = [lr.record for lr in report.layers if lr.record is not None]
    layers = tuple(_layer_facts(lr.layer, lr.record, lr.signature.signing_time if lr.signature else None,
                                bool(lr.signature and lr.signature.indication == "TOTAL_PASSED"))
                   for lr in report.layers)
    checked = not any(f.code == "X001" for f in report.findings)
    return PackageFacts(str(report.path), report.verdict, checked, bool(records), *_case(records),
                        _codes(report.findings), layers, period_facts(records, judge, near_days),
                        finding_examples(report.findings))


def collect_validated(location, options: StatsOptions) -> PackageFacts:
    """Validate one package and keep its facts (runs on a worker)."""
    report = validate_one(location, options.validate)
    return facts_from_report(report, options.judge, options.near_days)


def crashed_facts(location, why: str) -> PackageFacts:
    report = crashed_report(location, why)
    return PackageFacts(str(location), "reject", False, False, None, None, None, _codes(report.findings), (), (),
                        finding_examples(report.findings))


# --- from an earlier JSON report -----------------------------------------------------------------------

@dataclass(frozen=True)
class ReportedPackage:
    """What stats needs of one package entry of a JSON validation report (schemas/report-0.1.schema.json)."""

    location: str
    verdict: str
    codes: tuple[tuple[str, str, int], ...]
    layers: tuple[tuple[int, str | None, bool], ...]  # (layer, signing time, signature TOTAL_PASSED)
    examples: tuple[Example, ...] = ()

    @classmethod
    def from_entry(cls, entry: dict) -> "ReportedPackage":
        c = Counter((f.get("code", "?"), f.get("severity", "error")) for f in entry.get("findings", []))
        layers = []
        for lr in entry.get("layers", []):
            sig = lr.get("signature") or {}
            layers.append((int(lr.get("layer", 0)), sig.get("signing_time") or lr.get("created"),
                           sig.get("indication") == "TOTAL_PASSED"))
        examples = []
        for f in entry.get("findings", []):
            message = f.get("message") if isinstance(f.get("message"), dict) else {}
            examples.append(Example(str(f.get("code", "?")), _cut(f.get("location", "")), _cut(message.get("en", "")),
                                    _cut(message.get("zh-CN", ""))))
        return cls(str(entry.get("path", "?")), entry.get("verdict", "reject"),
                   tuple(sorted((k, s, n) for (k, s), n in c.items())), tuple(layers), _examples(examples))


def collect_reported(item: ReportedPackage, options: StatsOptions) -> PackageFacts:
    """Facts of a package judged by an earlier report: verdict and findings from the report, records
    read from the package itself (no signature checks); without the package, what the report says."""
    from ..batch import storage
    from ..summary import summarize

    records: dict[int, object] = {}
    try:
        with storage.opened_locally(item.location) as path:
            s = summarize(path)
        records = {lay.layer: lay.record for lay in s.layers if lay.record is not None}
    except Exception:  # noqa: BLE001 - a package that is gone or unreadable: the report's facts only
        records = {}
    layers = []
    for n, when, signed in item.layers:
        t = dt.datetime.fromisoformat(when) if when else None
        layers.append(_layer_facts(n, records.get(n), t, signed))
    recs = [records[n] for n in sorted(records)]
    checked = not any(code == "X001" for code, _, _ in item.codes)
    return PackageFacts(item.location, item.verdict, checked, bool(recs), *_case(recs), item.codes, tuple(layers),
                        period_facts(recs, options.judge, options.near_days), item.examples)
