"""The same extraction results make the same graph in Neo4j as in the embedded store.

``examples/news`` is extracted once and written to both stores; everything a store
returns is compared: entities, relationships with every aggregated property,
counts, and the rows of every saved query.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from typing import Any

import pytest

from kg.models import ExtractionResult
from kg.queries import SavedQuery, saved_queries
from kg.store import EmbeddedStore
from kg.store.base import GraphStore
from kg.store.neo4j import Neo4jStore
from tests.neo4j_fixtures import Neo4jServer

pytestmark = pytest.mark.neo4j

# Parameters for each saved query, chosen so that every one returns rows.
SAVED_PARAMS: dict[str, dict[str, str]] = {
    "first-seen-since": {"since": "2024-01-01"},
    "hosts": {},
    "investors-in": {"name": "OpenAI"},
    "leaders-of-investees": {"name": "Microsoft"},
    "path": {"source": "Microsoft", "target": "Anthropic"},
    "reported-not-asserted": {},
    "rivals-of": {"name": "OpenAI"},
}


@dataclasses.dataclass
class Graphs:
    embedded: EmbeddedStore
    neo4j: Neo4jStore


@pytest.fixture(scope="module")
def graphs(
    neo4j_server: Neo4jServer,
    news_results: list[ExtractionResult],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Graphs]:
    neo4j_server.wipe()
    path = tmp_path_factory.mktemp("parity") / "graph.db"
    with EmbeddedStore(path) as embedded, neo4j_server.open() as neo4j:
        embedded.write(news_results)
        neo4j.write(news_results)
        yield Graphs(embedded, neo4j)


def test_the_graph_is_not_trivial(graphs: Graphs) -> None:
    stats = graphs.neo4j.stats()
    assert stats.documents >= 40
    assert sum(stats.nodes.values()) >= 150
    assert len(stats.relationships) >= 8


def test_same_counts(graphs: Graphs) -> None:
    assert graphs.neo4j.stats() == graphs.embedded.stats()


def test_same_entities(graphs: Graphs) -> None:
    assert list(graphs.neo4j.entities()) == list(graphs.embedded.entities())


def test_same_relationships_with_every_aggregated_property(graphs: Graphs) -> None:
    neo4j = list(graphs.neo4j.relationships())
    embedded = list(graphs.embedded.relationships())
    assert [(r.type, r.source, r.target) for r in neo4j] == [
        (r.type, r.source, r.target) for r in embedded
    ]
    for ours, theirs in zip(neo4j, embedded, strict=True):
        assert dataclasses.asdict(ours) == dataclasses.asdict(theirs)


def test_same_stored_extractions(graphs: Graphs) -> None:
    assert list(graphs.neo4j.extractions()) == list(graphs.embedded.extractions())
    assert graphs.neo4j.document_hashes() == graphs.embedded.document_hashes()


def _canonical(value: Any) -> Any:
    """Rows as comparable values: lists a query collects are sets to it."""
    if isinstance(value, list):
        return sorted(json.dumps(_canonical(v), sort_keys=True, default=str) for v in value)
    return value


def _rows(store: GraphStore, query: SavedQuery) -> list[dict[str, Any]]:
    result = store.query(query.for_dialect(store.dialect), SAVED_PARAMS[query.name])
    return result.records()


def test_every_saved_query_has_parameters_here() -> None:
    assert set(SAVED_PARAMS) == {q.name for q in saved_queries()}


@pytest.mark.parametrize("query", saved_queries(), ids=lambda q: q.name)
def test_saved_query_gives_the_same_rows(graphs: Graphs, query: SavedQuery) -> None:
    neo4j, embedded = _rows(graphs.neo4j, query), _rows(graphs.embedded, query)
    assert embedded, f"{query.name} returns no rows on the sample graph: pick other params"
    if query.name == "path":
        # Several shortest paths may tie; each store may pick another. Same ends, same length.
        (ours,), (theirs,) = neo4j, embedded
        assert len(ours["relations"]) == len(theirs["relations"])
        assert (ours["entities"][0], ours["entities"][-1]) == (
            theirs["entities"][0],
            theirs["entities"][-1],
        )
        return
    key = lambda row: json.dumps(  # noqa: E731
        {k: _canonical(v) for k, v in row.items()}, sort_keys=True, default=str
    )
    assert sorted(map(key, neo4j)) == sorted(map(key, embedded))
    assert list(neo4j[0]) == list(embedded[0])  # the same columns, in order


def test_path_query_evidence_is_the_first_snippet_in_both_dialects(graphs: Graphs) -> None:
    """path.cypher indexes lists from 0, its LadybugDB version from 1: the same element."""
    query = next(q for q in saved_queries() if q.name == "path")
    for store in (graphs.neo4j, graphs.embedded):
        (row,) = _rows(store, query)
        assert all(json.loads(e)["sentence"] for e in row["evidence"])
