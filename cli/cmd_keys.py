"""`edossier keys demo | revoke | issue | serve-tsa | serve-crl`: the demo PKI and scripting test scenarios with it."""

from __future__ import annotations

from pathlib import Path

import click

from edossier.cli.main import EXIT_USAGE, fail, guard_output, main, say
from edossier.errors import UserError
from edossier.roles import ROLES as _ROLES
from edossier.roles import role_name

ROLES = list(_ROLES)


@main.group()
def keys():
    """Signing keys and trust lists. / 签名密钥与信任列表。"""


@keys.command("demo")
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False))
@click.option("--rsa", is_flag=True, help="RSA 3072 keys instead of ECDSA P-256 (same as --algorithm rsa) / 使用 RSA 3072 密钥")
@click.option("--algorithm", type=click.Choice(["ecdsa", "rsa", "sm2"]), default=None,
              help="Key algorithm: ECDSA P-256 (default), RSA 3072, or SM2 (GB/T 32918; credentials as PEM) / "
                   "密钥算法：ECDSA P-256（默认）、RSA 3072 或 SM2（国密，凭据为 PEM 文件）")
@click.option("--force", is_flag=True, help="Overwrite an existing demo PKI / 覆盖已有的演示 PKI")
@click.option("--crl-url", "crl_url", metavar="BASE",
              help="Put http://127.0.0.1:PORT/ (or localhost) CRL distribution points into the certificates "
                   "instead of file: URLs; serve them with `keys serve-crl` / 证书中使用本机 http 吊销列表分发点")
@click.pass_context
def keys_demo(ctx, directory, rsa, algorithm, force, crl_url):
    """Make a demo PKI: root CA, one CA per agency role, CRLs, one PKCS#12 credential per agency (PEM
    for SM2), and a trust list. For demonstration and testing only. / 生成演示 PKI（仅供演示和测试）。"""
    from edossier.demo.pki import make_demo_pki

    if rsa and algorithm not in (None, "rsa"):
        fail(ctx, f"--rsa contradicts --algorithm {algorithm}", f"--rsa 与 --algorithm {algorithm} 相矛盾", EXIT_USAGE)
    key_type = {"ecdsa": "ec", "rsa": "rsa", "sm2": "sm2", None: "rsa" if rsa else "ec"}[algorithm]

    if crl_url is not None:
        from urllib.parse import urlsplit

        from edossier.signing.revocation import LOCAL_HOSTS

        parts = urlsplit(crl_url)
        if parts.scheme != "http" or (parts.hostname or "") not in LOCAL_HOSTS:
            fail(ctx, f"--crl-url {crl_url}: use an http URL on the loopback interface, e.g. http://127.0.0.1:3181/",
                 f"--crl-url {crl_url}：请使用本机回环地址的 http URL，例如 http://127.0.0.1:3181/", EXIT_USAGE)
    directory.mkdir(parents=True, exist_ok=True)
    try:
        pki = make_demo_pki(directory, key_type=key_type, overwrite=force, crl_base_url=crl_url)
    except FileExistsError:
        fail(ctx, f"{directory} already holds a trust list; use --force to replace it",
             f"{directory} 中已有信任列表；如需覆盖请加 --force", EXIT_USAGE)
    say(ctx, f"Demo PKI written to {directory} (trust list: {pki.trustlist_path}, signed; its anchor: "
             f"{pki.anchor_path}). Not for real cases.",
        f"演示 PKI 已写入 {directory}（信任列表：{pki.trustlist_path}，已签名；信任锚：{pki.anchor_path}）。不得用于真实案件。")


