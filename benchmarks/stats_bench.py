"""Benchmark of `edossier stats` and of batch validation on a synthetic archive (docs/stats.md).

    flock /tmp/bench.lock python benchmarks/stats_bench.py [--packages 2000] [--ratio-packages 300]
                                                           [--workdir /tmp/edossier-stats-bench] [--json out.json]

1. makes (or reuses) an archive of --packages packages with benchmarks/make_archive.py;
2. throughput of stats with 1 and with 2 local worker processes on the first --ratio-packages
   packages (the same packages both times), and the ratio;
3. stats on the whole archive with 2 local processes and with a Dask LocalCluster of 2 workers, and
   checks that the figures are identical;
4. peak RSS of the client process (a fresh interpreter each time) for stats on N/2 and N packages:
   flat means the client does not grow with the number of packages;
5. `bench_batch`: validating 20 packages with --jobs 1 and --jobs 2 (issue 6: ≥ 1.7×).

`bench_batch(n_packages, workdir) -> dict` is importable (benchmarks/run.py calls it).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

import make_archive  # noqa: E402

AT = make_archive.ARCHIVE_NOW


def ensure_archive(workdir: Path, packages: int, *, seed: str = "1") -> Path:
    """The archive of `packages` packages in workdir/archive-<packages> (made once, then reused)."""
    folder = Path(workdir) / f"archive-{packages}-s{seed}"
    done = folder / ".complete"
    if not done.exists():
        info = make_archive.make_archive(folder, packages, seed=seed, jobs=os.cpu_count() or 1)
        done.write_text(json.dumps(info))
    return folder


def _locations(folder: Path, limit: int | None = None) -> list[str]:
    from edossier.batch.storage import expand

    locs = expand([folder])
    return locs[:limit] if limit else locs


def _options(folder: Path):
    from edossier.batch.many import ValidateOptions
    from edossier.stats.collect import StatsOptions

    trust = folder / "trustlist.xml"
    return StatsOptions(ValidateOptions(trust, AT, None, {}, trust.read_bytes(), trust=_trust(trust)), AT)


def _trust(trust: Path):
    from edossier.signing.trustlist import load_trustlist

    return load_trustlist(trust, anchor=trust.parent / "trust-anchor.pem")


def _warm(folder: Path) -> None:
    """Import and cache everything once in this process (forked workers inherit it)."""
    from edossier.stats.collect import collect_validated

    collect_validated(_locations(folder, 1)[0], _options(folder))


def timed_stats(folder: Path, locations: list[str], executor) -> tuple[dict, float]:
    from edossier.stats.run import run_stats

    started = time.perf_counter()
    figures = run_stats(locations, _options(folder), executor=executor).to_dict()
    return figures, time.perf_counter() - started


def client_rss(folder: Path, n: int, workers: int = 2) -> dict:
    """Peak RSS (MiB) of a fresh client process running stats on the first n packages."""
    code = (
        "import sys, json, resource, time\n"
        f"sys.path[:0] = [{str(HERE)!r}, {str(HERE.parent / 'src')!r}]\n"
        "import stats_bench as b\n"
        "from pathlib import Path\n"
        "from edossier.batch.executors import LocalExecutor\n"
        "if __name__ == '__main__':\n"
        f"    folder = Path({str(folder)!r})\n"
        f"    locs = b._locations(folder, {n})\n"
        "    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        f"    figures, seconds = b.timed_stats(folder, locs, LocalExecutor({workers}))\n"
        "    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "    print(json.dumps({'packages': len(locs), 'seconds': seconds, 'rss_before_mib': base / 1024,\n"
        "                      'rss_peak_mib': peak / 1024}))\n"
    )
    script = folder.parent / "_client_rss.py"
    script.write_text(code)
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench_batch(n_packages: int = 20, workdir: Path | str = "/tmp/edossier-stats-bench") -> dict:
    """Validating `n_packages` packages of the synthetic archive with --jobs 1 and --jobs 2.

    Returns {"packages", "jobs1_s", "jobs2_s", "ratio"} (ratio = jobs1_s / jobs2_s; issue 6 asks ≥ 1.7)."""
    from edossier.batch.many import ValidateOptions, validate_many
    from edossier.batch.executors import LocalExecutor

    folder = ensure_archive(Path(workdir), max(n_packages, 60))
    locs = _locations(folder, n_packages)
    trust = folder / "trustlist.xml"
    options = ValidateOptions(trust, AT, None, {}, trust.read_bytes(), trust=_trust(trust))
    validate_many(locs[:1], options, executor=LocalExecutor(1))  # warm: imports, code lists, trust list
    t = {}
    for jobs in (1, 2):
        started = time.perf_counter()
        reports = validate_many(locs, options, executor=LocalExecutor(jobs))
        t[jobs] = time.perf_counter() - started
        assert len(reports) == len(locs)
    return {"packages": len(locs), "jobs1_s": round(t[1], 2), "jobs2_s": round(t[2], 2),
            "ratio": round(t[1] / t[2], 2)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--packages", type=int, default=2000)
    ap.add_argument("--ratio-packages", type=int, default=300)
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/edossier-stats-bench"))
    ap.add_argument("--json", type=Path)
    ap.add_argument("--skip-rss", action="store_true")
    args = ap.parse_args(argv)
    import logging

    for name in ("pyhanko", "pyhanko_certvalidator", "fontTools", "distributed"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    from edossier.batch.executors import DaskExecutor, LocalExecutor

    out: dict = {}
    started = time.perf_counter()
    folder = ensure_archive(args.workdir, args.packages)
    out["archive"] = json.loads((folder / ".complete").read_text())
    out["archive"]["made_or_reused_s"] = round(time.perf_counter() - started, 1)
    print(f"archive: {folder} {out['archive']}", flush=True)
    _warm(folder)

    subset = _locations(folder, args.ratio_packages)
    _, t1 = timed_stats(folder, subset, LocalExecutor(1))
    _, t2 = timed_stats(folder, subset, LocalExecutor(2))
    out["ratio"] = {"packages": len(subset), "workers1_s": round(t1, 1), "workers2_s": round(t2, 1),
                    "workers1_pkg_s": round(len(subset) / t1, 2), "workers2_pkg_s": round(len(subset) / t2, 2),
                    "ratio": round(t1 / t2, 2)}
    print(f"stats, {len(subset)} packages: 1 worker {t1:.1f} s ({len(subset) / t1:.2f} pkg/s), 2 workers {t2:.1f} s "
          f"({len(subset) / t2:.2f} pkg/s): ratio {t1 / t2:.2f}x (needs >= 1.7)", flush=True)

    everything = _locations(folder)
    local, tl = timed_stats(folder, everything, LocalExecutor(2))
    print(f"stats, {len(everything)} packages, 2 local processes: {tl:.1f} s ({len(everything) / tl:.2f} pkg/s)",
          flush=True)
    with DaskExecutor(None, workers=2) as dask:
        remote, td = timed_stats(folder, everything, dask)
    print(f"stats, {len(everything)} packages, Dask LocalCluster (2 workers): {td:.1f} s "
          f"({len(everything) / td:.2f} pkg/s)", flush=True)
    same = local == remote
    out["full"] = {"packages": len(everything), "local2_s": round(tl, 1), "dask2_s": round(td, 1),
                   "local2_pkg_s": round(len(everything) / tl, 2), "dask2_pkg_s": round(len(everything) / td, 2),
                   "identical": same, "totals": local["totals"], "deadlines": {k: local["deadlines"][k] for k in
                                                                              ("expired", "due_soon", "near")}}
    print(f"local and Dask figures identical: {same}", flush=True)
    print(f"totals: {local['totals']}", flush=True)

    if not args.skip_rss:
        half = client_rss(folder, len(everything) // 2)
        full = client_rss(folder, len(everything))
        out["client_rss"] = {"n": half, "2n": full}
        print(f"client peak RSS: {half['packages']} packages {half['rss_peak_mib']:.1f} MiB, "
              f"{full['packages']} packages {full['rss_peak_mib']:.1f} MiB "
              f"(growth {full['rss_peak_mib'] - half['rss_peak_mib']:+.1f} MiB)", flush=True)

    out["batch"] = bench_batch(20, args.workdir)
    b = out["batch"]
    print(f"validate 20 packages: --jobs 1 {b['jobs1_s']} s, --jobs 2 {b['jobs2_s']} s: ratio {b['ratio']}x "
          f"(needs >= 1.7)", flush=True)
    if args.json:
        args.json.write_text(json.dumps(out, ensure_ascii=False, indent=2))
    ok = same and out["ratio"]["ratio"] >= 1.7 and b["ratio"] >= 1.7
    print("OK" if ok else "NOT MET", flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
