"""Making PDF/A-2u documents from scanned pages (docs/spec.md §7, docs/builder.md, PDFA.md §3).

Lossless by construction, never a distilling step:

* JPEG (grey, RGB, CMYK with its ICC profile) is embedded byte for byte (DCTDecode); an embedded ICC
  profile of a grey or RGB JPEG becomes the image's ICCBased colour space.
* TIFF Group 4 (one strip) is embedded byte for byte (CCITTFaxDecode, K -1).
* Everything else (PNG with or without alpha, LZW/Deflate/uncompressed TIFF, 16-bit grey, palette
  images) is decoded and stored with Flate, which is lossless.
* EXIF orientation is honoured with the image transform, so the stored pixels stay untouched.
* An image-only PDF (every page draws exactly one image) is re-wrapped: its image streams are copied
  as they are (LZW is re-encoded as Flate) into a fresh PDF/A-2u file.

Pages get their size from the scan's resolution (A4 width when the file has none). One sRGB
OutputIntent, XMP with pdfaid part 2 / conformance U, a deterministic trailer ID.
"""

from __future__ import annotations

import datetime as dt
import io
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import pikepdf
from pikepdf import Array, Dictionary, Name, Stream
from PIL import Image

from ..errors import UserError
from ..pdfa.images import MAX_IMAGE_PIXELS
from ..pdfa.images_pdf import dpi_pair, scan_dpi
from ..ocr.types import PageRef, PageText
from .finish import finish_pdfa

A4_WIDTH_PT = 595.28
A4_HEIGHT_PT = 841.89
EXIF_ORIENTATION = 0x0112


class ImageInputError(UserError):
    """ImageInput: English and Chinese message (errors.UserError). `code` names the finding code when
    the scan itself is defective (D006 truncated or corrupt, D008 a JPEG coding process PDF cannot
    draw), `page` the page of a multi-page file."""

    def __init__(self, en: str, zh: str, code: str | None = None, page: int | None = None):
        super().__init__(en, zh)
        self.code, self.page = code, page


_CHECKED: set[bytes] = set()  # SHA-256 of scans that passed check_scan in this process


def check_scan(path: Path, data: bytes | None = None) -> None:
    """Refuse a scan whose compressed data does not read to the end, or a JPEG PDF cannot draw
    (`images.verify_image_file`); the message names the file and, for a multi-page file, the page."""
    import hashlib

    from ..pdfa.images import ImageDefect
    from ..pdfa.images_file import verify_image_file

    data = data if data is not None else path.read_bytes()
    # page_refs and images_to_pdfa both ask; decode each file once. A JPEG is remembered by
    # verify_jpeg itself (the preflight's validator finds it there too), so it is not hashed twice.
    jpeg = data[:2] == b"\xff\xd8"
    digest = None if jpeg else hashlib.sha256(data).digest()
    if digest is not None and digest in _CHECKED:
        return
    try:
        verify_image_file(path, data)
        if digest is not None:
            if len(_CHECKED) > 4096:
                _CHECKED.clear()
            _CHECKED.add(digest)
    except ImageDefect as exc:
        if exc.page is not None:
            raise ImageInputError(f"{path.name}: {exc.en}", f"{path.name}：{exc.zh}", exc.code, exc.page) from None
        raise ImageInputError(f"{path.name}: {exc.en}", f"{path.name}：{exc.zh}", exc.code) from None


def _precheck_group(paths: list[Path]) -> list:
    """In a worker: `_precheck` each of files of one size (copies of one scan land in one worker, whose
    own memo then decodes them once)."""
    return [found for found in map(_precheck, paths) if found is not None]


def _precheck(path: Path):
    """In a worker: check one scan; (path, SHA-256, JPEG frame or None, (size, mtime) before it was
    read) when it passed, else None (the parent checks it again itself, so that the error is raised
    there, in order, with its page)."""
    import hashlib

    from ..pdfa.images import ImageDefect
    from ..pdfa.images_file import verify_image_file
    from ..pdfa.images_jpeg import verify_jpeg_digest

    try:
        st = path.stat()
        key = (st.st_size, st.st_mtime_ns)
        data = path.read_bytes()
        if data[:2] == b"\xff\xd8":
            frame, digest = verify_jpeg_digest(data)  # the memo's SHA-256 of data: not hashed twice
            return path, digest, frame, key
        verify_image_file(path, data)
        return path, hashlib.sha256(data).digest(), None, key
    except (ImageDefect, OSError):
        return None
    except Exception:  # noqa: BLE001 - anything else: the parent's own check reports it
        return None


