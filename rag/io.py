"""Atomic writes: a killed run never leaves a half-written file or a half-written SQLite batch."""
from __future__ import annotations

import errno
import os
import sqlite3
import tempfile
from pathlib import Path
from typing import Iterator, Sequence

from .errors import InputError


def atomic_write_text(path: str | os.PathLike, text: str, encoding: str = "utf-8") -> None:
    atomic_write_bytes(path, text.encode(encoding))


class WriteError(InputError, OSError):
    """A file that cannot be written, named as the user gave it (never the temporary file). Also an
    OSError, so callers that tolerate a failed cache write keep doing so."""


def _write_error(path: Path, e: OSError) -> WriteError:
    reason = (e.strerror or type(e).__name__).lower()
    if e.errno == errno.ENOENT:
        reason = "its folder does not exist"
    elif e.errno in (errno.ENOTDIR, errno.EEXIST):
        reason = "part of the path is a file, not a folder"
    elif e.errno == errno.EISDIR:
        reason = "is a folder"
    return WriteError(str(path), f"cannot write: {reason}")


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    p = Path(path)
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=p.parent, prefix=f".{p.name}.", suffix=".tmp")
    except OSError as e:
        raise _write_error(p, e) from None
    try:
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; a report or export is an ordinary file
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, p)
    except BaseException as e:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(e, OSError):
            raise _write_error(p, e) from None
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def append_line_durably(path: str | os.PathLike, line: str) -> None:
    """Append one complete line and fsync: used by resumable batch outputs (JSON Lines)."""
    p = Path(path)
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        with open(p, "a", encoding="utf-8") as f:
            f.write(line if line.endswith("\n") else line + "\n")
            f.flush()
            os.fsync(f.fileno())
    except OSError as e:
        raise _write_error(p, e) from None


class transaction:
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any exception (autocommit connection)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self):
        self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, exc_type, exc, tb):
        self.conn.execute("COMMIT" if exc_type is None else "ROLLBACK")
        return False


def select_in(conn: sqlite3.Connection, sql: str, values: Sequence, part: int = 500) -> Iterator[tuple]:
    """Rows of `sql` whose `{marks}` is filled with ? placeholders for values, in parts of `part`
    (SQLite limits the number of bound parameters)."""
    values = list(values)
    for s in range(0, len(values), part):
        chunk = values[s:s + part]
        yield from conn.execute(sql.format(marks=",".join("?" * len(chunk))), chunk)
