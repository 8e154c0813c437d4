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
from functools import cache
from typing import Literal

from kg.errors import OntologyError
from kg.ontology import ENTITY_TYPES, MODALITIES, RELATIONS, EntityType, relation_spec

__all__ = [
    "EDGE_FIELDS",
    "EDGE_PROPERTIES",
    "ENTITY_FIELDS",
    "MENTION_FIELDS",
    "Dialect",
    "count_documents",
    "count_nodes",
    "create_mentions",
    "delete_documents",
    "delete_edges",
    "delete_entities",
    "entity_documents",
    "label",
    "label_of_id",
    "lock_documents",
    "lock_entities",
    "neo4j_schema",
    "read_document_hashes",
    "read_edges",
    "read_entities",
    "read_entity_aliases",
    "read_extractions",
    "read_relationships",
    "rel_type",
    "relationship_totals",
    "upsert_documents",
    "upsert_edges",
    "upsert_entities",
    "upsert_meta",
    "write_batch",
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


# Neo4j plans a statement once and caches the plan; planned while the database was
# near empty (a first batch), a lookup by id may become a scan of the whole id index
# for every row (measured: 12 million index entries read to look up 842 ids). The
# hint makes every lookup by id a seek of the uniqueness constraint's index, whatever
# the statistics said. LadybugDB looks ids up by primary key and has no hints.
def _match(var: str, lbl: str, key: str, dialect: Dialect) -> str:
    """``MATCH`` of one entity by id, as an index seek."""
    clause = f"MATCH {_node(var, lbl, key, dialect)}"
    return f"{clause} USING INDEX SEEK {var}:Entity(id)" if dialect == "neo4j" else clause


def _match_document(var: str, key: str, dialect: Dialect) -> str:
    clause = f"MATCH ({var}:Document {{id: {key}}})"
    return f"{clause} USING INDEX SEEK {var}:Document(id)" if dialect == "neo4j" else clause


def read_entity_aliases(lbl: str, dialect: Dialect) -> str:
    """The stored aliases of the entities ``$ids`` that have any."""
    return (
        f"UNWIND $ids AS id {_match('e', lbl, 'id', dialect)} "
        "WHERE size(e.aliases) > 0 RETURN e.id AS id, e.aliases AS aliases"
    )


def upsert_entities(lbl: str, dialect: Dialect) -> str:
    return (
        f"UNWIND $rows AS row MERGE {_node('e', lbl, 'row.id', dialect)} "
        f"SET e.name = row.name, e.aliases = {_value('aliases', dialect)}, "
        f"e.wikidata = {_value('wikidata', dialect)}"
    )


def upsert_documents(rows: str = "rows") -> str:
    """Document nodes from the rows of the parameter ``rows``."""
    return (
        f"UNWIND ${rows} AS row MERGE (d:Document {{id: row.id}}) "
        "SET d.title = row.title, d.published = date(row.published), "
        "d.source = row.source, d.path = row.path, d.content_hash = row.content_hash, "
        "d.extraction = row.extraction, d.n_entities = row.n_entities, "
        "d.n_relations = row.n_relations"
    )


def create_mentions(lbl: str, dialect: Dialect) -> str:
    """MENTIONS of documents being written.

    CREATE, not MERGE: a document is written whole, in the transaction that creates
    it (or that deleted its earlier version), so none of its MENTIONS exist yet, and
    checking for them would cost a lookup per row on entities mentioned everywhere.
    """
    return (
        f"UNWIND $rows AS row {_match_document('d', 'row.d', dialect)} "
        f"{_match('e', lbl, 'row.e', dialect)} "
        f"CREATE (d)-[m:MENTIONS]->(e) SET m.count = row.count, "
        f"m.forms = {_value('forms', dialect)}"
    )


def _edge_match(rtype: str, src: str, tgt: str, dialect: Dialect) -> str:
    # Separate MATCH clauses: LadybugDB plans them 16x faster than a comma-joined one.
    return f"{_match('a', src, 'row.s', dialect)} {_match('b', tgt, 'row.t', dialect)} "


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


def _value(prop: str, dialect: Dialect, fields: tuple[str, ...] | None = None) -> str:
    """The row's value of a property (``fields``: of a list row)."""
    ref = _at("row", fields, prop)
    if prop in _DATES:
        return f"date({ref})"
    if dialect == "ladybug" and prop in _LADYBUG_CASTS:
        return f"CAST({ref} AS {_LADYBUG_CASTS[prop]})"
    return ref


def _at(var: str, fields: tuple[str, ...] | None, name: str) -> str:
    """A field of a row: ``row.name`` of a map, ``row[3]`` of a list of ``fields``."""
    return f"{var}.{name}" if fields is None else f"{var}[{fields.index(name)}]"


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


def upsert_meta() -> str:
    return "MERGE (m:KgMeta {key: $key}) SET m.value = $value"


# ------------------------------------------------------------------ documents
def read_document_hashes(*, only_ids: bool = False) -> str:
    """Ids and content hashes of stored documents (``$ids`` only: those of them stored)."""
    where = "WHERE d.id IN $ids AND d.content_hash IS NOT NULL " if only_ids else ""
    return f"MATCH (d:Document) {where}RETURN d.id AS id, d.content_hash AS content_hash"


def read_extractions(*, only_ids: bool = False) -> str:
    where = "WHERE d.id IN $ids " if only_ids else ""
    return f"MATCH (d:Document) {where}RETURN d.extraction AS extraction ORDER BY d.id"


def delete_documents() -> str:
    return "MATCH (d:Document) WHERE d.id IN $ids DETACH DELETE d"


# ------------------------------------------------------------------- entities
def entity_documents(lbl: str, dialect: Dialect) -> str:
    """The documents that mention each of ``$ids`` (an empty list for an orphan)."""
    return (
        f"UNWIND $ids AS id {_match('e', lbl, 'id', dialect)} "
        "OPTIONAL MATCH (d:Document)-[:MENTIONS]->(e) RETURN e.id AS id, collect(d.id) AS docs"
    )


def delete_entities(lbl: str, dialect: Dialect) -> str:
    return f"UNWIND $ids AS id {_match('e', lbl, 'id', dialect)} DETACH DELETE e"


# ---------------------------------------------------------------------- reads
def count_nodes(lbl: str) -> str:
    return f"MATCH (n:{label(lbl)}) RETURN count(n) AS n"


def count_documents() -> str:
    return "MATCH (d:Document) RETURN count(d) AS n"


def relationship_totals(rtype: str) -> str:
    """How many relationships of a type, and their mentions per modality."""
    sums = ", ".join(f"sum(r.n_{m}) AS n_{m}" for m in MODALITIES)
    return f"MATCH ()-[r:{rel_type(rtype)}]->() RETURN count(r) AS n, {sums}"


def read_entities(lbl: str) -> str:
    return (
        f"MATCH (e:{label(lbl)}) RETURN e.id AS id, e.name AS name, e.aliases AS aliases, "
        "e.wikidata AS wikidata, COUNT { MATCH (d:Document)-[:MENTIONS]->(e) } AS documents "
        "ORDER BY id"
    )


def read_relationships(rtype: str) -> str:
    props = ", ".join(f"r.{p} AS {p}" for p in EDGE_PROPERTIES)
    return (
        f"MATCH (a)-[r:{rel_type(rtype)}]->(b) RETURN a.id AS s, b.id AS t, {props} ORDER BY s, t"
    )


# ---------------------------------------------------------------------- Neo4j
# Locks: a write takes the Document nodes of its batch, then its entities, each in id
# order, before it reads anything it will overwrite. Transactions that share an entity
# so run one after the other (no lost update of an edge's aggregate or an entity's
# aliases), and taking locks in one global order keeps them from deadlocking. Setting
# and removing a marker property is Cypher's way to take a node's write lock; MERGE
# also locks ids not created yet, through the uniqueness constraint.
def lock_documents(*, create: bool) -> str:
    node = "MERGE (d:Document {id: id})" if create else _match_document("d", "id", "neo4j")
    return f"UNWIND $ids AS id {node} SET d._kg_lock = true REMOVE d._kg_lock"


def lock_entities(lbl: str, dialect: Dialect, *, create: bool) -> str:
    """Lock the entities ``$rows`` (each an ``id``); with ``create``, an entity not
    stored yet is created with the row's ``name``, ``aliases`` and ``wikidata``."""
    if not create:
        return (
            f"UNWIND $rows AS row {_match('e', lbl, 'row.id', dialect)} "
            "SET e._kg_lock = true REMOVE e._kg_lock"
        )
    return f"UNWIND $rows AS row {_merge_locked(lbl, dialect)}"


def _merge_locked(lbl: str, dialect: Dialect, fields: tuple[str, ...] | None = None) -> str:
    """MERGE of the entity of ``row``, locked if it exists (``fields``: of a list row)."""
    return (
        f"MERGE {_node('e', lbl, _at('row', fields, 'id'), dialect)} "
        f"ON CREATE SET e.name = {_at('row', fields, 'name')}, "
        f"e.aliases = {_at('row', fields, 'aliases')}, "
        f"e.wikidata = {_at('row', fields, 'wikidata')} "
        "ON MATCH SET e._kg_lock = true REMOVE e._kg_lock"
    )


# The rows of write_batch are lists, not maps: a map's keys are packed, sent and
# decoded again for every row, and leaving them out took 4% off a load's time. The
# fields of each kind of row, in order:
ENTITY_FIELDS = ("id", "name", "aliases", "wikidata")
MENTION_FIELDS = ("e", "count", "forms")
EDGE_FIELDS = ("a", "b", *EDGE_PROPERTIES)


@cache
def write_batch() -> str:
    """A batch's documents, entities, MENTIONS and new edges in one statement (Neo4j).

    Parameters: ``$ids``, the documents' ids; per entity label (``$Organization``...),
    the rows of its entities (:data:`ENTITY_FIELDS`, labels in :data:`ENTITY_TYPES`
    order, each label's by id, as :func:`kg.store.graph.lock_rows` orders them);
    ``$documents``, the Document rows (maps), each with its ``mentions``
    (:data:`MENTION_FIELDS`; ``e``: the entity's position, below); per relationship
    type (``$INVESTS_IN``...), its edge rows (:data:`EDGE_FIELDS`; ``a``, ``b``: the
    positions of source and target).

    Runs only if none of the documents is stored: otherwise it writes nothing and
    returns no row, and the caller retracts their stored versions first. Else it
    locks and creates the entities in the order of their rows (the one order every
    writer takes locks in), and keeps the nodes in one list, in that order: a place
    in it is an entity's *position*. The MENTIONS and edges find their nodes there,
    not by an index seek each (in a transaction that has created nodes, each such
    seek also searches what it created: measured, a fifth of a load's time). Edges
    not stored yet are created; the one row returned holds the entities that do not
    hold their rows (``stale``: maps of ``id``, ``name``, ``aliases``, ``wikidata``)
    and, per relationship type, the stored edges the batch adds to (``i``, the
    index of the row, and the stored properties), for the caller to merge and write
    again.

    The statement's text is the same for every batch (labels or types a batch lacks
    have empty lists), so Neo4j plans it once.
    """
    name, aliases, wikidata = (_at("row", ENTITY_FIELDS, f) for f in ENTITY_FIELDS[1:])
    holds = (  # the stored entity holds what its row would write
        f"coalesce(e.name = {name} AND all(a IN {aliases} WHERE a IN coalesce(e.aliases, [])) "
        f"AND coalesce(e.wikidata, '') = coalesce({wikidata}, ''), false)"
    )
    parts = [
        "OPTIONAL MATCH (s:Document) USING INDEX SEEK s:Document(id) "
        "WHERE s.id IN $ids AND s.content_hash IS NOT NULL "
        "WITH count(s) AS stored WHERE stored = 0"
    ]
    for lbl in ENTITY_TYPES:
        rows = f"${label(lbl)}"
        # ORDER BY: so that collect() keeps the rows' order, whatever the plan.
        parts.append(
            f"CALL () {{ UNWIND range(0, size({rows}) - 1) AS i WITH i, {rows}[i] AS row "
            f"{_merge_locked(lbl, 'neo4j', ENTITY_FIELDS)} WITH i, e, row ORDER BY i "
            f"RETURN collect(e) AS {lbl}_nodes, collect(CASE WHEN NOT {holds} THEN "
            f"e {{.id, .name, .aliases, .wikidata}} END) AS {lbl}_stale }}"
        )
    parts.append(
        "WITH "
        + " + ".join(f"{lbl}_nodes" for lbl in ENTITY_TYPES)
        + " AS nodes, "
        + " + ".join(f"{lbl}_stale" for lbl in ENTITY_TYPES)
        + " AS stale"
    )
    mention = {name: _at("m", MENTION_FIELDS, name) for name in MENTION_FIELDS}
    parts.append(
        f"CALL (nodes) {{ {upsert_documents('documents')} WITH d, row UNWIND row.mentions AS m "
        f"WITH d, m, nodes[{mention['e']}] AS e CREATE (d)-[x:MENTIONS]->(e) "
        f"SET x.count = {mention['count']}, x.forms = {mention['forms']} }}"
    )
    sets = ", ".join(f"r.{p} = {_value(p, 'neo4j', EDGE_FIELDS)}" for p in EDGE_PROPERTIES)
    props = ", ".join(f".{p}" for p in EDGE_PROPERTIES)
    ends = f"nodes[{_at('row', EDGE_FIELDS, 'a')}] AS a, nodes[{_at('row', EDGE_FIELDS, 'b')}] AS b"
    for rtype in RELATIONS:
        rel = rel_type(rtype)
        parts.append(
            f"CALL (nodes) {{ UNWIND range(0, size(${rel}) - 1) AS i "
            f"WITH i, ${rel}[i] AS row WITH i, row, {ends} "
            f"OPTIONAL MATCH (a)-[old:{rel}]->(b) "
            f"FOREACH (_ IN CASE WHEN old IS NULL THEN [1] ELSE [] END | "
            f"CREATE (a)-[r:{rel}]->(b) SET {sets}) "
            f"WITH i, old WHERE old IS NOT NULL RETURN collect(old {{i: i, {props}}}) AS {rel} }}"
        )
    parts.append("RETURN stale, " + ", ".join(RELATIONS))
    return " ".join(parts)


def neo4j_schema() -> list[str]:
    """Constraints and indexes of a Neo4j graph, each created only if missing.

    Uniqueness of ``id`` on ``:Entity`` (every typed node has the label, and the
    statements match entities as ``(:Entity:Type {id})``, so this one index serves
    them all; a second constraint per type would double the lookups of every MERGE),
    on ``:Document`` and on ``:KgMeta``; range indexes on names, per type too; a
    full-text index over names and aliases (``CALL db.index.fulltext.queryNodes(
    'kg_entity_names', 'anthro*')``).
    """
    stmts = [
        "CREATE CONSTRAINT kg_entity_id IF NOT EXISTS FOR (n:Entity) REQUIRE n.id IS UNIQUE",
        "CREATE CONSTRAINT kg_document_id IF NOT EXISTS FOR (n:Document) REQUIRE n.id IS UNIQUE",
        "CREATE CONSTRAINT kg_meta_key IF NOT EXISTS FOR (n:KgMeta) REQUIRE n.key IS UNIQUE",
        "CREATE INDEX kg_entity_name IF NOT EXISTS FOR (n:Entity) ON (n.name)",
    ]
    for lbl in ENTITY_TYPES:
        stmts.append(
            f"CREATE INDEX kg_{lbl.lower()}_name IF NOT EXISTS FOR (n:{label(lbl)}) ON (n.name)"
        )
    stmts.append(
        "CREATE FULLTEXT INDEX kg_entity_names IF NOT EXISTS "
        "FOR (n:Entity) ON EACH [n.name, n.aliases]"
    )
    return stmts


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
