"""The `edossier` command line (click). Exit codes: 0 = success / accept, 1 = rejected or refused
input, 2 = could not run (usage error, unreadable path)."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import os
import signal
import sys
from pathlib import Path

import click

from edossier.i18n import t
from edossier.logs import quiet_libraries

EXIT_OK, EXIT_REJECT, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED = 128 + 2  # Ctrl-C (SIGINT); `kill` (SIGTERM) ends with 128 + 15 (run)

_ERR_CONSOLE = None


def stderr_console():
    """The rich console on standard error, made (and rich imported, ~14 ms) on first use: a batch
    validation's parent needs it only after its workers have started (issue 19)."""
    global _ERR_CONSOLE
    if _ERR_CONSOLE is None:
        from rich.console import Console

        _ERR_CONSOLE = Console(stderr=True, highlight=False)
    return _ERR_CONSOLE


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
    console = stderr_console() if err else _text_console()
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
        stderr_console().print(t("usage.error", "zh-CN", message=usage_message(self.message, "zh-CN")), style="red",
                          markup=False, soft_wrap=True)
        stderr_console().print(t("usage.hint", "zh-CN", command=command.strip()), markup=False, soft_wrap=True)


def _usage_lang(args) -> str:
    front = hoist_global_options(list(args or []))
    for i, arg in enumerate(front):
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
        if arg == "--lang" and i + 1 < len(front):
            return front[i + 1]
    return default_lang()


#: Command name → the module under edossier.cli that defines it. A module is imported when one of its
#: commands is looked up, so `edossier validate` does not pay for importing the other twelve (start-up,
#: issue 19); `--help` lists every name and so imports them all. tests/test_startup_imports.py checks
#: this table against what the modules register.
COMMAND_MODULES = {
    "append": "cmd_build", "build": "cmd_build", "conformance": "cmd_conformance", "deadlines": "cmd_case",
    "demo": "cmd_demo", "export": "cmd_export", "inspect": "cmd_inspect", "keys": "cmd_keys", "lint": "cmd_build",
    "log": "cmd_case", "node-user": "cmd_serve", "pdfa": "cmd_pdfa", "receipt": "cmd_receipt", "serve": "cmd_serve",
    "stats": "cmd_stats", "submit": "cmd_serve", "trust": "cmd_trust", "validate": "cmd_validate",
    "validate-receipt": "cmd_receipt",
}


def _version_message() -> str:
    """`edossier --version`: the version, and which JPEG integrity check runs (the C loops built at install,
    or the pure-Python fallback, ~25x slower a scan: README "Install"). Found without importing the
    check itself, so that every other command starts as fast as before."""
    import importlib.util

    built = importlib.util.find_spec("edossier.pdfa._jpegscan") is not None
    jpeg = "C (edossier.pdfa._jpegscan)" if built else "pure Python (no C compiler at install: slower, same results)"
    return f"%(prog)s, version %(version)s\nJPEG integrity check: {jpeg}"


class _Root(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(COMMAND_MODULES) | set(self.commands))

    def get_command(self, ctx: click.Context, name: str):
        if name not in self.commands and name in COMMAND_MODULES:
            import importlib

            importlib.import_module(f"edossier.cli.{COMMAND_MODULES[name]}")  # registers its commands on `main`
        return super().get_command(ctx, name)

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
        except KeyboardInterrupt:
            # Ctrl-C, after every `with` and `finally` on the way out has removed what the command had
            # half-written. Status 128 + SIGINT, as a shell reports it (and as `kill` gives 128 + 15),
            # so that a script cannot take an interrupted `validate` for a rejection (status 1), which
            # click's own "Aborted!" would give.
            stderr_console().print("interrupted / 已中断", style="red", markup=False)
            ctx.exit(EXIT_INTERRUPTED)
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
@click.version_option(package_name="edossier", message=_version_message())
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


