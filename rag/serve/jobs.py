"""Uploads are ingested in the background, one after another, by one worker thread; each has a
job that `GET /api/jobs/{id}` reports (queued → running → done | failed)."""
from __future__ import annotations

import logging
import os
import queue
import threading
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Optional

from ..errors import RagError, one_line
from . import uploads
from .state import Store

log = logging.getLogger("rag.serve")
KEEP_JOBS = 500  # finished jobs remembered (oldest forgotten first)


@dataclass
class Job:
    id: str
    filename: str
    status: str = "queued"  # queued, running, done, failed
    stage: str = "排队中"
    doc_id: Optional[str] = None
    detail: Optional[str] = None
    chunks: int = 0
    created: float = field(default_factory=time.time)
    finished: Optional[float] = None

    def public(self) -> dict:
        return asdict(self)


class Jobs:
    def __init__(self, store: Store) -> None:
        self.store = store
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._queue: "queue.Queue[tuple[Job, Path] | None]" = queue.Queue()
        self._thread: Optional[threading.Thread] = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="rag-serve-ingest", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout)
            self._thread = None

    def submit(self, received: Path) -> Job:
        job = Job(id=uuid.uuid4().hex[:16], filename=received.name)
        with self._lock:
            self._jobs[job.id] = job
            done = [j for j in self._jobs.values() if j.finished]
            for old in sorted(done, key=lambda j: j.finished)[:max(0, len(self._jobs) - KEEP_JOBS)]:
                del self._jobs[old.id]
        self._queue.put((job, received))
        return job

    def get(self, job_id: str) -> Optional[Job]:
        with self._lock:
            return self._jobs.get(job_id)

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            job, received = item
            try:
                self._ingest(job, received)
            except RagError as e:
                self._finish(job, "failed", str(e))
            except Exception as e:  # noqa: BLE001  (a bug: the job says so, the worker goes on)
                log.error("ingest job %s failed: %s", job.id, one_line(e))
                self._finish(job, "failed", one_line(e))
            finally:
                uploads.discard(received)

    def _ingest(self, job: Job, received: Path) -> None:
        from ..api import offline_extract

        job.status, job.stage = "running", "等待写入"
        with self.store.writing() as index:
            job.stage = "索引中"
            final, kept = uploads.place(received, self.store.uploads)
            try:
                summary = index.ingest([final], progress=False, extract=offline_extract())
            except BaseException:
                _restore(final, kept)
                raise
            if summary.documents == 0 and summary.unchanged == 0:
                _restore(final, kept)
                reason = summary.errors[0][1] if summary.errors else "not indexed"
                return self._finish(job, "failed", f"{received.name}: {reason}")
            if kept:
                kept.unlink(missing_ok=True)
        job.doc_id = summary.ids.get(str(final)) or next(iter(summary.ids.values()), None)
        job.chunks = summary.chunks
        note = "; ".join(r for _, r in summary.errors) or None  # e.g. indexed, but extraction failed
        self._finish(job, "done", note or ("unchanged: already indexed" if summary.unchanged else None))

    def _finish(self, job: Job, status: str, detail: Optional[str]) -> None:
        job.detail = detail
        job.stage = {"done": "完成", "failed": "失败"}[status]
        job.finished = time.time()
        job.status = status


def _restore(final: Path, kept: Optional[Path]) -> None:
    """Undo `uploads.place` after a failed ingest: the earlier file back, or none."""
    if kept is not None:
        os.replace(kept, final)
    else:
        final.unlink(missing_ok=True)
