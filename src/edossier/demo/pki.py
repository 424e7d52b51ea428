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
folder; the lower-level functions (:func:`make_root_ca`, :func:`issue_ca`, :func:`issue_signer`,
:func:`make_crl`, :func:`write_p12`) are for tests that need unusual certificates.

All validity periods start at ``now - 1 day`` (CRLs: ``thisUpdate = now - 1 hour``), so a run with a
fixed ``now`` gives the same dates every time; keys and serial numbers are still random.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterable, Sequence, Union

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier

from edossier.errors import UserError
from edossier.fsutil import atomic_write_bytes
from edossier.roles import ROLE_NAMES_ZH, ROLES
from edossier.signing.trustlist_model import TrustedAgency, TrustedTSA, TrustList
from edossier.signing.trustlist_write import write_trustlist

__all__ = [
    "DEMO_AGENCIES",
    "DemoAgency",
    "DOCUMENT_SIGNING",
    "DEFAULT_SIGNER_EKU",
    "DEFAULT_SIGNER_KEY_USAGE",
    "CRL_BASE_URL",
    "IssuedCA",
    "IssuedCredential",
    "DemoPKI",
    "generate_key",
    "make_root_ca",
    "issue_ca",
    "issue_signer",
    "issue_tsa",
    "issue_tsa_ca",
    "make_crl",
    "write_p12",
    "make_demo_pki",
    "issue_trustlist_operator",
    "load_operator",
    "load_demo_trustlist",
]

PrivateKey = Union[ec.EllipticCurvePrivateKey, rsa.RSAPrivateKey]


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

DOCUMENT_SIGNING = ObjectIdentifier("1.3.6.1.5.5.7.3.36")  # RFC 9336 id-kp-documentSigning
DEFAULT_SIGNER_EKU: tuple[ObjectIdentifier, ...] = (DOCUMENT_SIGNING, ExtendedKeyUsageOID.EMAIL_PROTECTION)
DEFAULT_SIGNER_KEY_USAGE = x509.KeyUsage(
    digital_signature=True,
    content_commitment=True,  # nonRepudiation
    key_encipherment=False,
    data_encipherment=False,
    key_agreement=False,
    key_cert_sign=False,
    crl_sign=False,
    encipher_only=False,
    decipher_only=False,
)
_CA_KEY_USAGE = x509.KeyUsage(
    digital_signature=False,
    content_commitment=False,
    key_encipherment=False,
    data_encipherment=False,
    key_agreement=False,
    key_cert_sign=True,
    crl_sign=True,
    encipher_only=False,
    decipher_only=False,
)

CRL_BASE_URL = "http://pki.edossier.invalid/"
ROOT_CA_NAME = "edossier 演示根CA"
DEMO_ORG = "edossier 演示"
ROOT_YEARS, CA_YEARS, SIGNER_YEARS = 20, 10, 2
CRL_LIFETIME = dt.timedelta(days=365)


@dataclass(frozen=True)
class IssuedCA:
    """A CA certificate with its key. ``chain`` holds the issuers above it (empty for a root);
    ``crl_url`` is where this CA's own CRL is (nominally) published."""

    cert: x509.Certificate
    key: PrivateKey
    chain: tuple[x509.Certificate, ...] = ()
    crl_url: str | None = None
    role: str | None = None

    @property
    def der(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.DER)

    @property
    def pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)


@dataclass(frozen=True)
class IssuedCredential:
    """A signer: key, certificate, and the chain above it (issuing CA first, root last)."""

    cert: x509.Certificate
    key: PrivateKey
    chain: tuple[x509.Certificate, ...]
    agency_name: str
    credit_code: str
    role: str | None = None

    @property
    def der(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.DER)


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
    p12_paths: dict[str, Path] = field(default_factory=dict)  # each role, and "tsa"
    readme_path: Path | None = None
    tsa: IssuedCredential | None = None
    operator: IssuedCredential | None = None  # signs trustlist.xml; its certificate is the trust anchor
    anchor_path: Path | None = None  # trust-anchor.pem
    tsa_ca: IssuedCA | None = None  # the CA dedicated to time-stamping that issued `tsa`


# --- building blocks -----------------------------------------------------------------------------------


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def _check_aware(t: dt.datetime, what: str) -> dt.datetime:
    if t.tzinfo is None:
        raise ValueError(f"{what} must be a timezone-aware datetime")
    return t.astimezone(dt.timezone.utc)


def _add_years(t: dt.datetime, years: int) -> dt.datetime:
    try:
        return t.replace(year=t.year + years)
    except ValueError:  # 29 February
        return t.replace(year=t.year + years, day=28)


