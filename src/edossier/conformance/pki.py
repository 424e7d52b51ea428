"""The corpus's fixed-time test PKI (samples/corpus/pki/), made once and then reused.

Everything in the corpus is judged at one fixed validation time (`VALIDATION_TIME`), so the corpus
stays valid for years. The PKI is issued at `PKI_TIME` with RSA keys (PKCS#1 v1.5 signatures are
deterministic, so the same inputs give the same package bytes). Keys and certificates are random
when made, so they are made only when the folder is empty and committed; every later run loads them.

Besides the four demo agencies and the demo TSA, the folder holds signers for the signature cases:

| file | what it is | case |
|---|---|---|
| revoked.p12 | police signer, revoked on 2026-11-15 in the police CA's CRL | G005 |
| expired.p12 | police signer whose certificate ends 2026-11-25 (before the validation time) | G008, G013 |
| weak.p12 | police signer with an RSA-1024 key | G010 |
| noeku.p12 | police signer whose certificate has EKU serverAuth only | G007 |
| wrongorg.p12 | signer under the police CA naming another agency | G009 |
| rogue.p12 | police-named signer under a root that no trust list names | G003 |
| unlisted.p12 | signer of an agency the trust list does not name | G004 |
| nocrl.p12 | signer of an agency whose trust-list entry carries no CRL | G006 |
| retired.p12 | signer of an agency whose trust-list entry ended before the validation time | G004 |
| rogue-tsa.p12 | time-stamping unit under the rogue root | G022 |

And an SM2 hierarchy (issue #20; made once, like the rest, by `ensure_sm2_pki` when its files are
missing, so that adding it left the RSA files alone): an SM2 root (sm2-root-ca.pem), an SM2 police CA
and an SM2 court CA (sm2-ca-police.pem, sm2-ca-court.pem) with their SM2-signed CRLs (sm2-crl-*.crl),
listed in the corpus trust list for two more agencies, SM2_POLICE and SM2_COURT:

| file | what it is | case |
|---|---|---|
| sm2-police.pem | SM2_POLICE's signer (PEM credential: key + certificates) | good SM2 cases, G002 |
| sm2-revoked.pem | SM2_POLICE signer, revoked on 2026-11-15 in the SM2 police CA's CRL | G005 |
| sm2-courtca.pem | signer naming SM2_POLICE, issued by the SM2 *court* CA | G003 |

The corpus trust list (samples/corpus/trustlist.xml) is written from these files on every run, signed
by trustlist-operator.p12 (RSA, so that the signature and the list's bytes are reproducible); its
certificate is samples/corpus/trust-anchor.pem.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from ..demo import ca as dca
from ..demo import pki as dp
from ..signing.trustlist_model import TrustedAgency, TrustedTSA, TrustList
from ..signing.trustlist_write import trustlist_to_bytes


UTC = dt.timezone.utc
CST = dt.timezone(dt.timedelta(hours=8))
PKI_TIME = dt.datetime(2026, 10, 1, tzinfo=UTC)
VALIDATION_TIME = dt.datetime(2026, 12, 1, tzinfo=UTC)
REVOKED_ON = dt.datetime(2026, 11, 15, tzinfo=UTC)
EXPIRES_ON = dt.datetime(2026, 11, 25, tzinfo=UTC)
RETIRED_ON = dt.datetime(2026, 11, 1, tzinfo=UTC)
TRUSTLIST_ISSUED = dt.datetime(2026, 11, 16, tzinfo=UTC)
#: The corpus list must stay current as long as the corpus is used (spec §9.1.2).
TRUSTLIST_NEXT_UPDATE = dt.datetime(2036, 1, 1, tzinfo=UTC)
OPERATOR_NAME = "edossier 一致性测试信任列表运营方"


@dataclass(frozen=True)
class Agency:
    role: str
    name: str
    credit_code: str


# Looked up by role: the demo list grew a supervisory commission (#15) that the corpus does not use.
POLICE, PROCURATORATE, COURT, JUSTICE = (Agency(a.role, a.name, a.credit_code)
                                         for r in ("police", "procuratorate", "court", "justice")
                                         for a in dp.DEMO_AGENCIES if a.role == r)
UNLISTED = Agency("police", "深圳市公安局福田分局", "11440300MB2C123465")  # not in the trust list
NOCRL = Agency("police", "深圳市公安局罗湖分局", "11440300MB2C123478")  # entry without CRLs
RETIRED = Agency("police", "深圳市公安局宝安分局", "11440300MB2C12348B")  # entry ended 2026-11-01

EXTRA_SIGNERS = ("revoked", "expired", "weak", "noeku", "wrongorg", "rogue", "unlisted", "nocrl", "retired",
                 "rogue-tsa")
# SM2 agencies (issue #20): their own SM2 CAs under an SM2 root, listed beside the RSA ones
SM2_POLICE = Agency("police", "深圳市公安局龙岗分局", "11440300MB2C12350K")
SM2_COURT = Agency("court", "深圳市龙岗区人民法院", "11440300MB2C12360L")
SM2_SIGNERS = ("sm2-police", "sm2-revoked", "sm2-courtca")
SM2_FILES = ("sm2-root-ca.pem", "sm2-ca-police.pem", "sm2-ca-court.pem", "sm2-crl-root.crl", "sm2-crl-police.crl",
             "sm2-crl-court.crl") + tuple(f"{n}.pem" for n in SM2_SIGNERS)


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _weak_signer(ca: dca.IssuedCA) -> dca.IssuedCredential:
    key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    subject = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                         x509.NameAttribute(NameOID.ORGANIZATION_NAME, POLICE.name),
                         x509.NameAttribute(NameOID.COMMON_NAME, f"{POLICE.name} 电子签章（弱密钥）"),
                         x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, POLICE.credit_code)])
    start = PKI_TIME - dt.timedelta(days=1)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(ca.cert.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(start).not_valid_after(start + dt.timedelta(days=730))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(dca.DEFAULT_SIGNER_KEY_USAGE, critical=True)
            .add_extension(x509.ExtendedKeyUsage(list(dca.DEFAULT_SIGNER_EKU)), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(
                ca.cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value), critical=False)
            .add_extension(x509.CRLDistributionPoints([x509.DistributionPoint(
                [x509.UniformResourceIdentifier(ca.crl_url)], None, None, None)]), critical=False)
            .sign(ca.key, hashes.SHA256()))
    return dca.IssuedCredential(cert=cert, key=key, chain=(ca.cert, *ca.chain), agency_name=POLICE.name,
                         credit_code=POLICE.credit_code, role="police")


def make_pki(folder: Path) -> None:
    """Make the corpus PKI in `folder` (random keys: run once, then commit the folder)."""
    folder = Path(folder)
    pki = dp.make_demo_pki(folder, now=PKI_TIME, key_type="rsa", overwrite=True)
    police_ca = pki.cas["police"]
    kw = dict(now=PKI_TIME, key_type="rsa", role="police")
    creds = {
        "revoked": dca.issue_signer(police_ca, POLICE.name, POLICE.credit_code, **kw),
        "expired": dca.issue_signer(police_ca, POLICE.name, POLICE.credit_code, not_after=EXPIRES_ON, **kw),
        "weak": _weak_signer(police_ca),
        "noeku": dca.issue_signer(police_ca, POLICE.name, POLICE.credit_code,
                                 eku=(ExtendedKeyUsageOID.SERVER_AUTH,), **kw),
        "wrongorg": dca.issue_signer(police_ca, UNLISTED.name, UNLISTED.credit_code, **kw),
        "unlisted": dca.issue_signer(police_ca, UNLISTED.name, UNLISTED.credit_code, **kw),
        "nocrl": dca.issue_signer(police_ca, NOCRL.name, NOCRL.credit_code, **kw),
        "retired": dca.issue_signer(police_ca, RETIRED.name, RETIRED.credit_code, **kw),
    }
    rogue_root = dca.make_root_ca(now=PKI_TIME, key_type="rsa", name="不受信任的根CA（一致性测试）")
    rogue_ca = dca.issue_ca(rogue_root, "police", now=PKI_TIME, key_type="rsa", name="不受信任的公安机关CA（一致性测试）")
    creds["rogue"] = dca.issue_signer(rogue_ca, POLICE.name, POLICE.credit_code, **kw)
    creds["rogue-tsa"] = dca.issue_tsa(rogue_root, now=PKI_TIME, name="不受信任的时间戳服务（一致性测试）")
    for name, cred in creds.items():
        dca.write_p12(cred, folder / f"{name}.p12")
    # the police CA's CRL now lists the revoked signer
    crl = dca.make_crl(police_ca, [(creds["revoked"].cert.serial_number, REVOKED_ON)],
                      now=REVOKED_ON + dt.timedelta(hours=2), crl_number=2)
    _write(folder / "crl-police.crl", crl)
    (folder / "trustlist.xml").unlink(missing_ok=True)  # the corpus trust list is samples/corpus/trustlist.xml


def make_sm2_pki(folder: Path) -> None:
    """The corpus's SM2 hierarchy in `folder` (random keys and SM2 signatures: run once, then commit)."""
    folder = Path(folder)
    # (distribution points under pki.edossier.invalid, as the RSA corpus PKI's: validators take the CRLs
    # from the trust list, and no absolute path of the machine that made them ends up in a certificate)
    root = dca.make_root_ca(now=PKI_TIME, key_type="sm2", name="国密根CA（一致性测试）",
                            crl_url=f"{dca.CRL_BASE_URL}sm2-crl-root.crl")
    cas = {role: dca.issue_ca(root, role, now=PKI_TIME, key_type="sm2", name=f"国密{zh}CA（一致性测试）",
                              crl_url=f"{dca.CRL_BASE_URL}sm2-crl-{role}.crl")
           for role, zh in (("police", "公安机关"), ("court", "人民法院"))}
    kw = dict(now=PKI_TIME, key_type="sm2")
    creds = {
        "sm2-police": dca.issue_signer(cas["police"], SM2_POLICE.name, SM2_POLICE.credit_code, role="police", **kw),
        "sm2-revoked": dca.issue_signer(cas["police"], SM2_POLICE.name, SM2_POLICE.credit_code, role="police", **kw),
        "sm2-courtca": dca.issue_signer(cas["court"], SM2_POLICE.name, SM2_POLICE.credit_code, role="court", **kw),
    }
    for name, cred in creds.items():
        dca.write_credential(cred, folder / f"{name}.pem")
    _write(folder / "sm2-root-ca.pem", root.pem)
    _write(folder / "sm2-crl-root.crl", dca.make_crl(root, now=PKI_TIME))
    for role, ca in cas.items():
        _write(folder / f"sm2-ca-{role}.pem", ca.pem)
        revoked = [(creds["sm2-revoked"].cert.serial_number, REVOKED_ON)] if role == "police" else []
        _write(folder / f"sm2-crl-{role}.crl", dca.make_crl(ca, revoked, now=REVOKED_ON + dt.timedelta(hours=2),
                                                            crl_number=2))


