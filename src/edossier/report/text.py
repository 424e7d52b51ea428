"""Human-readable validation report: verdict first, then the findings grouped by stage."""

from __future__ import annotations

import datetime as dt

from rich.console import Console
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from ..findings import STAGES, SUPERVISION
from ..i18n import raw, section
from ..i18n.explain import show_location
from ..timefmt import indication_text, show

# labels from the message catalogue (edossier.i18n)
_L = {lang: {**section("text", lang), **section("verdict", lang), "errors": raw("counts.line", lang),
             "stage": section("stage", lang), "sev": section("severity", lang), "roles": section("role", lang)}
      for lang in ("en", "zh-CN")}


def stacked(console: Console, head: tuple[str, str], fields, *, indent: int = 2) -> None:
    """One record as a small label/value grid: `head` (e.g. layer number, agency name) on the first
    line, then one line per (label, value) of `fields`. Stacking instead of a wide table keeps an
    80-column terminal readable: a value wraps at spaces (character boundaries for CJK, which has
    none) inside its own column, so an agency name is never cut mid-word by a squeezed column."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(no_wrap=True, style="dim")
    grid.add_column(overflow="fold")
    grid.add_row(Text(head[0], style="bold"), Text(head[1], style="bold"))
    for label, value in fields:
        grid.add_row(Text(label), Text(value))
    console.print(Padding(grid, (0, 0, 0, indent), expand=False))


def render_text(reports, console: Console, lang: str = "en", *, trust: dict | None = None,
                tz: dt.tzinfo | None = None) -> None:
    """The text report on `console`; times are shown in `tz` (default Asia/Shanghai, timefmt.zone)."""
    render_trust_line(console, lang, trust=trust)
    for rep in reports:
        render_package(rep, console, lang, tz=tz)


def render_trust_line(console: Console, lang: str = "en", *, trust: dict | None = None) -> None:
    """The first line of a text report: which trust list the verdicts rest on (nothing without one)."""
    from .trustinfo import trust_line

    line = trust_line(trust, lang)
    if line:
        console.print(line, highlight=False, markup=False, soft_wrap=True)


def render_package(rep, console: Console, lang: str = "en", *, tz: dt.tzinfo | None = None) -> None:
    """One package's part of the text report (render_text prints these one after the other, after the
    trust line; a batch renders each as its result arrives, cli/cmd_validate.py)."""
    L = _L["zh-CN" if lang.startswith("zh") else "en"]
    d = rep.to_dict()
    colour = "green" if rep.verdict == "accept" else "red"
    console.print(f"[bold {colour}]{L[rep.verdict]}[/]  " + L["package_line"].format(path=rep.path))
    c = d["counts"]
    console.print("  " + L["errors"].format(s=c["supervision"], e=c["error"], w=c["warning"], i=c["info"]))
    for layer in d["layers"]:
        sig = layer["signature"] or {}
        zh = lang.startswith("zh")
        stacked(console, (f"{L['layer']} {layer['layer']:03d}", layer["agency"] or "?"), [
            (L["role"], L.get("roles", {}).get(layer["role"], layer["role"] or "?")),
            (L["signature"], indication_text(sig.get("indication"), "zh-CN" if zh else "en",
                                             sig.get("sub_indication"))),
            (L["signed"], show(sig.get("signing_time"), tz)),
            # e.g. ECDSA/SHA-256, or for SM2 the CMS form found (GB/T 35275 or RFC 5652, OID, encoding)
            *([(L["algorithm"], sig["algorithm"])] if sig.get("algorithm") else []),
        ])
    findings = rep.sorted_findings()
    if not findings:
        console.print("  " + L["no_findings"])
    # supervision findings first, in a section of their own (issue #15), then the rest by stage
    sections = [(L["supervision"], [f for f in findings if f.severity == SUPERVISION])]
    sections += [(L["stage"][stage], [f for f in findings if f.stage == stage and f.severity != SUPERVISION])
                 for stage in STAGES]
    for title, group in sections:
        if not group:
            continue
        console.print(f"  [bold]{title}[/]")
        for f in group:
            sev_colour = {"supervision": "magenta", "error": "red", "warning": "yellow", "info": "blue"}[f.severity]
            where = f" [dim]{show_location(f.location, lang)}[/]" if f.location else ""
            rule = f" [{f.rule_id}]" if f.rule_id else ""
            console.print(f"    [{sev_colour}]{f.code} {L['sev'][f.severity]}[/]{rule}{where}",
                          highlight=False, soft_wrap=True)
            console.print(f"      {f.message(lang)}", highlight=False, markup=False, soft_wrap=True)
    console.print()
