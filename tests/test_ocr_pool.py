"""The OCR worker pool (issue 19, fourth round): workers start before the build reads its source, without
a thread in the builder; a worker whose engine cannot start fails every page with a clear message (no
traceback, no hang); OpenVINO is loaded without its usage telemetry."""

from __future__ import annotations

import os
import pickle
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import make_source
from edossier.errors import BuildError
from edossier.ocr import OcrError, OcrUnavailable
from test_ocr import LINES, _needs, accuracy, page_scan


def test_ocr_errors_survive_the_trip_from_a_worker():
    """Both messages come back from a worker process (pickled): before, unpickling called OcrError(en)
    without `zh`, which failed and broke the whole pool."""
    for cls in (OcrError, OcrUnavailable):
        back = pickle.loads(pickle.dumps(cls("tesseract failed: out of memory", "tesseract 运行失败：内存不足")))
        assert type(back) is cls
        assert (back.en, back.zh) == ("tesseract failed: out of memory", "tesseract 运行失败：内存不足")


def _alive(pids):
    alive = []
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                if f.read().split(") ", 1)[1][0] != "Z":
                    alive.append(pid)
        except FileNotFoundError:
            pass
    return alive


@_needs("rapidocr")
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc")
def test_workers_start_at_once_without_a_thread_and_end_on_close():
    """The workers are processes from the moment the pool is made, and no thread is started in this
    process (the builder forks after this: the scan precheck, the check-ahead process). Closed without
    a page, they end at once instead of waiting forever for a task."""
    from edossier.ocr import OcrPool

    before = threading.active_count()
    pool = OcrPool("rapidocr", 2)
    try:
        pids = [p.pid for p in pool._ex._processes.values()]
        assert len(pids) == 2 and len(_alive(pids)) == 2
        assert threading.active_count() == before
    finally:
        t = time.monotonic()
        pool.close()
    assert time.monotonic() - t < 10  # terminated, not waited for (their engines load for ~1 s)
    assert _alive(pids) == []
    assert threading.active_count() == before


@_needs("rapidocr")
def test_a_released_pool_still_answers_and_then_ends(tmp_path):
    """release() (no more pages) lets the workers exit once their pages are done; every page already
    submitted is still read, and close() leaves no worker behind."""
    from edossier.ocr import OcrPool
    from edossier.ocr.types import PageRef

    jpg = page_scan(tmp_path / "p.jpg")
    with OcrPool("rapidocr", 2) as pool:
        futures = [pool.submit(PageRef(jpg)) for _ in range(3)]
        pids = [p.pid for p in pool._ex._processes.values()]
        pool.release()
        texts = ["".join(line.text for line in f.result(timeout=120).lines) for f in futures]
    for text in texts:
        assert accuracy("".join(LINES), text) >= 0.98, text
    if sys.platform.startswith("linux"):
        assert _alive(pids) == []


def _broken_rapidocr(root: Path) -> Path:
    """A copy of the installed rapidocr_onnxruntime package whose model files are not models."""
    import importlib.util

    spec = importlib.util.find_spec("rapidocr_onnxruntime")
    real = Path(next(iter(spec.submodule_search_locations)))
    copy = root / "rapidocr_onnxruntime"
    shutil.copytree(real, copy, ignore=shutil.ignore_patterns("__pycache__"))
    for model in (copy / "models").glob("*.onnx"):
        model.write_bytes(b"not an ONNX model\n" * 64)
    return root


@_needs("rapidocr")
def test_a_worker_that_cannot_load_its_models_fails_the_build_clearly(tmp_path, monkeypatch, agencies, creds):
    """Models that neither OpenVINO nor onnxruntime can read: each worker's engine fails to start, and
    the build stops with a BuildError naming the document, the page, the engine and the runtime's own
    reason, in English and Chinese; no hang, no traceback (the workers get the parent's sys.path)."""
    from edossier.building.documents import OcrOptions
    from edossier.building.pipeline import build_package

    monkeypatch.syspath_prepend(str(_broken_rapidocr(tmp_path / "site")))
    for name in [m for m in sys.modules if m.startswith("rapidocr_onnxruntime")]:
        monkeypatch.delitem(sys.modules, name)
    src = make_source(tmp_path / "src", agencies["police"], docs=[("d1", "立案决定书", 2)])
    for k in (1, 2):
        page_scan(src / "scans" / f"d1-{k}.jpg")
    t = time.monotonic()
    with pytest.raises(BuildError) as exc:
        build_package(src, tmp_path / "o.edp", creds["police"], ocr=OcrOptions("rapidocr", jobs=2),
                      generated_pages=False)
    assert time.monotonic() - t < 120
    en, zh = exc.value.en, exc.value.zh
    assert en.startswith("document d1: OCR of page 1 failed: the OCR engine 'rapidocr' could not start: "), en
    assert zh.startswith("文书 d1：第 1 页文字识别失败：文字识别引擎 'rapidocr' 无法启动："), zh
    assert "Traceback" not in en
    assert not (tmp_path / "o.edp").exists()


