"""The trust list a validation used, as every report format states it (docs/spec.md §9.1).

``facts`` is ``TrustList.facts()``: digest, sequence, issued, next_update, signed, signer, waivers.
"""

from __future__ import annotations

from ..i18n import t


def trust_line(facts: dict | None, lang: str = "en") -> str | None:
    """One line naming the trust list: its SHA-256, sequence number and signer (or that it is unsigned)."""
    if not facts:
        return None
    if facts.get("signed"):
        who = t("trust_line.signed_by", lang, signer=facts.get("signer"))
    else:
        who = t("trust_line.unsigned", lang)
    waivers = facts.get("waivers") or []
    if waivers:
        who += t("trust_line.waivers", lang, waivers=", ".join(waivers))
    return t("trust_line.line", lang, digest=facts.get("digest"), sequence=facts.get("sequence"), who=who)
