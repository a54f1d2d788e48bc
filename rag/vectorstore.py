"""What the index needs around a Chroma client: open a local folder (a private copy when it is
read-only), look at a local folder without opening it, check that a URL is a Chroma server,
and forget a folder the process opened before it is rebuilt.

Opening a local Chroma folder writes to it (chroma.sqlite3, the HNSW files), so a read-only
index is searched from a copy, and ingest checks whether vectors are missing by reading
chroma.sqlite3 read-only instead of opening the store (chromadb is pinned; the two tables read
here are those of chromadb 1.5)."""
from __future__ import annotations

import atexit
import json
import os
import shutil
import sqlite3
import tempfile
import urllib.error
import urllib.request
from pathlib import Path
from typing import Optional

from .errors import ConfigError

CHROMA_DIR = "chroma"  # in the index folder
CHROMA_SQLITE = "chroma.sqlite3"


def writable_tree(folder: Path) -> bool:
    """The folder and everything in it can be written by this process."""
    if not os.access(folder, os.W_OK | os.X_OK):
        return False
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            if not os.access(os.path.join(root, name), os.W_OK):
                return False
    return True


def private_copy(folder: Path) -> Path:
    """A temporary copy of a read-only Chroma folder (removed when the process exits)."""
    tmp = Path(tempfile.mkdtemp(prefix="jiqun-readonly-"))
    atexit.register(shutil.rmtree, tmp, True)
    try:
        shutil.copytree(folder, tmp / "chroma")
    except OSError as e:
        raise ConfigError(f"the index's vector store {folder} is read-only and cannot be copied to read it: "
                          f"{e.strerror or e}") from None
    for root, dirs, files in os.walk(tmp):
        for name in dirs + files:
            os.chmod(os.path.join(root, name), 0o700 if name in dirs else 0o600)
    return tmp / "chroma"


def stored_ids(folder: Path, collection: str) -> Optional[set[str]]:
    """The ids of the vectors a local Chroma folder holds for the collection, read without opening
    the store; None when the folder or its database is missing or unreadable."""
    path = folder / CHROMA_SQLITE
    if not path.is_file():
        return None
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
        try:
            rows = conn.execute(
                "SELECT e.embedding_id FROM embeddings e JOIN segments s ON e.segment_id = s.id "
                "JOIN collections c ON s.collection = c.id WHERE c.name = ?", (collection,)).fetchall()
        finally:
            conn.close()
    except sqlite3.Error:
        return None
    return {r[0] for r in rows}


def forget_local(folder: Path) -> None:
    """Drop chromadb's in-process handle on a folder (it keeps one per path, even after a failed
    open), so that the folder can be deleted and created again."""
    from chromadb.api.shared_system_client import SharedSystemClient

    key = str(folder)
    with SharedSystemClient._refcount_lock:
        system = SharedSystemClient._identifier_to_system.pop(key, None)
        SharedSystemClient._identifier_to_refcount.pop(key, None)
    if system is not None:
        try:
            system.stop()
        except Exception:  # a system that failed to start cannot stop cleanly; it is dropped anyway
            pass


def check_server(host: str, port: int, ssl: bool, label: str) -> None:
    """One line when host:port is not a Chroma server: nothing listening, or something else (the
    heartbeat must answer JSON with a nanosecond heartbeat)."""
    url = f"{'https' if ssl else 'http'}://{host}:{port}/api/v2/heartbeat"
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            body = r.read(4096)
    except urllib.error.HTTPError as e:
        raise ConfigError(f"{label} is not a Chroma server (its heartbeat URL answers HTTP {e.code})") from None
    except OSError as e:
        reason = getattr(e, "reason", None) or e
        text = getattr(reason, "strerror", None) or str(reason)
        raise ConfigError(f"cannot reach the Chroma server at {label}: {text.splitlines()[0] if text else 'no answer'}") from None
    try:
        ok = "nanosecond heartbeat" in json.loads(body)
    except (ValueError, TypeError):
        ok = False
    if not ok:
        raise ConfigError(f"{label} is not a Chroma server (its heartbeat URL does not answer like Chroma)")
