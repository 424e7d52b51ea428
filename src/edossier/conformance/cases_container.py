"""Conformance cases: good controls and container cases (C). Registered in CASES (casekit.py) on import."""

from __future__ import annotations

import io
import struct
import zlib

from . import rawzip
from .casekit import base, case, members, mini, police, sign_extra, T, two, with_member
from .builder import read_members
from .pki import POLICE


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


@case("bad", "C003", "mimetype-extra-field", "The mimetype member has an extra field in its headers (an "
      "extended timestamp, a block allowed on other members).",
      "mimetype 成员的文件头带有扩展字段（扩展时间戳，其他成员可带此类字段）。")
def _(w):
    # an allowed block: an unknown one (0xCAFE) is hidden data and refuses the whole archive (C107) first
    return rawzip.build(with_member(members(w), "mimetype", extra=struct.pack("<HHBI", 0x5455, 5, 1, 0)))


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
