"""Building a graph: ingest -> extract -> store, without losing work on the way.

Extraction results are appended to a *spool* file next to the store before they are
written to it. When the store fails (Neo4j down, a crash, ``kill -9``), the spool
keeps them, and the next build writes them without extracting again. Documents a
store already holds with the same content are skipped before extraction, and the
spaCy pipeline is only loaded once a document needs extracting.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from kg.errors import KGError, MalformedInputError
from kg.ingest import MAX_CHARS, Skipped, iter_documents
from kg.ingest.files import OnError
from kg.models import Document, ExtractionResult
from kg.store.base import GraphStore, WriteStats

if TYPE_CHECKING:
    from kg.extract import Extractor

__all__ = [
    "BuildReport",
    "Failed",
    "build",
    "extraction_failure",
    "read_results",
    "spool_path",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Failed:
    """A document that was read but whose extraction raised: a bug to report."""

    id: str
    path: str | None
    reason: str

    def __str__(self) -> str:
        return self.reason


def extraction_failure(document: Document, err: BaseException) -> Failed:
    """The failure of ``document``'s extraction, with a one-line reason."""
    where = document.path or document.id
    message = " ".join(str(err).split())
    return Failed(
        document.id,
        document.path,
        f"{where}: extraction failed ({type(err).__name__}: {message}); please report it",
    )


@dataclass
class BuildReport:
    """What a build did, for the summary line."""

    read: int = 0
    unchanged: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    failed: list[Failed] = field(default_factory=list)
    extracted: int = 0
    resumed: int = 0  # results taken from the spool of an earlier, interrupted run
    written: WriteStats = field(default_factory=WriteStats)

    def summary(self) -> str:
        w = self.written
        return (
            f"documents: {self.read} read, {self.unchanged} unchanged, "
            f"{len(self.skipped)} skipped, {len(self.failed)} failed, {self.extracted} extracted"
            + (f", {self.resumed} resumed" if self.resumed else "")
            + f"; written: {w.documents_written} documents "
            f"({w.documents_replaced} replaced), {w.entities} entities, "
            f"{w.relationships} relationships from {w.relation_mentions} relation mentions"
        )


def spool_path(store_path: Path) -> Path:
    """Where a store's not-yet-written extraction results wait."""
    return store_path.with_name(store_path.name + ".pending.jsonl")


def _one_line(err: ValidationError) -> str:
    """A pydantic error as one line: 'content_hash: Field required; text: Extra inputs...'."""
    problems = [f"{'.'.join(map(str, e['loc'])) or 'line'}: {e['msg']}" for e in err.errors()]
    more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
    return "; ".join(problems[:3]) + more


def read_results(path: Path) -> Iterator[ExtractionResult]:
    """Extraction results from a JSONL file (``kg extract`` output or a spool).

    A spool's last line may be cut short by a crash; it is dropped with a warning.
    """
    with path.open(encoding="utf-8") as fh:
        n, line = 0, fh.readline()
        while line:
            n, following = n + 1, fh.readline()
            if line.strip():
                try:
                    yield ExtractionResult.model_validate_json(line)
                except ValidationError as err:
                    if not following and not line.endswith("\n"):
                        log.warning(
                            "%s:%d: incomplete last line dropped (an interrupted write)", path, n
                        )
                        return
                    raise MalformedInputError(
                        f"{path}:{n}: not an extraction result (as `kg extract` writes): "
                        + _one_line(err)
                    ) from err
            line = following


def build(
    paths: Iterable[Path | str],
    store: GraphStore,
    *,
    extractor: Extractor | Callable[[], Extractor] | None = None,
    spool: Path | None = None,
    on_error: OnError = "skip",
    max_chars: int = MAX_CHARS,
    progress: Callable[[int], None] | None = None,
    dry_run: bool = False,
) -> BuildReport:
    """Extract the documents under ``paths`` and write them to ``store``.

    ``extractor`` may be a function that makes one: it is called only if a document
    needs extracting, so a build with nothing new never loads the spaCy pipeline.
    A document whose extraction raises is reported as failed (``on_error="skip"``) or
    stops the build (``"stop"``). ``progress`` is called with the number of documents
    handled since its last call. With ``dry_run`` nothing is extracted or written;
    the report says what would be.
    """
    report = BuildReport()
    known = store.document_hashes()
    pending: list[ExtractionResult] = []
    if spool is not None and spool.exists():
        pending = [r for r in read_results(spool) if known.get(r.id) != r.content_hash]
        report.resumed = len(pending)
    spooled = {r.id: r.content_hash for r in pending}

    def tick() -> None:
        if progress:
            progress(1)

    def todo() -> Iterator[Document]:
        for item in iter_documents(paths, on_error=on_error, max_chars=max_chars):
            if isinstance(item, Skipped):
                report.skipped.append(item)
                log.info("skipped %s", item.reason)  # the report lists it for the user
                tick()
                continue
            report.read += 1
            if spooled.get(item.id) == item.content_hash:
                tick()  # extracted by an interrupted run: counted as resumed
                continue
            if known.get(item.id) == item.content_hash:
                report.unchanged += 1
                tick()
                continue
            yield item

    if dry_run:
        report.extracted = sum(1 for _ in todo())
        return report

    def failed(document: Document, err: BaseException) -> None:
        failure = extraction_failure(document, err)
        if on_error == "stop":
            raise KGError(f"document {document.id!r}: {failure.reason}") from err
        log.info("%s", failure.reason)  # the report lists it for the user
        report.failed.append(failure)
        tick()

    def extracted() -> Iterator[ExtractionResult]:
        yield from pending
        documents = todo()
        first = next(documents, None)
        if first is None:
            return
        ex = _make_extractor(extractor)
        sink = spool.open("a", encoding="utf-8") if spool is not None else None
        try:
            for result in ex.extract_many(_chain(first, documents), on_failure=failed):
                report.extracted += 1
                if sink is not None:
                    sink.write(result.model_dump_json() + "\n")
                    sink.flush()
                tick()
                yield result
        finally:
            if sink is not None:
                sink.close()

    try:
        report.written = store.write(extracted())
    except BaseException:
        if spool is not None and spool.exists() and spool.stat().st_size:
            log.warning(
                "the extraction results computed so far are kept in %s; the next build "
                "writes them without extracting again",
                spool,
            )
        raise
    if spool is not None and spool.exists():
        spool.unlink()  # everything in it is in the store now
    return report


def _make_extractor(extractor: Extractor | Callable[[], Extractor] | None) -> Extractor:
    if extractor is None:
        from kg.extract import Extractor  # loading spaCy takes a moment: only when needed

        return Extractor()
    if callable(extractor):
        return extractor()
    return extractor


def _chain(first: Document, rest: Iterator[Document]) -> Iterator[Document]:
    yield first
    yield from rest
