"""What a CAdES SignedData (or a time-stamp token in it) may carry besides what is judged: nothing
(docs/spec.md §8.1 s-unaccounted, G026)."""

from __future__ import annotations


def _unaccounted(unsigned_attrs, sd, *, allowed_unsigned: tuple) -> tuple[str, str] | None:
    """The first unsigned part of a SignedData that no check reads (spec §8.1 s-unaccounted), as (en, zh),
    or None: an unsigned attribute of a type not in `allowed_unsigned` (a layer's signature: the time-stamp
    attributes, which are judged, or G021; a time-stamp token: none; the callers name them, so that this
    module imports neither caller), or revocation information other than a CRL.

    Nothing of it is signed: in the latest layer anyone who handles the package could put data there, up to
    the signature size limit, and the package would still be accepted (issue 19, second red team).
    """
    for attr in unsigned_attrs:
        kind = attr["type"].dotted
        if kind not in allowed_unsigned:
            return f"unsigned attribute {kind}", f"非签名属性 {kind}"
    if sd["crls"].native:
        for choice in sd["crls"]:
            if choice.name != "crl":
                return (f"revocation information of another format than a CRL ({choice.name})",
                        f"CRL 以外格式的吊销信息（{choice.name}）")
    return None


def _foreign(embedded, embedded_crls, own, cas, whose: tuple[str, str]) -> tuple[str, str] | None:
    """The first embedded certificate that is neither `own` (the signer's) nor one of `cas` (the CA
    certificates of its trust-list entry), or CRL not issued and signed by one of `cas`, as (en, zh); or
    None. Such a certificate or CRL is on no path the validator builds and says nothing it reads (§8.1
    s-unaccounted)."""
    from .sm2_x509 import signed_by

    allowed = {c.dump() for c in cas} | {own.dump()}
    for cert in embedded:
        if cert.dump() not in allowed:
            try:
                who = cert.subject.human_friendly
            except Exception:  # noqa: BLE001 - not an X.509 certificate (an attribute certificate, …)
                who = type(cert).__name__
            return (f"certificate {who}, neither the signer's nor a CA certificate of {whose[0]}",
                    f"证书 {who} 既不是签名人证书，也不是{whose[1]}的 CA 证书")
    for crl in embedded_crls:
        issuer = crl["tbs_cert_list"]["issuer"]
        if not any(ca.subject == issuer and signed_by(crl.dump(), ca.dump()) for ca in cas):
            return (f"a CRL of {issuer.human_friendly}, not issued and signed by a CA certificate of {whose[0]}",
                    f"CRL（{issuer.human_friendly}）并非由{whose[1]}的 CA 证书签发")
    return None
