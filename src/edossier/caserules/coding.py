"""Coded values for a record being built: each document and event type gets its code from the code
lists, and the record names the lists (URI and version) it used."""

from __future__ import annotations

from dataclasses import replace

from ..record.model import CodeListRef, Record
from . import codelist


def code_record(record: Record) -> Record:
    """`record` with typeCode on every document and event whose type is in a code list, the code lists
    named in CodeLists, and each event's agency defaulting to the layer's agency when it acted itself.
    A type given as a bare code (``A005``) is written with its Chinese name."""
    docs_cl, events_cl = codelist.document_types(), codelist.event_types()
    used: dict[str, codelist.CodeList] = {}
    documents = [_coded(d, docs_cl, used) for d in record.documents]
    events = []
    for ev in record.events:
        ev = _coded(ev, events_cl, used)
        if ev.agency is None and (ev.actor is None or ev.actor == record.agency.name):
            ev = replace(ev, agency=record.agency.credit_code)
        events.append(ev)
    refs = tuple(CodeListRef(cl.name, cl.uri, cl.version) for cl in used.values())
    known = {c.name for c in refs}
    refs += tuple(c for c in record.code_lists if c.name not in known)
    return replace(record, documents=tuple(documents), events=tuple(events), code_lists=refs)


def _coded(item, cl: codelist.CodeList, used: dict):
    """`item` (a Document or Event) with the typeCode of its type; a bare code becomes its Chinese name."""
    e = cl.lookup(item.type_code or "") or cl.lookup(item.type)
    if e is None:
        return item
    used[cl.name] = cl
    return replace(item, type_code=e.code, type=e.zh if item.type == e.code else item.type)
