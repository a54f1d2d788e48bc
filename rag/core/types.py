"""Typed records that flow between pipeline stages (no upward imports)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from .offsets import MappedText


@dataclass
class Document:
    """A decoded source file. `original` is the text every offset in the project points into
    (for HTML: the rendered page text, tags removed)."""

    doc_id: str
    path: str
    original: str
    encoding: str
    sha256: str
    title: str = ""
    date: Optional[str] = None  # ISO: 2023-12-31 or 2025-07-12T10:36:58
    outlet: Optional[str] = None
    url: Optional[str] = None


@dataclass
class NormalisedDocument:
    """Cleaned, normalised text (Simplified, no pinyin, no boilerplate) mapped back to the original."""

    doc: Document
    mapped: MappedText
    dropped_lines: int = 0

    @property
    def text(self) -> str:
        return self.mapped.text

    def span(self, start: int, end: int) -> tuple[int, int]:
        return self.mapped.to_original(start, end)

    def original_slice(self, start: int, end: int) -> str:
        s, e = self.span(start, end)
        return self.doc.original[s:e]


@dataclass
class Chunk:
    doc_id: str
    index: int  # position of the chunk in its document
    text: str  # normalised text (what is embedded and shown to prompts)
    norm_start: int
    norm_end: int
    start: int  # span in the original text
    end: int
    original_text: str = ""
    n_tokens: int = 0
    metadata: dict = field(default_factory=dict)

    @property
    def chunk_id(self) -> str:
        return f"{self.doc_id}#{self.index}"
