"""Either store, one answer: the analysis reads Neo4j and the embedded store alike."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kg.analysis.centrality import centrality_report
from kg.analysis.communities import find_communities
from kg.analysis.graph import GraphFilter, load_graph
from kg.analysis.paths import shortest_path
from kg.store import EmbeddedStore


def _edges(g: Any) -> list[tuple[Any, ...]]:
    return sorted(
        (u, v, k, sorted(d.items(), key=repr)) for u, v, k, d in g.edges(keys=True, data=True)
    )


@pytest.mark.neo4j
def test_neo4j_and_the_embedded_store_give_the_same_analysis(
    request: pytest.FixtureRequest, corpus_db: Path
) -> None:
    try:  # the session's Neo4j, from the tests' Neo4j plugin
        server = request.getfixturevalue("neo4j_server")
    except pytest.FixtureLookupError:
        pytest.skip("the Neo4j test fixtures (tests/neo4j_fixtures.py) are not registered")
    with EmbeddedStore(corpus_db, read_only=True, buffer_mb=256) as embedded:
        results = list(embedded.extractions())
        expected = load_graph(embedded, GraphFilter(min_modality="negated"))
    server.wipe()
    with server.open() as neo4j:
        neo4j.write(results)
        got = load_graph(neo4j, GraphFilter(min_modality="negated"))
    assert dict(got.nodes(data=True)) == dict(expected.nodes(data=True))
    assert _edges(got) == _edges(expected)
    ours, theirs = centrality_report(got), centrality_report(expected)
    # Nodes may come in another order, so sums may differ in their last bits.
    for measure, scores in theirs.scores.items():
        assert ours.scores[measure] == pytest.approx(scores, abs=1e-9), measure
    assert find_communities(got).as_dict() == find_communities(expected).as_dict()
    assert shortest_path(got, "Elon Musk", "Sam Altman") == shortest_path(
        expected, "Elon Musk", "Sam Altman"
    )
