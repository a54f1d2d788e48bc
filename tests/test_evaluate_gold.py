"""Loading gold folders: the project's own sets, and one-line errors for broken ones."""
import json
from pathlib import Path

import pytest
from support_evaluate import gold_cluster, question, write_gold

from rag.errors import InputError
from rag.evaluate.gold import load_gold

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("name, docs, clusters, questions", [("gold", 5, 32, 76), ("extra", 10, 53, 27)])
def test_project_gold_sets_load(name, docs, clusters, questions):
    gold = load_gold(ROOT / "eval" / name)
    assert (len(gold.doc_paths), gold.n_clusters, len(gold.questions)) == (docs, clusters, questions)
    # documents without a line have an empty gold list
    assert all(d in gold.clusters for d in gold.doc_paths)


def test_seed_documents_come_from_the_relative_docs_folder():
    gold = load_gold(ROOT / "eval" / "gold")
    assert gold.name == "seeds"
    assert gold.docs_dir == (ROOT / "seeds").resolve()
    assert gold.clusters["001_e95a1a6b2c1b2f2b"] == []


DOCS = {"a.txt": "甲市钢铁产业集群入选。", ".hidden.txt": "ignored"}


def test_hidden_files_are_not_documents(tmp_path):
    folder = write_gold(tmp_path, DOCS, [gold_cluster("a", "甲市钢铁产业集群", "甲市钢铁产业集群")], [])
    assert list(load_gold(folder).doc_paths) == ["a"]


@pytest.mark.parametrize("clusters, qa, message", [
    ([gold_cluster("zzz", "甲市钢铁产业集群", "甲市")], [], "doc_id 'zzz'"),
    ([{"doc_id": "a", "name": "甲市钢铁产业集群"}], [], "evidence"),
    ([gold_cluster("a", "甲市钢铁产业集群", "甲市", level="county")], [], "level"),
    ([gold_cluster("a", "甲市钢铁产业集群", "甲市")] * 2, [], "duplicate"),
    ([], [question("q1", "问?", "list")], "answerable question needs"),
    ([], [question("q1", "问?", "not_found", answers=[["x"]])], "not_found question has empty"),
    ([], [dict(question("q1", "问?", "not_found"), answerable=True)], "answerable must be false"),
    ([], [question("q1", "问?", "who", [["甲"]], ["a"], [("a", "甲")])] * 2, "duplicate id"),
    ([], [question("q1", "问?", "colour", [["甲"]], ["a"], [("a", "甲")])], "type"),
])
def test_broken_gold_is_one_input_error(tmp_path, clusters, qa, message):
    folder = write_gold(tmp_path, DOCS, clusters, qa)
    with pytest.raises(InputError, match=message) as err:
        load_gold(folder)
    assert "\n" not in str(err.value) and ".jsonl:" in str(err.value)


def test_missing_pieces(tmp_path):
    with pytest.raises(InputError, match="no gold.json"):
        load_gold(tmp_path)
    folder = write_gold(tmp_path, DOCS, [], [])
    (folder / "qa.jsonl").unlink()
    with pytest.raises(InputError, match="qa.jsonl: missing"):
        load_gold(folder)
    (folder / "qa.jsonl").write_text("{not json\n", encoding="utf-8")
    with pytest.raises(InputError, match="qa.jsonl:1: not JSON"):
        load_gold(folder)
    (folder / "gold.json").write_text(json.dumps({"name": "x", "docs": "nowhere"}), encoding="utf-8")
    with pytest.raises(InputError, match="does not exist"):
        load_gold(folder)
