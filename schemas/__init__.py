"""Pydantic models that are the project's data contracts (installed as rag.schemas)."""
from .answer import Answer, Citation, Usage
from .cluster import ClusterList, ClusterMention, Evidence, Level
from .lists import ListMember, ListRecord, NoticePeriod

__all__ = ["Answer", "Citation", "ClusterList", "ClusterMention", "Evidence", "Level", "ListMember", "ListRecord",
           "NoticePeriod", "Usage"]
