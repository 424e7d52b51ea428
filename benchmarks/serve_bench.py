"""The exchange node under load, and the hand-over figure (issue #18). Loopback only, bounded.

    python benchmarks/serve_bench.py load     [--clients 20] [--requests 200] [--workdir DIR] [--json OUT]
    python benchmarks/serve_bench.py handover [--mb 300] [--runs 3] [--recheck] [--workdir DIR [--reuse]] [--json OUT]

`load` starts `edossier serve --demo` on 127.0.0.1 (a free port) and sends `--requests` requests from
`--clients` concurrent clients: valid packages of two sizes to /v1/validations, signed submissions to
/v1/inbox, and hostile bodies (a truncated package, not a ZIP, a compression bomb, a `../` member name,
a wrong content type). It reports throughput, p50/p95 latency per kind, the server's peak RSS (the
server process and its validation workers, sampled every 0.2 s), and checks that nothing was lost:
every accepted request has a report, every inbox submission a receipt.

`handover` builds a 3-layer package of about `--mb` MB (police scans; procuratorate and court add a
layer each), then `--runs` times (default 3) times `edossier validate` of it alone and `submit` to a
fresh node (first byte sent → receipt received, checked and saved next to the package; the check is the
receipt's signature and its digests against the bytes sent, `--recheck` adds the sender's own
re-validation), side by side, wall and CPU seconds, with their medians; and the three minutes the
Shenzhen platform takes. Target: the hand-over within 2× the CLI validation.

Figures (three runs, medians): docs/serve.md#performance.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
CLI = [sys.executable, "-m", "edossier.cli.main"]
ASIC = {"content-type": "application/vnd.etsi.asic-e+zip"}
CORPUS = HERE.parent / "samples" / "corpus" / "bad"


def start_node(data: Path, *extra: str):
    env = {**os.environ, "EDOSSIER_LANG": "en", "PYTHONUNBUFFERED": "1"}
    env.pop("EDOSSIER_TRUST_ANCHOR", None)
    proc = subprocess.Popen([*CLI, "serve", "--demo", "--data", str(data), "--port", "0", *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    while True:
        line = proc.stdout.readline()
        m = re.search(r"listening on (http://127\.0\.0\.1:\d+)/", line)
        if m:
            break
        if proc.poll() is not None:
            raise SystemExit(f"serve exited: {line}{proc.stdout.read()}")
    threading.Thread(target=proc.stdout.read, daemon=True).start()  # keep the pipe drained
    import httpx

    url = m.group(1)
    for _ in range(300):
        try:
            if httpx.get(url + "/v1/health", timeout=2).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            time.sleep(0.1)
    raise SystemExit("the node did not become healthy")


def stop_node(proc) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def tree_rss(pid: int) -> int:
    """Resident bytes of `pid` and all its descendants (Linux /proc)."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
            for t in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{t}/children") as fh:
                    todo += [int(c) for c in fh.read().split()]
        except (OSError, ValueError):
            continue
    return total


class Sampler(threading.Thread):
    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak, self.stop_flag = pid, 0, threading.Event()

    def run(self):
        while not self.stop_flag.is_set():
            self.peak = max(self.peak, tree_rss(self.pid))
            time.sleep(0.2)


def build(work: Path, pki: Path, name: str, docs: int, pages: int, *, layers: int = 1, seed: int = 0) -> Path:
    from run import make_source

    from edossier.building.pipeline import append_layer, build_package
    from edossier.signing.cades import load_credential

    src = work / f"src-{name}"
    make_source(src / "police", "police", docs, pages, case=True, seed=seed)
    out = work / f"{name}-1.edp"
    build_package(src / "police", out, load_credential(pki / "police.p12"))
    for n, role in list(enumerate(("procuratorate", "court"), start=2))[: layers - 1]:
        make_source(src / role, role, 1, 1, case=False, seed=seed + n)
        nxt = work / f"{name}-{n}.edp"
        append_layer(out, src / role, nxt, load_credential(pki / f"{role}.p12"))
        out = nxt
    final = work / f"{name}.edp"
    shutil.copyfile(out, final)
    return final


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))] if values else float("nan")


