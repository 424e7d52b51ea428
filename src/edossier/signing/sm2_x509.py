"""SM2 in X.509: certificates and CRLs signed with SM2-with-SM3 (GM/T 0015-2012, GB/T 20518-2018), made
and checked, and the signature hook that lets pyhanko-certvalidator validate paths of SM2 certificates.

``cryptography`` builds certificates and CRLs but has no SM2 (pyca declined it, docs/signatures.md).
Rather than a second certificate builder, a certificate or CRL is built with ``cryptography``'s builders
as usual (with a stand-in P-256 key where an SM2 key would go), and :func:`finish_certificate` /
:func:`finish_crl` then put the SM2 subject key in and sign the to-be-signed part with the SM2 issuer key:
every extension is written by the same code for every algorithm.

Certificates and CRLs are signed with the default signer ID of GM/T 0009 (``1234567812345678``), as
GM/T 0015 and OpenSSL ≥ 3 / GmSSL / Tongsuo do; the signature algorithm is 1.2.156.10197.1.501 with no
parameters. Reading accepts also 1.2.156.10197.1.301.1 as the algorithm, and raw r‖s signatures.
"""

from __future__ import annotations

from typing import Any

from asn1crypto import crl as acrl, keys, x509 as ax509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ec as cec

from edossier.signing import sm2

__all__ = ["is_sm2_key", "finish_certificate", "finish_crl", "sm2_signature_ok", "SM2SignatureValidator", "sm2_signature_validator",
           "stand_in_public_key", "SM2_SIGNATURE_ALGORITHMS", "CERTIFICATE_IDS", "signed_by"]

#: signature algorithms of certificates / CRLs read as SM2 with SM3
SM2_SIGNATURE_ALGORITHMS = (sm2.OID_SM2_WITH_SM3, sm2.OID_SM2_SIGN)

#: the signer IDs a certificate or CRL signature is checked with: GM/T 0009's default first, then the
#: empty ID, which OpenSSL before 4.0 uses when none is set (``openssl req -x509 -sm3``, ``openssl ca``):
#: the ID binds an identity into the hash, not a key, so either one still proves the issuer's key signed
CERTIFICATE_IDS = (sm2.DEFAULT_ID, b"")

_stand_in: list = []


def stand_in_public_key():
    """A P-256 public key that stands in for an SM2 subject key inside ``cryptography``'s builders;
    :func:`finish_certificate` replaces it. (One per process: it is never used to verify anything.)"""
    if not _stand_in:
        _stand_in.append(cec.generate_private_key(cec.SECP256R1()))
    return _stand_in[0].public_key()


def stand_in_private_key():
    """The matching stand-in signing key for a builder whose real issuer key is SM2."""
    stand_in_public_key()
    return _stand_in[0]


def is_sm2_key(key: Any) -> bool:
    return isinstance(key, (sm2.SM2PrivateKey, sm2.SM2PublicKey))


def _sig_alg() -> dict:
    return {"algorithm": sm2.OID_SM2_WITH_SM3}


def _alg_for(issuer_key) -> dict:
    from cryptography.hazmat.primitives.asymmetric import rsa

    if isinstance(issuer_key, sm2.SM2PrivateKey):
        return _sig_alg()
    if isinstance(issuer_key, rsa.RSAPrivateKey):
        return {"algorithm": "sha256_rsa", "parameters": None}
    if isinstance(issuer_key, cec.EllipticCurvePrivateKey):
        return {"algorithm": "sha256_ecdsa"}
    raise TypeError(f"cannot sign with {type(issuer_key).__name__}")


def _sign_tbs(tbs_der: bytes, issuer_key) -> tuple[dict, bytes]:
    """(signature AlgorithmIdentifier, signature value) of ``tbs_der`` by ``issuer_key``."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    alg = _alg_for(issuer_key)
    if isinstance(issuer_key, sm2.SM2PrivateKey):
        return alg, sm2.sign(issuer_key, tbs_der)
    if alg["algorithm"] == "sha256_rsa":
        return alg, issuer_key.sign(tbs_der, padding.PKCS1v15(), hashes.SHA256())
    return alg, issuer_key.sign(tbs_der, cec.ECDSA(hashes.SHA256()))


def finish_certificate(built_der: bytes, *, subject_key=None, issuer_key) -> bytes:
    """The DER certificate that ``cryptography`` built as ``built_der`` (with the stand-in key), with the
    SM2 public key of ``subject_key`` in place of the stand-in (if given) and signed by ``issuer_key``
    (SM2: SM2-with-SM3 and the default ID; otherwise ECDSA/RSA with SHA-256). The subject key identifier
    the builder wrote must already be the SM2 key's (:func:`edossier.signing.sm2.key_identifier`)."""
    cert = ax509.Certificate.load(built_der)
    tbs = cert["tbs_certificate"]
    if subject_key is not None:
        tbs["subject_public_key_info"] = sm2.spki(subject_key.public_key())
    tbs["signature"] = _alg_for(issuer_key)
    tbs_der = tbs.dump(force=True)
    alg, value = _sign_tbs(tbs_der, issuer_key)
    return ax509.Certificate({"tbs_certificate": ax509.TbsCertificate.load(tbs_der),
                              "signature_algorithm": alg, "signature_value": value}).dump()


