"""Issue 19, third round: the builder checks each document in a second process while it makes the next
(building/ahead.py), and its preflight takes those facts for a member only when the bytes it reads
have the same digest (validation/evidence.py). Bytes changed after the facts were taken are checked
again, and refused as before."""

from __future__ import annotations

import hashlib
import struct
import zipfile
import zlib

import pytest

from conftest import make_source
from edossier.building import ahead
from edossier.building.pipeline import BuildChecks, build_package
from edossier.building.preflight import PreflightRefused
from edossier.validation import evidence
from edossier.validation.documents import check_document, document_facts
from edossier.validation.pipeline import validate_package

pytestmark = pytest.mark.skipif(not ahead.available(), reason="the check ahead needs fork and a second core")

_FACTS_FOR = evidence.facts_for  # the real lookup (waits for facts on their way), not the counting one


def _counting(monkeypatch):
    """Count, in this process, the document checks that found noted facts and those that did not."""
    seen = {"noted": 0, "computed": 0}
    real = evidence.facts_for

    def facts_for(digests):
        found = real(digests)
        seen["noted" if found is not None else "computed"] += 1
        return found

    monkeypatch.setattr(evidence, "facts_for", facts_for)
    return seen


def _data_span(path, name):
    """(offset, length) of a stored member's data: after its local header (APPNOTE 4.3.7: 30 bytes,
    then the name and the extra field, whose lengths are at offsets 26 and 28)."""
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(name)
    with open(path, "rb") as fh:
        fh.seek(info.header_offset)
        header = fh.read(30)
    assert header[:4] == b"PK\x03\x04" and info.compress_type == zipfile.ZIP_STORED
    n, m = struct.unpack("<HH", header[26:30])
    return info.header_offset + 30 + n + m, info.file_size


def _set_crc(path, name, crc):
    """Write `crc` into the member's local header (offset 14) and central directory entry (offset 16)."""
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(name)
        start_dir = zf.start_dir
    with open(path, "r+b") as fh:
        fh.seek(info.header_offset + 14)
        fh.write(struct.pack("<I", crc))
        fh.seek(start_dir)
        directory = fh.read()
        at = 0  # the central directory starts with its first entry
        raw = name.encode()
        while True:
            n, m, k = struct.unpack("<HHH", directory[at + 28:at + 34])
            if directory[at + 46:at + 46 + n] == raw:
                fh.seek(start_dir + at + 16)
                fh.write(struct.pack("<I", crc))
                return
            at += 46 + n + m + k


def test_every_document_is_checked_ahead_and_the_report_is_the_same(agencies, creds, trust, tmp_path, monkeypatch):
    src = make_source(tmp_path / "src", agencies["police"], docs=[("d1", "立案决定书", 2), ("d2", "讯问笔录", 3)])
    seen = _counting(monkeypatch)
    out = tmp_path / "1.edp"
    result = build_package(src, out, creds["police"], generated_pages=True, checks=BuildChecks(trust=trust))
    # 2 source documents + cover, contents and remarks of the one volume: each found by its digest
    assert result.documents == 5
    assert seen == {"noted": 5, "computed": 0}
    assert not evidence._FACTS, "the notes served this preflight only"
    # the same conclusions as a validation that computes every fact itself
    again = validate_package(out, trust=trust)
    assert seen["computed"] == 5
    assert again.verdict == "accept"
    assert sorted((f.code, f.location) for f in result.preflight.report.findings) == sorted(
        (f.code, f.location) for f in again.findings)


