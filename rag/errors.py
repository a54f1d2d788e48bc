"""Errors users see as one line (never a traceback)."""
from __future__ import annotations


class RagError(Exception):
    """An expected failure with a one-line message for the user."""


class InputError(RagError):
    """A source file that cannot be used."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class ConfigError(RagError):
    """A setting or endpoint that does not work."""


def one_line(e: BaseException) -> str:
    """An unexpected exception as one line: its type and the first line of its message."""
    text = str(e).strip().splitlines()
    return f"{type(e).__name__}: {text[0]}" if text else type(e).__name__
