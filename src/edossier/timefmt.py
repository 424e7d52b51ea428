"""Times and signature verdicts as a person reads them (issue #16).

Every human-readable output (text and HTML reports, `inspect`, `log`, `deadlines`, the stats text and
dashboard) shows instants in one display zone: Asia/Shanghai (+08:00) by default, because the people
who read these files work on Beijing time and a UTC instant after 16:00 falls on the next Beijing
date. `--tz ZONE` changes it. Machine formats (JSON, JUnit, SARIF) keep ISO 8601 with the offset the
instant was given in: they are not display and are converted by their readers.

The ETSI indications (EN 319 102-1) are jargon to a clerk; `indication_text` puts the plain meaning
first and keeps the ETSI code as secondary information.
"""

from __future__ import annotations

import datetime as dt

from .errors import UserError
from .i18n import t

DEFAULT_ZONE = "Asia/Shanghai"
# China has had no daylight saving time since 1991: the fixed offset is exact for any date a case file
# can carry, and is the fallback when the machine has no time zone database.
_BEIJING_FIXED = dt.timezone(dt.timedelta(hours=8), "CST")


class UnknownZoneError(UserError):
    """--tz names no IANA time zone."""


def zone(name: str | None = None) -> dt.tzinfo:
    """The display zone called `name` (an IANA name such as Asia/Shanghai or UTC, or ±HH:MM);
    None is the default, Asia/Shanghai. Raises UnknownZoneError (en + zh) for anything else."""
    if name is None or name == DEFAULT_ZONE:
        try:
            from zoneinfo import ZoneInfo

            return ZoneInfo(DEFAULT_ZONE)
        except Exception:  # noqa: BLE001 - no time zone database installed
            return _BEIJING_FIXED
    text = name.strip()
    if text.upper() in ("UTC", "Z"):
        return dt.timezone.utc
    if text[:1] in "+-" and len(text) == 6 and text[3] == ":" and text[1:3].isdigit() and text[4:].isdigit():
        hours, minutes = int(text[1:3]), int(text[4:])
        if hours <= 14 and minutes < 60:
            sign = -1 if text[0] == "-" else 1
            return dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))
    try:
        from zoneinfo import ZoneInfo

        # ZoneInfo reads a file named after the key: refuse path-like keys before asking it
        if not text or text.startswith(("/", ".")) or ".." in text or "\\" in text or "\x00" in text:
            raise ValueError(text)
        return ZoneInfo(text)
    except Exception:  # noqa: BLE001 - ZoneInfoNotFoundError, ValueError, missing tzdata: all "unknown"
        raise UnknownZoneError(
            f"--tz {name!r}: unknown time zone; use an IANA name such as Asia/Shanghai or UTC, or an offset "
            f"such as +08:00",
            f"--tz {name!r}：未知时区；请使用 IANA 时区名（如 Asia/Shanghai、UTC）或偏移量（如 +08:00）") from None


def _offset(t: dt.datetime) -> str:
    off = t.utcoffset() or dt.timedelta(0)
    sign = "-" if off < dt.timedelta(0) else "+"
    minutes = abs(int(off.total_seconds())) // 60
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def to_zone(t: dt.datetime, tz: dt.tzinfo | None = None) -> dt.datetime:
    """The instant `t` in the display zone; a time without offset is taken as Beijing time (the
    convention of the records and of caserules/deadlines.py)."""
    if t.tzinfo is None or t.tzinfo.utcoffset(t) is None:
        t = t.replace(tzinfo=zone(None))
    return t.astimezone(tz or zone(None))


def show(value, tz: dt.tzinfo | None = None, *, seconds: bool = False, empty: str = "-") -> str:
    """`value` for a person: an instant (datetime, or an ISO 8601 string with a time) as
    "YYYY-MM-DD HH:MM[:SS] +08:00" in the display zone; a date as YYYY-MM-DD; None or "" as `empty`.
    A string that is not ISO 8601 is shown as it is (hostile input is displayed, not parsed twice)."""
    if value is None or value == "":
        return empty
    if isinstance(value, str):
        text = value.strip()
        try:
            if "T" in text or " " in text or len(text) > 10:
                value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
            else:
                value = dt.date.fromisoformat(text)
        except ValueError:
            return value
    if isinstance(value, dt.datetime):
        t = to_zone(value, tz)
        return t.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M") + " " + _offset(t)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


# EN 319 102-1 §5.1.3 main indications, with the meaning a clerk acts on (message catalogue, section
# indication): code → (en, zh)
INDICATIONS = {code: (t(f"indication.{code}", "en"), t(f"indication.{code}", "zh-CN"))
               for code in ("TOTAL_PASSED", "INDETERMINATE", "TOTAL_FAILED")}


def indication_plain(indication: str | None, lang: str = "en") -> str:
    """The plain meaning of an ETSI indication in `lang` ("" for none; an unknown value as it is)."""
    if not indication:
        return ""
    pair = INDICATIONS.get(indication)
    if pair is None:
        return indication
    return pair[1] if lang.startswith("zh") else pair[0]


def indication_text(indication: str | None, lang: str = "en", sub: str | None = None) -> str:
    """Plain meaning first, the ETSI code (and sub-indication) after it in parentheses:
    "签名有效（TOTAL_PASSED）" / "valid (TOTAL_PASSED)"; "-" when there is no signature result."""
    if not indication:
        return "-"
    plain = indication_plain(indication, lang)
    codes = indication + (f", {sub}" if sub else "")
    if plain == indication:
        return codes
    return t("indication.with_code", lang, plain=plain, codes=codes)
