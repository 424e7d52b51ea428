"""How well OCR read a page: the measure used by the tests and by benchmarks/run.py."""

from __future__ import annotations

import unicodedata


def character_accuracy(expected: str, got: str) -> float:
    """1 - edit distance / length, ignoring white space and width variants (NFKC); 0 at worst."""
    a = "".join(unicodedata.normalize("NFKC", expected).split())
    b = "".join(unicodedata.normalize("NFKC", got).split())
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return max(0.0, 1 - prev[-1] / max(len(a), 1))
