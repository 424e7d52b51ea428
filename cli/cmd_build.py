"""`edossier build`, `append` and `lint`: making a layer from a source folder, with the preflight
(docs/builder.md). Heavy modules are imported inside."""

from __future__ import annotations

from pathlib import Path

import click

from edossier.cli.main import (EXIT_OK, EXIT_REJECT, EXIT_USAGE, _lang, _tz, collector_paused, fail, guard_output,
                               load_policy_options, load_signer, load_trust, main, rate_bar, say, signer_inputs,
                               stderr_console, with_signer, with_trust_options, write_report)


def _build_checks(ctx, trust_path: Path | None, policy_path: Path | None, allow: tuple[str, ...],
                  profile: str | None = None):
    """The preflight options of build, append and lint (docs/builder.md "Preflight")."""
    from edossier.building.pipeline import BuildChecks
    from edossier.policy import PolicyError
    from edossier.building.preflight import policy_with_allow

    trust = load_trust(ctx, trust_path) if trust_path is not None else None
    policy = load_policy_options(ctx, policy_path, False, ())
    try:
        policy_with_allow(policy, allow)  # refuse an unknown or could-not-check code before any work
    except PolicyError as exc:
        fail(ctx, exc.en, exc.zh, EXIT_USAGE)
    from edossier.building.memory import keep_heap

    # A preflight that only reads and hashes reads each document back into a new buffer: from glibc's heap,
    # kept, instead of fresh mapped pages (building/memory.py: ~0.4 s less system CPU per 1,000 pages,
    # the same peak RSS; the builder calls it only then).
    return BuildChecks(trust=trust, policy=policy, allow=tuple(allow), profile=profile, on_preflight=keep_heap), trust


def _preflight_report(ctx, result_report, fmt: str, trust, *, refused: bool) -> None:
    """Every finding of the preflight: the text report on stderr (stdout stays free for JSON), or the
    JSON report (report schema) on stdout."""
    if fmt == "json":
        write_report(ctx, [result_report], "json", None, trust_path=None, at=None, trust=trust)
    elif result_report.findings or refused:
        from edossier.report.text import render_text

        render_text([result_report], stderr_console(), _lang(ctx), trust=trust.facts() if trust is not None else None,
                    tz=_tz(ctx))


