"""Who the central players are: degree, PageRank, betweenness, eigenvector, closeness.

Each measure runs on the view whose meaning fits it (see :mod:`kg.analysis.graph`):

============  ===================================  =========================================
measure       view                                 networkx equivalent
============  ===================================  =========================================
in_degree     directed, symmetric ties both ways   ``collapse(g).in_degree()`` (distinct
out_degree                                         partners, not mentions)
pagerank      directed, weighted by mentions       ``nx.pagerank(collapse(g), weight="weight")``
betweenness   undirected, hops                     ``nx.betweenness_centrality(undirected(g))``
eigenvector   undirected, weighted by mentions     ``nx.eigenvector_centrality(undirected(g),
                                                   weight="weight")``
closeness     undirected, hops                     ``nx.closeness_centrality(undirected(g))``
============  ===================================  =========================================

PageRank follows direction because it means something there: money flows to an
investee, a platform's weight to what it hosts, a founder's to a company. So it
ranks what is invested in, hosted and built (products come out high: makers point
at them); betweenness ranks the brokers between parts of the industry. Paths that
cross an investment and then a rivalry do not follow one direction, so the
shortest-path measures and the eigenvector use the undirected view.

The numbers are computed by igraph's compiled code when it is installed, by
networkx otherwise (:mod:`kg.analysis.engines`); both give the same values.

Above ``exact_max_nodes`` nodes, betweenness is estimated from ``samples`` source
nodes drawn with ``seed`` (networkx's own ``k``/``seed`` estimator), and closeness
from the hop distances to ``samples`` pivot nodes (Eppstein and Wang's estimator,
with each node's component size known exactly). By default the number of samples
follows the graph: as many as :data:`SAMPLE_BUDGET` edge visits allow, never fewer
than :data:`SAMPLES`, so mid-sized graphs get precise estimates and a million edges
still take well under a minute. Each result says how it was computed in
:attr:`MeasureInfo.method`. The eigenvector falls back to ARPACK when power
iteration does not converge, and to weighted degree if that fails too.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import networkx as nx

from kg.analysis.engines import Backend, EngineName, Views, backend, sample_sources
from kg.analysis.graph import NETWORKS, gc_paused, project
from kg.errors import ConfigError

__all__ = [
    "EXACT_MAX_NODES",
    "MEASURES",
    "SAMPLES",
    "SAMPLE_BUDGET",
    "CentralityReport",
    "Measure",
    "MeasureInfo",
    "Ranked",
    "centrality_by_network",
    "centrality_report",
    "parse_measures",
]

Measure = Literal["in_degree", "out_degree", "pagerank", "betweenness", "eigenvector", "closeness"]
MEASURES: tuple[Measure, ...] = (
    "pagerank",
    "betweenness",
    "eigenvector",
    "closeness",
    "in_degree",
    "out_degree",
)
#: Graphs with more nodes get sampled betweenness and closeness.
EXACT_MAX_NODES = 5_000
#: The fewest sources (betweenness) and pivots (closeness) sampled above the threshold.
SAMPLES = 64
#: Edge visits the default sample size is chosen for: one sample costs about one
#: breadth-first search over the undirected edges.
SAMPLE_BUDGET = 20_000_000

_VIEWS: dict[str, str] = {
    "in_degree": "directed (symmetric ties both ways), distinct partners",
    "out_degree": "directed (symmetric ties both ways), distinct partners",
    "pagerank": "directed (symmetric ties both ways), weighted by mentions",
    "betweenness": "undirected, hops",
    "eigenvector": "undirected, weighted by mentions",
    "closeness": "undirected, hops",
}


def parse_measures(names: str | Iterable[str]) -> tuple[Measure, ...]:
    """Parse measure names (a list, or one comma-separated string), keeping their order.

    Examples
    --------
    >>> parse_measures("betweenness, pagerank")
    ('betweenness', 'pagerank')
    """
    items = names.split(",") if isinstance(names, str) else list(names)
    out: list[Measure] = []
    for raw in items:
        name = raw.strip().lower().replace("-", "_")
        if not name:
            continue
        if name not in MEASURES:
            raise ConfigError(f"measure {raw!r} is not one of {', '.join(MEASURES)}")
        if name not in out:
            out.append(name)
    if not out:
        raise ConfigError(f"no measure given; choose from {', '.join(MEASURES)}")
    return tuple(out)


@dataclass(frozen=True)
class MeasureInfo:
    """How one measure was computed."""

    name: str
    view: str
    method: str
    engine: str
    approximate: bool
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        """Plain data, for JSON."""
        return {
            "view": self.view,
            "method": self.method,
            "engine": self.engine,
            "approximate": self.approximate,
            "seconds": round(self.seconds, 4),
        }


@dataclass(frozen=True)
class Ranked:
    """One entity's place in a ranking, with all its scores."""

    rank: int
    id: str
    name: str
    type: str
    scores: dict[str, float]

    def as_dict(self) -> dict[str, Any]:
        """Plain data, for JSON and CSV."""
        return {
            "rank": self.rank,
            "id": self.id,
            "name": self.name,
            "type": self.type,
            **self.scores,
        }


