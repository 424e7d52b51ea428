"""On the client: facts folded into figures, one package at a time.

Memory is bounded whatever the number of packages: counters per agency, stage, month and code;
hand-over times as counts per minute (per hour beyond a week), which gives exact quantiles at that
resolution; the list of statutory periods near or past their end keeps the `max_periods` most urgent
ones (plus exact totals). Every figure is a sum, a count, or picked by a total order, so the result
does not depend on the order in which packages arrive (local processes and Dask give the same).
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections import Counter, defaultdict

from .collect import CST, PackageFacts

# "supervision": packages with at least one supervision finding (超期羁押/超期办案, issue #15), counted apart
# from the verdict because such a package may well be accepted.
METRICS = ("packages", "accepted", "rejected", "supervision", "not_checked", "fully_electronic", "layers", "documents",
           "pages")
NONE = "–"  # key for "not recorded" (no stage, unreadable record)
WEEK_MIN = 7 * 24 * 60
DEFAULT_MAX_PERIODS = 1000


def _minutes_key(seconds: int) -> int:
    minutes = round(seconds / 60)
    return minutes if minutes < WEEK_MIN else round(minutes / 60) * 60


def _month(iso: str | None) -> str:
    if not iso:
        return NONE
    try:
        t = dt.datetime.fromisoformat(iso)
    except ValueError:
        return NONE
    if t.tzinfo is not None:
        t = t.astimezone(CST)
    return f"{t.year:04d}-{t.month:02d}"


class Durations:
    """Hand-over times (seconds), kept as counts per rounded minute."""

    def __init__(self):
        self.counts: Counter[int] = Counter()
        self.n = 0
        self.total = 0  # seconds, exact
        self.min: int | None = None
        self.max: int | None = None

    def add(self, seconds: int) -> None:
        self.counts[_minutes_key(seconds)] += 1
        self.n += 1
        self.total += seconds
        self.min = seconds if self.min is None else min(self.min, seconds)
        self.max = seconds if self.max is None else max(self.max, seconds)

    def quantile(self, q: float) -> int | None:
        """The q-quantile in minutes (nearest rank), at the kept resolution."""
        if not self.n:
            return None
        rank = max(1, -(-int(q * self.n * 1000) // 1000))  # ceil(q*n) without float surprises
        seen = 0
        for minutes in sorted(self.counts):
            seen += self.counts[minutes]
            if seen >= rank:
                return minutes
        return max(self.counts)

    def to_dict(self) -> dict:
        return {"count": self.n, "mean_minutes": round(self.total / self.n / 60, 1) if self.n else None,
                "median_minutes": self.quantile(0.5), "p90_minutes": self.quantile(0.9),
                "min_minutes": round(self.min / 60, 1) if self.min is not None else None,
                "max_minutes": round(self.max / 60, 1) if self.max is not None else None}


class Stats:
    """Figures over many packages; `add` one `PackageFacts` at a time, then `to_dict`."""

    def __init__(self, *, max_periods: int = DEFAULT_MAX_PERIODS):
        self.max_periods = max_periods
        self.totals: Counter[str] = Counter()
        self.by_agency: dict[str, Counter] = defaultdict(Counter)
        self.agency_role: dict[str, str] = {}
        self.by_stage: dict[str, Counter] = defaultdict(Counter)
        self.by_month: dict[str, Counter] = defaultdict(Counter)
        self.codes: dict[str, Counter] = defaultdict(Counter)
        self.code_severity: dict[str, str] = {}
        self.code_example: dict[str, object] = {}  # code → least Example (collect.Example) over all packages
        self.handover: dict[str, Durations] = defaultdict(Durations)
        self.handover_negative = 0
        self.period_counts: dict[tuple[str, str], int] = Counter()
        self._periods: list = []  # heap of (-urgency key, n, entry): the `max_periods` most urgent
        self._seq = 0

    # -- folding ---------------------------------------------------------------------------------
    def add(self, f: PackageFacts) -> None:
        t = self.totals
        verdict_metrics = Counter(packages=1)
        verdict_metrics["accepted" if f.verdict == "accept" else "rejected"] += 1
        if not f.checked:
            verdict_metrics["not_checked"] += 1
        if f.fully_electronic:
            verdict_metrics["fully_electronic"] += 1
        if any(severity == "supervision" for _, severity, _ in f.codes):
            verdict_metrics["supervision"] += 1
        t.update(verdict_metrics)
        if not f.readable:
            t["unreadable_records"] += 1
        last = f.layers[-1] if f.layers else None
        for table, key in ((self.by_agency, (last.agency if last else None) or NONE),
                           (self.by_stage, (last.stage if last else None) or NONE),
                           (self.by_month, _month(last.time if last else None))):
            table[key].update(verdict_metrics)
        for lf in f.layers:
            metrics = {"layers": 1, "documents": lf.documents, "pages": lf.pages}
            t.update(metrics)
            agency = lf.agency or NONE
            if lf.agency and lf.role:
                self.agency_role[agency] = lf.role
            self.by_agency[agency].update(metrics)
            self.by_stage[lf.stage or NONE].update(metrics)
            self.by_month[_month(lf.time)].update(metrics)
            t["electronic_documents"] += lf.electronic
            t["signed_layers"] += int(lf.signed)
        for a, b in zip(f.layers, f.layers[1:]):
            if not (a.time and b.time):
                continue
            seconds = int((dt.datetime.fromisoformat(b.time) - dt.datetime.fromisoformat(a.time)).total_seconds())
            if seconds < 0:
                self.handover_negative += 1
                continue
            self.handover[f"{a.role or '?'}→{b.role or '?'}"].add(seconds)
            self.handover["*"].add(seconds)
        for code, severity, n in f.codes:
            self.codes[code].update(packages=1, occurrences=n)
            self.code_severity[code] = severity
        for ex in f.examples:
            if ex.code not in self.code_example or ex < self.code_example[ex.code]:
                self.code_example[ex.code] = ex
        for p in f.periods:
            self.period_counts[(p.state, p.kind)] += 1
            if p.state == "expired" and p.open:
                t["expired_open"] += 1
            entry = {"package": f.location, "case_number": f.case_number, "case_name": f.case_name,
                     "period": p.kind, "person": p.person, "state": p.state, "open": p.open, "start": p.start,
                     "end": p.end, "days_left": p.days_left}
            key = self._urgency(entry)
            self._seq += 1
            if len(self._periods) < self.max_periods:
                heapq.heappush(self._periods, (_Neg(key), self._seq, entry))
            elif _Neg(key) > self._periods[0][0]:
                heapq.heapreplace(self._periods, (_Neg(key), self._seq, entry))

    @staticmethod
    def _urgency(e: dict) -> tuple:
        """Smaller is more urgent: past the end and still open first, then the earliest end."""
        rank = {"expired": 0 if e["open"] else 1, "due-soon": 2, "near": 3}[e["state"]]
        return (rank, e["days_left"], e["end"], e["package"], e["period"], e["person"], e["start"])

    # -- results ---------------------------------------------------------------------------------
    def to_dict(self) -> dict:
        t = self.totals
        packages = t["packages"]

        def table(rows: dict[str, Counter], extra=None) -> list[dict]:
            out = []
            for key in sorted(rows):
                row = {"key": key, **{m: rows[key][m] for m in METRICS}}
                if extra:
                    row.update(extra(key))
                out.append(row)
            return out

        periods = sorted((e for _, _, e in self._periods), key=self._urgency)
        by_state = Counter()
        by_kind: dict[str, Counter] = defaultdict(Counter)
        for (state, kind), n in self.period_counts.items():
            by_state[state] += n
            by_kind[kind][state] += n
        return {
            "totals": {
                **{m: t[m] for m in METRICS},
                "electronic_documents": t["electronic_documents"],
                "signed_layers": t["signed_layers"],
                "unreadable_records": t["unreadable_records"],
                "accepted_share": round(t["accepted"] / packages, 4) if packages else None,
                "fully_electronic_share": round(t["fully_electronic"] / packages, 4) if packages else None,
            },
            "by_agency": table(self.by_agency, lambda k: {"role": self.agency_role.get(k)}),
            "by_stage": table(self.by_stage),
            "by_month": table(self.by_month),
            "handover": [{"transition": k, **self.handover[k].to_dict()}
                         for k in sorted(self.handover, key=lambda k: (k == "*", k))],
            "handover_negative": self.handover_negative,
            "codes": [{"code": c, "severity": self.code_severity[c], "packages": self.codes[c]["packages"],
                       "occurrences": self.codes[c]["occurrences"],
                       "example": self.code_example[c].to_dict() if c in self.code_example else None}
                      for c in sorted(self.codes, key=lambda c: (-self.codes[c]["packages"], c))],
            "deadlines": {
                "expired": by_state["expired"], "due_soon": by_state["due-soon"], "near": by_state["near"],
                "expired_open": t["expired_open"],
                "by_period": [{"period": k, "expired": by_kind[k]["expired"], "due_soon": by_kind[k]["due-soon"],
                               "near": by_kind[k]["near"]} for k in sorted(by_kind)],
                "listed": len(periods), "list_limit": self.max_periods,
                "list": periods,
            },
        }


class _Neg:
    """Reverses the order of a key, so that a min-heap keeps the largest (least urgent) on top."""

    __slots__ = ("key",)

    def __init__(self, key):
        self.key = key

    def __lt__(self, other):
        return self.key > other.key

    def __gt__(self, other):
        return self.key < other.key

    def __eq__(self, other):
        return self.key == other.key
