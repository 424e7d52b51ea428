"""Shared helpers of tests/test_stats*.py: a small synthetic archive from benchmarks/make_archive.py."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "benchmarks") not in sys.path:
    sys.path.insert(0, str(ROOT / "benchmarks"))

import make_archive  # noqa: E402

AT = make_archive.ARCHIVE_NOW
AT_TEXT = AT.isoformat()
ARCHIVE_SIZE = 30


def build_archive(folder: Path, packages: int = ARCHIVE_SIZE) -> Path:
    make_archive.make_archive(folder, packages, seed="1", jobs=1)
    return folder


def archive_trust(trust: Path):
    """The archive's signed trust list, verified against the trust-anchor.pem next to it."""
    from edossier.signing.trustlist import load_trustlist

    return load_trustlist(trust, anchor=Path(trust).parent / "trust-anchor.pem")


def options(folder: Path):
    from edossier.batch.many import ValidateOptions
    from edossier.stats.collect import StatsOptions

    trust = folder / "trustlist.xml"
    return StatsOptions(ValidateOptions(trust, AT, None, {}, trust.read_bytes(), trust=archive_trust(trust)), AT)


def small_copy(archive: Path, target: Path, n: int, *, crash_name: str | None = None) -> Path:
    """The first n packages of `archive` in `target` (flat), plus the trust list; with `crash_name`,
    one more copy of the first package whose name holds it (for the worker-killing hook)."""
    from edossier.batch.storage import expand

    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(archive / "trustlist.xml", target / "trustlist.xml")
    shutil.copy(archive / "trust-anchor.pem", target / "trust-anchor.pem")
    locs = expand([archive])[:n]
    for i, loc in enumerate(locs):
        shutil.copy(loc, target / f"p{i:03d}.edp")
    if crash_name:
        shutil.copy(locs[0], target / f"p{n // 2:03d}-{crash_name}.edp")
    return target


def relative(figures: dict, root: str) -> dict:
    """`figures` with package locations made relative to `root` (to compare runs on other paths)."""
    import copy

    out = copy.deepcopy(figures)
    for row in out["deadlines"]["list"]:
        row["package"] = row["package"].split(root, 1)[-1].lstrip("/")
    return out


class CrashOn:
    """Test-only work function: a worker given an item whose location contains `marker` exits at once
    (os._exit), as if the OOM killer or a segfault had taken it; any other item runs `fn`. It travels to
    the workers by pickle (this module is on their sys.path), so the product carries no such hook."""

    def __init__(self, fn, marker: str):
        self.fn = fn
        self.marker = marker

    def __call__(self, item):
        if self.marker in str(getattr(item, "location", item)):
            os._exit(70)
        return self.fn(item)


class CrashingExecutor:
    """Test-only executor: `inner` (local processes or Dask, never in-process) running CrashOn(fn)."""

    def __init__(self, inner, marker: str):
        self.inner = inner
        self.marker = marker

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.inner.close()

    def map_unordered(self, fn, items, *, on_crash):
        assert self.inner.workers > 1 or self.inner.name == "dask", "in-process work cannot survive os._exit"
        return self.inner.map_unordered(CrashOn(fn, self.marker), items, on_crash=on_crash)