def _run_build(ctx, package: Path | None, source: Path, output: Path, cred, pfile, penv, *,
               ocr: bool = False, ocr_engine: str = "rapidocr", jobs: int | None = None,
               generated_pages: bool = True, trust_path: Path | None = None, policy_path: Path | None = None,
               allow: tuple[str, ...] = (), fmt: str = "text") -> None:
    with collector_paused(ctx):  # the builder's imports at once, the collector paused (start-up, issue 19)
        from edossier.building.documents import OcrOptions
        from edossier.building.pipeline import BuildError, append_layer, build_package
        from edossier.building.preflight import PreflightRefused

    if not source.is_dir():
        fail(ctx, f"{source}: not a folder", f"{source}：不是文件夹", EXIT_USAGE)
    if package is not None and not package.is_file():
        fail(ctx, f"{package}: no such file", f"{package}：文件不存在", EXIT_USAGE)
    if not output.parent.is_dir():
        fail(ctx, f"{output.parent}: the output folder does not exist", f"{output.parent}：输出文件夹不存在", EXIT_USAGE)
    from edossier.fsutil import Input, OutputPathError
    from edossier.building.source import source_inputs

    anchor = ctx.meta.get("edossier.trust_anchor")
    guard_output(ctx, output, [*source_inputs(source),
                               Input(package, "the input package", "输入的卷宗包") if package else None,
                               Input(trust_path, "the trust list", "信任列表") if trust_path else None,
                               Input(Path(anchor), "the trust anchor", "信任锚") if anchor else None,
                               Input(policy_path, "the policy file", "策略文件") if policy_path else None,
                               *signer_inputs(ctx, cred, pfile)], ("the output package", "输出的卷宗包"))
    options = OcrOptions(ocr_engine, jobs) if ocr else None
    if options is not None:
        from edossier.ocr import OcrUnavailable, check_engine

        try:
            check_engine(ocr_engine)
        except OcrUnavailable as exc:
            fail(ctx, exc.en, exc.zh, EXIT_USAGE)
    with collector_paused(ctx):  # the trust list and the credential, with what they import (pyHanko's signers)
        checks, trust = _build_checks(ctx, trust_path, policy_path, allow)
        signer = load_signer(ctx, cred, pfile, penv)
    from edossier.building.memory import fix_mmap_threshold

    fix_mmap_threshold()  # peak RSS stays flat whatever the size of the dossier (docs/performance.md)
    zh = _lang(ctx).startswith("zh")
    bar, update = rate_bar(ctx, "页 / pages", "pages/s", "页/秒")
    with bar:
        def report(done, total, label):
            label = (label[:18] + "…") if len(label) > 19 else label
            update(done, total=total, description=label or ("完成" if zh else "done"))

        kwargs = dict(progress=report, ocr=options, generated_pages=generated_pages, checks=checks)
        try:
            if package is None:
                res = build_package(source, output, signer, **kwargs)
            else:
                res = append_layer(package, source, output, signer, **kwargs)
        except OutputPathError as exc:  # checked above; the library checks again
            fail(ctx, exc.en, exc.zh, EXIT_USAGE)
        except PreflightRefused as exc:
            exc.report.path = str(output)
            _preflight_report(ctx, exc.report, fmt, trust, refused=True)
            fail(ctx, exc.en, exc.zh, EXIT_REJECT)
        except BuildError as exc:
            fail(ctx, exc.en, exc.zh, EXIT_REJECT)
        except OSError as exc:  # the disk is full, the folder not writable…: nothing at the output path
            from edossier.errors import os_reason

            en, zh_reason = os_reason(exc)
            where = exc.filename or output
            fail(ctx, f"could not finish the package: {en} ({where}); nothing was written",
                 f"无法完成卷宗包：{zh_reason}（{where}）；未写出任何文件", EXIT_USAGE)
    for en, zh_msg in res.warnings:
        say(ctx, "warning: " + en, "警告：" + zh_msg, err=True, style="yellow")
    if res.preflight is not None:
        res.preflight.report.path = str(output)
        _preflight_report(ctx, res.preflight.report, fmt, trust, refused=False)
        if res.preflight.allowed:
            codes = ", ".join(res.preflight.allowed)
            say(ctx, f"preflight: allowed by --allow (lowered to warnings): {codes}",
                f"预检：经 --allow 允许（降为警告）：{codes}", err=True, style="yellow")
    rate = res.pages / res.seconds if res.seconds > 0 else 0.0
    gen_en = f" (including {res.generated} generated: cover, contents, remarks)" if res.generated else ""
    gen_zh = f"（含自动生成的封面、目录、备考表 {res.generated} 份）" if res.generated else ""
    checked_en = f", validated before signing in {res.preflight_seconds:.1f} s" if res.preflight is not None else ""
    checked_zh = f"，签名前已校验（{res.preflight_seconds:.1f} 秒）" if res.preflight is not None else ""
    say(ctx, f"Wrote {output}: layer {res.layer}, {res.documents} document(s){gen_en}, {res.pages} page(s), signed "
             f"({res.seconds:.1f} s, {rate:.1f} pages/s{checked_en}).",
        f"已写入 {output}：第 {res.layer} 层，{res.documents} 份文书{gen_zh}，{res.pages} 页，已签名"
        f"（{res.seconds:.1f} 秒，{rate:.1f} 页/秒{checked_zh}）。", err=fmt == "json")


preflight_options = [
    click.option("--trust", "trust_path", type=click.Path(path_type=Path, dir_okay=False),
                 help="Check the signer's role and CA, and the earlier layers, against this trust list "
                      "/ 按该信任列表检查签名人的角色和 CA 以及此前各层"),
    click.option("--policy", "policy_path", type=click.Path(path_type=Path, dir_okay=False),
                 help="Validation policy for the preflight (default: schemas/policy-default.toml) / 预检使用的校验策略"),
    click.option("--allow", multiple=True, metavar="CODE",
                 help="Lower this error to a warning in the preflight (repeatable; never X codes); it is "
                      "reported / 预检中将该错误降为警告（可重复；X 代码除外），并在输出中列出"),
    click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
                 help="How preflight findings are shown (json: the report schema, on stdout) / 预检结果格式"),
]


def with_preflight_options(f):
    for opt in reversed(preflight_options):
        f = opt(f)
    return with_trust_options(f)


build_options = [
    click.option("--ocr", is_flag=True,
                 help="Add an invisible OCR text layer to every scanned page (双层PDF) / 为扫描页加入文字识别层"),
    click.option("--ocr-engine", type=click.Choice(["rapidocr", "tesseract"]), default="rapidocr", show_default=True,
                 help="OCR engine / 文字识别引擎"),
    click.option("--jobs", "-j", type=click.IntRange(1, 256), default=None,
                 help="OCR worker processes (default: every core) / 文字识别并行进程数（默认全部核心）"),
    click.option("--no-generated-pages", "no_generated", is_flag=True,
                 help="Do not write the cover, table of contents and remarks sheet of each volume / "
                      "不生成卷宗封面、卷内目录和备考表"),
]


