"""`edossier receipt` and `edossier validate-receipt` (回执)."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.console import Console

from edossier.cli.main import (EXIT_OK, EXIT_REJECT, EXIT_USAGE, _lang, _parse_time, fail, load_signer, load_trust,
                               main, say, with_signer, with_trust_options)


@main.command()
@click.argument("package", type=click.Path(path_type=Path, dir_okay=False))
@with_signer
@click.option("--trust", "trust_path", required=True, type=click.Path(path_type=Path, dir_okay=False),
              help="Trust list used to validate the package / 校验所用的信任列表")
@with_trust_options
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path, dir_okay=False),
              help="Receipt file to write (.edr) / 输出的回执文件")
@click.option("--role", type=click.Choice(["police", "procuratorate", "court", "justice"]),
              help="Receiving agency's role, if its credit code is listed under several / 接收机关角色")
@click.option("--note", help="Free text for the sender / 给发送方的说明")
@click.option("--at", "at", metavar="TIME", help="Validate and date the receipt as of this time / 以该时间为准")
@click.pass_context
def receipt(ctx, package, cred, passphrase_file, passphrase_env, trust_path, output, role, note, at):
    """Validate PACKAGE and sign a receipt naming it, the verdict and the time. / 校验卷宗包并签署回执。"""
    from edossier.receipt import ReceiptError, make_receipt

    if not package.is_file():
        fail(ctx, f"{package}: no such file", f"{package}：文件不存在", EXIT_USAGE)
    when = _parse_time(ctx, at)
    trust = load_trust(ctx, trust_path)
    signer = load_signer(ctx, cred, passphrase_file, passphrase_env)
    try:
        r = make_receipt(package, output, signer, trust=trust, role=role, note=note, at=when)
    except ReceiptError as exc:
        fail(ctx, exc.en, exc.zh, EXIT_USAGE)
    say(ctx, f"Wrote receipt {output}: {r.receiver_name} received {r.package_name} ({r.layers} layers) "
             f"at {r.received.isoformat()}, verdict {r.verdict}.",
        f"已写入回执 {output}：{r.receiver_name} 于 {r.received.isoformat()} 收到 {r.package_name}（{r.layers} 层），"
        f"结论：{'接收' if r.verdict == 'accept' else '拒收'}。")


@main.command("validate-receipt")
@click.argument("receipt_path", metavar="RECEIPT", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--trust", "trust_path", required=True, type=click.Path(path_type=Path, dir_okay=False),
              help="Trust list / 信任列表")
@with_trust_options
@click.option("--package", type=click.Path(path_type=Path, dir_okay=False),
              help="Check that the receipt is for this package / 核对回执是否针对该卷宗包")
@click.option("--at", "at", metavar="TIME", help="Validate as of this time / 以该时间为准")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
def validate_receipt_cmd(ctx, receipt_path, trust_path, package, at, fmt):
    """Check a receipt's signature and, with --package, that it names that package. Exit 0 when the
    receipt is valid (whatever verdict it reports), 1 when it is not. / 校验回执。"""
    from edossier.receipt import validate_receipt

    if not receipt_path.is_file():
        fail(ctx, f"{receipt_path}: no such file", f"{receipt_path}：文件不存在", EXIT_USAGE)
    if package is not None and not package.is_file():
        fail(ctx, f"{package}: no such file", f"{package}：文件不存在", EXIT_USAGE)
    trust = load_trust(ctx, trust_path)
    check = validate_receipt(receipt_path, trust=trust, package=package, at=_parse_time(ctx, at))
    r = check.receipt
    if fmt == "json":
        click.echo(json.dumps({
            "path": str(receipt_path),
            "valid": check.verdict == "accept",
            "receipt": None if r is None else {
                "package": r.package_name, "layers": r.layers, "case_number": r.case_number,
                "manifest": r.manifest, "receiver": {"name": r.receiver_name, "credit_code": r.receiver_code,
                                                     "role": r.receiver_role},
                "received": r.received.isoformat(), "verdict": r.verdict,
                "findings": [{"code": c, "severity": s, "location": loc} for c, s, loc in r.findings],
                "note": r.note},
            "signature": check.signature.to_dict() if check.signature else None,
            "findings": [f.to_dict() for f in check.findings],
        }, ensure_ascii=False, indent=2))
    else:
        console = Console(highlight=False)
        zh = _lang(ctx).startswith("zh")
        ok = check.verdict == "accept"
        console.print(("[green]回执有效[/]" if zh else "[green]VALID RECEIPT[/]") if ok else
                      ("[red]回执无效[/]" if zh else "[red]INVALID RECEIPT[/]") + f"  {receipt_path}")
        if r is not None:
            verdict = ("接收" if r.verdict == "accept" else "拒收") if zh else r.verdict
            console.print(f"  {r.receiver_name} ({r.receiver_role}) · {r.package_name} · {r.layers} "
                          + ("层 · " if zh else "layer(s) · ") + r.received.isoformat() + f" · {verdict}",
                          markup=False, soft_wrap=True)
            for code, severity, loc in r.findings:
                console.print(f"    {code} {severity} {loc}", markup=False)
        for f in check.findings:
            console.print(f"  {f.code} {f.location}: {f.message(_lang(ctx))}", markup=False, soft_wrap=True)
    ctx.exit(EXIT_OK if check.verdict == "accept" else EXIT_REJECT)
