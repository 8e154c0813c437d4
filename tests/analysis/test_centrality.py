"""Centrality: answers worked out by hand, networkx as the reference, both engines agree."""

from __future__ import annotations

import math
import random

import networkx as nx
import pytest

from kg.analysis.centrality import (
    MEASURES,
    centrality_by_network,
    centrality_report,
    parse_measures,
)
from kg.analysis.engines import Views, backend
from kg.analysis.graph import collapse, undirected
from kg.analysis.sample import sample_graph
from kg.errors import ConfigError
from kg.ontology import RELATION_TYPES, RELATIONS
from kg.store.base import StoredRelationship

from .conftest import records_graph, relationship

ENGINES = ["networkx", "igraph"]


def scores(g: nx.MultiDiGraph, measure: str, **options: object) -> dict[str, float]:
    return centrality_report(g, [measure], **options).scores[measure]  # type: ignore[arg-type]


@pytest.fixture
def path_abc() -> nx.MultiDiGraph:
    """A - B - C as partnerships (symmetric)."""
    return records_graph(
        [
            relationship("PARTNERS_WITH", "org:a", "org:b"),
            relationship("PARTNERS_WITH", "org:b", "org:c"),
        ]
    )


@pytest.fixture
def star() -> nx.MultiDiGraph:
    """H invests in L1, L2 and L3."""
    return records_graph([relationship("INVESTS_IN", "org:h", f"org:l{i}") for i in (1, 2, 3)])


@pytest.mark.parametrize("engine", ENGINES)
def test_degrees_count_symmetric_ties_both_ways(path_abc: nx.MultiDiGraph, engine: str) -> None:
    report = centrality_report(path_abc, ["in_degree", "out_degree"], engine=engine)  # type: ignore[arg-type]
    assert report.scores["in_degree"] == {"org:a": 1, "org:b": 2, "org:c": 1}
    assert report.scores["out_degree"] == {"org:a": 1, "org:b": 2, "org:c": 1}


@pytest.mark.parametrize("engine", ENGINES)
def test_degrees_follow_direction(star: nx.MultiDiGraph, engine: str) -> None:
    assert scores(star, "out_degree", engine=engine) == {
        "org:h": 3,
        "org:l1": 0,
        "org:l2": 0,
        "org:l3": 0,
    }
    assert scores(star, "in_degree", engine=engine)["org:l2"] == 1


@pytest.mark.parametrize("engine", ENGINES)
def test_pagerank_of_a_symmetric_path(path_abc: nx.MultiDiGraph, engine: str) -> None:
    # a = 0.15/3 + 0.85 * b/2 and b = 0.15/3 + 0.85 * 2a (each end links only to B)
    # give b = 0.135 / 0.2775 and a = 0.05 + 0.425 b.
    b = 0.135 / 0.2775
    a = 0.05 + 0.425 * b
    assert scores(path_abc, "pagerank", engine=engine) == pytest.approx(
        {"org:a": a, "org:b": b, "org:c": a}, abs=1e-9
    )


@pytest.mark.parametrize("engine", ENGINES)
def test_pagerank_of_a_directed_star_spreads_dangling_rank(
    star: nx.MultiDiGraph, engine: str
) -> None:
    # Leaves have no out-links: their rank jumps uniformly. With H + 3L = 1 and
    # H = 0.15/4 + 0.85 * 3L/4, L = 0.9625 / 3.6375.
    leaf = 0.9625 / 3.6375
    hub = 1 - 3 * leaf
    assert scores(star, "pagerank", engine=engine) == pytest.approx(
        {"org:h": hub, "org:l1": leaf, "org:l2": leaf, "org:l3": leaf}, abs=1e-9
    )


@pytest.mark.parametrize("engine", ENGINES)
def test_pagerank_is_weighted_by_mentions(engine: str) -> None:
    # A -> B (3 mentions), A -> C (1): B gets three times C's share of A's rank.
    g = records_graph(
        [
            relationship("INVESTS_IN", "org:a", "org:b", asserted=3),
            relationship("INVESTS_IN", "org:a", "org:c", asserted=1),
        ]
    )
    pr = scores(g, "pagerank", engine=engine)
    jump = (0.15 + 0.85 * (pr["org:b"] + pr["org:c"])) / 3  # teleport and dangling share
    assert pr["org:a"] == pytest.approx(jump)
    assert pr["org:b"] - jump == pytest.approx(3 * (pr["org:c"] - jump))
    assert sum(pr.values()) == pytest.approx(1.0)