@contextlib.contextmanager
def collector_paused(ctx: click.Context | None = None):
    """Run the block (a command's imports) with the garbage collector off, then freeze what exists.

    Importing the validator creates some 76,000 objects the collector tracks (modules, classes, functions)
    that live as long as the process; it would traverse them again and again while they are made (~50 ms
    of a one-page validate, issue 19), and at every later full collection. Frozen (gc.freeze), they are
    never traversed again; objects made after the block are collected as usual. (The imports leave ~90
    unreachable objects behind, which stay frozen with the rest.)

    With `ctx`, in a process that runs commands in turn (tests, CliRunner: anything but the console
    entry point `run`), everything is unfrozen when the command's context closes, so that garbage frozen
    with the rest becomes collectable again. `run` leaves it frozen: the process ends with the command
    (without the interpreter's teardown, `_end`)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if ctx is not None and not _ONE_COMMAND_PROCESS:
            ctx.call_on_close(gc.unfreeze)
        if enabled:
            gc.enable()


_ONE_COMMAND_PROCESS = False  # set by `run`, the console entry point: the process ends with the command


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


def _maybe_terminal() -> bool:
    """False only where rich's Console.is_terminal is sure to be False for standard error (it is True only
    for a tty, TTY_COMPATIBLE=1 or FORCE_COLOR set): then rich need not be imported to find out."""
    try:
        tty = sys.stderr.isatty()
    except (AttributeError, ValueError):
        tty = False
    return tty or os.environ.get("TTY_COMPATIBLE") == "1" or os.environ.get("FORCE_COLOR") is not None


def rate_bar(ctx, description: str, unit_en: str, unit_zh: str, total: int | None = None):
    """A progress bar on stderr: done of total, items per second and time left; nothing at all when
    stderr is not a terminal. Returns (bar, update); update(done, total=..., description=...)."""
    import time

    if not _maybe_terminal() or not stderr_console().is_terminal:  # nothing to show, nothing more imported
        import contextlib

        return contextlib.nullcontext(), lambda *_, **__: None
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    unit = unit_zh if _lang(ctx).startswith("zh") else unit_en
    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                   TextColumn("{task.fields[rate]}"), TimeRemainingColumn(),
                   console=stderr_console(), transient=True)
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


def _parse_time(ctx, value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    try:
        when = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        fail(ctx, f"--at {value!r}: use ISO 8601, e.g. 2026-11-20T09:00:00+08:00",
             f"--at {value!r}：请使用 ISO 8601 格式，例如 2026-11-20T09:00:00+08:00", EXIT_USAGE)
    return when if when.tzinfo else when.astimezone()



def load_trust(ctx, path: Path):
    """The trust list at `path`, verified against --trust-anchor (or $EDOSSIER_TRUST_ANCHOR) unless
    --allow-unsigned-trust; a list that cannot be used ends the command with exit 2."""
    from edossier.signing.trustlist import load_trustlist
    from edossier.signing.trustlist_model import TrustListError

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



def load_policy_options(ctx, policy_path: Path | None, strict: bool, suppress: tuple[str, ...]):
    from edossier.policy import Policy, PolicyError, load_policy

    try:
        policy = load_policy(policy_path) if policy_path else Policy()
        return policy.with_options(strict=strict, suppress=suppress)
    except PolicyError as exc:
        fail(ctx, exc.en, exc.zh, EXIT_USAGE)


# The module that renders each report format (imported on first use: start-up of a one-page validate).
_RENDERERS = {"text": ("edossier.report.text", "render_text"), "json": ("edossier.report.json_report", "render_json"),
              "junit": ("edossier.report.junit", "render_junit"), "sarif": ("edossier.report.sarif", "render_sarif"),
              "html": ("edossier.report.html", "render_html")}


def renderer(fmt: str):
    """The render function of report format `fmt` (its module imported now if it was not)."""
    import importlib

    module, name = _RENDERERS.get(fmt, _RENDERERS["html"])
    return getattr(importlib.import_module(module), name)


def _text_console(file=None) -> Console:
    """The console that messages and text reports are printed on: standard output, or a file (fixed width,
    no colour)."""
    from rich.console import Console

    return Console(file=file, width=120, no_color=True) if file is not None else Console(highlight=False)


class TextAhead:
    """A text report's package parts, each rendered when that package's result arrives: a batch's parent
    renders while the workers run, instead of after the last package with both cores idle (issue 19).
    A part is exactly what the report's console would have printed (rich's Console.capture), written
    unchanged at the end, in input order, by write_report."""

    def __init__(self, lang: str, tz, console: Console):
        self.lang, self.tz, self.console = lang, tz, console
        self.parts: dict[int, str] = {}  # id(report) -> its part (the reports live until written)

    @classmethod
    def for_report(cls, ctx, output: Path | None) -> "TextAhead":
        """For the report write_report will write: to `output` (whose console gets the real, atomic file
        at the end) or to standard output."""
        import io

        return cls(_lang(ctx), _tz(ctx), _text_console(io.StringIO() if output else None))

    def add(self, report) -> None:
        from edossier.report.text import render_package

        with self.console.capture() as captured:
            render_package(report, self.console, self.lang, tz=self.tz)
        self.parts[id(report)] = captured.get()

    def forget(self, report) -> None:
        """`report` changed after it was rendered (e.g. findings added): render it again at the end."""
        self.parts.pop(id(report), None)

    def write(self, reports, trust: dict | None) -> None:
        """The whole report on this console: the trust line, then each package's part, rendered now where
        none was rendered ahead (with no part at all, exactly report.text.render_text)."""
        from edossier.report.text import render_package, render_trust_line

        render_trust_line(self.console, self.lang, trust=trust)
        for rep in reports:
            part = self.parts.get(id(rep))
            if part is None:
                render_package(rep, self.console, self.lang, tz=self.tz)
            else:
                self.console.file.write(part)


def write_report(ctx, reports, fmt: str, output: Path | None, *, trust_path: Path, at, trust=None,
                 ahead: TextAhead | None = None) -> None:
    """Render `reports` in `fmt` to `output` (atomically) or to standard output. `trust` (the loaded
    TrustList) puts the list's digest, sequence number and signer into every format. `ahead` holds text
    parts already rendered while the packages were validated."""
    lang = _lang(ctx)
    facts = trust.facts() if trust is not None else None
    if fmt == "text":
        ahead = ahead or TextAhead.for_report(ctx, output)
        if output:
            from edossier.fsutil import atomic_output

            with atomic_output(output) as tmp, open(tmp, "w", encoding="utf-8") as fh:
                ahead.console.file = fh
                ahead.write(reports, facts)
        else:
            ahead.write(reports, facts)
        return
    render = renderer(fmt)
    if fmt == "json":
        text = render(reports, trust_path=str(trust_path), at=at, trust=facts)
    elif fmt in ("junit", "sarif"):
        text = render(reports, lang=lang, trust=facts)
    else:
        text = render(reports, lang=lang, trust=facts, tz=_tz(ctx))
    if output:
        from edossier.fsutil import atomic_write_bytes

        atomic_write_bytes(output, text.encode("utf-8"))
    else:
        click.echo(text, nl=not text.endswith("\n"))


def all_commands() -> dict[str, click.Command]:
    """Every top-level command by name, each module imported (commands register themselves on `main` when
    their module is imported; `_Root.get_command` imports on demand)."""
    return {name: main.get_command(None, name) for name in main.list_commands(None)}


def run() -> None:
    """Console entry point: an unexpected error is reported in one line, never as a traceback."""
    # `kill` (SIGTERM) unwinds like Ctrl-C, so temporary files and spool folders are removed on the way out.
    signal.signal(signal.SIGTERM, lambda signum, _frame: sys.exit(128 + signum))
    global _ONE_COMMAND_PROCESS
    _ONE_COMMAND_PROCESS = True
    try:
        main(standalone_mode=True)
    except SystemExit as exc:  # how click ends every command, with its exit code
        _end(exc.code)
    except OSError as exc:  # the machine, not edossier: a full disk, a missing folder, a permission
        from edossier.errors import os_reason

        en, zh = os_reason(exc)
        where = f" ({exc.filename})" if exc.filename else ""
        where_zh = f"（{exc.filename}）" if exc.filename else ""
        stderr_console().print(f"error: {en}{where} / 错误：{zh}{where_zh}", style="red", markup=False,
                               soft_wrap=True)  # a path is never broken across lines
        if os.environ.get("EDOSSIER_DEBUG"):
            raise
        _end(EXIT_USAGE)
    except Exception as exc:  # noqa: BLE001 - last line of defence for the "no traceback" promise
        stderr_console().print(f"internal error / 内部错误: {type(exc).__name__}: {exc}", style="red", markup=False)
        if os.environ.get("EDOSSIER_DEBUG"):
            raise
        _end(EXIT_USAGE)
    _end(EXIT_OK)


def _end(code) -> None:
    """End the command's process as the interpreter would, minus its teardown.

    Python's own exit joins the threads that must end (the executors register themselves for it), runs
    the atexit handlers (logging, temporary folders, multiprocessing's children) and flushes standard
    output and error, which this does in the same order; it then destroys every module and object one
    by one, which takes 20-30 ms after a validation and changes nothing outside the process, so this
    ends the process there (os._exit; issue 19: the tail of a batch, the start-up figure). Every file
    the commands write is closed (and renamed into place) before they return. Where the threading hook
    is missing (another Python), it exits the ordinary way."""
    import atexit
    import threading

    shutdown = getattr(threading, "_shutdown", None)
    if shutdown is None:
        sys.exit(code)
    if code is None:
        status = EXIT_OK
    elif isinstance(code, int):
        status = code
    else:  # sys.exit("message"): the message on stderr and status 1, as the interpreter does
        print(code, file=sys.stderr)
        status = 1
    shutdown()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a reader that went away (`| head`), a closed stream: nothing to say
            pass
    os._exit(status & 0xFF)


if __name__ == "__main__":
    # Run through the importable module, where the command modules registered their commands.
    from edossier.cli.main import run as _run

    _run()
