"""Bad input through the installed ``kg`` script: a reason per file, never a traceback.

Each case runs ``kg`` in a subprocess as a user would. A file that cannot be read is
skipped with a one-line reason naming it (and the line, for JSON Lines); a run that
cannot go on ends with one ``kg: error:`` line and a non-zero exit.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.ingest import MAX_CHARS, read_file
from kg.models import Document
from tests.robustness.conftest import graph_of, kg, kg_measured, no_traceback

GOOD = "Microsoft invested $10 billion in OpenAI, the companies said on Monday.\n"


def _names(db: Path) -> set[str]:
    return {e["name"] for e in graph_of(db).entities}


@pytest.fixture
def messy(tmp_path: Path) -> Path:
    """A folder with one good file and one of every kind of bad one."""
    d = tmp_path / "in"
    d.mkdir()
    (d / "good.txt").write_text(GOOD, encoding="utf-8")
    (d / "empty.txt").write_bytes(b"")
    (d / "blank.md").write_bytes(b"  \n\t\r\n  \n")
    (d / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8)
    (d / "broken.html").write_text(
        "<html><head><title>Chips</title><body><p>Nvidia acquired Run:ai for $700 million"
        "<p>AMD <b>agreed to buy <i>ZT Systems</b></i><div><table><tr><td>stray",
        encoding="utf-8",
    )
    (d / "batch.jsonl").write_text(
        json.dumps({"id": "j1", "text": "Amazon invested $4 billion in Anthropic."})
        + "\n"
        + '{"id": "j2", "text": "Google backed \n'
        + json.dumps({"id": "j3", "text": "Databricks acquired MosaicML for $1.3 billion."})
        + "\n",
        encoding="utf-8",
    )
    (d / "notext.json").write_text(json.dumps({"id": "n1", "body": "No text."}), "utf-8")
    return d


def test_every_bad_file_is_skipped_with_a_reason_and_the_rest_is_built(
    messy: Path, tmp_path: Path
) -> None:
    db = tmp_path / "kg.db"
    run = kg("build", messy, "--db", db, "--json", "-q")
    no_traceback(run)
    assert run.code == 0, run.err
    report = json.loads(run.out)
    reasons = {Path(s["path"]).name: s["reason"] for s in report["skipped"]}
    assert set(reasons) == {"empty.txt", "blank.md", "image.txt", "batch.jsonl", "notext.json"}
    assert "empty file" in reasons["empty.txt"]
    assert "empty file" in reasons["blank.md"]
    assert "binary file" in reasons["image.txt"]
    assert f"{messy / 'batch.jsonl'}:2: not valid JSON" in reasons["batch.jsonl"]
    assert "no 'text' field" in reasons["notext.json"]
    for s in report["skipped"]:
        assert s["path"] in s["reason"]  # every reason names its file
    jsonl = next(s for s in report["skipped"] if s["path"].endswith("batch.jsonl"))
    assert jsonl["line"] == 2
    # the good file, the malformed HTML and both good JSON lines are in the graph
    assert report["read"] == report["extracted"] == 4
    assert report["failed"] == []
    names = _names(db)
    assert {"Microsoft", "OpenAI", "Nvidia", "AMD", "Amazon", "Anthropic"} <= names
    assert {"Databricks", "MosaicML"} <= names  # the line after the broken one


def test_text_summary_has_one_reason_line_per_skipped_file(messy: Path, tmp_path: Path) -> None:
    run = kg("build", messy, "--db", tmp_path / "kg.db", "-q")
    no_traceback(run)
    assert run.code == 0
    skipped = [line for line in run.err_lines() if line.startswith("kg: skipped ")]
    assert len(skipped) == 5
    summary = run.out.splitlines()[0]
    assert summary.startswith("documents: 4 read, 0 unchanged, 5 skipped, 0 failed, 4 extracted;")
    assert "entities" in summary and "relationships" in summary
    assert run.out.splitlines()[1].startswith("skipped: ")


def test_on_error_stop_ends_at_the_broken_line(messy: Path, tmp_path: Path) -> None:
    db = tmp_path / "kg.db"
    run = kg("build", messy / "batch.jsonl", "--db", db, "--on-error", "stop", "-q")
    no_traceback(run)
    assert run.code == 1
    [line] = run.err_lines()
    assert line.startswith(f"kg: error: {messy / 'batch.jsonl'}:2: not valid JSON")
    assert "j3" not in {d["id"] for d in graph_of(db).documents}  # the rest did not go on


def test_pathological_html_is_read_without_recursion_or_glued_words(tmp_path: Path) -> None:
    path = tmp_path / "deep.html"
    path.write_text(
        "<html><body>"
        + "<div><b>" * 5000
        + "<p>Nvidia<i>'s</i> <b>H100</b> chips</p></td></tr>stray</p>"
        + "<p>Amazon<br>invested in <a href='#'>Anthropic</a>.<!-- hidden --></p>",
        encoding="utf-8",
    )
    [doc] = [d for d in read_file(path) if isinstance(d, Document)]
    assert "Nvidia's H100 chips" in doc.text
    assert "Amazon invested in Anthropic." in doc.text
    assert "hidden" not in doc.text


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (["build", "--no-such-option", "x"], 2, "No such option"),
        (["build", "x", "--on-error", "sometimes"], 2, "'sometimes' is not one of"),
        (["build", "x", "--max-chars", "0"], 2, "--max-chars"),
        (["bulid", "x"], 2, "No such command 'bulid'"),
        (["build"], 2, "Missing argument 'PATHS...'"),
    ],
    ids=["unknown-option", "bad-choice", "bad-number", "unknown-command", "no-paths"],
)
def test_usage_errors_exit_2_without_traceback(
    tmp_path: Path, args: list[str], code: int, says: str
) -> None:
    run = kg(*args, cwd=tmp_path)
    no_traceback(run)
    assert run.code == code
    assert says in run.err
    assert run.out == ""
    assert list(tmp_path.iterdir()) == []  # nothing created


@pytest.mark.parametrize("command", ["build", "extract", "retract --source"])
def test_a_missing_path_is_one_line_and_creates_nothing(tmp_path: Path, command: str) -> None:
    missing = tmp_path / "no" / "such.md"
    run = kg(*command.split(), missing, cwd=tmp_path)
    no_traceback(run)
    assert run.code == 1
    assert run.err_lines() == [f"kg: error: {missing}: no such file or directory"]
    assert list(tmp_path.iterdir()) == []  # no store, no spool


def test_loading_a_file_that_is_not_extraction_output_is_one_line(
    messy: Path, tmp_path: Path
) -> None:
    run = kg("load", messy / "batch.jsonl", "--db", tmp_path / "kg.db")
    no_traceback(run)
    assert run.code == 1
    [line] = run.err_lines()
    assert line.startswith(f"kg: error: {messy / 'batch.jsonl'}:1: not an extraction result")
    assert "content_hash: Field required" in line


def test_an_invalid_setting_is_one_line(tmp_path: Path) -> None:
    run = kg("build", tmp_path, "--db", tmp_path / "kg.db", env={"KG_BATCH_SIZE": "many"})
    no_traceback(run)
    assert run.code == 1
    [line] = run.err_lines()
    assert "KG_BATCH_SIZE" in line


# ------------------------------------------------------------------ encodings

FRENCH = "Mistral AI, la société de Paris, a levé 600 millions d'euros auprès de Nvidia."


ENCODED = {
    # file name: (encoding, text, what the warning says; None: no warning)
    "latin-1.txt": ("latin-1", FRENCH, "decoded as cp1252"),
    "cp1252.txt": (
        "cp1252",
        "Microsoft\u2019s \u201cbig bet\u201d on OpenAI \u2013 \u20ac10bn.",
        "cp1252",
    ),
    "cp1251.txt": ("cp1251", "Яндекс и Сбербанк инвестируют в стартап из Москвы.", "(detected)"),
    "utf-16-bom.txt": ("utf-16", "Anthropic partnered with Google on TPUs.", None),
    "utf-8-bom.txt": ("utf-8-sig", "Meta released Llama 2 with Microsoft.", None),
}


def test_non_utf8_text_is_decoded_with_a_stated_fallback(tmp_path: Path) -> None:
    for name, (encoding, text, _) in ENCODED.items():
        (tmp_path / name).write_bytes(text.encode(encoding))
    run = kg("extract", tmp_path)
    no_traceback(run)
    assert run.code == 0, run.err
    results = {Path(r["path"]).name: r for r in map(json.loads, run.out.splitlines())}
    assert set(results) == set(ENCODED)
    for name, (_, text, stated) in ENCODED.items():
        mentions = [m for e in results[name]["entities"] for m in e["mentions"]]
        assert mentions or name == "cp1251.txt"
        for m in mentions:
            assert text[m["start"] : m["end"]] == m["text"], name  # decoded exactly
        warnings = [line for line in run.err_lines() if f"{tmp_path / name}: not UTF-8" in line]
        if stated is None:
            assert warnings == [], name
        else:
            [warning] = warnings
            assert stated in warning


def test_a_decoded_western_file_reads_back_exactly(tmp_path: Path) -> None:
    path = tmp_path / "legacy.txt"
    path.write_bytes(FRENCH.encode("latin-1"))
    db = tmp_path / "kg.db"
    assert kg("build", path, "--db", db, "-q").code == 0
    run = kg("query", "MATCH (e:Entity) RETURN e.name ORDER BY e.name", "--db", db, "--json")
    assert {row["e.name"] for row in json.loads(run.out)} >= {"Mistral AI", "Nvidia"}


# ------------------------------------------------------------------ size


def test_a_50_mb_text_file_is_skipped_at_once_with_the_reason(tmp_path: Path) -> None:
    big = tmp_path / "dump.txt"
    paragraph = (GOOD * 20 + "\n").encode()
    with big.open("wb") as fh:
        for _ in range(50 * 1024 * 1024 // len(paragraph) + 1):
            fh.write(paragraph)
    assert big.stat().st_size >= 50 * 1024 * 1024
    (tmp_path / "ok.txt").write_text(GOOD, encoding="utf-8")
    db = tmp_path / "kg.db"
    run = kg_measured("build", big, tmp_path / "ok.txt", "--db", db, "--json", "-q")
    no_traceback(run)
    assert run.code == 0, run.err
    report = json.loads(run.out)
    [skip] = report["skipped"]
    assert skip["path"] == str(big)
    assert f"more than one document may have ({MAX_CHARS:,})" in skip["reason"]
    assert "--max-chars" in skip["reason"]  # says how to change it
    assert report["extracted"] == 1
    assert run.max_rss_mb < 1024  # never read into memory whole
    # with --on-error stop it is the one error of the run
    stop = kg("build", big, "--db", db, "--on-error", "stop", "-q")
    assert stop.code == 1
    assert len(stop.err_lines()) == 1 and str(big) in stop.err


def test_a_long_jsonl_record_is_skipped_with_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "dump.jsonl"
    path.write_text(
        json.dumps({"id": "short", "text": GOOD})
        + "\n"
        + json.dumps({"id": "long", "text": GOOD * 30})
        + "\n",
        encoding="utf-8",
    )
    run = kg("build", path, "--db", tmp_path / "kg.db", "--max-chars", "2000", "--json", "-q")
    assert run.code == 0, run.err
    report = json.loads(run.out)
    [skip] = report["skipped"]
    assert skip["line"] == 2
    assert skip["reason"].startswith(f"{path}:2: {len(GOOD * 30):,} characters of text")
    assert report["extracted"] == 1


@pytest.mark.slow
def test_a_long_document_is_extracted_in_segments_in_bounded_memory(tmp_path: Path) -> None:
    """250,000 characters: three segments, offsets into the whole text, memory flat."""
    from kg.extract.pipeline import SEGMENT_CHARS

    news = sorted(Path(__file__).resolve().parents[2].glob("examples/news/*.md"))
    body = "\n\n".join(p.read_text("utf-8").split("---\n", 2)[2] for p in news)
    text = (body + "\n\n") * (250_000 // len(body) + 1)
    text = text[:250_000]
    assert len(text) > 2 * SEGMENT_CHARS
    path = tmp_path / "long.txt"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "long.jsonl"
    run = kg_measured("extract", path, "-o", out, "-q")
    no_traceback(run)
    assert run.code == 0, run.err
    [result] = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    starts = [m["start"] for e in result["entities"] for m in e["mentions"]]
    assert max(starts) > 2 * SEGMENT_CHARS  # the last segment was read too
    for entity in result["entities"]:
        for m in entity["mentions"]:
            assert text[m["start"] : m["end"]] == m["text"]
    for rel in result["relations"]:
        ev = rel["evidence"]
        assert text[ev["sentence_start"] : ev["sentence_end"]].strip() == ev["sentence"]
    assert run.max_rss_mb < 1024
