"""`edossier demo`: the main job on the bundled sample case, start to finish.

A demo PKI, the police layer, the procuratorate's and the court's layers, validation (accept), and a
copy with one byte of a police document changed (reject). Every step uses the same library calls as
the individual commands.
"""

from __future__ import annotations

import shutil
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..building.pipeline import append_layer, build_package
from ..fsutil import Input, guard_output
from ..resources import samples_dir
from ..roles import ROLE_ZH
from ..signing.cades import load_credential
from ..signing.revocation import credential_chain, fetch_crls
from .pki import load_demo_trustlist, make_demo_pki
from ..signing.tsa import LocalTSA, serve_in_thread
from ..validation.pipeline import validate_package
from ..validation.verdict import PackageReport

SAMPLE_CASE = "theft-fasttrack"
STEPS = (("police", "1-police.edp"), ("procuratorate", "2-procuratorate.edp"), ("court", "3-court.edp"))

Say = Callable[[str, str], None]


@dataclass
class DemoResult:
    workdir: Path
    packages: list[Path] = field(default_factory=list)
    accepted: PackageReport | None = None
    tampered: PackageReport | None = None

    @property
    def ok(self) -> bool:
        return (self.accepted is not None and self.accepted.verdict == "accept"
                and self.tampered is not None and self.tampered.verdict == "reject")


# `edossier demo --algorithm`: the demo PKI's key type, and the roles whose signer is ECDSA all the same
# (mixed: an ECDSA credential issued by the SM2 demo PKI's procuratorate CA, between SM2 layers).
ALGORITHMS = {"ecdsa": ("ec", ()), "rsa": ("rsa", ()), "sm2": ("sm2", ()), "mixed": ("sm2", ("procuratorate",))}


def run_demo(workdir: Path, say: Say = lambda en, zh: None, algorithm: str = "ecdsa") -> DemoResult:
    workdir = Path(workdir)
    case_dir = samples_dir() / SAMPLE_CASE
    # The demo replaces its PKI and packages in `workdir`: never inside the bundled samples it reads.
    guard_output(workdir, [Input(samples_dir(), "the bundled samples", "内置样例", tree=True)],
                 what=("the demo folder", "演示文件夹"), folder=True)
    workdir.mkdir(parents=True, exist_ok=True)
    result = DemoResult(workdir)

    pki_dir = workdir / "pki"
    say(f"Demo PKI (root CA, one CA per agency role, CRLs, trust list) in {pki_dir}",
        f"演示用 PKI（根 CA、各类机关 CA、吊销列表、信任列表）：{pki_dir}")
    key_type, ecdsa_roles = ALGORITHMS[algorithm]
    pki = make_demo_pki(pki_dir, overwrite=True, key_type=key_type)
    credentials = dict(pki.p12_paths)
    for role in ecdsa_roles:
        from .ca import issue_signer, write_p12
        from .pki import DEMO_AGENCIES, load_demo_ca

        agency = next(a for a in DEMO_AGENCIES if a.role == role)
        credentials[role] = pki_dir / f"{role}-ecdsa.p12"
        write_p12(issue_signer(load_demo_ca(pki_dir, role), agency.name, agency.credit_code, key_type="ec", role=role),
                  credentials[role])
    trust = load_demo_trustlist(pki_dir)  # verified against the folder's own trust-anchor.pem
    # A local time-stamping authority on the loopback interface, so the layers are CAdES-B-T (an SM2
    # authority in an SM2 PKI: its tokens are SM2/SM3 SignedData).
    tsa_server, tsa_url = serve_in_thread(LocalTSA(credentials["tsa"]))
    say(f"Demo time-stamping authority at {tsa_url}", f"演示时间戳服务：{tsa_url}")
    try:
        previous = None
        for role, name in STEPS:
            out = workdir / name
            cred = load_credential(credentials[role])
            cred.tsa_url = tsa_url
            # Long-term validation data, as `edossier build` does: the CRLs of the signer's path from
            # its certificates' distribution points (file: URLs into the demo folder).
            cred.crls = tuple(fetch_crls(credential_chain(cred)))
            source = case_dir / role
            if previous is None:
                res = build_package(source, out, cred)
            else:
                res = append_layer(previous, source, out, cred)
            say(f"Layer {res.layer} ({role}): {res.documents} document(s), {res.pages} page(s), "
                f"signed with time stamp → {out.name}",
                f"第 {res.layer} 层（{_ROLE_ZH[role]}）：{res.documents} 份文书，{res.pages} 页，已签名并加盖时间戳 → {out.name}")
            result.packages.append(out)
            previous = out
    finally:
        tsa_server.shutdown()

    result.accepted = validate_package(previous, trust=trust)
    en, zh = verdict_summary(result.accepted)
    say(f"Validate {previous.name}: {en}", f"校验 {previous.name}：{zh}")

    tampered = workdir / "3-court-tampered.edp"
    member = tamper_member(previous, tampered, prefix="documents/001/")
    result.tampered = validate_package(tampered, trust=trust)
    en, zh = verdict_summary(result.tampered)
    say(f"Changed one byte of {member} in {tampered.name}; validate: {en}",
        f"在 {tampered.name} 中改动 {member} 的一个字节；校验：{zh}")
    return result


