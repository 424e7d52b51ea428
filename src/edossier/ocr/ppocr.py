"""The PP-OCR pipeline behind the ``rapidocr`` engine: text detection, line crops, line recognition.

The models are the PP-OCRv4 mobile detection and recognition models that ship inside the
``rapidocr-onnxruntime`` wheel (nothing is downloaded). They run on OpenVINO when the ``openvino``
package is installed (part of ``edossier[ocr]``) and on onnxruntime otherwise; RapidOCR's own DB
post-processing and CTC decoding are reused. What differs from ``RapidOCR.__call__``, and why
(profile and figures in docs/performance.md, "OCR, second round"):

- **Detection on a small copy of the page** (longest side `DET_SIDE` = 960 pixels, PaddleOCR's own
  default) instead of RapidOCR's 2000: the detector only has to find lines, and at 960 pixels a
  10.5 pt line on an A4 page is still ~12 pixels high. Detection went from ~0.5-0.8 s to
  ~0.06-0.1 s a page.
- **A wider margin round each line** (`UNCLIP`).
- **Lines are cut from the full-resolution scan**, straight to the recogniser's 48-pixel height (one
  perspective warp), not from the down-scaled detection image: recognition sees sharper glyphs, so
  the smaller detection costs no accuracy (99.15 → 99.68 % on four benchmark pages).
- **One line at a time.** Batches of lines of similar width were slower per line on this CPU with
  both runtimes (onnxruntime: 54 → 82 ms a line in batches of 4; OpenVINO: 0.53 → 0.59 s a page).
- **Line widths padded to a multiple of 16 pixels** (`REC_WIDTH_STEP`): OpenVINO prepares its kernels
  once per input shape, and unpadded nearly every line was a new shape (0.59 → 0.53 s a page).
- **OpenVINO** runs the same ONNX models 1.6× faster than onnxruntime in fp32, and on CPUs with native
  bfloat16 (AVX512-BF16/AMX) it picks bf16 inference by itself: 54 → 19 ms a 1,400-pixel line, with
  the same accuracy on the benchmark pages.
"""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

DET_SIDE = 960  # longest side of the detection image, pixels
REC_HEIGHT = 48  # the recognition model's input height (PP-OCRv4 rec: 3 × 48 × W)
REC_MIN_WIDTH = 320  # PaddleOCR pads shorter lines to 48 × 320 (a ratio the model was trained on)
# How far a detected line is grown (DB "unclip") before it is cut out: RapidOCR's 1.6 cut close to
# the glyphs; with 2.0 the recogniser got a margin like its training crops and read better, and narrower
# (faster) lines: 99.85 → 99.97 % and 0.61 → 0.54 s a page on the 20 benchmark pages, no loss on a page
# of 10.5 pt lines 1.15 apart at 200 dpi (99.47 / 99.43 %; the old pipeline read it at 99.39 %).
UNCLIP = 2.0
# Line widths are padded up to a multiple of this many pixels (as PaddleOCR pads to 320). OpenVINO
# prepares its kernels for each new input shape: a width seen for the first time took 33 ms to
# recognise, the same width again 15 ms (1,000-pixel lines). The lines of a page are all different
# widths, so unpadded nearly every line was a first; with 16 a worker sees a dozen widths a page size:
# 0.59 -> 0.53 s of CPU a page, same accuracy (docs/performance.md, "Issue 19, fourth round: OCR").
REC_WIDTH_STEP = 16
TEXT_SCORE = 0.5  # lines recognised with a lower mean probability are dropped, as RapidOCR does
DET_MODEL = "ch_PP-OCRv4_det_infer.onnx"
REC_MODEL = "ch_PP-OCRv4_rec_infer.onnx"
RUNTIMES = ("openvino", "onnxruntime")


def models_dir() -> Path:
    """The folder of ONNX models inside the installed rapidocr-onnxruntime package."""
    spec = importlib.util.find_spec("rapidocr_onnxruntime")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("rapidocr_onnxruntime")
    return Path(next(iter(spec.submodule_search_locations))) / "models"


def _rapidocr_part(name: str):
    """RapidOCR's module `name` (its DB post-processing, its CTC decoder), loaded from its file alone.

    `import rapidocr_onnxruntime.ch_ppocr_det.utils` would first run the package's __init__, which imports
    all of RapidOCR and with it onnxruntime, which (1.32 on Linux) writes a device id and a queue of
    telemetry events under ~/.cache/Microsoft and sends them to Microsoft: an OpenVINO worker needs none
    of that (and saves ~0.1 s of start-up). Both files import only numpy, cv2, pyclipper and shapely."""
    import importlib.util
    import sys

    key = "edossier.ocr._rapidocr_" + name.replace(".", "_")
    if key not in sys.modules:
        spec = importlib.util.spec_from_file_location(key, models_dir().parent / (name.replace(".", "/") + ".py"))
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        sys.modules[key] = module
    return sys.modules[key]


