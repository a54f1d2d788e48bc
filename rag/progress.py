"""Progress for long commands (ingest, extract, eval): a live bar per file on a terminal, a periodic
one-line status when stderr is not a terminal (a log, a pipe, CI), nothing with --no-progress.
The command prints its summary at the end either way.

    rag ingest: 120/515 documents · report_2024.pdf · embedding 384/512 chunks · 45 s
"""
from __future__ import annotations

import os
import sys
import threading
import time
from typing import Optional

DEFAULT_EVERY_S = 10.0  # RAG_PROGRESS_SECONDS: seconds between status lines when not on a terminal


def _every() -> float:
    try:
        return max(0.0, float(os.environ.get("RAG_PROGRESS_SECONDS", DEFAULT_EVERY_S)))
    except ValueError:
        return DEFAULT_EVERY_S


def _columns(stream) -> int:
    """The terminal's width (a terminal that reports none, e.g. a fresh pseudo-terminal: 100)."""
    try:
        return os.get_terminal_size(stream.fileno()).columns or 100
    except (OSError, ValueError, AttributeError):
        return 100


class Status:
    """`advance(name)` after each file, `note(text)` for work inside one (embedding k/n chunks)."""

    def __init__(self, command: str, total: int, unit: str = "documents", enabled: bool = True,
                 initial: int = 0, stream=None) -> None:
        self.command, self.total, self.unit = command, total, unit
        self.done, self.name, self.extra = initial, "", ""
        self.stream = stream or sys.stderr
        self.t0 = self.last = time.monotonic()
        self.every = _every()
        self._lock = threading.Lock()
        self.bar = None
        self.enabled = enabled and total > 0
        if self.enabled and self.stream.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=total, initial=initial, unit="doc", desc=command, file=self.stream, leave=False,
                            ncols=_columns(self.stream))

    def advance(self, n: int = 1, name: Optional[str] = None) -> None:
        with self._lock:
            self.done += n
            if name is not None:
                self.name = name
            self._show()

    def start(self, name: str) -> None:
        """The file now being read (shown before it is done)."""
        with self._lock:
            self.name = name
            self._show()

    def note(self, text: str) -> None:
        with self._lock:
            self.extra = text
            self._show()

    def line(self) -> str:
        parts = [f"{self.done}/{self.total} {self.unit}"]
        parts += [p for p in (self.name, self.extra) if p]
        parts.append(f"{time.monotonic() - self.t0:.0f} s")
        return f"rag {self.command}: " + " · ".join(parts)

    def _show(self) -> None:
        if not self.enabled:
            return
        if self.bar is not None:
            self.bar.n = self.done
            self.bar.set_postfix_str(" · ".join(p for p in (os.path.basename(self.name), self.extra) if p),
                                     refresh=False)
            self.bar.refresh()
            return
        now = time.monotonic()
        if now - self.last >= self.every:
            self.last = now
            print(self.line(), file=self.stream, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
