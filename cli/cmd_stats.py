"""`edossier stats`: supervision figures over many packages (docs/stats.md), and the executor options
(--jobs, --scheduler, --dask local) shared with `validate`. Heavy modules are imported inside."""

from __future__ import annotations

import time
from pathlib import Path

import click

from edossier.cli.main import (EXIT_OK, EXIT_USAGE, _lang, _parse_time, _tz, fail, guard_output, load_trust, local_inputs,
                               main, rate_bar, say, with_trust_options)

STATS_FORMATS = ["text", "json", "csv", "html"]


def make_executor(ctx, jobs: int | None, scheduler: str | None, dask: str | None):
    """The executor the options ask for, or exit 2 with a message."""
    from edossier.batch.executors import ExecutorError, make_executor as make

    if scheduler and dask:
        fail(ctx, "use either --scheduler or --dask local, not both", "--scheduler 与 --dask local 只能选其一", EXIT_USAGE)
    try:
        return make(jobs=jobs, scheduler=scheduler, dask_local=dask == "local")
    except ExecutorError as exc:
        fail(ctx, exc.en, exc.zh, EXIT_USAGE)


def _format(ctx, fmt: str | None, output: Path | None) -> str:
    if fmt:
        return fmt
    suffix = output.suffix.lower().lstrip(".") if output else ""
    return {"htm": "html", "html": "html", "json": "json", "csv": "csv"}.get(suffix, "text")


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--trust", "trust_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Trust list, needed to validate packages (not for a JSON report) / 信任列表（校验卷宗包时需要）")
@with_trust_options
@click.option("--at", "at", metavar="TIME",
              help="Validate and judge deadlines as of this time (ISO 8601; default: now) / 以该时间为准校验和判断期限")
@click.option("--format", "fmt", type=click.Choice(STATS_FORMATS), default=None,
              help="Output format (default: from the -o suffix, else text) / 输出格式（默认按 -o 的扩展名）")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
              help="Write the figures to this file / 将统计结果写入文件")
@click.option("-j", "--jobs", type=click.IntRange(1, 256), default=None,
              help="Local worker processes, or LocalCluster workers with --dask local (default: cores) / 并行进程数")
@click.option("--scheduler", metavar="ADDRESS", help="Run on this Dask scheduler, e.g. tcp://host:8786 / 使用该 Dask 调度器")
@click.option("--dask", type=click.Choice(["local"]), default=None,
              help="Start a Dask LocalCluster on this machine / 在本机启动 Dask LocalCluster")
@click.option("--near-days", type=click.IntRange(0, 365), default=7, show_default=True,
              help="List running periods that end within this many days / 列出在该天数内届满的期限")
@click.option("--max-listed", type=click.IntRange(0, 1_000_000), default=1000, show_default=True,
              help="Length of the list of periods near or past their end (most urgent first) / 期限清单的最大条数")
