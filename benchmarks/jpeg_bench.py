"""The JPEG integrity check per scan: the C loops (_jpegscan.c), the Python loops they replaced, and
Pillow's full decode (libjpeg-turbo, Huffman + IDCT + colour: more work, but lenient, see images.py), on
the seeded benchmark scans of run.py. CPU time per scan, median of `--repeat` rounds (issue 19).

    python benchmarks/jpeg_bench.py [--scans 4] [--repeat 5]
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))


def cpu_ms(fn, data: bytes, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.process_time()
        fn(data)
        times.append((time.process_time() - t) * 1000)
    return statistics.median(times)


def main(argv=None) -> int:
    from PIL import Image

    from edossier.pdfa import images_jpeg_scan
    from edossier.pdfa.images_jpeg import _walk_jpeg
    from run import scan_bytes

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scans", type=int, default=4)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args(argv)
    accel = images_jpeg_scan.ACCEL

    def check(data):
        _walk_jpeg(data, decode=True)  # not verify_jpeg: its memo would answer every round after the first

    def pillow(data):
        Image.open(io.BytesIO(data)).load()

    def python_loops(data):
        images_jpeg_scan.ACCEL = None
        try:
            check(data)
        finally:
            images_jpeg_scan.ACCEL = accel

    print(f"{'scan':>4} {'KB':>6} {'C ms':>7} {'Python ms':>10} {'Pillow ms':>10} {'Python/C':>9}")
    rows = []
    for seed in range(args.scans):
        data = scan_bytes(seed)
        c = cpu_ms(check, data, args.repeat) if accel else float("nan")
        py = cpu_ms(python_loops, data, max(1, args.repeat // 2))
        pil = cpu_ms(pillow, data, args.repeat)
        rows.append((c, py, pil))
        print(f"{seed:>4} {len(data) / 1000:>6.0f} {c:>7.2f} {py:>10.1f} {pil:>10.2f} {py / c:>9.1f}")
    med = [statistics.median(r[i] for r in rows) for i in range(3)]
    print(f"median: C {med[0]:.2f} ms, Python {med[1]:.1f} ms ({med[1] / med[0]:.0f}x), Pillow full decode "
          f"{med[2]:.2f} ms" + ("" if accel else "  (C module not built: pip install -e . with a compiler)"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
