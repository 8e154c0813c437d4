"""The ``kg`` command line, end to end on the sample corpus and on small inputs.

The sample corpus is built once per session with ``kg build`` (``sample_db`` in the
shared conftest); tests that change a store build their own from small files.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result

from kg import __version__
from kg.build import spool_path
from kg.cli import cli, main
from kg.ontology import RELATION_TYPES
from tests.conftest import SAMPLES, sample_document_count

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
KG = Path(sys.executable).with_name("kg")


def invoke(*args: str | Path) -> Result:
    """Run ``kg ARGS`` in-process through click (exceptions stay on ``result``)."""
    return CliRunner().invoke(cli, [str(a) for a in args], prog_name="kg")


def ok(*args: str | Path) -> Result:
    result = invoke(*args)
    assert result.exit_code == 0, (result.output, result.exception)
    return result


def json_out(*args: str | Path) -> Any:
    return json.loads(ok(*args).stdout)


@dataclass
class Run:
    code: int
    out: str
    err: str


@pytest.fixture
def run_main(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Iterator[Any]:
    """Run ``kg ARGS`` through the console entry point, as a user would (exit codes,
    error lines), in this process."""

    def run(*args: str | Path) -> Run:
        monkeypatch.setattr(sys, "argv", ["kg", *map(str, args)])
        capsys.readouterr()
        code = 0
        try:
            main()
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    yield run


def stats(db: Path) -> dict[str, Any]:
    return json_out("stats", "--db", db, "--store", "embedded", "--json")  # type: ignore[no-any-return]


# ------------------------------------------------------------------ version and help


def test_version() -> None:
    result = ok("--version")
    assert result.stdout.strip() == f"kg, version {__version__}"
    assert ok("-V").stdout == result.stdout


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    for name, command in sorted(group.commands.items()):
        yield (*prefix, name)
        if isinstance(command, click.Group):
            yield from _commands(command, (*prefix, name))


ALL_COMMANDS = list(_commands(cli))


def test_the_documented_commands_exist() -> None:
    names = {c[0] for c in ALL_COMMANDS}
    assert {"build", "extract", "load", "retract", "stats", "query", "top"} <= names


@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_top_level_help(flag: str) -> None:
    out = ok(flag).stdout
    assert out.startswith("Usage: kg")
    for (name,) in [c for c in ALL_COMMANDS if len(c) == 1]:
        assert re.search(rf"^\s+{re.escape(name)}\s", out, re.M), name


@pytest.mark.parametrize("command", ALL_COMMANDS, ids=" ".join)
def test_every_command_has_help(command: tuple[str, ...]) -> None:
    out = ok(*command, "--help").stdout
    assert out.startswith(f"Usage: kg {' '.join(command)}")
    assert ok(*command, "-h").stdout == out
    group: click.Command = cli
    for name in command:
        assert isinstance(group, click.Group)
        group = group.commands[name]
    assert (group.help or "").strip(), f"kg {' '.join(command)} has no help text"


def test_every_command_appears_in_the_readme() -> None:
    assert README.exists(), "README.md is missing"
    text = README.read_text(encoding="utf-8")
    missing = [
        " ".join(c)
        for c in ALL_COMMANDS
        if not re.search(rf"\bkg {re.escape(c[0])}\b", text)
        or (len(c) > 1 and not re.search(rf"\bkg {re.escape(c[0])}\b[^\n]*\b{c[-1]}\b", text))
    ]
    assert missing == [], f"commands not in README.md: {missing}"


# ------------------------------------------------------------------ build and look


def test_stats_json(sample_db: Path) -> None:
    data = stats(sample_db)
    assert set(data) == {"nodes", "relationships", "modalities", "documents"}
    assert data["documents"] == sample_document_count()
    assert set(data["nodes"]) == {"Organization", "Person", "Product"}
    assert all(n > 0 for n in data["nodes"].values())
    assert set(data["relationships"]) <= set(RELATION_TYPES)
    assert len(data["relationships"]) >= 8  # the sample corpus covers most types
    for rtype, counts in data["modalities"].items():
        # every stored relationship has at least one mention
        assert sum(counts.values()) >= data["relationships"][rtype]


def test_stats_text(sample_db: Path) -> None:
    out = ok("stats", "--db", sample_db).stdout
    assert f"documents: {sample_document_count()}" in out
    assert "Organization" in out


def test_top_json(sample_db: Path) -> None:
    rows = json_out("top", "--db", sample_db, "--json")
    assert len(rows) == 20
    assert [r["rank"] for r in rows] == list(range(1, 21))
    assert set(rows[0]) == {"rank", "entity", "type", "degree", "support", "documents"}
    degrees = [r["degree"] for r in rows]
    assert degrees == sorted(degrees, reverse=True)
    assert {"OpenAI", "Microsoft"} <= {r["entity"] for r in rows[:5]}


def test_top_by_type_and_limit(sample_db: Path) -> None:
    rows = json_out("top", "--db", sample_db, "--json", "-n", "5", "--type", "Person")
    assert len(rows) == 5
    assert {r["type"] for r in rows} == {"Person"}


def test_query_json(sample_db: Path) -> None:
    rows = json_out(
        "query",
        "MATCH (o:Organization) WHERE o.id = 'org:microsoft' RETURN o.name AS name",
        "--db",
        sample_db,
        "--json",
    )
    assert rows == [{"name": "Microsoft"}]


def test_query_with_parameter(sample_db: Path) -> None:
    rows = json_out(
        "query",
        "MATCH (a)-[r:INVESTS_IN]->(b:Organization) WHERE b.name = $name "
        "RETURN a.name AS investor ORDER BY investor",
        "--param",
        "name=OpenAI",
        "--db",
        sample_db,
        "--json",
    )
    assert {"investor": "Microsoft"} in rows


def test_query_csv(sample_db: Path) -> None:
    out = ok(
        "query",
        "MATCH (p:Person) RETURN p.name AS name ORDER BY name LIMIT 3",
        "--db",
        sample_db,
        "--csv",
    ).stdout
    lines = out.splitlines()
    assert lines[0] == "name"
    assert len(lines) == 4


def test_saved_query(sample_db: Path) -> None:
    rows = json_out(
        "query", "--saved", "investors-in", "--param", "name=OpenAI", "--db", sample_db, "--json"
    )
    microsoft = [r for r in rows if r["investor"] == "Microsoft"]
    assert microsoft
    assert microsoft[0]["amount_usd"] == pytest.approx(13e9)


def test_saved_query_list() -> None:
    out = ok("query", "--list").stdout
    assert "investors-in" in out
    assert "rivals-of" in out


def test_create_is_refused_with_exit_1(sample_db: Path, run_main: Any) -> None:
    before = stats(sample_db)
    run = run_main("query", "CREATE (n:X)", "--db", sample_db)
    assert run.code == 1
    assert run.out == ""
    lines = run.err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("kg: error:")
    assert "--write" in lines[0]
    assert "Traceback" not in run.err
    assert stats(sample_db) == before


def test_building_twice_leaves_counts_unchanged(sample_db: Path) -> None:
    before = stats(sample_db)
    report = json_out("build", SAMPLES, "--db", sample_db, "--store", "embedded", "-q", "--json")
    assert report["unchanged"] == report["read"] == sample_document_count()
    assert report["extracted"] == 0
    assert report["written"]["documents_written"] == 0
    assert stats(sample_db) == before
    assert not spool_path(sample_db).exists()


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "dry.db"
    report = json_out("build", SAMPLES, "--db", db, "--dry-run", "-q", "--json")
    assert report["dry_run"] is True
    assert report["extracted"] == sample_document_count()
    assert report["written"]["documents_written"] == 0
    if db.exists():
        assert stats(db)["documents"] == 0


# ------------------------------------------------------------------ extract, load, retract

SMALL = [
    {
        "id": "cli-1",
        "published": "2024-05-21",
        "text": "Microsoft CEO Satya Nadella said Microsoft invested $13 billion in OpenAI.",
    },
    {
        "id": "cli-2",
        "published": "2024-06-02",
        "text": "Elon Musk's xAI said Grok competes with GPT-4.",
    },
]


@pytest.fixture
def small_file(tmp_path: Path) -> Path:
    path = tmp_path / "small.jsonl"
    path.write_text("".join(json.dumps(d) + "\n" for d in SMALL), encoding="utf-8")
    return path


def test_extract_to_file(small_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    result = ok("extract", small_file, "-o", out)
    assert "extracted 2 documents" in result.stderr
    assert result.stdout == ""
    assert not out.with_name(out.name + ".partial").exists()
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(SMALL)
    for line, given in zip(lines, SMALL, strict=True):
        record = json.loads(line)
        assert record["id"] == given["id"]
        assert record["published"] == given["published"]
        ids = set()
        for e in record["entities"]:
            assert {"id", "name", "type", "aliases"} <= set(e)
            assert e["type"].upper() in {"ORGANIZATION", "PERSON", "PRODUCT"}
            assert isinstance(e["aliases"], list)
            ids.add(e["id"])
        assert record["relations"]
        for r in record["relations"]:
            assert {"type", "source", "target", "modality"} <= set(r)
            assert r["type"] in RELATION_TYPES
            assert {r["source"], r["target"]} <= ids
            assert r["modality"] in {"asserted", "reported", "speculative", "planned", "negated"}
    first = json.loads(lines[0])
    names = {e["id"]: e["name"] for e in first["entities"]}
    triples = {(r["type"], names[r["source"]], names[r["target"]]) for r in first["relations"]}
    assert ("INVESTS_IN", "Microsoft", "OpenAI") in triples
    assert ("LEADS", "Satya Nadella", "Microsoft") in triples


def test_extract_to_stdout(small_file: Path) -> None:
    result = ok("extract", small_file, "-q")
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == ["cli-1", "cli-2"]
    assert "extracted" not in result.stderr


def test_load_retract_round_trip(small_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    ok("extract", small_file, "-o", out, "-q")
    db = tmp_path / "small.db"
    first = ok("load", out, "--db", db).stdout
    assert "2 documents written" in first
    after_load = stats(db)
    assert after_load["documents"] == 2
    again = ok("load", out, "--db", db).stdout
    assert "0 documents written, 2 already stored" in again
    assert stats(db) == after_load
    assert "would retract 1 of 1" in ok("retract", "cli-2", "--db", db, "--dry-run").stdout
    assert stats(db) == after_load
    assert "retracted 1 documents" in ok("retract", "cli-2", "--db", db).stdout
    assert stats(db)["documents"] == 1
    assert "Product" in stats(db)["nodes"]
    assert stats(db)["nodes"]["Product"] == 0  # Grok and GPT-4 went with cli-2


def test_build_then_extract_agree(small_file: Path, tmp_path: Path) -> None:
    db = tmp_path / "b.db"
    ok("build", small_file, "--db", db, "-q")
    out = tmp_path / "out.jsonl"
    ok("extract", small_file, "-o", out, "-q")
    loaded = tmp_path / "l.db"
    ok("load", out, "--db", loaded)
    assert stats(db) == stats(loaded)


# ------------------------------------------------------------------ user errors


@pytest.mark.parametrize("command", ["extract", "build"])
def test_missing_path_is_one_line_on_stderr(tmp_path: Path, run_main: Any, command: str) -> None:
    missing = tmp_path / "no-such-dir"
    options = ["--db", str(tmp_path / "x.db")] if command == "build" else []
    run = run_main(command, missing, *options, "-q")
    assert run.code == 1
    assert run.err.strip() == f"kg: error: {missing}: no such file or directory"
    assert run.out == ""


def test_failed_build_leaves_no_files(tmp_path: Path, run_main: Any) -> None:
    db = tmp_path / "x.db"
    run = run_main("build", tmp_path / "no-such-dir", "--db", db, "-q")
    assert run.code == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_bad_option_is_a_usage_error(run_main: Any) -> None:
    run = run_main("stats", "--no-such-option")
    assert run.code == 2
    assert run.out == ""
    assert "Traceback" not in run.err
    assert re.search(r"No such option\W+--no-such-option", run.err)
    error_lines = [line for line in run.err.splitlines() if line.startswith("Error:")]
    assert len(error_lines) == 1


def test_bad_choice_is_a_usage_error(run_main: Any) -> None:
    run = run_main("top", "--type", "Planet")
    assert run.code == 2
    assert "Planet" in run.err
    assert "Traceback" not in run.err


def test_query_on_a_missing_store_says_how_to_build_one(tmp_path: Path, run_main: Any) -> None:
    run = run_main("stats", "--db", tmp_path / "none.db")
    assert run.code == 1
    lines = run.err.strip().splitlines()
    assert len(lines) == 1
    assert "kg build" in lines[0]
    assert not (tmp_path / "none.db").exists()


def test_unknown_saved_query_lists_the_names(sample_db: Path, run_main: Any) -> None:
    run = run_main("query", "--saved", "nope", "--db", sample_db)
    assert run.code == 1
    assert "investors-in" in run.err
    assert len(run.err.strip().splitlines()) == 1


def test_console_script_end_to_end(tmp_path: Path) -> None:
    """The installed ``kg`` script: a user error is one line, no traceback, exit 1."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    missing = tmp_path / "missing.txt"
    failed = subprocess.run(
        [str(KG), "extract", str(missing)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
        cwd=tmp_path,
    )
    assert failed.returncode == 1
    assert failed.stdout == ""
    assert failed.stderr.strip() == f"kg: error: {missing}: no such file or directory"
    assert list(tmp_path.iterdir()) == []