@keys.command("revoke")
@click.argument("pki_dir", type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option("--role", type=click.Choice(ROLES), required=True, help="Whose CA revokes / 由哪一角色的 CA 吊销")
@click.option("--cert", "cert_file", type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="Certificate to revoke (PEM, DER or a PKCS#12 without passphrase) / 要吊销的证书")
@click.option("--serial", type=str, help="Serial number (decimal or 0x…) instead of --cert / 证书序列号")
@click.option("--at", "when", metavar="TIME", help="Revocation time (ISO 8601, default now) / 吊销时间")
@click.pass_context
def keys_revoke(ctx, pki_dir, role, cert_file, serial, when):
    """Revoke a certificate in a demo PKI: updates the CA's CRL and the trust list. / 在演示 PKI 中吊销证书。"""
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import pkcs12

    from edossier.demo.pki import revoke_in_demo

    if bool(cert_file) == bool(serial):
        fail(ctx, "give exactly one of --cert and --serial", "请且仅请指定 --cert 或 --serial 之一", EXIT_USAGE)
    if cert_file:
        data = cert_file.read_bytes()
        try:
            if data.lstrip().startswith(b"-----"):
                number = x509.load_pem_x509_certificate(data).serial_number
            elif cert_file.suffix.lower() in (".p12", ".pfx"):
                number = pkcs12.load_key_and_certificates(data, None)[1].serial_number
            else:
                number = x509.load_der_x509_certificate(data).serial_number
        except (ValueError, AttributeError) as exc:
            fail(ctx, f"{cert_file}: not a readable certificate ({exc})", f"{cert_file}：无法读取的证书（{exc}）",
                 EXIT_USAGE)
    else:
        try:
            number = int(serial, 0)
        except ValueError:
            fail(ctx, f"--serial {serial!r} is not a number", f"--serial {serial!r} 不是数字", EXIT_USAGE)
    moment = None
    if when:
        try:
            moment = dt.datetime.fromisoformat(when.replace("Z", "+00:00"))
            moment = moment if moment.tzinfo else moment.astimezone()
        except ValueError:
            fail(ctx, f"--at {when!r}: use ISO 8601", f"--at {when!r}：请使用 ISO 8601 格式", EXIT_USAGE)
    try:
        revoke_in_demo(pki_dir, role, number, when=moment)
    except (ValueError, OSError) as exc:
        # UserError (a ValueError) carries its Chinese text; an OSError's reason is the system's own
        fail(ctx, *((exc.en, exc.zh) if isinstance(exc, UserError) else (str(exc), str(exc))), EXIT_USAGE)
    say(ctx, f"Revoked serial {number:#x} on the {role} CA's CRL; trust list updated.",
        f"已在{role_name(role, 'zh-CN')} CA 的吊销列表中吊销序列号 {number:#x}，信任列表已更新。")


@keys.command("issue")
@click.argument("pki_dir", type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option("--role", type=click.Choice(ROLES), required=True, help="Issuing CA's role / 签发 CA 的角色")
@click.option("--name", "agency_name", required=True, help="Agency name (certificate O) / 机关名称")
@click.option("--credit-code", required=True, help="18-character unified social credit code / 统一社会信用代码")
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path, dir_okay=False),
              help="Credential file to write: PKCS#12 (PEM key + certificates from an SM2 demo PKI) / 输出的凭据文件（PKCS#12；SM2 演示 PKI 为 PEM）")
@click.option("--days", type=click.IntRange(1, 36500), help="Validity in days (default 2 years) / 有效天数")
@click.option("--rsa", is_flag=True, help="RSA 3072 instead of ECDSA P-256 / 使用 RSA 3072")
@click.option("--client-auth-only", is_flag=True, help="Wrong EKU, for negative tests / 仅客户端认证用途（用于反例测试）")
@click.option("--passphrase-file", type=click.Path(path_type=Path, dir_okay=False),
              help="Protect the new credential with the passphrase in this file / 用此文件中的口令保护新凭据")
@click.option("--passphrase-env", metavar="VAR",
              help="Protect the new credential with the passphrase in this environment variable / 用此环境变量中的口令保护新凭据")
@click.option("--trust", "trust_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Also add the agency to this trust list (its CA and CRL from PKI_DIR) / 同时将该机关加入此信任列表")
@click.option("--operator", "operator_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Trust-list operator credential that signs the new edition of --trust / 签名 --trust 新版本的运营方凭据")
@click.option("--operator-passphrase-env", metavar="VAR",
              help="The operator credential's passphrase, from this environment variable / 运营方凭据口令所在的环境变量")
