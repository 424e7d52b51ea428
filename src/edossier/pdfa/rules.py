"""The rule table (data) and the registry of check functions (code).

The table lives in ``rules.toml`` (package data): one entry per veraPDF rule id of the PDF/A-2b and
PDF/A-2u profiles, plus edossier's own active-content ids (``AC-*``) and the two special ids
``PDF-UNREADABLE`` and ``CHECK-ERROR``. Check modules register functions against rule ids with
:func:`check`; a rule is "implemented" when at least one registered function declares it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from typing import Callable, Iterable

__all__ = ["Rule", "check", "registered_checks", "rules_by_id", "all_rules", "table"]


@dataclass(frozen=True)
class Rule:
    id: str
    clause: str
    kind: str  # "pdfa" | "active" | "unreadable" | "internal"
    flavours: tuple[str, ...]
    severity: str
    object: str
    description_en: str
    description_zh: str
    message_en: str
    implemented: bool
    status: str  # "full" | "partial" | "none"
    note: str


@dataclass(frozen=True)
class RegisteredCheck:
    func: Callable
    rule_ids: tuple[str, ...]
    partial: frozenset[str]
    name: str
    needs_active: bool


_CHECKS: list[RegisteredCheck] = []


def check(*rule_ids: str, partial: Iterable[str] = (), note: dict[str, str] | None = None,
          active: bool = False) -> Callable:
    """Register ``func(ctx)`` as the check for ``rule_ids``.

    ``partial`` lists the ids the function covers only in part; ``note`` gives a short English
    remark per id for the documentation. ``active=True`` marks active-content policy checks, which
    run only when ``check_pdf(..., active_content=True)``.
    """

    def deco(func: Callable) -> Callable:
        _CHECKS.append(RegisteredCheck(func, tuple(rule_ids), frozenset(partial),
                                       f"{func.__module__.rsplit('.', 1)[-1]}.{func.__name__}", active))
        if note:
            _NOTES.update(note)
        return func

    return deco


_NOTES: dict[str, str] = {}


def registered_checks() -> list[RegisteredCheck]:
    """The checks registered so far: the check modules register theirs when imported, and check.py
    (the runner, the only caller that needs them all) imports every one of them."""
    return list(_CHECKS)


@lru_cache(maxsize=1)
def _raw_table() -> tuple[dict, ...]:
    # bundled data: parsed once an installation (bundled_toml), not 73 KB through tomllib at every start (~7 ms)
    from ..bundled_toml import loads

    data = loads(files("edossier.pdfa").joinpath("rules.toml").read_text(encoding="utf-8"))
    return tuple(data["rule"])


@lru_cache(maxsize=1)
def table() -> dict[str, dict]:
    """The rule table as data (rules.toml), by id: clause, kind, flavours, descriptions. Enough to
    report an issue; whether a rule is implemented comes from the registrations (all_rules)."""
    return {r["id"]: r for r in _raw_table()}


def all_rules() -> list[Rule]:
    checks = registered_checks()
    implemented: dict[str, str] = {}
    for c in checks:
        for rid in c.rule_ids:
            st = "partial" if rid in c.partial else "full"
            if implemented.get(rid) != "full":
                implemented[rid] = st
    special = {"PDF-UNREADABLE", "CHECK-ERROR", "AC-REPAIRED"}  # implemented in check.py
    out = []
    for r in _raw_table():
        status = "full" if r["id"] in special else implemented.get(r["id"], "none")
        out.append(Rule(id=r["id"], clause=r["clause"], kind=r["kind"], flavours=tuple(r["flavours"]),
                        severity=r["severity"], object=r["object"], description_en=r["description_en"],
                        description_zh=r["description_zh"], message_en=r["message_en"],
                        implemented=status != "none", status=status,
                        note=_NOTES.get(r["id"], "")))
    return out


@lru_cache(maxsize=1)
def rules_by_id() -> dict[str, Rule]:
    return {r.id: r for r in all_rules()}
