"""The conformance corpus (samples/corpus/): cases for vendors' producers and validators, the
generator that makes them (`python -m edossier.conformance.generate`) and the runner behind
`edossier conformance`. See docs/conformance.md."""

from __future__ import annotations

from pathlib import Path

CLASSES = ("good", "warn", "bad")
CORPUS_FILE = "corpus.json"
EXPECTED_FILE = "expected.json"
PACKAGE_FILE = "package.edp"


def default_corpus() -> Path:
    from ..resources import samples_dir

    return samples_dir() / "corpus"
