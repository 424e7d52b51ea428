"""Image integrity: is every byte of a scan's compressed data there and decodable, and can a PDF reader
draw it? (docs/spec.md §7.4, docs/builder.md "Image checks", issue #14 item 3)

The same checks run in the builder (on every source scan, before it is embedded) and in validation (on
every image of every document), so what the builder accepts the validator accepts.

* **JPEG** — the markers are parsed and the coding process is read from the SOF marker. PDF's DCTDecode
  covers 8-bit Huffman-coded sequential and progressive JPEG only (ISO 32000-1 7.4.8); arithmetic
  coding (SOF9–SOF11, SOF13–SOF15, DAC), 12-bit precision, lossless (SOF3, SOF7, SOF11, SOF15) and
  hierarchical (SOF5–SOF7, SOF13–SOF15, DHP) JPEGs are refused (D008): Ghostscript and most readers
  draw them blank. Then every entropy-coded segment is Huffman-decoded to the end, block by block, in
  pure Python: every code must be in its table, every block must stay within its 64 coefficients, each
  restart interval must end exactly where its RSTn marker (in sequence) begins, and the last scan must
  be followed by EOI. This catches truncation *and* corrupt entropy data with intact markers, which
  libjpeg (and so Pillow) only reports as a warning and draws as grey or garbled blocks. No pixels are
  reconstructed (no IDCT), so memory stays at the size of the file plus, for progressive JPEGs, one
  64-bit mask per 8×8 block (which coefficients are already non-zero, needed to read refinement scans).
* **PNG** — every chunk's CRC, IHDR first, IEND last, and the IDAT stream inflated to its end in bounded
  pieces; its length must be exactly the filtered scanlines the header promises (interlaced: all seven
  passes), and every scanline's filter type must be 0–4.
* **TIFF** (and anything else Pillow reads) — every page is decoded in full with truncated images
  refused, so a missing strip of page 2 is named as page 2.

Inside a PDF the same JPEG check runs on every DCTDecode image; Flate-coded images are inflated (within
``PdfLimits.max_stream_bytes``) and must hold all the rows their /Width, /Height, /BitsPerComponent and
colour space need. Their placement on the page gives the resolution for the 200 dpi warning (D007,
DA/T 31-2017).
"""

from __future__ import annotations


__all__ = ["ImageDefect", "MIN_DPI", "MAX_IMAGE_PIXELS", "convert_hint"]

MIN_DPI = 200  # DA/T 31-2017 minimum for archival scans
MAX_IMAGE_PIXELS = 200_000_000  # decoded pixels per image, for the checker and the builder alike
_INFLATE_CHUNK = 1 << 20  # PNG/Flate data is inflated this much at a time


class ImageDefect(Exception):
    """Why an image cannot be embedded or drawn. `code`: D006 (truncated or corrupt) or D008 (a JPEG
    coding process PDF cannot draw); `en`/`zh` say what is wrong; `page` (1-based) for multi-page files."""

    def __init__(self, code: str, en: str, zh: str, page: int | None = None):
        super().__init__(en)
        self.code, self.en, self.zh, self.page = code, en, zh, page


def _corrupt(en: str, zh: str) -> ImageDefect:
    return ImageDefect("D006", en, zh)


def convert_hint() -> tuple[str, str]:
    """How to turn an unsupported JPEG into one PDF can draw, without loss."""
    return ("convert it losslessly to Huffman coding first, e.g. `jpegtran -optimize -copy all in.jpg > out.jpg` "
            "(libjpeg-turbo; 12-bit or lossless JPEGs must be re-scanned or saved as PNG/TIFF)",
            "请先无损转换为霍夫曼编码，例如 `jpegtran -optimize -copy all in.jpg > out.jpg`（libjpeg-turbo）；"
            "12 位或无损 JPEG 须重新扫描或另存为 PNG/TIFF")


# ------------------------------------------------------------------------------------------------
# JPEG


# ------------------------------------------------------------------------------------------------
# PNG


# ------------------------------------------------------------------------------------------------
# A whole scan file (builder)


# ------------------------------------------------------------------------------------------------
# The images of a PDF (validation, `pdfa check`, the builder's PDF inputs)


# --- declared resolution (the builder sizes pages by it; the preflight warns below 200 dpi) ---------


