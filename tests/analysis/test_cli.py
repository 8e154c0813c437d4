"""kg report, kg path, kg export on the sample corpus."""

from __future__ import annotations

import base64
import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from click.testing import CliRunner, Result

import kg.cli.options
from kg.analysis.errors import EntityNotFoundError
from kg.analysis.export import read_graph
from kg.cli import cli


def run(db: Path, *args: str) -> Result:
    result = CliRunner().invoke(cli, [*args, "--store", "embedded", "--db", str(db)])
    assert result.exit_code == 0, (result.output, result.exception)
    return result


def plain_views(path: Path) -> tuple[nx.DiGraph, nx.Graph]:
    """The views, built from an exported file with networkx alone."""
    exported = nx.read_graphml(path, force_multigraph=True)
    directed, undirected = nx.DiGraph(), nx.Graph()
    directed.add_nodes_from(exported)
    undirected.add_nodes_from(exported)
    for u, v, d in exported.edges(data=True):
        w = d["weight"]
        directed.add_edge(u, v, weight=directed.get_edge_data(u, v, {"weight": 0})["weight"] + w)
        if not d["mirror"]:  # a symmetric relationship counts once without direction
            old = undirected.get_edge_data(u, v, {"weight": 0})["weight"]
            undirected.add_edge(u, v, weight=old + w)
    return directed, undirected


def test_centrality_json_equals_networkx_on_the_exported_graph(
    corpus_db: Path, tmp_path: Path
) -> None:
    report = json.loads(run(corpus_db, "report", "centrality", "--json", "--top", "0").output)
    run(corpus_db, "export", "--format", "graphml", "-o", str(tmp_path / "g.graphml"))
    directed, undirected = plain_views(tmp_path / "g.graphml")
    # PageRank and the eigenvector to full convergence: networkx's default tolerances
    # stop about 1e-4 short of the fixed point; kg solves exactly.
    expected = {
        "pagerank": nx.pagerank(directed, weight="weight", tol=1e-12, max_iter=1000),
        "betweenness": nx.betweenness_centrality(undirected),
        "eigenvector": nx.eigenvector_centrality(
            undirected, weight="weight", tol=1e-12, max_iter=10000
        ),
        "closeness": nx.closeness_centrality(undirected),
        "in_degree": dict(directed.in_degree()),
        "out_degree": dict(directed.out_degree()),
    }
    rows = {e["id"]: e for e in report["entities"]}
    assert set(rows) == set(directed) and len(rows) == report["nodes"] > 100
    for measure, values in expected.items():
        got = {n: rows[n][measure] for n in rows}
        assert got == pytest.approx(values, abs=1e-7), measure
        assert report["measures"][measure]["approximate"] is False
    # and with networkx's defaults, within their tolerance
    default = nx.pagerank(directed, weight="weight")
    assert {n: rows[n]["pagerank"] for n in rows} == pytest.approx(default, abs=1e-3)
    ranks = [e["pagerank"] for e in report["entities"]]
    assert ranks == sorted(ranks, reverse=True)


def test_centrality_table_filters_and_csv(corpus_db: Path) -> None:
    table = run(
        corpus_db,
        "report",
        "centrality",
        "--types",
        "investment",
        "--top",
        "5",
        "--measure",
        "in_degree,pagerank",
    ).output
    lines = table.splitlines()
    assert lines[0].split() == ["rank", "entity", "type", "in_degree", "pagerank"]
    in_degrees = [float(line.split()[-2]) for line in lines[2:7]]
    assert in_degrees == sorted(in_degrees, reverse=True) and in_degrees[0] >= 3
    assert "relationships" in table
    data = json.loads(
        run(corpus_db, "report", "centrality", "--types", "INVESTS_IN", "--json").output
    )
    assert data["relation_types"] == ["INVESTS_IN"]
    assert data["filter"]["relation_types"] == ["INVESTS_IN"]
    rows = list(
        csv.DictReader(
            io.StringIO(
                run(
                    corpus_db,
                    "report",
                    "centrality",
                    "--csv",
                    "--top",
                    "3",
                    "--since",
                    "2024",
                    "--min-modality",
                    "asserted",
                    "--min-support",
                    "2",
                ).output
            )
        )
    )
    assert len(rows) == 3 and set(rows[0]) >= {"id", "rank", "entity", "pagerank"}


def test_centrality_says_when_it_estimates(corpus_db: Path) -> None:
    out = run(
        corpus_db, "report", "centrality", "--exact-max-nodes", "10", "--samples", "20"
    ).output
    assert "betweenness: estimated from 20 sampled sources (seed 0)" in out
    data = json.loads(
        run(
            corpus_db,
            "report",
            "centrality",
            "--json",
            "--exact-max-nodes",
            "10",
            "--samples",
            "20",
        ).output
    )
    assert data["measures"]["closeness"]["approximate"] is True


def test_centrality_html_report_is_self_contained(corpus_db: Path, tmp_path: Path) -> None:
    page_path = tmp_path / "report.html"
    run(corpus_db, "report", "centrality", "--html", str(page_path), "--top", "15")
    page = page_path.read_text()
    (image,) = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert base64.b64decode(image).startswith(b"\x89PNG\r\n\x1a\n")
    assert not re.search(r'(src|href)="(https?:)?//', page)  # nothing fetched from outside
    for heading in (
        "Top 15 by pagerank",
        "How each measure was computed",
        "By kind of tie",
        "Communities",
        "Filters",
    ):
        assert heading in page
    assert page.count("<tr>") > 30


