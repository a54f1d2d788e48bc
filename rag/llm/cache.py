"""The disk cache of LLM replies: one JSON file per request, never a key or a header."""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Optional

from ..io import atomic_write_text


def default_cache_dir() -> Optional[Path]:
    """RAG_LLM_CACHE (a folder, or 'off'), else $XDG_CACHE_HOME/jiqun/llm (~/.cache/jiqun/llm)."""
    env = os.environ.get("RAG_LLM_CACHE")
    if env:
        return None if env.lower() in ("off", "0", "no", "none") else Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "jiqun" / "llm"


class ReplyCache:
    """One JSON file per reply, named by the sha256 of endpoint + model + messages + params.
    Holds the reply text and token counts only: never a key or a header."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    @staticmethod
    def key(request: dict) -> str:
        blob = json.dumps(request, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str) -> Optional[dict]:
        try:
            entry = json.loads(self._path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return entry if isinstance(entry, dict) and isinstance(entry.get("text"), str) else None

    def put(self, key: str, entry: dict) -> None:
        atomic_write_text(self._path(key), json.dumps(entry, ensure_ascii=False))
