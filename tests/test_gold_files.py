"""Checks of the hand-labelled gold folders under eval/ (format described in eval/README.md).

Every folder eval/<name>/ holding a gold.json is checked: clusters.jsonl records validate, their
evidence is a verbatim quote of the original document, qa.jsonl is well formed. Standard library
and pydantic only: the project's own code is deliberately not imported.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Literal, Optional

import pytest
from pydantic import BaseModel, ConfigDict, Field, ValidationError

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT / "eval"
GOLD_DIRS = sorted(p.parent for p in EVAL.glob("*/gold.json"))

CLUSTER_KEYS = {
    "doc_id", "name", "regions", "province", "level", "program",
    "industry", "recognised_by", "year", "batch", "evidence",
}
QA_KEYS = {"id", "question", "type", "answerable", "answers", "doc_ids", "evidence"}
QA_TYPES = {"list", "count", "who", "when", "where", "numeric", "yesno", "cross_doc", "not_found"}


class GoldCluster(BaseModel):
    """Same fields as schemas.cluster.ClusterMention, with the evidence as a plain quote."""

    model_config = ConfigDict(extra="forbid")

    doc_id: str
    name: str = Field(min_length=2)
    regions: list[str] = Field(default_factory=list)
    province: Optional[str] = None
    level: Optional[Literal["national", "provincial", "municipal"]] = None
    program: Optional[str] = None
    industry: Optional[str] = None
    recognised_by: Optional[str] = None
    year: Optional[int] = Field(default=None, ge=1949, le=2100)
    batch: Optional[int] = Field(default=None, ge=1)
    evidence: str = Field(min_length=1)


def decodings(data: bytes) -> list[str]:
    """The strict decodings of a document, in the tools' order: utf-8(-sig), utf-16 with BOM, gb18030, big5.

    UTF-8 and BOM-marked UTF-16 are unambiguous. Big5 bytes almost always also decode as GB18030
    (into the wrong characters), so for legacy encodings every strict decoding is a candidate and
    the document's text is the candidate that holds the most of its quotes (see doc_text).
    """
    try:
        return [data.decode("utf-8-sig")]
    except UnicodeDecodeError:
        pass
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return [data.decode("utf-16")]
        except UnicodeDecodeError:
            pass
    found = []
    for enc in ("gb18030", "big5"):
        try:
            found.append(data.decode(enc))
        except UnicodeDecodeError:
            pass
    assert found, "document cannot be decoded with utf-8-sig, utf-16, gb18030 or big5"
    return found


def doc_text(candidates: list[str], quotes: list[str]) -> str:
    """The decoding of a document that holds the most of its quotes (the earliest one on a tie)."""
    return max(candidates, key=lambda text: (sum(q in text for q in quotes), -candidates.index(text)))


def read_jsonl(path: Path) -> list[dict]:
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError as exc:  # pragma: no cover - reported as a failure
            raise AssertionError(f"{path}:{n}: not JSON: {exc}") from exc
    return rows


def quotes_by_doc(folder: Path) -> dict[str, list[str]]:
    """Every evidence quote of the folder (clusters.jsonl and qa.jsonl), by document."""
    quotes: dict[str, list[str]] = {}
    for name in ("clusters.jsonl", "qa.jsonl"):
        path = folder / name
        if not path.is_file():
            continue
        for row in read_jsonl(path):
            if not isinstance(row, dict):
                continue
            if name == "clusters.jsonl":
                items = [row]
                text_key = "evidence"
            else:
                items = row.get("evidence") if isinstance(row.get("evidence"), list) else []
                text_key = "text"
            for item in items:
                if isinstance(item, dict) and isinstance(item.get(text_key), str) and isinstance(item.get("doc_id"), str):
                    quotes.setdefault(item["doc_id"], []).append(item[text_key])
    return quotes


def load_gold(folder: Path) -> tuple[dict, dict[str, str]]:
    """gold.json and the decoded text of every document of its docs folder, by file stem."""
    meta = json.loads((folder / "gold.json").read_text(encoding="utf-8"))
    docs_dir = (folder / meta["docs"]).resolve()
    assert docs_dir.is_dir(), f"{folder}/gold.json: docs folder {docs_dir} missing"
    quotes = quotes_by_doc(folder)
    docs = {
        p.stem: doc_text(decodings(p.read_bytes()), quotes.get(p.stem, []))
        for p in sorted(docs_dir.iterdir())
        if p.is_file() and not p.name.startswith(".")
    }
    assert docs, f"no documents in {docs_dir}"
    return meta, docs


def test_gold_folders_exist():
    assert (EVAL / "gold" / "gold.json").is_file()
    assert EVAL / "gold" in GOLD_DIRS


@pytest.mark.parametrize("folder", GOLD_DIRS, ids=lambda p: p.name)
def test_gold_json(folder: Path):
    meta, _ = load_gold(folder)
    for key in ("name", "docs", "description"):
        assert isinstance(meta.get(key), str) and meta[key], f"gold.json needs a non-empty {key!r}"
    assert (folder / "clusters.jsonl").is_file()
    assert (folder / "qa.jsonl").is_file()


@pytest.mark.parametrize("folder", GOLD_DIRS, ids=lambda p: p.name)
def test_clusters(folder: Path):
    _, docs = load_gold(folder)
    rows = read_jsonl(folder / "clusters.jsonl")
    seen: set[tuple[str, str]] = set()
    problems: list[str] = []
    for n, row in enumerate(rows, 1):
        where = f"clusters.jsonl line {n}"
        if set(row) != CLUSTER_KEYS:
            problems.append(f"{where}: keys {sorted(set(row) ^ CLUSTER_KEYS)} differ")
            continue
        try:
            rec = GoldCluster.model_validate(row)
        except ValidationError as exc:
            problems.append(f"{where}: {exc}")
            continue
        if rec.doc_id not in docs:
            problems.append(f"{where}: unknown doc_id {rec.doc_id}")
            continue
        if rec.evidence not in docs[rec.doc_id]:
            problems.append(f"{where}: evidence not verbatim in {rec.doc_id}: {rec.evidence!r}")
        key = (rec.doc_id, rec.name)
        if key in seen:
            problems.append(f"{where}: duplicate (doc_id, name) {key}")
        seen.add(key)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("folder", GOLD_DIRS, ids=lambda p: p.name)
def test_qa(folder: Path):
    _, docs = load_gold(folder)
    rows = read_jsonl(folder / "qa.jsonl")
    ids: set[str] = set()
    problems: list[str] = []
    for n, row in enumerate(rows, 1):
        where = f"qa.jsonl line {n}"
        if set(row) != QA_KEYS:
            problems.append(f"{where}: keys {sorted(set(row) ^ QA_KEYS)} differ")
            continue
        qid = row["id"]
        if not isinstance(qid, str) or not qid or qid in ids:
            problems.append(f"{where}: id {qid!r} empty or duplicated")
        ids.add(qid)
        if not isinstance(row["question"], str) or not row["question"].strip():
            problems.append(f"{where}: empty question")
        if row["type"] not in QA_TYPES:
            problems.append(f"{where}: bad type {row['type']!r}")
        if not isinstance(row["answerable"], bool):
            problems.append(f"{where}: answerable must be a bool")
        if row["answerable"] != (row["type"] != "not_found"):
            problems.append(f"{where}: answerable must be false exactly for not_found")
        answers, doc_ids, evidence = row["answers"], row["doc_ids"], row["evidence"]
        if not isinstance(answers, list) or not all(
            isinstance(item, list) and item and all(isinstance(v, str) and v for v in item) for item in answers
        ):
            problems.append(f"{where}: answers must be a list of non-empty lists of non-empty strings")
        if row["answerable"]:
            if not answers:
                problems.append(f"{where}: answerable question without answers")
            if not doc_ids:
                problems.append(f"{where}: answerable question without doc_ids")
            if not evidence:
                problems.append(f"{where}: answerable question without evidence")
        else:
            if answers or doc_ids or evidence:
                problems.append(f"{where}: not_found question must have empty answers, doc_ids, evidence")
        for d in doc_ids:
            if d not in docs:
                problems.append(f"{where}: unknown doc_id {d}")
        for ev in evidence:
            if not isinstance(ev, dict) or set(ev) != {"doc_id", "text"}:
                problems.append(f"{where}: evidence items need exactly doc_id and text")
                continue
            if ev["doc_id"] not in docs:
                problems.append(f"{where}: evidence names unknown doc_id {ev['doc_id']}")
            elif not ev["text"] or ev["text"] not in docs[ev["doc_id"]]:
                problems.append(f"{where}: evidence not verbatim in {ev['doc_id']}: {ev['text']!r}")
            if ev["doc_id"] not in doc_ids:
                problems.append(f"{where}: evidence doc {ev['doc_id']} not listed in doc_ids")
    assert not problems, "\n".join(problems)


def test_seed_gold_size():
    rows = read_jsonl(EVAL / "gold" / "qa.jsonl")
    assert len(rows) >= 40
    assert sum(1 for r in rows if r["type"] == "not_found") >= 5
    types = {r["type"] for r in rows}
    assert QA_TYPES <= types, f"missing question types: {QA_TYPES - types}"
