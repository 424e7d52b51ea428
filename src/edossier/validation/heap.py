"""One malloc heap for a command-line validation (issue 19).

The validation's hashing threads each read few-MiB documents that the main thread checks and frees; with
glibc's arena per thread each arena kept its own freed, untrimmed document buffers (a 36 MiB arena beside
a 44 MiB heap at the parent's peak for the 1,169 MiB benchmark package). With M_ARENA_MAX = 1 every thread
allocates from the main heap and the buffers are reused whichever thread reads next: peak RSS 146 → 129 MiB
(median of 5); the CPU time moved within the noise of side-by-side runs (docs/performance.md). building/memory.py has the same mallopt
loader for the build; it is not imported here because the validate command must not load the building
package (start-up, tests/test_startup_imports.py).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

M_ARENA_MAX = -8  # glibc malloc.h


def one_arena() -> bool:
    """Have every thread of this process allocate from the main heap; call it before the threads start.
    False where there is no glibc (then nothing changes). Not called by the library: a program embedding
    it owns its allocator."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False  # e.g. musl: no mallopt
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    return bool(mallopt(M_ARENA_MAX, 1))
