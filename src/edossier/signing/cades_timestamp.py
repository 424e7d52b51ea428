"""Judging the RFC 3161 time-stamp tokens of a CAdES signature: which token proves the time of
signing, and whether its TSA is one the trust list names (docs/spec.md §9.4)."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass

from .trustlist_model import TrustList
from .cades import _context, _matching_certs, name_zh
from .cades_der import unsorted_set
from .cades_extras import _foreign, _unaccounted


SIGNATURE_TIME_STAMP = "1.2.840.113549.1.9.16.2.14"


# Time-stamp attributes this profile does not define (content time stamp, CAdES-C/X/A stamps): a
# token the validator does not judge must not sit in a layer looking like evidence.
OTHER_TIME_STAMPS = {
    "1.2.840.113549.1.9.16.2.20": "content-time-stamp",
    "1.2.840.113549.1.9.16.2.25": "CAdES-C-time-stamp",
    "1.2.840.113549.1.9.16.2.26": "time-stamped-certs-crls-references",
    "1.2.840.113549.1.9.16.2.27": "archive-time-stamp",
    "1.2.840.113549.1.9.16.2.48": "archive-time-stamp-v2",
    "0.4.0.1733.2.4": "archive-time-stamp-v3",
}


# How much later than the validation time (or a proof of existence) a signed signing-time may be:
# signers' clocks drift; a court would not call a minute's difference a forgery.
CLOCK_SKEW = dt.timedelta(minutes=5)


@dataclass
class _TokenVerdict:
    time: dt.datetime | None = None  # set when the token is valid and from a TSA the trust list names
    code: str | None = None
    sub: str | None = None
    detail: str = ""
    detail_zh: str | None = None  # None: as `detail` (a technical value the same in both languages)


def _judge_token(token, si, trust: TrustList, when: dt.datetime, retroactive: bool) -> _TokenVerdict:
    """Judge one RFC 3161 token over `si`'s signature value: the TSA's certificate must be named by the
    trust list (`TrustList.tsa_for`), be the one the token's signature and path validate with, and the
    path must validate to that TSA entry's CAs with revocation established."""
    from asn1crypto import core
    from .pyhanko_import import verification_modules

    generic_cms, status, _ = verification_modules()  # without pyHanko's signers (start-up)
    message_imprint_checker, validate_tst_signed_data = generic_cms.message_imprint_checker, generic_cms.validate_tst_signed_data
    TimestampSignatureStatus = status.TimestampSignatureStatus

    try:
        if token["content_type"].native != "signed_data":
            return _TokenVerdict(code="G012", sub="FORMAT_FAILURE", detail="the token is not SignedData", detail_zh="时间戳令牌不是 SignedData")
        tsd = token["content"]
        tst_info = tsd["encap_content_info"]["content"].parsed
        gen_time = tst_info["gen_time"].native
        tsis = tsd["signer_infos"]
        if len(tsis) != 1:
            return _TokenVerdict(code="G012", sub="FORMAT_FAILURE", detail=f"{len(tsis)} SignerInfos in the token",
                                 detail_zh=f"令牌中有 {len(tsis)} 个 SignerInfo")
        if not isinstance(tsis[0]["signed_attrs"], core.Void) and unsorted_set(tsis[0]["signed_attrs"].contents):
            return _TokenVerdict(code="G012", sub="FORMAT_FAILURE", detail="the token's signed attributes are not DER",
                                 detail_zh="令牌的签名属性不是 DER 编码")
        certs = [c.chosen for c in tsd["certificates"]] if tsd["certificates"].native else []
        matching = _matching_certs(tsis[0]["sid"], certs)
    except Exception as exc:  # noqa: BLE001 - malformed token
        return _TokenVerdict(code="G012", sub="FORMAT_FAILURE", detail=f"unreadable token: {str(exc)[:120]}",
                             detail_zh="无法读取的时间戳令牌")
    if len(matching) != 1:
        return _TokenVerdict(code="G012", sub="FORMAT_FAILURE",
                             detail=f"{len(matching)} certificates match the token's signer identifier",
                             detail_zh=f"有 {len(matching)} 个证书与令牌的签名者标识相符")
    tsa_cert = matching[0]
    tsa = trust.tsa_for(tsa_cert.dump(), gen_time) if trust.tsas else None
    if tsa is None:
        return _TokenVerdict(code="G022", sub="NO_CERTIFICATE_CHAIN_FOUND",
                             detail=f"{tsa_cert.subject.human_friendly} (issued by {tsa_cert.issuer.human_friendly})",
                             detail_zh=f"{name_zh(tsa_cert.subject)}（签发者：{name_zh(tsa_cert.issuer)}）")
    # Nothing in the token that no check reads (§8.1 s-unaccounted): no unsigned attribute, revocation
    # information only as CRLs of the TSA entry's CAs, certificates only the TSA's and that entry's CAs.
    from asn1crypto import x509 as ax509

    try:
        token_unsigned = [] if isinstance(tsis[0]["unsigned_attrs"], core.Void) else list(tsis[0]["unsigned_attrs"])
        token_crls = [c.chosen for c in tsd["crls"] if c.name == "crl"] if tsd["crls"].native else []
        extra = _unaccounted(token_unsigned, tsd, allowed_unsigned=()) or _foreign(
            certs, token_crls, tsa_cert, [ax509.Certificate.load(c) for c in tsa.ca_certs],
            ("the time-stamping authority's trust-list entry", "信任列表中该时间戳服务条目"))
    except Exception as exc:  # noqa: BLE001 - malformed token
        return _TokenVerdict(code="G012", sub="FORMAT_FAILURE", detail=f"unreadable token: {str(exc)[:120]}",
                             detail_zh="无法读取的时间戳令牌")
    if extra:
        return _TokenVerdict(code="G026", sub="FORMAT_FAILURE", detail="time-stamp token: " + extra[0],
                             detail_zh="时间戳令牌：" + extra[1])
    try:
        vc = _context(tsa.ca_certs, tsa.crls, certs, [], when, retroactive)
        kwargs = asyncio.run(validate_tst_signed_data(tsd, vc, message_imprint_checker(si)))
        status = TimestampSignatureStatus(**kwargs)
    except Exception as exc:  # noqa: BLE001
        return _TokenVerdict(code="G012", sub="FORMAT_FAILURE", detail=f"{type(exc).__name__}: {str(exc)[:120]}")
    if status.signing_cert is None or status.signing_cert.dump() != tsa_cert.dump():
        return _TokenVerdict(code="G012", sub="FORMAT_FAILURE", detail="the token was validated with another certificate",
                             detail_zh="令牌是用另一个证书验证的")
    if not (status.intact and status.valid):
        return _TokenVerdict(code="G012", sub="SIG_CONSTRAINTS_FAILURE", detail="not intact or not valid", detail_zh="不完整或无效")
    if not status.trusted or status.validation_path is None:
        indic = status.trust_problem_indic.name if status.trust_problem_indic else "no trusted path"
        return _TokenVerdict(code="G012", sub="SIG_CONSTRAINTS_FAILURE", detail=indic)
    path = list(status.validation_path.iter_certs(include_root=True))
    if path[-1].dump() != tsa_cert.dump() or (len(path) > 1 and path[-2].dump() not in tsa.ca_certs):
        return _TokenVerdict(code="G022", sub="NO_CERTIFICATE_CHAIN_FOUND",
                             detail="the token's path does not pass through the TSA entry's CA",
                             detail_zh="令牌的证书路径未经过信任列表中该时间戳服务条目的 CA")
    return _TokenVerdict(time=status.timestamp)
