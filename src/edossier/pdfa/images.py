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

import io
import math
import re
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

__all__ = ["ImageDefect", "JpegFrame", "jpeg_frame", "verify_jpeg", "verify_png", "verify_image_file",
           "ImageFinding", "check_pdf_images", "MIN_DPI", "convert_hint"]

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

_SOF_NAMES = {0xC0: "baseline", 0xC1: "extended sequential", 0xC2: "progressive", 0xC3: "lossless",
              0xC5: "differential sequential (hierarchical)", 0xC6: "differential progressive (hierarchical)",
              0xC7: "differential lossless (hierarchical)", 0xC9: "arithmetic-coded sequential",
              0xCA: "arithmetic-coded progressive", 0xCB: "arithmetic-coded lossless",
              0xCD: "arithmetic-coded differential sequential (hierarchical)",
              0xCE: "arithmetic-coded differential progressive (hierarchical)",
              0xCF: "arithmetic-coded differential lossless (hierarchical)"}
_SOF_ZH = {0xC0: "基线", 0xC1: "扩展顺序", 0xC2: "渐进", 0xC3: "无损", 0xC5: "差分顺序（分层）",
           0xC6: "差分渐进（分层）", 0xC7: "差分无损（分层）", 0xC9: "算术编码顺序", 0xCA: "算术编码渐进",
           0xCB: "算术编码无损", 0xCD: "算术编码差分顺序（分层）", 0xCE: "算术编码差分渐进（分层）",
           0xCF: "算术编码差分无损（分层）"}
_DRAWABLE = (0xC0, 0xC1, 0xC2)  # Huffman, DCT-based, non-hierarchical; and 8-bit precision only


@dataclass(frozen=True)
class JpegFrame:
    sof: int  # the SOF marker, 0xC0…0xCF
    precision: int
    width: int
    height: int
    components: tuple[tuple[int, int, int], ...]  # (id, H, V)

    @property
    def process(self) -> str:
        return _SOF_NAMES.get(self.sof, f"SOF 0x{self.sof:02X}")


def _huff_tables(counts: bytes, symbols: bytes, dc: bool, progressive: bool):
    """A 65536-entry lookup table on the next 16 bits. DC entries: code length + value bits.
    AC (sequential): advance | coefficient step << 8 (EOB: step 128). AC (progressive): length | symbol << 8.
    0 marks a bit pattern that is no code (corrupt data)."""
    table = [0] * 65536
    code = 0
    k = 0
    for length in range(1, 17):
        for _ in range(counts[length - 1]):
            if k >= len(symbols):
                raise _corrupt("a Huffman table lists more codes than symbols", "霍夫曼表的码字多于符号")
            sym = symbols[k]
            k += 1
            if code >= (1 << length):
                raise _corrupt("a Huffman table has more codes than fit", "霍夫曼表的码字数超出可能")
            if dc:
                if sym > 15:
                    raise _corrupt(f"DC Huffman symbol {sym} is out of range", f"DC 霍夫曼符号 {sym} 超出范围")
                entry = length + sym
            elif progressive:
                entry = length | (sym << 8)
            else:
                run, size = sym >> 4, sym & 15
                if size == 0:
                    entry = length | ((128 if run == 0 else 16) << 8) if run in (0, 15) else -1
                else:
                    entry = (length + size) | ((run + 1) << 8)
            shift = 16 - length
            start = code << shift
            table[start:start + (1 << shift)] = [entry] * (1 << shift)
            code += 1
        code <<= 1
    return table


_TABLES: dict = {}


def _table(spec, dc: bool, progressive: bool):
    key = (bytes(spec[0]), bytes(spec[1]), dc, progressive and not dc)
    table = _TABLES.get(key)
    if table is None:
        if len(_TABLES) > 32:  # a handful of standard tables cover nearly every file
            _TABLES.clear()
        table = _TABLES[key] = _huff_tables(spec[0], spec[1], dc, progressive)
    return table


class _Scan:
    def __init__(self, comps, ss, se, ah, al):
        self.comps, self.ss, self.se, self.ah, self.al = comps, ss, se, ah, al


def jpeg_frame(data: bytes) -> JpegFrame:
    """The frame header (coding process, precision, size) from the markers, without decoding."""
    return _walk_jpeg(data, decode=False)