PRECHECK_MIN = 8  # scans: below this a pool costs more than it saves


def precheck_scans(paths: list[Path], jobs: int | None = None) -> dict[Path, tuple[int, int]]:
    """Run the integrity check (`check_scan`) of many scans on every core ahead of the build, noting
    each scan that passed (by SHA-256) where `check_scan` and the preflight's validator look first.
    The entropy decoding of a JPEG is pure Python (0.12-0.25 s for a 600 KB A4 scan here): with two
    cores this halves the wall time of a build of distinct scans (issue 19). Nothing is decided here:
    a scan that failed, or was changed since, is checked again (and refused) by `check_scan` itself.
    Returns the files that passed, with their (size, modification time) when they were read."""
    import os
    import sys

    from ..forkpool import forked_pool
    from ..pdfa.images_jpeg import remember_verified

    paths = list(dict.fromkeys(paths))
    if not jobs:
        jobs = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    passed: dict[Path, tuple[int, int]] = {}
    # fork only where it is the platform's own default (Linux): macOS's system libraries are not fork-safe
    if jobs < 2 or len(paths) < PRECHECK_MIN or not sys.platform.startswith("linux"):
        return passed
    # fork: the workers share the parent's imported modules (no second start-up) and nothing else is
    # running yet (no threads, no OCR pool)
    groups: dict[int, list[Path]] = {}
    for p in paths:
        try:
            groups.setdefault(p.stat().st_size, []).append(p)
        except OSError:
            continue  # check_scan reports it
    with forked_pool(jobs) as pool:  # not `with Pool()`: its terminate() can hang (forkpool.py)
        for path, digest, frame, key in (f for found in pool.imap_unordered(_precheck_group, groups.values())
                                         for f in found):
            passed[path] = key
            if frame is not None:
                remember_verified(digest, frame)
            else:
                if len(_CHECKED) > 4096:
                    _CHECKED.clear()
                _CHECKED.add(digest)
    return passed


def unchanged(path: Path, passed: dict[Path, tuple[int, int]]) -> bool:
    """Whether `precheck_scans` passed `path` and its size and modification time are still the same."""
    key = passed.get(path)
    if key is None:
        return False
    try:
        st = path.stat()
    except OSError:
        return False
    return (st.st_size, st.st_mtime_ns) == key


@dataclass(frozen=True)
class PageInfo:
    dpi: int | None
    colour: str  # bilevel | gray | colour
    passthrough: bool = False  # the encoded image data is the input's, byte for byte
    size_pt: tuple[float, float] = (0.0, 0.0)


def _orientation(img: Image.Image) -> int:
    try:
        value = int(img.getexif().get(EXIF_ORIENTATION, 1))
    except Exception:  # noqa: BLE001 - a broken EXIF block is no orientation
        return 1
    return value if 1 <= value <= 8 else 1


def _open_image(path: Path, data: bytes | None = None) -> tuple[bytes, Image.Image]:
    data = data if data is not None else path.read_bytes()
    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    try:
        img = Image.open(io.BytesIO(data))
        if img.format != "JPEG":
            img.load()
    except (OSError, Image.DecompressionBombError, ValueError, SyntaxError) as exc:
        from ..pdfa.images_file import open_failure

        en, zh = open_failure(data, exc)
        raise ImageInputError(f"{path.name}: {en}", f"{path.name}：{zh}") from None
    return data, img


def _g4_strip(data: bytes, img: Image.Image) -> tuple[bytes, bool] | None:
    """The raw Group 4 data of the current TIFF frame if it can be passed through: one strip (or
    tile-less single strip), FillOrder 1. Returns (data, black_is_1)."""
    if img.format != "TIFF" or img.mode != "1" or img.info.get("compression") != "group4":
        return None
    tags = img.tag_v2
    offsets, counts = tags.get(273), tags.get(279)
    if not offsets or not counts or len(offsets) != 1 or len(counts) != 1:
        return None
    if tags.get(266, 1) != 1 or tags.get(322):  # reversed bit order, or tiled
        return None
    start, length = int(offsets[0]), int(counts[0])
    if start < 0 or length <= 0 or start + length > len(data):
        return None
    photometric = tags.get(262, 0)
    return data[start:start + length], photometric == 1


