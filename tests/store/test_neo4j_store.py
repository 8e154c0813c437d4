"""What only the Neo4j store does: schema, labels, dates, sessions, errors, concurrency.

The behaviour both stores share is tested once for both, through the ``store``
fixture (``tests/store/test_store.py``); parity with the embedded store is in
``test_neo4j_parity.py``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import threading

import pytest

from kg.errors import ConfigError, QueryError, ReadOnlyQueryError, StoreUnavailableError
from kg.models import Entity, Evidence, ExtractionResult, Mention, Relation
from kg.ontology import ENTITY_TYPES, RELATION_TYPES, EntityType
from kg.settings import get_settings
from kg.store import open_store
from kg.store.base import GraphStore, WriteStats
from kg.store.neo4j import Neo4jStore
from tests.neo4j_fixtures import Neo4jServer

pytestmark = pytest.mark.neo4j

SECRET = "not-the-password-7c1f"


def _doc(
    doc_id: str, *links: tuple[str, str, str], published: str = "2024-03-01"
) -> ExtractionResult:
    """A document whose relations are ``(type, source id, target id)``; types from the ids."""
    types = {"org": EntityType.ORGANIZATION, "person": EntityType.PERSON}
    ids = sorted({i for _, s, t in links for i in (s, t)})
    entities = [
        Entity(
            id=i,
            name=i.split(":")[1].title(),
            type=types[i.split(":")[0]],
            aliases=[f"{i.split(':')[1].upper()} ({doc_id})"],
            mentions=[Mention(text=i, start=0, end=len(i), source="gazetteer")],
        )
        for i in ids
    ]
    date = dt.date.fromisoformat(published)
    relations = [
        Relation(
            type=rtype,
            source=s,
            target=t,
            confidence=0.7,
            date=date,
            evidence=Evidence(
                doc_id=doc_id,
                sentence=f"{s} {rtype} {t}.",
                sentence_start=0,
                sentence_end=9,
                rule="test",
            ),
        )
        for rtype, s, t in links
    ]
    return ExtractionResult(
        id=doc_id,
        published=date,
        content_hash=f"hash-{doc_id}",
        entities=entities,
        relations=relations,
    )


def _snapshot(store: GraphStore) -> tuple[object, ...]:
    return (
        store.stats(),
        [dataclasses.asdict(e) for e in store.entities()],
        [dataclasses.asdict(r) for r in store.relationships()],
    )


def _order_free(store: GraphStore) -> tuple[object, ...]:
    """A snapshot that does not depend on the order documents were written in.

    Lists kept in write order become sets; evidence (the first few snippets written)
    becomes its length.
    """
    entities = [dataclasses.asdict(e) | {"aliases": sorted(e.aliases)} for e in store.entities()]
    relationships = [
        dataclasses.asdict(r)
        | {"documents": sorted(r.documents), "roles": sorted(r.roles), "evidence": len(r.evidence)}
        for r in store.relationships()
    ]
    return store.stats(), entities, relationships


# ---------------------------------------------------------------- schema, labels
def test_opening_creates_constraints_and_indexes(
    neo4j_server: Neo4jServer, neo4j_store: Neo4jStore
) -> None:
    constraints = {
        r["name"]: (r["labelsOrTypes"], r["properties"])
        for r in neo4j_server.run(
            "SHOW CONSTRAINTS YIELD name, type, labelsOrTypes, properties "
            "WHERE type = 'UNIQUENESS' RETURN *"
        )
    }
    assert constraints["kg_entity_id"] == (["Entity"], ["id"])
    assert constraints["kg_document_id"] == (["Document"], ["id"])
    indexes = {
        r["name"]: (r["type"], r["labelsOrTypes"], r["properties"], r["state"])
        for r in neo4j_server.run(
            "SHOW INDEXES YIELD name, type, labelsOrTypes, properties, state RETURN *"
        )
    }
    assert indexes["kg_entity_name"] == ("RANGE", ["Entity"], ["name"], "ONLINE")
    for lbl in ENTITY_TYPES:
        assert indexes[f"kg_{lbl.lower()}_name"] == ("RANGE", [lbl], ["name"], "ONLINE")
    assert indexes["kg_entity_names"] == ("FULLTEXT", ["Entity"], ["name", "aliases"], "ONLINE")


def test_full_text_index_finds_entities_by_alias(
    neo4j_server: Neo4jServer, neo4j_store: Neo4jStore
) -> None:
    neo4j_store.write([_doc("d1", ("INVESTS_IN", "org:microsoft", "org:openai"))])
    rows = neo4j_store.query(
        "CALL db.index.fulltext.queryNodes('kg_entity_names', $q) YIELD node RETURN node.id AS id",
        {"q": "OPENAI"},
    )
    assert rows.rows == [["org:openai"]]


def test_reopening_an_existing_database_keeps_its_schema(neo4j_server: Neo4jServer) -> None:
    before = len(neo4j_server.run("SHOW CONSTRAINTS"))
    with neo4j_server.open(), neo4j_server.open():
        pass
    assert len(neo4j_server.run("SHOW CONSTRAINTS")) == before


def test_nodes_carry_entity_and_type_labels(
    neo4j_server: Neo4jServer, neo4j_store: Neo4jStore
) -> None:
    neo4j_store.write([_doc("d1", ("LEADS", "person:sam-altman", "org:openai"))])
    labels = {
        r["id"]: sorted(r["labels"])
        for r in neo4j_server.run(
            "MATCH (n) WHERE n.id IS NOT NULL RETURN n.id AS id, labels(n) AS labels"
        )
    }
    assert labels == {
        "d1": ["Document"],
        "org:openai": ["Entity", "Organization"],
        "person:sam-altman": ["Entity", "Person"],
    }
    types = {r["t"] for r in neo4j_server.run("MATCH ()-[r]->() RETURN DISTINCT type(r) AS t")}
    assert types == {"LEADS", "MENTIONS"}
    assert types - {"MENTIONS"} <= set(RELATION_TYPES)


def test_dates_are_stored_as_neo4j_dates_and_read_back_as_dates(
    neo4j_server: Neo4jServer, neo4j_store: Neo4jStore
) -> None:
    neo4j_store.write([_doc("d1", ("INVESTS_IN", "org:a", "org:b"), published="2023-01-23")])
    neo4j_store.write([_doc("d2", ("INVESTS_IN", "org:a", "org:b"), published="2024-04-02")])
    kinds = neo4j_server.run(
        "MATCH ()-[r:INVESTS_IN]->() MATCH (d:Document {id: 'd1'}) "
        "RETURN valueType(r.first_seen) AS first, valueType(r.last_seen) AS last, "
        "valueType(d.published) AS published"
    )
    assert kinds == [
        {"first": "DATE NOT NULL", "last": "DATE NOT NULL", "published": "DATE NOT NULL"}
    ]
    (rel,) = neo4j_store.relationships()
    assert (rel.first_seen, rel.last_seen) == (dt.date(2023, 1, 23), dt.date(2024, 4, 2))
    result = neo4j_store.query("MATCH ()-[r:INVESTS_IN]->() RETURN r.first_seen AS d")
    assert result.rows == [[dt.date(2023, 1, 23)]]


def test_query_returns_plain_values(neo4j_store: Neo4jStore) -> None:
    neo4j_store.write([_doc("d1", ("INVESTS_IN", "org:a", "org:b"))])
    result = neo4j_store.query(
        "MATCH p = (a:Entity {id: 'org:a'})-[r:INVESTS_IN]->(b) RETURN a, r, p"
    )
    node, rel, path = result.rows[0]
    assert node["_LABEL"] == "Organization" and node["id"] == "org:a"
    assert rel["_LABEL"] == "INVESTS_IN" and rel["support"] == 1
    assert rel["first_seen"] == dt.date(2024, 3, 1)
    assert [n["id"] for n in path["_NODES"]] == ["org:a", "org:b"]
    assert [r["_LABEL"] for r in path["_RELS"]] == ["INVESTS_IN"]


# ---------------------------------------------------------------------- writes
def test_writing_twice_changes_nothing(neo4j_store: Neo4jStore) -> None:
    docs = [
        _doc("d1", ("INVESTS_IN", "org:a", "org:b"), ("RIVALS", "org:b", "org:a")),
        _doc("d2", ("INVESTS_IN", "org:a", "org:b"), ("LEADS", "person:x", "org:a")),
    ]
    first = neo4j_store.write(docs)
    before = _snapshot(neo4j_store)
    again = neo4j_store.write(docs)
    assert (first.documents_written, again.documents_written, again.documents_skipped) == (2, 0, 2)
    assert _snapshot(neo4j_store) == before
    (invests,) = [r for r in neo4j_store.relationships() if r.type == "INVESTS_IN"]
    assert invests.support == 2 and invests.documents == ["d1", "d2"]


def _write_concurrently(
    server: Neo4jServer, parts: list[list[ExtractionResult]], *, batch_size: int
) -> list[WriteStats]:
    """Write each part from its own thread and store, all starting together."""
    start = threading.Barrier(len(parts))
    stats: list[WriteStats] = []
    errors: list[BaseException] = []

    def load(part: list[ExtractionResult]) -> None:
        try:
            with server.open(batch_size=batch_size) as store:
                start.wait()
                stats.append(store.write(part))
        except BaseException as err:  # reported below, in the test's thread
            errors.append(err)

    threads = [threading.Thread(target=load, args=(part,)) for part in parts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    return stats


def _assert_one_writer_makes_the_same(
    server: Neo4jServer, store: Neo4jStore, docs: list[ExtractionResult]
) -> None:
    concurrent = _order_free(store)
    server.wipe()
    with server.open() as alone:
        alone.write(docs)
        assert _order_free(alone) == concurrent


def test_concurrent_writers_sharing_entities_lose_nothing(
    neo4j_server: Neo4jServer, neo4j_store: Neo4jStore
) -> None:
    """Two processes' worth of writers on the same hub entities: the locks serialise them."""
    hubs = ["org:hub-a", "org:hub-b", "org:hub-c"]
    docs = [
        _doc(
            f"d{i:03d}",
            ("INVESTS_IN", hubs[i % 3], hubs[(i + 1) % 3]),
            ("PARTNERS_WITH", hubs[(i + 2) % 3], f"org:spoke-{i % 7}"),
        )
        for i in range(120)
    ]
    _write_concurrently(neo4j_server, [docs[k::3] for k in range(3)], batch_size=5)
    _assert_one_writer_makes_the_same(neo4j_server, neo4j_store, docs)
    assert sum(r.support for r in neo4j_store.relationships()) == 240


