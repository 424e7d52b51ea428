"""Keeping a build's memory flat: glibc's malloc returns a freed block of ≥ 128 KiB to the system at once,
but after the first such free it raises that threshold to the freed size (up to 32 MiB), so from then on
every few-MiB document buffer (a PDF being made, written, read back by the preflight) is carved from the
heap, whose top cannot shrink while anything above it lives. A fixed threshold keeps big buffers mapped
on their own, returned when freed: 163 → 144 MiB peak for a 100-page build (issue 19)."""

from __future__ import annotations

from ..allocator import M_MMAP_THRESHOLD, M_TRIM_THRESHOLD, mallopt as _mallopt

THRESHOLD = 1 << 20


def fix_mmap_threshold(threshold: int = THRESHOLD) -> bool:
    """Fix glibc's mmap threshold for this process (for a command-line build); False where there is no
    glibc (then nothing changes). Not called by the library: a program embedding it owns its allocator."""
    return _mallopt(M_MMAP_THRESHOLD, threshold)


def keep_heap(threshold: int = 32 << 20, trim: int = 256 << 20) -> bool:
    """The opposite trade, for a process that holds one document at a time (the check-ahead child,
    building/ahead.py) and for the command-line build once its documents are written (the preflight reads
    them back, a few at a time: BuildChecks.on_preflight): buffers up to `threshold` come from the heap and
    its top is not given back below `trim`, so the next document reuses the pages instead of faulting
    fresh zeroed ones in. Measured on the 1,000-page build (issue 19, sixth round): 400,000 → 265,000
    page faults, ~0.4 s less system CPU, peak RSS unchanged (128-132 MiB). Only where the preflight just
    hashes: appending a layer to that package, whose preflight checks the base's 100 documents itself,
    took peak RSS from 126 to 174 MiB with it (the PDF checks' buffers fragment the heap). For the whole
    build: 70,000 faults but 145-168 MiB, which is why making the documents keeps the fixed threshold."""
    return _mallopt(M_MMAP_THRESHOLD, threshold) and _mallopt(M_TRIM_THRESHOLD, trim)