def with_build_options(f):
    for opt in reversed(build_options):
        f = opt(f)
    return f


@main.command()
@click.argument("source", type=click.Path(path_type=Path, file_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path, dir_okay=False),
              help="The package to write (.edp) / 输出的卷宗包")
@with_signer
@with_build_options
@with_preflight_options
@click.pass_context
def build(ctx, source, output, cred, passphrase_file, passphrase_env, ocr, ocr_engine, jobs, no_generated,
          trust_path, policy_path, allow, fmt):
    """Build a new package from SOURCE/dossier.toml, validate it, and sign it only if validate would
    accept it (exit 1 with every finding otherwise). / 由源文件夹生成卷宗包，校验通过后才签署。"""
    _run_build(ctx, None, source, output, cred, passphrase_file, passphrase_env, ocr=ocr, ocr_engine=ocr_engine,
               jobs=jobs, generated_pages=not no_generated, trust_path=trust_path, policy_path=policy_path,
               allow=allow, fmt=fmt)


@main.command()
@click.argument("package", type=click.Path(path_type=Path, dir_okay=False))
@click.argument("source", type=click.Path(path_type=Path, file_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path, dir_okay=False),
              help="The new package to write; PACKAGE itself is never changed / 输出的新卷宗包（原卷宗包不会被修改）")
@with_signer
@with_build_options
@with_preflight_options
@click.pass_context
def append(ctx, package, source, output, cred, passphrase_file, passphrase_env, ocr, ocr_engine, jobs, no_generated,
           trust_path, policy_path, allow, fmt):
    """Add the next agency's layer to PACKAGE, signed only if validate would accept the result.
    / 为卷宗包追加下一个机关的层，校验通过后才签署。"""
    _run_build(ctx, package, source, output, cred, passphrase_file, passphrase_env, ocr=ocr, ocr_engine=ocr_engine,
               jobs=jobs, generated_pages=not no_generated, trust_path=trust_path, policy_path=policy_path,
               allow=allow, fmt=fmt)


@main.command()
@click.argument("source", type=click.Path(path_type=Path, file_okay=False))
@click.option("--base", "base", type=click.Path(path_type=Path, dir_okay=False),
              help="The package this source would be appended to / 该源文件夹将追加到的卷宗包")
@click.option("--profile", "profile", metavar="NAME",
              help="Also check this stage profile (schemas/profiles/NAME.toml) / 同时按该阶段规则检查")
@click.option("--no-generated-pages", "no_generated", is_flag=True,
              help="As build --no-generated-pages / 同 build --no-generated-pages")
@with_preflight_options
@click.pass_context
def lint(ctx, source, base, profile, no_generated, trust_path, policy_path, allow, fmt):
    """Check a build source without a credential and without writing anything: every problem of
    SOURCE at once, then the preflight of the layer it would make. Exit 0 when build would go ahead,
    1 when it would be refused. / 不签名、不写文件地检查源文件夹：一次列出全部问题。"""
    from edossier.building.pipeline import BuildError, lint_source

    if not source.is_dir():
        fail(ctx, f"{source}: not a folder", f"{source}：不是文件夹", EXIT_USAGE)
    if base is not None and not base.is_file():
        fail(ctx, f"{base}: no such file", f"{base}：文件不存在", EXIT_USAGE)
    if profile is not None:
        from edossier.caserules.profiles import profile_names

        if profile not in profile_names():
            fail(ctx, f"--profile {profile!r}: unknown profile; known: {', '.join(profile_names())}",
                 f"--profile {profile!r}：未知的阶段规则；可用：{'、'.join(profile_names())}", EXIT_USAGE)
    checks, trust = _build_checks(ctx, trust_path, policy_path, allow, profile)
    try:
        result = lint_source(source, base=base, checks=checks, generated_pages=not no_generated)
    except BuildError as exc:
        fail(ctx, exc.en, exc.zh, EXIT_REJECT)
    result.report.path = str(source)
    _preflight_report(ctx, result.report, fmt, trust, refused=not result.passed)
    n = len(result.blocking)
    if n:
        say(ctx, f"lint: build would be refused: {n} error(s).", f"检查：生成将被拒绝：{n} 个错误。", err=True, style="red")
        ctx.exit(EXIT_REJECT)
    say(ctx, "lint: no error; build would sign this layer.", "检查：没有错误；可以生成并签署该层。", err=True, style="green")
    ctx.exit(EXIT_OK)
