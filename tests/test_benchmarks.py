"""benchmarks/run.py --quick as a smoke test: every section runs end to end on small inputs.

No timing assertions: the figures of a quick run mean nothing, only that the benchmark still works
(docs/performance.md has the real figures).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_quick_run_prints_every_section_and_writes_json(tmp_path):
    out = tmp_path / "quick.json"
    proc = subprocess.run([sys.executable, str(REPO / "benchmarks" / "run.py"), "--quick", "--json", str(out)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    result = json.loads(out.read_text(encoding="utf-8"))
    sections = {r["section"] for r in result["rows"]}
    assert {"validate", "build", "pdfa", "signatures", "memory", "batch", "startup"} <= sections
    assert result["machine"]["cores"] >= 1
    for row in result["rows"]:
        assert row["ours"] is not None and row["unit"]
    assert "targets:" in proc.stdout

    # --only and --baseline: a second run of one section, compared side by side with the first
    again = subprocess.run([sys.executable, str(REPO / "benchmarks" / "run.py"), "--quick", "--only", "startup",
                            "--baseline", str(out)], capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr[-3000:]
    assert "vs baseline" in again.stdout and "[validate]" not in again.stdout


def test_runs_without_the_optional_ocr_engine(tmp_path):
    """RapidOCR is an optional extra (`edossier[ocr]`): without it the benchmark still runs, measures the
    checker on the same document without its text layer, and says so (test_ocr skips the same way)."""
    out = tmp_path / "no-ocr.json"
    hide = ("import runpy, sys; sys.modules['rapidocr_onnxruntime'] = None; "  # find_spec() now says absent
            f"sys.argv = ['run.py', '--quick', '--only', 'pdfa,ocr', '--json', {str(out)!r}]; "
            f"runpy.run_path({str(REPO / 'benchmarks' / 'run.py')!r}, run_name='__main__')")
    proc = subprocess.run([sys.executable, "-c", hide], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    rows = json.loads(out.read_text(encoding="utf-8"))["rows"]
    assert "20-page scanned document" in {r["name"] for r in rows if r["section"] == "pdfa"}
    assert not [r for r in rows if r["section"] == "ocr"]
    assert "RapidOCR" in proc.stdout and "without its OCR layer" in proc.stdout