def generate_key(key_type: str = "ec") -> PrivateKey:
    """``"ec"``: ECDSA P-256; ``"rsa"``: RSA 3072."""
    if key_type == "ec":
        return ec.generate_private_key(ec.SECP256R1())
    if key_type == "rsa":
        return rsa.generate_private_key(public_exponent=65537, key_size=3072)
    raise ValueError(f"unknown key_type {key_type!r} (use 'ec' or 'rsa')")


def _ski(cert: x509.Certificate) -> x509.SubjectKeyIdentifier:
    return cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value


def _crl_dp(url: str) -> x509.CRLDistributionPoints:
    return x509.CRLDistributionPoints(
        [x509.DistributionPoint([x509.UniformResourceIdentifier(url)], None, None, None)]
    )


def _ca_name(cn: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, DEMO_ORG),
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
        ]
    )


def make_root_ca(
    *, now: dt.datetime | None = None, key_type: str = "ec", name: str = ROOT_CA_NAME, years: int = ROOT_YEARS,
    crl_url: str | None = None,
) -> IssuedCA:
    """A self-signed root CA valid from ``now - 1 day`` for ``years`` years (pathlen 1)."""
    now = _check_aware(now, "now") if now is not None else _utc_now()
    key = generate_key(key_type)
    subject = _ca_name(name)
    start = now - dt.timedelta(days=1)
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(_add_years(start, years))
        .add_extension(x509.BasicConstraints(ca=True, path_length=1), critical=True)
        .add_extension(_CA_KEY_USAGE, critical=True)
        .add_extension(ski, critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False)
        .sign(key, hashes.SHA256())
    )
    return IssuedCA(cert=cert, key=key, chain=(), crl_url=crl_url or f"{CRL_BASE_URL}root-ca.crl")


def issue_ca(
    parent: IssuedCA,
    role: str,
    *,
    now: dt.datetime | None = None,
    key_type: str = "ec",
    name: str | None = None,
    years: int = CA_YEARS,
    crl_url: str | None = None,
    eku: Sequence[ObjectIdentifier] | None = None,
) -> IssuedCA:
    """An issuing CA for ``role`` under ``parent`` (pathlen 0, keyCertSign + cRLSign; with ``eku``, an
    extendedKeyUsage that constrains what it may issue, as for a CA dedicated to time-stamping).

    Its certificate points at the parent's CRL; its own CRL is published at ``crl_url`` (default:
    ``http://pki.edossier.invalid/<role>-ca.crl``), which goes into the certificates it issues.
    """
    now = _check_aware(now, "now") if now is not None else _utc_now()
    key = generate_key(key_type)
    cn = name or f"edossier 演示{ROLE_NAMES_ZH.get(role, role)}CA"
    start = now - dt.timedelta(days=1)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_ca_name(cn))
        .issuer_name(parent.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(min(_add_years(start, years), parent.cert.not_valid_after_utc))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_CA_KEY_USAGE, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(_ski(parent.cert)), critical=False
        )
    )
    if eku:
        builder = builder.add_extension(x509.ExtendedKeyUsage(list(eku)), critical=False)
    if parent.crl_url:
        builder = builder.add_extension(_crl_dp(parent.crl_url), critical=False)
    cert = builder.sign(parent.key, hashes.SHA256())
    return IssuedCA(
        cert=cert,
        key=key,
        chain=(parent.cert, *parent.chain),
        crl_url=crl_url or f"{CRL_BASE_URL}{role}-ca.crl",
        role=role,
    )


def issue_signer(
    ca: IssuedCA,
    agency_name: str,
    credit_code: str,
    *,
    now: dt.datetime | None = None,
    key_type: str = "ec",
    not_before: dt.datetime | None = None,
    not_after: dt.datetime | None = None,
    eku: Sequence[ObjectIdentifier] | None = DEFAULT_SIGNER_EKU,
    key_usage: x509.KeyUsage | None = DEFAULT_SIGNER_KEY_USAGE,
    role: str | None = None,
) -> IssuedCredential:
    """A signing certificate for an agency, issued by ``ca``.

    Subject: C=CN, O=<agency_name>, CN=<agency_name> 电子签章, organizationIdentifier=<credit_code>.
    Validity: ``not_before`` (default ``now - 1 day``) to ``not_after`` (default two years later).
    ``eku=None`` / ``key_usage=None`` leave that extension out (for negative tests); key usage is
    critical, EKU is not. The CRL distribution point is ``ca.crl_url``.
    """
    now = _check_aware(now, "now") if now is not None else _utc_now()
    start = _check_aware(not_before, "not_before") if not_before is not None else now - dt.timedelta(days=1)
    end = _check_aware(not_after, "not_after") if not_after is not None else _add_years(start, SIGNER_YEARS)
    key = generate_key(key_type)
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, agency_name),
            x509.NameAttribute(NameOID.COMMON_NAME, f"{agency_name} 电子签章"),
            x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, credit_code),
        ]
    )
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(_ski(ca.cert)), critical=False
        )
    )
    if key_usage is not None:
        builder = builder.add_extension(key_usage, critical=True)
    if eku is not None:
        builder = builder.add_extension(x509.ExtendedKeyUsage(list(eku)), critical=False)
    if ca.crl_url:
        builder = builder.add_extension(_crl_dp(ca.crl_url), critical=False)
    cert = builder.sign(ca.key, hashes.SHA256())
    return IssuedCredential(
        cert=cert,
        key=key,
        chain=(ca.cert, *ca.chain),
        agency_name=agency_name,
        credit_code=credit_code,
        role=role if role is not None else ca.role,
    )


