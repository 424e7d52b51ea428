"""Signatures inside a document (PAdES), e.g. an officer's signature on a 讯问笔录.

They are optional. When a document carries them, each is validated with pyHanko against the CAs the
trust list names for the layer's agency, including pyHanko's modification analysis: anything added
to the file after a signature that the signature's rules do not allow is reported. A signed PDF is
necessarily an incremental update; the update is legitimate when the last signature covers the
whole file.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
from dataclasses import dataclass, field

from ..findings import Finding, finding
from ..i18n import quoted_original
from .cades import DOCUMENT_SIGNING, display_name


@dataclass
class PdfSignatures:
    count: int = 0
    covers_whole_file: bool = False
    findings: list[Finding] = field(default_factory=list)


# pyHanko's ModificationLevel names, as a clerk reads them
_LEVEL_ZH = {"NONE": "无改动", "LTA_UPDATES": "长期验证数据更新", "FORM_FILLING": "填写表单", "ANNOTATIONS": "添加注释",
             "OTHER": "其他改动"}

def verify_pdf_signatures(location: str, data: bytes, *, agency, at: dt.datetime | None = None) -> PdfSignatures:
    """Validate every embedded signature; `agency` is the layer's TrustedAgency (or None: untrusted)."""
    from asn1crypto import crl as acrl, x509 as ax509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import async_validate_pdf_signature
    from pyhanko.sign.validation.settings import KeyUsageConstraints
    from pyhanko_certvalidator import ValidationContext

    from .cades_sm2 import SIGNATURE_VALIDATOR

    out = PdfSignatures()
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        sigs = list(reader.embedded_signatures)
    except Exception as exc:  # noqa: BLE001 - not readable by pyHanko: the PDF checks report the file itself
        # ... but a file that looks signed must not pass as unsigned: a signature nobody could
        # read is a signature nobody checked (#13).
        if b"/ByteRange" in data:
            why = f"{type(exc).__name__}: {str(exc)[:160]}"
            out.findings.append(finding("G024", location, detail=why, detail_zh=quoted_original(why)))
        return out
    out.count = len(sigs)
    if not sigs:
        return out
    moment = at or dt.datetime.now(dt.timezone.utc)
    ku = KeyUsageConstraints(key_usage={"non_repudiation"}, extd_key_usage={DOCUMENT_SIGNING, "email_protection"},
                             explicit_extd_key_usage_required=False)
    for sig in sigs:
        name = sig.field_name or "?"
        where = f"{location} (signature field {name})"
        if agency is None:
            out.findings.append(finding("G014", where, detail="the layer's agency is not in the trust list",
                                        detail_zh="本层机关不在信任列表中"))
            continue
        try:
            listed = [ax509.Certificate.load(c) for c in agency.ca_certs]
            vc = ValidationContext(
                trust_roots=[c for c in listed if c.self_signed != "no"] or listed,
                other_certs=[c for c in listed if c.self_signed == "no"],
                crls=[acrl.CertificateList.load(c) for c in agency.crls],
                allow_fetching=False, revocation_mode="require", moment=moment,
                signature_validator=SIGNATURE_VALIDATOR)  # SM2 PDF signatures and paths too (#20)
            status = asyncio.run(async_validate_pdf_signature(sig, signer_validation_context=vc,
                                                              key_usage_settings=ku))
        except Exception as exc:  # noqa: BLE001 - malformed signature dictionaries and CMS
            out.findings.append(finding("G014", where, detail=f"{type(exc).__name__}: {str(exc)[:160]}"))
            continue
        signer = display_name(status.signing_cert) if status.signing_cert is not None else "?"
        if not (status.intact and status.valid):
            out.findings.append(finding("G014", where, detail=f"signed by {signer}: the signed bytes were changed",
                                        detail_zh=f"签名者 {signer}：已签名的字节被改动"))
        elif not status.trusted:
            indic = status.trust_problem_indic.name if status.trust_problem_indic else "no trusted path"
            out.findings.append(finding("G014", where, detail=f"signed by {signer}: {indic}",
                                        detail_zh=f"签名者 {signer}：{indic}"))
        level = getattr(status, "modification_level", None)
        if status.diff_result is not None and not status.docmdp_ok:
            out.findings.append(finding("G015", where, detail=f"modification level {getattr(level, 'name', level)}",
                                        detail_zh=f"修改级别 {_LEVEL_ZH.get(getattr(level, 'name', level), getattr(level, 'name', level))}"))
        coverage = getattr(status.coverage, "name", "")
        if coverage == "ENTIRE_FILE":
            out.covers_whole_file = True
    return out
