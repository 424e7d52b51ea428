"""The C loops of the JPEG entropy check (src/edossier/pdfa/_jpegscan.c, issue 19) against the Python loops
they replace (images_jpeg_scan.py): on good scans and on hostile mutations of them, both must pass the
same files and refuse the rest with the same words. Two blocks built here bit by bit give the standard's
own answer (ISO/IEC 10918-1 F.2.2.2: a block holds 64 coefficients, indices 0-63)."""

from __future__ import annotations

import io
import os
import struct

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from PIL import Image, ImageDraw

from edossier.pdfa import images_jpeg_scan
from edossier.pdfa.images import ImageDefect
from edossier.pdfa.images_jpeg import _walk_jpeg

ACCEL = images_jpeg_scan.ACCEL


def test_the_accelerator_is_built_in_ci():
    # CI installs a compiler (.ci/run), so there the C loops must be what runs; elsewhere the Python
    # loops are the documented fallback
    if os.environ.get("CI"):
        assert ACCEL is not None, "edossier.pdfa._jpegscan was not built (setup.py, needs a C compiler)"


needs_accel = pytest.mark.skipif(ACCEL is None, reason="the C accelerator is not built here (no compiler)")


def _outcome(data: bytes, accel) -> tuple:
    saved = images_jpeg_scan.ACCEL
    images_jpeg_scan.ACCEL = accel
    try:
        frame = _walk_jpeg(data, decode=True)  # not verify_jpeg: its memo would answer the second call
        return ("pass", frame)
    except ImageDefect as e:
        return ("refused", e.code, e.en, e.zh)
    finally:
        images_jpeg_scan.ACCEL = saved


def _scan(mode="L", progressive=False, size=(240, 184), **kw) -> bytes:
    img = Image.new(mode, size, "white")
    d = ImageDraw.Draw(img)
    for y in range(8, size[1] - 8, 14):
        d.text((6, y), f"line {y} 第{y}行 0123456789", fill="black" if mode == "L" else (20, 40, 200))
    d.ellipse([30, 20, 200, 160], outline="black")
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=80, progressive=progressive, **kw)
    return buf.getvalue()


SEEDS = {
    "grey": lambda: _scan(),
    "rgb-420": lambda: _scan("RGB"),
    "rgb-444": lambda: _scan("RGB", subsampling=0),
    "grey-optimized": lambda: _scan(optimize=True),
    "grey-progressive": lambda: _scan(progressive=True),
    "rgb-progressive": lambda: _scan("RGB", progressive=True),
    "rgb-444-progressive": lambda: _scan("RGB", progressive=True, subsampling=0),
    "grey-restart": lambda: _scan(restart_marker_blocks=3),
    "rgb-restart-progressive": lambda: _scan("RGB", progressive=True, restart_marker_rows=1),
}
_SEED_BYTES = {name: make() for name, make in SEEDS.items()}


@needs_accel
@pytest.mark.parametrize("name", sorted(SEEDS))
def test_good_scans_pass_both_ways(name):
    data = _SEED_BYTES[name]
    c, py = _outcome(data, ACCEL), _outcome(data, None)
    assert c[0] == "pass", c
    assert c == py


def _entropy_span(data: bytes) -> tuple[int, int]:
    """Where the first scan's entropy-coded data lies (after SOS's header, up to EOI)."""
    i = data.index(b"\xff\xda")
    start = i + 2 + struct.unpack(">H", data[i + 2:i + 4])[0]
    return start, len(data) - 2


_MUTATIONS = st.lists(
    st.tuples(st.sampled_from(["flip", "set", "delete", "insert", "truncate", "zero-run"]),
              st.floats(0, 1, allow_nan=False), st.integers(0, 255)),
    min_size=1, max_size=4)


@needs_accel
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(sorted(SEEDS)), mutations=_MUTATIONS)
def test_mutated_scans_get_the_same_answer_both_ways(name, mutations):
    data = bytearray(_SEED_BYTES[name])
    for kind, where, value in mutations:
        start, end = _entropy_span(bytes(data)) if b"\xff\xda" in data else (2, len(data))
        end = max(start + 1, end)
        at = min(len(data) - 1, start + int(where * (end - start)))
        if kind == "flip":
            data[at] ^= 1 << (value % 8)
        elif kind == "set":
            data[at] = value
        elif kind == "delete":
            del data[at]
        elif kind == "insert":
            data.insert(at, value)
        elif kind == "truncate":
            del data[at:]
        else:
            data[at:at + value % 40] = bytes(value % 40)
    data = bytes(data)
    assert _outcome(data, ACCEL) == _outcome(data, None)


def _one_block_jpeg(entropy: bytes, ac_codes: list[tuple[int, int]]) -> bytes:
    """An 8x8 grey baseline JPEG of one block, with a DC table whose only code `0` means "difference 0"
    and an AC table of the given (code length, symbol) pairs in canonical order (ISO 10918-1 C.2)."""
    def seg(marker: int, body: bytes) -> bytes:
        return struct.pack(">BBH", 0xFF, marker, len(body) + 2) + body

    dqt = seg(0xDB, b"\x00" + bytes([1] * 64))
    sof = seg(0xC0, struct.pack(">BHHB", 8, 8, 8, 1) + b"\x01\x11\x00")
    counts = [0] * 16
    for length, _ in ac_codes:
        counts[length - 1] += 1
    dht_dc = seg(0xC4, b"\x00" + bytes([1] + [0] * 15) + b"\x00")
    dht_ac = seg(0xC4, b"\x10" + bytes(counts) + bytes(sym for _, sym in ac_codes))
    sos = seg(0xDA, b"\x01\x01\x00\x00\x3f\x00")
    return b"\xff\xd8" + dqt + sof + dht_dc + dht_ac + sos + entropy + b"\xff\xd9"


