"""How the graph changed between two time windows: who rose, who fell.

A window keeps the relationships seen during it (see :mod:`kg.analysis.graph` on
time windows). :func:`compare_windows` computes one measure in each window;
:func:`compare_reports` compares two reports however they were made. An entity missing
from a window scores 0 there and has no rank.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import networkx as nx

from kg.analysis.centrality import CentralityReport, centrality_report
from kg.analysis.graph import GraphFilter, filter_graph
from kg.errors import ConfigError

__all__ = [
    "Change",
    "Shift",
    "Window",
    "compare_reports",
    "compare_windows",
    "first_seen_slices",
    "snapshots",
]

Window = tuple[dt.date | None, dt.date | None]  # since, until; None leaves a side open


@dataclass(frozen=True)
class Shift:
    """One entity's score and rank in both windows."""

    id: str
    name: str
    type: str
    before: float
    after: float
    rank_before: int | None
    rank_after: int | None

    @property
    def delta(self) -> float:
        """``after - before``."""
        return self.after - self.before

    def as_dict(self) -> dict[str, Any]:
        """Plain data, for JSON."""
        return {
            "id": self.id,
            "name": self.name,
            "type": self.type,
            "before": self.before,
            "after": self.after,
            "delta": self.delta,
            "rank_before": self.rank_before,
            "rank_after": self.rank_after,
        }


@dataclass(frozen=True)
class Change:
    """Every entity's shift under one measure, largest rise first."""

    measure: str
    shifts: list[Shift]
    before: str = "before"  # labels of the windows
    after: str = "after"

    def rose(self, n: int = 10) -> list[Shift]:
        """The ``n`` largest rises (only entities whose score went up).

        Examples
        --------
        >>> import datetime as dt
        >>> from kg.analysis.sample import sample_graph
        >>> c = compare_windows(sample_graph(), (None, dt.date(2023, 12, 31)),
        ...                     (dt.date(2024, 1, 1), None), measure="in_degree")
        >>> [(s.name, s.before, s.after) for s in c.rose()]
        [('xAI', 0.0, 2.0)]
        """
        return [s for s in self.shifts if s.delta > 0][:n]

    def fell(self, n: int = 10) -> list[Shift]:
        """The ``n`` largest falls (only entities whose score went down), largest first.

        Examples
        --------
        >>> import datetime as dt
        >>> from kg.analysis.sample import sample_graph
        >>> c = compare_windows(sample_graph(), (None, dt.date(2023, 12, 31)),
        ...                     (dt.date(2024, 1, 1), None), measure="in_degree")
        >>> [(s.name, s.before, s.after) for s in c.fell()]
        []
        """
        return sorted((s for s in self.shifts if s.delta < 0), key=lambda s: s.delta)[:n]

    def as_dict(self, top: int | None = None) -> dict[str, Any]:
        """Plain data, for JSON: the ``top`` risers and fallers."""
        n = top if top else len(self.shifts)
        return {
            "measure": self.measure,
            "before": self.before,
            "after": self.after,
            "rose": [s.as_dict() for s in self.rose(n)],
            "fell": [s.as_dict() for s in self.fell(n)],
        }


def compare_reports(
    before: CentralityReport,
    after: CentralityReport,
    measure: str = "pagerank",
    *,
    labels: tuple[str, str] = ("before", "after"),
) -> Change:
    """Compare one measure between two centrality reports.

    Parameters
    ----------
    before, after : CentralityReport
    measure : str
        Computed in both reports.
    labels : tuple of str
        Names of the two windows, for display.

    Returns
    -------
    Change
        Shifts of every entity in either report, largest rise first.

    Examples
    --------
    >>> from kg.analysis.sample import sample_graph
    >>> from kg.analysis.graph import project
    >>> g = sample_graph()
    >>> c = compare_reports(centrality_report(project(g, "investment"), ["in_degree"]),
    ...            centrality_report(g, ["in_degree"]), "in_degree")
    >>> [(s.name, s.delta, s.rank_before, s.rank_after) for s in c.shifts]
    [('xAI', 2.0, None, 2), ('OpenAI', 1.0, 1, 1), ('Microsoft', 0.0, 2, 3)]
    """
    first, second = before.scores.get(measure), after.scores.get(measure)
    if first is None or second is None:
        raise ConfigError(f"measure {measure!r} is not in both reports; compute it in each")
    ranks_before = {r.id: r.rank for r in before.ranking(measure)}
    ranks_after = {r.id: r.rank for r in after.ranking(measure)}
    shifts = []
    for node in dict.fromkeys([*first, *second]):
        name = after.names.get(node) or before.names.get(node, node)
        etype = after.types.get(node) or before.types.get(node, "")
        shifts.append(
            Shift(
                node,
                name,
                etype,
                first.get(node, 0.0),
                second.get(node, 0.0),
                ranks_before.get(node),
                ranks_after.get(node),
            )
        )
    shifts.sort(key=lambda s: (-s.delta, s.name, s.id))
    return Change(measure, shifts, *labels)


