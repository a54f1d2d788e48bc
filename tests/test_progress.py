"""Progress: a live bar per file on a terminal (a real pseudo-terminal), one-line status when piped,
nothing with --no-progress; the summary at the end in every case."""
from __future__ import annotations

import os
import pty
import subprocess
import sys

from support_chroma import write_articles

ENV = {**os.environ, "RAG_CONFIG": "off", "RAG_LLM_BASE_URL": "", "RAG_LLM_API_KEY": ""}


def read_pty(proc, leader: int, follower: int, timeout: float = 300) -> bytes:
    """Everything written to the terminal until the process exits. The follower end stays open
    here until then: a library that points fd 2 elsewhere for a moment must not end the read."""
    import select
    import time

    chunks, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 0.2)
        if ready:
            chunks.append(os.read(leader, 65536))
        elif proc.poll() is not None:
            break
    os.close(follower)
    os.close(leader)
    return b"".join(chunks)


def open_terminal() -> tuple[int, int]:
    """A pseudo-terminal with a size, as a real terminal window has (24 rows, 100 columns)."""
    import fcntl
    import struct
    import termios

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    return leader, follower


def _run_on_pty(argv: list[str], env: dict) -> tuple[int, str]:
    leader, follower = open_terminal()
    proc = subprocess.Popen([sys.executable, "-m", "rag", *argv], stdout=subprocess.PIPE, stderr=follower, env=env)
    err = read_pty(proc, leader, follower)
    out = proc.stdout.read().decode("utf-8")
    proc.wait(timeout=60)
    return proc.returncode, err.decode("utf-8", "replace") + out


def test_piped_ingest_and_extract_print_periodic_status_lines(tmp_path):
    docs = write_articles(tmp_path / "in")
    env = {**ENV, "RAG_PROGRESS_SECONDS": "0"}
    r = subprocess.run([sys.executable, "-m", "rag", "ingest", str(tmp_path / "in"), "--db", str(tmp_path / "db")],
                       capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0, r.stderr
    lines = r.stderr.splitlines()
    assert any(ln.startswith(f"rag ingest: {len(docs)}/{len(docs)} documents") for ln in lines), r.stderr
    assert any("embedding" in ln and "chunks" in ln for ln in lines), r.stderr
    assert all(ln.startswith("rag ingest: ") for ln in lines) and "\r" not in r.stderr
    assert r.stdout.startswith(f"documents: {len(docs)}")
    r = subprocess.run([sys.executable, "-m", "rag", "extract", str(tmp_path / "in"), "--engine", "offline"],
                       capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0 and any(ln.startswith("rag extract: 1/3 documents") for ln in r.stderr.splitlines())
    assert r.stderr.splitlines()[-1].startswith("rag extract: 3 documents")


def test_no_progress_and_the_default_interval_print_only_the_summary(tmp_path):
    write_articles(tmp_path / "in")
    r = subprocess.run([sys.executable, "-m", "rag", "ingest", str(tmp_path / "in"), "--db", str(tmp_path / "db"),
                        "--no-progress"], capture_output=True, text=True, env={**ENV, "RAG_PROGRESS_SECONDS": "0"},
                       timeout=300)
    assert r.returncode == 0 and r.stderr == "" and r.stdout.startswith("documents: 3")


def test_a_terminal_gets_a_live_bar_with_the_file_name(tmp_path):
    write_articles(tmp_path / "in")
    code, out = _run_on_pty(["ingest", str(tmp_path / "in"), "--db", str(tmp_path / "db")], ENV)
    assert code == 0, out
    assert "ingest:" in out and "%|" in out and "wuhu_robots.txt" in out  # tqdm's bar, the file being read
    assert "documents: 3" in out
