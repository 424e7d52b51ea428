"""The conformance cases: one function per case, each returning the bytes of one package.

A case has a class (`good`: accepted, no findings; `warn`: accepted with warnings or notes; `bad`:
rejected), the codes a validator must report (`required`), codes it may report as well (`allowed`,
consequences of the one defect), a slug and a one-line description in Chinese and English.
Cases derive from a few small base packages, so that each carries exactly one defect.
"""

from __future__ import annotations

import datetime as dt
import io
import struct
import zlib
from dataclasses import dataclass
from typing import Callable

from ..container.asic import DataObject, record_name
from . import rawzip
from .builder import LAYER_TIMES, Layer, Workshop, assemble, data_members, read_members
from .pki import NOCRL, POLICE, PROCURATORATE, RETIRED, UNLISTED


@dataclass(frozen=True)
class Case:
    klass: str  # good | warn | bad
    required: tuple[str, ...]
    slug: str
    en: str
    zh: str
    make: Callable[[Workshop], bytes]
    allowed: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return f"{'+'.join(self.required) or 'none'}_{self.slug}"

    @property
    def id(self) -> str:
        return f"{self.klass}/{self.name}"

    @property
    def verdict(self) -> str:
        return "reject" if self.klass == "bad" else "accept"


CASES: list[Case] = []


def case(klass: str, required, slug: str, en: str, zh: str, *, allowed=()):
    required = (required,) if isinstance(required, str) else tuple(required)

    def register(fn):
        CASES.append(Case(klass, required, slug, en, zh, fn, tuple(allowed)))
        return fn
    return register


# --- base sources ----------------------------------------------------------------------------------

D = dt.date
T = lambda s: dt.datetime.fromisoformat(s)  # noqa: E731
CASE_INFO = {"number": "深南公(刑)立字〔2026〕00123号", "name": "张某某盗窃案", "charges": ["盗窃"], "procedure": "速裁"}


def agency(a) -> dict:
    return {"name": a.name, "credit_code": a.credit_code, "role": a.role}


def doc(id_, type_, volume="v1", *, title=None, number=None, date=D(2026, 10, 31), pages=1, **kw) -> dict:
    d = {"id": id_, "volume": volume, "type": type_, "title": title or type_, "number": number, "date": date,
         "pages": pages}
    d.update(kw)
    return d


def mini(**changes) -> dict:
    """The police layer of the smallest base package: two documents of one page each."""
    spec = {
        "case": dict(CASE_INFO),
        "agency": agency(POLICE),
        "volumes": [{"id": "v1", "title": "诉讼文书卷", "kind": "litigation"}],
        "documents": [doc("d1", "立案决定书", number="深南公(刑)立字〔2026〕00123号"),
                      doc("d2", "讯问笔录", title="张某某讯问笔录（第1次）")],
    }
    spec.update(changes)
    return spec


def second(**changes) -> dict:
    """A procuratorate layer on top of `mini`."""
    spec = {
        "agency": agency(PROCURATORATE),
        "volumes": [{"id": "v3", "title": "检察诉讼文书卷", "kind": "litigation"}],
        "documents": [doc("p1", "起诉书", "v3", number="深南检刑诉〔2026〕1123号", date=D(2026, 11, 13))],
    }
    spec.update(changes)
    return spec


def base(w: Workshop) -> bytes:
    return w.cached("mini", lambda: w.build((mini(), w.cred("police"))))


def two(w: Workshop) -> bytes:
    return w.cached("two", lambda: w.build((mini(), w.cred("police")), (second(), w.cred("procuratorate", 2))))


def police(w: Workshop, **changes) -> bytes:
    """A one-layer package from `mini(**changes)`, signed by the police."""
    return w.build((mini(**changes), w.cred("police")))


def members(w: Workshop) -> list[rawzip.Member]:
    return rawzip.members_of(base(w))


with_member = rawzip.with_member


def sign_extra(w: Workshop, extra: dict[str, bytes], *, listed: bool = True) -> bytes:
    """`mini` plus extra data members, listed in (and signed with) the manifest unless `listed` is False."""
    ms = data_members(base(w))
    ms.update(extra)
    return assemble([Layer(ms, w.cred("police"), unlisted=() if listed else tuple(extra))])


# --- good ------------------------------------------------------------------------------------------

@case("good", (), "minimal", "One police layer, two one-page documents: everything correct.",
      "公安机关一层、两份单页文书，全部合规。")
def _(w):
    return base(w)


@case("good", (), "two-layers", "Police layer and procuratorate layer, the earlier layer carried forward unchanged.",
      "公安机关层与检察院层，前一层原样保留。")
def _(w):
    return two(w)


@case("good", (), "timestamped", "A layer signed with a trusted signature time stamp (CAdES-B-T).",
      "带可信签名时间戳的层（CAdES-B-T）。")
def _(w):
    return w.build((mini(), w.cred("police", tsa="tsa")))


@case("good", (), "all-stored", "Every member stored without compression (also allowed for XML).",
      "所有成员均不压缩存储（XML 也可以不压缩）。")
def _(w):
    return rawzip.build([rawzip.Member(m.name, m.data) for m in members(w)])


@case("good", (), "persons-and-events", "Persons with valid resident ID numbers and recorded procedural events.",
      "含身份号码有效的当事人和程序事件。")
def _(w):
    return police(w, persons=[{"role": "suspect", "name": "张某某", "id_number": "440305199003150014", "gender": "male"}],
                  events=[{"type": "立案", "time": T("2026-10-31T09:30:00+08:00"), "actor": POLICE.name, "document": "d1"}])


# --- container (C) -----------------------------------------------------------------------------------

MT = b"mimetype"
REC = b"dossier/001.xml"
PDF1 = b"documents/001/0001.pdf"


