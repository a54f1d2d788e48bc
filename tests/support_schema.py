"""A second record schema for `rag extract --schema support_schema:Statistic` (tests put tests/ on
sys.path): the statistics an article reports."""
from __future__ import annotations

from typing import Optional

from pydantic import BaseModel, Field


class Statistic(BaseModel):
    indicator: str = Field(description="The measure, as written: 年产值, 企业数量, 营业收入 ...")
    value: float = Field(description="The number (亿元 stays in unit: 80亿元 is value 80, unit 亿元).")
    unit: Optional[str] = Field(default=None, description="The unit as written: 亿元, 家, %; null when none.")
    year: Optional[int] = Field(default=None, ge=1949, le=2100, description="The year the figure is for, when stated.")
    place: Optional[str] = Field(default=None, description="The place the figure is about, as written.")
    evidence: str = Field(description="The clause stating the figure, copied character for character.")
