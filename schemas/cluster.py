"""The cluster mention record: the extraction spec.

Field descriptions are what the LLM engine sees; `rag schema` exports the JSON schema.
"""
from __future__ import annotations

from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, field_validator

Level = Literal["national", "provincial", "municipal"]


class Evidence(BaseModel):
    """A verbatim span of the ORIGINAL file text (before any cleaning or normalisation)."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(description="The exact characters of the source that mention the cluster, copied verbatim.")
    start: int = Field(ge=0, description="Start character offset into the original decoded text (inclusive).")
    end: int = Field(ge=0, description="End character offset into the original decoded text (exclusive).")
    alignment: Optional[Literal["exact", "folded", "sentence"]] = Field(
        default=None,
        description="LLM engines: how the model's quote was found in the source: exact (as written), folded (after "
                    "Traditional/pinyin/width or whitespace folding), sentence (not found: the sentence naming the "
                    "cluster is the evidence). Null for rule-found spans.",
    )

    @field_validator("end")
    @classmethod
    def _end_after_start(cls, end: int, info):
        start = info.data.get("start")
        if start is not None and end < start:
            raise ValueError("evidence end must be >= start")
        return end


class ClusterMention(BaseModel):
    """One industrial cluster (产业集群) named in one document."""

    model_config = ConfigDict(extra="forbid")

    doc_id: str = Field(description="Document id: the source file's path relative to the folder given, without its suffix "
                        "(the file's stem for a file given by itself).")
    name: str = Field(
        min_length=2,
        description=(
            "The cluster's full name as written in the article, in Simplified Chinese, with pinyin readings removed, "
            "including its place prefix and its head noun, e.g. 郑州巩义市铝基新材料战略性新兴产业集群, "
            "河南省超硬材料产业集群, 青烟威船舶与海洋工程装备集群. When a sentence lists several clusters sharing one "
            "head noun (长沙市工程机械、株洲市先进轨道交通装备等4个产业集群), give each cluster its own full name "
            "(长沙市工程机械产业集群). Never a generic phrase such as 产业集群建设 or 世界级集群."
        ),
    )
    regions: list[str] = Field(
        default_factory=list,
        description=(
            "Places named in the mention, as written (Simplified): cities, districts, counties, development zones, "
            "e.g. [\"郑州市\", \"巩义市\"], or the city list in parentheses after the name."
        ),
    )
    province: Optional[str] = Field(
        default=None,
        description="The province (省/自治区/直辖市) the cluster lies in, when stated or unambiguous, e.g. 河南省.",
    )
    level: Optional[Level] = Field(
        default=None,
        description=(
            "The level of the list or recognition the article reports for this cluster: national (国家级, a ministry "
            "such as 工信部 or 国家发展改革委), provincial (省级, a provincial department), municipal (市级, a city body); "
            "null when the article reports no list or recognition."
        ),
    )
    program: Optional[str] = Field(
        default=None,
        description=(
            "The kind of list the cluster is on: 战略性新兴产业集群, 先进制造业集群, 中小企业特色产业集群, "
            "支柱型雁阵集群, 创新型产业集群, ...; null when none is reported."
        ),
    )
    industry: Optional[str] = Field(
        default=None,
        description="The industry the name carries, without place and head noun, e.g. 铝基新材料, 新能源汽车.",
    )
    recognised_by: Optional[str] = Field(
        default=None,
        description="The body that issued the list or recognition, when stated, e.g. 工业和信息化部, 国家发展改革委.",
    )
    year: Optional[int] = Field(default=None, ge=1949, le=2100, description="Year of the list or recognition, when stated.")
    batch: Optional[int] = Field(default=None, ge=1, description="Batch number (首批/第一批 = 1, 第二批 = 2), when stated.")
    evidence: Evidence = Field(description="Where the cluster is named in the original text.")
    engine: Optional[str] = Field(
        default=None, description="The engine that produced the record (offline, llm, hybrid); set by jiqun, not read "
        "from a model.")
    vetoed: Optional[str] = Field(
        default=None,
        description="Hybrid engine with --keep-vetoed only: the reason the LLM gave for rejecting this rule-found "
                    "candidate (kept, flagged). Null otherwise.",
    )


class ClusterList(BaseModel):
    """All clusters named in a text. Empty when the text names none (counts without names are not clusters)."""

    clusters: list[ClusterMention] = Field(default_factory=list)