def finish_crl(built_der: bytes, *, issuer_key) -> bytes:
    """The DER CRL ``cryptography`` built as ``built_der`` (signed by the stand-in), signed by the SM2
    ``issuer_key`` instead."""
    lst = acrl.CertificateList.load(built_der)
    tbs = lst["tbs_cert_list"]
    tbs["signature"] = _sig_alg()
    tbs_der = tbs.dump(force=True)
    return acrl.CertificateList({"tbs_cert_list": acrl.TbsCertList.load(tbs_der), "signature_algorithm": _sig_alg(),
                                 "signature": sm2.sign(issuer_key, tbs_der)}).dump()


def _is_sm2_alg(alg) -> bool:
    try:
        return alg["algorithm"].dotted in SM2_SIGNATURE_ALGORITHMS
    except Exception:  # noqa: BLE001
        return False


def sm2_signature_ok(signed, issuer_spki: keys.PublicKeyInfo | bytes) -> bool:
    """Whether an asn1crypto Certificate or CertificateList is SM2-signed by the key of ``issuer_spki``:
    both outer and inner algorithm SM2 and equal, the issuer key SM2, the signature valid with the
    default ID. False (never an exception) for anything else, malformed input included."""
    try:
        if isinstance(signed, ax509.Certificate):
            tbs, inner, outer, value = (signed["tbs_certificate"], signed["tbs_certificate"]["signature"],
                                        signed["signature_algorithm"], signed["signature_value"].native)
        elif isinstance(signed, acrl.CertificateList):
            tbs, inner, outer, value = (signed["tbs_cert_list"], signed["tbs_cert_list"]["signature"],
                                        signed["signature_algorithm"], signed["signature"].native)
        else:
            return False
        if not (_is_sm2_alg(outer) and inner.dump() == outer.dump()):
            return False
        pub = sm2.public_key_from_spki(issuer_spki)
        return any(sm2.verify(pub, tbs.dump(), value, uid=uid) is not None for uid in CERTIFICATE_IDS)
    except Exception:  # noqa: BLE001
        return False


_validator_class: list = []


def sm2_signature_validator():
    """pyhanko-certvalidator's signature hook (``ValidationContext(signature_validator=…)``): SM2 keys
    with an SM2 signature algorithm are checked here (IDs of :data:`CERTIFICATE_IDS`, DER or raw r‖s);
    every other key and algorithm goes to pyhanko's default validator, so a context with this hook
    validates RSA, ECDSA and SM2 paths alike — and mixed ones. An SM2 key under a non-SM2 algorithm, or
    the reverse, is refused (InvalidSignature) rather than guessed at. (The class is made on first use,
    so that importing this module does not import pyhanko-certvalidator.)"""
    if not _validator_class:
        from pyhanko_certvalidator.sig_validate import DefaultSignatureValidator

        class SM2SignatureValidator(DefaultSignatureValidator):
            __doc__ = sm2_signature_validator.__doc__

            def validate_signature(self, signature, signed_data, public_key_info, signature_algorithm,
                                   context=None):
                key_is_sm2 = sm2.is_sm2_spki(public_key_info)
                alg_is_sm2 = _is_sm2_alg(signature_algorithm)
                if key_is_sm2 != alg_is_sm2:
                    raise InvalidSignature("SM2 key and signature algorithm do not match")
                if not key_is_sm2:
                    args = (signature, signed_data, public_key_info, signature_algorithm)
                    return super().validate_signature(*args) if context is None else \
                        super().validate_signature(*args, context)
                if context is not None and getattr(context, "prehashed", False):
                    raise InvalidSignature("SM2 signs SM3(Z‖M), not a bare hash")  # e needs Z: never prehashed
                try:
                    pub = sm2.public_key_from_spki(public_key_info)
                except sm2.SM2Error:
                    raise InvalidSignature("not an SM2 public key") from None
                if not any(sm2.verify(pub, signed_data, signature, uid=uid) is not None for uid in CERTIFICATE_IDS):
                    raise InvalidSignature("SM2 signature does not verify")

        _validator_class.append(SM2SignatureValidator)
    return _validator_class[0]()


def __getattr__(name: str):
    if name == "SM2SignatureValidator":  # the class itself, made on first use
        return type(sm2_signature_validator())
    raise AttributeError(name)


def signed_by(signed_der: bytes, issuer_der: bytes) -> bool:
    """Whether the DER certificate or CRL ``signed_der`` is signed by the key of the DER certificate
    ``issuer_der``, whatever the algorithm: SM2 here, RSA/ECDSA through ``cryptography``. False for
    anything unreadable. (Name matching is the caller's: this checks the signature only.)"""
    from cryptography import x509 as cx509

    try:
        issuer = ax509.Certificate.load(bytes(issuer_der))
        try:
            obj = ax509.Certificate.load(bytes(signed_der))
            obj["tbs_certificate"].native  # a CRL fails to parse as a certificate here
        except Exception:  # noqa: BLE001
            obj = acrl.CertificateList.load(bytes(signed_der))
        if sm2.is_sm2_spki(issuer.public_key):
            return sm2_signature_ok(obj, issuer.public_key)
        key = cx509.load_der_x509_certificate(bytes(issuer_der)).public_key()
        if isinstance(obj, ax509.Certificate):
            return cx509.load_der_x509_certificate(bytes(signed_der)).verify_directly_issued_by(
                cx509.load_der_x509_certificate(bytes(issuer_der))) is None
        return cx509.load_der_x509_crl(bytes(signed_der)).is_signature_valid(key)
    except Exception:  # noqa: BLE001 - unreadable, unsupported or not signed by that key
        return False
