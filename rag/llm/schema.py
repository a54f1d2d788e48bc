"""Structured replies: the pydantic schema in the strict subset endpoints enforce, and a reply's
JSON (fences stripped) and validation errors put short enough to send back."""
from __future__ import annotations

import re

from pydantic import BaseModel, ValidationError


_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.S)


def strip_fences(text: str) -> str:
    m = _FENCE.match(text)
    return m.group(1) if m else text.strip()


def short_validation_error(e: Exception) -> str:
    if isinstance(e, ValidationError):
        lines = []
        for err in e.errors()[:8]:
            loc = ".".join(str(p) for p in err.get("loc", ()))
            lines.append(f"{loc or 'reply'}: {err.get('msg')}")
        return "; ".join(lines)
    return re.sub(r"\s+", " ", str(e))[:400]


def strict_json_schema(model: type[BaseModel]) -> dict:
    """The pydantic schema in the subset OpenAI's strict structured outputs accept (and llama.cpp,
    vLLM and Ollama enforce): every property required (optional ones nullable), no extra keys, no
    defaults, no string length bounds (pydantic checks them on the reply). Field descriptions stay:
    they are the spec the model reads."""
    schema = model.model_json_schema()

    def fix(node):
        """`node` is a schema; "properties" and "$defs" map names to schemas (a field may be called title)."""
        if isinstance(node, list):
            for v in node:
                fix(v)
        if not isinstance(node, dict):
            return node
        for unsupported in ("default", "title", "minLength", "maxLength"):  # checked locally instead
            node.pop(unsupported, None)
        if node.get("type") == "object" and "properties" in node:
            node["required"] = list(node["properties"])
            node["additionalProperties"] = False
        for key, v in node.items():
            if key in ("properties", "$defs") and isinstance(v, dict):
                for sub in v.values():
                    fix(sub)
            else:
                fix(v)
        return node

    return fix(schema)
