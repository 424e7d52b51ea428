"""Verifying a layer's CAdES-B-B signature (docs/spec.md §8): a security decision. The only trust
anchors are the CA certificates the trust list names for the agency *and* role the layer claims,
revocation information is required and never fetched from the network, and the signer's certificate
must name that agency."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..findings import Finding, finding
from ..i18n import quoted_original
from ..roles import role_name
from .trustlist_model import TrustList
from .cades import (_matching_certs, _out_of_period, _reason_zh, _revocation_date, _run_validation,
                                    _signing_certificate_v2_problem, _subject_attr, _weak_key, display_name, name_zh,
                                    ORGANIZATION_IDENTIFIER, SIGNING_CERTIFICATE_V2, WEAK_DIGESTS)
from .cades_der import der_problem, unsorted_set
from .cades_extras import _foreign, _unaccounted
from .cades_timestamp import _judge_token, CLOCK_SKEW, OTHER_TIME_STAMPS, SIGNATURE_TIME_STAMP


@dataclass
class SignatureResult:
    layer: int
    indication: str = "TOTAL_FAILED"  # ETSI EN 319 102-1: TOTAL_PASSED | INDETERMINATE | TOTAL_FAILED
    sub_indication: str | None = None
    signer: str | None = None
    signing_time: dt.datetime | None = None
    timestamp: dt.datetime | None = None  # time proven by this layer's own trusted signature time stamp
    findings: list[Finding] = field(default_factory=list)
    # DER of the certificate whose signature and path pyHanko validated: the one source of the signer's
    # identity for reports and receipts (None when the signature could not be validated that far).
    signer_certificate: bytes | None = None
    # The signature's algorithm as read (for SM2 also the CMS form found: GB/T 35275 or RFC 5652
    # wrapping, the signature-algorithm OID, DER or raw r‖s), for reports; None when unreadable.
    algorithm: str | None = None

    def to_dict(self) -> dict:
        return {
            "layer": self.layer,
            "indication": self.indication,
            "sub_indication": self.sub_indication,
            "signer": self.signer,
            "signing_time": self.signing_time.isoformat() if self.signing_time else None,
            "timestamp": self.timestamp.isoformat() if self.timestamp else None,
            "algorithm": self.algorithm,
        }


SIGNING_TIME = "1.2.840.113549.1.9.5"


_LOOK_UP = object()  # verify_layer(trusted=…) not given: look the agency up in the trust list


def verify_layer(layer: int, p7s: bytes, manifest: bytes, *, agency_name: str, credit_code: str, role: str,
                 trust: TrustList, at: dt.datetime | None = None,
                 poe: dt.datetime | None = None, trusted=_LOOK_UP) -> SignatureResult:
    """Judge one layer's signature. Never raises for bad input: problems become findings.

    The signature is judged at `at` (default: now). `poe` is an externally proven time at which the
    signature already existed (a receipt, or a later layer's trusted time stamp; the caller proves
    it). The signature's proven time is the earliest of its own trusted time stamp and `poe`. When
    the signature fails at `at` only because the signer's certificate has since expired or been
    revoked, and the proven time predates that, the signature is judged again at the proven time
    (EN 319 102-1 past signature validation). The case table is in docs/signatures.md §3.

    `trusted` is `trust.find(credit_code, role)` when the caller has already looked it up (the
    validation pipeline does, once per layer); by default it is looked up here.
    """
    # asn1crypto learns the TSTInfo content type only when its tsp module is imported; parsing a
    # time-stamp token before that caches it as opaque bytes and pyHanko then rejects it.
    from asn1crypto import cms, core, tsp, x509 as ax509  # noqa: F401

    # SM2/SM3: teaches asn1crypto the GB/T 35275 content types before anything is parsed
    from .cades_sm2 import DATA_TYPES, SIGNED_DATA_TYPES, is_sm2_certificate, signature_form

    loc = f"META-INF/signature{layer:03d}.p7s"
    result = SignatureResult(layer)
    params = {"layer": f"{layer:03d}", "agency": agency_name, "role": role, "role_zh": role_name(role, "zh-CN")}

    def fail(code, indication, sub, **extra):
        result.findings.append(finding(code, loc, **{**params, **extra}))
        result.indication, result.sub_indication = indication, sub
        return result

    try:
        ci = cms.ContentInfo.load(p7s, strict=True)
        if ci["content_type"].native not in SIGNED_DATA_TYPES:
            raise ValueError(f"content type is {ci['content_type'].native}, not signed_data")
        sd = ci["content"]
        signer_infos = sd["signer_infos"]
        if len(signer_infos) != 1:
            raise ValueError(f"{len(signer_infos)} SignerInfos; exactly one is required")
        si = signer_infos[0]
        # The signed attributes as signed: asn1crypto re-sorts a SET OF once it has been parsed.
        raw_signed_attrs = None if isinstance(si["signed_attrs"], core.Void) else si["signed_attrs"].contents
        for part in ("version", "digest_algorithms", "encap_content_info"):
            sd[part].native  # force a full parse: a malformed field must be G001, not go unnoticed
        for part in ("version", "sid", "digest_algorithm", "signed_attrs", "signature_algorithm", "signature"):
            si[part].native  # (unsigned attributes are parsed where they are judged, below)
        digest_alg = si["digest_algorithm"]["algorithm"].native
        sig_alg = si["signature_algorithm"]
        try:
            sig_hash = sig_alg.hash_algo if sig_alg["algorithm"].native not in ("rsassa_pss", "ed25519", "ed448") else None
        except ValueError:  # an algorithm without a named hash (SM2: the digest algorithm is SM3)
            sig_hash = None
        signed_attrs = si["signed_attrs"]
        attr_types = [a["type"].dotted for a in signed_attrs] if signed_attrs.native is not None else []
        # Only the attribute types here: values are parsed where they are judged (an unknown attribute's
        # value need not parse as anything, and must become a finding about that attribute).
        unsigned_attrs = [] if isinstance(si["unsigned_attrs"], core.Void) else list(si["unsigned_attrs"])
        embedded = [c.chosen for c in sd["certificates"]] if sd["certificates"].native else []
        for c in embedded:
            c.native  # force a full parse, so that malformed certificates fail here
        embedded_crls = [c.chosen for c in sd["crls"] if c.name == "crl"] if sd["crls"].native else []
        for c in embedded_crls:
            c.native
    except Exception as exc:  # noqa: BLE001 - asn1crypto raises many types for malformed DER
        why = str(exc)[:200] or type(exc).__name__
        zh = _reason_zh(why)  # our own reasons are translated; asn1crypto's words are quoted
        return fail("G001", "TOTAL_FAILED", "FORMAT_FAILURE", detail=why,
                    detail_zh=zh if zh != why else quoted_original(why))
    # Parsable, but is it DER? BER (indefinite lengths, non-minimal encodings, unsorted sets) lets two
    # parsers see two different signatures, and the signed attributes are hashed in their DER form.
    not_der = der_problem(p7s)
    if not_der:
        return fail("G023", "TOTAL_FAILED", "FORMAT_FAILURE", detail=not_der, detail_zh=_reason_zh(not_der))
    if raw_signed_attrs is not None and unsorted_set(raw_signed_attrs):
        return fail("G023", "TOTAL_FAILED", "FORMAT_FAILURE", detail="signed attributes not in DER (sorted) order",
                    detail_zh="签名属性未按 DER 要求排序")

    for alg in (digest_alg, sig_hash):
        if alg in WEAK_DIGESTS:
            return fail("G010", "INDETERMINATE", "CRYPTO_CONSTRAINTS_FAILURE", detail=f"digest {alg}", detail_zh=f"摘要算法 {alg}")
    # One signer certificate, or none: with two candidates pyHanko and any other tool may each pick
    # a different one, and every later decision would rest on a certificate nobody verified.
    candidates = _matching_certs(si["sid"], embedded)
    if len(candidates) > 1:
        return fail("G016", "TOTAL_FAILED", "FORMAT_FAILURE",
                    detail=f"{len(candidates)} embedded certificates match the signer identifier ({si['sid'].name})",
                    detail_zh=f"有 {len(candidates)} 个内嵌证书与签名者标识（{si['sid'].name}）相符")
    signer_cert = candidates[0] if candidates else None
    if signer_cert is not None and is_sm2_certificate(signer_cert):
        result.algorithm = signature_form(ci["content_type"].native, si, signer_cert)
        if digest_alg != "sm3" or sd["encap_content_info"]["content_type"].native not in DATA_TYPES:
            # GB/T 35275 §8: SM2 signs SM3 digests; the content is data (GB/T 35275 or RFC 5652 OID)
            content = sd["encap_content_info"]["content_type"].native
            return fail("G010", "INDETERMINATE", "CRYPTO_CONSTRAINTS_FAILURE",
                        detail=f"SM2 signature with digest {digest_alg} over content type {content}",
                        detail_zh=f"SM2 签名使用摘要算法 {digest_alg}，内容类型 {content}")
    elif signer_cert is not None:
        if ci["content_type"].native not in ("signed_data",) or \
                sd["encap_content_info"]["content_type"].native not in ("data",):
            # the GB/T 35275 content types belong to SM2 signatures: the RSA/ECDSA profile is unchanged
            return fail("G001", "TOTAL_FAILED", "FORMAT_FAILURE",
                        detail="GB/T 35275 content types with a signer key that is not SM2",
                        detail_zh="签名人密钥不是 SM2，却使用了 GB/T 35275 内容类型")
        family = {"ec": "ECDSA", "rsa": "RSA", "rsassa_pss": "RSA-PSS"}.get(signer_cert.public_key.algorithm,
                                                                          signer_cert.public_key.algorithm)
        result.algorithm = f"{family}/{digest_alg.upper().replace('SHA', 'SHA-')}"
    if signer_cert is not None:
        weak_key = _weak_key(signer_cert)
        if weak_key:
            return fail("G010", "INDETERMINATE", "CRYPTO_CONSTRAINTS_FAILURE", detail=weak_key,
                        detail_zh=_reason_zh(weak_key))
    if SIGNING_TIME not in attr_types:
        result.findings.append(finding("G017", loc, **params))
    if SIGNING_CERTIFICATE_V2 not in attr_types:
        result.findings.append(finding("G011", loc, detail="no signing-certificate-v2 signed attribute",
                                       detail_zh="没有 signing-certificate-v2 签名属性", **params))
    elif signer_cert is not None:
        why = _signing_certificate_v2_problem(signed_attrs, signer_cert)
        if why:
            return fail("G019", "TOTAL_FAILED", "FORMAT_FAILURE", detail=why, detail_zh=_reason_zh(why))
    for name in sorted({OTHER_TIME_STAMPS[t] for t in attr_types if t in OTHER_TIME_STAMPS}):
        result.findings.append(finding("G021", loc, detail=f"signed attribute {name}",
                                       detail_zh=f"签名属性 {name}", **params))

    when = at or dt.datetime.now(dt.timezone.utc)
    # A past validation time is judged with the revocation information we have, issued later.
    retroactive = at is not None
    if trusted is _LOOK_UP:
        trusted = trust.find(credit_code, role)
    if trusted is None or not trust.is_in_force(trusted, when) or trusted.name != agency_name:
        shown = agency_name if trusted is None or trusted.name == agency_name \
            else f"{agency_name} (trust list: {trusted.name})"
        return fail("G004", "INDETERMINATE", "NO_CERTIFICATE_CHAIN_FOUND", agency=shown)

    # The agency's entry lists its CA certificates: the self-signed ones are the trust anchors, the
    # others are the agency's issuing CAs, one of which must have issued the signer's certificate.
    # (pyhanko-certvalidator cannot check a CRL whose issuer is a non-self-signed anchor, so an
    # issuing CA is never used as an anchor itself when its root is listed.)
    try:
        listed = [ax509.Certificate.load(c) for c in trusted.ca_certs]
        issuing = {c.sha256 for c in listed if c.self_signed == "no"} or {c.sha256 for c in listed}
    except Exception as exc:  # noqa: BLE001
        return fail("G001", "TOTAL_FAILED", "FORMAT_FAILURE", detail=f"trust list entry: {exc}", detail_zh=f"信任列表条目：{exc}")
    if signer_cert is None:
        return fail("G001", "TOTAL_FAILED", "FORMAT_FAILURE", detail="the signer's certificate is not embedded",
                    detail_zh="签名人证书未内嵌")
    if not any(signer_cert.issuer == ca.subject
               and signer_cert.authority_key_identifier in (None, ca.key_identifier)
               for ca in listed if ca.sha256 in issuing):
        return fail("G003", "INDETERMINATE", "NO_CERTIFICATE_CHAIN_FOUND",
                    detail=f"issued by {signer_cert.issuer.human_friendly}",
                    detail_zh=f"签发者：{name_zh(signer_cert.issuer)}")
    anchors = [c for c in listed if c.self_signed != "no"] or listed
    extra = _unaccounted(unsigned_attrs, sd, allowed_unsigned=(SIGNATURE_TIME_STAMP, *OTHER_TIME_STAMPS))
    if extra:
        return fail("G026", "TOTAL_FAILED", "FORMAT_FAILURE", detail=extra[0], detail_zh=extra[1])

    # Time stamps are judged here one by one (`_judge_token`), so pyHanko sees the signature alone.
    try:
        bare = cms.ContentInfo.load(p7s)["content"]
        bare["signer_infos"][0]["unsigned_attrs"] = None
    except Exception as exc:  # noqa: BLE001 - parsed once already; kept total for hostile input
        why = str(exc)[:200] or type(exc).__name__
        return fail("G001", "TOTAL_FAILED", "FORMAT_FAILURE", detail=why, detail_zh=quoted_original(why))
    status = _run_validation(manifest, bare, trusted, embedded, embedded_crls, when, retroactive=retroactive)
    if isinstance(status, Exception):
        why = f"{type(status).__name__}: {str(status)[:200]}"
        return fail("G001", "TOTAL_FAILED", "FORMAT_FAILURE", detail=why, detail_zh=quoted_original(why))
    # From here on, the signer is the certificate pyHanko validated, and only that one.
    validated = status.signing_cert
    if validated is None or validated.dump() != signer_cert.dump() or (
            status.validation_path is not None and status.validation_path.leaf.dump() != validated.dump()):
        return fail("G016", "TOTAL_FAILED", "FORMAT_FAILURE",
                    detail="the validated certificate is not the embedded signer certificate or not the end of its path",
                    detail_zh="经验证的证书不是内嵌的签名人证书，或不在其路径末端")
    signer_cert = validated
    result.signer = display_name(signer_cert)
    result.signer_certificate = signer_cert.dump()
    path_certs = [signer_cert] + [c for c in listed if c.sha256 in issuing or c in anchors]
    result.signing_time = status.signer_reported_dt
    if not status.intact or not status.valid:
        return fail("G002", "TOTAL_FAILED", "HASH_FAILURE" if not status.intact else "SIG_CRYPTO_FAILURE")

    # Time stamps (CAdES-B-T): at most one signature time stamp, and every token there is judged.
    tokens = []
    for attr in unsigned_attrs:
        kind = attr["type"].dotted
        if kind == SIGNATURE_TIME_STAMP:
            tokens.extend(attr["values"])
        elif kind in OTHER_TIME_STAMPS:
            result.findings.append(finding("G021", loc, detail=f"unsigned attribute {OTHER_TIME_STAMPS[kind]}",
                                           detail_zh=f"非签名属性 {OTHER_TIME_STAMPS[kind]}", **params))
    if len(tokens) > 1:
        result.findings.append(finding("G021", loc, detail=f"{len(tokens)} signature time stamps; at most one",
                                       detail_zh=f"{len(tokens)} 个签名时间戳；至多一个", **params))
    ts_time = None
    for token in tokens:
        verdict = _judge_token(token, si, trust, when, retroactive)
        if verdict.code:
            return fail(verdict.code, "INDETERMINATE", verdict.sub, detail=verdict.detail, detail_zh=verdict.detail_zh)
        ts_time = verdict.time if ts_time is None else min(ts_time, verdict.time)
    if ts_time is not None and ts_time > when + CLOCK_SKEW:
        # The mirror of G018 for the token: a time stamp dated after the validation time cannot exist at
        # that time, and a report would show it as the layer's proven time (second red team, issue 19).
        return fail("G012", "INDETERMINATE", "TIMESTAMP_ORDER_FAILURE",
                    detail=f"the time stamp's time {ts_time.isoformat()} is after the validation time {when.isoformat()}",
                    detail_zh=f"时间戳时间 {ts_time.isoformat()} 晚于验证时间 {when.isoformat()}")
    result.timestamp = ts_time
    claimed = status.signer_reported_dt
    if claimed and ts_time and ts_time < claimed - CLOCK_SKEW:
        return fail("G012", "INDETERMINATE", "TIMESTAMP_ORDER_FAILURE",
                    detail="the time stamp is earlier than the claimed signing time",
                    detail_zh="时间戳早于所声称的签名时间")
    if claimed and claimed > when + CLOCK_SKEW:
        return fail("G018", "INDETERMINATE", "SIG_CONSTRAINTS_FAILURE",
                    detail=f"signing-time {claimed.isoformat()} is after the validation time {when.isoformat()}",
                    detail_zh=f"signing-time {claimed.isoformat()} 晚于验证时间 {when.isoformat()}")
    if claimed and poe and claimed > poe + CLOCK_SKEW:
        return fail("G018", "INDETERMINATE", "SIG_CONSTRAINTS_FAILURE",
                    detail=f"signing-time {claimed.isoformat()} is after the proof of existence {poe.isoformat()}",
                    detail_zh=f"signing-time {claimed.isoformat()} 晚于存在性证明时间 {poe.isoformat()}")

    # The mirror of G018: a signing-time before the signer's certificate existed is as impossible as one after
    # the validation time, and a report would show it as the layer's time (found by the red team, issue 19).
    not_before = signer_cert.not_valid_before
    if claimed and not_before is not None and claimed < not_before - CLOCK_SKEW:
        return fail("G025", "INDETERMINATE", "NOT_YET_VALID",
                    detail=f"signing-time {claimed.isoformat()} is before the signer's certificate is valid "
                           f"(notBefore {not_before.isoformat()})",
                    detail_zh=f"signing-time {claimed.isoformat()} 早于签名者证书的生效时间（notBefore "
                              f"{not_before.isoformat()}）")

    proofs = [(t, what) for t, what in ((ts_time, "trusted time stamp"), (poe, "proof of existence")) if t]
    proven, proof = min(proofs, key=lambda p: p[0]) if proofs else (None, None)
    expired = _out_of_period(path_certs, when)
    indic = status.trust_problem_indic.name if status.trust_problem_indic is not None else None
    time_problem = expired or status.revoked or indic in (
        "REVOKED_NO_POE", "REVOKED_CA_NO_POE", "OUT_OF_BOUNDS_NO_POE", "OUT_OF_BOUNDS_NOT_REVOKED", "EXPIRED")
    if time_problem and proven is not None and proven < when and not _out_of_period(path_certs, proven):
        past = _run_validation(manifest, bare, trusted, embedded, embedded_crls, proven, retroactive=True)
        if not isinstance(past, Exception) and past.intact and past.valid and past.trusted and not past.revoked \
                and past.signing_cert is not None and past.signing_cert.dump() == signer_cert.dump():
            status, expired, indic = past, None, None
            proof_zh = {"trusted time stamp": "可信时间戳", "proof of existence": "存在性证明"}.get(proof, proof)
            result.findings.append(finding("G013", loc, detail=f"{proof} of {proven.isoformat()}",
                                           detail_zh=f"{proof_zh}，时间 {proven.isoformat()}", **params))

    if expired:
        return fail("G008", "INDETERMINATE", expired[0], detail=expired[1], detail_zh=expired[2])
    if status.revoked or indic in ("REVOKED_NO_POE", "REVOKED_CA_NO_POE"):
        details = status.revocation_details
        when_revoked = details.revocation_date.isoformat() if details else "?"
        # B-B has no proof of existence before the revocation: INDETERMINATE/REVOKED[_CA]_NO_POE;
        # REVOKED is a TOTAL_FAILED sub-indication (revoked before a proven signing time).
        sub = indic if indic in ("REVOKED_NO_POE", "REVOKED_CA_NO_POE") else "REVOKED"
        return fail("G005", "INDETERMINATE" if indic in ("REVOKED_NO_POE", "REVOKED_CA_NO_POE") else "TOTAL_FAILED",
                    sub, detail=f"revoked on {when_revoked}", detail_zh=f"吊销于 {when_revoked}")
    if indic is not None or not status.trusted:
        code = {
            "NO_CERTIFICATE_CHAIN_FOUND": "G003",
            "CHAIN_CONSTRAINTS_FAILURE": "G007",
            "OUT_OF_BOUNDS_NO_POE": "G008",
            "OUT_OF_BOUNDS_NOT_REVOKED": "G008",
            "EXPIRED": "G008",
            "NOT_YET_VALID": "G008",
            "CRYPTO_CONSTRAINTS_FAILURE": "G010",
            "CRYPTO_CONSTRAINTS_FAILURE_NO_POE": "G010",
            "CERTIFICATE_CHAIN_GENERAL_FAILURE": "G006",
            "TRY_LATER": "G006",
            "REVOCATION_OUT_OF_BOUNDS_NO_POE": "G006",
        }.get(indic or "", "G003")
        return fail(code, "INDETERMINATE", indic or "NO_CERTIFICATE_CHAIN_FOUND", detail=indic or "no validation path",
                    detail_zh=indic or "没有验证路径")

    path_hashes = {c.sha256 for c in status.validation_path.iter_certs(include_root=True)}
    if not (path_hashes & issuing):
        return fail("G003", "INDETERMINATE", "NO_CERTIFICATE_CHAIN_FOUND",
                    detail="the path does not pass through the agency's CA",
                    detail_zh="证书路径未经过该机关的 CA")

    # No name-only match (#13): two entries may share a name; only the credit code is unique.
    org_id = _subject_attr(signer_cert, ORGANIZATION_IDENTIFIER)
    if org_id != credit_code:
        org = _subject_attr(signer_cert, "2.5.4.10")
        return fail("G009", "INDETERMINATE", "CHAIN_CONSTRAINTS_FAILURE",
                    detail=f"certificate names O={org!r}, organizationIdentifier={org_id!r}",
                    detail_zh=f"证书所载 O={org!r}，organizationIdentifier={org_id!r}")

    # Trusted: now every certificate and CRL it carries must be its own or its agency's (§8.1 s-unaccounted);
    # after the path checks, so that a look-alike CA is still reported as what it is (G003).
    extra = _foreign(embedded, embedded_crls, signer_cert, listed,
                     ("its agency's trust-list entry", "信任列表中该机关条目"))
    if extra:
        return fail("G026", "TOTAL_FAILED", "FORMAT_FAILURE", detail=extra[0], detail_zh=extra[1])

    # Valid at the validation time, but revoked later with nothing proving the signature is older
    # than the revocation: the signed signing-time is only the signer's word (docs/signatures.md §3).
    revoked_on = _revocation_date(signer_cert, trusted.ca_certs,
                                  list(trusted.crls) + [c.dump() for c in embedded_crls])
    if revoked_on is not None and revoked_on > when and not (proven is not None and proven < revoked_on):
        result.findings.append(finding("G020", loc, detail=revoked_on.isoformat(), **params))

    if any(f.severity == "error" for f in result.findings):  # e.g. G011: trusted, but not the profile
        result.indication, result.sub_indication = "TOTAL_FAILED", "FORMAT_FAILURE"
    else:
        result.indication, result.sub_indication = "TOTAL_PASSED", None
    return result


def signature_summary(p7s: bytes) -> tuple[str | None, dt.datetime | None]:
    """Signer name and claimed signing time, read without judging trust (for `inspect`).

    The name is shown only when exactly one embedded certificate matches the signer identifier (issuer
    and serial, or key identifier); an ambiguous signer is shown as unknown, never as the first match.
    """
    from asn1crypto import cms

    from . import cades_sm2  # noqa: F401 - the GB/T 35275 content types parse to SignedData

    try:
        sd = cms.ContentInfo.load(p7s)["content"]
        si = sd["signer_infos"][0]
        certs = [c.chosen for c in sd["certificates"]] if sd["certificates"].native else []
        matching = _matching_certs(si["sid"], certs)
        signer = display_name(matching[0]) if len(matching) == 1 else None
        when = None
        for attr in si["signed_attrs"]:
            if attr["type"].native == "signing_time":
                when = attr["values"][0].native
        return signer, when
    except Exception:  # noqa: BLE001 - inspect shows "?" for an unreadable signature
        return None, None
