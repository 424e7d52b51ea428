"""A synthetic city archive of dossiers for `edossier stats` tests and benchmarks (docs/stats.md).

    python benchmarks/make_archive.py OUT_DIR [--packages 2000] [--seed 1] [--jobs N]

writes OUT_DIR/trustlist.xml and OUT_DIR/<YYYY-MM>/<agency>/<case>.edp: thousands of small packages
across 9 agencies (four police branches, two procuratorates, two courts, a prison), 1–4 layers each
(police → procuratorate → court → justice), spread over the months of 2025-01 … 2026-11, with events
that open statutory periods. About 5 % carry a defect (a changed byte, an unknown document type, a
layer signed by another agency, a truncated file), about 4 % are held past a detention limit and 3 %
are near the end of investigative custody, judged at `ARCHIVE_NOW`.

Deterministic: the same --packages and --seed give the same bytes, whatever --jobs. The PKI is made
in memory from the seed (ECDSA P-256 keys derived from it, RFC 6979 deterministic signatures), every
time is fixed, and the one- and two-page PDF/A-2u documents are built once and reused by every package
(the builder itself is far too thorough to run thousands of times). Validate or run stats with
``--at 2026-11-30T12:00:00+08:00``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import io
import os
import random
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

UTC = dt.timezone.utc
CST = dt.timezone(dt.timedelta(hours=8))
ARCHIVE_NOW = dt.datetime(2026, 11, 30, 12, 0, tzinfo=CST)  # judge deadlines (and validate) at this time
PKI_START = dt.datetime(2024, 6, 1, tzinfo=UTC)
FIRST_MONTH = (2025, 1)
MONTHS = 23  # 2025-01 … 2026-11
CRASH_NAME = "crash-me"  # tests: a package whose name holds this string (tests/stats_support.py CrashingExecutor)

AGENCIES = {
    "police": [("深圳市公安局南山分局", "440305"), ("深圳市公安局福田分局", "440304"),
               ("深圳市公安局罗湖分局", "440303"), ("深圳市公安局宝安分局", "440306")],
    "procuratorate": [("深圳市南山区人民检察院", "440305"), ("深圳市福田区人民检察院", "440304")],
    "court": [("深圳市南山区人民法院", "440305"), ("深圳市福田区人民法院", "440304")],
    "justice": [("深圳市监狱", "440300")],
}
ROLES = ("police", "procuratorate", "court", "justice")
STAGES = {"police": "移送审查起诉", "procuratorate": "提起公诉", "court": "判决", "justice": "收监执行"}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
CHARGES = ["盗窃", "诈骗", "危险驾驶", "故意伤害", "抢劫", "寻衅滋事", "开设赌场", "帮助信息网络犯罪活动"]


# --- a deterministic PKI ----------------------------------------------------------------------------

def _ec_key(seed: str, label: str):
    from cryptography.hazmat.primitives.asymmetric import ec

    n = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551  # order of P-256
    value = int.from_bytes(hashlib.sha256(f"{seed}/{label}".encode()).digest(), "big") % (n - 1) + 1
    return ec.derive_private_key(value, ec.SECP256R1())


def _serial(seed: str, label: str) -> int:
    return int.from_bytes(hashlib.sha256(f"serial/{seed}/{label}".encode()).digest()[:15], "big") | 1


def credit_code(division: str, n: int) -> str:
    """A unified social credit code with correct check characters (GB 32100 and GB 11714)."""
    from edossier.idcodes import credit_code_check_char, organization_code_check_char

    org = f"MB2D{n:04d}"
    first17 = f"11{division}{org}{organization_code_check_char(org)}"
    return first17 + credit_code_check_char(first17)


@dataclass
class ArchivePKI:
    trustlist: bytes  # signed by the archive's trust-list operator
    anchor: bytes  # that operator's certificate (PEM): OUT_DIR/trust-anchor.pem
    creds: dict  # credit code → (key, cert, chain)
    agencies: dict  # role → [(name, credit code)]


@cache
def make_pki(seed: str) -> ArchivePKI:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509.oid import NameOID

    from edossier.demo import ca as dca
    from edossier.signing.trustlist_model import TrustedAgency, TrustList
    from edossier.signing.trustlist_write import trustlist_to_bytes

    def name(cn: str, org: str = "edossier 合成档案（基准测试）", oid: str | None = None) -> x509.Name:
        attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"), x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
                 x509.NameAttribute(NameOID.COMMON_NAME, cn)]
        if oid:
            attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, oid))
        return x509.Name(attrs)

    def ski(key):
        return x509.SubjectKeyIdentifier.from_public_key(key.public_key())

    def cert(subject, issuer_name, key, issuer_key, label, *, ca: bool, pathlen=None, years=20, crl_url=None,
             issuer_ski=None, signer=False):
        b = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer_name).public_key(key.public_key())
             .serial_number(_serial(seed, label)).not_valid_before(PKI_START)
             .not_valid_after(PKI_START + dt.timedelta(days=365 * years))
             .add_extension(x509.BasicConstraints(ca=ca, path_length=pathlen), critical=True)
             .add_extension(ski(key), critical=False)
             .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(issuer_ski or ski(key)),
                            critical=False))
        b = b.add_extension(dca._CA_KEY_USAGE if ca else dca.DEFAULT_SIGNER_KEY_USAGE, critical=True)
        if signer:
            b = b.add_extension(x509.ExtendedKeyUsage(list(dca.DEFAULT_SIGNER_EKU)), critical=False)
        if crl_url:
            b = b.add_extension(dca._crl_dp(crl_url), critical=False)
        return b.sign(issuer_key, hashes.SHA256(), ecdsa_deterministic=True)

    def crl(ca_cert, ca_key) -> bytes:
        b = (x509.CertificateRevocationListBuilder().issuer_name(ca_cert.subject)
             .last_update(ARCHIVE_NOW.astimezone(UTC) - dt.timedelta(days=2))
             .next_update(ARCHIVE_NOW.astimezone(UTC) + dt.timedelta(days=365))
             .add_extension(x509.CRLNumber(1), critical=False)
             .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski(ca_key)),
                            critical=False))
        return b.sign(ca_key, hashes.SHA256(), ecdsa_deterministic=True).public_bytes(serialization.Encoding.DER)

    der = lambda c: c.public_bytes(serialization.Encoding.DER)  # noqa: E731
    root_key = _ec_key(seed, "root")
    root_name = name("edossier 合成档案根CA")
    root = cert(root_name, root_name, root_key, root_key, "root", ca=True, pathlen=1, years=30)
    root_crl = crl(root, root_key)
    creds, entries, agencies = {}, [], {}
    for role in ROLES:
        ca_key = _ec_key(seed, f"ca-{role}")
        ca = cert(name(f"edossier 合成档案{role}CA"), root_name, ca_key, root_key, f"ca-{role}", ca=True, pathlen=0,
                  years=20, crl_url=f"{dca.CRL_BASE_URL}archive-root.crl", issuer_ski=ski(root_key))
        ca_crl = crl(ca, ca_key)
        agencies[role] = []
        for i, (agency, division) in enumerate(AGENCIES[role]):
            code = credit_code(division, 10 * ROLES.index(role) + i + 1)
            key = _ec_key(seed, f"signer-{code}")
            c = cert(name(f"{agency} 电子签章", agency, code), ca.subject, key, ca_key, f"signer-{code}", ca=False,
                     years=4, crl_url=f"{dca.CRL_BASE_URL}archive-{role}.crl", issuer_ski=ski(ca_key), signer=True)
            creds[code] = (key, c, [ca, root])
            agencies[role].append((agency, code))
            entries.append(TrustedAgency(name=agency, credit_code=code, role=role, ca_certs=(der(ca), der(root)),
                                         crls=(ca_crl, root_crl), valid_from=PKI_START,
                                         valid_to=PKI_START + dt.timedelta(days=365 * 20)))
    tl = TrustList(agencies=tuple(entries), name="edossier 合成档案信任列表（基准测试） / synthetic archive trust list",
                   issued=ARCHIVE_NOW.astimezone(UTC) - dt.timedelta(days=1),
                   next_update=PKI_START + dt.timedelta(days=365 * 30))
    op_key = _ec_key(seed, "trustlist-operator")
    op_name = name("edossier 合成档案信任列表运营方")
    op_cert = cert(op_name, op_name, op_key, op_key, "trustlist-operator", ca=False, years=30)
    operator = dca.IssuedCredential(op_cert, op_key, (), "trust-list operator", "")
    return ArchivePKI(trustlist_to_bytes(tl, signer=operator), op_cert.public_bytes(serialization.Encoding.PEM),
                      creds, agencies)


def _credential(pki: ArchivePKI, code: str, when: dt.datetime):
    """An edossier Credential for agency `code` signing at `when`, deterministically (RFC 6979)."""
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509 import ObjectIdentifier
    from cryptography.x509.oid import NameOID
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    from edossier.conformance.signing import CorpusSigner, _asn1_cert, _asn1_key
    from edossier.signing.cades import ORGANIZATION_IDENTIFIER, Credential

    key, cert, chain = pki.creds[code]

    class DeterministicSigner(CorpusSigner):
        async def async_sign_raw(self, data, digest_algorithm, dry_run=False):
            from cryptography.hazmat.primitives import hashes

            return key.sign(data, ec.ECDSA(getattr(hashes, digest_algorithm.upper())(), deterministic_signing=True))

    signer = _SIGNERS.get(code)
    if signer is None:
        signer = DeterministicSigner(signing_cert=_asn1_cert(cert), signing_key=_asn1_key(key),
                                     cert_registry=SimpleCertificateStore.from_certs([_asn1_cert(c) for c in chain]))
        _SIGNERS[code] = signer
    signer.signing_time = when
    attr = lambda oid: cert.subject.get_attributes_for_oid(oid)[0].value  # noqa: E731
    return Credential(signer, cert.subject.rfc4514_string(), attr(NameOID.ORGANIZATION_NAME),
                      attr(ObjectIdentifier(ORGANIZATION_IDENTIFIER)), key_bits=256)


_SIGNERS: dict = {}


# --- documents: built once ----------------------------------------------------------------------------

@cache
def template_pdfs(seed: str) -> dict[int, bytes]:
    """One- and two-page PDF/A-2u documents (tiny bilevel scans), built once with the real builder."""
    from edossier.building.pipeline import build_package
    from edossier.conformance.builder import write_source

    pki = make_pki(seed)
    name, code = pki.agencies["police"][0]
    out = {}
    with tempfile.TemporaryDirectory(prefix="edossier-archive-") as tmp:
        for pages in (1, 2):
            src = write_source(Path(tmp) / f"src{pages}", {
                "case": {"number": "模板", "name": "模板", "charges": ["盗窃"]},
                "agency": {"name": name, "credit_code": code, "role": "police"},
                "volumes": [{"id": "v1", "title": "诉讼文书卷", "kind": "litigation"}],
                "documents": [{"id": "d1", "volume": "v1", "type": "立案决定书", "title": "模板",
                               "date": dt.date(2026, 1, 1), "pages": pages}]})
            pkg = Path(tmp) / f"{pages}.edp"
            build_package(src, pkg, _credential(pki, code, ARCHIVE_NOW), created=dt.datetime(2026, 1, 1, tzinfo=CST),
                          check_signer=False, generated_pages=False)
            with zipfile.ZipFile(pkg) as zf:
                out[pages] = next(zf.read(n) for n in zf.namelist() if n.endswith(".pdf"))
    return out


# --- one package ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Plan:
    index: int
    path: str  # relative to the archive folder
    layers: int
    defect: str | None  # flip | doctype | wrongsigner | truncated | None
    custody: str | None  # overdue | due-soon | None


def _minutes(rng: random.Random, fast: bool) -> int:
    """Time from one layer's signature to the next: mostly hours to days, a few minutes-long ones."""
    r = rng.random()
    if r < 0.15:
        return rng.randint(2, 60)
    if r < 0.55:
        return rng.randint(60, 48 * 60)
    return rng.randint(2 * 24 * 60, (8 if fast else 24) * 24 * 60)


