"""The trust list's data model (docs/spec.md §9): agencies, time-stamping authorities, the list
itself and its lookups, the XML names and limits shared by reading, writing and signing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Union

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from edossier.errors import UserError


NS = "urn:edossier:trustlist:0.1"


VERSION = "0.2"


SCHEMA_FILE = "trustlist-0.2.xsd"


MAX_TRUSTLIST_BYTES = 32 * 1024 * 1024


_T = f"{{{NS}}}"


DS_NS = "http://www.w3.org/2000/09/xmldsig#"


_DS = f"{{{DS_NS}}}"


ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"


EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"


#: Waivers a caller may grant (see load_trustlist); each becomes a finding on every report.
WAIVER_CODES = {"unsigned": "T001", "expired": "T002"}


#: When no next-update date is given to the writer: a demo list is good for a year.
DEFAULT_LIFETIME = dt.timedelta(days=365)


# A trust anchor as callers give it: the certificate, its PEM or DER bytes, or the path of a PEM/DER file.
Anchor = Union[x509.Certificate, bytes, str, Path]


class TrustListError(UserError):
    """A trust list cannot be read, is malformed, or cannot be written (English and Chinese message)."""


@dataclass(frozen=True)
class TrustedAgency:
    """One agency entry: its name, unified social credit code, role, CA certificates and CRLs (DER)."""

    name: str
    credit_code: str
    role: str
    ca_certs: tuple[bytes, ...]
    crls: tuple[bytes, ...] = ()
    valid_from: dt.datetime | None = None
    valid_to: dt.datetime | None = None

    def is_in_force(self, at: dt.datetime) -> bool:
        """True if ``at`` (timezone-aware) lies in ``[valid_from, valid_to)``; open ends are unbounded."""
        if at.tzinfo is None:
            raise ValueError("is_in_force needs a timezone-aware datetime")
        if self.valid_from is not None and at < self.valid_from:
            return False
        if self.valid_to is not None and at >= self.valid_to:
            return False
        return True


TIME_STAMPING = "1.3.6.1.5.5.7.3.8"  # id-kp-timeStamping (RFC 3161 §2.3)


@dataclass(frozen=True)
class TrustedTSA:
    """A time-stamping authority, *named* (docs/spec.md §9.4): either by its own certificates
    (``tsa_certs``, DER, compared by SHA-256) or, when it pins none, by a CA dedicated to
    time-stamping among ``ca_certs`` (listed for no agency, EKU exactly timeStamping). ``ca_certs``
    are the CA certificates the TSA certificate's path validates to; ``crls`` their CRLs."""

    name: str
    ca_certs: tuple[bytes, ...]
    crls: tuple[bytes, ...] = ()
    valid_from: dt.datetime | None = None
    valid_to: dt.datetime | None = None
    tsa_certs: tuple[bytes, ...] = ()

    is_in_force = TrustedAgency.is_in_force


