"""jiqun (集群): read Chinese articles about industrial clusters, answer questions with citations,
extract every named cluster into validated records.

The Python API (rag/api.py) loads on first use, so `rag --help` stays fast:

    import rag
    ix = rag.open("my.rag")
    ix.ingest("articles/")
    answer = ix.ask("郑州市首批市级战略性新兴产业集群有哪些？")
    records = rag.extract("articles/", engine="offline")
    df = rag.to_dataframe(records)          # needs pandas: pip install 'jiqun[pandas]'
"""

__version__ = "0.1.0"

__all__ = ["open", "extract", "to_dataframe", "Index", "Extracted", "Answer", "Citation", "ClusterMention",
           "ListRecord", "RagError"]

_API = {"open", "extract", "to_dataframe", "Index", "Extracted"}
_SCHEMAS = {"Answer", "Citation", "ClusterMention", "ListRecord"}


def __getattr__(name: str):
    import importlib

    if name == "extract":  # the subpackage rag.extract, callable as the API function (rag/extract/__init__.py)
        return importlib.import_module(".extract", __name__)
    if name in _API:
        return getattr(importlib.import_module(".api", __name__), name)
    if name in _SCHEMAS:
        return getattr(importlib.import_module(".schemas", __name__), name)
    if name == "RagError":
        return importlib.import_module(".errors", __name__).RagError
    raise AttributeError(f"module 'rag' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(list(globals()) + __all__)
