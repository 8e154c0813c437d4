"""Loading a store into networkx, with filters, and the views the measures run on.

The graph model
---------------
:func:`load_graph` returns a :class:`networkx.MultiDiGraph`:

* one node per entity, keyed by entity id, with ``name``, ``type``, ``aliases``,
  ``wikidata`` and ``documents`` (how many documents mention it);
* one edge per stored relationship, keyed by its relation type, so that
  ``Microsoft -INVESTS_IN-> OpenAI`` and ``Microsoft -HOSTS-> OpenAI`` stay two edges
  with their own evidence;
* symmetric relation types (``PARTNERS_WITH``, ``RIVALS``) are stored once, so the
  loader adds the reverse edge too, marked ``mirror=True``. Any networkx algorithm
  run on the graph, in-degree or PageRank alike, then counts a rivalry in both
  directions; undirected views count it once (see :func:`undirected`).

A multigraph keeps every tie apart, which paths and evidence need. The measures
run on two simple views of it: :func:`collapse` (a weighted :class:`~networkx.DiGraph`)
and :func:`undirected` (a weighted :class:`~networkx.Graph`), in both of which the
weights of parallel edges add up. The per-relation-type networks (the investment
network, the hosting network...) are :func:`project` ions of the multigraph.

Edge weights
------------
An edge's ``weight`` is its number of mentions at or above the filter's minimum
modality, taken from the stored ``modality_counts``. With every modality admitted
it equals the stored ``support`` (kept as its own attribute). Weights are
strengths (more mentions, stronger tie), never distances: measures based on
shortest paths count hops.

Time windows
------------
A stored relationship keeps the first and last publication date of its mentions,
not every date. A window ``[since, until]`` keeps the relationships whose span
``[first_seen, last_seen]`` overlaps it, with their full weight; with only ``until``
it is the graph as known on that day. Undated relationships are left out of any
windowed graph.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import difflib
import gc
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import networkx as nx

from kg.analysis.errors import AmbiguousEntityError, EntityNotFoundError
from kg.errors import ConfigError
from kg.ontology import (
    MODALITIES,
    RELATIONS,
    EntityType,
    Modality,
    entity_type,
    relation_spec,
)
from kg.store.base import StoredEntity, StoredRelationship

__all__ = [
    "NETWORKS",
    "GraphFilter",
    "GraphSource",
    "collapse",
    "filter_graph",
    "find_entity",
    "gc_paused",
    "graph_from_records",
    "load_graph",
    "project",
    "relation_types",
    "undirected",
]

#: Relation types grouped into the networks users ask about. Every relation type
#: belongs to exactly one network.
NETWORKS: dict[str, tuple[str, ...]] = {
    "investment": ("INVESTS_IN",),
    "ownership": ("ACQUIRES", "OWNS"),
    "hosting": ("HOSTS",),
    "supply": ("SUPPLIES",),
    "partnership": ("PARTNERS_WITH",),
    "rivalry": ("RIVALS",),
    "people": ("LEADS", "FOUNDED", "WORKS_FOR"),
    "products": ("DEVELOPS",),
}


class GraphSource(Protocol):
    """What loading needs from a store: every store (:class:`~kg.store.GraphStore`) has it."""

    def entities(self) -> Iterator[StoredEntity]: ...

    def relationships(self) -> Iterator[StoredRelationship]: ...


def relation_types(names: str | Iterable[str]) -> frozenset[str]:
    """Parse relation types or network names into a set of relation types.

    Parameters
    ----------
    names : str or iterable of str
        Relation types (``"INVESTS_IN"``, any case) or network names from
        :data:`NETWORKS` (``"hosting"``); a string may list several, comma-separated.

    Returns
    -------
    frozenset of str
        The relation types meant.

    Raises
    ------
    OntologyError
        A name that is neither a relation type nor a network.

    Examples
    --------
    >>> sorted(relation_types("investment,RIVALS"))
    ['INVESTS_IN', 'RIVALS']
    >>> sorted(relation_types(["hosts", "ownership"]))
    ['ACQUIRES', 'HOSTS', 'OWNS']
    """
    items = names.split(",") if isinstance(names, str) else list(names)
    out: set[str] = set()
    for raw in items:
        name = raw.strip()
        if not name:
            continue
        if name.lower() in NETWORKS:
            out.update(NETWORKS[name.lower()])
        elif name.upper() in RELATIONS:
            out.add(name.upper())
        else:
            relation_spec(name)  # raises, naming the valid choices
    return frozenset(out)


_types = relation_types  # the parameter of the same name hides the function below


@dataclass(frozen=True, init=False)
class GraphFilter:
    """Which relationships and entities a graph keeps.

    Parameters
    ----------
    relation_types : collection of str, optional
        Relation types (or network names, see :data:`NETWORKS`) to keep; all if None.
    min_modality : Modality or str
        Keep a relationship if it has mentions at this modality or a firmer one, and
        weigh it by those mentions. The default, ``planned``, leaves out speculative
        and negated mentions; ``negated`` keeps everything.
    min_support : int
        Keep a relationship if its weight (mentions kept) is at least this.
    min_confidence : float
        Keep a relationship if its stored confidence is at least this.
    since, until : datetime.date, optional
        Keep relationships whose first..last seen span overlaps this window.
    entity_types : collection of EntityType or str, optional
        Keep only entities of these types, and relationships between them.
    isolates : bool
        Keep entities left without any relationship (default: drop them).

    Examples
    --------
    >>> f = GraphFilter(relation_types=["investment"], min_modality="reported")
    >>> sorted(f.relation_types), f.min_modality.value
    (['INVESTS_IN'], 'reported')
    """

    relation_types: frozenset[str] | None = None
    min_modality: Modality = Modality.PLANNED
    min_support: int = 1
    min_confidence: float = 0.0
    since: dt.date | None = None
    until: dt.date | None = None
    entity_types: frozenset[EntityType] | None = None
    isolates: bool = False

    def __init__(
        self,
        relation_types: str | Iterable[str] | None = None,
        min_modality: Modality | str = Modality.PLANNED,
        min_support: int = 1,
        min_confidence: float = 0.0,
        since: dt.date | None = None,
        until: dt.date | None = None,
        entity_types: Iterable[EntityType | str] | None = None,
        isolates: bool = False,
    ) -> None:
        if not isinstance(min_modality, Modality):
            try:
                min_modality = Modality(str(min_modality).lower())
            except ValueError:
                raise ConfigError(
                    f"minimum modality {min_modality!r} is not one of {', '.join(MODALITIES)}"
                ) from None
        if min_support < 1:
            raise ConfigError(f"minimum support must be 1 or more, not {min_support}")
        if since and until and since > until:
            raise ConfigError(f"the window starts ({since}) after it ends ({until}): swap them")
        set_ = object.__setattr__  # a frozen dataclass sets its fields this way
        set_(self, "relation_types", None if relation_types is None else _types(relation_types))
        set_(self, "min_modality", min_modality)
        set_(self, "min_support", min_support)
        set_(self, "min_confidence", min_confidence)
        set_(self, "since", since)
        set_(self, "until", until)
        set_(
            self,
            "entity_types",
            None if entity_types is None else frozenset(entity_type(t) for t in entity_types),
        )
        set_(self, "isolates", isolates)
        # not a field: the modalities counted, looked up once per edge when loading
        set_(self, "_admitted", frozenset(m.value for m in Modality if m.rank <= min_modality.rank))

    def replace(self, **changes: Any) -> GraphFilter:
        """A copy with some fields changed.

        Examples
        --------
        >>> GraphFilter().replace(min_support=2).min_support
        2
        """
        return dataclasses.replace(self, **changes)

    def describe(self) -> dict[str, Any]:
        """The filter as plain data (for reports and exports).

        Examples
        --------
        >>> GraphFilter(relation_types=["RIVALS"]).describe()["relation_types"]
        ['RIVALS']
        """
        return {
            "relation_types": sorted(self.relation_types) if self.relation_types else None,
            "min_modality": self.min_modality.value,
            "min_support": self.min_support,
            "min_confidence": self.min_confidence,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "entity_types": sorted(t.value for t in self.entity_types)
            if self.entity_types
            else None,
            "isolates": self.isolates,
        }

    def edge_weight(self, attrs: Mapping[str, Any]) -> int | None:
        """The weight an edge keeps under this filter, or None if it is left out.

        ``attrs`` are an edge's attributes as :func:`graph_from_records` sets them.

        Examples
        --------
        >>> attrs = {"type": "RIVALS", "support": 3, "confidence": 0.8,
        ...          "modality": "asserted",
        ...          "modality_counts": {"asserted": 1, "speculative": 2},
        ...          "first_seen": None, "last_seen": None}
        >>> GraphFilter().edge_weight(attrs), GraphFilter(min_modality="negated").edge_weight(attrs)
        (1, 3)
        """
        return self._weight(
            attrs["type"],
            attrs["confidence"],
            attrs["first_seen"],
            attrs["last_seen"],
            attrs["modality_counts"],
            attrs["support"],
            attrs["modality"],
        )

    def _weight(
        self,
        rtype: str,
        confidence: float,
        first: dt.date | None,
        last: dt.date | None,
        counts: Mapping[str, int],
        support: int,
        modality: str,
    ) -> int | None:
        if self.relation_types is not None and rtype not in self.relation_types:
            return None
        if confidence < self.min_confidence:
            return None
        if self.since or self.until:
            if first is None or last is None:
                return None
            if (self.until and first > self.until) or (self.since and last < self.since):
                return None
        admitted: frozenset[str] = self._admitted  # type: ignore[attr-defined]
        if counts:
            weight = sum(n for m, n in counts.items() if m in admitted)
        else:  # no per-modality counts: judge the edge by its overall modality
            weight = support if modality in admitted else 0
        return weight if weight >= self.min_support and weight > 0 else None

    def keeps_entity(self, etype: str) -> bool:
        """Whether entities of type ``etype`` pass.

        Examples
        --------
        >>> GraphFilter(entity_types=["person"]).keeps_entity("Organization")
        False
        """
        return self.entity_types is None or etype in self.entity_types


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cycle collector while building a large graph.

    Loading a million relationships allocates millions of small dicts and lists,
    none of them in a cycle; the collector would scan them again and again and more
    than double the loading time.

    Examples
    --------
    >>> import gc
    >>> with gc_paused():
    ...     gc.isenabled()
    False
    >>> gc.isenabled()
    True
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _node_attributes(e: StoredEntity) -> dict[str, Any]:
    return {
        "name": e.name,
        "type": e.type,
        "aliases": list(e.aliases),
        "wikidata": e.wikidata,
        "documents": e.documents,
    }


def _edge_attributes(r: StoredRelationship, weight: int, symmetric: bool) -> dict[str, Any]:
    # The lists and dicts are the record's own, not copies: records are read once,
    # and copying them is a good part of the time a large graph takes to load.
    return {
        "type": r.type,
        "weight": weight,
        "support": r.support,
        "confidence": r.confidence,
        "modality": r.modality,
        "modality_counts": r.modality_counts,
        "first_seen": r.first_seen,
        "last_seen": r.last_seen,
        "documents": r.documents,
        "amount_usd": r.amount_usd,
        "roles": r.roles,
        "evidence": r.evidence,
        "symmetric": symmetric,
        "mirror": False,
    }


def graph_from_records(
    entities: Iterable[StoredEntity],
    relationships: Iterable[StoredRelationship],
    filt: GraphFilter | None = None,
) -> nx.MultiDiGraph:
    """Build the analysis multigraph from stored records (see the module notes).

    Parameters
    ----------
    entities : iterable of StoredEntity
    relationships : iterable of StoredRelationship
        Relationships whose ends are not among ``entities`` are skipped.
    filt : GraphFilter, optional
        What to keep; ``GraphFilter()`` if None.

    Returns
    -------
    networkx.MultiDiGraph
        Edges keyed by relation type, weighted by the mentions kept; symmetric
        types in both directions. ``graph.graph["filter"]`` holds the filter.

    Examples
    --------
    >>> from kg.analysis.sample import sample_records
    >>> g = graph_from_records(*sample_records())
    >>> sorted(g.edges(keys=True, data="weight"))  # doctest: +NORMALIZE_WHITESPACE
    [('org:microsoft', 'org:openai', 'INVESTS_IN', 3),
     ('org:microsoft', 'org:xai', 'HOSTS', 1),
     ('org:openai', 'org:xai', 'RIVALS', 1),
     ('org:xai', 'org:openai', 'RIVALS', 1)]
    """
    filt = filt or GraphFilter()
    with gc_paused():
        return _build(entities, relationships, filt)


def _build(
    entities: Iterable[StoredEntity],
    relationships: Iterable[StoredRelationship],
    filt: GraphFilter,
) -> nx.MultiDiGraph:
    g = nx.MultiDiGraph(filter=filt)
    kept: dict[str, StoredEntity] = {e.id: e for e in entities if filt.keeps_entity(e.type)}
    if filt.isolates:
        g.add_nodes_from((eid, _node_attributes(e)) for eid, e in kept.items())
    symmetric = {name for name, spec in RELATIONS.items() if spec.symmetric}
    for r in relationships:
        if r.source not in kept or r.target not in kept:
            continue
        weight = filt._weight(
            r.type,
            r.confidence,
            r.first_seen,
            r.last_seen,
            r.modality_counts,
            r.support,
            r.modality,
        )
        if weight is None:
            continue
        for end in (r.source, r.target):
            if end not in g:
                g.add_node(end, **_node_attributes(kept[end]))
        attrs = _edge_attributes(r, weight, r.type in symmetric)
        g.add_edge(r.source, r.target, r.type, **attrs)
        if attrs["symmetric"] and r.source != r.target:
            g.add_edge(r.target, r.source, r.type, **{**attrs, "mirror": True})
    return g


def load_graph(store: GraphSource, filt: GraphFilter | None = None) -> nx.MultiDiGraph:
    """Load a store (embedded or Neo4j) into the analysis multigraph.

    Only the store interface is used (``entities()`` and ``relationships()``), so
    every store gives the same graph for the same content.

    Parameters
    ----------
    store : GraphSource
        An open store (:class:`~kg.store.GraphStore`); read-only is enough.
    filt : GraphFilter, optional
        What to keep; ``GraphFilter()`` if None.

    Returns
    -------
    networkx.MultiDiGraph
        See :func:`graph_from_records`.

    Examples
    --------
    >>> from kg.analysis.sample import SampleStore
    >>> g = load_graph(SampleStore(), GraphFilter(relation_types=["RIVALS"]))
    >>> sorted(g.nodes)
    ['org:openai', 'org:xai']
    """
    return graph_from_records(store.entities(), store.relationships(), filt)


def filter_graph(g: nx.MultiDiGraph, filt: GraphFilter) -> nx.MultiDiGraph:
    """Apply a filter to a graph already loaded, recomputing edge weights.

    Filtering a loaded graph can only narrow it: relationships its own filter
    left out do not come back.

    Parameters
    ----------
    g : networkx.MultiDiGraph
        A graph from :func:`load_graph` (or one read back from an export).
    filt : GraphFilter

    Returns
    -------
    networkx.MultiDiGraph
        A new graph; node and edge attributes are shallow copies.

    Examples
    --------
    >>> import datetime as dt
    >>> from kg.analysis.sample import sample_graph
    >>> g = sample_graph(GraphFilter(min_modality="negated"))
    >>> early = filter_graph(g, GraphFilter(until=dt.date(2023, 12, 31)))
    >>> list(early.edges(keys=True))
    [('org:microsoft', 'org:openai', 'INVESTS_IN')]
    """
    with gc_paused():
        return _narrow(g, filt)


def _narrow(g: nx.MultiDiGraph, filt: GraphFilter) -> nx.MultiDiGraph:
    out = nx.MultiDiGraph(filter=filt)
    nodes = {n for n, t in g.nodes(data="type") if filt.keeps_entity(t)}
    if filt.isolates:
        out.add_nodes_from((n, dict(g.nodes[n])) for n in g if n in nodes)
    for u, v, key, attrs in g.edges(keys=True, data=True):
        if u not in nodes or v not in nodes:
            continue
        weight = filt.edge_weight(attrs)
        if weight is None:
            continue
        for end in (u, v):
            if end not in out:
                out.add_node(end, **g.nodes[end])
        out.add_edge(u, v, key, **{**attrs, "weight": weight})
    return out


def project(g: nx.MultiDiGraph, types: str | Iterable[str]) -> nx.MultiDiGraph:
    """The sub-network of some relation types: the investment network, the rivalry one...

    Parameters
    ----------
    g : networkx.MultiDiGraph
    types : str or iterable of str
        Relation types or network names (see :func:`relation_types`).

    Returns
    -------
    networkx.MultiDiGraph
        The edges of those types and the entities they touch (a copy).

    Examples
    --------
    >>> from kg.analysis.sample import sample_graph
    >>> sorted(project(sample_graph(), "hosting").edges)
    [('org:microsoft', 'org:xai', 'HOSTS')]
    """
    wanted = relation_types(types)
    edges = [(u, v, k) for u, v, k in g.edges(keys=True) if k in wanted]
    sub = g.edge_subgraph(edges).copy()
    sub.graph["relation_types"] = sorted(wanted)
    return sub


def collapse(g: nx.MultiDiGraph) -> nx.DiGraph:
    """The weighted directed view: one edge ``u -> v`` with the summed weight.

    Mirrored edges of symmetric relation types count, so a rivalry points both ways.

    Parameters
    ----------
    g : networkx.MultiDiGraph

    Returns
    -------
    networkx.DiGraph
        Same nodes (with their attributes); ``weight`` sums the parallel edges,
        ``types`` lists their relation types.

    Examples
    --------
    >>> from kg.analysis.sample import sample_graph
    >>> sorted(collapse(sample_graph()).edges(data="weight"))
    [('org:microsoft', 'org:openai', 3), ('org:microsoft', 'org:xai', 1), \
('org:openai', 'org:xai', 1), ('org:xai', 'org:openai', 1)]
    """
    out = nx.DiGraph()
    out.add_nodes_from(g.nodes(data=True))
    for u, v, key, w in g.edges(keys=True, data="weight"):
        if out.has_edge(u, v):
            d = out[u][v]
            d["weight"] += w
            d["types"].append(key)
        else:
            out.add_edge(u, v, weight=w, types=[key])
    return out


def undirected(g: nx.MultiDiGraph) -> nx.Graph:
    """The weighted undirected view: one edge per pair of connected entities.

    Each stored relationship counts once (mirrored edges are skipped), in whichever
    direction it points.

    Parameters
    ----------
    g : networkx.MultiDiGraph

    Returns
    -------
    networkx.Graph
        Same nodes; ``weight`` sums the relationships between the pair.

    Examples
    --------
    >>> from kg.analysis.sample import sample_graph
    >>> sorted(undirected(sample_graph()).edges(data="weight"))  # doctest: +NORMALIZE_WHITESPACE
    [('org:microsoft', 'org:openai', 3), ('org:microsoft', 'org:xai', 1),
     ('org:openai', 'org:xai', 1)]
    """
    out = nx.Graph()
    out.add_nodes_from(g.nodes(data=True))
    for u, v, d in g.edges(data=True):
        if d.get("mirror"):
            continue
        if out.has_edge(u, v):
            out[u][v]["weight"] += d["weight"]
        else:
            out.add_edge(u, v, weight=d["weight"])
    return out


def find_entity(g: nx.MultiDiGraph, name: str, *, types: Collection[str] | None = None) -> str:
    """The id of the entity called ``name``: its id, its name or an alias, any case.

    Parameters
    ----------
    g : networkx.MultiDiGraph
    name : str
    types : collection of str, optional
        Only entities of these types.

    Returns
    -------
    str
        The entity id.

    Raises
    ------
    EntityNotFoundError
        Nothing matches; the message suggests close names.
    AmbiguousEntityError
        Several entities match and none by its exact name; the message lists them.

    Examples
    --------
    >>> from kg.analysis.sample import sample_graph
    >>> find_entity(sample_graph(), "microsoft")
    'org:microsoft'
    >>> find_entity(sample_graph(), "X.AI Corp")
    'org:xai'
    """
    wanted = name.strip().casefold()
    if name in g and (types is None or g.nodes[name].get("type") in types):
        return name
    by_name: list[str] = []
    by_alias: list[str] = []
    for node, attrs in g.nodes(data=True):
        if types is not None and attrs.get("type") not in types:
            continue
        if str(attrs.get("name", "")).casefold() == wanted:
            by_name.append(node)
        elif any(str(a).casefold() == wanted for a in attrs.get("aliases") or ()):
            by_alias.append(node)
    found = by_name or by_alias
    if len(found) == 1:
        return found[0]
    if found:
        listed = "; ".join(
            f"{g.nodes[n].get('name')} ({g.nodes[n].get('type')}, id {n})" for n in sorted(found)
        )
        raise AmbiguousEntityError(f"{name!r} names several entities: {listed}; give an id")
    names = {str(a.get("name")): n for n, a in g.nodes(data=True)}
    close = difflib.get_close_matches(name, list(names), n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    raise EntityNotFoundError(
        f"no entity in the graph is called {name!r} (by name, alias or id){hint}"
    )
