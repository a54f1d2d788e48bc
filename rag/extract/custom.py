"""`rag extract --schema package.module:Model`: records of the user's own pydantic model.

The LLM engine's machinery (chunks, the shared endpoint, re-asks with grounding errors, splits of
cut replies, failed documents) over any model. A field is a quote when its `json_schema_extra`
has `"quote": True`, or when it is a `str` field named `evidence`; every quote is found in the
source like cluster evidence (after folding) and its exact original span is written to `quotes`.
A record with a quote that cannot be found is dropped and counted.
"""
from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Optional

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

from ..config import Settings
from ..core.chinese import fold
from ..core.types import Chunk, NormalisedDocument
from ..errors import InputError
from ..llm import LLM
from ..prompting import load_prompt
from ..schemas import Evidence
from .llm import _EDGE, LLMExtractor, _compact, _find, chunk_messages, field_spec, split_chunk

MAX_EXAMPLES = 8


def load_model(spec: str) -> type[BaseModel]:
    """`package.module:Model` -> the pydantic model class (one-line InputError otherwise)."""
    module_name, _, attr = spec.partition(":")
    if not module_name or not attr:
        raise InputError("--schema", f"{spec!r} is not package.module:Model")
    try:
        model = getattr(importlib.import_module(module_name), attr)
    except ImportError as e:
        raise InputError("--schema", f"cannot import {module_name}: {e}") from None
    except AttributeError:
        raise InputError("--schema", f"{module_name} has no {attr}") from None
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        raise InputError("--schema", f"{spec} is not a pydantic model")
    return model


def quote_fields(model: type[BaseModel]) -> list[str]:
    out = []
    for name, f in model.model_fields.items():
        extra = f.json_schema_extra if isinstance(f.json_schema_extra, dict) else {}
        if extra.get("quote") or (name == "evidence" and f.annotation in (str, Optional[str])):
            out.append(name)
    return out


def load_examples(path: Optional[str], model: type[BaseModel]) -> list[dict]:
    """--examples FILE: JSON Lines of {"text": ..., "records": [...]}, each record valid for the model."""
    if not path:
        return []
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(path, getattr(e, "strerror", None) or "not UTF-8 text") from None
    examples = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            ex = json.loads(line)
            records = [model.model_validate(r).model_dump(mode="json") for r in ex["records"]]
            examples.append({"text": str(ex["text"]), "records": records})
        except (ValueError, KeyError, TypeError) as e:
            first = e.errors()[0]["msg"] if isinstance(e, ValidationError) else type(e).__name__
            raise InputError(path, f"line {n} is not an example {{\"text\", \"records\"}} of the schema ({first})") from None
    return examples[:MAX_EXAMPLES]


def grounded_model(model: type[BaseModel]) -> type[BaseModel]:
    """The user's model plus where each record comes from: doc_id and the quotes' exact spans."""
    return create_model(f"Grounded{model.__name__}", __base__=model,
                        doc_id=(str, Field(description="Document id: the source file's stem.")),
                        quotes=(dict[str, Evidence], Field(default_factory=dict,
                                                           description="quote field -> its span in the original")))


class SchemaExtractor(LLMExtractor):
    """`extract(ndoc) -> list[Grounded<Model>]` with the LLM engine's chunks, re-asks and splits."""

    name = "llm"

    def __init__(self, model: type[BaseModel], settings: Optional[Settings] = None, llm: Optional[LLM] = None,
                 examples: Optional[list[dict]] = None, **kw) -> None:
        super().__init__(settings, llm=llm, **kw)
        self.model = model
        self.record_type = grounded_model(model)
        self.quotes = quote_fields(model)
        self.reply_model = create_model(f"{model.__name__}Reply", __config__=ConfigDict(extra="forbid"),
                                        records=(list[model], Field(description="One entry per record, in order.")))
        fields = field_spec(model) + "".join(f"\n- {q}: 原文引用" for q in self.quotes)
        shown = "".join(f"\n示例文本：{e['text']}\n示例输出：{json.dumps({'records': e['records']}, ensure_ascii=False)}\n"
                        for e in examples or [])
        self.system = (load_prompt("schema_system.md").replace("{schema_name}", model.__name__)
                       .replace("{fields}", fields).replace("{examples}", "\n## 示例\n" + shown if shown else ""))

    def extract(self, ndoc: NormalisedDocument) -> list[BaseModel]:
        chunks = [c for n in range(self.passes) for c in self.chunks(ndoc, n)]
        chunks = list({(c.norm_start, c.norm_end): c for c in chunks}.values())
        self.count(documents=1, chunks=len(chunks))
        results = [self._ask_records(ndoc, c) for c in chunks]
        self.fail_if_any(ndoc, [e for _, e in results if e], len(chunks))
        out, seen = [], set()
        for parts, _ in results:
            for part, items in parts:
                for item in items:
                    rec = self.ground_record(ndoc, item, (part.norm_start, part.norm_end))
                    key = json.dumps(rec.model_dump(mode="json", exclude={"quotes"}), sort_keys=True) if rec else None
                    if rec is not None and key not in seen:
                        seen.add(key)
                        out.append(rec)
        self.count(kept=len(out))
        return out

    def ground_record(self, ndoc: NormalisedDocument, item: BaseModel, near: tuple[int, int]) -> Optional[BaseModel]:
        quotes = {}
        for field in self.quotes:
            value = getattr(item, field)
            if value is None:
                continue
            span = _find(ndoc.text, fold(str(value)).strip(_EDGE), near)
            if span is None:
                self.count(dropped_ungrounded=1)
                return None
            start, end = ndoc.span(*span)
            text = ndoc.doc.original[start:end]
            alignment = "exact" if _compact(str(value).strip(_EDGE)) == _compact(text) else "folded"
            quotes[field] = Evidence(text=text, start=start, end=end, alignment=alignment)
        return self.record_type(**item.model_dump(), doc_id=ndoc.doc.doc_id, quotes=quotes)

    def _ask_records(self, ndoc: NormalisedDocument, chunk: Chunk, depth: int = 0):
        near = (chunk.norm_start, chunk.norm_end)
        messages = chunk_messages(ndoc, chunk, self.system, load_prompt("extract_user.md"))
        res = self.llm.structured(messages, self.reply_model, name="records", retries=self.retries,
                                  max_tokens=self.max_reply_tokens, stop_on_length=True,
                                  check=lambda r: self.quote_problems(ndoc, r.records, near))
        self.count(retries=res.retries)
        if res.value is not None:
            return [(chunk, res.value.records)], None
        halves = split_chunk(ndoc, chunk) if res.truncated and depth < self.max_splits else []
        if halves:
            self.count(split_chunks=1)
            done = [self._ask_records(ndoc, h, depth + 1) for h in halves]
            errors = [e for _, e in done if e]
            return [p for parts, _ in done for p in parts], (errors[0] if errors else None)
        self.count(failed_chunks=1)
        return [], f"chunk {chunk.index} at {chunk.start}-{chunk.end}: {res.error[:160]}"

    def quote_problems(self, ndoc: NormalisedDocument, items: list, near: tuple[int, int]) -> list[str]:
        problems = []
        for i, it in enumerate(items):
            for field in self.quotes:
                value = getattr(it, field)
                if value is not None and _find(ndoc.text, fold(str(value)).strip(_EDGE), near) is None:
                    problems.append(f"records.{i}.{field}: 「{str(value)[:80]}」 is not in the text: copy it character "
                                    "for character from the text part")
        return problems[:8]