@case("bad", "C001", "not-a-zip", "A PDF file renamed to .edp: not a ZIP archive at all.",
      "把 PDF 文件改名为 .edp：根本不是 ZIP 压缩包。")
def _(w):
    return read_members(base(w))["documents/001/0001.pdf"]


@case("bad", "C001", "truncated", "The package cut off in the middle: the end of the archive is missing.",
      "卷宗包在中间被截断：压缩包末尾缺失。", allowed=("C102", "C103", "C104"))
def _(w):
    data = base(w)
    return data[: len(data) // 2]


@case("bad", "C002", "mimetype-not-first", "The record is the first member; mimetype comes second.",
      "第一个成员是卷宗记录，mimetype 排在第二。")
def _(w):
    ms = members(w)
    return rawzip.build([ms[1], ms[0]] + ms[2:])


@case("bad", "C003", "mimetype-deflated", "The mimetype member is compressed (DEFLATE) instead of stored.",
      "mimetype 成员被压缩（DEFLATE），而不是不压缩存储。")
def _(w):
    return rawzip.build(with_member(members(w), "mimetype", method=8))


@case("bad", "C003", "mimetype-extra-field", "The mimetype member has an extra field in its headers.",
      "mimetype 成员的文件头带有扩展字段。")
def _(w):
    return rawzip.build(with_member(members(w), "mimetype", extra=struct.pack("<HH", 0xCAFE, 4) + b"\0\0\0\0"))


@case("bad", "C004", "mimetype-wrong-content", "The mimetype member says application/zip.",
      "mimetype 成员的内容为 application/zip。")
def _(w):
    return rawzip.build(with_member(members(w), "mimetype", data=b"application/zip"))


@case("bad", "C005", "backslash-name", "A member name with a backslash (documents\\001\\0009.pdf), listed and signed.",
      "成员名称含反斜杠（documents\\001\\0009.pdf），已列入清单并签名。", allowed=("I002",))
def _(w):
    return sign_extra(w, {"documents\\001\\0009.pdf": read_members(base(w))["documents/001/0001.pdf"]})


@case("bad", "C005", "dot-dot-name", "A member name that climbs out of the package (documents/../../evil.pdf).",
      "成员名称试图跳出卷宗包（documents/../../evil.pdf）。", allowed=("I002",))
def _(w):
    return sign_extra(w, {"documents/../../evil.pdf": read_members(base(w))["documents/001/0001.pdf"]})


@case("bad", "C006", "case-collision", "Two members whose names differ only in case (Documents/001/0001.pdf).",
      "两个成员名称仅大小写不同（Documents/001/0001.pdf）。", allowed=("I002",))
def _(w):
    return sign_extra(w, {"Documents/001/0001.pdf": read_members(base(w))["documents/001/0002.pdf"]})


@case("bad", "C007", "extra-meta-inf", "An ODF-style META-INF/manifest.xml next to the ASiC manifest.",
      "META-INF/ 中有 ODF 风格的 manifest.xml。")
def _(w):
    ms = members(w)
    return rawzip.build(ms + [rawzip.Member(b"META-INF/manifest.xml", b"<manifest/>", method=8)])


@case("bad", "C008", "signature-missing", "Layer 001 has its manifest but no signature.",
      "第 001 层有清单但没有签名。")
def _(w):
    return rawzip.build([m for m in members(w) if m.name != b"META-INF/signature001.p7s"])


@case("bad", "C009", "layer-gap", "Layers 001 and 003, no layer 002.",
      "有第 001 层和第 003 层，缺少第 002 层。", allowed=("S002", "S003", "S006", "S009", "I002", "G002"))
def _(w):
    ren = {b"META-INF/ASiCManifest002.xml": b"META-INF/ASiCManifest003.xml",
           b"META-INF/signature002.p7s": b"META-INF/signature003.p7s"}
    out = []
    for m in rawzip.members_of(two(w)):
        m.name = ren.get(m.name, m.name)
        out.append(m)
    return rawzip.build(out)


@case("bad", "C010", "compression-bomb", "A 4 MiB member of zeros deflated to a few KiB (ratio over 100).",
      "一个 4 MiB 的全零成员被压缩为几 KiB（压缩比超过 100）。")
def _(w):
    ms = members(w)
    bomb = rawzip.Member(b"attachments/001/zeros.bin", bytes(4 * 1024 * 1024), method=8)
    return rawzip.build(ms[:-2] + [bomb] + ms[-2:])


@case("bad", "C011", "crc-mismatch", "A document whose CRC-32 in both headers does not match its data.",
      "某文件在两个文件头中的 CRC-32 与其数据不符。")
def _(w):
    ms = members(w)
    data = read_members(base(w))["documents/001/0001.pdf"]
    bad = zlib.crc32(data) ^ 0xFFFF
    return rawzip.build(with_member(ms, "documents/001/0001.pdf", lfh={"crc": bad}, cd={"crc": bad}))


@case("bad", "C012", "encrypted-member", "A document marked as encrypted (ZIP traditional encryption flag).",
      "某文件被标记为已加密（ZIP 传统加密标志）。", allowed=("I002",))
def _(w):
    return rawzip.build(with_member(members(w), "documents/001/0002.pdf", flags=1))


@case("bad", "C012", "bzip2-member", "A document compressed with method 12 (bzip2), which the profile does not allow.",
      "某文件使用压缩方法 12（bzip2），规范不允许。", allowed=("I002",))
def _(w):
    import bz2

    data = read_members(base(w))["documents/001/0002.pdf"]
    return rawzip.build(with_member(members(w), "documents/001/0002.pdf", method=12, payload=bz2.compress(data)))


@case("bad", "C013", "no-signed-layer", "Record and documents, but no manifest and no signature.",
      "有卷宗记录和文件，但没有清单和签名。", allowed=("S009",))
def _(w):
    return rawzip.build([m for m in members(w) if not m.name.startswith(b"META-INF/")])


@case("warn", "C014", "deflated-pdf", "The documents are DEFLATE-compressed instead of stored (a SHOULD).",
      "PDF 文件被压缩存储，而不是不压缩存储（建议性要求）。")
def _(w):
    return rawzip.build([rawzip.Member(m.name, m.data, method=8 if m.name.endswith(b".pdf") else m.method)
                         for m in members(w)])


@case("bad", "C101", "prepended-data", "A polyglot: 512 bytes of other data before the ZIP archive, offsets adjusted.",
      "多格式混合文件：ZIP 前有 512 字节其他数据，偏移量已相应调整。")
def _(w):
    return rawzip.build(members(w), prefix=(junk := b"%PDF-1.7\n" + bytes(503)), shift_offsets=len(junk))


@case("bad", "C102", "trailing-data", "Bytes after the end-of-central-directory record.",
      "中央目录结束记录之后还有数据。")
def _(w):
    return base(w) + b"hidden payload after the end of the archive\n"


@case("bad", "C102", "archive-comment", "The archive has a comment.", "压缩包带有注释。")
def _(w):
    return rawzip.build(members(w), comment=b"approved by nobody")


@case("bad", "C103", "concatenated-archives", "Two complete archives glued together (another tool sees the second one).",
      "两个完整的压缩包首尾相接（其他工具会看到第二个）。")
def _(w):
    return base(w) + rawzip.build([rawzip.Member(MT, b"application/vnd.etsi.asic-e+zip")])


@case("bad", "C104", "entry-count-mismatch", "The end record counts one member more than the central directory holds.",
      "结束记录中的成员数比中央目录实际多一个。")
def _(w):
    ms = members(w)
    return rawzip.build(ms, eocd_over={"n_disk": len(ms) + 1, "n_total": len(ms) + 1})


@case("bad", "C105", "local-name-differs", "A local file header names a document differently from the central directory.",
      "某文件的本地文件头中的名称与中央目录不同。")
def _(w):
    return rawzip.build(with_member(members(w), "documents/001/0002.pdf", lfh={"name": b"documents/001/0009.pdf"}))


@case("bad", "C106", "overlapping-members", "A second member hidden inside the data of another (its central-directory "
      "entry points into that data).", "一个成员藏在另一个成员的数据之中（其中央目录条目指向该数据内部）。")
def _(w):
    inner = rawzip.Member(b"attachments/001/inner.pdf", b"%PDF-1.7 hidden\n")
    iv = inner.values()
    outer = rawzip.Member(b"attachments/001/outer.bin", rawzip.local_header(iv) + inner.data)
    ms = members(w)
    data = rawzip.build(ms[:-2] + [outer] + ms[-2:])
    n, cd_size, cd_off = struct.unpack("<HII", data[-12:-2])
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        off = zf.getinfo("attachments/001/outer.bin").header_offset
    entry = rawzip.cd_entry({**iv, "attr": rawzip.REGULAR_FILE, "made_by": rawzip.MADE_BY_UNIX,
                        "offset": off + 30 + len(outer.name)})
    cd = data[cd_off:cd_off + cd_size] + entry
    return data[:cd_off] + cd + rawzip.eocd(n + 1, len(cd), cd_off)


@case("bad", "C107", "hidden-gap", "512 bytes that belong to no member between two members.",
      "两个成员之间有 512 字节不属于任何成员。")
def _(w):
    return rawzip.build(members(w), between={3: b"hidden" * 85 + b"..."})


@case("bad", "C108", "symlink-member", "A member stored as a symbolic link (Unix mode 120777).",
      "某成员以符号链接形式存储（Unix 权限 120777）。", allowed=("I002", "I003"))
def _(w):
    return rawzip.build(with_member(members(w), "documents/001/0002.pdf", attr=0o120777 << 16))


@case("bad", "C109", "file-and-folder", "documents/001/0001.pdf is a file and also the folder of another member.",
      "documents/001/0001.pdf 既是文件，又是另一成员的上级文件夹。", allowed=("I003", "S009"))
def _(w):
    return sign_extra(w, {"documents/001/0001.pdf/x.pdf": read_members(base(w))["documents/001/0002.pdf"]})


@case("bad", "C110", "non-ascii-name", "A member name in GBK bytes without the UTF-8 flag (文书.pdf).",
      "成员名称为 GBK 编码且未设置 UTF-8 标志（文书.pdf）。")
def _(w):
    ms = members(w)
    return rawzip.build(ms[:-2] + [rawzip.Member("attachments/001/文书.pdf".encode("gbk"), b"%PDF-1.7\n")] + ms[-2:])


# --- schema and records (S) -------------------------------------------------------------------------

def correct_manifest(w: Workshop) -> bytes:
    return read_members(base(w))["META-INF/ASiCManifest001.xml"]


def with_manifest(w: Workshop, transform) -> bytes:
    """`mini` with its manifest replaced by `transform(manifest)`, signed over the new bytes."""
    return assemble([Layer(data_members(base(w)), w.cred("police"), manifest=transform(correct_manifest(w)))])


def with_record(w: Workshop, transform, package=None, layer: int = 1) -> bytes:
    """A package whose record of `layer` is `transform(record)`, re-signed (so only the record is wrong)."""
    def edit(ms):
        ms[record_name(layer)] = transform(ms[record_name(layer)])
    return w.reforge(package or base(w), edit)


def xml_replace(old: str, new: str, count: int = 1):
    def t(data: bytes) -> bytes:
        text = data.decode("utf-8")
        if old not in text:
            raise RuntimeError(f"{old!r} not found")
        return text.replace(old, new, count).encode("utf-8")
    return t


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


# --- integrity (I) -----------------------------------------------------------------------------------

def flip_byte(data: bytes, at: int | None = None) -> bytes:
    b = bytearray(data)
    b[len(b) // 2 if at is None else at] ^= 0x01
    return bytes(b)


@case("bad", "I001", "document-changed", "One byte of a signed document changed after signing (CRC-32 fixed up).",
      "签名后某文件的一个字节被改动（CRC-32 已相应修正）。", allowed=("D001", "D003"))
def _(w):
    pdf = read_members(base(w))["documents/001/0001.pdf"]
    i = pdf.index(b"/Title") if b"/Title" in pdf else len(pdf) // 2
    return rawzip.build(with_member(members(w), "documents/001/0001.pdf", data=flip_byte(pdf, i + 2)))


@case("bad", "I001", "record-changed", "The record changed after signing (a document date moved).",
      "签名后卷宗记录被改动（某文件日期被修改）。")
def _(w):
    rec = read_members(base(w))["dossier/001.xml"]
    return rawzip.build(with_member(members(w), "dossier/001.xml", data=rec.replace(b'date="2026-10-31"', b'date="2026-10-30"', 1)))


@case("bad", "I002", "listed-member-missing", "The manifest lists a document the package does not hold.",
      "清单列出了卷宗包中不存在的文件。")
def _(w):
    return assemble([Layer(data_members(base(w)), w.cred("police"), omit=("documents/001/0002.pdf",))])


@case("bad", "I003", "unlisted-member", "A member that no manifest lists (attachments/001/note.txt).",
      "有未列入任何清单的成员（attachments/001/note.txt）。", allowed=("S009",))
def _(w):
    return sign_extra(w, {"attachments/001/note.txt": "追加材料 / added later\n".encode()}, listed=False)


def _edited_pdf(w: Workshop, change, name: str = "documents/001/0002.pdf") -> bytes:
    """The bytes of one of `mini`'s documents after `change(pikepdf.Pdf)` (saved deterministically)."""
    import pikepdf

    with pikepdf.open(io.BytesIO(read_members(base(w))[name])) as pdf:
        change(pdf)
        buf = io.BytesIO()
        pdf.save(buf, deterministic_id=True)
    return buf.getvalue()


def _javascript(pdf) -> None:
    import pikepdf

    pdf.Root.OpenAction = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Action, S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert('edossier');")))


def _launch(pdf) -> None:
    import pikepdf

    pdf.Root.OpenAction = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Action, S=pikepdf.Name.Launch, F=pikepdf.String("cmd.exe")))