@dataclass(frozen=True)
class TrustList:
    """A loaded trust list. ``issued`` is timezone-aware; ``name`` may be None.

    ``sequence``, ``next_update``: the list's sequence number and next-update date (§9.1).
    ``digest``: SHA-256 (hex) of the file's bytes; ``signed``: its signature was verified against the
    trust anchor; ``signer``: the operator certificate's subject (RFC 4514), None when not verified.
    ``waivers``: opt-outs the caller granted ("unsigned", "expired"); see :meth:`findings`.
    Reading code fills these; a TrustList made in memory for writing leaves them at their defaults.
    """

    agencies: tuple[TrustedAgency, ...]
    name: str | None = None
    issued: dt.datetime | None = None
    tsas: tuple[TrustedTSA, ...] = ()
    sequence: int = 1
    next_update: dt.datetime | None = None
    # Where the list came from, not what it says: two lists with the same content compare equal.
    digest: str | None = field(default=None, compare=False)
    signer: str | None = field(default=None, compare=False)
    signed: bool = field(default=False, compare=False)
    waivers: tuple[str, ...] = field(default=(), compare=False)

    def facts(self) -> dict:
        """What every report states about the trust list it used (JSON ``trust_list`` object)."""
        return {
            "digest": self.digest,
            "sequence": self.sequence,
            "issued": _iso(self.issued),
            "next_update": _iso(self.next_update),
            "signed": self.signed,
            "signer": self.signer,
            "waivers": list(self.waivers),
        }

    def findings(self) -> list:
        """One warning per opt-out granted when this list was loaded (T001 unsigned, T002 expired),
        so that every report shows that the list's integrity or currency was not established."""
        from edossier.findings import finding

        out = []
        for waiver in self.waivers:
            if waiver == "unsigned":
                out.append(finding("T001", "trustlist.xml", digest=self.digest or ""))
            elif waiver == "expired":
                out.append(finding("T002", "trustlist.xml", next_update=_iso(self.next_update) or ""))
        return out

    def find(self, credit_code: str, role: str, *, at: dt.datetime | None = None) -> TrustedAgency | None:
        """The entry for this credit code *and* role, or None.

        With ``at``, an entry that is not in force at that time counts as absent.
        """
        for agency in self.agencies:
            if agency.credit_code == credit_code and agency.role == role:
                if at is not None and not agency.is_in_force(at):
                    return None
                return agency
        return None

    def is_in_force(self, agency: TrustedAgency, at: dt.datetime) -> bool:
        """True if ``agency``'s validity period covers ``at`` (timezone-aware)."""
        return agency.is_in_force(at)

    def tsa_for(self, cert, at: dt.datetime) -> TrustedTSA | None:
        """The TSA entry in force at ``at`` that names ``cert`` (DER bytes or a cryptography
        certificate) as a time-stamping authority, or None.

        Named means: pinned by the entry (SHA-256 of the DER), or, for an entry without pins, issued
        by one of its dedicated time-stamping CAs. Either way the certificate MUST carry the
        extendedKeyUsage timeStamping, marked critical (RFC 3161 §2.3), and a certificate issued by an
        agency's issuing CA is never a TSA: an agency CA must not be able to mint proofs of time.
        Path validation and revocation are the caller's job (with the entry's CAs and CRLs).
        """
        import hashlib

        try:
            if isinstance(cert, (bytes, bytearray)):
                der = bytes(cert)
                obj = x509.load_der_x509_certificate(der)
            else:
                obj = cert
                der = cert.public_bytes(Encoding.DER)
            eku = obj.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
            if not eku.critical or [o.dotted_string for o in eku.value] != [TIME_STAMPING]:
                return None
            issuer = obj.issuer
        except Exception:  # noqa: BLE001 - an unreadable or EKU-less certificate names no TSA
            return None
        if issuer in _agency_issuing_subjects(self):
            return None
        digest = hashlib.sha256(der).digest()
        for tsa in self.tsas:
            if not tsa.is_in_force(at):
                continue
            if tsa.tsa_certs:
                if any(hashlib.sha256(p).digest() == digest for p in tsa.tsa_certs):
                    return tsa
            elif issuer in {c.subject for c in _dedicated_tsa_cas(tsa, self.agencies)}:
                return tsa
        return None


def _iso(value: dt.datetime | None) -> str | None:
    return None if value is None else value.astimezone(dt.timezone.utc).isoformat().replace("+00:00", "Z")


def _agency_issuing_subjects(tl: "TrustList") -> set:
    """Subjects of the agencies' issuing CAs (the non-self-signed CACertificates of agency entries)."""
    out = set()
    for agency in tl.agencies:
        for der in agency.ca_certs:
            cert = x509.load_der_x509_certificate(der)
            if cert.issuer != cert.subject:
                out.add(cert.subject)
    return out


def _dedicated_tsa_cas(tsa: TrustedTSA, agencies) -> list:
    """The CA certificates of a TSA entry that are dedicated to time-stamping: listed for no agency,
    and carrying an extendedKeyUsage of exactly timeStamping."""
    agency_ders = {der for a in agencies for der in a.ca_certs}
    out = []
    for der in tsa.ca_certs:
        if der in agency_ders:
            continue
        cert = x509.load_der_x509_certificate(der)
        try:
            eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        except x509.ExtensionNotFound:
            continue
        if [o.dotted_string for o in eku] == [TIME_STAMPING]:
            out.append(cert)
    return out