@click.pass_context
def stats(ctx, paths, trust_path, at, fmt, output, jobs, scheduler, dask, near_days, max_listed):
    """Supervision figures over many packages: per agency, stage and month; verdicts and findings;
    hand-over times; statutory periods near or past their end; the fully electronic share.
    / 跨卷宗包的监督统计：按机关、环节、月份统计，校验结论与问题，移交时间，临近或超过法定期限，全流程电子化比例。

    PATHS are packages, folders (searched for *.edp), fsspec URLs (s3://…, file://…) or JSON reports
    written by `edossier validate --format json` (their verdicts are reused). Exit 0 when the figures
    were written, 2 when the run could not start.
    """
    import datetime as dt

    from edossier.batch import storage
    from edossier.batch.many import ValidateOptions
    from edossier.fsutil import atomic_write_bytes
    from edossier.stats.collect import StatsOptions
    from edossier.stats.render import render_csv, render_html, render_json, render_text
    from edossier.stats.run import ReportError, reported_packages, run_stats

    if scheduler and dask:
        fail(ctx, "use either --scheduler or --dask local, not both", "--scheduler 与 --dask local 只能选其一", EXIT_USAGE)
    when = _parse_time(ctx, at)
    fmt = _format(ctx, fmt, output)
    if output is not None and not output.parent.is_dir():
        fail(ctx, f"{output.parent}: the output folder does not exist", f"{output.parent}：输出文件夹不存在", EXIT_USAGE)
    items: list = []
    to_validate = False
    try:
        for p in paths:
            if not storage.exists(p):
                fail(ctx, f"{p}: no such file or folder", f"{p}：文件或文件夹不存在", EXIT_USAGE)
            if p.lower().endswith(".json"):
                items += reported_packages(p)
            else:
                found = storage.expand([p])
                to_validate = to_validate or bool(found)
                items += found
    except (storage.LocationError, ReportError) as exc:
        fail(ctx, exc.en, exc.zh, EXIT_USAGE)
    if not items:
        fail(ctx, "no packages found (*.edp, *.asice, *.sce)", "未找到卷宗包（*.edp、*.asice、*.sce）", EXIT_USAGE)
    from edossier.fsutil import Input

    guard_output(ctx, output, [*local_inputs(paths, "an input package or report", "输入的卷宗包或报告"),
                               *local_inputs([i for i in items if isinstance(i, str)], "an input package", "输入的卷宗包"),
                               Input(trust_path, "the trust list", "信任列表") if trust_path else None],
                 ("the figures file", "统计结果文件"))
    validate_options = None
    if to_validate:
        if trust_path is None:
            fail(ctx, "--trust is needed to validate packages (or give a JSON report of an earlier validation)",
                 "校验卷宗包需要 --trust（或提供先前校验的 JSON 报告）", EXIT_USAGE)
        trust = load_trust(ctx, trust_path)
        validate_options = ValidateOptions(trust_path, when, None, {}, trust=trust)  # parsed once, here
    judge = when or dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    options = StatsOptions(validate_options, judge, near_days)
    executor = make_executor(ctx, jobs, scheduler, dask)
    started = time.monotonic()
    try:
        bar, update = rate_bar(ctx, "卷宗包 / packages", "pkg/s", "包/秒", len(items))
        with bar:
            figures = run_stats(items, options, executor=executor, progress=update, max_periods=max_listed).to_dict()
        description, description_zh = executor.describe(), executor.describe("zh-CN")
    finally:
        executor.close()
    seconds = time.monotonic() - started
    meta = {"judged_at": judge.isoformat(), "executor": description}
    if fmt == "json":
        text = render_json(figures, meta)
    elif fmt == "csv":
        text = render_csv(figures)
    elif fmt == "html":
        shown = description_zh if _lang(ctx).startswith("zh") else description  # JSON keeps the English
        text = render_html(figures, lang=_lang(ctx), meta={**meta, "executor": shown}, tz=_tz(ctx))
    else:
        text = None
    if text is not None:
        if output:
            atomic_write_bytes(output, text.encode("utf-8"))
        else:
            click.echo(text, nl=not text.endswith("\n"))
    else:
        from rich.console import Console

        if output:
            from edossier.fsutil import atomic_output

            with atomic_output(output) as tmp, open(tmp, "w", encoding="utf-8") as fh:
                render_text(figures, Console(file=fh, width=120, no_color=True), _lang(ctx), tz=_tz(ctx))
        else:
            render_text(figures, Console(highlight=False), _lang(ctx), tz=_tz(ctx))
    n = figures["totals"]["packages"]
    rate = n / seconds if seconds > 0 else 0.0
    say(ctx, f"{n} package(s) in {seconds:.1f} s ({rate:.1f} packages/s, {description})"
             + (f"; written to {output}" if output else "") + ".",
        f"共 {n} 个卷宗包，用时 {seconds:.1f} 秒（{rate:.1f} 包/秒，{description_zh}）"
        + (f"；已写入 {output}" if output else "") + "。", err=True)
    ctx.exit(EXIT_OK)
