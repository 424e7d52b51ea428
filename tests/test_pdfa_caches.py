"""What the PDF/A checker keeps from one check for the next (issue 19): parsed font programs, keyed by
the SHA-256 of their bytes, and the last XMP packet. A cache may only save work, never change a result."""

from __future__ import annotations

import io
import threading
import zlib

import pikepdf
import pytest

from edossier.pdfa import fontprograms
from edossier.pdfa.check import check_pdf, clear_caches

from test_pdfa_check import _recipe_2u, _save, ids


def _widths_doubled(data: bytes) -> bytes:
    """The same document with every advance width in the embedded TrueType program doubled, so the
    /W widths of the font dictionary no longer match the program (ISO 19005-2 6.2.11.5)."""
    from fontTools.ttLib import TTFont

    pdf = pikepdf.open(io.BytesIO(data))
    changed = 0
    for o in pdf.objects:
        if isinstance(o, pikepdf.Dictionary) and "/FontFile2" in o:
            font = TTFont(io.BytesIO(o.FontFile2.read_bytes()))
            hmtx = font["hmtx"]
            for name in list(hmtx.metrics):
                width, lsb = hmtx[name]
                hmtx[name] = (width * 2, lsb)
            out = io.BytesIO()
            font.save(out)
            o.FontFile2.write(out.getvalue())
            changed += 1
    assert changed
    return _save(pdf)


@pytest.fixture(scope="module")
def documents(tmp_path_factory):
    good = _recipe_2u(tmp_path_factory.mktemp("caches"), ocr_layer=False)
    return good, _widths_doubled(good)


def test_a_cached_program_never_answers_for_other_bytes(documents):
    good, bad = documents
    clear_caches()
    assert ids(check_pdf(bad)) == {"6.2.11.5-1"}  # first check: the program is parsed
    clear_caches()
    assert ids(check_pdf(good)) == set()
    # the good document's program is cached now; the damaged one has other bytes, so it is parsed
    # again and still fails, and the good one, served from the cache, still passes
    assert ids(check_pdf(bad)) == {"6.2.11.5-1"}
    assert ids(check_pdf(good)) == set()
    assert ids(check_pdf(bad)) == {"6.2.11.5-1"}


def test_the_same_program_bytes_are_parsed_once(documents, monkeypatch):
    good, _ = documents
    clear_caches()
    made = []
    real = fontprograms.Program.__init__

    def counting(self, kind, data):
        made.append(kind)
        real(self, kind, data)

    monkeypatch.setattr(fontprograms.Program, "__init__", counting)
    first = check_pdf(good)
    parsed = len(made)
    assert parsed >= 1
    again = check_pdf(good)
    assert len(made) == parsed  # the second document with the same program bytes parsed nothing
    assert again.issues == first.issues
    clear_caches()
    check_pdf(good)
    assert len(made) == 2 * parsed  # after clear_caches the program is parsed again


def test_each_thread_has_its_own_programs(documents):
    # fontTools reads tables lazily and is not safe to share between threads (the exchange node
    # validates on several): a program parsed on one thread is not handed to another.
    good, bad = documents
    clear_caches()
    check_pdf(good)
    mine = dict(fontprograms._programs.cache)
    seen = {}

    def other():
        seen["issues"] = ids(check_pdf(bad))
        seen["cache"] = dict(fontprograms._programs.cache)

    t = threading.Thread(target=other)
    t.start()
    t.join()
    assert seen["issues"] == {"6.2.11.5-1"}
    assert not set(map(id, seen["cache"].values())) & set(map(id, mine.values()))


def test_the_cache_is_bounded(monkeypatch):
    monkeypatch.setattr(fontprograms, "_PROGRAMS_MAX_BYTES", 4000)
    clear_caches()
    for i in range(10):
        fontprograms._shared_program("/FontFile2", bytes([i]) * 900)  # not fonts: parsed, not ok, cached
    assert fontprograms._programs.size <= 4000
    assert len(fontprograms._programs.cache) == 4  # the most recent four
    clear_caches()


# ICC profile headers (colour._icc_header): kept by the SHA-256 of the profile stream's raw bytes, its
# filters and the stream limit. minimal_pdfa's OutputIntent carries an sRGB profile.