def _label(window: Window) -> str:
    since, until = window
    return f"{since.isoformat() if since else '…'}..{until.isoformat() if until else '…'}"


def compare_windows(
    g: nx.MultiDiGraph,
    before: Window,
    after: Window,
    measure: str = "pagerank",
    **options: Any,
) -> Change:
    """Who rose and who fell between two time windows of one graph.

    Parameters
    ----------
    g : networkx.MultiDiGraph
        A graph from :func:`~kg.analysis.graph.load_graph`; its own filter stays.
    before, after : tuple of (date or None, date or None)
        ``(since, until)`` of each window.
    measure : str
    **options
        Passed to :func:`~kg.analysis.centrality.centrality_report`.

    Returns
    -------
    Change

    Examples
    --------
    Until 2023 the sample only knows Microsoft's investment in OpenAI; from 2024 on
    it knows the hosting of xAI and the rivalry, and not the investment.

    >>> import datetime as dt
    >>> from kg.analysis.sample import sample_graph
    >>> c = compare_windows(sample_graph(), (None, dt.date(2023, 12, 31)),
    ...                     (dt.date(2024, 1, 1), None), measure="in_degree")
    >>> [(s.name, s.before, s.after) for s in c.shifts]
    [('xAI', 0.0, 2.0), ('Microsoft', 0.0, 0.0), ('OpenAI', 1.0, 1.0)]
    """
    base: GraphFilter = g.graph.get("filter") or GraphFilter()
    reports = [
        centrality_report(
            filter_graph(g, base.replace(since=since, until=until)), [measure], **options
        )
        for since, until in (before, after)
    ]
    return compare_reports(reports[0], reports[1], measure, labels=(_label(before), _label(after)))


def snapshots(g: nx.MultiDiGraph, dates: Iterable[dt.date]) -> dict[dt.date, nx.MultiDiGraph]:
    """The graph as known on each date: relationships first seen by then.

    Parameters
    ----------
    g : networkx.MultiDiGraph
    dates : iterable of datetime.date

    Returns
    -------
    dict of date to networkx.MultiDiGraph

    Examples
    --------
    >>> import datetime as dt
    >>> from kg.analysis.sample import sample_graph
    >>> grown = snapshots(sample_graph(), [dt.date(2020, 1, 1), dt.date(2026, 1, 1)])
    >>> [s.number_of_edges() for s in grown.values()]
    [1, 4]
    """
    base: GraphFilter = g.graph.get("filter") or GraphFilter()
    return {d: filter_graph(g, base.replace(since=None, until=d)) for d in sorted(dates)}


def first_seen_slices(g: nx.MultiDiGraph) -> dict[int, nx.MultiDiGraph]:
    """The relationships first seen in each year: what each year added to the graph.

    Parameters
    ----------
    g : networkx.MultiDiGraph

    Returns
    -------
    dict of int to networkx.MultiDiGraph
        Years in order; each graph holds that year's new relationships and their
        ends. Undated relationships are in none.

    Examples
    --------
    >>> from kg.analysis.sample import sample_graph
    >>> {year: sorted(k for _, _, k in part.edges(keys=True))
    ...  for year, part in first_seen_slices(sample_graph()).items()}
    {2019: ['INVESTS_IN'], 2024: ['RIVALS', 'RIVALS'], 2025: ['HOSTS']}
    """
    years: dict[int, list[tuple[str, str, str]]] = {}
    for u, v, key, first in g.edges(keys=True, data="first_seen"):
        if first is not None:
            years.setdefault(first.year, []).append((u, v, key))
    return {year: g.edge_subgraph(years[year]).copy() for year in sorted(years)}
