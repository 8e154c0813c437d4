"""Loading stores into networkx: the graph model, filters, weights and views."""

from __future__ import annotations

import datetime as dt

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.analysis.errors import AmbiguousEntityError, EntityNotFoundError
from kg.analysis.graph import (
    NETWORKS,
    GraphFilter,
    collapse,
    filter_graph,
    find_entity,
    graph_from_records,
    load_graph,
    project,
    relation_types,
    undirected,
)
from kg.analysis.sample import SampleStore, sample_graph, sample_records
from kg.errors import ConfigError, OntologyError
from kg.ontology import MODALITIES, RELATION_TYPES, RELATIONS, Modality
from kg.store import EmbeddedStore
from kg.store.base import StoredRelationship

from .conftest import entity, records_graph, relationship


def edges(g: nx.MultiDiGraph) -> list[tuple[str, str, str, int]]:
    return sorted((u, v, k, w) for u, v, k, w in g.edges(keys=True, data="weight"))


def test_every_relation_type_is_in_exactly_one_network() -> None:
    listed = [t for types in NETWORKS.values() for t in types]
    assert sorted(listed) == sorted(RELATION_TYPES)


def test_relation_types_accepts_types_networks_and_any_case() -> None:
    assert relation_types("investment, hosts") == {"INVESTS_IN", "HOSTS"}
    assert relation_types(["people"]) == {"LEADS", "FOUNDED", "WORKS_FOR"}


def test_unknown_relation_type_names_the_choices() -> None:
    with pytest.raises(OntologyError, match="'INVEST' is not one of INVESTS_IN"):
        relation_types("INVEST")


def test_symmetric_relationships_point_both_ways_and_count_once_undirected() -> None:
    g = records_graph([relationship("RIVALS", "org:a", "org:b", asserted=2)])
    assert edges(g) == [("org:a", "org:b", "RIVALS", 2), ("org:b", "org:a", "RIVALS", 2)]
    assert [m for _, _, m in g.edges(data="mirror")] == [False, True]
    assert dict(g.in_degree()) == {"org:a": 1, "org:b": 1}
    assert list(undirected(g).edges(data="weight")) == [("org:a", "org:b", 2)]


def test_directed_relationships_point_one_way() -> None:
    g = records_graph([relationship("INVESTS_IN", "org:a", "org:b")])
    assert edges(g) == [("org:a", "org:b", "INVESTS_IN", 1)]


def test_parallel_relationships_stay_apart_and_add_up_in_views() -> None:
    g = records_graph(
        [
            relationship("INVESTS_IN", "org:a", "org:b", asserted=3),
            relationship("HOSTS", "org:a", "org:b", asserted=1),
            relationship("PARTNERS_WITH", "org:a", "org:b", asserted=2),
            relationship("SUPPLIES", "org:b", "org:a", asserted=5),
        ]
    )
    assert g.number_of_edges() == 5  # four stored, one mirrored
    d = collapse(g)
    assert d["org:a"]["org:b"]["weight"] == 6  # 3 + 1 + 2
    assert d["org:b"]["org:a"]["weight"] == 7  # 5 + the mirrored 2
    assert sorted(d["org:a"]["org:b"]["types"]) == ["HOSTS", "INVESTS_IN", "PARTNERS_WITH"]
    assert undirected(g)["org:a"]["org:b"]["weight"] == 11  # each stored relationship once


def test_weight_counts_mentions_at_or_above_the_minimum_modality() -> None:
    rel = relationship(
        "HOSTS", "org:a", "org:b", asserted=1, reported=2, planned=4, speculative=8, negated=16
    )
    expected = {"asserted": 1, "reported": 3, "planned": 7, "speculative": 15, "negated": 31}
    for modality, weight in expected.items():
        g = records_graph([rel], GraphFilter(min_modality=modality))
        assert edges(g) == [("org:a", "org:b", "HOSTS", weight)], modality


def test_the_default_leaves_out_speculative_and_negated_mentions() -> None:
    assert GraphFilter().min_modality is Modality.PLANNED
    g = records_graph(
        [
            relationship("HOSTS", "org:a", "org:b", speculative=3),
            relationship("ACQUIRES", "org:a", "org:c", negated=1),
            relationship("OWNS", "org:a", "org:d", planned=1),
        ]
    )
    assert edges(g) == [("org:a", "org:d", "OWNS", 1)]