def test_a_document_changed_after_it_was_checked_ahead_is_refused(agencies, creds, trust, tmp_path, monkeypatch):
    """Between the check ahead and the preflight, a JPEG inside document 2 is damaged in the output file
    (same length, so the ZIP still reads): the preflight reads other bytes, with another digest, so the
    noted facts do not apply; it checks the document again and finds the broken scan (D006) besides the
    digest that no longer matches the manifest (I001)."""
    import edossier.building.preflight as preflight_module

    src = make_source(tmp_path / "src", agencies["police"], docs=[("d1", "立案决定书", 1), ("d2", "讯问笔录", 2)])
    seen = _counting(monkeypatch)
    noted = {}
    real = preflight_module.preflight

    def damage_then_preflight(unsigned, layer, **kw):
        noted.update({k: v for k, v in evidence._FACTS.items()})
        offset, length = _data_span(unsigned, "documents/001/0002.pdf")
        with open(unsigned, "r+b") as fh:
            fh.seek(offset)
            pdf = fh.read(length)
            start = pdf.index(b"\xff\xda")  # the first scan's start of scan marker
            end = pdf.index(b"\xff\xd9", start)
            mid = (start + end) // 2
            fh.seek(offset + mid)
            fh.write(b"\xff\x00" * 8)  # 64 one-bits: no Huffman code (ISO 10918-1 C.2)
            fh.seek(offset)
            changed = fh.read(length)
        _set_crc(unsigned, "documents/001/0002.pdf", zlib.crc32(changed))  # so the ZIP reads without C011
        assert hashlib.sha256(changed).digest() != hashlib.sha256(pdf).digest()
        # the facts of the bytes as written are noted (or on their way: the preflight does not wait for
        # the last documents' facts before it starts, it waits for each when it needs it)
        assert _FACTS_FOR({"sha256": hashlib.sha256(pdf).digest()}) is not None
        return real(unsigned, layer, **kw)

    monkeypatch.setattr(preflight_module, "preflight", damage_then_preflight)
    out = tmp_path / "1.edp"
    with pytest.raises(PreflightRefused) as exc:
        build_package(src, out, creds["police"], generated_pages=False, checks=BuildChecks(trust=trust))
    codes = {(f.code, f.location.split(" ")[0]) for f in exc.value.blocking}
    assert ("I001", "documents/001/0002.pdf") in codes
    assert ("D006", "documents/001/0002.pdf") in codes
    assert seen == {"noted": 1, "computed": 1}  # document 1 unchanged: its facts; document 2 checked again
    assert not out.exists()
    assert not evidence._FACTS, "forgotten on a refusal too"


def test_noted_facts_are_found_only_by_the_digest_of_the_bytes(agencies, creds, tmp_path):
    """Facts noted for one document are never taken for another: check_document finds them only under
    the digest its caller computed from the bytes in hand."""
    src = make_source(tmp_path / "src", agencies["police"], docs=[("d1", "立案决定书", 1)])
    out = tmp_path / "1.edp"
    build_package(src, out, creds["police"], generated_pages=False)
    with zipfile.ZipFile(out) as zf:
        good = zf.read("documents/001/0001.pdf")
    start = good.index(b"\xff\xda")
    mid = (start + good.index(b"\xff\xd9", start)) // 2
    bad = good[:mid] + b"\xff\x00" * 8 + good[mid + 16:]
    try:
        evidence.remember("sha256", hashlib.sha256(good).digest(), document_facts(good))
        assert not [f for f in check_document("x.pdf", good, digests={"sha256": hashlib.sha256(good).digest()})
                    if f.severity == "error"]
        found = check_document("x.pdf", bad, digests={"sha256": hashlib.sha256(bad).digest()}, expected_pages=1)
        assert "D006" in {f.code for f in found}
    finally:
        evidence.forget()


def test_without_the_check_ahead_process_the_preflight_checks_everything(agencies, creds, trust, tmp_path,
                                                                         monkeypatch):
    """The process dies at once (as after a crash in a C library): nothing was noted, the preflight checks
    every document itself and the build is the same."""
    src = make_source(tmp_path / "src", agencies["police"], docs=[("d1", "立案决定书", 2)])
    monkeypatch.setattr(ahead, "_serve", lambda *a: None)  # the forked process ends without a result
    seen = _counting(monkeypatch)
    result = build_package(src, tmp_path / "1.edp", creds["police"], generated_pages=False,
                           checks=BuildChecks(trust=trust))
    assert result.preflight.passed
    assert seen == {"noted": 0, "computed": 1}
    assert validate_package(tmp_path / "1.edp", trust=trust).verdict == "accept"