def test_concurrent_writers_of_the_same_documents_write_each_once(
    neo4j_server: Neo4jServer, neo4j_store: Neo4jStore
) -> None:
    """A writer that finds its documents stored by another meanwhile skips them."""
    docs = [
        _doc(
            f"d{i:03d}",
            ("INVESTS_IN", f"org:a{i % 4}", "org:hub"),
            ("LEADS", "person:x", "org:hub"),
        )
        for i in range(40)
    ]
    stats = _write_concurrently(neo4j_server, [docs, docs], batch_size=4)
    assert sum(s.documents_written for s in stats) == 40
    assert sum(s.documents_skipped for s in stats) == 40
    _assert_one_writer_makes_the_same(neo4j_server, neo4j_store, docs)
    (hub_leads,) = [r for r in neo4j_store.relationships() if r.type == "LEADS"]
    assert hub_leads.support == 40


def test_a_pipelined_statement_that_fails_fails_its_whole_transaction(
    neo4j_store: Neo4jStore,
) -> None:
    """Statements sent without waiting for their reply still decide the commit."""

    def work() -> None:
        neo4j_store._write("CREATE (:KgProbe {n: 1})")
        neo4j_store._write("UNWIND [1, 0] AS d CREATE (:KgProbe {n: 1 / d})")
        neo4j_store._write("CREATE (:KgProbe {n: 3})")

    with pytest.raises(QueryError, match="by zero"):
        neo4j_store._transaction(work)
    assert neo4j_store.query("MATCH (n:KgProbe) RETURN count(n)").rows == [[0]]


