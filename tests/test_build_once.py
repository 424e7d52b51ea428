"""Issue 19 (build at img2pdf's speed): each document is written once, straight into the package, the
record after the documents (spec §3.2, v0.2); validators accept both member orders; the PDF trailer
/ID is derived from SHA-256 (spec §7.1); a JPEG is entropy-decoded once per process, however often the
builder and its preflight ask, and scans are checked on every core before the build."""

from __future__ import annotations

import hashlib
import io
import zipfile

import pikepdf
import pytest
from PIL import Image, ImageDraw

from conftest import make_source
from edossier.building.pipeline import BuildError, build_package
from edossier.validation.pipeline import validate_package

PLACEHOLDER = b"<31415926535897932384626433832795><31415926535897932384626433832795>"


def _members(path):
    with zipfile.ZipFile(path) as zf:
        return [i.filename for i in zf.infolist()]


def test_documents_come_before_the_record_and_are_accepted(agencies, creds, trust, tmp_path):
    src = make_source(tmp_path / "src", agencies["police"], docs=[("d1", "立案决定书", 2), ("d2", "讯问笔录", 1)])
    out = tmp_path / "1.edp"
    build_package(src, out, creds["police"], generated_pages=False)
    names = _members(out)
    # spec §3.2 (v0.2): mimetype first; the layer's documents, then its record, manifest, signature
    assert names == ["mimetype", "documents/001/0001.pdf", "documents/001/0002.pdf", "dossier/001.xml",
                     "META-INF/ASiCManifest001.xml", "META-INF/signature001.p7s"]
    assert validate_package(out, trust=trust).verdict == "accept"
    assert not list(tmp_path.glob(".*.part")), "no temporary file is left next to the output"


def test_a_record_first_package_is_still_accepted(agencies, creds, trust, tmp_path):
    """The 0.1 order (record, then documents) is valid too: the same member bytes, reordered, still
    verify (the manifest lists digests, not positions)."""
    src = make_source(tmp_path / "src", agencies["police"], docs=[("d1", "立案决定书", 1), ("d2", "讯问笔录", 1)])
    built = tmp_path / "built.edp"
    build_package(src, built, creds["police"], generated_pages=False)
    old_order = tmp_path / "old-order.edp"
    with zipfile.ZipFile(built) as zin, zipfile.ZipFile(old_order, "w") as zout:
        infos = {i.filename: i for i in zin.infolist()}
        order = ["mimetype", "dossier/001.xml", "documents/001/0001.pdf", "documents/001/0002.pdf",
                 "META-INF/ASiCManifest001.xml", "META-INF/signature001.p7s"]
        assert sorted(order) == sorted(infos)
        for name in order:
            zout.writestr(infos[name], zin.read(name))
    assert _members(old_order) == order
    report = validate_package(old_order, trust=trust)
    assert report.verdict == "accept", [(f.code, f.location) for f in report.findings]


def test_append_writes_after_the_earlier_layer_byte_for_byte(three_layers, trust):
    p1, p2 = three_layers["packages"][:2]
    first = p1.read_bytes()
    with zipfile.ZipFile(p1) as zf:
        members_end = zf.start_dir  # where layer 1's central directory begins: all its members are before
    assert members_end > 0.9 * len(first)
    assert p2.read_bytes()[:members_end] == first[:members_end]  # spec §4.2: earlier bytes unchanged
    names = _members(p2)
    assert names[names.index("META-INF/signature001.p7s") + 1].startswith("documents/002/")
    assert names[-3:] == ["dossier/002.xml", "META-INF/ASiCManifest002.xml", "META-INF/signature002.p7s"]
    assert validate_package(p2, trust=trust).verdict == "accept"


def test_pdf_id_is_sha256_of_the_file_with_the_placeholder(agencies, creds, tmp_path):
    """Spec §7.1 (v0.2): both /ID strings are the first 16 bytes of the SHA-256 of the file as saved with
    qpdf's fixed placeholder ID (the hex digits `31415926…`, written by qpdf's `static_id`)."""
    src = make_source(tmp_path / "src", agencies["police"], docs=[("d1", "立案决定书", 2)])
    out = tmp_path / "1.edp"
    build_package(src, out, creds["police"], generated_pages=True)
    with zipfile.ZipFile(out) as zf:
        pdfs = {n: zf.read(n) for n in zf.namelist() if n.endswith(".pdf")}
    assert len(pdfs) == 4  # the scanned document and the generated cover, contents and remarks sheets
    for name, data in pdfs.items():
        with pikepdf.open(io.BytesIO(data)) as pdf:
            first, second = (bytes(s) for s in pdf.trailer.ID)
        assert first == second and len(first) == 16, name
        shown = f"<{first.hex()}><{second.hex()}>".encode()
        assert data.count(shown) == 1, name
        before = data.replace(shown, PLACEHOLDER)
        assert first == hashlib.sha256(before).digest()[:16], name