def _load_engine_in_a_clean_home(tmp_path, runtime: str) -> tuple[str, Path]:
    home = tmp_path / f"home-{runtime}"
    home.mkdir()
    code = ("import os, sys\n"
            "from edossier.ocr.ppocr import PpOcr\n"
            f"ocr = PpOcr(runtime={runtime!r})\n"
            "print(ocr.runtime, sorted(m for m in ('openvino_telemetry', 'openvino.tools.ovc', 'onnxruntime')\n"
            "                          if m in sys.modules))\n")
    # CI="" because the telemetry of both runtimes may stay off where CI=true; the proxies are a closed
    # local port, so that a regression cannot reach the network from the test either
    env = {k: v for k, v in os.environ.items() if k != "ORT_DISABLE_TELEMETRY"}
    env.update(HOME=str(home), CI="", https_proxy="http://127.0.0.1:9", http_proxy="http://127.0.0.1:9")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr
    return out.stdout.splitlines()[-1], home


@_needs("rapidocr")
def test_openvino_is_loaded_without_any_telemetry(tmp_path):
    """`import openvino` imports its model converter, which posts a usage event to Google Analytics from
    a second process and writes a client id under ~/intel; importing RapidOCR's package imports
    onnxruntime, which writes a device id and an event queue under ~/.cache/Microsoft for Microsoft's
    collector. The OpenVINO engine loads neither: in a fresh interpreter with an empty home, nothing is
    written there (and the converter is not left blocked: `openvino.tools.ovc` is simply not loaded)."""
    import importlib.util

    if importlib.util.find_spec("openvino") is None:
        pytest.skip("OpenVINO not installed")
    line, home = _load_engine_in_a_clean_home(tmp_path, "openvino")
    assert line == "openvino []"
    assert list(home.iterdir()) == []


@_needs("rapidocr")
def test_onnxruntime_is_loaded_with_its_telemetry_off(tmp_path):
    """The onnxruntime engine sets ORT_DISABLE_TELEMETRY (unless the user set it): nothing under the home."""
    line, home = _load_engine_in_a_clean_home(tmp_path, "onnxruntime")
    assert line == "onnxruntime ['onnxruntime']"
    assert list(home.iterdir()) == []


@_needs("rapidocr")
def test_a_build_that_stops_before_its_first_page_leaves_no_worker(tmp_path, agencies, creds):
    """The workers start before the source is read: a source that is wrong stops the build with its own
    error, at once, and the workers are ended (not left waiting for a task)."""
    import multiprocessing

    from edossier.building.documents import OcrOptions
    from edossier.building.pipeline import build_package

    src = make_source(tmp_path / "src", agencies["police"], docs=[("d1", "立案决定书", 1)])
    page_scan(src / "scans" / "d1-1.jpg")
    toml = src / "dossier.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('volume = "v1"', 'volume = "nowhere"'), encoding="utf-8")
    before = set(multiprocessing.active_children())
    t = time.monotonic()
    with pytest.raises(BuildError) as exc:
        build_package(src, tmp_path / "o.edp", creds["police"], ocr=OcrOptions("rapidocr", jobs=2),
                      generated_pages=False)
    assert "nowhere" in exc.value.en
    assert time.monotonic() - t < 30
    assert set(multiprocessing.active_children()) <= before
    assert not (tmp_path / "o.edp").exists()


@_needs("rapidocr")
@pytest.mark.skipif(not hasattr(os, "sched_getaffinity") or len(os.sched_getaffinity(0)) < 2,
                    reason="needs CPU affinity and two CPUs")
def test_an_inference_is_not_pinned_to_one_core():
    """OpenVINO pins the thread running an inference to a core of its choosing, and every worker process
    chose core 0: the two workers of `build --ocr` shared one core while the other idled. With pinning
    off the thread keeps the process's CPUs throughout (sampled from another thread while it infers)."""
    import importlib.util

    import numpy as np

    if importlib.util.find_spec("openvino") is None:
        pytest.skip("OpenVINO not installed")
    from edossier.ocr.ppocr import PpOcr

    ocr = PpOcr(runtime="openvino")
    allowed = frozenset(os.sched_getaffinity(0))
    seen, tid = set(), []

    def infer():
        tid.append(threading.get_native_id())
        x = np.zeros((1, 3, 48, 960), np.float32)
        for _ in range(40):
            ocr._rec(x)

    worker = threading.Thread(target=infer)
    worker.start()
    while not tid:
        time.sleep(0.001)
    while worker.is_alive():
        try:
            seen.add(frozenset(os.sched_getaffinity(tid[0])))
        except OSError:  # the thread has just ended
            pass
        time.sleep(0.002)
    worker.join()
    assert seen == {allowed}
