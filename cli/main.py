"""The `edossier` command line (click). Exit codes: 0 = success / accept, 1 = rejected or refused
input, 2 = could not run (usage error, unreadable path)."""

from __future__ import annotations

import datetime as dt
import os
import signal
import sys
from pathlib import Path

import click
from rich.console import Console

from edossier.i18n import t
from edossier.logs import quiet_libraries

EXIT_OK, EXIT_REJECT, EXIT_USAGE = 0, 1, 2

err_console = Console(stderr=True, highlight=False)


def default_lang() -> str:
    for var in ("EDOSSIER_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value:
            return "zh-CN" if value.lower().startswith("zh") else "en"
    return "en"


def _lang(ctx: click.Context) -> str:
    root = ctx.find_root()
    return (root.obj or {}).get("lang") or default_lang()


def _tz(ctx: click.Context):
    """The display zone of human-readable output (global --tz; Asia/Shanghai by default)."""
    from edossier.timefmt import zone

    return zone((ctx.find_root().obj or {}).get("tz"))


def say(ctx, en: str, zh: str, *, err: bool = False, style: str | None = None) -> None:
    text = zh if _lang(ctx).startswith("zh") else en
    console = err_console if err else Console(highlight=False)
    console.print(text, style=style, markup=False, soft_wrap=True)


def fail(ctx, en: str, zh: str, code: int) -> None:
    say(ctx, "error: " + en, "错误：" + zh, err=True, style="red")
    ctx.exit(code)


def hoist_global_options(args: list[str]) -> list[str]:
    """Move the global options `--lang X` and `--tz ZONE` (also `--opt=X`) given after the command name to
    the front, where the group reads them: users type `edossier validate PKG --lang zh-CN` (#16). No
    command has a `--lang` or `--tz` of its own, and nothing after `--` (the end of options) is touched."""
    args = list(args)
    end = args.index("--") if "--" in args else len(args)
    front: list[str] = []
    rest: list[str] = []
    i = 0
    while i < end:
        arg = args[i]
        if arg.startswith(("--lang=", "--tz=")):
            front.append(arg)
        elif arg in ("--lang", "--tz"):
            front.append(arg)
            if i + 1 < end:
                front.append(args[i + 1])
                i += 1
        else:
            rest.append(arg)
        i += 1
    return front + rest + args[end:]


class _ChineseUsageError(click.UsageError):
    """A usage error shown in Chinese: click's messages exist in English only (#16)."""

    def show(self, file=None) -> None:
        from edossier.i18n.usage import usage_message

        command = "edossier" + (" " + " ".join(self.ctx.command_path.split()[1:]) if self.ctx else "")
        err_console.print(t("usage.error", "zh-CN", message=usage_message(self.message, "zh-CN")), style="red",
                          markup=False, soft_wrap=True)
        err_console.print(t("usage.hint", "zh-CN", command=command.strip()), markup=False, soft_wrap=True)


def _usage_lang(args) -> str:
    front = hoist_global_options(list(args or []))
    for i, arg in enumerate(front):
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
        if arg == "--lang" and i + 1 < len(front):
            return front[i + 1]
    return default_lang()


class _Root(click.Group):
    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, hoist_global_options(args))

    def make_context(self, info_name, args, parent=None, **extra):
        lang = _usage_lang(args)
        try:
            ctx = super().make_context(info_name, args, parent=parent, **extra)
        except click.UsageError as exc:
            if lang.startswith("zh"):
                raise _ChineseUsageError(exc.format_message(), exc.ctx) from None
            raise
        return ctx

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            # the group's callback (which records --lang) has not run when the command name is unknown
            lang = ctx.find_root().params.get("lang") or _lang(ctx)
            if lang.startswith("zh") and not isinstance(exc, _ChineseUsageError):
                raise _ChineseUsageError(exc.format_message(), exc.ctx) from None
            raise


@click.group(cls=_Root, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--lang", type=click.Choice(["zh-CN", "en"]), default=None,
              help="Language of messages (default from the locale); may also follow the command name / "
                   "输出语言（默认取自系统区域设置）；也可写在命令名之后")
@click.option("--tz", "tz", metavar="ZONE", default=None,
              help="Time zone of times in human-readable output (IANA name or ±HH:MM; default Asia/Shanghai). "
                   "JSON keeps ISO 8601 with offset / 人读输出中的时区（默认 Asia/Shanghai，北京时间）")
