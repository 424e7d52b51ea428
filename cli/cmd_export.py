"""`edossier export`: a volume as one PDF/A-2u reading copy (registered on the `edossier` group)."""

from __future__ import annotations

from pathlib import Path

import click

from edossier.cli.main import EXIT_REJECT, EXIT_USAGE, fail, guard_output, main, say


@main.command()
@click.argument("package", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--volume", "volume", metavar="N",
              help="Volume number (1, 2, … in package order) or volume id; default 1 / 卷号（按卷宗包中的顺序）或卷编号，默认第 1 卷")
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path, dir_okay=False),
              help="The PDF to write / 输出的 PDF 文件")
@click.pass_context
def export(ctx, package, volume, output):
    """Merge one volume (cover, contents, documents, remarks) into one PDF/A-2u reading copy with
    bookmarks and page labels; PACKAGE is not changed. / 将一卷合并为一个带书签和页码标签的 PDF/A-2u 阅读本。"""
    from edossier.export import ExportError, export_volume

    if not package.is_file():
        fail(ctx, f"{package}: no such file", f"{package}：文件不存在", EXIT_USAGE)
    if not output.parent.is_dir():
        fail(ctx, f"{output.parent}: the output folder does not exist", f"{output.parent}：输出文件夹不存在", EXIT_USAGE)
    from edossier.fsutil import Input, OutputPathError

    guard_output(ctx, output, [Input(package, "the package", "卷宗包")], ("the reading copy", "输出的阅读本"))
    try:
        res = export_volume(package, output, volume=volume)
    except OutputPathError as exc:  # checked above; the library checks again
        fail(ctx, exc.en, exc.zh, EXIT_USAGE)
    except ExportError as exc:
        fail(ctx, exc.en, exc.zh, EXIT_REJECT)
    for issue in res.issues[:5]:
        say(ctx, f"warning: the reading copy fails a PDF/A-2 check: {issue}",
            f"警告：阅读本未通过 PDF/A-2 检查：{issue}", err=True, style="yellow")
    say(ctx, f"Wrote {output}: volume {res.volume_id} ({res.volume_title}), {res.documents} document(s), "
             f"{res.pages} page(s), PDF/A-2{res.conformance.lower()}.",
        f"已写入 {output}：卷 {res.volume_id}（{res.volume_title}），{res.documents} 份文书，{res.pages} 页，"
        f"PDF/A-2{res.conformance.lower()}。")
