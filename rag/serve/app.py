"""The FastAPI application: the JSON API under /api (OpenAPI page at /docs), the page at /."""
from __future__ import annotations

import contextlib
from importlib import resources
from typing import Optional

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from .. import __version__
from ..config import Settings
from . import errors
from .auth import TokenAuth
from .jobs import Jobs
from .routes import ask, corpus, documents
from .state import Store
from .uploads import UploadLimit

STATIC = resources.files("rag.serve") / "static"


def create_app(settings: Settings, token: Optional[str] = None) -> FastAPI:
    """The app for the index in settings.db; with `token`, every request must present it."""
    store = Store(settings)
    store.prepare()
    jobs = Jobs(store)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        jobs.start()
        try:
            yield
        finally:
            jobs.stop()
            store.close()

    app = FastAPI(title="jiqun (集群)", version=__version__, lifespan=lifespan,
                  description="Questions with exact citations, the cluster table and the lists of Chinese "
                              "industrial-cluster articles. Errors are JSON {error, detail}.")
    app.state.store, app.state.jobs = store, jobs
    errors.install(app)
    for router in (ask.router, documents.router, corpus.router):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")

    @app.get("/", include_in_schema=False)
    def page():
        return FileResponse(str(STATIC / "index.html"), media_type="text/html; charset=utf-8")

    app.add_middleware(UploadLimit)
    app.add_middleware(errors.CatchAll)
    if token:
        app.add_middleware(TokenAuth, token=token)  # added last: runs first
    return app
