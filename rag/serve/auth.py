"""The bearer token: when the server has one, every request must carry it, as
`Authorization: Bearer TOKEN` (API clients) or as the `rag_token` cookie the page's sign-in sets
(a browser cannot add the header to a page load). Anything else is 401; a browser asking for a
page gets a small sign-in form with that 401. The token is never logged or echoed."""
from __future__ import annotations

import hmac
import ipaddress
from http.cookies import SimpleCookie

from .errors import error_response
from starlette.responses import HTMLResponse

COOKIE = "rag_token"

SIGN_IN = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>集群 · 需要令牌</title>
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:4rem auto;padding:0 1rem}
input,button{font-size:1rem;padding:.5rem;width:100%;box-sizing:border-box;margin-top:.5rem}</style></head>
<body><h1>需要访问令牌</h1><p>这个服务器要求令牌（rag serve --token）。请输入：</p>
<form id="f"><input id="t" type="password" autocomplete="current-password" aria-label="令牌" required>
<button type="submit">进入</button></form>
<script>document.getElementById('f').onsubmit=function(e){e.preventDefault();
document.cookie='rag_token='+encodeURIComponent(document.getElementById('t').value)+'; path=/; SameSite=Strict';
location.reload();};</script></body></html>"""


def is_loopback(host: str) -> bool:
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _presented(scope) -> list[str]:
    out = []
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                out.append(token.strip())
        elif name == b"cookie":
            cookie = SimpleCookie()
            try:
                cookie.load(value.decode("latin-1"))
            except Exception:  # noqa: BLE001  (a malformed cookie header is no token)
                continue
            if COOKIE in cookie:
                from urllib.parse import unquote

                out.append(unquote(cookie[COOKIE].value))
    return out


def _wants_page(scope) -> bool:
    accept = next((v for n, v in scope.get("headers", []) if n == b"accept"), b"")
    return scope.get("method") == "GET" and b"text/html" in accept and not scope.get("path", "").startswith("/api/")


class TokenAuth:
    """ASGI middleware: 401 unless the request presents the token."""

    def __init__(self, app, token: str) -> None:
        self.app = app
        self.token = token.encode("utf-8")

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        if any(hmac.compare_digest(t.encode("utf-8"), self.token) for t in _presented(scope)):
            return await self.app(scope, receive, send)
        if _wants_page(scope):
            response = HTMLResponse(SIGN_IN, status_code=401, headers={"WWW-Authenticate": "Bearer"})
        else:
            response = error_response(401, "unauthorized", "this server needs its token: send "
                                      "'Authorization: Bearer TOKEN'", headers={"WWW-Authenticate": "Bearer"})
        await response(scope, receive, send)
