"""Build and validation figures against the physical limit (hashing the same bytes).

    python benchmarks/run.py [--quick] [--pages N] [--docs N] [--workdir DIR]

Generates deterministic synthetic scans (grey A4 at 200 dpi with noise, so JPEGs have realistic
size), builds a signed three-layer package with the CLI, validates it, and prints for each figure
ours, the comparator's and the ratio, plus peak RSS of each CLI run. No assertions: compare the
printed table with a baseline run side by side.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from PIL import Image, ImageDraw


def scan_bytes(seed: int, size=(1654, 2339)) -> bytes:
    rnd = random.Random(seed)
    img = Image.effect_noise(size, 40).point(lambda v: 200 + v // 5)
    draw = ImageDraw.Draw(img)
    for line in range(60):
        y = 150 + line * 35
        draw.rectangle([150, y, 150 + rnd.randint(600, 1350), y + 12], fill=40)
    out = io.BytesIO()
    img.save(out, "JPEG", quality=75, dpi=(200, 200))
    return out.getvalue()


def make_source(folder: Path, role: str, agency: tuple[str, str], docs: int, pages: int, first: bool) -> None:
    scans = folder / "scans"
    scans.mkdir(parents=True, exist_ok=True)
    lines = []
    if first:
        lines.append('[case]\nnumber = "深南公(刑)立字〔2026〕09999号"\nname = "基准测试案"\ncharges = ["盗窃"]\n')
    lines.append(f'[agency]\nname = "{agency[0]}"\ncredit_code = "{agency[1]}"\nrole = "{role}"\n')
    lines.append(f'[[volumes]]\nid = "{role}-v"\ntitle = "卷"\n')
    page_cache = {}
    for d in range(docs):
        files = []
        for p in range(pages):
            seed = (d * pages + p) % 16  # 16 distinct pages keep generation fast; bytes still hashed per page
            page_cache.setdefault(seed, scan_bytes(seed))
            name = f"{role}-{d:04d}-{p:03d}.jpg"
            (scans / name).write_bytes(page_cache[seed])
            files.append(f'"scans/{name}"')
        lines.append(f'[[documents]]\nid = "{role}{d}"\nvolume = "{role}-v"\ntype = "讯问笔录"\ntitle = "讯问笔录"\n'
                     f'date = 2026-11-02\nfiles = [{", ".join(files)}]\n')
    (folder / "dossier.toml").write_text("\n".join(lines), encoding="utf-8")


def run(args: list[str]) -> tuple[float, float, int]:
    """Wall seconds, peak RSS (MiB) and exit code of one CLI run."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "edossier.cli.main", *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        sys.exit(f"edossier {' '.join(args)} failed: {proc.stderr.read().decode()}")
    return elapsed, usage.ru_maxrss / 1024, proc.returncode


def hash_members(path: Path) -> float:
    start = time.perf_counter()
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            h = hashlib.sha256()
            with zf.open(info) as fh:
                while chunk := fh.read(1 << 20):
                    h.update(chunk)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="small sizes (CI smoke test)")
    ap.add_argument("--docs", type=int, default=None, help="documents per layer")
    ap.add_argument("--pages", type=int, default=None, help="pages per document")
    ap.add_argument("--workdir", type=Path, default=None)
    a = ap.parse_args()
    docs = a.docs or (3 if a.quick else 70)
    pages = a.pages or (2 if a.quick else 10)
    work = a.workdir or Path(tempfile.mkdtemp(prefix="edossier-bench-"))
    work.mkdir(parents=True, exist_ok=True)

    from edossier.signing.demo_pki import DEMO_AGENCIES

    roles = ["police", "procuratorate", "court"]
    agencies = {x.role: (x.name, x.credit_code) for x in DEMO_AGENCIES}
    print(f"workdir {work}: 3 layers × {docs} documents × {pages} pages")
    t0 = time.perf_counter()
    for i, role in enumerate(roles):
        make_source(work / role, role, agencies[role], docs, pages, first=i == 0)
    print(f"generated sources in {time.perf_counter() - t0:.1f} s")
    run(["keys", "demo", str(work / "pki"), "--force"])

    rows = []
    previous = None
    for i, role in enumerate(roles, start=1):
        out = work / f"{i}.edp"
        src = work / role
        scan_bytes_total = sum(p.stat().st_size for p in (src / "scans").iterdir())
        args = (["build", str(src)] if previous is None else ["append", str(previous), str(src)])
        t, rss, _ = run(args + ["-o", str(out), "--signer", str(work / "pki" / f"{role}.p12")])
        copy_start = time.perf_counter()
        shutil.copytree(src / "scans", work / f"copy-{role}", dirs_exist_ok=True)
        copy_t = time.perf_counter() - copy_start
        rows.append((f"build layer {i} ({scan_bytes_total / 2**20:.0f} MiB scans)", t, f"file copy {copy_t:.2f} s",
                     t / max(copy_t, 1e-9), rss))
        previous = out

    size = previous.stat().st_size
    t_hash = hash_members(previous)
    t_val, rss, code = run(["validate", str(previous), "--trust", str(work / "pki" / "trustlist.xml"),
                            "--format", "json", "-o", str(work / "report.json")])
    rows.append((f"validate ({size / 2**20:.0f} MiB, verdict exit {code})", t_val, f"sha256 {t_hash:.2f} s",
                 t_val / max(t_hash, 1e-9), rss))
    t_help, rss_help, _ = run(["--help"])
    rows.append(("start-up: edossier --help", t_help, "-", float("nan"), rss_help))

    print(f"\n{'figure':<44} {'ours (s)':>9}  {'comparator':<18} {'ratio':>7} {'peak RSS':>10}")
    for name, ours, comp, ratio, rss in rows:
        print(f"{name:<44} {ours:>9.2f}  {comp:<18} {ratio:>7.1f} {rss:>7.0f} MiB")


if __name__ == "__main__":
    main()
