"""`edossier serve` (the exchange node) and `edossier submit` (its client). docs/serve.md."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import click

from edossier.cli.main import (EXIT_OK, EXIT_REJECT, EXIT_USAGE, _lang, _passphrase, fail,
                               guard_output, load_trust, main, say, stderr_console, with_trust_options)

_SIZE = click.IntRange(min=1)


def _listen(ctx, host: str, port: int) -> socket.socket:
    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError as exc:
        fail(ctx, f"cannot listen on {host}:{port}: {exc.strerror or exc}",
             f"无法在 {host}:{port} 上监听：{exc.strerror or exc}", EXIT_USAGE)
    return sock


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on / 监听地址")
@click.option("--port", default=8480, show_default=True, type=click.IntRange(0, 65535),
              help="Port (0: any free port, printed) / 端口（0 表示任一空闲端口）")
@click.option("--data", type=click.Path(path_type=Path, file_okay=False),
              help="Node folder: packages, receipts, node.sqlite (default ./edossier-node) / 节点数据目录")
@click.option("--db", "db_url", metavar="URL",
              help="Database URL, e.g. postgresql+psycopg://user@/edossier?host=/run/postgresql "
                   "(default: SQLite in DATA/node.sqlite) / 数据库地址")
@click.option("--demo", is_flag=True, help="Demo PKI in DATA/pki; the procuratorate's node / 使用演示 PKI")
@click.option("--trust", "trust_path", type=click.Path(path_type=Path, dir_okay=False), help="Trust list / 信任列表")
@with_trust_options
@click.option("--signer", "cred", type=click.Path(path_type=Path, dir_okay=False),
              help="This agency's PKCS#12 credential: signs receipts; without it there is no inbox / 本机关签名凭据")
@click.option("--passphrase-file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--passphrase-env", metavar="VAR")
@click.option("--policy", "policy_paths", multiple=True, type=click.Path(path_type=Path, dir_okay=False),
              help="A policy file offered by its name (repeatable; 'default' is always there) / 校验策略文件")
@click.option("--jobs", type=click.IntRange(min=1), default=2, show_default=True,
              help="Local validation processes (1: in the server process) / 本地校验进程数")
@click.option("--scheduler", metavar="tcp://HOST:8786", help="Validate on this Dask cluster / 使用 Dask 集群校验")
@click.option("--dask", type=click.Choice(["local"]),
              help="Validate on a local Dask cluster of --jobs workers / 使用本机 Dask 集群（--jobs 个工作进程）校验")
@click.option("--store", metavar="URL",
              help="Package files: a directory or fsspec URL (default DATA/blobs) / 卷宗包存储位置（目录或 fsspec URL）")
@click.option("--body-timeout", type=click.FloatRange(min=1), default=60, show_default=True,
              help="Seconds a request body may pause before 408 / 请求体停顿超过该秒数即返回 408")
@click.option("--min-rate", type=_SIZE, default=1024, show_default=True,
              help="Bytes/s an upload must average after its first 30 s (408 below) / 上传平均速率下限（字节/秒）")
@click.option("--sync-limit", type=_SIZE, default=64 * 1024 * 1024, show_default=True,
              help="Bytes up to which POST waits for the report; larger: 202 and a job id / 同步校验上限（字节）")
@click.option("--max-upload", type=_SIZE, default=2 * 1024 ** 3, show_default=True,
              help="Largest accepted body in bytes (413 above) / 最大上传字节数")
@click.pass_context
def serve(ctx, host, port, data, db_url, demo, trust_path, cred, passphrase_file, passphrase_env, policy_paths, jobs,
          scheduler, dask, store, body_timeout, min_rate, sync_limit, max_upload):
    """Run the exchange node: POST /v1/validations, POST /v1/inbox (signed submissions, receipts).
    / 运行交换节点（校验服务与收件箱）。"""
    import uvicorn

    from edossier.serve.app import create_app
    from edossier.serve.edo import NodeError, demo_pki
    from edossier.serve.node import Node, NodeConfig

    data = data or Path("edossier-node")
    if demo:
        pki = demo_pki(data / "pki")
        trust_path = trust_path or pki / "trustlist.xml"
        cred = cred or pki / "procuratorate.p12"
        if ctx.meta.get("edossier.trust_anchor") is None:
            ctx.meta["edossier.trust_anchor"] = pki / "trust-anchor.pem"
    if trust_path is None:
        fail(ctx, "--trust is required (or --demo)", "需要 --trust（或 --demo）", EXIT_USAGE)
    if scheduler and dask:
        fail(ctx, "use either --scheduler or --dask local, not both", "--scheduler 与 --dask local 只能选其一", EXIT_USAGE)
    trust = load_trust(ctx, trust_path)
    passphrase = _passphrase(ctx, cred, passphrase_file, passphrase_env) if cred else None
    sock = _listen(ctx, host, port)
    try:
        node = Node(NodeConfig(data=data, trust_path=trust_path, trust=trust, credential_path=cred,
                               passphrase=passphrase, db_url=db_url, policy_paths=tuple(policy_paths), jobs=jobs,
                               scheduler=scheduler, dask_local=dask == "local", store=store,
                               body_timeout=body_timeout, min_rate=min_rate, sync_limit=sync_limit,
                               max_upload=max_upload))
    except NodeError as exc:
        sock.close()
        fail(ctx, exc.en, exc.zh, EXIT_USAGE)
    except Exception as exc:  # noqa: BLE001 - e.g. the database cannot be reached
        sock.close()
        fail(ctx, f"the node cannot start: {type(exc).__name__}: {str(exc)[:300]}",
             f"节点无法启动：{type(exc).__name__}：{str(exc)[:300]}", EXIT_USAGE)
    bound = sock.getsockname()
    shown = f"[{bound[0]}]" if ":" in bound[0] else bound[0]
    url = f"http://{shown}:{bound[1]}/"
    who = node.receiver.name if node.receiver else None
    say(ctx, f"edossier node listening on {url} (data {data}, database {node.engine.url.render_as_string()}"
             f"{', inbox of ' + who if who else ', no inbox'})",
        f"edossier 节点已在 {url} 监听（数据目录 {data}，数据库 {node.engine.url.render_as_string()}"
        f"{'，' + who + '的收件箱' if who else '，未开设收件箱'}）")
    if demo:
        say(ctx, f"try: edossier submit PKG --to {url} --cert {data / 'pki' / 'police.p12'} "
                 f"--trust {trust_path} --trust-anchor {data / 'pki' / 'trust-anchor.pem'}",
            f"试用：edossier submit PKG --to {url} --cert {data / 'pki' / 'police.p12'} "
            f"--trust {trust_path} --trust-anchor {data / 'pki' / 'trust-anchor.pem'}")
    if demo:
        from edossier.serve import accounts

        if not accounts.has_users(node.Session):
            import secrets

            password = secrets.token_urlsafe(12)
            accounts.add_user(node.Session, "demo", "admin", password)
            say(ctx, f"web page: {url}ui/ — user demo, password {password} (demo only; shown once)",
                f"网页：{url}ui/ —— 用户 demo，密码 {password}（仅供演示，只显示这一次）")
        else:
            say(ctx, f"web page: {url}ui/", f"网页：{url}ui/")
    config = uvicorn.Config(create_app(node), log_level="warning", lifespan="on", timeout_graceful_shutdown=10)
    uvicorn.Server(config).run(sockets=[sock])


@main.command()
@click.argument("package", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--to", "to", required=True, metavar="URL", help="The receiving node / 接收节点地址")
@click.option("--cert", "cred", required=True, type=click.Path(path_type=Path, dir_okay=False),
              help="Your agency's PKCS#12 credential, the one that signed the latest layer / 签署最新一层的凭据")
@click.option("--passphrase-file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--passphrase-env", metavar="VAR")
@click.option("--trust", "trust_path", required=True, type=click.Path(path_type=Path, dir_okay=False),
              help="Trust list to check the node's receipt with / 用于校验回执的信任列表")
@with_trust_options
@click.option("--ca", type=click.Path(path_type=Path, dir_okay=False),
              help="CA certificate (PEM) of the node's TLS server certificate, for https:// / 节点 TLS 证书的 CA")
@click.option("--policy", help="Name of a policy the node offers / 节点提供的校验策略名称")
@click.option("--wait", type=click.FloatRange(min=1), default=600, show_default=True,
              help="Seconds to wait for the receipt / 等待回执的秒数")
@click.option("--recheck", is_flag=True,
              help="Also validate the package again and compare the receipt's verdict (validate-receipt --package) "
                   "/ 另行重新校验卷宗包并比对回执结论")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
def submit(ctx, package, to, cred, passphrase_file, passphrase_env, trust_path, ca, policy, wait, recheck, fmt):
    """Submit PACKAGE to another agency's node, wait for its signed receipt, check it and save it
    next to the package (PACKAGE.edr). The check: the receipt's signature, and that it names exactly
    the bytes sent (file and every manifest and signature digest); --recheck also validates the
    package again. Exit 0: accepted; 1: the node rejected the package, or the receipt does not check
    out; 2: usage; 3: the node could not be reached or refused the request.
    / 向对方节点提交卷宗包，取得、校验并保存回执。"""
    from edossier.fsutil import Input
    from edossier.serve.client import SubmitError, receipt_path_for, submit as send

    if not package.is_file():
        fail(ctx, f"{package}: no such file", f"{package}：文件不存在", EXIT_USAGE)
    if not to.startswith(("http://", "https://")):
        fail(ctx, f"--to {to}: give an http:// or https:// URL", f"--to {to}：请给出 http:// 或 https:// 地址", EXIT_USAGE)
    out = receipt_path_for(package)
    guard_output(ctx, out, [Input(package, "the package", "卷宗包"), Input(cred, "the credential", "凭据"),
                            Input(trust_path, "the trust list", "信任列表")], ("the receipt", "回执"))
    trust = load_trust(ctx, trust_path)
    passphrase = _passphrase(ctx, cred, passphrase_file, passphrase_env)
    progress = None
    size = package.stat().st_size
    if size >= 16 * 1024 * 1024 and stderr_console().is_terminal:
        from rich.progress import BarColumn, DownloadColumn, Progress, TransferSpeedColumn

        bar = Progress("{task.description}", BarColumn(), DownloadColumn(), TransferSpeedColumn(),
                       console=stderr_console(), transient=True)
        task = bar.add_task("上传" if _lang(ctx).startswith("zh") else "upload", total=size)
        bar.start()
        progress = lambda sent, total: bar.update(task, completed=sent)  # noqa: E731
    try:
        result = send(package, to=to, cred=cred, trust=trust, passphrase=passphrase, ca=ca, policy=policy, wait=wait,
                      progress=progress, recheck=recheck)
    except SubmitError as exc:
        fail(ctx, exc.en, exc.zh, exc.exit_code)
    finally:
        if progress is not None:
            bar.stop()
    doc, r = result.submission, result.check.receipt
    if fmt == "json":
        click.echo(json.dumps({"id": result.id, "new": result.created, "receipt": str(result.receipt_path),
                               "receipt_valid": True, "verdict": r.verdict, "flag": doc.get("flag"),
                               "node_findings": doc.get("node_findings", []), "submission": doc},
                              ensure_ascii=False, indent=2))
    else:
        say(ctx, f"{'Submitted' if result.created else 'Already received'}: {package.name} → {r.receiver_name}, "
                 f"submission {result.id}, verdict {r.verdict.upper()}; receipt checked and saved to "
                 f"{result.receipt_path}",
            f"{'已提交' if result.created else '对方已收到'}：{package.name} → {r.receiver_name}，提交编号 {result.id}，"
            f"结论：{'接收' if r.verdict == 'accept' else '拒收'}；回执已校验并保存至 {result.receipt_path}")
        for f in doc.get("node_findings", []):
            say(ctx, f"  {f['code']} {f['message']['en']}", f"  {f['code']} {f['message']['zh-CN']}",
                style="yellow")
    ctx.exit(EXIT_OK if r.verdict == "accept" else EXIT_REJECT)


@main.group("node-user")
def node_user():
    """Accounts of the node's web page (roles viewer, clerk, admin). / 交换节点网页账户。"""


