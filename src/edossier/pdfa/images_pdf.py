"""Images inside a PDF: every DCTDecode image through the JPEG check, Flate images inflated and counted
row by row, placements on the page for the 200 dpi warning (D007), and the declared resolution."""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass
from edossier.pdfa.images import _INFLATE_CHUNK, ImageDefect, MIN_DPI
from edossier.pdfa.images_jpeg import verify_jpeg
from edossier.pdfa.limits import PdfLimits


@dataclass(frozen=True)
class ImageFinding:
    code: str  # D006 | D007 | D008 | X005 (could not check)
    location: str  # "page 3, image /Im0"
    en: str
    zh: str


def check_pdf_images(pdf, *, max_stream_bytes: int = 64 << 20, min_dpi: int = MIN_DPI,
                     max_stream_tokens: int = PdfLimits.max_stream_tokens) -> list[ImageFinding]:
    """Check every image XObject drawn by the pages of an open pikepdf.Pdf (each stream once): its
    compressed data (DCTDecode: `verify_jpeg`; Flate: inflated within `max_stream_bytes`, all rows
    there), and the resolution of every image that covers at least half a page (D007 below `min_dpi`;
    a page content stream of more than `max_stream_tokens` tokens is not parsed, PdfLimits)."""
    import pikepdf

    out: list[ImageFinding] = []
    seen: set = set()
    budget = [_MAX_CONTENT_BYTES]
    for n, page in enumerate(pdf.pages, start=1):
        try:
            placements = _placements(pdf, page, max_stream_bytes, budget, max_stream_tokens)
        except Exception:  # noqa: BLE001 - too large or unreadable: the PDF checks report the content itself
            # (PDF-UNREADABLE past the same limits, a finding for a stream that does not decode); D007 is a warning
            placements = {}
        xobjs = {}
        try:
            res = page.obj.get("/Resources")
            xd = res.get("/XObject") if res is not None else None
            if xd is not None:
                xobjs = {str(k): xd[k] for k in xd.keys()}
        except Exception:  # noqa: BLE001
            xobjs = {}
        try:
            box = [float(v) for v in page.mediabox]
            page_area = abs(box[2] - box[0]) * abs(box[3] - box[1])
        except Exception:  # noqa: BLE001
            page_area = 0.0
        for key, img in xobjs.items():
            if not isinstance(img, pikepdf.Stream) or img.get("/Subtype") != "/Image":
                continue
            where = f"page {n}, image {key}"
            ident = img.objgen if img.objgen != (0, 0) else id(img)
            if ident not in seen:
                seen.add(ident)
                f = _check_image_stream(img, where, max_stream_bytes)
                if f is not None:
                    out.append(f)
                smask = img.get("/SMask")
                if isinstance(smask, pikepdf.Stream):
                    f = _check_image_stream(smask, where + " (soft mask)", max_stream_bytes)
                    if f is not None:
                        out.append(f)
            for m in placements.get(key, ()):
                f = _resolution(img, m, page_area, where, min_dpi)
                if f is not None:
                    out.append(f)
                    break
    # images not drawn directly by a page (inside forms, patterns, annotations' appearances)
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") == "/Image" and obj.objgen not in seen:
            seen.add(obj.objgen)
            f = _check_image_stream(obj, f"object {obj.objgen[0]} {obj.objgen[1]} R", max_stream_bytes)
            if f is not None:
                out.append(f)
    return out


_MAX_CONTENT_BYTES = 64 << 20  # content-stream bytes parsed for placements, per document


def _decoded(stream, names: list[str], cap: int) -> bytes:
    """A stream's data through ASCIIHex/ASCII85/Flate filters only, never more than `cap` bytes
    (a compression bomb stops at the cap with ValueError)."""
    from .limits import ascii_decode

    data = stream.read_raw_bytes()
    for name in names:
        if name in ("/FlateDecode", "/Fl"):
            d = zlib.decompressobj()
            data = d.decompress(data, cap + 1)
        elif name in ("/ASCIIHexDecode", "/AHx", "/ASCII85Decode", "/A85"):
            data = ascii_decode(name, data)
        else:
            raise ValueError(f"filter {name} is not decoded here")
        if len(data) > cap:
            raise ValueError(f"more than {cap} bytes")
    return data


