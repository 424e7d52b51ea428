"""`edossier conformance`: run the conformance corpus against our validator or a third-party one."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console

from edossier.cli.main import EXIT_OK, EXIT_REJECT, EXIT_USAGE, _lang, fail, guard_output, main, say


@main.command()
@click.option("--validator", "validator", metavar="CMD",
              help="Third-party validator command run once per case; {pkg} is the package, {trust} the corpus "
                   "trust list, {anchor} its trust anchor, {at} the validation time. Exit 0 = accept, 1 = reject. "
                   "/ 第三方校验器命令")
@click.option("--corpus", "corpus_dir", type=click.Path(path_type=Path, file_okay=False),
              help="Corpus folder (default: the bundled samples/corpus) / 测试集文件夹")
@click.option("--format", "fmt", type=click.Choice(["text", "junit"]), default="text", show_default=True,
              help="Report format / 报告格式")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
              help="Write the report to this file / 将报告写入文件")
@click.option("-j", "--jobs", type=click.IntRange(1, 256), default=None,
              help="Cases validated in parallel, in-process mode (default: number of cores) / 并行数")
@click.option("--timeout", type=click.FloatRange(1, 3600), default=300, show_default=True,
              help="Seconds per case for --validator / 每个用例的超时秒数")
@click.option("--case", "case_patterns", multiple=True, metavar="PATTERN",
              help="Run only the cases whose id matches (shell pattern, e.g. 'good/*' or '*K076*'; repeatable) "
                   "/ 只运行编号匹配的用例（可多次指定）")
@click.option("--require-codes", is_flag=True,
              help="Fail every case whose validator printed no JSON report (judged on exit code only otherwise) "
                   "/ 校验器未输出 JSON 报告的用例判为失败（否则仅按退出码判定）")
@click.pass_context
def conformance(ctx, validator, corpus_dir, fmt, output, jobs, timeout, case_patterns, require_codes):
    """Run the conformance corpus and print a pass/fail matrix. Without --validator, edossier's own
    validator is checked. Exit 0 when every case passes, 1 otherwise.
    / 运行一致性测试集并输出通过/失败矩阵；全部通过时退出码为 0，否则为 1。"""
    from edossier.conformance import default_corpus
    from edossier.conformance.report import render_junit, render_text
    from edossier.conformance.run import CorpusError, load_corpus, run_external, run_in_process

    folder = corpus_dir or default_corpus()
    try:
        corpus = load_corpus(folder)
    except CorpusError as exc:
        fail(ctx, exc.en, exc.zh, EXIT_USAGE)
    if not corpus.cases:
        fail(ctx, f"{folder}: the corpus has no cases", f"{folder}：测试集中没有用例", EXIT_USAGE)
    if case_patterns:
        # a vendor fixing one failing case re-runs just that one (a --validator run of all takes minutes)
        from dataclasses import replace
        from fnmatch import fnmatchcase

        chosen = tuple(c for c in corpus.cases if any(fnmatchcase(c.id, p) for p in case_patterns))
        if not chosen:
            fail(ctx, f"no case of {folder} matches {', '.join(case_patterns)}",
                 f"{folder} 中没有与 {', '.join(case_patterns)} 匹配的用例", EXIT_USAGE)
        corpus = replace(corpus, cases=chosen)
    from edossier.fsutil import Input

    guard_output(ctx, output, [Input(Path(folder), "the corpus folder", "测试集文件夹", tree=True)],
                 ("the report", "报告文件"))
    try:
        if validator:
            outcomes = run_external(corpus, validator, timeout=timeout, require_codes=require_codes)
        else:
            outcomes = run_in_process(corpus, jobs=jobs)
    except CorpusError as exc:
        fail(ctx, exc.en, exc.zh, EXIT_USAGE)
    lang = _lang(ctx)
    label = validator or "edossier (in-process)"
    if fmt == "junit":
        text = render_junit(outcomes, validator=label)
        if output:
            from edossier.fsutil import atomic_write_bytes

            atomic_write_bytes(output, text.encode("utf-8"))
        else:
            click.echo(text, nl=not text.endswith("\n"))
    elif output:
        from edossier.fsutil import atomic_output

        with atomic_output(output) as tmp, open(tmp, "w", encoding="utf-8") as fh:
            render_text(outcomes, Console(file=fh, width=140, no_color=True), lang, validator=label)
    else:
        render_text(outcomes, Console(highlight=False), lang, validator=label)
    failed = sum(not o.passed for o in outcomes)
    exit_only = sum(o.judged_on != "codes" for o in outcomes)
    note_en = f" {exit_only} judged on exit code only (finding codes not checked)." if exit_only else ""
    note_zh = f"其中 {exit_only} 个仅按退出码判定（未核对问题代码）。" if exit_only else ""
    say(ctx, f"{len(outcomes)} case(s): {len(outcomes) - failed} passed, {failed} failed.{note_en}",
        f"共 {len(outcomes)} 个用例：通过 {len(outcomes) - failed} 个，失败 {failed} 个。{note_zh}", err=True,
        style="green" if not failed else "red")
    ctx.exit(EXIT_OK if not failed else EXIT_REJECT)