@dataclass(frozen=True)
class CentralityReport:
    """Scores of every entity under every measure asked for, and how they were computed."""

    scores: dict[str, dict[str, float]]  # measure -> entity id -> score
    measures: dict[str, MeasureInfo]
    names: dict[str, str]
    types: dict[str, str]
    nodes: int
    edges: int  # relationships, mirrored symmetric ones not counted twice
    relation_types: list[str] = field(default_factory=list)
    prepare_seconds: float = 0.0  # building the views and the engine's graphs

    def ranking(self, by: str | None = None, top: int | None = None) -> list[Ranked]:
        """Entities from the highest score under ``by`` (default: the first measure).

        Ties go by name, then id, so rankings are stable.

        Examples
        --------
        >>> from kg.analysis.sample import sample_graph
        >>> report = centrality_report(sample_graph(), ["in_degree"])
        >>> [(r.rank, r.name, r.scores["in_degree"]) for r in report.ranking()]
        [(1, 'OpenAI', 2.0), (2, 'xAI', 2.0), (3, 'Microsoft', 0.0)]
        """
        by = by or next(iter(self.scores), None)
        if by is None:
            return []
        if by not in self.scores:
            raise ConfigError(
                f"measure {by!r} was not computed; computed: {', '.join(self.scores)}"
            )
        values = self.scores[by]
        ordered = sorted(values, key=lambda n: (-values[n], self.names[n], n))
        if top:
            ordered = ordered[:top]
        return [
            Ranked(i, n, self.names[n], self.types[n], {m: s[n] for m, s in self.scores.items()})
            for i, n in enumerate(ordered, 1)
        ]

    def as_dict(self, by: str | None = None, top: int | None = None) -> dict[str, Any]:
        """The report as plain data: graph size, how each measure was computed, the ranking.

        Examples
        --------
        >>> from kg.analysis.sample import sample_graph
        >>> data = centrality_report(sample_graph(), ["pagerank"]).as_dict()
        >>> data["nodes"], data["measures"]["pagerank"]["approximate"], len(data["entities"])
        (3, False, 3)
        """
        return {
            "nodes": self.nodes,
            "edges": self.edges,
            "relation_types": self.relation_types,
            "measures": {m: info.as_dict() for m, info in self.measures.items()},
            "entities": [r.as_dict() for r in self.ranking(by, top)],
        }


