"""The Python API (`import rag`): the functions the `rag` commands call, for notebooks and servers.

    import rag
    ix = rag.open("my.rag")                 # an index folder (made by the first ingest)
    ix.ingest(["articles/"])                # IngestSummary
    ix.ask("郑州市首批市级战略性新兴产业集群有哪些？")   # Answer with citations
    rag.to_dataframe(ix.clusters())         # pandas, with `pip install 'jiqun[pandas]'`

`Index` opens the store to read when first asked and takes the writer lock only for the length of a
write (ingest, remove), so a notebook never blocks a `rag ingest` running beside it.
"""
from __future__ import annotations

import os
import warnings
from typing import Iterable, Optional, Sequence, Union

from .config import Settings
from .errors import InputError, RagError

PathLike = Union[str, os.PathLike]


def _paths(paths: Union[PathLike, Iterable[PathLike]]) -> list[str]:
    if isinstance(paths, (str, os.PathLike)):
        return [os.fspath(paths)]
    return [os.fspath(p) for p in paths]


def offline_extract():
    """The extraction stored with each ingested document (offline rules; records say so)."""
    from .extract.engines import get_engine
    from .ingest import _rules_version

    engine = get_engine("offline")

    def extract_lists(ndoc):
        result = engine.extract_lists(ndoc)
        for r in result.records:
            r.engine = "offline"
        return result

    extract_lists.rules_version = _rules_version(engine.extract_lists)  # type: ignore[attr-defined]
    return extract_lists


