"""A demonstration PKI (演示用 PKI) for the four agencies, made with ``cryptography`` only.

**For demonstration and tests only.** The keys are unprotected and the CRLs are valid for a year. In a
demo folder the CRL distribution points are ``file:`` URLs of the CRL files written there (absolute
paths), or ``http://127.0.0.1:PORT/crl-<role>.crl`` with ``crl_base_url`` (``edossier keys serve-crl``
answers them), so that signing can fetch the CRLs of the signer's path (signing/revocation.py). The
low-level functions, used alone, still name ``pki.edossier.invalid`` (a reserved name that never
resolves) unless given a ``crl_url``.

Shape::

    edossier 演示根CA                       root, self-signed, 20 years, pathlen 1
    ├── edossier 演示公安机关CA              issuing CA per role, 10 years, pathlen 0
    │   └── 深圳市公安局南山分局 电子签章     signer, 2 years, digitalSignature+nonRepudiation,
    ├── edossier 演示人民检察院CA                     EKU documentSigning + emailProtection,
    │   └── …                                         organizationIdentifier = credit code
    ├── edossier 演示人民法院CA
    └── edossier 演示司法行政机关CA

The trust list names each agency with its role's issuing CA and the root (the trust anchor), and the
CRLs of both, so that revocation can be checked along the whole path. :func:`make_demo_pki` writes everything to a
folder; the lower-level functions of demo/ca.py (:func:`make_root_ca`, :func:`issue_ca`, :func:`issue_signer`,
:func:`make_crl`, :func:`write_p12`) are for tests that need unusual certificates.

All validity periods start at ``now - 1 day`` (CRLs: ``thisUpdate = now - 1 hour``), so a run with a
fixed ``now`` gives the same dates every time; keys and serial numbers are still random.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Sequence

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ObjectIdentifier

from edossier.demo.ca import (_check_aware, _utc_now, credential_suffix, CRL_LIFETIME, DEFAULT_SIGNER_EKU, issue_ca,
                              issue_signer, issue_trustlist_operator, issue_tsa, issue_tsa_ca, IssuedCA, IssuedCredential,
                              KEY_TYPES, load_key_pem, make_crl, make_root_ca, OPERATOR_NAME, TSA_NAME, write_credential,
                              write_key, write_p12)
from edossier.errors import UserError
from edossier.fsutil import atomic_write_bytes
from edossier.roles import ROLES
from edossier.signing.trustlist_model import TrustedAgency, TrustedTSA, TrustList
from edossier.signing.trustlist_write import write_trustlist


__all__ = [
    "DEMO_AGENCIES",
    "DemoAgency",
    "DemoPKI",
    "make_demo_pki",
    "load_operator",
    "load_demo_trustlist",
]


@dataclass(frozen=True)
class DemoAgency:
    role: str
    name: str
    credit_code: str


#: The demo agencies, one per role. Credit codes carry a correct GB 32100 check character; the four
#: 南山区 codes (division 440305) also carry a correct GB 11714 organisation-code check character.
#: The supervisory commission (监察委员会) is an organ: registration authority 1 (机构编制), category 1
#: (机关), like the procuratorate and the court.
DEMO_AGENCIES: tuple[DemoAgency, ...] = (
    DemoAgency("police", "深圳市公安局南山分局", "11440300MB2C123452"),
    DemoAgency("procuratorate", "深圳市南山区人民检察院", "11440305MB2D10001W"),
    DemoAgency("court", "深圳市南山区人民法院", "11440305MB2D200077"),
    DemoAgency("justice", "深圳市南山区司法局", "11440305MB2D30002F"),
    DemoAgency("supervision", "深圳市南山区监察委员会", "11440305MB2D40008R"),
)


@dataclass
class DemoPKI:
    """What :func:`make_demo_pki` made: paths of the files and the objects in memory."""

    out_dir: Path
    now: dt.datetime
    root: IssuedCA
    cas: dict[str, IssuedCA]
    credentials: dict[str, IssuedCredential]
    crls: dict[str, bytes]  # "root" and each role -> DER
    trustlist: TrustList
    trustlist_path: Path
    root_cert_path: Path
    ca_cert_paths: dict[str, Path] = field(default_factory=dict)
    crl_paths: dict[str, Path] = field(default_factory=dict)  # "root" and each role
    # each role, "tsa" and "trustlist-operator": the credential files (.p12; .pem for SM2 credentials)
    p12_paths: dict[str, Path] = field(default_factory=dict)
    readme_path: Path | None = None
    tsa: IssuedCredential | None = None
    operator: IssuedCredential | None = None  # signs trustlist.xml; its certificate is the trust anchor
    anchor_path: Path | None = None  # trust-anchor.pem
    tsa_ca: IssuedCA | None = None  # the CA dedicated to time-stamping that issued `tsa`


# --- building blocks -----------------------------------------------------------------------------------


def load_operator(pki_dir: Path) -> IssuedCredential:
    """The trust-list operator credential of a demo folder (``trustlist-operator.p12``)."""
    path = Path(pki_dir) / "trustlist-operator.p12"
    try:
        key, cert, _extra = pkcs12.load_key_and_certificates(path.read_bytes(), None)
    except FileNotFoundError:
        raise UserError(f"{pki_dir} is not a demo PKI folder with a trust-list operator "
                        "(trustlist-operator.p12 missing)",
                        f"{pki_dir} 不是带信任列表运营方凭据的演示 PKI 文件夹（缺少 trustlist-operator.p12）") from None
    return IssuedCredential(cert=cert, key=key, chain=(), agency_name=OPERATOR_NAME, credit_code="",
                      role="trustlist-operator")


def load_demo_trustlist(pki_dir: Path, **kwargs) -> TrustList:
    """Load ``pki_dir/trustlist.xml`` verified against ``pki_dir/trust-anchor.pem`` (for tests and
    the demo: a demo folder carries its own anchor; a real anchor comes from elsewhere)."""
    from edossier.signing.trustlist import load_trustlist

    pki_dir = Path(pki_dir)
    return load_trustlist(pki_dir / "trustlist.xml", anchor=pki_dir / "trust-anchor.pem", **kwargs)


# --- the demo folder -----------------------------------------------------------------------------------

README_TEXT = """\
edossier 演示 PKI / edossier demo PKI
====================================

