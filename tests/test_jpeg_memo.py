"""The JPEG check's memo (pdfa/images_jpeg.py, issue 19): a scan is decoded once per process, a repeat is
found by a cheap key and then a full byte comparison with bytes that passed, and a changed byte anywhere,
including where the cheap key does not look, never hits the memo: the changed scan is decoded, and refused
when corrupt. Every scan here is made by code; what makes one corrupt is stated from ISO 10918-1."""

from __future__ import annotations

import io

import pikepdf
import pytest

import edossier.pdfa.images_jpeg as ij
from edossier.pdfa.images import ImageDefect

from test_build_once import _noisy_jpeg as _scan  # a noisy greyscale scan, different for every seed


def _entropy_span(data: bytes) -> tuple[int, int]:
    """Start and end of the (single) scan's entropy-coded data: after the SOS segment, before EOI."""
    sos = data.index(b"\xff\xda")
    return sos + 2 + int.from_bytes(data[sos + 2:sos + 4], "big"), data.rindex(b"\xff\xd9")


def _outside_key(data: bytes, where: float) -> int:
    """A position in the entropy-coded data at fraction `where` of it, away from the bytes the cheap key
    samples (16 from the middle of the file, 16 at its end), so that the changed scan has the same key."""
    start, end = _entropy_span(data)
    p = start + int((end - start) * where)
    n = len(data)
    assert not (n // 2 - 1 <= p < n // 2 + 17) and p < n - 17
    return p


@pytest.fixture
def decodes(monkeypatch):
    """A fresh memo, and the list of the byte strings entropy-decoded from now on."""
    monkeypatch.setattr(ij, "_VERIFIED", {})
    monkeypatch.setattr(ij, "_KEYS", set())
    monkeypatch.setattr(ij, "_KEPT", {})
    monkeypatch.setattr(ij, "_FOREIGN", set())
    monkeypatch.setattr(ij, "_kept_bytes", 0)
    seen: list[bytes] = []
    real = ij._walk_jpeg

    def counting(data, decode):
        if decode:
            seen.append(bytes(data))
        return real(data, decode=decode)

    monkeypatch.setattr(ij, "_walk_jpeg", counting)
    return seen


def _memoised(good: bytes, decodes) -> None:
    """Pass `good` three times (equal bytes, distinct objects): decoded once, its bytes kept."""
    frames = {ij.verify_jpeg(bytes(bytearray(good))) for _ in range(3)}
    assert len(frames) == 1 and decodes == [good]
    assert any(kept == good for entries in ij._KEPT.values() for kept, _ in entries)


def test_a_repeated_scan_is_decoded_once_and_then_found_without_hashing(decodes, monkeypatch):
    good = _scan(1)
    _memoised(good, decodes)
    hashed = []
    real_sha = ij.hashlib.sha256
    monkeypatch.setattr(ij.hashlib, "sha256", lambda data=b"": hashed.append(len(data)) or real_sha(data))
    for _ in range(5):
        ij.verify_jpeg(bytes(bytearray(good)))
    assert decodes == [good] and hashed == []  # kept bytes compared, nothing hashed or decoded again


@pytest.mark.parametrize("where", [0.1, 0.3, 0.7, 0.95])
def test_one_corrupt_byte_where_the_key_does_not_look_is_decoded_and_refused(decodes, where):
    good = _scan(2)
    _memoised(good, decodes)
    p = _outside_key(good, where)
    while good[p - 1] == 0xFF or good[p] == 0xFF or good[p + 1] in (0x00, 0xFF) or 0xD0 <= good[p + 1] <= 0xD7:
        p += 1
    # One byte set to 0xFF: followed by neither 0x00 (stuffing) nor RST0-7, it is a marker (ISO 10918-1
    # B.1.1.2, F.1.2.3), so the entropy-coded data of the scan ends there, before its last MCU.
    bad = good[:p] + b"\xff" + good[p + 1:]
    assert len(bad) == len(good) and ij._key(bad) == ij._key(good)  # a candidate for the memo
    for _ in range(2):
        with pytest.raises(ImageDefect) as exc:
            ij.verify_jpeg(bad)
        assert exc.value.code == "D006"
    assert decodes == [good, bad, bad]  # decoded each time it was asked, never answered by the memo
    assert ij.verify_jpeg(good) is not None and len(decodes) == 3  # the good one is still remembered


def test_a_changed_byte_never_hits_the_memo(decodes):
    """Each single-bit change, at positions from the SOI marker to the last byte, is decoded (whatever
    the outcome), so a memo hit can only be the very bytes that passed."""
    good = _scan(3)
    _memoised(good, decodes)
    start, end = _entropy_span(good)
    n = len(good)
    positions = sorted({2, 20, start - 3, start + 5, n // 3, n // 2, n // 2 + 8, n // 2 + 40, (2 * n) // 3,
                        end - 10, n - 16, n - 3})
    for p in positions:
        changed = good[:p] + bytes([good[p] ^ 0x01]) + good[p + 1:]
        before = len(decodes)
        try:
            ij.verify_jpeg(changed)
        except ImageDefect:
            pass
        assert decodes[before:] == [changed], f"byte {p} changed: not decoded"


def test_a_shorter_or_longer_scan_is_not_a_repeat(decodes):
    good = _scan(4)
    _memoised(good, decodes)
    cut = good[:-2]  # no EOI marker
    with pytest.raises(ImageDefect):
        ij.verify_jpeg(cut)
    longer = good + b"\x00"
    try:
        ij.verify_jpeg(longer)
    except ImageDefect:
        pass
    assert decodes == [good, cut, longer]


def test_the_kept_bytes_are_bounded(decodes, monkeypatch):
    scans = [_scan(10 + i) for i in range(4)]
    monkeypatch.setattr(ij, "_KEPT_MAX_BYTES", 2 * max(map(len, scans)))
    for _ in range(3):
        for s in scans:
            ij.verify_jpeg(bytes(bytearray(s)))
    kept = [k for entries in ij._KEPT.values() for k, _ in entries]
    assert sum(map(len, kept)) <= ij._KEPT_MAX_BYTES and len(kept) == 2
    assert sorted(decodes) == sorted(scans)  # the others are found by their SHA-256 instead: still once


def test_a_workers_digest_is_found_by_sha256(decodes):
    """The builder's worker processes report the SHA-256 of scans they passed (remember_verified)."""
    import hashlib

    good = _scan(5)
    frame = ij._walk_jpeg(good, decode=True)
    decodes.clear()
    ij.remember_verified(hashlib.sha256(good).digest(), frame)
    assert ij.verify_jpeg(bytes(bytearray(good))) == frame and decodes == []
    other = _scan(6)
    ij.verify_jpeg(other)
    assert decodes == [other]


def _image_pdf(jpegs: list[bytes]) -> bytes:
    pdf = pikepdf.new()
    for data in jpegs:
        img = pikepdf.Stream(pdf, data, Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image, Width=320,
                             Height=452, ColorSpace=pikepdf.Name.DeviceGray, BitsPerComponent=8,
                             Filter=pikepdf.Name.DCTDecode)
        page = pikepdf.Page(pikepdf.Dictionary(Type=pikepdf.Name.Page, MediaBox=[0, 0, 115.2, 162.7],
                                               Resources=pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=img))))
        pdf.pages.append(page)
        pdf.pages[-1].Contents = pdf.make_stream(b"q 115.2 0 0 162.7 0 0 cm /Im0 Do Q")
    buf = io.BytesIO()
    pdf.save(buf)
    return buf.getvalue()


