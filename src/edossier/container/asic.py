"""The ASiC-E profile of an edossier package: member names and ASiC manifests (EN 319 162-1).

Layout (docs/spec.md §3):

    mimetype                         first, stored, "application/vnd.etsi.asic-e+zip"
    dossier/NNN.xml                  dossier record of layer NNN (Rootfile of manifest NNN)
    documents/NNN/MMMM.pdf           documents added by layer NNN
    META-INF/ASiCManifestNNN.xml     manifest of layer NNN: every data object present, SHA-256 or SM3
    META-INF/signatureNNN.p7s        CAdES detached signature over the manifest's exact bytes
"""

from __future__ import annotations

import base64
import re
import unicodedata
from dataclasses import dataclass

from ..errors import CodedError
from ..xmlsafe import XmlError, parse_xml

MIMETYPE = b"application/vnd.etsi.asic-e+zip"
ASIC_NS = "http://uri.etsi.org/02918/v1.2.1#"
DS_NS = "http://www.w3.org/2000/09/xmldsig#"
SHA256_URI = "http://www.w3.org/2001/04/xmlenc#sha256"
# SM3 (GB/T 32905) has no XML Signature URI: neither the W3C/IETF registry (RFC 9231) nor a Chinese
# standard we could find (GB/T 38540 and GM/T 0099 name SM3 by its OID in ASN.1) defines one, so the
# manifest names it by its OID (GB/T 33560 / GM/T 0006) as an RFC 3061 URN (docs/spec.md §4.3).
SM3_URI = "urn:oid:1.2.156.10197.1.401"
# Manifest digest algorithms: URI -> hashlib name, and back. One algorithm per manifest (§4.3).
DIGEST_URIS = {SHA256_URI: "sha256", SM3_URI: "sm3"}
DIGEST_URI_OF = {v: k for k, v in DIGEST_URIS.items()}
DIGEST_NAMES = {"sha256": "SHA-256", "sm3": "SM3"}
MAX_LAYERS = 999
EXPECTED_MIME = {"pdf": "application/pdf", "xml": "application/xml", "p7s": "application/pkcs7-signature"}

MANIFEST_RE = re.compile(r"^META-INF/ASiCManifest(\d{3})\.xml$")
SIGNATURE_RE = re.compile(r"^META-INF/signature(\d{3})\.p7s$")
# Generated names are plain ASCII so that every ZIP tool, file system and locale agrees on them.
_SEGMENT_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}


def digest_of(data: bytes, algorithm: str = "sha256") -> bytes:
    """The digest of `data` with a manifest digest algorithm ("sha256" or "sm3")."""
    import hashlib

    if algorithm not in DIGEST_URI_OF:
        raise ValueError(f"unsupported manifest digest algorithm {algorithm!r}")
    return hashlib.new(algorithm, data).digest()


def layer_objects_of(layer: int, manifest: bytes, signature: bytes, algorithm: str = "sha256") -> list["DataObject"]:
    """The data objects by which later manifests cover layer `layer`'s manifest and signature (§4.2)."""
    return [DataObject(manifest_name(layer), "application/xml", digest_of(manifest, algorithm), algorithm=algorithm),
            DataObject(signature_name(layer), "application/pkcs7-signature", digest_of(signature, algorithm),
                       algorithm=algorithm)]


def manifest_name(layer: int) -> str:
    return f"META-INF/ASiCManifest{layer:03d}.xml"


def signature_name(layer: int) -> str:
    return f"META-INF/signature{layer:03d}.p7s"


def record_name(layer: int) -> str:
    return f"dossier/{layer:03d}.xml"


def document_name(layer: int, seq: int) -> str:
    return f"documents/{layer:03d}/{seq:04d}.pdf"