@node_user.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(["viewer", "clerk", "admin"]), required=True)
@click.option("--data", type=click.Path(path_type=Path, file_okay=False), default=Path("edossier-node"),
              show_default=True)
@click.option("--db", "db_url", metavar="URL", help="Database URL (default: SQLite in DATA/node.sqlite)")
@click.option("--password-env", metavar="VAR", help="Read the password from this environment variable / 从环境变量读取密码")
@click.pass_context
def node_user_add(ctx, name, role, data, db_url, password_env):
    """Add an account (or give an existing one a new role and password; its sessions end).
    / 添加账户（或更新已有账户的角色与密码）。"""
    import os

    from edossier.serve import accounts, db

    if password_env:
        password = os.environ.get(password_env)
        if password is None:
            fail(ctx, f"environment variable {password_env} is not set", f"环境变量 {password_env} 未设置", EXIT_USAGE)
    else:
        password = click.prompt("password / 密码", hide_input=True, confirmation_prompt=True)
    data.mkdir(parents=True, exist_ok=True)
    engine = db.make_engine(db_url or db.sqlite_url(data))
    try:
        db.migrate(engine)
        accounts.add_user(db.sessions(engine), name, role, password)
    except accounts.AccountError as exc:
        fail(ctx, exc.en, exc.zh, EXIT_USAGE)
    finally:
        engine.dispose()
    say(ctx, f"account {name} ({role}) saved", f"账户 {name}（{role}）已保存")
