"""kg build, kg extract, kg load, kg retract: getting documents into a graph and out of it."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import click
from tqdm import tqdm

from kg.build import build, extraction_failure, read_results, spool_path
from kg.cli.options import (
    emit_json,
    json_option,
    open_from,
    quiet_option,
    settings_from,
    store_options,
)
from kg.errors import KGError
from kg.ingest import MAX_CHARS, Skipped, check_paths, iter_documents
from kg.models import Document

if TYPE_CHECKING:
    from kg.extract import Extractor

__all__ = ["build_cmd", "extract_cmd", "load_cmd", "retract_cmd"]

_paths = click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
_on_error = click.option(
    "--on-error",
    type=click.Choice(["skip", "stop"]),
    default="skip",
    show_default=True,
    help="On an unreadable file or record: skip it (and say why) or stop the run.",
)
_processes = click.option(
    "--processes",
    "-p",
    type=click.IntRange(1),
    default=None,
    help="Extraction worker processes (default: KG_PROCESSES or 1).",
)
_max_chars = click.option(
    "--max-chars",
    type=click.IntRange(1),
    default=MAX_CHARS,
    show_default=True,
    help="Skip (with the reason) any document whose text is longer than this.",
)


def _extractor(processes: int | None) -> Extractor:
    from kg.extract import Extractor  # loading spaCy takes a moment: only when needed
    from kg.settings import get_settings

    settings = get_settings(processes=processes)
    return Extractor(batch_size=settings.batch_size, n_process=settings.processes)


def _bar(quiet: bool, unit: str = "doc") -> tqdm:
    return tqdm(disable=quiet or None, unit=unit, file=sys.stderr, dynamic_ncols=True, desc="kg")


def _skip_summary(skipped: list[Skipped]) -> str:
    reasons = Counter(s.reason.split(": ", 1)[-1].split(" (")[0] for s in skipped)
    return ", ".join(f"{n} {reason}" for reason, n in reasons.most_common())


@click.command("build")
@_paths
@store_options
@_on_error
@_processes
@_max_chars
@click.option(
    "--dry-run", is_flag=True, help="Read and count documents; extract and write nothing."
)
@json_option
@quiet_option
def build_cmd(
    paths: tuple[Path, ...],
    store: str | None,
    db: Path | None,
    on_error: str,
    processes: int | None,
    max_chars: int,
    dry_run: bool,
    as_json: bool,
    quiet: bool,
) -> None:
    """Extract entities and relations from PATHS (files or directories) into the graph.

    Documents already stored with the same content are skipped; a document whose
    content changed replaces its earlier contribution. Results wait in a spool file
    next to the store until written, so an interrupted build resumes without
    extracting again. The summary counts documents read, unchanged, skipped (with
    the reasons), failed (extraction raised: a bug to report) and extracted.
    """
    check_paths(paths)  # before the store is opened (and created)
    settings = settings_from(store, db)
    spool = (
        spool_path(settings.db) if settings.store == "embedded" else Path(".kg-neo4j.pending.jsonl")
    )
    with open_from(store, db) as graph, _bar(quiet) as bar:
        report = build(
            paths,
            graph,
            extractor=partial(_extractor, processes),
            spool=spool,
            on_error=on_error,  # type: ignore[arg-type]
            max_chars=max_chars,
            progress=bar.update,
            dry_run=dry_run,
        )
    if as_json:
        emit_json(
            {
                "read": report.read,
                "unchanged": report.unchanged,
                "extracted": report.extracted,
                "resumed": report.resumed,
                "skipped": [
                    {"path": s.path, "line": s.line, "reason": s.reason} for s in report.skipped
                ],
                "failed": [{"id": f.id, "path": f.path, "reason": f.reason} for f in report.failed],
                "written": vars(report.written),
                "dry_run": dry_run,
            }
        )
        return
    for s in report.skipped:
        click.echo(f"kg: skipped {s.reason}", err=True)
    for f in report.failed:
        click.echo(f"kg: failed {f.reason}", err=True)
    click.echo(("dry run: " if dry_run else "") + report.summary())
    if report.skipped:
        click.echo(f"skipped: {_skip_summary(report.skipped)}")


@click.command("extract")
@_paths
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Write JSON lines here instead of stdout.",
)
@_on_error
@_processes
@_max_chars
@quiet_option
def extract_cmd(
    paths: tuple[Path, ...],
    output: Path | None,
    on_error: str,
    processes: int | None,
    max_chars: int,
    quiet: bool,
) -> None:
    """Extract only: one JSON line per document (entities, relations, evidence).

    Nothing is stored. The output loads into a store later with `kg load`.
    """
    check_paths(paths)
    counts = Counter[str]()

    def documents() -> Iterator[Document]:
        for item in iter_documents(
            paths,
            on_error=on_error,  # type: ignore[arg-type]
            max_chars=max_chars,
        ):
            if isinstance(item, Skipped):
                counts["skipped"] += 1
                click.echo(f"kg: skipped {item.reason}", err=True)
            else:
                yield item

    def failed(document: Document, err: BaseException) -> None:
        failure = extraction_failure(document, err)
        if on_error == "stop":
            raise KGError(f"document {document.id!r}: {failure.reason}") from err
        counts["failed"] += 1
        click.echo(f"kg: failed {failure.reason}", err=True)

    extractor = _extractor(processes)
    tmp = output.with_name(output.name + ".partial") if output else None
    sink = tmp.open("w", encoding="utf-8") if tmp else sys.stdout
    try:
        with _bar(quiet) as bar:
            for result in extractor.extract_many(documents(), on_failure=failed):
                sink.write(result.model_dump_json() + "\n")
                counts["extracted"] += 1
                bar.update(1)
    finally:
        if tmp is not None:
            sink.close()
    if tmp is not None and output is not None:
        tmp.replace(output)  # all or nothing: no half-written output file
    if not quiet:
        click.echo(
            f"kg: extracted {counts['extracted']} documents, skipped {counts['skipped']}, "
            f"failed {counts['failed']}",
            err=True,
        )


@click.command("load")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(path_type=Path, exists=True, dir_okay=False)
)
@store_options
@quiet_option
def load_cmd(files: tuple[Path, ...], store: str | None, db: Path | None, quiet: bool) -> None:
    """Write extraction files (from `kg extract`) into the graph without extracting again."""
    with open_from(store, db) as graph:
        total = None
        for path in files:
            stats = graph.write(read_results(path))
            if total is None:
                total = stats
            else:
                total.add(stats)
    assert total is not None
    click.echo(
        f"loaded: {total.documents_written} documents written, "
        f"{total.documents_skipped} already stored, {total.entities} entities, "
        f"{total.relationships} relationships"
    )


@click.command("retract")
@click.argument("doc_ids", nargs=-1)
@click.option(
    "--source",
    "sources",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Retract every document read from this file or directory.",
)
@store_options
@click.option("--dry-run", is_flag=True, help="Say what would be retracted; change nothing.")
def retract_cmd(
    doc_ids: tuple[str, ...],
    sources: tuple[Path, ...],
    store: str | None,
    db: Path | None,
    dry_run: bool,
) -> None:
    """Remove documents and their share of the graph (support, evidence, orphans).

    Relationships left with no support and entities no document mentions any more
    are deleted; the rest are recomputed from the documents that remain.
    """
    ids = set(doc_ids)
    if sources:
        ids |= {d.id for d in iter_documents(sources) if isinstance(d, Document)}
    if not ids:
        raise click.UsageError("name document ids or --source PATH")
    with open_from(store, db) as graph:
        stored = set(graph.document_hashes())
        found = sorted(ids & stored)
        if dry_run:
            click.echo(f"would retract {len(found)} of {len(ids)} documents")
            return
        n = graph.retract(found)
    missing = len(ids) - n
    click.echo(f"retracted {n} documents" + (f" ({missing} were not stored)" if missing else ""))
