"""Human-readable validation report: verdict first, then the findings grouped by stage."""

from __future__ import annotations

import datetime as dt

from rich.console import Console
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from ..findings import STAGES, SUPERVISION
from ..roles import ROLE_ZH
from ..timefmt import indication_text, show

_L = {
    "en": {
        "accept": "ACCEPT", "reject": "REJECT", "package": "Package", "layers": "Layers",
        "layer": "Layer", "agency": "Agency", "role": "Role", "signature": "Signature", "signed": "Signed",
        "no_findings": "No findings.", "errors": "{s} supervision, {e} error(s), {w} warning(s), {i} info",
        "supervision": "Supervision (facts about the case to act on first; not a reason to reject)",
        "stage": {"container": "Container", "schema": "Schema and records", "integrity": "Integrity",
                  "signature": "Signatures and trust", "document": "Documents", "case": "Case rules"},
        "sev": {"supervision": "supervision", "error": "error", "warning": "warning", "info": "info"},
    },
    "zh-CN": {
        "accept": "接收", "reject": "拒收", "package": "卷宗包", "layers": "各层",
        "layer": "层", "agency": "机关", "role": "角色", "signature": "签名", "signed": "签署时间",
        "no_findings": "未发现问题。", "errors": "监督事项 {s} 项，错误 {e} 项，警告 {w} 项，提示 {i} 项",
        "supervision": "监督事项（须首先处理的案件事实，不是拒收理由）",
        "stage": {"container": "容器", "schema": "模式与卷宗记录", "integrity": "完整性",
                  "signature": "签名与信任", "document": "文件", "case": "案件规则"},
        "sev": {"supervision": "监督", "error": "错误", "warning": "警告", "info": "提示"},
        "roles": ROLE_ZH,
    },
}


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
    from .trustinfo import trust_line

    L = _L["zh-CN" if lang.startswith("zh") else "en"]
    line = trust_line(trust, lang)
    if line:
        console.print(line, highlight=False, markup=False, soft_wrap=True)
    for rep in reports:
        d = rep.to_dict()
        colour = "green" if rep.verdict == "accept" else "red"
        console.print(f"[bold {colour}]{L[rep.verdict]}[/]  {L['package']}: {rep.path}")
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
                where = f" [dim]{f.location}[/]" if f.location else ""
                rule = f" [{f.rule_id}]" if f.rule_id else ""
                console.print(f"    [{sev_colour}]{f.code} {L['sev'][f.severity]}[/]{rule}{where}",
                              highlight=False, soft_wrap=True)
                console.print(f"      {f.message(lang)}", highlight=False, markup=False, soft_wrap=True)
        console.print()