@pytest.mark.parametrize("engine", ENGINES)
def test_pagerank_of_the_sample_triangle(engine: str) -> None:
    # Microsoft has no in-links: M = 0.05. Its 4 mentions split 3:1 between OpenAI
    # and xAI, which link to each other: O = 0.05 + 0.85 (3M/4 + X) and
    # X = 0.05 + 0.85 (M/4 + O), so 0.2775 O = 0.13340625.
    m = 0.05
    o = 0.13340625 / 0.2775
    x = 0.05 + 0.85 * (m / 4 + o)
    assert scores(sample_graph(), "pagerank", engine=engine) == pytest.approx(
        {"org:microsoft": m, "org:openai": o, "org:xai": x}, abs=1e-9
    )


@pytest.mark.parametrize("engine", ENGINES)
def test_betweenness_of_a_path_and_a_star(
    path_abc: nx.MultiDiGraph, star: nx.MultiDiGraph, engine: str
) -> None:
    # B lies on the one path between A and C: 1 of 1 pair. The hub lies on all three
    # leaf-to-leaf paths, whatever their direction (betweenness is undirected).
    assert scores(path_abc, "betweenness", engine=engine) == {"org:a": 0, "org:b": 1, "org:c": 0}
    assert scores(star, "betweenness", engine=engine)["org:h"] == pytest.approx(1.0)


@pytest.mark.parametrize("engine", ENGINES)
def test_betweenness_splits_over_equal_paths(engine: str) -> None:
    # A square a-b-c-d-a: a and c are linked through b or d, so b gets half a pair
    # (of 3 pairs among the others).
    rels = [
        relationship("PARTNERS_WITH", s, t)
        for s, t in (("org:a", "org:b"), ("org:b", "org:c"), ("org:c", "org:d"), ("org:a", "org:d"))
    ]
    assert scores(records_graph(rels), "betweenness", engine=engine) == pytest.approx(
        dict.fromkeys(["org:a", "org:b", "org:c", "org:d"], 0.5 / 3)
    )


@pytest.mark.parametrize("engine", ENGINES)
def test_closeness_of_a_path_and_of_two_components(engine: str, path_abc: nx.MultiDiGraph) -> None:
    assert scores(path_abc, "closeness", engine=engine) == pytest.approx(
        {"org:a": 2 / 3, "org:b": 1.0, "org:c": 2 / 3}
    )
    # Add a separate pair D - E: five nodes, and each node reaches only its own
    # component, scaled by (r - 1) / (n - 1) (Wasserman and Faust, networkx's default).
    g = records_graph(
        [
            relationship("PARTNERS_WITH", "org:a", "org:b"),
            relationship("PARTNERS_WITH", "org:b", "org:c"),
            relationship("HOSTS", "org:d", "org:e"),
        ]
    )
    assert scores(g, "closeness", engine=engine) == pytest.approx(
        {
            "org:a": (2 / 4) * (2 / 3),
            "org:b": (2 / 4) * 1.0,
            "org:c": (2 / 4) * (2 / 3),
            "org:d": (1 / 4) * 1.0,
            "org:e": (1 / 4) * 1.0,
        }
    )


@pytest.mark.parametrize("engine", ENGINES)
def test_eigenvector_of_a_path(path_abc: nx.MultiDiGraph, engine: str) -> None:
    # The adjacency matrix of a 3-path has leading eigenvalue sqrt(2) and eigenvector
    # (1, sqrt(2), 1), of length 2.
    assert scores(path_abc, "eigenvector", engine=engine) == pytest.approx(
        {"org:a": 0.5, "org:b": math.sqrt(2) / 2, "org:c": 0.5}, abs=1e-8
    )