def _placements(pdf, page, cap: int, budget: list[int], max_tokens: int) -> dict[str, list[list[float]]]:
    """The current transformation matrix at every `Do` of the page's own content stream, decoded
    within `cap` bytes a stream and `budget` bytes a document, and parsed only when a stream holds at most
    `max_tokens` tokens (the PDF checks report larger ones: PdfLimits.max_stream_bytes, max_stream_tokens).
    The streams are parsed one by one (ISO 32000-1 7.8.2: they divide only between tokens), each through
    the checks' bounded reader: pikepdf holds a parsed stream whole, ~200 bytes a token, and an 18 KB page
    of 8 M "q" took 2.3 GB here until issue 19's ninth round."""
    import pikepdf

    from .context import read_stream
    from .limits import parse_guard

    contents = page.obj.get("/Contents")
    streams = list(contents) if isinstance(contents, pikepdf.Array) else [contents] if contents is not None else []
    ctm = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]
    stack = []
    out: dict[str, list] = {}
    for st in streams:
        if not isinstance(st, pikepdf.Stream):
            continue
        data = read_stream(st, min(cap, budget[0]))
        budget[0] -= len(data)
        instructions = pikepdf.parse_content_stream(pikepdf.Stream(pdf, parse_guard(data, max_tokens)), "q Q cm Do")
        ctm = _walk_placements(instructions, ctm, stack, out)
    return out


def _walk_placements(instructions, ctm: list[float], stack: list, out: dict[str, list]) -> list[float]:
    for operands, op in instructions:
        o = str(op)
        if o == "q":
            stack.append(ctm)
        elif o == "Q":
            if stack:
                ctm = stack.pop()
        elif o == "cm" and len(operands) == 6:
            a, b, c, d, e, f = (float(x) for x in operands)
            A, B, C, D, E, F = ctm
            ctm = [a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F]
        elif o == "Do" and operands:
            out.setdefault(str(operands[0]), []).append(ctm)
    return ctm


def _resolution(img, m, page_area: float, where: str, min_dpi: int) -> ImageFinding | None:
    try:
        w, h = int(img.get("/Width")), int(img.get("/Height"))
    except Exception:  # noqa: BLE001
        return None
    wpt = math.hypot(m[0], m[1])  # the image's unit square: its x side and y side on the page
    hpt = math.hypot(m[2], m[3])
    if w <= 0 or h <= 0 or wpt <= 0 or hpt <= 0 or page_area <= 0:
        return None
    if wpt * hpt < page_area / 2:  # not a page scan (a logo, a stamp): the archival minimum is for scans
        return None
    dpi = min(w / (wpt / 72.0), h / (hpt / 72.0))
    if dpi + 0.5 >= min_dpi:
        return None
    return ImageFinding("D007", where, f"{w}×{h} pixels drawn at {wpt:.0f}×{hpt:.0f} pt: {dpi:.0f} dpi, below the "
                        f"{min_dpi} dpi archival minimum (DA/T 31-2017)",
                        f"{w}×{h} 像素绘制为 {wpt:.0f}×{hpt:.0f} 磅：{dpi:.0f} dpi，低于档案扫描最低要求 {min_dpi} dpi（DA/T 31-2017）")


_COMPONENTS = {"/DeviceGray": 1, "/CalGray": 1, "/DeviceRGB": 3, "/CalRGB": 3, "/Lab": 3, "/DeviceCMYK": 4,
               "/Indexed": 1, "/Separation": 1, "/G": 1, "/RGB": 3, "/CMYK": 4, "/I": 1}


def _n_components(img) -> int | None:
    import pikepdf

    if img.get("/ImageMask"):
        return 1
    cs = img.get("/ColorSpace")
    if isinstance(cs, pikepdf.Name):
        return _COMPONENTS.get(str(cs))
    if isinstance(cs, pikepdf.Array) and len(cs):
        kind = str(cs[0])
        if kind == "/ICCBased" and len(cs) > 1:
            try:
                return int(cs[1].get("/N"))
            except Exception:  # noqa: BLE001
                return None
        if kind == "/DeviceN" and len(cs) > 1:
            return len(cs[1])
        return _COMPONENTS.get(kind)
    return None