def test_min_support_applies_to_the_mentions_kept() -> None:
    rel = relationship("HOSTS", "org:a", "org:b", asserted=1, speculative=5)
    assert edges(records_graph([rel], GraphFilter(min_support=2))) == []
    kept = records_graph([rel], GraphFilter(min_support=2, min_modality="speculative"))
    assert edges(kept) == [("org:a", "org:b", "HOSTS", 6)]


def test_min_confidence() -> None:
    rels = [
        relationship("HOSTS", "org:a", "org:b", confidence=0.6),
        relationship("HOSTS", "org:a", "org:c", confidence=0.9),
    ]
    assert [v for _, v in records_graph(rels, GraphFilter(min_confidence=0.7)).edges()] == ["org:c"]


def test_a_window_keeps_relationships_whose_span_overlaps_it() -> None:
    rels = [
        relationship("HOSTS", "org:a", "org:old", first="2019-01-01", last="2020-06-30"),
        relationship("HOSTS", "org:a", "org:span", first="2019-01-01", last="2024-01-01"),
        relationship("HOSTS", "org:a", "org:new", first="2023-03-01"),
        relationship("HOSTS", "org:a", "org:undated", first=None),
    ]
    window = GraphFilter(since=dt.date(2021, 1, 1), until=dt.date(2022, 12, 31))
    assert sorted(records_graph(rels, window).successors("org:a")) == ["org:span"]
    as_of_2020 = GraphFilter(until=dt.date(2020, 12, 31))
    assert sorted(records_graph(rels, as_of_2020).successors("org:a")) == ["org:old", "org:span"]
    since_2023 = GraphFilter(since=dt.date(2023, 1, 1))
    assert sorted(records_graph(rels, since_2023).successors("org:a")) == ["org:new", "org:span"]
    assert "org:undated" in records_graph(rels)


def test_a_window_that_ends_before_it_starts_is_refused() -> None:
    with pytest.raises(ConfigError, match="swap them"):
        GraphFilter(since=dt.date(2024, 1, 1), until=dt.date(2023, 1, 1))


def test_unknown_modality_names_the_choices() -> None:
    with pytest.raises(ConfigError, match="'sure' is not one of asserted, reported"):
        GraphFilter(min_modality="sure")


def test_entity_types_keep_only_relationships_between_kept_entities() -> None:
    rels = [
        relationship("LEADS", "person:ceo", "org:a"),
        relationship("DEVELOPS", "org:a", "product:p"),
        relationship("INVESTS_IN", "org:a", "org:b"),
    ]
    g = records_graph(rels, GraphFilter(entity_types=["organization", "Product"]))
    assert sorted(g.nodes) == ["org:a", "org:b", "product:p"]
    assert sorted(k for _, _, k in g.edges(keys=True)) == ["DEVELOPS", "INVESTS_IN"]


def test_isolates_are_dropped_unless_asked_for() -> None:
    rels = [relationship("HOSTS", "org:a", "org:b")]
    ents = [entity("org:a"), entity("org:b"), entity("org:lonely")]
    assert sorted(records_graph(rels, entities=ents).nodes) == ["org:a", "org:b"]
    kept = records_graph(rels, GraphFilter(isolates=True), entities=ents)
    assert sorted(kept.nodes) == ["org:a", "org:b", "org:lonely"]


def test_relationships_to_unknown_entities_are_skipped() -> None:
    g = graph_from_records([entity("org:a")], [relationship("HOSTS", "org:a", "org:ghost")])
    assert g.number_of_nodes() == 0


def test_node_and_edge_attributes_come_from_the_store() -> None:
    g = sample_graph()
    assert g.nodes["org:xai"] == {
        "name": "xAI",
        "type": "Organization",
        "aliases": ["X.AI Corp"],
        "wikidata": None,
        "documents": 2,
    }
    attrs = g.edges["org:microsoft", "org:openai", "INVESTS_IN"]
    assert attrs["support"] == 3 and attrs["weight"] == 3
    assert attrs["first_seen"] == dt.date(2019, 7, 22)
    assert attrs["amount_usd"] == 10e9
    assert attrs["evidence"][0]["sentence"] == "Microsoft is investing $1 billion in OpenAI."
    assert g.graph["filter"] == GraphFilter()


def test_load_graph_reads_only_entities_and_relationships() -> None:
    assert edges(load_graph(SampleStore())) == edges(graph_from_records(*sample_records()))


