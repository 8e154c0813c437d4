"""Fixtures for the analysis tests.

- ``corpus_db``: the sample corpus (``examples/news``) built once per session into
  an embedded store in a temporary directory (building takes several seconds).
- ``corpus_graph``: that store loaded with the default filter.
- :func:`records_graph`: a graph from hand-written relationships, for tiny cases.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from kg.analysis.graph import GraphFilter, graph_from_records, load_graph
from kg.build import build
from kg.extract import Extractor
from kg.ontology import MODALITIES, entity_type
from kg.store import EmbeddedStore
from kg.store.base import StoredEntity, StoredRelationship

REPO = Path(__file__).resolve().parents[2]
NEWS = REPO / "examples" / "news"

__all__ = ["NEWS", "REPO", "entity", "records_graph", "relationship"]


@pytest.fixture(scope="session")
def corpus_db(tmp_path_factory: pytest.TempPathFactory, extractor: Extractor) -> Path:
    """The sample corpus in an embedded store, built once for the session."""
    path = tmp_path_factory.mktemp("corpus") / "kg.db"
    with EmbeddedStore(path, buffer_mb=256) as store:
        report = build([NEWS], store, extractor=extractor)
    assert report.written.relationships > 100, report.summary()
    return path


@pytest.fixture(scope="session")
def corpus_graph(corpus_db: Path) -> nx.MultiDiGraph:
    with EmbeddedStore(corpus_db, read_only=True, buffer_mb=256) as store:
        return load_graph(store)


def entity(eid: str, name: str | None = None, etype: str | None = None, **kw: Any) -> StoredEntity:
    """An entity whose type follows its id prefix (org:, person:, product:)."""
    prefix = eid.split(":", 1)[0]
    guessed = {"org": "Organization", "person": "Person", "product": "Product"}.get(prefix)
    return StoredEntity(
        eid,
        name or eid.split(":", 1)[-1],
        entity_type(etype or guessed or "Organization").value,
        **kw,
    )


def relationship(
    rtype: str,
    source: str,
    target: str,
    *,
    first: str | None = "2024-01-01",
    last: str | None = None,
    confidence: float = 0.8,
    sentence: str | None = None,
    mentions: Mapping[str, int] | None = None,
    **counts: int,
) -> StoredRelationship:
    """A stored relationship; mentions per modality in ``counts`` (default: 1 asserted)."""
    counts = {**counts, **(mentions or {})}
    modality_counts = {m: counts.get(m, 0) for m in MODALITIES}
    if not counts:
        modality_counts["asserted"] = 1
    support = sum(modality_counts.values())
    firmest = max(MODALITIES, key=lambda m: (modality_counts[m], -MODALITIES.index(m)))
    first_seen = dt.date.fromisoformat(first) if first else None
    last_seen = dt.date.fromisoformat(last) if last else first_seen
    evidence = (
        [{"doc_id": f"doc:{source}-{target}", "sentence": sentence, "modality": firmest}]
        if sentence
        else []
    )
    return StoredRelationship(
        type=rtype,
        source=source,
        target=target,
        support=support,
        documents=[f"doc:{source}-{target}"],
        first_seen=first_seen,
        last_seen=last_seen,
        confidence=confidence,
        modality=firmest,
        modality_counts=modality_counts,
        evidence=evidence,
    )


def records_graph(
    relationships: list[StoredRelationship],
    filt: GraphFilter | None = None,
    entities: list[StoredEntity] | None = None,
) -> nx.MultiDiGraph:
    """A graph of ``relationships``, their ends made up from the ids unless given."""
    if entities is None:
        ids = dict.fromkeys(end for r in relationships for end in (r.source, r.target))
        entities = [entity(i) for i in ids]
    return graph_from_records(entities, relationships, filt)
