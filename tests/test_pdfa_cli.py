"""`edossier pdfa check`: single PDFs, JSON for scripts, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys

import pikepdf



def run(*args):
    return subprocess.run([sys.executable, "-m", "edossier.cli.main", "pdfa", "check", *map(str, args)],
                          capture_output=True, text=True, timeout=120)


def test_conformant_and_not(tmp_path):
    import datetime as dt

    from conftest import scan
    from edossier.pdfmake.scans import images_to_pdfa

    good = tmp_path / "good.pdf"
    good.write_bytes(images_to_pdfa([scan(tmp_path / "a.jpg", "a")], title="t", author=None,
                                    created=dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc))[0])
    plain = tmp_path / "plain.pdf"
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))
    pdf.save(plain)
    res = run(good)
    assert res.returncode == 0 and "CONFORMANT" in res.stdout
    res = run(good, plain, "--format", "json")
    assert res.returncode == 1
    data = json.loads(res.stdout)
    assert [d["conformant"] for d in data] == [True, False]
    assert "6.6.4-1" in data[1]["failed_rules"] and {"AC-JS", "AC-OPENACTION"} <= set(data[1]["failed_rules"])
    res = run(plain, "--no-active", "--format", "json")
    assert not any(r.startswith("AC-") for r in json.loads(res.stdout)[0]["failed_rules"])


def test_usage_and_garbage(tmp_path):
    assert run(tmp_path / "missing.pdf").returncode == 2
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"%PDF-1.7\n garbage")
    res = run(junk, "--format", "json")
    assert res.returncode == 1 and "Traceback" not in res.stderr
    assert not json.loads(res.stdout)[0]["conformant"]


def test_corpus_file_by_clause():
    from conftest import require_verapdf_corpus

    files = sorted((require_verapdf_corpus() / "PDF_A-2b").rglob("*6-1-2-t01-fail-a.pdf"))
    assert files, "the veraPDF corpus lacks 6-1-2-t01-fail-a.pdf"
    data = json.loads(run(files[0], "--format", "json").stdout)
    assert "6.1.2-1" in data[0]["failed_rules"]
