"""Change between time windows: who rose, who fell."""

from __future__ import annotations

import datetime as dt

import pytest

from kg.analysis.centrality import centrality_report
from kg.analysis.change import compare_reports, compare_windows, snapshots
from kg.analysis.graph import GraphFilter
from kg.errors import ConfigError

from .conftest import records_graph, relationship


@pytest.fixture
def history():  # type: ignore[no-untyped-def]
    """Old Co hosts three players until 2020; from 2023 New Co hosts them and more."""
    rels = [
        relationship("HOSTS", "org:old", f"org:p{i}", first="2019-05-01", last="2020-12-01")
        for i in range(3)
    ] + [
        relationship("HOSTS", "org:new", f"org:p{i}", first="2023-02-01", last="2024-06-01")
        for i in range(4)
    ]
    return records_graph(rels)


def test_rose_and_fell(history) -> None:  # type: ignore[no-untyped-def]
    result = compare_windows(
        history, (None, dt.date(2021, 12, 31)), (dt.date(2022, 1, 1), None), "out_degree"
    )
    assert [(s.name, s.before, s.after) for s in result.rose()] == [("new", 0.0, 4.0)]
    assert [(s.name, s.before, s.after) for s in result.fell()] == [("old", 3.0, 0.0)]
    new = next(s for s in result.shifts if s.id == "org:new")
    assert (new.rank_before, new.rank_after, new.delta) == (None, 1, 4.0)
    assert result.before == "…..2021-12-31" and result.after == "2022-01-01..…"


def test_windows_keep_the_graphs_own_filter() -> None:
    rels = [
        relationship("HOSTS", "org:a", "org:b", first="2019-01-01", speculative=2),
        relationship("HOSTS", "org:a", "org:c", first="2024-01-01"),
    ]
    g = records_graph(rels, GraphFilter(min_modality="negated"))
    result = compare_windows(
        g, (None, dt.date(2020, 1, 1)), (dt.date(2023, 1, 1), None), "out_degree"
    )
    assert [(s.name, s.before) for s in result.shifts if s.id == "org:a"] == [("a", 1.0)]


def test_change_needs_the_measure_in_both_reports(history) -> None:  # type: ignore[no-untyped-def]
    a = centrality_report(history, ["pagerank"])
    b = centrality_report(history, ["in_degree"])
    with pytest.raises(ConfigError, match="'pagerank' is not in both reports"):
        compare_reports(a, b, "pagerank")


def test_as_dict_lists_risers_and_fallers(history) -> None:  # type: ignore[no-untyped-def]
    result = compare_windows(
        history, (None, dt.date(2021, 12, 31)), (dt.date(2022, 1, 1), None), "in_degree"
    )
    data = result.as_dict(top=1)
    assert data["measure"] == "in_degree"
    assert [s["name"] for s in data["rose"]] == ["p3"]
    assert data["fell"] == []


def test_snapshots_grow_with_time(history) -> None:  # type: ignore[no-untyped-def]
    grown = snapshots(history, [dt.date(2024, 1, 1), dt.date(2018, 1, 1), dt.date(2020, 1, 1)])
    assert list(grown) == [dt.date(2018, 1, 1), dt.date(2020, 1, 1), dt.date(2024, 1, 1)]
    assert [g.number_of_edges() for g in grown.values()] == [0, 3, 7]
