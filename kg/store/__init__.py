"""Graph stores: one interface, an embedded default (LadybugDB) and Neo4j."""

from __future__ import annotations

from typing import Literal

from kg.settings import Settings, get_settings
from kg.store.base import (
    GraphStats,
    GraphStore,
    QueryResult,
    StoredEntity,
    StoredRelationship,
    WriteStats,
)
from kg.store.embedded import EmbeddedStore

__all__ = [
    "EmbeddedStore",
    "GraphStats",
    "GraphStore",
    "QueryResult",
    "StoredEntity",
    "StoredRelationship",
    "WriteStats",
    "open_store",
]

StoreKind = Literal["embedded", "neo4j"]


def open_store(
    kind: StoreKind | None = None, *, settings: Settings | None = None, read_only: bool = False
) -> GraphStore:
    """Open the configured store (``KG_STORE``; ``embedded`` unless told otherwise)."""
    settings = settings or get_settings()
    kind = kind or settings.store
    if kind == "neo4j":
        from kg.store.neo4j import Neo4jStore  # the driver is only needed here

        return Neo4jStore.from_settings(settings, read_only=read_only)
    return EmbeddedStore(settings.db, read_only=read_only, buffer_mb=settings.db_buffer_mb)
