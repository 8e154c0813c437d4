"""``kg.store.sync``: one store's graph copied into another, here embedded to embedded.

The Neo4j end of ``kg sync`` is tested in ``tests/cli/test_neo4j_cli.py``.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from kg.models import ExtractionResult
from kg.store import EmbeddedStore
from kg.store.aggregate import MAX_EVIDENCE
from kg.store.base import GraphStore
from kg.store.sync import sync
from tests.store.test_store import A1, A2, B1, MICROSOFT, MICROSOFT_2, OPENAI, doc, rel


def snapshot(store: GraphStore) -> tuple[object, ...]:
    return (
        store.stats(),
        [dataclasses.asdict(e) for e in store.entities()],
        [dataclasses.asdict(r) for r in store.relationships()],
    )


def test_sync_copies_retracts_and_replaces(tmp_path: Path) -> None:
    changed_a2 = A2.model_copy(update={"content_hash": "edited", "relations": A2.relations[:1]})
    with (
        EmbeddedStore(tmp_path / "source.db", buffer_mb=64) as source,
        EmbeddedStore(tmp_path / "target.db", buffer_mb=64) as target,
    ):
        source.write([A1, changed_a2])
        target.write([A2, B1])  # A2 in another version, B1 only here

        dry = sync(source, target, dry_run=True)
        assert (dry.to_write, dry.to_retract, dry.unchanged) == (2, 1, 0)
        assert target.document_hashes() == {"a2": A2.content_hash, "b1": B1.content_hash}

        report = sync(source, target)
        assert (report.retracted, report.written.documents_written) == (1, 2)
        assert report.written.documents_replaced == 1
        assert snapshot(target) == snapshot(source)

        again = sync(source, target)
        assert (again.to_write, again.to_retract, again.unchanged) == (0, 0, 2)
        assert snapshot(target) == snapshot(source)


def test_sync_without_pruning_keeps_what_only_the_target_has(tmp_path: Path) -> None:
    with (
        EmbeddedStore(tmp_path / "source.db", buffer_mb=64) as source,
        EmbeddedStore(tmp_path / "target.db", buffer_mb=64) as target,
    ):
        source.write([A1])
        target.write([B1])
        report = sync(source, target, prune=False)
        assert (report.to_retract, report.written.documents_written) == (0, 1)
        assert set(target.document_hashes()) == {"a1", "b1"}


def test_the_copy_does_not_depend_on_the_order_documents_were_written_in(
    tmp_path: Path,
) -> None:
    """Sync writes in id order, the source was written in reverse: the same graph, even
    for an edge with more mentions than it keeps evidence for."""
    docs: list[ExtractionResult] = [
        doc(
            f"m{i}",
            f"2024-05-{i + 1:02d}",
            [MICROSOFT_2 if i % 2 else MICROSOFT, OPENAI],
            [rel("INVESTS_IN", MICROSOFT, OPENAI, f"m{i}", sentence=f"Deal number {i}.")],
        )
        for i in range(MAX_EVIDENCE + 3)
    ]
    with (
        EmbeddedStore(tmp_path / "source.db", buffer_mb=64) as source,
        EmbeddedStore(tmp_path / "target.db", buffer_mb=64) as target,
    ):
        for result in reversed(docs):
            source.write([result])
        sync(source, target)
        assert snapshot(target) == snapshot(source)
        (edge,) = target.relationships()
        assert edge.support == MAX_EVIDENCE + 3 and len(edge.evidence) == MAX_EVIDENCE
