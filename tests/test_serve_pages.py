"""The package page's documents and page viewer (docs/serve.md#viewer): page images rendered from
the stored package by the HTML report's renderer in a bounded child process, cached by document
digest, behind the sign-in; hostile documents get N021, not a crash."""

from __future__ import annotations

import hashlib
import re
import struct
import zipfile

import pytest

pytest.importorskip("fastapi")

from edossier.serve import edo  # noqa: E402
from edossier.serve.pages import SIZES, Pages  # noqa: E402
from test_serve import make_node, packages, send  # noqa: E402,F401
from test_serve_web import sign_in, web  # noqa: E402,F401

A4 = (595, 842)  # points: the scans of tests/conftest.make_source are A4 portrait


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])  # IHDR width, height


def test_documents_thumbnails_and_the_viewer(web, pki, trust, packages, tmp_path):
    pkg = tmp_path / "2b.edp"
    pkg.write_bytes(packages["p2b"].read_bytes())  # police 立案决定书 (1 page) + procuratorate 起诉书 (2 pages)
    res = send(web, pkg, pki, trust=trust, cred=pki / "procuratorate.p12")
    sid = res.id
    anon = web.get(f"/ui/packages/{sid}/documents/1/pages/1.png")  # not signed in
    assert anon.status_code == 401 and anon.json()["error"]["message"]["zh-CN"]
    sign_in(web, "viewer1")
    page = web.get(f"/ui/inbox/{sid}").text
    table = page.split('id="documents"', 1)[1].split("</table>", 1)[0]
    thumbs = re.findall(r'<img class="thumb" loading="lazy" src="([^"]+)"', table)
    assert len(thumbs) == 2 and all(t.endswith("/pages/1.png?size=thumb") for t in thumbs)

    thumb = web.get(thumbs[0])
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/png"
    w, h = png_size(thumb.content)
    assert max(w, h) == SIZES["thumb"] and abs(w / h - A4[0] / A4[1]) < 0.01  # longest side bounded, A4 kept

    # the viewer of the two-page document: page 1, a link to page 2, none further
    docs = web.node.documents(sid)
    two = next(d for d in docs if d["pages"] == 2)
    viewer = web.get(f"/ui/packages/{sid}/documents/{two['n']}")
    assert viewer.status_code == 200 and 'id="next"' in viewer.text and 'id="prev"' not in viewer.text
    src = re.search(r'<img id="page-image" src="([^"]+)"', viewer.text).group(1)
    big = web.get(src)
    assert big.status_code == 200 and max(png_size(big.content)) == SIZES["page"]
    second = web.get(f"/ui/packages/{sid}/documents/{two['n']}", params={"page": 2})
    assert 'id="prev"' in second.text and 'id="next"' not in second.text and "Page 2 of 2" in second.text
    csp = second.headers["content-security-policy"]
    assert "img-src 'self'" in csp and "script-src" not in csp

    # cached by the document's own SHA-256 (the bytes in the package), page and size: no second render
    with zipfile.ZipFile(pkg) as z:
        digest = hashlib.sha256(z.read(two["member"])).hexdigest()
    assert two["sha256"] == digest
    cached = web.node.config.data / "cache" / "pages" / digest[:2] / f"{digest[2:]}-1-{SIZES['page']}.png"
    assert cached.read_bytes() == big.content
    before = web.node.pages.rendered
    assert web.get(src).content == big.content and web.node.pages.rendered == before

    # a page, a document or a size that does not exist: 404 N020
    for url in (f"/ui/packages/{sid}/documents/{two['n']}/pages/3.png", f"/ui/packages/{sid}/documents/99/pages/1.png",
                f"/ui/packages/{sid}/documents/1/pages/1.png?size=huge", "/ui/packages/nosuch/documents/1/pages/1.png"):
        r = web.get(url)
        assert r.status_code == 404 and r.json()["error"]["code"] == "N020", url
    assert web.get(f"/ui/packages/{sid}/documents/{two['n']}", params={"page": 3}).status_code == 404


