"""load → normalise → metadata for one file: the entry point of every pipeline."""
from __future__ import annotations

import os

from .core.types import NormalisedDocument
from .load import load_document
from .metadata import read_metadata
from .normalise import normalise


def prepare(path: str | os.PathLike) -> NormalisedDocument:
    ndoc = normalise(load_document(path))
    read_metadata(ndoc)
    return ndoc
