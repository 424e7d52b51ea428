"""PNG integrity: chunk CRCs and order, and the IDAT stream inflated in bounded pieces to exactly the
filtered scanlines the header promises."""

from __future__ import annotations

import struct
import zlib
from edossier.pdfa.images import _corrupt, _INFLATE_CHUNK, MAX_IMAGE_PIXELS


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