@click.pass_context
def keys_issue(ctx, pki_dir, role, agency_name, credit_code, output, days, rsa, client_auth_only,
               passphrase_file, passphrase_env, trust_path, operator_path, operator_passphrase_env):
    """Issue another signing credential from a demo PKI's CA, and with --trust add its agency to a
    trust list. / 由演示 PKI 的 CA 签发新的签名凭据（可同时加入信任列表）。"""
    from cryptography.x509.oid import ExtendedKeyUsageOID

    from edossier.cli.main import _passphrase
    from edossier.idcodes import is_valid_credit_code
    from edossier.demo.ca import DEFAULT_SIGNER_EKU
    from edossier.demo.pki import issue_in_demo

    if not is_valid_credit_code(credit_code):
        from edossier.idcodes import credit_code_check_char

        try:  # a mistyped last character is the common case: say which one GB 32100 gives
            right = credit_code_check_char(credit_code[:17]) if len(credit_code) == 18 else None
        except (KeyError, ValueError):
            right = None
        hint_en = f"; its check character is {credit_code[17]}, GB 32100 gives {right}" if right else ""
        hint_zh = f"；校验码为 {credit_code[17]}，按 GB 32100 应为 {right}" if right else ""
        fail(ctx, f"{credit_code}: not a valid unified social credit code (check character){hint_en}",
             f"{credit_code}：不是有效的统一社会信用代码（校验码错误）{hint_zh}", EXIT_USAGE)
    if operator_path is not None and trust_path is None:
        fail(ctx, "--operator needs --trust TRUSTLIST", "--operator 须与 --trust 一起使用", EXIT_USAGE)
    from edossier.fsutil import Input

    # The PKI folder holds the CA keys, the trust list and the other credentials: a new credential is
    # never written over one of them (a lost CA key cannot be made again).
    guard_output(ctx, output, [Input(pki_dir, "the PKI folder", "PKI 文件夹", tree=True),
                               Input(trust_path, "the trust list", "信任列表") if trust_path else None,
                               Input(passphrase_file, "the passphrase file", "口令文件") if passphrase_file else None],
                 ("the credential", "输出的凭据"))
    passphrase = _passphrase(ctx, output, passphrase_file, passphrase_env)
    if passphrase is not None and not passphrase:
        fail(ctx, "the passphrase is empty", "口令为空", EXIT_USAGE)
    entry = None
    if trust_path is not None:
        # Everything about the trust list is checked before the credential is made, so a refused
        # list does not leave a credential behind for an agency nobody trusts.
        entry = _trust_entry(ctx, pki_dir, role, agency_name, credit_code)
        _precheck_trust(ctx, trust_path, entry, operator_path, operator_passphrase_env)
    eku = [ExtendedKeyUsageOID.CLIENT_AUTH] if client_auth_only else DEFAULT_SIGNER_EKU
    try:
        cred = issue_in_demo(pki_dir, role, agency_name, credit_code, output, key_type="rsa" if rsa else "ec",
                             days=days, eku=eku, passphrase=passphrase)
    except (ValueError, OSError) as exc:
        # UserError (a ValueError) carries its Chinese text; an OSError's reason is the system's own
        fail(ctx, *((exc.en, exc.zh) if isinstance(exc, UserError) else (str(exc), str(exc))), EXIT_USAGE)
    say(ctx, f"Issued {output} (serial {cred.cert.serial_number:#x}) for {agency_name}.",
        f"已为 {agency_name} 签发 {output}（序列号 {cred.cert.serial_number:#x}）。")
    if entry is not None:
        from edossier.cli.cmd_trust import edit
        from edossier.signing.trustlist_edit import add_agency

        def change(tl):
            return (add_agency(tl, entry), f"Added {agency_name} ({credit_code}, {role}) to",
                    f"已将 {agency_name}（{credit_code}）加入")

        edit(ctx, trust_path, change, operator_path=operator_path, passphrase_file=None,
             passphrase_env=operator_passphrase_env, anchor=None, next_update=None)


