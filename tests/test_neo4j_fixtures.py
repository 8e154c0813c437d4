"""The Neo4j test plugin's CI rule: with CI set, a skipped ``neo4j`` test fails the run.

A pytest run in a subprocess, on a two-test file: a ``neo4j`` test that skips (as
it does when no server can be started) and an unmarked test that skips.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

TESTS = """
import pytest

@pytest.mark.neo4j
def test_needs_neo4j():
    pytest.skip("no Neo4j here")

def test_skips_for_another_reason():
    pytest.skip("not today")
"""
INI = """[pytest]
markers =
    neo4j: needs Neo4j
"""


def _pytest(tmp_path: Path, ci: bool) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_sample.py").write_text(TESTS, "utf-8")
    (tmp_path / "pytest.ini").write_text(INI, "utf-8")
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    if ci:
        env["CI"] = "true"
    plugins = ["-p", "tests.neo4j_fixtures", "-p", "no:cacheprovider"]
    config = ["-c", str(tmp_path / "pytest.ini"), "--rootdir", str(tmp_path)]
    return subprocess.run(
        [sys.executable, "-m", "pytest", *plugins, *config, str(tmp_path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("ci", [False, True], ids=["local", "CI"])
def test_skipped_neo4j_tests_fail_only_under_ci(tmp_path: Path, ci: bool) -> None:
    result = _pytest(tmp_path, ci)
    if ci:
        assert result.returncode == 1, result.stdout
        assert "1 failed, 1 skipped" in result.stdout
        assert "a neo4j test was skipped with CI set" in result.stdout
        assert "no Neo4j here" in result.stdout
    else:
        assert result.returncode == 0, result.stdout
        assert "2 skipped" in result.stdout