def page_refs(path: Path, *, checked: bool = False) -> list[PageRef]:
    """Every page of an image file, after the whole file has been checked (`check_scan`). `checked`:
    `precheck_scans` passed the file as it is now (same size and modification time), so only its
    header is read here; the bytes embedded are checked again when the page is made (`_frames`, a
    memo lookup by SHA-256) and by the preflight, so a file changed meanwhile is still caught."""
    if checked:
        Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
        try:
            with Image.open(path) as img:
                return _refs(path, img)
        except ImageInputError:
            raise
        except Exception:  # noqa: BLE001 - the full check below says what is wrong
            pass
    data = path.read_bytes()  # once: checked and opened from the same bytes
    check_scan(path, data)
    _, img = _open_image(path, data)
    return _refs(path, img)


def _refs(path: Path, img: Image.Image) -> list[PageRef]:
    if img.format == "JPEG":
        return [PageRef(path, 0, _orientation(img))]
    refs = []
    for i in range(getattr(img, "n_frames", 1)):
        try:
            img.seek(i)
        except (OSError, ValueError, EOFError) as exc:
            raise ImageInputError(f"{path.name}: page {i + 1} cannot be read ({exc})",
                                  f"{path.name}：第 {i + 1} 页无法读取（{exc}）") from None
        refs.append(PageRef(path, i, _orientation(img)))
    return refs


def _frames(path: Path):
    """(image, original bytes if they can be embedded as they are, G4 strip or None, orientation)
    for every page in the file, after the whole file has been checked (`check_scan`)."""
    data = path.read_bytes()  # once: checked, opened and embedded from the same bytes
    check_scan(path, data)
    data, img = _open_image(path, data)
    if img.format == "JPEG":
        yield img, data, None, _orientation(img)
        return
    for i in range(getattr(img, "n_frames", 1)):
        try:
            img.seek(i)
            g4 = _g4_strip(data, img)
            frame = img.copy()
        except (OSError, ValueError, EOFError) as exc:
            raise ImageInputError(f"{path.name}: page {i + 1} cannot be read ({exc})",
                                  f"{path.name}：第 {i + 1} 页无法读取（{exc}）") from None
        frame.info = dict(img.info)
        yield frame, None, g4, _orientation(img)


def _icc_ok(icc: bytes | None, space: bytes) -> bool:
    """A profile we may embed as the image's ICCBased colour space (PDF/A-2 6.2.4.2)."""
    if not icc or len(icc) < 128:
        return False
    return icc[16:20] == space and icc[8] < 5 and icc[12:16] in (b"mntr", b"scnr", b"prtr", b"spac")


