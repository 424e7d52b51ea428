"""Conformance cases: integrity cases (I). Registered in CASES (casekit.py) on import."""

from __future__ import annotations

import io

from ..container.asic import DataObject, record_name
from . import rawzip
from .casekit import base, case, members, sign_extra, two, with_member
from .builder import Layer, Workshop, assemble, data_members, read_members


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