@click.version_option(package_name="edossier")
@click.pass_context
def main(ctx: click.Context, lang: str | None, tz: str | None) -> None:
    """edossier: build, sign, append and validate electronic criminal case files (电子卷宗).

    Exit codes / 退出码: 0 accept or success / 接收或成功, 1 reject or refused input / 拒收或输入被拒,
    2 could not run / 无法运行.
    """
    ctx.ensure_object(dict)
    ctx.obj["lang"] = lang or default_lang()
    if tz is not None:
        from edossier.timefmt import UnknownZoneError, zone

        try:
            zone(tz)  # refuse an unknown zone before any work
        except UnknownZoneError as exc:
            fail(ctx, exc.en, exc.zh, EXIT_USAGE)
    ctx.obj["tz"] = tz
    quiet_libraries()


def _passphrase(ctx, cred: Path, passphrase_file: Path | None, passphrase_env: str | None) -> bytes | None:
    if passphrase_file:
        try:
            return passphrase_file.read_bytes().rstrip(b"\r\n")
        except OSError as exc:
            fail(ctx, f"cannot read passphrase file {passphrase_file}: {exc.strerror}",
                 f"无法读取口令文件 {passphrase_file}：{exc.strerror}", EXIT_USAGE)
    if passphrase_env:
        value = os.environ.get(passphrase_env)
        if value is None:
            fail(ctx, f"environment variable {passphrase_env} is not set", f"环境变量 {passphrase_env} 未设置", EXIT_USAGE)
        return value.encode()
    return None


def load_signer(ctx, cred: Path, passphrase_file, passphrase_env):
    """The signing credential, with the --tsa and --crl choices attached (see `signer_options`).

    Unless --no-crl, the CRLs of the signer's path are fetched from its certificates' distribution
    points (signing/revocation.py) and embedded with any --crl files: long-term validation data."""
    from edossier.signing.cades import CredentialError, load_credential, load_crls
    from edossier.signing.revocation import RevocationError, credential_chain, fetch_crls

    passphrase = _passphrase(ctx, cred, passphrase_file, passphrase_env)
    extras = ctx.find_root().obj
    try:
        try:
            credential = load_credential(cred, passphrase)
        except CredentialError as exc:
            if not (passphrase is None and "passphrase" in exc.en and sys.stdin.isatty()):
                raise
            typed = click.prompt("PKCS#12 passphrase / 口令", hide_input=True, default="", show_default=False)
            credential = load_credential(cred, typed.encode())
        given = load_crls(extras.get("crl_files", ()))
        fetched = [] if extras.get("no_crl") else fetch_crls(credential_chain(credential), given=given)
        credential.crls = tuple(dict.fromkeys([*given, *fetched]))
    except (CredentialError, RevocationError) as exc:
        fail(ctx, exc.en, exc.zh, EXIT_USAGE)
    credential.tsa_url = extras.get("tsa_url")
    return credential


def _remember(key):
    def callback(ctx, param, value):
        ctx.find_root().obj[key] = value
        return value
    return callback


signer_options = [
    click.option("--signer", "cred", required=True, type=click.Path(path_type=Path, dir_okay=False),
                 help="PKCS#12 signing credential / PKCS#12 签名凭据"),
    click.option("--passphrase-file", type=click.Path(path_type=Path, dir_okay=False),
                 help="Read the credential's passphrase from this file / 从文件读取凭据口令"),
    click.option("--passphrase-env", metavar="VAR",
                 help="Read the credential's passphrase from this environment variable / 从环境变量读取凭据口令"),
    click.option("--tsa", metavar="URL", expose_value=False, callback=_remember("tsa_url"),
                 help="RFC 3161 time-stamping service: sign CAdES-B-T / 时间戳服务地址（生成 CAdES-B-T 签名）"),
    click.option("--crl", metavar="FILE", multiple=True, expose_value=False, callback=_remember("crl_files"),
                 type=click.Path(path_type=Path, dir_okay=False),
                 help="CRL to embed in the signature, repeatable; a certificate it covers is not fetched for "
                      "/ 嵌入签名的证书吊销列表（可多次指定）"),
    click.option("--no-crl", is_flag=True, expose_value=False, callback=_remember("no_crl"),
                 help="Do not fetch the CRLs of the signer's path from its distribution points (by default "
                      "they are embedded: long-term validation data) / 不获取并嵌入签名者证书路径的吊销列表"),
]


def with_signer(f):
    for opt in reversed(signer_options):
        f = opt(f)
    return f


