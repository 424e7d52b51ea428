"""The statutory periods as data: their kinds (with the custody and stage groups), the steps the engine
reads from the recorded events, and the periods, issues and timeline it writes (deadlines.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..record.model import Event, Record
from .codelist import resolve_event_type
from .calendar_cn import BEIJING, beijing_date, holiday_calendar


# periods that exist only while the person is held; a release closes them
DETENTION_KINDS = ("detention-request", "detention-decision", "preliminary-detention")


CUSTODY_KINDS = DETENTION_KINDS + ("arrest-review", "investigative-custody", "retention")


# periods of a stage, whose holiday rule follows the person's custody at the time (Art. 105 para 4)
STAGE_KINDS = ("prosecution-review", "supplementary", "trial", "trial-supplementary", "second-instance",
               "execution-handover")


@dataclass(frozen=True)
class Step:
    """One event as the engine sees it."""

    time: dt.datetime
    layer: int
    code: str  # event-type code (EVnn)
    event: Event
    role: str  # role of the agency whose layer records the event

    @property
    def name(self) -> str:
        return self.event.type


# kind → (zh, en)
KINDS = {
    "detention-request": ("拘留后提请批准逮捕期限", "time from detention to the arrest request"),
    "detention-decision": ("自侦案件拘留后决定逮捕期限", "time from the procuratorate's own detention to its arrest decision"),
    "retention": ("留置期限", "retention by a supervisory commission"),
    "preliminary-detention": ("先行拘留后决定期限", "time from preliminary detention to the decision on arrest"),
    "arrest-review": ("审查批准逮捕期限", "arrest-approval review"),
    "investigative-custody": ("侦查羁押期限", "investigative custody after arrest"),
    "prosecution-review": ("审查起诉期限", "prosecution review"),
    "supplementary": ("补充侦查期限", "supplementary investigation"),
    "trial": ("一审审理期限", "first-instance trial"),
    "trial-supplementary": ("庭审中补充侦查期限", "supplementary investigation during trial"),
    "second-instance": ("二审审理期限", "second-instance trial"),
    "execution-handover": ("交付执行期限", "hand-over for execution"),
}


@dataclass
class Period:
    kind: str
    person: str
    basis: str
    start: dt.datetime
    start_step: str
    start_layer: int
    raw_end: dt.date | None  # before the holiday rule; None = no fixed end
    length: str
    custody: bool
    warn_days: int | None = None
    extensions: list[str] = field(default_factory=list)
    ext_count: int = 0
    closed_at: dt.datetime | None = None
    closed_by: str | None = None
    closed_layer: int | None = None
    state: str = "running"  # running | closed | expired | due-soon | superseded | postponed
    note: str = ""
    overdue_step: tuple[str, dt.datetime] | None = None  # first step recorded after the end
    overdue_end: dt.date | None = None  # the end that was missed

    def add_basis(self, article: str) -> None:
        if article not in self.basis:
            self.basis += f", {article}"

    @property
    def zh(self) -> str:
        return KINDS[self.kind][0]

    @property
    def en(self) -> str:
        return KINDS[self.kind][1]

    @property
    def end(self) -> dt.date | None:
        if self.raw_end is None:
            return None
        if self.custody:
            return self.raw_end
        return holiday_calendar().next_working_day(self.raw_end)

    @property
    def deadline(self) -> dt.datetime | None:
        """The instant the period runs out: the end of its last day in Beijing."""
        if self.end is None:
            return None
        return dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time(0), tzinfo=BEIJING)

    @property
    def start_date(self) -> dt.date:
        return beijing_date(self.start)

    @property
    def rolled(self) -> bool:
        return self.end is not None and self.raw_end is not None and self.end != self.raw_end


@dataclass
class Issue:
    """A rule broken by an event (not a deadline): K032 / K053 material."""

    code: str
    step: Step
    en: str
    zh: str


@dataclass
class Timeline:
    periods: list[Period] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    at: dt.datetime | None = None
    unknown_years: set[int] = field(default_factory=set)


def collect_steps(records: list[Record], at: dt.datetime | None = None) -> list[Step]:
    steps = []
    for r in records:
        for e in r.events:
            entry = resolve_event_type(e.type_code or "") or resolve_event_type(e.type)
            if entry is None:
                continue
            if at is not None and e.time > at:
                continue
            steps.append(Step(e.time, r.layer, entry.code, e, r.agency.role))
    steps.sort(key=lambda s: (s.time, s.layer))
    return steps