def test_communities(corpus_db: Path) -> None:
    out = run(corpus_db, "report", "communities", "--top", "3").output
    assert "modularity" in out
    data = json.loads(run(corpus_db, "report", "communities", "--json").output)
    sizes = [c["size"] for c in data["communities"]]
    assert sizes == sorted(sizes, reverse=True) and data["count"] >= len(sizes)
    again = json.loads(run(corpus_db, "report", "communities", "--json").output)
    assert again == data  # seeded


def test_path_with_evidence_per_hop(corpus_db: Path) -> None:
    data = json.loads(run(corpus_db, "path", "Elon Musk", "Sam Altman", "--json").output)
    assert data["source"] == "person:elon-musk" and data["target"] == "person:sam-altman"
    assert data["length"] >= 1
    for hop in data["hops"]:
        assert hop["ties"] and hop["ties"][0]["evidence"]["sentence"]
    text = run(corpus_db, "path", "Musk", "Altman").output
    assert re.search(r"hops?$", text.strip())
    assert '"' in text  # the evidence sentences


def test_path_through_more_than_one_hop(corpus_db: Path) -> None:
    data = json.loads(run(corpus_db, "path", "Sam Altman", "Jensen Huang", "--json").output)
    assert data["length"] >= 2
    names = [data["hops"][0]["source"]["name"]] + [h["target"]["name"] for h in data["hops"]]
    assert names[0] == "Sam Altman" and names[-1] == "Jensen Huang"


def test_unknown_entity_fails_with_one_line(corpus_db: Path) -> None:
    result = CliRunner().invoke(cli, ["path", "Elon Musk", "Nobody At All", "--db", str(corpus_db)])
    assert isinstance(result.exception, EntityNotFoundError)
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "from kg.cli import main; main()",
            "path",
            "Elon Musk",
            "Nobody",
            "--db",
            str(corpus_db),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1
    assert proc.stderr.startswith("kg: error: no entity in the graph is called 'Nobody'")


def test_bad_options_are_usage_errors(corpus_db: Path) -> None:
    runner = CliRunner()
    for args in (
        ["report", "centrality", "--types", "INVEST"],
        ["report", "centrality", "--measure", "katz"],
        ["report", "centrality", "--since", "June"],
        ["report", "change", "2020", "2021.."],
    ):
        result = runner.invoke(cli, [*args, "--db", str(corpus_db)])
        assert result.exit_code == 2, (args, result.output)


def test_change(corpus_db: Path) -> None:
    data = json.loads(
        run(corpus_db, "report", "change", "..2023", "2024..", "--json", "--top", "5").output
    )
    assert data["before"] == "…..2023-12-31" and data["after"] == "2024-01-01..…"
    assert len(data["rose"]) == 5 and all(s["delta"] > 0 for s in data["rose"])
    assert all(s["delta"] < 0 for s in data["fell"])
    assert "rank before" in run(corpus_db, "report", "change", "2019..2022", "2023..").output


@pytest.mark.parametrize("fmt", ["graphml", "json", "csv"])
def test_export_round_trips_through_files(corpus_db: Path, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"graph.{fmt}"
    run(corpus_db, "export", "--format", fmt, "-o", str(out), "--types", "investment,hosting")
    g = read_graph(out)
    assert {k for _, _, k in g.edges(keys=True)} == {"INVESTS_IN", "HOSTS"}
    stdout = run(corpus_db, "export", "--format", fmt, "--types", "investment,hosting").output
    if fmt != "csv":
        assert stdout == out.read_text()
    else:
        assert stdout.splitlines()[0].startswith("source,target,type,weight")


def test_commands_open_the_store_read_only(
    corpus_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[bool] = []
    original = kg.cli.options.open_from

    def spy(*args: Any, read_only: bool = False) -> Any:
        seen.append(read_only)
        return original(*args, read_only=read_only)

    monkeypatch.setattr("kg.cli.report.open_from", spy)
    for args in (
        ["report", "centrality"],
        ["report", "communities"],
        ["report", "change", "..2022", "2023.."],
        ["path", "Musk", "Altman"],
        ["export"],
    ):
        run(corpus_db, *args)
    assert seen == [True] * 5


def test_every_command_has_help() -> None:
    runner = CliRunner()
    for args in (
        ["report"],
        ["report", "centrality"],
        ["report", "communities"],
        ["report", "change"],
        ["path"],
        ["export"],
    ):
        result = runner.invoke(cli, [*args, "--help"])
        assert result.exit_code == 0 and len(result.output) > 200, args


def test_help_states_the_library_defaults() -> None:
    from kg.analysis.centrality import EXACT_MAX_NODES, SAMPLE_BUDGET, SAMPLES

    text = " ".join(CliRunner().invoke(cli, ["report", "centrality", "--help"]).output.split())
    assert f"{SAMPLE_BUDGET:,} / edges, at least {SAMPLES}" in text
    assert f"(default {EXACT_MAX_NODES})" in text
    assert "[default: planned]" in text


def test_html_report_leaves_communities_out_on_large_graphs(
    corpus_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("kg.cli.report.HTML_COMMUNITIES_MAX_EDGES", 10)
    page_path = tmp_path / "report.html"
    result = run(corpus_db, "report", "centrality", "--html", str(page_path))
    assert "communities left out of the HTML report" in result.stderr
    assert "<h2>Communities</h2>" not in page_path.read_text()
