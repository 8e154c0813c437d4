"""Where the measures run: networkx itself, or igraph's compiled code.

Both engines compute the same numbers, the ones networkx's functions give, from
the same input: :class:`Views`, the weighted directed and undirected views of a
graph over one fixed node order. igraph is the default because shortest-path
measures in pure Python cannot keep up with large graphs (``benchmarks/centrality.py``
measures both); networkx stays available as the reference and for checking.

igraph's raw results are rescaled to networkx's definitions:

* betweenness: igraph counts each unordered pair once on undirected graphs;
  networkx's normalisation (and, with sampled sources, its per-node rescaling)
  is applied, and sources are drawn exactly as networkx draws them;
* closeness: igraph averages over the nodes a node reaches; the Wasserman-Faust
  factor ``(r - 1) / (n - 1)``, networkx's default, is applied with ``r`` the size
  of the node's component;
* eigenvector: scaled to unit Euclidean length, as networkx does.
"""

from __future__ import annotations

import math
import random
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

import networkx as nx

from kg.analysis.graph import gc_paused

__all__ = [
    "ENGINES",
    "Backend",
    "EngineName",
    "IgraphBackend",
    "NetworkxBackend",
    "Views",
    "backend",
    "default_engine",
    "sample_sources",
]

EngineName = Literal["auto", "igraph", "networkx"]
ENGINES: tuple[str, ...] = ("auto", "igraph", "networkx")


@dataclass(frozen=True)
class Views:
    """Every edge of a graph as parallel lists over one node order, for the engines.

    Edge ``e`` runs from ``nodes[sources[e]]`` to ``nodes[targets[e]]`` with weight
    ``weights[e]``; ``mirrored[e]`` marks the reverse copies of symmetric
    relationships. The directed view sums the weights of all edges ``i -> j``; the
    undirected one sums the unmirrored edges between ``i`` and ``j`` either way.
    Engines do the summing: igraph in compiled code.
    """

    nodes: list[str]
    sources: list[int]
    targets: list[int]
    weights: list[float]
    mirrored: list[bool]
    relation_types: tuple[str, ...] = ()

    @classmethod
    def of(cls, g: nx.MultiDiGraph) -> Views:
        """Build the views of an analysis multigraph (see :mod:`kg.analysis.graph`).

        Examples
        --------
        >>> from kg.analysis.sample import sample_graph
        >>> v = Views.of(sample_graph())
        >>> v.nodes, v.relationships, v.relation_types
        (['org:microsoft', 'org:openai', 'org:xai'], 3, ('HOSTS', 'INVESTS_IN', 'RIVALS'))
        """
        with gc_paused():
            nodes = list(g.nodes())
            index = {n: i for i, n in enumerate(nodes)}
            sources: list[int] = []
            targets: list[int] = []
            weights: list[float] = []
            mirrored: list[bool] = []
            types: set[str] = set()
            for u, v, key, d in g.edges(keys=True, data=True):
                sources.append(index[u])
                targets.append(index[v])
                weights.append(d["weight"])
                mirrored.append(bool(d.get("mirror")))
                types.add(key)
            return cls(nodes, sources, targets, weights, mirrored, tuple(sorted(types)))

    @property
    def relationships(self) -> int:
        """Edges that are not mirrored copies: stored relationships."""
        return len(self.mirrored) - sum(self.mirrored)

    def directed(self) -> dict[tuple[int, int], float]:
        """``(i, j)`` -> summed weight of the edges ``i -> j``.

        Examples
        --------
        >>> from kg.analysis.sample import sample_graph
        >>> Views.of(sample_graph()).directed()
        {(0, 1): 3, (0, 2): 1, (1, 2): 1, (2, 1): 1}
        """
        out: dict[tuple[int, int], float] = {}
        for i, j, w in zip(self.sources, self.targets, self.weights, strict=True):
            out[i, j] = out.get((i, j), 0) + w
        return out

    def undirected(self) -> dict[tuple[int, int], float]:
        """``(i, j)``, ``i <= j`` -> summed weight of the relationships between them.

        Examples
        --------
        >>> from kg.analysis.sample import sample_graph
        >>> Views.of(sample_graph()).undirected()
        {(0, 1): 3, (0, 2): 1, (1, 2): 1}
        """
        out: dict[tuple[int, int], float] = {}
        edges = zip(self.sources, self.targets, self.weights, self.mirrored, strict=True)
        for i, j, w, mirror in edges:
            if not mirror:
                pair = (i, j) if i <= j else (j, i)
                out[pair] = out.get(pair, 0) + w
        return out


class Backend(Protocol):
    """One engine's implementation of the measures, all indexed like ``Views.nodes``."""

    name: str

    def in_degree(self) -> list[float]: ...

    def out_degree(self) -> list[float]: ...

    def pagerank(self, alpha: float, max_iter: int, tol: float) -> list[float]: ...

    def betweenness(self, k: int | None, seed: int) -> list[float]: ...

    def eigenvector(self, max_iter: int, tol: float) -> tuple[list[float], str]: ...

    def closeness(self) -> list[float]: ...

    def components(self) -> list[int]: ...

    def hop_distances(self, sources: Sequence[int]) -> list[list[float]]: ...

    def distance_sums(self, sources: Sequence[int]) -> tuple[list[float], list[int]]:
        """Per node: the sum of its hop distances to the ``sources`` it reaches, and how many."""
        ...


