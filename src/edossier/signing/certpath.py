"""The signer-certificate path check on its own, for any algorithm — RSA, ECDSA and SM2 alike.

It is the certificate half of a layer's verification (signing/cades_verify.py), usable where the
signature itself is checked elsewhere (the exchange node's signed requests, serve/edo.py
``trusted_submitter``; an SM2 SignerInfo; a signature inside a document): the same
validation context (signing/cades.py ``_context``: anchors are the self-signed CA certificates the trust
list names for the agency, no fetching, revocation information required), the same key-usage rule
(nonRepudiation; an explicit extendedKeyUsage with documentSigning or emailProtection), and the same
"the path passes through the agency's issuing CA" rule. The RFC 5280 processing is pyhanko-certvalidator's;
SM2 certificates and CRLs reach it through its signature hook (signing/sm2_x509.py
``SM2SignatureValidator``), so nothing of RFC 5280 is written twice.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass

from asn1crypto import x509 as ax509

from .cades import _context, DOCUMENT_SIGNING

__all__ = ["PathResult", "validate_signer_path"]


@dataclass
class PathResult:
    """ETSI EN 319 102-1 indication of the path check, with the path when one validated."""

    indication: str  # TOTAL_PASSED | INDETERMINATE | TOTAL_FAILED
    sub_indication: str | None = None
    detail: str = ""
    path: object | None = None  # pyhanko_certvalidator.path.ValidationPath

    @property
    def ok(self) -> bool:
        return self.indication == "TOTAL_PASSED"


def _load(cert) -> ax509.Certificate:
    return cert if isinstance(cert, ax509.Certificate) else ax509.Certificate.load(bytes(cert))


def validate_signer_path(cert, *, ca_certs, crls, moment: dt.datetime | None = None, extra_certs=(),
                         extra_crls=(), retroactive: bool = False) -> PathResult:
    """Check the signer certificate ``cert`` (DER or asn1crypto) against an agency's trust-list entry:
    ``ca_certs`` (DER: issuing CAs and the root anchor) and ``crls`` (DER), plus certificates and CRLs
    carried by the signature (``extra_certs`` / ``extra_crls``, asn1crypto objects), at ``moment``.
    Never raises for hostile input: a malformed certificate is TOTAL_FAILED/FORMAT_FAILURE."""
    from asn1crypto import crl as acrl
    from pyhanko.sign.validation.settings import KeyUsageConstraints
    from pyhanko_certvalidator import CertificateValidator
    from pyhanko_certvalidator import errors as e

    moment = moment or dt.datetime.now(dt.timezone.utc)
    try:
        leaf = _load(cert)
        leaf.native  # full parse
        listed = [ax509.Certificate.load(bytes(c)) for c in ca_certs]
        issuing = {c.sha256 for c in listed if c.self_signed == "no"} or {c.sha256 for c in listed}
        extra_certs = [_load(c) for c in extra_certs]
        extra_crls = [c if isinstance(c, acrl.CertificateList) else acrl.CertificateList.load(bytes(c))
                      for c in extra_crls]
    except Exception as exc:  # noqa: BLE001 - malformed DER
        return PathResult("TOTAL_FAILED", "FORMAT_FAILURE", f"unreadable certificate: {str(exc)[:200]}")
    if not any(leaf.issuer == ca.subject and leaf.authority_key_identifier in (None, ca.key_identifier)
               for ca in listed if ca.sha256 in issuing):
        return PathResult("INDETERMINATE", "NO_CERTIFICATE_CHAIN_FOUND",
                          f"issued by {leaf.issuer.human_friendly}, not by the agency's CA")
    try:
        vc = _context(ca_certs, crls, extra_certs, extra_crls, moment, retroactive)
        path = asyncio.run(CertificateValidator(leaf, validation_context=vc).async_validate_path())
        KeyUsageConstraints(key_usage={"non_repudiation"}, extd_key_usage={DOCUMENT_SIGNING, "email_protection"},
                            explicit_extd_key_usage_required=True).validate(leaf)
    except e.RevokedError as exc:
        return PathResult("TOTAL_FAILED", "REVOKED", str(exc))
    except e.ExpiredError as exc:
        return PathResult("INDETERMINATE", "OUT_OF_BOUNDS_NO_POE", str(exc))
    except e.NotYetValidError as exc:
        return PathResult("INDETERMINATE", "NOT_YET_VALID", str(exc))
    except e.InsufficientRevinfoError as exc:
        return PathResult("INDETERMINATE", "TRY_LATER", str(exc))
    except e.DisallowedAlgorithmError as exc:
        return PathResult("INDETERMINATE", "CRYPTO_CONSTRAINTS_FAILURE", str(exc))
    except e.PathBuildingError as exc:
        return PathResult("INDETERMINATE", "NO_CERTIFICATE_CHAIN_FOUND", str(exc))
    except e.InvalidCertificateError as exc:  # key usage / EKU
        return PathResult("INDETERMINATE", "CHAIN_CONSTRAINTS_FAILURE", str(exc))
    except e.PathValidationError as exc:  # a bad signature on a certificate, a broken constraint
        return PathResult("INDETERMINATE", "CERTIFICATE_CHAIN_GENERAL_FAILURE", str(exc))
    except Exception as exc:  # noqa: BLE001 - pyhanko raises many types for malformed input
        return PathResult("TOTAL_FAILED", "FORMAT_FAILURE", f"{type(exc).__name__}: {str(exc)[:200]}")
    if not {c.sha256 for c in path.iter_certs(include_root=True)} & issuing:
        return PathResult("INDETERMINATE", "NO_CERTIFICATE_CHAIN_FOUND", "the path does not pass through the agency's CA")
    return PathResult("TOTAL_PASSED", None, "", path)