def signer_inputs(ctx, cred: Path, passphrase_file: Path | None) -> list:
    """The files a signing command reads besides its main input: the credential, the passphrase
    file and any --crl files (`fsutil.Input`s, for `guard_output`)."""
    from edossier.fsutil import Input

    crls = ctx.find_root().obj.get("crl_files") or ()
    return [Input(cred, "the signing credential", "签名凭据"),
            Input(passphrase_file, "the passphrase file", "口令文件") if passphrase_file else None,
            *(Input(c, "the CRL file", "吊销列表文件") for c in crls)]


def local_inputs(locations, en: str, zh: str) -> list:
    """`Input`s for the local files among package locations (URLs and folders are skipped: a folder
    argument is searched for packages, which are listed themselves)."""
    from edossier.batch import storage
    from edossier.fsutil import Input

    out = []
    for loc in locations:
        path = storage.local_path(str(loc))
        if path is not None and path.is_file():
            out.append(Input(path, en, zh))
    return out


def guard_output(ctx, output: Path | None, inputs, what: tuple[str, str] = ("the output", "输出文件"),
                 *, folder: bool = False) -> None:
    """Exit 2 with a message naming the input when `output` would overwrite one of `inputs`
    (docs/builder.md "Output paths")."""
    from edossier.fsutil import OutputPathError, guard_output as guard

    if output is None:
        return
    try:
        guard(output, inputs, what=what, folder=folder)
    except OutputPathError as exc:
        fail(ctx, exc.en, exc.zh, EXIT_USAGE)


def rate_bar(ctx, description: str, unit_en: str, unit_zh: str, total: int | None = None):
    """A progress bar on stderr: done of total, items per second and time left; nothing at all when
    stderr is not a terminal. Returns (bar, update); update(done, total=..., description=...)."""
    import time

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    unit = unit_zh if _lang(ctx).startswith("zh") else unit_en
    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                   TextColumn("{task.fields[rate]}"), TimeRemainingColumn(),
                   console=err_console, transient=True, disable=not err_console.is_terminal)
    task = bar.add_task(description, total=total, rate="")
    started = time.monotonic()

    def update(done: int, *_, **fields):
        elapsed = time.monotonic() - started
        bar.update(task, completed=done, rate=f"{done / elapsed:.1f} {unit}" if done and elapsed > 0 else "",
                   **fields)

    return bar, update


def _stash_trust_option(ctx, param, value):
    ctx.meta[f"edossier.{param.name}"] = value
    return value


#: Options of every command that takes --trust (docs/signatures.md "Signed trust lists"); they are
#: kept in ctx.meta and read by load_trust, so commands need no extra parameters.
trust_options = [
    click.option("--trust-anchor", "trust_anchor", type=click.Path(path_type=Path, dir_okay=False),
                  envvar="EDOSSIER_TRUST_ANCHOR", expose_value=False, callback=_stash_trust_option,
                  help="Certificate (PEM or DER) of the trust-list operator, or of the CA that issued it; "
                       "default: $EDOSSIER_TRUST_ANCHOR / 信任列表运营方证书（或其签发 CA 证书）"),
    click.option("--allow-unsigned-trust", "allow_unsigned_trust", is_flag=True, expose_value=False,
                 callback=_stash_trust_option,
                 help="Use a trust list whose signature is absent or not checked; every report records "
                      "it (T001) / 允许使用未签名或未验证的信任列表（报告中记录 T001）"),
    click.option("--allow-expired-trust", "allow_expired_trust", is_flag=True, expose_value=False,
                 callback=_stash_trust_option,
                 help="Use a trust list past its nextUpdate; every report records it (T002) "
                      "/ 允许使用已过下次更新时间的信任列表（报告中记录 T002）"),
]


def with_trust_options(f):
    for opt in reversed(trust_options):
        f = opt(f)
    return f


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
    return BuildChecks(trust=trust, policy=policy, allow=tuple(allow), profile=profile), trust


def _preflight_report(ctx, result_report, fmt: str, trust, *, refused: bool) -> None:
    """Every finding of the preflight: the text report on stderr (stdout stays free for JSON), or the
    JSON report (report schema) on stdout."""
    if fmt == "json":
        write_report(ctx, [result_report], "json", None, trust_path=None, at=None, trust=trust)
    elif result_report.findings or refused:
        from edossier.report.text import render_text

        render_text([result_report], err_console, _lang(ctx), trust=trust.facts() if trust is not None else None,
                    tz=_tz(ctx))


