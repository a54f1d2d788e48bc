"""load → normalise → metadata for one file: the entry point of every pipeline."""
from __future__ import annotations

import os
from typing import Optional

from .clean import has_article_text
from .core.types import NormalisedDocument
from .errors import InputError
from .load import load_document
from .metadata import read_metadata
from .normalise import normalise


NO_ARTICLE_TEXT = "no article text (only page navigation or boilerplate)"


def prepare(path: str | os.PathLike, doc_id: Optional[str] = None) -> NormalisedDocument:
    """`doc_id`: the id derived from the path (rag.load.find_sources); default the file's stem."""
    ndoc = normalise(load_document(path, doc_id))
    if not has_article_text(ndoc.text):
        raise InputError(str(path), NO_ARTICLE_TEXT)
    read_metadata(ndoc)
    return ndoc