def verify_jpeg(data: bytes) -> JpegFrame:
    """Raise ImageDefect unless the JPEG is one PDF can draw and all of its entropy-coded data decodes
    to the end; return its frame header."""
    return _walk_jpeg(data, decode=True)


def _walk_jpeg(data: bytes, *, decode: bool) -> JpegFrame:
    n = len(data)
    if n < 4 or data[0] != 0xFF or data[1] != 0xD8:
        raise _corrupt("not a JPEG (no SOI marker)", "不是 JPEG 文件（缺少 SOI 标记）")
    pos = 2
    frame: JpegFrame | None = None
    dc_tabs: dict[int, list] = {}
    ac_tabs: dict[int, list] = {}
    restart = 0
    masks: dict[int, object] = {}  # progressive: per component, which coefficients are non-zero
    dc_seen: set[int] = set()
    scans = 0
    while True:
        # the next marker: 0xFF, any fill 0xFF bytes, then a marker code
        if pos >= n:
            raise _corrupt("the file ends before the EOI marker (truncated)", "文件在 EOI 标记之前结束（被截断）")
        if data[pos] != 0xFF:
            raise _corrupt(f"garbage where a marker should be (offset {pos})", f"应为标记处出现无效数据（偏移 {pos}）")
        while pos < n and data[pos] == 0xFF:
            pos += 1
        if pos >= n:
            raise _corrupt("the file ends before the EOI marker (truncated)", "文件在 EOI 标记之前结束（被截断）")
        marker = data[pos]
        pos += 1
        if marker == 0xD9:  # EOI
            break
        if marker in (0xD8, 0x00) or 0xD0 <= marker <= 0xD7:
            raise _corrupt(f"marker 0x{marker:02X} out of place (offset {pos - 2})", f"标记 0x{marker:02X} 位置错误（偏移 {pos - 2}）")
        if marker == 0x01:  # TEM, no length
            continue
        if pos + 2 > n:
            raise _corrupt("the file ends inside a marker segment (truncated)", "文件在标记段中间结束（被截断）")
        length = (data[pos] << 8) | data[pos + 1]
        if length < 2 or pos + length > n:
            raise _corrupt(f"marker 0x{marker:02X} segment runs past the end of the file (truncated)",
                           f"标记 0x{marker:02X} 的数据段超出文件末尾（被截断）")
        seg = data[pos + 2:pos + length]
        pos += length
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            if frame is not None:
                if marker != frame.sof or (frame.sof & 3) == 3:
                    raise ImageDefect("D008", *_unsupported(JpegFrame(marker, 8, 0, 0, ())))
                raise _corrupt("more than one frame header (SOF)", "有多个帧头（SOF）")
            if len(seg) < 6:
                raise _corrupt("the frame header (SOF) is too short", "帧头（SOF）过短")
            p, h, w, nc = seg[0], (seg[1] << 8) | seg[2], (seg[3] << 8) | seg[4], seg[5]
            if len(seg) < 6 + 3 * nc or nc == 0:
                raise _corrupt("the frame header (SOF) is too short", "帧头（SOF）过短")
            comps = tuple((seg[6 + 3 * i], seg[7 + 3 * i] >> 4, seg[7 + 3 * i] & 15) for i in range(nc))
            frame = JpegFrame(marker, p, w, h, comps)
            if marker not in _DRAWABLE or p != 8:
                raise ImageDefect("D008", *_unsupported(frame))
            if w == 0 or h == 0 or any(not (1 <= c[1] <= 4 and 1 <= c[2] <= 4) for c in comps):
                raise _corrupt(f"impossible frame header ({w}×{h}, sampling factors {[(c[1], c[2]) for c in comps]})",
                               f"帧头不可能成立（{w}×{h}，采样因子 {[(c[1], c[2]) for c in comps]}）")
            if w * h > MAX_IMAGE_PIXELS:
                raise _corrupt(f"{w}×{h} pixels exceeds the limit of {MAX_IMAGE_PIXELS}",
                               f"{w}×{h} 像素超过上限 {MAX_IMAGE_PIXELS}")
        elif marker in (0xCC, 0xDE, 0xDF):  # DAC, DHP, EXP: arithmetic or hierarchical coding
            what = {0xCC: 0xC9, 0xDE: 0xC5, 0xDF: 0xC5}[marker]
            raise ImageDefect("D008", *_unsupported(JpegFrame(what, 8, 0, 0, ())))
        elif marker == 0xC4 and decode:
            q = 0
            while q < len(seg):
                if q + 17 > len(seg):
                    raise _corrupt("a Huffman table (DHT) is cut short", "霍夫曼表（DHT）不完整")
                tc, th = seg[q] >> 4, seg[q] & 15
                counts = seg[q + 1:q + 17]
                total = sum(counts)
                symbols = seg[q + 17:q + 17 + total]
                if tc > 1 or th > 3 or len(symbols) != total:
                    raise _corrupt("a Huffman table (DHT) is malformed", "霍夫曼表（DHT）格式错误")
                (dc_tabs if tc == 0 else ac_tabs)[th] = (counts, symbols)
                q += 17 + total
        elif marker == 0xDD:
            if len(seg) < 2:
                raise _corrupt("the restart interval (DRI) is too short", "重启间隔（DRI）过短")
            restart = (seg[0] << 8) | seg[1]
        elif marker == 0xDA:
            if frame is None:
                raise _corrupt("a scan (SOS) before the frame header (SOF)", "扫描（SOS）出现在帧头（SOF）之前")
            scans += 1
            if not seg or len(seg) < 1 + 2 * seg[0] + 3 or not 1 <= seg[0] <= 4:
                raise _corrupt("the scan header (SOS) is malformed", "扫描头（SOS）格式错误")
            ns = seg[0]
            ids = {c[0]: i for i, c in enumerate(frame.components)}
            sc = []
            for i in range(ns):
                cid, t = seg[1 + 2 * i], seg[2 + 2 * i]
                if cid not in ids:
                    raise _corrupt(f"the scan names component {cid}, which the frame lacks", f"扫描引用了帧中不存在的分量 {cid}")
                sc.append((ids[cid], t >> 4, t & 15))
            ss, se, a = seg[1 + 2 * ns], seg[2 + 2 * ns], seg[3 + 2 * ns]
            scan = _Scan(sc, ss, se, a >> 4, a & 15)
            end = _entropy_end(data, pos)
            if decode:
                _decode_scan(data, pos, end, frame, scan, restart, dc_tabs, ac_tabs, masks, dc_seen)
            pos = end
    if frame is None or scans == 0:
        raise _corrupt("no frame header or no scan: there is no image", "没有帧头或扫描：文件不含图像")
    if decode:
        # every component needs its (DC) data: a scan left out draws that colour channel flat grey
        missing = [c[0] for i, c in enumerate(frame.components) if i not in dc_seen]
        if missing:
            raise _corrupt(f"component {missing[0]} has no scan (truncated or corrupt)",
                           f"分量 {missing[0]} 没有扫描数据（被截断或损坏）")
    return frame


