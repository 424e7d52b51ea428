"""Builder throughput and memory: a dossier of N pages from JPEG scans (prints figures, asserts nothing
unless --check).

Every run builds in a fresh child process, so `ru_maxrss` is that build's own peak memory. The default
runs 200 and 1,000 pages: peak memory must not grow with the page count (each document is written into
the package as soon as it is made, and OCR results are small). CPU seconds (this process and the
processes it waited for) are printed beside the wall time: on a shared machine they are the steadier figure.

    python benchmarks/build_bench.py                 # 200 and 1,000 pages
    python benchmarks/build_bench.py --pages 1000 --ocr rapidocr
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO))

PAGES_PER_DOC = 10
DOCS_PER_VOLUME = 20  # 200 pages per volume, the police binding norm


def make_scans(folder: Path, distinct: int = 20) -> list[str]:
    """Distinct grey A4 scans at 150 dpi (about 100 KB each), with text-like strokes."""
    import random

    from PIL import Image, ImageDraw

    rnd = random.Random(8)
    names = []
    (folder / "scans").mkdir(parents=True, exist_ok=True)
    for i in range(distinct):
        img = Image.new("L", (1240, 1754), 250)
        d = ImageDraw.Draw(img)
        for row in range(60):
            y = 120 + row * 25
            x = 100
            while x < 1100:
                w = rnd.randint(8, 20)
                d.rectangle([x, y, x + w, y + 14], fill=rnd.randint(0, 60))
                x += w + rnd.randint(3, 12)
        name = f"scans/s{i:02d}.jpg"
        img.save(folder / name, "JPEG", quality=75, dpi=(150, 150))
        names.append(name)
    return names


def write_source(folder: Path, pages: int, agency) -> None:
    scans = make_scans(folder)
    docs = pages // PAGES_PER_DOC
    volumes = (docs + DOCS_PER_VOLUME - 1) // DOCS_PER_VOLUME
    out = ['[case]\nnumber = "深南公(刑)立字〔2026〕00123号"\nname = "张某盗窃案"\ncharges = ["盗窃"]\n',
           f'[agency]\nname = "{agency.name}"\ncredit_code = "{agency.credit_code}"\nrole = "{agency.role}"\n']
    for v in range(1, volumes + 1):
        out.append(f'[[volumes]]\nid = "v{v}"\ntitle = "证据材料卷（{v}）"\n')
    k = 0
    for n in range(1, docs + 1):
        files = []
        for _ in range(PAGES_PER_DOC):
            files.append(f'"{scans[k % len(scans)]}"')
            k += 1
        v = (n - 1) // DOCS_PER_VOLUME + 1
        out.append(f'[[documents]]\nid = "d{n}"\nvolume = "v{v}"\ntype = "询问笔录"\ntitle = "询问笔录（第{n}份）"\n'
                   f'date = 2026-11-02\nfiles = [{", ".join(files)}]\n')
    (folder / "dossier.toml").write_text("\n".join(out), encoding="utf-8")


def _cpu(resource) -> float:
    """User + system seconds of this process and the processes it started and waited for (the precheck
    pool, the check-ahead process, the sheets child): on a shared machine a steadier figure than wall."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def child(pages: int, ocr: str | None) -> dict:
    import resource

    from edossier.building.documents import OcrOptions
    from edossier.building.pipeline import build_package
    from edossier.signing.cades import load_credential
    from edossier.demo.pki import load_demo_trustlist, make_demo_pki

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        make_demo_pki(tmp / "pki")
        police = next(a for a in load_demo_trustlist(tmp / "pki").agencies if a.role == "police")
        write_source(tmp / "src", pages, police)
        cred = load_credential(tmp / "pki" / "police.p12")
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        cpu0 = _cpu(resource)
        t = time.perf_counter()
        res = build_package(tmp / "src", tmp / "out.edp", cred, generated_pages=True,
                            ocr=OcrOptions(ocr) if ocr else None)
        seconds = time.perf_counter() - t
        cpu = _cpu(resource) - cpu0
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        size = (tmp / "out.edp").stat().st_size
    return {"pages": res.pages, "documents": res.documents, "seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2),
            "pages_per_s": round(res.pages / seconds, 1), "peak_rss_mb": round(peak / 1024, 1),
            "rss_before_build_mb": round(before / 1024, 1), "package_mb": round(size / 2**20, 1)}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, nargs="*", default=[200, 1000])
    ap.add_argument("--ocr", choices=["rapidocr", "tesseract"])
    ap.add_argument("--child", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--check", action="store_true", help="exit 1 if peak memory grows by more than 25 %%")
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.ocr)))
        return 0
    results = []
    for n in args.pages:
        cmd = [sys.executable, __file__, "--child", str(n)] + (["--ocr", args.ocr] if args.ocr else [])
        out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1]
        r = json.loads(out)
        results.append(r)
        print(f"{r['pages']:5d} pages ({r['documents']} documents incl. generated): {r['seconds']:7.2f} s "
              f"({r['cpu_seconds']:.2f} s CPU), "
              f"{r['pages_per_s']:6.1f} pages/s, peak RSS {r['peak_rss_mb']:.0f} MB "
              f"(before the build {r['rss_before_build_mb']:.0f} MB), package {r['package_mb']} MB")
    if len(results) > 1:
        growth = results[-1]["peak_rss_mb"] / results[0]["peak_rss_mb"]
        print(f"peak memory {results[-1]['pages']} vs {results[0]['pages']} pages: ×{growth:.2f}")
        if args.check and growth > 1.25:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