def test_load_graph_from_the_embedded_store(corpus_db: object) -> None:
    with EmbeddedStore(corpus_db, read_only=True, buffer_mb=256) as store:  # type: ignore[arg-type]
        stored = list(store.relationships())
        g = load_graph(store, GraphFilter(min_modality="negated"))
    symmetric = sum(1 for r in stored if r.type in ("PARTNERS_WITH", "RIVALS"))
    assert g.number_of_edges() == len(stored) + symmetric
    assert sum(w for _, _, w in g.edges(data="weight")) == sum(
        r.support * (2 if r.type in ("PARTNERS_WITH", "RIVALS") else 1) for r in stored
    )


def test_project_keeps_one_network() -> None:
    g = sample_graph()
    assert [k for _, _, k in project(g, "rivalry").edges(keys=True)] == ["RIVALS", "RIVALS"]
    assert sorted(project(g, "investment").nodes) == ["org:microsoft", "org:openai"]
    assert project(g, "supply").number_of_nodes() == 0


def test_find_entity_by_id_name_or_alias_in_any_case() -> None:
    g = sample_graph()
    assert find_entity(g, "org:openai") == "org:openai"
    assert find_entity(g, "OPENAI") == "org:openai"
    assert find_entity(g, "msft") == "org:microsoft"


def test_find_entity_suggests_close_names() -> None:
    with pytest.raises(EntityNotFoundError, match="did you mean 'OpenAI'"):
        find_entity(sample_graph(), "OpenAl")


def test_find_entity_prefers_a_name_over_an_alias_and_lists_ambiguity() -> None:
    ents = [
        entity("org:a", "Apple"),
        entity("product:a", "Apple", "Product"),
        entity("org:b", "Banana", aliases=["Apple"]),
    ]
    rels = [relationship("DEVELOPS", "org:a", "product:a"), relationship("OWNS", "org:b", "org:a")]
    g = records_graph(rels, entities=ents)
    with pytest.raises(AmbiguousEntityError, match=r"Apple \(Organization, id org:a\)"):
        find_entity(g, "apple")
    assert find_entity(g, "apple", types={"Product"}) == "product:a"


_modality = st.sampled_from(MODALITIES)
_date = st.dates(dt.date(2019, 1, 1), dt.date(2026, 12, 31))


@st.composite
def _relationships(draw: st.DrawFn) -> list[StoredRelationship]:
    ids = ["org:a", "org:b", "org:c", "person:d", "product:e"]
    out = []
    seen = set()
    for _ in range(draw(st.integers(0, 12))):
        rtype = draw(st.sampled_from(RELATION_TYPES))
        source, target = draw(st.sampled_from(ids)), draw(st.sampled_from(ids))
        if RELATIONS[rtype].symmetric and target < source:  # stored once, as stores do
            source, target = target, source
        if source == target or (rtype, source, target) in seen:
            continue
        seen.add((rtype, source, target))
        counts = draw(st.dictionaries(_modality, st.integers(0, 3), min_size=1))
        if not sum(counts.values()):
            counts["asserted"] = 1
        first = draw(st.one_of(st.none(), _date))
        out.append(
            relationship(
                rtype,
                source,
                target,
                first=first.isoformat() if first else None,
                confidence=draw(st.sampled_from([0.5, 0.7, 0.9])),
                mentions=counts,
            )
        )
    return out


_filters = st.builds(
    GraphFilter,
    relation_types=st.one_of(st.none(), st.sets(st.sampled_from(RELATION_TYPES), min_size=1)),
    min_modality=_modality,
    min_support=st.integers(1, 3),
    min_confidence=st.sampled_from([0.0, 0.6, 0.8]),
    since=st.one_of(st.none(), st.just(dt.date(2022, 1, 1))),
    until=st.one_of(st.none(), st.just(dt.date(2024, 6, 30))),
    entity_types=st.one_of(
        st.none(), st.sets(st.sampled_from(["Organization", "Person", "Product"]), min_size=1)
    ),
)


@settings(max_examples=150, deadline=None)
@given(_relationships(), _filters)
def test_filtering_a_loaded_graph_equals_loading_with_the_filter(
    rels: list[StoredRelationship], filt: GraphFilter
) -> None:
    everything = records_graph(rels, GraphFilter(min_modality="negated"))
    narrowed = filter_graph(everything, filt)
    direct = records_graph(rels, filt)
    assert sorted(narrowed.nodes) == sorted(direct.nodes)
    assert edges(narrowed) == edges(direct)
