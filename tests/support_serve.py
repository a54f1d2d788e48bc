"""Helpers for the `rag serve` tests: the seeds indexed with their cluster records (once per
session, copied per test module), a real `rag serve` process on a free loopback port, and small
HTTP calls with the standard library."""
from __future__ import annotations

import atexit
import contextlib
import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Iterator, Optional

from support_chroma import BIN, SEEDS, free_port, settings_for

QUESTION = "郑州市首批市级战略性新兴产业集群有哪些？"
ARTICLE = ("芜湖市机器人产业集群入选国家先进制造业集群名单\n来源：测试日报  2024-05-20\n\n"
           "近日，工业和信息化部公布2024年度国家先进制造业集群名单，芜湖市机器人及智能装备产业集群成功入选。\n\n"
           "该集群集聚机器人整机及核心零部件企业217家，2023年产值突破800亿元，带动就业3.2万人。\n")

_BUILT: dict[str, Path] = {}


def served_db() -> Path:
    """The five seeds indexed as `rag ingest` does (cluster records and lists stored). Copy it
    (`copy_served`) before writing."""
    if "db" not in _BUILT:
        from rag.index import Index
        from rag.api import offline_extract

        root = Path(tempfile.mkdtemp(prefix="jiqun-served-"))
        atexit.register(shutil.rmtree, root, True)
        db = root / "db"
        with Index.open(settings_for(db)) as index:
            summary = index.ingest([SEEDS], progress=False, extract=offline_extract())
        assert summary.failed == 0 and summary.documents == 5, summary
        _BUILT["db"] = db
    return _BUILT["db"]


def copy_served(dest: Path) -> Path:
    shutil.copytree(served_db(), dest)
    return dest


def server_env(**extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RAG_", "OPENAI_"))}
    env.update(extra)
    return env


@contextlib.contextmanager
def rag_serve(db: Path, token: Optional[str] = None, env: Optional[dict] = None,
              log_path: Optional[Path] = None) -> Iterator[str]:
    """`rag serve` on a free loopback port until the block ends; yields its base URL. Its log
    (stderr and stdout) goes to `log_path` (a file: an unread pipe would block the server)."""
    port = free_port()
    cmd = [str(BIN / "rag"), "serve", "--db", str(db), "--port", str(port)] + (["--token", token] if token else [])
    log_path = log_path or Path(tempfile.mkdtemp(prefix="jiqun-serve-log-")) / "serve.log"
    with open(log_path, "w+") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, text=True, env=env or server_env())
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_up(base, proc, log_path, token)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _wait_up(base: str, proc: subprocess.Popen, log_path: Path, token: Optional[str], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"rag serve exited with {proc.returncode}: {log_path.read_text()[-2000:]!r}")
        try:
            status, _, _ = call(base + "/api/documents", token=token, timeout=2)
            if status in (200, 401):  # up (401: a token the caller does not send)
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"rag serve at {base} did not come up in {seconds} s")


def call(url: str, method: str = "GET", body: Optional[bytes] = None, headers: Optional[dict] = None,
         token: Optional[str] = None, timeout: float = 60) -> tuple[int, dict, bytes]:
    """(status, headers, body) of one HTTP request; 4xx/5xx are returned, not raised."""
    headers = dict(headers or {})
    if token:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def call_json(url: str, method: str = "GET", payload=None, token: Optional[str] = None):
    body = json.dumps(payload).encode("utf-8") if payload is not None else None
    status, _, data = call(url, method, body, {"Content-Type": "application/json"} if body else None, token)
    return status, json.loads(data)


def multipart(filename: str, content: bytes, fields: Optional[dict] = None) -> tuple[bytes, dict]:
    """A multipart/form-data body with one file in field 'file'."""
    boundary = uuid.uuid4().hex
    parts = []
    for k, v in (fields or {}).items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode())
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
                 "Content-Type: application/octet-stream\r\n\r\n".encode("utf-8") + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), {"Content-Type": f"multipart/form-data; boundary={boundary}"}


def upload(base: str, filename: str, content: bytes, token: Optional[str] = None, path: str = "/api/documents"):
    body, headers = multipart(filename, content)
    status, _, data = call(base + path, "POST", body, headers, token)
    return status, json.loads(data)


def wait_job(get_json, job_id: str, seconds: float = 120) -> dict:
    """Poll a job (through `get_json(path) -> dict`) until it is done or failed."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job = get_json(f"/api/jobs/{job_id}")
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} still {job['status']} after {seconds} s")
