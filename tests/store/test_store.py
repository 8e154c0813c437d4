"""Behaviour every graph store shares, run against each backend of the ``store`` fixture.

The extraction results are built by hand, so these tests do not depend on the
extractor: what goes in is known exactly, and so is what must come out.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.errors import KGError, QueryError, ReadOnlyQueryError
from kg.models import Entity, Evidence, ExtractionResult, Mention, Relation
from kg.nlp.gazetteer import entity_id
from kg.ontology import MODALITIES, EntityType, Modality
from kg.store import EmbeddedStore, GraphStore
from tests.conftest import STORE_BACKENDS, open_backend

ORG, PER, PROD = EntityType.ORGANIZATION, EntityType.PERSON, EntityType.PRODUCT

# ------------------------------------------------------------------ builders


def ent(name: str, etype: EntityType, *aliases: str, eid: str | None = None) -> Entity:
    forms = [name, *aliases]
    return Entity(
        id=eid or entity_id(etype, name),
        name=name,
        type=etype,
        aliases=sorted(aliases),
        mentions=[
            Mention(text=f, start=i, end=i + len(f), source="ner") for i, f in enumerate(forms)
        ],
    )


def rel(
    rtype: str,
    source: Entity,
    target: Entity,
    doc_id: str,
    *,
    modality: Modality = Modality.ASSERTED,
    sentence: str | None = None,
    trigger: str = "trigger",
    role: str | None = None,
    amount: str | None = None,
    amount_usd: float | None = None,
    confidence: float = 0.7,
    date: dt.date | None = None,
) -> Relation:
    sentence = sentence or f"{source.name} {rtype.lower()} {target.name}."
    return Relation(
        type=rtype,
        source=source.id,
        target=target.id,
        modality=modality,
        confidence=confidence,
        role=role,
        amount=amount,
        amount_usd=amount_usd,
        date=date,
        evidence=Evidence(
            doc_id=doc_id,
            sentence=sentence,
            sentence_start=0,
            sentence_end=len(sentence),
            trigger=trigger,
            trigger_start=0,
            trigger_end=len(trigger),
            rule=f"test:{rtype.lower()}",
        ),
    )


def doc(
    doc_id: str,
    published: str | None,
    entities: list[Entity],
    relations: list[Relation],
    *,
    version: str = "1",
) -> ExtractionResult:
    date = dt.date.fromisoformat(published) if published else None
    return ExtractionResult(
        id=doc_id,
        title=f"Title of {doc_id}",
        published=date,
        source="test",
        path=f"/news/{doc_id}.md",
        content_hash=hashlib.sha1(f"{doc_id}/{version}".encode()).hexdigest(),
        entities=entities,
        relations=[r.model_copy(update={"date": date}) for r in relations],
    )


MICROSOFT = ent("Microsoft", ORG, "Microsoft Corp.")
MICROSOFT_2 = ent("Microsoft", ORG, "MSFT")
OPENAI = ent("OpenAI", ORG)
NADELLA = ent("Satya Nadella", PER)
GOOGLE = ent("Google", ORG)
AMAZON = ent("Amazon", ORG)
ANTHROPIC = ent("Anthropic", ORG)
MISTRAL = ent("Mistral AI", ORG)
GROK = ent("Grok", PROD)
XAI = ent("xAI", ORG)

A1 = doc(
    "a1",
    "2024-01-10",
    [MICROSOFT, OPENAI, NADELLA],
    [
        rel(
            "INVESTS_IN",
            MICROSOFT,
            OPENAI,
            "a1",
            amount="$13 billion",
            amount_usd=13e9,
            sentence="Microsoft invested $13 billion in OpenAI.",
            trigger="invested",
            confidence=0.75,
        ),
        rel("LEADS", NADELLA, MICROSOFT, "a1", role="CEO", trigger="CEO", confidence=0.8),
    ],
)
A2 = doc(
    "a2",
    "2024-03-05",
    [MICROSOFT_2, OPENAI, GOOGLE],
    [
        rel(
            "INVESTS_IN",
            MICROSOFT_2,
            OPENAI,
            "a2",
            modality=Modality.REPORTED,
            amount="$10 billion",
            amount_usd=10e9,
            confidence=0.6,
        ),
        rel("RIVALS", GOOGLE, MICROSOFT_2, "a2", sentence="Google rivals Microsoft."),
    ],
)
B1 = doc(
    "b1",
    "2024-06-01",
    [MICROSOFT, GOOGLE, AMAZON, ANTHROPIC],
    [
        # the same rivalry, written the other way round
        rel("RIVALS", MICROSOFT, GOOGLE, "b1", sentence="Microsoft competes with Google."),
        rel("INVESTS_IN", AMAZON, ANTHROPIC, "b1", modality=Modality.PLANNED),
    ],
)
A1_CHANGED = doc(
    "a1",
    "2024-01-11",
    [MICROSOFT, OPENAI, MISTRAL],
    [
        rel(
            "INVESTS_IN",
            MICROSOFT,
            OPENAI,
            "a1",
            amount="$1 billion",
            amount_usd=1e9,
            sentence="Microsoft invested $1 billion in OpenAI.",
        ),
        rel("PARTNERS_WITH", MISTRAL, MICROSOFT, "a1"),
    ],
    version="2",
)

# ------------------------------------------------------------------ snapshots


def _freeze(value: Any) -> Any:
    if isinstance(value, dict):
        return tuple(sorted((k, _freeze(v)) for k, v in value.items()))
    if isinstance(value, list):
        return tuple(sorted(json.dumps(v, sort_keys=True, default=str) for v in value))
    return value


def snapshot(store: GraphStore) -> tuple[frozenset[Any], frozenset[Any], int]:
    """Everything a store holds, as sets, insensitive to the order lists were built in."""
    entities = frozenset(tuple(_freeze(v) for v in vars(e).values()) for e in store.entities())
    relationships = frozenset(
        tuple(_freeze(v) for v in vars(r).values()) for r in store.relationships()
    )
    return entities, relationships, store.stats().documents


def entities_by_id(store: GraphStore) -> dict[str, Any]:
    return {e.id: e for e in store.entities()}


def edges(store: GraphStore) -> dict[tuple[str, str, str], Any]:
    return {(r.type, r.source, r.target): r for r in store.relationships()}


def reset(store: GraphStore) -> None:
    store.retract(store.document_hashes())
    assert snapshot(store) == (frozenset(), frozenset(), 0)


# ------------------------------------------------------------------ round trip


def test_empty_store(store: GraphStore) -> None:
    assert list(store.entities()) == []
    assert list(store.relationships()) == []
    assert store.document_hashes() == {}
    stats = store.stats()
    assert stats.documents == 0
    assert sum(stats.nodes.values()) == 0
    assert stats.relationships == {}


def test_write_then_read_entities(store: GraphStore) -> None:
    written = store.write([A1, A2])
    assert written.documents_written == 2
    assert written.documents_skipped == 0
    assert written.relation_mentions == 4
    found = entities_by_id(store)
    assert set(found) == {"org:microsoft", "org:openai", "person:satya-nadella", "org:google"}
    ms = found["org:microsoft"]
    assert (ms.name, ms.type) == ("Microsoft", "Organization")
    assert sorted(ms.aliases) == ["MSFT", "Microsoft Corp."]
    assert ms.documents == 2
    assert found["person:satya-nadella"].type == "Person"
    assert found["person:satya-nadella"].documents == 1
    assert found["org:google"].documents == 1


def test_write_then_read_aggregated_relationship(store: GraphStore) -> None:
    store.write([A1, A2])
    found = edges(store)
    assert set(found) == {
        ("INVESTS_IN", "org:microsoft", "org:openai"),
        ("LEADS", "person:satya-nadella", "org:microsoft"),
        ("RIVALS", "org:google", "org:microsoft"),
    }
    inv = found["INVESTS_IN", "org:microsoft", "org:openai"]
    assert inv.support == 2
    assert sorted(inv.documents) == ["a1", "a2"]
    assert inv.first_seen == dt.date(2024, 1, 10)
    assert inv.last_seen == dt.date(2024, 3, 5)
    assert inv.confidence == pytest.approx(0.75)
    assert inv.modality_counts == {m: 0 for m in MODALITIES} | {"asserted": 1, "reported": 1}
    assert inv.modality == "asserted"  # a tie goes to the firmer modality
    assert inv.amount_usd == pytest.approx(13e9)  # the largest amount stated
    assert len(inv.evidence) == 2
    by_doc = {e["doc_id"]: e for e in inv.evidence}
    assert by_doc["a1"]["sentence"] == "Microsoft invested $13 billion in OpenAI."
    assert by_doc["a1"]["trigger"] == "invested"
    assert by_doc["a1"]["amount"] == "$13 billion"
    assert by_doc["a2"]["modality"] == "reported"
    leads = found["LEADS", "person:satya-nadella", "org:microsoft"]
    assert leads.roles == ["CEO"]
    assert leads.support == 1
    assert leads.first_seen == leads.last_seen == dt.date(2024, 1, 10)


def test_stats_count_nodes_relationships_and_modalities(store: GraphStore) -> None:
    store.write([A1, A2])
    stats = store.stats()
    assert stats.documents == 2
    assert stats.nodes == {"Organization": 3, "Person": 1, "Product": 0}
    assert stats.relationships == {"INVESTS_IN": 1, "LEADS": 1, "RIVALS": 1}
    assert stats.modalities["INVESTS_IN"] == {m: 0 for m in MODALITIES} | {
        "asserted": 1,
        "reported": 1,
    }


def test_document_hashes_and_extractions_round_trip(store: GraphStore) -> None:
    store.write([A1, A2])
    assert store.document_hashes() == {"a1": A1.content_hash, "a2": A2.content_hash}
    assert list(store.extractions()) == [A1, A2]
    assert list(store.extractions(["a2"])) == [A2]
    assert list(store.extractions(["nope"])) == []


def test_many_mentions_keep_a_bounded_evidence_list(store: GraphStore) -> None:
    results = [
        doc(
            f"d{i:02d}",
            f"2024-02-{i + 1:02d}",
            [MICROSOFT, OPENAI],
            [rel("INVESTS_IN", MICROSOFT, OPENAI, f"d{i:02d}")],
        )
        for i in range(12)
    ]
    store.write(results)
    inv = edges(store)["INVESTS_IN", "org:microsoft", "org:openai"]
    assert inv.support == 12
    assert len(inv.documents) == 12
    assert 1 <= len(inv.evidence) <= 12
    assert inv.first_seen == dt.date(2024, 2, 1)
    assert inv.last_seen == dt.date(2024, 2, 12)


def test_document_without_date_leaves_dates_empty(store: GraphStore) -> None:
    store.write([doc("x", None, [MICROSOFT, OPENAI], [rel("INVESTS_IN", MICROSOFT, OPENAI, "x")])])
    inv = edges(store)["INVESTS_IN", "org:microsoft", "org:openai"]
    assert inv.first_seen is None
    assert inv.last_seen is None


def test_product_relationships(store: GraphStore) -> None:
    store.write([doc("p", "2025-05-19", [XAI, GROK], [rel("DEVELOPS", XAI, GROK, "p")])])
    assert set(edges(store)) == {("DEVELOPS", "org:xai", "product:grok")}
    assert store.stats().nodes["Product"] == 1


# ------------------------------------------------------------------ idempotency


def test_writing_the_same_results_twice_changes_nothing(store: GraphStore) -> None:
    store.write([A1, A2])
    before = snapshot(store)
    again = store.write([A1, A2])
    assert again.documents_skipped == 2
    assert again.documents_written == 0
    assert again.relation_mentions == 0
    assert snapshot(store) == before
    assert edges(store)["INVESTS_IN", "org:microsoft", "org:openai"].support == 2


def test_a_document_repeated_in_one_write_counts_once(store: GraphStore) -> None:
    stats = store.write([A1, A1])
    assert stats.documents_written == 1
    assert stats.documents_skipped == 1
    assert edges(store)["INVESTS_IN", "org:microsoft", "org:openai"].support == 1


def test_a_second_corpus_adds_to_the_first(store: GraphStore) -> None:
    store.write([A1, A2])
    stats = store.write([B1])
    assert stats.documents_written == 1
    found = edges(store)
    rivals = found["RIVALS", "org:google", "org:microsoft"]
    assert rivals.support == 2
    assert sorted(rivals.documents) == ["a2", "b1"]
    assert rivals.first_seen == dt.date(2024, 3, 5)
    assert rivals.last_seen == dt.date(2024, 6, 1)
    assert found["INVESTS_IN", "org:amazon", "org:anthropic"].modality == "planned"
    assert found["INVESTS_IN", "org:microsoft", "org:openai"].support == 2  # untouched
    ents = entities_by_id(store)
    assert ents["org:microsoft"].documents == 3
    assert {"org:amazon", "org:anthropic"} <= set(ents)
    assert store.stats().documents == 3


def test_write_order_does_not_matter(store: GraphStore) -> None:
    store.write([A1, A2, B1])
    together = snapshot(store)
    reset(store)
    store.write([B1])
    store.write([A2])
    store.write([A1])
    assert snapshot(store) == together


# ------------------------------------------------------------------ symmetric edges


def test_symmetric_edges_are_stored_once(store: GraphStore) -> None:
    store.write([A2, B1])
    rivals = [r for r in store.relationships() if r.type == "RIVALS"]
    assert len(rivals) == 1
    assert (rivals[0].source, rivals[0].target) == ("org:google", "org:microsoft")
    assert rivals[0].support == 2
    rows = store.query("MATCH ()-[r:RIVALS]->() RETURN count(r) AS n").rows
    assert rows == [[1]]


def test_symmetric_edge_in_both_directions_in_one_document(store: GraphStore) -> None:
    result = doc(
        "s",
        "2024-01-01",
        [MICROSOFT, MISTRAL],
        [
            rel("PARTNERS_WITH", MICROSOFT, MISTRAL, "s"),
            rel("PARTNERS_WITH", MISTRAL, MICROSOFT, "s", sentence="Mistral AI and Microsoft."),
        ],
    )
    store.write([result])
    [edge] = store.relationships()
    assert (edge.type, edge.source, edge.target) == (
        "PARTNERS_WITH",
        "org:microsoft",
        "org:mistral-ai",
    )
    assert edge.support == 2
    assert edge.documents == ["s"]


# ------------------------------------------------------------------ retraction


def test_retract_restores_the_state_without_the_document(store: GraphStore) -> None:
    store.write([A1, A2])
    without = snapshot(store)
    store.write([B1])
    assert snapshot(store) != without
    assert store.retract(["b1"]) == 1
    assert snapshot(store) == without
    assert "org:amazon" not in entities_by_id(store)


def test_retract_from_the_middle(store: GraphStore) -> None:
    store.write([A2, B1])
    expected = snapshot(store)
    reset(store)
    store.write([A1, A2, B1])
    assert store.retract(["a1"]) == 1
    assert snapshot(store) == expected
    assert "person:satya-nadella" not in entities_by_id(store)


def test_aliases_and_wikidata_accumulate_over_separate_writes(store: GraphStore) -> None:
    # Each write is its own transaction: a stored entity is compared with what a later
    # batch brings, and only what is new is written to it.
    plain = ent("Microsoft", ORG)
    with_id = plain.model_copy(update={"wikidata": "Q2283"})
    store.write([doc("w1", "2024-01-01", [MICROSOFT, OPENAI], [])])
    store.write([doc("w2", "2024-01-02", [MICROSOFT_2, OPENAI], [])])
    store.write([doc("w3", "2024-01-03", [plain], [])])  # holds nothing new
    found = entities_by_id(store)
    assert found["org:microsoft"].aliases == ["MSFT", "Microsoft Corp."]
    assert found["org:microsoft"].wikidata is None
    assert found["org:openai"].aliases == []
    store.write([doc("w4", "2024-01-04", [with_id], [])])
    found = entities_by_id(store)
    assert found["org:microsoft"].wikidata == "Q2283"
    assert found["org:microsoft"].aliases == ["MSFT", "Microsoft Corp."]
    assert found["org:microsoft"].documents == 4


def test_retract_drops_the_aliases_only_that_document_used(store: GraphStore) -> None:
    store.write([A1, A2])
    assert store.retract(["a1"]) == 1
    microsoft = entities_by_id(store)["org:microsoft"]
    assert microsoft.aliases == ["MSFT"]
    assert microsoft.documents == 1


def test_retract_unknown_ids_changes_nothing(store: GraphStore) -> None:
    store.write([A1])
    before = snapshot(store)
    assert store.retract(["nope", "nada"]) == 0
    assert snapshot(store) == before


def test_retract_everything_leaves_an_empty_graph(store: GraphStore) -> None:
    store.write([A1, A2, B1])
    assert store.retract(["a1", "a2", "b1", "nope"]) == 3
    assert snapshot(store) == (frozenset(), frozenset(), 0)
    assert store.stats().relationships == {}


def test_changed_document_replaces_its_contribution(store: GraphStore) -> None:
    store.write([A1_CHANGED, A2])
    expected = snapshot(store)
    reset(store)
    store.write([A1, A2])
    stats = store.write([A1_CHANGED])
    assert stats.documents_replaced == 1
    assert stats.documents_written == 1
    assert snapshot(store) == expected
    assert store.document_hashes()["a1"] == A1_CHANGED.content_hash
    found = edges(store)
    assert ("LEADS", "person:satya-nadella", "org:microsoft") not in found
    assert ("PARTNERS_WITH", "org:microsoft", "org:mistral-ai") in found
    inv = found["INVESTS_IN", "org:microsoft", "org:openai"]
    assert inv.support == 2
    assert inv.amount_usd == pytest.approx(10e9)  # a1's $13 billion is gone
    assert inv.first_seen == dt.date(2024, 1, 11)
    assert "person:satya-nadella" not in entities_by_id(store)


# ------------------------------------------------------------------ queries


def test_query_returns_columns_and_rows(store: GraphStore) -> None:
    store.write([A1, A2])
    result = store.query(
        "MATCH (o:Organization) WHERE o.id <> $skip RETURN o.name AS name ORDER BY name",
        {"skip": "org:google"},
    )
    assert result.columns == ["name"]
    assert result.rows == [["Microsoft"], ["OpenAI"]]
    assert result.records() == [{"name": "Microsoft"}, {"name": "OpenAI"}]


@pytest.mark.parametrize(
    "cypher",
    [
        "CREATE (n:Organization {id: 'org:x', name: 'X'})",
        "create (n:Organization {id: 'org:x', name: 'X'})",
        "MERGE (n:Organization {id: 'org:x'})",
        "MATCH (n:Organization) SET n.name = 'X'",
        "MATCH (n:Organization) DETACH DELETE n",
        "MATCH (n:Organization) WHERE n.id = 'org:openai' DELETE n",
        "MATCH (n:Organization)\nREMOVE n.wikidata",
    ],
)
def test_query_refuses_writing_clauses(store: GraphStore, cypher: str) -> None:
    store.write([A1])
    before = snapshot(store)
    with pytest.raises(ReadOnlyQueryError) as info:
        store.query(cypher)
    assert "write" in str(info.value).lower()
    assert isinstance(info.value, QueryError)
    assert isinstance(info.value, KGError)
    assert snapshot(store) == before


def test_writing_words_inside_strings_do_not_count(store: GraphStore) -> None:
    store.write([A1])
    result = store.query(
        "MATCH (o:Organization) WHERE o.name <> 'CREATE or DELETE' // SET in a comment\n"
        "RETURN count(o) AS n"
    )
    assert result.rows == [[2]]


def test_query_with_write_allowed(store: GraphStore) -> None:
    store.write([A1])
    store.query(
        "MATCH (o:Organization) WHERE o.id = $id SET o.wikidata = $q",
        {"id": "org:openai", "q": "Q21708200"},
        write=True,
    )
    assert entities_by_id(store)["org:openai"].wikidata == "Q21708200"


def test_bad_cypher_raises_query_error(store: GraphStore) -> None:
    with pytest.raises(QueryError):
        store.query("MATCH (n:Organization RETURN n")


def test_read_only_store_refuses_writes_even_when_allowed(tmp_path: Path) -> None:
    path = tmp_path / "g.db"
    with EmbeddedStore(path, buffer_mb=64) as graph:
        graph.write([A1])
    with EmbeddedStore(path, read_only=True, buffer_mb=64) as graph:
        assert graph.query("MATCH (o:Organization) RETURN count(o)").rows == [[2]]
        with pytest.raises(ReadOnlyQueryError):
            graph.query("MATCH (o:Organization) SET o.name = 'x'", write=True)


# ------------------------------------------------------------------ hostile names

HOSTILE_NAMES = [
    '"}) DETACH DELETE n //',
    "'}) DETACH DELETE n //",
    "Back`tick` Labs",
    'O\'Brien "Quoted" AI',
    "Multi\nLine\r\nCorp",
    "'; MATCH (n) DETACH DELETE n; //",
    "Robert'); DROP TABLE Organization;--",
    "$name {x} \\u0027 \\ backslash",
]


def hostile_doc() -> ExtractionResult:
    entities = [
        ent(n, ORG, n + " alias", eid=f"org:hostile-{i}") for i, n in enumerate(HOSTILE_NAMES)
    ]
    entities.append(ent("Odd Person", PER, eid="person:x'}) DETACH DELETE n //"))
    relations = [
        rel("PARTNERS_WITH", entities[i], entities[i + 1], "hostile", sentence=entities[i].name)
        for i in range(len(HOSTILE_NAMES) - 1)
    ]
    relations.append(rel("LEADS", entities[-1], entities[0], "hostile", role="CEO'}) DELETE r //"))
    return doc('hostile"}) //', "2024-04-01", entities, relations)


def test_hostile_names_are_stored_verbatim_and_harm_nothing(store: GraphStore) -> None:
    store.write([A1, A2])
    safe = snapshot(store)
    store.write([hostile_doc()])
    found = entities_by_id(store)
    for i, name in enumerate(HOSTILE_NAMES):
        assert found[f"org:hostile-{i}"].name == name
        assert found[f"org:hostile-{i}"].aliases == [name + " alias"]
    assert found["person:x'}) DETACH DELETE n //"].name == "Odd Person"
    # everything written before is still there
    assert {"org:microsoft", "org:openai", "person:satya-nadella", "org:google"} <= set(found)
    assert store.stats().documents == 3
    leads = edges(store)["LEADS", "person:x'}) DETACH DELETE n //", "org:hostile-0"]
    assert leads.roles == ["CEO'}) DELETE r //"]
    partner = [r for r in store.relationships() if r.type == "PARTNERS_WITH"]
    assert len(partner) == len(HOSTILE_NAMES) - 1
    assert {e["sentence"] for r in partner for e in r.evidence} == set(HOSTILE_NAMES[:-1])
    # names work as query parameters
    for name in HOSTILE_NAMES:
        rows = store.query(
            "MATCH (o:Organization) WHERE o.name = $name RETURN o.id AS id", {"name": name}
        ).rows
        assert len(rows) == 1
    # and retracting the hostile document leaves the rest as it was
    assert store.retract(['hostile"}) //']) == 1
    assert snapshot(store) == safe


# ------------------------------------------------------------------ property


@pytest.mark.parametrize("backend", STORE_BACKENDS)
@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    names=st.lists(
        st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=30),
        min_size=2,
        max_size=5,
        unique=True,
    )
)
def test_any_names_round_trip(backend: str, names: list[str]) -> None:
    entities = [ent(n, ORG, eid=f"org:n{i}") for i, n in enumerate(names)]
    relations = [
        rel("RIVALS", entities[i], entities[i + 1], "prop", sentence=names[i])
        for i in range(len(entities) - 1)
    ]
    result = doc("prop", "2024-01-01", entities, relations)
    with tempfile.TemporaryDirectory() as tmp, open_backend(backend, Path(tmp)) as graph:
        graph.write([result])
        assert {e.id: e.name for e in graph.entities()} == {e.id: e.name for e in entities}
        assert list(graph.extractions()) == [result]
        assert sum(r.support for r in graph.relationships()) == len(relations)
        graph.retract(["prop"])
        assert list(graph.entities()) == []