@pytest.mark.parametrize("engine", ENGINES)
def test_eigenvector_is_weighted(engine: str) -> None:
    # A - B weighs 3, B - C weighs 1: the matrix [[0,3,0],[3,0,1],[0,1,0]] has eigenvalue
    # sqrt(10) and eigenvector (3, sqrt(10), 1), of length sqrt(20).
    g = records_graph(
        [
            relationship("PARTNERS_WITH", "org:a", "org:b", asserted=3),
            relationship("PARTNERS_WITH", "org:b", "org:c", asserted=1),
        ]
    )
    norm = math.sqrt(20)
    assert scores(g, "eigenvector", engine=engine) == pytest.approx(
        {"org:a": 3 / norm, "org:b": math.sqrt(10) / norm, "org:c": 1 / norm}, abs=1e-8
    )


def test_eigenvector_falls_back_to_arpack_and_says_so(path_abc: nx.MultiDiGraph) -> None:
    report = centrality_report(path_abc, ["eigenvector"], engine="networkx", max_iter=1)
    assert report.measures["eigenvector"].method.startswith("ARPACK (power iteration did not")
    assert report.scores["eigenvector"]["org:b"] == pytest.approx(math.sqrt(2) / 2)


def random_graph(seed: int, nodes: int = 40, edges: int = 90) -> nx.MultiDiGraph:
    """A random typed graph with symmetric and directed ties, a few components."""
    rng = random.Random(seed)
    ids = [f"org:n{i}" for i in range(nodes)]
    seen: set[tuple[str, str, str]] = set()
    rels: list[StoredRelationship] = []
    while len(rels) < edges:
        rtype = rng.choice(RELATION_TYPES)
        a, b = rng.sample(ids[: nodes - 4], 2)  # the last four: two separate pairs
        if RELATIONS[rtype].symmetric and b < a:
            a, b = b, a
        if (rtype, a, b) not in seen:
            seen.add((rtype, a, b))
            rels.append(relationship(rtype, a, b, asserted=rng.randint(1, 4)))
    rels += [
        relationship("HOSTS", ids[-4], ids[-3]),
        relationship("RIVALS", ids[-2], ids[-1]),
    ]
    return records_graph(rels)


@pytest.mark.parametrize("seed", range(5))
def test_measures_equal_networkx_on_the_views(seed: int) -> None:
    g = random_graph(seed)
    report = centrality_report(g, MEASURES, engine="igraph")
    d, u = collapse(g), undirected(g)
    reference = {
        "in_degree": dict(d.in_degree()),
        "out_degree": dict(d.out_degree()),
        "pagerank": nx.pagerank(d, weight="weight", tol=1e-12, max_iter=1000),
        "betweenness": nx.betweenness_centrality(u),
        "eigenvector": nx.eigenvector_centrality(u, weight="weight", tol=1e-12, max_iter=5000),
        "closeness": nx.closeness_centrality(u),
    }
    for measure, expected in reference.items():
        assert report.scores[measure] == pytest.approx(expected, abs=1e-7), measure


@pytest.mark.parametrize("seed", range(5))
def test_both_engines_give_the_same_numbers(seed: int) -> None:
    g = random_graph(seed)
    for options in ({}, {"exact_max_nodes": 10, "samples": 12, "seed": seed}):
        a = centrality_report(g, engine="igraph", **options)  # type: ignore[arg-type]
        b = centrality_report(g, engine="networkx", **options)  # type: ignore[arg-type]
        for measure in MEASURES:
            assert a.scores[measure] == pytest.approx(b.scores[measure], abs=1e-7), measure
            assert a.measures[measure].method == b.measures[measure].method or (
                measure == "eigenvector"
            )


def test_sampled_betweenness_is_networkx_k_estimator() -> None:
    g = random_graph(7)
    report = centrality_report(g, ["betweenness"], exact_max_nodes=10, samples=15, seed=3)
    assert report.scores["betweenness"] == pytest.approx(
        nx.betweenness_centrality(undirected(g), k=15, seed=3), abs=1e-12
    )
    info = report.measures["betweenness"]
    assert info.approximate
    assert info.method == "estimated from 15 sampled sources (seed 3)"


