"""Making PDF/A-2u documents from scanned pages (docs/spec.md §5, reference recipe in PDFA.md §3).

JPEG scans are embedded byte for byte (DCTDecode); other raster formats are decoded and stored with
Flate, which is lossless. Pages get their size from the scan's resolution (A4 width when the file
has none). One sRGB OutputIntent, XMP with pdfaid part 2 / conformance U, a deterministic trailer ID.
"""

from __future__ import annotations

import datetime as dt
import io
import zlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name, Stream
from PIL import Image, ImageCms

A4_WIDTH_PT = 595.28
MAX_IMAGE_PIXELS = 200_000_000
PRODUCER = "edossier"


class ImageInputError(ValueError):
    def __init__(self, en: str, zh: str):
        super().__init__(en)
        self.en = en
        self.zh = zh


@dataclass(frozen=True)
class PageInfo:
    dpi: int | None
    colour: str  # bilevel | gray | colour


@cache
def srgb_icc() -> bytes:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def _dpi(img: Image.Image) -> int | None:
    dpi = img.info.get("dpi")
    if not dpi:
        return None
    try:
        value = int(round(float(dpi[0])))
    except (TypeError, ValueError):
        return None
    return value if 20 <= value <= 4800 else None


def _image_xobject(pdf: pikepdf.Pdf, path: Path) -> tuple[Stream, int, int, PageInfo]:
    data = path.read_bytes()
    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    try:
        img = Image.open(io.BytesIO(data))
        img.load() if img.format != "JPEG" else None
    except (OSError, Image.DecompressionBombError, ValueError, SyntaxError) as exc:
        raise ImageInputError(f"{path.name}: not a readable image ({exc})", f"{path.name}：无法读取的图像（{exc}）") from None
    w, h = img.size
    dpi = _dpi(img)
    if img.format == "JPEG" and img.mode in ("L", "RGB"):
        cs = Name.DeviceGray if img.mode == "L" else Name.DeviceRGB
        xobj = Stream(pdf, data, Type=Name.XObject, Subtype=Name.Image, Width=w, Height=h,
                      ColorSpace=cs, BitsPerComponent=8, Filter=Name.DCTDecode)
        return xobj, w, h, PageInfo(dpi, "gray" if img.mode == "L" else "colour")
    if img.format == "JPEG" and img.mode == "CMYK":
        icc = img.info.get("icc_profile")
        if not icc:
            raise ImageInputError(
                f"{path.name}: CMYK JPEG without an embedded ICC profile cannot be placed in PDF/A losslessly",
                f"{path.name}：CMYK JPEG 未嵌入 ICC 配置文件，无法无损放入 PDF/A")
        icc_stream = Stream(pdf, icc, N=4)
        decode = Array([1, 0] * 4) if "adobe" in img.info else None
        xobj = Stream(pdf, data, Type=Name.XObject, Subtype=Name.Image, Width=w, Height=h,
                      ColorSpace=Array([Name.ICCBased, icc_stream]), BitsPerComponent=8, Filter=Name.DCTDecode)
        if decode is not None:
            xobj.Decode = decode
        return xobj, w, h, PageInfo(dpi, "colour")
    # Everything else: decode and store losslessly with Flate.
    alpha = None
    if img.mode == "1":
        raw = img.tobytes()
        xobj = Stream(pdf, zlib.compress(raw, 6), Type=Name.XObject, Subtype=Name.Image, Width=w, Height=h,
                      ColorSpace=Name.DeviceGray, BitsPerComponent=1, Filter=Name.FlateDecode,
                      Decode=Array([0, 1]))
        return xobj, w, h, PageInfo(dpi, "bilevel")
    if img.mode in ("LA", "RGBA", "PA", "P") and ("transparency" in img.info or img.mode.endswith("A")):
        img = img.convert("RGBA") if img.mode != "LA" else img
        alpha = img.getchannel("A")
        img = img.convert("L" if img.mode == "LA" else "RGB")
    elif img.mode not in ("L", "RGB"):
        img = img.convert("L" if img.mode in ("I;16", "I", "F") else "RGB")
    cs = Name.DeviceGray if img.mode == "L" else Name.DeviceRGB
    xobj = Stream(pdf, zlib.compress(img.tobytes(), 6), Type=Name.XObject, Subtype=Name.Image, Width=w, Height=h,
                  ColorSpace=cs, BitsPerComponent=8, Filter=Name.FlateDecode)
    if alpha is not None and alpha.getextrema() != (255, 255):
        xobj.SMask = Stream(pdf, zlib.compress(alpha.tobytes(), 6), Type=Name.XObject, Subtype=Name.Image,
                            Width=w, Height=h, ColorSpace=Name.DeviceGray, BitsPerComponent=8,
                            Filter=Name.FlateDecode)
    return xobj, w, h, PageInfo(dpi, "gray" if img.mode == "L" else "colour")


