"""The one message catalogue: every user-visible label and sentence that is not a finding, in English and
Chinese (`messages.toml` next to this file), read through `t(key, lang, **params)`.

Finding templates stay in `codes/*.toml` (they carry severity and stage too) but are read through the
same lookup as `finding.<CODE>`, and filled by the same `fill`, so one test (tests/test_i18n.py) can
enumerate every message and hold each to a Chinese text with the same parameters (docs/i18n.md).

Unfilled parameters: production shows the template's `{name}` as it is (a report must never fail over a
label), but under tests (`EDOSSIER_STRICT_MESSAGES=1`, set by tests/conftest.py) a parameter the caller
did not supply raises `MessageParamError`, so a silent "?" can never hide a bug again (issue #16).
"""

from __future__ import annotations

import os
import string
from collections.abc import Callable
from functools import cache
from importlib import resources

from .. import bundled_toml

STRICT_ENV = "EDOSSIER_STRICT_MESSAGES"


class MessageParamError(KeyError):
    """A template parameter the caller did not supply (raised only in strict mode, i.e. under tests)."""


class Message(tuple):
    """(en, zh) of one catalogue entry."""

    @property
    def en(self) -> str:
        return self[0]

    @property
    def zh(self) -> str:
        return self[1]


def is_zh(lang: str | None) -> bool:
    return bool(lang) and lang.startswith("zh")


def strict() -> bool:
    return os.environ.get(STRICT_ENV, "") not in ("", "0")


@cache
def catalogue() -> dict[str, Message]:
    """Every entry of messages.toml as dotted key → (en, zh); a table whose keys are exactly en and zh
    is one message, any other table a section."""
    raw = bundled_toml.loads(resources.files("edossier.i18n").joinpath("messages.toml").read_text("utf-8"))
    out: dict[str, Message] = {}

    def walk(prefix: str, table: dict) -> None:
        for key, value in table.items():
            name = f"{prefix}.{key}" if prefix else key
            if not isinstance(value, dict):
                raise RuntimeError(f"i18n/messages.toml: {name} is not a table with en and zh")
            if set(value) == {"en", "zh"}:
                out[name] = Message((value["en"], value["zh"]))
            else:
                walk(name, value)

    walk("", raw)
    return out


# Other registries of bilingual templates (the finding registry: "finding.K012") add themselves here, so
# that this module, a leaf, never imports them (findings.py imports this module).
_SOURCES: dict[str, Callable[[str], "Message | None"]] = {}


def add_source(prefix: str, lookup: Callable[[str], "Message | None"]) -> None:
    """Serve keys `prefix` + name from `lookup(name)` (None: no such message)."""
    _SOURCES[prefix] = lookup


def message(key: str) -> Message:
    """The (en, zh) templates of `key` ("finding.K012" reads the finding registry)."""
    for prefix, lookup in _SOURCES.items():
        if key.startswith(prefix):
            found = lookup(key[len(prefix):])
            break
    else:
        found = catalogue().get(key)
    if found is None:
        raise KeyError(f"no message {key!r} in the catalogue (src/edossier/i18n/messages.toml)")
    return found


class _Params(dict):
    def __missing__(self, name):
        if strict():
            raise MessageParamError(f"message parameter {{{name}}} was not supplied")
        return _Verbatim(name)


class _Verbatim:
    """An unfilled parameter shown as its own `{name}` (production only): a safe, visibly unfilled
    template rather than a guess."""

    def __init__(self, name: str):
        self.name = name

    def __format__(self, spec: str) -> str:
        return "{" + self.name + "}"

    __str__ = __repr__ = lambda self: "{" + self.name + "}"  # noqa: E731 - {x!s} and {x!r} alike


_FORMATTER = string.Formatter()


def fill(template: str, params: dict | None = None) -> str:
    """`template` with `{name}` filled from `params` (str.format syntax)."""
    return template.format_map(_Params(params or {}))


def t(key: str, lang: str, /, **params) -> str:
    """The message `key` in `lang` ("zh…" → Chinese, else English), filled with `params`. A parameter
    `x_zh` is used in place of `x` in the Chinese text when given."""
    m = message(key)
    if is_zh(lang):
        zh_params = {**params, **{k[:-3]: v for k, v in params.items() if k.endswith("_zh")}}
        return fill(m.zh, zh_params)
    return fill(m.en, params)


def pair(key: str, /, **params) -> tuple[str, str]:
    """(en, zh) of `key`, filled: `UserError(*pair("cli.missing_file", path=p))`."""
    return t(key, "en", **params), t(key, "zh-CN", **params)


def raw(key: str, lang: str) -> str:
    """The unfilled template of `key` in `lang`, for a label table that is filled later."""
    m = message(key)
    return m.zh if is_zh(lang) else m.en


def section(prefix: str, lang: str) -> dict[str, str]:
    """Every message under `prefix.` in `lang`, unfilled, by the rest of its key: label tables
    (`section("severity", lang)["error"]`)."""
    zh = is_zh(lang)
    start = prefix + "."
    return {k[len(start):]: (m.zh if zh else m.en) for k, m in catalogue().items() if k.startswith(start)}


def quoted_original(text: str) -> str:
    """A third-party library's own words (a PDF parser's or an ASN.1 decoder's error), shown to a
    Chinese reader as a marked quotation after our Chinese explanation: free-form text we cannot
    translate reliably, kept verbatim because it is what a vendor's support needs (docs/i18n.md)."""
    return f"原文「{text}」"


def params_of(template: str) -> set[str]:
    """The parameter names a template uses (`{name}`, `{name:>3}`, `{name!r}` → name)."""
    return {field.split(".")[0].split("[")[0] for _, field, _, _ in _FORMATTER.parse(template) if field}


__all__ = ["MessageParamError", "STRICT_ENV", "add_source", "catalogue", "fill", "is_zh", "message", "pair", "params_of", "quoted_original", "raw",
           "section", "strict", "t"]