def _with_member(src, out, member: str, data: bytes):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            zout.writestr(info, data if info.filename == member else zin.read(info))


def test_hostile_documents_get_a_clear_refusal_and_are_remembered(tmp_path, packages):
    pages = Pages(tmp_path / "cache", timeout=30)
    pkg = packages["p2b"]
    with zipfile.ZipFile(pkg) as z:
        member = next(n for n in z.namelist() if n.lower().endswith(".pdf"))
        real = hashlib.sha256(z.read(member)).hexdigest()
    # not a PDF at all
    broken = tmp_path / "broken.edp"
    junk = b"%PDF-1.7\n" + b"\x00garbage" * 1000
    _with_member(pkg, broken, member, junk)
    with pytest.raises(edo.PageError) as exc:
        pages.get(broken, member, 1, SIZES["thumb"], hashlib.sha256(junk).hexdigest())
    assert exc.value.kind == "unopenable" and exc.value.zh
    n = pages.rendered
    with pytest.raises(edo.PageError):  # remembered: a hostile document costs one render, not one per request
        pages.get(broken, member, 1, SIZES["thumb"], hashlib.sha256(junk).hexdigest())
    assert pages.rendered == n
    # bytes that are not the ones the manifest's digest names are never filed under that digest
    with pytest.raises(edo.PageError) as exc:
        pages.get(broken, member, 1, SIZES["thumb"], real)
    assert exc.value.kind == "digest"
    assert not list((tmp_path / "cache").glob(f"{real[:2]}/{real[2:]}-*.png"))
    # a renderer that overruns its time is killed: "timeout", and remembered
    slow = Pages(tmp_path / "cache2", timeout=0.05)
    with pytest.raises(edo.PageError) as exc:
        slow.get(pkg, member, 1, SIZES["page"], real)
    assert exc.value.kind == "timeout"
    assert (tmp_path / "cache2" / real[:2] / f"{real[2:]}-1-{SIZES['page']}.err").is_file()
    # a document the package does not have
    with pytest.raises(edo.PageError) as exc:
        pages.get(pkg, "no/such.pdf", 1, SIZES["thumb"], None)
    assert exc.value.kind == "missing"


def slow_pdf(depth: int) -> bytes:
    """A one-page PDF of about 4 kB that takes very long to draw: the page paints form F0, each form
    Fi paints F(i+1) twice, the last one fills a rectangle — 2**depth rectangles. MuPDF's time doubles
    with each level (measured: depth 18 ≈ 2.7 s of CPU at thumbnail size), so depth 26 is minutes."""
    objs = {1: b"<< /Type /Catalog /Pages 2 0 R >>", 2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /F 5 0 R >> >> "
               b"/Contents 4 0 R >>",
            4: b"<< /Length 5 >>\nstream\n/F Do\nendstream"}
    for i in range(depth):
        n = 5 + i
        last = i == depth - 1
        content = b"0 0 1 rg 10 10 500 700 re f" if last else b"/F Do /F Do"
        res = b"" if last else b"/Resources << /XObject << /F %d 0 R >> >>" % (n + 1)
        objs[n] = (b"<< /Type /XObject /Subtype /Form /BBox [0 0 595 842] %s /Length %d >>\nstream\n%s\nendstream"
                   % (res, len(content), content))
    out, offsets = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"), {}
    for n in sorted(objs):
        offsets[n] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (n, objs[n])
    xref, size = len(out), max(objs) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size + b"".join(b"%010d 00000 n \n" % offsets[n] for n in range(1, size))
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref)
    return bytes(out)


def test_slow_pdf_is_slow_to_draw():
    """The fixture itself: a shallow version draws, and each level doubles the work (so depth 26 does
    not finish within any limit the tests below use). Measured in CPU time, robust to a loaded machine."""
    import time

    pymupdf = pytest.importorskip("pymupdf")

    def cpu(depth):
        doc = pymupdf.open(stream=slow_pdf(depth), filetype="pdf")
        t = time.process_time()
        doc[0].get_pixmap(matrix=pymupdf.Matrix(0.3, 0.3))
        return time.process_time() - t

    small, bigger = cpu(12), cpu(16)
    assert bigger > 8 * small  # 2**4 = 16× the rectangles; allow for fixed costs


