"""`edossier validate`: many packages at once, every report format, the batch summary."""

from __future__ import annotations

import os
from pathlib import Path

import click

from edossier.cli.main import (EXIT_OK, EXIT_REJECT, EXIT_USAGE, TextAhead, _lang, _parse_time, collector_paused,
                               fail, guard_output, load_policy_options, load_trust, local_inputs, main, rate_bar, say,
                               renderer, stderr_console, with_trust_options, write_report)


def _parse_limits(ctx, args):
    from edossier.container.zipio import Limits, parse_limit

    values = {}
    for arg in args:
        try:
            name, value = parse_limit(arg)
        except ValueError as exc:
            fail(ctx, f"--limit {exc}", f"--limit 参数无效：{exc}", EXIT_USAGE)
        values[name] = value
    return Limits().with_values(values)



FORMATS = ["text", "json", "junit", "sarif", "html"]


def print_summary(ctx, reports) -> None:
    """After a batch: one line per package and the totals, on standard error."""
    from rich.table import Table

    zh = _lang(ctx).startswith("zh")
    table = Table(box=None, header_style="bold", title_justify="left",
                  title="汇总" if zh else "Summary")
    # supervision first (issue #15): periods run out or about to, whatever the verdict
    for col in (("监督事项", "卷宗包", "结论", "错误", "警告", "主要问题") if zh
                else ("Supervision", "Package", "Verdict", "Errors", "Warnings", "Codes")):
        table.add_column(col, overflow="fold")
    for r in reports:
        d = r.to_dict()
        verdict = ("接收" if r.verdict == "accept" else "拒收") if zh else r.verdict.upper()
        colour = "green" if r.verdict == "accept" else "red"
        codes = ", ".join(sorted({f.code for f in r.findings if f.severity == "error"}))[:60]
        sup = ", ".join(sorted({f.code for f in r.findings if f.severity == "supervision"})) or "-"
        table.add_row(sup, r.path, f"[{colour}]{verdict}[/]", str(d["counts"]["error"]), str(d["counts"]["warning"]),
                      codes)
    stderr_console().print(table)
    rejected = sum(r.verdict == "reject" for r in reports)
    say(ctx, f"{len(reports)} package(s): {len(reports) - rejected} accepted, {rejected} rejected.",
        f"共 {len(reports)} 个卷宗包：接收 {len(reports) - rejected} 个，拒收 {rejected} 个。", err=True)


@main.command()
@click.argument("packages", nargs=-1, required=True)
@click.option("--trust", "trust_path", required=True, type=click.Path(path_type=Path, dir_okay=False),
              help="Trust list of agencies and their CAs / 机关及其 CA 的信任列表")
@with_trust_options
@click.option("--at", "at", metavar="TIME", help="Validate as of this time (ISO 8601) / 以该时间为准进行校验")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="Report format / 报告格式")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
              help="Write the report to this file / 将报告写入文件")
@click.option("--policy", "policy_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Policy file: FAIL/WARN/INFORM/IGNORE per code (default: schemas/policy-default.toml) "
                   "/ 校验策略文件")
@click.option("--strict", is_flag=True, help="Warnings count as errors / 警告视为错误")
@click.option("--suppress", multiple=True, metavar="CODE", help="Drop this finding code, repeatable / 忽略该问题代码")
@click.option("-j", "--jobs", type=click.IntRange(1, 256), default=None,
              help="Packages validated in parallel (default: number of cores) / 并行校验的卷宗包数")
@click.option("--profile", "profile", metavar="NAME",
              help="Also check this stage profile (schemas/profiles/NAME.toml), e.g. transfer-for-prosecution "
                   "/ 按该阶段规则检查必备文书")
@click.option("--limit", "limit_args", multiple=True, metavar="NAME=VALUE",
              help="Change a safety limit (repeatable; sizes take KiB/MiB/GiB). Defaults: "
                   "max_members=10000, max_member_bytes=4GiB, max_total_bytes=64GiB, max_ratio=100, "
                   "ratio_floor=1MiB, max_xml_bytes=16MiB (docs/security.md) / 修改安全限制（可重复）")
@click.option("--integrity-only", is_flag=True,
              help="Check container, records, digests and signatures only; skip the PDF/A and case checks "
                   "/ 仅校验容器、记录、摘要和签名，不做 PDF/A 与案件规则检查")
@click.option("--receipt", "receipts", multiple=True, type=click.Path(path_type=Path, dir_okay=False),
              metavar="R.edr", help="A signed receipt (回执) that proves when the package's signatures existed "
                                    "(one package only; repeatable) / 以回执证明签名的存在时间（仅限单个卷宗包）")
@click.option("--scheduler", metavar="ADDRESS",
              help="Validate on this Dask scheduler, e.g. tcp://host:8786 (docs/stats.md) / 在该 Dask 调度器上校验")
@click.option("--dask", type=click.Choice(["local"]), default=None,
              help="Validate on a Dask LocalCluster of --jobs workers / 在本机 Dask LocalCluster 上校验")
