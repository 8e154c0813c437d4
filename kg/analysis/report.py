"""A self-contained HTML report: the picture (embedded PNG) and the tables.

One file with no outside resources: styles inline, the picture as a base64 data
URI, so it can be mailed or archived as is.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
from collections.abc import Mapping, Sequence
from typing import Any

from kg.analysis.centrality import CentralityReport
from kg.analysis.communities import Communities

__all__ = ["html_report"]

_STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 72rem;
       color: #222; padding: 0 1rem; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; margin-top: 2rem; }
table { border-collapse: collapse; margin: .5rem 0 1rem; }
th, td { padding: .2rem .6rem; border-bottom: 1px solid #ddd; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
th { background: #f4f4f4; }
img { max-width: 100%; border: 1px solid #eee; }
.note { color: #555; font-size: .9rem; }
.networks { display: flex; flex-wrap: wrap; gap: 1.5rem; }
"""


def _e(value: Any) -> str:
    return html.escape(str(value))


def _number(value: float) -> str:
    if float(value).is_integer():
        return f"{int(value)}"
    return f"{value:.4g}"


def _plain(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(str(v) for v in value)
    return value


def _table(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    head = "".join(f"<th>{_e(c)}</th>" for c in columns)
    body = []
    for row in rows:
        cells = []
        for value in row:
            if isinstance(value, float | int) and not isinstance(value, bool):
                cells.append(f'<td class="num">{_number(value)}</td>')
            else:
                cells.append(f"<td>{_e(value)}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _ranking_table(report: CentralityReport, by: str | None, top: int | None) -> str:
    measures = list(report.scores)
    rows = [
        [r.rank, r.name, r.type, *(r.scores[m] for m in measures)] for r in report.ranking(by, top)
    ]
    return _table(["rank", "entity", "type", *measures], rows)


def html_report(
    report: CentralityReport,
    picture: bytes,
    *,
    by: str | None = None,
    top: int = 20,
    filters: Mapping[str, Any] | None = None,
    networks: Mapping[str, CentralityReport] | None = None,
    communities: Communities | None = None,
    title: str = "Central players of the graph",
    generated: dt.datetime | None = None,
) -> str:
    """Render a centrality report as one self-contained HTML page.

    Parameters
    ----------
    report : CentralityReport
    picture : bytes
        A PNG (from :func:`~kg.analysis.picture.draw_top`), embedded as base64.
    by : str, optional
        Ranking measure (default: the report's first).
    top : int
        Rows in the main table.
    filters : mapping, optional
        The graph filter (``GraphFilter.describe()``), shown as is.
    networks : mapping of str to CentralityReport, optional
        Per-network reports (``centrality_by_network``): their top five each.
    communities : Communities, optional
        Shown as a table of the largest ten.
    title : str
    generated : datetime, optional
        Shown in the footer (default: now).

    Returns
    -------
    str
        The HTML document.

    Examples
    --------
    >>> from kg.analysis.centrality import centrality_report
    >>> from kg.analysis.sample import sample_graph
    >>> page = html_report(centrality_report(sample_graph(), ["pagerank"]), b"\\x89PNG")
    >>> page.startswith("<!DOCTYPE html>"), "data:image/png;base64,iVBORw==" in page
    (True, True)
    """
    by = by or next(iter(report.scores), None)
    generated = generated or dt.datetime.now(dt.UTC).replace(microsecond=0)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{_e(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
        f'<p class="note">{report.nodes} entities, {report.edges} relationships'
        + (f" of types {_e(', '.join(report.relation_types))}" if report.relation_types else "")
        + f"; ranked by {_e(by)}.</p>",
        f'<img alt="The top of the graph by {_e(by)}" '
        f'src="data:image/png;base64,{base64.b64encode(picture).decode("ascii")}">',
        f"<h2>Top {top} by {_e(by)}</h2>",
        _ranking_table(report, by, top),
        "<h2>How each measure was computed</h2>",
        _table(
            ["measure", "graph view", "method", "engine", "approximate", "seconds"],
            [
                [m, i.view, i.method, i.engine, "yes" if i.approximate else "no", i.seconds]
                for m, i in report.measures.items()
            ],
        ),
    ]
    if networks:
        parts.append("<h2>By kind of tie</h2><div class='networks'>")
        for name, sub in networks.items():
            measure = next(iter(sub.scores), "")
            rows = [[r.rank, r.name, r.scores[measure]] for r in sub.ranking(measure or None, 5)]
            parts.append(
                f"<div><h3>{_e(name)} ({sub.edges} relationships)</h3>"
                + (_table(["rank", "entity", str(measure)], rows) if rows else "<p>none</p>")
                + "</div>"
            )
        parts.append("</div>")
    if communities is not None:
        parts.append(
            f"<h2>Communities</h2><p class='note'>{len(communities.communities)} communities "
            f"(Louvain, resolution {communities.resolution}, seed {communities.seed}), "
            f"modularity {communities.modularity:.3f}.</p>"
        )
        parts.append(
            _table(
                ["#", "size", "members (strongest first)", "ties"],
                [
                    [
                        c.index,
                        c.size,
                        ", ".join(c.names[:8]) + (", …" if c.size > 8 else ""),
                        ", ".join(f"{t} {n}" for t, n in c.relation_types.items()),
                    ]
                    for c in communities.communities[:10]
                ],
            )
        )
    if filters:
        parts.append("<h2>Filters</h2>")
        parts.append(_table(["filter", "value"], [[k, _plain(v)] for k, v in filters.items()]))
    parts.append(f'<p class="note">Generated {_e(generated.isoformat())} by kg.</p>')
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
