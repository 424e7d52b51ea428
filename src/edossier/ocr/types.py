"""What OCR reads and what it returns: a scanned page (PageRef, load_upright) and the recognised lines
(OcrLine, PageText). A leaf: the engines and the pool produce these, the PDF maker (pdfmake/textlayer.py)
draws them, and none of them imports the others for it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

from ..pdfa.images import MAX_IMAGE_PIXELS


@dataclass(frozen=True)
class PageRef:
    """One scanned page: what an OCR worker needs to find and decode it on its own."""

    path: Path
    frame: int = 0
    orientation: int = 1  # EXIF orientation 1..8


@dataclass(frozen=True)
class OcrLine:
    """One recognised line: its text and box in pixels of the upright image."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    confidence: float = 1.0


@dataclass
class PageText:
    """The OCR result of one page: the upright image's size in pixels and its lines."""

    width: int
    height: int
    lines: list[OcrLine] = field(default_factory=list)


def load_upright(ref: PageRef) -> Image.Image:
    """The page's pixels as a viewer shows them (EXIF orientation applied), for OCR."""
    from PIL import ImageOps

    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    img = Image.open(ref.path)
    if ref.frame:
        img.seek(ref.frame)
    img.load()
    img = ImageOps.exif_transpose(img) if ref.orientation != 1 else img
    return img
