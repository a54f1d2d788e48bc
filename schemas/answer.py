"""The answer record `rag ask --json` prints."""
from __future__ import annotations

from typing import Optional

from pydantic import BaseModel, Field


class Citation(BaseModel):
    doc_id: str
    start: int = Field(ge=0, description="start offset into the document's original text")
    end: int = Field(ge=0, description="end offset (exclusive)")
    text: str = Field(description="original[start:end], checked before printing")


class Usage(BaseModel):
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    cost_usd: Optional[float] = None
    cached: bool = False
    seconds: float = 0.0


class Answer(BaseModel):
    question: str
    answer: str
    citations: list[Citation] = Field(default_factory=list)
    engine: str
    usage: Usage = Field(default_factory=Usage)
    found: bool = Field(default=True, description="false when the corpus does not hold the answer (or, for an LLM "
                        "answer, when the answer is not supported by its citations)")
    supported: Optional[bool] = Field(
        default=None, description="LLM answers: true when every number, date and name in the answer occurs in a cited "
        "span (after folding script, pinyin and width); false otherwise. null for refusals and rule-based answers")
    unsupported: list[str] = Field(default_factory=list,
                                   description="the numbers, dates and names of the answer that no cited span holds")
    kind: Optional[str] = Field(default=None, description="question type: list, count, who, when, where, numeric, yesno, other")
    answer_type: Optional[str] = Field(
        default=None, description="what the answer is, finer than kind: count, members, member, body, company, person, date, "
        "notice_end, period, length, validity, year, docno, phone, office, amount, percent, quantity, place, level, yesno, "
        "definition, text")
