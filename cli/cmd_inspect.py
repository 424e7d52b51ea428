"""`edossier inspect`: what a package holds, without judging it."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console

from edossier.cli.main import EXIT_OK, EXIT_REJECT, EXIT_USAGE, _lang, _tz, fail, main
from edossier.i18n import t


@main.command()
@click.argument("package", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Output format / 输出格式")
@click.pass_context
def inspect(ctx, package, fmt):
    """Show layers (agency, role, signer, signing time), volumes and documents, without judging them.
    / 显示卷宗包的各层、卷和文书（不作校验）。"""
    import json

    from rich.table import Table
    from rich.text import Text

    from edossier.report.text import stacked
    from edossier.roles import role_name
    from edossier.summary import summarize
    from edossier.timefmt import show

    if not package.is_file():
        fail(ctx, f"{package}: no such file", f"{package}：文件不存在", EXIT_USAGE)
    tz = _tz(ctx)
    s = summarize(package)
    dossier = s.dossier
    if fmt == "json":
        click.echo(json.dumps(s.to_dict(), ensure_ascii=False, indent=2))
        ctx.exit(EXIT_REJECT if s.problems and not s.layers else EXIT_OK)
    console = Console(highlight=False)
    zh = _lang(ctx).startswith("zh")
    for f in s.problems:
        console.print(f"[red]{f.code}[/] {f.location} {f.message(_lang(ctx))}", markup=True, soft_wrap=True)
    if not s.layers:
        ctx.exit(EXIT_REJECT if s.problems else EXIT_OK)
    console.print(t("cli.inspect_package", _lang(ctx), package=package, members=s.members, size=f"{s.size:,}"),
                  soft_wrap=True, markup=False)
    if dossier.case:
        console.print(("案件" if zh else "Case") + f": {dossier.case.number}  {dossier.case.name}  "
                      + "、".join(dossier.case.charges), soft_wrap=True)

    def table(title_zh, title_en, cols_zh, cols_en, keep=()):
        # columns in `keep` (numbers, dates, codes, member names) are not wrapped: at 80 columns the
        # free-text columns (titles, CJK) wrap instead of a member name being cut mid-word
        t = Table(title=title_zh if zh else title_en, box=None, header_style="bold", title_justify="left")
        for i, col in enumerate(cols_zh if zh else cols_en):
            t.add_column(col, overflow="fold", no_wrap=i in keep)
        return t

    # layers stacked (one field a line), not a six-column table: at 80 columns a table squeezes the
    # agency column until names break mid-word (issue #16)
    console.print(Text("层" if zh else "Layers", style="italic"))
    labels = ("角色", "阶段", "签名人", "签署时间") if zh else ("Role", "Stage", "Signer", "Signing time")
    for layer in s.layers:
        r = layer.record
        stacked(console, (f"{layer.layer:03d}", r.agency.name if r else f"? ({layer.problem})"), zip(labels, (
            role_name(r.agency.role, "zh" if zh else "en") if r else "?", (r.stage or "-") if r else "-",
            layer.signer or "?", show(layer.signing_time, tz, seconds=True, empty="?"))), indent=0)
    volumes = table("卷", "Volumes", ("卷", "题名", "文书数", "页数"), ("Volume", "Title", "Documents", "Pages"), keep=(0, 2, 3))
    for vid, v in dossier.volumes.items():
        in_volume = [d for _, d in dossier.documents if d.volume == vid]
        volumes.add_row(vid, v.title, str(len(in_volume)), str(sum(d.pages for d in in_volume)))
    console.print(volumes)
    # documents in one table per volume, without layer and volume columns (the member name
    # documents/LLL/… says the layer), and the type only where it differs from the title: fewer
    # columns leave the title room at 80 columns instead of squeezing it to a few characters
    groups = [(vid, f"{vid} {v.title}") for vid, v in dossier.volumes.items()]
    # a document naming a volume no record defines is still listed (the validator reports it)
    groups += [(vid, f"{vid} ?") for vid in dict.fromkeys(d.volume for _, d in dossier.documents)
               if vid not in dossier.volumes]
    for vid, heading in groups:
        docs = table(f"文书 · {heading}", f"Documents · {heading}",
                     ("编号", "题名（类型）", "日期", "页数", "成员"), ("Id", "Title (type)", "Date", "Pages", "Member"),
                     keep=(0, 2, 3, 4))
        for _, d in dossier.documents:
            if d.volume != vid:
                continue
            title = d.title if d.title == d.type else (f"{d.title}（{d.type}）" if zh else f"{d.title} ({d.type})")
            docs.add_row(d.id, title, d.date.isoformat(), str(d.pages), d.file)
        console.print(docs)