@case("bad", "S009", "unrecorded-javascript-pdf",
      "A JavaScript PDF as documents/001/0099.pdf: listed in the manifest and signed, but no record entry names it.",
      "documents/001/0099.pdf 为含 JavaScript 的 PDF：已列入清单并签名，但没有记录条目引用它。")
def _(w):
    return sign_extra(w, {"documents/001/0099.pdf": _edited_pdf(w, _javascript)})


@case("bad", "S009", "unrecorded-launch-pdf-earlier-layer",
      "Layer 002 adds a PDF with a Launch action to layer 001's folder, listed and signed, named by no record.",
      "第 002 层在第 001 层的文件夹中加入带启动动作的 PDF，已列入清单并签名，但没有记录引用它。", allowed=("S006",))
def _(w):
    extra = {"documents/001/0098.pdf": _edited_pdf(w, _launch)}
    ms = data_members(two(w))
    first = {k: v for k, v in ms.items() if k == record_name(1) or k.startswith("documents/001/")}
    second_layer = {k: v for k, v in ms.items() if k == record_name(2) or k.startswith("documents/002/")}
    second_layer.update(extra)
    return assemble([Layer(first, w.cred("police")), Layer(second_layer, w.cred("procuratorate", 2))])


@case("bad", "S009", "unrecorded-executable", "evil.exe at the top level of the package, listed and signed.",
      "卷宗包顶层有 evil.exe，已列入清单并签名。")
