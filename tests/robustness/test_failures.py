"""A document whose extraction raises: counted as failed, the rest goes on.

The failure is forced with an extractor whose rules raise on one document (standing
in for a bug in a rule), in this process and in worker processes.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from spacy.tokens import Doc

from kg.build import build, spool_path
from kg.cli import cli
from kg.errors import KGError
from kg.extract import Extractor
from kg.models import Document, ExtractionResult
from kg.store import EmbeddedStore
from tests.conftest import SAMPLES, shared_extractor
from tests.robustness.conftest import json_lines

TEXTS = {
    "a": "Microsoft invested $10 billion in OpenAI.",
    "boom": "Nvidia acquired Run:ai for $700 million.",
    "c": "Amazon invested $4 billion in Anthropic.",
}


class FailingExtractor(Extractor):
    """Raises in the rules for documents whose id starts with 'boom'."""

    def _result(self, document: Document, parsed: list[tuple[Doc, int]]) -> ExtractionResult:
        if document.id.startswith("boom"):
            raise ValueError(f"rule failed on {document.id}")
        return super()._result(document, parsed)


def failing(**options: int) -> FailingExtractor:
    ex = shared_extractor()
    return FailingExtractor(ex.nlp, ex.gazetteer, **options)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    path = tmp_path / "docs.jsonl"
    path.write_text(
        "".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in TEXTS.items()), "utf-8"
    )
    return path


def test_a_failed_document_is_reported_and_the_others_are_written(
    corpus: Path, tmp_path: Path
) -> None:
    db = tmp_path / "kg.db"
    with EmbeddedStore(db, buffer_mb=64) as store:
        report = build([corpus], store, extractor=failing(), spool=spool_path(db))
        stored = set(store.document_hashes())
    assert stored == {"a", "c"}
    [failed] = report.failed
    assert failed.id == "boom"
    assert failed.reason == (
        f"{corpus}: extraction failed (ValueError: rule failed on boom); please report it"
    )
    assert report.read == 3 and report.extracted == 2
    assert "3 read, 0 unchanged, 0 skipped, 1 failed, 2 extracted" in report.summary()
    assert not spool_path(db).exists()


def test_on_error_stop_ends_the_build_at_the_failure_and_keeps_what_was_extracted(
    corpus: Path, tmp_path: Path
) -> None:
    db = tmp_path / "kg.db"
    with EmbeddedStore(db, buffer_mb=64) as store:
        with pytest.raises(KGError, match=r"document 'boom': .* extraction failed") as info:
            build([corpus], store, extractor=failing(), spool=spool_path(db), on_error="stop")
        assert isinstance(info.value.__cause__, ValueError)
        assert store.document_hashes() == {}
    assert [r["id"] for r in json_lines(spool_path(db))] == ["a"]  # kept for the next build


def test_the_cli_summary_counts_failed_documents(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("kg.cli.build._extractor", lambda processes: failing())
    args = ["build", str(corpus), "--db", str(tmp_path / "kg.db"), "-q"]
    text = CliRunner().invoke(cli, args, prog_name="kg")
    assert text.exit_code == 0, text.output
    assert "3 read, 0 unchanged, 0 skipped, 1 failed, 2 extracted" in text.stdout
    assert f"kg: failed {corpus}: extraction failed (ValueError" in text.stderr
    again = CliRunner().invoke(cli, [*args, "--json"], prog_name="kg")
    report = json.loads(again.stdout)
    assert report["unchanged"] == 2
    assert [f["id"] for f in report["failed"]] == ["boom"]  # tried again, failed again


def test_kg_extract_skips_a_failed_document(corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("kg.cli.build._extractor", lambda processes: failing())
    result = CliRunner().invoke(cli, ["extract", str(corpus), "-q"], prog_name="kg")
    assert result.exit_code == 0
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == ["a", "c"]
    assert "kg: failed" in result.stderr
    stop = CliRunner().invoke(
        cli, ["extract", str(corpus), "-q", "--on-error", "stop"], prog_name="kg"
    )
    assert stop.exit_code == 1
    assert isinstance(stop.exception, KGError)


# ------------------------------------------------------------------ worker processes


def _documents() -> list[Document]:
    from kg.ingest import iter_documents

    return [d for d in iter_documents([SAMPLES]) if isinstance(d, Document)]


def test_two_processes_give_the_same_results_in_the_same_order() -> None:
    documents = _documents()
    ex = shared_extractor()
    serial = [r.model_dump_json() for r in ex.extract_many(documents)]
    parallel_ex = Extractor(ex.nlp, ex.gazetteer, n_process=2, batch_size=8)
    parallel = [r.model_dump_json() for r in parallel_ex.extract_many(documents)]
    assert parallel == serial


def test_a_failure_in_a_worker_process_is_reported_with_its_traceback() -> None:
    ok = Document(id="ok", text=TEXTS["a"], content_hash="1")
    bad = Document(id="boom-1", text=TEXTS["boom"], content_hash="2")
    failures: list[tuple[str, BaseException]] = []
    ex = failing(n_process=2, batch_size=1)
    results = list(
        ex.extract_many([ok, bad, ok], on_failure=lambda d, e: failures.append((d.id, e)))
    )
    assert [r.id for r in results] == ["ok", "ok"]
    [(doc_id, err)] = failures
    assert doc_id == "boom-1"
    assert str(err) == "ValueError: rule failed on boom-1"
    assert "in _result" in "".join(getattr(err, "__notes__", []))
    with pytest.raises(RuntimeError, match="rule failed on boom-1"):
        list(ex.extract_many([ok, bad]))


def test_batches_are_bounded_by_characters() -> None:
    ex = shared_extractor()
    small = Extractor(ex.nlp, ex.gazetteer, batch_size=64, batch_chars=1_000)
    documents = _documents()[:6]
    chunks = list(small._chunks(documents))
    assert [len(c) for c in chunks] == [1] * 6  # every article is longer than 1,000
    assert [r.model_dump_json() for r in small.extract_many(documents)] == [
        r.model_dump_json() for r in ex.extract_many(documents)
    ]