def images_to_pdfa(images: list[Path], *, title: str, author: str | None, created: dt.datetime,
                   lang: str = "zh-CN") -> tuple[bytes, list[PageInfo]]:
    """Build one PDF/A-2u document with one page per image; return its bytes and per-page info."""
    pdf = pikepdf.new()
    infos = []
    for path in images:
        xobj, w, h, info = _image_xobject(pdf, path)
        scale = 72.0 / info.dpi if info.dpi else A4_WIDTH_PT / w
        pw, ph = w * scale, h * scale
        if not (3 <= pw <= 14400 and 3 <= ph <= 14400):
            raise ImageInputError(f"{path.name}: page size {pw:.0f}×{ph:.0f} pt is outside PDF limits",
                                  f"{path.name}：页面尺寸 {pw:.0f}×{ph:.0f} 磅超出 PDF 限制")
        page = pikepdf.Page(Dictionary(Type=Name.Page, MediaBox=Array([0, 0, pw, ph]),
                                       Resources=Dictionary(XObject=Dictionary(Im0=xobj))))
        pdf.pages.append(page)
        pdf.pages[-1].Contents = pdf.make_stream(f"q {pw:.4f} 0 0 {ph:.4f} 0 0 cm /Im0 Do Q".encode())
        infos.append(info)
    return finish_pdfa(pdf, title=title, author=author, created=created, lang=lang), infos


def finish_pdfa(pdf: pikepdf.Pdf, *, title: str, author: str | None, created: dt.datetime, lang: str) -> bytes:
    """The PDF/A plumbing shared by every document we make: OutputIntent, XMP, Info, ID."""
    icc = Stream(pdf, srgb_icc(), N=3)
    pdf.Root.OutputIntents = Array([Dictionary(
        Type=Name.OutputIntent, S=Name.GTS_PDFA1,
        OutputConditionIdentifier=pikepdf.String("sRGB"), Info=pikepdf.String("sRGB IEC61966-2.1"),
        RegistryName=pikepdf.String("http://www.color.org"), DestOutputProfile=pdf.make_indirect(icc))])
    pdf.Root.Lang = pikepdf.String(lang)
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
        meta["pdfaid:conformance"] = "U"
        meta["dc:title"] = title
        if author:
            meta["dc:creator"] = [author]
        meta["pdf:Producer"] = PRODUCER
        iso = stamp.isoformat()
        meta["xmp:CreateDate"] = iso
        meta["xmp:ModifyDate"] = iso
        meta["xmp:MetadataDate"] = iso
    out = io.BytesIO()
    pdf.save(out, deterministic_id=True, min_version="1.7", fix_metadata_version=False,
             object_stream_mode=pikepdf.ObjectStreamMode.preserve, compress_streams=True)
    return out.getvalue()


def pdfa_claim(data: bytes) -> str | None:
    """The PDF/A part+conformance a PDF claims in its XMP (e.g. '2U'), or None."""
    try:
        with pikepdf.open(io.BytesIO(data), attempt_recovery=False) as pdf:
            status = pdf.open_metadata().pdfa_status
    except Exception:  # noqa: BLE001 - any failure to read the claim means "no claim"
        return None
    return status or None
