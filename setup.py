"""Only the optional C accelerator lives here; everything else is in pyproject.toml.

src/edossier/pdfa/_jpegscan.c is the JPEG Huffman-decoding loop of the image-integrity check (issue 19,
docs/performance.md), and three byte loops of the PDF/A checker (the ZIP-signature scan of active.py, the Type 1
font decryption of fontprograms.py, the raw-byte object scan of structure.py). It is optional: where no C
compiler is available the build goes on and the same checks run in pure Python (images_jpeg_scan.py and the
Python twins), ~25x slower for the JPEG check (README, "Install"; `edossier --version` says which one runs)."""

from setuptools import Extension, setup

setup(ext_modules=[Extension("edossier.pdfa._jpegscan", ["src/edossier/pdfa/_jpegscan.c"], optional=True)])
