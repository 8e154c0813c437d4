"""Graph analysis: who is central, through what ties, in which clusters, and since when.

Load a store into networkx with :func:`load_graph` (filters in :class:`GraphFilter`),
then ask:

* :func:`centrality_report` (and :func:`centrality_by_network`): degree, PageRank,
  betweenness, eigenvector, closeness;
* :func:`find_communities`: Louvain clusters;
* :func:`shortest_path` and :func:`ego_network`: how entities are connected, with
  the evidence sentence of every hop;
* :func:`compare_windows`, :func:`snapshots` and :func:`first_seen_slices`: change
  over time;
* :func:`write_graph` / :func:`read_graph`: GraphML, JSON and CSV;
* :func:`draw_top` and :func:`html_report`: a picture and a self-contained report.
"""

from kg.analysis.centrality import (
    MEASURES,
    CentralityReport,
    MeasureInfo,
    Ranked,
    centrality_by_network,
    centrality_report,
)
from kg.analysis.change import (
    Change,
    Shift,
    compare_reports,
    compare_windows,
    first_seen_slices,
    snapshots,
)
from kg.analysis.communities import Communities, Community, find_communities
from kg.analysis.errors import (
    AmbiguousEntityError,
    AnalysisError,
    EntityNotFoundError,
    NoPathError,
)
from kg.analysis.export import read_graph, write_graph
from kg.analysis.graph import (
    NETWORKS,
    GraphFilter,
    collapse,
    filter_graph,
    find_entity,
    graph_from_records,
    load_graph,
    project,
    undirected,
)
from kg.analysis.paths import (
    EgoNetwork,
    GraphPath,
    Hop,
    Tie,
    ego_network,
    shortest_path,
    ties_between,
)
from kg.analysis.picture import draw_top
from kg.analysis.report import html_report

__all__ = [
    "MEASURES",
    "NETWORKS",
    "AmbiguousEntityError",
    "AnalysisError",
    "CentralityReport",
    "Change",
    "Communities",
    "Community",
    "EgoNetwork",
    "EntityNotFoundError",
    "GraphFilter",
    "GraphPath",
    "Hop",
    "MeasureInfo",
    "NoPathError",
    "Ranked",
    "Shift",
    "Tie",
    "centrality_by_network",
    "centrality_report",
    "collapse",
    "compare_reports",
    "compare_windows",
    "draw_top",
    "ego_network",
    "filter_graph",
    "find_communities",
    "find_entity",
    "first_seen_slices",
    "graph_from_records",
    "html_report",
    "load_graph",
    "project",
    "read_graph",
    "shortest_path",
    "snapshots",
    "ties_between",
    "undirected",
    "write_graph",
]