仅供演示和测试使用！私钥没有口令保护，任何人拿到这些文件都能以演示机构的名义签名。
请勿用于真实案件。证书中的 CRL 分发点是本目录中 CRL 文件的 file: 地址（或 keys serve-crl 提供的
http://127.0.0.1 地址）；移动本目录后签名时请用 --crl 指定 CRL 文件。

FOR DEMONSTRATION AND TESTS ONLY. The private keys have no passphrase; anyone holding these
files can sign in the demo agencies' names. Never use them for real cases. The certificates' CRL
distribution points are file: URLs of the CRL files in this folder (or http://127.0.0.1 URLs that
keys serve-crl answers); after moving the folder, sign with --crl FILE.

文件 / Files
-------------
root-ca.pem        演示根 CA 证书（自签名，20 年）
                   demo root CA certificate (self-signed, 20 years)
ca-<角色role>.pem  各角色的签发 CA 证书（10 年，由根 CA 签发）：police 公安, procuratorate 检察院,
                   court 法院, justice 司法行政, supervision 监察机关
                   issuing CA certificate of each role (10 years, issued by the root)
crl-root.crl       根 CA 的证书吊销列表（DER，覆盖各签发 CA）
                   the root CA's CRL (DER; covers the issuing CAs)
crl-<role>.crl     各签发 CA 的证书吊销列表（DER，当前为空）
                   each issuing CA's CRL (DER; empty)
<role>.p12         各机构的签名凭据（PKCS#12：私钥 + 签名证书 + 签发 CA + 根 CA，无口令，2 年）；
                   SM2 演示 PKI 中为 <role>.pem（PEM：私钥 + 签名证书 + 签发 CA + 根 CA）
                   each agency's signing credential (PKCS#12: key + certificate + issuing CA + root;
                   no passphrase; 2 years); <role>.pem (PEM, same content) in an SM2 demo PKI
