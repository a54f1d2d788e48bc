"""A real `rag serve` process on a free loopback port, with a token: the API over HTTP, the
refusals at start-up, and a log without the token or a traceback."""
from __future__ import annotations

import csv
import io
import json
import socket
import subprocess

import pytest

from support_chroma import BIN, SEED_000
from support_serve import (ARTICLE, QUESTION, call, call_json, copy_served, rag_serve, server_env, upload,
                           wait_job)

TOKEN = "process-test-token-7f3a"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """(base URL, db, log path) of one server for the module."""
    root = tmp_path_factory.mktemp("serve-process")
    db = copy_served(root / "db")
    log = root / "serve.log"
    with rag_serve(db, token=TOKEN, env=server_env(RAG_MAX_FILE_MB="0.05"), log_path=log) as base:
        yield base, db, log


def _get(base, path):
    status, body = call_json(base + path, token=TOKEN)
    assert status == 200, (path, body)
    return body


def test_requests_without_the_token_are_401(served):
    base, _, _ = served
    for path in ("/api/documents", "/api/clusters?format=csv", "/", "/docs", f"/api/documents/{SEED_000}"):
        status, headers, body = call(base + path)
        assert status == 401, path
        assert json.loads(body)["error"] == "unauthorized" and headers["www-authenticate"] == "Bearer"
    status, body = call_json(base + "/api/ask", "POST", {"question": QUESTION})
    assert status == 401 and body["error"] == "unauthorized"
    status, _, _ = call(base + "/api/documents", headers={"Authorization": "Bearer not-the-token"})
    assert status == 401
    status, _, body = call(base + "/api/documents", token=TOKEN)
    assert status == 200 and len(json.loads(body)) == 5


def test_ask_and_search_over_http(served):
    base, _, _ = served
    status, answer = call_json(base + "/api/ask", "POST", {"question": QUESTION, "engine": "offline"}, token=TOKEN)
    assert status == 200 and answer["engine"] == "offline" and len(answer["citations"]) == 5
    original = _get(base, f"/api/documents/{SEED_000}")["original"]
    assert all(original[c["start"]:c["end"]] == c["text"] for c in answer["citations"])
    hits = _get(base, "/api/search?q=%E8%B6%85%E7%A1%AC%E6%9D%90%E6%96%99&k=2")  # 超硬材料
    assert len(hits) == 2 and any("超硬材料" in h["text"] for h in hits)


def test_upload_job_searchable_then_deleted(served):
    base, db, _ = served
    status, job = upload(base, "wuhu_process.txt", ARTICLE.encode("utf-8"), token=TOKEN)
    assert status == 202 and job["status"] in ("queued", "running", "done")
    job = wait_job(lambda p: _get(base, p), job["id"])
    assert job["status"] == "done" and job["doc_id"] == "wuhu_process", job
    hits = _get(base, "/api/search?q=%E8%8A%9C%E6%B9%96%E5%B8%82%E6%9C%BA%E5%99%A8%E4%BA%BA&k=1")  # 芜湖市机器人
    assert hits[0]["doc_id"] == "wuhu_process"
    status, out = call_json(base + "/api/documents/wuhu_process", "DELETE", token=TOKEN)
    assert status == 200 and out["deleted"] == "wuhu_process"
    status, out = call_json(base + "/api/documents/wuhu_process", token=TOKEN)
    assert status == 404 and out["error"] == "not_found"
    hits = _get(base, "/api/search?q=%E8%8A%9C%E6%B9%96%E5%B8%82%E6%9C%BA%E5%99%A8%E4%BA%BA&k=5")
    assert all(h["doc_id"] != "wuhu_process" for h in hits)
    assert not (db / "uploads" / "wuhu_process.txt").exists()


def test_clusters_as_csv_and_xlsx(served):
    base, _, _ = served
    rows = _get(base, "/api/clusters?level=municipal")
    status, headers, body = call(base + "/api/clusters?level=municipal&format=csv", token=TOKEN)
    assert status == 200 and headers["content-type"].startswith("text/csv") and body.startswith(b"\xef\xbb\xbf")
    assert [r["name"] for r in csv.DictReader(io.StringIO(body.decode("utf-8-sig")))] == [r["name"] for r in rows]
    status, headers, body = call(base + "/api/clusters?level=municipal&format=xlsx", token=TOKEN)
    assert status == 200 and "attachment" in headers["content-disposition"]
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(body)).active
    assert [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)] == [r["name"] for r in rows]


