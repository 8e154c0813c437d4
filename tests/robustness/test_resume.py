"""A store that fails after extraction: nothing extracted is lost, nothing is extracted twice.

The failing store is a real store behind a proxy whose ``write`` breaks off: after
all results were extracted (the store is down), or part-way through (it fails
mid-load, after committing some batches). The next build must take the results from
the spool, report them as resumed, extract nothing it already extracted, and end
with the graph an uninterrupted build makes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from kg.build import build, spool_path
from kg.errors import StoreUnavailableError
from kg.extract import Extractor
from kg.models import Document, ExtractionResult
from kg.store import EmbeddedStore, GraphStore, WriteStats
from tests.conftest import SAMPLES, sample_document_count, shared_extractor
from tests.robustness.conftest import graph_of, json_lines, kg, no_traceback


class FailingWrites:
    """A store whose writes fail after ``limit`` extraction results were handed over."""

    def __init__(self, store: GraphStore, limit: int | None = None) -> None:
        self.store = store
        self.limit = limit  # None: take everything, then fail

    def document_hashes(self) -> dict[str, str]:
        return self.store.document_hashes()

    def write(self, results: Iterable[ExtractionResult]) -> WriteStats:
        if self.limit is None:
            list(results)  # every result extracted (and spooled), none stored
            raise StoreUnavailableError("the store went away (simulated)")
        return self.store.write(self._until_limit(results))

    def _until_limit(self, results: Iterable[ExtractionResult]) -> Iterator[ExtractionResult]:
        for n, result in enumerate(results, 1):
            if n > self.limit:  # pragma: no branch - the point of the class
                raise StoreUnavailableError("the store failed mid-load (simulated)")
            yield result


class CountingExtractor:
    """Hands documents to the shared extractor and remembers which."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        self.inner: Extractor = shared_extractor()

    def extract_many(self, documents: Iterable[Document], **options: Any) -> Any:
        def counted() -> Iterator[Document]:
            for d in documents:
                self.seen.append(d.id)
                yield d

        return self.inner.extract_many(counted(), **options)


def never() -> Extractor:
    raise AssertionError("nothing should need extracting")


def test_store_down_after_extraction_then_the_next_build_extracts_nothing(
    tmp_path: Path, sample_db: Path
) -> None:
    db = tmp_path / "kg.db"
    spool = spool_path(db)
    n = sample_document_count()
    with EmbeddedStore(db, buffer_mb=256) as store:
        with pytest.raises(StoreUnavailableError):
            build([SAMPLES], FailingWrites(store), extractor=shared_extractor, spool=spool)
        assert store.document_hashes() == {}
    assert len(json_lines(spool)) == n  # every result kept

    with EmbeddedStore(db, buffer_mb=256) as store:
        report = build([SAMPLES], store, extractor=never, spool=spool)
    assert report.resumed == n
    assert report.extracted == 0 and report.unchanged == 0
    assert report.read == n
    assert ", 0 extracted, " in report.summary() and f", {n} resumed;" in report.summary()
    assert report.written.documents_written == n
    assert not spool.exists()
    assert graph_of(db) == graph_of(sample_db)


def test_store_failing_mid_load_resumes_where_it_stopped(tmp_path: Path, sample_db: Path) -> None:
    db = tmp_path / "kg.db"
    spool = spool_path(db)
    n = sample_document_count()
    with EmbeddedStore(db, buffer_mb=256, batch_size=10) as store:
        with pytest.raises(StoreUnavailableError, match="mid-load"):
            build(
                [SAMPLES], FailingWrites(store, limit=25), spool=spool, extractor=shared_extractor
            )
        committed = store.document_hashes()
    assert len(committed) == 20  # two batches of ten
    spooled = [r["id"] for r in json_lines(spool)]
    assert len(spooled) >= 25 and set(committed) <= set(spooled)

    counting = CountingExtractor()
    with EmbeddedStore(db, buffer_mb=256, batch_size=10) as store:
        report = build([SAMPLES], store, extractor=counting, spool=spool)  # type: ignore[arg-type]
    assert report.unchanged == 20
    assert report.resumed == len(spooled) - 20
    assert report.extracted == n - len(spooled)
    assert not set(counting.seen) & set(spooled)  # nothing extracted twice
    assert report.read == n
    assert graph_of(db) == graph_of(sample_db)


def test_the_cli_says_where_the_results_wait(tmp_path: Path) -> None:
    """The store is unusable once extraction is done: the spool file is named."""
    doc = tmp_path / "a.txt"
    doc.write_text("Microsoft invested $10 billion in OpenAI.", encoding="utf-8")
    db = tmp_path / "kg.db"
    spool = spool_path(db)
    spool.write_text("{not json\n{}\n", encoding="utf-8")  # a damaged spool stops the build
    run = kg("build", doc, "--db", db)
    no_traceback(run)
    assert run.code == 1
    [line] = run.err_lines()
    assert line.startswith(f"kg: error: {spool}:1: not an extraction result")


# ------------------------------------------------------------------ Neo4j

SECRET = "s3cret-Pa55word"
UNREACHABLE = "bolt://127.0.0.1:1"


@pytest.mark.parametrize("command", [["build", str(SAMPLES)], ["stats"]])
def test_unreachable_neo4j_is_one_line_naming_the_uri_not_the_password(
    tmp_path: Path, command: list[str]
) -> None:
    env = {"KG_NEO4J_URI": UNREACHABLE, "KG_NEO4J_PASSWORD": SECRET}
    run = kg(*command, "--store", "neo4j", env=env, cwd=tmp_path, timeout=120)
    no_traceback(run)
    assert run.code == 1
    [line] = run.err_lines()
    assert line.startswith(f"kg: error: cannot reach Neo4j at {UNREACHABLE}")
    assert SECRET not in run.err + run.out
    assert list(tmp_path.iterdir()) == []  # nothing extracted, no spool


def test_a_password_in_the_uri_is_never_printed(tmp_path: Path) -> None:
    env = {"KG_NEO4J_URI": f"bolt://neo4j:{SECRET}@127.0.0.1:1", "KG_NEO4J_PASSWORD": SECRET}
    run = kg("stats", "--store", "neo4j", env=env, cwd=tmp_path, timeout=120)
    assert run.code == 1
    assert SECRET not in run.err + run.out


@pytest.mark.neo4j
def test_neo4j_failing_mid_load_resumes_without_extracting_again(
    tmp_path: Path, live_neo4j: Any, sample_db: Path
) -> None:
    spool = tmp_path / ".kg-neo4j.pending.jsonl"
    n = sample_document_count()
    live_neo4j.wipe()
    with live_neo4j.open(batch_size=10) as store:
        with pytest.raises(StoreUnavailableError):
            build(
                [SAMPLES], FailingWrites(store, limit=15), spool=spool, extractor=shared_extractor
            )
        assert len(store.document_hashes()) == 10
    counting = CountingExtractor()
    with live_neo4j.open(batch_size=10) as store:
        report = build([SAMPLES], store, extractor=counting, spool=spool)  # type: ignore[arg-type]
        assert report.resumed >= 5 and report.unchanged == 10
        assert report.extracted == n - 10 - report.resumed == len(counting.seen)
        assert graph_of(store) == graph_of(sample_db)