def default_engine() -> str:
    """``igraph`` when it can be imported, else ``networkx``.

    Examples
    --------
    >>> default_engine() in ("igraph", "networkx")
    True
    """
    try:
        import igraph  # type: ignore[import-untyped]  # noqa: F401
    except ImportError:
        return "networkx"
    return "igraph"


def backend(views: Views, engine: EngineName = "auto") -> Backend:
    """The backend of ``engine`` (``auto``: :func:`default_engine`) over ``views``.

    Examples
    --------
    >>> from kg.analysis.sample import sample_graph
    >>> b = backend(Views.of(sample_graph()), "networkx")
    >>> b.name, b.out_degree()
    ('networkx', [2.0, 1.0, 1.0])
    """
    name = default_engine() if engine == "auto" else engine
    if name == "igraph":
        return IgraphBackend(views)
    if name == "networkx":
        return NetworkxBackend(views)
    raise ValueError(f"engine {engine!r} is not one of {', '.join(ENGINES)}")


def sample_sources(n: int, k: int, seed: int) -> list[int]:
    """The ``k`` source indices networkx's betweenness draws with ``seed`` from ``n`` nodes.

    Examples
    --------
    >>> sample_sources(3, 2, 0)
    [1, 2]
    """
    return random.Random(seed).sample(range(n), k)


def _unit(values: Sequence[float]) -> list[float]:
    norm = math.sqrt(sum(x * x for x in values))
    return [abs(x) / norm for x in values] if norm else [0.0] * len(values)


class NetworkxBackend:
    """The measures as networkx computes them: the reference."""

    name = "networkx"

    def __init__(self, views: Views) -> None:
        self.n = len(views.nodes)
        self.directed = nx.DiGraph()
        self.directed.add_nodes_from(range(self.n))
        self.directed.add_weighted_edges_from((i, j, w) for (i, j), w in views.directed().items())
        self.undirected = nx.Graph()
        self.undirected.add_nodes_from(range(self.n))
        self.undirected.add_weighted_edges_from(
            (i, j, w) for (i, j), w in views.undirected().items()
        )

    def _listed(self, values: dict[int, float]) -> list[float]:
        return [float(values[i]) for i in range(self.n)]

    def in_degree(self) -> list[float]:
        return self._listed(dict(self.directed.in_degree()))

    def out_degree(self) -> list[float]:
        return self._listed(dict(self.directed.out_degree()))

    def pagerank(self, alpha: float, max_iter: int, tol: float) -> list[float]:
        values = nx.pagerank(
            self.directed, alpha=alpha, weight="weight", max_iter=max_iter, tol=tol
        )
        return self._listed(values)

    def betweenness(self, k: int | None, seed: int) -> list[float]:
        return self._listed(nx.betweenness_centrality(self.undirected, k=k, seed=seed))

    def eigenvector(self, max_iter: int, tol: float) -> tuple[list[float], str]:
        try:
            values = nx.eigenvector_centrality(
                self.undirected, max_iter=max_iter, tol=tol, weight="weight"
            )
            return self._listed(values), "power iteration"
        except nx.PowerIterationFailedConvergence:
            pass
        # networkx's own ARPACK variant refuses disconnected graphs; the principal
        # eigenvector of the whole graph is what power iteration would have reached.
        import scipy.sparse.linalg  # type: ignore[import-untyped]

        matrix = nx.to_scipy_sparse_array(
            self.undirected, nodelist=range(self.n), weight="weight", dtype=float
        )
        try:
            _, vectors = scipy.sparse.linalg.eigsh(matrix, k=1, which="LA")
        except scipy.sparse.linalg.ArpackError:
            return _weighted_degree_fallback(self.n, self.undirected.degree(weight="weight"))
        return _unit(vectors[:, 0].tolist()), (
            f"ARPACK (power iteration did not converge in {max_iter} iterations)"
        )

    def closeness(self) -> list[float]:
        return self._listed(nx.closeness_centrality(self.undirected))

    def components(self) -> list[int]:
        membership = [0] * self.n
        for c, nodes in enumerate(nx.connected_components(self.undirected)):
            for i in nodes:
                membership[i] = c
        return membership

    def hop_distances(self, sources: Sequence[int]) -> list[list[float]]:
        rows = []
        for s in sources:
            row = [math.inf] * self.n
            for t, d in nx.single_source_shortest_path_length(self.undirected, s).items():
                row[t] = d
            rows.append(row)
        return rows

    def distance_sums(self, sources: Sequence[int]) -> tuple[list[float], list[int]]:
        totals, counts = [0.0] * self.n, [0] * self.n
        for s in sources:
            for t, d in nx.single_source_shortest_path_length(self.undirected, s).items():
                if d:
                    totals[t] += d
                    counts[t] += 1
        return totals, counts