def _(w):
    return sign_extra(w, {"evil.exe": b"MZ\x90\x00" + bytes(60)})


@case("bad", "S009", "unrecorded-html-in-dossier", "An HTML page in dossier/, listed and signed, that no record names.",
      "dossier/ 中有 HTML 页面，已列入清单并签名，但没有记录引用它。")
def _(w):
    return sign_extra(w, {"dossier/index.html": b"<html><script>alert(1)</script></html>"})


@case("bad", "I004", "earlier-object-dropped", "Layer 002's manifest leaves out a document of layer 001.",
      "第 002 层的清单遗漏了第 001 层的一份文件。", allowed=("I003",))
def _(w):
    return w.reforge(two(w), layer_hooks={2: {"drop_carried": ("documents/001/0002.pdf",)}})


@case("bad", "I004", "earlier-object-redigested", "Layer 002's manifest gives another digest for a layer-001 document.",
      "第 002 层的清单为第 001 层的某文件给出了不同的摘要。", allowed=("I001",))
def _(w):
    import hashlib

    return w.reforge(two(w), layer_hooks={2: {"drop_carried": ("documents/001/0002.pdf",), "extra_objects": [
        DataObject("documents/001/0002.pdf", "application/pdf", hashlib.sha256(b"other").digest())]}})


@case("bad", "I006", "earlier-signature-dropped", "Layer 002's manifest lists layer 001's manifest but not its "
      "signature, so the later agency does not vouch for it.",
      "第 002 层的清单列出了第 001 层的清单，却未列出其签名，后一机关未对该签名作出确认。", allowed=("I003",))
def _(w):
    return w.reforge(two(w), layer_hooks={2: {"drop_carried": ("META-INF/signature001.p7s",)}})

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


def with_document(w: Workshop, pdf: bytes, name: str = "documents/001/0002.pdf") -> bytes:
    def edit(ms):
        ms[name] = pdf
    return w.reforge(base(w), edit)


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

# --- documents (D) ------------------------------------------------------------------------------------