TSA_NAME = "edossier 演示时间戳服务"


def issue_tsa(ca: IssuedCA, *, now: dt.datetime | None = None, name: str = TSA_NAME) -> IssuedCredential:
    """A time-stamping certificate (RFC 3161: EKU timeStamping, critical) issued by ``ca``.

    RSA 3072, because the in-process TSA (pyHanko's DummyTimeStamper, served by
    :mod:`edossier.signing.tsa`) signs with RSA only.
    """
    now = _check_aware(now, "now") if now is not None else _utc_now()
    start = now - dt.timedelta(days=1)
    key = generate_key("rsa")
    subject = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                         x509.NameAttribute(NameOID.ORGANIZATION_NAME, DEMO_ORG),
                         x509.NameAttribute(NameOID.COMMON_NAME, name)])
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(_add_years(start, SIGNER_YEARS * 5))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(DEFAULT_SIGNER_KEY_USAGE, critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(_ski(ca.cert)),
                       critical=False)
    )
    if ca.crl_url:
        builder = builder.add_extension(_crl_dp(ca.crl_url), critical=False)
    return IssuedCredential(cert=builder.sign(ca.key, hashes.SHA256()), key=key, chain=(ca.cert, *ca.chain),
                      agency_name=name, credit_code="", role="tsa")


OPERATOR_NAME = "edossier 演示信任列表运营方"


def issue_trustlist_operator(*, now: dt.datetime | None = None, name: str = OPERATOR_NAME,
                             key_type: str = "ec") -> IssuedCredential:
    """A self-signed trust-list operator certificate (digitalSignature only, not a CA).

    Self-signed and outside the agencies' hierarchy on purpose: the anchor the user names for the
    trust list must not be a CA that also issues agency or TSA certificates, or any of those keys
    could sign a trust list (docs/spec.md §9.1).
    """
    now = _check_aware(now, "now") if now is not None else _utc_now()
    start = now - dt.timedelta(days=1)
    key = generate_key(key_type)
    subject = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                         x509.NameAttribute(NameOID.ORGANIZATION_NAME, DEMO_ORG),
                         x509.NameAttribute(NameOID.COMMON_NAME, name)])
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(_add_years(start, CA_YEARS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(DEFAULT_SIGNER_KEY_USAGE, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return IssuedCredential(cert=cert, key=key, chain=(), agency_name=name, credit_code="", role="trustlist-operator")


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


TSA_CA_NAME = "edossier 演示时间戳CA"


def issue_tsa_ca(parent: IssuedCA, *, now: dt.datetime | None = None, name: str = TSA_CA_NAME,
                 years: int = CA_YEARS, crl_url: str | None = None) -> IssuedCA:
    """A CA dedicated to time-stamping under ``parent``: pathlen 0 and an extendedKeyUsage of exactly
    timeStamping, which (with being listed for no agency) is what lets a trust list name it as a TSA
    CA (docs/spec.md §9.4). Agencies' issuing CAs never issue TSA certificates. RSA, like the TSA."""
    return issue_ca(parent, "tsa", now=now, key_type="rsa", name=name, years=years,
                    crl_url=crl_url or f"{CRL_BASE_URL}tsa-ca.crl", eku=[ExtendedKeyUsageOID.TIME_STAMPING])


def write_key(key: PrivateKey, path: Path) -> None:
    """A CA's private key as unencrypted PKCS#8 PEM (mode 0600): demo PKIs only, for `keys revoke/issue`."""
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    atomic_write_bytes(Path(path), pem, mode=0o600)


def make_crl(
    ca: IssuedCA,
    revoked: Iterable[tuple[int, dt.datetime]] = (),
    *,
    now: dt.datetime | None = None,
    next_update: dt.datetime | None = None,
    crl_number: int = 1,
) -> bytes:
    """A DER CRL signed by ``ca`` listing ``(serial, revocation_time)`` pairs.

    ``thisUpdate = now - 1 hour``; ``nextUpdate`` defaults to ``now + 1 year`` (long, so that a demo
    folder keeps working; a real CA would publish every few days). Carries CRL number and AKI.
    """
    now = _check_aware(now, "now") if now is not None else _utc_now()
    nxt = _check_aware(next_update, "next_update") if next_update is not None else now + CRL_LIFETIME
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca.cert.subject)
        .last_update(now - dt.timedelta(hours=1))
        .next_update(nxt)
        .add_extension(x509.CRLNumber(crl_number), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(_ski(ca.cert)), critical=False
        )
    )
    for serial, when in revoked:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(serial)
            .revocation_date(_check_aware(when, "revocation time"))
            .build()
        )
    return builder.sign(ca.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def p12_bytes(cred: IssuedCredential, passphrase: bytes | None = None) -> bytes:
    """PKCS#12 with key, signer certificate and chain; unencrypted when ``passphrase`` is None,
    otherwise PBES2 (PBKDF2-SHA256, AES-256-CBC) with a SHA-256 MAC."""
    if passphrase is None:
        enc: serialization.KeySerializationEncryption = serialization.NoEncryption()
    else:
        enc = (
            serialization.PrivateFormat.PKCS12.encryption_builder()
            .kdf_rounds(200_000)
            .key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC)
            .hmac_hash(hashes.SHA256())
            .build(passphrase)
        )
    friendly = f"edossier demo {cred.role or 'signer'}".encode("ascii", "replace")
    return pkcs12.serialize_key_and_certificates(friendly, cred.key, cred.cert, list(cred.chain), enc)


