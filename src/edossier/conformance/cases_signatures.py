"""Conformance cases: signature and trust cases (G), with the rules of #13. Registered in CASES (casekit.py) on import."""

from __future__ import annotations

import datetime as dt
import io

from . import rawzip
from .casekit import (agency, base, case, correct_manifest, members, mini, pdf_edit, police, second, with_document, with_member)
from .builder import LAYER_TIMES, Layer, Workshop, assemble, data_members, read_members
from .pki import NOCRL, RETIRED, UNLISTED


# --- signatures and trust (G) -------------------------------------------------------------------------

def signed_by(w: Workshop, cred, spec=None) -> bytes:
    return w.build((spec or mini(), cred))


@case("bad", "G001", "signature-garbage", "The signature member is not DER at all.", "签名成员根本不是 DER 编码。")
def _(w):
    return assemble([Layer(data_members(base(w)), w.cred("police"), signature=b"-----BEGIN PKCS7-----\nnot really\n")])


@case("bad", "G001", "signature-not-signed-data", "The signature is a CMS ContentInfo of type data, not SignedData.",
      "签名是 data 类型的 CMS ContentInfo，而不是 SignedData。")
def _(w):
    from asn1crypto import cms

    ci = cms.ContentInfo({"content_type": "data", "content": b"nothing signed here"})
    return assemble([Layer(data_members(base(w)), w.cred("police"), signature=ci.dump())])


@case("bad", "G002", "manifest-changed-after-signing", "A comment was added to the manifest after it was signed.",
      "清单签名后被加入了一行注释。")
def _(w):
    m = correct_manifest(w)
    return rawzip.build(with_member(members(w), "META-INF/ASiCManifest001.xml", data=m + b"<!-- approved -->\n"))


@case("bad", "G002", "signature-from-other-layer", "Layer 001 carries the police's signature of another package's manifest.",
      "第 001 层使用的是公安机关对另一卷宗包清单的签名。")
def _(w):
    other = read_members(police(w, documents=mini()["documents"][:1]))["META-INF/signature001.p7s"]
    return rawzip.build(with_member(members(w), "META-INF/signature001.p7s", data=other))


@case("bad", "G003", "untrusted-ca", "Signed by a certificate that names the police but comes from a CA no trust list names.",
      "签名证书虽以公安机关名义签发，但来自信任列表未登记的 CA。")
def _(w):
    return signed_by(w, w.cred("rogue"))


@case("bad", "G003", "other-agency-ca", "The police layer is signed with the court's credential (another role's CA).",
      "公安机关的层使用了法院的签名凭据（其他角色的 CA）。")
def _(w):
    return signed_by(w, w.cred("court"))


@case("bad", "G004", "agency-not-listed", "The layer's agency is not in the trust list (its certificate is fine).",
      "该层的机关不在信任列表中（其证书本身没有问题）。")
def _(w):
    return signed_by(w, w.cred("unlisted"), mini(agency=agency(UNLISTED)))


@case("bad", "G004", "agency-entry-expired", "The agency's trust-list entry ended before the validation time.",
      "该机关在信任列表中的登记在验证时间之前已经失效。")
def _(w):
    return signed_by(w, w.cred("retired"), mini(agency=agency(RETIRED)))


@case("bad", "G005", "signer-revoked", "The signer's certificate was revoked on 2026-11-15 (listed in the police CA's CRL).",
      "签名证书已于 2026-11-15 被吊销（列入公安机关 CA 的 CRL）。")
def _(w):
    return signed_by(w, w.cred("revoked"))


@case("bad", "G006", "no-revocation-info", "The agency's trust-list entry has no CRL and the signature embeds none.",
      "该机关的信任列表条目没有 CRL，签名中也未嵌入。")
def _(w):
    return signed_by(w, w.cred("nocrl"), mini(agency=agency(NOCRL)))


@case("bad", "G007", "no-document-signing-eku", "The signer's certificate is for TLS servers (EKU serverAuth only).",
      "签名证书用于 TLS 服务器（扩展密钥用法仅为 serverAuth）。")
def _(w):
    return signed_by(w, w.cred("noeku"))


@case("bad", "G008", "signer-expired", "The signer's certificate expired on 2026-11-25, before the validation time; no time stamp.",
      "签名证书已于 2026-11-25 过期，早于验证时间；且无时间戳。")
def _(w):
    return signed_by(w, w.cred("expired"))


@case("bad", "G009", "certificate-names-other-agency", "The certificate (from the police CA) names another agency than the record.",
      "签名证书（由公安机关 CA 签发）所载机关与卷宗记录不一致。")
def _(w):
    return signed_by(w, w.cred("wrongorg"))


@case("bad", "G010", "rsa-1024", "The signer's key is RSA with 1024 bits.", "签名密钥为 1024 位 RSA。")
def _(w):
    return signed_by(w, w.cred("weak"))


