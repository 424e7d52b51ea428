"""Stats over many packages on an executor: work per package, facts streamed back and folded."""

from __future__ import annotations

import functools
import json
from typing import Callable, Iterable

from ..batch.many import run_many
from .aggregate import DEFAULT_MAX_PERIODS, Stats
from .collect import PackageFacts, ReportedPackage, StatsOptions, collect_reported, collect_validated, crashed_facts
from ..errors import UserError

MAX_REPORT_BYTES = 4 * 1024**3


class ReportError(UserError):
    """An earlier validation report that cannot be used as input."""


def collect(item, options: StatsOptions) -> PackageFacts:
    """The worker's job for one item: a location to validate, or a package of an earlier report."""
    if isinstance(item, ReportedPackage):
        return collect_reported(item, options)
    return collect_validated(item, options)


def _on_crash(item, why: str) -> PackageFacts:
    return crashed_facts(item.location if isinstance(item, ReportedPackage) else item, why)


def reported_packages(location: str) -> list[ReportedPackage]:
    """The packages of a JSON report written by `edossier validate --format json`."""
    from ..batch import storage

    try:
        data = json.loads(storage.read_bytes(location, MAX_REPORT_BYTES))
    except (OSError, ValueError, storage.LocationError) as exc:
        raise ReportError(f"{location}: not a readable JSON validation report ({exc})",
                          f"{location}：不是可读取的 JSON 校验报告（{exc}）") from None
    if not isinstance(data, dict) or not isinstance(data.get("packages"), list) or "report_version" not in data:
        raise ReportError(f"{location}: not an edossier validation report (no report_version / packages)",
                          f"{location}：不是 edossier 校验报告（缺少 report_version 或 packages）")
    return [ReportedPackage.from_entry(p) for p in data["packages"] if isinstance(p, dict)]


def run_stats(items: Iterable, options: StatsOptions, *, executor=None, jobs: int | None = None,
              progress: Callable[[int, PackageFacts], None] | None = None,
              max_periods: int = DEFAULT_MAX_PERIODS) -> Stats:
    """Figures over `items` (locations to validate and/or ReportedPackage entries), folded as results
    arrive. `progress(done, facts)` is called after each package."""
    stats = Stats(max_periods=max_periods)
    fn = functools.partial(collect, options=options)
    for done, (_, facts) in enumerate(run_many(fn, items, executor=executor, jobs=jobs, on_crash=_on_crash),
                                      start=1):
        stats.add(facts)
        if progress:
            progress(done, facts)
    return stats
