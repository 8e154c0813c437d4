"""A three-entity graph for examples: Microsoft, OpenAI and xAI.

It is small enough to work measures out by hand, and has one of everything that
matters to the loader: a directed tie with several mentions (Microsoft invests in
OpenAI), a symmetric one with a speculative mention (OpenAI and xAI are rivals)
and a reported one (Microsoft hosts xAI's models).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import networkx as nx

from kg.analysis.graph import GraphFilter, graph_from_records
from kg.ontology import MODALITIES
from kg.store.base import StoredEntity, StoredRelationship

__all__ = ["SampleStore", "sample_graph", "sample_records"]


def _counts(**given: int) -> dict[str, int]:
    return {m: given.get(m, 0) for m in MODALITIES}


def sample_records() -> tuple[list[StoredEntity], list[StoredRelationship]]:
    """The three entities and their three relationships, as a store returns them.

    Returns
    -------
    tuple of (list of StoredEntity, list of StoredRelationship)

    Examples
    --------
    >>> entities, relationships = sample_records()
    >>> [e.name for e in entities], [r.type for r in relationships]
    (['Microsoft', 'OpenAI', 'xAI'], ['INVESTS_IN', 'HOSTS', 'RIVALS'])
    """
    entities = [
        StoredEntity("org:microsoft", "Microsoft", "Organization", ["MSFT"], "Q2283", 3),
        StoredEntity("org:openai", "OpenAI", "Organization", [], "Q21708200", 3),
        StoredEntity("org:xai", "xAI", "Organization", ["X.AI Corp"], None, 2),
    ]
    relationships = [
        StoredRelationship(
            type="INVESTS_IN",
            source="org:microsoft",
            target="org:openai",
            support=3,
            documents=["doc:1", "doc:2"],
            first_seen=dt.date(2019, 7, 22),
            last_seen=dt.date(2023, 1, 23),
            confidence=0.9,
            modality="asserted",
            modality_counts=_counts(asserted=3),
            amount_usd=10e9,
            evidence=[
                {
                    "doc_id": "doc:1",
                    "sentence": "Microsoft is investing $1 billion in OpenAI.",
                    "modality": "asserted",
                }
            ],
        ),
        StoredRelationship(
            type="HOSTS",
            source="org:microsoft",
            target="org:xai",
            support=1,
            documents=["doc:3"],
            first_seen=dt.date(2025, 5, 19),
            last_seen=dt.date(2025, 5, 19),
            confidence=0.7,
            modality="reported",
            modality_counts=_counts(reported=1),
            evidence=[
                {
                    "doc_id": "doc:3",
                    "sentence": "Microsoft will host xAI's Grok models on Azure, it was reported.",
                    "modality": "reported",
                }
            ],
        ),
        StoredRelationship(
            type="RIVALS",
            source="org:openai",
            target="org:xai",
            support=2,
            documents=["doc:3", "doc:4"],
            first_seen=dt.date(2024, 3, 1),
            last_seen=dt.date(2025, 5, 19),
            confidence=0.8,
            modality="asserted",
            modality_counts=_counts(asserted=1, speculative=1),
            evidence=[
                {
                    "doc_id": "doc:4",
                    "sentence": "xAI competes with OpenAI.",
                    "modality": "asserted",
                },
                {
                    "doc_id": "doc:3",
                    "sentence": "xAI could overtake OpenAI.",
                    "modality": "speculative",
                },
            ],
        ),
    ]
    return entities, relationships


class SampleStore:
    """The sample records behind the two store methods loading uses.

    Examples
    --------
    >>> len(list(SampleStore().relationships()))
    3
    """

    def __init__(self) -> None:
        self._entities, self._relationships = sample_records()

    def entities(self) -> Iterator[StoredEntity]:
        """The three entities."""
        return iter(self._entities)

    def relationships(self) -> Iterator[StoredRelationship]:
        """The three relationships."""
        return iter(self._relationships)


def sample_graph(filt: GraphFilter | None = None) -> nx.MultiDiGraph:
    """The sample loaded as :func:`~kg.analysis.graph.load_graph` would load it.

    Parameters
    ----------
    filt : GraphFilter, optional

    Returns
    -------
    networkx.MultiDiGraph

    Examples
    --------
    >>> g = sample_graph()
    >>> g.number_of_nodes(), g.number_of_edges()
    (3, 4)
    """
    return graph_from_records(*sample_records(), filt)