@case("bad", "G010", "sha1-digest", "The signature uses SHA-1 as its digest algorithm.", "签名的摘要算法为 SHA-1。")
def _(w):
    return signed_by(w, w.cred("police", digest="sha1"))


@case("bad", "G011", "no-signing-certificate-v2", "A plain CMS signature without the signing-certificate-v2 attribute.",
      "普通 CMS 签名，缺少 signing-certificate-v2 签名属性。")
def _(w):
    from .signing import plain_cms

    return assemble([Layer(data_members(base(w)), w.cred("police"), signature=plain_cms(
        w.pki / "police.p12", correct_manifest(w), signing_time=LAYER_TIMES[0]))])


@case("bad", "G022", "untrusted-tsa", "The signature time stamp comes from a time-stamping authority the trust list does not name.",
      "签名时间戳来自信任列表未登记的时间戳服务。")
def _(w):
    return signed_by(w, w.cred("police", tsa="rogue-tsa"))


@case("warn", "G013", "expired-but-timestamped", "The signer's certificate expired after signing; a trusted time stamp "
      "proves the layer was signed on 2026-11-10 (accepted, with a note).",
      "签名证书在签署后过期；可信时间戳证明该层于 2026-11-10 签署（接收，附说明）。")
def _(w):
    return signed_by(w, w.cred("expired", tsa="tsa"))


# --- signatures: the rules of #13 (one signer, required attributes, every token judged, DER) ---------

def police_signature(w: Workshop, cred=None, manifest: bytes | None = None) -> bytes:
    """The police signature over `mini`'s manifest (or `manifest`), made with `cred`."""
    from .signing import sign_bytes

    return sign_bytes(cred or w.cred("police"), manifest or correct_manifest(w))


def with_signature(w: Workshop, p7s: bytes) -> bytes:
    """`mini` with its layer signature replaced by `p7s` (a signature over the same manifest)."""
    return assemble([Layer(data_members(base(w)), w.cred("police"), signature=p7s)])


@case("bad", "G012", "time-stamp-of-other-signature", "The signature time stamp, from the trusted corpus TSA, covers "
      "another signature: its message imprint does not match this signature value.",
      "签名时间戳来自受信任的一致性测试时间戳服务，但盖在另一个签名上：其消息摘要与本签名值不符。")
def _(w):
    from .signing import time_stamp_tokens, with_time_stamps

    own = police_signature(w, w.cred("police", tsa="tsa"))
    # a token of the same TSA at the same time, for the police signature over another manifest
    other = police_signature(w, w.cred("police", tsa="tsa"), correct_manifest(w) + b"<!-- other -->\n")
    return with_signature(w, with_time_stamps(own, time_stamp_tokens(other)))


@case("bad", "G012", "time-stamp-before-signing-time", "A trusted time stamp of 2026-11-09, a day before the "
      "signing-time the signer claims (2026-11-10).",
      "可信时间戳为 2026-11-09，比签名者声称的签名时间（2026-11-10）早一天。")
def _(w):
    return w.build((mini(), w.cred("police", tsa="tsa", tsa_time=LAYER_TIMES[0] - dt.timedelta(days=1))))


@case("bad", "G016", "forged-twin-certificate", "A police sub-bureau signs the city bureau's layer and adds, ahead of "
      "its own certificate, a self-made one with its issuer and serial number but the city bureau's subject.",
      "公安分局签署市公安局的层，并在其自身证书之前加入一张自制证书：颁发者和序列号与其自身证书相同，主体却是市公安局。",
      allowed=("G009",))
def _(w):
    from .signing import embedded_certificates, forged_twin, with_certificates

    honest = police_signature(w, w.cred("wrongorg"))  # by itself: G009 (the certificate names the sub-bureau)
    twin = forged_twin(w.pki / "wrongorg.p12", w.pki / "police.p12")
    p7s = with_certificates(honest, [twin] + embedded_certificates(honest))
    # The set is written in DER order; the twin must still come first of the two that match the
    # signer identifier, so that a validator taking the first match reads the forged subject.
    order = [c.dump() for c in embedded_certificates(p7s)]
    real = next(c for c in embedded_certificates(honest) if c.serial_number == twin.serial_number)
    assert order.index(twin.dump()) < order.index(real.dump()), "the forged certificate no longer comes first"
    return with_signature(w, p7s)


@case("bad", "G017", "no-signing-time", "A CAdES signature without the signing-time signed attribute.",
      "CAdES 签名缺少 signing-time（签名时间）签名属性。")
def _(w):
    from .signing import hand_cms

    return with_signature(w, hand_cms(w.pki / "police.p12", correct_manifest(w), signing_time=None))