def test_same_input_same_document_bytes(agencies, creds, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1793000000")
    src = make_source(tmp_path / "src", agencies["police"], docs=[("d1", "立案决定书", 1)])
    docs = []
    for n in (1, 2):
        build_package(src, tmp_path / f"{n}.edp", creds["police"], generated_pages=False)
        with zipfile.ZipFile(tmp_path / f"{n}.edp") as zf:
            docs.append(zf.read("documents/001/0001.pdf"))
    assert docs[0] == docs[1]


def _noisy_jpeg(seed: int) -> bytes:
    import random

    rnd = random.Random(seed)
    img = Image.frombytes("L", (320, 452), rnd.randbytes(320 * 452))
    ImageDraw.Draw(img).rectangle([20, 20, 200, 40], fill=0)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=80, dpi=(200, 200))
    return buf.getvalue()


def test_verify_jpeg_decodes_each_byte_string_once_and_never_remembers_a_failure(monkeypatch):
    import edossier.pdfa.images_jpeg as ij
    from edossier.pdfa.images import ImageDefect

    decoded = []
    real = ij._walk_jpeg
    monkeypatch.setattr(ij, "_walk_jpeg", lambda data, decode: decoded.append(len(data)) or real(data, decode=decode))
    monkeypatch.setattr(ij, "_VERIFIED", {})
    good = _noisy_jpeg(101)
    first = ij.verify_jpeg(good)
    assert ij.verify_jpeg(bytes(good)) == first  # equal bytes, another object: remembered by digest
    assert len(decoded) == 1
    start, end = good.index(b"\xff\xda"), good.rindex(b"\xff\xd9")
    mid = (start + end) // 2
    bad = good[:mid] + b"\xff\x00" * 8 + good[mid + 16:]  # 64 one-bits: no Huffman code (ISO 10918-1 C.2)
    for _ in range(2):
        with pytest.raises(ImageDefect) as exc:
            ij.verify_jpeg(bad)
        assert exc.value.code == "D006"
    assert len(decoded) == 3  # a failure is decoded (and refused) every time it is asked


def test_the_preflight_does_not_decode_the_builders_scans_again(agencies, creds, tmp_path, monkeypatch):
    """Every scan is entropy-decoded once in the build (by the builder's check); the preflight's validator
    finds the same bytes by SHA-256 and still runs every other check on the document."""
    import edossier.pdfa.images_jpeg as ij

    src = make_source(tmp_path / "src", agencies["police"], docs=[("d1", "立案决定书", 3)])
    jpegs = {p.read_bytes() for p in (src / "scans").iterdir()}
    decoded = []
    real = ij._walk_jpeg

    def counting(data, decode):
        if decode:
            decoded.append(hashlib.sha256(data).digest())
        return real(data, decode=decode)

    monkeypatch.setattr(ij, "_walk_jpeg", counting)
    monkeypatch.setattr(ij, "_VERIFIED", {})  # nothing remembered from earlier tests
    result = build_package(src, tmp_path / "1.edp", creds["police"], generated_pages=False)
    assert result.preflight is not None and result.preflight.passed
    assert sorted(decoded) == sorted(hashlib.sha256(j).digest() for j in jpegs)


