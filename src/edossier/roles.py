"""Agency roles: the one list of who may sign a layer, a receipt, or hold a trust-list entry.

Every schema that names a role (record, trust list, receipt 0.2, dossier source, JSON report) carries
the same enumeration; tests/test_roles.py holds them to this tuple. New roles go at the end so that
anything numbered by position (demo credentials, benchmark archives) keeps its numbers.
"""

from __future__ import annotations

from .i18n import t

#: police 公安机关, procuratorate 人民检察院, court 人民法院, justice 司法行政机关 (prisons, community
#: correction), supervision 监察机关 (监察委员会: investigates 职务犯罪 and transfers the case to the
#: procuratorate with a 起诉意见书, 监察法 2018 Art. 45 para 1 item 4; CPL 2018 Art. 170).
ROLES: tuple[str, ...] = ("police", "procuratorate", "court", "justice", "supervision")

# The names come from the message catalogue (edossier.i18n: sections role and role_formal).
#: Short Chinese names, as reports and the audit trail show them.
ROLE_ZH: dict[str, str] = {r: t(f"role.{r}", "zh-CN") for r in ROLES}

#: Formal Chinese names of the kind of organ (CA names, trust-list locations).
ROLE_NAMES_ZH: dict[str, str] = {r: t(f"role_formal.{r}", "zh-CN") for r in ROLES}

ROLE_EN: dict[str, str] = {r: t(f"role.{r}", "en") for r in ROLES}


def role_name(role: str | None, lang: str = "en") -> str:
    """The role's display name in `lang` ("zh…" → Chinese); an unknown role is shown as given."""
    if role is None:
        return t("role.unknown", lang)
    table = ROLE_ZH if lang.startswith("zh") else ROLE_EN
    return table.get(role, role)


__all__ = ["ROLES", "ROLE_EN", "ROLE_NAMES_ZH", "ROLE_ZH", "role_name"]
