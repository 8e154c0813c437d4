"""The Neo4j store: the same graph as the embedded store, in a Neo4j 5 database.

Nodes carry the common label ``:Entity`` plus their type (``:Organization``,
``:Person``, ``:Product``); documents are ``:Document`` nodes; relationship types
come from the ontology only. Opening a store for writing creates, if missing,
uniqueness constraints on the ids, indexes on names and a full-text index over
names and aliases (:func:`kg.store.cypher.neo4j_schema`).

Writes go in batches, one managed transaction per batch of documents: the driver
retries a batch that failed for a transient reason (a deadlock, a lost leader) and a
crash loses at most the batch in flight. A batch of new documents is written by one
``UNWIND``/``MERGE`` statement (:func:`kg.store.cypher.write_batch`); documents
stored before are retracted first. Several processes may write at once: a batch
first locks its documents and entities in id order, so writers that share entities
wait for each other instead of overwriting each other's aggregates, and never
deadlock on the way. No APOC is needed.

A Document keeps its extraction result, to retract it later, as compressed JSON
bytes (``extraction``; graphs that hold it as JSON text read the same).

Dates (``published``, ``first_seen``, ``last_seen``) are stored as Neo4j ``DATE``
and read back as :class:`datetime.date`; query results hold plain Python values
(nodes and relationships as dicts keyed like the embedded store's: ``_ID``,
``_LABEL``...).

The password is only handed to the driver: no message, repr or log line shows it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import neo4j
import neo4j.time
from neo4j.exceptions import (
    AuthError,
    ClientError,
    ConfigurationError,
    DriverError,
    Neo4jError,
    ServiceUnavailable,
    SessionExpired,
)
from neo4j.graph import Node, Path, Relationship

from kg.errors import ConfigError, QueryError, StoreError, StoreUnavailableError
from kg.ontology import ENTITY_TYPES, RELATIONS
from kg.settings import Settings
from kg.store import cypher
from kg.store.aggregate import EdgeAggregate, document_row, mention_rows
from kg.store.base import QueryResult, WriteStats
from kg.store.graph import Batch, CypherGraphStore

__all__ = ["BATCH_SIZE", "Neo4jStore", "redact_uri"]

T = TypeVar("T")

SCHEMA_VERSION = "1"
# Documents per transaction. Each commit costs a log flush and a full-text index
# refresh, so fewer, larger batches write faster; 500 news articles make a
# transaction of a few thousand rows, well within a small server's heap.
BATCH_SIZE = 500
_PLANNED_ONCE = "CYPHER replan=skip "  # see Neo4jStore._write
_START_HINT = "start a local one with `kg neo4j start`, or point KG_NEO4J_URI at a running server"


def redact_uri(text: str) -> str:
    """``text`` with the ``user:password@`` part of any URI in it removed, for messages."""
    return re.sub(r"//[^/@\s'\"]*@", "//", text)


def _one_line(err: BaseException) -> str:
    """An error's text on one line, without credentials (the driver quotes the URI)."""
    return redact_uri(" ".join(str(err).split()))


class _Rows(list[Any]):
    """A list parameter that shows as its length.

    The driver formats each statement's parameters for its debug log whether or not
    that log is on: for the thousands of rows of a batch, that took 1.1 s of the
    client's main thread on a 100,000-relationship load, time the server waits for
    the next statement. A debug log of megabytes of rows would help nobody either.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return f"<{len(self)} rows>"


def _parameters(params: Mapping[str, Any] | None) -> dict[str, Any]:
    """A statement's parameters for the driver: lists as :class:`_Rows`."""
    return {k: _Rows(v) if isinstance(v, list) else v for k, v in (params or {}).items()}


def _listed(row: Mapping[str, Any], fields: tuple[str, ...]) -> list[Any]:
    """A row as the list of its ``fields``' values (how :func:`kg.store.cypher.write_batch`
    takes its rows)."""
    return [row[f] for f in fields]


_TEMPORAL = (neo4j.time.Date, neo4j.time.DateTime, neo4j.time.Time)


def _plain(value: Any) -> Any:
    """A value of the store's own statements (scalars, lists of strings, dates) as Python."""
    return value.to_native() if isinstance(value, _TEMPORAL) else value


