"""The demo PKI's certificate factory: keys, the root and issuing CAs, signers, TSAs, trust-list
operators, CRLs and PKCS#12 files, made with ``cryptography`` only. **For demonstration and tests
only**; the shape and the dates are described in demo/pki.py."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence, Union

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier

from edossier.fsutil import atomic_write_bytes
from edossier.roles import ROLE_NAMES_ZH
from edossier.signing import sm2
from edossier.signing.sm2_x509 import finish_certificate, finish_crl, stand_in_private_key, stand_in_public_key


PrivateKey = Union[ec.EllipticCurvePrivateKey, rsa.RSAPrivateKey, sm2.SM2PrivateKey]

KEY_TYPES = ("ec", "rsa", "sm2")


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
    """``"ec"``: ECDSA P-256; ``"rsa"``: RSA 3072; ``"sm2"``: SM2 (GB/T 32918, signing/sm2.py)."""
    if key_type == "ec":
        return ec.generate_private_key(ec.SECP256R1())
    if key_type == "rsa":
        return rsa.generate_private_key(public_exponent=65537, key_size=3072)
    if key_type == "sm2":
        return sm2.generate_private_key()
    raise ValueError(f"unknown key_type {key_type!r} (use 'ec', 'rsa' or 'sm2')")


# cryptography's builders take no SM2 key: an SM2 subject key is represented by a stand-in P-256 key in
# the builder and an SM2 issuer signs the finished to-be-signed bytes (signing/sm2_x509.py), so that every
# extension below is written by the same code for every algorithm.

def _builder_key(key: PrivateKey):
    return stand_in_public_key() if isinstance(key, sm2.SM2PrivateKey) else key.public_key()


def _ski_for(key: PrivateKey) -> x509.SubjectKeyIdentifier:
    if isinstance(key, sm2.SM2PrivateKey):
        return x509.SubjectKeyIdentifier(sm2.key_identifier(key.public))
    return x509.SubjectKeyIdentifier.from_public_key(key.public_key())


def _sign_cert(builder: x509.CertificateBuilder, subject_key: PrivateKey, issuer_key: PrivateKey) -> x509.Certificate:
    subject_sm2, issuer_sm2 = isinstance(subject_key, sm2.SM2PrivateKey), isinstance(issuer_key, sm2.SM2PrivateKey)
    if not subject_sm2 and not issuer_sm2:
        return builder.sign(issuer_key, hashes.SHA256())
    built = builder.sign(stand_in_private_key() if issuer_sm2 else issuer_key, hashes.SHA256())
    der = finish_certificate(built.public_bytes(serialization.Encoding.DER),
                             subject_key=subject_key if subject_sm2 else None, issuer_key=issuer_key)
    return x509.load_der_x509_certificate(der)


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
    ski = _ski_for(key)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(_builder_key(key))
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(_add_years(start, years))
        .add_extension(x509.BasicConstraints(ca=True, path_length=1), critical=True)
        .add_extension(_CA_KEY_USAGE, critical=True)
        .add_extension(ski, critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False)
    )
    cert = _sign_cert(builder, key, key)
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
        .public_key(_builder_key(key))
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(min(_add_years(start, years), parent.cert.not_valid_after_utc))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_CA_KEY_USAGE, critical=True)
        .add_extension(_ski_for(key), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(_ski(parent.cert)), critical=False
        )
    )
    if eku:
        builder = builder.add_extension(x509.ExtendedKeyUsage(list(eku)), critical=False)
    if parent.crl_url:
        builder = builder.add_extension(_crl_dp(parent.crl_url), critical=False)
    cert = _sign_cert(builder, key, parent.key)
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
        .public_key(_builder_key(key))
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_ski_for(key), critical=False)
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
    cert = _sign_cert(builder, key, ca.key)
    return IssuedCredential(
        cert=cert,
        key=key,
        chain=(ca.cert, *ca.chain),
        agency_name=agency_name,
        credit_code=credit_code,
        role=role if role is not None else ca.role,
    )


TSA_NAME = "edossier 演示时间戳服务"


def issue_tsa(ca: IssuedCA, *, now: dt.datetime | None = None, name: str = TSA_NAME,
              key_type: str = "rsa") -> IssuedCredential:
    """A time-stamping certificate (RFC 3161: EKU timeStamping, critical) issued by ``ca``.

    RSA 3072 by default, because the in-process TSA (pyHanko's DummyTimeStamper, served by
    :mod:`edossier.signing.tsa`) signs with RSA only; ``key_type="sm2"`` for an SM2 TSA (GB/T 20520
    time stamps signed with SM2, as Chinese TSAs issue them).
    """
    now = _check_aware(now, "now") if now is not None else _utc_now()
    start = now - dt.timedelta(days=1)
    key = generate_key(key_type)
    subject = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                         x509.NameAttribute(NameOID.ORGANIZATION_NAME, DEMO_ORG),
                         x509.NameAttribute(NameOID.COMMON_NAME, name)])
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca.cert.subject)
        .public_key(_builder_key(key))
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(_add_years(start, SIGNER_YEARS * 5))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(DEFAULT_SIGNER_KEY_USAGE, critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .add_extension(_ski_for(key), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(_ski(ca.cert)),
                       critical=False)
    )
    if ca.crl_url:
        builder = builder.add_extension(_crl_dp(ca.crl_url), critical=False)
    return IssuedCredential(cert=_sign_cert(builder, key, ca.key), key=key, chain=(ca.cert, *ca.chain),
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
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(_builder_key(key))
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(_add_years(start, CA_YEARS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(DEFAULT_SIGNER_KEY_USAGE, critical=True)
        .add_extension(_ski_for(key), critical=False)
    )
    cert = _sign_cert(builder, key, key)
    return IssuedCredential(cert=cert, key=key, chain=(), agency_name=name, credit_code="", role="trustlist-operator")


TSA_CA_NAME = "edossier 演示时间戳CA"


def issue_tsa_ca(parent: IssuedCA, *, now: dt.datetime | None = None, name: str = TSA_CA_NAME,
                 years: int = CA_YEARS, crl_url: str | None = None, key_type: str = "rsa") -> IssuedCA:
    """A CA dedicated to time-stamping under ``parent``: pathlen 0 and an extendedKeyUsage of exactly
    timeStamping, which (with being listed for no agency) is what lets a trust list name it as a TSA
    CA (docs/spec.md §9.4). Agencies' issuing CAs never issue TSA certificates. RSA like the TSA by
    default; SM2 in an SM2 PKI."""
    return issue_ca(parent, "tsa", now=now, key_type=key_type, name=name, years=years,
                    crl_url=crl_url or f"{CRL_BASE_URL}tsa-ca.crl", eku=[ExtendedKeyUsageOID.TIME_STAMPING])


def key_pem(key: PrivateKey, passphrase: bytes | None = None) -> bytes:
    """PKCS#8 PEM of any demo key (SM2 through signing/sm2.py: id-ecPublicKey + the SM2 curve, the form
    OpenSSL, GmSSL and Tongsuo read), PBES2-encrypted with a passphrase."""
    if isinstance(key, sm2.SM2PrivateKey):
        return sm2.private_key_pem(key, passphrase)
    enc = (serialization.BestAvailableEncryption(passphrase) if passphrase is not None
           else serialization.NoEncryption())
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, enc)


def load_key_pem(data: bytes) -> PrivateKey:
    """The demo key written by :func:`key_pem` (unencrypted), SM2 or not."""
    try:
        return serialization.load_pem_private_key(data, password=None)
    except Exception:  # noqa: BLE001 - cryptography cannot read SM2 keys: try SM2, whose error is clear
        return sm2.load_private_key(data)


def write_key(key: PrivateKey, path: Path) -> None:
    """A CA's private key as unencrypted PKCS#8 PEM (mode 0600): demo PKIs only, for `keys revoke/issue`."""
    pem = key_pem(key)
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
    if isinstance(ca.key, sm2.SM2PrivateKey):
        built = builder.sign(stand_in_private_key(), hashes.SHA256()).public_bytes(serialization.Encoding.DER)
        return finish_crl(built, issuer_key=ca.key)
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


def credential_suffix(cred: IssuedCredential) -> str:
    """".pem" for an SM2 credential (PEM key + certificates, signing/pem_credential.py: cryptography
    cannot put an SM2 key into PKCS#12), ".p12" otherwise."""
    return ".pem" if isinstance(cred.key, sm2.SM2PrivateKey) else ".p12"


def write_credential(cred: IssuedCredential, path: Path, passphrase: bytes | None = None) -> None:
    """Write ``cred`` as PKCS#12 or, for SM2, as a PEM credential (mode 0600, atomically)."""
    if isinstance(cred.key, sm2.SM2PrivateKey):
        from edossier.signing.pem_credential import pem_credential_bytes

        data = pem_credential_bytes(cred.key, cred.der,
                                    [c.public_bytes(serialization.Encoding.DER) for c in cred.chain], passphrase)
        atomic_write_bytes(Path(path), data, mode=0o600)
    else:
        write_p12(cred, path, passphrase)
