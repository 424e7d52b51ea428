"""JPEG entropy-coded data (ISO/IEC 10918-1 Annex F/G): the frame and scan parameters, the Huffman
lookup tables, and the block-by-block decoding of each restart interval, sequential and progressive,
that proves every byte of a scan is there and valid (see the module docstring of images.py)."""

from __future__ import annotations

import math
from array import array
from dataclasses import dataclass
from edossier.pdfa.images import _corrupt, ImageDefect


_SOF_NAMES = {0xC0: "baseline", 0xC1: "extended sequential", 0xC2: "progressive", 0xC3: "lossless",
              0xC5: "differential sequential (hierarchical)", 0xC6: "differential progressive (hierarchical)",
              0xC7: "differential lossless (hierarchical)", 0xC9: "arithmetic-coded sequential",
              0xCA: "arithmetic-coded progressive", 0xCB: "arithmetic-coded lossless",
              0xCD: "arithmetic-coded differential sequential (hierarchical)",
              0xCE: "arithmetic-coded differential progressive (hierarchical)",
              0xCF: "arithmetic-coded differential lossless (hierarchical)"}


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
    """The lookup table as a list (the Python loops) and as native int32 (the C loops)."""
    key = (bytes(spec[0]), bytes(spec[1]), dc, progressive and not dc)
    table = _TABLES.get(key)
    if table is None:
        if len(_TABLES) > 32:  # a handful of standard tables cover nearly every file
            _TABLES.clear()
        lst = _huff_tables(spec[0], spec[1], dc, progressive)
        table = _TABLES[key] = (lst, array("i", lst))
    return table


# The C version of the three loops below (_jpegscan.c, built by setup.py where a compiler exists): the
# same bits decoded and the same checks in the same order; tests/test_jpeg_accel.py holds them to
# identical answers on hostile input. None: the pure-Python loops run (about 9x slower, docs/performance.md).
try:
    from edossier.pdfa import _jpegscan as ACCEL
except ImportError:  # no compiler at install time: the check is the same, only slower
    ACCEL = None


# The defects the decoding loops report (the Python and the C loops word them the same)
def _truncated() -> ImageDefect:
    return _corrupt("the entropy-coded data ends before the last block (truncated or corrupt)",
                    "熵编码数据在最后一个块之前结束（被截断或损坏）")


def _over_64() -> ImageDefect:
    return _corrupt("a block has more than 64 coefficients (corrupt data)", "某个块的系数超过 64 个（数据损坏）")


def _over_band() -> ImageDefect:
    return _corrupt("a block has more coefficients than its band (corrupt data)", "某个块的系数超出其频带（数据损坏）")


def _refine_too_big() -> ImageDefect:
    return _corrupt("a refinement scan codes a value larger than one bit (corrupt data)",
                    "细化扫描中出现超过一位的数值（数据损坏）")


class _Scan:
    def __init__(self, comps, ss, se, ah, al):
        self.comps, self.ss, self.se, self.ah, self.al = comps, ss, se, ah, al


def _intervals(data: bytes, start: int, end: int):
    """The destuffed entropy-coded intervals between start and end, split at RSTn, with each RSTn's
    number (None after the last)."""
    if ACCEL:  # the same loop in C (in Python it cost ~13 ms a scan, as much as the decoding)
        return ACCEL.intervals(data, start, end)
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
    accel = ACCEL
    native = 1 if accel else 0  # which form of each lookup table the loops below take
    tabs = {}
    for ci, td, ta in scan.comps:
        dct = act = None
        if need_dc:
            if td not in dc_tabs:
                raise _corrupt(f"the scan uses DC Huffman table {td}, which is not defined", f"扫描使用了未定义的 DC 霍夫曼表 {td}")
            dct = _table(dc_tabs[td], True, progressive)[native]
        if need_ac:
            if ta not in ac_tabs:
                raise _corrupt(f"the scan uses AC Huffman table {ta}, which is not defined", f"扫描使用了未定义的 AC 霍夫曼表 {ta}")
            act = _table(ac_tabs[ta], False, progressive)[native]
        tabs[ci] = (dct, act)
    if progressive and scan.ss == 0 and scan.ah:
        if any(ci not in dc_seen for ci, _, _ in scan.comps):
            raise _corrupt("a DC refinement scan before the first DC scan", "DC 细化扫描出现在首次 DC 扫描之前")
    if scan.ss == 0:
        dc_seen.update(ci for ci, _, _ in scan.comps)
    mask = None
    if progressive and scan.ss > 0:
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
        if accel:
            bits = _accelerated_interval(accel, body, count, done, layout, tabs, scan, mask, progressive)
        elif progressive:
            bits = _progressive_interval(body, count, done, layout, tabs, scan, mask)
        else:
            bits = _sequential_interval(body, count, layout, tabs)
        if bits > len(body) * 8:
            raise _truncated()
        if len(body) * 8 - bits >= 8:
            raise _corrupt(f"{(len(body) * 8 - bits) // 8} byte(s) of entropy-coded data left over after the "
                           "last block (corrupt data)", f"最后一个块之后多出 {(len(body) * 8 - bits) // 8} 字节熵编码数据（数据损坏）")
        done += count


def _accelerated_interval(accel, body: bytes, count: int, first: int, layout, tabs, scan: _Scan, mask,
                          progressive: bool) -> int:
    """One restart interval through the C loops; the same answers, in the same words, as the Python ones."""
    if not progressive:
        status, value = accel.sequential(body, count, [t for ci in layout for t in tabs[ci]])
    elif scan.ss == 0:
        if scan.ah:  # DC refinement: one bit per block, nothing to decode
            return count * len(layout)
        status, value = accel.progressive_dc(body, count, [tabs[ci][0] for ci in layout])
    else:
        status, value = accel.progressive_ac(body, count, first, tabs[layout[0]][1], scan.ss, scan.se, mask,
                                             bool(scan.ah))
    if status == 0:
        return value
    if status == 1:
        raise _bad_code(value, len(body) * 8 + 16)
    if status == 2:
        raise _over_64()
    if status == 3:
        raise _truncated()
    if status == 4:
        raise _over_band()
    raise _refine_too_big()


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
                raise _over_64()
            if 8 * q - nb > limit:
                raise _truncated()
    return 8 * q - nb


def _bad_code(p: int, limit: int) -> ImageDefect:
    if p >= limit - 16:
        return _truncated()
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
                    raise _over_band()
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
                    raise _refine_too_big()
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
                        raise _over_band()
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