def _image_xobject(pdf: pikepdf.Pdf, path: Path, img: Image.Image, jpeg: bytes | None,
                   g4: tuple[bytes, bool] | None = None) -> tuple[Stream, PageInfo]:
    w, h = img.size
    dpi = scan_dpi(img)
    if jpeg is not None and img.mode in ("L", "RGB"):
        icc = img.info.get("icc_profile")
        space, n = (b"GRAY", 1) if img.mode == "L" else (b"RGB ", 3)
        if _icc_ok(icc, space):
            cs = Array([Name.ICCBased, Stream(pdf, icc, N=n)])
        else:
            cs = Name.DeviceGray if img.mode == "L" else Name.DeviceRGB
        xobj = Stream(pdf, jpeg, Type=Name.XObject, Subtype=Name.Image, Width=w, Height=h,
                      ColorSpace=cs, BitsPerComponent=8, Filter=Name.DCTDecode)
        return xobj, PageInfo(dpi, "gray" if img.mode == "L" else "colour", True)
    if jpeg is not None and img.mode == "CMYK":
        icc = img.info.get("icc_profile")
        if not _icc_ok(icc, b"CMYK"):
            raise ImageInputError(
                f"{path.name}: CMYK JPEG without a usable embedded ICC profile cannot be placed in PDF/A losslessly; "
                "export it as RGB or embed the profile",
                f"{path.name}：CMYK JPEG 未嵌入可用的 ICC 配置文件，无法无损放入 PDF/A；请导出为 RGB 或嵌入配置文件")
        xobj = Stream(pdf, jpeg, Type=Name.XObject, Subtype=Name.Image, Width=w, Height=h,
                      ColorSpace=Array([Name.ICCBased, Stream(pdf, icc, N=4)]), BitsPerComponent=8,
                      Filter=Name.DCTDecode)
        if "adobe" in img.info:
            xobj.Decode = Array([1, 0] * 4)
        return xobj, PageInfo(dpi, "colour", True)
    if jpeg is not None:
        raise ImageInputError(f"{path.name}: JPEG colour mode {img.mode} is not supported",
                              f"{path.name}：不支持 JPEG 颜色模式 {img.mode}")
    if g4 is not None:
        strip, black_is_1 = g4
        parms = Dictionary(K=-1, Columns=w, Rows=h, BlackIs1=black_is_1)
        xobj = Stream(pdf, strip, Type=Name.XObject, Subtype=Name.Image, Width=w, Height=h,
                      ColorSpace=Name.DeviceGray, BitsPerComponent=1, Filter=Name.CCITTFaxDecode,
                      DecodeParms=parms)
        return xobj, PageInfo(dpi, "bilevel", True)
    # Everything else: decode and store losslessly with Flate.
    if img.mode == "1":
        xobj = Stream(pdf, zlib.compress(img.tobytes(), 6), Type=Name.XObject, Subtype=Name.Image, Width=w, Height=h,
                      ColorSpace=Name.DeviceGray, BitsPerComponent=1, Filter=Name.FlateDecode)
        return xobj, PageInfo(dpi, "bilevel")
    if img.mode in ("I;16", "I;16B", "I;16L"):
        raw = img.tobytes("raw", "I;16B")
        xobj = Stream(pdf, zlib.compress(raw, 6), Type=Name.XObject, Subtype=Name.Image, Width=w, Height=h,
                      ColorSpace=Name.DeviceGray, BitsPerComponent=16, Filter=Name.FlateDecode)
        return xobj, PageInfo(dpi, "gray")
    if img.mode == "P" and "transparency" not in img.info and img.palette is not None and img.palette.mode == "RGB":
        palette = img.getpalette() or []
        colours = max(img.getextrema()[1] + 1, 1) if img.getextrema() else 256
        lookup = bytes(palette[:3 * colours]).ljust(3 * colours, b"\0")
        xobj = Stream(pdf, zlib.compress(img.tobytes(), 6), Type=Name.XObject, Subtype=Name.Image, Width=w, Height=h,
                      ColorSpace=Array([Name.Indexed, Name.DeviceRGB, colours - 1, pikepdf.String(lookup)]),
                      BitsPerComponent=8, Filter=Name.FlateDecode)
        return xobj, PageInfo(dpi, "colour")
    alpha = None
    if img.mode in ("LA", "RGBA", "PA") or (img.mode == "P" and "transparency" in img.info):
        img = img.convert("LA" if img.mode == "LA" else "RGBA")
        alpha = img.getchannel("A")
        img = img.convert("L" if img.mode == "LA" else "RGB")
    elif img.mode not in ("L", "RGB"):
        img = img.convert("L" if img.mode in ("I", "F") else "RGB")
    cs = Name.DeviceGray if img.mode == "L" else Name.DeviceRGB
    icc = img.info.get("icc_profile")
    if _icc_ok(icc, b"GRAY" if img.mode == "L" else b"RGB "):
        cs = Array([Name.ICCBased, Stream(pdf, icc, N=1 if img.mode == "L" else 3)])
    xobj = Stream(pdf, zlib.compress(img.tobytes(), 6), Type=Name.XObject, Subtype=Name.Image, Width=w, Height=h,
                  ColorSpace=cs, BitsPerComponent=8, Filter=Name.FlateDecode)
    if alpha is not None and alpha.getextrema() != (255, 255):
        xobj.SMask = Stream(pdf, zlib.compress(alpha.tobytes(), 6), Type=Name.XObject, Subtype=Name.Image,
                            Width=w, Height=h, ColorSpace=Name.DeviceGray, BitsPerComponent=8,
                            Filter=Name.FlateDecode)
    return xobj, PageInfo(dpi, "gray" if img.mode == "L" else "colour")


# EXIF orientation -> where raw pixel (x, y) of a W x H image lands in the upright image.
_ORIENT = {
    1: lambda x, y, W, H: (x, y),
    2: lambda x, y, W, H: (W - x, y),
    3: lambda x, y, W, H: (W - x, H - y),
    4: lambda x, y, W, H: (x, H - y),
    5: lambda x, y, W, H: (y, x),
    6: lambda x, y, W, H: (H - y, x),
    7: lambda x, y, W, H: (H - y, W - x),
    8: lambda x, y, W, H: (y, W - x),
}


