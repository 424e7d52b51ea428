"""The marker scans of the JPEG integrity check (where a scan's entropy-coded data ends, its restart
intervals), against a byte-by-byte reading of ISO/IEC 10918-1 B.1.1.2 (markers, fill bytes), B.1.1.5
(0xFF00 stuffing) and B.2.1 (RSTn inside entropy-coded data), on random data rich in those bytes.
(Issue 19 tried regexes for both scans: slower than bytes.find, reverted; these tests stayed. Both
scans then moved to C, _jpegscan.c: every test here runs against the C and the Python scans.)"""

from __future__ import annotations

import random

import pytest

from edossier.pdfa import images_jpeg_scan
from edossier.pdfa.images_jpeg import _entropy_end
from edossier.pdfa.images_jpeg_scan import _intervals


@pytest.fixture(autouse=True, params=["c", "python"])
def loops(request, monkeypatch):
    """Every test twice: with the C scans of _jpegscan.c and with the Python ones."""
    if request.param == "c" and images_jpeg_scan.ACCEL is None:
        pytest.skip("the C accelerator is not built here (no compiler)")
    if request.param == "python":
        monkeypatch.setattr(images_jpeg_scan, "ACCEL", None)
    return request.param


def _reference_end(data: bytes, pos: int) -> int:
    # the first 0xFF (after any fill 0xFF) whose code is neither 0x00 (stuffing) nor RST0-7
    n = len(data)
    i = pos
    while i < n:
        if data[i] != 0xFF:
            i += 1
            continue
        j = i + 1
        while j < n and data[j] == 0xFF:
            j += 1
        if j >= n:
            return n  # 0xFF bytes at the very end: truncated, no marker
        if data[j] == 0x00 or 0xD0 <= data[j] <= 0xD7:
            i = j + 1
            continue
        return i
    return n


def _reference_intervals(chunk: bytes):
    out, body, i, n = [], bytearray(), 0, len(chunk)
    while i < n:
        b = chunk[i]
        if b != 0xFF:
            body.append(b)
            i += 1
            continue
        j = i + 1
        while j < n and chunk[j] == 0xFF:
            j += 1
        if j < n and 0xD0 <= chunk[j] <= 0xD7:
            out.append((bytes(body).replace(b"\xff\x00", b"\xff"), chunk[j] - 0xD0))
            body = bytearray()
            i = j + 1
            continue
        body += chunk[i:j]  # 0xFF bytes that are data (stuffed or trailing)
        i = j
    out.append((bytes(body).rstrip(b"\xff").replace(b"\xff\x00", b"\xff"), None))
    return out


def _random_bytes(rnd: random.Random, n: int) -> bytes:
    alphabet = [0xFF] * 6 + [0x00] * 3 + list(range(0xD0, 0xDA)) + [0x12, 0x7F, 0xC4, 0xFE]
    return bytes(rnd.choice(alphabet) for _ in range(n))


def test_entropy_end_finds_the_first_real_marker():
    rnd = random.Random(19)
    for _ in range(3000):
        data = _random_bytes(rnd, rnd.randint(0, 40))
        pos = rnd.randint(0, len(data))
        assert _entropy_end(data, pos) == _reference_end(data, pos), (data.hex(), pos)


def test_entropy_end_cases_from_the_standard():
    assert _entropy_end(b"\x01\xff\x00\x02\xff\xd9", 0) == 4  # stuffed byte, then EOI
    assert _entropy_end(b"\x01\xff\xff\xff\xd9", 0) == 1  # fill bytes belong to the marker
    assert _entropy_end(b"\x01\xff\xd3\x02\xff\xda", 0) == 4  # RST3 is data, SOS ends it
    assert _entropy_end(b"\x01\x02\xff\xff", 0) == 4  # 0xFF at the end: truncated, no marker
    assert _entropy_end(b"\x01\xff\xff\x00\x02", 0) == 5  # fill bytes then a stuffed zero: data


def test_intervals_split_at_restart_markers_and_destuff():
    rnd = random.Random(1019)
    for _ in range(3000):
        data = _random_bytes(rnd, rnd.randint(0, 40))
        assert _intervals(data, 0, len(data)) == _reference_intervals(data), data.hex()
    assert _intervals(b"\x01\xff\x00\x02\xff\xff\xd1\x03\xff", 0, 9) == [(b"\x01\xff\x02", 1), (b"\x03", None)]
