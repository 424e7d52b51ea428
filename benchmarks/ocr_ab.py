"""`build --ocr` of two source trees side by side, alternating with tesseract (issue 19, fourth round).

    python benchmarks/ocr_ab.py --base /path/to/other/src --workdir W [--rounds 3] [--pages 20]

"new" is the edossier this Python imports; "base" the same command with PYTHONPATH=BASE (a `src`
folder of another checkout, e.g. `git archive <commit> | tar -x -C B` and B/src, with the compiled
`_jpegscan` module copied in). Each round builds with base, then new, then runs tesseract chi_sim+eng
on two cores, so that a neighbour's load falls on all three; prints wall and CPU seconds (user + system
of the whole process tree), pages/min, character accuracy, the medians and the ratios to tesseract.
The pages are those of `run.py --only ocr`. Take `flock /tmp/bench.lock` around it.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run as R  # noqa: E402 - benchmarks/run.py: the same pages, PKI and source as its ocr section

CLI = "import sys\nfrom edossier.cli.main import run\nif __name__ == '__main__':\n    sys.exit(run())\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--base", type=Path, required=True, help="the other tree's src folder (put first on PYTHONPATH)")
    ap.add_argument("--workdir", type=Path, required=True)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--pages", type=int, default=20)
    args = ap.parse_args()
    from edossier.demo.pki import DEMO_AGENCIES
    from edossier.ocr.accuracy import character_accuracy as accuracy
    import pymupdf

    work = args.workdir.resolve()
    work.mkdir(parents=True, exist_ok=True)
    bench = R.Bench(work, quick=False, reuse=True)
    signer = bench.signer("police")  # makes the demo PKI once (reused) and sets EDOSSIER_TRUST_ANCHOR
    src = work / "ocr-src"
    (src / "scans").mkdir(parents=True, exist_ok=True)
    truth = []
    for k in range(args.pages):
        text, lines = R.text_page(1000 + k, bench.lines)
        R.render_page(src / "scans" / f"p{k:03d}.jpg", lines)
        truth.append(text)
    police = next(a for a in DEMO_AGENCIES if a.role == "police")
    R.one_document_source(src, police, ", ".join(f'"scans/p{k:03d}.jpg"' for k in range(args.pages)))
    # the same tiny entry script for both trees (the workers re-import it as __mp_main__)
    cli = work / "edossier_cli.py"
    cli.write_text(CLI, encoding="utf-8")

    def build(name: str):
        env = dict(os.environ)
        if name == "base":
            env["PYTHONPATH"] = str(args.base.resolve())
        out = work / f"{name}.edp"
        out.unlink(missing_ok=True)
        t = time.perf_counter()
        proc = subprocess.Popen([sys.executable, str(cli), "build", str(src), "-o", str(out), "--signer", str(signer),
                                 "--ocr", "--no-generated-pages"], env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t
        if status != 0:
            sys.exit(f"{name} build failed: {proc.stderr.read().decode(errors='replace')[-2000:]}")
        proc.stderr.close()
        with zipfile.ZipFile(out) as zf:
            data = zf.read(next(x for x in zf.namelist() if x.endswith(".pdf")))
        with pymupdf.open(stream=data) as doc:
            acc = statistics.mean(accuracy(t, doc[k].get_text()) for k, t in enumerate(truth))
        return wall, usage.ru_utime + usage.ru_stime, acc

    def tesseract():
        env = dict(os.environ, OMP_THREAD_LIMIT="1")

        def one(k):
            return subprocess.run(["tesseract", str(src / "scans" / f"p{k:03d}.jpg"), "stdout", "-l", "chi_sim+eng"],
                                  capture_output=True, env=env, check=True).stdout.decode("utf-8", "replace")

        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        with ThreadPoolExecutor(max_workers=2) as ex:
            texts = list(ex.map(one, range(args.pages)))
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
        return time.perf_counter() - t, cpu, statistics.mean(accuracy(truth[k], texts[k]) for k in range(args.pages))

    runs: dict[str, list] = {"base": [], "new": [], "tesseract": []}
    for r in range(args.rounds):
        for name in runs:
            wall, cpu, acc = tesseract() if name == "tesseract" else build(name)
            runs[name].append((wall, cpu, acc))
            print(f"round {r} {name:9s} wall {wall:6.2f} s  cpu {cpu:6.2f} s  {60 * args.pages / wall:6.1f} pages/min  "
                  f"accuracy {100 * acc:.2f} %  load {os.getloadavg()[0]:.2f}", flush=True)
    print("medians:")
    walls = {n: statistics.median(w for w, _, _ in xs) for n, xs in runs.items()}
    for name, xs in runs.items():
        cpu = statistics.median(c for _, c, _ in xs)
        print(f"  {name:9s} wall {walls[name]:6.2f} s  cpu {cpu:6.2f} s ({cpu / args.pages:.3f} a page)  "
              f"{60 * args.pages / walls[name]:6.1f} pages/min  accuracy {100 * xs[-1][2]:.2f} %")
    for name in ("base", "new"):
        per_round = " / ".join(f"{t[0] / o[0]:.2f}" for o, t in zip(runs[name], runs["tesseract"]))
        print(f"  {name} / tesseract: {per_round} (medians {walls['tesseract'] / walls[name]:.2f})")


if __name__ == "__main__":
    main()
