"""Click's usage errors ("Missing argument 'PKG'.", "Invalid value for '--format': …") in both
languages: click writes them in English only (cli/main.py shows them through `usage_message`)."""

from __future__ import annotations

import re

from . import t

_DETAIL = [
    (re.compile(r"(?P<value>'.*') is not one of (?P<allowed>.+)\.", re.S), "not_one_of"),
    (re.compile(r"(?:File|Path|Directory) (?P<path>'.+') does not exist\.", re.S), "no_path"),
    (re.compile(r"(?:File|Path|Directory) (?P<path>'.+') is a directory\.", re.S), "is_directory"),
    (re.compile(r"(?:File|Path|Directory) (?P<path>'.+') is a file\.", re.S), "is_file"),
    (re.compile(r"(?P<value>'.*') is not a valid integer(?: range)?\.", re.S), "not_integer"),
    (re.compile(r"(?P<value>'.*') is not a valid float(?: range)?\.", re.S), "not_float"),
    (re.compile(r"(?P<value>.+) is not in the range (?P<range>.+)\.", re.S), "out_of_range"),
]
_TOP = [
    (re.compile(r"Missing argument (?P<name>.+)\.", re.S), "missing_argument"),
    (re.compile(r"Missing option (?P<name>.+)\.", re.S), "missing_option"),
    (re.compile(r"No such command (?P<name>.+)\.", re.S), "no_such_command"),
    (re.compile(r"Got unexpected extra arguments? \((?P<args>.+)\)", re.S), "extra_arguments"),
    (re.compile(r"Option (?P<name>.+) requires an argument\.", re.S), "needs_value"),
]
_NO_OPTION = re.compile(r"No such option:? (?P<name>'[^']+'|\S+?)\.?(?:\s+\(?Did you mean(?: one of:)? (?P<names>.+?)\?\)?)?", re.S)
_INVALID = re.compile(r"Invalid value for (?P<name>[^:]+): (?P<detail>.+)", re.S)


def usage_message(message: str, lang: str) -> str:
    """Click's English `message` in `lang` (as it is in English; the known forms translated)."""
    if not lang.startswith("zh"):
        return message
    m = _NO_OPTION.fullmatch(message)
    if m:
        text = t("usage.no_such_option", lang, name=m.group("name"))
        return text + (t("usage.did_you_mean", lang, names=m.group("names")) if m.group("names") else "")
    m = _INVALID.fullmatch(message)
    if m:
        detail = m.group("detail")
        for pattern, key in _DETAIL:
            hit = pattern.fullmatch(detail)
            if hit:
                detail = t(f"usage.{key}", lang, **hit.groupdict())
                break
        else:
            detail = t("usage.other", lang, message=detail)
        return t("usage.invalid_value", lang, name=m.group("name"), detail=detail)
    for pattern, key in _TOP:
        hit = pattern.fullmatch(message)
        if hit:
            return t(f"usage.{key}", lang, **hit.groupdict())
    return t("usage.other", lang, message=message)


__all__ = ["usage_message"]
