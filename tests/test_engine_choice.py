"""Engine choice and consent: `auto` sends articles to an LLM only when jiqun's own settings name
one; a bare OPENAI_API_KEY / OPENAI_BASE_URL needs an explicit --engine llm; `auto` falls back to
the offline engine when its endpoint fails. The config file and its profiles."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from rag.cli import main
from rag.config import Settings
from rag.engine_choice import choose
from rag.errors import ConfigError
from support_chroma import SEED_000, SEEDS, closed_port
from support_qa import qa_db

QUESTION = "郑州市首批市级战略性新兴产业集群有哪些？"
LLM_VARS = ("RAG_LLM_BASE_URL", "RAG_LLM_API_KEY", "OPENAI_BASE_URL", "OPENAI_API_KEY", "RAG_LLM_MODEL", "RAG_ENGINE",
            "RAG_PROFILE", "RAG_DB")


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch, tmp_path):
    for name in LLM_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("RAG_LLM_MAX_RETRIES", "0")
    monkeypatch.setenv("RAG_LLM_CACHE", "off")
    monkeypatch.chdir(tmp_path)


class FailingEndpoint:
    """An HTTP server on a loopback port that answers every request with HTTP 500, counting the
    chat requests it got (a real socket: nothing is mocked)."""

    def __init__(self) -> None:
        self.chat_requests = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _fail(self):
                if "chat/completions" in self.path:
                    outer.chat_requests += 1
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                body = json.dumps({"error": {"message": "down for maintenance"}}).encode()
                self.send_response(500)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _fail

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture()
def endpoint():
    e = FailingEndpoint()
    yield e
    e.close()


@pytest.fixture()
def db():
    return qa_db()  # the seeds with their cluster records and lists (read only here)


def _ask(capsys, db, *extra):
    code = main(["ask", QUESTION, "--db", str(db), "--json", *extra])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if code == 0 else None), err


def test_a_bare_openai_key_is_not_consent(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-another-tool")
    s = Settings.load()
    assert s.llm.configured and not s.llm.chosen
    assert choose("auto", s).name == "offline"
    assert choose("llm", s).name == "llm"  # an explicit choice uses it
    monkeypatch.setenv("RAG_LLM_API_KEY", "sk-for-jiqun")
    assert choose("auto", Settings.load()).name == "llm"


def test_openai_key_and_url_alone_auto_answers_offline_and_sends_nothing(monkeypatch, capsys, db, endpoint):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-another-tool")
    monkeypatch.setenv("OPENAI_BASE_URL", endpoint.url)
    code, answer, err = _ask(capsys, db)
    assert code == 0 and answer["engine"] == "offline" and "铝基新材料" in answer["answer"]
    assert endpoint.chat_requests == 0 and "warning" not in err
    assert main(["extract", str(_seed(SEED_000)), "--no-progress"]) == 0
    records = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert records and {r["engine"] for r in records} == {"offline"} and endpoint.chat_requests == 0
    # explicitly asked for, the same variables are used
    _ask(capsys, db, "--engine", "llm")
    assert endpoint.chat_requests >= 1


def _seed(doc_id):
    return SEEDS / f"{doc_id}.txt"


def test_auto_falls_back_when_its_endpoint_is_refused(monkeypatch, capsys, db):
    monkeypatch.setenv("RAG_LLM_BASE_URL", f"http://127.0.0.1:{closed_port()}/v1")
    code, answer, err = _ask(capsys, db)
    assert code == 0 and answer["engine"] == "offline" and "铝基新材料" in answer["answer"]
    warnings = [ln for ln in err.splitlines() if "warning" in ln]
    assert len(warnings) == 1 and "offline" in warnings[0] and "Traceback" not in err
    assert main(["extract", str(_seed(SEED_000)), "--no-progress"]) == 0
    out, err = capsys.readouterr()
    assert {json.loads(x)["engine"] for x in out.splitlines()} == {"offline"} and "warning" in err
    # an explicit --engine llm does not fall back: one line, non-zero
    code, _, err = _ask(capsys, db, "--engine", "llm")
    assert code == 1 and "cannot reach" in err and len(err.strip().splitlines()) == 1


def test_auto_falls_back_when_its_endpoint_fails_mid_run(monkeypatch, capsys, db, endpoint):
    monkeypatch.setenv("RAG_LLM_BASE_URL", endpoint.url)
    code, answer, err = _ask(capsys, db)
    assert endpoint.chat_requests >= 1  # the LLM was tried ...
    assert code == 0 and answer["engine"] == "offline" and "铝基新材料" in answer["answer"]  # ... then offline
    assert "warning" in err and "offline engine" in err and "Traceback" not in err


def test_the_config_file_profile_is_jiquns_own_choice(monkeypatch, capsys, db, endpoint, tmp_path):
    monkeypatch.setenv("ENDPOINT_KEY", "sk-profile")
    (tmp_path / "jiqun.toml").write_text(f'''
engine = "auto"
profile = "local"

[profiles.local]
base_url = "{endpoint.url}"
model = "qwen2.5:7b"

[profiles.deepseek]
base_url = "https://api.deepseek.com/v1"
model = "deepseek-chat"
api_key_env = "ENDPOINT_KEY"
''', encoding="utf-8")
    monkeypatch.setenv("RAG_CONFIG", str(tmp_path / "jiqun.toml"))
    s = Settings.load()
    assert s.llm.chosen and s.llm.profile == "local" and s.llm.base_url == endpoint.url and s.llm.model == "qwen2.5:7b"
    assert s.llm.api_key is None  # a bare OPENAI_API_KEY would never be sent to the profile's endpoint
    s = Settings.load(profile="deepseek")
    assert (s.llm.base_url, s.llm.model, s.llm.api_key) == ("https://api.deepseek.com/v1", "deepseek-chat", "sk-profile")
    # precedence: env beats the file's default profile; --profile (a flag) beats env
    monkeypatch.setenv("RAG_LLM_MODEL", "from-env")
    assert Settings.load().llm.model == "from-env"
    assert Settings.load(profile="deepseek").llm.model == "deepseek-chat"
    monkeypatch.delenv("RAG_LLM_MODEL")
    # auto uses the profile's endpoint (and falls back when it fails)
    code, answer, err = _ask(capsys, db)
    assert endpoint.chat_requests >= 1 and code == 0 and answer["engine"] == "offline" and "warning" in err


@pytest.mark.parametrize("text, message", [
    ("engine = 'gpt'\n", "engine must be one of"),
    ("[profiles.x]\nbase_url = 'ftp://x'\n", "base_url must be an http"),
    ("[profiles.x]\nkey = 'a'\n", "unknown setting 'key'"),
    ("colour = 'red'\n", "unknown setting 'colour'"),
    ("engine = \n", "not valid TOML"),
    ("[profiles.x]\napi_key_env = 'NOT_SET_ANYWHERE'\nprofile = 'x'\n", "profile 'x': unknown setting 'profile'"),
    ("profile = 'x'\n[profiles.x]\napi_key_env = 'NOT_SET_ANYWHERE'\n", "NOT_SET_ANYWHERE, which is not set"),
])
def test_a_bad_config_file_is_one_line(monkeypatch, capsys, tmp_path, text, message):
    (tmp_path / "jiqun.toml").write_text(text, encoding="utf-8")
    monkeypatch.delenv("RAG_CONFIG")  # found in the working folder
    code = main(["ask", QUESTION, "--db", str(tmp_path / "db")])
    err = capsys.readouterr().err
    assert code == 1 and message in err and len(err.strip().splitlines()) == 1 and "jiqun.toml" in err


def test_an_unknown_profile_is_one_line(monkeypatch, capsys, tmp_path):
    (tmp_path / "jiqun.toml").write_text("[profiles.ollama]\nbase_url = 'http://127.0.0.1:11434/v1'\n", encoding="utf-8")
    monkeypatch.delenv("RAG_CONFIG")
    assert main(["ask", QUESTION, "--profile", "deepseek", "--db", str(tmp_path / "db")]) == 1
    err = capsys.readouterr().err
    assert "no profile 'deepseek'" in err and "ollama" in err


def test_the_config_file_sets_the_default_engine_and_db(monkeypatch, capsys, tmp_path, db):
    (tmp_path / "jiqun.toml").write_text(f"engine = 'offline'\ndb = '{db}'\n", encoding="utf-8")
    monkeypatch.delenv("RAG_CONFIG")
    monkeypatch.setenv("RAG_LLM_BASE_URL", f"http://127.0.0.1:{closed_port()}/v1")
    assert main(["ask", QUESTION, "--json"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["engine"] == "offline" and "warning" not in err


def test_choose_refuses_llm_without_any_endpoint():
    with pytest.raises(ConfigError, match="needs an OpenAI-compatible endpoint"):
        choose("llm", Settings())
    assert choose("auto", Settings()).name == "offline"
