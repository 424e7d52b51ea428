"""Scale-out: local processes and Dask give the same figures; a worker that dies is retried once and
the package is then reported as X001 while the run completes (local processes and Dask)."""

from __future__ import annotations

import logging

import pytest

from edossier.batch.many import ValidateOptions, validate_many
from edossier.batch.executors import DaskExecutor, ExecutorError, LocalExecutor
from edossier.stats.run import run_stats
from edossier.batch.storage import expand
from stats_support import AT, CrashingExecutor, archive_trust, build_archive, make_archive, options, small_copy

CRASH = make_archive.CRASH_NAME

logging.getLogger("distributed").setLevel(logging.CRITICAL)


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    return build_archive(tmp_path_factory.mktemp("archive"), 20)


@pytest.fixture(scope="module")
def crashy(archive, tmp_path_factory):
    """8 good packages and one whose name makes the worker that opens it exit (CrashingExecutor)."""
    return small_copy(archive, tmp_path_factory.mktemp("crashy"), 8, crash_name=CRASH)


def test_local_processes_and_dask_in_process_give_identical_figures(archive):
    locations = expand([archive])
    local = run_stats(locations, options(archive), executor=LocalExecutor(2)).to_dict()
    with DaskExecutor(None, workers=2, processes=False) as dask:
        assert dask.workers == 2
        remote = run_stats(locations, options(archive), executor=dask).to_dict()
    assert local == remote
    assert local["totals"]["packages"] == 20


def _check_crash_figures(figures, good):
    t = figures["totals"]
    assert t["packages"] == 9 and t["not_checked"] == 1
    x001 = next(r for r in figures["codes"] if r["code"] == "X001")
    assert x001["packages"] == 1
    # the eight other packages are counted exactly as without the crashing one
    for key in ("layers", "documents", "pages", "fully_electronic"):
        assert t[key] == good["totals"][key], key
    assert t["accepted"] == good["totals"]["accepted"]


@pytest.fixture(scope="module")
def good_figures(crashy):
    locs = [p for p in expand([crashy]) if CRASH not in p]
    return run_stats(locs, options(crashy), jobs=1).to_dict()


def test_killed_worker_local_processes(crashy, good_figures):
    figures = run_stats(expand([crashy]), options(crashy), executor=CrashingExecutor(LocalExecutor(2), CRASH)).to_dict()
    _check_crash_figures(figures, good_figures)


def test_killed_worker_dask_local_cluster(crashy, good_figures):
    with CrashingExecutor(DaskExecutor(None, workers=2, processes=True), CRASH) as dask:
        figures = run_stats(expand([crashy]), options(crashy), executor=dask).to_dict()
        # validate on the same cluster: reports in input order, X001 for that package only
        trust = crashy / "trustlist.xml"
        locs = expand([crashy])
        reports = validate_many(locs, ValidateOptions(trust, AT, None, {}, trust.read_bytes(), trust=archive_trust(trust)), executor=dask)
    _check_crash_figures(figures, good_figures)
    assert [r.path for r in reports] == locs
    bad = [r for r in reports if any(f.code == "X001" for f in r.findings)]
    assert [r.path for r in bad] == [p for p in locs if CRASH in p]
    assert "died twice" in bad[0].findings[0].message_en


def test_validate_cli_killed_worker_completes(crashy, monkeypatch):
    from click.testing import CliRunner

    from edossier.cli.main import main

    from edossier.cli import cmd_stats

    # the command's own executor (2 local processes), whose workers die on the crashing package
    monkeypatch.setattr(cmd_stats, "make_executor", lambda ctx, jobs, scheduler, dask: CrashingExecutor(
        LocalExecutor(jobs), CRASH))
    res = CliRunner().invoke(main, ["validate", str(crashy), "--trust", str(crashy / "trustlist.xml"),
                                    "--trust-anchor", str(crashy / "trust-anchor.pem"),
                                    "--at", AT.isoformat(), "-j", "2", "--format", "json"])
    assert res.exit_code == 1, res.output  # the package that could not be checked is rejected
    import json

    data = json.loads(res.stdout)
    assert len(data["packages"]) == 9
    crashed = [p for p in data["packages"] if any(f["code"] == "X001" for f in p["findings"])]
    assert len(crashed) == 1 and CRASH in crashed[0]["path"]


def test_unreachable_scheduler_is_a_clear_error():
    with pytest.raises(ExecutorError) as info:
        DaskExecutor("tcp://127.0.0.1:9", timeout=2)
    assert "127.0.0.1:9" in info.value.en and "Dask" in info.value.zh


def test_cluster_without_workers_gives_x001_instead_of_waiting_forever(archive, monkeypatch):
    """A cluster whose workers are all gone (and not restarted) must not hang the run."""
    import time

    from edossier.batch import executors

    monkeypatch.setattr(executors, "POLL_SECONDS", 0.2)
    monkeypatch.setattr(executors, "NO_WORKERS_GRACE", 1)
    trust = archive / "trustlist.xml"
    locs = expand([archive])[:3]
    with DaskExecutor(None, workers=1, processes=False) as dask:
        dask.cluster.scale(0)
        deadline = time.monotonic() + 30
        while dask.client.scheduler_info().get("workers") and time.monotonic() < deadline:
            time.sleep(0.1)
        reports = validate_many(locs, ValidateOptions(trust, AT, None, {}, trust.read_bytes(), trust=archive_trust(trust)), executor=dask)
    assert [r.path for r in reports] == locs
    for r in reports:
        assert [f.code for f in r.findings] == ["X001"]
        assert "no Dask worker" in r.findings[0].message_en


class _RacyFuture:
    """A Dask future that completed, looked finished, and whose result was lost with the worker holding
    it before it was fetched: Dask recomputed the key on a worker that died too (KilledWorker)."""

    def __init__(self, item, killed_on_fetch: bool):
        self.item, self.killed_on_fetch = item, killed_on_fetch
        self.status = "finished"

    def result(self):
        from distributed.scheduler import KilledWorker

        if self.killed_on_fetch:
            self.status = "error"
            from types import SimpleNamespace

            raise KilledWorker(self.item, SimpleNamespace(address="tcp://127.0.0.1:1"), 0)
        return f"ok:{self.item}"

    def release(self):
        pass


def test_dask_result_lost_after_finishing_is_retried_then_could_not_check(monkeypatch):
    """The escape path of the flaky KilledWorker: the status said finished, the fetch said KilledWorker.
    The item is a suspect like any crash: retried alone, then on_crash (X001 for validation)."""
    from distributed.scheduler import KilledWorker

    ex = DaskExecutor.__new__(DaskExecutor)
    ex.window = 8
    fetches: dict = {}

    class Client:
        def submit(self, fn, item, pure=False):
            fetches[item] = fetches.get(item, 0) + 1
            # "b" dies on its first run (fetch) and on its retry; "c" only on its first fetch
            return _RacyFuture(item, killed_on_fetch=item == "b" or (item == "c" and fetches[item] == 1))

    ex.client = Client()
    monkeypatch.setattr(DaskExecutor, "_first_done", lambda self, futures: set(futures))
    out = dict(ex.map_unordered(str, ["a", "b", "c"], on_crash=lambda item, why: f"crash:{item}:{why[:40]}"))
    assert out[0] == "ok:a" and out[2] == "ok:c"  # retried alone, it passed
    assert out[1].startswith("crash:b:the worker process died twice")
    assert fetches == {"a": 1, "b": 2, "c": 2}
    assert issubclass(KilledWorker, Exception)
