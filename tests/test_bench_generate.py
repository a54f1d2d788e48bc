"""The benchmark corpus generator (bench/generate.py) writes realistic, varied, self-describing
articles: what the manifest says a document names is really written in it, the mess real
pages carry is there, and nothing is copied from the seeds."""
from __future__ import annotations

import html
import re
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # bench/ is a folder of scripts, not part of the installed package

from bench.generate import generate_corpus, main, read_manifest  # noqa: E402

N = 150


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench") / "corpus"
    entries = generate_corpus(out, N, seed=7)
    return out, entries


_PINYIN = re.compile(r"[(（][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,7}[)）]")
_NOT_WORD = re.compile(r"[^\w]|_")


def key(text: str) -> str:
    """Comparable form independent of the project's own normaliser: no pinyin readings,
    Simplified, half-width digits, no whitespace or punctuation."""
    import opencc

    text = opencc.OpenCC("t2s").convert(_PINYIN.sub("", text))
    text = text.translate({c: c - 0xFEE0 for c in range(0xFF10, 0xFF1A)})
    return _NOT_WORD.sub("", text)


def visible_text(path: Path, entry: dict) -> str:
    enc = {"utf-16": "utf-16", "utf-8-sig": "utf-8-sig"}.get(entry["encoding"], entry["encoding"])
    text = path.read_bytes().decode(enc)
    if entry["format"] == "html":
        text = re.sub(r"(?s)<(script|style)\b.*?</\1>", "", text)
        text = html.unescape(re.sub(r"<[^>]+>", "\n", text))
    return text


def test_every_cluster_in_the_manifest_is_written_in_its_document(corpus):
    out, entries = corpus
    checked = 0
    for e in entries:
        text = key(visible_text(out / e["file"], e))
        for c in e["clusters"]:
            assert c["industry"] in c["name"]
            if c["written_whole"]:
                assert key(c["name"]) in text, (e["file"], c["name"])
            else:  # a member of a compressed list: 我市甲和乙2个产业集群
                assert key(c["industry"]) in text and re.search(r"\d+个产业集群", text), (e["file"], c["name"])
            checked += 1
    assert checked > 2 * N  # most articles name several clusters


def test_policy_articles_talk_about_clusters_without_naming_any(corpus):
    out, entries = corpus
    policy = [e for e in entries if e["kind"] == "policy_plan"]
    assert policy
    for e in policy:
        text = key(visible_text(out / e["file"], e))
        assert e["clusters"] == []
        assert "集群" in text and ("力争" in text or "培育" in text)


def test_corpus_is_varied_like_real_pages(corpus):
    _, entries = corpus
    count = lambda k: Counter(e[k] for e in entries)  # noqa: E731
    assert set(count("kind")) == {"list_notice", "single_news", "city_report", "roundup", "policy_plan"}
    assert set(count("format")) == {"txt", "html", "md"}
    assert {"utf-8", "gb18030", "utf-16"} <= set(count("encoding"))
    assert "simplified" in count("script") and len(count("script")) >= 3  # and Traditional variants
    assert any(e["pinyin"] for e in entries) and any(e["half_width"] for e in entries)
    assert 0 < sum(e["boilerplate"] for e in entries) < N
    assert len({e["list_form"] for e in entries if e["list_form"]}) >= 5
    assert len(count("province")) >= 15
    clusters = [c for e in entries for c in e["clusters"]]
    assert len({c["industry"] for c in clusters}) >= 40
    assert {c["level"] for c in clusters} >= {"national", "provincial", "municipal", None}
    assert len({c["program"] for c in clusters if c["program"]}) >= 5
    assert any(len(c["regions"]) >= 2 for c in clusters) and any(c["regions"] == [] for c in clusters)
    assert len({e["title"] for e in entries}) > 0.85 * N


def test_documents_are_distinct_and_not_copied_from_the_seeds(corpus):
    out, entries = corpus
    texts = [key(visible_text(out / e["file"], e)) for e in entries]
    assert len(set(texts)) == N
    joined = "\n".join(texts)
    seed_sentences = []
    for p in sorted((ROOT / "seeds").glob("*.txt")):
        seed_sentences += [s for s in (key(x) for x in re.split(r"[。！？\n]", p.read_text(encoding="utf-8"))) if len(s) >= 20]
    assert len(seed_sentences) > 30
    copied = [s for s in seed_sentences if s in joined]
    assert copied == []


def test_every_file_is_accepted_by_the_pipeline(corpus):
    from rag.chunk import chunk_document
    from rag.prepare import prepare

    out, entries = corpus
    for e in entries:
        ndoc = prepare(out / e["file"])
        assert ndoc.doc.doc_id == e["doc_id"]
        assert chunk_document(ndoc)


def test_same_seed_same_bytes_and_smaller_corpora_are_prefixes(corpus, tmp_path):
    out, entries = corpus
    small = generate_corpus(tmp_path / "small", 25, seed=7)
    assert small == entries[:25]
    for e in small:
        assert (tmp_path / "small" / e["file"]).read_bytes() == (out / e["file"]).read_bytes()
    other = generate_corpus(tmp_path / "other", 25, seed=8)
    assert [e["title"] for e in other] != [e["title"] for e in small]


def test_an_existing_large_enough_corpus_is_reused(tmp_path):
    out = tmp_path / "c"
    generate_corpus(out, 10, seed=1)
    stamp = (out / "manifest.jsonl").stat().st_mtime_ns
    assert len(generate_corpus(out, 6, seed=1)) == 6
    assert (out / "manifest.jsonl").stat().st_mtime_ns == stamp
    assert len(generate_corpus(out, 12, seed=1)) == 12  # larger: regenerated
    assert len(read_manifest(out)) == 12 and len(list(out.glob("gen*"))) == 12


def test_cli_refuses_an_empty_corpus_with_one_line(tmp_path, capsys):
    assert main([str(tmp_path / "x"), "-n", "0"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "error" in err