@pytest.mark.parametrize("name, content, status, error", [
    ("empty.txt", b"", 400, "empty_file"),
    ("image.txt", bytes(range(256)) * 20, 422, "unreadable"),
    ("huge.txt", "产业集群。".encode("utf-8") * 20000, 413, "too_large"),  # 0.29 MB > RAG_MAX_FILE_MB=0.05
    ("sheet.xls", b"\xd0\xcf\x11\xe0" + b"\x00" * 64, 415, "unsupported_type"),
])
def test_bad_uploads_are_4xx_json(served, name, content, status, error):
    base, _, _ = served
    got, body = upload(base, name, content, token=TOKEN)
    assert (got, body["error"]) == (status, error), body
    assert set(body) == {"error", "detail"}
    assert name in body["detail"] if error != "too_large" else "0.05 MB limit" in body["detail"]


def test_the_log_has_neither_the_token_nor_a_traceback(served):
    base, _, log = served
    call(base + "/api/documents", headers={"Authorization": f"Bearer {TOKEN}x"})
    text = log.read_text()
    assert text.startswith("rag serve: http://127.0.0.1:") and "token required" in text
    assert TOKEN not in text and "Traceback" not in text


def _serve(*args, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "rag"), "serve", *args], capture_output=True, text=True, timeout=60,
                          env=env or server_env())


def test_another_address_without_a_token_does_not_start(tmp_path):
    r = _serve("--db", str(tmp_path / "db"), "--host", "0.0.0.0", "--port", "0")
    assert r.returncode == 1 and r.stdout == ""
    assert r.stderr.count("\n") == 1 and "--token" in r.stderr and "RAG_SERVE_TOKEN" in r.stderr, r.stderr
    assert not (tmp_path / "db").exists()  # refused before any work


def test_a_busy_port_and_a_bad_port_are_one_line(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        r = _serve("--db", str(tmp_path / "db"), "--port", str(port))
    assert r.returncode == 1 and r.stderr.count("\n") == 1 and f"127.0.0.1:{port}" in r.stderr, r.stderr
    assert "in use" in r.stderr
    r = _serve("--db", str(tmp_path / "db"), "--port", "70000")
    assert r.returncode == 1 and r.stderr.count("\n") == 1 and "--port" in r.stderr


def test_the_token_can_come_from_the_environment(tmp_path):
    db = copy_served(tmp_path / "db")
    with rag_serve(db, env=server_env(RAG_SERVE_TOKEN=TOKEN)) as base:
        assert call(base + "/api/lists")[0] == 401
        status, _, body = call(base + "/api/lists", token=TOKEN)
        assert status == 200 and json.loads(body)


def test_a_rag_ingest_beside_the_server_is_seen_as_the_command_sees_it(served, tmp_path):
    """Another process writes the index while the server runs: the server's search then ranks
    exactly as a fresh `rag search` does (its vectors included), and the server's own upload after
    that is seen by the command."""
    base, db, _ = served
    article = tmp_path / "ganzhou_beside.txt"
    article.write_text("赣州稀土新材料集群年营收再创新高\n来源：测试日报  2024-05-20\n\n记者从赣州市工业和信息化局获悉，"
                       "赣州稀土新材料及应用产业集群去年实现营业收入1200亿元。\n", encoding="utf-8")
    query = "赣州稀土新材料及应用产业集群营业收入"
    _get(base, "/api/search?q=%E9%9B%86%E7%BE%A4&k=3")  # the server has its vectors loaded before the write
    rag = [str(BIN / "rag")]
    assert subprocess.run(rag + ["ingest", str(article), "--db", str(db), "--no-progress"], capture_output=True,
                          env=server_env(), timeout=120).returncode == 0

    def cli_search(q: str) -> list:
        r = subprocess.run(rag + ["search", q, "-k", "5", "--json", "--db", str(db)], capture_output=True,
                           text=True, env=server_env(), timeout=120)
        return [(h["doc_id"], h["score"]) for h in json.loads(r.stdout)]

    from urllib.parse import quote

    served_hits = [(h["doc_id"], h["score"]) for h in _get(base, f"/api/search?k=5&q={quote(query)}")]
    assert served_hits == cli_search(query) and served_hits[0][0] == "ganzhou_beside"
    status, job = upload(base, "wuhu_beside.txt", ARTICLE.encode("utf-8"), token=TOKEN)
    assert wait_job(lambda p: _get(base, p), job["id"])["status"] == "done"
    assert cli_search("芜湖市机器人及智能装备产业集群")[0][0] == "wuhu_beside"
    for doc in ("ganzhou_beside", "wuhu_beside"):
        assert call_json(base + f"/api/documents/{doc}", "DELETE", token=TOKEN)[0] == 200