@case("bad", "G018", "signing-time-after-validation-time", "The signed signing-time is 2026-12-05, after the "
      "validation time 2026-12-01: the layer cannot have been signed then.",
      "签名属性中的签名时间为 2026-12-05，晚于验证时间 2026-12-01：该层不可能在那时签署。")
def _(w):
    from .signing import corpus_credential

    late = dt.datetime(2026, 12, 5, 10, 0, tzinfo=LAYER_TIMES[0].tzinfo)
    return w.build((mini(), corpus_credential(w.pki / "police.p12", signing_time=late)))


@case("bad", "G018", "signing-time-after-later-time-stamp", "Layer 001 claims it was signed on 2026-11-14, but "
      "layer 002's trusted time stamp proves that layer 001 existed on 2026-11-13.",
      "第 001 层声称签署于 2026-11-14，而第 002 层的可信时间戳证明第 001 层在 2026-11-13 已经存在。")
def _(w):
    from .signing import corpus_credential

    claimed = dt.datetime(2026, 11, 14, 9, 0, tzinfo=LAYER_TIMES[0].tzinfo)
    return w.build((mini(), corpus_credential(w.pki / "police.p12", signing_time=claimed)),
                   (second(), w.cred("procuratorate", 2, tsa="tsa")))


@case("bad", "G025", "signing-time-before-certificate", "The signed signing-time is 1990-01-01, decades before "
      "the police signer's certificate became valid: the layer cannot have been signed then.",
      "签名属性中的签名时间为 1990-01-01，远早于公安机关签名者证书的生效时间：该层不可能在那时签署。")
def _(w):
    from .signing import corpus_credential

    ancient = dt.datetime(1990, 1, 1, 9, 0, tzinfo=LAYER_TIMES[0].tzinfo)
    return w.build((mini(), corpus_credential(w.pki / "police.p12", signing_time=ancient)))


@case("bad", "G026", "unsigned-attribute-with-payload", "The police signature carries an unsigned attribute of "
      "an unknown type holding 4 KB of data: nothing signs it and no check reads it, so anyone handling the package "
      "could have put it there.",
      "公安机关的签名中含有一个未知类型的非签名属性，内有 4 KB 数据：没有签名覆盖它，也没有任何检查读取它，"
      "经手该包的任何人都可能把它放进去。")
def _(w):
    from asn1crypto import cms, core

    ci = cms.ContentInfo.load(police_signature(w))
    ci["content"]["signer_infos"][0]["unsigned_attrs"] = cms.CMSAttributes([cms.CMSAttribute(
        {"type": "1.2.3.4.5.6.7", "values": [core.OctetString(b"MZ" + b"\x90" * 4094)]})])
    return with_signature(w, ci.dump(force=True))


@case("bad", "G019", "signing-certificate-names-other", "The signing-certificate-v2 attribute names the court's "
      "certificate, not the police signer's.", "signing-certificate-v2 属性指向法院的证书，而不是公安机关签名者的证书。")
def _(w):
    from .signing import hand_cms

    return with_signature(w, hand_cms(w.pki / "police.p12", correct_manifest(w), signing_time=LAYER_TIMES[0],
                                      signing_certificate=w.pki / "court.p12"))


@case("bad", "G021", "two-signature-time-stamps", "Two signature time stamps of the trusted TSA (one and two "
      "minutes after signing), both over this signature: the profile allows at most one.",
      "两个来自受信任时间戳服务的签名时间戳（签署后一分钟和两分钟），都盖在本签名上：规范最多允许一个。")
def _(w):
    from .signing import time_stamp_tokens, with_time_stamps

    later = LAYER_TIMES[0] + dt.timedelta(minutes=2)
    first = police_signature(w, w.cred("police", tsa="tsa"))
    # RSA PKCS#1 v1.5 and a fixed signing-time: the same signature value, stamped a minute later
    again = police_signature(w, w.cred("police", tsa="tsa", tsa_time=later))
    return with_signature(w, with_time_stamps(first, time_stamp_tokens(first) + time_stamp_tokens(again)))


@case("bad", "G023", "signed-attributes-unsorted", "The signed attributes are in descending order (BER, not DER); "
      "the signature over exactly those bytes is valid.",
      "签名属性按降序排列（BER 而非 DER）；对这些字节本身的签名是有效的。")
def _(w):
    from .signing import hand_cms

    return with_signature(w, hand_cms(w.pki / "police.p12", correct_manifest(w), signing_time=LAYER_TIMES[0],
                                      unsorted=True))


@case("bad", "G023", "non-minimal-integer", "The SignedData version 1 is encoded in two octets (02 02 00 01) "
      "instead of one; the signature itself is untouched and valid.",
      "SignedData 的版本号 1 用两个八位组编码（02 02 00 01）而不是一个；签名本身未改动且有效。")
