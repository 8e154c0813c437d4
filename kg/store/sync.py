"""Copying one store's graph into another (``kg sync``: embedded -> Neo4j).

A store keeps every document's extraction result, so a copy needs no extraction:
the target writes the source's results. Documents the target already holds with
the same content are left alone, so a second sync changes nothing; documents whose
content differs are replaced; documents only the target holds are retracted
(``prune``), so that afterwards both stores hold the same graph.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kg.store.base import GraphStore, WriteStats

__all__ = ["SyncReport", "sync"]


@dataclass
class SyncReport:
    """What a sync did (or, with ``dry_run``, would do)."""

    to_write: int = 0  # source documents missing from the target or changed
    to_retract: int = 0  # target documents the source does not hold
    unchanged: int = 0
    retracted: int = 0
    written: WriteStats = field(default_factory=WriteStats)
    dry_run: bool = False

    def summary(self) -> str:
        if self.dry_run:
            return (
                f"would write {self.to_write} documents and retract {self.to_retract}; "
                f"{self.unchanged} unchanged"
            )
        w = self.written
        return (
            f"synced: {w.documents_written} documents written ({w.documents_replaced} replaced), "
            f"{self.retracted} retracted, {self.unchanged} unchanged; {w.entities} entities, "
            f"{w.relationships} relationships"
        )


def sync(
    source: GraphStore, target: GraphStore, *, prune: bool = True, dry_run: bool = False
) -> SyncReport:
    """Make ``target`` hold the graph of ``source``."""
    ours = source.document_hashes()
    theirs = target.document_hashes()
    changed = sorted(i for i, h in ours.items() if theirs.get(i) != h)
    stale = sorted(set(theirs) - set(ours)) if prune else []
    report = SyncReport(
        to_write=len(changed),
        to_retract=len(stale),
        unchanged=len(ours) - len(changed),
        dry_run=dry_run,
    )
    if dry_run:
        return report
    if stale:
        report.retracted = target.retract(stale)
    if changed:
        report.written = target.write(source.extractions(changed))
    return report