def _placement(w: int, h: int, orientation: int, sx: float, sy: float) -> tuple[float, float, list[float]]:
    """Page size and the image matrix that shows a w x h image upright at sx, sy points per pixel
    (sx, sy along the upright image's axes)."""
    t = _ORIENT.get(orientation, _ORIENT[1])
    uw, uh = (h, w) if orientation in (5, 6, 7, 8) else (w, h)
    pw, ph = uw * sx, uh * sy

    def page(u, v):  # unit-square point of the image -> page point
        X, Y = t(u * w, (1 - v) * h, w, h)
        return X * sx, ph - Y * sy

    (e, f), (x1, y1), (x2, y2) = page(0, 0), page(1, 0), page(0, 1)
    return pw, ph, [x1 - e, y1 - f, x2 - e, y2 - f, e, f]


def images_to_pdfa(images: list[Path], *, title: str, author: str | None, created: dt.datetime,
                   lang: str = "zh-CN", text_layers: Sequence[PageText | None] | None = None,
                   digests: dict | None = None) -> tuple[bytes, list[PageInfo]]:
    """Build one PDF/A-2u document, one page per image (per frame of a multi-page TIFF); return its
    bytes and per-page info. `text_layers`, one per page, adds an invisible OCR text layer. `digests`:
    as for finish_pdfa."""
    pdf = pikepdf.new()
    infos = []
    for path, (img, jpeg, g4, orientation) in ((p, frame) for p in images for frame in _frames(p)):
        w, h = img.size
        xobj, info = _image_xobject(pdf, path, img, jpeg, g4)
        dx, dy = dpi_pair(img)
        if dx:
            rx, ry = 72.0 / dx, 72.0 / dy  # points per pixel along the stored image's axes
        else:
            upright_w = h if orientation in (5, 6, 7, 8) else w
            rx = ry = A4_WIDTH_PT / upright_w
        sx, sy = (ry, rx) if orientation in (5, 6, 7, 8) else (rx, ry)
        pw, ph, m = _placement(w, h, orientation, sx, sy)
        if not (3 <= pw <= 14400 and 3 <= ph <= 14400):
            raise ImageInputError(f"{path.name}: page size {pw:.0f}×{ph:.0f} pt is outside PDF limits",
                                  f"{path.name}：页面尺寸 {pw:.0f}×{ph:.0f} 磅超出 PDF 限制")
        page = pikepdf.Page(Dictionary(Type=Name.Page, MediaBox=Array([0, 0, round(pw, 4), round(ph, 4)]),
                                       Resources=Dictionary(XObject=Dictionary(Im0=xobj))))
        pdf.pages.append(page)
        cm = " ".join(f"{v:.4f}" for v in m)
        pdf.pages[-1].Contents = pdf.make_stream(f"q {cm} cm /Im0 Do Q".encode())
        infos.append(PageInfo(info.dpi, info.colour, info.passthrough, (pw, ph)))
    if text_layers and any(text_layers):
        from .textlayer import add_text_layers

        add_text_layers(pdf, list(text_layers))
    return finish_pdfa(pdf, title=title, author=author, created=created, lang=lang, digests=digests), infos


# ----------------------------------------------------------------------------------------------
# Image-only PDFs: re-wrap losslessly

_PASS_FILTERS = {"/DCTDecode", "/FlateDecode", "/CCITTFaxDecode", "/RunLengthDecode", "/JBIG2Decode", "/JPXDecode"}
_PAINT_OPS = {"q", "Q", "cm", "Do"}


class NotImageOnly(UserError):
    """Why a PDF cannot be re-wrapped losslessly (English, Chinese)."""


def _image_ok(img: pikepdf.Object, where: str) -> None:
    filters = img.get("/Filter")
    flist = list(filters) if isinstance(filters, Array) else ([filters] if filters is not None else [])
    names = [str(f) for f in flist]
    bad = [n for n in names if n not in _PASS_FILTERS | {"/LZWDecode"}]
    if bad:
        raise NotImageOnly(f"{where}: image filter {bad[0]} cannot be kept", f"{where}：图像压缩方式 {bad[0]} 无法保留")
    cs = img.get("/ColorSpace")
    base = cs[1] if isinstance(cs, Array) and len(cs) > 1 and str(cs[0]) == "/Indexed" else cs
    if isinstance(base, Name) and str(base) == "/DeviceCMYK" and "/JPXDecode" not in names:
        raise NotImageOnly(f"{where}: DeviceCMYK image without an ICC profile",
                           f"{where}：DeviceCMYK 图像没有 ICC 配置文件")
    if isinstance(base, Array) and str(base[0]) not in ("/ICCBased", "/CalGray", "/CalRGB", "/Lab"):
        raise NotImageOnly(f"{where}: colour space {base[0]} is not supported",
                           f"{where}：不支持颜色空间 {base[0]}")


