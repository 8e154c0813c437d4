"""The store interface every backend implements, and the records it returns."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from kg.models import ExtractionResult

__all__ = [
    "GraphStats",
    "GraphStore",
    "QueryResult",
    "StoredEntity",
    "StoredRelationship",
    "WriteStats",
]


@dataclass(frozen=True)
class QueryResult:
    """Rows of a Cypher query, with their column names."""

    columns: list[str]
    rows: list[list[Any]]

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


@dataclass
class WriteStats:
    """What one ``write`` call did."""

    documents_written: int = 0
    documents_skipped: int = 0  # already stored with the same content
    documents_replaced: int = 0  # stored before with other content: old share retracted
    entities: int = 0
    relationships: int = 0  # aggregated relationships touched
    relation_mentions: int = 0

    def add(self, other: WriteStats) -> None:
        for name in vars(self):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass(frozen=True)
class GraphStats:
    """Counts of what a store holds."""

    nodes: dict[str, int]
    relationships: dict[str, int]
    modalities: dict[str, dict[str, int]]  # relation type -> modality -> mentions
    documents: int


@dataclass(frozen=True)
class StoredEntity:
    """An entity node as stored."""

    id: str
    name: str
    type: str
    aliases: list[str] = field(default_factory=list)
    wikidata: str | None = None
    documents: int = 0  # documents that mention it


@dataclass(frozen=True)
class StoredRelationship:
    """An aggregated relationship as stored: one per (type, source, target)."""

    type: str
    source: str
    target: str
    support: int
    documents: list[str]
    first_seen: dt.date | None
    last_seen: dt.date | None
    confidence: float
    modality: str
    modality_counts: dict[str, int]
    amount_usd: float | None = None
    roles: list[str] = field(default_factory=list)
    evidence: list[dict[str, Any]] = field(default_factory=list)


@runtime_checkable
class GraphStore(Protocol):
    """What every store can do. Stores are context managers."""

    @property
    def dialect(self) -> str:
        """ "ladybug" or "neo4j": which version of a saved query to run."""
        ...

    def write(self, results: Iterable[ExtractionResult]) -> WriteStats:
        """Add extraction results, batched and idempotent (same content: skipped)."""
        ...

    def document_hashes(self) -> dict[str, str]:
        """Content hash of every stored document, by id."""
        ...

    def retract(self, doc_ids: Iterable[str]) -> int:
        """Remove documents and their share of everything; return how many were stored."""
        ...

    def extractions(self, doc_ids: Iterable[str] | None = None) -> Iterator[ExtractionResult]:
        """The stored extraction results (all, or those of ``doc_ids``)."""
        ...

    def stats(self) -> GraphStats: ...

    def entities(self) -> Iterator[StoredEntity]: ...

    def relationships(self) -> Iterator[StoredRelationship]: ...

    def query(
        self, cypher: str, params: Mapping[str, Any] | None = None, *, write: bool = False
    ) -> QueryResult:
        """Run Cypher; refuse writing clauses unless ``write``."""
        ...

    def close(self) -> None: ...

    def __enter__(self) -> GraphStore: ...

    def __exit__(self, *exc: object) -> None: ...
