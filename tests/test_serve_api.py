"""The `rag serve` API through FastAPI's TestClient, on a real index (real Chroma, the seeds)."""
from __future__ import annotations

import csv
import io
import json
import threading
from argparse import Namespace

import pytest
from fastapi.testclient import TestClient

from rag.cli import main
from rag.index import Index
from rag.qa.cli import ask_command
from rag.serve.app import create_app
from support_chroma import SEED_000, SEED_002, settings_for
from support_serve import ARTICLE, QUESTION, copy_served, wait_job

TOKEN = "s3cret-token-for-tests"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    for name in ("RAG_DB", "RAG_CHROMA_URL", "RAG_EMBEDDINGS", "RAG_MAX_FILE_MB", "RAG_ENGINE", "RAG_SERVE_TOKEN",
                 "OPENAI_API_KEY", "OPENAI_BASE_URL", "RAG_LLM_BASE_URL", "RAG_LLM_API_KEY"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return copy_served(tmp_path_factory.mktemp("serve-api") / "db")


@pytest.fixture(scope="module")
def client(db):
    with TestClient(create_app(settings_for(db))) as c:
        yield c


def _error(response, status: int) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error", "detail"} and body["detail"], body
    assert "Traceback" not in response.text
    return body


def _upload(client, name: str, content: bytes, path: str = "/api/documents", **data):
    return client.post(path, files={"file": (name, content, "application/octet-stream")}, data=data)


def _ingested(client, name: str, content: bytes) -> dict:
    r = _upload(client, name, content)
    assert r.status_code == 202, r.text
    return wait_job(lambda p: client.get(p).json(), r.json()["id"])


# --- ask and search ----------------------------------------------------------------------

def test_ask_returns_the_answer_record_of_rag_ask_json(client, db, capsys):
    r = client.post("/api/ask", json={"question": QUESTION})
    assert r.status_code == 200, r.text
    got = r.json()
    out = io.StringIO()
    args = Namespace(question=QUESTION, file=None, engine="offline", k=6, doc=None, json=True, no_stream=True)
    ask_command(args, settings_for(db), out=out)
    cli = json.loads(out.getvalue())
    for record in (got, cli):
        record["usage"].pop("seconds")
    assert got == cli
    assert got["found"] and len(got["citations"]) == 5 and "巩义市铝基新材料" in got["answer"]
    original = client.get(f"/api/documents/{SEED_000}").json()["original"]
    for c in got["citations"]:
        assert original[c["start"]:c["end"]] == c["text"]


def test_ask_refuses_bad_questions_with_json_errors(client):
    assert _error(client.post("/api/ask", json={"question": "   "}), 400)["error"] == "bad_input"
    assert _error(client.post("/api/ask", json={}), 422)["error"] == "invalid_request"
    assert _error(client.post("/api/ask", json={"question": QUESTION, "k": 0}), 422)["detail"].startswith("k:")
    assert _error(client.post("/api/ask", json={"question": QUESTION, "engine": "magic"}), 422)
    assert _error(client.post("/api/ask", content=b"{not json", headers={"Content-Type": "application/json"}), 422)
    body = _error(client.post("/api/ask", json={"question": QUESTION, "engine": "llm"}), 400)
    assert "endpoint" in body["detail"]
    assert _error(client.post("/api/ask", json={"question": QUESTION, "doc_ids": ["nope"]}), 404)


def test_search_matches_rag_search_and_filters_dates(client, db, capsys):
    r = client.get("/api/search", params={"q": "超硬材料", "k": 3})
    assert r.status_code == 200
    hits = r.json()
    assert len(hits) == 3 and any("超硬材料" in h["text"] for h in hits)
    assert set(hits[0]) == {"doc_id", "chunk", "score", "start", "end", "text", "snippet", "title", "date"}
    assert main(["search", "超硬材料", "-k", "3", "--json", "--db", str(db)]) == 0
    assert json.loads(capsys.readouterr().out) == hits
    with Index.open(settings_for(db), create=False) as index:
        for h in hits:
            assert index.original(h["doc_id"])[h["start"]:h["end"]] == h["text"]
    dated = client.get("/api/search", params={"q": "产业集群", "k": 10, "from": "2025", "to": "2025-12"}).json()
    assert dated and all(h["date"].startswith("2025") for h in dated)
    assert _error(client.get("/api/search", params={"q": "集群", "from": "2024-13"}), 400)["error"] == "bad_input"
    assert _error(client.get("/api/search"), 422)
    assert _error(client.get("/api/search", params={"q": "？？"}), 400)


# --- documents ------------------------------------------------------------------------------

def test_documents_list_and_one_document_with_its_original_text(client, db):
    docs = client.get("/api/documents").json()
    assert [d["doc_id"] for d in docs][:5] == sorted(d["doc_id"] for d in docs)[:5]
    seed = next(d for d in docs if d["doc_id"] == SEED_000)
    assert seed["title"].startswith("培育") and seed["chunks"] > 0 and seed["clusters"] == 5
    one = client.get(f"/api/documents/{SEED_000}").json()
    with Index.open(settings_for(db), create=False) as index:
        assert one["original"] == index.original(SEED_000)
    assert "戰(zhàn)略" in one["original"]  # as written: spans point into the original
    assert _error(client.get("/api/documents/no-such-doc"), 404)["error"] == "not_found"
    assert _error(client.delete("/api/documents/no-such-doc"), 404)


def test_upload_job_search_then_delete(client, db):
    job = _ingested(client, "wuhu_serve.txt", ARTICLE.encode("gb18030"))
    assert job["status"] == "done" and job["doc_id"] == "wuhu_serve" and job["chunks"] >= 1, job
    hits = client.get("/api/search", params={"q": "芜湖市机器人及智能装备产业集群", "k": 1}).json()
    assert hits[0]["doc_id"] == "wuhu_serve"
    names = [r["name"] for r in client.get("/api/clusters", params={"q": "芜湖"}).json()]
    assert any("芜湖市机器人" in n for n in names)
    answer = client.post("/api/ask", json={"question": "芜湖机器人集群有多少家企业？"}).json()
    assert "217" in answer["answer"], answer
    stored = db / "uploads" / "wuhu_serve.txt"
    assert stored.is_file()

    r = client.delete("/api/documents/wuhu_serve")
    assert r.status_code == 200 and r.json()["deleted"] == "wuhu_serve" and r.json()["chunks"] == job["chunks"]
    assert not stored.exists()
    assert "wuhu_serve" not in [d["doc_id"] for d in client.get("/api/documents").json()]
    hits = client.get("/api/search", params={"q": "芜湖市机器人及智能装备产业集群", "k": 5}).json()
    assert all(h["doc_id"] != "wuhu_serve" for h in hits)
    assert not client.get("/api/clusters", params={"q": "芜湖"}).json()
    with Index.open(settings_for(db), create=False) as index:
        assert not index.chunks("wuhu_serve")
        assert not [i for i in index._vectors().get()["ids"] if i.startswith("wuhu_serve#")]


def test_reupload_replaces_and_a_failed_one_keeps_the_document(client, db):
    first = _ingested(client, "replace_me.txt", ARTICLE.encode("utf-8"))
    assert first["status"] == "done"
    again = _ingested(client, "replace_me.txt", ARTICLE.encode("utf-8"))
    assert again["status"] == "done" and again["detail"] == "unchanged: already indexed"
    changed = ARTICLE.replace("217家", "305家")
    assert _ingested(client, "replace_me.txt", changed.encode("utf-8"))["status"] == "done"
    assert "305家" in client.get("/api/documents/replace_me").json()["original"]
    # only navigation: the loader reads it, the ingest refuses it; the earlier version stays
    nav = "\n".join(["首页", "新闻", "政务", "服务", "互动", "关于我们"] * 3).encode("utf-8")
    failed = _ingested(client, "replace_me.txt", nav)
    assert failed["status"] == "failed" and "no article text" in failed["detail"], failed
    assert "305家" in client.get("/api/documents/replace_me").json()["original"]
    assert (db / "uploads" / "replace_me.txt").read_text(encoding="utf-8") == changed
    assert client.delete("/api/documents/replace_me").status_code == 200


@pytest.mark.parametrize("name, content, status, error", [
    ("empty.txt", b"", 400, "empty_file"),
    ("blank.md", b"  \n\n ", 400, "empty_file"),
    ("scan.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00" * 50, 422, "unreadable"),
    ("table.xlsx", b"PK\x03\x04" + b"\x00" * 100, 415, "unsupported_type"),
    ("run.exe", b"MZ\x90\x00", 415, "unsupported_type"),
    ("noext", "集群".encode(), 415, "unsupported_type"),
    (".hidden.txt", "集群".encode(), 400, "bad_name"),
])
def test_bad_uploads_are_4xx_json(client, db, name, content, status, error):
    before = sorted(p.name for p in (db / "uploads").rglob("*"))
    for path in ("/api/documents", "/api/extract"):
        assert _error(_upload(client, name, content, path), status)["error"] == error
    assert sorted(p.name for p in (db / "uploads").rglob("*")) == before  # nothing left behind


def test_too_large_upload_is_413(client, monkeypatch):
    monkeypatch.setenv("RAG_MAX_FILE_MB", "0.01")
    body = _error(_upload(client, "big.txt", ("产业集群" * 4000).encode("utf-8")), 413)
    assert body["error"] == "too_large" and "0.01 MB limit" in body["detail"]
    assert _upload(client, "small.txt", ARTICLE.encode("utf-8"), "/api/extract").status_code == 200
    # a declared length over the limit is refused before the body is read
    r = client.post("/api/documents", content=b"x" * 100, headers={"Content-Length": str(50 * 1048576),
                                                                   "Content-Type": "multipart/form-data; boundary=b"})
    assert _error(r, 413)["error"] == "too_large"


def test_upload_without_a_file_field(client):
    assert _error(client.post("/api/documents", data={"x": "1"}), 400)["error"] == "no_file"
    assert _error(client.get("/api/jobs/nope"), 404)["error"] == "not_found"


# --- clusters, lists, extract ----------------------------------------------------------------

def test_clusters_json_filters_and_exports(client):
    rows = client.get("/api/clusters").json()
    assert len(rows) >= 20 and {"name", "province", "level", "program", "evidence", "doc_ids"} <= set(rows[0])
    shandong = client.get("/api/clusters", params={"province": "山东"}).json()
    assert shandong and len(shandong) < len(rows) and all(r["province"] == "山东省" for r in shandong)
    municipal = client.get("/api/clusters", params={"level": "municipal"}).json()
    assert len(municipal) == 5 and all(r["level"] == "municipal" for r in municipal)
    program = client.get("/api/clusters", params={"program": "先进制造业"}).json()
    assert program and all("先进制造业" in r["program"] for r in program)
    assert _error(client.get("/api/clusters", params={"format": "pdf"}), 422)

    r = client.get("/api/clusters", params={"province": "山东", "format": "csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert r.content.startswith(b"\xef\xbb\xbf")
    table = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert [t["name"] for t in table] == [s["name"] for s in shandong]

    from openpyxl import load_workbook

    r = client.get("/api/clusters", params={"level": "municipal", "format": "xlsx"})
    assert r.status_code == 200 and "spreadsheetml" in r.headers["content-type"]
    sheet = load_workbook(io.BytesIO(r.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "name" and [v[0] for v in values[1:]] == [m["name"] for m in municipal]
    zh = client.get("/api/clusters", params={"level": "municipal", "format": "csv", "labels": "zh"})
    table = list(csv.DictReader(io.StringIO(zh.content.decode("utf-8-sig"))))
    assert len(table) == 5 and {t["级别"] for t in table} == {"市级"} and table[0]["集群名称"] == municipal[0]["name"]


def test_lists_are_the_stored_lists(client, db):
    lists = client.get("/api/lists").json()
    with Index.open(settings_for(db), create=False) as index:
        assert lists == [r.model_dump(mode="json") for r in index.lists()]
    zz = client.get("/api/lists", params={"doc": SEED_000}).json()
    assert len(zz) == 1 and zz[0]["stated_count"] == 5 and len(zz[0]["members"]) == 5


def test_extract_one_uploaded_file(client):
    r = _upload(client, "wuhu_extract.txt", ARTICLE.encode("utf-8"), "/api/extract", engine="offline")
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["engine"] == "offline" and out["doc_id"] == "wuhu_extract"
    names = [x["name"] for x in out["records"]]
    assert "芜湖市机器人及智能装备产业集群" in names
    for x in out["records"]:
        ev = x["evidence"]
        assert ARTICLE[ev["start"]:ev["end"]] == ev["text"]
    assert "wuhu_extract" not in [d["doc_id"] for d in client.get("/api/documents").json()]  # not indexed
    assert _error(_upload(client, "a.txt", ARTICLE.encode(), "/api/extract", engine="llm"), 400)


# --- the page, the API docs, errors -----------------------------------------------------------

def test_page_and_openapi_are_served_without_a_cdn(client):
    page = client.get("/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "问答" in page.text and 'src="/static/app.js"' in page.text
    for asset in ("/static/app.js", "/static/app.css"):
        r = client.get(asset)
        assert r.status_code == 200 and "http://" not in r.text and "https://" not in r.text
    assert "http" not in page.text.replace('href="/', "")
    spec = client.get("/openapi.json").json()
    for path in ("/api/ask", "/api/search", "/api/documents", "/api/documents/{doc_id}", "/api/jobs/{job_id}",
                 "/api/clusters", "/api/lists", "/api/extract"):
        assert path in spec["paths"], path
    assert client.get("/docs").status_code == 200
    assert _error(client.get("/api/nothing-here"), 404)["error"] == "not_found"
    assert _error(client.put("/api/documents"), 405)


def test_a_bug_is_a_json_500_without_traceback(db, monkeypatch):
    import rag.serve.routes.corpus as corpus

    def broken(records):
        raise RuntimeError("table builder broke")

    monkeypatch.setattr(corpus, "build_cluster_table", broken)
    with TestClient(create_app(settings_for(db)), raise_server_exceptions=False) as c:
        body = _error(c.get("/api/clusters"), 500)
    assert body == {"error": "internal", "detail": "RuntimeError: table builder broke"}


def test_an_empty_index_answers_409_and_lists_nothing(tmp_path):
    with TestClient(create_app(settings_for(tmp_path / "new"))) as c:
        assert c.get("/api/documents").json() == []
        assert c.get("/api/clusters").json() == [] and c.get("/api/lists").json() == []
        assert c.get("/api/search", params={"q": "集群"}).json() == []
        assert _error(c.post("/api/ask", json={"question": QUESTION}), 409)["error"] == "empty_index"
        job = _ingested(c, "first.txt", ARTICLE.encode("utf-8"))
        assert job["status"] == "done"
        assert c.post("/api/ask", json={"question": "芜湖机器人集群有多少家企业？"}).json()["found"]


# --- the token ----------------------------------------------------------------------------------

def test_token_is_required_on_every_request(db):
    with TestClient(create_app(settings_for(db), token=TOKEN)) as c:
        for method, path in [("GET", "/api/documents"), ("POST", "/api/ask"), ("GET", "/"), ("GET", "/static/app.js"),
                             ("GET", "/openapi.json"), ("GET", "/docs"), ("DELETE", f"/api/documents/{SEED_000}")]:
            r = c.request(method, path)
            assert r.status_code == 401, (method, path)
            assert r.json()["error"] == "unauthorized" and r.headers["www-authenticate"] == "Bearer"
            assert TOKEN not in r.text
        assert c.get("/api/documents", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert c.get("/api/documents", headers={"Authorization": f"Basic {TOKEN}"}).status_code == 401
        ok = c.get("/api/documents", headers={"Authorization": f"Bearer {TOKEN}"})
        assert ok.status_code == 200 and len(ok.json()) == 5
        # a browser: the page load gets the sign-in form (still 401), which sets the cookie
        page = c.get("/", headers={"Accept": "text/html"})
        assert page.status_code == 401 and "令牌" in page.text and TOKEN not in page.text
        c.cookies.set("rag_token", TOKEN)
        assert c.get("/").status_code == 200 and c.get("/api/lists").status_code == 200
        c.cookies.set("rag_token", "nope")
        assert c.get("/api/lists").status_code == 401
    assert (db / "store.sqlite3").is_file()


# --- concurrency --------------------------------------------------------------------------------

def test_readers_never_see_a_half_ingested_document(client, db):
    """Questions and searches run while uploads are ingested: every hit is a whole document
    (its chunks, its original, its cluster records), and writers queue one after another."""
    paragraphs = [f"第{i}段：芜湖市机器人及智能装备产业集群在第{i}个园区新增企业{i}家，产值增长{i}亿元。" * 6 for i in range(1, 13)]
    big = ("芜湖集群园区报告\n来源：测试日报  2024-06-01\n\n" + "\n\n".join(paragraphs)).encode("utf-8")
    jobs = [_upload(client, f"park_{n}.txt", big.replace("报告".encode(), f"报告{n}".encode())).json()["id"]
            for n in range(2)]
    problems: list[str] = []
    reads: list[bool] = []  # one entry per search, True when it ran while a job was still running
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            running = any(client.get(f"/api/jobs/{j}").json()["status"] != "done" for j in jobs)
            reads.append(running)
            r = client.get("/api/search", params={"q": "第12个园区新增企业", "k": 5})
            if r.status_code != 200:
                problems.append(r.text)
                continue
            for h in r.json():
                if h["doc_id"].startswith("park_"):
                    d = client.get(f"/api/documents/{h['doc_id']}").json()
                    if d["original"][h["start"]:h["end"]] != h["text"] or d["chunks"] < 12:
                        problems.append(f"partial {h['doc_id']}: {d['chunks']} chunks")
            a = client.post("/api/ask", json={"question": "芜湖集群第12个园区新增企业多少家？"})
            if a.status_code != 200:
                problems.append(a.text)

    readers = [threading.Thread(target=read) for _ in range(2)]
    for t in readers:
        t.start()
    try:
        done = [wait_job(lambda p: client.get(p).json(), j) for j in jobs]
    finally:
        stop.set()
        for t in readers:
            t.join(60)
    assert [j["status"] for j in done] == ["done"] * 2, done
    finished = sorted((j["created"], j["finished"]) for j in done)
    assert problems == []
    assert sum(reads) >= 3, reads  # the readers really ran alongside the writes
    docs = {d["doc_id"]: d for d in client.get("/api/documents").json()}
    assert all(docs[f"park_{n}"]["chunks"] >= 12 for n in range(2))
    assert finished[0][1] <= finished[1][1]
    for n in range(2):
        assert client.delete(f"/api/documents/park_{n}").status_code == 200


def test_a_word_file_is_uploaded_searched_and_cited(client, tmp_path):
    from docx import Document as Word

    word = Word()
    for paragraph in ARTICLE.strip().split("\n\n"):
        word.add_paragraph(paragraph)
    path = tmp_path / "wuhu_word.docx"
    word.save(path)
    job = _ingested(client, path.name, path.read_bytes())
    assert job["status"] == "done" and job["doc_id"] == "wuhu_word", job
    original = client.get("/api/documents/wuhu_word").json()["original"]
    assert "芜湖市机器人及智能装备产业集群成功入选" in original
    answer = client.post("/api/ask", json={"question": "芜湖机器人集群有多少家企业？", "doc_ids": ["wuhu_word"]}).json()
    assert "217" in answer["answer"] and answer["citations"]
    assert all(original[c["start"]:c["end"]] == c["text"] for c in answer["citations"])
    assert client.delete("/api/documents/wuhu_word").status_code == 200