tsa.p12            演示时间戳服务的凭据（RSA，供 edossier keys serve-tsa 使用）
                   the demo time-stamping authority's credential (RSA; for edossier keys serve-tsa)
ca-tsa.pem         专用于时间戳的 CA 证书（由根 CA 签发，仅签发时间戳服务证书）；crl-tsa.crl 为其 CRL
                   the CA dedicated to time-stamping (issued by the root; issues only the TSA
                   certificate); crl-tsa.crl is its CRL
*.key.pem          根 CA 与各签发 CA 的私钥（无口令，仅供 edossier keys revoke / keys issue 演示使用）
                   private keys of the root and issuing CAs (no passphrase; for keys revoke / keys issue)
trustlist.xml      信任列表：每个机构、其角色、签发 CA 证书与根证书（信任锚）及其 CRL；由运营方签名
                   trust list: each agency, its role, its issuing CA and root (trust anchor), and their
                   CRLs; signed by the trust-list operator
trustlist-operator.p12  信任列表运营方的签名凭据（自签名，无口令；keys revoke 用它重新签名）
                   the trust-list operator's credential (self-signed; keys revoke re-signs with it)
trust-anchor.pem   运营方证书：校验时用 --trust-anchor trust-anchor.pem 指定
                   the operator's certificate: name it with --trust-anchor trust-anchor.pem

机构 / Agencies
----------------
{agencies}

