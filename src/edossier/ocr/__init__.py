"""OCR text layers (双层PDF): RapidOCR by default, Tesseract as the alternative engine.

The engines are optional: RapidOCR comes with ``pip install 'edossier[ocr]'`` (PP-OCR models ship
inside the ``rapidocr-onnxruntime`` wheel, so it runs offline; ``ppocr.py`` runs them on OpenVINO, or
onnxruntime without it); Tesseract is the Debian packages
``tesseract-ocr tesseract-ocr-chi-sim``. `check_engine` says, in English and Chinese, how to install
a missing one. Pages are recognised in parallel worker processes (`OcrPool`), and the result is an
invisible (render mode 3) text layer positioned over the words (`layer.add_text_layers`).
"""

from __future__ import annotations

from .engines import DEFAULT_ENGINE, ENGINES, OcrError, OcrUnavailable, check_engine, engine_label, get_engine
from .pool import OcrPool

__all__ = ["DEFAULT_ENGINE", "ENGINES", "OcrError", "OcrPool", "OcrUnavailable", "check_engine", "engine_label",
           "get_engine"]
