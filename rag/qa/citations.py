"""Citations point into a document's original text and are checked before anyone sees them."""
from __future__ import annotations

from ..schemas import Citation


def make_citation(doc_id: str, original: str, start: int, end: int) -> Citation:
    """A citation for original[start:end], trimmed of surrounding whitespace."""
    while start < end and original[start].isspace():
        start += 1
    while end > start and original[end - 1].isspace():
        end -= 1
    return Citation(doc_id=doc_id, start=start, end=end, text=original[start:end])


def is_valid(citation: Citation, original: str) -> bool:
    return 0 <= citation.start < citation.end <= len(original) and original[citation.start:citation.end] == citation.text
