"""`edossier receipt` and `edossier validate-receipt` (回执)."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.console import Console

from edossier.cli.main import (EXIT_OK, EXIT_REJECT, EXIT_USAGE, _lang, _parse_time, _tz, fail, guard_output,
                               load_policy_options, load_signer, load_trust, main, say, signer_inputs, with_signer,
                               with_trust_options)
from edossier.i18n import t
from edossier.roles import ROLES, role_name

_POLICY_HELP = "Validation policy file (default: schemas/policy-default.toml) / 校验策略文件"


@main.command()
@click.argument("package", type=click.Path(path_type=Path, dir_okay=False))
@with_signer
@click.option("--trust", "trust_path", required=True, type=click.Path(path_type=Path, dir_okay=False),
              help="Trust list used to validate the package / 校验所用的信任列表")
@with_trust_options
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path, dir_okay=False),
              help="Receipt file to write (.edr) / 输出的回执文件")
@click.option("--role", type=click.Choice(list(ROLES)),
              help="Receiving agency's role, if its credit code is listed under several / 接收机关角色")
@click.option("--note", help="Free text for the sender / 给发送方的说明")
@click.option("--at", "at", metavar="TIME", help="Validate and date the receipt as of this time / 以该时间为准")
@click.option("--policy", "policy_path", type=click.Path(path_type=Path, dir_okay=False), help=_POLICY_HELP)
@click.pass_context
def receipt(ctx, package, cred, passphrase_file, passphrase_env, trust_path, output, role, note, at, policy_path):
    """Validate PACKAGE and sign a receipt naming the exact file (SHA-256 of the file and of every
    manifest and signature), the verdict, the findings and the time. / 校验卷宗包并签署回执。"""
    from edossier.receipt import ReceiptError, make_receipt

    if not package.is_file():
        fail(ctx, f"{package}: no such file", f"{package}：文件不存在", EXIT_USAGE)
    from edossier.fsutil import Input, OutputPathError

    guard_output(ctx, output, [Input(package, "the package", "卷宗包"), Input(trust_path, "the trust list", "信任列表"),
                               Input(policy_path, "the policy file", "策略文件") if policy_path else None,
                               *signer_inputs(ctx, cred, passphrase_file)], ("the receipt", "输出的回执"))
    when = _parse_time(ctx, at)
    trust = load_trust(ctx, trust_path)
    policy = load_policy_options(ctx, policy_path, False, ())
    signer = load_signer(ctx, cred, passphrase_file, passphrase_env)
    try:
        r = make_receipt(package, output, signer, trust=trust, role=role, note=note, at=when, policy=policy)
    except OutputPathError as exc:  # checked above; the library checks again
        fail(ctx, exc.en, exc.zh, EXIT_USAGE)
    except ReceiptError as exc:
        fail(ctx, exc.en, exc.zh, EXIT_USAGE)
    from edossier.timefmt import show

    received = show(r.received, _tz(ctx), seconds=True)  # Beijing time unless --tz, like every text output
    say(ctx, f"Wrote receipt {output}: {r.receiver_name} received {r.package_name} ({r.layers} layer(s), SHA-256 "
             f"{r.package_sha256.hex()}) at {received}, verdict {r.verdict}.",
        f"已写入回执 {output}：{r.receiver_name} 于 {received} 收到 {r.package_name}（{r.layers} 层，"
        f"SHA-256 {r.package_sha256.hex()}），结论：{'接收' if r.verdict == 'accept' else '拒收'}。")


@main.command("validate-receipt")
@click.argument("receipt_path", metavar="RECEIPT", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--trust", "trust_path", required=True, type=click.Path(path_type=Path, dir_okay=False),
              help="Trust list / 信任列表")
@with_trust_options
@click.option("--package", type=click.Path(path_type=Path, dir_okay=False),
              help="Check that the receipt binds this exact package and re-validate it / 核对回执是否针对该卷宗包并重新校验")
@click.option("--at", "at", metavar="TIME", help="Validate as of this time / 以该时间为准")
@click.option("--policy", "policy_path", type=click.Path(path_type=Path, dir_okay=False), help=_POLICY_HELP)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
def validate_receipt_cmd(ctx, receipt_path, trust_path, package, at, policy_path, fmt):
    """Check a receipt's signature and, with --package, that it binds that exact package and that
    today's validation of the package gives the receipt's verdict. Exit 0 when all of that holds
    (also for a valid receipt that records a rejection: the output says so), 1 otherwise, 2 for a
    usage error (docs/signatures.md §5). / 校验回执。"""
    from edossier.receipt import validate_receipt

    if not receipt_path.is_file():
        fail(ctx, f"{receipt_path}: no such file", f"{receipt_path}：文件不存在", EXIT_USAGE)
    if package is not None and not package.is_file():
        fail(ctx, f"{package}: no such file", f"{package}：文件不存在", EXIT_USAGE)
    trust = load_trust(ctx, trust_path)
    policy = load_policy_options(ctx, policy_path, False, ())
    check = validate_receipt(receipt_path, trust=trust, package=package, at=_parse_time(ctx, at), policy=policy)
    r = check.receipt
    today = check.package_report
    if fmt == "json":
        click.echo(json.dumps({
            "path": str(receipt_path),
            "valid": check.verdict == "accept",
            "receipt": None if r is None else {
                "version": "0.2",
                "package": r.package_name, "layers": r.layers, "case_number": r.case_number,
                "package_size": r.package_size, "package_sha256": r.package_sha256.hex(),
                "members": [{"name": m.name, "kind": m.kind, "sha256": m.sha256.hex()} for m in r.members],
                "receiver": {"name": r.receiver_name, "credit_code": r.receiver_code, "role": r.receiver_role},
                "received": r.received.isoformat(), "validated": r.validated.isoformat(),
                "validation_time": r.validation_time.isoformat() if r.validation_time else None,
                "policy": r.policy, "verdict": r.verdict,
                "findings": [{"code": c, "severity": s, "location": loc} for c, s, loc in r.findings],
                "note": r.note},
            "signature": check.signature.to_dict() if check.signature else None,
            "package": None if check.package is None else {
                "path": str(check.package), "binds": check.binds,
                "verdict_today": check.package_verdict,
                "report": today.to_dict() if today is not None else None},
            "findings": [f.to_dict() for f in check.findings],
        }, ensure_ascii=False, indent=2))
    else:
        _print_text(ctx, receipt_path, check)
    ctx.exit(EXIT_OK if check.verdict == "accept" else EXIT_REJECT)


def _print_text(ctx, receipt_path, check) -> None:
    from edossier.timefmt import show

    console = Console(highlight=False)
    zh = _lang(ctx).startswith("zh")
    r, ok = check.receipt, check.verdict == "accept"
    verdict_name = (lambda v: {"accept": "接收", "reject": "拒收"}.get(v, v)) if zh else (lambda v: v.upper())
    console.print((("[green]回执有效[/]" if zh else "[green]VALID RECEIPT[/]") if ok else
                   ("[red]回执无效[/]" if zh else "[red]INVALID RECEIPT[/]")) + f"  {receipt_path}")
    if r is not None:
        console.print(f"  {r.receiver_name} ({role_name(r.receiver_role, _lang(ctx))}) · {r.package_name} · {r.layers} "
                      + ("层 · " if zh else "layer(s) · ") + show(r.received, _tz(ctx), seconds=True)
                      + f" · SHA-256 {r.package_sha256.hex()}", markup=False, soft_wrap=True)
        console.print(("  回执结论：" if zh else "  receipt's verdict: ") + verdict_name(r.verdict)
                      + t("receipt.policy", _lang(ctx), policy=t("receipt.default_policy", _lang(ctx))
                          if r.policy == "default" else r.policy), markup=False)
        for code, severity, loc in r.findings:
            console.print(f"    {code} {severity} {loc}", markup=False)
    if check.package is not None:
        binds = {True: ("回执锁定此卷宗包" if zh else "the receipt binds this package"),
                 False: ("回执未锁定此卷宗包" if zh else "the receipt does NOT bind this package"),
                 None: ("未核对" if zh else "not compared")}[check.binds]
        console.print(f"  {check.package}: {binds}", markup=False, soft_wrap=True)
        if check.package_verdict is not None:
            console.print(("  今日校验结论：" if zh else "  today's verdict: ") + verdict_name(check.package_verdict),
                          markup=False)
    if ok and r is not None and r.verdict == "reject":
        console.print("  [yellow]" + ("该回执有效，但它记载的是拒收" if zh else
                                       "the receipt is valid, and it records a REJECTION") + "[/]")
    for f in check.findings:
        console.print(f"  {f.code} {f.location}: {f.message(_lang(ctx))}", markup=False, soft_wrap=True)