def default_runtime() -> str:
    return "openvino" if importlib.util.find_spec("openvino") is not None else "onnxruntime"


def _import_openvino():
    """`openvino`, imported without its model-conversion tools (`openvino.tools.ovc`).

    `import openvino` also imports `openvino.tools.ovc` (only for `convert_model`, which we do not use),
    and that import sends a usage event to Google Analytics unless the user opted out: it writes a
    client id and a usage counter under ~/intel and starts a second Python process per OCR worker to
    post the event (issue 19, fourth round: ~0.1 s of CPU a worker, and a case-file tool must not
    contact anyone). openvino/__init__.py imports it under `except ImportError`, so a None entry in
    sys.modules (which makes that import raise ImportError) keeps it out. The entry is removed
    afterwards: a caller that imports the tools itself later gets them as usual."""
    import sys

    if "openvino" in sys.modules:
        return sys.modules["openvino"]
    name = "openvino.tools.ovc"
    blocked = name not in sys.modules
    if blocked:
        sys.modules[name] = None  # type: ignore[assignment]
    try:
        import openvino
    finally:
        if blocked and sys.modules.get(name, False) is None:
            del sys.modules[name]
    return openvino


class _OpenVinoModel:
    def __init__(self, path: Path, threads: int):
        ov = _import_openvino()
        core = ov.Core()
        self._model = core.read_model(str(path))
        # One stream and `threads` threads: the OCR pool already runs one worker per core. The
        # inference precision is left to OpenVINO (bf16 where the CPU does it natively, f32 otherwise).
        # No CPU pinning: OpenVINO pins the thread running an inference to "its" core, and every worker
        # process chooses the same one (core 0): two workers then shared one core while the other
        # idled (each at ~50 % in top; docs/performance.md, "Issue 19, fourth round: OCR").
        compiled = core.compile_model(self._model, "CPU", {"INFERENCE_NUM_THREADS": threads, "NUM_STREAMS": 1,
                                                           "PERFORMANCE_HINT": "LATENCY",
                                                           "ENABLE_CPU_PINNING": False})
        self._request = compiled.create_infer_request()
        hint = compiled.get_property("INFERENCE_PRECISION_HINT")
        self.precision = hint.get_type_name() if hasattr(hint, "get_type_name") else str(hint)

    def __call__(self, x):
        return self._request.infer([x])[0]

    def characters(self) -> list[str]:
        return self._model.get_rt_info(["framework", "character"]).astype(str).splitlines()


class _OrtModel:
    def __init__(self, path: Path, threads: int):
        import os

        # onnxruntime's own telemetry (Linux too, from 1.32: ~/.cache/Microsoft, sent to Microsoft) is off
        # unless the user set the variable; read when onnxruntime is imported
        os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
        import onnxruntime as ort

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self._session = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
        self._input = self._session.get_inputs()[0].name
        self.precision = "f32"

    def __call__(self, x):
        return self._session.run(None, {self._input: x})[0]

    def characters(self) -> list[str]:
        return self._session.get_modelmeta().custom_metadata_map["character"].splitlines()


def reading_order(boxes: list) -> list:
    """Top to bottom, then left to right within a line: RapidOCR's `sorted_boxes`, with the same-line
    tolerance half the box height instead of 10 pixels (the boxes are in full-resolution pixels here)."""
    boxes = sorted(boxes, key=lambda b: (float(b[0][1]), float(b[0][0])))
    for i in range(len(boxes) - 1):
        for j in range(i, -1, -1):
            a, b = boxes[j], boxes[j + 1]
            tol = max(10.0, 0.5 * min(float(a[3][1] - a[0][1]), float(b[3][1] - b[0][1])))
            if abs(float(b[0][1] - a[0][1])) < tol and b[0][0] < a[0][0]:
                boxes[j], boxes[j + 1] = b, a
            else:
                break
    return boxes


