"""The LLM answerer: a LangChain (LCEL) chain retrieve -> numbered passages -> prompt -> chat model
-> answer whose [n] markers become citations checked against the original text.

`build_chain(retriever, llm)` returns the Runnable (input {"question", "k", "doc_ids"}, output
`rag.schemas.Answer`) so users can compose it; `LLMAnswerer` binds it to an index.
"""
from __future__ import annotations

import re
import sys
import time
from functools import lru_cache
from typing import Callable, Optional, Protocol, TextIO

from ..chunk import split_sentences
from ..core.chinese import fold, t2s
from ..core.types import Chunk
from ..llm import LLM, Reply
from ..prompting import load_prompt
from ..schemas import Answer, Citation, Usage
from .citations import is_valid, make_citation
from .frame import kind_of, parse
from .support import unsupported_claims

ENGINE = "llm"
REFUSAL = "未在文档中找到"
REFUSAL_ANSWER = "未在文档中找到相关信息。"
MIN_SENTENCE_OVERLAP = 2  # shared character bigrams for a sentence to be cited instead of the whole passage
# An answer is a few sentences with [n] markers; a bound keeps a rambling model from running on.
# rag ask and rag eval both get it from LLMAnswerer.
ANSWER_MAX_TOKENS = 800

# [1] [1,2] [1、3] [^2] 【1】
_MARKER = re.compile(r"\[\^?\s*(\d{1,2}(?:\s*[,，、]\s*\d{1,2})*)\s*\]|【\s*(\d{1,2})\s*】")
_CLAUSE_END = re.compile(r"[。！？；!?;\n]")


class Hit(Protocol):
    chunk: Chunk
    score: float


Retriever = Callable[[str, int, Optional[list[str]]], list]


# -- passages and script --------------------------------------------------------------------------

def number_passages(hits: list) -> str:
    parts = []
    for i, hit in enumerate(hits, 1):
        c = hit.chunk
        title = getattr(hit, "title", "") or (c.metadata or {}).get("title")
        parts.append(f"[{i}] （文档 {c.doc_id}{'《' + title + '》' if title else ''}）\n{c.text}")
    return "\n\n".join(parts)


def is_traditional(text: str) -> bool:
    return t2s(text) != text


@lru_cache(maxsize=1)
def _s2t():
    import opencc

    # s2tw, not s2t: it keeps 集群, 公布 as Traditional Chinese articles write them (s2t gives 集羣, 公佈).
    return opencc.OpenCC("s2tw")


def s2t(text: str) -> str:
    return _s2t().convert(text)


def is_refusal(answer: str) -> bool:
    return fold(answer).lstrip(" \n*#>").startswith(REFUSAL)


# -- citations ------------------------------------------------------------------------------------

def _bigrams(text: str) -> set[str]:
    t = re.sub(r"[\W_]+", "", fold(_MARKER.sub("", text)))
    return {t[i:i + 2] for i in range(len(t) - 1)}


def _chunk_citation(chunk: Chunk, a: int, b: int) -> Optional[Citation]:
    """A citation for chunk.original_text[a:b], in document offsets, verified before it is returned."""
    local = make_citation(chunk.doc_id, chunk.original_text, a, b)
    if not is_valid(local, chunk.original_text):
        return None
    return local.model_copy(update={"start": local.start + chunk.start, "end": local.end + chunk.start})


def cite(claims: list[str], chunk: Chunk) -> Optional[Citation]:
    """The span of the passage's sentences that best support the claims (one sentence per claim);
    the whole passage when no sentence shares enough with any claim."""
    sentences = split_sentences(chunk.original_text)
    picked = []
    for claim in claims:
        target = _bigrams(claim)
        scored = [(len(target & _bigrams(s.text)), s) for s in sentences]
        score, best = max(scored, key=lambda t: t[0], default=(0, None))
        if best is not None and score >= MIN_SENTENCE_OVERLAP:
            picked.append(best)
    if picked:
        return _chunk_citation(chunk, min(s.start for s in picked), max(s.end for s in picked))
    return _chunk_citation(chunk, 0, len(chunk.original_text))


OriginalOf = Callable[[str], str]


def citable(hits: list, original_of: Optional[OriginalOf] = None) -> set[int]:
    """Passage numbers that can be cited: the chunk has text and, when the documents' original texts
    are at hand, is exactly original[start:end] (so spans inside it are valid document offsets)."""
    ok = set()
    for i, h in enumerate(hits, 1):
        c = h.chunk
        if not c.original_text.strip():
            continue
        if original_of is not None and original_of(c.doc_id)[c.start:c.end] != c.original_text:
            continue
        ok.add(i)
    return ok


