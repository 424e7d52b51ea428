"""The effective dossier: the fold of all layers' records in layer order (docs/spec.md §6.4)."""

from __future__ import annotations

from dataclasses import dataclass, field

from .model import Case, Document, Event, Person, Record, Volume


@dataclass
class EffectiveDossier:
    case: Case | None = None
    records: list[Record] = field(default_factory=list)
    persons: list[Person] = field(default_factory=list)
    volumes: dict[str, Volume] = field(default_factory=dict)
    documents: list[tuple[int, Document]] = field(default_factory=list)  # (layer, document)
    events: list[tuple[int, Event]] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return sum(d.pages for _, d in self.documents)


def fold(records: list[Record]) -> EffectiveDossier:
    """Records must be given in layer order; nothing earlier is ever removed, later entries supersede."""
    dossier = EffectiveDossier()
    by_id_number: dict[str, int] = {}
    for rec in records:
        dossier.records.append(rec)
        dossier.case = rec.case
        for p in rec.persons:
            if p.id_number and p.id_number in by_id_number:
                dossier.persons[by_id_number[p.id_number]] = p
            else:
                if p.id_number:
                    by_id_number[p.id_number] = len(dossier.persons)
                dossier.persons.append(p)
        dossier.volumes.update({v.id: v for v in rec.volumes})
        dossier.documents += [(rec.layer, d) for d in rec.documents]
        dossier.events += [(rec.layer, e) for e in rec.events]
    dossier.events.sort(key=lambda item: (item[1].time, item[0]))
    return dossier
