"""Stopping a batch (issue 19's batch work, found while measuring it): Ctrl-C reaches the whole process
group, and `kill` the parent alone. The parent decides: its worker processes leave Ctrl-C to it and die
on SIGTERM, and a batch stopped early ends them instead of letting them finish the packages they hold.
The command ends with status 130 (128 + SIGINT) and a one-line message in both languages — never click's
"Aborted!" with status 1, which a script would read as "a package was rejected" — and no report file."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from conftest import make_source
from edossier.batch.executors import LocalExecutor


def dispositions(_item):
    return signal.getsignal(signal.SIGINT) == signal.SIG_IGN, signal.getsignal(signal.SIGTERM) == signal.SIG_DFL


def _crash(item, why):
    return ("crashed", item, why)


def test_workers_leave_ctrl_c_to_the_parent_and_die_on_sigterm():
    with LocalExecutor(2) as ex:
        assert {r for _, r in ex.map_unordered(dispositions, range(4), on_crash=_crash)} == {(True, True)}


def term_self(item):
    if item == "term":
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)  # not reached: SIGTERM ends the worker
    return item


def test_sigterm_in_a_worker_is_a_crashed_item_not_the_parent_exiting(monkeypatch):
    # The CLI's SIGTERM handler (exit 143) was inherited by the workers: a SIGTERM there raised SystemExit
    # inside the task, which the pool handed back as the task's result, and the parent raised it: the
    # whole batch ended with status 143. Now the worker dies; the item is retried alone, then reported.
    previous = signal.signal(signal.SIGTERM, lambda signum, _frame: sys.exit(128 + signum))
    try:
        with LocalExecutor(2) as ex:
            results = dict(ex.map_unordered(term_self, ["a", "term", "b"], on_crash=_crash))
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert results[0] == "a" and results[2] == "b"
    assert results[1][:2] == ("crashed", "term") and "died twice" in results[1][2]


def slow(item):
    if item != "fast":
        time.sleep(60)
    return item


def test_a_batch_stopped_early_ends_its_workers_instead_of_waiting_for_them():
    # The consumer stops reading after the first result (as Ctrl-C in the CLI does): the two packages
    # still running would take a minute; the workers are ended and the stream closes at once.
    with LocalExecutor(2) as ex:
        stream = ex.map_unordered(slow, ["fast", "slow 1", "slow 2"], on_crash=_crash)
        assert next(stream) == (0, "fast")
        started = time.monotonic()
        stream.close()
        assert time.monotonic() - started < 10


@pytest.fixture(scope="module")
def folder(agencies, pki, tmp_path_factory):
    """200 copies (hard links) of a 12-document package: a batch that runs for seconds on two workers
    (~1 s for 60 on a quiet machine), so that the signal always comes in the middle of it."""
    from edossier.building.pipeline import build_package
    from edossier.signing.cades import load_credential

    base = tmp_path_factory.mktemp("interrupt")
    src = make_source(base / "src", agencies["police"], docs=[(f"d{i}", "讯问笔录", 2) for i in range(1, 13)])
    one = base / "one.edp"
    build_package(src, one, load_credential(pki / "police.p12", None))
    folder = base / "batch"
    folder.mkdir()
    for i in range(200):
        os.link(one, folder / f"p{i:03d}.edp")
    return folder


def _tree(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-e", "-o", "pid=,ppid="], capture_output=True, text=True).stdout.split()
    children: dict[int, list[int]] = {}
    for p, pp in zip(out[::2], out[1::2]):
        children.setdefault(int(pp), []).append(int(p))
    found, todo = [], [pid]
    while todo:
        for c in children.get(todo.pop(), []):
            found.append(c)
            todo.append(c)
    return found


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_ctrl_c_stops_the_batch_with_130_and_no_report(folder, pki, tmp_path, lang):
    report = tmp_path / "report.json"
    cmd = [sys.executable, "-m", "edossier.cli.main", "--lang", lang, "validate", str(folder), "--trust",
           str(pki / "trustlist.xml"), "--trust-anchor", str(pki / "trust-anchor.pem"), "--jobs", "2",
           "--format", "json", "-o", str(report)]

    def session():  # its own process group, with Ctrl-C's default action (not inherited as ignored)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.setsid()

    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=session)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None and len(_tree(proc.pid)) < 2:
        time.sleep(0.01)  # until both workers run
    time.sleep(0.05)
    assert proc.poll() is None, "the batch ended before it could be interrupted"
    workers = _tree(proc.pid)
    started = time.monotonic()
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert err.strip().splitlines()[-1] == "interrupted / 已中断"
    assert "Traceback" not in err and "Aborted" not in err and "Exception ignored" not in err
    assert not report.exists() and not list(tmp_path.glob(".report.json*"))
    # it ends promptly and leaves no worker behind (that the workers are ended rather than left to finish
    # their packages is test_a_batch_stopped_early_ends_its_workers_instead_of_waiting_for_them's)
    assert time.monotonic() - started < 5
    time.sleep(0.2)
    assert not [p for p in workers if os.path.exists(f"/proc/{p}") and
                open(f"/proc/{p}/stat").read().rsplit(")", 1)[1].split()[0] != "Z"]
