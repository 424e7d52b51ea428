"""Image files as the builder gets them: JPEG and PNG by their own checks, TIFF and the rest decoded
in full by Pillow, page by page; one-line reasons for what cannot be read at all."""

from __future__ import annotations

import io
import re
from pathlib import Path
from edossier.pdfa.images import _corrupt, ImageDefect, MAX_IMAGE_PIXELS
from edossier.pdfa.images_jpeg import verify_jpeg
from edossier.pdfa.images_png import _PNG_SIG, verify_png


def verify_image_file(path: Path, data: bytes | None = None) -> None:
    """Raise ImageDefect (with `page` set for a multi-page file) unless every page of the scan reads
    to the end; JPEGs must moreover use a coding process PDF can draw."""
    from PIL import Image, ImageFile

    data = data if data is not None else Path(path).read_bytes()
    if not data:  # nothing for any decoder to say more about
        raise _corrupt(*unreadable_reason(data))
    if data[:2] == b"\xff\xd8":
        verify_jpeg(data)
        return
    if data.startswith(_PNG_SIG):
        verify_png(data)
        return
    # TIFF and the rest: decode every page in full, refusing truncated data
    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    old = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        try:
            img = Image.open(io.BytesIO(data))
            frames = getattr(img, "n_frames", 1)
        except Exception as exc:  # noqa: BLE001 - any failure to read is a defect of the file
            raise _corrupt(*open_failure(data, exc)) from None
        for i in range(frames):
            try:
                img.seek(i)
                img.load()
                if img.format == "TIFF" and img.info.get("compression") == "jpeg":
                    pass  # old-style JPEG-in-TIFF is decoded by libtiff above; nothing more to check
            except Exception as exc:  # noqa: BLE001
                raise ImageDefect("D006", f"page {i + 1} cannot be decoded to the end ({_short(exc)})",
                                  f"第 {i + 1} 页无法完整解码（{_short(exc)}）", page=i + 1) from None
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = old


def _short(exc: BaseException) -> str:
    # Pillow names the buffer it read from ("<_io.BytesIO object at 0x…>"): an address means nothing
    # to a clerk and changes from run to run, so it is cut out.
    s = _OBJECT_REPR.sub("", f"{type(exc).__name__}: {exc}").rstrip()
    return s if len(s) <= 200 else s[:197] + "..."


_OBJECT_REPR = re.compile(r"\s*<[\w.]+ object at 0x[0-9a-fA-F]+>")


# The first bytes of the formats a scan may have, and of what people save by mistake instead.
_MAGIC = ((b"\xff\xd8", "JPEG"), (b"\x89PNG\r\n\x1a\n", "PNG"), (b"II*\x00", "TIFF"), (b"MM\x00*", "TIFF"),
          (b"II+\x00", "TIFF"), (b"MM\x00+", "TIFF"),
          (b"%PDF-", "PDF"), (b"GIF8", "GIF"), (b"BM", "BMP"), (b"PK\x03\x04", "ZIP"),
          (b"RIFF", "RIFF (WebP)"), (b"<", "HTML or XML text"))


def unreadable_reason(data: bytes) -> tuple[str, str] | None:
    """(en, zh) for bytes the image library could not open, when they say why (empty, or plainly not
    a JPEG, PNG or TIFF): a message the clerk can act on instead of the library's wording. None when
    they start like one of the three (the library's own reason is then the better one)."""
    if not data:
        return ("the file is empty (0 bytes): the scan was not saved or copied completely; scan or copy it again",
                "文件为空（0 字节）：扫描件未完整保存或复制；请重新扫描或复制")
    kind = next((name for magic, name in _MAGIC if data.startswith(magic)), None)
    if kind in ("JPEG", "PNG", "TIFF"):
        return None
    head = data[:8].hex(" ")
    if kind is None:
        return (f"not a JPEG, PNG or TIFF image (the file starts with bytes {head}); export the scan again as JPEG, PNG or TIFF",
                f"不是 JPEG、PNG 或 TIFF 图像（文件开头字节为 {head}）；请将扫描件重新导出为 JPEG、PNG 或 TIFF")
    return (f"not a JPEG, PNG or TIFF image but a {kind} file (whatever its name says); "
            f"export the scan again as JPEG, PNG or TIFF",
            f"不是 JPEG、PNG 或 TIFF 图像，而是 {kind} 文件（与文件扩展名无关）；请将扫描件重新导出为 JPEG、PNG 或 TIFF")


def open_failure(data: bytes, exc: BaseException) -> tuple[str, str]:
    """(en, zh) for an image the image library could not open."""
    return unreadable_reason(data) or (f"not a readable image ({_short(exc)})", f"无法读取的图像（{_short(exc)}）")
