"""Making PDF/A-2u documents: scans → pages (scans.py), generated volume sheets (sheets.py), the
invisible OCR text layer (textlayer.py). The checker of PDF/A lives in edossier.pdfa."""
