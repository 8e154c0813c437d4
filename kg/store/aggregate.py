"""From relation mentions to the rows both stores write: dialect-free and pure.

A stored relationship aggregates every mention of one (type, source, target):
support (mentions), the documents, first and last seen (publication dates),
the highest confidence, counts per modality, the roles and the largest USD amount
stated, and up to :data:`MAX_EVIDENCE` evidence snippets. Symmetric types are
stored once, from the smaller id to the larger, so A-B and B-A are one edge.

Aggregates add up: merging the aggregate of documents X with that of documents Y
gives the aggregate of X and Y, so writes can be incremental, and a retraction
recomputes the touched edges from the documents that remain. They do not depend on
the order documents come in: lists are stored in one canonical order (documents,
roles and aliases sorted; evidence best first: the firmest modality, then by
document and offset, and the best :data:`MAX_EVIDENCE` kept). So a graph written in
any order, by concurrent writers, rebuilt after a retraction or copied to another
store (``kg sync``) is the same graph.
"""

from __future__ import annotations

import datetime as dt
import json
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from kg.models import ExtractionResult, Relation
from kg.ontology import MODALITIES, Modality, relation_spec
from kg.store.base import StoredRelationship

__all__ = [
    "MAX_EVIDENCE",
    "EdgeAggregate",
    "EntityRow",
    "aggregate_edges",
    "best_evidence",
    "document_row",
    "edge_key",
    "entity_rows",
    "mention_rows",
    "packed_extraction",
    "stored_relationship",
    "unpacked_extraction",
]

MAX_EVIDENCE = 5

EdgeKey = tuple[str, str, str]
_RANK = {m.value: m.rank for m in Modality}


def _evidence_order(snippet: str) -> tuple[int, str, int, str]:
    ev = json.loads(snippet)
    rank = _RANK.get(ev.get("modality"), len(_RANK))
    return rank, str(ev.get("doc_id")), int(ev.get("start") or 0), snippet


def best_evidence(snippets: Iterable[str]) -> list[str]:
    """The evidence an edge keeps, best first: firmest modality, then document and offset."""
    return sorted(set(snippets), key=_evidence_order)[:MAX_EVIDENCE]


def edge_key(rel: Relation) -> EdgeKey:
    """(type, source, target), with symmetric types in a canonical order."""
    if relation_spec(rel.type).symmetric and rel.target < rel.source:
        return rel.type, rel.target, rel.source
    return rel.type, rel.source, rel.target


@dataclass
class EdgeAggregate:
    """Everything stored on one relationship."""

    type: str
    source: str
    target: str
    support: int = 0
    documents: list[str] = field(default_factory=list)
    first_seen: dt.date | None = None
    last_seen: dt.date | None = None
    confidence: float = 0.0
    modality_counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(MODALITIES, 0))
    roles: list[str] = field(default_factory=list)
    amount_usd: float | None = None
    evidence: list[str] = field(default_factory=list)  # JSON objects, as stored

    @property
    def key(self) -> EdgeKey:
        return self.type, self.source, self.target

    @property
    def modality(self) -> str:
        """The most frequent modality; ties go to the firmer one."""
        best, most = MODALITIES[0], -1
        for m in MODALITIES:  # firmest first: a later one must be more frequent
            n = self.modality_counts.get(m, 0)
            if n > most:
                best, most = m, n
        return best

    def add_mention(self, rel: Relation) -> None:
        self.support += 1
        if rel.evidence.doc_id not in self.documents:
            self.documents.append(rel.evidence.doc_id)
        self._dates(rel.date, rel.date)
        self.confidence = max(self.confidence, rel.confidence)
        modality = rel.modality.value
        self.modality_counts[modality] += 1
        if rel.role and rel.role not in self.roles:
            self.roles.append(rel.role)
        if rel.amount_usd is not None:
            self.amount_usd = max(self.amount_usd or 0.0, rel.amount_usd)
        snippet = json.dumps(
            {
                "doc_id": rel.evidence.doc_id,
                "sentence": rel.evidence.sentence,
                "start": rel.evidence.sentence_start,
                "end": rel.evidence.sentence_end,
                "trigger": rel.evidence.trigger,
                "rule": rel.evidence.rule,
                "modality": modality,
                "amount": rel.amount,
            },
            ensure_ascii=False,
            sort_keys=True,
        )
        if snippet not in self.evidence:
            self.evidence.append(snippet)
            if len(self.evidence) > MAX_EVIDENCE:
                self.evidence = best_evidence(self.evidence)

    def merge(self, other: EdgeAggregate) -> None:
        """Add ``other`` (the same edge, from other documents) into this one."""
        self.support += other.support
        self.documents += sorted(set(other.documents) - set(self.documents))
        self._dates(other.first_seen, other.last_seen)
        self.confidence = max(self.confidence, other.confidence)
        for m, n in other.modality_counts.items():
            self.modality_counts[m] = self.modality_counts.get(m, 0) + n
        self.roles += [r for r in other.roles if r not in self.roles]
        if other.amount_usd is not None:
            self.amount_usd = max(self.amount_usd or 0.0, other.amount_usd)
        self.evidence = best_evidence([*self.evidence, *other.evidence])

    def _dates(self, first: dt.date | None, last: dt.date | None) -> None:
        if first is not None and (self.first_seen is None or first < self.first_seen):
            self.first_seen = first
        if last is not None and (self.last_seen is None or last > self.last_seen):
            self.last_seen = last

    def row(self) -> dict[str, Any]:
        """The properties as written to a store (dates as ISO strings)."""
        return {
            "s": self.source,
            "t": self.target,
            "support": self.support,
            "documents": sorted(self.documents),
            "first_seen": self.first_seen.isoformat() if self.first_seen else None,
            "last_seen": self.last_seen.isoformat() if self.last_seen else None,
            "confidence": self.confidence,
            "modality": self.modality,
            **{f"n_{m}": self.modality_counts.get(m, 0) for m in MODALITIES},
            "roles": sorted(self.roles),
            "amount_usd": self.amount_usd,
            # one snippet (most edges of a batch) is in order already
            "evidence": best_evidence(self.evidence)
            if len(self.evidence) > 1
            else self.evidence[:],
        }

    @classmethod
    def from_row(cls, rtype: str, row: dict[str, Any]) -> EdgeAggregate:
        """Rebuild an aggregate from stored properties (the inverse of :meth:`row`)."""

        def date(value: Any) -> dt.date | None:
            if value is None or isinstance(value, dt.date):
                return value
            if hasattr(value, "to_native"):  # neo4j.time.Date
                return value.to_native()
            return dt.date.fromisoformat(str(value))

        return cls(
            type=rtype,
            source=row["s"],
            target=row["t"],
            support=int(row["support"] or 0),
            documents=list(row["documents"] or []),
            first_seen=date(row["first_seen"]),
            last_seen=date(row["last_seen"]),
            confidence=float(row["confidence"] or 0.0),
            modality_counts={m: int(row.get(f"n_{m}") or 0) for m in MODALITIES},
            roles=list(row["roles"] or []),
            amount_usd=row["amount_usd"],
            evidence=list(row["evidence"] or []),
        )


