"""API keys must never leak: a real loopback server that answers 401 with the key it was sent
echoed in the body (as OpenAI does: "Incorrect API key provided: sk-..."), keys inside URLs
(user:password@host, ?api_key=), a successful run through the real local LLM that fills the reply
cache. Every stdout, stderr, cache file, index file, output and report is searched for the keys."""
from __future__ import annotations

import json
import secrets as random_secrets
import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from common import KNOWN_DOC, ROOT, clean_env, rag


class EchoingServer:
    """Answers every request with HTTP 401 and a body that repeats the credentials it was sent."""

    def __init__(self) -> None:
        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                shown = f"{self.headers.get('Authorization', '')} {self.path}"
                body = json.dumps({"error": {"message": f"Incorrect API key provided: {shown}. You can find your API "
                                                        "key at https://platform.openai.com/account/api-keys.",
                                             "type": "invalid_request_error", "code": "invalid_api_key"}}).encode()
                self.send_response(401)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer

            def log_message(self, *a):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.port = self.httpd.server_address[1]

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _files(paths) -> list[Path]:
    out = []
    for p in paths:
        p = Path(p)
        if p.is_file():
            out.append(p)
        elif p.is_dir():
            out += [f for f in p.rglob("*") if f.is_file()]
    return out


def _tiny_gold(work: Path) -> Path:
    """A one-article gold folder: eval writes its reports in seconds."""
    from support_evaluate import gold_cluster, question, write_gold

    text = "芜湖市机器人产业集群入选国家先进制造业集群名单。\n该集群2023年产值突破800亿元。\n"
    return write_gold(work / "tiny", {"wuhu.txt": text},
                      [gold_cluster("wuhu", "芜湖市机器人产业集群", "芜湖市机器人产业集群")],
                      [question("q1", "芜湖市机器人产业集群2023年产值多少？", "numeric", answers=[["800亿元"]],
                                doc_ids=["wuhu"], evidence=[("wuhu", "2023年产值突破800亿元")])])


def run(work: Path, seeded: Path, log, llm_url: str | None = None, full: bool = False) -> dict:
    key = "sk-jiqun-" + random_secrets.token_hex(16)
    password = "pw-jiqun-" + random_secrets.token_hex(8)
    needles = [key, password, key[-12:], password[-8:]]
    echo = EchoingServer()
    cache, reports, outs = work / "llm-cache", work / "reports", work / "outs"
    outs.mkdir(parents=True)
    db = work / "db"
    shutil.copytree(seeded, db)
    seed = ROOT / "seeds" / f"{KNOWN_DOC}.txt"
    base = f"http://127.0.0.1:{echo.port}/v1"
    keyed_url = f"http://user:{password}@127.0.0.1:{echo.port}/v1?api_key={key}"
    runs = [
        ("ask, 401 echoing the key", ["ask", "郑州有哪些集群？", "--db", db, "--engine", "llm"],
         {"OPENAI_API_KEY": key, "OPENAI_BASE_URL": base}),
        ("extract, 401 echoing the key", ["extract", seed, "--engine", "llm", "--out", outs / "llm.jsonl"],
         {"RAG_LLM_API_KEY": key, "RAG_LLM_BASE_URL": base}),
        ("hybrid extract", ["extract", seed, "--engine", "hybrid"], {"OPENAI_API_KEY": key, "OPENAI_BASE_URL": base}),
        ("eval, 401 echoing the key", ["eval", "--engine", "llm", "--gold", ROOT / "eval" / "gold", "--report", reports,
                                       "--no-thresholds"], {"OPENAI_API_KEY": key, "OPENAI_BASE_URL": base}),
        ("eval reports with the key and a keyed URL set", ["eval", "--engine", "offline", "--gold", _tiny_gold(work),
                                                           "--report", reports, "--no-thresholds"],
         {"OPENAI_API_KEY": key, "OPENAI_BASE_URL": keyed_url}),
        ("embeddings, 401 echoing the key", ["ingest", seed, "--db", work / "db-openai"],
         {"RAG_EMBEDDINGS": "openai", "RAG_EMBEDDING_BASE_URL": base, "RAG_EMBEDDING_API_KEY": key}),
        ("key and password in the LLM URL", ["ask", "郑州有哪些集群？", "--db", db, "--engine", "llm"],
         {"OPENAI_BASE_URL": keyed_url}),
        ("key in the embeddings URL", ["ingest", seed, "--db", work / "db-openai2"],
         {"RAG_EMBEDDINGS": "openai", "RAG_EMBEDDING_BASE_URL": keyed_url}),
        ("password in the Chroma URL (refused)", ["search", "集群", "--db", db],
         {"RAG_CHROMA_URL": f"http://user:{password}@127.0.0.1:9/?token={key}"}),
        ("password in the Chroma URL (not Chroma)", ["search", "集群", "--db", db, "--chroma-url",
                                                     f"http://user:{password}@127.0.0.1:{echo.port}"], {}),
        ("malformed URL holding the key", ["extract", seed], {"OPENAI_BASE_URL": f"http//{key}@:x"}),
    ]
    proxy = None
    if llm_url and not full:  # the real server answers; a proxy keeps the reply short (SmolLM2 rambles for a minute)
        from support_llm import FaultProxy

        proxy = FaultProxy(llm_url.rsplit("/v1", 1)[0])
        proxy.faults.append(("reply", "郑州发布了首批市级战略性新兴产业集群[1]。"))
    if llm_url:
        runs.append(("an answer through the local LLM, cached", ["ask", "郑州首批战略性新兴产业集群有哪些？", "--db", db,
                                                                "--engine", "llm", "-k", "1", "--json"],
                     {"OPENAI_API_KEY": key, "OPENAI_BASE_URL": proxy.base_url if proxy else llm_url,
                      "RAG_LLM_MODEL": "smollm2", "RAG_LLM_TIMEOUT": "600"}))
    found, notes = 0, []
    try:
        for name, argv, env in runs:
            r = rag(argv, env=clean_env(RAG_LLM_CACHE=str(cache), **env), timeout=900)
            hits = sum(r.out.count(n) + r.err.count(n) for n in needles)
            found += hits
            clean = r.code is not None and not r.traceback
            notes += [f"{name}: key in the output"] if hits else []
            notes += [] if clean else [f"{name}: exit {r.code}{' with a traceback' if r.traceback else ''}"]
            log(f"  {name}: exit {r.code}, {hits} found, {r.seconds:.0f} s  "
                f"{r.err.strip().splitlines()[-1][:140] if r.err.strip() else ''}")
    finally:
        echo.close()
        if proxy:
            proxy.close()
    written = _files([cache, reports, outs, db, work / "db-openai", work / "db-openai2"])
    for f in written:
        data = f.read_bytes()
        for n in needles:
            if n.encode() in data:
                found += 1
                notes.append(f"key in {f}")
    if not (reports / "report.json").is_file():
        notes.append("eval wrote no report to search")
    cached = len(_files([cache]))
    if llm_url and not cached:
        notes.append("the local LLM run left no cache entry to search")
    return {"found": found, "files": len(written), "runs": len(runs), "cached": cached, "notes": notes}
