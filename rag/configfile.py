"""The config file: `jiqun.toml` in the working folder, else `~/.config/jiqun/config.toml`
($XDG_CONFIG_HOME/jiqun/config.toml), or the file RAG_CONFIG names (`off`: none).

    engine = "auto"              # the default --engine
    db = ".rag"                  # the default --db
    profile = "deepseek"         # the endpoint profile used when --profile is not given

    [profiles.deepseek]
    base_url = "https://api.deepseek.com/v1"
    model = "deepseek-chat"
    api_key_env = "DEEPSEEK_API_KEY"   # the key is read from this variable (or api_key = "...")

Precedence: flags > environment > file > defaults. A profile named with `--profile` (a flag)
wins over RAG_LLM_* variables; the file's default profile does not. A profile is jiqun's own
setting: `--engine auto` uses its endpoint.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Optional

from .errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

LOCAL_FILE = "jiqun.toml"
TOP_KEYS = {"engine", "db", "chroma_url", "profile", "profiles"}
PROFILE_KEYS = {"base_url", "model", "api_key", "api_key_env", "timeout", "max_retries", "concurrency"}
ENGINES = ("offline", "llm", "hybrid", "auto")


def config_path() -> Optional[Path]:
    """The config file in force, or None."""
    named = os.environ.get("RAG_CONFIG")
    if named:
        if named.lower() in ("off", "none", "0"):
            return None
        p = Path(named).expanduser()
        if not p.is_file():
            raise ConfigError(f"RAG_CONFIG names {p}, which is not a file")
        return p
    local = Path(LOCAL_FILE)
    if local.is_file():
        return local
    home = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "jiqun" / "config.toml"
    return home if home.is_file() else None


def read_config(path: Path) -> dict:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: not valid TOML ({e})") from None
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"{path}: cannot read ({getattr(e, 'strerror', None) or e})") from None
    unknown = sorted(set(data) - TOP_KEYS)
    if unknown:
        raise ConfigError(f"{path}: unknown setting '{unknown[0]}' (known: {', '.join(sorted(TOP_KEYS))})")
    if "engine" in data and data["engine"] not in ENGINES:
        raise ConfigError(f"{path}: engine must be one of {', '.join(ENGINES)}, not {data['engine']!r}")
    profiles = data.get("profiles", {})
    if not isinstance(profiles, dict) or not all(isinstance(v, dict) for v in profiles.values()):
        raise ConfigError(f"{path}: profiles must be tables: [profiles.NAME]")
    for name, prof in profiles.items():
        bad = sorted(set(prof) - PROFILE_KEYS)
        if bad:
            raise ConfigError(f"{path}: profile '{name}': unknown setting '{bad[0]}' "
                              f"(known: {', '.join(sorted(PROFILE_KEYS))})")
        if "base_url" in prof:
            from .config import EnvValues

            try:
                EnvValues._url(prof["base_url"])
            except (ValueError, TypeError):
                raise ConfigError(f"{path}: profile '{name}': base_url must be an http:// or https:// URL") from None
    return data


def apply_config_file(settings, profile: Optional[str] = None) -> None:
    """Fill `settings` from the config file where no flag or environment variable set a value."""
    path = config_path()
    if path is None:
        if profile:
            raise ConfigError(f"--profile {profile}: no config file (write {LOCAL_FILE} here or "
                              "~/.config/jiqun/config.toml with a [profiles.NAME] table)")
        return
    data = read_config(path)
    settings.config_file = path
    if "db" in data and not os.environ.get("RAG_DB"):
        settings.db = Path(str(data["db"])).expanduser()
    if "chroma_url" in data and not os.environ.get("RAG_CHROMA_URL"):
        settings.chroma_url = str(data["chroma_url"])
    if "engine" in data and not os.environ.get("RAG_ENGINE"):
        settings.engine = data["engine"]
    explicit = profile is not None
    name = profile or os.environ.get("RAG_PROFILE") or data.get("profile")
    if not name:
        return
    profiles = data.get("profiles", {})
    if name not in profiles:
        known = ", ".join(sorted(profiles)) or "none"
        raise ConfigError(f"no profile '{name}' in {path} (profiles: {known})")
    _apply_profile(settings.llm, profiles[name], name, path, explicit or bool(os.environ.get("RAG_PROFILE")))


def _apply_profile(llm, prof: dict, name: str, path: Path, wins: bool) -> None:
    """The profile's endpoint. `wins` (named by --profile or RAG_PROFILE): over RAG_LLM_* too."""
    def unset(*names: str) -> bool:
        return wins or not any(os.environ.get(n) for n in names)

    key = prof.get("api_key")
    if "api_key_env" in prof:
        key = os.environ.get(str(prof["api_key_env"]))
        if not key:
            raise ConfigError(f"profile '{name}' in {path} reads its API key from {prof['api_key_env']}, "
                              "which is not set")
    if "base_url" in prof and unset("RAG_LLM_BASE_URL"):
        llm.base_url = str(prof["base_url"])
        if not key and unset("RAG_LLM_API_KEY"):
            llm.api_key = None  # a bare OPENAI_API_KEY is never sent to the profile's endpoint
    if key and unset("RAG_LLM_API_KEY"):
        llm.api_key = str(key)
    if "model" in prof and unset("RAG_LLM_MODEL"):
        llm.model = str(prof["model"])
    for field, var, cast in (("timeout", "RAG_LLM_TIMEOUT", float), ("max_retries", "RAG_LLM_MAX_RETRIES", int),
                             ("concurrency", "RAG_LLM_CONCURRENCY", int)):
        if field in prof and unset(var):
            try:
                setattr(llm, field, cast(prof[field]))
            except (TypeError, ValueError):
                raise ConfigError(f"profile '{name}' in {path}: {field} must be a number") from None
    llm.own = True
    llm.profile = name