def test_extractions_are_stored_compressed_and_json_text_still_reads(
    neo4j_store: Neo4jStore,
) -> None:
    """Graphs written before extractions were compressed keep working: read, retract."""
    first, second = (
        _doc("d1", ("INVESTS_IN", "org:a", "org:b")),
        _doc("d2", ("INVESTS_IN", "org:a", "org:b")),
    )
    neo4j_store.write([first, second])
    (stored,) = neo4j_store.query("MATCH (d:Document {id: 'd1'}) RETURN d.extraction").rows[0]
    assert isinstance(stored, bytes) and len(stored) < len(first.model_dump_json())
    neo4j_store.query(
        "MATCH (d:Document {id: 'd1'}) SET d.extraction = $text",
        {"text": first.model_dump_json()},
        write=True,
    )
    assert list(neo4j_store.extractions(["d1", "d2"])) == [first, second]
    assert neo4j_store.retract(["d1"]) == 1
    (invests,) = neo4j_store.relationships()
    assert (invests.support, invests.documents) == (1, ["d2"])


def test_the_drivers_debug_log_shows_how_many_rows_not_the_rows(
    neo4j_store: Neo4jStore, caplog: pytest.LogCaptureFixture
) -> None:
    docs = [_doc(f"d{i}", ("INVESTS_IN", f"org:a{i}", "org:b")) for i in range(50)]
    with caplog.at_level(logging.DEBUG, logger="neo4j"):
        neo4j_store.write(docs)
    runs = [r.getMessage() for r in caplog.records if "C: RUN" in r.getMessage()]
    assert any("<50 rows>" in m for m in runs)
    assert not any("org:a1" in m for m in runs)
    assert neo4j_store.stats().documents == 50


