"""What every Cypher store shares: writing, retracting and reading a graph.

Both stores hold the same graph and change it with the same statements (from
:mod:`kg.store.cypher`, in their dialect): :class:`CypherGraphStore` writes that
logic once. A store adds how a statement runs (:meth:`~CypherGraphStore._run`,
:meth:`~CypherGraphStore._records`), how a transaction runs
(:meth:`~CypherGraphStore._transaction`) and how a user's query runs.

A transaction is a function, not a block: Neo4j retries a transaction that failed
for a transient reason (a deadlock, a leader switch) by calling it again, so the
work done inside one is computed inside it, from its arguments and what it reads.

Every batch of documents is one transaction: the documents, their entities, their
mentions and their share of every relationship are committed together or not at all.
What a batch writes that depends on its documents alone (entity, document, mention
and edge rows: a :class:`Batch`) is computed in a helper thread while the previous
batch commits, so the client's work overlaps the database's.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from functools import partial
from itertools import islice
from typing import Any, Self, TypeVar

from kg.errors import ReadOnlyQueryError
from kg.models import ExtractionResult
from kg.ontology import ENTITY_TYPES, MODALITIES, RELATIONS
from kg.store import cypher
from kg.store.aggregate import (
    EdgeAggregate,
    EdgeKey,
    EntityRow,
    aggregate_edges,
    document_row,
    entity_rows,
    mention_rows,
    stored_relationship,
    unpacked_extraction,
)
from kg.store.base import GraphStats, QueryResult, StoredEntity, StoredRelationship, WriteStats

__all__ = ["Batch", "CypherGraphStore", "lock_rows"]

T = TypeVar("T")
EdgeGroup = tuple[str, str, str]  # (relation type, source label, target label)


def _batches(items: Iterable[ExtractionResult], size: int) -> Iterator[list[ExtractionResult]]:
    it = iter(items)
    while batch := list(islice(it, size)):
        yield batch


@dataclass(frozen=True)
class Batch:
    """One transaction's documents and the rows that write them.

    Computed from the documents alone, before the transaction starts; the
    transaction only reads it (it may run more than once), and copies what it
    merges with what is stored.
    """

    results: list[ExtractionResult]  # by id, each id once
    entities: dict[str, EntityRow]
    entity_rows: dict[str, dict[str, Any]]  # EntityRow.row() by id
    locks: dict[str, list[dict[str, Any]]]  # lock_rows() of the entities: by label, by id
    edges: dict[EdgeKey, EdgeAggregate]
    edge_rows: dict[EdgeKey, dict[str, Any]]  # EdgeAggregate.row() by key
    store_rows: Any = None  # what the store's own statements take (_store_rows)


def _submit_once(
    futures: list[Future[T]], pool: ThreadPoolExecutor, fn: Callable[..., T], *args: Any
) -> None:
    """Start ``fn(*args)`` in ``pool`` unless ``futures`` holds it already (a retried
    transaction calls this again)."""
    if not futures:
        futures.append(pool.submit(fn, *args))


def lock_rows(
    types: Mapping[str, str], rows: Mapping[str, dict[str, Any]] | None = None
) -> dict[str, list[dict[str, Any]]]:
    """The rows of an entity lock: by label in :data:`ENTITY_TYPES` order, each label's
    by id (the one order every writer takes locks in); ``types`` maps id to label.

    An id with a row in ``rows`` locks with it (and creates the entity from it); the
    others with their id alone.
    """
    by_label: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for eid, lbl in sorted(types.items()):
        row = rows.get(eid) if rows else None
        by_label[lbl].append(row or {"id": eid, "name": None, "aliases": [], "wikidata": None})
    return {lbl: by_label[lbl] for lbl in ENTITY_TYPES if by_label.get(lbl)}


def _holds(stored: Mapping[str, Any] | None, row: Mapping[str, Any]) -> bool:
    """Whether a stored entity node already has the properties of ``row``."""
    return stored is not None and all(
        (stored.get(key) or None) == (row[key] or None) for key in ("name", "aliases", "wikidata")
    )


class CypherGraphStore(ABC):
    """A :class:`~kg.store.base.GraphStore` over a database that speaks Cypher."""

    dialect: cypher.Dialect
    read_only: bool = False
    batch_size: int = 200  # documents per transaction

    # ------------------------------------------------------------ to implement
    @abstractmethod
    def _run(self, query: str, params: Mapping[str, Any] | None = None) -> list[list[Any]]:
        """Run a statement (in the open transaction, if any); return its rows."""

    @abstractmethod
    def _records(self, query: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """Like :meth:`_run`, each row a dict by column name."""

    def _write(self, query: str, params: Mapping[str, Any] | None = None) -> None:
        """Run a statement whose rows are not needed.

        A store may send it and go on without waiting for it (Neo4j): its errors then
        surface with a later statement of the transaction, or with its commit. It may
        also keep the statement's first plan (Neo4j): statements run this way find nodes
        by id only (index hints, MERGE on a uniqueness constraint), so no plan is better
        than another as the graph grows.
        """
        self._run(query, params)

    @abstractmethod
    def _transaction(self, work: Callable[[], T]) -> T:
        """Call ``work`` in one write transaction and commit; roll back if it raises.

        ``work`` may be called more than once (a retried transaction). Called inside
        a transaction, it joins that one.
        """

    @abstractmethod
    def _query(self, text: str, params: Mapping[str, Any], *, write: bool) -> QueryResult:
        """Run a user's query, already checked by :meth:`query`."""

    @abstractmethod
    def close(self) -> None: ...

    def _lock_documents(self, ids: list[str], *, create: bool) -> None:  # noqa: B027
        """Take the write locks of Document nodes, ``ids`` in order.

        Only a store that lets writers run concurrently needs locks; ``create`` also
        locks ids not stored yet (the batch is about to create them).
        """

    def _lock_entities(  # noqa: B027
        self, rows: Mapping[str, list[dict[str, Any]]], *, create: bool
    ) -> None:
        """Take the write locks of entity nodes: ``rows`` from :func:`lock_rows`.

        ``create`` also creates the nodes not stored yet, with the properties of their
        rows. Only a store that lets writers run concurrently needs locks.
        """

    # ---------------------------------------------------------------- plumbing
    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

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
        return self._query(cypher_text, dict(params or {}), write=write)

    # ------------------------------------------------------------------ writes
    def document_hashes(self) -> dict[str, str]:
        return {r["id"]: r["content_hash"] for r in self._records(cypher.read_document_hashes())}

    def write(self, results: Iterable[ExtractionResult]) -> WriteStats:
        stats = WriteStats()
        batches = self._new_batches(results, stats)
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="kg-batch") as helper:
            docs = next(batches, None)
            batch = self._prepare(docs) if docs else None
            while batch is not None:
                try:
                    docs = next(batches, None)
                except BaseException:  # the input failed: what came before it is kept
                    stats.add(self._transaction(partial(self._write_batch, batch)))
                    raise
                # The next batch is prepared while this one commits: the client has
                # nothing else to do then. (Earlier, the helper would hold the
                # interpreter lock that the replies to the statements wait for.)
                upcoming: list[Future[Batch]] = []
                then = (
                    partial(_submit_once, upcoming, helper, self._prepare, docs) if docs else None
                )
                stats.add(self._transaction(partial(self._write_batch, batch, then)))
                if not docs:
                    break
                batch = upcoming[0].result() if upcoming else self._prepare(docs)
        return stats

    def _new_batches(
        self, results: Iterable[ExtractionResult], stats: WriteStats
    ) -> Iterator[list[ExtractionResult]]:
        """Batches of the documents not stored as they are (counting the others)."""
        known = self.document_hashes()
        for batch in _batches(results, self.batch_size):
            fresh: dict[str, ExtractionResult] = {}
            for result in batch:
                if known.get(result.id) == result.content_hash or result.id in fresh:
                    stats.documents_skipped += 1
                    continue
                fresh[result.id] = result
            if fresh:
                known.update({i: r.content_hash for i, r in fresh.items()})
                yield list(fresh.values())

    def _prepare(self, results: list[ExtractionResult]) -> Batch:
        """The rows of a batch: a pure function of its documents (run in a helper thread)."""
        results = sorted(results, key=lambda r: r.id)
        entities = entity_rows(results)
        edges = aggregate_edges(results)
        rows = {i: row.row() for i, row in entities.items()}
        locks = lock_rows({i: row.type for i, row in entities.items()}, rows)
        batch = Batch(
            results=results,
            entities=entities,
            entity_rows=rows,
            locks=locks,
            edges=edges,
            edge_rows={key: edge.row() for key, edge in edges.items()},
        )
        return replace(batch, store_rows=self._store_rows(batch))

    def _write_batch(self, batch: Batch, then: Callable[[], None] | None = None) -> WriteStats:
        """Write one batch; runs inside its transaction. ``then`` is called when all
        is written, before the commit."""
        self._lock_documents([r.id for r in batch.results], create=True)
        cleared, unchanged, replaced = self._clear_stored(batch)
        if cleared is None:
            return WriteStats(documents_skipped=unchanged)
        self._write_entities(cleared, None)  # the entities first: the MENTIONS need them
        self._write_documents(cleared.store_rows)
        self._merge_edges(cleared)
        if then is not None:
            then()
        return self._batch_stats(cleared, unchanged, replaced)

    def _clear_stored(self, batch: Batch) -> tuple[Batch | None, int, int]:
        """Make room for a batch whose documents are locked: leave out the documents
        stored as they are, and retract the stored version of the others.

        Returns the batch left (None: nothing is), how many documents were left out,
        and how many were retracted.
        """
        results = batch.results
        # Checked under the locks: another writer may have stored them meanwhile.
        stored = self._stored_hashes([r.id for r in results])
        unchanged = sum(stored.get(r.id) == r.content_hash for r in results)
        if unchanged:
            results = [r for r in results if stored.get(r.id) != r.content_hash]
            if not results:
                return None, unchanged, 0
            batch = self._prepare(results)
        old = list(self.extractions(r.id for r in results if r.id in stored))
        if old:  # a new version of a stored document replaces the old one's share
            types = {i: row.type for i, row in batch.entities.items()}
            old_types = {e.id: e.type.value for r in old for e in r.entities}
            # all in the one order: the old versions' entities and the batch's
            self._lock_entities(lock_rows({**old_types, **types}, batch.entity_rows), create=True)
            self._retract_locked(old)
        return batch, unchanged, len(old)

    @staticmethod
    def _batch_stats(batch: Batch, unchanged: int, replaced: int) -> WriteStats:
        return WriteStats(
            documents_written=len(batch.results),
            documents_skipped=unchanged,
            documents_replaced=replaced,
            entities=len(batch.entities),
            relationships=len(batch.edges),
            relation_mentions=sum(len(r.relations) for r in batch.results),
        )

    def _write_entities(self, batch: Batch, stale: Mapping[str, dict[str, Any]] | None) -> None:
        """Write the batch's entity rows, merged with the aliases stored.

        ``stale`` is what the entity lock found differing from the rows (the others
        hold their rows already); None: nothing compared them, all are read and written.
        """
        for lbl, locked in batch.locks.items():
            ids = [row["id"] for row in locked]
            found: Mapping[str, dict[str, Any]]
            if stale is None:  # read the stored aliases
                found = {
                    rec["id"]: rec
                    for rec in self._records(
                        cypher.read_entity_aliases(lbl, self.dialect), {"ids": ids}
                    )
                }
            else:
                found = stale
                ids = [i for i in ids if i in stale]
            rows = []
            for i in ids:
                if i in found:  # a copy: the batch stays as prepared if the work is retried
                    merged = replace(batch.entities[i], aliases=list(batch.entities[i].aliases))
                    merged.merge_aliases(found[i]["aliases"] or [])
                    rows.append(merged.row())
                else:
                    rows.append(batch.entity_rows[i])
            if stale is not None:  # merged with what is stored, a row may hold nothing new
                rows = [row for row in rows if not _holds(stale[row["id"]], row)]
            if rows:
                self._write(cypher.upsert_entities(lbl, self.dialect), {"rows": rows})

    def _store_rows(self, batch: Batch) -> Any:
        """What the store's own statements write a batch with, computed with the rest
        of it: here, what :meth:`_write_documents` writes, Document rows and MENTIONS
        rows by entity label."""
        mentions: dict[str, dict[tuple[str, str], dict[str, Any]]] = defaultdict(dict)
        for r in batch.results:
            for m in mention_rows(r):
                mentions[m["type"]].setdefault((m["d"], m["e"]), m)
        return (
            [document_row(r) for r in batch.results],
            {lbl: [m for _, m in sorted(mentions[lbl].items())] for lbl in sorted(mentions)},
        )

    def _write_documents(self, rows: Any) -> None:
        """Document nodes of a batch (none stored yet) with their MENTIONS."""
        documents, mentions = rows
        self._write(cypher.upsert_documents(), {"rows": documents})
        for lbl in ENTITY_TYPES:
            if mentions.get(lbl):
                self._write(cypher.create_mentions(lbl, self.dialect), {"rows": mentions[lbl]})

    def _stored_hashes(self, ids: list[str]) -> dict[str, str]:
        rows = self._records(cypher.read_document_hashes(only_ids=True), {"ids": ids})
        return {r["id"]: r["content_hash"] for r in rows}

    def _edge_groups(self, keys: Iterable[EdgeKey]) -> dict[EdgeGroup, list[EdgeKey]]:
        """Edge keys by (type, source label, target label); groups and keys in order."""
        groups: dict[EdgeGroup, list[EdgeKey]] = defaultdict(list)
        for key in sorted(keys):
            rtype, s, t = key
            groups[(rtype, cypher.label_of_id(s), cypher.label_of_id(t))].append(key)
        return dict(sorted(groups.items()))

    def _read_edges(self, keys: Iterable[EdgeKey]) -> dict[EdgeKey, EdgeAggregate]:
        found = {}
        for (rtype, src, tgt), group in self._edge_groups(keys).items():
            rows = [{"s": s, "t": t} for _, s, t in group]
            for rec in self._records(
                cypher.read_edges(rtype, src, tgt, self.dialect), {"rows": rows}
            ):
                agg = EdgeAggregate.from_row(rtype, rec)
                found[agg.key] = agg
        return found

    def _merge_edges(self, batch: Batch) -> None:
        """Add the batch's edges to what is stored: merged into existing edges, new
        ones created; the batch is not changed."""
        merged = {}
        for key, old in self._read_edges(batch.edges).items():
            old.merge(batch.edges[key])
            merged[key] = old.row()
        self._put_rows({**batch.edge_rows, **merged})

    def _put_edges(self, edges: Iterable[EdgeAggregate]) -> None:
        self._put_rows({e.key: e.row() for e in edges})

    def _put_rows(self, rows: Mapping[EdgeKey, dict[str, Any]]) -> None:
        """Write edges' rows (by key) over what is stored, creating missing edges."""
        for (rtype, src, tgt), group in self._edge_groups(rows).items():
            self._write(
                cypher.upsert_edges(rtype, src, tgt, self.dialect),
                {"rows": [rows[k] for k in group]},
            )

    # -------------------------------------------------------------- retraction
    def extractions(self, doc_ids: Iterable[str] | None = None) -> Iterator[ExtractionResult]:
        if doc_ids is None:
            rows = self._run(cypher.read_extractions())
        else:
            ids = sorted(set(doc_ids))
            if not ids:
                return
            rows = self._run(cypher.read_extractions(only_ids=True), {"ids": ids})
        for (stored,) in rows:
            yield unpacked_extraction(stored)

    def retract(self, doc_ids: Iterable[str]) -> int:
        ids = sorted(set(doc_ids))
        if not ids:
            return 0
        return self._transaction(lambda: self._retract(ids))

    def _retract(self, ids: list[str]) -> int:
        self._lock_documents(ids, create=False)
        gone = list(self.extractions(ids))
        if gone:
            self._lock_entities(
                lock_rows({e.id: e.type.value for r in gone for e in r.entities}), create=False
            )
            self._retract_locked(gone)
        return len(gone)

    def _retract_locked(self, gone: list[ExtractionResult]) -> None:
        """Delete stored documents and recompute what they touched from what remains."""
        gone_ids = {r.id for r in gone}
        touched_edges = set(aggregate_edges(gone))
        touched_entities = {e.id for r in gone for e in r.entities}
        self._run(cypher.delete_documents(), {"ids": sorted(gone_ids)})
        current = self._read_edges(touched_edges)
        remaining_docs = {d for agg in current.values() for d in agg.documents} - gone_ids
        rebuilt = aggregate_edges(self.extractions(remaining_docs)) if remaining_docs else {}
        keep = [rebuilt[k] for k in current if k in rebuilt]
        drop = [k for k in current if k not in rebuilt]
        for (rtype, src, tgt), group in self._edge_groups(drop).items():
            self._run(
                cypher.delete_edges(rtype, src, tgt, self.dialect),
                {"rows": [{"s": s, "t": t} for _, s, t in group]},
            )
        self._put_edges(keep)
        self._refresh_entities(touched_entities)

    def _refresh_entities(self, entity_ids: set[str]) -> None:
        """Delete entities no document mentions; recompute the aliases of the rest."""
        by_label: dict[str, list[str]] = defaultdict(list)
        for eid in sorted(entity_ids):
            by_label[cypher.label_of_id(eid)].append(eid)
        for lbl, ids in by_label.items():
            rows = self._run(cypher.entity_documents(lbl, self.dialect), {"ids": ids})
            orphans = [eid for eid, docs in rows if not docs]
            if orphans:
                self._run(cypher.delete_entities(lbl, self.dialect), {"ids": orphans})
            alive = {eid: docs for eid, docs in rows if docs}
            if alive:
                merged = entity_rows(self.extractions({d for docs in alive.values() for d in docs}))
                self._run(
                    cypher.upsert_entities(lbl, self.dialect),
                    {"rows": [merged[eid].row() for eid in alive if eid in merged]},
                )

    # ------------------------------------------------------------------- reads
    def stats(self) -> GraphStats:
        nodes = {lbl: self._run(cypher.count_nodes(lbl))[0][0] for lbl in ENTITY_TYPES}
        rels: dict[str, int] = {}
        modalities: dict[str, dict[str, int]] = {}
        for rtype in RELATIONS:
            row = self._run(cypher.relationship_totals(rtype))[0]
            if row[0]:
                rels[rtype] = row[0]
                modalities[rtype] = {
                    m: int(n or 0) for m, n in zip(MODALITIES, row[1:], strict=True)
                }
        docs = self._run(cypher.count_documents())[0][0]
        return GraphStats(nodes=nodes, relationships=rels, modalities=modalities, documents=docs)

    def entities(self) -> Iterator[StoredEntity]:
        for lbl in ENTITY_TYPES:
            for rec in self._records(cypher.read_entities(lbl)):
                yield StoredEntity(type=lbl, **{**rec, "aliases": rec["aliases"] or []})

    def relationships(self) -> Iterator[StoredRelationship]:
        for rtype in RELATIONS:
            for rec in self._records(cypher.read_relationships(rtype)):
                yield stored_relationship(rtype, rec)
