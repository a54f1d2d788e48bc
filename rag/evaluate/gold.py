"""Load and validate a gold folder (format: eval/README.md, section 1).

A gold folder holds gold.json ({"name", "docs", "description"}), clusters.jsonl and qa.jsonl.
Any problem is one `InputError` naming the file and line, never a traceback.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..errors import InputError

QA_TYPES = ("list", "count", "who", "when", "where", "numeric", "yesno", "cross_doc", "not_found")


class GoldCluster(BaseModel):
    """A hand-labelled cluster: the fields of ClusterMention, evidence as a plain verbatim quote."""

    model_config = ConfigDict(extra="forbid")

    doc_id: str
    name: str = Field(min_length=2)
    regions: list[str] = Field(default_factory=list)
    province: Optional[str] = None
    level: Optional[Literal["national", "provincial", "municipal"]] = None
    program: Optional[str] = None
    industry: Optional[str] = None
    recognised_by: Optional[str] = None
    year: Optional[int] = None
    batch: Optional[int] = None
    evidence: str = Field(min_length=1)


class GoldEvidence(BaseModel):
    model_config = ConfigDict(extra="forbid")

    doc_id: str
    text: str = Field(min_length=1)


class GoldQuestion(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1)
    question: str = Field(min_length=1)
    type: Literal[QA_TYPES]  # type: ignore[valid-type]
    answerable: bool
    answers: list[list[str]]
    doc_ids: list[str]
    evidence: list[GoldEvidence]


@dataclass
class GoldSet:
    name: str
    folder: Path
    docs_dir: Path
    doc_paths: dict[str, Path]  # doc_id (file stem) -> file, in file-name order
    clusters: dict[str, list[GoldCluster]] = field(default_factory=dict)  # every doc_id has a list
    questions: list[GoldQuestion] = field(default_factory=list)

    @property
    def n_clusters(self) -> int:
        return sum(len(v) for v in self.clusters.values())


def _read_jsonl(path: Path) -> list[tuple[int, dict]]:
    if not path.is_file():
        raise InputError(str(path), "missing (a gold folder needs gold.json, clusters.jsonl and qa.jsonl)")
    rows = []
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(str(path), f"cannot read as UTF-8: {e}") from None
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as e:
            raise InputError(f"{path}:{n}", f"not JSON ({e.msg})") from None
        if not isinstance(row, dict):
            raise InputError(f"{path}:{n}", "each line must be a JSON object")
        rows.append((n, row))
    return rows


def _first_error(e: ValidationError) -> str:
    err = e.errors()[0]
    where = ".".join(str(x) for x in err["loc"]) or "record"
    return f"{where}: {err['msg']}"


def _read_meta(folder: Path) -> dict:
    meta_path = folder / "gold.json"
    if not meta_path.is_file():
        raise InputError(str(folder), "not a gold folder (no gold.json); see eval/README.md")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise InputError(str(meta_path), f"not valid JSON ({e})") from None
    if not isinstance(meta, dict) or not isinstance(meta.get("docs"), str) or not meta["docs"]:
        raise InputError(str(meta_path), 'needs a "docs" entry: the articles folder relative to gold.json')
    return meta


def load_gold(folder: str | Path) -> GoldSet:
    folder = Path(folder)
    meta = _read_meta(folder)
    docs_dir = (folder / meta["docs"]).resolve()
    if not docs_dir.is_dir():
        raise InputError(str(folder / "gold.json"), f"docs folder {docs_dir} does not exist")
    doc_paths = {p.stem: p for p in sorted(docs_dir.iterdir()) if p.is_file() and not p.name.startswith(".")}
    if not doc_paths:
        raise InputError(str(docs_dir), "docs folder holds no documents")
    name = meta.get("name") if isinstance(meta.get("name"), str) and meta["name"] else folder.resolve().name
    gold = GoldSet(name=name, folder=folder, docs_dir=docs_dir, doc_paths=doc_paths,
                   clusters={d: [] for d in doc_paths})

    seen: set[tuple[str, str]] = set()
    for n, row in _read_jsonl(folder / "clusters.jsonl"):
        where = f"{folder / 'clusters.jsonl'}:{n}"
        try:
            rec = GoldCluster.model_validate(row)
        except ValidationError as e:
            raise InputError(where, _first_error(e)) from None
        if rec.doc_id not in doc_paths:
            raise InputError(where, f"doc_id {rec.doc_id!r} is not a file stem in {docs_dir}")
        if (rec.doc_id, rec.name) in seen:
            raise InputError(where, f"duplicate record for ({rec.doc_id}, {rec.name})")
        seen.add((rec.doc_id, rec.name))
        gold.clusters[rec.doc_id].append(rec)

    ids: set[str] = set()
    for n, row in _read_jsonl(folder / "qa.jsonl"):
        where = f"{folder / 'qa.jsonl'}:{n}"
        try:
            q = GoldQuestion.model_validate(row)
        except ValidationError as e:
            raise InputError(where, _first_error(e)) from None
        if q.id in ids:
            raise InputError(where, f"duplicate id {q.id!r}")
        ids.add(q.id)
        if q.answerable != (q.type != "not_found"):
            raise InputError(where, "answerable must be false exactly for type not_found")
        if q.answerable and not (q.answers and all(q.answers) and q.doc_ids and q.evidence):
            raise InputError(where, "an answerable question needs answers (non-empty items), doc_ids and evidence")
        if not q.answerable and (q.answers or q.doc_ids or q.evidence):
            raise InputError(where, "a not_found question has empty answers, doc_ids and evidence")
        unknown = [d for d in q.doc_ids + [e.doc_id for e in q.evidence] if d not in doc_paths]
        if unknown:
            raise InputError(where, f"unknown doc_id {unknown[0]!r}")
        gold.questions.append(q)
    return gold