def test_sampled_closeness_is_close_and_exact_for_pivotless_components() -> None:
    g = random_graph(11, nodes=120, edges=400)
    exact = scores(g, "closeness")
    report = centrality_report(g, ["closeness"], exact_max_nodes=10, samples=60, seed=1)
    estimate = report.scores["closeness"]
    assert report.measures["closeness"].approximate
    big = [n for n in exact if n not in ("org:n116", "org:n117", "org:n118", "org:n119")]
    errors = sorted(abs(estimate[n] - exact[n]) / exact[n] for n in big)
    assert errors[len(errors) // 2] < 0.05  # median relative error
    for n in ("org:n116", "org:n117", "org:n118", "org:n119"):  # the separate pairs
        assert estimate[n] == pytest.approx(exact[n])


def test_small_graphs_are_exact_and_large_ones_say_they_are_estimated() -> None:
    g = random_graph(1)
    exact = centrality_report(g)
    assert not any(i.approximate for i in exact.measures.values())
    sampled = centrality_report(g, exact_max_nodes=20, samples=10)
    assert {m for m, i in sampled.measures.items() if i.approximate} == {
        "betweenness",
        "closeness",
    }


def test_sampling_repeats_with_its_seed() -> None:
    g = random_graph(2)
    runs = [
        centrality_report(g, ["betweenness"], exact_max_nodes=10, samples=8, seed=s).scores
        for s in (5, 5, 6)
    ]
    assert runs[0] == runs[1] != runs[2]


def test_ranking_is_by_the_first_measure_with_ties_by_name() -> None:
    report = centrality_report(sample_graph(), ["in_degree", "pagerank"])
    assert [r.name for r in report.ranking()] == ["OpenAI", "xAI", "Microsoft"]
    assert [r.name for r in report.ranking("pagerank", top=1)] == ["OpenAI"]
    with pytest.raises(ConfigError, match="'closeness' was not computed"):
        report.ranking("closeness")


def test_report_as_dict_states_how_each_measure_was_computed() -> None:
    data = centrality_report(sample_graph()).as_dict(top=2)
    assert data["nodes"] == 3 and data["edges"] == 3
    assert set(data["measures"]) == set(MEASURES)
    assert data["measures"]["betweenness"]["method"] == "exact"
    assert [e["name"] for e in data["entities"]] == ["OpenAI", "xAI"]


def test_empty_graph() -> None:
    report = centrality_report(records_graph([]))
    assert report.nodes == 0 and report.ranking() == []


def test_by_network() -> None:
    reports = centrality_by_network(sample_graph(), ["investment", "hosting", "supply"])
    assert [r.name for r in reports["hosting"].ranking("in_degree")] == ["xAI", "Microsoft"]
    assert reports["supply"].nodes == 0
    with pytest.raises(ConfigError, match="network 'money' is not one of"):
        centrality_by_network(sample_graph(), ["money"])


def test_parse_measures() -> None:
    assert parse_measures(["closeness", "in-degree", "closeness"]) == ("closeness", "in_degree")
    with pytest.raises(ConfigError, match="'katz' is not one of pagerank"):
        parse_measures("katz")


def test_views_sum_parallel_weights() -> None:
    views = Views.of(sample_graph())
    assert views.directed() == {(0, 1): 3, (0, 2): 1, (1, 2): 1, (2, 1): 1}
    assert views.undirected() == {(0, 1): 3, (0, 2): 1, (1, 2): 1}
    assert backend(views, "networkx").in_degree() == [0.0, 2.0, 2.0]


def test_default_sample_size_follows_the_graph(monkeypatch: pytest.MonkeyPatch) -> None:
    g = random_graph(11, nodes=120, edges=400)
    pairs = Views.of(g).relationships
    # A budget of 100 visits per pair: 100 samples, fewer than the 120 nodes.
    monkeypatch.setattr("kg.analysis.centrality.SAMPLE_BUDGET", 100 * pairs)
    report = centrality_report(g, ["betweenness"], exact_max_nodes=10)
    assert report.measures["betweenness"].method == "estimated from 100 sampled sources (seed 0)"
    # A small budget still samples the minimum; a large one is exact (all nodes).
    monkeypatch.setattr("kg.analysis.centrality.SAMPLE_BUDGET", 1)
    assert (
        "from 64 sampled"
        in centrality_report(g, ["betweenness"], exact_max_nodes=10).measures["betweenness"].method
    )
    monkeypatch.setattr("kg.analysis.centrality.SAMPLE_BUDGET", 10**9)
    assert (
        centrality_report(g, ["betweenness"], exact_max_nodes=10).measures["betweenness"].method
        == "exact"
    )
