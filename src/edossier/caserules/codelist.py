"""Code lists (data in schemas/codelists/): document types, event types and procedures.

A coded value may be given as the code (``A005``) or a Chinese name (``立案决定书`` or an alias); both
resolve to one entry. Unknown values get the closest known names as suggestions.
"""

from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass, field
from functools import cache

from .. import bundled_toml
from ..resources import schema_bytes

DOCUMENT_TYPES = "document-type"
EVENT_TYPES = "event-type"
PROCEDURES = "procedure"
_FILES = {DOCUMENT_TYPES: "codelists/document-types.toml", EVENT_TYPES: "codelists/event-types.toml",
          PROCEDURES: "codelists/procedures.toml"}


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
    track: str | None = None  # procedures only: ordinary / summary / fast-track / special / undecided
    plea: bool = False  # procedures only: the case is 认罪认罚 (CPL 2018 Art. 15)

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
    supersedes: tuple[str, ...] = ()  # earlier versions whose records this version reads unchanged
    _index: dict = field(default_factory=dict, compare=False, repr=False)

    def __len__(self) -> int:
        return len(self.entries)

    def reads(self, version: str) -> bool:
        """True when a record naming `version` of this list is read correctly by this version."""
        return version == self.version or version in self.supersedes

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
        stem = _stem(target)
        for key, entry in self._index.items():
            if not _related(stem, key):
                continue  # sharing only a form word (决定书, 通知书…) says nothing: 拘留决定书 is no 立案决定书
            ratio = difflib.SequenceMatcher(None, target, key).ratio()
            common = len(set(target) & set(key)) / max(len(set(target) | set(key)), 1)
            contains = 0.25 if (target in key or key in target) and len(min(target, key, key=len)) >= 2 else 0.0
            score = max(ratio, common) + contains
            if score > scored.get(entry.code, 0.0):
                scored[entry.code] = score
        best = sorted(scored.items(), key=lambda kv: (-kv[1], kv[0]))
        out = [self.by_code(code) for code, score in best if score >= 0.4][:n]
        return [e for e in out if e is not None]


# Form words that end many names: two names sharing only one of these are not alike. Longest first.
_FORM_WORDS = ("决定书", "通知书", "意见书", "裁定书", "建议书", "申请书", "报告书", "说明书", "告知书", "审批表",
               "登记表", "笔录", "清单", "报告", "证明", "意见", "回执", "书", "证", "表", "函", "单")


def _stem(key: str) -> str:
    """`key` without its trailing form words (the whole key if nothing else is left)."""
    if key.isascii():
        return key
    out = key
    changed = True
    while changed:
        changed = False
        for w in _FORM_WORDS:
            if out.endswith(w) and len(out) > len(w):
                out, changed = out[: -len(w)], True
                break
    return out


def _related(stem: str, key: str) -> bool:
    """A candidate name is worth suggesting when it contains a two-character piece of the value's stem
    (判决 ~ 刑事判决书) or its stem agrees with the value's stem in at least half of the places, as a typo
    does (立按 ~ 立案). One shared character elsewhere (取保 ~ 证人保护) is chance."""
    if stem.isascii() or key.isascii():
        return stem.isascii() == key.isascii()
    if any(stem[i:i + 2] in key for i in range(len(stem) - 1)):
        return True
    other = _stem(key)
    return sum(a == b for a, b in zip(stem, other)) >= max(1, len(stem) // 2)


def _norm(value: str) -> str:
    text = unicodedata.normalize("NFKC", str(value))
    return "".join(text.split()).upper() if text.isascii() else "".join(text.split())


@cache
def load(name: str) -> CodeList:
    raw = bundled_toml.loads(schema_bytes(_FILES[name]).decode("utf-8"))
    entries = []
    index: dict[str, Entry] = {}
    for item in raw["types"]:
        entry = Entry(code=item["code"], zh=item["zh"], en=item["en"], aliases=tuple(item.get("aliases", ())),
                      issuer=tuple(item.get("issuer", item.get("by", ()))), stage=item.get("stage"),
                      transfer=item.get("transfer"), proof=tuple(item.get("proof", ())), src=item.get("src"),
                      retired=bool(item.get("retired", False)), track=item.get("track"),
                      plea=bool(item.get("plea", False)))
        for key in (entry.code, entry.zh, *entry.aliases):
            k = _norm(key)
            if k in index and index[k].code != entry.code:
                raise RuntimeError(f"{_FILES[name]}: {key!r} names both {index[k].code} and {entry.code}")
            index[k] = entry
        entries.append(entry)
    return CodeList(name, raw["uri"], str(raw["version"]), raw.get("title", name), tuple(entries),
                    tuple(str(v) for v in raw.get("supersedes", ())), index)


def document_types() -> CodeList:
    return load(DOCUMENT_TYPES)


def event_types() -> CodeList:
    return load(EVENT_TYPES)


def procedures() -> CodeList:
    return load(PROCEDURES)


def resolve_procedure(value: str | None) -> Entry | None:
    return procedures().lookup(value)


@dataclass(frozen=True)
class ProcedureFacts:
    """What the case's procedure says: its code (None when not in the list), trial track and 认罪认罚."""

    code: str | None
    track: str | None
    plea: bool


def procedure_facts(value: str | None) -> ProcedureFacts:
    """Track and 认罪认罚 of a Case/@procedure value (code, name or alias).

    A value outside the list (records written before the list existed held free text) is read by the
    words it contains, so that a "速裁" or "认罪认罚" written in prose is never lost: 速裁 is always 认罪认罚
    (CPL 2018 Art. 222)."""
    e = resolve_procedure(value)
    if e is not None:
        return ProcedureFacts(e.code, e.track, e.plea)
    text = _norm(value or "")
    track = ("fast-track" if "速裁" in text else "summary" if "简易" in text else
             "ordinary" if "普通" in text else None)
    return ProcedureFacts(None, track, track == "fast-track" or "认罪认罚" in text)


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
