"""The audit trail (全程留痕): who did what when, from the signed layers (`edossier log`).

Every fact comes from a layer's record and is proven by that layer's signature: the layer's signing
(agency, signer, claimed signing time), the documents it added, and the events it records (which may
name another agency as the actor, e.g. the police layer recording the procuratorate's 批准逮捕).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..record.model import ROLE_ZH
from .codelist import resolve_document_type, resolve_event_type


@dataclass(frozen=True)
class Entry:
    time: dt.datetime | dt.date
    layer: int
    kind: str  # "layer" | "document" | "event"
    actor: str  # who acted (agency name or the event's actor)
    signer: str  # who signed the layer that proves it
    what_en: str
    what_zh: str
    ref: str = ""  # document id, member, event type code

    def sort_key(self):
        t = self.time
        if not isinstance(t, dt.datetime):
            t = dt.datetime.combine(t, dt.time(0), tzinfo=dt.timezone.utc)
        elif t.tzinfo is None:
            t = t.replace(tzinfo=dt.timezone.utc)
        return (t, self.layer, {"event": 0, "document": 1, "layer": 2}[self.kind])

    def to_dict(self) -> dict:
        return {"time": self.time.isoformat(), "layer": self.layer, "kind": self.kind, "actor": self.actor,
                "signer": self.signer, "what": {"en": self.what_en, "zh-CN": self.what_zh}, "ref": self.ref,
                "proven_by": f"META-INF/signature{self.layer:03d}.p7s"}


def audit_trail(layers) -> list[Entry]:
    """`layers`: objects with .layer, .record, .signer, .signing_time (summary.LayerSummary)."""
    out: list[Entry] = []
    for ls in layers:
        r = ls.record
        if r is None:
            continue
        signer = ls.signer or "?"
        who = r.agency.name
        when = ls.signing_time or r.created
        stage = f" for {r.stage}" if r.stage else ""
        stage_zh = f"（{r.stage}）" if r.stage else ""
        out.append(Entry(when, ls.layer, "layer", who, signer,
                         f"signed layer {ls.layer:03d}{stage} as {r.agency.role}: {len(r.documents)} document(s), "
                         f"{sum(d.pages for d in r.documents)} page(s), {len(r.events)} event(s)",
                         f"以{ROLE_ZH.get(r.agency.role, r.agency.role)}身份签署第 {ls.layer:03d} 层{stage_zh}："
                         f"{len(r.documents)} 份文书，{sum(d.pages for d in r.documents)} 页，{len(r.events)} 个事件",
                         f"dossier/{ls.layer:03d}.xml"))
        for d in r.documents:
            e = resolve_document_type(d.type_code or "") or resolve_document_type(d.type)
            code = f" [{e.code}]" if e else ""
            out.append(Entry(when, ls.layer, "document", d.author or who, signer,
                             f"added {d.type}{code} '{d.title}' dated {d.date}, {d.pages} page(s)",
                             f"加入《{d.title}》（{d.type}{code}，{d.date}，{d.pages} 页）", f"{d.id} {d.file}"))
        for ev in r.events:
            e = resolve_event_type(ev.type_code or "") or resolve_event_type(ev.type)
            extra_en = f" ({ev.note})" if ev.note else ""
            proof = f", proved by document {ev.document}" if ev.document else ""
            proof_zh = f"，证明文书 {ev.document}" if ev.document else ""
            person = f" [{ev.person}]" if ev.person else ""
            out.append(Entry(ev.time, ls.layer, "event", ev.actor or who, signer,
                             f"{ev.type}{' – ' + e.en if e else ''}{person}{proof}{extra_en}",
                             f"{ev.type}{person}{proof_zh}{'（' + ev.note + '）' if ev.note else ''}",
                             e.code if e else ""))
    return sorted(out, key=Entry.sort_key)
