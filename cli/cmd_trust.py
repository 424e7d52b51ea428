"""`edossier trust show | add-agency | add-tsa | remove | update-crl | sign`: managing a trust list
without editing XML (docs/signatures.md "Managing the trust list").

Every command that changes a list writes its next edition (sequence + 1, issued now), signed when
`--operator` is given. Without it the list is written unsigned and the command says so loudly,
because validators refuse an unsigned list (docs/spec.md §9.1.4)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from pathlib import Path

import click

from edossier.cli.main import EXIT_USAGE, _passphrase, _tz, fail, main, say
from edossier.roles import ROLE_NAMES_ZH, ROLES

_TL_ARG = click.argument("trustlist", type=click.Path(path_type=Path, dir_okay=False))

operator_options = [
    click.option("--operator", "operator_path", type=click.Path(path_type=Path, dir_okay=False),
                 help="PKCS#12 credential of the trust-list operator: sign the new edition / 信任列表运营方凭据（签名新版本）"),
    click.option("--passphrase-file", type=click.Path(path_type=Path, dir_okay=False),
                 help="Read the operator credential's passphrase from this file / 从文件读取运营方凭据口令"),
    click.option("--passphrase-env", metavar="VAR",
                 help="Read the operator credential's passphrase from this environment variable / 从环境变量读取运营方凭据口令"),
    click.option("--trust-anchor", "anchor", type=click.Path(path_type=Path, dir_okay=False),
                 help="Verify the list's current signature against this certificate (default: the operator's) "
                      "/ 用此证书验证列表现有签名（默认用运营方证书）"),
    click.option("--next-update", metavar="TIME",
                 help="nextUpdate of the new edition (ISO 8601; default: the old one if still ahead, else "
                      "one year) / 新版本的下次更新时间"),
]


def with_operator(f):
    for opt in reversed(operator_options):
        f = opt(f)
    return f


@main.group()
def trust():
    """Show and edit a trust list; every change is a new, signed edition. / 查看与编辑信任列表。"""


def _time(ctx, value: str | None, option: str) -> dt.datetime | None:
    if value is None:
        return None
    try:
        when = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        fail(ctx, f"{option} {value!r}: use ISO 8601 with a UTC offset, e.g. 2027-01-01T00:00:00+08:00",
             f"{option} {value!r}：请使用带时区的 ISO 8601 格式，例如 2027-01-01T00:00:00+08:00", EXIT_USAGE)
    if when.tzinfo is None:
        fail(ctx, f"{option} {value!r}: a UTC offset is needed (e.g. +08:00)",
             f"{option} {value!r}：须带时区偏移（例如 +08:00）", EXIT_USAGE)
    return when.astimezone(dt.timezone.utc)


def _read_file(ctx, path: Path, what: tuple[str, str]) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read(8 * 1024 * 1024)
    except OSError as exc:
        fail(ctx, f"cannot read {what[0]} {path}: {exc.strerror}", f"无法读取{what[1]} {path}：{exc.strerror}",
             EXIT_USAGE)


def read_certs(ctx, paths, what: tuple[str, str], *, require_ca: bool = False) -> tuple[bytes, ...]:
    """DER of every certificate in the PEM (one or more) or DER files `paths`; with `require_ca`, a
    certificate that is not a CA is refused naming its file (clearer than its place in the entry)."""
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    out: list[bytes] = []
    for path in paths:
        data = _read_file(ctx, path, what)
        try:
            if b"-----BEGIN" in data:
                certs = x509.load_pem_x509_certificates(data)
            else:
                certs = [x509.load_der_x509_certificate(data)]
            ders = [c.public_bytes(Encoding.DER) for c in certs]
        except Exception:  # noqa: BLE001 - any parse failure of a user file is the user's error
            fail(ctx, f"{path}: not a readable X.509 certificate (PEM or DER)",
                 f"{path}：不是可读取的 X.509 证书（PEM 或 DER）", EXIT_USAGE)
        for cert in certs if require_ca else ():
            try:
                is_ca = cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
            except Exception:  # noqa: BLE001 - absent or unreadable: not a CA
                is_ca = False
            if not is_ca:
                subject = cert.subject.rfc4514_string()
                fail(ctx, f"{path}: {subject} is not a CA certificate (basicConstraints cA is not set); "
                          "--ca takes the issuing CA and its root, not a signer's or operator's certificate",
                     f"{path}：{subject} 不是 CA 证书（basicConstraints 未设置 cA）；--ca 应为签发 CA 及根证书，"
                     "而不是签名人或运营方的证书", EXIT_USAGE)
        out.extend(ders)
    return tuple(dict.fromkeys(out))


def read_crls(ctx, paths) -> tuple[bytes, ...]:
    """DER of the CRLs in the PEM or DER files `paths`."""
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    out: list[bytes] = []
    for path in paths:
        data = _read_file(ctx, path, ("CRL file", "吊销列表文件"))
        try:
            crl = x509.load_pem_x509_crl(data) if b"-----BEGIN" in data else x509.load_der_x509_crl(data)
            out.append(crl.public_bytes(Encoding.DER))
        except Exception:  # noqa: BLE001
            fail(ctx, f"{path}: not a readable X.509 CRL (PEM or DER)",
                 f"{path}：不是可读取的 X.509 证书吊销列表（PEM 或 DER）", EXIT_USAGE)
    return tuple(dict.fromkeys(out))


def _load(ctx, path: Path, anchor):
    """(list, was it signed) — the signature checked against `anchor` when given."""
    from edossier.signing.trustlist_edit import load_for_edit
    from edossier.signing.trustlist_model import TrustListError

    if not path.is_file():
        fail(ctx, f"{path}: no such trust list", f"{path}：信任列表不存在", EXIT_USAGE)
    try:
        return load_for_edit(path, anchor=anchor)
    except TrustListError as exc:
        fail(ctx, f"trust list {path}: {exc.en}", f"信任列表 {path}：{exc.zh}", EXIT_USAGE)


def _operator(ctx, operator_path, passphrase_file, passphrase_env):
    from edossier.signing.trustlist_edit import load_operator_credential
    from edossier.signing.trustlist_model import TrustListError

    if operator_path is None:
        if passphrase_file or passphrase_env:
            fail(ctx, "--passphrase-file/--passphrase-env need --operator",
                 "--passphrase-file/--passphrase-env 须与 --operator 一起使用", EXIT_USAGE)
        return None
    passphrase = _passphrase(ctx, operator_path, passphrase_file, passphrase_env)
    try:
        return load_operator_credential(operator_path, passphrase)
    except TrustListError as exc:
        fail(ctx, exc.en, exc.zh, EXIT_USAGE)


def edit(ctx, path: Path, change, *, operator_path, passphrase_file, passphrase_env, anchor, next_update,
         bump: bool = True) -> None:
    """Load the list, apply `change(tl) -> (tl, en, zh)`, write the next edition (signed with
    --operator), and say what was done. The whole edit is refused (nothing written) on any error."""
    from edossier.signing.trustlist_edit import next_edition
    from edossier.signing.trustlist_model import TrustListError
    from edossier.signing.trustlist_write import trustlist_to_bytes

    operator = _operator(ctx, operator_path, passphrase_file, passphrase_env)
    when = _time(ctx, next_update, "--next-update")
    # An operator re-signing checks the edition in front of them against their own certificate
    # (or the anchor they name): a list changed by someone else is not silently re-signed.
    tl, was_signed = _load(ctx, path, anchor if anchor is not None else (operator.cert if operator else None))
    try:
        new, en, zh = change(tl)
        edition = next_edition(new, next_update=when)
        if not bump:
            edition = replace(edition, sequence=tl.sequence)
        data = trustlist_to_bytes(edition, signer=operator)
    except TrustListError as exc:
        fail(ctx, exc.en, exc.zh, EXIT_USAGE)
    from edossier.fsutil import atomic_write_bytes

    try:
        atomic_write_bytes(path, data)
    except OSError as exc:
        fail(ctx, f"cannot write trust list {path}: {exc.strerror}", f"无法写入信任列表 {path}：{exc.strerror}",
             EXIT_USAGE)
    if operator is not None:
        say(ctx, f"{en} {path}: sequence {edition.sequence}, signed by {operator.cert.subject.rfc4514_string()}.",
            f"{zh} {path}：序号 {edition.sequence}，已由 {operator.cert.subject.rfc4514_string()} 签名。")
    else:
        say(ctx, f"{en} {path}: sequence {edition.sequence}.", f"{zh} {path}：序号 {edition.sequence}。")
        # Validators refuse an unsigned list: never leave one without saying so.
        was = (" It was signed before this change." if was_signed else "",
               "修改前该列表是已签名的。" if was_signed else "")
        say(ctx, f"warning: the trust list is now UNSIGNED and validators will refuse it.{was[0]} Sign it: "
                 f"edossier trust sign {path} --operator OPERATOR.p12",
            f"警告：该信任列表现在未签名，校验时将被拒绝。{was[1]}请签名：edossier trust sign {path} --operator 运营方凭据.p12",
            err=True, style="yellow")


# --- show ------------------------------------------------------------------------------------------------


def _iso(value):
    return None if value is None else value.astimezone(dt.timezone.utc).isoformat().replace("+00:00", "Z")


def _cert_summary(der: bytes) -> dict:
    import hashlib

    from cryptography import x509

    cert = x509.load_der_x509_certificate(der)
    return {"subject": cert.subject.rfc4514_string(), "self_signed": cert.issuer == cert.subject,
            "not_after": _iso(cert.not_valid_after_utc), "sha256": hashlib.sha256(der).hexdigest()}


def _crl_summary(der: bytes) -> dict:
    from cryptography import x509

    crl = x509.load_der_x509_crl(der)
    return {"issuer": crl.issuer.rfc4514_string(), "this_update": _iso(crl.last_update_utc),
            "next_update": _iso(crl.next_update_utc), "revoked": len(crl)}


def trustlist_dict(tl, signed_present: bool) -> dict:
    """The list as plain data (the JSON of `trust show --format json`)."""
    def entry(e):
        return {"name": e.name, "valid_from": _iso(e.valid_from), "valid_to": _iso(e.valid_to),
                "ca_certificates": [_cert_summary(d) for d in e.ca_certs],
                "crls": [_crl_summary(d) for d in e.crls]}
    return {
        "name": tl.name, "sequence": tl.sequence, "issued": _iso(tl.issued), "next_update": _iso(tl.next_update),
        "digest": tl.digest, "signature_present": signed_present, "signature_verified": tl.signed,
        "signer": tl.signer,
        "agencies": [{"role": a.role, "credit_code": a.credit_code, **entry(a)} for a in tl.agencies],
        "tsas": [{**entry(t), "tsa_certificates": [_cert_summary(d) for d in t.tsa_certs]} for t in tl.tsas],
    }


@trust.command("show")
@_TL_ARG
@click.option("--trust-anchor", "anchor", type=click.Path(path_type=Path, dir_okay=False),
              envvar="EDOSSIER_TRUST_ANCHOR",
              help="Verify the signature against this certificate (default: $EDOSSIER_TRUST_ANCHOR) / 用此证书验证签名")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
def trust_show(ctx, trustlist, anchor, fmt):
    """Show a trust list: edition, signature, agencies, time-stamping authorities. / 显示信任列表。"""
    tl, present = _load(ctx, trustlist, anchor)
    data = trustlist_dict(tl, present)
    if fmt == "json":
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    zh = (ctx.find_root().obj or {}).get("lang", "en").startswith("zh")
    data = _for_display(data, _tz(ctx))  # Beijing time (or --tz) for people; the JSON keeps UTC instants
    if tl.signed:
        sig = (f"signed by {tl.signer} (verified)", f"已由 {tl.signer} 签名（已验证）")
    elif present:
        sig = ("signed, NOT verified (give --trust-anchor)", "已签名，未验证（请指定 --trust-anchor）")
    else:
        sig = ("UNSIGNED: validators refuse it", "未签名：校验时将被拒绝")
    lines = [
        (f"Trust list {trustlist}", f"信任列表 {trustlist}"),
        (f"  name: {tl.name or '-'}", f"  名称：{tl.name or '-'}"),
        (f"  sequence {tl.sequence}, issued {data['issued']}, next update {data['next_update']}",
         f"  序号 {tl.sequence}，签发 {data['issued']}，下次更新 {data['next_update']}"),
        (f"  signature: {sig[0]}", f"  签名：{sig[1]}"),
        (f"  SHA-256: {tl.digest}", f"  SHA-256：{tl.digest}"),
        (f"Agencies ({len(tl.agencies)}):", f"机构（{len(tl.agencies)}）："),
    ]
    for a, d in zip(tl.agencies, data["agencies"]):
        lines.append((f"  {a.name}", f"  {a.name}"))
        lines.append((f"    role {a.role}, credit code {a.credit_code}",
                      f"    角色 {ROLE_NAMES_ZH.get(a.role, a.role)}，统一社会信用代码 {a.credit_code}"))
        if d["valid_from"] or d["valid_to"]:
            lines.append((f"    in force {d['valid_from'] or 'from the start'} … {d['valid_to'] or 'with no end'}",
                          f"    有效期 {d['valid_from'] or '不限起始'} … {d['valid_to'] or '不限终止'}"))
        else:  # "in force - … -" read like a missing value (#16 walk-through)
            lines.append(("    in force with no time limit", "    有效期不限"))
        lines.extend(_entry_lines(d))
    lines.append((f"Time-stamping authorities ({len(tl.tsas)}):", f"时间戳服务（{len(tl.tsas)}）："))
    for t, d in zip(tl.tsas, data["tsas"]):
        lines.append((f"  {t.name}", f"  {t.name}"))
        for c in d["tsa_certificates"]:
            lines.append((f"    TSA certificate {c['subject']}", f"    时间戳证书 {c['subject']}"))
        lines.extend(_entry_lines(d))
    click.echo("\n".join(z if zh else e for e, z in lines))


_TIME_KEYS = ("issued", "next_update", "valid_from", "valid_to", "not_after", "this_update")


def _for_display(data, tz):
    """A copy of `data` with every instant as "YYYY-MM-DD HH:MM ±hh:mm" in the display zone."""
    from edossier.timefmt import show

    if isinstance(data, list):
        return [_for_display(x, tz) for x in data]
    if isinstance(data, dict):
        return {k: (show(v, tz, empty=None) if k in _TIME_KEYS and v else _for_display(v, tz))
                for k, v in data.items()}
    return data


def _entry_lines(d: dict) -> list[tuple[str, str]]:
    out = []
    for c in d["ca_certificates"]:
        kind = ("root", "根") if c["self_signed"] else ("issuing CA", "签发 CA")
        out.append((f"    {kind[0]}: {c['subject']} (until {c['not_after']})",
                    f"    {kind[1]}：{c['subject']}（至 {c['not_after']}）"))
    for c in d["crls"]:
        out.append((f"    CRL of {c['issuer']}: {c['revoked']} revoked, next update {c['next_update']}",
                    f"    {c['issuer']} 的吊销列表：已吊销 {c['revoked']} 张，下次更新 {c['next_update']}"))
    return out


# --- changes -----------------------------------------------------------------------------------------------


@trust.command("add-agency")
@_TL_ARG
@click.option("--name", "agency_name", required=True, help="Agency name / 机关名称")
@click.option("--credit-code", required=True, help="18-character unified social credit code / 统一社会信用代码")
@click.option("--role", type=click.Choice(list(ROLES)), required=True, help="Role / 角色")
@click.option("--ca", "ca_files", multiple=True, required=True, type=click.Path(path_type=Path, dir_okay=False),
              help="The agency's issuing CA and its root (PEM or DER; repeatable, a PEM may hold several) "
                   "/ 该机关的签发 CA 及根证书（可多次指定）")
@click.option("--crl", "crl_files", multiple=True, type=click.Path(path_type=Path, dir_okay=False),
              help="CRL of one of those CAs (repeatable) / 上述 CA 的吊销列表（可多次指定）")
@click.option("--valid-from", metavar="TIME", help="Entry in force from (ISO 8601) / 条目生效时间")
@click.option("--valid-to", metavar="TIME", help="Entry in force until (ISO 8601) / 条目失效时间")
@with_operator
@click.pass_context
def trust_add_agency(ctx, trustlist, agency_name, credit_code, role, ca_files, crl_files, valid_from, valid_to,
                     operator_path, passphrase_file, passphrase_env, anchor, next_update):
    """Add an agency (name, credit code, role, CAs, CRLs). / 向信任列表添加机关。"""
    from edossier.signing.trustlist_edit import add_agency
    from edossier.signing.trustlist_model import TrustedAgency

    agency = TrustedAgency(name=agency_name.strip(), credit_code=credit_code.strip(), role=role,
                           ca_certs=read_certs(ctx, ca_files, ("CA certificate", "CA 证书"), require_ca=True),
                           crls=read_crls(ctx, crl_files),
                           valid_from=_time(ctx, valid_from, "--valid-from"),
                           valid_to=_time(ctx, valid_to, "--valid-to"))

    def change(tl):
        return (add_agency(tl, agency), f"Added {agency.name} ({credit_code}, {role}) to",
                f"已将 {agency.name}（{credit_code}，{ROLE_NAMES_ZH.get(role, role)}）加入")

    edit(ctx, trustlist, change, operator_path=operator_path, passphrase_file=passphrase_file,
         passphrase_env=passphrase_env, anchor=anchor, next_update=next_update)


@trust.command("add-tsa")
@_TL_ARG
@click.option("--name", "tsa_name", required=True, help="Name of the time-stamping authority / 时间戳服务名称")
@click.option("--tsa-cert", "tsa_files", multiple=True, type=click.Path(path_type=Path, dir_okay=False),
              help="The TSA's own certificate, pinned (repeatable) / 时间戳服务自身证书（固定，可多次指定）")
@click.option("--ca", "ca_files", multiple=True, required=True, type=click.Path(path_type=Path, dir_okay=False),
              help="The CA certificates its path validates to (repeatable) / 其证书路径所至的 CA 证书")
@click.option("--crl", "crl_files", multiple=True, type=click.Path(path_type=Path, dir_okay=False),
              help="CRL of one of those CAs (repeatable) / 上述 CA 的吊销列表")
@click.option("--valid-from", metavar="TIME", help="Entry in force from (ISO 8601) / 条目生效时间")
@click.option("--valid-to", metavar="TIME", help="Entry in force until (ISO 8601) / 条目失效时间")
@with_operator
@click.pass_context
def trust_add_tsa(ctx, trustlist, tsa_name, tsa_files, ca_files, crl_files, valid_from, valid_to,
                  operator_path, passphrase_file, passphrase_env, anchor, next_update):
    """Add a time-stamping authority. / 向信任列表添加时间戳服务。"""
    from edossier.signing.trustlist_edit import add_tsa
    from edossier.signing.trustlist_model import TrustedTSA

    tsa = TrustedTSA(name=tsa_name.strip(),
                     ca_certs=read_certs(ctx, ca_files, ("CA certificate", "CA 证书"), require_ca=True),
                     tsa_certs=read_certs(ctx, tsa_files, ("TSA certificate", "时间戳证书")),
                     crls=read_crls(ctx, crl_files), valid_from=_time(ctx, valid_from, "--valid-from"),
                     valid_to=_time(ctx, valid_to, "--valid-to"))

    def change(tl):
        return add_tsa(tl, tsa), f"Added time-stamping authority {tsa.name} to", f"已将时间戳服务 {tsa.name} 加入"

    edit(ctx, trustlist, change, operator_path=operator_path, passphrase_file=passphrase_file,
         passphrase_env=passphrase_env, anchor=anchor, next_update=next_update)


@trust.command("remove")
@_TL_ARG
@click.option("--credit-code", required=True, help="Credit code of the entry / 条目的统一社会信用代码")
@click.option("--role", type=click.Choice(list(ROLES)), required=True, help="Role of the entry / 条目的角色")
@with_operator
@click.pass_context
def trust_remove(ctx, trustlist, credit_code, role, operator_path, passphrase_file, passphrase_env, anchor,
                 next_update):
    """Remove an agency entry (credit code and role). / 从信任列表删除机关条目。"""
    from edossier.signing.trustlist_edit import remove_agency

    def change(tl):
        return (remove_agency(tl, credit_code.strip(), role), f"Removed {credit_code} ({role}) from",
                f"已将 {credit_code}（{ROLE_NAMES_ZH.get(role, role)}）移出")

    edit(ctx, trustlist, change, operator_path=operator_path, passphrase_file=passphrase_file,
         passphrase_env=passphrase_env, anchor=anchor, next_update=next_update)


@trust.command("update-crl")
@_TL_ARG
@click.option("--crl", "crl_files", multiple=True, required=True, type=click.Path(path_type=Path, dir_okay=False),
              help="A newer CRL (repeatable); it replaces its issuer's CRL in every entry that lists that CA "
                   "/ 较新的吊销列表（可多次指定）")
@with_operator
@click.pass_context
def trust_update_crl(ctx, trustlist, crl_files, operator_path, passphrase_file, passphrase_env, anchor, next_update):
    """Replace CRLs with newer ones (an older CRL is refused). / 更新信任列表中的吊销列表。"""
    from edossier.signing.trustlist_edit import update_crls

    crls = list(read_crls(ctx, crl_files))

    def change(tl):
        new, n = update_crls(tl, crls)
        return new, f"Updated {len(crls)} CRL(s) in {n} entr{'y' if n == 1 else 'ies'} of", \
            f"已在 {n} 个条目中更新 {len(crls)} 个吊销列表："

    edit(ctx, trustlist, change, operator_path=operator_path, passphrase_file=passphrase_file,
         passphrase_env=passphrase_env, anchor=anchor, next_update=next_update)


@trust.command("sign")
@_TL_ARG
@with_operator
@click.pass_context
def trust_sign(ctx, trustlist, operator_path, passphrase_file, passphrase_env, anchor, next_update):
    """Sign the list as its operator. An unsigned list keeps its sequence number (the edit that left
    it unsigned already took the next one); re-signing a signed list makes a new edition.
    / 以运营方身份签名信任列表。"""
    from edossier.signing.trustlist_edit import is_signed_bytes

    if operator_path is None:
        fail(ctx, "trust sign needs --operator OPERATOR.p12", "trust sign 需要 --operator 运营方凭据", EXIT_USAGE)
    if not trustlist.is_file():
        fail(ctx, f"{trustlist}: no such trust list", f"{trustlist}：信任列表不存在", EXIT_USAGE)
    try:
        bump = is_signed_bytes(trustlist.read_bytes())
    except Exception:  # noqa: BLE001 - unreadable or not XML: _load below reports it properly
        bump = True

    def change(tl):
        return (tl, f"Signed ({len(tl.agencies)} agencies, {len(tl.tsas)} time-stamping authorities)",
                f"已签名（{len(tl.agencies)} 个机关，{len(tl.tsas)} 个时间戳服务）")

    edit(ctx, trustlist, change, operator_path=operator_path, passphrase_file=passphrase_file,
         passphrase_env=passphrase_env, anchor=anchor, next_update=next_update, bump=bump)