def test_report_thumbnails_are_drawn_in_the_killable_child(tmp_path, pki, trust, packages):
    """A package whose document takes minutes to draw: the HTML report comes back within the child's
    time limit with a placeholder (en + zh-CN) in the page's place; the server process never draws."""
    import time

    from fastapi.testclient import TestClient

    from edossier.report import html as report_html
    from edossier.serve.app import create_app

    pkg = packages["p2b"]
    with zipfile.ZipFile(pkg) as z:
        member = next(n for n in z.namelist() if n.lower().endswith(".pdf"))
    hostile = tmp_path / "slow.edp"
    _with_member(pkg, hostile, member, slow_pdf(26))  # the manifest's digest no longer matches: I001 points at it
    node = make_node(tmp_path, pki, trust)
    limit = 4.0
    node.pages = Pages(tmp_path / "pages", timeout=limit)

    def never(*_a, **_k):  # the server process must not draw a thumbnail itself
        raise AssertionError("a thumbnail was drawn in the server process")

    real_render = report_html._render_thumbnails
    report_html._render_thumbnails = never
    try:
        with TestClient(create_app(node)) as c:
            r = c.post("/v1/validations", content=hostile.read_bytes(), headers={"content-type": "application/zip"})
            assert r.status_code == 200, r.text
            sid = r.headers["x-edossier-id"]
            assert any(f["location"].startswith(member) for f in r.json()["packages"][0]["findings"])
            for lang, word in (("en", "page not drawn"), ("zh-CN", "页面未绘制")):
                t = time.monotonic()
                page = c.get(f"/v1/validations/{sid}", params={"format": "html", "lang": lang})
                took = time.monotonic() - t
                assert page.status_code == 200
                fig = re.search(r'<figure class="placeholder" data-kind="timeout">(.*?)</figure>', page.text, re.S)
                assert fig is not None, page.text[-3000:]
                text = fig.group(1)
                # the reason in both languages, and which page it stands for
                assert word in text and f"{limit:g} s" in text and f"{limit:g} 秒" in text and member in text
                assert "页面未绘制" in text and "page not drawn" in text
                if lang == "en":
                    assert took < limit + 20  # bounded by the child's limit (plus the report itself), not minutes
                    first = node.pages.rendered
                    assert first == 1
            # remembered: the second report (zh-CN) started no child for the document that hung
            assert node.pages.rendered == 1
    finally:
        report_html._render_thumbnails = real_render
        node.close()


def test_thumbnailer_stops_trying_a_document_that_hung_and_keeps_a_budget(tmp_path, packages):
    pkg = packages["p2b"]
    with zipfile.ZipFile(pkg) as z:
        member = next(n for n in z.namelist() if n.lower().endswith(".pdf"))
    hostile = tmp_path / "slow.edp"
    _with_member(pkg, hostile, member, slow_pdf(26))
    pages = Pages(tmp_path / "cache", timeout=3)
    draw = pages.thumbnailer()
    with pytest.raises(edo.PageError) as exc:
        draw(hostile, member, 1)
    assert exc.value.kind == "timeout" and "3 s" in exc.value.en and "3 秒" in exc.value.zh
    with pytest.raises(edo.PageError) as again:  # another page of the same document: not tried
        draw(hostile, member, 2)
    assert again.value.kind == "timeout" and pages.rendered == 1
    # a good document draws in the same report (the cache key is its bytes' SHA-256); a roomier limit
    # here, so that a loaded machine's slow child start is not mistaken for a hang
    pages.timeout = 60
    png = draw(pkg, member, 1)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and max(png_size(png)) == SIZES["thumb"] and pages.rendered == 2
    # the report's budget spent: no child is started at all
    spent = Pages(tmp_path / "cache3", timeout=3, budget=0)
    with pytest.raises(edo.PageError) as exc:
        spent.thumbnailer()(pkg, member, 1)
    assert exc.value.kind == "timeout" and spent.rendered == 0
