"""Run the validator CLI on attack cases in child processes, measuring wall time and peak memory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from dataclasses import dataclass

from .corpus import Case

TIME_LIMIT = 10.0
MEMORY_LIMIT_MB = 512


@dataclass
class Outcome:
    returncode: int
    seconds: float
    max_rss_mb: float
    stdout: str
    stderr: str

    def codes(self, index: int = 0) -> set[str]:
        try:
            report = json.loads(self.stdout)
            return {f["code"] for f in report["packages"][index]["findings"]}
        except (ValueError, KeyError, IndexError):
            return set()

    def package_codes(self) -> list[set[str]]:
        try:
            report = json.loads(self.stdout)
        except ValueError:
            return []
        return [{f["code"] for f in p["findings"]} for p in report["packages"]]


def anchor_args(trust) -> list[str]:
    """--trust-anchor for a trust list made by make_demo_pki (its folder holds trust-anchor.pem)."""
    anchor = Path(trust).parent / "trust-anchor.pem"
    return ["--trust-anchor", str(anchor)] if anchor.is_file() else []


def run_validate(paths, trust, args=(), timeout: float = 120) -> Outcome:
    """`python -m edossier.cli.main validate PATHS --trust TRUST --format json`, measured with wait4."""
    cmd = [sys.executable, "-m", "edossier.cli.main", "validate", *map(str, paths), "--trust", str(trust),
           *anchor_args(trust), "--format", "json", *args]
    env = dict(os.environ, EDOSSIER_LANG="en", PYTHONUNBUFFERED="1")
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
    # communicate() has reaped the child; its rusage is in RUSAGE_CHILDREN only in aggregate, so we
    # measure through a wrapper instead when exact numbers are needed (see measure()).
    return Outcome(proc.returncode, time.monotonic() - start, 0.0, out.decode("utf-8", "replace"),
                   err.decode("utf-8", "replace"))


def measure(case: Case, timeout: float = 60) -> Outcome:
    """One case in its own process: exit code, output, wall time and peak RSS (os.wait4's ru_maxrss)."""
    cmd = [sys.executable, "-m", "edossier.cli.main", "validate", str(case.path), "--trust", str(case.trust),
           *anchor_args(case.trust), "--format", "json", *case.args]
    env = dict(os.environ, EDOSSIER_LANG="en")
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    start = time.monotonic()
    pid = os.posix_spawn(cmd[0], cmd, env, file_actions=[
        (os.POSIX_SPAWN_DUP2, out_w, 1), (os.POSIX_SPAWN_DUP2, err_w, 2),
        (os.POSIX_SPAWN_CLOSE, out_r), (os.POSIX_SPAWN_CLOSE, err_r)])
    os.close(out_w)
    os.close(err_w)
    import selectors

    chunks = {out_r: [], err_r: []}
    sel = selectors.DefaultSelector()
    for fd in chunks:
        sel.register(fd, selectors.EVENT_READ)
    deadline = start + timeout
    open_fds = set(chunks)
    killed = False
    while open_fds:
        remaining = deadline - time.monotonic()
        if remaining <= 0 and not killed:
            os.kill(pid, 9)
            killed = True
        for key, _ in sel.select(timeout=max(0.05, min(remaining, 1.0))):
            data = os.read(key.fd, 65536)
            if data:
                chunks[key.fd].append(data)
            else:
                sel.unregister(key.fd)
                os.close(key.fd)
                open_fds.discard(key.fd)
    _, status, usage = os.wait4(pid, 0)
    seconds = time.monotonic() - start
    rc = os.waitstatus_to_exitcode(status)
    return Outcome(rc, seconds, usage.ru_maxrss / 1024, b"".join(chunks[out_r]).decode("utf-8", "replace"),
                   b"".join(chunks[err_r]).decode("utf-8", "replace"))
