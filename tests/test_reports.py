"""JUnit, SARIF and HTML reports: produced for a good and a bad package and parsed back."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET

import jsonschema
import lxml.html
import pytest

from edossier.findings import finding, registry
from edossier.report.html import render_html
from edossier.report.junit import render_junit
from edossier.report.sarif import SARIF_SCHEMA, render_sarif
from edossier.validation.pipeline import validate_package
from edossier.validation.verdict import PackageReport

HOSTILE = 'documents/001/<script>alert(1)</script>]]>&amp;"\x01\ud800.pdf'


@pytest.fixture(scope="module")
def reports(three_layers, trust, tmp_path_factory):
    """[good, bad]: the three-layer package and a copy with one byte of a police document changed."""
    from edossier.demo.run import tamper_member

    good = three_layers["packages"][-1]
    bad = tmp_path_factory.mktemp("reports") / "bad.edp"
    tamper_member(good, bad, prefix="documents/001/")
    out = [validate_package(good, trust=trust), validate_package(bad, trust=trust)]
    assert [r.verdict for r in out] == ["accept", "reject"]
    return out


@pytest.fixture(scope="module")
def unopenable(tmp_path_factory):
    path = tmp_path_factory.mktemp("reports") / "not-a-zip.edp"
    path.write_bytes(b"hello, I am not a package")
    return path


def hostile_report(good: PackageReport) -> PackageReport:
    """A report whose findings carry markup, control characters and a lone surrogate."""
    return PackageReport(good.path, layers=good.layers, findings=[
        finding("I003", HOSTILE, manifest="<b>M</b>"),
        finding("C005", "x\x00y", detail="<img src=x onerror=alert(1)>"),
    ])


# --- JUnit -------------------------------------------------------------------------------------------

def parse_junit(text: str) -> ET.Element:
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    return ET.fromstring(text.encode("utf-8"))


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_junit_good_and_bad(reports, lang):
    root = parse_junit(render_junit(reports, lang=lang))
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [r.path for r in reports]
    for suite, rep in zip(suites, reports):
        cases = suite.findall("testcase")
        assert [c.get("name").split("（")[0] for c in cases] == \
            ["container", "schema", "integrity", "signature", "document", "case"]
        failures = suite.findall("testcase/failure")
        errors = [f for f in rep.findings if f.severity == "error"]
        assert len(failures) == len(errors)
        assert int(suite.get("failures")) == len({f.stage for f in errors})
        assert int(suite.get("tests")) == 6
        props = {p.get("name"): p.get("value") for p in suite.findall("properties/property")}
        assert props["verdict"] == rep.verdict
    good, bad = suites
    assert good.findall("testcase/failure") == []
    failure = bad.find("testcase[@classname]/failure")
    assert failure.get("type") == "I001" and failure.get("type") in registry()
    assert failure.get("message").startswith("I001: ")
    assert ("成员已被改动" if lang == "zh-CN" else "the member was changed") in failure.get("message")
    integrity = [c for c in bad.findall("testcase") if c.get("name").startswith("integrity")][0]
    assert integrity.find("failure") is not None
    assert int(root.get("failures")) == 1 and int(root.get("tests")) == 12


def test_junit_warnings_go_to_system_out_and_hostile_text_parses(reports):
    good = reports[0]
    rep = PackageReport(good.path, layers=good.layers, findings=[
        finding("S006", "x", detail="<![CDATA[ ]]> \x07"), *hostile_report(good).findings])
    warning_codes = [c for c, entry in registry().items() if entry.severity == "warning"]
    if warning_codes:
        rep.findings.append(finding(warning_codes[0], "documents/001/0001.pdf"))
    root = parse_junit(render_junit([rep]))
    text = ET.tostring(root, encoding="unicode")
    assert "\\x01" in text and "\\ud800" in text  # shown, not dropped, and still well-formed
    if warning_codes:
        outs = " ".join(o.text or "" for o in root.iter("system-out"))
        assert warning_codes[0] in outs


def test_junit_unopenable_package_skips_later_stages(unopenable, trust):
    rep = validate_package(unopenable, trust=trust)
    suite = parse_junit(render_junit([rep])).find("testsuite")
    container = suite.find("testcase[@name='container']")
    assert container.find("failure").get("type") == "C001"
    assert len(suite.findall("testcase/skipped")) == 5 and suite.get("skipped") == "5"


# --- SARIF -------------------------------------------------------------------------------------------

# The parts of the SARIF 2.1.0 schema (OASIS) this report uses, with their constraints.
SARIF_MINIMAL_SCHEMA = {
    "type": "object",
    "required": ["version", "runs", "$schema"],
    "properties": {
        "$schema": {"type": "string"},
        "version": {"const": "2.1.0"},
        "runs": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/run"}},
    },
    "$defs": {
        "message": {"type": "object", "required": ["text"], "properties": {"text": {"type": "string"}}},
        "run": {
            "type": "object",
            "required": ["tool", "results"],
            "properties": {
                "tool": {"type": "object", "required": ["driver"], "properties": {"driver": {
                    "type": "object", "required": ["name", "rules"],
                    "properties": {"name": {"type": "string"}, "version": {"type": "string"},
                                   "rules": {"type": "array", "items": {"$ref": "#/$defs/rule"}}}}}},
                "artifacts": {"type": "array", "items": {
                    "type": "object", "required": ["location"],
                    "properties": {"location": {"$ref": "#/$defs/artifactLocation"}}}},
                "results": {"type": "array", "items": {"$ref": "#/$defs/result"}},
                "language": {"type": "string", "pattern": "^[a-zA-Z]{2}(-[a-zA-Z]{2})?$"},
                "columnKind": {"enum": ["utf16CodeUnits", "unicodeCodePoints"]},
            },
        },
        "rule": {
            "type": "object",
            "required": ["id", "shortDescription", "fullDescription", "helpUri", "properties"],
            "properties": {
                "id": {"type": "string", "pattern": "^[A-Z][0-9]{3}$"},
                "shortDescription": {"$ref": "#/$defs/message"},
                "fullDescription": {"$ref": "#/$defs/message"},
                "helpUri": {"type": "string", "minLength": 1},
                "defaultConfiguration": {"type": "object", "properties": {
                    "level": {"enum": ["none", "note", "warning", "error"]}}},
                "properties": {"type": "object", "required": ["zh-CN"], "properties": {
                    "zh-CN": {"type": "object", "required": ["shortDescription", "fullDescription"]},
                    "tags": {"type": "array", "uniqueItems": True, "items": {"type": "string"}}}},
            },
        },
        "artifactLocation": {"type": "object", "required": ["uri"], "properties": {
            "uri": {"type": "string"}, "index": {"type": "integer", "minimum": -1}}},
        "result": {
            "type": "object",
            "required": ["ruleId", "level", "message", "locations"],
            "properties": {
                "ruleId": {"type": "string"},
                "ruleIndex": {"type": "integer", "minimum": -1},
                "level": {"enum": ["none", "note", "warning", "error"]},
                "message": {"$ref": "#/$defs/message"},
                "locations": {"type": "array", "minItems": 1, "items": {
                    "type": "object", "required": ["physicalLocation"],
                    "properties": {
                        "physicalLocation": {"type": "object", "required": ["artifactLocation"], "properties": {
                            "artifactLocation": {"$ref": "#/$defs/artifactLocation"}}},
                        "logicalLocations": {"type": "array", "items": {"type": "object", "properties": {
                            "name": {"type": "string"}, "fullyQualifiedName": {"type": "string"}}}},
                    }}},
                "partialFingerprints": {"type": "object", "additionalProperties": {"type": "string"}},
                "properties": {"type": "object"},
            },
        },
    },
}


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_sarif_good_and_bad(reports, lang):
    log = json.loads(render_sarif(reports, lang=lang))
    jsonschema.validate(log, SARIF_MINIMAL_SCHEMA)
    assert log["version"] == "2.1.0" and log["$schema"] == SARIF_SCHEMA
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == list(registry())
    for rule in rules:
        code = registry()[rule["id"]]
        assert rule["helpUri"].startswith("docs/") and code.spec in rule["helpUri"]
        assert "{" not in rule["shortDescription"]["text"]
    assert len(run["artifacts"]) == 2
    results = run["results"]
    bad_findings = reports[1].findings
    assert len(results) == len(bad_findings) and reports[0].findings == []
    for res in results:
        assert res["ruleId"] in registry()
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
        assert res["level"] == {"error": "error", "warning": "warning", "info": "note"}[registry()[res["ruleId"]].severity]
        art = res["locations"][0]["physicalLocation"]["artifactLocation"]
        assert art["index"] == 1 and run["artifacts"][1]["location"]["uri"] == art["uri"]
        assert art["uri"].startswith("file://") and art["uri"].endswith("bad.edp")
    i001 = next(r for r in results if r["ruleId"] == "I001")
    assert i001["level"] == "error"
    assert i001["locations"][0]["logicalLocations"][0]["name"].startswith("documents/001/")
    assert ("成员已被改动" if lang == "zh-CN" else "the member was changed") in i001["message"]["text"]
    assert i001["properties"]["message"]["zh-CN"] and i001["properties"]["message"]["en"]


def test_sarif_spec_base_and_hostile_text(reports):
    rep = hostile_report(reports[0])
    text = render_sarif([rep], spec_base="https://example.org/edossier/blob/main/")
    text.encode("utf-8")  # a lone surrogate would make this fail
    log = json.loads(text)
    jsonschema.validate(log, SARIF_MINIMAL_SCHEMA)
    assert all(r["helpUri"].startswith("https://example.org/edossier/blob/main/docs/")
               for r in log["runs"][0]["tool"]["driver"]["rules"])
    names = [res["locations"][0].get("logicalLocations", [{}])[0].get("name") for res in log["runs"][0]["results"]]
    assert any(n and "<script>" in n for n in names)


def test_sarif_relative_path_and_unopenable_package(unopenable, trust, monkeypatch):
    monkeypatch.chdir(unopenable.parent)
    rep = validate_package(unopenable.name, trust=trust)
    log = json.loads(render_sarif([rep]))
    (res,) = log["runs"][0]["results"]
    assert res["ruleId"] == "C001"
    assert res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "not-a-zip.edp"
    assert "logicalLocations" not in res["locations"][0]  # the location is the package itself


# --- HTML --------------------------------------------------------------------------------------------

def parse_html(text: str):
    assert text.startswith("<!DOCTYPE html>")
    return lxml.html.document_fromstring(text.encode("utf-8"))


def assert_self_contained(doc) -> None:
    assert doc.xpath("//script") == [] and doc.xpath("//link") == [] and doc.xpath("//iframe") == []
    for el in doc.xpath("//*[@src]"):
        assert el.get("src").startswith("data:image/png;base64,"), el.get("src")[:60]
    assert not any(k.lower().startswith("on") for el in doc.iter() if isinstance(el.tag, str) for k in el.attrib)


@pytest.mark.parametrize("lang,words", [("en", ("ACCEPT", "REJECT")), ("zh-CN", ("接收", "拒收"))])
def test_html_good_and_bad(reports, lang, words):
    doc = parse_html(render_html(reports, lang=lang))
    assert doc.get("lang") == lang
    assert_self_contained(doc)
    banners = doc.xpath("//div[contains(concat(' ', @class, ' '), ' verdict ')]")
    assert [b.get("data-verdict") for b in banners] == ["accept", "reject"]
    assert [b.xpath("string(span[@class='word'])") for b in banners] == list(words)
    assert doc.xpath("string(//meta[@name='edossier-verdict']/@content)") == "reject"
    good, bad = doc.xpath("//section[@class='package']")
    assert good.xpath("table[@class='findings']") == []
    rows = bad.xpath("table[@class='findings']/tbody/tr")
    assert len(rows) == len(reports[1].findings)
    assert "I001" in rows[0].text_content()
    # message in the chosen language, the other one as a second line and a tooltip
    first, second = rows[0].xpath("td[last()]/div")
    assert ("成员已被改动" in first.text_content()) == (lang == "zh-CN")
    assert first.get("title") == second.text_content()
    # layers: agency, role, signer, signing time, ETSI indication
    for section in (good, bad):
        layer_rows = section.xpath("table[@class='layers']/tbody/tr")
        assert len(layer_rows) == 3
        assert all("TOTAL_PASSED" in r.text_content() for r in layer_rows)
    roles = {"en": ("police", "procuratorate", "court"), "zh-CN": ("公安机关", "检察院", "法院")}[lang]
    assert [r.xpath("string(td[3])") for r in good.xpath("table[@class='layers']/tbody/tr")] == list(roles)
    # table of contents: every volume and document of the fixture, with pages
    toc_rows = good.xpath("table[@class='toc']/tbody/tr")
    assert sorted(r.xpath("string(td[2])") for r in toc_rows) == ["c1", "d1", "d2", "p1"]
    assert {r.xpath("string(td[2])"): r.xpath("string(td[7])") for r in toc_rows}["d1"] == "2"
    assert len(good.xpath("h3")) == 3
    # a thumbnail of the changed document's first page, nothing for the good package
    assert good.xpath(".//img") == []
    (img,) = bad.xpath(".//figure/img")
    png = base64.b64decode(img.get("src").split(",", 1)[1])
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 200
    assert "documents/001/" in img.get("alt")


def test_html_page_named_in_location_missing_member_and_hostile_text(reports):
    good = reports[0]
    doc_file = good.layers[0].record.documents[0].file  # d1, two pages
    rep = hostile_report(good)
    rep.findings += [
        finding("D003", f"{doc_file} (page 2, font F1)", rule="6.2.11.4.1", detail="font not embedded"),
        finding("D003", f"{doc_file} (page 9)", rule="6.1.2", detail="no such page"),
        finding("I002", "documents/001/9999.pdf", manifest="META-INF/ASiCManifest001.xml"),
    ]
    text = render_html([rep], lang="en")
    text.encode("utf-8")
    doc = parse_html(text)
    assert_self_contained(doc)
    assert doc.xpath("//img[@src='x']") == [] and "<script>alert(1)</script>" not in text
    assert "<script>alert(1)</script>" in doc.text_content()  # shown as text
    captions = [f.text_content() for f in doc.xpath("//figcaption")]
    assert any(doc_file in c and "page 2" in c and "D003" in c for c in captions)
    notes = " ".join(li.text_content() for li in doc.xpath("//ul[contains(@class, 'notes')]/li"))
    assert "page 9 does not exist" in notes
    assert "documents/001/9999.pdf: not in the package" in notes
    # D003 badges mark d1 in the table of contents
    d1 = next(r for r in doc.xpath("//table[@class='toc']/tbody/tr") if r.xpath("string(td[2])") == "d1")
    assert "D003" in d1.text_content()
    limited = parse_html(render_html([rep], lang="en", max_thumbnails=1))
    assert len(limited.xpath("//figure")) <= 1 and "only the first 1 pages are shown" in limited.text_content()


def test_html_unopenable_package_and_no_thumbnails(reports, unopenable, trust):
    rep = validate_package(unopenable, trust=trust)
    doc = parse_html(render_html([rep], lang="zh-CN"))
    assert doc.xpath("string(//div[@data-verdict='reject']/span[@class='word'])") == "拒收"
    assert "C001" in doc.text_content()
    doc = parse_html(render_html(reports, thumbnails=False))
    assert doc.xpath("//img") == []
    assert "thumbnails were not rendered" in doc.text_content()


# --- HTML in a real browser ----------------------------------------------------------------------------

def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        if found := shutil.which(name):
            return found
    return None


def run_chromium(binary: str, profile, *args) -> subprocess.CompletedProcess:
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--disable-dev-shm-usage", f"--user-data-dir={profile}"]
    return subprocess.run([binary, *flags, *args], capture_output=True, text=True, timeout=180,
                          env={**os.environ, "HOME": str(profile)})


@pytest.mark.skipif(chromium() is None, reason="headless Chromium not installed (Debian: apt-get install -y chromium)")
def test_html_rendered_in_headless_chromium(reports, tmp_path):
    binary = chromium()
    page = tmp_path / "report.html"
    page.write_text(render_html(reports, lang="zh-CN"), encoding="utf-8")
    res = run_chromium(binary, tmp_path / "profile-dom", "--dump-dom", page.as_uri())
    assert res.returncode == 0, res.stderr[-2000:]
    dom = lxml.html.document_fromstring(res.stdout.encode("utf-8"))
    banners = dom.xpath("//div[@data-verdict]")
    assert [b.xpath("string(span[@class='word'])") for b in banners] == ["接收", "拒收"]
    assert [b.xpath("string(span[@class='other'])") for b in banners] == ["ACCEPT", "REJECT"]
    assert len(dom.xpath("//figure/img")) == 1

    shot = tmp_path / "report.png"
    res = run_chromium(binary, tmp_path / "profile-shot", f"--screenshot={shot}", "--window-size=1280,4000",
                       "--hide-scrollbars", page.as_uri())
    assert res.returncode == 0, res.stderr[-2000:]
    assert shot.is_file() and shot.stat().st_size > 1000
    assert shot.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    # the top of the page is the first verdict banner's green or the header; somewhere there is the red one
    from PIL import Image

    with Image.open(shot) as im:
        colours = {c for _, c in im.convert("RGB").getcolors(maxcolors=1 << 20)}
    assert (0x1A, 0x7F, 0x37) in colours and (0xCF, 0x22, 0x2E) in colours  # green accept, red reject banners


# --- table of contents in filing order ------------------------------------------------------------------

def _toc_rows(page: str, volume: str) -> list[tuple[str, str, str]]:
    """(type, pages, pages in volume) of each row of one volume's table of contents in the HTML report."""
    dom = lxml.html.document_fromstring(page.encode("utf-8"))
    head = dom.xpath(f"//h3[code='{volume}']")
    assert len(head) == 1, volume
    table = head[0].getnext()
    cols = [th.text_content() for th in table.xpath("thead/tr/th")]
    t, p, v = cols.index("Type"), cols.index("Pages"), cols.index("Pages in volume")
    return [(r[t].text_content(), r[p].text_content(), r[v].text_content()) for r in table.xpath("tbody/tr")]