def _lzw_length(data: bytes, cap: int, early: int = 1) -> int:
    """The length of LZW data decoded (ISO 32000-1 7.4.4: 9 to 12-bit codes, 256 clear, 257 end of data,
    /EarlyChange `early`), counted from the code table's entry lengths alone and stopping past `cap`: what
    qpdf's decoder would hand out, without holding it."""
    total = 0
    lens: list[int] = [1] * 258
    prev = None
    width = 9
    pos = 0
    nbits = len(data) * 8
    data = data + b"\0\0"
    while pos + width <= nbits:
        i = pos >> 3
        code = (((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]) >> (24 - (pos & 7) - width)) & ((1 << width) - 1)
        pos += width
        if code == 256:
            del lens[258:]
            prev, width = None, 9
            continue
        if code == 257:
            break
        if code < len(lens):
            n = lens[code]
        elif code == len(lens) and prev is not None:
            n = lens[prev] + 1
        else:
            break  # not a code of the table: the decoder stops
        if prev is not None and len(lens) < 4096:
            lens.append(lens[prev] + 1)
        prev = code
        total += n
        if total > cap:
            return total
        width = min(12, max(9, (len(lens) + early).bit_length()))
    return total


def _lzw_bounded(img, where: str) -> None:
    """NotImageOnly unless the LZW data of image `img` decodes to no more than its pixels need (Width ×
    Height × components × bits, with a PNG predictor's byte a row): qpdf's read_bytes decodes it whole, and
    LZW expands up to ~2,800 times, so a 1 MB image could take gigabytes there (issue 19, ninth round)."""
    from ..pdfa.images_pdf import _n_components

    try:
        w, h = int(img.get("/Width")), int(img.get("/Height"))
        bpc = 1 if img.get("/ImageMask") else int(img.get("/BitsPerComponent", 8))
        ncomp = _n_components(img)
        parms = img.get("/DecodeParms")
        parms = parms if isinstance(parms, Dictionary) else Dictionary()
        predictor = int(parms.get("/Predictor", 1))
        early = int(parms.get("/EarlyChange", 1))
    except Exception:  # noqa: BLE001
        ncomp = None
    if ncomp is None or not (0 < w and 0 < h and 0 < bpc <= 16):
        raise NotImageOnly(f"{where}: LZW image of unknown size", f"{where}：LZW 图像尺寸不明")
    row = (w * ncomp * bpc + 7) // 8 + (1 if predictor >= 10 else 0)
    need = row * h
    if w * h > MAX_IMAGE_PIXELS:  # the builder's own limit for a scan
        raise NotImageOnly(f"{where}: LZW image of {w}×{h} pixels is too large", f"{where}：LZW 图像 {w}×{h} 像素过大")
    got = _lzw_length(img.read_raw_bytes(), need, early)
    if got > need:
        raise NotImageOnly(f"{where}: LZW image data decodes to more than the {need} bytes of its {w}×{h} pixels",
                           f"{where}：LZW 图像数据解码后超过其 {w}×{h} 像素所需的 {need} 字节")


def _page_instructions(scratch: pikepdf.Pdf, page) -> list:
    """The instructions of a page's content streams, each read through the PDF checker's bounded reader and
    parsed only within its token limit (PdfLimits: max_stream_bytes, max_stream_tokens): pikepdf's own
    parse_content_stream(page) inflated the streams whole and held every instruction (~200 bytes a token),
    so a 20 KB input PDF took gigabytes here (issue 19, ninth round). LimitExceeded past either limit."""
    from ..pdfa.context import read_stream
    from ..pdfa.limits import PdfLimits, parse_guard

    limits = PdfLimits()
    contents = page.obj.get("/Contents")
    streams = list(contents) if isinstance(contents, Array) else [contents] if contents is not None else []
    ops: list = []
    for st in streams:
        if not isinstance(st, Stream):
            raise ValueError("page content is not a stream")
        data = parse_guard(read_stream(st, limits.max_stream_bytes), limits.max_stream_tokens)
        ops += pikepdf.parse_content_stream(Stream(scratch, data))
    return ops


