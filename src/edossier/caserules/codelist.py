"""Code lists (data in schemas/codelists/): document types and event types.

A coded value may be given as the code (``A005``) or a Chinese name (``立案决定书`` or an alias); both
resolve to one entry. Unknown values get the closest known names as suggestions.
"""

from __future__ import annotations

import difflib
import tomllib
import unicodedata
from dataclasses import dataclass, field
from functools import cache

from ..resources import schema_bytes

DOCUMENT_TYPES = "document-type"
EVENT_TYPES = "event-type"
_FILES = {DOCUMENT_TYPES: "codelists/document-types.toml", EVENT_TYPES: "codelists/event-types.toml"}


@dataclass(frozen=True)
class Entry:
    code: str
    zh: str
    en: str
    aliases: tuple[str, ...] = ()
    issuer: tuple[str, ...] = ()
    stage: str | None = None
    transfer: str | None = None
    proof: tuple[str, ...] = ()
    src: str | None = None
    retired: bool = False

    @property
    def label(self) -> str:
        return f"{self.zh} ({self.code})"


@dataclass(frozen=True)
class CodeList:
    name: str
    uri: str
    version: str
    title: str
    entries: tuple[Entry, ...]
    _index: dict = field(default_factory=dict, compare=False, repr=False)

    def __len__(self) -> int:
        return len(self.entries)

    def lookup(self, value: str | None) -> Entry | None:
        """The entry whose code, name or alias is `value` (NFKC-normalised, whitespace ignored)."""
        if not value:
            return None
        return self._index.get(_norm(value))

    def by_code(self, code: str) -> Entry | None:
        e = self._index.get(_norm(code))
        return e if e is not None and e.code == code else None

    def suggest(self, value: str, n: int = 3) -> list[Entry]:
        """Up to `n` entries closest to an unknown value (names, aliases and codes compared)."""
        target = _norm(value)
        if not target:
            return []
        scored: dict[str, float] = {}
        for key, entry in self._index.items():
            ratio = difflib.SequenceMatcher(None, target, key).ratio()
            common = len(set(target) & set(key)) / max(len(set(target) | set(key)), 1)
            contains = 0.25 if (target in key or key in target) and len(min(target, key, key=len)) >= 2 else 0.0
            score = max(ratio, common) + contains
            if score > scored.get(entry.code, 0.0):
                scored[entry.code] = score
        best = sorted(scored.items(), key=lambda kv: (-kv[1], kv[0]))
        out = [self.by_code(code) for code, score in best if score >= 0.4][:n]
        return [e for e in out if e is not None]


def _norm(value: str) -> str:
    text = unicodedata.normalize("NFKC", str(value))
    return "".join(text.split()).upper() if text.isascii() else "".join(text.split())


@cache
def load(name: str) -> CodeList:
    raw = tomllib.loads(schema_bytes(_FILES[name]).decode("utf-8"))
    entries = []
    index: dict[str, Entry] = {}
    for item in raw["types"]:
        entry = Entry(code=item["code"], zh=item["zh"], en=item["en"], aliases=tuple(item.get("aliases", ())),
                      issuer=tuple(item.get("issuer", item.get("by", ()))), stage=item.get("stage"),
                      transfer=item.get("transfer"), proof=tuple(item.get("proof", ())), src=item.get("src"),
                      retired=bool(item.get("retired", False)))
        for key in (entry.code, entry.zh, *entry.aliases):
            k = _norm(key)
            if k in index and index[k].code != entry.code:
                raise RuntimeError(f"{_FILES[name]}: {key!r} names both {index[k].code} and {entry.code}")
            index[k] = entry
        entries.append(entry)
    return CodeList(name, raw["uri"], str(raw["version"]), raw.get("title", name), tuple(entries), index)


def document_types() -> CodeList:
    return load(DOCUMENT_TYPES)


def event_types() -> CodeList:
    return load(EVENT_TYPES)


def resolve_document_type(value: str) -> Entry | None:
    return document_types().lookup(value)


def resolve_event_type(value: str) -> Entry | None:
    return event_types().lookup(value)


def doc_name(code: str) -> str:
    """Chinese name of a document-type code (the code itself if unknown)."""
    e = document_types().by_code(code)
    return e.zh if e else code


def suggestion_text(entries: list[Entry]) -> tuple[str, str]:
    """(en, zh) fragments naming the suggestions, or a note that there are none."""
    if not entries:
        return "no similar type is known", "没有相近的类型"
    names = "、".join(e.label for e in entries)
    return f"did you mean {names}?", f"是否为 {names}？"