def pdf_edit(w: Workshop, change, name: str = "documents/001/0002.pdf") -> bytes:
    """`mini` with one document changed by `change(pikepdf.Pdf)` and saved deterministically."""
    import pikepdf

    data = read_members(base(w))[name]
    with pikepdf.open(io.BytesIO(data)) as pdf:
        change(pdf)
        buf = io.BytesIO()
        pdf.save(buf, deterministic_id=True)
    return with_document(w, buf.getvalue(), name)


@case("bad", "D001", "not-a-pdf", "A document member holds a PNG image, not a PDF.", "文件成员中是 PNG 图像，不是 PDF。",
      allowed=("D002", "D003", "D004"))
def _(w):
    import base64

    png = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGP4DwABAQEAWk1v8QAAAABJRU5ErkJggg==")
    return with_document(w, png)


@case("bad", "D001", "pdf-truncated", "A document cut off after its first kilobyte.", "文件在第一千字节后被截断。",
      allowed=("D002", "D003", "D004"))
def _(w):
    return with_document(w, read_members(base(w))["documents/001/0002.pdf"][:1024])


@case("bad", "D002", "no-pdfa-claim", "A valid PDF without XMP metadata, so without a PDF/A-2 claim.",
      "有效的 PDF，但没有 XMP 元数据，因此未声明 PDF/A-2。", allowed=("D003",))
def _(w):
    return pdf_edit(w, lambda pdf: pdf.Root.__delitem__("/Metadata"))


@case("bad", "D002", "pdfa-1b-claim", "A document that claims PDF/A-1b instead of PDF/A-2.",
      "文件声明为 PDF/A-1b，而不是 PDF/A-2。", allowed=("D003",))
def _(w):
    def change(pdf):
        with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
            meta["pdfaid:part"] = "1"
            meta["pdfaid:conformance"] = "B"
    return pdf_edit(w, change)


@case("bad", "D003", "no-output-intent", "A PDF/A-2u claim, but the output intent (sRGB profile) was removed.",
      "声明为 PDF/A-2u，但输出意图（sRGB 色彩配置）被删除。")
def _(w):
    return pdf_edit(w, lambda pdf: pdf.Root.__delitem__("/OutputIntents"))


def _jpeg(size=(64, 48)) -> bytes:
    """A small baseline grey JPEG, made the same way every time."""
    from PIL import Image, ImageDraw

    img = Image.new("L", size, 255)
    ImageDraw.Draw(img).rectangle([8, 8, size[0] - 8, size[1] - 8], outline=0, width=3)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=90)
    return buf.getvalue()


def _with_image(jpeg: bytes, *, whole_page: bool = False):
    """A pdf_edit change that draws `jpeg` (DCTDecode, as is) in a 64×48 pt box on the first page, or
    stretched over the whole page."""
    import pikepdf

    def change(pdf):
        page = pdf.pages[0]
        box = [float(v) for v in page.mediabox]
        cm = (f"q {box[2] - box[0]:.2f} 0 0 {box[3] - box[1]:.2f} {box[0]:.2f} {box[1]:.2f} cm" if whole_page
              else "q 64 0 0 48 36 36 cm").encode()
        img = pikepdf.Stream(pdf, jpeg, Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image, Width=64, Height=48,
                             ColorSpace=pikepdf.Name.DeviceGray, BitsPerComponent=8, Filter=pikepdf.Name.DCTDecode)
        res = page.obj.get("/Resources")
        if res is None:
            res = page.obj.Resources = pikepdf.Dictionary()
        if "/XObject" not in res:
            res.XObject = pikepdf.Dictionary()
        res.XObject.ImCase = img
        page.contents_add(pdf.make_stream(cm + b" /ImCase Do Q"), prepend=False)
    return change


@case("bad", "D006", "truncated-jpeg", "A scanned image cut to half its length: the page would render half grey.",
      "扫描图像被截去一半，页面将显示一半灰色。", allowed=("D003",))
