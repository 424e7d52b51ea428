"""Supervision statistics over many packages (`edossier stats`, docs/stats.md).

`collect` runs on the workers and turns one package into a small `PackageFacts`; `aggregate` folds
facts into figures on the client, one package at a time, in bounded memory and independent of the
order the facts arrive in; `render` writes the figures as JSON, CSV, text or a self-contained HTML
dashboard; `run_stats` ties them to an executor (edossier.batch.executors).
"""

from __future__ import annotations

from .aggregate import Stats
from .collect import PackageFacts, StatsOptions
from .run import run_stats

__all__ = ["PackageFacts", "Stats", "StatsOptions", "run_stats"]
