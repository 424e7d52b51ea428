"""Conformance cases: SM2/SM3 layers (issue #20). Registered in CASES (casekit.py) on import.

The SM2 agencies (pki.SM2_POLICE, pki.SM2_COURT) have their own SM2 root and issuing CAs in the corpus
PKI and trust list; their layers are GB/T 35275 SignedData (SM3 digest, SM2-with-SM3, DER) over SM3
manifests, signed deterministically (signing.deterministic_sm2_sign) so the corpus is reproducible.
"""

from __future__ import annotations

import base64

from ..container.asic import DIGEST_URI_OF, DataObject, build_manifest, record_name
from . import rawzip
from .casekit import agency, case, mini, second
from .builder import Layer, Workshop, assemble, data_members, read_members
from .cases_integrity import flip_byte
from .pki import SM2_POLICE


def sm2_base(w: Workshop) -> bytes:
    """The smallest base package with its one layer signed by the SM2 police agency."""
    return w.cached("sm2-mini", lambda: w.build((mini(agency=agency(SM2_POLICE)), w.cred("sm2-police"))))


@case("good", (), "sm2-police-layer",
      "A layer signed with SM2/SM3 as GB/T 35275 SignedData (SM3 digest, sm2-with-sm3, DER signature, signer ID "
      "1234567812345678) by an agency whose SM2 CA the trust list names; the manifest lists SM3 digests "
      "(urn:oid:1.2.156.10197.1.401).",
      "以 SM2/SM3（GB/T 35275 SignedData：SM3 摘要、sm2-with-sm3、DER 签名、签名者 ID 1234567812345678）签名的层，"
      "其机关的 SM2 CA 已列入信任列表；清单使用 SM3 摘要（urn:oid:1.2.156.10197.1.401）。")
def _(w):
    return sm2_base(w)


@case("good", (), "sm2-then-rsa-layers",
      "Mixed package: the police layer is SM2/SM3 with an SM3 manifest, the procuratorate's layer RSA/SHA-256 with "
      "a SHA-256 manifest that lists every earlier member again.",
      "混合卷宗包：公安机关的层为 SM2/SM3（SM3 清单），检察院的层为 RSA/SHA-256（SHA-256 清单，重新列出此前全部成员）。")
def _(w):
    return w.build((mini(agency=agency(SM2_POLICE)), w.cred("sm2-police")), (second(), w.cred("procuratorate", 2)))


@case("bad", "G002", "sm2-signature-changed", "One bit of the SM2 signature value changed: it no longer verifies.",
      "SM2 签名值的一个比特被改动，签名无法验证。")
def _(w):
    from asn1crypto import cms

    p7s = read_members(sm2_base(w))["META-INF/signature001.p7s"]
    value = cms.ContentInfo.load(p7s)["content"]["signer_infos"][0]["signature"].native
    at = p7s.index(value) + len(value) - 8  # inside s of SEQUENCE{r, s}: still DER, no longer valid
    return rawzip.build(rawzip.with_member(rawzip.members_of(sm2_base(w)), "META-INF/signature001.p7s",
                                           data=flip_byte(p7s, at)))


@case("bad", "G003", "sm2-ca-of-another-role",
      "The SM2 police agency's layer is signed by a certificate from the SM2 CA that the trust list names for "
      "courts.",
      "国密公安机关的层由信任列表为法院登记的 SM2 CA 所签发的证书签名。")
def _(w):
    return w.build((mini(agency=agency(SM2_POLICE)), w.cred("sm2-courtca")))


@case("bad", "G005", "sm2-signer-revoked",
      "The SM2 signer's certificate was revoked on 2026-11-15 (listed in the SM2 police CA's SM2-signed CRL).",
      "SM2 签名证书已于 2026-11-15 被吊销（列入国密公安机关 CA 以 SM2 签名的 CRL）。")
def _(w):
    return w.build((mini(agency=agency(SM2_POLICE)), w.cred("sm2-revoked")))


@case("bad", "I001", "sm3-document-changed",
      "One byte of a document changed after an SM2 layer signed its SM3 digest (CRC-32 fixed up).",
      "SM2 层签署其 SM3 摘要后，某文件的一个字节被改动（CRC-32 已相应修正）。", allowed=("D001", "D003"))
def _(w):
    pdf = read_members(sm2_base(w))["documents/001/0001.pdf"]
    i = pdf.index(b"/Title") if b"/Title" in pdf else len(pdf) // 2
    return rawzip.build(rawzip.with_member(rawzip.members_of(sm2_base(w)), "documents/001/0001.pdf",
                                           data=flip_byte(pdf, i + 2)))


@case("bad", "S002", "manifest-mixes-sm3-and-sha256",
      "The SM2 layer's manifest gives the record's digest in SHA-256 and the documents' in SM3 (every digest right, "
      "the manifest signed): one manifest uses one digest algorithm.",
      "SM2 层的清单中，卷宗记录使用 SHA-256 摘要，文书使用 SM3 摘要（各摘要均正确，清单已签名）；一个清单只能使用一种摘要算法。",
      allowed=("S003", "I003", "I004", "I006", "S009"))
def _(w):
    import hashlib

    members = data_members(sm2_base(w))
    objects = [DataObject(name, "application/xml" if name.endswith(".xml") else "application/pdf",
                          hashlib.new("sm3", data).digest(), rootfile=name == record_name(1), algorithm="sm3")
               for name, data in members.items()]
    manifest = build_manifest(1, objects)
    record = members[record_name(1)]
    sm3_ref = (f'<ds:DigestMethod Algorithm="{DIGEST_URI_OF["sm3"]}"/>\n'
               f'    <ds:DigestValue>{base64.b64encode(hashlib.new("sm3", record).digest()).decode()}</ds:DigestValue>')
    sha_ref = (f'<ds:DigestMethod Algorithm="{DIGEST_URI_OF["sha256"]}"/>\n'
               f'    <ds:DigestValue>{base64.b64encode(hashlib.sha256(record).digest()).decode()}</ds:DigestValue>')
    mixed = manifest.decode().replace(sm3_ref, sha_ref, 1).encode()
    assert mixed != manifest
    return assemble([Layer(members, w.cred("sm2-police"), manifest=mixed)])