class PpOcr:
    """`recognise(img) -> [(box 4×2 float32, text, score)]` in reading order, for a uint8 image: BGR
    (h × w × 3) or grey (h × w; kept grey until the models' input, which is 3 copies of it: a third of
    the resizing and warping of a grey scan made BGR first)."""

    def __init__(self, threads: int = 1, runtime: str | None = None):
        DBPostProcess = _rapidocr_part("ch_ppocr_det.utils").DBPostProcess
        CTCLabelDecode = _rapidocr_part("ch_ppocr_rec.utils").CTCLabelDecode

        if runtime is not None and runtime not in RUNTIMES:
            raise ValueError(f"unknown runtime {runtime!r} (use {' or '.join(RUNTIMES)})")
        folder = models_dir()
        self.runtime = runtime or default_runtime()
        try:
            self._load(folder, threads)
        except Exception:  # noqa: BLE001 - an OpenVINO that is installed but cannot run here
            if runtime is not None or self.runtime == "onnxruntime":
                raise
            # Chosen by default only: onnxruntime (always there with rapidocr-onnxruntime) reads the
            # same models, slower (docs/performance.md, "OCR, second round").
            self.runtime = "onnxruntime"
            self._load(folder, threads)
        self.precision = self._rec.precision
        # RapidOCR's defaults (its config.yaml, Det section) except the margin round each line
        self._post = DBPostProcess(thresh=0.3, box_thresh=0.5, max_candidates=1000, unclip_ratio=UNCLIP,
                                   use_dilation=True, score_mode="fast")
        self._ctc = CTCLabelDecode(character=self._rec.characters())

    def _load(self, folder: Path, threads: int) -> None:
        model = _OpenVinoModel if self.runtime == "openvino" else _OrtModel
        self._det = model(folder / DET_MODEL, threads)
        self._rec = model(folder / REC_MODEL, threads)

    def detect(self, img) -> list:
        """Line boxes (4 points, clockwise from top left) in pixels of `img` (BGR or grey)."""
        import cv2
        import numpy as np

        h, w = img.shape[:2]
        scale = min(1.0, DET_SIDE / max(h, w))
        # The detector's input sides must be multiples of 32.
        dh, dw = (max(32, int(round(side * scale / 32)) * 32) for side in (h, w))
        small = cv2.resize(img, (dw, dh), interpolation=cv2.INTER_AREA)
        x = _planes(small)
        boxes, _ = self._post(self._det(x), (h, w))
        out = []
        for box in boxes:
            box = _clockwise(np.asarray(box, dtype=np.float32))
            box[:, 0] = np.clip(box[:, 0], 0, w - 1)
            box[:, 1] = np.clip(box[:, 1], 0, h - 1)
            if np.linalg.norm(box[0] - box[1]) > 3 and np.linalg.norm(box[0] - box[3]) > 3:
                out.append(box)
        return reading_order(out)

    def line_image(self, img, box):
        """The line under `box`, upright, scaled to the recogniser's height (one warp from the full scan)."""
        import cv2
        import numpy as np

        width = max(np.linalg.norm(box[0] - box[1]), np.linalg.norm(box[2] - box[3]))
        height = max(np.linalg.norm(box[0] - box[3]), np.linalg.norm(box[1] - box[2]))
        pts = box
        if height >= 1.5 * width:  # a vertical line: read it turned a quarter anticlockwise, as RapidOCR does
            pts = np.roll(box, -1, axis=0)
            width, height = height, width
        out_w = max(1, int(math.ceil(REC_HEIGHT * width / max(height, 1.0))))
        dst = np.array([[0, 0], [out_w, 0], [out_w, REC_HEIGHT], [0, REC_HEIGHT]], dtype=np.float32)
        m = cv2.getPerspectiveTransform(pts.astype(np.float32), dst)
        flags = cv2.INTER_AREA if height > REC_HEIGHT else cv2.INTER_CUBIC
        return cv2.warpPerspective(img, m, (out_w, REC_HEIGHT), flags=flags, borderMode=cv2.BORDER_REPLICATE)

    def read_line(self, line) -> tuple[str, float]:
        import numpy as np

        width = max(REC_MIN_WIDTH, -(-line.shape[1] // REC_WIDTH_STEP) * REC_WIDTH_STEP)
        x = np.zeros((1, 3, REC_HEIGHT, width), dtype=np.float32)
        x[:, :, :, :line.shape[1]] = _planes(line)
        text, score = self._ctc(self._rec(x))[0]
        return text, float(score)

    def recognise(self, img) -> list:
        result = []
        for box in self.detect(img):
            text, score = self.read_line(self.line_image(img, box))
            if score >= TEXT_SCORE:
                result.append((box, text, score))
        return result


def _planes(img):
    """1 × 3 × h × w float32 in [-1, 1] (PP-OCR's normalisation) from a BGR or grey uint8 image."""
    import numpy as np

    x = img.astype(np.float32) * (1 / 127.5) - 1.0
    if x.ndim == 2:
        return np.ascontiguousarray(np.broadcast_to(x, (1, 3) + x.shape))
    return np.ascontiguousarray(x.transpose(2, 0, 1)[None])


def _clockwise(pts):
    """Top-left, top-right, bottom-right, bottom-left (RapidOCR's order_points_clockwise)."""
    import numpy as np

    xs = pts[np.argsort(pts[:, 0]), :]
    left, right = xs[:2], xs[2:]
    tl, bl = left[np.argsort(left[:, 1]), :]
    tr, br = right[np.argsort(right[:, 1]), :]
    return np.array([tl, tr, br, bl], dtype=np.float32)
