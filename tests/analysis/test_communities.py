"""Louvain communities: two obvious clusters, seeds, modularity by hand."""

from __future__ import annotations

import networkx as nx
import pytest

from kg.analysis.communities import find_communities
from kg.analysis.graph import undirected

from .conftest import records_graph, relationship


@pytest.fixture
def two_triangles() -> nx.MultiDiGraph:
    """Triangles a-b-c (partners) and x-y-z (rivals), joined by one hosting tie c -> x."""
    pairs = [("org:a", "org:b"), ("org:a", "org:c"), ("org:b", "org:c")]
    rels = [relationship("PARTNERS_WITH", s, t) for s, t in pairs]
    rels += [
        relationship("RIVALS", s, t)
        for s, t in (("org:x", "org:y"), ("org:x", "org:z"), ("org:y", "org:z"))
    ]
    rels.append(relationship("HOSTS", "org:c", "org:x"))
    return records_graph(rels)


def test_two_triangles_are_two_communities(two_triangles: nx.MultiDiGraph) -> None:
    result = find_communities(two_triangles)
    assert sorted(sorted(c.members) for c in result.communities) == [
        ["org:a", "org:b", "org:c"],
        ["org:x", "org:y", "org:z"],
    ]
    # m = 7 edges; each community holds 3 of them and a degree sum of 7:
    # Q = 2 * (3/7 - (7/14)^2).
    assert result.modularity == pytest.approx(2 * (3 / 7 - 0.25))
    assert result.modularity == pytest.approx(
        nx.community.modularity(
            undirected(two_triangles),
            [set(c.members) for c in result.communities],
            weight="weight",
        )
    )


def test_a_community_says_what_ties_it(two_triangles: nx.MultiDiGraph) -> None:
    rivals = next(c for c in find_communities(two_triangles).communities if "org:x" in c.members)
    assert rivals.relation_types == {"RIVALS": 3}
    assert rivals.internal_weight == 3
    assert rivals.entity_types == {"Organization": 3}
    assert rivals.names == ["x", "y", "z"]  # equally strong inside: by name


def test_members_are_ordered_by_weighted_degree_inside() -> None:
    rels = [
        relationship("PARTNERS_WITH", "org:a", "org:hub", asserted=5),
        relationship("PARTNERS_WITH", "org:b", "org:hub", asserted=5),
        relationship("PARTNERS_WITH", "org:a", "org:b", asserted=1),
    ]
    (only,) = find_communities(records_graph(rels)).communities
    assert only.members == ["org:hub", "org:a", "org:b"]


def test_seed_fixes_the_result_and_resolution_splits_more() -> None:
    rels = [
        relationship("PARTNERS_WITH", f"org:{i}", f"org:{j}")
        for i in range(12)
        for j in range(i + 1, 12)
        if (i * 7 + j * 3) % 4 == 0
    ]
    g = records_graph(rels)
    first, again = find_communities(g, seed=4), find_communities(g, seed=4)
    assert first == again
    assert len(find_communities(g, resolution=5.0).communities) >= len(first.communities)


def test_as_dict_and_membership(two_triangles: nx.MultiDiGraph) -> None:
    result = find_communities(two_triangles)
    data = result.as_dict(top=1, members=2)
    assert data["count"] == 2 and len(data["communities"]) == 1
    assert len(data["communities"][0]["members"]) == 2
    membership = result.membership()
    assert membership["org:a"] == membership["org:b"] != membership["org:z"]


def test_empty_graph_has_no_communities() -> None:
    result = find_communities(records_graph([]))
    assert result.communities == [] and result.modularity == 0.0
