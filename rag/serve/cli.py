"""`rag serve [--db DIR] [--host 127.0.0.1] [--port 8000] [--token TOKEN]`."""
from __future__ import annotations

import os
import socket
import sys

from ..errors import ConfigError
from .auth import is_loopback


def check_binding(host: str, token: str | None) -> None:
    if not is_loopback(host) and not token:
        raise ConfigError(f"--host {host} is not a loopback address: give --token TOKEN (or set RAG_SERVE_TOKEN); "
                          "every request must then send it as 'Authorization: Bearer TOKEN'")


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host.strip("[]") else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host.strip("[]"), port))
    except OSError as e:
        sock.close()
        raise ConfigError(f"cannot listen on {host}:{port}: {(e.strerror or str(e)).lower()}") from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def serve_command(args, settings) -> int:
    token = args.token or os.environ.get("RAG_SERVE_TOKEN") or None
    if not 0 <= args.port <= 65535:
        raise ConfigError(f"--port {args.port} is not a port (0-65535; 0 picks a free one)")
    check_binding(args.host, token)
    sock = _listen(args.host, args.port)
    import uvicorn

    from .app import create_app

    try:
        app = create_app(settings, token=token)
    except BaseException:
        sock.close()
        raise
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    print(f"rag serve: http://{shown}:{port}/ (index {settings.db}; API docs at /docs"
          + ("; token required" if token else "") + ")", file=sys.stderr, flush=True)
    config = uvicorn.Config(app, log_level="warning", access_log=False, timeout_graceful_shutdown=5)
    uvicorn.Server(config).run(sockets=[sock])
    return 0