def _unsupported(frame: JpegFrame) -> tuple[str, str]:
    hint_en, hint_zh = convert_hint()
    if frame.precision != 8 and frame.sof in _DRAWABLE:
        what_en, what_zh = f"{frame.precision}-bit precision", f"{frame.precision} 位精度"
    else:
        what_en = f"the {frame.process} JPEG coding process"
        what_zh = f"JPEG {_SOF_ZH.get(frame.sof, hex(frame.sof))}编码方式"
    return (f"uses {what_en}, which PDF readers cannot draw (PDF's DCTDecode takes 8-bit Huffman-coded "
            f"baseline or progressive JPEG only); {hint_en}",
            f"使用{what_zh}，PDF 阅读器无法显示（PDF 的 DCTDecode 只支持 8 位霍夫曼编码的基线或渐进 JPEG）；{hint_zh}")


def _entropy_end(data: bytes, pos: int) -> int:
    """The offset of the first marker after the entropy-coded data starting at pos (RSTn and stuffed
    0xFF00 are part of the data); len(data) when there is none (truncated)."""
    n = len(data)
    while True:
        i = data.find(b"\xff", pos)
        if i < 0 or i + 1 >= n:
            return n
        j = i + 1
        while j < n and data[j] == 0xFF:
            j += 1
        if j >= n:
            return n
        if data[j] == 0x00 or 0xD0 <= data[j] <= 0xD7:
            pos = j + 1
            continue
        return i