def aggregate_edges(results: Iterable[ExtractionResult]) -> dict[EdgeKey, EdgeAggregate]:
    """Aggregate the relation mentions of ``results`` per edge."""
    edges: dict[EdgeKey, EdgeAggregate] = {}
    for result in results:
        for rel in result.relations:
            key = edge_key(rel)
            edge = edges.get(key)
            if edge is None:
                edge = edges[key] = EdgeAggregate(*key)
            edge.add_mention(rel)
    return edges


@dataclass
class EntityRow:
    """An entity node's properties, merged over documents."""

    id: str
    name: str
    type: str
    aliases: list[str] = field(default_factory=list)
    wikidata: str | None = None

    def merge_aliases(self, more: Iterable[str]) -> None:
        if more:  # most mentions bring no aliases
            self.aliases += sorted(set(more) - set(self.aliases) - {self.name})

    def row(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "aliases": sorted(set(self.aliases)),
            "wikidata": self.wikidata,
        }


def entity_rows(results: Iterable[ExtractionResult]) -> dict[str, EntityRow]:
    """Entity rows of ``results``, one per id, aliases unioned."""
    rows: dict[str, EntityRow] = {}
    for result in results:
        for ent in result.entities:
            row = rows.get(ent.id)
            if row is None:
                row = rows[ent.id] = EntityRow(
                    ent.id, ent.name, ent.type.value, wikidata=ent.wikidata
                )
            row.merge_aliases(ent.aliases)
    return rows


def mention_rows(result: ExtractionResult) -> list[dict[str, Any]]:
    """MENTIONS rows of one document: entity id, type, mention count, surface forms."""
    return [
        {
            "d": result.id,
            "e": ent.id,
            "type": ent.type.value,
            "count": len(ent.mentions),
            "forms": sorted({m.text for m in ent.mentions}),
        }
        for ent in result.entities
    ]


def packed_extraction(r: ExtractionResult) -> bytes:
    """An extraction result as a store may keep it compactly: compressed JSON.

    A document's extraction is its largest property (the sample articles' median is
    7 KB of JSON, much of it repeated keys) and it is only read back whole, to
    retract the document. Compressed (zlib, fastest level: about 35 us per document)
    it is a quarter of that.
    """
    return zlib.compress(r.model_dump_json().encode(), 1)


def unpacked_extraction(stored: str | bytes) -> ExtractionResult:
    """The extraction result stored as JSON text or as :func:`packed_extraction` bytes."""
    if isinstance(stored, bytes | bytearray):
        stored = zlib.decompress(stored)
    return ExtractionResult.model_validate_json(stored)


def document_row(r: ExtractionResult, *, packed: bool = False) -> dict[str, Any]:
    """A Document node's properties; the extraction itself is kept for retraction
    (as JSON text, or ``packed``: see :func:`packed_extraction`)."""
    return {
        "id": r.id,
        "title": r.title,
        "published": r.published.isoformat() if r.published else None,
        "source": r.source,
        "path": r.path,
        "content_hash": r.content_hash,
        "extraction": packed_extraction(r) if packed else r.model_dump_json(),
        "n_entities": len(r.entities),
        "n_relations": len(r.relations),
    }


def stored_relationship(rtype: str, rec: dict[str, Any]) -> StoredRelationship:
    """A stored relationship from the properties a store returned."""
    agg = EdgeAggregate.from_row(rtype, rec)
    return StoredRelationship(
        type=rtype,
        source=agg.source,
        target=agg.target,
        support=agg.support,
        documents=agg.documents,
        first_seen=agg.first_seen,
        last_seen=agg.last_seen,
        confidence=agg.confidence,
        modality=agg.modality,
        modality_counts=agg.modality_counts,
        amount_usd=agg.amount_usd,
        roles=agg.roles,
        evidence=[json.loads(e) for e in agg.evidence],
    )