def name_problem(name: str) -> str | None:
    """Why a member name is unsafe or outside the profile, or None if it is fine."""
    if not name:
        return "empty name"
    if "\x00" in name:
        return "NUL character"
    if "\\" in name:
        return "backslash"
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return "absolute path"
    if unicodedata.normalize("NFC", name) != name:
        return "not in Unicode NFC"
    if len(name.encode("utf-8")) > 255:
        return "longer than 255 bytes"
    if name.endswith("/"):
        return "directory entry"
    for seg in name.split("/"):
        if seg in ("", ".", ".."):
            return "empty, '.' or '..' path segment"
        if not _SEGMENT_RE.fullmatch(seg):
            return "characters outside A-Z a-z 0-9 . _ -"
        if seg.split(".")[0].lower() in _WINDOWS_RESERVED:
            return "reserved device name"
    return None


@dataclass(frozen=True)
class DataObject:
    uri: str
    mime: str
    digest: bytes
    rootfile: bool = False
    algorithm: str = "sha256"  # the manifest digest algorithm of `digest` (DIGEST_URIS)


@dataclass(frozen=True)
class Manifest:
    sig_ref: str
    objects: tuple[DataObject, ...]

    @property
    def algorithm(self) -> str:
        """The manifest's one digest algorithm (parse_manifest refuses a mixture)."""
        return self.objects[0].algorithm if self.objects else "sha256"

    def by_uri(self) -> dict[str, DataObject]:
        return {o.uri: o for o in self.objects}

    @property
    def rootfiles(self) -> list[str]:
        return [o.uri for o in self.objects if o.rootfile]


ManifestError = CodedError  # a manifest that breaks a rule: finding `code` with `detail` (and `detail_zh`)


