"""The dossier record of one layer: data model and its XML form (schemas/record-0.1.xsd)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from lxml import etree

from .. import roles as _roles
from ..resources import xml_schema
from ..errors import CodedError
from ..xmlsafe import XmlError, parse_xml

NS = "urn:edossier:record:0.1"
XSD = "record-0.1.xsd"
ROLES, ROLE_ZH = _roles.ROLES, _roles.ROLE_ZH  # re-exported: one list for every schema (edossier.roles)


@dataclass(frozen=True)
class Case:
    number: str
    name: str
    charges: tuple[str, ...]
    procedure: str | None = None


@dataclass(frozen=True)
class Agency:
    name: str
    credit_code: str
    role: str


@dataclass(frozen=True)
class Person:
    role: str
    name: str
    id_number: str | None = None
    gender: str | None = None


@dataclass(frozen=True)
class Volume:
    id: str
    title: str
    kind: str | None = None


@dataclass(frozen=True)
class Scan:
    dpi: int
    colour: str


@dataclass(frozen=True)
class Document:
    id: str
    volume: str
    type: str
    title: str
    date: dt.date
    pages: int
    file: str
    number: str | None = None
    author: str | None = None
    scan: Scan | None = None
    type_code: str | None = None  # code from the document-type code list (CodeLists in the record)


@dataclass(frozen=True)
class Event:
    type: str
    time: dt.datetime
    actor: str | None = None
    note: str | None = None
    type_code: str | None = None  # code from the event-type code list
    agency: str | None = None  # credit code of the agency that acted
    document: str | None = None  # id of the document that proves the event (any layer)
    person: str | None = None  # the person concerned (name or resident ID number), for custody events
    days: int | None = None  # length of a variable extension, e.g. 延长拘留期限 by 1-4 days
    period_start: dt.date | None = None  # 换押接收: the receiving stage's legal period as declared
    period_end: dt.date | None = None


@dataclass(frozen=True)
class CodeListRef:
    """A code list used by coded values in a record (docs/caserules.md#codelists)."""

    name: str  # "document-type" or "event-type"
    uri: str
    version: str


@dataclass(frozen=True)
class Record:
    layer: int
    created: dt.datetime
    case: Case
    agency: Agency
    stage: str | None = None
    note: str | None = None
    persons: tuple[Person, ...] = ()
    volumes: tuple[Volume, ...] = ()
    documents: tuple[Document, ...] = ()
    events: tuple[Event, ...] = ()
    generator: str | None = field(default=None, compare=False)
    profile: str | None = None  # stage profile this layer claims to satisfy (Layer/@profile)
    code_lists: tuple[CodeListRef, ...] = ()


RecordError = CodedError  # a record that breaks a rule: finding `code` with `detail` (and `detail_zh`)


def _q(local: str) -> str:
    return f"{{{NS}}}{local}"


def _set(el, **attrs) -> None:
    for key, value in attrs.items():
        if value is not None:
            el.set(key, str(value))


def record_to_xml(rec: Record) -> bytes:
    root = etree.Element(_q("DossierRecord"), nsmap={None: NS})
    _set(root, version="0.1", layer=rec.layer, created=rec.created.isoformat(), generator=rec.generator)
    case = etree.SubElement(root, _q("Case"))
    _set(case, number=rec.case.number, name=rec.case.name, procedure=rec.case.procedure)
    for charge in rec.case.charges:
        etree.SubElement(case, _q("Charge")).text = charge
    _set(etree.SubElement(root, _q("Agency")), name=rec.agency.name, creditCode=rec.agency.credit_code, role=rec.agency.role)
    if rec.stage or rec.note or rec.profile:
        layer = etree.SubElement(root, _q("Layer"))
        _set(layer, stage=rec.stage, profile=rec.profile)
        if rec.note:
            etree.SubElement(layer, _q("Note")).text = rec.note
    if rec.persons:
        persons = etree.SubElement(root, _q("Persons"))
        for p in rec.persons:
            _set(etree.SubElement(persons, _q("Person")), role=p.role, name=p.name, idNumber=p.id_number, gender=p.gender)
    if rec.volumes:
        volumes = etree.SubElement(root, _q("Volumes"))
        for v in rec.volumes:
            _set(etree.SubElement(volumes, _q("Volume")), id=v.id, title=v.title, kind=v.kind)
    if rec.documents:
        docs = etree.SubElement(root, _q("Documents"))
        for d in rec.documents:
            el = etree.SubElement(docs, _q("Document"))
            _set(el, id=d.id, volume=d.volume, type=d.type, typeCode=d.type_code, title=d.title, number=d.number,
                 author=d.author, date=d.date.isoformat(), pages=d.pages, file=d.file)
            if d.scan:
                _set(etree.SubElement(el, _q("Scan")), dpi=d.scan.dpi, colour=d.scan.colour)
    if rec.events:
        events = etree.SubElement(root, _q("Events"))
        for e in rec.events:
            el = etree.SubElement(events, _q("Event"))
            _set(el, type=e.type, typeCode=e.type_code, time=e.time.isoformat(), actor=e.actor, agency=e.agency,
                 document=e.document, person=e.person, days=e.days,
                 periodStart=e.period_start.isoformat() if e.period_start else None,
                 periodEnd=e.period_end.isoformat() if e.period_end else None)
            if e.note:
                etree.SubElement(el, _q("Note")).text = e.note
    if rec.code_lists:
        lists = etree.SubElement(root, _q("CodeLists"))
        for c in rec.code_lists:
            _set(etree.SubElement(lists, _q("CodeList")), name=c.name, uri=c.uri, version=c.version)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def parse_record(data: bytes, *, max_bytes: int = 16 * 1024 * 1024) -> Record:
    """Parse and schema-validate a record; raise RecordError("S004"|"S005", detail)."""
    try:
        root = parse_xml(data, max_bytes=max_bytes)
    except XmlError as exc:
        raise RecordError("S004", exc.en, exc.zh) from None
    schema = xml_schema(XSD)
    if not schema.validate(root):
        from ..i18n.explain import xsd_error

        pairs = [xsd_error(e.line, e.message) for e in list(schema.error_log)[:5]]
        raise RecordError("S005", "; ".join(en for en, _ in pairs), "；".join(zh for _, zh in pairs))
    try:
        return _from_element(root)
    except RecordError:
        raise
    except (ValueError, OverflowError, TypeError) as exc:
        # xs:date and xs:dateTime allow values Python cannot hold (year 0, 24:00:00, huge integers)
        raise RecordError("S005", f"value the schema allows but this validator cannot read: {exc}") from None


def _opt(el, name):
    return el.get(name) or None


def _note(el):
    n = el.find(_q("Note"))
    return n.text if n is not None and n.text else None


def _from_element(root) -> Record:
    case_el = root.find(_q("Case"))
    agency_el = root.find(_q("Agency"))
    layer_el = root.find(_q("Layer"))
    docs = []
    for d in root.iterfind(f"{_q('Documents')}/{_q('Document')}"):
        scan_el = d.find(_q("Scan"))
        docs.append(Document(
            id=d.get("id"), volume=d.get("volume"), type=d.get("type"), title=d.get("title"),
            date=dt.date.fromisoformat(d.get("date")[:10]), pages=int(d.get("pages")), file=d.get("file"),
            number=_opt(d, "number"), author=_opt(d, "author"),
            scan=Scan(int(scan_el.get("dpi")), scan_el.get("colour")) if scan_el is not None else None,
            type_code=_opt(d, "typeCode"),
        ))
    return Record(
        layer=int(root.get("layer")),
        created=_datetime(root.get("created")),
        case=Case(case_el.get("number"), case_el.get("name"),
                  tuple(c.text for c in case_el.iterfind(_q("Charge"))), _opt(case_el, "procedure")),
        agency=Agency(agency_el.get("name"), agency_el.get("creditCode"), agency_el.get("role")),
        stage=_opt(layer_el, "stage") if layer_el is not None else None,
        note=_note(layer_el) if layer_el is not None else None,
        persons=tuple(Person(p.get("role"), p.get("name"), _opt(p, "idNumber"), _opt(p, "gender"))
                      for p in root.iterfind(f"{_q('Persons')}/{_q('Person')}")),
        volumes=tuple(Volume(v.get("id"), v.get("title"), _opt(v, "kind"))
                      for v in root.iterfind(f"{_q('Volumes')}/{_q('Volume')}")),
        documents=tuple(docs),
        events=tuple(_event(e) for e in root.iterfind(f"{_q('Events')}/{_q('Event')}")),
        generator=_opt(root, "generator"),
        profile=_opt(layer_el, "profile") if layer_el is not None else None,
        code_lists=tuple(CodeListRef(c.get("name"), c.get("uri"), c.get("version"))
                         for c in root.iterfind(f"{_q('CodeLists')}/{_q('CodeList')}")),
    )


def _event(e) -> Event:
    def date(name):
        v = e.get(name)
        return dt.date.fromisoformat(v[:10]) if v else None

    return Event(e.get("type"), _datetime(e.get("time")), _opt(e, "actor"), _note(e),
                 type_code=_opt(e, "typeCode"), agency=_opt(e, "agency"), document=_opt(e, "document"),
                 person=_opt(e, "person"), days=int(e.get("days")) if e.get("days") else None,
                 period_start=date("periodStart"), period_end=date("periodEnd"))


def _datetime(text: str) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise RecordError("S005", f"unreadable date-time {text!r}") from None
