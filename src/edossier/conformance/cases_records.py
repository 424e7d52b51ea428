"""Conformance cases: schema and record cases (S). Registered in CASES (casekit.py) on import."""

from __future__ import annotations


from .casekit import base, case, two, with_manifest, with_record, xml_replace
from .builder import read_members


# --- schema and records (S) -------------------------------------------------------------------------

@case("bad", "S001", "manifest-doctype", "The manifest declares a DOCTYPE with an entity (XXE attempt).",
      "清单声明了带实体的 DOCTYPE（XXE 攻击）。", allowed=("S003", "I003"))
def _(w):
    return with_manifest(w, xml_replace('<asic:ASiCManifest ', '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n'
                                        '<asic:ASiCManifest '))


@case("bad", "S001", "manifest-not-well-formed", "The manifest is cut off: not well-formed XML.",
      "清单被截断：不是格式正确的 XML。", allowed=("S003", "I003"))
def _(w):
    return with_manifest(w, lambda m: m[: len(m) // 2])


@case("bad", "S002", "manifest-old-namespace", "The manifest uses the obsolete namespace http://uri.etsi.org/2918/v1.1.1#.",
      "清单使用了已废止的命名空间 http://uri.etsi.org/2918/v1.1.1#。", allowed=("S003", "I003"))
def _(w):
    return with_manifest(w, xml_replace("http://uri.etsi.org/02918/v1.2.1#", "http://uri.etsi.org/2918/v1.1.1#"))


@case("bad", "S002", "manifest-sha1", "A data object's digest in the manifest is SHA-1.",
      "清单中某数据对象的摘要算法为 SHA-1。", allowed=("S003", "I003"))
def _(w):
    import base64
    import hashlib

    def t(m: bytes) -> bytes:
        pdf = read_members(base(w))["documents/001/0001.pdf"]
        text = m.decode()
        i = text.index('URI="documents/001/0001.pdf"')
        head, tail = text[:i], text[i:]
        tail = tail.replace("http://www.w3.org/2001/04/xmlenc#sha256", "http://www.w3.org/2000/09/xmldsig#sha1", 1)
        j = tail.index("<ds:DigestValue>") + len("<ds:DigestValue>")
        k = tail.index("</ds:DigestValue>")
        tail = tail[:j] + base64.b64encode(hashlib.sha1(pdf).digest()).decode() + tail[k:]
        return (head + tail).encode()
    return with_manifest(w, t)


@case("bad", "S002", "manifest-critical-extension", "The manifest carries an extension marked Critical=\"true\".",
      "清单带有标记为 Critical=\"true\" 的扩展。", allowed=("S003", "I003"))
def _(w):
    return with_manifest(w, xml_replace("</asic:ASiCManifest>", '  <asic:Extensions><asic:Extension Critical="true">'
                                        '<x xmlns="urn:example:unknown"/></asic:Extension></asic:Extensions>\n'
                                        "</asic:ASiCManifest>"))


@case("bad", "S003", "rootfile-missing", "No data object of the manifest is marked Rootfile.",
      "清单中没有任何数据对象被标记为 Rootfile。")
def _(w):
    return with_manifest(w, xml_replace(' Rootfile="true"', ""))


@case("bad", "S003", "rootfile-on-document", "The Rootfile mark is on a document, not on the layer's record.",
      "Rootfile 标记在文件上，而不在本层卷宗记录上。")
def _(w):
    return with_manifest(w, lambda m: xml_replace('URI="documents/001/0001.pdf" MimeType="application/pdf"',
                                                  'URI="documents/001/0001.pdf" MimeType="application/pdf" Rootfile="true"')(
        xml_replace(' Rootfile="true"', "")(m)))


@case("bad", "S004", "record-not-well-formed", "The dossier record is cut off: not well-formed XML.",
      "卷宗记录被截断：不是格式正确的 XML。")
def _(w):
    return with_record(w, lambda r: r[: len(r) // 2])


@case("bad", "S004", "record-entity", "The dossier record declares an internal entity (billion-laughs style).",
      "卷宗记录声明了内部实体（“十亿笑声”式攻击）。")
def _(w):
    return with_record(w, lambda r: r.replace(b"<DossierRecord", b'<!DOCTYPE DossierRecord [<!ENTITY a "aaaaaaaaaa">'
                                                                    b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'
                                                                    b"<DossierRecord", 1))


@case("bad", "S005", "record-bad-role", "The record's agency role is 'army', which the schema does not allow.",
      "卷宗记录中机关角色为 army，不符合 XML 模式。")
def _(w):
    return with_record(w, xml_replace('role="police"', 'role="army"'))


@case("bad", "S005", "record-date-without-zone", "The record's creation time has no time zone.",
      "卷宗记录的创建时间没有时区。")
def _(w):
    return with_record(w, xml_replace('created="2026-11-10T15:00:00+08:00"', 'created="2026-11-10T15:00:00"'))


@case("bad", "S006", "record-wrong-layer", "Record dossier/001.xml says it is layer 2.",
      "卷宗记录 dossier/001.xml 声称自己是第 2 层。")
def _(w):
    return with_record(w, xml_replace('layer="1"', 'layer="2"'))


@case("bad", "S006", "page-count-differs", "The record says a document has 2 pages; the PDF has 1.",
      "卷宗记录称某文件有 2 页，而 PDF 实际只有 1 页。")
def _(w):
    return with_record(w, xml_replace('pages="1" file="documents/001/0001.pdf"', 'pages="2" file="documents/001/0001.pdf"'))


@case("bad", "S006", "unknown-volume", "A document refers to a volume that no layer defines.",
      "某文件引用了任何一层都未定义的卷。")
def _(w):
    return with_record(w, xml_replace('volume="v1" type="讯问笔录"', 'volume="v9" type="讯问笔录"'))


@case("bad", "S007", "case-number-changed", "Layer 002 names another case number than layer 001.",
      "第 002 层的案件编号与第 001 层不同。")
def _(w):
    return with_record(w, xml_replace("深南公(刑)立字〔2026〕00123号", "深南公(刑)立字〔2026〕00999号"), package=two(w), layer=2)