def ensure_sm2_pki(folder: Path) -> None:
    """Reuse the SM2 hierarchy in `folder`; make it only if none of its files is there."""
    present = [n for n in SM2_FILES if (Path(folder) / n).exists()]
    if not present:
        make_sm2_pki(folder)
    elif len(present) != len(SM2_FILES):
        missing = sorted(set(SM2_FILES) - set(present))
        raise FileNotFoundError(f"{folder}: incomplete SM2 corpus PKI (missing {', '.join(missing)}); "
                                "remove the sm2-* files to make new ones")


def _cert(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def _der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


def trust_list(folder: Path) -> TrustList:
    """The corpus trust list, assembled from the committed PKI files (deterministically)."""
    folder = Path(folder)
    root = _cert(folder / "root-ca.pem")
    root_crl = (folder / "crl-root.crl").read_bytes()
    entries = []
    for a in (POLICE, PROCURATORATE, COURT, JUSTICE, NOCRL, RETIRED):
        ca = _cert(folder / f"ca-{a.role}.pem")
        crls = () if a is NOCRL else ((folder / f"crl-{a.role}.crl").read_bytes(), root_crl)
        entries.append(TrustedAgency(
            name=a.name, credit_code=a.credit_code, role=a.role, ca_certs=(_der(ca), _der(root)), crls=crls,
            valid_from=ca.not_valid_before_utc,
            valid_to=RETIRED_ON if a is RETIRED else ca.not_valid_after_utc))
    if (folder / "sm2-root-ca.pem").exists():  # SM2 certificates and CRLs, carried as any others (#20)
        sm2_root = _cert(folder / "sm2-root-ca.pem")
        for a in (SM2_POLICE, SM2_COURT):
            ca = _cert(folder / f"sm2-ca-{a.role}.pem")
            entries.append(TrustedAgency(
                name=a.name, credit_code=a.credit_code, role=a.role, ca_certs=(_der(ca), _der(sm2_root)),
                crls=((folder / f"sm2-crl-{a.role}.crl").read_bytes(), (folder / "sm2-crl-root.crl").read_bytes()),
                valid_from=ca.not_valid_before_utc, valid_to=ca.not_valid_after_utc))
    return TrustList(
        agencies=tuple(entries),
        name="edossier 一致性测试信任列表（仅供测试） / edossier conformance corpus trust list (tests only)",
        issued=TRUSTLIST_ISSUED,
        # The corpus TSA was issued by the shared root, so it is named by its own certificate (#13):
        # a root listed for agencies is not a CA dedicated to time-stamping.
        next_update=TRUSTLIST_NEXT_UPDATE,
        tsas=(TrustedTSA(name=dca.TSA_NAME, tsa_certs=(_der(load_p12(folder / "tsa.p12")[1]),),
                         ca_certs=(_der(root),), crls=(root_crl,),
                         valid_from=root.not_valid_before_utc, valid_to=root.not_valid_after_utc),))


def trust_list_bytes(folder: Path) -> bytes:
    """The corpus trust list, signed by the folder's trust-list operator (made on first use)."""
    return trustlist_to_bytes(trust_list(folder), signer=ensure_operator(folder))


def ensure_operator(folder: Path) -> dca.IssuedCredential:
    """The corpus's trust-list operator (trustlist-operator.p12, trust-anchor.pem), made once."""
    folder = Path(folder)
    p12 = folder / "trustlist-operator.p12"
    if not p12.exists():
        op = dca.issue_trustlist_operator(now=PKI_TIME, key_type="rsa", name=OPERATOR_NAME)
        dca.write_p12(op, p12)
        _write(folder / "trust-anchor.pem", op.cert.public_bytes(serialization.Encoding.PEM))
    return dp.load_operator(folder)


def ensure_pki(folder: Path) -> Path:
    """Reuse the PKI in `folder`; make it only if the folder holds none."""
    folder = Path(folder)
    needed = ["root-ca.pem", "crl-root.crl", "tsa.p12"] + [f"{r}.p12" for r in ("police", "procuratorate", "court",
                                                                                 "justice")]
    needed += [f"{n}.p12" for n in EXTRA_SIGNERS]
    present = [n for n in needed if (folder / n).exists()]
    if not present:
        make_pki(folder)
    elif len(present) != len(needed):
        missing = sorted(set(needed) - set(present))
        raise FileNotFoundError(f"{folder}: incomplete corpus PKI (missing {', '.join(missing)}); "
                                "remove the folder to make a new one")
    ensure_sm2_pki(folder)
    return folder


def load_p12(path: Path):
    """(private key, certificate, chain) of a PKCS#12 file without passphrase."""
    key, cert, chain = pkcs12.load_key_and_certificates(Path(path).read_bytes(), None)
    return key, cert, list(chain)
