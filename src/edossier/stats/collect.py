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
                        _codes(report.findings), layers, period_facts(records, judge, near_days))


def collect_validated(location, options: StatsOptions) -> PackageFacts:
    """Validate one package and keep its facts (runs on a worker)."""
    report = validate_one(location, options.validate)
    return facts_from_report(report, options.judge, options.near_days)


def crashed_facts(location, why: str) -> PackageFacts:
    report = crashed_report(location, why)
    return PackageFacts(str(location), "reject", False, False, None, None, None, _codes(report.findings), (), ())


# --- from an earlier JSON report -----------------------------------------------------------------------

@dataclass(frozen=True)
class ReportedPackage:
    """What stats needs of one package entry of a JSON validation report (schemas/report-0.1.schema.json)."""

    location: str
    verdict: str
    codes: tuple[tuple[str, str, int], ...]
    layers: tuple[tuple[int, str | None, bool], ...]  # (layer, signing time, signature TOTAL_PASSED)

    @classmethod
    def from_entry(cls, entry: dict) -> "ReportedPackage":
        c = Counter((f.get("code", "?"), f.get("severity", "error")) for f in entry.get("findings", []))
        layers = []
        for lr in entry.get("layers", []):
            sig = lr.get("signature") or {}
            layers.append((int(lr.get("layer", 0)), sig.get("signing_time") or lr.get("created"),
                           sig.get("indication") == "TOTAL_PASSED"))
        return cls(str(entry.get("path", "?")), entry.get("verdict", "reject"),
                   tuple(sorted((k, s, n) for (k, s), n in c.items())), tuple(layers))


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
                        period_facts(recs, options.judge, options.near_days))
