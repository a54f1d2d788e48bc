"""Pydantic models that are the project's data contracts (installed as rag.schemas)."""
from .answer import Answer, Citation, Usage
from .cluster import ClusterList, ClusterMention, Evidence, Level

__all__ = ["Answer", "Citation", "ClusterList", "ClusterMention", "Evidence", "Level", "Usage"]
