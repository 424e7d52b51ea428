"""Counting days the way the statutes do (CPL 2018 Art. 105; docs/caserules.md#counting): Beijing dates,
month arithmetic with the month-end rule, and the holiday calendar (schemas/codelists/holidays-cn.toml)."""

from __future__ import annotations

import calendar
import datetime as dt
import tomllib
from dataclasses import dataclass
from functools import cache

from ..resources import schema_bytes


try:  # China has had no daylight saving time since 1991; the fixed offset is the fallback without tzdata
    from zoneinfo import ZoneInfo

    BEIJING: dt.tzinfo = ZoneInfo("Asia/Shanghai")
except Exception:  # noqa: BLE001 - no time zone database installed
    BEIJING = dt.timezone(dt.timedelta(hours=8), "CST")


def beijing(t: dt.datetime) -> dt.datetime:
    """The instant in Beijing time (a time without offset is taken as Beijing time)."""
    if t.tzinfo is None or t.tzinfo.utcoffset(t) is None:
        return t.replace(tzinfo=BEIJING)
    return t.astimezone(BEIJING)


def beijing_date(t: dt.datetime) -> dt.date:
    """The Beijing calendar date of an instant: the date legal periods count from (issue #15, item 4)."""
    return beijing(t).date()


def add_days(d: dt.date, n: int) -> dt.date:
    return d + dt.timedelta(days=n)


def add_months(d: dt.date, n: int) -> dt.date:
    """Same day n months later, or the last day of that month when it has no such day; from the last day
    of a month, the last day of the target month (2006 公安部 rule: 期限起算日为本月最后一日的，至下月最后一日
    为一个月), so that a chain of extensions ends where counting from the start would."""
    y, m = divmod(d.month - 1 + n, 12)
    y += d.year
    m += 1
    last = calendar.monthrange(y, m)[1]
    if d.day == calendar.monthrange(d.year, d.month)[1]:
        return dt.date(y, m, last)
    return dt.date(y, m, min(d.day, last))


def _expand(items: list[str]) -> set[dt.date]:
    out: set[dt.date] = set()
    for item in items:
        first, _, last = item.partition("..")
        a = dt.date.fromisoformat(first)
        b = dt.date.fromisoformat(last) if last else a
        while a <= b:
            out.add(a)
            a += dt.timedelta(days=1)
    return out


@dataclass(frozen=True)
class HolidayCalendar:
    holidays: frozenset[dt.date]
    workdays: frozenset[dt.date]
    years: frozenset[int]

    def is_rest_day(self, d: dt.date) -> bool:
        if d in self.workdays:
            return False
        return d in self.holidays or d.weekday() >= 5

    def next_working_day(self, d: dt.date) -> dt.date:
        while self.is_rest_day(d):
            d += dt.timedelta(days=1)
        return d


@cache
def holiday_calendar() -> HolidayCalendar:
    raw = tomllib.loads(schema_bytes("codelists/holidays-cn.toml").decode("utf-8"))
    hol, work, years = set(), set(), set()
    for year, entry in raw.get("years", {}).items():
        years.add(int(year))
        hol |= _expand(entry.get("holidays", []))
        work |= _expand(entry.get("workdays", []))
    return HolidayCalendar(frozenset(hol), frozenset(work), frozenset(years))
