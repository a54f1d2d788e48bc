"""The project gazetteer (rag/data/places.json), read once for every module that matches places.

Provinces (full → short name), prefecture-level cities [full, short, province], counties
[full, short, city, province], aliases and multi-city abbreviations. Questions and cluster
names are matched against it with different rules (rag/qa/places.py, rag/extract/places.py);
the data is one.
"""
from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources


@lru_cache(maxsize=1)
def places_data() -> dict:
    return json.loads(resources.files("rag").joinpath("data/places.json").read_text(encoding="utf-8"))
