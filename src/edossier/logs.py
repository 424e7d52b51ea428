"""Quiet the libraries whose log records repeat what the findings already say.

pyHanko logs every failed validation with a traceback at WARNING, and fontTools warns about each odd
table it meets in a hostile PDF; the findings already report both, so a validator's output (a CLI run, a
batch worker, a corpus generation) would otherwise be buried in duplicates. One place, so that every
entry point silences the same loggers.
"""

from __future__ import annotations

import logging

NOISY_LOGGERS = ("pyhanko", "pyhanko_certvalidator", "fontTools")


def quiet_libraries() -> None:
    """Raise the noisy libraries' loggers to CRITICAL (idempotent; call it once per process)."""
    for name in NOISY_LOGGERS:
        logging.getLogger(name).setLevel(logging.CRITICAL)