class Index:
    """An index folder: documents, chunks and vectors, cluster records and lists."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._reader = None
        self._answerers: dict[str, object] = {}

    # --- opening ------------------------------------------------------------------------

    def _read(self):
        from .index import Index as Store

        if self._reader is None:
            self._reader = Store.open(self.settings, create=False)
        return self._reader

    def _writer(self):
        from .index import Index as Store

        self.close()  # the reader's Chroma client and caches would not see the write
        return Store.open(self.settings, create=True)

    def close(self) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None
        self._answerers.clear()

    def __enter__(self) -> "Index":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"rag.Index({str(self.settings.db)!r})"

    # --- writing ------------------------------------------------------------------------

    def ingest(self, paths: Union[PathLike, Iterable[PathLike]], prune: bool = False, rebuild: bool = False,
               progress: bool = False):
        """Index new and changed files (folders recursively); unchanged ones are skipped. Returns the
        IngestSummary (`.documents`, `.chunks`, `.unchanged`, `.failed`, `.errors`, `.line()`)."""
        with self._writer() as store:
            return store.ingest(_paths(paths), prune=prune, progress=progress, extract=offline_extract(),
                                rebuild=rebuild)

    def remove(self, *doc_ids: Union[str, Iterable[str]]) -> list[str]:
        """Remove documents (their chunks, vectors, keyword terms, cluster records and lists)."""
        ids = [d for x in doc_ids for d in ([x] if isinstance(x, str) else x)]
        if not ids:
            raise InputError("doc_id", "give the ids of the documents to remove (see documents())")
        with self._writer() as store:
            return store.remove(ids)

    # --- reading ------------------------------------------------------------------------

    def documents(self):
        """DocumentInfo per indexed document: doc_id, path (the source file), title, date, n_chunks, n_clusters."""
        return self._read().documents()

    def document(self, doc_id: str):
        return next((d for d in self.documents() if d.doc_id == doc_id), None) or self._read().document(doc_id)

    def text(self, doc_id: str) -> str:
        """The document's original text: every citation's [start, end) points into it."""
        return self._read().original(doc_id)

    def search(self, query: str, k: int = 5, doc_ids: Optional[Sequence[str]] = None,
               date_from: Optional[str] = None, date_to: Optional[str] = None):
        """Hybrid search: `Hit`s with doc_id, start, end, text, title, date, score."""
        from .retrieve import check_date, check_query

        check_query(query)
        check_date("date_from", date_from)
        check_date("date_to", date_to)
        return self._read().search(query, k=k, doc_ids=doc_ids, date_from=date_from, date_to=date_to)

    def ask(self, question: str, engine: Optional[str] = None, k: int = 6, doc_ids: Optional[Sequence[str]] = None):
        """An `Answer` (answer, citations into the originals, engine, usage). engine: offline, llm or
        auto (default: the settings'; auto uses an LLM only when jiqun's own settings name one)."""
        from .engine_choice import answerer
        from .retrieve import check_query

        check_query(question, "question")
        store = self._read()
        if not store.documents():
            raise RagError(f"the index at {self.settings.db} has no documents: ingest some first")
        engine = engine or self.settings.engine
        if engine not in self._answerers:
            self._answerers[engine] = answerer(engine, self.settings, store,
                                               lambda m: warnings.warn(m, RuntimeWarning, stacklevel=3))
        return self._answerers[engine].answer(question.strip(), k=k, doc_ids=list(doc_ids) if doc_ids else None)

    def clusters(self, province: Optional[str] = None):
        """The cross-document cluster table (`rag clusters`): one ClusterRow per cluster."""
        from .extract.table import build_cluster_table, filter_rows

        return filter_rows(build_cluster_table(self._read().clusters()), province)

    def records(self, doc_id: Optional[str] = None):
        """The stored cluster records (one ClusterMention per cluster and document)."""
        return self._read().clusters(doc_id)

    def lists(self, doc_id: Optional[str] = None):
        """The lists the articles report (`rag lists`): ListRecord with members and evidence."""
        return self._read().lists(doc_id)


def open(db: Optional[PathLike] = None, chroma_url: Optional[str] = None, profile: Optional[str] = None) -> Index:  # noqa: A001
    """The index in `db` (default: RAG_DB, the config file, else ./.rag). Nothing is read or made
    until the first call; the first `ingest` makes the folder."""
    return Index(Settings.load(db=db, chroma_url=chroma_url, profile=profile))


class Extracted(list):
    """The records of an extraction run (a list of ClusterMention); `.failed` holds (path, reason)
    for the files that could not be read or extracted."""

    def __init__(self, records=(), failed=()) -> None:
        super().__init__(records)
        self.failed: list[tuple[str, str]] = list(failed)


def extract(paths: Union[PathLike, Iterable[PathLike]], engine: Optional[str] = None,
            settings: Optional[Settings] = None, profile: Optional[str] = None) -> Extracted:
    """Every named cluster in the files (folders recursively), one validated record each, in file
    order. engine: offline, llm, hybrid or auto. Files that fail are in `.failed` (and warned)."""
    from .engine_choice import extractor
    from .load import find_sources
    from .prepare import prepare

    settings = settings or Settings.load(profile=profile)
    found = find_sources(_paths(paths))
    if not found.sources and found.problems:
        raise InputError(*found.problems[0])
    warn = lambda m: warnings.warn(m, RuntimeWarning, stacklevel=3)  # noqa: E731
    engine_ = extractor(engine or settings.engine, settings, warn)
    records, failed = [], list(found.problems)
    for src in found.sources:
        try:
            records.extend(engine_.extract(prepare(src.path, doc_id=src.doc_id)))
        except RagError as e:
            failed.append((str(src.path), e.reason if isinstance(e, InputError) else str(e)))
    for path, reason in failed:
        warn(f"{path}: {reason}")
    return Extracted(records, failed)


def to_dataframe(records):
    """A pandas DataFrame of records: ClusterMention (evidence as evidence_text/_start/_end),
    ClusterRow, ListRecord, DocumentInfo, search hits or Answers. Needs pandas (`jiqun[pandas]`)."""
    try:
        import pandas as pd
    except ImportError:
        raise RagError("to_dataframe needs pandas: pip install 'jiqun[pandas]'") from None
    from .export import flat_rows

    return pd.DataFrame(flat_rows(list(records)))


__all__ = ["Index", "open", "extract", "to_dataframe", "Extracted"]
