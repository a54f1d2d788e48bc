"""Every error the API returns is JSON `{error, detail}` with a 4xx/5xx status, never a traceback."""
from __future__ import annotations

import logging
import sqlite3

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..errors import ConfigError, InputError, RagError, one_line

log = logging.getLogger("rag.serve")

_HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
               405: "method_not_allowed", 409: "conflict", 413: "too_large", 415: "unsupported_type",
               422: "invalid_request", 500: "internal", 503: "unavailable"}


class ApiError(Exception):
    def __init__(self, status: int, error: str, detail: str) -> None:
        super().__init__(detail)
        self.status, self.error, self.detail = status, error, detail


def error_response(status: int, error: str, detail: str, headers: dict | None = None) -> JSONResponse:
    return JSONResponse({"error": error, "detail": detail}, status_code=status, headers=headers)


def from_rag_error(e: RagError) -> ApiError:
    """A RagError raised by the core as the API's error: unknown ids are 404, bad input 400."""
    if isinstance(e, InputError):
        if e.reason == "no such document in the index":
            return ApiError(404, "not_found", f"no document {e.path!r} in the index")
        return ApiError(400, "bad_input", str(e))
    if isinstance(e, ConfigError):
        return ApiError(503 if "being written" in str(e) else 400, "config", str(e))
    return ApiError(400, "bad_input", str(e))


def _validation_detail(e: RequestValidationError) -> str:
    parts = []
    for err in e.errors()[:3]:
        where = ".".join(str(x) for x in err.get("loc", ()) if x not in ("body", "query", "path"))
        parts.append(f"{where or 'request'}: {err.get('msg', 'invalid')}")
    return "; ".join(parts) or "invalid request"


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api(request: Request, e: ApiError):
        return error_response(e.status, e.error, e.detail)

    @app.exception_handler(RagError)
    async def _rag(request: Request, e: RagError):
        a = from_rag_error(e)
        return error_response(a.status, a.error, a.detail)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, e: RequestValidationError):
        return error_response(422, "invalid_request", _validation_detail(e))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, e: StarletteHTTPException):
        detail = e.detail if isinstance(e.detail, str) else "error"
        return error_response(e.status_code, _HTTP_CODES.get(e.status_code, "error"), detail,
                              headers=getattr(e, "headers", None))

    @app.exception_handler(sqlite3.Error)
    async def _store(request: Request, e: sqlite3.Error):
        from ..index import store_error

        return error_response(503, "store", str(store_error(request.app.state.store.settings.db, e)))



class CatchAll:
    """ASGI middleware: a bug in an endpoint is a JSON 500 and one log line, not a traceback."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = False

        async def watch(message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as e:  # noqa: BLE001  (the point: nothing escapes as a traceback)
            log.error("%s %s failed: %s", scope.get("method"), scope.get("path"), one_line(e))
            if not started:
                await error_response(500, "internal", one_line(e))(scope, receive, send)
