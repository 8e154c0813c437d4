"""The Cypher builders: labels and types only from the ontology, the two dialects.

These pin statement text; what the statements do is tested against real stores.
"""

from __future__ import annotations

import pytest

from kg.errors import OntologyError
from kg.ontology import ENTITY_TYPES, RELATION_TYPES
from kg.store import cypher
from kg.store.neo4j import redact_uri


def test_neo4j_nodes_carry_the_entity_label_and_their_type() -> None:
    assert "MERGE (e:Entity:Person {id: row.id})" in cypher.upsert_entities("Person", "neo4j")
    assert "MERGE (e:Person {id: row.id})" in cypher.upsert_entities("Person", "ladybug")


@pytest.mark.parametrize("bad", ["Company", "Person) DETACH DELETE (n", "person", ""])
def test_labels_outside_the_ontology_never_reach_a_query(bad: str) -> None:
    with pytest.raises(OntologyError, match="not one of"):
        cypher.upsert_entities(bad, "neo4j")
    with pytest.raises(OntologyError):
        cypher.lock_entities(bad, "neo4j", create=True)


@pytest.mark.parametrize("bad", ["INVEST", "INVESTS_IN]->() DETACH DELETE (x", "MENTIONS"])
def test_relationship_types_outside_the_ontology_never_reach_a_query(bad: str) -> None:
    with pytest.raises(OntologyError, match="not one of"):
        cypher.upsert_edges(bad, "Organization", "Organization", "neo4j")


def test_values_travel_as_parameters() -> None:
    for text in (
        cypher.upsert_edges("INVESTS_IN", "Organization", "Organization", "neo4j"),
        cypher.create_mentions("Organization", "neo4j"),
        cypher.upsert_documents(),
    ):
        assert text.startswith("UNWIND $rows AS row ")


def test_neo4j_schema_is_idempotent_and_complete() -> None:
    stmts = cypher.neo4j_schema()
    assert all("IF NOT EXISTS" in s for s in stmts)
    text = "\n".join(stmts)
    assert "FOR (n:Entity) REQUIRE n.id IS UNIQUE" in text
    assert "FOR (n:Document) REQUIRE n.id IS UNIQUE" in text
    assert "CREATE FULLTEXT INDEX kg_entity_names IF NOT EXISTS FOR (n:Entity) ON EACH" in text
    for lbl in ENTITY_TYPES:
        assert f"FOR (n:{lbl}) ON (n.name)" in text


def test_locks_take_nodes_in_one_statement_per_label() -> None:
    assert cypher.lock_documents(create=True).startswith("UNWIND $ids AS id MERGE (d:Document")
    assert cypher.lock_documents(create=False).startswith("UNWIND $ids AS id MATCH (d:Document")
    lock = cypher.lock_entities("Organization", "neo4j", create=True)
    assert "SET e._kg_lock = true REMOVE e._kg_lock" in lock


def test_every_relation_type_has_statements() -> None:
    for rtype in RELATION_TYPES:
        assert f"[r:{rtype}]" in cypher.read_relationships(rtype)


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("bolt://neo4j:s3cret@db:7687", "bolt://db:7687"),
        (
            "Given URI: 'neo4j+s://u:p@x.databases.neo4j.io'.",
            "Given URI: 'neo4j+s://x.databases.neo4j.io'.",
        ),
        ("bolt://localhost:7687", "bolt://localhost:7687"),
    ],
)
def test_credentials_are_cut_out_of_uris_in_messages(text: str, shown: str) -> None:
    assert redact_uri(text) == shown


def test_neo4j_looks_entities_and_documents_up_by_index_seek() -> None:
    # A plan cached while the database was near empty may otherwise scan the whole id
    # index once per row; the hint pins a seek whatever the statistics say.
    edges = cypher.upsert_edges("LEADS", "Person", "Organization", "neo4j")
    assert "MATCH (a:Entity:Person {id: row.s}) USING INDEX SEEK a:Entity(id)" in edges
    assert "MATCH (b:Entity:Organization {id: row.t}) USING INDEX SEEK b:Entity(id)" in edges
    mentions = cypher.create_mentions("Product", "neo4j")
    assert "MATCH (d:Document {id: row.d}) USING INDEX SEEK d:Document(id)" in mentions
    assert "USING INDEX SEEK e:Entity(id)" in mentions
    assert "USING" not in cypher.upsert_edges("LEADS", "Person", "Organization", "ladybug")
    assert "USING" not in cypher.create_mentions("Product", "ladybug")
