"""An uploaded file, checked before any work: a name the loader supports, not empty, within
RAG_MAX_FILE_MB, and text the loader can read (the same loader `rag ingest` uses)."""
from __future__ import annotations

import os
import re
import shutil
import tempfile
import uuid
from pathlib import Path, PurePosixPath

from fastapi import UploadFile
from fastapi.concurrency import run_in_threadpool

from ..config import env
from ..errors import InputError
from ..load import SUPPORTED_SUFFIXES, load_document, max_file_bytes
from .errors import ApiError

READ_STEP = 1 << 20
_UNSAFE = re.compile(r"[\x00-\x1f<>:\"|?*]")


def safe_name(filename: str | None) -> str:
    """The file name without any folder part; refused when nothing usable is left."""
    name = PurePosixPath((filename or "").replace("\\", "/")).name.strip()
    name = _UNSAFE.sub("_", name)
    if not name or name.startswith(".") or not Path(name).stem:
        raise ApiError(400, "bad_name", f"the upload needs a file name (got {filename!r})")
    return name


def check_type(name: str) -> None:
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        allowed = " ".join(sorted(SUPPORTED_SUFFIXES))
        raise ApiError(415, "unsupported_type", f"{name}: unsupported file type '{suffix or '(none)'}' (use {allowed})")


def too_large(size: int) -> ApiError:
    return ApiError(413, "too_large", f"file too large (over {size / 1048576:.2f} MB > {env().RAG_MAX_FILE_MB:g} MB "
                                      "limit; the server's RAG_MAX_FILE_MB)")


async def receive(upload: UploadFile, folder: Path) -> Path:
    """Save the upload into a new private folder under `folder`; checked; its path."""
    if upload is None:
        raise ApiError(400, "no_file", "send the file as multipart form field 'file'")
    name = safe_name(upload.filename)
    check_type(name)
    limit = max_file_bytes()
    work = Path(tempfile.mkdtemp(prefix=f"in-{uuid.uuid4().hex[:8]}-", dir=folder))
    path = work / name
    size = 0
    try:
        with open(path, "wb") as out:
            while chunk := await upload.read(READ_STEP):
                size += len(chunk)
                if size > limit:
                    raise too_large(size)
                out.write(chunk)
        if size == 0:
            raise ApiError(400, "empty_file", f"{name}: empty file")
        await run_in_threadpool(check_text, path)
    except BaseException:
        discard(path)
        raise
    return path


def check_text(path: Path) -> None:
    """The loader reads the file as `rag ingest` would (decoding, binary and empty checks)."""
    try:
        load_document(path)
    except InputError as e:
        status, error = (400, "empty_file") if "empty" in e.reason else (422, "unreadable")
        raise ApiError(status, error, f"{path.name}: {e.reason}") from None


def discard(path: Path) -> None:
    """Remove a received file and its private folder."""
    shutil.rmtree(path.parent, ignore_errors=True)


def incoming(db_uploads: Path) -> Path:
    folder = db_uploads / ".incoming"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise ApiError(503, "read_only", f"uploads need a writable index folder: {db_uploads.parent} "
                                         f"({(e.strerror or str(e)).lower()})") from None
    return folder


UPLOAD_PATHS = ("/api/documents", "/api/extract")
FORM_OVERHEAD = 64 * 1024  # multipart boundaries and headers around the file


class UploadLimit:
    """ASGI middleware: an upload whose Content-Length is already over RAG_MAX_FILE_MB is 413
    before its body is read (the checks in `receive` still count the bytes of the file itself)."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http" and scope.get("method") == "POST" and scope.get("path") in UPLOAD_PATHS:
            length = next((v for n, v in scope.get("headers", []) if n == b"content-length"), b"")
            if length.isdigit() and int(length) > max_file_bytes() + FORM_OVERHEAD:
                from .errors import error_response

                e = too_large(int(length))
                return await error_response(e.status, e.error, e.detail)(scope, receive, send)
        await self.app(scope, receive, send)


def place(received: Path, uploads: Path) -> tuple[Path, Path | None]:
    """Move a received file to <db>/uploads/<name>; a file already there is kept aside (restored
    when the ingest fails). Returns (final path, the old file kept aside or None)."""
    final = uploads / received.name
    kept = None
    if final.exists():
        kept = uploads / ".incoming" / f"previous-{uuid.uuid4().hex[:8]}-{received.name}"
        os.replace(final, kept)
    os.replace(received, final)
    discard(received)
    return final, kept
