"""The real local LLM server (SmolLM2 on xllamacpp, tests/support_llm.py) in a process of its own,
so its log goes to a file instead of the suite's output. Prints its base URL (or `none` when the
model package is missing), then serves until stdin closes."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from support_llm import LocalLLMServer, gguf_path  # noqa: E402


def main() -> None:
    path = gguf_path()
    try:
        import xllamacpp  # noqa: F401
    except ImportError:
        path = None
    if path is None:
        print("none", flush=True)
        return
    server = LocalLLMServer(path)
    print(server.base_url, flush=True)
    sys.stdin.read()
    server.stop()


if __name__ == "__main__":
    main()