CRL 的下次更新时间为一年后；过期后请重新生成本目录（edossier keys demo DIR）。
The CRLs' nextUpdate is one year ahead; after that, make this folder again (edossier keys demo DIR).
"""


def make_demo_pki(
    out_dir: Path,
    *,
    now: dt.datetime | None = None,
    key_type: str = "ec",
    overwrite: bool = False,
    agencies: Sequence[DemoAgency] = DEMO_AGENCIES,
    crl_base_url: str | None = None,
) -> DemoPKI:
    """Make the demo PKI in ``out_dir`` (created if needed) and return what was made.

    Raises FileExistsError if ``out_dir/trustlist.xml`` exists and ``overwrite`` is false. Every file
    is written atomically, and ``trustlist.xml`` last, so its presence marks a complete folder.
    The CRLs' nextUpdate is ``now + 1 year`` so the folder stays usable for a demo. The certificates'
    CRL distribution points are ``file:`` URLs of ``crl-<role>.crl`` / ``crl-root.crl`` in ``out_dir``,
    or ``crl_base_url`` + those names (e.g. ``http://127.0.0.1:3181/``, see ``keys serve-crl``).
    """
    out_dir = Path(out_dir)
    now = _check_aware(now, "now") if now is not None else _utc_now()
    if key_type not in KEY_TYPES:
        raise ValueError(f"unknown key_type {key_type!r} (use 'ec', 'rsa' or 'sm2')")
    tl_path = out_dir / "trustlist.xml"
    if tl_path.exists() and not overwrite:
        raise FileExistsError(f"{tl_path} already exists (pass overwrite=True to replace the demo PKI)")
    roles_needed = [a.role for a in agencies]
    for role in roles_needed:
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}")

    base = crl_base_url or out_dir.resolve().as_uri() + "/"
    if not base.endswith("/"):
        base += "/"
    root = make_root_ca(now=now, key_type=key_type, crl_url=f"{base}crl-root.crl")
    cas = {role: issue_ca(root, role, now=now, key_type=key_type, crl_url=f"{base}crl-{role}.crl")
           for role in dict.fromkeys(roles_needed)}
    creds = {
        a.role: issue_signer(cas[a.role], a.name, a.credit_code, now=now, key_type=key_type, role=a.role)
        for a in agencies
    }
    # the TSA comes from a CA dedicated to time-stamping
    # An SM2 PKI has an SM2 TSA (Chinese TSAs sign GB/T 20520 tokens with SM2); otherwise RSA, which
    # pyHanko's in-process time stamper needs (demo/ca.py issue_tsa).
    tsa_key = "sm2" if key_type == "sm2" else "rsa"
    tsa_ca = issue_tsa_ca(root, now=now, crl_url=f"{base}crl-tsa.crl", key_type=tsa_key)
    tsa = issue_tsa(tsa_ca, now=now, key_type=tsa_key)
    # The trust list is an XML signature (signxml), which has no SM2: its operator stays ECDSA.
    operator = issue_trustlist_operator(now=now, key_type="ec" if key_type == "sm2" else key_type)
    crls = {"root": make_crl(root, now=now), "tsa": make_crl(tsa_ca, now=now)}
    crls.update({role: make_crl(ca, now=now) for role, ca in cas.items()})

    out_dir.mkdir(parents=True, exist_ok=True)
    pki = DemoPKI(
        out_dir=out_dir,
        now=now,
        root=root,
        cas=cas,
        credentials=creds,
        crls=crls,
        trustlist=TrustList(agencies=()),
        trustlist_path=tl_path,
        root_cert_path=out_dir / "root-ca.pem",
    )
    atomic_write_bytes(pki.root_cert_path, root.pem)
    for role, ca in cas.items():
        pki.ca_cert_paths[role] = out_dir / f"ca-{role}.pem"
        atomic_write_bytes(pki.ca_cert_paths[role], ca.pem)
    for key, der in crls.items():
        pki.crl_paths[key] = out_dir / f"crl-{key}.crl"
        atomic_write_bytes(pki.crl_paths[key], der)
    for role, cred in creds.items():
        pki.p12_paths[role] = out_dir / f"{role}{credential_suffix(cred)}"
        write_credential(cred, pki.p12_paths[role], None)
    pki.tsa = tsa
    pki.tsa_ca = tsa_ca
    atomic_write_bytes(out_dir / "ca-tsa.pem", tsa_ca.pem)
    pki.p12_paths["tsa"] = out_dir / f"tsa{credential_suffix(tsa)}"
    write_credential(tsa, pki.p12_paths["tsa"], None)
    pki.operator = operator
    pki.p12_paths["trustlist-operator"] = out_dir / "trustlist-operator.p12"
    write_p12(operator, pki.p12_paths["trustlist-operator"], None)
    pki.anchor_path = out_dir / "trust-anchor.pem"
    atomic_write_bytes(pki.anchor_path, operator.cert.public_bytes(serialization.Encoding.PEM))
    write_key(root.key, out_dir / "root-ca.key.pem")
    for role, ca in cas.items():
        write_key(ca.key, out_dir / f"ca-{role}.key.pem")

    lines = [f"{a.role:<14} {a.name}  {a.credit_code}  {pki.p12_paths[a.role].name}" for a in agencies]
    pki.readme_path = out_dir / "README.txt"
    atomic_write_bytes(pki.readme_path, README_TEXT.format(agencies="\n".join(lines)).encode("utf-8"))

    tl = TrustList(
        agencies=tuple(
            TrustedAgency(
                name=a.name,
                credit_code=a.credit_code,
                role=a.role,
                # The root is the anchor; the role's issuing CA is what the signer's path must pass
                # through; both CRLs are needed because revocation is required along the whole path.
                ca_certs=(cas[a.role].der, root.der),
                crls=(crls[a.role], crls["root"]),
                valid_from=cas[a.role].cert.not_valid_before_utc,
                valid_to=cas[a.role].cert.not_valid_after_utc,
            )
            for a in agencies
        ),
        name="edossier 演示信任列表（仅供演示） / edossier demo trust list (demonstration only)",
        issued=now.replace(microsecond=0),
        next_update=now.replace(microsecond=0) + CRL_LIFETIME,
        sequence=1,
        # The TSA is named twice over: pinned by its own certificate, and issued by a dedicated TSA CA.
        tsas=(TrustedTSA(name=TSA_NAME, tsa_certs=(tsa.der,), ca_certs=(tsa_ca.der, root.der),
                         crls=(crls["tsa"], crls["root"]),
                         valid_from=tsa_ca.cert.not_valid_before_utc, valid_to=tsa_ca.cert.not_valid_after_utc),),
    )
    write_trustlist(tl, tl_path, signer=operator)
    pki.trustlist = tl
    return pki


# --- changing a demo folder: `edossier keys revoke` and `edossier keys issue` ------------------------


def load_demo_ca(pki_dir: Path, role: str) -> IssuedCA:
    """The issuing CA of ``role`` from a demo folder (certificate, key, and the root above it)."""
    pki_dir = Path(pki_dir)
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r} (use one of {', '.join(ROLES)})")
    try:
        cert = x509.load_pem_x509_certificate((pki_dir / f"ca-{role}.pem").read_bytes())
        key = load_key_pem((pki_dir / f"ca-{role}.key.pem").read_bytes())
        root = x509.load_pem_x509_certificate((pki_dir / "root-ca.pem").read_bytes())
    except FileNotFoundError as exc:
        raise UserError(f"{pki_dir} is not a demo PKI folder with CA keys ({Path(exc.filename).name} missing)",
                        f"{pki_dir} 不是带 CA 私钥的演示 PKI 文件夹（缺少 {Path(exc.filename).name}）") from None
    # Signers issued later point at the folder's CRL file, like those make_demo_pki issued.
    crl_url = (pki_dir / f"crl-{role}.crl").resolve().as_uri()
    return IssuedCA(cert=cert, key=key, chain=(root,), crl_url=crl_url, role=role)


def revoke_in_demo(pki_dir: Path, role: str, serial: int, *, when: dt.datetime | None = None,
                   now: dt.datetime | None = None) -> bytes:
    """Add ``serial`` to the CRL of ``role``'s issuing CA in a demo folder: rewrite ``crl-<role>.crl``
    (next CRL number) and the CRL in every trust-list entry of that role, re-signed by the folder's
    trust-list operator with the next sequence number. Returns the new CRL."""
    pki_dir = Path(pki_dir)
    ca = load_demo_ca(pki_dir, role)
    now = _check_aware(now, "now") if now is not None else _utc_now()
    when = _check_aware(when, "when") if when is not None else now
    crl_path = pki_dir / f"crl-{role}.crl"
    old = x509.load_der_x509_crl(crl_path.read_bytes())
    revoked = [(r.serial_number, r.revocation_date_utc) for r in old if r.serial_number != serial]
    revoked.append((serial, when))
    try:
        number = old.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number + 1
    except x509.ExtensionNotFound:
        number = 2
    new = make_crl(ca, revoked, now=now + dt.timedelta(hours=1), crl_number=number)
    old_der = old.public_bytes(serialization.Encoding.DER)
    tl_path = pki_dir / "trustlist.xml"
    tl = load_demo_trustlist(pki_dir)
    operator = load_operator(pki_dir)
    agencies = tuple(
        replace(a, crls=tuple(new if c == old_der else c for c in a.crls)) if a.role == role else a
        for a in tl.agencies
    )
    atomic_write_bytes(crl_path, new)
    issued = max(now, tl.issued or now).replace(microsecond=0)
    write_trustlist(replace(tl, agencies=agencies, sequence=tl.sequence + 1, issued=issued,
                            next_update=max(tl.next_update or issued, issued + dt.timedelta(days=1))),
                    tl_path, signer=operator)
    return new


def issue_in_demo(pki_dir: Path, role: str, agency_name: str, credit_code: str, out: Path, *,
                  passphrase: bytes | None = None, key_type: str = "ec", days: int | None = None,
                  eku: Sequence[ObjectIdentifier] | None = DEFAULT_SIGNER_EKU,
                  now: dt.datetime | None = None) -> IssuedCredential:
    """Issue another signer under ``role``'s demo CA and write it to ``out``: PKCS#12, or for an SM2
    demo CA a PEM credential (key + certificates), whatever ``key_type`` says (an SM2 CA issues SM2)."""
    ca = load_demo_ca(pki_dir, role)
    now = _check_aware(now, "now") if now is not None else _utc_now()
    not_after = now + dt.timedelta(days=days) if days is not None else None
    from edossier.signing import sm2

    if isinstance(ca.key, sm2.SM2PrivateKey):
        key_type = "sm2"
    cred = issue_signer(ca, agency_name, credit_code, now=now, key_type=key_type, not_after=not_after,
                        eku=eku, role=role)
    write_credential(cred, out, passphrase)
    return cred