def _profile_changed(data: bytes, how) -> bytes:
    pdf = pikepdf.open(io.BytesIO(data))
    p = pdf.Root.OutputIntents[0].DestOutputProfile
    p.write(how(p.read_bytes()))
    return _save(pdf)


def _not_icc(profile: bytes) -> bytes:
    return profile[:36] + b"xxxx" + profile[40:]  # the header's "acsp" signature broken (ICC.1 7.2.5)


def _version_5(profile: bytes) -> bytes:
    return profile[:8] + b"\x05" + profile[9:]  # ICC version 5 (iccMAX): not allowed in PDF/A-2 (6.2.3)


def test_a_cached_icc_header_never_answers_for_other_bytes():
    from test_pdfa_check import minimal_pdfa

    good = minimal_pdfa()
    broken, v5 = _profile_changed(good, _not_icc), _profile_changed(good, _version_5)
    pdf = pikepdf.open(io.BytesIO(good))
    p = pdf.Root.OutputIntents[0].DestOutputProfile
    p.write(zlib.compress(p.read_bytes(), 1), filter=pikepdf.Name.FlateDecode)
    good_again = _save(pdf)
    raws = []
    for d in (good, good_again):
        with pikepdf.open(io.BytesIO(d)) as other:
            raws.append(other.Root.OutputIntents[0].DestOutputProfile.read_raw_bytes())
    assert raws[0] != raws[1]
    clear_caches()
    for _ in range(2):  # the second round is answered from the cache: the same answers
        assert "6.2.3-1" not in ids(check_pdf(good))
        assert "6.2.3-1" in ids(check_pdf(broken))
        assert "6.2.3-1" in ids(check_pdf(v5))
        # the good profile's bytes stored with another compression level: other raw bytes, decoded
        assert "6.2.3-1" not in ids(check_pdf(good_again))


def test_the_same_icc_profile_is_decoded_once(monkeypatch):
    from edossier.pdfa import colour
    from test_pdfa_check import minimal_pdfa

    decoded = []
    real = colour._icc_header_of
    monkeypatch.setattr(colour, "_icc_header_of", lambda ctx, s: (decoded.append(1), real(ctx, s))[1])
    clear_caches()
    first = check_pdf(minimal_pdfa())
    assert len(decoded) == 1  # read by the output-intent and the device-colour checks: decoded once
    assert check_pdf(minimal_pdfa()) == first
    assert len(decoded) == 1  # another document with the same profile bytes
    clear_caches()
    check_pdf(minimal_pdfa())
    assert len(decoded) == 2


def test_xmp_type_names_are_normalised_the_same_with_the_memo():
    # xmpparse._norm keeps its answers (a pure function of the text); the memo must give what the function
    # gives, however often and in whatever order a name is asked, and stay bounded for names from the file
    from edossier.pdfa import xmpparse

    names = ["Text", "Closed Choice of Text", "open Choice of Integer", "bag Text", "seq  ProperName",
             "alt Text", "Lang alt", "Open Choice", "Closed Choice", "Bag   Lang Alt", "Choice of Real",
             " Seq\tDate ", "x" * 300]
    expected = {"Text": "Text", "Closed Choice of Text": "Text", "open Choice of Integer": "Integer",
                "bag Text": "Bag Text", "seq  ProperName": "Seq ProperName", "alt Text": "Alt Text",
                "Lang alt": "Lang Alt", "Open Choice": "Text", "Closed Choice": "Text",
                "Bag   Lang Alt": "Bag Lang Alt", "Choice of Real": "Real", " Seq\tDate ": "Seq Date",
                "x" * 300: "x" * 300}
    xmpparse._NORMED.clear()
    for _ in range(3):
        for n in names + names[::-1]:
            assert xmpparse._norm(n) == expected[n]
    assert "x" * 300 not in xmpparse._NORMED  # long names are not kept
    for i in range(xmpparse._NORMED_MAX + 10):
        assert xmpparse._norm(f"bag T{i}") == f"Bag T{i}"
    assert len(xmpparse._NORMED) <= xmpparse._NORMED_MAX
