"""The end of a batch (issue 19): once a worker process has no package left, its core would idle until
the last package is done. The final packages, one per worker, therefore run with a document helper
process (validate_package's `document_processes`), which takes the cores the finished workers leave.

LocalExecutor.map_unordered runs `last` instead of `fn` for the final `workers` items; validate_many
passes a `last` that forks the helper. The reports must be those of a batch without it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from edossier.batch import many
from edossier.batch.executors import LocalExecutor
from edossier.batch.many import ValidateOptions, largest_first, validate_many
from edossier.policy import Policy
from edossier.signing.trustlist import load_trustlist


def tag_fn(x):
    return ("fn", x, os.getpid())


def tag_last(x):
    return ("last", x, os.getpid())


def _never(item, why):  # pragma: no cover - no worker dies in these tests
    raise AssertionError(f"{item}: {why}")


def _run(executor, items):
    with executor:
        out = dict(executor.map_unordered(tag_fn, items, on_crash=_never, last=tag_last))
    return [out[i][:2] for i in sorted(out)], {out[i][2] for i in out}


@pytest.mark.parametrize("source", [list, iter])  # a list, and a stream whose length is not known ahead
def test_the_final_item_of_each_worker_runs_last(source):
    # 7 items on 2 workers: items 0-4 run fn, the final two (5 and 6) run last
    results, pids = _run(LocalExecutor(2), source(range(7)))
    assert results == [("fn", 0), ("fn", 1), ("fn", 2), ("fn", 3), ("fn", 4), ("last", 5), ("last", 6)]
    assert os.getpid() not in pids  # in worker processes


def test_fewer_items_than_workers_all_run_last():
    assert _run(LocalExecutor(3), [10, 11])[0] == [("last", 10), ("last", 11)]


def test_a_window_of_one_still_counts_from_the_end():
    # one item in flight at a time: which items are final does not depend on how many are in flight
    results, _ = _run(LocalExecutor(2, window=1), range(4))
    assert results == [("fn", 0), ("fn", 1), ("last", 2), ("last", 3)]


def test_one_worker_ignores_last():
    # in process, one package at a time: the CLI gives that package its helper itself
    with LocalExecutor(1) as ex:
        assert [r[:2] for _, r in ex.map_unordered(tag_fn, [1, 2], on_crash=_never, last=tag_last)] == \
            [("fn", 1), ("fn", 2)]


@pytest.fixture(scope="module")
def folder(three_layers, tmp_path_factory):
    folder = tmp_path_factory.mktemp("tail")
    for p in three_layers["packages"]:  # 1.edp < 2.edp < 3.edp: each layer adds documents
        (folder / p.name).write_bytes(p.read_bytes())
    return folder


def test_the_final_packages_fork_a_document_helper_and_report_the_same(folder, pki, tmp_path, monkeypatch):
    trust = load_trustlist(pki / "trustlist.xml", anchor=pki / "trust-anchor.pem")
    options = ValidateOptions(pki / "trustlist.xml", None, Policy(), {}, trust=trust)
    paths = sorted(folder.iterdir())
    alone = validate_many(paths, options, jobs=1)

    # What each worker process was asked, and whether it forked a helper: appended to a file (the
    # workers are forked, so the patched functions are theirs too; lines below PIPE_BUF are atomic)
    log = tmp_path / "log.txt"
    real_validate = many.validate_package
    from edossier.validation import helper

    real_helper_init = helper.DocumentHelper.__init__

    def validate(path, **kwargs):
        with open(log, "a") as f:
            f.write(f"validate {Path(path).name} {kwargs.get('document_processes', 0)}\n")
        return real_validate(path, **kwargs)

    def helper_init(self, *args, **kwargs):
        with open(log, "a") as f:
            f.write(f"helper {os.getpid()}\n")
        real_helper_init(self, *args, **kwargs)

    monkeypatch.setattr(many, "validate_package", validate)
    monkeypatch.setattr(helper.DocumentHelper, "__init__", helper_init)
    batch = validate_many(paths, options, jobs=2)

    lines = log.read_text().splitlines()
    asked = dict(line.split()[1:] for line in lines if line.startswith("validate"))
    # largest first: 3.edp, 2.edp, 1.edp; the final two of three (one per worker) get the helper
    assert [paths[i].name for i in largest_first(paths)] == ["3.edp", "2.edp", "1.edp"]
    assert asked == {"3.edp": "0", "2.edp": "1", "1.edp": "1"}
    assert sum(line.startswith("helper") for line in lines) == 2  # every package has several documents
    assert [r.to_dict() for r in batch] == [r.to_dict() for r in alone]  # verdicts, facts, layers, findings
    assert [r.verdict for r in batch] == ["accept", "accept", "accept"]


def test_a_caller_that_sets_document_processes_keeps_it(folder, pki, tmp_path, monkeypatch):
    trust = load_trustlist(pki / "trustlist.xml", anchor=pki / "trust-anchor.pem")
    options = ValidateOptions(pki / "trustlist.xml", None, Policy(), {"document_processes": 0}, trust=trust)
    log = tmp_path / "log.txt"
    real_validate = many.validate_package

    def validate(path, **kwargs):
        with open(log, "a") as f:
            f.write(f"{Path(path).name} {kwargs.get('document_processes')}\n")
        return real_validate(path, **kwargs)

    monkeypatch.setattr(many, "validate_package", validate)
    validate_many(sorted(folder.iterdir()), options, jobs=2)
    assert sorted(log.read_text().splitlines()) == ["1.edp 0", "2.edp 0", "3.edp 0"]


POOL_EXIT = """
import sys, threading, time
import concurrent.futures.process as cfp
from edossier.batch.executors import LocalExecutor

