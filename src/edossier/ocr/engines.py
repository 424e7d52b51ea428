"""The OCR engines: each turns an upright page image into lines of text with pixel boxes."""

from __future__ import annotations

import csv
import dataclasses
import importlib.util
import io
import os
import re
import shutil
import subprocess
import unicodedata

from .types import OcrLine, PageText
from ..errors import UserError

DEFAULT_ENGINE = "rapidocr"
ENGINES = ("rapidocr", "tesseract")
_LABELS = {"rapidocr": "RapidOCR", "tesseract": "Tesseract"}


class OcrUnavailable(UserError, RuntimeError):
    """The engine asked for is not installed (English and Chinese message with an install hint)."""


class OcrError(UserError, RuntimeError):
    """Ocr: English and Chinese message (errors.UserError, which also makes it survive pickling from a
    worker process)."""


# The Chinese numeral zero is 〇 (U+3007, GB/T 15835-2011 §4.2, "二〇二六年"); both engines often read it
# as the geometric circle ○ (U+25CB, or ◯ U+25EF), which a search for the date then misses (6 of the 20
# benchmark pages). A run of circles is the numeral where a Chinese numeral precedes it and a numeral or
# 年, 元, 万, 亿, 号 follows; a circle anywhere else (a bullet, a mark in a form) stays as read.
_NUMERALS = "〇一二三四五六七八九十零"
_CIRCLE_ZERO = re.compile(f"(?<=[{_NUMERALS}])[\u25cb\u25ef]+(?=[{_NUMERALS}年元万亿号])")


def numeral_zero(text: str, before: str = "", after: str = "") -> str:
    """`text` with each circle read in a Chinese numeral made the numeral zero 〇 (see _CIRCLE_ZERO).
    `before`, `after`: the lines around it in reading order (a date broken across two lines)."""
    if "\u25cb" not in text and "\u25ef" not in text:
        return text
    lead = before[-1:]
    fixed = _CIRCLE_ZERO.sub(lambda m: "\u3007" * len(m.group()), lead + text + after[:1])
    return fixed[len(lead):len(lead) + len(text)]


def _numeral_zeros(page: PageText) -> PageText:
    """numeral_zero on every line of `page`, each with its neighbours in reading order."""
    lines = page.lines
    texts = [line.text for line in lines]
    for i, line in enumerate(lines):
        text = numeral_zero(line.text, texts[i - 1] if i else "", texts[i + 1] if i + 1 < len(texts) else "")
        if text != line.text:
            lines[i] = dataclasses.replace(line, text=text)
    return page


def engine_label(name: str) -> str:
    return _LABELS.get(name, name)


def check_engine(name: str) -> None:
    """Raise OcrUnavailable unless the engine can run here."""
    if name == "rapidocr":
        if importlib.util.find_spec("rapidocr_onnxruntime") is None:
            raise OcrUnavailable(
                "OCR needs the RapidOCR engine, which is not installed: pip install 'edossier[ocr]' "
                "(or use --ocr-engine tesseract)",
                "OCR 需要 RapidOCR 引擎，但尚未安装：pip install 'edossier[ocr]'（或使用 --ocr-engine tesseract）")
        return
    if name == "tesseract":
        exe = shutil.which("tesseract")
        if exe is None:
            raise OcrUnavailable(
                "the Tesseract engine is not installed: apt-get install tesseract-ocr tesseract-ocr-chi-sim",
                "未安装 Tesseract 引擎：apt-get install tesseract-ocr tesseract-ocr-chi-sim")
        try:
            langs = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=30).stdout.split()
        except (OSError, subprocess.SubprocessError):
            langs = []
        if "chi_sim" not in langs:
            raise OcrUnavailable(
                "Tesseract has no Simplified Chinese model: apt-get install tesseract-ocr-chi-sim",
                "Tesseract 缺少简体中文模型：apt-get install tesseract-ocr-chi-sim")
        return
    raise OcrUnavailable(f"unknown OCR engine {name!r} (use {' or '.join(ENGINES)})",
                         f"未知的 OCR 引擎 {name!r}（可选 {'、'.join(ENGINES)}）")


