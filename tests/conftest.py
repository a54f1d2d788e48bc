"""Shared fixtures. Area-specific fixtures live in tests/support_<area>.py."""
from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="session")
def seed_paths() -> list[Path]:
    paths = sorted(SEEDS.glob("*.txt"))
    assert len(paths) == 5, "the five seed articles must be in seeds/"
    return paths


@pytest.fixture(scope="session")
def seed_docs(seed_paths):
    from rag.prepare import prepare

    return {p.stem: prepare(p) for p in seed_paths}


@pytest.fixture(autouse=True)
def _no_user_config_file(monkeypatch):
    """A developer's ~/.config/jiqun/config.toml (an endpoint profile) must not steer the tests;
    tests of the config file set RAG_CONFIG themselves."""
    monkeypatch.setenv("RAG_CONFIG", "off")
    # status lines on a slow machine would add lines to the stderr tests read (tests/test_progress.py sets its own)
    monkeypatch.setenv("RAG_PROGRESS_SECONDS", "3600")
