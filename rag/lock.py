"""One writer per index: an advisory lock on `<db>/write.lock` (flock, released by the kernel when
the holder exits, even on kill -9). A second writer says once that it waits, waits up to
RAG_LOCK_TIMEOUT seconds, then gives up with one line. Readers never take it."""
from __future__ import annotations

import fcntl
import os
import sys
import time
from pathlib import Path
from typing import Callable, Optional

from .errors import ConfigError

LOCK_FILE = "write.lock"
POLL_S = 0.2


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class WriterLock:
    def __init__(self, db: Path, timeout: float, say: Callable[[str], None] = _say) -> None:
        self.path = Path(db) / LOCK_FILE
        self.timeout = timeout
        self.say = say
        self._fd: Optional[int] = None

    def _holder(self) -> str:
        try:
            pid = self.path.read_text(encoding="ascii").strip()
        except (OSError, ValueError):
            return "another process"
        return f"process {pid}" if pid.isdigit() else "another process"

    def acquire(self) -> "WriterLock":
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o666)
        deadline = time.monotonic() + self.timeout
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                holder = self._holder()
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise ConfigError(f"the index at {self.path.parent} is being written by {holder}; gave up "
                                      f"after {self.timeout:g} s (wait for it to finish, or raise RAG_LOCK_TIMEOUT)")
                if not told:
                    self.say(f"rag: waiting for {holder} to finish writing the index at {self.path.parent} "
                             f"(up to {self.timeout:g} s)")
                    told = True
                time.sleep(POLL_S)
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode("ascii"))
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