# Only errors are reasons for a rejection; warnings and the rest are listed apart, under their own name,
# so that a reader never takes a warning for a reason (issue 16: "reject (I001, K022)").
_GROUPS = (("error", "errors", "错误"), ("warning", "warnings", "警告"),
           ("supervision", "supervision", "监督事项"), ("info", "notes", "提示"))


def verdict_summary(report: PackageReport) -> tuple[str, str]:
    """One line per language: the verdict, then the codes of each severity that occurs, errors first,
    e.g. `reject — errors: I001; warnings: K022` / `拒收——错误：I001；警告：K022`."""
    en_parts, zh_parts = [], []
    for severity, en_name, zh_name in _GROUPS:
        codes = "、".join(sorted({f.code for f in report.findings if f.severity == severity}))
        if codes:
            en_parts.append(f"{en_name}: {codes.replace('、', ', ')}")
            zh_parts.append(f"{zh_name}：{codes}")
    verdict_zh = "接收" if report.verdict == "accept" else "拒收"
    if not en_parts:
        return f"{report.verdict}, no findings", f"{verdict_zh}，无任何发现"
    return f"{report.verdict} — {'; '.join(en_parts)}", f"{verdict_zh}——{'；'.join(zh_parts)}"


_ROLE_ZH = ROLE_ZH


def _harmless_offset(data: bytes | bytearray) -> int:
    """The first byte of a PDF's binary-marker comment (`%âãÏÓ` on line 2), else the middle byte."""
    if data.startswith(b"%PDF-"):
        eol = data.find(b"\n")
        if 0 < eol < 20 and data[eol + 1:eol + 2] == b"%" and len(data) > eol + 2 and data[eol + 2] >= 0x82:
            return eol + 2
    return len(data) // 2


def tamper_member(src: Path, dst: Path, *, prefix: str) -> str:
    """Copy a package and flip one byte in the first stored member under `prefix`, fixing its CRC-32
    in the local header and the central directory, as a careful forger would. In a PDF the byte is
    one of the binary-marker comment's (line 2, bytes above 127, and still above 127 after the flip),
    a change no check but the digest can see (I001); the middle byte of a scanned page would also
    corrupt its JPEG data, which the image check may or may not notice (D006), depending on the bit."""
    shutil.copyfile(src, dst)
    with zipfile.ZipFile(dst) as zf:
        info = next(i for i in zf.infolist() if i.filename.startswith(prefix) and i.compress_type == zipfile.ZIP_STORED)
        cd_offset = zf.start_dir
    with open(dst, "r+b") as fh:
        fh.seek(info.header_offset)
        header = fh.read(30)
        name_len, extra_len = struct.unpack("<HH", header[26:30])
        data_start = info.header_offset + 30 + name_len + extra_len
        fh.seek(data_start)
        data = bytearray(fh.read(info.compress_size))
        data[_harmless_offset(data)] ^= 0x01
        fh.seek(data_start)
        fh.write(data)
        crc = struct.pack("<I", zlib.crc32(data) & 0xFFFFFFFF)
        fh.seek(info.header_offset + 14)
        fh.write(crc)
        # find this member's central directory entry and patch its CRC too
        fh.seek(cd_offset)
        cd = fh.read()
        pos = 0
        while True:
            pos = cd.find(b"PK\x01\x02", pos)
            if pos < 0:
                raise RuntimeError("central directory entry not found")
            n_len = struct.unpack("<H", cd[pos + 28:pos + 30])[0]
            if cd[pos + 46:pos + 46 + n_len].decode("utf-8") == info.filename:
                fh.seek(cd_offset + pos + 16)
                fh.write(crc)
                break
            pos += 4
    return info.filename
