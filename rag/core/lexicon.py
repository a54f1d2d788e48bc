"""The domain lexicon (rag/data/lexicon.toml), read once.

Every vocabulary the engines use — head nouns, programs and their synonyms, bodies and their
level, level and stage words, list and recognition cues, target, denial and computing words,
measure words, question words — lives in that one file. Code asks this module for a word list
or for a compiled alternation of it (longest first), never writes the words itself.
"""
from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from importlib import resources
from typing import Iterable, Optional


@lru_cache(maxsize=1)
def lexicon() -> dict:
    raw = resources.files("rag").joinpath("data/lexicon.toml").read_text(encoding="utf-8")
    return tomllib.loads(raw)


def words(section: str, key: str) -> list[str]:
    """One word list of the lexicon: words("cues", "denials")."""
    value = lexicon()[section][key]
    if value and isinstance(value[0], list):
        return [row[0] for row in value]
    return list(value)


def alternation(items: Iterable[str]) -> str:
    """A regex alternation of literal words, longest first (so 省级 wins over 省)."""
    return "|".join(re.escape(w) for w in sorted(set(items), key=len, reverse=True))


@lru_cache(maxsize=None)
def pattern(section: str, key: str) -> re.Pattern:
    """The compiled alternation of one word list."""
    return re.compile(alternation(words(section, key)))


def any_of(text: str, section: str, key: str) -> bool:
    return pattern(section, key).search(text) is not None


# --- structured entries -------------------------------------------------------------------------


@lru_cache(maxsize=1)
def head_nouns() -> list[tuple[str, str]]:
    """(head noun, program it names or "") longest first."""
    rows = [(h, p) for h, p in lexicon()["heads"]["nouns"]]
    return sorted(rows, key=lambda r: -len(r[0]))


@lru_cache(maxsize=1)
def program_variants() -> list[tuple[str, str]]:
    """(written variant, canonical program), longest variant first."""
    out = [(v, canon) for canon, variants in lexicon()["programs"].items() if isinstance(variants, list)
           for v in variants]
    return sorted(out, key=lambda r: -len(r[0]))


def canonical_program(written: str) -> str:
    """The canonical form of a written program (战略性新兴工业集群 → 战略性新兴产业集群)."""
    written = written.replace("“", "").replace("”", "").replace('"', "")
    for variant, canon in program_variants():
        if written == variant:
            return canon
    for variant, canon in program_variants():
        if written.endswith(variant) and len(written) - len(variant) <= 1:
            return canon
    return written


@lru_cache(maxsize=1)
def body_cores() -> list[tuple[str, str]]:
    """(body core, level or "") longest first."""
    rows = [(c, lvl) for c, lvl in lexicon()["bodies"]["cores"]]
    return sorted(rows, key=lambda r: -len(r[0]))


@lru_cache(maxsize=1)
def body_aliases() -> dict[str, str]:
    return {short: full for short, full in lexicon()["bodies"]["aliases"]}


def body_level(core: str) -> Optional[str]:
    for c, level in body_cores():
        if c == core:
            return level or None
    return None


def level_words(level: str) -> list[str]:
    return words("levels", level)
