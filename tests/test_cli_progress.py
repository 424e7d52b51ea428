"""The progress bar on standard error (cli/main.rate_bar): shown wherever rich sees a terminal, and where
stderr cannot be one, rich is not even imported (a batch's parent imports it after its workers started,
issue 19)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

CODE = """
import sys, click
from edossier.cli import main as m
bar, update = m.rate_bar(click.Context(m.main), "packages", "pkg/s", "包/秒", 3)
print(type(bar).__name__, "rich.console" in sys.modules)
"""


def _run(**env):
    clean = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "TTY_COMPATIBLE", "FORCE_TERMINAL")}
    res = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, timeout=60,
                         env={**clean, **env})  # stderr is a pipe: not a tty
    assert res.returncode == 0, res.stderr
    return res.stdout.split()


def test_no_terminal_no_bar_and_no_rich():
    assert _run() == ["nullcontext", "False"]


@pytest.mark.parametrize("env", [{"FORCE_COLOR": "1"}, {"TTY_COMPATIBLE": "1"}])
def test_what_rich_counts_as_a_terminal_gets_the_bar(env):
    # rich's Console.is_terminal is True for these without a tty: the shortcut must not hide the bar
    assert _run(**env) == ["Progress", "True"]