def load(args) -> dict:
    import httpx
    from cryptography.hazmat.primitives.serialization import Encoding

    from edossier.serve import auth
    from edossier.serve.edo import read_signing_key

    work = Path(args.workdir or tempfile.mkdtemp(prefix="edossier-load-"))
    proc, url = start_node(work / "node", "--jobs", "2")
    try:
        pki = work / "node" / "pki"
        small = build(work, pki, "small", 1, 2)
        medium = build(work, pki, "medium", 2, 8, seed=3)
        raw_small, raw_medium = small.read_bytes(), medium.read_bytes()
        inbox_pkgs = [build(work, pki, f"inbox{i}", 1, 1, seed=10 + i).read_bytes() for i in range(5)]
        key, cert = read_signing_key(pki / "police.p12")
        der = cert.public_bytes(Encoding.DER)
        hostile = {
            "truncated": raw_small[: len(raw_small) // 2],
            "not-a-zip": b"%PDF-1.7 this is not a package\n" * 100,
            "bomb": (CORPUS / "C010_compression-bomb" / "package.edp").read_bytes(),
            "dot-dot": (CORPUS / "C005_dot-dot-name" / "package.edp").read_bytes(),
        }
        plan = []
        for i in range(args.requests):
            k = i % 20
            if k < 8:
                plan.append(("validate-small", raw_small))
            elif k < 11:
                plan.append(("validate-medium", raw_medium))
            elif k < 15:
                plan.append(("inbox", inbox_pkgs[i % len(inbox_pkgs)]))
            elif k < 19:
                name = list(hostile)[i % len(hostile)]
                plan.append((f"hostile-{name}", hostile[name]))
            else:
                plan.append(("wrong-type", raw_small))
        results, lock, it = [], threading.Lock(), iter(enumerate(plan))
        sampler = Sampler(proc.pid)
        sampler.start()

        def client():
            import hashlib

            with httpx.Client(base_url=url, timeout=600) as http:
                while True:
                    with lock:
                        nxt = next(it, None)
                    if nxt is None:
                        return
                    i, (kind, body) = nxt
                    t0 = time.perf_counter()
                    if kind == "inbox":
                        h = auth.sign_headers(key, der, "POST", "/v1/inbox", hashlib.sha256(body).hexdigest())
                        r = http.post("/v1/inbox", content=body, headers={**h, **ASIC})
                    elif kind == "wrong-type":
                        r = http.post("/v1/validations", content=body, headers={"content-type": "text/plain"})
                    else:
                        r = http.post("/v1/validations", content=body, headers=ASIC)
                    dt_ = time.perf_counter() - t0
                    sid = r.headers.get("x-edossier-id") or (r.json().get("id") if r.status_code in (200, 201, 202)
                                                             and kind != "validate-small" and "json" in
                                                             r.headers.get("content-type", "") else None)
                    with lock:
                        results.append((kind, r.status_code, dt_, sid))

        start = time.perf_counter()
        threads = [threading.Thread(target=client) for _ in range(args.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - start
        # nothing lost: every accepted request has its report, every inbox submission its receipt
        lost = []
        with httpx.Client(base_url=url, timeout=120) as http:
            for kind, status, _t, sid in results:
                if status >= 500:
                    lost.append((kind, status))
                if status in (200, 201, 202) and sid:
                    path = f"/v1/inbox/{sid}/receipt" if kind == "inbox" else f"/v1/validations/{sid}"
                    end = time.monotonic() + 300
                    while (g := http.get(path)).status_code == 202 and time.monotonic() < end:
                        time.sleep(0.2)
                    if g.status_code != 200:
                        lost.append((kind, sid, g.status_code))
        sampler.stop_flag.set()
        sampler.join()
        kinds = sorted({k for k, *_ in results})
        out = {"requests": len(results), "clients": args.clients, "wall_s": round(wall, 2),
               "throughput_rps": round(len(results) / wall, 2),
               "p50_s": round(pct([t for _, _, t, _ in results], 0.5), 3),
               "p95_s": round(pct([t for _, _, t, _ in results], 0.95), 3),
               "peak_rss_mib": round(sampler.peak / 2**20, 1), "server_errors_5xx": sum(s >= 500 for _, s, _, _ in results),
               "lost": lost, "sizes_bytes": {"small": len(raw_small), "medium": len(raw_medium)},
               "by_kind": {k: {"n": sum(1 for r in results if r[0] == k),
                               "statuses": sorted({r[1] for r in results if r[0] == k}),
                               "p50_s": round(pct([r[2] for r in results if r[0] == k], 0.5), 3),
                               "p95_s": round(pct([r[2] for r in results if r[0] == k], 0.95), 3)} for k in kinds}}
        return out
    finally:
        stop_node(proc)
        if not args.workdir:
            shutil.rmtree(work, ignore_errors=True)


def tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by `pid` and its live descendants, and by the children
    they have waited for (Linux /proc; clock ticks)."""
    tick = os.sysconf("SC_CLK_TCK")
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            total += sum(int(x) for x in fields[11:15])  # utime stime cutime cstime
            for t in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{t}/children") as fh:
                    todo += [int(c) for c in fh.read().split()]
        except (OSError, ValueError, IndexError):
            continue
    return total / tick


def median(values):
    values = sorted(values)
    n = len(values)
    return values[n // 2] if n % 2 else (values[n // 2 - 1] + values[n // 2]) / 2


def handover(args) -> dict:
    """Build the package once; then, `--runs` times, side by side: `edossier validate` of it (CLI, cold
    start) and its hand-over to a fresh node (new data folder, same demo PKI, so no submission is
    answered from an earlier run). Wall and CPU (user + system) seconds; medians over the runs."""
    from edossier.serve.client import submit
    from edossier.demo.pki import load_demo_trustlist

    work = Path(args.workdir or tempfile.mkdtemp(prefix="edossier-handover-"))
    pki = work / "pki"
    try:
        from edossier.demo.pki import make_demo_pki

        if not (pki / "trustlist.xml").is_file():
            make_demo_pki(pki)
        pages = max(1, int(args.mb * 1e6 / 600_000))  # one seeded scan is about 600 KB
        docs = max(1, pages // 20)
        t = time.perf_counter()
        pkg = work / "handover.edp"
        if not (args.reuse and pkg.is_file()):  # --reuse: the package an earlier run left in --workdir
            pkg = build(work, pki, "handover", docs, max(1, pages // docs), layers=3)
        built = time.perf_counter() - t
        size = pkg.stat().st_size
        trust = load_demo_trustlist(pki)
        runs = []
        for i in range(args.runs):
            before = os.times()
            t = time.perf_counter()
            v = subprocess.run([*CLI, "validate", str(pkg), "--trust", str(pki / "trustlist.xml"),
                                "--trust-anchor", str(pki / "trust-anchor.pem")], capture_output=True, text=True)
            cli = time.perf_counter() - t
            after = os.times()
            cli_cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
            data = work / f"node-{i}"
            shutil.rmtree(data, ignore_errors=True)
            data.mkdir()
            shutil.copytree(pki, data / "pki")
            proc, url = start_node(data, "--jobs", "2", "--sync-limit", str(4 * 1024 ** 3))
            try:
                receipt = pkg.with_suffix(".edr")
                receipt.unlink(missing_ok=True)
                first = {}
                node_cpu0, me0 = tree_cpu(proc.pid), time.process_time()
                res = submit(pkg, to=url, cred=pki / "court.p12", trust=trust, wait=3600, recheck=args.recheck,
                             progress=lambda sent, total: first.setdefault("t", time.perf_counter()))
                total = time.perf_counter() - first["t"]
                cpu = tree_cpu(proc.pid) - node_cpu0 + time.process_time() - me0
            finally:
                stop_node(proc)
            runs.append({"cli_validate_s": round(cli, 2), "cli_validate_cpu_s": round(cli_cpu, 2), "cli_exit": v.returncode,
                         "handover_s": round(total, 2), "handover_cpu_s": round(cpu, 2),
                         "ratio_wall": round(total / cli, 3), "ratio_cpu": round(cpu / cli_cpu, 3),
                         "verdict": res.submission["verdict"]})
            print(json.dumps(runs[-1]), file=sys.stderr, flush=True)
        med = {k: round(median([r[k] for r in runs]), 3) for k in runs[0] if k not in ("verdict", "cli_exit")}
        return {"package_mb": round(size / 1e6, 1), "layers": 3, "build_s": round(built, 1), "runs": runs,
                "median": med, "shenzhen_platform_s": 180, "recheck": args.recheck,
                "note": ("submit --recheck: the sender validates the package again" if args.recheck else
                         "submit checks the receipt's signature and digests against the bytes sent "
                         "(no second validation)")}
    finally:
        if not args.workdir:
            shutil.rmtree(work, ignore_errors=True)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="what", required=True)
    lo = sub.add_parser("load")
    lo.add_argument("--clients", type=int, default=20)
    lo.add_argument("--requests", type=int, default=200)
    ho = sub.add_parser("handover")
    ho.add_argument("--mb", type=float, default=300)
    ho.add_argument("--runs", type=int, default=3)
    ho.add_argument("--recheck", action="store_true", help="submit --recheck (the sender validates again)")
    ho.add_argument("--reuse", action="store_true", help="reuse the package an earlier run left in --workdir")
    for p in (lo, ho):
        p.add_argument("--workdir")
        p.add_argument("--json")
    args = ap.parse_args(argv)
    out = load(args) if args.what == "load" else handover(args)
    text = json.dumps(out, ensure_ascii=False, indent=2)
    print(text)
    if args.json:
        Path(args.json).write_text(text + "\n", encoding="utf-8")
    return 1 if out.get("lost") or out.get("server_errors_5xx") else 0


if __name__ == "__main__":
    sys.exit(main())