def _intervals(data: bytes, start: int, end: int):
    """The destuffed entropy-coded intervals between start and end, split at RSTn, with each RSTn's
    number (None after the last)."""
    chunk = data[start:end]
    out = []
    pos = 0
    while True:
        i = pos
        nxt = None
        while True:
            i = chunk.find(b"\xff", i)
            if i < 0:
                break
            j = i + 1
            while j < len(chunk) and chunk[j] == 0xFF:
                j += 1
            if j < len(chunk) and 0xD0 <= chunk[j] <= 0xD7:
                nxt = (i, j)
                break
            i = j + 1
        if nxt is None:
            body = chunk[pos:]
            out.append((body.rstrip(b"\xff").replace(b"\xff\x00", b"\xff"), None))
            return out
        i, j = nxt
        out.append((chunk[pos:i].replace(b"\xff\x00", b"\xff"), chunk[j] - 0xD0))
        pos = j + 1


def _decode_scan(data, start, end, frame: JpegFrame, scan: _Scan, restart: int, dc_tabs, ac_tabs, masks,
                 dc_seen) -> None:
    comps = frame.components
    hmax = max(c[1] for c in comps)
    vmax = max(c[2] for c in comps)
    progressive = frame.sof == 0xC2
    if progressive:
        ok = (scan.ss == 0 and scan.se == 0) or (1 <= scan.ss <= scan.se <= 63 and len(scan.comps) == 1)
    else:
        ok = scan.ss == 0 and scan.se == 63 and scan.ah == 0 and scan.al == 0
    if not ok or scan.al > 13:
        raise _corrupt(f"the scan's spectral selection {scan.ss}–{scan.se} / approximation {scan.ah},{scan.al} "
                       "is not allowed", f"扫描的频谱选择 {scan.ss}–{scan.se} 或逐次逼近 {scan.ah},{scan.al} 不合规定")
    if len(scan.comps) == 1:
        ci = scan.comps[0][0]
        _, h, v = comps[ci]
        bw = math.ceil(math.ceil(frame.width * h / hmax) / 8)
        bh = math.ceil(math.ceil(frame.height * v / vmax) / 8)
        mcus = bw * bh
        layout = [ci]
    else:
        mcus = math.ceil(frame.width / (8 * hmax)) * math.ceil(frame.height / (8 * vmax))
        layout = [ci for ci, _, _ in scan.comps for _ in range(comps[ci][1] * comps[ci][2])]
    need_dc = not progressive or (scan.ss == 0 and scan.ah == 0)
    need_ac = not progressive or scan.ss > 0
    tabs = {}
    for ci, td, ta in scan.comps:
        dct = act = None
        if need_dc:
            if td not in dc_tabs:
                raise _corrupt(f"the scan uses DC Huffman table {td}, which is not defined", f"扫描使用了未定义的 DC 霍夫曼表 {td}")
            dct = _table(dc_tabs[td], True, progressive)
        if need_ac:
            if ta not in ac_tabs:
                raise _corrupt(f"the scan uses AC Huffman table {ta}, which is not defined", f"扫描使用了未定义的 AC 霍夫曼表 {ta}")
            act = _table(ac_tabs[ta], False, progressive)
        tabs[ci] = (dct, act)
    if progressive and scan.ss == 0 and scan.ah:
        if any(ci not in dc_seen for ci, _, _ in scan.comps):
            raise _corrupt("a DC refinement scan before the first DC scan", "DC 细化扫描出现在首次 DC 扫描之前")
    if scan.ss == 0:
        dc_seen.update(ci for ci, _, _ in scan.comps)
    mask = None
    if progressive and scan.ss > 0:
        from array import array

        ci = layout[0]
        if ci not in dc_seen:
            raise _corrupt("an AC scan before the component's first DC scan", "AC 扫描出现在该分量首次 DC 扫描之前")
        mask = masks.get(ci)
        if mask is None:
            mask = masks[ci] = array("Q", bytes(8 * mcus))  # 8 bytes a block, whatever the image
    intervals = _intervals(data, start, end)
    per = restart if restart else mcus
    expected = math.ceil(mcus / per) if mcus else 0
    if len(intervals) < expected:
        raise _corrupt(f"the scan ends after {len(intervals)} of its {expected} restart intervals (truncated)",
                       f"扫描在其 {expected} 个重启间隔中的第 {len(intervals)} 个之后结束（被截断）")
    if len(intervals) > expected:
        raise _corrupt(f"the scan has {len(intervals)} restart intervals, {expected} expected",
                       f"扫描有 {len(intervals)} 个重启间隔，应为 {expected} 个")
    done = 0
    for k, (body, rst) in enumerate(intervals):
        if rst is not None and rst != k % 8:
            raise _corrupt(f"restart marker RST{rst} out of sequence (RST{k % 8} expected)",
                           f"重启标记 RST{rst} 顺序错误（应为 RST{k % 8}）")
        count = min(per, mcus - done)
        if progressive:
            bits = _progressive_interval(body, count, done, layout, tabs, scan, mask)
        else:
            bits = _sequential_interval(body, count, layout, tabs)
        if bits > len(body) * 8:
            raise _corrupt("the entropy-coded data ends before the last block (truncated or corrupt)",
                           "熵编码数据在最后一个块之前结束（被截断或损坏）")
        if len(body) * 8 - bits >= 8:
            raise _corrupt(f"{(len(body) * 8 - bits) // 8} byte(s) of entropy-coded data left over after the "
                           "last block (corrupt data)", f"最后一个块之后多出 {(len(body) * 8 - bits) // 8} 字节熵编码数据（数据损坏）")
        done += count