def _(w):
    p7s = police_signature(w)
    # ContentInfo SEQUENCE, [0] EXPLICIT, SignedData SEQUENCE: each with a two-octet long-form length
    # (the RSA signature and the chain make them 256..65535 octets long), then version INTEGER 1.
    heads = (0, 15, 19)
    assert all(p7s[i:i + 2] in (b"\x30\x82", b"\xa0\x82") for i in heads) and p7s[23:26] == b"\x02\x01\x01"
    out = bytearray(p7s[:23] + b"\x02\x02\x00\x01" + p7s[26:])
    for i in heads:  # each enclosing element is now one octet longer
        out[i + 2:i + 4] = (int.from_bytes(out[i + 2:i + 4], "big") + 1).to_bytes(2, "big")
    return with_signature(w, bytes(out))


@case("warn", "G020", "revoked-after-validation-time", "The signature embeds a CRL of 2026-12-10 that revokes the "
      "signer's certificate from 2026-12-10, after the validation time; no time stamp proves the signing time.",
      "签名中嵌入了 2026-12-10 的 CRL，自 2026-12-10 起吊销签名证书，晚于验证时间；没有时间戳证明签名时间。")
def _(w):
    from .signing import ca_crl, with_crls

    on = dt.datetime(2026, 12, 10, tzinfo=dt.timezone.utc)
    crl = ca_crl(w.pki, "police", [(w.pki / "police.p12", on)], issued=on + dt.timedelta(hours=2), crl_number=10)
    return with_signature(w, with_crls(police_signature(w), [crl]))


def pades_fixture(w: Workshop, name: str) -> bytes:
    """A PDF/A document with a PDF signature (PAdES). pyHanko's PDF signing writes random file
    identifiers and the current time, so each fixture is made once and kept in the PKI folder."""
    path = w.pki / f"pades-{name}.pdf"
    if path.exists():
        return path.read_bytes()
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers

    pdf = read_members(base(w))["documents/001/0002.pdf"]
    who = "court" if name == "wrong-agency" else "police"
    out = signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)),
                           signers.PdfSignatureMetadata(field_name="Officer"), signer=w.cred(who).signer).getvalue()
    if name == "changed":
        iw = IncrementalPdfFileWriter(io.BytesIO(out))
        page = iw.root["/Pages"]["/Kids"][0].get_object()
        page["/Rotate"] = generic.NumberObject(90)  # not a change a signature allows
        iw.update_container(page)
        buf = io.BytesIO()
        iw.write(buf)
        out = buf.getvalue()
    path.write_bytes(out)
    return out


@case("good", (), "pades-signed-document", "A document carrying a valid PDF signature of the layer's agency.",
      "文件内带有本层机关的有效 PDF 签名。")
def _(w):
    return with_document(w, pades_fixture(w, "police"))


@case("bad", "G014", "pades-wrong-agency", "A police document carrying a PDF signature of the court.",
      "公安机关的文件内带有法院的 PDF 签名。", allowed=("D004",))
def _(w):
    return with_document(w, pades_fixture(w, "wrong-agency"))


@case("bad", "G015", "pades-changed-after-signing", "A signed document whose page was rotated in a later, unsigned revision.",
      "已签名文件在之后未签名的修订中被旋转了页面。", allowed=("D004", "G014"))
def _(w):
    return with_document(w, pades_fixture(w, "changed"))



def _unfilled_signature(pdf) -> None:
    """An invisible signature field whose signature dictionary has a /ByteRange but, as /Contents,
    eight zero octets instead of a CMS SignedData (a signing run that never filled its placeholder)."""
    import pikepdf

    value = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Sig, Filter=pikepdf.Name("/Adobe.PPKLite"), SubFilter=pikepdf.Name("/ETSI.CAdES.detached"),
        ByteRange=pikepdf.Array([0, 10, 20, 30]), Contents=pikepdf.String(bytes(8))))
    field = pdf.make_indirect(pikepdf.Dictionary(
        FT=pikepdf.Name.Sig, T=pikepdf.String("Officer"), V=value, Type=pikepdf.Name.Annot,
        Subtype=pikepdf.Name.Widget, Rect=[0, 0, 0, 0], F=132, P=pdf.pages[0].obj))
    pdf.Root.AcroForm = pikepdf.Dictionary(Fields=pikepdf.Array([field]), SigFlags=3)
    pdf.pages[0].obj.Annots = pdf.make_indirect(pikepdf.Array([field]))


@case("bad", "G024", "pades-signature-unreadable", "A document with a signature field (/ByteRange) whose /Contents "
      "is eight zero octets, not a CMS signature: a signature nobody can check.",
      "文件中有签名域（/ByteRange），但其 /Contents 是八个零字节而非 CMS 签名：无人能够核验的签名。",
      allowed=("D003", "D004"))
def _(w):
    return pdf_edit(w, _unfilled_signature)
