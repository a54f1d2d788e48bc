"""Documents: list, read (original text), upload (ingested in the background), remove; jobs."""
from __future__ import annotations

from fastapi import APIRouter, File, Request, UploadFile

from .. import docs, uploads
from ..errors import ApiError

router = APIRouter(prefix="/api", tags=["documents"])


@router.get("/documents", summary="the indexed documents")
def list_documents(request: Request) -> list[dict]:
    with request.app.state.store.reading() as reader:
        return docs.info(reader.index)


@router.get("/documents/{doc_id:path}", summary="one document: its original text (the text citations point into)")
def get_document(doc_id: str, request: Request) -> dict:
    with request.app.state.store.reading() as reader:
        out = docs.info(reader.index, doc_id)[0]
        out["original"] = reader.index.original(doc_id)
    return out


@router.delete("/documents/{doc_id:path}", summary="remove a document (chunks, vectors, clusters, lists)")
def delete_document(doc_id: str, request: Request) -> dict:
    store = request.app.state.store
    with store.writing() as index:
        source = docs.info(index, doc_id)[0]
        index.remove([doc_id])  # chunks, vectors, keyword terms, clusters, lists (as `rag docs rm`)
    chunks, source = source["chunks"], source["source"]
    uploaded = docs.uploaded_file(store.uploads, source)
    if uploaded:
        uploaded.unlink(missing_ok=True)  # an uploaded copy would come back with the next `rag ingest` of the folder
    return {"deleted": doc_id, "chunks": chunks}


@router.post("/documents", status_code=202,
             summary="upload a file (multipart field 'file'); ingested in the background: poll GET /api/jobs/{id}")
async def upload_document(request: Request, file: UploadFile = File(None)) -> dict:
    store = request.app.state.store
    received = await uploads.receive(file, uploads.incoming(store.uploads))
    job = request.app.state.jobs.submit(received)
    return job.public()


@router.get("/jobs/{job_id}", summary="an upload's progress: queued, running, done or failed")
def get_job(job_id: str, request: Request) -> dict:
    job = request.app.state.jobs.get(job_id)
    if job is None:
        raise ApiError(404, "not_found", f"no job {job_id!r} (jobs are kept while the server runs)")
    return job.public()