def centrality_report(
    g: nx.MultiDiGraph,
    measures: Iterable[str] = MEASURES,
    *,
    engine: EngineName = "auto",
    exact_max_nodes: int = EXACT_MAX_NODES,
    samples: int | None = None,
    seed: int = 0,
    alpha: float = 0.85,
    max_iter: int = 1000,
    tol: float = 1e-10,
) -> CentralityReport:
    """Compute centrality measures of every entity (see the module notes for definitions).

    Parameters
    ----------
    g : networkx.MultiDiGraph
        A graph from :func:`~kg.analysis.graph.load_graph`.
    measures : iterable of str
        Any of :data:`MEASURES`; the first one ranks by default.
    engine : {"auto", "igraph", "networkx"}
        Where to compute; ``auto`` is igraph when installed. Both give the same numbers.
    exact_max_nodes : int
        Above this many nodes, betweenness and closeness are estimated.
    samples : int, optional
        Sampled sources (betweenness) and pivots (closeness) when estimating;
        by default ``SAMPLE_BUDGET // edges``, at least :data:`SAMPLES`.
    seed : int
        Seed of the sampling, so estimates repeat.
    alpha : float
        PageRank's damping factor.
    max_iter, tol : int, float
        Power iteration limits (networkx engine) for PageRank and the eigenvector.
        Tighter than networkx's defaults so that both engines agree closely.

    Returns
    -------
    CentralityReport

    Examples
    --------
    Microsoft invests in OpenAI and hosts xAI; OpenAI and xAI are rivals. The three
    form a triangle, so nobody lies between two others; Microsoft's ties point out.

    >>> from kg.analysis.sample import sample_graph
    >>> report = centrality_report(sample_graph(), ["betweenness", "closeness", "out_degree"])
    >>> report.scores["betweenness"]
    {'org:microsoft': 0.0, 'org:openai': 0.0, 'org:xai': 0.0}
    >>> report.scores["out_degree"]
    {'org:microsoft': 2.0, 'org:openai': 1.0, 'org:xai': 1.0}
    >>> report.measures["closeness"].method
    'exact'
    """
    wanted = parse_measures(measures)
    with gc_paused():  # millions of short-lived numbers on large graphs, no cycles
        return _report(g, wanted, engine, exact_max_nodes, samples, seed, alpha, max_iter, tol)


