"""Commands registered on the `edossier` group (imported at the end of cli/main.py):
`deadlines` (statutory periods) and `log` (audit trail). Heavy modules are imported inside the commands."""

from __future__ import annotations

from pathlib import Path

import click

from edossier.caserules.legal import basis_text, extension_text
from edossier.cli.main import EXIT_OK, EXIT_REJECT, EXIT_USAGE, _lang, _parse_time, _tz, fail, main

STATE = {
    "running": ("running", "计算中"), "closed": ("closed in time", "按期办结"), "expired": ("EXPIRED", "已超期"),
    "due-soon": ("due soon", "即将届满"), "superseded": ("superseded (recalculated)", "已重新计算"),
    "postponed": ("postponed (CPL Art. 157)", "延期审理（第157条）"),
}


def _read(ctx, package: Path):
    from edossier.summary import summarize

    if not package.is_file():
        fail(ctx, f"{package}: no such file", f"{package}：文件不存在", EXIT_USAGE)
    s = summarize(package)
    records = [layer.record for layer in s.layers if layer.record is not None]
    if not records:
        problem = s.problems[0].message(_lang(ctx)) if s.problems else "no readable layer"
        fail(ctx, f"{package}: cannot read the package's records: {problem}",
             f"{package}：无法读取卷宗记录：{problem}", EXIT_REJECT)
    return s, records


def _fmt(t, tz=None) -> str:
    """An instant in the display zone (--tz, Asia/Shanghai by default) with its offset; a date as it is."""
    from edossier.timefmt import show

    return show(t, tz)


@main.command()
@click.argument("package", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--at", "at", metavar="TIME",
              help="Show the state as of this time (ISO 8601); later events are ignored / 以该时间为准")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Output format / 输出格式")
@click.pass_context
def deadlines(ctx, package, at, fmt):
    """Statutory periods from the events of all layers: legal basis, start, end, state.
    / 根据各层事件计算法定期限（依据、起止、状态）。

    Without --at, running periods are judged at the current time. Exit 0; 1 when a period has expired.
    """
    import datetime as dt
    import json

    from rich.console import Console
    from rich.table import Table

    from edossier.caserules.deadlines import compute

    when = _parse_time(ctx, at)
    s, records = _read(ctx, package)
    now = dt.datetime.now(dt.timezone.utc)
    tl = compute(records, at=when, now=now)
    zh = _lang(ctx).startswith("zh")
    tz = _tz(ctx)
    if fmt == "json":
        click.echo(json.dumps({
            "package": str(package), "at": tl.at.isoformat() if tl.at else None,
            "case": {"number": records[-1].case.number, "name": records[-1].case.name,
                     "procedure": records[-1].case.procedure},
            "events": [{"time": st.time.isoformat(), "type": st.name, "code": st.code, "layer": st.layer,
                        "actor": st.event.actor, "agency": st.event.agency, "document": st.event.document,
                        "person": st.event.person} for st in tl.steps],
            "periods": [{"period": p.kind, "name": {"zh-CN": p.zh, "en": p.en}, "person": p.person or None,
                         "basis": p.basis, "length": p.length, "start": p.start.isoformat(),
                         "end": p.end.isoformat() if p.end else None, "custody": p.custody,
                         "holiday_rolled": p.rolled, "extensions": p.extensions, "state": p.state,
                         "closed_by": p.closed_by, "closed_at": p.closed_at.isoformat() if p.closed_at else None,
                         "layer": p.start_layer} for p in tl.periods],
            "issues": [{"code": i.code, "event": i.step.name, "time": i.step.time.isoformat(),
                        "message": {"zh-CN": i.zh, "en": i.en}} for i in tl.issues],
        }, ensure_ascii=False, indent=2))
        ctx.exit(EXIT_REJECT if any(p.state == "expired" for p in tl.periods) else EXIT_OK)
    console = Console(highlight=False)
    case = records[-1].case
    console.print(("案件" if zh else "Case") + f": {case.number}  {case.name}"
                  + (f"  ({case.procedure})" if case.procedure else ""), soft_wrap=True, markup=False)
    as_of = _fmt(tl.at, tz)
    console.print(("判断时间" if zh else "As of") + f": {as_of}" + ("" if at else (" （当前时间）" if zh else " (now)")),
                  markup=False)
    events = Table(title="事件" if zh else "Events", box=None, header_style="bold", title_justify="left")
    for i, col in enumerate(("时间", "事件", "办理机关", "层", "证明文书") if zh else
                            ("Time", "Event", "Actor", "Layer", "Document")):
        events.add_column(col, overflow="fold", no_wrap=i in (0, 3))  # a time is never split across lines
    for st in tl.steps:
        events.add_row(_fmt(st.time, tz), st.name + (f" [{st.event.person}]" if st.event.person else ""),
                       st.event.actor or "", f"{st.layer:03d}", st.event.document or "")
    console.print(events)
    if console.width < 100:
        # seven columns do not fit 80: each period as a block of labelled lines, as `inspect` does (#16)
        _periods_stacked(console, tl.periods, zh, tz)
        _period_notes(console, tl, zh, tz)
        ctx.exit(EXIT_REJECT if any(p.state == "expired" for p in tl.periods) else EXIT_OK)
    periods = Table(title="法定期限" if zh else "Statutory periods", box=None, header_style="bold",
                    title_justify="left")
    for col in (("期限", "法律依据", "起算", "届满", "期间", "状态", "结束于") if zh else
                ("Period", "Legal basis", "Start", "End", "Length", "State", "Closed by")):
        periods.add_column(col, overflow="fold")
    colour = {"expired": "red", "due-soon": "yellow", "running": "cyan"}
    for p in tl.periods:
        name = (p.zh if zh else p.en) + (f" [{p.person}]" if p.person else "")
        end = _fmt(p.end, tz) + (" *" if p.rolled else "")
        label = STATE[p.state][1 if zh else 0]
        closed = f"{p.closed_by} {_fmt(p.closed_at, tz)}" if p.closed_by else ""
        length = p.length.split(" / ")[1 if zh else 0] if " / " in p.length else p.length
        if p.extensions:
            exts = [extension_text(x, _lang(ctx)) for x in p.extensions]
            length += ("（" + "，".join(exts) + "）") if zh else (" (" + ", ".join(exts) + ")")
        periods.add_row(name, basis_text(p.basis, _lang(ctx)), _fmt(p.start, tz), end, length,
                        f"[{colour[p.state]}]{label}[/]" if p.state in colour else label, closed)
    console.print(periods)
    _period_notes(console, tl, zh, tz)
    ctx.exit(EXIT_REJECT if any(p.state == "expired" for p in tl.periods) else EXIT_OK)


