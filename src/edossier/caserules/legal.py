"""Legal basis of a statutory period as structured data (law, article, paragraph, item, notes), and its
citation in each language: "CPL 2018 Art. 172 para 1" ↔ 《刑事诉讼法》第一百七十二条第一款.

The deadline engine (deadlines.py) records a period's basis as its English citation, which the JSON
output keeps; `parse_basis` reads it back into `Citation`s, `basis_text` writes it in either language
(law names and notes from the message catalogue, article numbers in Chinese numerals).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..i18n import is_zh, t
from ..i18n.numerals import zh_numeral

#: English citation prefix → catalogue key of the law (section `law`)
LAWS = {"CPL 2018": "CPL", "SPP Rules 2019": "SPP_Rules", "Supervision Law 2018": "SupervisionLaw",
        "监察法": "SupervisionLaw"}
#: a note in parentheses → catalogue key (section `law`); a bilingual "en / zh" note is split instead
NOTES = {"速裁": "speedy", "higher court": "higher_court", "SPC": "SPC", "restarted": "restarted"}


@dataclass(frozen=True)
class Citation:
    law: str  # catalogue key: CPL, SPP_Rules, SupervisionLaw
    article: int
    paragraph: int | None = None
    item: int | None = None
    notes: tuple[tuple[str, str], ...] = ()  # (en, zh) of each parenthesised note


_LAW = "|".join(re.escape(k) for k in sorted(LAWS, key=len, reverse=True))
_PART = re.compile(rf"^(?:(?P<law>{_LAW}) )?Art\. (?P<article>\d+)(?: para (?P<para>\d+))?(?: item (?P<item>\d+))?"
                   r"(?P<notes>(?: \([^()]*\))*)$")
_NOTE = re.compile(r" \(([^()]*)\)")


def _split(text: str) -> list[str]:
    """Split at ", " outside parentheses."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        depth += ch == "("
        depth -= ch == ")"
        if depth == 0 and text.startswith(", ", i):
            parts.append(text[start:i])
            start = i + 2
    parts.append(text[start:])
    return parts


def _note(text: str) -> tuple[str, str] | None:
    if " / " in text:
        en, _, zh = text.partition(" / ")
        return en, zh
    key = NOTES.get(text)
    return (t(f"law.{key}", "en"), t(f"law.{key}", "zh-CN")) if key else None


def parse_basis(text: str) -> list[Citation] | None:
    """The citations of an English basis ("CPL 2018 Art. 156, Art. 158"); a later article without a law
    is of the same law. None when the text is not in that form (it is then shown as it is)."""
    out: list[Citation] = []
    law = None
    for part in _split(text.strip()):
        m = _PART.match(part)
        if not m:
            return None
        law = LAWS[m.group("law")] if m.group("law") else law
        if law is None:
            return None
        notes = []
        for raw in _NOTE.findall(m.group("notes")):
            note = _note(raw)
            if note is None:
                return None
            notes.append(note)
        out.append(Citation(law, int(m.group("article")), int(m.group("para")) if m.group("para") else None,
                            int(m.group("item")) if m.group("item") else None, tuple(notes)))
    return out or None


def cite(citations: list[Citation], lang: str) -> str:
    """The citations in `lang`: the law named once per run of articles of the same law."""
    zh = is_zh(lang)
    number = zh_numeral if zh else str
    pieces, law = [], None
    for c in citations:
        text = "" if c.law == law else t(f"law.{c.law}", lang) + ("" if zh else " ")
        law = c.law
        text += t("law.article", lang, n=number(c.article))
        if c.paragraph is not None:
            text += ("" if zh else " ") + t("law.paragraph", lang, n=number(c.paragraph))
        if c.item is not None:
            text += ("" if zh else " ") + t("law.item", lang, n=number(c.item))
        for en, zh_note in c.notes:
            text += t("law.note", lang, note=zh_note if zh else en)
        pieces.append(text)
    return t("law.joiner", lang).join(pieces)


def basis_text(basis: str, lang: str) -> str:
    """A period's basis (periods.Period.basis) in `lang`; shown as recorded when it cannot be read."""
    citations = parse_basis(basis) if basis else None
    return cite(citations, lang) if citations else basis


def articles_text(law: str, spans: list[tuple[int, int]], lang: str) -> str:
    """Articles of one law, a span (a, b) being a to b: "CPL 2018 Arts. 227-229, 243" /
    《刑事诉讼法》第二百二十七条至第二百二十九条、第二百四十三条."""
    if is_zh(lang):
        def one(a: int) -> str:
            return t("law.article", lang, n=zh_numeral(a))
        parts = [one(a) if a == b else f"{one(a)}至{one(b)}" for a, b in spans]
        return t(f"law.{law}", lang) + t("law.joiner", lang).join(parts)
    several = len(spans) > 1 or spans[0][0] != spans[0][1]
    return (t(f"law.{law}", lang) + (" Arts. " if several else " Art. ")
            + ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in spans))


_EXT_ART = re.compile(r"\bArt\. \d+(?: para \d+)?")
_EXT_LEN = re.compile(r"(?<=[+→])(\d+)([md])\b")


def extension_text(extension: str, lang: str) -> str:
    """One entry of Period.extensions ("+1m (Art. 158) 2026-12-01", "+3d 2026-11-02") in `lang`."""
    if not is_zh(lang):
        return extension
    text = _EXT_ART.sub(lambda m: cite(parse_basis("CPL 2018 " + m.group()) or [], lang).removeprefix(
        t("law.CPL", lang)), extension)
    text = _EXT_LEN.sub(lambda m: m.group(1) + ("个月" if m.group(2) == "m" else "日"), text)
    return text.replace(" (", "（").replace(") ", "）")


__all__ = ["Citation", "articles_text", "basis_text", "cite", "extension_text", "parse_basis"]
