"""Building a graph: ingest -> extract -> store, without losing work on the way.

Extraction results are appended to a *spool* file next to the store before they are
written to it. When the store fails (Neo4j down, a crash, ``kill -9``), the spool
keeps them, and the next build writes them without extracting again. Documents a
store already holds with the same content are skipped before extraction.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import MalformedInputError
from kg.extract import Extractor
from kg.ingest import Skipped, iter_documents
from kg.ingest.files import OnError
from kg.models import Document, ExtractionResult
from kg.store.base import GraphStore, WriteStats

__all__ = ["BuildReport", "build", "read_results", "spool_path"]

log = logging.getLogger(__name__)


@dataclass
class BuildReport:
    """What a build did, for the summary line."""

    read: int = 0
    unchanged: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    extracted: int = 0
    resumed: int = 0  # results taken from the spool of an earlier, interrupted run
    written: WriteStats = field(default_factory=WriteStats)

    def summary(self) -> str:
        w = self.written
        return (
            f"documents: {self.read} read, {self.unchanged} unchanged, "
            f"{len(self.skipped)} skipped, {self.extracted} extracted"
            + (f", {self.resumed} resumed" if self.resumed else "")
            + f"; written: {w.documents_written} documents "
            f"({w.documents_replaced} replaced), {w.entities} entities, "
            f"{w.relationships} relationships from {w.relation_mentions} relation mentions"
        )


def spool_path(store_path: Path) -> Path:
    """Where a store's not-yet-written extraction results wait."""
    return store_path.with_name(store_path.name + ".pending.jsonl")


def read_results(path: Path) -> Iterator[ExtractionResult]:
    """Extraction results from a JSONL file (``kg extract`` output or a spool).

    A spool's last line may be cut short by a crash; it is dropped with a warning.
    """
    with path.open(encoding="utf-8") as fh:
        lines = fh.readlines()
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            yield ExtractionResult.model_validate_json(line)
        except ValueError as err:
            if n == len(lines) and not line.endswith("\n"):
                log.warning("%s:%d: incomplete last line dropped (an interrupted write)", path, n)
                return
            raise MalformedInputError(f"{path}:{n}: not an extraction result ({err})") from err


def build(
    paths: Iterable[Path | str],
    store: GraphStore,
    *,
    extractor: Extractor | None = None,
    spool: Path | None = None,
    on_error: OnError = "skip",
    progress: Callable[[int], None] | None = None,
    dry_run: bool = False,
) -> BuildReport:
    """Extract the documents under ``paths`` and write them to ``store``.

    ``progress`` is called with the number of documents handled since its last call.
    With ``dry_run`` nothing is extracted or written; the report says what would be.
    """
    report = BuildReport()
    known = store.document_hashes()
    pending: list[ExtractionResult] = []
    if spool is not None and spool.exists():
        pending = [r for r in read_results(spool) if known.get(r.id) != r.content_hash]
        report.resumed = len(pending)

    def todo() -> Iterator[Document]:
        spooled = {r.id: r.content_hash for r in pending}
        for item in iter_documents(paths, on_error=on_error):
            if isinstance(item, Skipped):
                report.skipped.append(item)
                log.warning("skipped %s", item.reason)
                if progress:
                    progress(1)
                continue
            report.read += 1
            if known.get(item.id) == item.content_hash or spooled.get(item.id) == item.content_hash:
                report.unchanged += 1
                if progress:
                    progress(1)
                continue
            yield item

    if dry_run:
        report.extracted = sum(1 for _ in todo())
        return report

    extractor = extractor or Extractor()

    def extracted() -> Iterator[ExtractionResult]:
        yield from pending
        sink = spool.open("a", encoding="utf-8") if spool is not None else None
        try:
            for result in extractor.extract_many(todo()):
                report.extracted += 1
                if sink is not None:
                    sink.write(result.model_dump_json() + "\n")
                    sink.flush()
                if progress:
                    progress(1)
                yield result
        finally:
            if sink is not None:
                sink.close()

    report.written = store.write(extracted())
    if spool is not None and spool.exists():
        spool.unlink()  # everything in it is in the store now
    return report