# CPython's race, made certain: the exit hook checks that the pipe is open and writes 0.3 s later; without
# close(), the pool's thread closes it only once the hook has checked (a fixed delay was not enough: on a
# loaded machine the thread had closed the pipe before the hook looked, and there was no race to see).
exit_hook_running = False
hook_checked = threading.Event()
real_close = cfp._ThreadWakeup.close

def wakeup(self):
    if not self._closed:
        if exit_hook_running:
            hook_checked.set()
            time.sleep(0.3)
        self._writer.send_bytes(b"")

def close(self):
    if threading.current_thread() is not threading.main_thread():
        if sys.argv[1] == "close":
            time.sleep(0.15)  # close() must wait for this
        else:
            hook_checked.wait(30)
    real_close(self)

cfp._ThreadWakeup.wakeup, cfp._ThreadWakeup.close = wakeup, close
ex = LocalExecutor(2)
print(sorted(r for _, r in ex.map_unordered(abs, [-1, -2, -3], on_crash=None)))
if sys.argv[1] == "close":
    ex.close()
exit_hook_running = True
cfp._python_exit()  # what the interpreter (or the CLI's _end) runs at exit
print("exit hook ran")
"""


@pytest.mark.parametrize("close", [True, False])
def test_the_pool_ended_without_waiting_is_joined_before_the_exit_hook(close):
    # The pool is shut down without waiting once every result is in; its thread then closes its wake-up
    # pipe while the caller goes on. CPython 3.11's exit hook writes to that pipe unlocked: a close in
    # between made it raise (a traceback and exit status 1 at the end of a successful batch, seen once).
    # LocalExecutor.close joins the thread first; the CLI calls it after writing the report.
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-c", POOL_EXIT, "close" if close else "no"], capture_output=True,
                          text=True, timeout=60)
    assert proc.stdout.startswith("[1, 2, 3]\n")
    if close:
        assert proc.returncode == 0 and "exit hook ran" in proc.stdout, proc.stderr
    else:  # the race, made certain by the slow wake-up: what close() prevents
        assert proc.returncode != 0 and ("Bad file descriptor" in proc.stderr or "handle is closed" in proc.stderr)