def _persons(rng):
    return rng.choice(SURNAMES) + rng.choice("某") + rng.choice("甲乙丙丁戊")


def package_bytes(seed: str, i: int) -> tuple[Plan, bytes]:
    """The plan and the bytes of package number `i` of the archive made from `seed`."""
    from edossier.caserules.coding import code_record
    from edossier.conformance.builder import Layer, assemble
    from edossier.record.model import Case, Document, Event, Person, Record, Scan, Volume, record_to_xml
    from edossier.caserules.calendar_cn import add_months

    rng = random.Random(f"{seed}/{i}")
    pki = make_pki(seed)
    pdfs = template_pdfs(seed)
    # spread evenly, so that even a small archive has some of each: 4 % held past a limit, 3 % near
    # the end of one, 5 % defective (cycling through the four kinds of defect)
    custody = "overdue" if i % 25 == 3 else "due-soon" if i % 33 == 5 else None
    defect = ("flip", "doctype", "wrongsigner", "truncated")[(i // 20) % 4] if i % 20 == 7 else None
    n_layers = 1 if custody else rng.choices((1, 2, 3, 4), weights=(30, 30, 25, 15))[0]
    fast = rng.random() < 0.3
    electronic = rng.random() < 0.65
    charge = rng.choice(CHARGES)
    suspect = _persons(rng)
    pol_i = rng.randrange(len(pki.agencies["police"]))
    agencies = [pki.agencies["police"][pol_i]] + [pki.agencies[role][pol_i % len(pki.agencies[role])]
                                                  for role in ROLES[1:n_layers]]
    # time line
    month = rng.randrange(MONTHS)
    y, m = divmod(FIRST_MONTH[1] - 1 + month, 12)
    t0 = dt.datetime(FIRST_MONTH[0] + y, m + 1, 1, 9, 0, tzinfo=CST) + dt.timedelta(minutes=rng.randrange(20 * 24 * 60))
    if custody == "due-soon":
        arrest = dt.datetime.combine(add_months(ARCHIVE_NOW.date(), -2), dt.time(10, 0), tzinfo=CST)
        arrest += dt.timedelta(days=rng.randint(2, 5))
        t0 = arrest - dt.timedelta(days=8)
    times = [t0 + dt.timedelta(days=rng.randint(1, 20) if not custody else 0, hours=rng.randint(0, 8))]
    if custody == "due-soon":
        times = [arrest + dt.timedelta(hours=2)]
    for _ in range(1, n_layers):
        times.append(times[-1] + dt.timedelta(minutes=_minutes(rng, fast)))
    if times[-1] >= ARCHIVE_NOW:  # keep every signature before the archive's "now"
        shift = times[-1] - ARCHIVE_NOW + dt.timedelta(hours=rng.randint(1, 72))
        t0 -= shift
        times = [t - shift for t in times]
    number = f"深{['南','福','罗','宝'][pol_i]}公(刑)立字〔{t0.year}〕{i + 1:05d}号"
    case = Case(number, f"{suspect}{charge}案", (charge,), "速裁" if fast else None)
    volume = Volume(f"v{1}", "诉讼文书卷", "litigation")
    docs_by_role = {
        "police": ["立案决定书", "讯问笔录"] + (["起诉意见书"] if n_layers > 1 else []),
        "procuratorate": ["受理案件登记表", "起诉书"],
        "court": ["立案审批表", "刑事判决书"],
        "justice": ["入监通知书"],
    }
    layers, names = [], {}
    for n in range(1, n_layers + 1):
        role = ROLES[n - 1]
        agency_name, code = agencies[n - 1]
        when = times[n - 1]
        prev = times[n - 2] if n > 1 else t0
        docs, members = [], {}
        for k, dtype in enumerate(docs_by_role[role], start=1):
            pages = 2 if rng.random() < 0.25 else 1
            if defect == "doctype" and n == n_layers and k == 1:
                dtype = "神秘文书"
            scanned = not electronic and (role == "police" or rng.random() < 0.3)
            file = f"documents/{n:03d}/{k:04d}.pdf"
            docs.append(Document(f"d{n}{k}", "v1", dtype, dtype, when.date(), pages, file,
                                 scan=Scan(300, "bilevel") if scanned else None))
            members[file] = pdfs[pages]
        events = []
        if role == "police":
            events.append(Event("立案", t0))
            if custody:
                det = t0 + dt.timedelta(hours=2)
                events.append(Event("拘留", det, person=suspect))
                if custody == "due-soon":
                    events += [Event("提请批准逮捕", det + dt.timedelta(days=3), person=suspect),
                               Event("逮捕", arrest, person=suspect)]
            else:
                events.append(Event("取保候审", t0 + dt.timedelta(hours=3), person=suspect))
            if n_layers > 1:
                events.append(Event("移送审查起诉", when - dt.timedelta(minutes=1)))
        elif role in ("procuratorate", "court"):
            accepted = prev + (when - prev) / 10
            events.append(Event("受理", accepted))
            events.append(Event("提起公诉" if role == "procuratorate" else "判决", when - dt.timedelta(minutes=1)))
        else:
            events.append(Event("收监", when - dt.timedelta(minutes=1), person=suspect))
        record = code_record(Record(
            layer=n, created=when, case=case, agency=_agency(role, agency_name, code),
            stage=(STAGES[role] if role != "police" or n_layers > 1 else ("侦查羁押" if custody else "侦查")),
            persons=(Person("suspect", suspect),) if n == 1 else (),
            volumes=(volume,) if n == 1 else (), documents=tuple(docs), events=tuple(events),
            generator="edossier benchmarks/make_archive.py"))
        from edossier.container.asic import record_name

        members = {record_name(n): record_to_xml(record), **members}
        sign_code = code
        if defect == "wrongsigner" and n == n_layers:
            others = [c for role_list in pki.agencies.values() for _, c in role_list if c != code]
            sign_code = others[i % len(others)]
        layers.append(Layer(members, _credential(pki, sign_code, when)))
        names[n] = (role, agency_name)
    data = assemble(layers)
    if defect == "flip":
        pos = data.find(b"%PDF") + 200
        data = data[:pos] + bytes([data[pos] ^ 0x20]) + data[pos + 1:]
    elif defect == "truncated":
        data = data[: len(data) * 2 // 3]
    last_role, last_agency = names[n_layers]
    folder = f"{times[-1].astimezone(CST):%Y-%m}/{last_role}-{AGENCY_SLUG[last_agency]}"
    return Plan(i, f"{folder}/case-{i + 1:05d}.edp", n_layers, defect, custody), data


def _agency(role, name, code):
    from edossier.record.model import Agency

    return Agency(name, code, role)


AGENCY_SLUG = {name: f"{['nanshan', 'futian', 'luohu', 'baoan'][i]}" for role in ROLES
               for i, (name, _) in enumerate(AGENCIES[role])}
AGENCY_SLUG["深圳市监狱"] = "prison"


def _write_range(args) -> list[tuple[str, str | None, str | None]]:
    out_dir, seed, start, stop = args
    from edossier.fsutil import atomic_write_bytes

    out = []
    for i in range(start, stop):
        plan, data = package_bytes(seed, i)
        target = Path(out_dir) / plan.path
        target.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(target, data)
        out.append((plan.path, plan.defect, plan.custody))
    return out


def make_archive(out_dir: Path, packages: int, *, seed: str = "1", jobs: int = 1, log=None) -> dict:
    """Write the archive; returns {"packages", "defective", "overdue", "due_soon", "seconds", "trustlist"}."""
    import logging

    for name in ("pyhanko", "pyhanko_certvalidator", "fontTools"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    started = time.monotonic()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    pki = make_pki(seed)
    (out_dir / "trustlist.xml").write_bytes(pki.trustlist)
    (out_dir / "trust-anchor.pem").write_bytes(pki.anchor)
    template_pdfs(seed)  # build once before forking
    chunks = [(str(out_dir), seed, s, min(s + 100, packages)) for s in range(0, packages, 100)]
    rows: list = []
    if jobs > 1 and len(chunks) > 1:
        import multiprocessing

        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            for part in pool.imap(_write_range, chunks):
                rows += part
                if log:
                    log(f"{len(rows)}/{packages}")
    else:
        for c in chunks:
            rows += _write_range(c)
            if log:
                log(f"{len(rows)}/{packages}")
    return {"packages": len(rows), "defective": sum(1 for _, d, _ in rows if d),
            "overdue": sum(1 for *_, c in rows if c == "overdue"),
            "due_soon": sum(1 for *_, c in rows if c == "due-soon"),
            "seconds": round(time.monotonic() - started, 1), "trustlist": str(out_dir / "trustlist.xml"),
            "at": ARCHIVE_NOW.isoformat()}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--packages", type=int, default=2000)
    ap.add_argument("--seed", default="1")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args(argv)
    info = make_archive(args.out, args.packages, seed=args.seed, jobs=args.jobs,
                        log=lambda s: print(s, file=sys.stderr, end="\r"))
    print(info)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    raise SystemExit(main())
