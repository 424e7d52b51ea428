"""The conformance case kit: the Case record, the registry (`CASES`, filled in the order the family
modules are imported by cases.py) and the small base packages every case derives from."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Callable

from ..container.asic import record_name
from . import rawzip
from .builder import Layer, Workshop, assemble, data_members, read_members
from .pki import POLICE, PROCURATORATE


@dataclass(frozen=True)
class Case:
    klass: str  # good | warn | bad
    required: tuple[str, ...]
    slug: str
    en: str
    zh: str
    make: Callable[[Workshop], bytes]
    allowed: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return f"{'+'.join(self.required) or 'none'}_{self.slug}"

    @property
    def id(self) -> str:
        return f"{self.klass}/{self.name}"

    @property
    def verdict(self) -> str:
        return "reject" if self.klass == "bad" else "accept"


CASES: list[Case] = []


def case(klass: str, required, slug: str, en: str, zh: str, *, allowed=()):
    required = (required,) if isinstance(required, str) else tuple(required)

    def register(fn):
        CASES.append(Case(klass, required, slug, en, zh, fn, tuple(allowed)))
        return fn
    return register


# --- base sources ----------------------------------------------------------------------------------

D = dt.date
T = lambda s: dt.datetime.fromisoformat(s)  # noqa: E731
CASE_INFO = {"number": "深南公(刑)立字〔2026〕00123号", "name": "张某某盗窃案", "charges": ["盗窃"], "procedure": "速裁"}


def agency(a) -> dict:
    return {"name": a.name, "credit_code": a.credit_code, "role": a.role}


def doc(id_, type_, volume="v1", *, title=None, number=None, date=D(2026, 10, 31), pages=1, **kw) -> dict:
    d = {"id": id_, "volume": volume, "type": type_, "title": title or type_, "number": number, "date": date,
         "pages": pages}
    d.update(kw)
    return d


def mini(**changes) -> dict:
    """The police layer of the smallest base package: two documents of one page each."""
    spec = {
        "case": dict(CASE_INFO),
        "agency": agency(POLICE),
        "volumes": [{"id": "v1", "title": "诉讼文书卷", "kind": "litigation"}],
        "documents": [doc("d1", "立案决定书", number="深南公(刑)立字〔2026〕00123号"),
                      doc("d2", "讯问笔录", title="张某某讯问笔录（第1次）")],
    }
    spec.update(changes)
    return spec


def second(**changes) -> dict:
    """A procuratorate layer on top of `mini`."""
    spec = {
        "agency": agency(PROCURATORATE),
        "volumes": [{"id": "v3", "title": "检察诉讼文书卷", "kind": "litigation"}],
        "documents": [doc("p1", "起诉书", "v3", number="深南检刑诉〔2026〕1123号", date=D(2026, 11, 13))],
    }
    spec.update(changes)
    return spec


def base(w: Workshop) -> bytes:
    return w.cached("mini", lambda: w.build((mini(), w.cred("police"))))


def two(w: Workshop) -> bytes:
    return w.cached("two", lambda: w.build((mini(), w.cred("police")), (second(), w.cred("procuratorate", 2))))


def police(w: Workshop, **changes) -> bytes:
    """A one-layer package from `mini(**changes)`, signed by the police."""
    return w.build((mini(**changes), w.cred("police")))


def members(w: Workshop) -> list[rawzip.Member]:
    return rawzip.members_of(base(w))


with_member = rawzip.with_member


def sign_extra(w: Workshop, extra: dict[str, bytes], *, listed: bool = True) -> bytes:
    """`mini` plus extra data members, listed in (and signed with) the manifest unless `listed` is False."""
    ms = data_members(base(w))
    ms.update(extra)
    return assemble([Layer(ms, w.cred("police"), unlisted=() if listed else tuple(extra))])


# --- helpers the families share ---------------------------------------------------------------------

def correct_manifest(w: Workshop) -> bytes:
    return read_members(base(w))["META-INF/ASiCManifest001.xml"]


def with_manifest(w: Workshop, transform) -> bytes:
    """`mini` with its manifest replaced by `transform(manifest)`, signed over the new bytes."""
    return assemble([Layer(data_members(base(w)), w.cred("police"), manifest=transform(correct_manifest(w)))])


def with_record(w: Workshop, transform, package=None, layer: int = 1) -> bytes:
    """A package whose record of `layer` is `transform(record)`, re-signed (so only the record is wrong)."""
    def edit(ms):
        ms[record_name(layer)] = transform(ms[record_name(layer)])
    return w.reforge(package or base(w), edit)


def xml_replace(old: str, new: str, count: int = 1):
    def t(data: bytes) -> bytes:
        text = data.decode("utf-8")
        if old not in text:
            raise RuntimeError(f"{old!r} not found")
        return text.replace(old, new, count).encode("utf-8")
    return t


def with_document(w: Workshop, pdf: bytes, name: str = "documents/001/0002.pdf") -> bytes:
    def edit(ms):
        ms[name] = pdf
    return w.reforge(base(w), edit)


def pdf_edit(w: Workshop, change, name: str = "documents/001/0002.pdf") -> bytes:
    """`mini` with one document changed by `change(pikepdf.Pdf)` and saved deterministically."""
    import pikepdf

    data = read_members(base(w))[name]
    with pikepdf.open(io.BytesIO(data)) as pdf:
        change(pdf)
        buf = io.BytesIO()
        pdf.save(buf, deterministic_id=True)
    return with_document(w, buf.getvalue(), name)