# The entropy decoders keep a bit buffer `acc` holding `nb` unread bits, refilled 48 bits at a time
# whenever fewer than 32 remain: enough for any Huffman code (16 bits) plus its value bits (at most 15),
# so a symbol is one table lookup on the next 16 bits. Bits used so far: 8 * q - nb. The body is padded
# with 0xFF (no Huffman code is all one-bits, ISO 10918-1 C.2), and the position is checked against the
# real end after every block, so reading into the padding is always reported.
_PAD = b"\xff" * 512


def _sequential_interval(body: bytes, count: int, layout, tabs) -> int:
    """Huffman-decode `count` MCUs of a sequential scan; return the bits used."""
    d = body + _PAD
    limit = len(body) * 8 + 16
    blocks = [tabs[ci] for ci in layout]
    frombytes = int.from_bytes
    acc = nb = q = 0
    for _ in range(count):
        for dc, ac in blocks:
            if nb < 32:
                acc = ((acc & ((1 << nb) - 1)) << 48) | frombytes(d[q:q + 6], "big")
                q += 6
                nb += 48
            e = dc[(acc >> (nb - 16)) & 0xFFFF]
            if not e:
                raise _bad_code(8 * q - nb, limit)
            nb -= e
            k = 1
            while k < 64:
                if nb < 32:
                    acc = ((acc & ((1 << nb) - 1)) << 48) | frombytes(d[q:q + 6], "big")
                    q += 6
                    nb += 48
                e = ac[(acc >> (nb - 16)) & 0xFFFF]
                if e <= 0:
                    raise _bad_code(8 * q - nb, limit)
                nb -= e & 0xFF
                k += e >> 8
            if 64 < k < 128:
                raise _corrupt("a block has more than 64 coefficients (corrupt data)", "某个块的系数超过 64 个（数据损坏）")
            if 8 * q - nb > limit:
                raise _corrupt("the entropy-coded data ends before the last block (truncated or corrupt)",
                               "熵编码数据在最后一个块之前结束（被截断或损坏）")
    return 8 * q - nb


def _bad_code(p: int, limit: int) -> ImageDefect:
    if p >= limit - 16:
        return _corrupt("the entropy-coded data ends before the last block (truncated or corrupt)",
                        "熵编码数据在最后一个块之前结束（被截断或损坏）")
    return _corrupt(f"an invalid Huffman code at bit {p} of the entropy-coded data (corrupt data)",
                    f"熵编码数据第 {p} 位处出现无效霍夫曼码（数据损坏）")