def test_the_digest_from_the_id_pass_is_the_sha256_of_the_document(tmp_path):
    """The builder's manifest digest of a document comes from the pass that computes its /ID (spec
    §7.1): the SHA-256 of the bytes returned, /ID included — not of the file with the placeholder."""
    import datetime as dt

    from conftest import scan
    from edossier.pdfmake.scans import images_to_pdfa

    digests = {}
    pdf, _ = images_to_pdfa([scan(tmp_path / "a.jpg", "a"), scan(tmp_path / "b.jpg", "b")], title="讯问笔录",
                            author=None, created=dt.datetime(2026, 11, 2, tzinfo=dt.timezone.utc), digests=digests)
    assert digests == {"sha256": hashlib.sha256(pdf).digest()}
    placeholder = b"<31415926535897932384626433832795><31415926535897932384626433832795>"
    assert placeholder not in pdf


def test_a_document_too_large_to_check_is_not_read_ahead(agencies, creds, trust, tmp_path, monkeypatch):
    """A document above the PDF checks' size limit is not checked by the preflight (X005, refused); the
    check ahead does not read it into memory either."""
    import edossier.validation.members as members

    src = make_source(tmp_path / "src", agencies["police"], docs=[("d1", "立案决定书", 1)])
    monkeypatch.setattr(members, "MAX_PDF_BYTES", 100)  # every document is "too large"
    submitted = []
    real = ahead.CheckAhead.submit
    monkeypatch.setattr(ahead.CheckAhead, "submit", lambda self, o, n: submitted.append(n) or real(self, o, n))
    noted = []
    monkeypatch.setattr(evidence, "remember", lambda *a: noted.append(a))
    with pytest.raises(PreflightRefused) as exc:
        build_package(src, tmp_path / "1.edp", creds["police"], generated_pages=False, checks=BuildChecks(trust=trust))
    assert submitted and all(n > 100 for n in submitted)
    assert {f.code for f in exc.value.blocking} == {"X005"}
    assert not noted  # nothing was read and checked ahead


def test_a_check_ahead_process_that_stops_answering_is_stopped(agencies, creds, trust, tmp_path, monkeypatch):
    """A process that neither answers nor ends (a deadlock after the fork, a pathological input PDF) is
    stopped once it has said nothing for STALL seconds; the preflight checks every document itself."""
    import time

    src = make_source(tmp_path / "src", agencies["police"], docs=[("d1", "立案决定书", 1), ("d2", "讯问笔录", 1)])
    monkeypatch.setattr(ahead, "STALL", 0.5)
    monkeypatch.setattr(ahead, "_serve", lambda *a: time.sleep(60))
    seen = _counting(monkeypatch)
    started = time.monotonic()
    result = build_package(src, tmp_path / "1.edp", creds["police"], generated_pages=False,
                           checks=BuildChecks(trust=trust))
    assert time.monotonic() - started < 30
    assert result.preflight.passed
    assert seen == {"noted": 0, "computed": 2}


# --- fifth round: documents handed over in shared memory, with the builder's own digest of them ----------

def _pdf(tmp_path, name: str, pages: int) -> bytes:
    """A document as the builder makes it, and the SHA-256 its /ID pass computed of exactly those bytes."""
    import datetime as dt

    from conftest import scan
    from edossier.pdfmake.scans import images_to_pdfa

    digests = {}
    pdf, _ = images_to_pdfa([scan(tmp_path / f"{name}-{p}.jpg", f"{name} {p}") for p in range(pages)],
                            title="讯问笔录", author=None,
                            created=dt.datetime(2026, 11, 2, tzinfo=dt.timezone.utc), digests=digests)
    assert digests["sha256"] == hashlib.sha256(pdf).digest()  # computed independently here
    return pdf


def _same_facts(a, b):
    return (a.report.pages, a.report.issues, a.images) == (b.report.pages, b.report.issues, b.images)