def _weighted_degree_fallback(n: int, degrees: Any) -> tuple[list[float], str]:
    values = [0.0] * n
    for i, d in degrees:
        values[i] = float(d)
    return _unit(values), "weighted degree (no eigenvector method converged)"


class IgraphBackend:
    """The measures in igraph's compiled code, rescaled to networkx's definitions."""

    name = "igraph"

    def __init__(self, views: Views) -> None:
        import igraph as ig

        self._ig = ig
        self.n = len(views.nodes)
        # Parallel edges (several relation types, both directions) merge in igraph,
        # weights summed; self-loops stay, as networkx keeps them.
        merge = {"multiple": True, "loops": False, "combine_edges": {"weight": "sum"}}
        self.directed = ig.Graph(
            n=self.n,
            edges=list(zip(views.sources, views.targets, strict=True)),
            directed=True,
            edge_attrs={"weight": views.weights},
        )
        self.directed.simplify(**merge)
        kept = [e for e, mirror in enumerate(views.mirrored) if not mirror]
        self.undirected = ig.Graph(
            n=self.n,
            edges=[(views.sources[e], views.targets[e]) for e in kept],
            directed=False,
            edge_attrs={"weight": [views.weights[e] for e in kept]},
        )
        self.undirected.simplify(**merge)
        self._membership: list[int] | None = None

    def in_degree(self) -> list[float]:
        return [float(d) for d in self.directed.indegree()]

    def out_degree(self) -> list[float]:
        return [float(d) for d in self.directed.outdegree()]

    def pagerank(self, alpha: float, max_iter: int, tol: float) -> list[float]:
        # PRPACK solves exactly: the iteration limits only bind networkx.
        if self.directed.ecount() == 0:
            return [1.0 / self.n] * self.n
        return list(self.directed.pagerank(directed=True, damping=alpha, weights="weight"))

    def betweenness(self, k: int | None, seed: int) -> list[float]:
        n = self.n
        if n < 3:
            return [0.0] * n
        if k is None or k >= n:
            raw = self.undirected.betweenness(directed=False)
            scale = 2.0 / ((n - 1) * (n - 2))  # unordered pairs, as networkx normalises
            return [b * scale for b in raw]
        # networkx sums over ordered (source, target) pairs from k sampled sources, then
        # rescales sources (which cannot lie between themselves) and the others apart.
        sources = sample_sources(n, k, seed)
        raw = self.undirected.betweenness(directed=False, sources=sources)
        chosen = set(sources)
        scale_source = 2.0 / ((k - 1) * (n - 2)) if k > 1 else math.nan
        scale_other = 2.0 / (k * (n - 2))
        return [b * (scale_source if i in chosen else scale_other) for i, b in enumerate(raw)]

    def eigenvector(self, max_iter: int, tol: float) -> tuple[list[float], str]:
        if self.undirected.ecount() == 0:  # networkx's power iteration stops at once
            return [1.0 / math.sqrt(self.n)] * self.n, "power iteration"
        try:
            with warnings.catch_warnings():
                # igraph warns on disconnected graphs, which ours usually are: nodes
                # outside the leading component get (near) zero, as in networkx.
                warnings.filterwarnings("ignore", "Some eigenvector", RuntimeWarning)
                values = self.undirected.eigenvector_centrality(weights="weight")
        except self._ig.InternalError:
            return _weighted_degree_fallback(
                self.n, enumerate(self.undirected.strength(weights="weight"))
            )
        return _unit(values), "ARPACK"

    def components(self) -> list[int]:
        if self._membership is None:
            self._membership = list(self.undirected.connected_components().membership)
        return self._membership

    def closeness(self) -> list[float]:
        n = self.n
        if n < 2:
            return [0.0] * n
        membership = self.components()
        sizes: dict[int, int] = {}
        for c in membership:
            sizes[c] = sizes.get(c, 0) + 1
        raw = self.undirected.closeness(normalized=True)  # over reachable nodes only
        out = []
        for i, value in enumerate(raw):
            r = sizes[membership[i]]
            out.append(
                0.0 if r < 2 or value is None or math.isnan(value) else value * (r - 1) / (n - 1)
            )
        return out

    def hop_distances(self, sources: Sequence[int]) -> list[list[float]]:
        return [list(map(float, row)) for row in self.undirected.distances(source=list(sources))]

    def distance_sums(self, sources: Sequence[int]) -> tuple[list[float], list[int]]:
        import numpy as np

        totals = np.zeros(self.n)
        counts = np.zeros(self.n, dtype=np.int64)
        for start in range(0, len(sources), 16):  # bounded memory: 16 rows at a time
            rows = np.array(self.undirected.distances(source=list(sources[start : start + 16])))
            reached = np.isfinite(rows) & (rows > 0)
            totals += np.where(reached, rows, 0.0).sum(axis=0)
            counts += reached.sum(axis=0)
        return totals.tolist(), counts.tolist()