class MarkerStream:
    """Renumbers passage markers as text arrives: the first passage cited becomes [1], the next new
    one [2]...; markers of passages that cannot be cited are removed. Feeding the whole answer at
    once gives the same text as feeding it token by token."""

    _PARTIAL = re.compile(r"^(?:\[\^?\s*[\d\s,，、]*|【\s*\d*\s*)$")

    def __init__(self, valid: set[int]) -> None:
        self.valid = valid
        self.order: dict[int, int] = {}
        self.buf = ""

    def feed(self, piece: str) -> str:
        self.buf += piece
        out = []
        while self.buf:
            i = min((j for j in (self.buf.find("["), self.buf.find("【")) if j >= 0), default=-1)
            if i < 0:
                out.append(self.buf)
                self.buf = ""
                break
            out.append(self.buf[:i])
            self.buf = self.buf[i:]
            m = _MARKER.match(self.buf)
            if m:
                out.append(self._renumber(m))
                self.buf = self.buf[m.end():]
            elif len(self.buf) < 24 and self._PARTIAL.match(self.buf):
                break  # maybe the start of a marker: wait for more text
            else:
                out.append(self.buf[0])
                self.buf = self.buf[1:]
        return "".join(out)

    def flush(self) -> str:
        rest, self.buf = self.buf, ""
        return rest

    def _renumber(self, m: re.Match) -> str:
        cited = []
        for n in _marker_numbers(m):
            if n in self.valid:
                cited.append(self.order.setdefault(n, len(self.order) + 1))
        return "".join(f"[{i}]" for i in dict.fromkeys(cited))


def _marker_numbers(m: re.Match) -> list[int]:
    return [int(x) for x in re.findall(r"\d+", m.group(1) or m.group(2))]


def renumber(answer: str, valid: set[int]) -> str:
    stream = MarkerStream(valid)
    return stream.feed(answer) + stream.flush()


def attach_citations(answer: str, hits: list, valid: Optional[set[int]] = None) -> tuple[str, list[Citation]]:
    """The answer with markers renumbered (see MarkerStream) and one verified citation per cited
    passage, in the same order, so [n] in the text is citations[n-1]."""
    valid = citable(hits) if valid is None else valid
    claims: dict[int, list[str]] = {}
    clause_start, clause = 0, ""
    for m in _MARKER.finditer(answer):
        ends = list(_CLAUSE_END.finditer(answer, clause_start, m.start()))
        start = ends[-1].end() if ends else clause_start
        if answer[start:m.start()].strip():  # "[1][2]" share the clause before them
            clause = answer[start:m.start()]
        for n in _marker_numbers(m):
            if n in valid:
                claims.setdefault(n, []).append(clause)
        clause_start = m.end()
    text = renumber(answer, valid)
    citations = [cite(cl, hits[n - 1].chunk) for n, cl in claims.items()]
    if not claims and valid:  # an answer without markers still gets its best supporting sentence
        best = max((hits[n - 1] for n in valid), key=lambda h: len(_bigrams(text) & _bigrams(h.chunk.original_text)))
        c = cite([text], best.chunk)
        if c is not None and len(_bigrams(text) & _bigrams(c.text)) >= MIN_SENTENCE_OVERLAP:
            citations.append(c)
    return text, [c for c in citations if c is not None]


# -- the chain ------------------------------------------------------------------------------------

def _to_dicts(messages) -> list[dict]:
    roles = {"system": "system", "human": "user", "ai": "assistant"}
    return [{"role": roles[m.type], "content": m.content} for m in messages]


