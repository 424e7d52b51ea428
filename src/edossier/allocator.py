"""glibc's malloc tuning (mallopt) for this process, shared by the build (building/memory.py) and the
validate command (validation/heap.py). A leaf: it imports nothing of edossier."""

from __future__ import annotations

import sys

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD, M_ARENA_MAX = -1, -3, -8  # glibc malloc.h


def mallopt(param: int, value: int) -> bool:
    """glibc's mallopt for this process; False where there is no glibc (then nothing changes)."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        # the symbols already loaded into this process: libc's among them. Not ctypes.util.find_library,
        # which runs ldconfig in a subprocess (tens of milliseconds of a command's start-up).
        fn = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False  # e.g. musl: no mallopt
    fn.argtypes = (ctypes.c_int, ctypes.c_int)
    fn.restype = ctypes.c_int
    return bool(fn(param, value))