def test_the_image_checks_run_on_the_checkers_open_pdf(decodes, monkeypatch):
    """document_facts opens each PDF once; its image findings are those of opening it again, and a page
    whose scan differs from a repeated one in a single byte is still refused (D006, with its page)."""
    from edossier.validation import documents

    good = _scan(7)
    p = _outside_key(good, 0.5)
    while good[p - 1] == 0xFF or good[p] == 0xFF or good[p + 1] in (0x00, 0xFF) or 0xD0 <= good[p + 1] <= 0xD7:
        p += 1
    bad = good[:p] + b"\xff" + good[p + 1:]
    data = _image_pdf([good, good, good, bad, good])
    opened = []
    real_open = pikepdf.open
    monkeypatch.setattr(pikepdf, "open", lambda *a, **k: opened.append(1) or real_open(*a, **k))
    facts = documents.document_facts(data)
    assert len(opened) == 1
    assert [(f.code, f.location) for f in facts.images] == [("D006", "page 4, image /Im0")]
    monkeypatch.setattr(pikepdf, "open", real_open)
    again = documents._image_outcome(data)
    assert [(f.code, f.location, f.en) for f in again] == [(f.code, f.location, f.en) for f in facts.images]


def test_the_digest_returned_is_the_sha256_of_the_bytes_on_every_path(decodes):
    """verify_jpeg_digest (the builder's precheck takes its digest instead of hashing the scan again):
    decoded (first sighting), hashed (second), a kept-bytes hit (third and later), and a scan changed by
    one byte where the cheap key does not look: each time the SHA-256 of exactly the bytes given,
    computed here independently."""
    import hashlib

    good = _scan(31)
    for _ in range(4):
        frame, digest = ij.verify_jpeg_digest(bytes(bytearray(good)))
        assert digest == hashlib.sha256(good).digest()
    assert decodes == [good] and any(kept == good for entries in ij._KEPT.values() for kept, _ in entries)
    p = _outside_key(good, 0.3)
    changed = good[:p] + bytes([good[p] ^ 0x10 if good[p] not in (0xEF, 0xFF) else 0x01]) + good[p + 1:]
    assert ij._key(changed) == ij._key(good)
    _, digest = ij.verify_jpeg_digest(changed)  # still decodes (a changed coefficient bit), so it passes
    assert digest == hashlib.sha256(changed).digest() != hashlib.sha256(good).digest()
    assert decodes[-1] == changed  # decoded, not taken from the memo
