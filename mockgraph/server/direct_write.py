"""Writing a request line to a file without giving up the interpreter lock.

``os.write`` releases the GIL for its system call, and on the threaded server the writer then waits to take
it back from whichever thread took it meanwhile: a thread switch per request line, which cost the served
GET about a tenth of its throughput (``python -m benchmarks --only serve``: 0.79x of the bare app with the
log on, 0.90x with it off). A write to a regular file or to ``/dev/null`` never waits on a reader, so it is
made holding the lock: libc's ``write`` called as a ``ctypes.PyDLL`` function, which keeps the GIL. A pipe,
a terminal or a socket can block on whoever reads it (a full pipe, a paused terminal), so lines to those
keep ``os.write`` and the other threads keep running meanwhile.
"""

from __future__ import annotations

import ctypes
import os
import stat
from collections.abc import Callable

Writer = Callable[[int, bytes], int]


def _libc_write() -> Writer | None:
    try:
        function = ctypes.PyDLL(None, use_errno=True).write
    except (OSError, AttributeError):  # no C library to name (not POSIX)
        return None
    function.restype = ctypes.c_ssize_t
    function.argtypes = (ctypes.c_int, ctypes.c_char_p, ctypes.c_size_t)

    def write(descriptor: int, data: bytes) -> int:
        written = int(function(descriptor, data, len(data)))
        if written < 0:
            code = ctypes.get_errno()
            raise OSError(code, os.strerror(code))
        return written

    return write


_HOLDING_THE_LOCK = _libc_write()


def writer_for(descriptor: int) -> Writer:
    """How to write to ``descriptor``: holding the interpreter lock for a regular file or ``/dev/null``,
    else ``os.write``."""
    if _HOLDING_THE_LOCK is None:
        return os.write
    try:
        status = os.fstat(descriptor)
        is_null = stat.S_ISCHR(status.st_mode) and os.path.samestat(status, os.stat(os.devnull))
    except OSError:
        return os.write
    return _HOLDING_THE_LOCK if stat.S_ISREG(status.st_mode) or is_null else os.write
