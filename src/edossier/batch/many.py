"""Validating many packages: folders expanded, packages spread over an executor, results in order.

The work is split per package and runs on an executor (edossier.batch.executors): local processes by
default, or a Dask distributed cluster. Packages are named by location (a path, or an fsspec URL such
as ``s3://bucket/archive/``). Each worker loads the trust list once. A package that makes the validator
itself fail (an exception, or a worker process that dies) is retried once and then reported as finding
X001 for that package, so a batch always completes and says what it could not check.

`run_many` is the streaming core shared with `edossier stats`: it yields results as they complete.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable, Iterator

from . import storage
from ..findings import finding
from ..logs import quiet_libraries
from ..policy import Policy
from ..validation.pipeline import validate_package
from ..validation.verdict import PackageReport


@dataclass(frozen=True)
class ValidateOptions:
    trust_path: Path
    at: dt.datetime | None = None
    policy: Policy | None = None
    extra: dict = field(default_factory=dict)  # forwarded to validate_package (e.g. profile, limits)
    trust_data: bytes | None = None  # the trust list's bytes: workers on other machines need no file
    # The trust list as loaded (signature verified against the anchor, opt-outs recorded) by the
    # caller: workers use it as it is, so they need neither the anchor nor the opt-out flags.
    trust: object | None = None


# --- on the worker ---------------------------------------------------------------------------------

_TRUST: dict = {}


def trust_for(options: ValidateOptions):
    """The trust list of `options`, parsed once per worker process.

    A caller that loaded (and verified) the list passes it as `options.trust`; otherwise the bytes or
    the file are parsed here, which needs a signed list and an anchor like any other load."""
    from ..signing.trustlist import load_trustlist, parse_trustlist

    if options.trust is not None:
        return options.trust

    key = hashlib.sha256(options.trust_data).hexdigest() if options.trust_data is not None else str(options.trust_path)
    if key not in _TRUST:
        quiet_libraries()
        if options.trust_data is not None:
            _TRUST[key] = parse_trustlist(options.trust_data, source=str(options.trust_path))
        else:
            _TRUST[key] = load_trustlist(options.trust_path)
    return _TRUST[key]


def _one(location, options: ValidateOptions) -> PackageReport:
    with storage.opened_locally(str(location)) as path:
        report = validate_package(path, trust=trust_for(options), at=options.at, policy=options.policy,
                                  **options.extra)
    report.path = str(location)
    if options.policy is None:
        # No policy (stats, the conformance runner): the trust list's opt-outs (T001/T002) are still
        # shown on every report, as validate_package adds them after a policy.
        report.findings.extend(trust_for(options).findings())
        report.settle()
    return report


def crashed_report(location, why: str) -> PackageReport:
    """The report of a package the validator could not check: finding X001, no fact established."""
    report = PackageReport(str(location))
    name = str(location).rstrip("/").rsplit("/", 1)[-1]
    report.findings.append(finding("X001", name, detail=why[:300]))
    return report


def validate_one(location, options: ValidateOptions) -> PackageReport:
    """Validate one package; an exception is retried once, then becomes X001."""
    for attempt in (1, 2):
        try:
            return _one(location, options)
        except Exception as exc:  # noqa: BLE001 - one bad package must not stop the batch
            if attempt == 2:
                return crashed_report(location, f"{type(exc).__name__}: {str(exc)[:200]}")
    raise AssertionError("unreachable")


# --- on the client ---------------------------------------------------------------------------------

def run_many(fn: Callable, locations: Iterable, *, executor=None, jobs: int | None = None,
             on_crash: Callable = crashed_report, last: Callable | None = None) -> Iterator[tuple[int, object]]:
    """(index, fn(location)) for every location, as they complete, on `executor` (default: local
    processes, `jobs` of them). A location whose worker dies twice gives on_crash(location, why).
    `last`: what local worker processes run instead of `fn` for the final items, one per worker
    (LocalExecutor.map_unordered), which may then use the cores the others leave idle."""
    from .executors import LocalExecutor

    own = executor is None
    executor = executor or LocalExecutor(jobs)
    if isinstance(executor, LocalExecutor) and executor.workers > 1:
        from ..validation.pipeline import warm_up

        warm_up()  # forked workers inherit the imports
    items = list(locations)
    order = largest_first(items) if executor.workers > 1 else list(range(len(items)))
    try:
        tail = {"last": last} if last is not None and isinstance(executor, LocalExecutor) else {}
        for j, result in executor.map_unordered(fn, (items[i] for i in order), on_crash=on_crash, **tail):
            yield order[j], result
    finally:
        if own:
            executor.close()


def _size(item) -> int:
    location = getattr(item, "location", item)
    path = storage.local_path(str(location))
    try:
        return path.stat().st_size if path is not None else 0
    except OSError:
        return 0


def largest_first(items: list, limit: int = 1_000_000) -> list[int]:
    """Indexes of `items`, largest local file first (the biggest jobs start first, so the last one to
    finish is small and workers are not left idle at the end); input order for remote locations."""
    if len(items) > limit:
        return list(range(len(items)))
    sizes = [_size(item) for item in items]
    return sorted(range(len(items)), key=lambda i: (-sizes[i], i))


def validate_many(paths: list, options: ValidateOptions, *, jobs: int | None = None,
                  progress: Callable[[int, int, PackageReport], None] | None = None,
                  executor=None) -> list[PackageReport]:
    """Validate `paths` (already expanded; paths or fsspec URLs) with `jobs` local processes or on
    `executor`; reports come back in input order."""
    paths = list(paths)
    if executor is None:
        jobs = max(1, min(jobs or os.cpu_count() or 1, len(paths) or 1))
    results: list[PackageReport | None] = [None] * len(paths)
    fn = functools.partial(validate_one, options=options)
    # The batch's end: once a worker process has no package left, its core would idle until the last
    # package is done. Each of the final packages (one per worker) therefore forks a document helper
    # (validate_package's `document_processes`, as a single package's CLI run does): a worker process
    # runs no other thread, so it may fork. The helpers share each package's documents through a
    # counter and find the cores the finished workers left; the reports are the same (issue 19).
    last = None
    if "document_processes" not in options.extra:
        last = functools.partial(validate_one, options=replace(options, extra={**options.extra,
                                                                               "document_processes": 1}))
    for done, (i, report) in enumerate(run_many(fn, paths, executor=executor, jobs=jobs, last=last), start=1):
        results[i] = report
        if progress:
            progress(done, len(paths), report)
    return results  # type: ignore[return-value]
