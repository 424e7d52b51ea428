"""The trust list's enveloped XML signature (XMLDSig via ``signxml``, docs/spec.md §9.1): checking it
against the trust anchor, and making it with an operator credential."""

from __future__ import annotations

import base64
import datetime as dt

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from lxml import etree

from edossier.xmlsafe import parse_xml
from edossier.signing.trustlist_model import _DS, _T, ENVELOPED, EXC_C14N, MAX_TRUSTLIST_BYTES, TrustListError


def _bad_signature(src: tuple[str, str], en: str, zh: str) -> TrustListError:
    return TrustListError(f"{src[0]}: the signature is not acceptable: {en}",
                          f"{src[1]}：签名不可接受：{zh}")


def _verify_signature(data: bytes, root, signatures: list, anchor: x509.Certificate,
                      src: tuple[str, str]):
    """Check the enveloped signature; return (the signed TrustList element as signxml returned it,
    the operator certificate's subject). Everything after this reads only the returned element."""
    from signxml import InvalidInput, InvalidSignature, SignatureConfiguration, XMLVerifier
    from signxml.algorithms import DigestAlgorithm, SignatureMethod
    from signxml.exceptions import SignXMLException

    if len(signatures) != 1 or signatures[0].getparent() is not root:
        raise _bad_signature(src, "there must be exactly one ds:Signature, a child of the root TrustList",
                             "必须恰好有一个 ds:Signature，且为根元素 TrustList 的子元素")
    sig = signatures[0]
    # Which key to check against is decided here, from the anchor; the content is read only from what
    # signxml returns. The first X509Certificate is the operator's (XMLDSig puts the signer first).
    cert_el = sig.find(f"{_DS}KeyInfo/{_DS}X509Data/{_DS}X509Certificate")
    if cert_el is None:
        raise _bad_signature(src, "KeyInfo carries no X509Certificate", "KeyInfo 中没有 X509Certificate")
    try:
        operator = x509.load_der_x509_certificate(base64.b64decode("".join((cert_el.text or "").split())))
        operator.subject, operator.public_key()
    except Exception:  # noqa: BLE001
        raise _bad_signature(src, "the operator certificate cannot be read", "无法读取运营方证书") from None
    if not _anchored(operator, anchor):
        raise _bad_signature(
            src, f"the signer {operator.subject.rfc4514_string()} is neither the trust anchor "
                 f"{anchor.subject.rfc4514_string()} nor issued by it",
            f"签名者 {operator.subject.rfc4514_string()} 既不是信任锚 {anchor.subject.rfc4514_string()}，"
            "也不是由其签发")
    # Transforms and reference are checked before signxml runs: only the whole document, only
    # enveloped-signature + exclusive c14n (anything else could sign a part, or a transformed view).
    refs = sig.findall(f"{_DS}SignedInfo/{_DS}Reference")
    if len(refs) != 1 or refs[0].get("URI") != "":
        raise _bad_signature(src, 'there must be one Reference, with URI="" (the whole document)',
                             '必须恰好有一个 Reference，且 URI=""（整个文档）')
    transforms = [t.get("Algorithm") for t in refs[0].findall(f"{_DS}Transforms/{_DS}Transform")]
    c14n = sig.find(f"{_DS}SignedInfo/{_DS}CanonicalizationMethod")
    if transforms != [ENVELOPED, EXC_C14N] or c14n is None or c14n.get("Algorithm") != EXC_C14N:
        raise _bad_signature(src, "only the enveloped-signature and exclusive c14n transforms are allowed",
                             "只允许 enveloped-signature 与排他规范化（exclusive c14n）变换")
    config = SignatureConfiguration(
        require_x509=True,
        location="./",
        expect_references=1,
        signature_methods=frozenset({SignatureMethod.RSA_SHA256, SignatureMethod.ECDSA_SHA256}),
        digest_algorithms=frozenset({DigestAlgorithm.SHA256}),
    )
    try:
        result = XMLVerifier().verify(data, x509_cert=operator, expect_config=config)
    except (SignXMLException, InvalidInput, InvalidSignature) as exc:
        raise _bad_signature(src, str(exc)[:300], str(exc)[:300]) from None
    except Exception as exc:  # noqa: BLE001 - hostile input: no traceback, a refusal
        raise _bad_signature(src, f"{type(exc).__name__}: {str(exc)[:200]}",
                             f"{type(exc).__name__}：{str(exc)[:200]}") from None
    signed = result.signed_xml
    if signed is None or signed.tag != f"{_T}TrustList" or signed.getparent() is not None:
        raise _bad_signature(src, "the signed element is not the root TrustList", "被签名的元素不是根元素 TrustList")
    if signed.find(f".//{_DS}Signature") is not None:
        raise _bad_signature(src, "the signed content holds another signature", "被签名内容中还有其他签名")
    return signed, operator.subject.rfc4514_string()


def _anchored(operator: x509.Certificate, anchor: x509.Certificate) -> bool:
    """True if ``operator`` is the anchor itself, or an end-entity certificate the anchor (a CA)
    issued directly that is valid now."""
    if operator == anchor:
        return True
    try:
        bc = anchor.extensions.get_extension_for_class(x509.BasicConstraints).value
        if not bc.ca or operator.issuer != anchor.subject:
            return False
        operator.verify_directly_issued_by(anchor)
        try:  # an operator is an end entity: a sub-CA of the anchor does not sign lists
            if operator.extensions.get_extension_for_class(x509.BasicConstraints).value.ca:
                return False
        except x509.ExtensionNotFound:
            pass
    except Exception:  # noqa: BLE001 - not a CA, wrong signature, unsupported key: not anchored
        return False
    now = dt.datetime.now(dt.timezone.utc)
    return operator.not_valid_before_utc <= now < operator.not_valid_after_utc


def sign_trustlist_bytes(data: bytes, signer) -> bytes:
    """``data`` (a trust list, unsigned) with an enveloped XMLDSig signature by ``signer`` appended
    to the root: Reference URI="", enveloped-signature + exclusive c14n, SHA-256, RSA or ECDSA."""
    from signxml import XMLSigner
    from signxml.algorithms import CanonicalizationMethod, DigestAlgorithm, SignatureMethod

    key = signer.key
    if isinstance(key, ec.EllipticCurvePrivateKey):
        method = SignatureMethod.ECDSA_SHA256
    elif isinstance(key, rsa.RSAPrivateKey):
        method = SignatureMethod.RSA_SHA256
    else:
        raise TrustListError("the trust-list operator's key must be RSA or ECDSA",
                             "信任列表运营方的密钥必须是 RSA 或 ECDSA")
    root = parse_xml(data, max_bytes=MAX_TRUSTLIST_BYTES)
    for old in list(root.iter(f"{_DS}Signature")):  # re-signing: the old signature goes
        old.getparent().remove(old)
    pem = signer.cert.public_bytes(serialization.Encoding.PEM).decode("ascii")
    signed = XMLSigner(
        signature_algorithm=method,
        digest_algorithm=DigestAlgorithm.SHA256,
        c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0,
    ).sign(root, key=key, cert=[pem])
    # No pretty-printing after signing: the signature covers the whitespace too.
    return etree.tostring(signed, xml_declaration=True, encoding="UTF-8")
