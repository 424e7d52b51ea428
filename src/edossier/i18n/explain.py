"""Messages of third-party parsers in both languages: jsonschema `ValidationError`s (by their
`validator` keyword) and `tomllib.TOMLDecodeError`s (by their message, line and column kept), so that
nothing stays English under `--lang zh-CN` (issue #16). Templates are in messages.toml (schema, toml).
"""

from __future__ import annotations

import functools
import re

from . import pair, t

_SHOW_MAX = 60


def show_value(value) -> str:
    """A value as the user wrote it, briefly: strings quoted, long ones cut."""
    if isinstance(value, str):
        text = value if len(value) <= _SHOW_MAX else value[:_SHOW_MAX] + "…"
        return f"'{text}'"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return t("schema.types.object", "en") if isinstance(value, dict) else t("schema.types.array", "en")
    return str(value)


def _either(names: list[str], lang: str) -> str:
    return (" 或 " if lang.startswith("zh") else " or ").join(names)


def schema_error(err) -> tuple[str, str]:
    """(en, zh) explaining one jsonschema ValidationError of a dossier source."""
    kind, rule, inst = err.validator, err.validator_value, err.instance
    if isinstance(inst, str) and inst.endswith("!no-offset"):  # source.py marks a local date-time so
        return pair("schema.no_offset")
    value = show_value(inst)
    if kind == "required":
        missing = [k for k in rule if not isinstance(inst, dict) or k not in inst]
        return pair("schema.required", name=", ".join(f"'{k}'" for k in missing) or "?")
    if kind == "additionalProperties":
        # keys quoted, as the user types them into dossier.toml
        return pair("schema.additionalProperties",
                    allowed=", ".join(f"'{k}'" for k in sorted(err.schema.get("properties", {}))))
    if kind in ("enum", "const"):
        allowed = ", ".join(show_value(v) for v in (rule if kind == "enum" else [rule]))
        return pair(f"schema.{kind}", value=value, allowed=allowed)
    if kind == "type":
        kinds = rule if isinstance(rule, list) else [rule]
        return tuple(t("schema.type", lang, value=value,
                       expected=_either([t(f"schema.types.{k}", lang) for k in kinds], lang))
                     for lang in ("en", "zh-CN"))
    if kind == "format":
        return tuple(t("schema.format", lang, value=value,
                       expected=t(f"schema.formats.{rule}", lang) if f"{rule}" in _FORMATS else str(rule))
                     for lang in ("en", "zh-CN"))
    if kind == "pattern":
        return pair("schema.pattern", value=value, pattern=rule)
    if kind in ("minLength", "maxLength", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        return pair(f"schema.{kind}", value=value, limit=rule)
    if kind in ("minItems", "maxItems"):
        return pair(f"schema.{kind}", limit=rule)
    if kind == "uniqueItems":
        return pair("schema.uniqueItems")
    return pair("schema.other", value=value, rule=kind)


_FORMATS = ("date", "date-time", "time")

# The patterns below are compiled on first use (`_compiled`): a validation that explains nothing must not
# pay for compiling some fifty of them at start (issue 19).


@functools.cache
def _compiled(table: str) -> list:
    """[(compiled pattern, catalogue key)] of one of the tables below."""
    return [(re.compile(pattern, flags), key) for pattern, flags, key in _TABLES[table]]


@functools.cache
def _pattern(name: str) -> re.Pattern:
    pattern, flags = _SINGLE[name]
    return re.compile(pattern, flags)


# tomllib's messages (CPython Lib/tomllib/_parser.py) → catalogue key; a group captures a parameter
_TOML = [
    (r"Invalid value", 0, "invalid_value"),
    (r"Invalid statement", 0, "invalid_statement"),
    (r"Cannot overwrite a value", 0, "cannot_overwrite"),
    (r"Cannot declare (?P<key>.+) twice", 0, "cannot_declare"),
    (r"Cannot mutate immutable namespace (?P<key>.+)", 0, "cannot_mutate"),
    (r"Cannot redefine namespace (?P<key>.+)", 0, "cannot_redefine"),
    (r"Duplicate inline table key (?P<key>.+)", 0, "duplicate_inline"),
    (r"Unterminated string", 0, "unterminated_string"),
    (r"Illegal character (?P<char>.+)", 0, "illegal_character"),
    (r"Found invalid character (?P<char>.+)", 0, "invalid_character"),
    (r"Expected '=' after a key.*", 0, "expected_equals"),
    (r"Expected newline or end of document after a statement", 0, "expected_newline"),
    (r"Expected '\]' at the end of a table declaration", 0, "expected_bracket"),
    (r"Expected '\]\]' at the end of an array declaration", 0, "expected_brackets"),
    (r"Expected (?P<char>.+)", 0, "expected"),
    (r"Invalid date or datetime", 0, "invalid_date"),
    (r"Unclosed array", 0, "unclosed_array"),
    (r"Unclosed inline table", 0, "unclosed_inline"),
    (r"Invalid initial character for a key part", 0, "invalid_key"),
    (r"Invalid hex value", 0, "invalid_hex"),
    (r"Escaped character is not a Unicode scalar value", 0, "invalid_escape"),
    (r"Unescaped '\\' in a string", 0, "unescaped_backslash"),
]
_AT = (r"^(?P<msg>.*) \(at (?:line (?P<line>\d+), column (?P<column>\d+)|(?P<end>end of document))\)$", re.S)


def toml_error(exc: Exception) -> tuple[str, str]:
    """(en, zh) for a tomllib.TOMLDecodeError: "TOML syntax error: invalid value (line 3, column 7)"."""
    text = str(exc)
    m = _pattern("at").match(text)
    msg = m.group("msg") if m else text
    out = []
    for lang in ("en", "zh-CN"):
        what = None
        for pattern, key in _compiled("toml"):
            hit = pattern.fullmatch(msg)
            if hit:
                what = t(f"toml.{key}", lang, **hit.groupdict())
                break
        if what is None:
            what = t("toml.other", lang, message=msg)
        if m and m.group("end"):
            what = t("toml.at_end", lang, what=what)
        elif m:
            what = t("toml.at", lang, what=what, line=m.group("line"), column=m.group("column"))
        out.append(t("toml.error", lang, detail=what))
    return out[0], out[1]





_PDF_LOCATION = [
    (r"\bpage (?P<n>\d+)", 0, "page"),
    (r"\bfont (?P<name>\S+?)(?=,|$|\s)", 0, "font"),
    (r"\bannotation (?P<n>\d+)", 0, "annotation"),
    (r"\bimage (?P<name>\S+?)(?=,|$|\s)", 0, "image"),
    (r"\bsignature field (?P<name>.+)$", 0, "signature_field"),
    (r"^direct object$", 0, "direct_object"),
    (r"\bobject (?P<ref>\d+ \d+ R)", 0, "object"),
    (r"\boffset (?P<n>\d+)", 0, "offset"),
    (r"\(mask\)", 0, "mask"),
    (r"^file header$", 0, "file_header"),
    (r"^trailer$", 0, "trailer"),
    (r"^file$", 0, "file"),
]


def pdf_location(location: str, lang: str) -> str:
    """A location inside a PDF ("page 3, font F1", "object 12 0 R") in `lang`."""
    if not lang.startswith("zh") or not location:
        return location
    for pattern, key in _compiled("pdf_location"):
        location = pattern.sub(lambda m, key=key: t(f"pdf_location.{key}", lang, **m.groupdict()), location)
    return location.replace(", ", "，")


_MEMBER_AND_PLACE = (r"^(?P<member>\S+) \((?P<inner>[^()]*)\)$", 0)


def show_location(location: str, lang: str) -> str:
    """A finding's location as a report shows it: "documents/001/0002.pdf (page 1, image /Im1)" gets its
    place inside the PDF in `lang`; a member name or XPath stays as it is."""
    m = _pattern("member_and_place").match(location or "")
    if not m or not lang.startswith("zh"):
        return location
    return f"{m.group('member')}（{pdf_location(m.group('inner'), lang)}）"



_NS = (r"\{(?:urn|https?):[^}]*\}", 0)  # an element's namespace, not a {set} or a {2} of a pattern
_XSD_WHERE = (r"^Element '(?P<name>[^']+)'(?:, attribute '(?P<attribute>[^']+)')?: (?P<rest>.*)$", re.S)
_XSD = [
    (r"\[facet 'enumeration'\] The value (?P<value>'.*') is not an element of the set (?P<allowed>\{.*\})\.", re.S,
     "enumeration"),
    (r"\[facet 'pattern'\] The value (?P<value>'.*') is not accepted by the pattern (?P<pattern>'.*')\.", re.S,
     "pattern"),
    (r"This element is not expected\. Expected is (?:one of )?\( (?P<expected>.*) \)\.", re.S, "not_expected"),
    (r"This element is not expected\.", re.S, "not_expected_end"),
    (r"Missing child element\(s\)\. Expected is (?:one of )?\( (?P<expected>.*) \)\.", re.S, "missing_child"),
    (r"The attribute (?P<name>'[^']+') is required but missing\.", re.S, "attribute_required"),
    (r"The attribute '[^']+' is not allowed\.", re.S, "attribute_not_allowed"),
    (r"(?P<value>'.*') is not a valid value of the (?:atomic|union|list) type (?P<type>'[^']+')\.", re.S,
     "atomic_type"),
    (r"Duplicate key-sequence (?P<value>\[.*\]) in (?:unique|key) identity-constraint (?P<constraint>'[^']+')\.", re.S,
     "duplicate"),
    (r"\[facet '(?:minLength|maxLength|length)'\] The value (?P<value>'.*') has a length of .*", re.S, "length"),
    (r"\[facet '(?:min|max)(?:In|Ex)clusive'\] The value (?P<value>'.*') is .*", re.S, "min_max"),
]


def xsd_error(line, message: str) -> tuple[str, str]:
    """(en, zh) for one libxml2 XML Schema error: element names without their namespace, the common
    kinds translated, any other message kept in English inside the Chinese text."""
    text = _pattern("ns").sub("", message.strip())
    m = _pattern("xsd_where").match(text)
    out = []
    for lang in ("en", "zh-CN"):
        msg = None
        if m:
            where = (t("xsd.element_attribute", lang, name=m.group("name"), attribute=m.group("attribute"))
                     if m.group("attribute") else t("xsd.element", lang, name=m.group("name")))
            for pattern, key in _compiled("xsd"):
                hit = pattern.fullmatch(m.group("rest"))
                if hit:
                    msg = t(f"xsd.{key}", lang, where=where, **hit.groupdict())
                    break
        if msg is None:
            msg = t("xsd.other", lang, message=text)
        out.append(t("xsd.line", lang, line=line, message=msg))
    return out[0], out[1]
_TABLES = {"toml": _TOML, "pdf_location": _PDF_LOCATION, "xsd": _XSD}
_SINGLE = {"at": _AT, "member_and_place": _MEMBER_AND_PLACE, "ns": _NS, "xsd_where": _XSD_WHERE}

__all__ = ["pdf_location", "schema_error", "show_location", "show_value", "toml_error", "xsd_error"]