def _report(
    g: nx.MultiDiGraph,
    wanted: tuple[Measure, ...],
    engine: EngineName,
    exact_max_nodes: int,
    samples: int | None,
    seed: int,
    alpha: float,
    max_iter: int,
    tol: float,
) -> CentralityReport:
    began = time.perf_counter()
    views = Views.of(g)
    nodes = views.nodes
    names = {n: str(g.nodes[n].get("name", n)) for n in nodes}
    types = {n: str(g.nodes[n].get("type", "")) for n in nodes}
    edges, rtypes = views.relationships, list(views.relation_types)
    if not nodes:
        return CentralityReport({m: {} for m in wanted}, {}, {}, {}, 0, 0, rtypes)
    engine_ = backend(views, engine)
    prepared = time.perf_counter() - began
    if samples is None:
        samples = max(SAMPLES, SAMPLE_BUDGET // max(views.relationships, 1))
    sampled = len(nodes) > exact_max_nodes and samples < len(nodes)
    scores: dict[str, dict[str, float]] = {}
    infos: dict[str, MeasureInfo] = {}
    for measure in wanted:
        start = time.perf_counter()
        values, method, approximate = _compute(
            engine_,
            measure,
            sampled=sampled,
            samples=samples,
            seed=seed,
            alpha=alpha,
            max_iter=max_iter,
            tol=tol,
        )
        scores[measure] = dict(zip(nodes, values, strict=True))
        infos[measure] = MeasureInfo(
            measure,
            _VIEWS[measure],
            method,
            engine_.name,
            approximate,
            time.perf_counter() - start,
        )
    return CentralityReport(
        scores, infos, names, types, len(nodes), edges, rtypes, prepare_seconds=prepared
    )


def _compute(
    engine: Backend,
    measure: str,
    *,
    sampled: bool,
    samples: int,
    seed: int,
    alpha: float,
    max_iter: int,
    tol: float,
) -> tuple[list[float], str, bool]:
    if measure == "in_degree":
        return engine.in_degree(), "exact", False
    if measure == "out_degree":
        return engine.out_degree(), "exact", False
    if measure == "pagerank":
        return engine.pagerank(alpha, max_iter, tol), f"damping {alpha}", False
    if measure == "eigenvector":
        values, method = engine.eigenvector(max_iter, tol)
        return values, method, False
    if measure == "betweenness":
        if sampled:
            return (
                engine.betweenness(samples, seed),
                f"estimated from {samples} sampled sources (seed {seed})",
                True,
            )
        return engine.betweenness(None, seed), "exact", False
    if measure == "closeness":
        if sampled:
            return (
                _sampled_closeness(engine, samples, seed),
                f"estimated from {samples} sampled pivots (seed {seed})",
                True,
            )
        return engine.closeness(), "exact", False
    raise ConfigError(f"measure {measure!r} is not one of {', '.join(MEASURES)}")


def _sampled_closeness(engine: Backend, k: int, seed: int) -> list[float]:
    """Closeness from hop distances to ``k`` pivots (Eppstein-Wang), networkx-scaled.

    A node's mean distance to the pivots in its component estimates its mean
    distance to the whole component; its component size is known exactly. Nodes in
    components no pivot fell in (small ones, almost surely) are computed exactly.
    """
    membership = engine.components()
    n = len(membership)
    sizes: dict[int, int] = {}
    for c in membership:
        sizes[c] = sizes.get(c, 0) + 1
    # Undirected: a pivot reaches a node iff they share a component, at the same distance
    # either way, so the pivots' distances are the node's distances to the pivots.
    totals, counts = engine.distance_sums(sample_sources(n, k, seed))
    out = [0.0] * n
    missing: list[int] = []
    for i in range(n):
        r = sizes[membership[i]]
        if r < 2:
            continue
        if counts[i]:
            out[i] = (r - 1) / (n - 1) / (totals[i] / counts[i])
        else:
            missing.append(i)
    _exact_closeness_for(engine, missing, membership, sizes, n, out)
    return out


def _exact_closeness_for(
    engine: Backend,
    nodes: Sequence[int],
    membership: Sequence[int],
    sizes: dict[int, int],
    n: int,
    out: list[float],
) -> None:
    for i, row in zip(nodes, engine.hop_distances(nodes), strict=True):
        total = sum(d for d in row if d != math.inf)
        r = sizes[membership[i]]
        out[i] = (r - 1) / (n - 1) * (r - 1) / total if total else 0.0


def centrality_by_network(
    g: nx.MultiDiGraph,
    networks: Iterable[str] = ("investment", "hosting", "rivalry", "partnership"),
    measures: Iterable[str] = ("pagerank", "in_degree", "out_degree"),
    **options: Any,
) -> dict[str, CentralityReport]:
    """Centrality within each relation-type network: through what kind of tie players matter.

    Parameters
    ----------
    g : networkx.MultiDiGraph
    networks : iterable of str
        Names from :data:`~kg.analysis.graph.NETWORKS` (or relation types).
    measures : iterable of str
    **options
        Passed to :func:`centrality_report`.

    Returns
    -------
    dict of str to CentralityReport
        One report per network, empty networks included (with no entities).

    Examples
    --------
    >>> from kg.analysis.sample import sample_graph
    >>> reports = centrality_by_network(sample_graph(), ["investment", "rivalry"])
    >>> [r.name for r in reports["investment"].ranking()]
    ['OpenAI', 'Microsoft']
    >>> reports["rivalry"].scores["in_degree"]
    {'org:openai': 1.0, 'org:xai': 1.0}
    """
    out: dict[str, CentralityReport] = {}
    for network in networks:
        if network not in NETWORKS and network.upper() not in {
            t for ts in NETWORKS.values() for t in ts
        }:
            raise ConfigError(f"network {network!r} is not one of {', '.join(NETWORKS)}")
        out[network] = centrality_report(project(g, network), measures, **options)
    return out
