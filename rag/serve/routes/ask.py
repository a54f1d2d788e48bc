"""POST /api/ask and GET /api/search: the same functions as `rag ask --json` and `rag search --json`."""
from __future__ import annotations

import logging
from typing import Literal, Optional

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from ...index_cli import search_rows
from ...engine_choice import answerer, choose
from ...retrieve import check_date, check_query
from ...schemas import Answer
from ..errors import ApiError

log = logging.getLogger("rag.serve")
router = APIRouter(prefix="/api", tags=["ask"])


class AskRequest(BaseModel):
    question: str = Field(description="the question, in Chinese")
    engine: Optional[Literal["offline", "llm", "auto"]] = Field(None, description="default: RAG_ENGINE, else auto")
    k: int = Field(6, ge=1, le=50, description="chunks to retrieve")
    doc_ids: Optional[list[str]] = Field(None, description="only these documents")


def _empty_index(store) -> ApiError:
    return ApiError(409, "empty_index", f"the index at {store.settings.db} has no documents: upload some first")


@router.post("/ask", response_model=Answer, summary="answer a question with citations (as `rag ask --json`)")
def ask(body: AskRequest, request: Request) -> dict:
    store = request.app.state.store
    check_query(body.question, "question")
    requested = body.engine or store.settings.engine
    if requested == "hybrid":  # RAG_ENGINE=hybrid is an extraction engine; questions take auto
        requested = "auto"
    engine = choose(requested, store.settings, allowed=("offline", "llm")).name
    with store.reading() as reader:
        if not reader.has_documents():
            raise _empty_index(store)
        for doc_id in body.doc_ids or []:
            reader.index.document(doc_id)
        if engine == "offline":
            chosen = reader.answerer()
        else:
            chosen = answerer(requested, store.settings, reader.index, warn=log.warning)  # capped as rag ask
        answer = chosen.answer(body.question.strip(), k=body.k, doc_ids=body.doc_ids)
    return answer.model_dump(mode="json")


@router.get("/search", summary="hybrid search (as `rag search --json`)")
def search(request: Request, q: str = Query(..., description="the query"), k: int = Query(5, ge=1, le=100),
           date_from: Optional[str] = Query(None, alias="from", description="2024, 2024-03 or 2024-03-31"),
           date_to: Optional[str] = Query(None, alias="to"),
           doc: Optional[list[str]] = Query(None, description="only these documents")) -> list[dict]:
    store = request.app.state.store
    check_query(q)
    check_date("from", date_from)
    check_date("to", date_to)
    with store.reading() as reader:
        if not reader.has_documents():
            return []
        return search_rows(reader.index, q, k, doc, date_from, date_to)
