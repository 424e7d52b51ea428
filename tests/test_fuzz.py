"""Fuzzing in CI: every seed and every kept crash input replays cleanly, and each atheris harness runs briefly.

The harnesses live in fuzz/ (see fuzz/README.md for long runs). The smoke runs take
EDOSSIER_FUZZ_SECONDS each (default 45 s; 0 skips them); they are skipped with a reason when atheris is
not installed.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FUZZ = ROOT / "fuzz"
HARNESSES = {"container": "fuzz_container.py", "record": "fuzz_record.py", "pdf": "fuzz_pdf.py",
             "jpeg": "fuzz_jpeg.py"}
SECONDS = int(os.environ.get("EDOSSIER_FUZZ_SECONDS", "45"))


def _harness(name: str):
    spec = importlib.util.spec_from_file_location(f"fuzz_{name}", FUZZ / HARNESSES[name])
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _inputs(kind: str, name: str) -> list[Path]:
    return sorted(p for p in (FUZZ / kind / name).glob("*") if p.is_file() and not p.name.startswith("."))


@pytest.mark.parametrize("name", list(HARNESSES))
def test_seeds_replay(name):
    seeds = _inputs("seeds", name)
    assert seeds, f"fuzz/seeds/{name} is empty"
    target = _harness(name).TestOneInput
    for path in seeds:
        target(path.read_bytes())


@pytest.mark.parametrize("name", list(HARNESSES))
def test_crash_inputs_stay_fixed(name):
    """Every input a fuzzer ever crashed on is kept in fuzz/crashes/<harness>/ and must now pass."""
    target = _harness(name).TestOneInput
    for path in _inputs("crashes", name):
        try:
            target(path.read_bytes())
        except Exception as exc:  # noqa: BLE001
            raise AssertionError(f"{path}: {type(exc).__name__}: {exc}") from exc


def _atheris_missing() -> str | None:
    if importlib.util.find_spec("atheris") is None:
        return "atheris is not installed (pip install atheris; it needs a clang/libFuzzer build on some platforms)"
    if SECONDS <= 0:
        return "EDOSSIER_FUZZ_SECONDS=0"
    return None


@pytest.mark.skipif(_atheris_missing() is not None, reason=_atheris_missing() or "")
@pytest.mark.parametrize("name", list(HARNESSES))
def test_fuzz_smoke(name, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for seed in _inputs("seeds", name):
        shutil.copy(seed, corpus / seed.name)
    args = [sys.executable, str(FUZZ / HARNESSES[name]), f"-max_total_time={SECONDS}", "-rss_limit_mb=2048",
            "-timeout=20", "-max_len=65536", f"-artifact_prefix={tmp_path}/", "-print_final_stats=1", str(corpus)]
    if name == "record":
        args.insert(2, f"-dict={FUZZ / 'xml.dict'}")
    res = subprocess.run(args, capture_output=True, text=True, timeout=SECONDS + 120, cwd=ROOT)
    crashes = [p.name for p in tmp_path.iterdir() if p.name.startswith(("crash-", "timeout-", "oom-", "leak-"))]
    assert res.returncode == 0 and not crashes, (
        f"fuzz_{name} found {crashes}; copy them to fuzz/crashes/{name}/ and fix\n{res.stderr[-3000:]}")
    assert "stat::number_of_executed_units" in res.stderr