def build_chain(retriever: Retriever, llm: LLM, k: int = 6, original_of: Optional[OriginalOf] = None):
    """LCEL: {"question", "k"?, "doc_ids"?, "on_token"?} -> Answer.

    retrieve (retriever(question, k, doc_ids) -> hits) | number the passages | ChatPromptTemplate |
    the chat model (cached, retried) | citations from the [n] markers, verified against
    `original_of(doc_id)` (the document's original text) when given, else against the chunks."""
    from langchain_core.prompts import ChatPromptTemplate
    from langchain_core.runnables import RunnableLambda

    prompt = ChatPromptTemplate.from_messages([("system", load_prompt("qa_system.md")),
                                               ("human", load_prompt("qa_user.md"))])

    def step(name: str, fn) -> RunnableLambda:
        # Runs in the caller's thread (RunnablePassthrough.assign would use a pool, and an index's
        # SQLite connection belongs to the thread that opened it).
        return RunnableLambda(lambda x: {**x, name: fn(x)}, name=name)

    def retrieve(x: dict) -> list:
        return list(retriever(x["question"], x.get("k") or k, x.get("doc_ids")))

    def generate(x: dict) -> Optional[Reply]:
        if not x["hits"]:
            return None  # nothing retrieved: refuse without a call
        messages = _to_dicts(x["prompt"].to_messages())
        on_token = x.get("on_token")
        if not on_token:
            return llm.complete(messages)
        # Stream what the final answer will say: markers renumbered, in the question's script.
        markers, traditional = MarkerStream(x["valid"]), is_traditional(x["question"])

        def emit(text: str) -> None:
            if text:
                text = s2t(text) if traditional else text
                x["streamed"].append(text)
                on_token(text)

        reply = llm.complete(messages, on_token=lambda piece: emit(markers.feed(piece)))
        emit(markers.flush())
        return reply

    return (
        step("started", lambda x: time.monotonic())
        | step("streamed", lambda x: [])
        | step("hits", retrieve)
        | step("valid", lambda x: citable(x["hits"], original_of))
        | step("prompt", lambda x: prompt.invoke({"context": number_passages(x["hits"]), "question": x["question"]}))
        | step("reply", generate)
        | RunnableLambda(lambda x: make_answer(x, original_of), name="answer")
    )


def make_answer(x: dict, original_of: Optional[OriginalOf] = None) -> Answer:
    question, hits, reply = x["question"], x["hits"], x["reply"]
    usage = reply.usage.model_copy() if reply else Usage(cost_usd=0.0)
    usage.seconds = round(time.monotonic() - x["started"], 3)
    text = reply.text.strip() if reply else REFUSAL_ANSWER
    supported, missing = None, []
    if not text or is_refusal(text):
        answer, citations, found = (text or REFUSAL_ANSWER), [], False
    else:
        answer, citations = attach_citations(text, hits, x["valid"])
        if original_of is not None:
            citations = [c for c in citations if is_valid(c, original_of(c.doc_id))]
        # Valid offsets are not support: every number, date and name must be in what is cited.
        missing = unsupported_claims(answer, [c.text for c in citations]) if citations else ["（无引用）"]
        supported = not missing
        found = supported
    if x.get("streamed"):
        answer = "".join(x["streamed"]).strip()  # exactly what the user saw (same renumbering and script)
    elif is_traditional(question):
        answer = s2t(answer)
    return Answer(question=question, answer=answer, citations=citations, engine=ENGINE, usage=usage, found=found,
                  supported=supported, unsupported=missing,
                  kind=kind_of(parse(question).answer), answer_type=parse(question).answer)


class LLMAnswerer:
    """Answers questions from an index (`index.search(question, k, doc_ids) -> hits`) with an LLM."""

    name = ENGINE

    def __init__(self, settings, index=None, retriever: Optional[Retriever] = None, llm: Optional[LLM] = None) -> None:
        llm_settings = getattr(settings, "llm", settings)
        if retriever is None:
            if index is None:
                raise ValueError("LLMAnswerer needs an index or a retriever")
            from ..retrieve import search_for

            def retriever(q: str, k: int, doc_ids):
                return search_for(index, q, k, doc_ids, parse(q).corpus)
        self.llm = llm or LLM(llm_settings, max_tokens=ANSWER_MAX_TOKENS)
        original_of = getattr(index, "original", None)
        self.chain = build_chain(retriever, self.llm, original_of=lru_cache(maxsize=64)(original_of) if original_of else None)

    def answer(self, question: str, k: int = 6, doc_ids: Optional[list[str]] = None,
               stream: bool = False, out: TextIO = sys.stderr) -> Answer:
        payload = {"question": question, "k": k, "doc_ids": doc_ids}
        if stream:
            def on_token(piece: str) -> None:
                out.write(piece)
                out.flush()

            payload["on_token"] = on_token
        result = self.chain.invoke(payload)
        if stream:
            if not result.usage.cached and result.usage.total_tokens == 0:  # refused without a call
                out.write(result.answer)
            out.write("\n")
            out.flush()
        return result