def test_html_toc_follows_the_filing_order(tmp_path_factory, agencies, creds, trust):
    """Cover and 卷内目录 first and 备考表 last, all three unnumbered; the documents numbered from page 1
    in layer order (DOMAIN.md §2.1). A second layer adds a document to the same volume and its own set
    of sheets: its document continues the numbering."""
    from conftest import make_source
    from edossier.building.pipeline import append_layer, build_package

    base = tmp_path_factory.mktemp("toc-order")
    police = make_source(base / "src-police", agencies["police"],
                         docs=[("d1", "立案决定书", 2), ("d2", "讯问笔录", 1)])
    proc = make_source(base / "src-proc", agencies["procuratorate"], docs=[("p1", "补充侦查决定书", 3)],
                       volumes=(), with_case=False)
    p1, p2 = base / "1.edp", base / "2.edp"
    build_package(police, p1, creds["police"], generated_pages=True)
    append_layer(p1, proc, p2, creds["procuratorate"], generated_pages=True)
    rep = validate_package(p2, trust=trust)
    rows = _toc_rows(render_html([rep], lang="en", thumbnails=False), "v1")
    # by hand: d1 has pages 1-2, d2 page 3, p1 (layer 2) pages 4-6; the generated sheets have no number,
    # one set per layer (cover and 目录 of layer 1, then of layer 2; the 备考表 of both at the end)
    assert [(t, v) for t, _, v in rows] == [
        ("卷宗封面", "–"), ("卷内目录", "–"), ("卷宗封面", "–"), ("卷内目录", "–"),
        ("立案决定书", "1–2"), ("讯问笔录", "3"), ("补充侦查决定书", "4–6"),
        ("备考表", "–"), ("备考表", "–")]
    assert [p for t, p, _ in rows if t not in ("卷宗封面", "卷内目录", "备考表")] == ["2", "1", "3"]
    # the total line counts the case's documents and their pages only: 3 documents, 2 + 1 + 3 = 6 pages
    page = render_html([rep], lang="zh-CN", thumbnails=False)
    assert "共 3 份文书，6 页" in page
