"""One malloc heap for a command-line validation (issue 19).

The validation's hashing threads each read few-MiB documents that the main thread checks and frees; with
glibc's arena per thread each arena kept its own freed, untrimmed document buffers (a 36 MiB arena beside
a 44 MiB heap at the parent's peak for the 1,169 MiB benchmark package). With M_ARENA_MAX = 1 every thread
allocates from the main heap and the buffers are reused whichever thread reads next: peak RSS 146 → 129 MiB
(median of 5); the CPU time moved within the noise of side-by-side runs (docs/performance.md). The
mallopt loader is edossier/allocator.py, shared with the build's building/memory.py (which the validate
command must not import: start-up, tests/test_startup_imports.py).
"""

from __future__ import annotations

from ..allocator import M_ARENA_MAX, mallopt


def one_arena() -> bool:
    """Have every thread of this process allocate from the main heap; call it before the threads start.
    False where there is no glibc (then nothing changes). Not called by the library: a program embedding
    it owns its allocator."""
    return mallopt(M_ARENA_MAX, 1)