def _(w):
    jpeg = _jpeg()
    sos = jpeg.index(b"\xff\xda")
    return pdf_edit(w, _with_image(jpeg[:sos + (len(jpeg) - sos) // 2]))


@case("warn", "D007", "low-resolution-scan", "A page scanned at about 8 dpi: 64×48 pixels stretched over an A4 page.",
      "约 8 dpi 的扫描页：64×48 像素铺满整张 A4 页面。", allowed=("D003",))
def _(w):
    return pdf_edit(w, _with_image(_jpeg(), whole_page=True))


@case("bad", "D008", "arithmetic-jpeg", "A JPEG image that declares arithmetic coding (SOF9), which PDF readers draw blank.",
      "JPEG 图像声明为算术编码（SOF9），PDF 阅读器显示为空白。", allowed=("D003",))
def _(w):
    jpeg = _jpeg()
    sof = jpeg.index(b"\xff\xc0")
    return pdf_edit(w, _with_image(jpeg[:sof + 1] + b"\xc9" + jpeg[sof + 2:]))


@case("bad", "D004", "javascript-open-action", "The document runs JavaScript when opened (OpenAction).",
      "文件打开时执行 JavaScript（OpenAction）。", allowed=("D003",))
def _(w):
    import pikepdf

    def change(pdf):
        pdf.Root.OpenAction = pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.Action, S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert('edossier');")))
    return pdf_edit(w, change)


@case("bad", "D004", "launch-action", "A link annotation that launches a program.", "文件中有启动外部程序的链接注释。",
      allowed=("D003",))
def _(w):
    import pikepdf

    def change(pdf):
        annot = pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[10, 10, 100, 40], F=4, Border=[0, 0, 0],
            A=pikepdf.Dictionary(S=pikepdf.Name.Launch, F=pikepdf.String("cmd.exe"))))
        pdf.pages[0].obj.Annots = pdf.make_indirect(pikepdf.Array([annot]))
    return pdf_edit(w, change)


@case("bad", "D004", "embedded-file", "The document carries an embedded file (a hidden attachment).",
      "文件内嵌了附件（隐藏的附加文件）。", allowed=("D003",))
def _(w):
    import pikepdf

    def change(pdf):
        spec = pikepdf.AttachedFileSpec(pdf, b"hidden evidence\n", filename="note.txt", mime_type="text/plain")
        pdf.attachments["note.txt"] = spec
    return pdf_edit(w, change)


@case("bad", "D004", "incremental-update", "An unsigned incremental update appended to the document (a page changed).",
      "文件末尾追加了未签名的增量更新（页面被改动）。", allowed=("D003",))
def _(w):
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    class Writer(IncrementalPdfFileWriter):
        def _update_meta(self):  # no ModDate / XMP update with the current time: same bytes every run
            pass

    data = read_members(base(w))["documents/001/0002.pdf"]
    iw = Writer(io.BytesIO(data))
    page = iw.root["/Pages"]["/Kids"][0].get_object()
    page["/UserUnit"] = generic.FloatObject(1.0)
    iw.update_container(page)
    out = io.BytesIO()
    iw.write(out)
    return with_document(w, _fixed_trailer_id(out.getvalue(), data))


def _fixed_trailer_id(new: bytes, old: bytes) -> bytes:
    """pyHanko gives an incremental update a random second file identifier; use a fixed one."""
    import re

    m = re.search(rb"/ID\s*\[\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*\]", new[len(old):])
    if not m:
        return new
    start = len(old) + m.start(2)
    return new[:start] + b"0" * len(m.group(2)) + new[start + len(m.group(2)):]


# --- case rules (K) -----------------------------------------------------------------------------------

def ev(type_, time, actor=POLICE.name, **kw) -> dict:
    return {"type": type_, "time": T(time), "actor": actor, **kw}


def with_events(w: Workshop, *events, **changes) -> bytes:
    return police(w, events=list(events), **changes)


def docs_plus(*extra) -> list[dict]:
    return mini()["documents"] + list(extra)


@case("bad", "K001", "unknown-document-type", "A document type that is not in the document-type code list.",
      "文书类型不在文书类型代码表中。")
def _(w):
    return with_record(w, xml_replace('type="讯问笔录" typeCode="C004"', 'type="神秘文书"'))


@case("bad", "K002", "unknown-event-type", "An event type that is not in the event-type code list.",
      "事件类型不在事件类型代码表中。")
def _(w):
    import re

    pkg = with_events(w, ev("立案", "2026-10-31T09:30:00+08:00", document="d1"))
    return with_record(w, lambda r: re.sub(rb'type="\xe7\xab\x8b\xe6\xa1\x88" typeCode="[^"]*"',
                                           'type="神秘事件"'.encode(), r), package=pkg)


@case("bad", "K003", "type-code-disagrees", "A 讯问笔录 whose typeCode is that of 立案决定书 (A005).",
      "讯问笔录的 typeCode 却是立案决定书的编码（A005）。")
def _(w):
    return with_record(w, xml_replace('type="讯问笔录" typeCode="C004"', 'type="讯问笔录" typeCode="A005"'))


@case("warn", "K004", "code-list-version", "The record names version 0.9 of the document-type code list.",
      "卷宗记录声明使用文书类型代码表 0.9 版。")
def _(w):
    from ..caserules.codelist import document_types

    current = f'uri="urn:edossier:codelist:document-type" version="{document_types().version}"'.encode()
    return with_record(w, lambda r: r.replace(current, b'uri="urn:edossier:codelist:document-type" version="0.9"'))


@case("warn", "K005", "code-list-not-named", "typeCode values without naming the code list (no CodeLists element).",
      "使用了 typeCode 编码但未声明代码表（缺少 CodeLists 元素）。")
def _(w):
    import re

    return with_record(w, lambda r: re.sub(rb"\s*<CodeLists>.*?</CodeLists>", b"", r, flags=re.S))


@case("bad", "K010", "id-number-check-character", "A suspect's resident ID number has a wrong check character.",
      "犯罪嫌疑人的公民身份号码校验码错误。")
def _(w):
    return police(w, persons=[{"role": "suspect", "name": "张某某", "id_number": "440305199003150015", "gender": "male"}])


@case("warn", "K011", "id-number-gender", "The ID number's sequence code says male; the record says female.",
      "公民身份号码顺序码表明为男性，卷宗记录却为女性。")
def _(w):
    return police(w, persons=[{"role": "suspect", "name": "张某某", "id_number": "440305199003150014", "gender": "female"}])


@case("bad", "K070", "id-number-address-000000", "A suspect's resident ID number has the address code 000000, "
      "which no GB/T 2260 revision contains (its check character is right).",
      "犯罪嫌疑人的公民身份号码地址码为 000000，任何版本的 GB/T 2260 都没有该代码（校验码正确）。")
def _(w):
    return police(w, persons=[{"role": "suspect", "name": "张某某", "id_number": "000000199003150014", "gender": "male"}])


@case("warn", "K071", "id-number-address-not-in-gb2260", "The ID number's address code 440399 is in province 44 "
      "but in no bundled GB/T 2260 revision.", "公民身份号码地址码 440399 属于44省，但不在内置的任何版本 GB/T 2260 中。")
def _(w):
    return police(w, persons=[{"role": "suspect", "name": "张某某", "id_number": "440399199003150014", "gender": "male"}])


@case("warn", "K072", "credit-code-authority", "An event names an agency whose credit code has registration authority "
      "B, which GB 32100 does not define.", "事件所载机关的统一社会信用代码登记管理部门代码为 B，GB 32100 未定义。")
def _(w):
    return with_events(w, ev("立案", "2026-10-31T09:30:00+08:00", document="d1"),
                       ev("批准逮捕", "2026-11-06T16:00:00+08:00", PROCURATORATE.name, agency="B1440305MB2D10001J"),
                       ev("提请批准逮捕", "2026-11-03T10:00:00+08:00"))


@case("warn", "K073", "credit-code-division", "An event names an agency whose credit code has division digits 440399, "
      "not a GB/T 2260 code.", "事件所载机关的统一社会信用代码行政区划码为 440399，不是 GB/T 2260 代码。")
def _(w):
    return with_events(w, ev("立案", "2026-10-31T09:30:00+08:00", document="d1"),
                       ev("批准逮捕", "2026-11-06T16:00:00+08:00", PROCURATORATE.name, agency="11440399MB2D100012"),
                       ev("提请批准逮捕", "2026-11-03T10:00:00+08:00"))


@case("warn", "K077", "custody-period-change-not-notified", "Investigative custody is extended, but no notice of the "
      "changed period to the detention centre is recorded before the transfer.",
      "延长了侦查羁押期限，但移送审查起诉前未记录向看守所发出变更羁押期限通知书。")
def _(w):
    # arrested 11-04, extended 11-20 (Art. 156), transferred 11-25 with 换押: all before the corpus time 12-01
    events = ARREST + [ev("延长侦查羁押期限", "2026-11-20T10:00:00+08:00"),
                       ev("移送审查起诉", "2026-11-25T10:00:00+08:00"), ev("换押", "2026-11-25T10:00:00+08:00")]
    return police(w, events=with_certificate(events, "h1"), documents=docs_plus(CERT_POLICE))


@case("bad", "K012", "credit-code-check-character", "An event names an agency whose credit code has a wrong check character.",
      "事件所载机关的统一社会信用代码校验码错误。")
def _(w):
    return with_events(w, ev("立案", "2026-10-31T09:30:00+08:00", document="d1"),
                       ev("批准逮捕", "2026-11-06T16:00:00+08:00", PROCURATORATE.name, agency="11440305MB2D10001X"),
                       ev("提请批准逮捕", "2026-11-03T10:00:00+08:00"))


@case("warn", "K013", "document-number-shape", "A document number (文号) without year in brackets or 号.",
      "文号不含括号中的年份，也不以“号”结尾。")
def _(w):
    return police(w, documents=[doc("d1", "立案决定书", number="立案-123"), mini()["documents"][1]])


@case("bad", "K020", "unknown-profile", "The layer claims a stage profile that does not exist.",
      "该层声明了不存在的阶段规则。")
def _(w):
    pkg = police(w, layer={"stage": "提请批准逮捕", "profile": "arrest-request"})
    return with_record(w, xml_replace('profile="arrest-request"', 'profile="no-such-profile"'), package=pkg)


@case("bad", "K021", "required-document-missing", "Profile arrest-request without the 提请批准逮捕书.",
      "阶段规则“提请批准逮捕”缺少提请批准逮捕书。", allowed=("K022",))
def _(w):
    return police(w, layer={"stage": "提请批准逮捕", "profile": "arrest-request"})


@case("warn", "K022", "usual-document-missing", "Profile transfer-for-prosecution without the usual 受案登记表.",
      "阶段规则“移送审查起诉”缺少通常应随附的受案登记表。")
def _(w):
    return police(w, layer={"stage": "移送审查起诉", "profile": "transfer-for-prosecution"},
                  documents=docs_plus(doc("d8", "起诉意见书", number="深南公(刑)诉字〔2026〕00098号", date=D(2026, 11, 10))))


@case("bad", "K030", "event-document-missing", "An event refers to document d9, which is not in the dossier.",
      "事件引用的文书 d9 不在卷宗中。")
def _(w):
    return with_events(w, ev("立案", "2026-10-31T09:30:00+08:00", document="d9"))


@case("warn", "K031", "event-proof-type", "The 立案 event is proved by a 讯问笔录 instead of a 立案决定书.",
      "立案事件的证明文书是讯问笔录，而不是立案决定书。")
def _(w):
    return with_events(w, ev("立案", "2026-10-31T09:30:00+08:00", document="d2"))


@case("warn", "K032", "step-not-recorded", "批准逮捕 is recorded without an earlier 提请批准逮捕.",
      "记录了批准逮捕，但此前没有提请批准逮捕。")
def _(w):
    return with_events(w, ev("批准逮捕", "2026-11-06T16:00:00+08:00", PROCURATORATE.name, agency=PROCURATORATE.credit_code))


PROSECUTE = ev("提起公诉", "2026-11-13T15:00:00+08:00", PROCURATORATE.name, document="p1")
HANDOVER = ev("换押", "2026-11-13T15:00:00+08:00", PROCURATORATE.name)  # custody passes on to the court
ARREST = [ev("拘留", "2026-10-31T11:30:00+08:00"), ev("提请批准逮捕", "2026-11-02T10:00:00+08:00"),
          ev("批准逮捕", "2026-11-04T16:00:00+08:00", PROCURATORATE.name, agency=PROCURATORATE.credit_code),
          ev("逮捕", "2026-11-04T18:00:00+08:00")]


def with_certificate(events, cert: str) -> list:
    """The events, each 换押/换押接收 naming the 换押证 `cert` (the certificate the 看守所 receives, K076)."""
    return [dict(e, document=cert) if e["type"] in ("换押", "换押接收") and not e.get("document") else e
            for e in events]


def custody_layers(w: Workshop, police_events, proc_events) -> bytes:
    return w.build((mini(events=with_certificate(police_events, "h1"), documents=docs_plus(CERT_POLICE)),
                    w.cred("police")),
                   (second(events=with_certificate(proc_events, "h2"),
                           documents=second()["documents"] + [CERT_PROC]), w.cred("procuratorate", 2)))


CERT_POLICE = doc("h1", "换押证", title="换押证（张某某）", date=D(2026, 11, 10))
CERT_PROC = doc("h2", "换押证", "v3", title="换押证（张某某，检→法）", date=D(2026, 11, 13))


@case("bad", "K040", "custody-transfer-not-accepted", "The police record a custody transfer (换押); the procuratorate's "
      "later layer does not record accepting it.", "公安机关记录了换押，检察院的后续层未记录换押接收。")
def _(w):
    return custody_layers(w, [ev("移送审查起诉", "2026-11-10T10:00:00+08:00"), ev("换押", "2026-11-10T10:00:00+08:00")],
                          [ev("受理", "2026-11-11T09:30:00+08:00", PROCURATORATE.name), PROSECUTE])


@case("bad", "K041", "custody-acceptance-without-transfer", "The procuratorate records accepting a custody transfer that "
      "nobody sent.", "检察院记录了换押接收，但此前没有任何机关发出换押。")
def _(w):
    return custody_layers(w, [ev("移送审查起诉", "2026-11-10T10:00:00+08:00")],
                          [ev("受理", "2026-11-11T09:30:00+08:00", PROCURATORATE.name),
                           ev("换押接收", "2026-11-11T09:30:00+08:00", PROCURATORATE.name), PROSECUTE])


@case("warn", "K075", "custody-transfer-missing-on-change-of-venue", "The suspect is in custody and the case goes "
      "to another organ by change of jurisdiction (改变管辖); no 换押 is recorded.",
      "犯罪嫌疑人在押，案件因改变管辖移交其他机关，但未记录换押。")
def _(w):
    # arrested 11-04; custody runs to 01-04 (Art. 156), so only the missing 换押 is found at 12-01
    return with_events(w, *ARREST, ev("改变管辖", "2026-11-08T10:00:00+08:00"))


@case("warn", "K076", "custody-transfer-without-certificate", "The police record a 换押 that names no 换押证, so the "
      "detention centre's copy cannot be shown.", "公安机关记录的换押未指向换押证，无法证明看守所已收到。")
def _(w):
    return with_events(w, ev("移送审查起诉", "2026-11-10T10:00:00+08:00"), ev("换押", "2026-11-10T10:00:00+08:00"))


@case("warn", "K050", "detention-overdue", "Detention on 10-31, but the request for arrest approval only on 11-08 "
      "(3 days allowed).", "10月31日拘留，11月8日才提请批准逮捕（法定3日）。")
def _(w):
    return with_events(w, ev("拘留", "2026-10-31T11:30:00+08:00"), ev("提请批准逮捕", "2026-11-08T10:00:00+08:00"),
                       ev("批准逮捕", "2026-11-09T16:00:00+08:00", PROCURATORATE.name, agency=PROCURATORATE.credit_code),
                       ev("逮捕", "2026-11-09T18:00:00+08:00"))


@case("warn", "K051", "detention-still-running", "Detention on 11-05 and nothing after it: the period ended long before "
      "the validation time.", "11月5日拘留后再无记录：拘留期限早在验证时间之前届满。")
def _(w):
    return with_events(w, ev("拘留", "2026-11-05T11:30:00+08:00"))


@case("bad", "K053", "extension-without-detention", "An extension of detention (延长拘留期限) without any detention.",
      "没有拘留却记录了延长拘留期限。")
def _(w):
    return with_events(w, ev("延长拘留期限", "2026-11-03T10:00:00+08:00", days=4))


@case("good", (), "custody-transfer", "Arrest, transfer for prosecution with custody transfer (换押), acceptance and "
      "public prosecution within the periods.", "逮捕、移送审查起诉并换押、换押接收、在期限内提起公诉。")
def _(w):
    return custody_layers(w, ARREST + [ev("移送审查起诉", "2026-11-10T10:00:00+08:00"), ev("换押", "2026-11-10T10:00:00+08:00")],
                          [ev("受理", "2026-11-11T09:30:00+08:00", PROCURATORATE.name),
                           ev("换押接收", "2026-11-11T09:30:00+08:00", PROCURATORATE.name, period_start=D(2026, 11, 11),
                              period_end=D(2026, 11, 21)), PROSECUTE, HANDOVER])


@case("warn", "K042", "custody-period-declared-wrong", "The custody-transfer acceptance declares a period ending 11-30; "
      "the statutory period (速裁, 10 days) ends 11-21.", "换押接收所填期限至11月30日，而法定期限（速裁，十日）至11月21日。")
def _(w):
    return custody_layers(w, ARREST + [ev("移送审查起诉", "2026-11-10T10:00:00+08:00"), ev("换押", "2026-11-10T10:00:00+08:00")],
                          [ev("受理", "2026-11-11T09:30:00+08:00", PROCURATORATE.name),
                           ev("换押接收", "2026-11-11T09:30:00+08:00", PROCURATORATE.name, period_start=D(2026, 11, 11),
                              period_end=D(2026, 11, 30)), PROSECUTE, HANDOVER])


@case("warn", "K043", "custody-transfer-not-recorded", "The suspect is in custody and the case is transferred for "
      "prosecution, but no custody transfer (换押) is recorded.", "犯罪嫌疑人在押，案件移送审查起诉，但未记录换押。")
def _(w):
    return custody_layers(w, ARREST + [ev("移送审查起诉", "2026-11-10T10:00:00+08:00")],
                          [ev("受理", "2026-11-11T09:30:00+08:00", PROCURATORATE.name), PROSECUTE])


@case("warn", "K052", "custody-period-ends-soon", "Investigative custody after the arrest on 10-02 ends on 12-02, one day "
      "after the validation time.", "10月2日逮捕后的侦查羁押期限于12月2日届满，距验证时间仅一日。")
def _(w):
    return with_events(w, ev("拘留", "2026-09-28T11:30:00+08:00"), ev("提请批准逮捕", "2026-09-30T10:00:00+08:00"),
                       ev("批准逮捕", "2026-10-02T16:00:00+08:00", PROCURATORATE.name, agency=PROCURATORATE.credit_code),
                       ev("逮捕", "2026-10-02T18:00:00+08:00"))