def get_engine(name: str):
    check_engine(name)
    return RapidOcrEngine() if name == "rapidocr" else TesseractEngine()


class RapidOcrEngine:
    """RapidOCR's PP-OCR models through our own pipeline (ppocr.py: why it is faster than RapidOCR's)."""

    name = "rapidocr"

    def __init__(self, threads: int = 1, runtime: str | None = None):
        from .ppocr import PpOcr

        # One thread per worker process: the pool already uses every core (docs/performance.md, "OCR, second round").
        self._ocr = PpOcr(threads=threads, runtime=runtime)
        self.runtime = self._ocr.runtime

    def recognise(self, img) -> PageText:
        import numpy as np

        # No angle classifier: scans are upright after EXIF orientation, and on upright pages the
        # classifier turned correct lines upside down (97.2 % instead of 100 % accuracy on the test page).
        if img.mode not in ("RGB", "L"):
            img = img.convert("RGB")
        arr = np.asarray(img)
        # The PP-OCR models were trained on 3-channel BGR images (OpenCV's order); grey stays grey.
        pixels = arr if arr.ndim == 2 else np.ascontiguousarray(arr[:, :, ::-1])
        page = PageText(img.width, img.height)
        for box, text, score in self._ocr.recognise(pixels):
            text = unicodedata.normalize("NFC", str(text)).strip()
            if not text:
                continue
            page.lines.append(OcrLine(text, float(box[:, 0].min()), float(box[:, 1].min()),
                                      float(box[:, 0].max()), float(box[:, 1].max()), score))
        return _numeral_zeros(page)


def _cjk(ch: str) -> bool:
    return ch > "\u2e80"


class TesseractEngine:
    name = "tesseract"
    langs = "chi_sim+eng"

    def recognise(self, img) -> PageText:
        if img.mode not in ("RGB", "L", "1"):
            img = img.convert("RGB")
        buf = io.BytesIO()
        img.save(buf, "PNG", compress_level=1)
        env = dict(os.environ, OMP_THREAD_LIMIT="1")  # the pool parallelises across pages
        try:
            proc = subprocess.run(["tesseract", "-", "-", "-l", self.langs, "--psm", "3", "tsv"],
                                  input=buf.getvalue(), capture_output=True, env=env, timeout=600)
        except (OSError, subprocess.SubprocessError) as exc:
            raise OcrError(f"tesseract failed: {exc}", f"tesseract 运行失败：{exc}") from None
        if proc.returncode != 0:
            msg = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
            raise OcrError(f"tesseract failed: {msg[0]}", f"tesseract 运行失败：{msg[0]}")
        page = PageText(img.width, img.height)
        lines: dict[tuple, list] = {}
        reader = csv.DictReader(io.StringIO(proc.stdout.decode("utf-8", "replace")), delimiter="\t",
                                quoting=csv.QUOTE_NONE)
        for row in reader:
            try:
                if row["level"] != "5" or float(row["conf"]) < 0 or not (row.get("text") or "").strip():
                    continue
                key = (int(row["block_num"]), int(row["par_num"]), int(row["line_num"]))
                x, y, w, h = (int(row[k]) for k in ("left", "top", "width", "height"))
            except (KeyError, ValueError, TypeError):
                continue
            lines.setdefault(key, []).append((row["text"].strip(), x, y, x + w, y + h, float(row["conf"]) / 100))
        for words in lines.values():
            text = ""
            for word, *_ in words:
                if text and not (_cjk(text[-1]) and _cjk(word[0])):
                    text += " "
                text += word
            text = unicodedata.normalize("NFC", text)
            page.lines.append(OcrLine(text, min(w[1] for w in words), min(w[2] for w in words),
                                      max(w[3] for w in words), max(w[4] for w in words),
                                      sum(w[5] for w in words) / len(words)))
        return _numeral_zeros(page)