def test_scans_are_checked_on_every_core_and_a_bad_one_is_still_refused(agencies, creds, tmp_path, monkeypatch):
    import edossier.pdfmake.scans as scans

    monkeypatch.setattr(scans, "PRECHECK_MIN", 2)
    src = make_source(tmp_path / "src", agencies["police"], docs=[("d1", "立案决定书", 3), ("d2", "讯问笔录", 3)])
    for i, p in enumerate(sorted((src / "scans").iterdir())):
        p.write_bytes(_noisy_jpeg(200 + i))  # distinct scans, so each one is decoded somewhere
    bad = src / "scans" / "d2-2.jpg"
    good = bad.read_bytes()
    start, end = good.index(b"\xff\xda"), good.rindex(b"\xff\xd9")
    bad.write_bytes(good[:(start + end) // 2])  # truncated
    with pytest.raises(BuildError) as exc:
        build_package(src, tmp_path / "1.edp", creds["police"], generated_pages=False)
    # the existing check's own message (a cut scan reads on into 0xFF padding: no Huffman code is all ones)
    assert exc.value.en.startswith("document d2: d2-2.jpg: ") and "entropy-coded data" in exc.value.en
    assert exc.value.zh.startswith("文书 d2：d2-2.jpg：") and "熵编码数据" in exc.value.zh
    assert not (tmp_path / "1.edp").exists() and not list(tmp_path.glob(".*.part"))


def test_precheck_notes_passed_scans_in_the_parent(tmp_path, monkeypatch):
    import edossier.pdfa.images_jpeg as ij
    import edossier.pdfmake.scans as scans

    monkeypatch.setattr(ij, "_VERIFIED", {})
    paths = []
    for i in range(10):
        paths.append(tmp_path / f"{i}.jpg")
        paths[-1].write_bytes(_noisy_jpeg(300 + i))
    scans.precheck_scans(paths, jobs=2)
    # the parent decodes none of them afterwards: the workers' results are where check_scan looks
    monkeypatch.setattr(ij, "_walk_jpeg", lambda data, decode: pytest.fail("decoded again in the parent")
                        if decode else None)
    for p in paths:
        scans.check_scan(p)


def test_a_scan_changed_after_the_precheck_is_still_refused(agencies, creds, tmp_path, monkeypatch):
    """The precheck passed the file; it is then overwritten (same size, same modification time, so it
    looks unchanged) before its page is made: the bytes embedded are checked again and refused."""
    import os

    import edossier.building.documents as documents
    import edossier.pdfmake.scans as scans

    monkeypatch.setattr(scans, "PRECHECK_MIN", 2)
    src = make_source(tmp_path / "src", agencies["police"], docs=[("d1", "立案决定书", 2), ("d2", "讯问笔录", 2)])
    for i, p in enumerate(sorted((src / "scans").iterdir())):
        p.write_bytes(_noisy_jpeg(400 + i))
    victim = src / "scans" / "d2-1.jpg"
    real = documents._page_refs

    def planned_then_swapped(d, files, passed=None, pool=None):
        refs = real(d, files, passed, pool)
        if d["id"] == "d2":
            assert scans.unchanged(victim, passed)  # the precheck passed it: planning read the header only
            st = victim.stat()
            good = victim.read_bytes()
            start, end = good.index(b"\xff\xda"), good.rindex(b"\xff\xd9")
            mid = (start + end) // 2
            victim.write_bytes(good[:mid] + b"\xff\x00" * 8 + good[mid + 16:])  # same length
            os.utime(victim, ns=(st.st_atime_ns, st.st_mtime_ns))
            assert scans.unchanged(victim, passed)
        return refs

    monkeypatch.setattr(documents, "_page_refs", planned_then_swapped)
    with pytest.raises(BuildError) as exc:
        build_package(src, tmp_path / "1.edp", creds["police"], generated_pages=False)
    assert exc.value.en.startswith("document d2: d2-1.jpg: ") and "Huffman code" in exc.value.en
    assert not (tmp_path / "1.edp").exists()


def test_sheets_rendered_in_a_child_refuse_a_character_no_font_has(agencies, creds, tmp_path):
    """The generated sheets are drawn in a forked process (PyMuPDF stays out of the builder's memory);
    a character no font can draw still refuses the build with the volume named, in English and Chinese."""
    import sys

    src = make_source(tmp_path / "src", agencies["police"], docs=[("d1", "立案决定书", 1)],
                      volumes=(("v1", "诉讼文书卷\ue000"),))  # a private-use character: in no font
    had_pymupdf = "pymupdf" in sys.modules
    with pytest.raises(BuildError) as exc:
        build_package(src, tmp_path / "1.edp", creds["police"], generated_pages=True)
    assert exc.value.en.startswith("volume v1: ") and "U+E000" in exc.value.en
    assert exc.value.zh.startswith("卷 v1：")
    assert not (tmp_path / "1.edp").exists()
    if not had_pymupdf:
        assert "pymupdf" not in sys.modules  # drawn in the child


def test_the_cli_build_fixes_the_mmap_threshold_on_glibc():
    """`edossier.building.memory.fix_mmap_threshold` (called by `edossier build`) reaches glibc's
    mallopt here; elsewhere it changes nothing and says so."""
    import platform
    import subprocess
    import sys

    code = ("from edossier.building.memory import fix_mmap_threshold, keep_heap; "
            "from edossier.validation.heap import one_arena; "
            "print(fix_mmap_threshold(), keep_heap(), one_arena())")  # the three share allocator.mallopt
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    expected = sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"
    assert out == [str(expected)] * 3



def _early_spy(monkeypatch, *, skew_pages: int = 0):
    """Record the plan each EarlySheets started from, what `take` was given and returned, and the plans
    rendered after the documents (`_render_sheets`); with `skew_pages`, the early sheets start from a
    plan whose first document has that many pages more than it will have (a prediction gone wrong)."""
    import dataclasses

    from edossier.building import documents, pipeline

    seen = {"early": [], "taken": [], "late": []}
    real_take, real_render = documents.EarlySheets.take, documents._render_sheets

    def take(self, sheets):
        seen["early"].append(self.sheets)
        seen["taken"].append(real_take(self, sheets))
        return seen["taken"][-1]

    def render(sheets):
        seen["late"].append(sheets)
        return real_render(sheets)

    monkeypatch.setattr(documents.EarlySheets, "take", take)
    monkeypatch.setattr(documents, "_render_sheets", render)
    # in a child even if an earlier test in this process loaded PyMuPDF (then the builder draws in process)
    monkeypatch.setattr(documents, "_sheets_in_child", lambda: True)
    if skew_pages:
        real_start = pipeline._start_sheets

        def start(base, data, case, agency, volumes, predicted, *a):
            predicted = [dataclasses.replace(predicted[0], pages=predicted[0].pages + skew_pages), *predicted[1:]]
            return real_start(base, data, case, agency, volumes, predicted, *a)

        monkeypatch.setattr(pipeline, "_start_sheets", start)
    return seen


def _labels(sheets) -> list[str]:
    return [e.pages_label for _, sheet in sheets for e in sheet.entries]


def test_sheets_are_rendered_while_the_documents_are_made(agencies, creds, trust, tmp_path, monkeypatch):
    """For scans every page count is in the plan: the cover, contents and remarks are rendered in a
    forked child before the documents are made, and taken because the documents as made give exactly
    that plan (contents: pages 1-2 and 3-5); nothing is rendered afterwards."""
    src = make_source(tmp_path / "src", agencies["police"], docs=[("d1", "立案决定书", 2), ("d2", "讯问笔录", 3)])
    seen = _early_spy(monkeypatch)
    result = build_package(src, tmp_path / "1.edp", creds["police"], generated_pages=True)
    assert result.documents == 5 and result.generated == 3
    assert len(seen["taken"]) == 1 and seen["taken"][0] is not None and seen["late"] == []
    assert _labels(seen["early"][0]) == ["1-2", "3-5"]
    assert validate_package(tmp_path / "1.edp", trust=trust).verdict == "accept"


def test_sheets_started_from_a_plan_that_turned_out_wrong_are_rendered_again(agencies, creds, trust, tmp_path,
                                                                             monkeypatch):
    """The sheets started early from a plan in which document d1 has 3 pages; made, it has 2: the early
    sheets are not taken (another plan) and the sheets are rendered again from the documents as made:
    contents 1-2 and 3-5, not the early 1-3 and 4-6."""
    src = make_source(tmp_path / "src", agencies["police"], docs=[("d1", "立案决定书", 2), ("d2", "讯问笔录", 3)])
    seen = _early_spy(monkeypatch, skew_pages=1)
    build_package(src, tmp_path / "1.edp", creds["police"], generated_pages=True)
    assert seen["taken"] == [None]
    assert _labels(seen["early"][0]) == ["1-3", "4-6"]
    assert len(seen["late"]) == 1 and _labels(seen["late"][0]) == ["1-2", "3-5"]
    assert validate_package(tmp_path / "1.edp", trust=trust).verdict == "accept"
