"""Normalised text that remembers where every character came from in the original.

A `MappedText` is built piece by piece. Each piece is either an exact copy of an
original slice of the same length (characters may differ, e.g. after t2s, but the
i-th output char comes from the i-th original char) or a block whose output maps,
as a whole, onto an original range (e.g. a repaired mojibake line). Any span of the
normalised text maps back to exact `[start, end)` offsets in the original.
"""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field


@dataclass
class MappedText:
    text: str = ""
    # Parallel arrays, one entry per piece: normalised start, original start,
    # original end, and whether the piece is a 1:1 copy.
    _norm_starts: list[int] = field(default_factory=list)
    _orig_starts: list[int] = field(default_factory=list)
    _orig_ends: list[int] = field(default_factory=list)
    _exact: list[bool] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.text)

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map the normalised span [start, end) to original [start, end)."""
        if not 0 <= start <= end <= len(self.text):
            raise ValueError(f"span [{start}, {end}) outside normalised text of length {len(self.text)}")
        if not self._norm_starts:
            return 0, 0
        if start == end:
            pos = self._orig_pos(start, is_end=False) if start < len(self.text) else self._orig_ends[-1]
            return pos, pos
        return self._orig_pos(start, is_end=False), self._orig_pos(end - 1, is_end=True)

    def _orig_pos(self, i: int, is_end: bool) -> int:
        k = bisect_right(self._norm_starts, i) - 1
        if self._exact[k]:
            return self._orig_starts[k] + (i - self._norm_starts[k]) + (1 if is_end else 0)
        return self._orig_ends[k] if is_end else self._orig_starts[k]


class MappedTextBuilder:
    """Appends normalised pieces while recording their original offsets."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._length = 0
        self._result = MappedText()

    @property
    def length(self) -> int:
        return self._length

    def last_char(self) -> str:
        for part in reversed(self._parts):
            if part:
                return part[-1]
        return ""

    def copy(self, text: str, orig_start: int) -> None:
        """`text` replaces original[orig_start:orig_start+len(text)] char for char."""
        self._add(text, orig_start, orig_start + len(text), exact=True)

    def block(self, text: str, orig_start: int, orig_end: int) -> None:
        """`text` stands for original[orig_start:orig_end] as a whole."""
        exact = len(text) == orig_end - orig_start and len(text) == 1
        self._add(text, orig_start, orig_end, exact=exact)

    def _add(self, text: str, orig_start: int, orig_end: int, exact: bool) -> None:
        if not text:
            return
        r = self._result
        r._norm_starts.append(self._length)
        r._orig_starts.append(orig_start)
        r._orig_ends.append(orig_end)
        r._exact.append(exact)
        self._parts.append(text)
        self._length += len(text)

    def build(self) -> MappedText:
        self._result.text = "".join(self._parts)
        return self._result
