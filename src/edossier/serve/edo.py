"""The one module of `edossier.serve` that talks to the rest of edossier.

Validation, executors, receipts, the trust list, credentials, findings and report renderers are
reached only through here, so that a change of layout elsewhere (issue #17) is fixed in one file.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import pickle
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from ..version import __version__
from ..errors import UserError
from ..findings import Finding, finding
from ..fsutil import _fsync_dir, atomic_write_bytes

__all__ = ["UserError", "Finding", "finding", "fsync_dir", "atomic_write_bytes", "VERSION"]

VERSION = __version__
fsync_dir = _fsync_dir


class NodeError(UserError):
    """A problem with the node's configuration (trust list, credential, policy, database)."""


# --- names ---------------------------------------------------------------------------------------------

def display_name(raw: str | None) -> str:
    """The name a sender gives its package, for reports and receipts only (storage is by digest):
    the last path component, without control characters, at most 200 characters."""
    name = re.split(r"[\\/]", raw or "")[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().lstrip(".")
    return (name or "package.edp")[:200]


# --- configuration -----------------------------------------------------------------------------------

def load_trust(path: Path, *, anchor=None, allow_unsigned: bool = False):
    from ..signing.trustlist import TrustListError, load_trustlist

    try:
        return load_trustlist(Path(path), anchor=anchor, allow_unsigned=allow_unsigned)
    except TrustListError as exc:
        raise NodeError(exc.message_en, exc.message_zh) from None


def load_credential(path: Path, passphrase: bytes | None = None):
    from ..signing.cades import CredentialError, load_credential as load

    try:
        return load(Path(path), passphrase)
    except CredentialError as exc:
        raise NodeError(exc.en, exc.zh) from None


def receiver_of(credential, trust):
    """The trust-list entry of the node's own agency (the receipts' signer); NodeError if none or several."""
    from ..receipt import ReceiptError, _receiver

    try:
        return _receiver(credential, trust, None)
    except ReceiptError as exc:
        raise NodeError(exc.en, exc.zh) from None


def read_signing_key(path: Path, passphrase: bytes | None = None):
    """(private key, certificate as a `cryptography` object) for signing the node's requests, from any
    credential `load_credential` reads (PKCS#12, PEM, a CA's SM2 .pfx): RSA and ECDSA keys as
    `cryptography` keys, an SM2 key as signing.sm2's (auth.sign_headers signs with either)."""
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import load_der_private_key

    from ..signing.cades import CredentialError, load_credential as load

    try:
        cred = load(Path(path), passphrase)
        signer = cred.signer
        cert = x509.load_der_x509_certificate(signer.signing_cert.dump())
        key = signer.key if cred.algorithm == "sm2" else load_der_private_key(signer.signing_key.dump(), None)
    except CredentialError:
        raise
    except Exception as exc:  # noqa: BLE001 - hostile credential files are a clear refusal, not a traceback
        raise CredentialError(f"{path}: not a usable signing credential ({type(exc).__name__})",
                              f"{path}：不是可用的签名凭据（{type(exc).__name__}）") from None
    return key, cert


def sm2_sign(key, message: bytes) -> bytes | None:
    """SM2-with-SM3 over `message` with the default signer ID (GM/T 0009) when `key` is an SM2 key;
    None for any other key."""
    from ..signing import sm2

    return sm2.sign(key, message) if isinstance(key, sm2.SM2PrivateKey) else None


def sm2_verify(cert_der: bytes, signature: bytes, message: bytes) -> bool | None:
    """Whether `signature` is the SM2 signature of `message` by the certificate's key; None when the
    certificate holds no SM2 key (or cannot be read: the caller's own reading then says why)."""
    from asn1crypto import x509 as ax509

    from ..signing import sm2

    try:
        spki = ax509.Certificate.load(cert_der).public_key
        if not sm2.is_sm2_spki(spki.dump()):
            return None
        return sm2.verify(sm2.public_key_from_spki(spki), message, signature) is not None
    except Exception:  # noqa: BLE001 - hostile bytes
        return None


def load_policies(paths) -> dict:
    """name -> Policy: the registry's default levels as "default", then each policy file by its name."""
    from ..policy import Policy, PolicyError, load_policy

    out = {"default": Policy()}
    for p in paths or ():
        try:
            pol = load_policy(Path(p))
        except PolicyError as exc:
            raise NodeError(exc.en, exc.zh) from None
        out[pol.name] = pol
    return out


def make_executor(*, jobs: int | None, scheduler: str | None, dask_local: bool = False):
    from ..batch.executors import make_executor as make

    return make(jobs=jobs, scheduler=scheduler, dask_local=dask_local)


def demo_pki(folder: Path) -> Path:
    """A demo PKI in `folder` (made once, reused at later starts)."""
    from ..demo.pki import make_demo_pki

    if not (Path(folder) / "trustlist.xml").is_file():
        make_demo_pki(Path(folder))
    return Path(folder)


# --- validation ----------------------------------------------------------------------------------------

def validate_stored(path: Path, *, display_name: str, trust, policy, executor):
    """Validate one stored package on `executor` (local processes or Dask): a PackageReport whose
    path is `display_name`. A crash of the validator becomes X001, as in `validate`."""
    from ..batch.many import ValidateOptions, run_many, validate_one

    options = ValidateOptions(trust_path=Path(trust.name or "trustlist.xml"), policy=policy, trust=trust)
    fn = functools.partial(validate_one, options=options)
    report = None
    for _i, report in run_many(fn, [str(path)], executor=executor):
        pass
    report.path = display_name
    return report


def report_json(report, trust) -> dict:
    from ..report.json_report import report_dict

    return report_dict([report], trust_path=None, at=None, trust=trust.facts())


def dump_report(report) -> bytes:
    return pickle.dumps(report, protocol=pickle.HIGHEST_PROTOCOL)


def load_report(data: bytes | None, version: str):
    """The stored report object, or None when it was pickled by another version of edossier."""
    if data is None or version != VERSION:
        return None
    try:
        return pickle.loads(data)  # noqa: S301 - written by this node, same version (db.Report)
    except Exception:  # noqa: BLE001 - a stale or damaged pickle: the caller validates again
        return None


def render(report, fmt: str, *, lang: str, trust, source: Path | None = None, thumbnailer=None) -> str:
    """The report as `fmt`; the HTML report's thumbnails are read from `source`, the stored package
    file (the report's path is the sender's file name); without it there are none. With
    `thumbnailer(package, member, page) -> PNG` (raising PageError: pages.Pages.thumbnailer, a killable
    child) the thumbnails are drawn there, never in this process; a page it stopped is a placeholder."""
    facts = trust.facts()
    if fmt == "html":
        from ..report import html as report_html

        draw = None
        if thumbnailer is not None:
            zh = lang.startswith("zh")

            def draw(package, member, number):
                try:
                    return thumbnailer(package, member, number)
                except PageError as exc:
                    raise report_html.PageError(exc.kind, exc.zh if zh else exc.en, exc.count,
                                                note_other=exc.en if zh else exc.zh) from None

        return report_html.render_html([report], lang=lang, trust=facts, thumbnails=source is not None,
                                       sources=[source] if source is not None else None, thumbnailer=draw)
    if fmt == "junit":
        from ..report.junit import render_junit

        return render_junit([report], lang=lang, trust=facts)
    if fmt == "sarif":
        from ..report.sarif import render_sarif

        return render_sarif([report], lang=lang, trust=facts)
    raise ValueError(fmt)


def case_number(report) -> str | None:
    return next((layer.record.case.number for layer in report.layers if layer.record), None)


def passed_layers(report) -> int:
    """How many layers, from the first, have a signature that passed (TOTAL_PASSED): only these
    enter the node's history, so a forged package cannot make a genuine one look divergent."""
    n = 0
    for layer in sorted(report.layers, key=lambda x: x.layer):
        if layer.signature is None or layer.signature.indication != "TOTAL_PASSED" or layer.layer != n + 1:
            break
        n += 1
    return n


# --- packages: layers and their signer ------------------------------------------------------------

@dataclass(frozen=True)
class LatestLayer:
    number: int
    signer_cert: bytes | None  # DER of the certificate the SignerInfo names (exactly one match)
    certs: tuple  # asn1crypto certificates embedded in the signature (path building)
    crls: tuple  # asn1crypto CRLs embedded in the signature (revocation)


class NotAPackage(UserError):
    pass


def latest_layer(path: Path) -> LatestLayer:
    """The latest signed layer of the package at `path` and the certificate that signed it (read,
    not judged: the full validation judges it); NotAPackage if there is none."""
    from asn1crypto import cms

    from ..container.asic import manifest_name, signature_name
    from ..container.zipio import open_package
    from ..signing.cades import _matching_certs

    opened = open_package(Path(path))
    if isinstance(opened, list):
        raise NotAPackage(opened[0].message_en, opened[0].message_zh)
    with opened as pkg:
        n = 0
        while manifest_name(n + 1) in pkg.infos and signature_name(n + 1) in pkg.infos:
            n += 1
        if n == 0:
            raise NotAPackage("no signed layer", "没有已签名的层")
        try:
            p7s = pkg.read(signature_name(n), 16 * 1024 * 1024)
        except Exception as exc:  # noqa: BLE001 - a corrupt member
            raise NotAPackage(f"{signature_name(n)} cannot be read: {exc}", f"{signature_name(n)} 无法读取：{exc}") \
                from None
    try:
        sd = cms.ContentInfo.load(p7s)["content"]
        si = sd["signer_infos"][0]
        certs = tuple(c.chosen for c in sd["certificates"]) if sd["certificates"].native else ()
        crls = tuple(c.chosen for c in sd["crls"] if c.name == "crl") if sd["crls"].native else ()
        matching = _matching_certs(si["sid"], certs)
    except Exception as exc:  # noqa: BLE001 - asn1crypto raises many types for malformed DER
        raise NotAPackage(f"{signature_name(n)} is not a readable CMS signature ({type(exc).__name__})",
                          f"{signature_name(n)} 不是可读取的 CMS 签名（{type(exc).__name__}）") from None
    return LatestLayer(n, matching[0].dump() if len(matching) == 1 else None, certs, crls)


def cert_subject(der: bytes) -> str:
    from asn1crypto import x509 as ax509

    try:
        return ax509.Certificate.load(der).subject.human_friendly
    except Exception:  # noqa: BLE001
        return "?"


class NotTrusted(UserError):
    pass


def trusted_submitter(cert_der: bytes, trust, *, certs=(), crls=(), now: dt.datetime | None = None):
    """The trust-list entry whose CAs issued `cert_der`, judged by the signer-path check a layer's
    signature gets (signing/certpath.py: path validated now, revocation required — the trust list's CRLs
    and those embedded in the package's signature —, the signing key usage, the agency's issuing CA);
    NotTrusted otherwise."""
    from asn1crypto import x509 as ax509

    from ..signing.cades import ORGANIZATION_IDENTIFIER, _subject_attr
    from ..signing.certpath import validate_signer_path

    now = now or dt.datetime.now(dt.timezone.utc)
    try:
        cert = ax509.Certificate.load(cert_der)
        org = _subject_attr(cert, ORGANIZATION_IDENTIFIER)
    except Exception as exc:  # noqa: BLE001
        raise NotTrusted(f"not a readable certificate ({type(exc).__name__})", f"证书无法读取（{type(exc).__name__}）") \
            from None
    candidates = [a for a in trust.agencies if a.credit_code == org and a.is_in_force(now)]
    if not candidates:
        raise NotTrusted(f"no agency with credit code {org} is in force in the trust list",
                         f"信任列表中没有统一社会信用代码为 {org} 且在有效期内的机关")
    reason = ""
    for agency in candidates:
        result = validate_signer_path(cert, ca_certs=agency.ca_certs, crls=agency.crls, moment=now,
                                      extra_certs=certs, extra_crls=crls)
        if result.ok:
            return agency
        reason = f"{result.sub_indication}: {result.detail[:200]}"
    raise NotTrusted(f"its certificate path does not validate ({reason})", f"其证书路径校验未通过（{reason}）")


def fingerprint(path: Path, *, known: tuple[int, bytes] | None = None):
    """receipt.Fingerprint of a package (the file's size and SHA-256, every META-INF/ member's SHA-256);
    with `known` = (size, SHA-256) of bytes already hashed, only the members are read. NotAPackage."""
    from ..receipt import ReceiptError, fingerprint as fp

    try:
        return fp(Path(path), known=known)
    except ReceiptError as exc:
        raise NotAPackage(exc.en, exc.zh) from None


def layer_digests(fp) -> list[tuple[int, str, str]]:
    """[(layer, manifest SHA-256 hex, signature SHA-256 hex)] of a package's fingerprint."""
    from ..container.asic import manifest_name, signature_name

    named = fp.by_name()
    out = []
    for n in range(1, fp.layers + 1):
        m, s = named.get(manifest_name(n)), named.get(signature_name(n))
        if m is None or s is None:
            break
        out.append((n, m.sha256.hex(), s.sha256.hex()))
    return out


# --- documents and their pages (the web page's viewer) --------------------------------------------

def documents(report, package: Path) -> list[dict]:
    """The documents of a validated package in filing order of the folded record: {"n" (1-based),
    "member", "title", "type", "pages" (as recorded), "layer", "sha256" (hex, from the manifest that
    covers the member; None when no manifest names it)}."""
    from ..container.asic import manifest_name, parse_manifest
    from ..container.zipio import open_package
    from ..record.fold import fold

    try:
        dossier = fold([lr.record for lr in sorted(report.layers, key=lambda x: x.layer) if lr.record is not None])
    except Exception:  # noqa: BLE001 - records that fold badly have no document list to show
        return []
    digests: dict[str, str] = {}
    opened = open_package(Path(package))
    if not isinstance(opened, list):
        with opened as pkg:
            n = 1
            while manifest_name(n) in pkg.infos:
                try:
                    for o in parse_manifest(pkg.read(manifest_name(n), 64 * 1024 * 1024)).objects:
                        if o.algorithm == "sha256":  # (an SM3 manifest names no SHA-256 to check a page by)
                            digests.setdefault(o.uri, o.digest.hex())
                except Exception:  # noqa: BLE001 - an unreadable manifest covers nothing here
                    pass
                n += 1
    return [{"n": i, "member": d.file, "title": d.title, "type": d.type, "pages": d.pages, "layer": layer,
             "sha256": digests.get(d.file)} for i, (layer, d) in enumerate(dossier.documents, start=1)]


class PageError(UserError):
    def __init__(self, kind: str, en: str, zh: str, count: int | None = None):
        super().__init__(en, zh)
        self.kind, self.count = kind, count


def render_page(package: Path, member: str, number: int, *, max_px: int, sha256: str | None) -> tuple[bytes, int]:
    """(PNG, page count): the HTML report's renderer (report.html.render_page), one page. PageError
    (kind: missing | too_large | unreadable | no_page | unopenable | digest) otherwise."""
    from ..report import html as report_html

    try:
        return report_html.render_page(package, member, number, max_px=max_px, sha256=sha256, lang="en",
                                       max_pdf_bytes=report_html.MAX_PDF_BYTES)
    except report_html.PageError as exc:
        raise PageError(exc.kind, exc.note, _PAGE_ZH.get(exc.kind, "无法显示该页").format(m=member, n=number, c=exc.count),
                        exc.count) from None


def member_sha256(package: Path, member: str) -> str | None:
    """SHA-256 (hex) of a member's bytes as they are in the package (streamed, no parsing: safe in the
    server process), or None when the package has no such member, it is larger than the renderer takes,
    or it cannot be read (the renderer then says why)."""
    from ..container.zipio import open_package
    from ..report.html import MAX_PDF_BYTES

    opened = open_package(Path(package))
    if isinstance(opened, list):
        return None
    with opened as pkg:
        info = pkg.infos.get(member)
        if info is None or info.file_size > MAX_PDF_BYTES:
            return None
        try:
            return pkg.sha256(member).hex()
        except Exception:  # noqa: BLE001 - a corrupt member: the renderer gives its own reason
            return None


_PAGE_ZH = {"missing": "卷宗包中没有文书 {m}", "too_large": "文书 {m} 超过可显示的大小上限",
            "unreadable": "文书 {m} 无法读取", "no_page": "文书 {m} 没有第 {n} 页（共 {c} 页）",
            "unopenable": "文书 {m} 无法作为 PDF 打开或绘制", "digest": "文书 {m} 的 SHA-256 与清单不符"}


# --- receipts -------------------------------------------------------------------------------------------

def issue_receipt(fp, out: Path, *, name: str, report, node_findings, credential, trust,
                  policy_name: str) -> bytes:
    """Sign a receipt (format 0.2, receipt.py) for the stored package whose fingerprint is `fp` and
    whose validation is `report`, naming the node's findings too (they never change the verdict);
    written atomically to `out`. Returns the receipt file's bytes."""
    from ..receipt import Receipt, write_receipt

    receiver = receiver_of(credential, trust)
    now = dt.datetime.now().astimezone().replace(microsecond=0)
    findings = [(f.code, f.severity, f.location) for f in report.sorted_findings()]
    findings += [(f.code, f.severity, f.location) for f in node_findings]
    r = Receipt(package_name=name, layers=fp.layers, case_number=case_number(report), package_size=fp.size,
                package_sha256=fp.sha256, members=fp.members, receiver_name=receiver.name,
                receiver_code=receiver.credit_code, receiver_role=receiver.role, verdict=report.verdict,
                findings=tuple(findings), received=now, validated=now, policy=policy_name)
    write_receipt(r, Path(out), credential)
    return Path(out).read_bytes()


def check_receipt(receipt: Path, *, trust, package: Path):
    """`validate-receipt --package` logic: a ReceiptCheck (valid when .verdict == "accept")."""
    from ..receipt import validate_receipt

    return validate_receipt(Path(receipt), trust=trust, package=Path(package))


def check_receipt_binds(receipt: Path, *, trust, sent, where: str):
    """The sender's check (receipt.check_receipt_binds): the receipt's signature, and that it names
    exactly the fingerprint `sent` of the bytes sent; no re-validation. A ReceiptCheck."""
    from ..receipt import check_receipt_binds as check

    return check(Path(receipt), trust=trust, sent=sent, where=where)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def show_time(t, *, lang: str = "en") -> str:
    """A time for people: Beijing time with its offset (timefmt.show). A naive time is UTC: SQLite hands
    back the node's timezone-aware columns without their offset (db.as_utc)."""
    from ..timefmt import show

    if isinstance(t, dt.datetime) and t.tzinfo is None:
        t = t.replace(tzinfo=dt.timezone.utc)
    return show(t)


def deadlines(report) -> list[dict]:
    """The statutory periods of the case (caserules.deadlines), judged now, from the layers' records."""
    from ..caserules.deadlines import compute

    records = [layer.record for layer in sorted(report.layers, key=lambda x: x.layer) if layer.record]
    if not records:
        return []
    tl = compute(records, now=dt.datetime.now(dt.timezone.utc))
    return [{"zh": p.zh, "en": p.en, "person": p.person, "basis": p.basis, "start": p.start, "end": p.end,
             "state": p.state} for p in tl.periods]
