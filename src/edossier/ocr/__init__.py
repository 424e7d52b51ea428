"""OCR text layers (双层PDF): RapidOCR by default, Tesseract as the alternative engine."""