def test_handed_documents_get_the_facts_of_exactly_their_bytes(tmp_path):
    """Two documents handed over one after the other through the one shared slot: each is noted under
    its own digest with the facts a check from scratch computes for it (page counts 1 and 3 tell them
    apart), and no file is read (the target does not even exist)."""
    one, three = _pdf(tmp_path, "a", 1), _pdf(tmp_path, "b", 3)
    check = ahead.CheckAhead(tmp_path / "never-written.edp")
    try:
        assert check.hand(one, hashlib.sha256(one).digest())
        assert check._slot_free.wait(30), "the process copies the bytes out and frees the slot"
        assert check.hand(three, hashlib.sha256(three).digest())
        keys = check.finish()
        assert check.submitted == 0 and check.handed == 2
        assert sorted(keys) == sorted([("sha256", hashlib.sha256(one).digest()),
                                       ("sha256", hashlib.sha256(three).digest())])
        noted_one = evidence.facts_for({"sha256": hashlib.sha256(one).digest()})
        noted_three = evidence.facts_for({"sha256": hashlib.sha256(three).digest()})
        assert noted_one.report.pages == 1 and noted_three.report.pages == 3
        assert _same_facts(noted_one, document_facts(one)) and _same_facts(noted_three, document_facts(three))
    finally:
        check.close()
    assert not evidence._FACTS


def test_a_handed_document_changed_by_one_byte_is_checked_from_scratch(tmp_path, monkeypatch):
    """The facts of handed bytes are found only by the digest of those bytes: the same document with one
    byte changed (inside a scan's entropy-coded data) is checked from scratch, and its findings are
    those of a check without any notes."""
    good = _pdf(tmp_path, "a", 1)
    start = good.index(b"\xff\xda")
    mid = (start + good.index(b"\xff\xd9", start)) // 2
    bad = good[:mid] + bytes([good[mid] ^ 0x01 if good[mid] not in (0xFE, 0xFF) else 0x00]) + good[mid + 1:]
    assert len(bad) == len(good) and sum(x != y for x, y in zip(good, bad)) == 1
    check = ahead.CheckAhead(tmp_path / "never-written.edp")
    try:
        assert check.hand(good, hashlib.sha256(good).digest())
        check.finish()
        seen = _counting(monkeypatch)
        scratch = document_facts(bad)
        found = check_document("x.pdf", bad, digests={"sha256": hashlib.sha256(bad).digest()}, expected_pages=1)
        assert seen == {"noted": 0, "computed": 1}
        evidence.forget()
        assert [(f.code, f.location) for f in found] == [
            (f.code, f.location) for f in check_document("x.pdf", bad, expected_pages=1)]
        assert scratch.report.pages == 1
    finally:
        check.close()


def _always_hand(monkeypatch):
    """Make every document with a digest go through the slot: wait for it instead of falling back."""
    real = ahead.CheckAhead.hand

    def hand(self, data, digest):
        self._slot_free.wait(30)
        return real(self, data, digest)

    monkeypatch.setattr(ahead.CheckAhead, "hand", hand)
    handed = []
    real_close = ahead.CheckAhead.close
    monkeypatch.setattr(ahead.CheckAhead, "close",
                        lambda self: (handed.append(self.handed) if not self._closed else None) or real_close(self))
    return handed


def test_handed_documents_give_the_same_report_as_a_validation(agencies, creds, trust, tmp_path, monkeypatch):
    src = make_source(tmp_path / "src", agencies["police"], docs=[("d1", "立案决定书", 2), ("d2", "讯问笔录", 3)])
    handed = _always_hand(monkeypatch)
    seen = _counting(monkeypatch)
    out = tmp_path / "1.edp"
    result = build_package(src, out, creds["police"], generated_pages=True, checks=BuildChecks(trust=trust))
    assert handed == [5]  # the two source documents and the three sheets (hashed by the pipeline)
    assert seen == {"noted": 5, "computed": 0}
    again = validate_package(out, trust=trust)
    assert again.verdict == "accept"
    assert sorted((f.code, f.location) for f in result.preflight.report.findings) == sorted(
        (f.code, f.location) for f in again.findings)


