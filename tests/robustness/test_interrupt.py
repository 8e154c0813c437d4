"""``kill -9`` in the middle of ``kg build``, two builds at once, and worker processes.

The corpus is the sample corpus cut into its paragraphs, three times over under other
ids: 663 short documents, so a build commits four batches of 200 to the embedded store
and there is time to kill it between the first commit and the end.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from kg.build import spool_path
from kg.ingest import iter_documents
from kg.models import Document
from tests.conftest import SAMPLES
from tests.robustness.conftest import KG, graph_of, kg, no_traceback

pytestmark = pytest.mark.slow

STORE_BATCH = 200  # documents per transaction of the embedded store (its default)


@pytest.fixture(scope="module")
def paragraphs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    texts = [
        p
        for d in iter_documents([SAMPLES])
        if isinstance(d, Document)
        for p in d.text.split("\n\n")
        if len(p.split()) > 8
    ]
    path = tmp_path_factory.mktemp("paragraphs") / "docs.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for copy in ("a", "b", "c"):
            for i, text in enumerate(texts):
                fh.write(json.dumps({"id": f"{copy}-{i:03d}", "text": text}) + "\n")
    assert 3 * STORE_BATCH < 3 * len(texts) < 4 * STORE_BATCH
    return path


@pytest.fixture(scope="module")
def reference(paragraphs: Path) -> Path:
    """The corpus built in one uninterrupted ``kg build``."""
    db = paragraphs.with_name("reference.db")
    run = kg("build", paragraphs, "--db", db, "-q")
    assert run.code == 0, run.err
    return db


def _lines(path: Path) -> int:
    try:
        return path.read_bytes().count(b"\n")
    except FileNotFoundError:
        return 0


def test_kill_9_then_build_again_gives_the_uninterrupted_graph(
    paragraphs: Path, reference: Path, tmp_path: Path
) -> None:
    db = tmp_path / "kg.db"
    spool = spool_path(db)
    proc = subprocess.Popen(
        [str(KG), "build", str(paragraphs), "--db", str(db), "-q"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    # The store reads one batch ahead (it prepares a batch while the one before is
    # committed), so it takes result 401 only after committing results 1-200: once the
    # spool holds 401 lines, the first batch is committed, the second is not yet.
    deadline = time.monotonic() + 600
    while proc.poll() is None and _lines(spool) <= 2 * STORE_BATCH:
        assert time.monotonic() < deadline, "the build made no progress"
        time.sleep(0.02)
    assert proc.poll() is None, "the build ended before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    assert proc.wait() == -signal.SIGKILL
    committed = {d["id"] for d in graph_of(db).documents}
    assert len(committed) == STORE_BATCH

    run = kg("build", paragraphs, "--db", db, "--json", "-q")
    no_traceback(run)
    assert run.code == 0, run.err
    report = json.loads(run.out)
    assert report["unchanged"] == STORE_BATCH
    assert report["resumed"] >= 1  # extracted before the kill, not extracted again
    assert report["unchanged"] + report["resumed"] + report["extracted"] == report["read"]
    assert not spool.exists()
    assert graph_of(db) == graph_of(reference)


def test_a_second_build_on_the_same_store_fails_at_once_and_harms_nothing(
    paragraphs: Path, reference: Path, tmp_path: Path
) -> None:
    db = tmp_path / "kg.db"
    first = subprocess.Popen(
        [str(KG), "build", str(paragraphs), "--db", str(db), "-q"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 600
    while not spool_path(db).exists():  # the first build holds the store and extracts
        assert first.poll() is None, first.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.02)
    second = kg("build", paragraphs, "--db", db, "-q", timeout=120)
    running = first.poll() is None
    reader = kg("stats", "--db", db, "--json", timeout=120)
    _, err = first.communicate(timeout=600)

    assert running, "the first build ended before the second started: no overlap tested"
    no_traceback(second)
    assert second.code == 1
    assert second.err_lines() == [
        f"kg: error: {db} is being written by another kg process; wait for it to finish "
        "(reading with `kg query` works meanwhile)"
    ]
    assert reader.code == 0, reader.err  # reading goes on meanwhile
    assert first.returncode == 0, err
    assert graph_of(db) == graph_of(reference)
    again = kg("build", paragraphs, "--db", db, "--json", "-q")
    assert json.loads(again.out)["extracted"] == 0  # the store is whole and usable


def _children(pid: int) -> list[int]:
    """Live (not zombie) child processes of ``pid``, from /proc."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            state, ppid = stat.read_text().rsplit(")", 1)[1].split()[:2]
        except (OSError, IndexError, ValueError):
            continue
        if int(ppid) == pid and state != "Z":
            found.append(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_kill_9_of_a_build_with_workers_leaves_no_worker_behind(
    paragraphs: Path, tmp_path: Path
) -> None:
    db = tmp_path / "kg.db"
    proc = subprocess.Popen(
        [str(KG), "build", str(paragraphs), "--db", str(db), "-q", "--processes", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 600
    while len(workers := _children(proc.pid)) < 2:
        assert proc.poll() is None, "the build ended before its workers were seen"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 30
    while any(_alive(w) for w in workers):
        assert time.monotonic() < deadline, "worker processes outlived their parent"
        time.sleep(0.2)


def test_two_worker_processes_build_the_same_graph(
    paragraphs: Path, reference: Path, tmp_path: Path
) -> None:
    db = tmp_path / "kg.db"
    run = kg("build", paragraphs, "--db", db, "--processes", "2", "-q")
    no_traceback(run)
    assert run.code == 0, run.err
    assert graph_of(db) == graph_of(reference)
