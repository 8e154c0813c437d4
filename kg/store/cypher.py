"""Every Cypher statement the stores write with, built in one place.

Values always travel as parameters (``UNWIND $rows AS row``). Labels and
relationship types are interpolated, so they are checked against the ontology's
closed set first (:func:`label`, :func:`rel_type`): input text never reaches a
query's text.

Two dialects: ``neo4j`` and ``ladybug`` (the embedded store). Where they differ the
builder takes the dialect: Neo4j nodes carry a common ``:Entity`` label besides
their type; LadybugDB has one table per type and no shared label.
"""

from __future__ import annotations

import re
from typing import Literal

from kg.errors import OntologyError
from kg.ontology import ENTITY_TYPES, MODALITIES, EntityType, relation_spec

__all__ = [
    "EDGE_PROPERTIES",
    "Dialect",
    "delete_edges",
    "label",
    "label_of_id",
    "read_edges",
    "read_entity_aliases",
    "rel_type",
    "upsert_documents",
    "upsert_edges",
    "upsert_entities",
    "upsert_mentions",
    "writes",
]

Dialect = Literal["neo4j", "ladybug"]

EDGE_PROPERTIES = (
    "support",
    "documents",
    "first_seen",
    "last_seen",
    "confidence",
    "modality",
    *(f"n_{m}" for m in MODALITIES),
    "roles",
    "amount_usd",
    "evidence",
)
_DATES = {"first_seen", "last_seen"}
_PREFIX_LABEL = {"org": "Organization", "person": "Person", "product": "Product"}


def label(name: str) -> str:
    """An entity label from the closed set, or :class:`OntologyError`."""
    if name not in ENTITY_TYPES:
        raise OntologyError(f"label {name!r} is not one of {', '.join(ENTITY_TYPES)}")
    return name


def rel_type(name: str) -> str:
    """A relationship type from the closed set, or :class:`OntologyError`."""
    return relation_spec(name).name


def label_of_id(entity_id: str) -> str:
    """The label of an entity from its id's prefix: ``org:microsoft`` -> Organization."""
    prefix = entity_id.split(":", 1)[0]
    try:
        return _PREFIX_LABEL[prefix]
    except KeyError:
        raise OntologyError(
            f"entity id {entity_id!r} has no known type prefix "
            f"({', '.join(p + ':' for p in _PREFIX_LABEL)})"
        ) from None


def _node(var: str, lbl: str, key: str, dialect: Dialect) -> str:
    labels = f"Entity:{label(lbl)}" if dialect == "neo4j" else label(lbl)
    return f"({var}:{labels} {{id: {key}}})"


def read_entity_aliases(lbl: str, dialect: Dialect) -> str:
    return (
        f"UNWIND $ids AS id MATCH {_node('e', lbl, 'id', dialect)} "
        "RETURN e.id AS id, e.aliases AS aliases"
    )


def upsert_entities(lbl: str, dialect: Dialect) -> str:
    return (
        f"UNWIND $rows AS row MERGE {_node('e', lbl, 'row.id', dialect)} "
        f"SET e.name = row.name, e.aliases = {_value('aliases', dialect)}, "
        f"e.wikidata = {_value('wikidata', dialect)}"
    )


def upsert_documents() -> str:
    return (
        "UNWIND $rows AS row MERGE (d:Document {id: row.id}) "
        "SET d.title = row.title, d.published = date(row.published), "
        "d.source = row.source, d.path = row.path, d.content_hash = row.content_hash, "
        "d.extraction = row.extraction, d.n_entities = row.n_entities, "
        "d.n_relations = row.n_relations"
    )


def upsert_mentions(lbl: str, dialect: Dialect) -> str:
    return (
        "UNWIND $rows AS row MATCH (d:Document {id: row.d}) "
        f"MATCH {_node('e', lbl, 'row.e', dialect)} "
        f"MERGE (d)-[m:MENTIONS]->(e) SET m.count = row.count, "
        f"m.forms = {_value('forms', dialect)}"
    )


def _edge_match(rtype: str, src: str, tgt: str, dialect: Dialect) -> str:
    # Separate MATCH clauses: LadybugDB plans them 16x faster than a comma-joined one.
    return f"MATCH {_node('a', src, 'row.s', dialect)} MATCH {_node('b', tgt, 'row.t', dialect)} "


def read_edges(rtype: str, src: str, tgt: str, dialect: Dialect) -> str:
    props = ", ".join(f"r.{p} AS {p}" for p in EDGE_PROPERTIES)
    return (
        f"UNWIND $rows AS row {_edge_match(rtype, src, tgt, dialect)}"
        f"MATCH (a)-[r:{rel_type(rtype)}]->(b) RETURN row.s AS s, row.t AS t, {props}"
    )


# LadybugDB infers a parameter's type from its values; a batch where every value is
# null or an empty list would be typed STRING, so such properties are cast.
_LADYBUG_CASTS = {
    "amount_usd": "DOUBLE",
    "confidence": "DOUBLE",
    "roles": "STRING[]",
    "aliases": "STRING[]",
    "documents": "STRING[]",
    "evidence": "STRING[]",
    "forms": "STRING[]",
    "wikidata": "STRING",
}


def _value(prop: str, dialect: Dialect) -> str:
    if prop in _DATES:
        return f"date(row.{prop})"
    if dialect == "ladybug" and prop in _LADYBUG_CASTS:
        return f"CAST(row.{prop} AS {_LADYBUG_CASTS[prop]})"
    return f"row.{prop}"


def upsert_edges(rtype: str, src: str, tgt: str, dialect: Dialect) -> str:
    sets = ", ".join(f"r.{p} = {_value(p, dialect)}" for p in EDGE_PROPERTIES)
    return (
        f"UNWIND $rows AS row {_edge_match(rtype, src, tgt, dialect)}"
        f"MERGE (a)-[r:{rel_type(rtype)}]->(b) SET {sets}"
    )


def delete_edges(rtype: str, src: str, tgt: str, dialect: Dialect) -> str:
    return (
        f"UNWIND $rows AS row {_edge_match(rtype, src, tgt, dialect)}"
        f"MATCH (a)-[r:{rel_type(rtype)}]->(b) DELETE r"
    )


# Clauses that change a graph or its schema. Strings and comments are blanked out
# before the check, so a name like "Create Labs" in a literal does not count.
_WRITING = re.compile(
    r"\b(CREATE|MERGE|SET|DELETE|DETACH|REMOVE|DROP|ALTER|COPY|LOAD|INSTALL|ATTACH|"
    r"DETACH|IMPORT|EXPORT|CHECKPOINT|FOREACH|RENAME|GRANT|REVOKE|DENY)\b",
    re.I,
)
_LITERALS = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|`[^`]*`|//[^\n]*|/\*.*?\*/", re.S)


def writes(cypher: str) -> str | None:
    """The first writing clause of a query, or None if it only reads."""
    match = _WRITING.search(_LITERALS.sub(" ", cypher))
    if match:
        return match.group(1).upper()
    if re.search(r"\bCALL\b", _LITERALS.sub(" ", cypher), re.I) and re.search(
        r"\b(create|drop|set|delete|write|import|load)\w*\s*\(", cypher, re.I
    ):
        return "CALL"
    return None


def entity_labels() -> tuple[str, ...]:
    return tuple(t.value for t in EntityType)