def _run_build(ctx, package: Path | None, source: Path, output: Path, cred, pfile, penv, *,
               ocr: bool = False, ocr_engine: str = "rapidocr", jobs: int | None = None,
               generated_pages: bool = True, trust_path: Path | None = None, policy_path: Path | None = None,
               allow: tuple[str, ...] = (), fmt: str = "text") -> None:
    from edossier.building.pipeline import BuildError, OcrOptions, append_layer, build_package
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
    checks, trust = _build_checks(ctx, trust_path, policy_path, allow)
    signer = load_signer(ctx, cred, pfile, penv)
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


def _parse_time(ctx, value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    try:
        when = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        fail(ctx, f"--at {value!r}: use ISO 8601, e.g. 2026-11-20T09:00:00+08:00",
             f"--at {value!r}：请使用 ISO 8601 格式，例如 2026-11-20T09:00:00+08:00", EXIT_USAGE)
    return when if when.tzinfo else when.astimezone()


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


def load_trust(ctx, path: Path):
    """The trust list at `path`, verified against --trust-anchor (or $EDOSSIER_TRUST_ANCHOR) unless
    --allow-unsigned-trust; a list that cannot be used ends the command with exit 2."""
    from edossier.signing.trustlist import TrustListError, load_trustlist

    if not path.is_file():
        fail(ctx, f"{path}: no such trust list", f"{path}：信任列表不存在", EXIT_USAGE)
    anchor = ctx.meta.get("edossier.trust_anchor")
    if anchor is not None and not Path(anchor).is_file():
        fail(ctx, f"--trust-anchor {anchor}: no such file", f"--trust-anchor {anchor}：文件不存在", EXIT_USAGE)
    try:
        return load_trustlist(path, anchor=anchor,
                              allow_unsigned=bool(ctx.meta.get("edossier.allow_unsigned_trust")),
                              allow_expired=bool(ctx.meta.get("edossier.allow_expired_trust")))
    except TrustListError as exc:
        fail(ctx, f"trust list {path}: {exc.en}", f"信任列表 {path}：{exc.zh}", EXIT_USAGE)


FORMATS = ["text", "json", "junit", "sarif", "html"]


def load_policy_options(ctx, policy_path: Path | None, strict: bool, suppress: tuple[str, ...]):
    from edossier.policy import Policy, PolicyError, load_policy

    try:
        policy = load_policy(policy_path) if policy_path else Policy()
        return policy.with_options(strict=strict, suppress=suppress)
    except PolicyError as exc:
        fail(ctx, exc.en, exc.zh, EXIT_USAGE)


def write_report(ctx, reports, fmt: str, output: Path | None, *, trust_path: Path, at, trust=None) -> None:
    """Render `reports` in `fmt` to `output` (atomically) or to standard output. `trust` (the loaded
    TrustList) puts the list's digest, sequence number and signer into every format."""
    lang = _lang(ctx)
    facts = trust.facts() if trust is not None else None
    if fmt == "text":
        if output:
            from edossier.fsutil import atomic_output
            from edossier.report.text import render_text

            with atomic_output(output) as tmp, open(tmp, "w", encoding="utf-8") as fh:
                render_text(reports, Console(file=fh, width=120, no_color=True), lang, trust=facts, tz=_tz(ctx))
        else:
            from edossier.report.text import render_text

            render_text(reports, Console(highlight=False), lang, trust=facts, tz=_tz(ctx))
        return
    if fmt == "json":
        from edossier.report.json_report import render_json

        text = render_json(reports, trust_path=str(trust_path), at=at, trust=facts)
    elif fmt == "junit":
        from edossier.report.junit import render_junit

        text = render_junit(reports, lang=lang, trust=facts)
    elif fmt == "sarif":
        from edossier.report.sarif import render_sarif

        text = render_sarif(reports, lang=lang, trust=facts)
    else:
        from edossier.report.html import render_html

        text = render_html(reports, lang=lang, trust=facts, tz=_tz(ctx))
    if output:
        from edossier.fsutil import atomic_write_bytes

        atomic_write_bytes(output, text.encode("utf-8"))
    else:
        click.echo(text, nl=not text.endswith("\n"))


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
    err_console.print(table)
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
    from edossier.batch import storage
    from edossier.batch.many import ValidateOptions, validate_many

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
    options = ValidateOptions(trust_path, when, policy, extra, trust=trust)  # the list as parsed and verified above
    from edossier.cli.cmd_stats import make_executor

    executor = make_executor(ctx, min(jobs or os.cpu_count() or 1, len(paths)), scheduler, dask)
    try:
        bar, update = rate_bar(ctx, "卷宗包 / packages", "pkg/s", "包/秒", len(paths))
        with bar:
            reports = validate_many(paths, options, executor=executor, progress=update)
    finally:
        executor.close()
    if receipt_findings:  # what the receipts prove (R008) or why they prove nothing (R007) is part of the report
        reports[0].findings += policy.apply(receipt_findings)
        reports[0].settle()
    write_report(ctx, reports, fmt, output, trust_path=trust_path, at=when, trust=trust)
    if len(reports) > 1:
        print_summary(ctx, reports)
    ctx.exit(EXIT_REJECT if any(r.verdict == "reject" for r in reports) else EXIT_OK)


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


@main.group()
def keys():
    """Signing keys and trust lists. / 签名密钥与信任列表。"""


@keys.command("demo")
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False))
@click.option("--rsa", is_flag=True, help="RSA 3072 keys instead of ECDSA P-256 / 使用 RSA 3072 密钥")
@click.option("--force", is_flag=True, help="Overwrite an existing demo PKI / 覆盖已有的演示 PKI")
@click.option("--crl-url", "crl_url", metavar="BASE",
              help="Put http://127.0.0.1:PORT/ (or localhost) CRL distribution points into the certificates "
                   "instead of file: URLs; serve them with `keys serve-crl` / 证书中使用本机 http 吊销列表分发点")