def test_a_handed_document_changed_in_the_file_by_one_byte_is_refused(agencies, creds, trust, tmp_path,
                                                                      monkeypatch):
    """The builder handed document 2 over with its digest; then one byte of it changes in the output file
    (its CRC fixed up, so the ZIP reads). The preflight's digest of what it reads differs: the noted
    facts do not apply, the document is checked again, and the manifest digest no longer matches (I001)."""
    import edossier.building.preflight as preflight_module

    src = make_source(tmp_path / "src", agencies["police"], docs=[("d1", "立案决定书", 1), ("d2", "讯问笔录", 2)])
    handed = _always_hand(monkeypatch)
    seen = _counting(monkeypatch)
    real = preflight_module.preflight

    def change_one_byte_then_preflight(unsigned, layer, **kw):
        offset, length = _data_span(unsigned, "documents/001/0002.pdf")
        with open(unsigned, "r+b") as fh:
            fh.seek(offset)
            pdf = fh.read(length)
            assert _FACTS_FOR({"sha256": hashlib.sha256(pdf).digest()}) is not None
            at = pdf.index(b"/Title")  # the Info dictionary's key: /Title becomes /Titlf
            fh.seek(offset + at + 5)
            fh.write(b"f")
            fh.seek(offset)
            changed = fh.read(length)
        _set_crc(unsigned, "documents/001/0002.pdf", zlib.crc32(changed))
        return real(unsigned, layer, **kw)

    monkeypatch.setattr(preflight_module, "preflight", change_one_byte_then_preflight)
    out = tmp_path / "1.edp"
    with pytest.raises(PreflightRefused) as exc:
        build_package(src, out, creds["police"], generated_pages=False, checks=BuildChecks(trust=trust))
    assert handed == [2]
    assert ("I001", "documents/001/0002.pdf") in {(f.code, f.location.split(" ")[0]) for f in exc.value.blocking}
    assert seen == {"noted": 1, "computed": 1}
    assert not out.exists()
    assert not evidence._FACTS


def test_an_sm3_build_reads_documents_back_instead(tmp_path):
    """The slot carries the builder's SHA-256 only: with another manifest digest nothing is handed over."""
    one = _pdf(tmp_path, "a", 1)
    check = ahead.CheckAhead(tmp_path / "x.edp", "sm3")
    try:
        assert not check.hand(one, hashlib.sha256(one).digest())
    finally:
        check.close()


def test_the_preflight_starts_before_the_last_facts_and_waits_for_them(agencies, creds, trust, tmp_path,
                                                                       monkeypatch):
    """The check-ahead process takes 0.4 s a document: the preflight starts while facts are still on their
    way, waits for each document's facts (all five found, none computed twice) and reports what a
    validation computing everything itself reports."""
    import time

    import edossier.building.preflight as preflight_module
    import edossier.validation.documents as documents

    real_facts = documents.document_facts

    def slow_facts(data):
        time.sleep(0.4)
        return real_facts(data)

    monkeypatch.setattr(documents, "document_facts", slow_facts)  # the forked process inherits it
    src = make_source(tmp_path / "src", agencies["police"], docs=[("d1", "立案决定书", 1), ("d2", "讯问笔录", 2)])
    at_start = []
    real = preflight_module.preflight
    monkeypatch.setattr(preflight_module, "preflight",
                        lambda *a, **kw: at_start.append(len(evidence._FACTS)) or real(*a, **kw))
    seen = _counting(monkeypatch)
    out = tmp_path / "1.edp"
    result = build_package(src, out, creds["police"], generated_pages=True, checks=BuildChecks(trust=trust))
    assert at_start[0] < 5  # started before every fact was in
    assert seen == {"noted": 5, "computed": 0}
    monkeypatch.setattr(documents, "document_facts", real_facts)
    again = validate_package(out, trust=trust)
    assert sorted((f.code, f.location) for f in result.preflight.report.findings) == sorted(
        (f.code, f.location) for f in again.findings)
