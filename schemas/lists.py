"""The list record: one list of clusters an article reports (a 名单 it publishes, announces or
relays), with the list's own facts and its members in order. `rag lists` prints them; cluster
records point at their list with `list_id`; questions about a list are answered from it."""
from __future__ import annotations

from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field

from .cluster import Evidence, Level

Stage = Literal["proposed", "recommended", "recognised", "candidate"]


class ListMember(BaseModel):
    model_config = ConfigDict(extra="forbid")

    position: int = Field(ge=1, description="1-based order of the member as the article writes the list")
    name: str
    regions: list[str] = Field(default_factory=list)
    industry: Optional[str] = None
    evidence: Evidence


class NoticePeriod(BaseModel):
    """A public-notice period (公示期): its dates and/or its stated length."""

    model_config = ConfigDict(extra="forbid")

    start: Optional[str] = Field(default=None, description="ISO date the period starts")
    end: Optional[str] = Field(default=None, description="ISO date the period ends")
    length: Optional[str] = Field(default=None, description="the length as written, e.g. 5个工作日")
    text: str = Field(description="the period as written")


class ListRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(description="<doc_id>#L<n>, n counting the document's lists from 1")
    doc_id: str
    title: Optional[str] = Field(default=None, description="the list's title or heading as written (Simplified)")
    issuer: Optional[str] = Field(default=None, description="the body that issues the list")
    date: Optional[str] = Field(default=None, description="ISO date the list was issued (the notice's date)")
    doc_number: Optional[str] = Field(default=None, description="the notice's own document number (文号)")
    notice_period: Optional[NoticePeriod] = None
    validity: Optional[str] = Field(default=None, description="how long a recognition is valid, as written (三年)")
    stated_count: Optional[int] = Field(default=None, ge=0, description="the number of clusters the text says the list holds")
    year: Optional[int] = Field(default=None, ge=1949, le=2100)
    batch: Optional[int] = Field(default=None, ge=1)
    level: Optional[Level] = None
    program: Optional[str] = None
    stage: Optional[Stage] = Field(default=None, description="proposed (拟认定, 公示), recommended (推荐), recognised, or candidate (培育对象: to be recognised later)")
    province: Optional[str] = Field(default=None, description="the province whose list it is, or whose members it holds")
    place: Optional[str] = Field(default=None, description="the place that owns the list (湖北省, 苏州市), when it is a place's list")
    home: Optional[str] = Field(default=None, description="the city the article is written from (我市), where members "
                                "written without a place lie")
    contact_phone: Optional[str] = None
    contact_office: Optional[str] = None
    members: list[ListMember] = Field(default_factory=list)
    evidence: dict[str, Evidence] = Field(default_factory=dict, description="field name → where the article states it")

    @property
    def complete(self) -> bool:
        """All members are written out (as many as the stated count, when one is stated)."""
        return self.stated_count is None or len(self.members) >= self.stated_count
