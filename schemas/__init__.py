"""Pydantic models that are the project's data contracts (installed as rag.schemas)."""
from .cluster import ClusterList, ClusterMention, Evidence, Level

__all__ = ["ClusterList", "ClusterMention", "Evidence", "Level"]