def _progressive_interval(body: bytes, count: int, first: int, layout, tabs, scan: _Scan, mask) -> int:
    """Decode `count` MCUs of a progressive scan (ISO 10918-1 G.1.2); return the bits used. `first` is
    the index of the interval's first block (AC scans are one component, one block per MCU)."""
    d = body + _PAD
    limit = len(body) * 8 + 16
    frombytes = int.from_bytes
    acc = nb = q = 0
    if scan.ss == 0:  # DC scans: first (a Huffman-coded difference) or refinement (one bit per block)
        blocks = [tabs[ci][0] for ci in layout]
        if scan.ah:
            return count * len(blocks)
        for _ in range(count):
            for dc in blocks:
                if nb < 32:
                    acc = ((acc & ((1 << nb) - 1)) << 48) | frombytes(d[q:q + 6], "big")
                    q += 6
                    nb += 48
                e = dc[(acc >> (nb - 16)) & 0xFFFF]
                if not e:
                    raise _bad_code(8 * q - nb, limit)
                nb -= e
            if 8 * q - nb > limit:
                raise _bad_code(8 * q - nb, limit)
        return 8 * q - nb
    ac = tabs[layout[0]][1]
    ss, se = scan.ss, scan.se
    band = 0
    for k in range(ss, se + 1):
        band |= 1 << k
    eobrun = 0
    m = mask[first:first + count].tolist()
    if not scan.ah:  # first AC scan of this band: note which coefficients become non-zero
        for b in range(count):
            if eobrun:
                eobrun -= 1
                continue
            k = ss
            nz = m[b]
            while k <= se:
                if nb < 32:
                    acc = ((acc & ((1 << nb) - 1)) << 48) | frombytes(d[q:q + 6], "big")
                    q += 6
                    nb += 48
                e = ac[(acc >> (nb - 16)) & 0xFFFF]
                if not e:
                    raise _bad_code(8 * q - nb, limit)
                nb -= e & 0xFF
                sym = e >> 8
                r, s = sym >> 4, sym & 15
                if s == 0:
                    if r < 15:
                        eobrun = (1 << r) - 1 + (((acc >> (nb - r)) & ((1 << r) - 1)) if r else 0)
                        nb -= r
                        break
                    k += 16
                    continue
                k += r
                if k > se:
                    raise _corrupt("a block has more coefficients than its band (corrupt data)", "某个块的系数超出其频带（数据损坏）")
                nz |= 1 << k
                nb -= s
                k += 1
            m[b] = nz
            if 8 * q - nb > limit:
                raise _bad_code(8 * q - nb, limit)
    else:  # refinement (G.1.2.3): a correction bit for every coefficient already non-zero
        # correction bits are only counted (nb may go below zero); the buffer is re-read from the
        # absolute bit position 8 * q - nb before the next lookup
        b = 0
        while b < count:
            if eobrun:  # blocks wholly inside an end-of-band run: only their correction bits
                n = min(eobrun, count - b)
                nb -= sum((x & band).bit_count() for x in m[b:b + n])
                eobrun -= n
                b += n
                if 8 * q - nb > limit:
                    raise _bad_code(8 * q - nb, limit)
                continue
            nz = m[b]
            k = ss
            while k <= se:
                if nb < 32:
                    pos = 8 * q - nb
                    q = pos >> 3
                    acc = frombytes(d[q:q + 6], "big")
                    nb = 48 - (pos & 7)
                    q += 6
                e = ac[(acc >> (nb - 16)) & 0xFFFF]
                if not e:
                    raise _bad_code(8 * q - nb, limit)
                nb -= e & 0xFF
                sym = e >> 8
                r, s = sym >> 4, sym & 15
                if s == 0 and r < 15:
                    eobrun = (1 << r) + (((acc >> (nb - r)) & ((1 << r) - 1)) if r else 0)
                    nb -= r
                    break
                if s not in (0, 1):
                    raise _corrupt("a refinement scan codes a value larger than one bit (corrupt data)",
                                   "细化扫描中出现超过一位的数值（数据损坏）")
                if s:
                    nb -= 1  # the new coefficient's sign
                # skip r zero-history coefficients and stop at the next one, reading a correction
                # bit for every non-zero-history coefficient on the way (bit tricks on the masks)
                zeros = ~nz & band & -(1 << k)
                n0 = zeros.bit_count()
                if n0 > r:
                    for _ in range(r):
                        zeros &= zeros - 1
                    t = (zeros & -zeros).bit_length() - 1
                    nb -= (nz & ((1 << t) - (1 << k))).bit_count()
                    k = t
                    if s:
                        nz |= 1 << k
                    k += 1
                else:
                    if s or n0 < r:
                        raise _corrupt("a block has more coefficients than its band (corrupt data)",
                                       "某个块的系数超出其频带（数据损坏）")
                    nb -= (nz & band & -(1 << k)).bit_count()
                    k = se + 1
            if eobrun:  # the rest of the band: one correction bit per non-zero coefficient
                if k <= se:
                    nb -= ((nz >> k) << k & band).bit_count()
                eobrun -= 1
            m[b] = nz
            b += 1
            if 8 * q - nb > limit:
                raise _bad_code(8 * q - nb, limit)
    mask[first:first + count] = type(mask)("Q", m)
    return 8 * q - nb