@click.pass_context
def validate(ctx, packages, trust_path, at, fmt, output, policy_path, strict, suppress, jobs, profile, limit_args,
             integrity_only, receipts, scheduler, dask):
    """Validate packages (files, or folders searched for *.edp): container, records, integrity,
    signatures, documents. / 校验卷宗包（文件，或在文件夹中查找 *.edp）。

    Exit 0 when every package is accepted, 1 when any is rejected, 2 when validation could not run.
    """
    # Everything a validation imports and loads before it starts, at once with the collector paused (start-up,
    # issue 19); a batch's worker processes share it all.
    with collector_paused(ctx):
        from edossier.batch import executors, storage  # noqa: F401
        from edossier.batch.many import ValidateOptions, validate_many
        from edossier.signing import trustlist  # noqa: F401 - load_trust
        from edossier.validation.pipeline import warm_up

        warm_up("integrity" if integrity_only else "full", fonts=False)
        when = _parse_time(ctx, at)
        limits = _parse_limits(ctx, limit_args)
        trust = load_trust(ctx, trust_path)  # fail early, with a clear message, on a bad trust list
        policy = load_policy_options(ctx, policy_path, strict, suppress)
        try:  # paths, folders or fsspec URLs (docs/stats.md)
            missing = [p for p in packages if not storage.exists(p)]
            if missing:
                fail(ctx, f"{missing[0]}: no such file or folder", f"{missing[0]}：文件或文件夹不存在", EXIT_USAGE)
            paths = storage.expand(packages)
        except storage.LocationError as exc:
            fail(ctx, exc.en, exc.zh, EXIT_USAGE)
        if not paths:
            fail(ctx, "no packages found (*.edp, *.asice, *.sce)", "未找到卷宗包（*.edp、*.asice、*.sce）", EXIT_USAGE)
        if len(paths) > 1 and not integrity_only:
            warm_up("full")  # fontTools too, which the workers would each import (run_many's warm_up: a no-op now)
    if not integrity_only:  # (only streaming there: one heap cost 0.3 s CPU and 5 MiB, docs/performance.md)
        from edossier.validation.heap import one_arena

        one_arena()  # before the hashing threads exist: one heap for all of them (peak RSS, docs/performance.md)
    extra = dict(ctx.find_root().obj.get("validate_extra", {}))
    if profile is not None:
        from edossier.caserules.profiles import profile_names

        if profile not in profile_names():
            fail(ctx, f"--profile {profile!r}: unknown profile; known: {', '.join(profile_names())}",
                 f"--profile {profile!r}：未知的阶段规则；可用：{'、'.join(profile_names())}", EXIT_USAGE)
        extra["profile"] = profile
    if limit_args:
        extra["limits"] = limits
    if integrity_only:
        extra["checks"] = "integrity"
    from edossier.fsutil import Input

    guard_output(ctx, output, [*local_inputs(paths, "the package to validate", "待校验的卷宗包"),
                               Input(trust_path, "the trust list", "信任列表"),
                               Input(Path(ctx.meta["edossier.trust_anchor"]), "the trust anchor", "信任锚")
                               if ctx.meta.get("edossier.trust_anchor") else None,
                               Input(policy_path, "the policy file", "策略文件") if policy_path else None,
                               *(Input(r, "the receipt", "回执") for r in receipts)],
                 ("the report", "报告文件"))
    receipt_findings = []
    if receipts:
        from edossier.receipt import receipts_poe

        if len(paths) != 1:
            fail(ctx, "--receipt needs exactly one package", "--receipt 只能用于一个卷宗包", EXIT_USAGE)
        missing = [r for r in receipts if not r.is_file()]
        if missing:
            fail(ctx, f"{missing[0]}: no such receipt", f"{missing[0]}：回执不存在", EXIT_USAGE)
        extra["poe"], receipt_findings = receipts_poe(receipts, Path(paths[0]), trust=trust, at=when)
    from edossier.batch.executors import LocalExecutor
    from edossier.cli.cmd_stats import make_executor

    executor = make_executor(ctx, min(jobs or os.cpu_count() or 1, len(paths)), scheduler, dask)
    if isinstance(executor, LocalExecutor) and executor.workers == 1:
        # One package at a time in this (single-threaded) process: a forked helper checks documents
        # beside it on the other core (validation/helper.py). With more workers the cores are busy.
        extra.setdefault("document_processes", 1)
    options = ValidateOptions(trust_path, when, policy, extra, trust=trust)  # the list as parsed and verified above
    ahead: TextAhead | None = None  # several packages, text: each part rendered as its result arrives
    try:
        bar, update = rate_bar(ctx, "卷宗包 / packages", "pkg/s", "包/秒", len(paths))

        def progress(done, total, report):
            nonlocal ahead
            if done == 1 and total > 1:
                # The packages are validated in worker processes and this one waits: it imports the
                # report's renderer and the summary's table now instead of after the last package, when
                # the cores would idle, and renders each text part as it arrives.
                renderer(fmt)
                import rich.table  # noqa: F401 - print_summary's (~15 ms of the batch's serial end)
                ahead = TextAhead.for_report(ctx, output) if fmt == "text" else None
            if ahead is not None:
                ahead.add(report)
            update(done, total, report)

        with bar:
            reports = validate_many(paths, options, executor=executor, progress=progress)
        if receipt_findings:  # what the receipts prove (R008) or why they prove nothing (R007) is part of the report
            reports[0].findings += policy.apply(receipt_findings)
            reports[0].settle()
            if ahead is not None:
                ahead.forget(reports[0])
        write_report(ctx, reports, fmt, output, trust_path=trust_path, at=when, trust=trust, ahead=ahead)
        if len(reports) > 1:
            print_summary(ctx, reports)
    finally:
        # After the report: the worker processes end while it is written (LocalExecutor.close says why
        # it waits for them at all)
        executor.close()
    ctx.exit(EXIT_REJECT if any(r.verdict == "reject" for r in reports) else EXIT_OK)

