"""Shared fixtures and helpers.

- ``extractor``: one :class:`~kg.extract.Extractor` for the whole session (loading
  spaCy takes about a second); :func:`extract_text` uses the same one.
- ``store``: an empty graph store per test, parametrized over backends: the
  embedded store (:data:`STORE_BACKENDS`, :func:`open_backend`) and Neo4j (marked
  ``neo4j``; the server and the ``neo4j_store`` fixture come from the plugin
  ``tests/neo4j_fixtures.py``).
- ``sample_db``: the sample corpus (``examples/news``) built once per session with
  ``kg build`` into an embedded store; tests must not change it.
- :func:`extract_text` and :func:`rels`: a text in, the relations as names out.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import signal
import threading
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.extract import Extractor
from kg.ingest import iter_documents
from kg.models import Document, ExtractionResult
from kg.store import EmbeddedStore, GraphStore

__all__ = [
    "SAMPLES",
    "STORE_BACKENDS",
    "ExtractionTimeout",
    "deadline",
    "extract_text",
    "open_backend",
    "rels",
    "sample_document_count",
    "shared_extractor",
]

pytest_plugins = ["tests.neo4j_fixtures"]

SAMPLES = Path(__file__).resolve().parents[1] / "examples" / "news"

# Backends the ``store`` fixture runs every store test against.
STORE_BACKENDS = ["embedded"]


def open_backend(kind: str, directory: Path) -> GraphStore:
    """An empty, writable store of ``kind`` that keeps its files under ``directory``."""
    if kind == "embedded":
        return EmbeddedStore(directory / "graph.db", buffer_mb=64)
    raise ValueError(f"store backend {kind!r} is not one of {', '.join(STORE_BACKENDS)}")


@pytest.fixture(params=[*STORE_BACKENDS, pytest.param("neo4j", marks=pytest.mark.neo4j)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[GraphStore]:
    """An empty store, closed after the test."""
    if request.param == "neo4j":
        yield request.getfixturevalue("neo4j_store")  # emptied and closed by its fixture
        return
    graph = open_backend(request.param, tmp_path)
    try:
        yield graph
    finally:
        graph.close()


@cache
def shared_extractor() -> Extractor:
    """The one extractor of the test session."""
    return Extractor()


@pytest.fixture(scope="session")
def extractor() -> Extractor:
    return shared_extractor()


@cache
def sample_document_count() -> int:
    """How many documents the sample corpus holds."""
    return sum(isinstance(d, Document) for d in iter_documents([SAMPLES]))


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory: pytest.TempPathFactory, extractor: Extractor) -> Path:
    """The sample corpus built once with ``kg build``; read it, do not change it."""
    from kg.cli import cli  # the CLI pulls in every command: only when needed

    db = tmp_path_factory.mktemp("sample") / "kg.db"
    args = ["build", str(SAMPLES), "--db", str(db), "--store", "embedded", "-q", "--json"]
    result = CliRunner().invoke(cli, args, prog_name="kg")
    assert result.exit_code == 0, (result.output, result.exception)
    report = json.loads(result.stdout)
    assert report["read"] == report["extracted"] == sample_document_count()
    assert report["skipped"] == []
    return db


class ExtractionTimeout(Exception):
    """Extraction of a short text ran past its deadline (an endless loop)."""


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Raise :class:`ExtractionTimeout` in the block after ``seconds`` (where SIGALRM exists).

    A sentence that sends the extractor into an endless loop then fails its test
    instead of hanging the whole run.
    """
    usable = hasattr(signal, "SIGALRM") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise ExtractionTimeout(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def extract_text(
    text: str,
    published: dt.date | str | None = None,
    *,
    doc_id: str = "test-doc",
    timeout: float = 10.0,
) -> ExtractionResult:
    """Extract one text with the shared extractor."""
    if isinstance(published, str):
        published = dt.date.fromisoformat(published)
    document = Document(
        id=doc_id,
        text=text,
        published=published,
        content_hash=hashlib.sha1(text.encode("utf-8")).hexdigest(),
    )
    extractor = shared_extractor()
    with deadline(timeout):
        return extractor.extract(document)


def rels(result: ExtractionResult) -> set[tuple[str, str, str]]:
    """The relations of ``result`` as (type, source name, target name)."""
    names = {e.id: e.name for e in result.entities}
    return {(r.type, names[r.source], names[r.target]) for r in result.relations}
