"""The process catalogue (data in schemas/catalogue/processes.toml): every hand-over process between the
agencies, with its sub-steps, sending and receiving roles, the documents it carries and requires, the
periods it starts or stops and its legal sources (docs/caserules.md#catalogue).

Stage profiles are views of it: a profile that names a `process` requires every document the process
`requires` (a profile may widen the alternatives, e.g. 起诉书 for 起诉书副本) and adds its own conditional
entries. `python -m edossier.caserules.catalogue --update docs/caserules.md` regenerates the catalogue
table in the documentation; a test fails when the table is stale.
"""

from __future__ import annotations

import sys
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ..resources import schema_bytes
from .codelist import resolve_document_type, resolve_event_type

# The roles of the trust list (spec §9) plus `other` (parties, victims, experts); `supervision` is the
# supervisory commission 监察机关 (监察法 2018), the police also run the detention centres 看守所.
ROLES = ("police", "procuratorate", "court", "justice", "supervision", "other")
ROLES_ZH = {"police": "公安", "procuratorate": "检察院", "court": "法院", "justice": "司法行政",
            "supervision": "监察机关", "other": "当事人等"}
_FILE = "catalogue/processes.toml"
BEGIN = "<!-- catalogue:begin (generated: python -m edossier.caserules.catalogue --update docs/caserules.md) -->"
END = "<!-- catalogue:end -->"


class CatalogueError(ValueError):
    pass


@dataclass(frozen=True)
class Period:
    id: str
    zh: str
    length: str
    basis: str


@dataclass(frozen=True)
class Step:
    zh: str
    by: str


@dataclass(frozen=True)
class Process:
    id: str
    code: str
    zh: str
    en: str
    senders: tuple[str, ...]
    receivers: tuple[str, ...]
    steps: tuple[Step, ...]
    carries: tuple[str, ...]  # document-type codes
    requires: tuple[str, ...]  # document-type codes, a subset of `carries`
    events: tuple[str, ...]  # event-type codes
    starts: tuple[str, ...]  # period ids
    stops: tuple[str, ...]
    sources: tuple[str, ...]
    practice: str = ""


@dataclass(frozen=True)
class Catalogue:
    uri: str
    version: str
    title: str
    periods: tuple[Period, ...]
    processes: tuple[Process, ...]

    def process(self, pid: str) -> Process | None:
        return next((p for p in self.processes if p.id == pid), None)

    def period(self, pid: str) -> Period | None:
        return next((p for p in self.periods if p.id == pid), None)


def _doc(value: str, where: str) -> str:
    e = resolve_document_type(value)
    if e is None:
        raise CatalogueError(f"{where}: unknown document type {value!r}")
    return e.code


def _event(value: str, where: str) -> str:
    e = resolve_event_type(value)
    if e is None:
        raise CatalogueError(f"{where}: unknown event type {value!r}")
    return e.code


