"""A picture of the top of the graph: nodes by entity type, edges by relation type.

Drawn with matplotlib's Agg canvas on a figure of its own, so it works headless
and leaves pyplot's state (and a notebook's backend) alone.
"""

from __future__ import annotations

import io
import math

import networkx as nx
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from kg.analysis.centrality import CentralityReport
from kg.ontology import RELATION_TYPES, RELATIONS

__all__ = ["ENTITY_COLOURS", "RELATION_COLOURS", "draw_top"]

ENTITY_COLOURS: dict[str, str] = {
    "Organization": "#4c72b0",
    "Person": "#dd8452",
    "Product": "#55a868",
}
_PALETTE = (
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#8c564b", "#e377c2",
    "#7f7f7f", "#bcbd22", "#17becf", "#ff7f0e", "#393b79",
)  # fmt: skip
RELATION_COLOURS: dict[str, str] = dict(zip(RELATION_TYPES, _PALETTE, strict=True))


def draw_top(
    g: nx.MultiDiGraph,
    report: CentralityReport,
    *,
    by: str | None = None,
    top: int = 30,
    title: str | None = None,
    size: tuple[float, float] = (12.0, 9.0),
    dpi: int = 100,
) -> bytes:
    """Draw the ``top`` entities under one measure and the relationships among them.

    Parameters
    ----------
    g : networkx.MultiDiGraph
        The graph the report was computed on.
    report : CentralityReport
    by : str, optional
        The measure that picks and sizes the nodes (default: the report's first).
    top : int
        How many entities to draw.
    title : str, optional
    size : tuple of float
        Figure size in inches.
    dpi : int

    Returns
    -------
    bytes
        A PNG image.

    Examples
    --------
    >>> from kg.analysis.centrality import centrality_report
    >>> from kg.analysis.sample import sample_graph
    >>> g = sample_graph()
    >>> png = draw_top(g, centrality_report(g, ["pagerank"]), size=(4, 3))
    >>> png[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
    True
    """
    ranked = report.ranking(by, top)
    measure = by or next(iter(report.scores), "")
    keep = [r.id for r in ranked if r.id in g]
    fig = Figure(figsize=size, dpi=dpi)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.set_title(title or f"Top {len(keep)} entities by {measure}", fontsize=12)
    if keep:
        _draw(ax, g.subgraph(keep), keep, [r.scores.get(measure, 0.0) for r in ranked])
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()


def _layout(layout: nx.Graph) -> dict[str, tuple[float, float]]:
    """The largest component in the middle, the smaller ones in columns on the right.

    One force layout of everything pushes unconnected nodes to the edges and
    crushes the connected core into the centre.
    """
    parts = sorted(nx.connected_components(layout), key=lambda c: (-len(c), sorted(c)))
    pos: dict[str, tuple[float, float]] = {}
    core = layout.subgraph(parts[0])
    if len(core) > 2:
        pos.update(nx.kamada_kawai_layout(core))
    else:
        pos.update(nx.spring_layout(core, seed=0))
    x, y, step = 1.35, 0.95, 0.22
    for part in parts[1:]:
        small = layout.subgraph(part)
        spread = 0.06 * math.sqrt(len(part))
        pos.update(nx.spring_layout(small, seed=0, scale=spread, center=(x, y)))
        y -= step + spread
        if y < -0.95:
            x, y = x + 0.35, 0.95
    return {n: (float(p[0]), float(p[1])) for n, p in pos.items()}


def _draw(ax: Axes, sub: nx.MultiDiGraph, keep: list[str], scores: list[float]) -> None:
    layout = nx.Graph()
    layout.add_nodes_from(keep)
    layout.add_edges_from((u, v) for u, v in sub.edges())
    pos = _layout(layout)
    peak = max(scores) if scores and max(scores) > 0 else 0.0
    sizes = [80 + 1100 * (s / peak) if peak else 300.0 for s in scores]
    frame = nx.DiGraph()
    frame.add_nodes_from(keep)
    present = [t for t in RELATION_TYPES if any(k == t for _, _, k in sub.edges(keys=True))]
    for i, rtype in enumerate(present):
        edges = [
            (u, v, d["weight"])
            for u, v, k, d in sub.edges(keys=True, data=True)
            if k == rtype and not d.get("mirror")
        ]
        rad = 0.08 + 0.3 * i / max(len(present), 1)
        nx.draw_networkx_edges(
            frame,
            pos,
            edgelist=[(u, v) for u, v, _ in edges],
            width=[0.8 + 1.2 * math.log1p(w) for _, _, w in edges],
            edge_color=RELATION_COLOURS[rtype],
            alpha=0.75,
            arrows=True,
            arrowstyle="-" if RELATIONS[rtype].symmetric else "-|>",
            arrowsize=10,
            connectionstyle=f"arc3,rad={rad:.2f}",
            nodelist=keep,
            node_size=sizes,
            ax=ax,
        )
    nx.draw_networkx_nodes(
        frame,
        pos,
        nodelist=keep,
        node_size=sizes,
        node_color=[ENTITY_COLOURS.get(sub.nodes[n].get("type"), "#999999") for n in keep],
        edgecolors="white",
        linewidths=0.8,
        ax=ax,
    )
    nx.draw_networkx_labels(
        frame, pos, labels={n: sub.nodes[n].get("name", n) for n in keep}, font_size=7, ax=ax
    )
    handles = [
        Line2D([], [], marker="o", linestyle="", color=colour, markersize=8, label=etype)
        for etype, colour in ENTITY_COLOURS.items()
    ] + [Line2D([], [], color=RELATION_COLOURS[t], linewidth=2, label=t) for t in present]
    ax.legend(handles=handles, loc="upper left", fontsize=7, frameon=False)