_PERIOD_COLOUR = {"expired": "red", "due-soon": "yellow", "running": "cyan"}


def _periods_stacked(console, periods, zh: bool, tz) -> None:
    from rich.markup import escape

    console.print("[bold]法定期限[/]" if zh else "[bold]Statutory periods[/]")
    labels = (("法律依据", "起算", "届满", "期间", "状态") if zh else ("Legal basis", "Start", "End", "Length", "State"))
    def cols(label: str) -> int:  # a CJK label is two terminal columns a character
        return len(label) * 2 if zh else len(label)

    width = max(cols(x) for x in labels) + 2
    for p in periods:
        name = (p.zh if zh else p.en) + (f" [{p.person}]" if p.person else "")
        length = p.length.split(" / ")[1 if zh else 0] if " / " in p.length else p.length
        if p.extensions:
            length += " (" + ", ".join(p.extensions) + ")"
        label = STATE[p.state][1 if zh else 0]
        state = f"[{_PERIOD_COLOUR[p.state]}]{escape(label)}[/]" if p.state in _PERIOD_COLOUR else escape(label)
        if p.closed_by:
            state += escape(f"（{p.closed_by} {_fmt(p.closed_at, tz)}）" if zh else
                            f" ({p.closed_by} {_fmt(p.closed_at, tz)})")
        console.print(" " + escape(name), style="bold")
        values = (p.basis, _fmt(p.start, tz), _fmt(p.end, tz) + (" *" if p.rolled else ""), length)
        for key, value in zip(labels, values):
            console.print(f"   {key}{' ' * (width - cols(key))}" + escape(str(value)))
        console.print(f"   {labels[-1]}{' ' * (width - cols(labels[-1]))}" + state)


def _period_notes(console, tl, zh: bool, tz) -> None:
    if any(p.rolled for p in tl.periods):
        console.print("* " + ("期限最后一日为节假日，顺延至节假日后第一个工作日（刑事诉讼法第105条；在押期间不顺延）" if zh else
                              "last day was a holiday: moved to the next working day (CPL 2018 Art. 105; never for custody)"),
                      markup=False)
    if tl.unknown_years:
        years = ", ".join(map(str, sorted(tl.unknown_years)))
        console.print(f"[yellow]{'注意：' if zh else 'note: '}[/]" +
                      (f"{years} 年的节假日安排未收录，仅按周末计算" if zh else
                       f"no holiday calendar for {years}; only weekends counted as rest days"))
    for i in tl.issues:
        console.print(f"[red]{i.code}[/] {_fmt(i.step.time, tz)} {i.step.name}: {i.zh if zh else i.en}", soft_wrap=True)


@main.command("log")
@click.argument("package", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Output format / 输出格式")
@click.pass_context
def log_(ctx, package, fmt):
    """Audit trail: who (agency, signer) did what (events, documents added) when, in order, with the
    layer whose signature proves each fact. Signatures are not judged here; run `validate` for that.
    / 全程留痕：各层记载的办理机关、签名人、事件和文书，按时间排列。"""
    import json

    from rich.console import Console
    from rich.table import Table

    from edossier.caserules.audit import audit_trail

    s, _ = _read(ctx, package)
    entries = audit_trail(s.layers)
    zh = _lang(ctx).startswith("zh")
    tz = _tz(ctx)
    if fmt == "json":
        click.echo(json.dumps({"package": str(package), "entries": [e.to_dict() for e in entries]},
                              ensure_ascii=False, indent=2))
        ctx.exit(EXIT_OK)
    console = Console(highlight=False)
    table = Table(box=None, header_style="bold")
    for i, col in enumerate(("时间", "层", "办理者", "签名人", "内容") if zh else ("Time", "Layer", "Who", "Signed by", "What")):
        table.add_column(col, overflow="fold", no_wrap=i < 2)  # a time is never split across lines
    for e in entries:
        table.add_row(_fmt(e.time, tz), f"{e.layer:03d}", e.actor, e.signer, e.what_zh if zh else e.what_en)
    console.print(table)
    console.print(("每条记录由所在层的签名（META-INF/signatureNNN.p7s）证明；签名是否有效请用 edossier validate 命令校验。" if zh else
                   "Each line is proven by its layer's signature (META-INF/signatureNNN.p7s); run `validate` "
                   "to judge the signatures."), markup=False)
    ctx.exit(EXIT_OK)
