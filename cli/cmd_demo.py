"""`edossier demo`: the whole workflow on the bundled sample case."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console

from edossier.cli.main import EXIT_OK, EXIT_REJECT, EXIT_USAGE, _lang, _tz, fail, main, say


@main.command()
@click.option("--workdir", type=click.Path(path_type=Path, file_okay=False), default=Path("edossier-demo"),
              show_default=True, help="Where to write the demo PKI and packages / 演示文件的输出目录")
@click.option("--algorithm", type=click.Choice(["ecdsa", "rsa", "sm2", "mixed"]), default="ecdsa", show_default=True,
              help="Signature algorithm of the demo PKI: ECDSA P-256, RSA 3072, SM2/SM3 (国密: SM2 signatures, SM3 "
                   "manifests, an SM2 time-stamping authority), or mixed (police and court SM2, procuratorate "
                   "ECDSA) / 演示 PKI 的签名算法：ECDSA、RSA、SM2（国密）或混合")
@click.pass_context
def demo(ctx, workdir, algorithm):
    """The main job on the bundled sample case: PKI, police, procuratorate and court layers, validate,
    then a tampered copy. / 用内置样例演示完整流程。"""
    from edossier.building.pipeline import BuildError
    from edossier.demo.run import run_demo
    from edossier.fsutil import OutputPathError
    from edossier.report.text import render_text

    try:
        result = run_demo(workdir, lambda en, zh: say(ctx, en, zh), algorithm=algorithm)
    except OutputPathError as exc:
        fail(ctx, exc.en, exc.zh, EXIT_USAGE)
    except BuildError as exc:
        fail(ctx, exc.en, exc.zh, EXIT_REJECT)
    console = Console(highlight=False)
    console.print()
    render_text([result.accepted, result.tampered], console, _lang(ctx), tz=_tz(ctx))
    if result.ok:
        say(ctx, "Demo finished: the signed dossier is accepted, the tampered copy is rejected.",
            "演示完成：签名卷宗被接收，被篡改的副本被拒收。", style="green")
    else:
        say(ctx, "Demo did not give the expected verdicts.", "演示结果与预期不符。", style="red")
    ctx.exit(EXIT_OK if result.ok else EXIT_REJECT)