def build_manifest(layer: int, objects: list[DataObject]) -> bytes:
    """Serialise the ASiC manifest of `layer`; byte-exact and deterministic (objects in given order).
    Every object must carry a digest in the same algorithm (one algorithm per manifest, spec §4.3)."""
    # imported here: xml.sax.saxutils imports urllib.request (http.client, email, ssl), which validating
    # never needs (start-up, issue 19)
    from xml.sax.saxutils import quoteattr

    if len({o.algorithm for o in objects}) > 1:
        raise ValueError("a manifest uses one digest algorithm for all its objects")
    lines = [
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>',
        f'<asic:ASiCManifest xmlns:asic="{ASIC_NS}" xmlns:ds="{DS_NS}">',
        f'  <asic:SigReference URI={quoteattr(signature_name(layer))} MimeType="application/pkcs7-signature"/>',
    ]
    for o in objects:
        root = ' Rootfile="true"' if o.rootfile else ""
        lines += [
            f"  <asic:DataObjectReference URI={quoteattr(o.uri)} MimeType={quoteattr(o.mime)}{root}>",
            f'    <ds:DigestMethod Algorithm="{DIGEST_URI_OF[o.algorithm]}"/>',
            f"    <ds:DigestValue>{base64.b64encode(o.digest).decode()}</ds:DigestValue>",
            "  </asic:DataObjectReference>",
        ]
    lines.append("</asic:ASiCManifest>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def _q(ns: str, local: str) -> str:
    return f"{{{ns}}}{local}"


def parse_manifest(data: bytes) -> Manifest:
    """Parse an ASiC manifest strictly against our profile; raise ManifestError(code, detail)."""
    try:
        root = parse_xml(data, max_bytes=64 * 1024 * 1024)
    except XmlError as exc:
        raise ManifestError("S001", exc.en, exc.zh) from None
    if root.tag != _q(ASIC_NS, "ASiCManifest"):
        raise ManifestError("S002", f"root element is {root.tag}, expected ASiCManifest in namespace {ASIC_NS}",
                            f"根元素为 {root.tag}，应为命名空间 {ASIC_NS} 中的 ASiCManifest")
    sig_refs = []
    objects = []
    seen = set()
    for el in root:
        if not isinstance(el.tag, str):  # comments, processing instructions
            continue
        if el.tag == _q(ASIC_NS, "SigReference"):
            sig_refs.append(el.get("URI") or "")
            if el.get("MimeType") != "application/pkcs7-signature":
                raise ManifestError("S002", "SigReference MimeType must be application/pkcs7-signature",
                                    "SigReference 的 MimeType 必须是 application/pkcs7-signature")
        elif el.tag == _q(ASIC_NS, "DataObjectReference"):
            objects.append(_parse_reference(el))
            if objects[-1].uri in seen:
                raise ManifestError("S002", f"data object {objects[-1].uri} is listed twice",
                                    f"数据对象 {objects[-1].uri} 被列出两次")
            seen.add(objects[-1].uri)
        elif el.tag == _q(ASIC_NS, "Extensions"):
            for ext in el:
                if isinstance(ext.tag, str) and ext.get("Critical") in ("true", "1"):
                    raise ManifestError("S002", "critical extension not understood", "无法识别的关键扩展")
        else:
            raise ManifestError("S002", f"unexpected element {el.tag}", f"意外的元素 {el.tag}")
    if len(sig_refs) != 1:
        raise ManifestError("S002", f"expected exactly one SigReference, found {len(sig_refs)}",
                            f"应恰好有一个 SigReference，实有 {len(sig_refs)} 个")
    if not objects:
        raise ManifestError("S002", "no DataObjectReference", "没有 DataObjectReference")
    algorithms = sorted({DIGEST_NAMES[o.algorithm] for o in objects})
    if len(algorithms) > 1:
        raise ManifestError("S002", f"the manifest mixes digest algorithms ({', '.join(algorithms)}); one is required",
                            f"清单混用了多种摘要算法（{'、'.join(algorithms)}），只能使用一种")
    return Manifest(sig_refs[0], tuple(objects))


def _parse_reference(el) -> DataObject:
    uri = el.get("URI")
    if not uri:
        raise ManifestError("S002", "DataObjectReference without URI", "DataObjectReference 没有 URI")
    # Since 0.2 a layer's manifest also lists every earlier layer's manifest and signature (spec §4.2
    # l-chain), so a later signature and its time stamp cover the earlier ones; nothing else in META-INF.
    if uri == "mimetype" or (uri.startswith("META-INF/") and not (MANIFEST_RE.match(uri) or SIGNATURE_RE.match(uri))):
        raise ManifestError("S002", f"{uri} is not a data object and cannot be listed",
                            f"{uri} 不是数据对象，不能列入清单")
    mime = el.get("MimeType") or ""
    expected = EXPECTED_MIME.get(uri.rsplit(".", 1)[-1].lower()) if "." in uri else None
    if not mime or (expected and mime != expected):
        raise ManifestError("S002", f"{uri}: MimeType {mime!r} should be {expected or 'given'}",
                            f"{uri}：MimeType {mime!r} 应为 {expected or '非空'}")
    methods = el.findall(_q(DS_NS, "DigestMethod"))
    values = el.findall(_q(DS_NS, "DigestValue"))
    if len(methods) != 1 or len(values) != 1:
        raise ManifestError("S002", f"{uri}: expected one DigestMethod and one DigestValue",
                            f"{uri}：应有一个 DigestMethod 和一个 DigestValue")
    alg = methods[0].get("Algorithm")
    if alg not in DIGEST_URIS:
        raise ManifestError("S002", f"{uri}: digest algorithm {alg} is neither SHA-256 ({SHA256_URI}) nor SM3 ({SM3_URI})",
                            f"{uri}：摘要算法 {alg} 既不是 SHA-256（{SHA256_URI}）也不是 SM3（{SM3_URI}）")
    algorithm = DIGEST_URIS[alg]
    try:
        value = base64.b64decode((values[0].text or "").strip(), validate=True)
    except ValueError:
        raise ManifestError("S002", f"{uri}: DigestValue is not base64", f"{uri}：DigestValue 不是 base64 编码") from None
    if len(value) != 32:  # SHA-256 and SM3 digests both have 256 bits
        name = DIGEST_NAMES[algorithm]
        raise ManifestError("S002", f"{uri}: DigestValue is {len(value)} bytes, a {name} digest has 32",
                            f"{uri}：DigestValue 为 {len(value)} 字节，{name} 摘要应为 32 字节")
    rootfile = el.get("Rootfile", "false")
    if rootfile not in ("true", "false", "1", "0"):
        raise ManifestError("S002", f"{uri}: Rootfile must be a boolean", f"{uri}：Rootfile 必须是布尔值")
    return DataObject(uri, mime, value, rootfile in ("true", "1"), algorithm)
