"""Stage profiles (data in schemas/profiles/*.toml): what a package must hold at a procedural boundary.

A profile has `require` entries (missing → error K021, one per entry, naming the type in Chinese) and
`expect` entries (missing → one warning K022 listing them). An entry is satisfied when the dossier holds
a document of any of its types. `if_event` / `if_document` / `if_procedure` / `if_charge` / `if_plea`
make an entry conditional; when several are given, any one of them makes it apply. `if_procedure` names
procedures of the procedure code list (schemas/codelists/procedures.toml) by code or name; `if_plea =
true` applies when the case is 认罪认罚 in whatever procedure. `includes` pulls in the entries of other
profiles. A profile names the catalogue process it is a view of (`process`, schemas/catalogue/).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from ..errors import UserError
from ..findings import Finding, finding
from ..record.model import Record
from .codelist import (document_types, event_types, procedure_facts, resolve_document_type, resolve_event_type,
                       resolve_procedure)
from .legal import basis_text


class ProfileError(UserError):
    """An unknown or malformed stage profile (English and Chinese message)."""


@dataclass(frozen=True)
class Requirement:
    any: tuple[str, ...]  # document-type codes
    level: str  # "require" | "expect"
    basis: str
    if_event: tuple[str, ...] = ()  # event-type codes
    if_document: tuple[str, ...] = ()  # document-type codes
    if_procedure: tuple[str, ...] = ()  # procedure codes
    if_charge: tuple[str, ...] = ()
    if_plea: bool = False

    @property
    def conditional(self) -> bool:
        return bool(self.if_event or self.if_document or self.if_procedure or self.if_charge or self.if_plea)

    def names(self) -> str:
        return "/".join(document_types().by_code(c).zh for c in self.any)


@dataclass(frozen=True)
class Profile:
    id: str
    zh: str
    en: str
    basis: str
    requirements: tuple[Requirement, ...]
    includes: tuple[str, ...] = ()
    charges: tuple[str, ...] = ()
    process: str | None = None  # the catalogue process (schemas/catalogue/processes.toml) this profile checks


def _folder():
    return resources.files("edossier.schemas").joinpath("profiles")


@cache
def profile_names() -> tuple[str, ...]:
    return tuple(sorted(p.name[:-5] for p in _folder().iterdir() if p.name.endswith(".toml")))


_WHAT_ZH = {"document type": "文书类型", "event type": "事件类型", "procedure": "程序"}


def _codes(values, resolve, what: str, where: str) -> tuple[str, ...]:
    out = []
    for v in values:
        e = resolve(v)
        if e is None:
            raise ProfileError(f"{where}: unknown {what} {v!r}", f"{where}：未知的{_WHAT_ZH.get(what, what)} {v!r}")
        out.append(e.code)
    return tuple(out)


@cache
def load_profile(name: str) -> Profile:
    """The profile `name` with its includes resolved; ProfileError if unknown or malformed."""
    return _load(name, ())


def _load(name: str, seen: tuple[str, ...]) -> Profile:
    if name not in profile_names():
        raise ProfileError(f"unknown profile {name!r}", f"未知的阶段规则 {name!r}")
    if name in seen:
        raise ProfileError(f"profile {name!r} includes itself", f"阶段规则 {name!r} 包含了自身")
    raw = tomllib.loads(_folder().joinpath(f"{name}.toml").read_text("utf-8"))
    where = f"profiles/{name}.toml"
    reqs: list[Requirement] = []
    for inc in raw.get("includes", []):
        reqs += _load(inc, seen + (name,)).requirements
    for level in ("require", "expect"):
        for item in raw.get(level, []):
            reqs.append(Requirement(
                any=_codes(item["any"], resolve_document_type, "document type", where),
                level=level, basis=item.get("basis", raw.get("basis", "")),
                if_event=_codes(item.get("if_event", []), resolve_event_type, "event type", where),
                if_document=_codes(item.get("if_document", []), resolve_document_type, "document type", where),
                if_procedure=_codes(item.get("if_procedure", []), resolve_procedure, "procedure", where),
                if_charge=tuple(item.get("if_charge", [])), if_plea=item.get("if_plea", False) is True))
    if raw.get("id", name) != name:
        raise ProfileError(f"{where}: id {raw.get('id')!r} differs from the file name",
                           f"{where}：id {raw.get('id')!r} 与文件名不一致")
    if "process" in raw:
        reqs = _with_process(raw["process"], reqs, where)
    return Profile(name, raw["zh"], raw["en"], raw.get("basis", ""), tuple(reqs),
                   tuple(raw.get("includes", [])), tuple(raw.get("charges", [])), raw.get("process"))


def _with_process(pid: str, reqs: list[Requirement], where: str) -> list[Requirement]:
    """The profile is a view of catalogue process `pid`: every document the process requires is required,
    unless an unconditional `require` entry of the profile already names it (possibly with alternatives)."""
    from .catalogue import CatalogueError, process

    try:
        proc = process(pid)
    except CatalogueError as exc:
        raise ProfileError(f"{where}: {exc}", f"{where}：{exc}") from exc
    if proc is None:
        raise ProfileError(f"{where}: unknown catalogue process {pid!r}", f"{where}：未知的目录流程 {pid!r}")
    covered = {c for r in reqs if r.level == "require" and not r.conditional for c in r.any}
    extra = [Requirement(any=(code,), level="require", basis=f"{proc.zh} ({proc.code}): " + "; ".join(proc.sources))
             for code in proc.requires if code not in covered]
    return extra + reqs


@dataclass(frozen=True)
class Facts:
    """What a profile looks at: document and event type codes present, procedure, charges."""

    documents: frozenset[str]
    events: frozenset[str]
    procedure: str | None  # the procedure code, or None when the value is not in the code list
    charges: tuple[str, ...]
    plea: bool = False  # 认罪认罚 (from the procedure)


def facts(records: list[Record]) -> Facts:
    docs, events = set(), set()
    for r in records:
        for d in r.documents:
            e = resolve_document_type(d.type_code or "") or resolve_document_type(d.type)
            if e:
                docs.add(e.code)
        for ev in r.events:
            e = resolve_event_type(ev.type_code or "") or resolve_event_type(ev.type)
            if e:
                events.add(e.code)
    case = records[-1].case if records else None
    proc = procedure_facts(case.procedure if case else None)
    return Facts(frozenset(docs), frozenset(events), proc.code, tuple(case.charges) if case else (), proc.plea)


def applies(req: Requirement, f: Facts) -> bool:
    if not req.conditional:
        return True
    return (any(c in f.events for c in req.if_event) or any(c in f.documents for c in req.if_document)
            or (f.procedure is not None and f.procedure in req.if_procedure) or (req.if_plea and f.plea)
            or any(any(c in charge for charge in f.charges) for c in req.if_charge))


def check_profile(profile: Profile, records: list[Record], location: str) -> list[Finding]:
    """Findings for the dossier made of `records` (in layer order) against `profile`."""
    f = facts(records)
    out: list[Finding] = []
    missing_expected: list[str] = []
    seen: set[tuple] = set()
    for req in profile.requirements:
        key = (req.any, req.level)
        if key in seen or not applies(req, f) or any(c in f.documents for c in req.any):
            continue
        seen.add(key)
        if req.level == "require":
            out.append(finding("K021", location, profile=profile.id, profile_zh=profile.zh, doc=req.names(),
                               basis=req.basis, basis_zh=basis_text(req.basis, "zh-CN"), type_code=req.any[0]))
        else:
            missing_expected.append(req.names())
    if missing_expected:
        docs = "、".join(f"《{n}》" for n in dict.fromkeys(missing_expected))
        out.append(finding("K022", location, profile=profile.id, profile_zh=profile.zh, docs=docs))
    return out


def unknown_profile(name: str, location: str) -> Finding:
    return finding("K020", location, value=name, known=", ".join(profile_names()))


__all__ = ["Profile", "ProfileError", "Requirement", "check_profile", "event_types", "facts", "load_profile",
           "profile_names", "unknown_profile"]
