"""How one player is connected to another: shortest paths and ego networks, with evidence.

Paths ignore direction (a founder and a CEO are connected through their company
even though both relationships point at it) and count hops. Among the shortest
paths, the one whose ties have the most mentions wins. Each hop lists every
relationship between its two ends, as stored (with its real direction), and the
evidence sentence of the firmest mention stored.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import networkx as nx

from kg.analysis.errors import NoPathError
from kg.analysis.graph import find_entity, project, undirected
from kg.ontology import RELATIONS, Modality

__all__ = [
    "EgoNetwork",
    "GraphPath",
    "Hop",
    "Neighbour",
    "Tie",
    "ego_network",
    "shortest_path",
    "ties_between",
]


@dataclass(frozen=True)
class Tie:
    """One stored relationship, with the evidence sentence chosen to show it."""

    type: str
    source: str
    target: str
    weight: int
    support: int
    modality: str
    first_seen: dt.date | None
    last_seen: dt.date | None
    sentence: str | None
    doc_id: str | None
    sentence_modality: str | None

    def as_dict(self) -> dict[str, Any]:
        """Plain data, for JSON."""
        return {
            "type": self.type,
            "source": self.source,
            "target": self.target,
            "weight": self.weight,
            "support": self.support,
            "modality": self.modality,
            "first_seen": self.first_seen.isoformat() if self.first_seen else None,
            "last_seen": self.last_seen.isoformat() if self.last_seen else None,
            "evidence": {
                "sentence": self.sentence,
                "doc_id": self.doc_id,
                "modality": self.sentence_modality,
            },
        }


@dataclass(frozen=True)
class Hop:
    """One step of a path: two entities and every relationship between them."""

    source: str
    source_name: str
    target: str
    target_name: str
    ties: list[Tie]  # strongest first

    @property
    def sentence(self) -> str | None:
        """The evidence sentence of the strongest tie."""
        return self.ties[0].sentence if self.ties else None

    def as_dict(self) -> dict[str, Any]:
        """Plain data, for JSON."""
        return {
            "source": {"id": self.source, "name": self.source_name},
            "target": {"id": self.target, "name": self.target_name},
            "ties": [t.as_dict() for t in self.ties],
        }


@dataclass(frozen=True)
class GraphPath:
    """A shortest chain of relationships from one entity to another."""

    source: str
    target: str
    hops: list[Hop]

    def __len__(self) -> int:
        return len(self.hops)

    def as_dict(self) -> dict[str, Any]:
        """Plain data, for JSON."""
        return {
            "source": self.source,
            "target": self.target,
            "length": len(self.hops),
            "hops": [h.as_dict() for h in self.hops],
        }

    def describe(self) -> str:
        """The path as text: one line per hop, then its evidence.

        Examples
        --------
        >>> from kg.analysis.sample import sample_graph
        >>> print(shortest_path(sample_graph(), "OpenAI", "Microsoft").describe())
        OpenAI <-[INVESTS_IN]- Microsoft
            "Microsoft is investing $1 billion in OpenAI." (asserted, doc:1)
        """
        lines: list[str] = []
        for hop in self.hops:
            ties = ", ".join(_arrow(t, hop.target) for t in hop.ties)
            lines.append(f"{hop.source_name} {ties} {hop.target_name}")
            best = hop.ties[0] if hop.ties else None
            if best is not None and best.sentence:
                lines.append(f'    "{best.sentence}" ({best.sentence_modality}, {best.doc_id})')
        return "\n".join(lines)


def _arrow(tie: Tie, towards: str) -> str:
    """``-[T]->`` or ``<-[T]-`` as the tie points; ``-[T]-`` for symmetric types."""
    if tie.type in RELATIONS and RELATIONS[tie.type].symmetric:
        return f"-[{tie.type}]-"
    return f"<-[{tie.type}]-" if tie.source == towards else f"-[{tie.type}]->"


def _evidence(attrs: dict[str, Any]) -> dict[str, Any]:
    snippets: list[dict[str, Any]] = [e for e in attrs.get("evidence") or () if e.get("sentence")]
    if not snippets:
        return {}

    def firmness(e: dict[str, Any]) -> int:
        try:
            return Modality(e.get("modality", "")).rank
        except ValueError:
            return len(Modality)

    return min(snippets, key=firmness)  # min keeps the first among equals


def ties_between(g: nx.MultiDiGraph, a: str, b: str) -> list[Tie]:
    """Every relationship between two entities, either way, strongest first.

    Parameters
    ----------
    g : networkx.MultiDiGraph
    a, b : str
        Entity ids.

    Returns
    -------
    list of Tie
        Mirrored copies of symmetric relationships are not repeated.

    Examples
    --------
    >>> from kg.analysis.sample import sample_graph
    >>> ties = ties_between(sample_graph(), "org:xai", "org:openai")
    >>> [(t.type, t.source, t.sentence) for t in ties]
    [('RIVALS', 'org:openai', 'xAI competes with OpenAI.')]
    """
    ties: list[Tie] = []
    for u, v in ((a, b), (b, a)):
        for key, attrs in (g.get_edge_data(u, v) or {}).items():
            if attrs.get("mirror"):
                continue
            best = _evidence(attrs)
            ties.append(
                Tie(
                    type=str(attrs.get("type", key)),
                    source=u,
                    target=v,
                    weight=int(attrs.get("weight", 0)),
                    support=int(attrs.get("support", 0)),
                    modality=str(attrs.get("modality", "")),
                    first_seen=attrs.get("first_seen"),
                    last_seen=attrs.get("last_seen"),
                    sentence=best.get("sentence"),
                    doc_id=best.get("doc_id"),
                    sentence_modality=best.get("modality"),
                )
            )
        if a == b:
            break
    ties.sort(key=lambda t: (-t.weight, t.type, t.source))
    return ties


def _name(g: nx.MultiDiGraph, node: str) -> str:
    return str(g.nodes[node].get("name", node))


def shortest_path(
    g: nx.MultiDiGraph,
    source: str,
    target: str,
    *,
    relation_types: str | Iterable[str] | None = None,
) -> GraphPath:
    """The shortest chain of relationships between two entities, with evidence per hop.

    Parameters
    ----------
    g : networkx.MultiDiGraph
    source, target : str
        Entity ids, names or aliases (see :func:`~kg.analysis.graph.find_entity`).
    relation_types : str or iterable of str, optional
        Only walk these relation types or networks.

    Returns
    -------
    GraphPath
        Fewest hops, ignoring direction; among paths of that length, the one with
        the smallest sum of ``1 / (1 + weight)`` over its hops, so well-attested
        ties are preferred.

    Raises
    ------
    EntityNotFoundError, AmbiguousEntityError
        A name matches no entity, or several.
    NoPathError
        The two are not connected.

    Examples
    --------
    >>> from kg.analysis.sample import sample_graph
    >>> path = shortest_path(sample_graph(), "Microsoft", "xAI")
    >>> [(h.source_name, h.target_name, h.ties[0].type) for h in path.hops]
    [('Microsoft', 'xAI', 'HOSTS')]
    >>> path.hops[0].sentence
    "Microsoft will host xAI's Grok models on Azure, it was reported."
    """
    a, b = find_entity(g, source), find_entity(g, target)
    walk = project(g, relation_types) if relation_types is not None else g
    view = undirected(walk)
    if a not in view or b not in view:
        raise NoPathError(_no_path(g, a, b))
    # Hop count first: the tie-break terms add up to less than one hop on any path.
    epsilon = 0.5 / max(view.number_of_nodes(), 1)

    def cost(u: str, v: str, d: dict[str, Any]) -> float:
        return 1.0 + epsilon / (1.0 + d["weight"])

    try:
        nodes: list[str] = nx.shortest_path(view, a, b, weight=cost)
    except nx.NetworkXNoPath:
        raise NoPathError(_no_path(g, a, b)) from None
    hops = [
        Hop(u, _name(g, u), v, _name(g, v), ties_between(walk, u, v))
        for u, v in itertools.pairwise(nodes)
    ]
    return GraphPath(a, b, hops)


def _no_path(g: nx.MultiDiGraph, a: str, b: str) -> str:
    return (
        f"no chain of relationships links {_name(g, a)!r} and {_name(g, b)!r} in this graph; "
        "admit weaker mentions (--min-modality negated) or drop filters to look further"
    )


@dataclass(frozen=True)
class Neighbour:
    """An entity near the centre of an ego network."""

    id: str
    name: str
    type: str
    distance: int  # hops from the centre
    ties: list[Tie]  # with the centre, for direct neighbours

    def as_dict(self) -> dict[str, Any]:
        """Plain data, for JSON."""
        return {
            "id": self.id,
            "name": self.name,
            "type": self.type,
            "distance": self.distance,
            "ties": [t.as_dict() for t in self.ties],
        }


@dataclass(frozen=True)
class EgoNetwork:
    """The entities within ``radius`` hops of a centre, and the graph among them."""

    center: str
    name: str
    radius: int
    graph: nx.MultiDiGraph
    neighbours: list[Neighbour]  # nearest first, then by strongest tie


def ego_network(g: nx.MultiDiGraph, center: str, radius: int = 1) -> EgoNetwork:
    """Who is within ``radius`` hops of an entity, through which ties.

    Parameters
    ----------
    g : networkx.MultiDiGraph
    center : str
        Entity id, name or alias.
    radius : int
        Hops, ignoring direction.

    Returns
    -------
    EgoNetwork
        ``graph`` is the multigraph induced on the centre and its neighbours.

    Examples
    --------
    >>> from kg.analysis.sample import sample_graph
    >>> ego = ego_network(sample_graph(), "xAI")
    >>> [(n.name, [t.type for t in n.ties]) for n in ego.neighbours]
    [('Microsoft', ['HOSTS']), ('OpenAI', ['RIVALS'])]
    """
    node = find_entity(g, center)
    distances: dict[str, int] = nx.single_source_shortest_path_length(
        g.to_undirected(as_view=True), node, cutoff=radius
    )
    sub = g.subgraph(distances).copy()
    neighbours = []
    for other, dist in distances.items():
        if other == node:
            continue
        ties = ties_between(g, node, other) if dist == 1 else []
        neighbours.append(
            Neighbour(other, _name(g, other), str(g.nodes[other].get("type", "")), dist, ties)
        )
    neighbours.sort(key=lambda n: (n.distance, -sum(t.weight for t in n.ties), n.name, n.id))
    return EgoNetwork(node, _name(g, node), radius, sub, neighbours)