def write_p12(cred: IssuedCredential, path: Path, passphrase: bytes | None = None) -> None:
    """Write ``cred`` as a PKCS#12 file (mode 0600, atomically); see :func:`p12_bytes`."""
    atomic_write_bytes(Path(path), p12_bytes(cred, passphrase), mode=0o600)


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
<role>.p12         各机构的签名凭据（PKCS#12：私钥 + 签名证书 + 签发 CA + 根 CA，无口令，2 年）
                   each agency's signing credential (PKCS#12: key + certificate + issuing CA + root;
                   no passphrase; 2 years)
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
    if key_type not in ("ec", "rsa"):
        raise ValueError(f"unknown key_type {key_type!r} (use 'ec' or 'rsa')")
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
    tsa_ca = issue_tsa_ca(root, now=now, crl_url=f"{base}crl-tsa.crl")
    tsa = issue_tsa(tsa_ca, now=now)
    operator = issue_trustlist_operator(now=now, key_type=key_type)
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
        pki.p12_paths[role] = out_dir / f"{role}.p12"
        write_p12(cred, pki.p12_paths[role], None)
    pki.tsa = tsa
    pki.tsa_ca = tsa_ca
    atomic_write_bytes(out_dir / "ca-tsa.pem", tsa_ca.pem)
    pki.p12_paths["tsa"] = out_dir / "tsa.p12"
    write_p12(tsa, pki.p12_paths["tsa"], None)
    pki.operator = operator
    pki.p12_paths["trustlist-operator"] = out_dir / "trustlist-operator.p12"
    write_p12(operator, pki.p12_paths["trustlist-operator"], None)
    pki.anchor_path = out_dir / "trust-anchor.pem"
    atomic_write_bytes(pki.anchor_path, operator.cert.public_bytes(serialization.Encoding.PEM))
    write_key(root.key, out_dir / "root-ca.key.pem")
    for role, ca in cas.items():
        write_key(ca.key, out_dir / f"ca-{role}.key.pem")

    lines = [f"{a.role:<14} {a.name}  {a.credit_code}  {a.role}.p12" for a in agencies]
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
        key = serialization.load_pem_private_key((pki_dir / f"ca-{role}.key.pem").read_bytes(), password=None)
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
    """Issue another signer under ``role``'s demo CA and write it as PKCS#12 to ``out``."""
    ca = load_demo_ca(pki_dir, role)
    now = _check_aware(now, "now") if now is not None else _utc_now()
    not_after = now + dt.timedelta(days=days) if days is not None else None
    cred = issue_signer(ca, agency_name, credit_code, now=now, key_type=key_type, not_after=not_after,
                        eku=eku, role=role)
    write_p12(cred, out, passphrase)
    return cred
