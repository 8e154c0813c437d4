"""The embedded default store: LadybugDB, on disk, Cypher, no server.

LadybugDB is schema-ful, which fits the closed ontology: one node table per entity
type plus ``Document``, one relationship table per relation type with the FROM/TO
pairs the ontology allows. Its Cypher differs from Neo4j's in a few places; this
module hides them (see :func:`translate`), so callers never see a dialect.

Writing, retracting and reading the graph is shared with the Neo4j store
(:class:`~kg.store.graph.CypherGraphStore`); this module adds the schema, how a
statement and a transaction run, and the dialect.

One process writes at a time: the database file is locked by its writer, and a
second writer gets :class:`~kg.errors.StoreLockedError` at once. Readers open the
file read-only and may run while a writer works. Every batch is one transaction,
so a crash loses at most the batch in flight, never a committed one.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar, cast

import ladybug

from kg.errors import QueryError, StoreError, StoreLockedError
from kg.ontology import ENTITY_TYPES, MODALITIES, RELATIONS
from kg.store import cypher
from kg.store.base import QueryResult
from kg.store.graph import CypherGraphStore

__all__ = ["EmbeddedStore", "translate"]

T = TypeVar("T")

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
    docs = ", ".join(f"FROM Document TO {lbl}" for lbl in ENTITY_TYPES)
    stmts.append(f"CREATE REL TABLE IF NOT EXISTS MENTIONS({docs}, count INT64, forms STRING[])")
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


class EmbeddedStore(CypherGraphStore):
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
        self._in_transaction = False
        if not read_only:
            for stmt in _ddl():
                self._conn.execute(stmt)
            self._run(cypher.upsert_meta(), {"key": "schema", "value": SCHEMA_VERSION})

    # ------------------------------------------------------------------ plumbing
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
        return cast("list[list[Any]]", result.get_all())

    def _records(self, query: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        result = self._conn.execute(query, dict(params or {}))
        assert not isinstance(result, list)
        cols = result.get_column_names()
        return [dict(zip(cols, row, strict=True)) for row in result.get_all()]

    def _transaction(self, work: Callable[[], T]) -> T:
        if self._in_transaction:
            return work()
        self._conn.execute("BEGIN TRANSACTION")
        self._in_transaction = True
        try:
            result = work()
        except BaseException:
            with contextlib.suppress(RuntimeError):  # a failed statement already rolled back
                self._conn.execute("ROLLBACK")
            raise
        finally:
            self._in_transaction = False
        self._conn.execute("COMMIT")
        return result

    def _query(self, text: str, params: Mapping[str, Any], *, write: bool) -> QueryResult:
        try:
            result = self._conn.execute(translate(text), dict(params))
        except RuntimeError as err:
            raise QueryError(f"the embedded store refused the query: {err}") from err
        if isinstance(result, list):  # several statements: the last one's rows
            result = result[-1]
        return QueryResult(result.get_column_names(), cast("list[list[Any]]", result.get_all()))