@click.pass_context
def keys_demo(ctx, directory, rsa, force, crl_url):
    """Make a demo PKI: root CA, one CA per agency role, CRLs, one PKCS#12 credential per agency, and a
    trust list. For demonstration and testing only. / 生成演示 PKI（仅供演示和测试）。"""
    from edossier.demo.pki import make_demo_pki

    if crl_url is not None:
        from urllib.parse import urlsplit

        from edossier.signing.revocation import LOCAL_HOSTS

        parts = urlsplit(crl_url)
        if parts.scheme != "http" or (parts.hostname or "") not in LOCAL_HOSTS:
            fail(ctx, f"--crl-url {crl_url}: use an http URL on the loopback interface, e.g. http://127.0.0.1:3181/",
                 f"--crl-url {crl_url}：请使用本机回环地址的 http URL，例如 http://127.0.0.1:3181/", EXIT_USAGE)
    directory.mkdir(parents=True, exist_ok=True)
    try:
        pki = make_demo_pki(directory, key_type="rsa" if rsa else "ec", overwrite=force, crl_base_url=crl_url)
    except FileExistsError:
        fail(ctx, f"{directory} already holds a trust list; use --force to replace it",
             f"{directory} 中已有信任列表；如需覆盖请加 --force", EXIT_USAGE)
    say(ctx, f"Demo PKI written to {directory} (trust list: {pki.trustlist_path}, signed; its anchor: "
             f"{pki.anchor_path}). Not for real cases.",
        f"演示 PKI 已写入 {directory}（信任列表：{pki.trustlist_path}，已签名；信任锚：{pki.anchor_path}）。不得用于真实案件。")


@main.command()
@click.option("--workdir", type=click.Path(path_type=Path, file_okay=False), default=Path("edossier-demo"),
              show_default=True, help="Where to write the demo PKI and packages / 演示文件的输出目录")
@click.pass_context
def demo(ctx, workdir):
    """The main job on the bundled sample case: PKI, police, procuratorate and court layers, validate,
    then a tampered copy. / 用内置样例演示完整流程。"""
    from edossier.building.pipeline import BuildError
    from edossier.demo.run import run_demo
    from edossier.fsutil import OutputPathError
    from edossier.report.text import render_text

    try:
        result = run_demo(workdir, lambda en, zh: say(ctx, en, zh))
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


# Commands that live in their own modules register themselves on `main` when imported.
from edossier.cli import cmd_case, cmd_conformance, cmd_export, cmd_keys, cmd_pdfa, cmd_receipt, cmd_serve, cmd_stats, cmd_trust  # noqa: E402,F401,I001,E501


def run() -> None:
    """Console entry point: an unexpected error is reported in one line, never as a traceback."""
    # `kill` (SIGTERM) unwinds like Ctrl-C, so temporary files and spool folders are removed on the way out.
    signal.signal(signal.SIGTERM, lambda signum, _frame: sys.exit(128 + signum))
    try:
        main(standalone_mode=True)
    except Exception as exc:  # noqa: BLE001 - last line of defence for the "no traceback" promise
        err_console.print(f"internal error / 内部错误: {type(exc).__name__}: {exc}", style="red", markup=False)
        if os.environ.get("EDOSSIER_DEBUG"):
            raise
        sys.exit(EXIT_USAGE)


if __name__ == "__main__":
    # Run through the importable module, where the command modules registered their commands.
    from edossier.cli.main import run as _run

    _run()