def _trust_entry(ctx, pki_dir: Path, role: str, agency_name: str, credit_code: str):
    """The trust-list entry for an agency under the demo folder's CA of `role`: that CA and the root,
    with their CRLs, in force while the CA is (as `keys demo` lists its agencies)."""
    from cryptography import x509

    from edossier.cli.cmd_trust import read_certs, read_crls
    from edossier.signing.trustlist_model import TrustedAgency

    files = [pki_dir / f"ca-{role}.pem", pki_dir / "root-ca.pem"]
    crls = [pki_dir / f"crl-{role}.crl", pki_dir / "crl-root.crl"]
    for f in files + crls:
        if not f.is_file():
            fail(ctx, f"{f}: missing; PKI_DIR must be a folder made by `edossier keys demo`",
                 f"{f}：不存在；PKI_DIR 须为 edossier keys demo 生成的文件夹", EXIT_USAGE)
    cas = read_certs(ctx, files, ("CA certificate", "CA 证书"))
    ca = x509.load_der_x509_certificate(cas[0])
    return TrustedAgency(name=agency_name, credit_code=credit_code, role=role, ca_certs=cas,
                         crls=read_crls(ctx, crls), valid_from=ca.not_valid_before_utc,
                         valid_to=ca.not_valid_after_utc)


def _precheck_trust(ctx, trust_path: Path, entry, operator_path, operator_passphrase_env) -> None:
    from edossier.cli.cmd_trust import _load, _operator
    from edossier.signing.trustlist_edit import add_agency
    from edossier.signing.trustlist_model import TrustListError

    operator = _operator(ctx, operator_path, None, operator_passphrase_env)
    tl, _signed = _load(ctx, trust_path, operator.cert if operator else None)
    try:
        add_agency(tl, entry)
    except TrustListError as exc:
        fail(ctx, f"trust list {trust_path}: {exc.en}", f"信任列表 {trust_path}：{exc.zh}", EXIT_USAGE)


@keys.command("serve-tsa")
@click.argument("pki_dir", type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option("--port", type=click.IntRange(1, 65535), default=3180, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (loopback by default) / 监听地址（默认仅本机）")
@click.pass_context
def keys_serve_tsa(ctx, pki_dir, port, host):
    """Serve the demo PKI's time-stamping authority (RFC 3161) until interrupted; sign with
    `--tsa http://127.0.0.1:3180/`. Demo only. / 运行演示用时间戳服务（仅供演示）。"""
    from edossier.signing.tsa import LocalTSA, make_server

    # tsa.p12 (RSA) in an ECDSA/RSA demo PKI, tsa.pem (SM2: its tokens are SM2/SM3) in an SM2 one
    p12 = next((p for p in (pki_dir / "tsa.p12", pki_dir / "tsa.pem") if p.is_file()), pki_dir / "tsa.p12")
    if not p12.is_file():
        fail(ctx, f"{p12}: missing; make the folder with `edossier keys demo`",
             f"{p12}：不存在；请先运行 edossier keys demo 生成", EXIT_USAGE)
    _serve(ctx, lambda: (make_server(LocalTSA(p12), host, port), f"http://{host}:{port}/"), host, port,
           "Time-stamping authority on {url} (Ctrl-C to stop)", "时间戳服务运行于 {url}（按 Ctrl-C 停止）")


def _serve(ctx, make, host: str, port: int, en: str, zh: str) -> None:
    """Start a local demo server (`make()` gives the server and its URL), say where, serve until Ctrl-C."""
    try:
        server, url = make()
    except OSError as exc:
        fail(ctx, f"cannot listen on {host}:{port}: {exc.strerror}", f"无法监听 {host}:{port}：{exc.strerror}", EXIT_USAGE)
    say(ctx, en.format(url=url), zh.format(url=url))
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


@keys.command("serve-crl")
@click.argument("pki_dir", type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option("--port", type=click.IntRange(1, 65535), default=3181, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (loopback by default) / 监听地址（默认仅本机）")
@click.pass_context
def keys_serve_crl(ctx, pki_dir, port, host):
    """Serve the demo PKI's CRL files (*.crl) over http until interrupted, for a folder made with
    `keys demo DIR --crl-url http://127.0.0.1:3181/`. Demo only. / 通过 http 提供演示 PKI 的吊销列表。"""
    from edossier.signing.revocation import serve_crls

    _serve(ctx, lambda: serve_crls(pki_dir, host, port, in_thread=False), host, port,
           f"CRLs of {pki_dir} on {{url}} (Ctrl-C to stop)", f"{pki_dir} 的吊销列表发布于 {{url}}（按 Ctrl-C 停止）")