def _check_image_stream(img, where: str, cap: int) -> ImageFinding | None:
    import pikepdf

    f = img.get("/Filter")
    names = [str(f)] if isinstance(f, pikepdf.Name) else [str(x) for x in f] if isinstance(f, pikepdf.Array) else []
    try:
        if names and names[-1] in ("/DCTDecode", "/DCT"):
            try:
                raw = _decoded(img, names[:-1], cap)
            except (ValueError, zlib.error) as exc:
                return ImageFinding("X005", where, f"the JPEG data cannot be read within the limits ({exc})",
                                    f"无法在限制范围内读取 JPEG 数据（{exc}）")
            if len(raw) > cap:
                return ImageFinding("X005", where, f"the JPEG stream of {len(raw)} bytes exceeds the limit of {cap}",
                                    f"JPEG 数据流 {len(raw)} 字节，超出上限 {cap}")
            frame = verify_jpeg(raw)
            try:
                w, h = int(img.get("/Width")), int(img.get("/Height"))
            except Exception:  # noqa: BLE001
                w, h = frame.width, frame.height
            if (w, h) != (frame.width, frame.height):
                return ImageFinding("D006", where, f"the image dictionary says {w}×{h}, the JPEG data is "
                                    f"{frame.width}×{frame.height}", f"图像字典声明 {w}×{h}，JPEG 数据为 {frame.width}×{frame.height}")
            return None
        if names and all(x in ("/FlateDecode", "/Fl") for x in names) and len(names) == 1:
            return _check_flate_image(img, where, cap)
    except ImageDefect as exc:
        return ImageFinding(exc.code, where, exc.en, exc.zh)
    return None


def _check_flate_image(img, where: str, cap: int) -> ImageFinding | None:
    import pikepdf

    try:
        w, h = int(img.get("/Width")), int(img.get("/Height"))
        bpc = 1 if img.get("/ImageMask") else int(img.get("/BitsPerComponent", 8))
    except Exception:  # noqa: BLE001 - no size, so how many bytes the pixels need is unknown
        w = h = bpc = 0
    ncomp = _n_components(img)
    parms = img.get("/DecodeParms")
    if isinstance(parms, pikepdf.Array):
        parms = parms[0] if len(parms) else None
    predictor = int(parms.get("/Predictor", 1)) if isinstance(parms, pikepdf.Dictionary) else 1
    if ncomp is None or w <= 0 or h <= 0 or bpc <= 0:
        # whether the data holds every row (D006) cannot be established: "could not check", not a pass (ISO
        # 32000-1 8.9.5 requires Width, Height, BitsPerComponent and ColorSpace of such an image; until issue 19's
        # ninth round this returned no finding)
        return ImageFinding("X005", where, "the image dictionary gives no usable size, bits per component or colour "
                            "space, so its data cannot be checked",
                            "图像字典没有可用的尺寸、每分量位数或色彩空间，无法检查其数据")
    if isinstance(parms, pikepdf.Dictionary) and predictor >= 10:
        colors = int(parms.get("/Colors", 1))
        cols = int(parms.get("/Columns", 1))
        pbpc = int(parms.get("/BitsPerComponent", 8))
        row = 1 + (cols * colors * pbpc + 7) // 8
    elif predictor == 2:
        row = (w * ncomp * bpc + 7) // 8
    else:
        row = (w * ncomp * bpc + 7) // 8
    expected = row * h
    if expected > cap:
        return ImageFinding("X005", where, f"the image needs {expected} bytes, more than the limit of {cap}",
                            f"图像需要 {expected} 字节，超出上限 {cap}")
    d = zlib.decompressobj()
    raw = img.read_raw_bytes()
    got = 0
    buf = raw
    try:
        while buf and not d.eof and got <= expected:
            out = d.decompress(buf, _INFLATE_CHUNK)
            got += len(out)
            buf = d.unconsumed_tail
        if not d.eof and got < expected:
            got += len(d.flush())
    except zlib.error as exc:
        return ImageFinding("D006", where, f"the image data does not inflate: {exc}", f"图像数据无法解压：{exc}")
    if got < expected:
        return ImageFinding("D006", where, f"the image data holds {got} of the {expected} bytes its {w}×{h} pixels "
                            "need (truncated)", f"图像数据只有 {got} 字节，{w}×{h} 像素需要 {expected} 字节（被截断）")
    return None


def dpi_pair(img) -> tuple[float | None, float | None]:
    """The resolution a scan declares (x, y dots per inch), or (None, None) when it declares none or an
    implausible one (outside 20…4800): the builder then sizes the page to A4 width."""
    dpi = img.info.get("dpi")
    if not dpi:
        return None, None
    out = []
    for v in (dpi[0], dpi[1] if len(dpi) > 1 else dpi[0]):
        try:
            value = float(v)
        except (TypeError, ValueError):
            value = 0.0
        out.append(value if 20 <= value <= 4800 else None)
    if out[0] is None or out[1] is None:
        return None, None
    return out[0], out[1]


def scan_dpi(img) -> int | None:
    """The lower of the two declared resolutions, rounded (D007 compares it with the archival minimum)."""
    x, y = dpi_pair(img)
    return int(round(min(x, y))) if x else None