# ------------------------------------------------------------------------------------------------
# PNG

_PNG_SIG = b"\x89PNG\r\n\x1a\n"
_PNG_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
_ADAM7 = ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2))


def verify_png(data: bytes) -> tuple[int, int]:
    """Raise ImageDefect unless every chunk's CRC is right and the IDAT stream inflates, to its end, into
    exactly the scanlines the header promises; return (width, height)."""
    if not data.startswith(_PNG_SIG):
        raise _corrupt("not a PNG (bad signature)", "不是 PNG 文件（签名错误）")
    pos, n = 8, len(data)
    header = None
    inflater = None
    got = 0
    expected = 0
    rows: list[int] = []  # row lengths (bytes incl. filter byte) in stream order, consumed as data arrives
    row_i = 0
    row_off = 0
    idat_done = False
    seen_idat = False
    while True:
        if pos + 8 > n:
            raise _corrupt("the file ends before the IEND chunk (truncated)", "文件在 IEND 块之前结束（被截断）")
        length, ctype = struct.unpack(">I4s", data[pos:pos + 8])
        if length > n - pos - 12:
            raise _corrupt(f"chunk {ctype!r} runs past the end of the file (truncated)",
                           f"数据块 {ctype!r} 超出文件末尾（被截断）")
        body = data[pos + 8:pos + 8 + length]
        crc = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])[0]
        if zlib.crc32(ctype + body) & 0xFFFFFFFF != crc:
            raise _corrupt(f"chunk {ctype.decode('latin-1')} at offset {pos} has a wrong CRC (corrupt data)",
                           f"偏移 {pos} 处的数据块 {ctype.decode('latin-1')} CRC 校验错误（数据损坏）")
        pos += 12 + length
        if header is None:
            if ctype != b"IHDR" or length != 13:
                raise _corrupt("the first chunk is not IHDR", "第一个数据块不是 IHDR")
            w, h, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if colour not in _PNG_CHANNELS or w == 0 or h == 0 or w * h > MAX_IMAGE_PIXELS or interlace > 1 \
                    or depth not in (1, 2, 4, 8, 16):
                raise _corrupt("the header (IHDR) is invalid or too large", "图像头（IHDR）无效或过大")
            header = (w, h)
            bpp = _PNG_CHANNELS[colour] * depth
            passes = _ADAM7 if interlace else ((0, 0, 1, 1),)
            for x0, y0, dx, dy in passes:
                pw, ph = (w - x0 + dx - 1) // dx, (h - y0 + dy - 1) // dy
                if pw and ph:
                    rows += [1 + (pw * bpp + 7) // 8] * ph
            expected = sum(rows)
            inflater = zlib.decompressobj()
            continue
        if ctype == b"IDAT":
            if idat_done:
                raise _corrupt("IDAT chunks are not consecutive", "IDAT 数据块不连续")
            seen_idat = True
            buf = body
            while buf and not inflater.eof:
                try:
                    out = inflater.decompress(buf, _INFLATE_CHUNK)
                except zlib.error as exc:
                    raise _corrupt(f"the image data (IDAT) does not inflate: {exc}", f"图像数据（IDAT）无法解压：{exc}") from None
                buf = inflater.unconsumed_tail
                got += len(out)
                if got > expected:
                    raise _corrupt("the image data (IDAT) holds more than the header promises", "图像数据（IDAT）多于图像头声明")
                # every scanline starts with its filter type, 0..4
                o = 0
                while o < len(out):
                    if row_off == 0:
                        if out[o] > 4:
                            raise _corrupt(f"scanline {row_i + 1} has an invalid filter type {out[o]} (corrupt data)",
                                           f"第 {row_i + 1} 行的滤波类型 {out[o]} 无效（数据损坏）")
                    step = min(rows[row_i] - row_off, len(out) - o)
                    o += step
                    row_off += step
                    if row_off == rows[row_i]:
                        row_i += 1
                        row_off = 0
            continue
        if seen_idat:
            idat_done = True
        if ctype == b"IEND":
            break
    if header is None or not seen_idat:
        raise _corrupt("there is no image data (IDAT)", "没有图像数据（IDAT）")
    if not inflater.eof or got != expected:
        raise _corrupt(f"the image data (IDAT) is incomplete: {got} of {expected} bytes (truncated or corrupt)",
                       f"图像数据（IDAT）不完整：{got}/{expected} 字节（被截断或损坏）")
    return header


# ------------------------------------------------------------------------------------------------
# A whole scan file (builder)

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


# ------------------------------------------------------------------------------------------------
# The images of a PDF (validation, `pdfa check`, the builder's PDF inputs)

@dataclass(frozen=True)
class ImageFinding:
    code: str  # D006 | D007 | D008 | X005 (could not check)
    location: str  # "page 3, image /Im0"
    en: str
    zh: str


def check_pdf_images(pdf, *, max_stream_bytes: int = 64 << 20, min_dpi: int = MIN_DPI) -> list[ImageFinding]:
    """Check every image XObject drawn by the pages of an open pikepdf.Pdf (each stream once): its
    compressed data (DCTDecode: `verify_jpeg`; Flate: inflated within `max_stream_bytes`, all rows
    there), and the resolution of every image that covers at least half a page (D007 below `min_dpi`)."""
    import pikepdf

    out: list[ImageFinding] = []
    seen: set = set()
    budget = [_MAX_CONTENT_BYTES]
    for n, page in enumerate(pdf.pages, start=1):
        try:
            placements = _placements(pdf, page, max_stream_bytes, budget)
        except Exception:  # noqa: BLE001 - too large or unreadable: the PDF checks report the content itself
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


def _filters(stream) -> list[str]:
    import pikepdf

    f = stream.get("/Filter")
    if isinstance(f, pikepdf.Name):
        return [str(f)]
    if isinstance(f, pikepdf.Array):
        return [str(x) for x in f]
    return []


def _placements(pdf, page, cap: int, budget: list[int]) -> dict[str, list[list[float]]]:
    """The current transformation matrix at every `Do` of the page's own content stream, decoded
    within `cap` bytes a stream and `budget` bytes a document (the PDF checks report larger ones)."""
    import pikepdf

    contents = page.obj.get("/Contents")
    streams = list(contents) if isinstance(contents, pikepdf.Array) else [contents] if contents is not None else []
    data = b""
    for st in streams:
        if not isinstance(st, pikepdf.Stream):
            continue
        chunk = _decoded(st, _filters(st), min(cap, budget[0]))
        budget[0] -= len(chunk)
        data += chunk + b"\n"
    ctm = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]
    stack = []
    out: dict[str, list] = {}
    for operands, op in pikepdf.parse_content_stream(pikepdf.Stream(pdf, data), "q Q cm Do"):
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
    return out


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
    except Exception:  # noqa: BLE001 - the PDF/A checks report a malformed image dictionary
        return None
    ncomp = _n_components(img)
    parms = img.get("/DecodeParms")
    if isinstance(parms, pikepdf.Array):
        parms = parms[0] if len(parms) else None
    predictor = int(parms.get("/Predictor", 1)) if isinstance(parms, pikepdf.Dictionary) else 1
    if ncomp is None or w <= 0 or h <= 0:
        return None
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


# --- declared resolution (the builder sizes pages by it; the preflight warns below 200 dpi) ---------

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