def rewrap_image_pdf(data: bytes, *, title: str, author: str | None, created: dt.datetime,
                     lang: str = "zh-CN") -> tuple[bytes, int]:
    """Rebuild an image-only scan PDF as PDF/A-2u without touching its image data. Raises
    NotImageOnly with the reason when the PDF has anything else (text, vector graphics, forms…)."""
    try:
        src = pikepdf.open(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001
        raise NotImageOnly(f"not a readable PDF ({exc})", f"无法读取的 PDF（{exc}）") from None
    with src:
        if src.is_encrypted:
            raise NotImageOnly("the PDF is encrypted", "PDF 已加密")
        out = pikepdf.new()
        for n, page in enumerate(src.pages, start=1):
            where = f"page {n}"
            res = page.obj.get("/Resources") or Dictionary()
            other = [str(k) for k in res.keys() if str(k) not in ("/XObject", "/ProcSet")]
            if other:
                raise NotImageOnly(f"{where} has {other[0][1:]} resources (text or graphics, not only a scan)",
                                   f"第 {n} 页含有 {other[0][1:]} 资源（有文字或图形，不是纯扫描页）")
            xobjs = res.get("/XObject") or Dictionary()
            try:
                ops = _page_instructions(out, page)
            except Exception as exc:  # noqa: BLE001
                raise NotImageOnly(f"{where}: unreadable content ({exc})", f"第 {n} 页内容无法读取（{exc}）") from None
            used = []
            for operands, op in ops:
                if str(op) not in _PAINT_OPS:
                    raise NotImageOnly(f"{where} draws with '{op}' (text or vector graphics, not only a scan)",
                                       f"第 {n} 页使用了 '{op}' 操作（有文字或矢量图形，不是纯扫描页）")
                if str(op) == "Do":
                    used.append(operands[0])
            if not used:
                raise NotImageOnly(f"{where} has no image", f"第 {n} 页没有图像")
            new_x = Dictionary()
            for key in used:
                img = xobjs.get(key)
                if img is None or img.get("/Subtype") != "/Image":
                    raise NotImageOnly(f"{where}: {key} is not an image", f"第 {n} 页：{key} 不是图像")
                _image_ok(img, f"page {n}")
                copy = out.copy_foreign(img)
                for drop in ("/Metadata", "/Alternates", "/OPI", "/Intent", "/Interpolate", "/StructParent", "/ID"):
                    if drop in copy:
                        del copy[drop]
                filters = copy.get("/Filter")
                fnames = [str(f) for f in (filters if isinstance(filters, Array) else [filters])] if filters is not None else []
                if "/LZWDecode" in fnames and fnames != ["/LZWDecode"]:
                    raise NotImageOnly(f"{where}: LZW combined with other filters", f"第 {n} 页：LZW 与其他压缩方式组合")
                if fnames == ["/LZWDecode"]:
                    _lzw_bounded(img, where)  # before qpdf decodes it whole
                    raw = img.read_bytes()
                    copy.write(zlib.compress(raw, 6), filter=Name.FlateDecode)
                    if "/DecodeParms" in copy:
                        del copy["/DecodeParms"]
                smask = copy.get("/SMask")
                if smask is not None:
                    _image_ok(smask, f"page {n} (mask)")
                new_x[key] = copy
            box = Array([float(v) for v in page.mediabox])
            new = pikepdf.Page(Dictionary(Type=Name.Page, MediaBox=box, Resources=Dictionary(XObject=new_x)))
            out.pages.append(new)
            if "/CropBox" in page.obj:
                out.pages[-1].obj.CropBox = Array([float(v) for v in page.obj.CropBox])
            if "/Rotate" in page.obj:
                out.pages[-1].obj.Rotate = int(page.obj.Rotate)
            content = b"".join(pikepdf.unparse_content_stream(ops).splitlines(keepends=True))
            out.pages[-1].Contents = out.make_stream(content)
        if not len(out.pages):
            raise NotImageOnly("the PDF has no pages", "PDF 没有页面")
        pages = len(out.pages)
        return finish_pdfa(out, title=title, author=author, created=created, lang=lang), pages
