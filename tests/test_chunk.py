from rag.chunk import chunk_document, split_sentences
from rag.core.types import Document
from rag.normalise import normalise


def test_every_seed_chunk_is_an_exact_original_span(seed_docs):
    for ndoc in seed_docs.values():
        chunks = chunk_document(ndoc)
        assert chunks
        for c in chunks:
            assert ndoc.doc.original[c.start:c.end] == c.original_text
            assert c.text == ndoc.text[c.norm_start:c.norm_end]
            assert c.chunk_id == f"{ndoc.doc.doc_id}#{c.index}"


def test_chunks_respect_budget_and_overlap(seed_docs):
    ndoc = seed_docs["004_8a73088526650c13"]
    chunks = chunk_document(ndoc, max_tokens=200, overlap_tokens=60)
    assert len(chunks) > 3
    assert all(c.n_tokens <= 200 or c.text.count("\n") == 0 for c in chunks)
    overlaps = sum(1 for a, b in zip(chunks, chunks[1:]) if b.norm_start < a.norm_end)
    assert overlaps >= len(chunks) // 2


def test_list_items_kept_together(seed_docs):
    ndoc = seed_docs["004_8a73088526650c13"]
    chunks = chunk_document(ndoc)
    holders = [c for c in chunks if "1.河南省超硬材料" in c.text]
    assert holders and all("10.兰考品牌家居特色产业集群" in c.text for c in holders)


def test_sentence_split_on_chinese_ends():
    text = "第一句。第二句！“第三句？”第四句；\n列表项"
    assert [s.text for s in split_sentences(text)] == ["第一句。", "第二句！", "“第三句？”", "第四句；", "列表项"]


def test_chunk_of_traditional_text_with_readings_maps_to_original():
    original = "標題\n鄭州發(fā)布首批市級(jí)戰(zhàn)略性新興產(chǎn)業(yè)集群。" * 3
    ndoc = normalise(Document("t", "t.txt", original, "utf-8", "0"))
    for c in chunk_document(ndoc, max_tokens=40, overlap_tokens=0):
        assert original[c.start:c.end] == c.original_text
        assert "(fā)" not in c.text
