"""How players cluster: Louvain communities of the undirected, weighted view.

networkx's Louvain implementation runs on :func:`~kg.analysis.graph.undirected`,
where a pair's weight is the mentions of every relationship between the two. It
is randomised; a fixed ``seed`` gives the same communities every run.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import networkx as nx

from kg.analysis.graph import undirected

__all__ = ["Communities", "Community", "find_communities"]


@dataclass(frozen=True)
class Community:
    """One community: its members, strongest first, and what ties it together."""

    index: int  # 1 for the largest community
    members: list[str]  # entity ids by weighted degree inside the community
    names: list[str]
    internal_weight: float  # mentions of relationships inside the community
    entity_types: dict[str, int]
    relation_types: dict[str, int]  # relationships inside the community, by type

    @property
    def size(self) -> int:
        """How many entities the community has."""
        return len(self.members)

    def as_dict(self, members: int | None = None) -> dict[str, Any]:
        """Plain data, for JSON (``members`` limits the members listed)."""
        return {
            "index": self.index,
            "size": self.size,
            "internal_weight": self.internal_weight,
            "entity_types": self.entity_types,
            "relation_types": self.relation_types,
            "members": [
                {"id": m, "name": n}
                for m, n in list(zip(self.members, self.names, strict=True))[:members]
            ],
        }


@dataclass(frozen=True)
class Communities:
    """A partition of the graph into communities, largest first."""

    communities: list[Community]
    modularity: float
    resolution: float
    seed: int

    def membership(self) -> dict[str, int]:
        """Entity id -> community index.

        Examples
        --------
        >>> from kg.analysis.sample import sample_graph
        >>> find_communities(sample_graph()).membership()["org:xai"]
        1
        """
        return {m: c.index for c in self.communities for m in c.members}

    def as_dict(self, top: int | None = None, members: int | None = None) -> dict[str, Any]:
        """Plain data, for JSON: the ``top`` largest communities.

        Examples
        --------
        >>> from kg.analysis.sample import sample_graph
        >>> find_communities(sample_graph()).as_dict()["communities"][0]["size"]
        3
        """
        return {
            "modularity": self.modularity,
            "resolution": self.resolution,
            "seed": self.seed,
            "count": len(self.communities),
            "communities": [c.as_dict(members) for c in self.communities[:top]],
        }


def find_communities(g: nx.MultiDiGraph, *, resolution: float = 1.0, seed: int = 0) -> Communities:
    """Louvain communities of the graph (networkx's ``louvain_communities``).

    Parameters
    ----------
    g : networkx.MultiDiGraph
        A graph from :func:`~kg.analysis.graph.load_graph`.
    resolution : float
        Above 1, smaller communities; below 1, larger ones.
    seed : int
        Louvain visits nodes in random order; the seed fixes it.

    Returns
    -------
    Communities
        Ordered by size, then internal weight; members by weighted degree inside
        their community, then name.

    Examples
    --------
    The sample triangle is one community; its strongest member is Microsoft, whose
    ties carry 4 of the 5 mentions.

    >>> from kg.analysis.sample import sample_graph
    >>> result = find_communities(sample_graph())
    >>> [(c.index, c.names) for c in result.communities]
    [(1, ['Microsoft', 'OpenAI', 'xAI'])]
    >>> round(result.modularity, 6)
    0.0
    """
    view = undirected(g)
    parts: list[set[str]] = (
        nx.community.louvain_communities(view, weight="weight", resolution=resolution, seed=seed)
        if view.number_of_nodes()
        else []
    )
    modularity = (
        nx.community.modularity(view, parts, weight="weight", resolution=resolution)
        if view.number_of_edges()
        else 0.0
    )
    found = [_describe(g, view, members) for members in parts]
    found.sort(key=lambda c: (-c.size, -c.internal_weight, c.names[0] if c.names else ""))
    numbered = [
        Community(i, c.members, c.names, c.internal_weight, c.entity_types, c.relation_types)
        for i, c in enumerate(found, 1)
    ]
    return Communities(numbered, float(modularity), resolution, seed)


def _describe(g: nx.MultiDiGraph, view: nx.Graph, members: Iterable[str]) -> Community:
    inside = set(members)
    strength: Counter[str] = Counter()
    for u in inside:
        for v, d in view[u].items():
            if v in inside:
                strength[u] += d["weight"]
    ordered = sorted(inside, key=lambda n: (-strength[n], str(g.nodes[n].get("name", n)), n))
    relations: Counter[str] = Counter()
    weight = 0.0
    for _, _, key, d in g.subgraph(inside).edges(keys=True, data=True):
        if not d.get("mirror"):
            relations[key] += 1
            weight += d["weight"]
    return Community(
        0,
        ordered,
        [str(g.nodes[n].get("name", n)) for n in ordered],
        weight,
        dict(Counter(str(g.nodes[n].get("type", "")) for n in ordered).most_common()),
        dict(relations.most_common()),
    )
