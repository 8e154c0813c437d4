"""``kg`` against Neo4j: build, load (and a load killed half-way), query, sync, neo4j start.

Commands run through the console entry point in this process (``run``), or as a
real subprocess where the test kills it or needs a clean environment.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kg.build import read_results
from kg.cli import main
from kg.models import Entity, Evidence, ExtractionResult, Mention, Relation
from kg.ontology import EntityType, Modality
from kg.store import EmbeddedStore
from kg.store.base import GraphStore
from kg.store.neo4j import BATCH_SIZE, Neo4jStore
from tests.neo4j_fixtures import NEWS, Neo4jServer

KG = Path(sys.executable).with_name("kg")
SECRET = "never-print-me-4d2a"


@dataclasses.dataclass
class Run:
    code: int
    out: str
    err: str


Runner = Callable[..., Run]


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Runner:
    """``kg ARGS`` through the console entry point, in this process, with ``env`` set."""

    def invoke(*args: str | Path, env: dict[str, str] | None = None) -> Run:
        with monkeypatch.context() as patch:
            for name, value in (env or {}).items():
                patch.setenv(name, value)
            patch.setattr(sys, "argv", ["kg", *map(str, args)])
            capsys.readouterr()
            code = 0
            try:
                main()
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
            captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return invoke


def kg_process(*args: str | Path, env: dict[str, str], cwd: Path) -> subprocess.Popen[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    return subprocess.Popen(
        [str(KG), *map(str, args)],
        env={**clean, **env},
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def kg_run(*args: str | Path, env: dict[str, str], cwd: Path, timeout: float = 300) -> Run:
    proc = kg_process(*args, env=env, cwd=cwd)
    out, err = proc.communicate(timeout=timeout)
    return Run(proc.returncode, out, err)


def snapshot(store: GraphStore) -> tuple[object, ...]:
    return (
        store.stats(),
        [dataclasses.asdict(e) for e in store.entities()],
        [dataclasses.asdict(r) for r in store.relationships()],
    )


@pytest.fixture
def news_db(tmp_path: Path, news_results: list[ExtractionResult]) -> Path:
    """An embedded store holding ``examples/news``."""
    path = tmp_path / "news.db"
    with EmbeddedStore(path) as store:
        store.write(news_results)
    return path


# ------------------------------------------------------------------- kg query
@pytest.mark.neo4j
@pytest.mark.parametrize("kind", ["embedded", "neo4j"])
def test_query_refuses_a_write_without_the_flag(
    kind: str, tmp_path: Path, neo4j_server: Neo4jServer, neo4j_store: Neo4jStore
) -> None:
    db = tmp_path / "graph.db"
    EmbeddedStore(db, buffer_mb=64).close()
    env = neo4j_server.env() | {"KG_STORE": kind, "KG_DB": str(db)}
    create = "CREATE (:Organization {id: 'org:x', name: 'X'})"
    refused = kg_run("query", create, env=env, cwd=tmp_path)
    assert refused.code == 1, refused
    assert refused.err.startswith("kg: error: the query has a writing clause (CREATE)")
    assert "--write" in refused.err and "Traceback" not in refused.err
    count = "MATCH (o:Organization {id: 'org:x'}) RETURN count(o) AS n"
    assert kg_run("query", count, "--json", env=env, cwd=tmp_path).out.count('"n": 0') == 1
    assert kg_run("query", create, "--write", env=env, cwd=tmp_path).code == 0
    assert kg_run("query", count, "--json", env=env, cwd=tmp_path).out.count('"n": 1') == 1


@pytest.mark.neo4j
def test_unreachable_neo4j_is_one_clear_line(tmp_path: Path) -> None:
    env = {"KG_STORE": "neo4j", "KG_NEO4J_URI": "bolt://127.0.0.1:1", "KG_NEO4J_PASSWORD": SECRET}
    for args in (("stats",), ("query", "RETURN 1"), ("sync", "--db", tmp_path / "none.db")):
        if args[0] == "sync":
            EmbeddedStore(tmp_path / "none.db", buffer_mb=64).close()
        result = kg_run(*args, env=env, cwd=tmp_path)
        assert result.code == 1, result
        assert result.err.startswith("kg: error: cannot reach Neo4j at bolt://127.0.0.1:1")
        assert "Traceback" not in result.err
        assert SECRET not in result.err + result.out


# ------------------------------------------------------------------- kg build
@pytest.mark.neo4j
def test_build_into_neo4j_equals_the_embedded_graph(
    run: Runner,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    neo4j_server: Neo4jServer,
    neo4j_store: Neo4jStore,
    news_db: Path,
) -> None:
    monkeypatch.chdir(tmp_path)
    built = run("build", NEWS, "--store", "neo4j", "--quiet", "--json", env=neo4j_server.env())
    assert built.code == 0, built
    assert json.loads(built.out)["written"]["documents_written"] >= 40
    assert not (tmp_path / ".kg-neo4j.pending.jsonl").exists()  # all written: spool gone
    with EmbeddedStore(news_db, read_only=True) as embedded:
        assert snapshot(neo4j_store) == snapshot(embedded)
    again = run("build", NEWS, "--store", "neo4j", "--quiet", "--json", env=neo4j_server.env())
    assert json.loads(again.out)["written"]["documents_written"] == 0


# -------------------------------------------------------------------- kg load
def _synthetic(n_docs: int) -> Iterator[ExtractionResult]:
    """Documents of 4 relations among 60 organisations: edges recur across batches."""
    rng = random.Random(11)
    for d in range(n_docs):
        doc_id = f"syn-{d:05d}"
        published = dt.date(2024, 1, 1) + dt.timedelta(days=d % 300)
        entities: dict[str, Entity] = {}
        relations = []
        for _ in range(4):
            i, j = rng.sample(range(60), 2)
            for n in (i, j):
                entities[f"org:o{n}"] = Entity(
                    id=f"org:o{n}",
                    name=f"Org {n}",
                    type=EntityType.ORGANIZATION,
                    aliases=[f"O{n} ({d % 3})"],
                    mentions=[Mention(text=f"Org {n}", start=0, end=5, source="gazetteer")],
                )
            rtype = rng.choice(["INVESTS_IN", "PARTNERS_WITH", "SUPPLIES", "RIVALS"])
            relations.append(
                Relation(
                    type=rtype,
                    source=f"org:o{i}",
                    target=f"org:o{j}",
                    modality=rng.choice(list(Modality)),
                    confidence=round(rng.random(), 2),
                    amount_usd=float(rng.randrange(1, 9)) * 1e6 if rtype == "INVESTS_IN" else None,
                    date=published,
                    evidence=Evidence(
                        doc_id=doc_id,
                        sentence=f"Org {i} and Org {j}, {d}.",
                        sentence_start=0,
                        sentence_end=10,
                        rule="synthetic",
                    ),
                )
            )
        yield ExtractionResult(
            id=doc_id,
            published=published,
            content_hash=hashlib.sha1(doc_id.encode()).hexdigest(),
            entities=list(entities.values()),
            relations=relations,
        )


def _documents(server: Neo4jServer) -> int:
    return int(server.run("MATCH (d:Document) RETURN count(d) AS n")[0]["n"])


@pytest.mark.neo4j
@pytest.mark.slow
def test_load_killed_midway_then_rerun_equals_an_uninterrupted_load(
    tmp_path: Path, neo4j_server: Neo4jServer, neo4j_store: Neo4jStore
) -> None:
    n_docs = 4 * BATCH_SIZE
    big = tmp_path / "big.jsonl"
    big.write_text("".join(r.model_dump_json() + "\n" for r in _synthetic(n_docs)), "utf-8")
    env = neo4j_server.env()

    proc = kg_process("load", big, "--store", "neo4j", env=env, cwd=tmp_path)
    try:
        deadline = time.monotonic() + 240
        while _documents(neo4j_server) == 0:  # until the first batch is committed
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "no batch committed in time"
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.kill()
        proc.communicate()
    assert proc.returncode == -signal.SIGKILL
    committed = _documents(neo4j_server)
    assert 0 < committed < n_docs, "the load was not interrupted half-way"
    assert committed % BATCH_SIZE == 0  # whole batches: the one in flight was rolled back

    resumed = kg_run("load", big, "--store", "neo4j", env=env, cwd=tmp_path)
    assert resumed.code == 0, resumed
    assert f"{n_docs - committed} documents written, {committed} already stored" in resumed.out
    after_kill = snapshot(neo4j_store)

    neo4j_server.wipe()
    with neo4j_server.open() as store:
        store.write(read_results(big))
        assert snapshot(store) == after_kill


@pytest.mark.neo4j
def test_load_extraction_file_into_neo4j(
    run: Runner,
    tmp_path: Path,
    neo4j_server: Neo4jServer,
    neo4j_store: Neo4jStore,
    news_results: list[ExtractionResult],
) -> None:
    jsonl = tmp_path / "news.jsonl"
    jsonl.write_text("".join(r.model_dump_json() + "\n" for r in news_results), "utf-8")
    loaded = run("load", jsonl, "--store", "neo4j", env=neo4j_server.env())
    assert loaded.code == 0, loaded
    assert f"loaded: {len(news_results)} documents written, 0 already stored" in loaded.out
    again = run("load", jsonl, "--store", "neo4j", env=neo4j_server.env())
    assert f"0 documents written, {len(news_results)} already stored" in again.out


@pytest.mark.neo4j
def test_query_prints_whole_document_nodes_in_every_format(
    run: Runner,
    neo4j_server: Neo4jServer,
    neo4j_store: Neo4jStore,
    news_results: list[ExtractionResult],
) -> None:
    """A Document node holds its extraction as bytes: every output format shows it."""
    neo4j_store.write(news_results[:2])
    env = neo4j_server.env() | {"KG_STORE": "neo4j"}
    docs = "MATCH (d:Document) RETURN d, d.extraction AS x ORDER BY d.id"
    table = run("query", docs, env=env)
    assert table.code == 0, table
    assert " bytes>" in table.out
    as_json = run("query", docs, "--json", env=env)
    assert as_json.code == 0, as_json
    rows = json.loads(as_json.out)
    assert rows[0]["d"]["id"] == news_results[0].id
    assert rows[0]["x"] == rows[0]["d"]["extraction"] and isinstance(rows[0]["x"], str)
    assert run("query", docs, "--csv", env=env).code == 0


# -------------------------------------------------------------------- kg sync
@pytest.mark.neo4j
def test_sync_makes_neo4j_equal_to_the_embedded_graph(
    run: Runner,
    tmp_path: Path,
    neo4j_server: Neo4jServer,
    neo4j_store: Neo4jStore,
    news_db: Path,
    news_results: list[ExtractionResult],
) -> None:
    env = neo4j_server.env() | {"KG_DB": str(news_db)}
    stray = next(_synthetic(1))
    neo4j_store.write([news_results[0], stray])  # one document in both, one only in Neo4j
    dry = json.loads(run("sync", "--dry-run", "--json", env=env).out)
    assert (dry["to_write"], dry["to_retract"], dry["unchanged"], dry["dry_run"]) == (
        len(news_results) - 1,
        1,
        1,
        True,
    )
    assert neo4j_store.stats().documents == 2  # a dry run changes nothing

    synced = run("sync", env=env)
    assert synced.code == 0, synced
    assert f"synced: {len(news_results) - 1} documents written" in synced.out
    assert "1 retracted" in synced.out
    with EmbeddedStore(news_db, read_only=True) as embedded:
        assert snapshot(neo4j_store) == snapshot(embedded)
    assert stray.id not in neo4j_store.document_hashes()

    again = run("sync", "--json", env=env)
    assert json.loads(again.out)["written"]["documents_written"] == 0

    # Change the embedded graph: one document retracted, one replaced by a new version.
    changed = news_results[2].model_copy(
        update={"content_hash": "edited", "relations": news_results[2].relations[:1]}
    )
    with EmbeddedStore(news_db) as embedded:
        embedded.retract([news_results[1].id])
        embedded.write([changed])
    resynced = run("sync", "--json", env=env)
    report = json.loads(resynced.out)
    assert (report["retracted"], report["written"]["documents_replaced"]) == (1, 1)
    with EmbeddedStore(news_db, read_only=True) as embedded:
        assert snapshot(neo4j_store) == snapshot(embedded)


# ------------------------------------------------------------------- kg neo4j
def test_neo4j_status_of_a_directory_without_a_server(run: Runner, tmp_path: Path) -> None:
    result = run("neo4j", "status", "--data", tmp_path)
    assert result.code == 3
    assert "neo4j is not running" in result.out
    assert json.loads(run("neo4j", "status", "--data", tmp_path, "--json").out)["running"] is False


def test_neo4j_start_needs_the_password_from_the_environment(
    run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KG_NEO4J_PASSWORD", raising=False)
    result = run("neo4j", "start", "--data", tmp_path, "--port", "0")
    assert result.code == 1
    assert "KG_NEO4J_PASSWORD" in result.err
    assert not (tmp_path / "kg-neo4j.pid").exists()


def test_neo4j_stop_without_a_server(run: Runner, tmp_path: Path) -> None:
    result = run("neo4j", "stop", "--data", tmp_path)
    assert result.code == 0 and "was not running" in result.out


@pytest.mark.neo4j
def test_neo4j_status_of_the_running_server(
    run: Runner, tmp_path: Path, neo4j_server: Neo4jServer
) -> None:
    if neo4j_server.data_dir is None:  # a server given by KG_NEO4J_URI: nothing local to see
        assert run("neo4j", "status", "--data", tmp_path).code == 3
        return
    result = run("neo4j", "status", "--data", neo4j_server.data_dir)
    assert result.code == 0, result
    assert f"neo4j running at {neo4j_server.uri}" in result.out and "Bolt answering" in result.out
    info = json.loads(run("neo4j", "status", "--data", neo4j_server.data_dir, "--json").out)
    assert (info["running"], info["bolt_uri"]) == (True, neo4j_server.uri)


def test_neo4j_start_on_a_busy_port_fails_cleanly(run: Runner, tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run(
            "neo4j", "start", "--data", tmp_path, "--port", port, env={"KG_NEO4J_PASSWORD": SECRET}
        )
    assert result.code == 1
    assert f"port 127.0.0.1:{port} is already in use" in result.err
    assert SECRET not in result.out + result.err