# AC codes: `0` = ZRL (0xF0, sixteen zeros), `10` = run 15 then a 1-bit value (0xF1) or run 14 then a
# 1-bit value (0xE1). DC `0`, then ZRL three times: coefficients 1-48 are zero, the next index is 49.
_HEAD = "0" + "000"


def _bits(s: str) -> bytes:
    s += "1" * (-len(s) % 8)  # pad with one-bits, as an encoder does (F.1.2.3)
    return int(s, 2).to_bytes(len(s) // 8, "big")


@pytest.mark.parametrize("accel", [pytest.param(ACCEL, marks=needs_accel, id="c"), pytest.param(None, id="python")])
def test_a_block_of_exactly_64_coefficients_passes(accel):
    # 49 + run 14 = index 63, the last one (a 1-bit value, bit 1): the block is full, no EOB needed
    data = _one_block_jpeg(_bits(_HEAD + "10" + "1"), [(1, 0xF0), (2, 0xE1)])
    assert _outcome(data, accel)[0] == "pass"


@pytest.mark.parametrize("accel", [pytest.param(ACCEL, marks=needs_accel, id="c"), pytest.param(None, id="python")])
def test_a_block_of_more_than_64_coefficients_is_corrupt(accel):
    # 49 + run 15 = index 64: there is no 65th coefficient, so this is corrupt data (libjpeg-turbo
    # silently accepts it, see images.py)
    data = _one_block_jpeg(_bits(_HEAD + "10" + "1"), [(1, 0xF0), (2, 0xF1)])
    got = _outcome(data, accel)
    assert got[:3] == ("refused", "D006", "a block has more than 64 coefficients (corrupt data)")


@pytest.mark.parametrize("accel", [pytest.param(ACCEL, marks=needs_accel, id="c"), pytest.param(None, id="python")])
def test_an_unassigned_code_is_reported_at_its_bit(accel):
    # the AC table has codes `0` and `10`; `11` is no code. DC `0`, ZRL `0`, then `11` at bit 2
    data = _one_block_jpeg(_bits("0" + "0" + "11" + "0000"), [(1, 0xF0), (2, 0xE1)])
    got = _outcome(data, accel)
    assert got[:3] == ("refused", "D006", "an invalid Huffman code at bit 2 of the entropy-coded data (corrupt data)")


@needs_accel
def test_the_c_loops_reject_malformed_arguments_instead_of_reading_wildly():
    from array import array

    table = array("i", [0] * 65536)
    with pytest.raises(ValueError):
        ACCEL.sequential(b"\x00", 1, [array("i", [1] * 10), table])  # a table of the wrong size
    with pytest.raises(ValueError):
        ACCEL.sequential(b"\x00", 1, [table])  # a DC table without its AC table
    with pytest.raises(ValueError):
        ACCEL.progressive_ac(b"\x00", 5, 0, table, 1, 63, array("Q", [0] * 2), False)  # mask too short
    with pytest.raises(ValueError):
        ACCEL.progressive_ac(b"\x00", 1, 0, table, 0, 63, array("Q", [0]), False)  # band must start at 1


def test_version_says_which_check_runs():
    from click.testing import CliRunner

    from edossier.cli.main import main as cli

    out = CliRunner().invoke(cli, ["--version"]).output
    assert "0.2.0" in out
    expected = "JPEG integrity check: C" if ACCEL is not None else "JPEG integrity check: pure Python"
    assert expected in out, out


# --- the polyglot check's ZIP-signature scan (active.zip_signatures), also in _jpegscan.c ---------------

_SIGNATURE_PIECES = st.sampled_from([b"PK\x03\x04", b"PK\x05\x06", b"PK\x03", b"PK\x05\x07", b"PPK\x03\x04",
                                     b"P", b"K", b"PK", b"\x03\x04", b"\xff\xd8", b"x" * 40])


def _offsets_both_ways(data) -> tuple[list, list]:
    from edossier.pdfa import active

    saved = active._ACCEL
    try:
        active._ACCEL = None
        by_regex = list(active._signature_offsets(data))
        active._ACCEL = saved
        by_c = list(active._signature_offsets(data))
    finally:
        active._ACCEL = saved
    return by_regex, by_c


@needs_accel
@settings(max_examples=400, deadline=None)
@given(pieces=st.lists(st.one_of(_SIGNATURE_PIECES, st.binary(max_size=64)), max_size=40))
def test_the_zip_signature_scan_finds_what_the_expression_finds(pieces):
    data = b"".join(pieces)
    by_regex, by_c = _offsets_both_ways(data)
    assert by_c == by_regex
    assert _offsets_both_ways(memoryview(data)) == (by_regex, by_regex)  # any buffer, as the checker passes


@needs_accel
def test_the_zip_signature_scan_by_hand():
    # offsets counted by hand: a local header at 3, an end record at 10 (the 'P' at 9 starts no signature),
    # and a signature cut off by the end of the data is none
    data = b"abcPK\x03\x04xxPPK\x05\x06PK\x03"
    assert _offsets_both_ways(data) == ([3, 10], [3, 10])
    assert ACCEL.zip_sig(data, 4) == 10 and ACCEL.zip_sig(data, 11) == -1 and ACCEL.zip_sig(b"", 0) == -1
