"""The cluster table (filters, CSV/XLSX), the lists, and extraction from one uploaded file."""
from __future__ import annotations

import logging
from typing import Literal, Optional

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from ...extract.table import build_cluster_table, filter_rows
from ...extract.cli import render_rows
from .. import uploads

log = logging.getLogger("rag.serve")
router = APIRouter(prefix="/api", tags=["clusters"])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _row(r) -> dict:
    d = r.flat()
    d["key"] = r.key
    return d


@router.get("/clusters", summary="the cross-document cluster table (as `rag clusters`; CSV with a BOM, XLSX), filtered")
def clusters(request: Request, province: Optional[str] = Query(None, description="e.g. 河南 or 河南省"),
             level: Optional[str] = Query(None, description="national, provincial or municipal"),
             program: Optional[str] = Query(None, description="the program, or words of it"),
             q: Optional[str] = Query(None, description="words of the name, place or industry"),
             format: Literal["json", "csv", "xlsx"] = Query("json"),
             labels: Optional[Literal["zh"]] = Query(None, description="zh: Chinese column and level names (csv, xlsx)")):
    with request.app.state.store.reading() as reader:
        records = reader.index.clusters()
    rows = filter_rows(build_cluster_table(records), province)
    if level:
        rows = [r for r in rows if r.level == level]
    if program:
        rows = [r for r in rows if r.program and program in r.program]
    if q:
        rows = [r for r in rows if q in " ".join(filter(None, [r.name, r.province, r.industry, *r.regions]))]
    if format == "csv":
        return Response(render_rows(rows, "csv", labels).encode("utf-8"), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="clusters.csv"'})
    if format == "xlsx":
        return Response(render_rows(rows, "xlsx", labels), media_type=XLSX,
                        headers={"Content-Disposition": 'attachment; filename="clusters.xlsx"'})
    return [_row(r) for r in rows]


@router.get("/lists", summary="the lists of clusters the articles report (as `rag lists --format jsonl`)")
def lists(request: Request, doc: Optional[list[str]] = Query(None, description="only these documents")) -> list[dict]:
    with request.app.state.store.reading() as reader:
        records = reader.index.lists()
    if doc:
        records = [r for r in records if r.doc_id in set(doc)]
    return [r.model_dump(mode="json") for r in records]


def _extract(path, requested: str, settings) -> dict:
    from ...engine_choice import extractor
    from ...prepare import prepare

    ndoc = prepare(path)
    engine = extractor(requested, settings, warn=log.warning)
    records = engine.extract(ndoc)
    return {"doc_id": ndoc.doc.doc_id, "engine": engine.name, "records": [r.model_dump(mode="json") for r in records]}


@router.post("/extract", summary="extract the clusters of one uploaded file (records as `rag extract` writes them)")
async def extract(request: Request, file: UploadFile = File(None),
                  engine: Optional[Literal["offline", "llm", "hybrid", "auto"]] = Form(None)) -> dict:
    store = request.app.state.store
    received = await uploads.receive(file, uploads.incoming(store.uploads))
    try:
        return await run_in_threadpool(_extract, received, engine or store.settings.engine, store.settings)
    finally:
        uploads.discard(received)
