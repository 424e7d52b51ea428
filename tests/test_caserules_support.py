"""Helpers for the case-rule tests: records made in memory (no package, no signature)."""

from __future__ import annotations

import datetime as dt

from edossier.record.model import Agency, Case, Document, Event, Person, Record

TZ = dt.timezone(dt.timedelta(hours=8))
AGENCIES = {
    "police": Agency("深圳市公安局南山分局", "11440300MB2C123452", "police"),
    "procuratorate": Agency("深圳市南山区人民检察院", "11440305MB2D10001W", "procuratorate"),
    "court": Agency("深圳市南山区人民法院", "11440305MB2D200077", "court"),
}


def t(text: str) -> dt.datetime:
    """'2025-01-31 10:00' in UTC+8."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=TZ)


def doc(i: int, type_: str, layer: int = 1, **kw) -> Document:
    return Document(id=kw.pop("id", f"x{layer}_{i}"), volume="v1", type=type_, title=type_,
                    date=dt.date(2026, 11, 2), pages=1, file=f"documents/{layer:03d}/{i:04d}.pdf", **kw)


def ev(type_: str, when: str, **kw) -> Event:
    return Event(type_, t(when), **kw)


def rec(layer: int = 1, role: str = "police", docs=(), events=(), *, procedure: str | None = None,
        profile: str | None = None, persons=(), number: str = "深南公(刑)立字〔2026〕00123号",
        agency: Agency | None = None, charges=("盗窃",)) -> Record:
    return Record(layer=layer, created=t("2026-11-20 10:00"),
                  case=Case(number, "张某某盗窃案", tuple(charges), procedure), agency=agency or AGENCIES[role],
                  documents=tuple(doc(i, d, layer) if isinstance(d, str) else d for i, d in enumerate(docs, 1)),
                  events=tuple(events), profile=profile, persons=tuple(persons))


def codes(findings) -> list[str]:
    return sorted(f.code for f in findings)


__all__ = ["AGENCIES", "Person", "codes", "doc", "ev", "rec", "t"]
