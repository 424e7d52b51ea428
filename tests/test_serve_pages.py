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
