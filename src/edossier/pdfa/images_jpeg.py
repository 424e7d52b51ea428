"""JPEG marker walk: the coding process from the SOF marker (what PDF's DCTDecode can draw, D008), the
segments in order, and each scan handed to the entropy decoder (images_jpeg_scan.py)."""

from __future__ import annotations

import hashlib

from edossier.pdfa.images import _corrupt, convert_hint, ImageDefect, MAX_IMAGE_PIXELS
from edossier.pdfa import images_jpeg_scan
from edossier.pdfa.images_jpeg_scan import _decode_scan, _Scan, JpegFrame


_SOF_ZH = {0xC0: "基线", 0xC1: "扩展顺序", 0xC2: "渐进", 0xC3: "无损", 0xC5: "差分顺序（分层）",
           0xC6: "差分渐进（分层）", 0xC7: "差分无损（分层）", 0xC9: "算术编码顺序", 0xCA: "算术编码渐进",
           0xCB: "算术编码无损", 0xCD: "算术编码差分顺序（分层）", 0xCE: "算术编码差分渐进（分层）",
           0xCF: "算术编码差分无损（分层）"}


_DRAWABLE = (0xC0, 0xC1, 0xC2)  # Huffman, DCT-based, non-hierarchical; and 8-bit precision only


def jpeg_frame(data: bytes) -> JpegFrame:
    """The frame header (coding process, precision, size) from the markers, without decoding."""
    return _walk_jpeg(data, decode=False)


# JPEG data that passed verify_jpeg in this process, with its frame. The check is a pure function of the
# bytes, so the same bytes need decoding once: the builder checks every source scan, embeds those very
# bytes as the DCTDecode stream, and its preflight (the validator, same process) then finds them here
# instead of decoding each page a second time; a package that repeats a scan has it decoded once per
# process (issue 19). Failures are not kept. Two indexes, both exact:
#   _VERIFIED  SHA-256 -> frame: every scan that passed here (a few dozen bytes each), and the digests
#              the builder's worker processes report (remember_verified);
#   _KEPT      cheap key (length, 16 bytes from the middle, 16 from the end) -> [(bytes, SHA-256)]: the
#              bytes themselves of a scan seen passing twice, so that from its third sighting on a hit
#              costs a byte comparison (memcmp) instead of a SHA-256 pass (hashing every embedded scan
#              again was ~1 s of the large package's validation). A hit is equality with bytes that
#              passed, never a fact about other bytes. The kept bytes are bounded (_KEPT_MAX_BYTES) so
#              that memory stays flat, and an entry counts only while its digest is in _VERIFIED.
# SHA-256 is taken only where it can find something: when the cheap key was seen before (a repeat, or
# two scans sharing the key) or while worker digests wait to be matched; otherwise once, for a scan
# that has just passed, so that a repeat of it can be recognised.
_VERIFIED: dict[bytes, JpegFrame] = {}
_VERIFIED_MAX = 4096
_KEYS: set = set()  # cheap keys of scans that passed here: no key, no repeat, no need to hash
_KEPT: dict[tuple, list] = {}
_KEPT_MAX_BYTES = 16 << 20
_kept_bytes = 0
_FOREIGN: set = set()  # digests from remember_verified not yet matched by bytes in this process


def _key(data: bytes) -> tuple:
    """The cheap key: equal bytes have equal keys. Scans from one scanner share their headers, so the
    bytes are taken from the entropy-coded data (the middle) and its end."""
    n = len(data)
    return n, data[n // 2:n // 2 + 16], data[-16:]


def _forget_all() -> None:
    global _kept_bytes
    _VERIFIED.clear()
    _KEYS.clear()
    _KEPT.clear()
    _FOREIGN.clear()
    _kept_bytes = 0


def remember_verified(digest: bytes, frame: JpegFrame) -> None:
    """Note JPEG data with SHA-256 `digest` as passed, with its frame: for a worker process of this
    program that ran verify_jpeg on those bytes (the builder checks scans on every core)."""
    if len(_VERIFIED) >= _VERIFIED_MAX:
        _forget_all()
    _VERIFIED[digest] = frame
    _FOREIGN.add(digest)


def _keep(key: tuple, data: bytes, digest: bytes) -> None:
    global _kept_bytes
    if _kept_bytes + len(data) <= _KEPT_MAX_BYTES:
        # bytes are immutable: holding this object is holding exactly these bytes
        _KEPT.setdefault(key, []).append((data if type(data) is bytes else bytes(data), digest))
        _kept_bytes += len(data)


def verify_jpeg(data: bytes) -> JpegFrame:
    """Raise ImageDefect unless the JPEG is one PDF can draw and all of its entropy-coded data decodes
    to the end; return its frame header."""
    return verify_jpeg_digest(data)[0]


def verify_jpeg_digest(data: bytes) -> tuple[JpegFrame, bytes]:
    """`verify_jpeg`, also returning the SHA-256 of `data`: computed here from `data` on every path but
    one, a hit among the kept bytes, where `data` equals (memcmp) bytes whose SHA-256 was computed from
    them when they passed. For a caller that needs the digest anyway (the builder's scan precheck),
    which then does not hash the bytes a second time (issue 19, fifth round)."""
    key = _key(data)
    held = False
    for kept, digest in _KEPT.get(key, ()):
        if kept == data:  # the very bytes that passed (length, then memcmp)
            frame = _VERIFIED.get(digest)
            if frame is not None:
                return frame, digest
            held = True  # its digest was forgotten: decided again below, not kept twice
    digest = None
    if key in _KEYS or _FOREIGN:
        digest = hashlib.sha256(data).digest()
        frame = _VERIFIED.get(digest)
        if frame is not None:
            _FOREIGN.discard(digest)
            if key in _KEYS and not held:
                _keep(key, data, digest)  # seen passing twice here: likely to come again
            _KEYS.add(key)
            return frame, digest
    frame = _walk_jpeg(data, decode=True)
    if len(_VERIFIED) >= _VERIFIED_MAX:
        _forget_all()
    digest = digest or hashlib.sha256(data).digest()
    _VERIFIED[digest] = frame
    _KEYS.add(key)
    return frame, digest


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
    accel = images_jpeg_scan.ACCEL  # the same scan in C (a Python loop over each 0xFF costs ~7 ms a scan)
    if accel:
        return accel.entropy_end(data, pos)
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
