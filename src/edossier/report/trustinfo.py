"""The trust list a validation used, as every report format states it (docs/spec.md §9.1).

``facts`` is ``TrustList.facts()``: digest, sequence, issued, next_update, signed, signer, waivers.
"""

from __future__ import annotations


def trust_line(facts: dict | None, lang: str = "en") -> str | None:
    """One line naming the trust list: its SHA-256, sequence number and signer (or that it is unsigned)."""
    if not facts:
        return None
    zh = lang.startswith("zh")
    if facts.get("signed"):
        who = f"签名者 {facts.get('signer')}" if zh else f"signed by {facts.get('signer')}"
    else:
        who = "未经签名验证" if zh else "signature NOT verified"
    waivers = facts.get("waivers") or []
    if waivers:
        who += ("；放宽：" if zh else "; opt-outs: ") + ", ".join(waivers)
    if zh:
        return f"信任列表：SHA-256 {facts.get('digest')}，序号 {facts.get('sequence')}，{who}"
    return f"Trust list: SHA-256 {facts.get('digest')}, sequence {facts.get('sequence')}, {who}"