def _native(value: Any) -> Any:
    """A value from the driver as plain Python: dates, nodes, relationships, paths."""
    if isinstance(value, list):
        return [_native(v) for v in value]
    if isinstance(value, dict):
        return {k: _native(v) for k, v in value.items()}
    if isinstance(value, Node):
        types = sorted(set(value.labels) - {"Entity"})
        return {
            "_ID": value.element_id,
            "_LABEL": ":".join(types) or "Entity",
            **{k: _native(v) for k, v in value.items()},
        }
    if isinstance(value, Relationship):
        start, end = value.start_node, value.end_node
        return {
            "_SRC": start.element_id if start is not None else None,
            "_DST": end.element_id if end is not None else None,
            "_LABEL": value.type,
            "_ID": value.element_id,
            **{k: _native(v) for k, v in value.items()},
        }
    if isinstance(value, Path):
        return {
            "_NODES": [_native(n) for n in value.nodes],
            "_RELS": [_native(r) for r in value.relationships],
        }
    if hasattr(value, "to_native"):  # neo4j.time.Date, DateTime, Time
        return value.to_native()
    return value


class Neo4jStore(CypherGraphStore):
    """A graph in a Neo4j 5 database, reached over Bolt."""

    dialect: cypher.Dialect = "neo4j"

    def __init__(
        self,
        uri: str,
        *,
        user: str = "neo4j",
        password: str,
        database: str = "neo4j",
        read_only: bool = False,
        batch_size: int = BATCH_SIZE,
        connection_timeout: float = 10.0,
    ) -> None:
        self.uri = redact_uri(uri)
        self.user = user
        self.database = database
        self.read_only = read_only
        self.batch_size = batch_size
        self._tx: neo4j.ManagedTransaction | None = None
        try:
            self._driver = neo4j.GraphDatabase.driver(
                uri,
                auth=(user, password),
                connection_timeout=connection_timeout,
                notifications_min_severity="OFF",
            )
        except (ConfigurationError, ValueError) as err:
            raise ConfigError(
                f"KG_NEO4J_URI {self.uri!r} is not a Neo4j URI ({_one_line(err)}); "
                "expected e.g. bolt://localhost:7687 or neo4j://host:7687"
            ) from err
        try:
            self._driver.verify_connectivity()
            # Also checks the database exists: a missing one fails here, not mid-build.
            self._driver.execute_query(
                "RETURN 1", database_=database, routing_=neo4j.RoutingControl.READ
            )
            if not read_only:
                self._create_schema()
        except BaseException as err:
            self._driver.close()
            if isinstance(err, Neo4jError | DriverError):
                raise self._error(err) from err
            raise

    @classmethod
    def from_settings(cls, settings: Settings, *, read_only: bool = False) -> Neo4jStore:
        """Connect as KG_NEO4J_URI, KG_NEO4J_USER, KG_NEO4J_PASSWORD, KG_NEO4J_DATABASE say."""
        if not settings.neo4j_uri:
            raise ConfigError(
                "the neo4j store needs KG_NEO4J_URI (e.g. bolt://localhost:7687); "
                "`kg neo4j start` runs a local server and prints its URI"
            )
        password = settings.neo4j_password
        if password is None or not password.get_secret_value():
            raise ConfigError(
                f"KG_NEO4J_PASSWORD is not set: it is needed to log in to "
                f"{redact_uri(settings.neo4j_uri)} as {settings.neo4j_user!r}"
            )
        return cls(
            settings.neo4j_uri,
            user=settings.neo4j_user,
            password=password.get_secret_value(),
            database=settings.neo4j_database,
            read_only=read_only,
        )

    def __repr__(self) -> str:
        return f"Neo4jStore({self.uri!r}, user={self.user!r}, database={self.database!r})"

    # ---------------------------------------------------------------- plumbing
    def close(self) -> None:
        driver = getattr(self, "_driver", None)
        self._driver = None  # type: ignore[assignment]
        if driver is not None:
            driver.close()

    def _error(self, err: Neo4jError | DriverError, *, query: bool = False) -> StoreError:
        """The store error for a driver error: what failed, where, and the fix."""
        where = f"Neo4j at {self.uri}"
        if isinstance(err, AuthError):
            return StoreUnavailableError(
                f"{where} refused user {self.user!r}: wrong user or password "
                "(check KG_NEO4J_USER and KG_NEO4J_PASSWORD)"
            )
        if isinstance(err, ServiceUnavailable | SessionExpired):
            return StoreUnavailableError(
                f"cannot reach {where}: {_one_line(err)}; is the server running? {_START_HINT}"
            )
        if isinstance(err, Neo4jError):
            if err.code == "Neo.ClientError.Database.DatabaseNotFound":
                return StoreUnavailableError(
                    f"{where} has no database {self.database!r}; set KG_NEO4J_DATABASE to one "
                    "that exists (SHOW DATABASES lists them)"
                )
            message = redact_uri(err.message) if err.message else _one_line(err)
            position = (err.diagnostic_record or {}).get("_position")
            if isinstance(position, dict) and "line" in position and "(line" not in message:
                message += f" (line {position['line']}, column {position.get('column')})"
            if query:
                return QueryError(f"Neo4j refused the query: {message}")
            return QueryError(f"{where} failed: {message} [{err.code}]")
        return StoreUnavailableError(f"{where}: {_one_line(err)}")

    def _create_schema(self) -> None:
        created = False
        for stmt in cypher.neo4j_schema():
            try:
                summary = self._driver.execute_query(stmt, database_=self.database).summary
            except ClientError as err:  # another process created it at the same moment
                if err.code != "Neo.ClientError.Schema.EquivalentSchemaRuleAlreadyExists":
                    raise
                continue
            counters = summary.counters
            created |= bool(counters.constraints_added or counters.indexes_added)
        if created:  # an index still being populated is not used yet
            self._driver.execute_query("CALL db.awaitIndexes(300)", database_=self.database)
        self._driver.execute_query(
            cypher.upsert_meta(),
            {"key": "schema", "value": SCHEMA_VERSION},
            database_=self.database,
        )

    def _execute(
        self, query: str, params: Mapping[str, Any] | None
    ) -> tuple[list[str], list[list[Any]]]:
        if self._tx is not None:  # errors pass through: execute_write decides on retrying
            result = self._tx.run(query, _parameters(params))
            keys = list(result.keys())
            rows = [list(rec.values()) for rec in result]
        else:
            try:
                records, _, keys = self._driver.execute_query(
                    query,
                    _parameters(params),
                    database_=self.database,
                    routing_=neo4j.RoutingControl.READ,
                )
            except (Neo4jError, DriverError) as err:
                raise self._error(err) from err
            rows = [list(rec.values()) for rec in records]
        return keys, [[_plain(v) for v in row] for row in rows]

    def _run(self, query: str, params: Mapping[str, Any] | None = None) -> list[list[Any]]:
        return self._execute(query, params)[1]

    # In a transaction, the statements of a batch are pipelined: the next one is sent
    # (packed, and queued in the server) while the one before it runs, instead of
    # after its reply came back, so the server does not wait for the client.
    #
    # They are also planned once. Neo4j plans a statement again when the statistics
    # of the graph have changed enough since, which during a load is every few
    # batches, for every statement (measured: a tenth of the server's query thread on
    # a 100,000-relationship load). The plans of these statements cannot improve:
    # each looks nodes up by id through an index hint or a MERGE on a uniqueness
    # constraint, and relationships between nodes it holds, so ``replan=skip`` keeps
    # the cached plan (a statement not cached yet is planned as usual).
    def _write(self, query: str, params: Mapping[str, Any] | None = None) -> None:
        if self._tx is None:
            self._run(query, params)
        else:  # read (and any error raised) by the next statement, or by the commit
            self._tx.run(_PLANNED_ONCE + query, _parameters(params))

    def _records(self, query: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        keys, rows = self._execute(query, params)
        return [dict(zip(keys, row, strict=True)) for row in rows]

    def _transaction(self, work: Callable[[], T]) -> T:
        if self._tx is not None:
            return work()
        if self.read_only:
            raise StoreError(f"the store at {self.uri} was opened read-only; open it for writing")

        def unit(tx: neo4j.ManagedTransaction) -> T:
            self._tx = tx
            try:
                return work()
            finally:
                self._tx = None

        try:
            with self._driver.session(database=self.database) as session:
                return session.execute_write(unit)
        except (Neo4jError, DriverError) as err:
            raise self._error(err) from err

    def _lock_documents(self, ids: list[str], *, create: bool) -> None:
        if ids:
            self._write(cypher.lock_documents(create=create), {"ids": sorted(ids)})

    def _lock_entities(self, rows: Mapping[str, list[dict[str, Any]]], *, create: bool) -> None:
        for lbl, locked in rows.items():
            self._write(cypher.lock_entities(lbl, self.dialect, create=create), {"rows": locked})

    # ------------------------------------------------------------------ writes
    def _store_rows(self, batch: Batch) -> dict[str, Any]:
        """The parameters of :func:`kg.store.cypher.write_batch` for ``batch``."""
        params: dict[str, Any] = {"ids": [r.id for r in batch.results]}
        position: dict[str, int] = {}
        for lbl in ENTITY_TYPES:
            locked = batch.locks.get(lbl, [])
            params[lbl] = [_listed(row, cypher.ENTITY_FIELDS) for row in locked]
            for row in locked:
                position[row["id"]] = len(position)
        params["documents"] = [
            {
                **document_row(r, packed=True),
                "mentions": [
                    _listed({**m, "e": position[m["e"]]}, cypher.MENTION_FIELDS)
                    for m in sorted(mention_rows(r), key=lambda m: m["e"])
                ],
            }
            for r in batch.results
        ]
        for rtype in RELATIONS:
            params[rtype] = []
        for key in sorted(batch.edges):  # the ends by position
            rtype, s, t = key
            row = {**batch.edge_rows[key], "a": position[s], "b": position[t]}
            params[rtype].append(_listed(row, cypher.EDGE_FIELDS))
        return params

    def _write_batch(self, batch: Batch, then: Callable[[], None] | None = None) -> WriteStats:
        """Write one batch in one statement (:func:`kg.store.cypher.write_batch`),
        unless some of its documents are stored: then as the other stores do, after
        their stored versions are retracted."""
        self._lock_documents([r.id for r in batch.results], create=True)
        written = self._write_new(batch)
        unchanged = replaced = 0
        if written is None:
            cleared, unchanged, replaced = self._clear_stored(batch)
            if cleared is None:
                return WriteStats(documents_skipped=unchanged)
            batch = cleared
            written = self._write_new(batch)
            if written is None:  # under the batch's locks: nobody can store them since
                raise StoreError(
                    f"Neo4j at {self.uri}: a batch's documents were still stored after "
                    "their retraction in the same transaction"
                )
        stale, stored_edges = written
        self._write_entities(batch, stale)
        self._put_edges(stored_edges)
        if then is not None:
            then()
        return self._batch_stats(batch, unchanged, replaced)

    def _write_new(
        self, batch: Batch
    ) -> tuple[dict[str, dict[str, Any]], list[EdgeAggregate]] | None:
        """Run :func:`kg.store.cypher.write_batch`: None if some documents are stored,
        else the entities that differ from their rows (by id) and the stored edges,
        merged with the batch's."""
        assert self._tx is not None
        result = self._tx.run(_PLANNED_ONCE + cypher.write_batch(), _parameters(batch.store_rows))
        record = result.single()
        if record is None:
            return None
        stale = {row["id"]: row for row in record["stale"]}
        stored: list[EdgeAggregate] = []
        for rtype in RELATIONS:
            if not record[rtype]:
                continue
            keys = [key for key in sorted(batch.edges) if key[0] == rtype]  # as in the rows
            for found in record[rtype]:
                key = keys[found["i"]]
                old = EdgeAggregate.from_row(rtype, {**found, "s": key[1], "t": key[2]})
                old.merge(batch.edges[key])
                stored.append(old)
        return stale, stored

    # ------------------------------------------------------------------- query
    def _query(self, text: str, params: Mapping[str, Any], *, write: bool) -> QueryResult:
        mode = neo4j.WRITE_ACCESS if write else neo4j.READ_ACCESS
        try:
            with self._driver.session(database=self.database, default_access_mode=mode) as session:
                result = session.run(text, _parameters(params))
                keys = list(result.keys())
                rows = [[_native(v) for v in rec.values()] for rec in result]
        except (Neo4jError, DriverError) as err:
            raise self._error(err, query=True) from err
        return QueryResult(keys, rows)
