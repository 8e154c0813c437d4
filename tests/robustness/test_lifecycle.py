"""Document lifecycle end to end: retracting documents and rebuilding changed ones.

Every test compares, with ``==``, a store that had a document and lost it (or had an
old version of it) with a store that never had it (or only ever had the new one),
both made by the ``kg`` script from the sample corpus.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from kg.ingest import read_file
from kg.models import Document
from tests.conftest import SAMPLES, sample_document_count
from tests.robustness.conftest import copy_store, graph_of, kg, no_traceback

pytestmark = pytest.mark.slow

# Shares Microsoft -> OpenAI with other articles and names entities only it names.
RETRACTED_MD = "003-microsoft-deepens-openai-bet.md"
BATCH = Path("more") / "news-batch.jsonl"  # two documents with given ids
CHANGED_ID = "openai-board-rejects-musk-bid"


def _ids(path: Path) -> list[str]:
    return [d.id for d in read_file(path) if isinstance(d, Document)]


@pytest.fixture(scope="module")
def without_three(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample corpus without RETRACTED_MD and the batch file, built from scratch."""
    corpus = tmp_path_factory.mktemp("minus") / "news"
    shutil.copytree(SAMPLES, corpus)
    (corpus / RETRACTED_MD).unlink()
    (corpus / BATCH).unlink()
    db = corpus.with_name("minus.db")
    run = kg("build", corpus, "--db", db, "-q")
    assert run.code == 0, run.err
    return db


def test_retract_by_id_and_by_source_equals_never_having_built_them(
    sample_db: Path, without_three: Path, tmp_path: Path
) -> None:
    db = copy_store(sample_db, tmp_path / "kg.db")
    [md_id] = _ids(SAMPLES / RETRACTED_MD)
    dry = kg("retract", md_id, "--db", db, "--dry-run")
    assert dry.out.strip() == "would retract 1 of 1 documents"
    by_id = kg("retract", md_id, "no-such-document", "--db", db)
    no_traceback(by_id)
    assert by_id.code == 0, by_id.err
    assert by_id.out.strip() == "retracted 1 documents (1 were not stored)"
    by_source = kg("retract", "--source", SAMPLES / BATCH, "--db", db)
    assert by_source.code == 0, by_source.err
    assert by_source.out.strip() == "retracted 2 documents"
    assert graph_of(db) == graph_of(without_three)


def test_retracting_several_sources_at_once(
    sample_db: Path, without_three: Path, tmp_path: Path
) -> None:
    db = copy_store(sample_db, tmp_path / "kg.db")
    sources = ["--source", SAMPLES / RETRACTED_MD, "--source", SAMPLES / BATCH]
    assert kg("retract", *sources, "--db", db).out.strip() == "retracted 3 documents"
    assert graph_of(db) == graph_of(without_three)


def test_retract_then_rebuild_restores_the_full_graph(sample_db: Path, tmp_path: Path) -> None:
    db = copy_store(sample_db, tmp_path / "kg.db")
    assert kg("retract", "--source", SAMPLES / RETRACTED_MD, "--db", db).code == 0
    run = kg("build", SAMPLES, "--db", db, "--json", "-q")
    report = json.loads(run.out)
    assert report["extracted"] == 1
    assert report["unchanged"] == sample_document_count() - 1
    assert graph_of(db) == graph_of(sample_db)


def test_a_changed_document_replaces_its_old_contribution(sample_db: Path, tmp_path: Path) -> None:
    corpus = tmp_path / "news"
    shutil.copytree(SAMPLES, corpus)
    batch = corpus / BATCH
    records = [json.loads(line) for line in batch.read_text("utf-8").splitlines()]
    [changed] = [r for r in records if r["id"] == CHANGED_ID]
    old_text = changed["text"]
    changed["text"] = (
        "Nvidia said on Friday that it would invest $2 billion in Mistral AI, the Paris "
        "startup, and that Mistral AI would train its models on Nvidia chips.\n\n"
        "Arthur Mensch, the chief executive of Mistral AI, welcomed the deal."
    )
    batch.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")

    fresh = tmp_path / "fresh.db"  # only ever saw the new version
    assert kg("build", corpus, "--db", fresh, "-q").code == 0
    db = copy_store(sample_db, tmp_path / "kg.db")  # saw the old version first
    run = kg("build", corpus, "--db", db, "--json", "-q")
    no_traceback(run)
    report = json.loads(run.out)
    assert report["extracted"] == 1
    assert report["written"]["documents_replaced"] == 1
    graph = graph_of(db)
    assert graph == graph_of(fresh)
    # nothing of the old text is left: no evidence quotes it
    for rel in graph.relationships:
        for ev in rel["evidence"]:
            assert ev["doc_id"] != CHANGED_ID or ev["sentence"] not in old_text