# ---------------------------------------------------------------------- queries
def test_query_refuses_writing_clauses_up_front(neo4j_store: Neo4jStore) -> None:
    with pytest.raises(ReadOnlyQueryError, match=r"writing clause \(CREATE\).*--write"):
        neo4j_store.query("CREATE (n:X)")
    assert neo4j_store.query("MATCH (n:X) RETURN count(n)").rows == [[0]]


def test_read_queries_run_in_read_sessions(neo4j_store: Neo4jStore) -> None:
    """Past the clause check, the database itself refuses a write in a read session."""
    with pytest.raises(QueryError, match="read access mode"):
        neo4j_store._query("CREATE (n:X)", {}, write=False)
    neo4j_store.query("CREATE (n:X)", write=True)
    assert neo4j_store.query("MATCH (n:X) RETURN count(n)").rows == [[1]]


def test_read_only_store_refuses_writes(neo4j_server: Neo4jServer) -> None:
    with (
        neo4j_server.open(read_only=True) as store,
        pytest.raises(ReadOnlyQueryError, match="read-only"),
    ):
        store.query("CREATE (n:X)", write=True)


def test_query_errors_carry_the_database_message_and_position(neo4j_store: Neo4jStore) -> None:
    with pytest.raises(
        QueryError, match=r"Neo4j refused the query: Invalid input 'MATC'.*line 1, column 1"
    ):
        neo4j_store.query("MATC (n) RETURN n")
    with pytest.raises(QueryError, match="/ by zero"):
        neo4j_store.query("RETURN 1 / 0")


# ------------------------------------------------------------ connection errors
def test_unreachable_server_names_the_uri_never_the_password() -> None:
    with pytest.raises(StoreUnavailableError) as info:
        Neo4jStore("bolt://127.0.0.1:1", password=SECRET, connection_timeout=5)
    message = str(info.value)
    assert "bolt://127.0.0.1:1" in message and "kg neo4j start" in message
    assert SECRET not in message and SECRET not in repr(info.value.__cause__)


def test_unreachable_server_through_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KG_NEO4J_URI", "bolt://127.0.0.1:1")
    monkeypatch.setenv("KG_NEO4J_PASSWORD", SECRET)
    with pytest.raises(StoreUnavailableError, match=r"bolt://127\.0\.0\.1:1") as info:
        open_store("neo4j")
    assert SECRET not in str(info.value)


def test_credentials_in_the_uri_are_not_shown() -> None:
    """The driver refuses user:password@ in a bolt:// URI, quoting the URI: kg does not."""
    with pytest.raises(ConfigError, match="not a Neo4j URI") as info:
        Neo4jStore(f"bolt://neo4j:{SECRET}@127.0.0.1:1", password="x", connection_timeout=5)
    assert SECRET not in str(info.value)
    assert "bolt://127.0.0.1:1" in str(info.value)


def test_wrong_password_is_an_auth_error_without_the_password(neo4j_server: Neo4jServer) -> None:
    with pytest.raises(StoreUnavailableError, match="wrong user or password") as info:
        Neo4jStore(neo4j_server.uri, user=neo4j_server.user, password=SECRET)
    assert SECRET not in str(info.value) and neo4j_server.password not in str(info.value)


def test_missing_database_is_named(neo4j_server: Neo4jServer) -> None:
    with pytest.raises(StoreUnavailableError, match="no database 'no-such-db'"):
        neo4j_server.open(database="no-such-db")


def test_settings_without_uri_or_password_fail_loudly() -> None:
    settings = get_settings()
    with pytest.raises(ConfigError, match="KG_NEO4J_URI"):
        Neo4jStore.from_settings(settings.model_copy(update={"neo4j_uri": None}))
    no_password = {"neo4j_uri": "bolt://127.0.0.1:1", "neo4j_password": None}
    with pytest.raises(ConfigError, match="KG_NEO4J_PASSWORD"):
        Neo4jStore.from_settings(settings.model_copy(update=no_password))


def test_from_settings_connects(neo4j_server: Neo4jServer) -> None:
    with Neo4jStore.from_settings(neo4j_server.settings(), read_only=True) as store:
        assert store.dialect == "neo4j" and store.read_only
        assert neo4j_server.password not in repr(store)
