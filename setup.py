"""Only the optional C accelerator lives here; everything else is in pyproject.toml.

src/edossier/pdfa/_jpegscan.c is the JPEG Huffman-decoding loop of the image-integrity check (issue 19,
docs/performance.md). It is optional: where no C compiler is available the build goes on and the same
check runs in pure Python (images_jpeg_scan.py), ~25x slower (README, "Install"; `edossier --version`
says which one runs)."""

from setuptools import Extension, setup

setup(ext_modules=[Extension("edossier.pdfa._jpegscan", ["src/edossier/pdfa/_jpegscan.c"], optional=True)])
