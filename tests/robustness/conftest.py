"""Helpers for the robustness tests: running the real ``kg`` script and comparing graphs.

- :func:`kg`: the installed console script in a subprocess, as a user runs it, with
  a clean ``KG_*`` environment; :func:`kg_measured` also returns its peak memory.
- :func:`graph_of`: everything a store (or an embedded store file) holds, as plain
  sorted data, so two stores compare with ``==``.
- :func:`copy_store`: a copy of a closed embedded store, to change without touching
  the original (the shared ``sample_db`` must stay as it is).
- ``live_neo4j``: the session's Neo4j server when the Neo4j fixtures are installed,
  else a skip.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from kg.store import EmbeddedStore, GraphStore

__all__ = [
    "KG",
    "Graph",
    "Run",
    "copy_store",
    "graph_of",
    "json_lines",
    "kg",
    "kg_measured",
    "no_traceback",
]

KG = Path(sys.executable).with_name("kg")
TIMEOUT = 600.0  # seconds: a build on a busy machine


@dataclass
class Run:
    """A finished ``kg`` process."""

    code: int
    out: str
    err: str
    seconds: float = 0.0
    max_rss_mb: float = 0.0

    def err_lines(self) -> list[str]:
        return [line for line in self.err.splitlines() if line.strip()]


def _env(extra: dict[str, str] | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    env.update(extra or {})
    return env


def kg(
    *args: str | Path,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = TIMEOUT,
) -> Run:
    """Run ``kg ARGS`` in a subprocess (KG_* variables: only those in ``env``)."""
    start = time.perf_counter()
    done = subprocess.run(
        [str(KG), *map(str, args)],
        capture_output=True,
        text=True,
        env=_env(env),
        cwd=cwd,
        timeout=timeout,
        check=False,
    )
    return Run(done.returncode, done.stdout, done.stderr, time.perf_counter() - start)


def kg_measured(
    *args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None
) -> Run:
    """Like :func:`kg`, with the peak resident memory of that one process."""
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(
            [str(KG), *map(str, args)], stdout=out, stderr=err, env=_env(env), cwd=cwd
        )
        _, status, usage = os.wait4(proc.pid, 0)  # this child's own usage, not all children's
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Run(
            proc.returncode,
            out.read(),
            err.read(),
            time.perf_counter() - start,
            usage.ru_maxrss / 1024,
        )


def no_traceback(run: Run) -> None:
    assert "Traceback" not in run.err, run.err
    assert "Traceback" not in run.out, run.out


@dataclass(frozen=True)
class Graph:
    """What a store holds, sorted and in plain data."""

    documents: list[dict[str, Any]]
    entities: list[dict[str, Any]]
    relationships: list[dict[str, Any]]


def _plain(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 9)  # sums in another order differ in the last bits
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def graph_of(db: Path | GraphStore) -> Graph:
    """The documents, entities and relationships of a store (or an embedded store's file)."""
    if isinstance(db, Path):
        with EmbeddedStore(db, read_only=True, buffer_mb=64) as store:
            return graph_of(store)
    hashes = db.document_hashes()
    # Alias order follows the order of writes (kg/store/aggregate.py merge_aliases), so
    # a resumed build lists the same aliases in another order: compared as sets.
    entities = sorted(
        ({**_plain(vars(e)), "aliases": sorted(e.aliases)} for e in db.entities()),
        key=lambda e: e["id"],
    )
    relationships = sorted(
        (_plain(vars(r)) for r in db.relationships()),
        key=lambda r: (r["type"], r["source"], r["target"]),
    )
    documents = [{"id": i, "content_hash": h} for i, h in sorted(hashes.items())]
    return Graph(documents, entities, relationships)


def copy_store(db: Path, to: Path) -> Path:
    """Copy a closed embedded store (its file and any companion files) to ``to``."""
    for path in db.parent.glob(db.name + "*"):
        if path.is_file() and not path.name.endswith(".pending.jsonl"):
            shutil.copy2(path, to.parent / (to.name + path.name[len(db.name) :]))
    return to


def json_lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


@pytest.fixture
def live_neo4j(request: pytest.FixtureRequest) -> Any:
    """The session's Neo4j server (tests/neo4j_fixtures.py), or a skip without it."""
    try:
        return request.getfixturevalue("neo4j_server")
    except pytest.FixtureLookupError:
        pytest.skip(
            "the neo4j_server fixture is not registered: tests/conftest.py needs "
            "pytest_plugins = ['tests.neo4j_fixtures']"
        )
