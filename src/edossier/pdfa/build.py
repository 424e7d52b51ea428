"""Making PDF/A-2u documents from scanned pages (docs/spec.md §7, reference recipe in PDFA.md §3).

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


def _open_image(path: Path) -> tuple[bytes, Image.Image]:
    data = path.read_bytes()
    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    try:
        img = Image.open(io.BytesIO(data))
        if img.format != "JPEG":
            img.load()
    except (OSError, Image.DecompressionBombError, ValueError, SyntaxError) as exc:
        raise ImageInputError(f"{path.name}: not a readable image ({exc})", f"{path.name}：无法读取的图像（{exc}）") from None
    return data, img


def _frames(path: Path):
    """(image, original bytes if they can be embedded as they are) for every page in the file."""
    data, img = _open_image(path)
    if img.format == "JPEG":
        yield img, data
        return
    for i in range(getattr(img, "n_frames", 1)):
        try:
            img.seek(i)
            frame = img.copy()
        except (OSError, ValueError, EOFError) as exc:
            raise ImageInputError(f"{path.name}: page {i + 1} cannot be read ({exc})",
                                  f"{path.name}：第 {i + 1} 页无法读取（{exc}）") from None
        frame.info = dict(img.info)
        yield frame, None


def _image_xobject(pdf: pikepdf.Pdf, path: Path, img: Image.Image, jpeg: bytes | None) -> tuple[Stream, PageInfo]:
    w, h = img.size
    dpi = _dpi(img)
    if jpeg is not None and img.mode in ("L", "RGB"):
        cs = Name.DeviceGray if img.mode == "L" else Name.DeviceRGB
        xobj = Stream(pdf, jpeg, Type=Name.XObject, Subtype=Name.Image, Width=w, Height=h,
                      ColorSpace=cs, BitsPerComponent=8, Filter=Name.DCTDecode)
        return xobj, PageInfo(dpi, "gray" if img.mode == "L" else "colour")
    if jpeg is not None and img.mode == "CMYK":
        icc = img.info.get("icc_profile")
        if not icc:
            raise ImageInputError(
                f"{path.name}: CMYK JPEG without an embedded ICC profile cannot be placed in PDF/A losslessly",
                f"{path.name}：CMYK JPEG 未嵌入 ICC 配置文件，无法无损放入 PDF/A")
        xobj = Stream(pdf, jpeg, Type=Name.XObject, Subtype=Name.Image, Width=w, Height=h,
                      ColorSpace=Array([Name.ICCBased, Stream(pdf, icc, N=4)]), BitsPerComponent=8,
                      Filter=Name.DCTDecode)
        if "adobe" in img.info:
            xobj.Decode = Array([1, 0] * 4)
        return xobj, PageInfo(dpi, "colour")
    if jpeg is not None:
        raise ImageInputError(f"{path.name}: JPEG colour mode {img.mode} is not supported",
                              f"{path.name}：不支持 JPEG 颜色模式 {img.mode}")
    # Everything else: decode and store losslessly with Flate.
    if img.mode == "1":
        xobj = Stream(pdf, zlib.compress(img.tobytes(), 6), Type=Name.XObject, Subtype=Name.Image, Width=w, Height=h,
                      ColorSpace=Name.DeviceGray, BitsPerComponent=1, Filter=Name.FlateDecode)
        return xobj, PageInfo(dpi, "bilevel")
    alpha = None
    if img.mode in ("LA", "RGBA", "PA") or (img.mode == "P" and "transparency" in img.info):
        img = img.convert("LA" if img.mode == "LA" else "RGBA")
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
    return xobj, PageInfo(dpi, "gray" if img.mode == "L" else "colour")


def images_to_pdfa(images: list[Path], *, title: str, author: str | None, created: dt.datetime,
                   lang: str = "zh-CN") -> tuple[bytes, list[PageInfo]]:
    """Build one PDF/A-2u document, one page per image (per frame of a multi-page TIFF); return its
    bytes and per-page info."""
    pdf = pikepdf.new()
    infos = []
    for path, (img, jpeg) in ((p, frame) for p in images for frame in _frames(p)):
        w, h = img.size
        xobj, info = _image_xobject(pdf, path, img, jpeg)
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
