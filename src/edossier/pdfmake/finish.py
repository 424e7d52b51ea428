"""The PDF/A plumbing shared by every document edossier makes (scans, generated sheets, text layers,
reading copies): the sRGB OutputIntent, XMP with the pdfaid claim, Info, an ID derived from the content. A leaf of
pdfmake/: the makers import it, it imports none of them."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from functools import cache

import pikepdf
from pikepdf import Array, Dictionary, Name, Stream
from PIL import ImageCms

PRODUCER = "edossier"


# LittleCMS writes the time of the profile's creation into the ICC header (bytes 24-35: year, month,
# day, hours, minutes, seconds, big-endian 16-bit each), so two builds a second apart embedded different
# profiles, and the promise that a build with SOURCE_DATE_EPOCH gives the same bytes held only within one
# process. The date is fixed (the profile is the same sRGB profile whenever it is made), and the profile
# ID (bytes 84-99, an MD5 over the header and tags) set to zero, "not computed" (ICC.1:2010 7.2.18),
# rather than left to disagree with the date. The conformance corpus was made with exactly these bytes.
ICC_DATE = bytes.fromhex("07ea000a0001000000000000")  # 2026-10-01 00:00:00


@cache
def srgb_icc() -> bytes:
    data = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    data[24:36] = ICC_DATE
    data[84:100] = bytes(16)
    return bytes(data)


def finish_pdfa(pdf: pikepdf.Pdf, *, title: str, author: str | None, created: dt.datetime, lang: str,
                conformance: str = "U", digests: dict | None = None) -> bytes:
    """The PDF/A plumbing shared by every document we make: OutputIntent, XMP, Info, ID. `digests`, a
    dict, receives {"sha256": SHA-256 of the returned bytes}, computed with the /ID's own pass (the
    builder's manifest digest, which is then not hashed again)."""
    icc = Stream(pdf, srgb_icc(), N=3)
    pdf.Root.OutputIntents = Array([Dictionary(
        Type=Name.OutputIntent, S=Name.GTS_PDFA1,
        OutputConditionIdentifier=pikepdf.String("sRGB"), Info=pikepdf.String("sRGB IEC61966-2.1"),
        RegistryName=pikepdf.String("http://www.color.org"), DestOutputProfile=pdf.make_indirect(icc))])
    pdf.Root.Lang = pikepdf.String(lang)
    if Name.Metadata in pdf.Root:
        del pdf.Root.Metadata
    for key in list(pdf.docinfo.keys()):
        del pdf.docinfo[key]
    stamp = created.astimezone(dt.timezone.utc).replace(microsecond=0)
    pdfdate = stamp.strftime("D:%Y%m%d%H%M%SZ")
    pdf.docinfo[Name.Title] = title
    if author:
        pdf.docinfo[Name.Author] = author
    pdf.docinfo[Name.Producer] = PRODUCER
    pdf.docinfo[Name.CreationDate] = pdfdate
    pdf.docinfo[Name.ModDate] = pdfdate
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        meta["pdfaid:part"] = "2"
        meta["pdfaid:conformance"] = conformance
        meta["dc:title"] = title
        if author:
            meta["dc:creator"] = [author]
        meta["pdf:Producer"] = PRODUCER
        iso = stamp.isoformat()
        meta["xmp:CreateDate"] = iso
        meta["xmp:ModifyDate"] = iso
        meta["xmp:MetadataDate"] = iso
    out = io.BytesIO()
    pdf.save(out, static_id=True, min_version="1.7", fix_metadata_version=False,
             object_stream_mode=pikepdf.ObjectStreamMode.preserve, compress_streams=True)
    final = _content_id(out.getbuffer())
    if final is not None:
        if digests is not None:
            digests["sha256"] = final
        return out.getvalue()
    out = io.BytesIO()  # no placeholder where expected (never seen): qpdf's own content-derived ID
    pdf.save(out, deterministic_id=True, min_version="1.7", fix_metadata_version=False,
             object_stream_mode=pikepdf.ObjectStreamMode.preserve, compress_streams=True)
    data = out.getvalue()
    if digests is not None:
        digests["sha256"] = hashlib.sha256(data).digest()
    return data


# qpdf's fixed test ID (`static_id`), written by the save above into the trailer (or the cross-reference
# stream's dictionary), both strings.
_STATIC_ID = b"<31415926535897932384626433832795><31415926535897932384626433832795>"


def _content_id(buf: memoryview) -> bytes | None:
    """Replace, in place, the placeholder /ID by the content-derived one (docs/spec.md §7.1): both
    strings are the first 16 bytes of the SHA-256 of the file as saved with the placeholder. qpdf's
    `deterministic_id` is an MD5 over the whole file, 19 of 22 ms to save a 9.5 MB scanned document
    (issue 19); SHA-256 runs at the speed of the hardware's SHA extensions. Same length, so no offset
    moves. Returns the SHA-256 of the file as it is now (with its /ID), from the same pass: everything
    before the placeholder is hashed once for both digests. None when the placeholder is not in the
    last 4 KiB (the trailer always is)."""
    tail = max(0, len(buf) - 4096)
    i = bytes(buf[tail:]).rfind(_STATIC_ID)
    if i < 0:
        return None
    i += tail
    end = i + len(_STATIC_ID)
    head = hashlib.sha256(buf[:i])
    final = head.copy()
    head.update(buf[i:])
    ident = head.hexdigest()[:32].encode()
    buf[i:end] = b"<" + ident + b"><" + ident + b">"
    final.update(buf[i:])
    return final.digest()


def fix_cid_fonts(pdf: pikepdf.Pdf) -> None:
    """PyMuPDF writes no /CIDToGIDMap for the TrueType CID fonts it embeds (PDFA.md §3.2)."""
    for o in pdf.objects:
        if isinstance(o, Dictionary) and o.get("/Subtype") == "/CIDFontType2" and "/CIDToGIDMap" not in o:
            o.CIDToGIDMap = Name.Identity


def pdfa_claim(data: bytes) -> str | None:
    """The PDF/A part+conformance a PDF claims in its XMP (e.g. '2U'), or None: read as the checker reads it
    (pdfa.xmpparse.claimed_level, bounded). pikepdf's open_metadata inflated the XMP stream whole, so an input
    PDF whose /Metadata inflates to 1 GiB took gigabytes in the builder (issue 19, ninth round)."""
    from ..pdfa.xmpparse import claimed_level

    try:
        with pikepdf.open(io.BytesIO(data), attempt_recovery=False) as pdf:
            status = claimed_level(pdf)
    except Exception:  # noqa: BLE001 - any failure to read the claim means "no claim"
        return None
    return status or None
