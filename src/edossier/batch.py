"""Validating many packages: folders expanded, packages spread over processes, results in order.

Each worker process loads the trust list once. A package that makes the validator itself fail is
reported as a finding for that package (C015) after one retry, so a batch always completes and says
what it could not check.
"""

from __future__ import annotations

import datetime as dt
import os
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .findings import finding
from .policy import Policy
from .validate import PackageReport, validate_package

PACKAGE_SUFFIXES = (".edp", ".asice", ".sce")


@dataclass(frozen=True)
class ValidateOptions:
    trust_path: Path
    at: dt.datetime | None = None
    policy: Policy | None = None
    extra: dict = field(default_factory=dict)  # forwarded to validate_package (e.g. profile, limits)


def expand(paths) -> list[Path]:
    """Files as given; folders searched recursively for packages (*.edp, *.asice, *.sce), sorted."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out += sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in PACKAGE_SUFFIXES)
        else:
            out.append(p)
    return out


_TRUST = None


def _init(trust_path: Path) -> None:
    global _TRUST
    import logging

    from .signing.trustlist import load_trustlist

    for name in ("pyhanko", "pyhanko_certvalidator", "fontTools"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    _TRUST = load_trustlist(trust_path)


def _one(path: Path, options: ValidateOptions) -> PackageReport:
    report = validate_package(path, trust=_TRUST, at=options.at, **options.extra)
    if options.policy is not None:
        report.findings = options.policy.apply(report.findings)
    return report


def _crashed(path: Path, exc: BaseException) -> PackageReport:
    report = PackageReport(str(path))
    report.findings.append(finding("C015", path.name, detail=f"{type(exc).__name__}: {str(exc)[:200]}"))
    return report


def _safe(path: Path, options: ValidateOptions) -> PackageReport:
    for attempt in (1, 2):
        try:
            return _one(path, options)
        except Exception as exc:  # noqa: BLE001 - one bad package must not stop the batch
            if attempt == 2:
                return _crashed(path, exc)
    raise AssertionError("unreachable")


def validate_many(paths: list[Path], options: ValidateOptions, *, jobs: int | None = None,
                  progress: Callable[[int, int, PackageReport], None] | None = None) -> list[PackageReport]:
    """Validate `paths` (already expanded) with `jobs` processes; reports come back in input order."""
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(paths) or 1))
    results: list[PackageReport | None] = [None] * len(paths)
    if jobs == 1:
        _init(options.trust_path)
        for i, path in enumerate(paths):
            results[i] = _safe(path, options)
            if progress:
                progress(i + 1, len(paths), results[i])
        return results  # type: ignore[return-value]
    done = 0
    pending = list(range(len(paths)))
    for round_ in (1, 2):  # a worker that dies takes its package down; retry those once in a new pool
        crashed: list[int] = []
        with ProcessPoolExecutor(max_workers=jobs, initializer=_init, initargs=(options.trust_path,)) as pool:
            futures = {pool.submit(_safe, paths[i], options): i for i in pending}
            for fut in as_completed(futures):
                i = futures[fut]
                try:
                    results[i] = fut.result()
                except BrokenProcessPool as exc:
                    if round_ == 2:
                        results[i] = _crashed(paths[i], exc)
                    else:
                        crashed.append(i)
                        continue
                done += 1
                if progress:
                    progress(done, len(paths), results[i])
        pending = crashed
        if not pending:
            break
    return results  # type: ignore[return-value]
