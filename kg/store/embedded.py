"""The embedded default store: LadybugDB, on disk, Cypher, no server.

LadybugDB is schema-ful, which fits the closed ontology: one node table per entity
type plus ``Document``, one relationship table per relation type with the FROM/TO
pairs the ontology allows. Its Cypher differs from Neo4j's in a few places; this
module hides them (see :func:`translate`), so callers never see a dialect.

One process writes at a time: the database file is locked by its writer, and a
second writer gets :class:`~kg.errors.StoreLockedError` at once. Readers open the
file read-only and may run while a writer works. Every batch is one transaction,
so a crash loses at most the batch in flight, never a committed one.
"""

from __future__ import annotations

import contextlib
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from itertools import islice
from pathlib import Path
from typing import Any

import ladybug

from kg.errors import QueryError, ReadOnlyQueryError, StoreError, StoreLockedError
from kg.models import ExtractionResult
from kg.ontology import ENTITY_TYPES, MODALITIES, RELATIONS
from kg.store import cypher
from kg.store.aggregate import (
    EdgeAggregate,
    aggregate_edges,
    document_row,
    entity_rows,
    mention_rows,
    stored_relationship,
)
from kg.store.base import (
    GraphStats,
    QueryResult,
    StoredEntity,
    StoredRelationship,
    WriteStats,
)

__all__ = ["EmbeddedStore", "translate"]

SCHEMA_VERSION = "1"
_EDGE_COLUMNS = (
    "support INT64, documents STRING[], first_seen DATE, last_seen DATE, confidence DOUBLE, "
    "modality STRING, "
    + ", ".join(f"n_{m} INT64" for m in MODALITIES)
    + ", roles STRING[], amount_usd DOUBLE, evidence STRING[]"
)


def _ddl() -> list[str]:
    stmts = [
        f"CREATE NODE TABLE IF NOT EXISTS {lbl}(id STRING PRIMARY KEY, name STRING, "
        "aliases STRING[], wikidata STRING)"
        for lbl in ENTITY_TYPES
    ]
    stmts.append(
        "CREATE NODE TABLE IF NOT EXISTS Document(id STRING PRIMARY KEY, title STRING, "
        "published DATE, source STRING, path STRING, content_hash STRING, extraction STRING, "
        "n_entities INT64, n_relations INT64)"
    )
    stmts.append("CREATE NODE TABLE IF NOT EXISTS KgMeta(key STRING PRIMARY KEY, value STRING)")
    for spec in RELATIONS.values():
        pairs = [
            f"FROM {s.value} TO {t.value}"
            for s in sorted(spec.sources)
            for t in sorted(spec.targets)
            if spec.allows(s, t)
        ]
        stmts.append(
            f"CREATE REL TABLE IF NOT EXISTS {spec.name}({', '.join(pairs)}, {_EDGE_COLUMNS})"
        )
    pairs = ", ".join(f"FROM Document TO {lbl}" for lbl in ENTITY_TYPES)
    stmts.append(f"CREATE REL TABLE IF NOT EXISTS MENTIONS({pairs}, count INT64, forms STRING[])")
    return stmts


_ANY_ENTITY = ":" + ":".join(ENTITY_TYPES)


def translate(query: str) -> str:
    """Neo4j-style Cypher to LadybugDB's: ``type(r)`` -> ``label(r)``, ``:Entity`` -> any type.

    >>> translate("MATCH (e:Entity)-[r]->() RETURN type(r)")
    'MATCH (e:Organization:Person:Product)-[r]->() RETURN label(r)'
    """
    query = re.sub(r"\btype\s*\(", "label(", query)
    query = re.sub(r"\belementId\s*\(", "id(", query)
    return re.sub(r":Entity\b(?!:)", _ANY_ENTITY, query)


def _batches(items: Iterable[ExtractionResult], size: int) -> Iterator[list[ExtractionResult]]:
    it = iter(items)
    while batch := list(islice(it, size)):
        yield batch


