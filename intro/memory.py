"""Memory that large messages used goes back to the system when they are done with.

glibc's malloc serves a large block from its heap, not from its own mapping, once a block
that size has been freed (its mmap threshold rises to meet it), and memory in the middle
of the heap is not given back: after a few 25 MiB messages a process stays 100 MiB larger
for good. A fixed threshold of 1 MiB keeps every large block in a mapping of its own,
returned when freed (measured in bench/smtp_abuse.py: `intro serve` peaked at 340 MiB
under twelve hostile 25 MiB messages at once, and at 247 MiB with this).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging

log = logging.getLogger(__name__)
_M_MMAP_THRESHOLD = -3  # glibc's malloc.h
THRESHOLD = 1024 * 1024


def return_large_blocks() -> bool:
    """Set glibc's mmap threshold; False where there is no glibc (musl, macOS): nothing to do."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
        mallopt = getattr(libc, "mallopt", None)
    except OSError:
        return False
    if mallopt is None:
        return False
    return bool(mallopt(_M_MMAP_THRESHOLD, THRESHOLD))
