"""atheris harness: the JPEG integrity check (edossier.pdfa.images_jpeg), C loops against Python loops.

Contract: for any bytes, the check either passes or raises ImageDefect, never anything else; and the C loops
of _jpegscan.c (issue 19) give exactly the answer of the Python loops they replaced (images_jpeg_scan.py),
the same frame or the same defect in the same words. Seeds: fuzz/seeds/jpeg (made by make_jpeg_seeds()).

    python fuzz/fuzz_jpeg.py -max_total_time=3600 -rss_limit_mb=2048 -timeout=20 -max_len=65536 \\
        fuzz/corpus/jpeg fuzz/seeds/jpeg
"""

from __future__ import annotations

import sys


def _outcome(data: bytes, accel):
    from edossier.pdfa import images_jpeg_scan
    from edossier.pdfa.images import ImageDefect
    from edossier.pdfa.images_jpeg import _walk_jpeg

    saved = images_jpeg_scan.ACCEL
    images_jpeg_scan.ACCEL = accel
    try:
        return ("pass", _walk_jpeg(data, decode=True))
    except ImageDefect as e:
        return ("refused", e.code, e.en, e.zh)
    finally:
        images_jpeg_scan.ACCEL = saved


def TestOneInput(data: bytes) -> None:  # noqa: N802
    from edossier.pdfa import images_jpeg_scan

    accel = images_jpeg_scan.ACCEL
    got = _outcome(data, accel)
    if accel is not None:
        assert got == _outcome(data, None), (got, _outcome(data, None))


def make_jpeg_seeds(folder) -> None:
    """The seeds: small scans in each coding the check decodes (baseline, optimised tables, 4:2:0 and
    4:4:4 colour, progressive, restart intervals)."""
    import io
    from pathlib import Path

    from PIL import Image, ImageDraw

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    kinds = {"grey": ("L", {}), "grey-optimized": ("L", {"optimize": True}), "rgb-420": ("RGB", {}),
             "rgb-444": ("RGB", {"subsampling": 0}), "grey-progressive": ("L", {"progressive": True}),
             "rgb-progressive": ("RGB", {"progressive": True}), "grey-restart": ("L", {"restart_marker_blocks": 2})}
    for name, (mode, kw) in kinds.items():
        img = Image.new(mode, (48, 40), "white")
        ImageDraw.Draw(img).ellipse([4, 4, 40, 34], outline="black")
        ImageDraw.Draw(img).text((8, 12), "Ab1", fill="black")
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=70, **kw)
        (folder / f"{name}.jpg").write_bytes(buf.getvalue())


if __name__ == "__main__":
    import atheris

    with atheris.instrument_imports(include=["edossier"]):
        import edossier.pdfa.images_jpeg  # noqa: F401
    atheris.Setup(sys.argv, TestOneInput)
    atheris.Fuzz()