class EmbeddedStore:
    """A graph in one LadybugDB file (default ``kg.db`` in the working directory)."""

    dialect: cypher.Dialect = "ladybug"

    def __init__(
        self,
        path: Path | str,
        *,
        read_only: bool = False,
        buffer_mb: int = 512,
        batch_size: int = 200,
    ) -> None:
        self.path = Path(path)
        self.read_only = read_only
        self.batch_size = batch_size
        if read_only and not self.path.exists():
            raise StoreError(
                f"no graph at {self.path}: build one first with `kg build PATH` "
                "(or point --db / KG_DB at an existing one)"
            )
        if self.path.is_dir():
            raise StoreError(f"{self.path} is a directory; the embedded store is one file")
        try:
            self._db = ladybug.Database(
                str(self.path), read_only=read_only, buffer_pool_size=buffer_mb * 1024 * 1024
            )
        except RuntimeError as err:
            if "lock" in str(err).lower():
                raise StoreLockedError(
                    f"{self.path} is being written by another kg process; wait for it to "
                    "finish (reading with `kg query` works meanwhile)"
                ) from err
            raise StoreError(f"cannot open the embedded store {self.path}: {err}") from err
        self._conn = ladybug.Connection(self._db)
        if not read_only:
            for stmt in _ddl():
                self._conn.execute(stmt)
            self._run("MERGE (m:KgMeta {key: 'schema'}) SET m.value = $v", {"v": SCHEMA_VERSION})

    # ------------------------------------------------------------------ plumbing
    def __enter__(self) -> EmbeddedStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        conn, db = getattr(self, "_conn", None), getattr(self, "_db", None)
        self._conn = self._db = None  # type: ignore[assignment]
        if conn is not None:
            conn.close()
        if db is not None:
            db.close()

    def _run(self, query: str, params: Mapping[str, Any] | None = None) -> list[list[Any]]:
        result = self._conn.execute(query, dict(params or {}))
        assert not isinstance(result, list)
        return result.get_all()  # type: ignore[no-any-return]

    def _records(self, query: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        result = self._conn.execute(query, dict(params or {}))
        assert not isinstance(result, list)
        cols = result.get_column_names()
        return [dict(zip(cols, row, strict=True)) for row in result.get_all()]

    def _transaction(self) -> _Transaction:
        return _Transaction(self._conn)

    # ------------------------------------------------------------------- writes
    def document_hashes(self) -> dict[str, str]:
        return {r[0]: r[1] for r in self._run("MATCH (d:Document) RETURN d.id, d.content_hash")}

    def write(self, results: Iterable[ExtractionResult]) -> WriteStats:
        stats = WriteStats()
        known = self.document_hashes()
        for batch in _batches(results, self.batch_size):
            fresh: dict[str, ExtractionResult] = {}
            for result in batch:
                if known.get(result.id) == result.content_hash or result.id in fresh:
                    stats.documents_skipped += 1
                    continue
                fresh[result.id] = result
            replaced = [i for i in fresh if i in known]
            if replaced:
                self.retract(replaced)
                stats.documents_replaced += len(replaced)
            if fresh:
                with self._transaction():
                    stats.add(self._write_batch(list(fresh.values())))
                known.update({i: r.content_hash for i, r in fresh.items()})
        return stats

    def _write_batch(self, results: list[ExtractionResult]) -> WriteStats:
        d = self.dialect
        entities = entity_rows(results)
        by_label: dict[str, list[str]] = defaultdict(list)
        for row in entities.values():
            by_label[row.type].append(row.id)
        for lbl, ids in by_label.items():
            for rec in self._records(cypher.read_entity_aliases(lbl, d), {"ids": ids}):
                entities[rec["id"]].merge_aliases(rec["aliases"] or [])
            self._run(cypher.upsert_entities(lbl, d), {"rows": [entities[i].row() for i in ids]})
        self._run(cypher.upsert_documents(), {"rows": [document_row(r) for r in results]})
        mentions: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in results:
            for m in mention_rows(r):
                mentions[m["type"]].append(m)
        for lbl, rows in mentions.items():
            self._run(cypher.upsert_mentions(lbl, d), {"rows": rows})
        edges = aggregate_edges(results)
        self._merge_edges(edges)
        return WriteStats(
            documents_written=len(results),
            entities=len(entities),
            relationships=len(edges),
            relation_mentions=sum(len(r.relations) for r in results),
        )

    def _edge_groups(
        self, keys: Iterable[tuple[str, str, str]]
    ) -> dict[tuple[str, str, str], list[tuple[str, str, str]]]:
        groups: dict[tuple[str, str, str], list[tuple[str, str, str]]] = defaultdict(list)
        for key in keys:
            rtype, s, t = key
            groups[(rtype, cypher.label_of_id(s), cypher.label_of_id(t))].append(key)
        return groups

    def _read_edges(
        self, keys: Iterable[tuple[str, str, str]]
    ) -> dict[tuple[str, str, str], EdgeAggregate]:
        found = {}
        for (rtype, src, tgt), group in self._edge_groups(keys).items():
            rows = [{"s": s, "t": t} for _, s, t in group]
            for rec in self._records(
                cypher.read_edges(rtype, src, tgt, self.dialect), {"rows": rows}
            ):
                agg = EdgeAggregate.from_row(rtype, rec)
                found[agg.key] = agg
        return found

    def _merge_edges(self, edges: dict[tuple[str, str, str], EdgeAggregate]) -> None:
        existing = self._read_edges(edges)
        for key, old in existing.items():
            old.merge(edges[key])
            edges[key] = old
        self._put_edges(edges.values())

    def _put_edges(self, edges: Iterable[EdgeAggregate]) -> None:
        by_key = {e.key: e for e in edges}
        for (rtype, src, tgt), group in self._edge_groups(by_key).items():
            self._run(
                cypher.upsert_edges(rtype, src, tgt, self.dialect),
                {"rows": [by_key[k].row() for k in group]},
            )

    # --------------------------------------------------------------- retraction
    def extractions(self, doc_ids: Iterable[str] | None = None) -> Iterator[ExtractionResult]:
        if doc_ids is None:
            rows = self._run("MATCH (d:Document) RETURN d.extraction ORDER BY d.id")
        else:
            rows = self._run(
                "MATCH (d:Document) WHERE d.id IN $ids RETURN d.extraction ORDER BY d.id",
                {"ids": list(doc_ids)},
            )
        for (text,) in rows:
            yield ExtractionResult.model_validate_json(text)

    def retract(self, doc_ids: Iterable[str]) -> int:
        ids = sorted(set(doc_ids))
        gone = list(self.extractions(ids))
        if not gone:
            return 0
        gone_ids = {r.id for r in gone}
        touched_edges = set(aggregate_edges(gone))
        touched_entities = {e.id for r in gone for e in r.entities}
        with self._transaction():
            self._run(
                "MATCH (d:Document) WHERE d.id IN $ids DETACH DELETE d", {"ids": sorted(gone_ids)}
            )
            current = self._read_edges(touched_edges)
            remaining_docs = {d for agg in current.values() for d in agg.documents} - gone_ids
            rebuilt = (
                aggregate_edges(r for r in self.extractions(remaining_docs))
                if remaining_docs
                else {}
            )
            keep = [rebuilt[k] for k in current if k in rebuilt]
            drop = [k for k in current if k not in rebuilt]
            for (rtype, src, tgt), group in self._edge_groups(drop).items():
                self._run(
                    cypher.delete_edges(rtype, src, tgt, self.dialect),
                    {"rows": [{"s": s, "t": t} for _, s, t in group]},
                )
            self._put_edges(keep)
            self._refresh_entities(touched_entities)
        return len(gone)

    def _refresh_entities(self, entity_ids: set[str]) -> None:
        """Delete entities no document mentions; recompute the aliases of the rest."""
        by_label: dict[str, list[str]] = defaultdict(list)
        for eid in entity_ids:
            by_label[cypher.label_of_id(eid)].append(eid)
        for lbl, ids in by_label.items():
            lb = cypher.label(lbl)
            rows = self._run(
                f"UNWIND $ids AS id MATCH (e:{lb} {{id: id}}) "
                "OPTIONAL MATCH (d:Document)-[:MENTIONS]->(e) "
                "RETURN e.id, collect(d.id)",
                {"ids": ids},
            )
            orphans = [eid for eid, docs in rows if not docs]
            if orphans:
                self._run(f"MATCH (e:{lb}) WHERE e.id IN $ids DETACH DELETE e", {"ids": orphans})
            alive = {eid: docs for eid, docs in rows if docs}
            if alive:
                results = list(self.extractions({d for docs in alive.values() for d in docs}))
                merged = entity_rows(results)
                self._run(
                    cypher.upsert_entities(lbl, self.dialect),
                    {"rows": [merged[eid].row() for eid in alive if eid in merged]},
                )

    # -------------------------------------------------------------------- reads
    def stats(self) -> GraphStats:
        nodes = {lbl: self._run(f"MATCH (n:{lbl}) RETURN count(n)")[0][0] for lbl in ENTITY_TYPES}
        rels: dict[str, int] = {}
        modalities: dict[str, dict[str, int]] = {}
        sums = ", ".join(f"sum(r.n_{m})" for m in MODALITIES)
        for rtype in RELATIONS:
            row = self._run(f"MATCH ()-[r:{rtype}]->() RETURN count(r), {sums}")[0]
            if row[0]:
                rels[rtype] = row[0]
                modalities[rtype] = {
                    m: int(n or 0) for m, n in zip(MODALITIES, row[1:], strict=True)
                }
        docs = self._run("MATCH (d:Document) RETURN count(d)")[0][0]
        return GraphStats(nodes=nodes, relationships=rels, modalities=modalities, documents=docs)

    def entities(self) -> Iterator[StoredEntity]:
        for lbl in ENTITY_TYPES:
            for rec in self._records(
                f"MATCH (e:{lbl}) RETURN e.id AS id, e.name AS name, e.aliases AS aliases, "
                "e.wikidata AS wikidata, COUNT { MATCH (d:Document)-[:MENTIONS]->(e) } "
                "AS documents ORDER BY id"
            ):
                yield StoredEntity(type=lbl, **{**rec, "aliases": rec["aliases"] or []})

    def relationships(self) -> Iterator[StoredRelationship]:
        props = ", ".join(f"r.{p} AS {p}" for p in cypher.EDGE_PROPERTIES)
        for rtype in RELATIONS:
            for rec in self._records(
                f"MATCH (a)-[r:{rtype}]->(b) RETURN a.id AS s, b.id AS t, {props} ORDER BY s, t"
            ):
                yield stored_relationship(rtype, rec)

    def query(
        self, cypher_text: str, params: Mapping[str, Any] | None = None, *, write: bool = False
    ) -> QueryResult:
        clause = cypher.writes(cypher_text)
        if clause and not write:
            raise ReadOnlyQueryError(
                f"the query has a writing clause ({clause}); queries are read-only unless "
                "you pass --write (write=True)"
            )
        if clause and self.read_only:
            raise ReadOnlyQueryError("the store was opened read-only; open it for writing")
        try:
            result = self._conn.execute(translate(cypher_text), dict(params or {}))
        except RuntimeError as err:
            raise QueryError(f"the embedded store refused the query: {err}") from err
        if isinstance(result, list):  # several statements: the last one's rows
            result = result[-1]
        return QueryResult(result.get_column_names(), result.get_all())


class _Transaction:
    """BEGIN ... COMMIT, or ROLLBACK when the block raises."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    def __enter__(self) -> None:
        self._conn.execute("BEGIN TRANSACTION")

    def __exit__(self, exc_type: object, *exc: object) -> None:
        if not exc_type:
            self._conn.execute("COMMIT")
            return
        with contextlib.suppress(RuntimeError):  # a failed statement already rolled back
            self._conn.execute("ROLLBACK")
