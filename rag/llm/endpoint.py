"""The endpoint: a LangChain ChatOpenAI for the settings, its label for users and cache keys,
and the cheap checks run before work starts (something listens; the key is accepted)."""
from __future__ import annotations

from urllib.parse import urlsplit

from ..config import LLMSettings
from ..errors import ConfigError

# The key sent when a base URL is set without one: local servers (llama.cpp, vLLM, Ollama) ignore it.
DUMMY_API_KEY = "not-needed"


def _timeout(seconds: float) -> tuple[float, float, float, float]:
    """(connect, read, write, pool): read is the longest silence between bytes of a streamed reply."""
    return (min(10.0, seconds), seconds, seconds, seconds)


def chat_model(settings: LLMSettings, **kw):
    """A LangChain ChatOpenAI for the configured endpoint. `kw` overrides any constructor argument."""
    from langchain_openai import ChatOpenAI

    args = dict(
        model=settings.model,
        api_key=settings.api_key or DUMMY_API_KEY,
        # Replies are streamed: the timeout bounds connecting and each wait for the next bytes (the
        # first token included), not the whole reply, so a slow but working server is not cut off.
        timeout=_timeout(settings.timeout),
        max_retries=settings.max_retries,
        temperature=0,
        stream_usage=True,
    )
    if settings.base_url:
        args["base_url"] = settings.base_url
    args.update(kw)
    return ChatOpenAI(**args)


def endpoint_label(settings: LLMSettings) -> str:
    """The endpoint as shown to users and used in cache keys: no credentials, no query string."""
    if not settings.base_url:
        return "api.openai.com"
    u = urlsplit(settings.base_url)
    host = u.hostname or ""
    if u.port:
        host += f":{u.port}"
    return f"{u.scheme}://{host}{u.path}".rstrip("/")


def check_reachable(settings: LLMSettings, timeout: float = 5.0) -> None:
    """One line when nothing listens at the endpoint (a TCP connection only: nothing is sent, no key)."""
    import socket

    u = urlsplit(settings.base_url or "https://api.openai.com/v1")
    port = u.port or (443 if u.scheme == "https" else 80)
    where = f"LLM endpoint {endpoint_label(settings)}"
    try:
        socket.create_connection((u.hostname, port), timeout=timeout).close()
    except socket.gaierror:
        raise ConfigError(f"cannot reach {where}: unknown host {u.hostname!r} (check RAG_LLM_BASE_URL / "
                          "OPENAI_BASE_URL)") from None
    except (socket.timeout, TimeoutError):
        raise ConfigError(f"cannot reach {where}: no answer in {timeout:g} s") from None
    except OSError as e:
        raise ConfigError(f"cannot reach {where}: {(e.strerror or str(e)).lower()} (is the server running and "
                          "RAG_LLM_BASE_URL / OPENAI_BASE_URL right?)") from None


def check_key(settings: LLMSettings, timeout: float = 10.0) -> None:
    """One line when the endpoint refuses the key (HTTP 401/403 on GET /models, which costs no
    tokens). Any other answer, including no /models route, passes: the real requests will tell."""
    import urllib.error
    import urllib.request

    base = (settings.base_url or "https://api.openai.com/v1").rstrip("/")
    u = urlsplit(base)
    netloc = u.hostname + (f":{u.port}" if u.port else "")  # credentials in the URL are not sent here
    req = urllib.request.Request(f"{u.scheme}://{netloc}{u.path}/models",
                                 headers={"Authorization": f"Bearer {settings.api_key or DUMMY_API_KEY}"})
    try:
        urllib.request.urlopen(req, timeout=timeout).close()
    except urllib.error.HTTPError as e:
        if e.code in (401, 403):
            raise ConfigError(f"LLM endpoint {endpoint_label(settings)} refused the API key (HTTP {e.code}): check "
                              "OPENAI_API_KEY / RAG_LLM_API_KEY") from None
    except OSError:
        pass  # check_reachable() reports an endpoint that cannot be reached