def parse(raw: dict) -> Catalogue:
    """A catalogue from its TOML data; CatalogueError names the first inconsistency."""
    periods = tuple(Period(p["id"], p["zh"], p["length"], p["basis"]) for p in raw.get("periods", []))
    period_ids = {p.id for p in periods}
    if len(period_ids) != len(periods):
        raise CatalogueError("a period id is defined twice")
    out: list[Process] = []
    for item in raw.get("process", []):
        where = f"{_FILE}: process {item.get('id')!r}"
        for key in ("id", "code", "zh", "en", "from", "to", "steps", "carries", "sources"):
            if not item.get(key):
                raise CatalogueError(f"{where}: `{key}` is missing or empty")
        roles = [*item["from"], *item["to"], *(s["by"] for s in item["steps"])]
        bad = [r for r in roles if r not in ROLES]
        if bad:
            raise CatalogueError(f"{where}: unknown role {bad[0]!r}")
        carries = tuple(dict.fromkeys(_doc(d, where) for d in item["carries"]))
        requires = tuple(_doc(d, where) for d in item.get("requires", []))
        if not set(requires) <= set(carries):
            raise CatalogueError(f"{where}: a required document is not among those it carries")
        for pid in (*item.get("starts", []), *item.get("stops", [])):
            if pid not in period_ids:
                raise CatalogueError(f"{where}: unknown period {pid!r}")
        out.append(Process(
            id=item["id"], code=item["code"], zh=item["zh"], en=item["en"], senders=tuple(item["from"]),
            receivers=tuple(item["to"]), steps=tuple(Step(s["zh"], s["by"]) for s in item["steps"]),
            carries=carries, requires=requires, events=tuple(_event(e, where) for e in item.get("events", [])),
            starts=tuple(item.get("starts", [])), stops=tuple(item.get("stops", [])),
            sources=tuple(item["sources"]), practice=item.get("practice", "")))
    for key in ("id", "code"):
        values = [getattr(p, key) for p in out]
        if len(set(values)) != len(values):
            raise CatalogueError(f"{_FILE}: a process {key} is used twice")
    return Catalogue(raw["uri"], str(raw["version"]), raw.get("title", ""), periods, tuple(out))


@cache
def catalogue() -> Catalogue:
    return parse(tomllib.loads(schema_bytes(_FILE).decode("utf-8")))


def process(pid: str) -> Process | None:
    return catalogue().process(pid)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown() -> str:
    """The catalogue as the Markdown section between BEGIN and END in docs/caserules.md."""
    from .codelist import doc_name, event_types

    cat = catalogue()
    lines = [BEGIN, "",
             f"Catalogue `{cat.uri}` version {cat.version}: {len(cat.processes)} processes, "
             f"{sum(len(p.steps) for p in cat.processes)} sub-steps, {len(cat.periods)} periods. "
             "Required documents are **bold**.", "",
             "| code | process | from → to | sub-steps | documents | periods | sources | practice |",
             "|---|---|---|---|---|---|---|---|"]
    for p in cat.processes:
        roles = ("、".join(ROLES_ZH[r] for r in p.senders) + " → " + "、".join(ROLES_ZH[r] for r in p.receivers))
        steps = "<br>".join(f"{i}. {s.zh}（{ROLES_ZH[s.by]}）" for i, s in enumerate(p.steps, start=1))
        docs = "、".join(f"**{doc_name(c)}**" if c in p.requires else doc_name(c) for c in p.carries)
        periods = "; ".join([*(f"starts {cat.period(x).zh}" for x in p.starts),
                             *(f"stops {cat.period(x).zh}" for x in p.stops)]) or "—"
        if p.events:
            periods += "<br>events: " + "、".join(event_types().by_code(e).zh for e in p.events)
        lines.append("| " + " | ".join(_cell(c) for c in (
            f"{p.code} `{p.id}`", f"{p.zh}<br>{p.en}", roles, steps, docs, periods, "; ".join(p.sources),
            p.practice or "—")) + " |")
    lines += ["", "| period | 期限 | length | basis |", "|---|---|---|---|"]
    lines += [f"| `{x.id}` | {x.zh} | {_cell(x.length)} | {_cell(x.basis)} |" for x in cat.periods]
    lines += ["", END]
    return "\n".join(lines)


def replace_section(text: str) -> str:
    """`text` (docs/caserules.md) with its catalogue section regenerated; CatalogueError without markers."""
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        raise CatalogueError("the document has no catalogue section markers")
    return text[:start] + markdown() + text[end + len(END):]


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) == 2 and args[0] == "--update":
        from ..fsutil import atomic_write_bytes

        path = Path(args[1])
        atomic_write_bytes(path, replace_section(path.read_text("utf-8")).encode("utf-8"))
        return 0
    if args:
        print("usage: python -m edossier.caserules.catalogue [--update docs/caserules.md]", file=sys.stderr)
        return 2
    print(markdown())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
