"""kg report (centrality, communities, change), kg path, kg export: analysing a graph."""

from __future__ import annotations

import datetime as dt
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from kg.cli.options import emit_json, emit_rows, json_option, open_from, store_options
from kg.errors import KGError
from kg.ontology import ENTITY_TYPES, MODALITIES

__all__ = ["export_cmd", "path_cmd", "report_group"]

F = TypeVar("F", bound=Callable[..., Any])

# Above this many relationships the HTML report leaves communities out: networkx's
# Louvain takes about 10 s per 100,000 and minutes per million.
HTML_COMMUNITIES_MAX_EDGES = 250_000

_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


def parse_date(text: str, *, end: bool = False) -> dt.date:
    """A date from ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``.

    A partial date means the first day of its period, or the last one with ``end``.
    """
    match = _DATE.match(text.strip())
    if not match:
        raise click.BadParameter(f"{text!r} is not a date like 2024, 2024-06 or 2024-06-30")
    year, month, day = (int(g) if g else None for g in match.groups())
    assert year is not None
    try:
        if month is None:
            return dt.date(year, 12, 31) if end else dt.date(year, 1, 1)
        if day is None:
            if not end:
                return dt.date(year, month, 1)
            following = dt.date(year + month // 12, month % 12 + 1, 1)
            return following - dt.timedelta(days=1)
        return dt.date(year, month, day)
    except ValueError as err:
        raise click.BadParameter(f"{text!r} is not a valid date: {err}") from err


def _since(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    return parse_date(value) if value else None


def _until(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    return parse_date(value, end=True) if value else None


def _types(ctx: click.Context, param: click.Parameter, value: str | None) -> frozenset[str] | None:
    from kg.analysis.graph import relation_types

    if not value:
        return None
    try:
        return relation_types(value)
    except KGError as err:
        raise click.BadParameter(f"{err}, or a network name") from err


def filter_options(func: F) -> F:
    """The graph filter options every analysis command shares."""
    options = [
        click.option(
            "--types",
            "relation_types",
            callback=_types,
            metavar="TYPES",
            help="Relation types or networks, comma-separated (INVESTS_IN,HOSTS or "
            "investment,hosting,rivalry,...). Default: all.",
        ),
        click.option(
            "--entity-types",
            type=click.Choice(ENTITY_TYPES, case_sensitive=False),
            multiple=True,
            help="Keep only entities of this type (repeat for several).",
        ),
        click.option(
            "--since",
            callback=_since,
            metavar="DATE",
            help="Keep relationships seen on or after DATE (2024, 2024-06, 2024-06-30).",
        ),
        click.option(
            "--until",
            callback=_until,
            metavar="DATE",
            help="Keep relationships first seen on or before DATE.",
        ),
        click.option(
            "--min-modality",
            type=click.Choice(MODALITIES),
            default="planned",
            show_default=True,
            help="Count mentions at this modality or firmer (negated: count all).",
        ),
        click.option(
            "--min-support",
            type=click.IntRange(1),
            default=1,
            show_default=True,
            help="Keep relationships with at least this many mentions counted.",
        ),
        click.option(
            "--min-confidence",
            type=click.FloatRange(0, 1),
            default=0.0,
            show_default=True,
            help="Keep relationships at least this confident.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _filter(params: dict[str, Any], *, isolates: bool = False) -> Any:
    from kg.analysis.graph import GraphFilter

    return GraphFilter(
        relation_types=params.pop("relation_types"),
        entity_types=frozenset(params.pop("entity_types")) or None,
        since=params.pop("since"),
        until=params.pop("until"),
        min_modality=params.pop("min_modality"),
        min_support=params.pop("min_support"),
        min_confidence=params.pop("min_confidence"),
        isolates=isolates,
    )


def _load(store: str | None, db: Path | None, filt: Any) -> Any:
    from kg.analysis.graph import load_graph

    with open_from(store, db, read_only=True) as graph:
        return load_graph(graph, filt)


def _measures(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> Any:
    from kg.analysis.centrality import MEASURES, parse_measures

    if not value:
        return MEASURES
    try:
        return parse_measures(",".join(value))
    except KGError as err:
        raise click.BadParameter(str(err)) from err


@click.group("report")
def report_group() -> None:
    """Analyse the graph: central players, communities, change over time."""


@report_group.command("centrality")
@click.option(
    "--measure",
    "measures",
    multiple=True,
    callback=_measures,
    metavar="MEASURES",
    help="Measures to compute, comma-separated or repeated; the first ranks (default: "
    "pagerank,betweenness,eigenvector,closeness,in_degree,out_degree).",
)
@click.option(
    "--top",
    "-n",
    type=click.IntRange(0),
    default=20,
    show_default=True,
    help="Entities to list (0: all).",
)
@filter_options
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV on stdout.")
@click.option(
    "--html",
    "html_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Also write a self-contained HTML report (picture and tables) here.",
)
@click.option(
    "--engine",
    type=click.Choice(["auto", "igraph", "networkx"]),
    default="auto",
    show_default=True,
    help="Where the measures run (same numbers either way).",
)
@click.option(
    "--samples",
    type=click.IntRange(2),
    default=None,
    help="Sampled sources/pivots for betweenness and closeness on large graphs "
    "(default: 20,000,000 / edges, at least 64).",
)
@click.option(
    "--exact-max-nodes",
    type=click.IntRange(0),
    default=None,
    help="Estimate betweenness and closeness above this many entities (default 5000).",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the sampling.")
@store_options
@json_option
def centrality_cmd(
    measures: tuple[str, ...],
    top: int,
    as_csv: bool,
    html_path: Path | None,
    engine: str,
    samples: int | None,
    exact_max_nodes: int | None,
    seed: int,
    store: str | None,
    db: Path | None,
    as_json: bool,
    **filters: Any,
) -> None:
    """Who the central players are: a ranking under several centrality measures.

    PageRank and degrees follow the direction of relationships (symmetric ones
    count both ways); betweenness, eigenvector and closeness treat ties as
    undirected. Edge weights are mentions. On large graphs, betweenness and
    closeness are estimated from sampled nodes, and the output says so.
    """
    from kg.analysis.centrality import EXACT_MAX_NODES, centrality_report

    filt = _filter(filters)
    g = _load(store, db, filt)
    report = centrality_report(
        g,
        measures,
        engine=engine,  # type: ignore[arg-type]
        samples=samples,
        exact_max_nodes=EXACT_MAX_NODES if exact_max_nodes is None else exact_max_nodes,
        seed=seed,
    )
    by = measures[0]
    if html_path is not None:
        _write_html(g, report, html_path, by=by, top=top or 20, filt=filt)
    if as_json:
        emit_json({"filter": filt.describe(), **report.as_dict(by, top or None)})
        return
    ranked = report.ranking(by, top or None)
    columns = ["rank", "entity", "type", *report.scores]
    rows = [[r.rank, r.name, r.type, *r.scores.values()] for r in ranked]
    if as_csv:
        emit_rows(
            ["id", *columns], [[r.id, *row] for r, row in zip(ranked, rows, strict=True)], fmt="csv"
        )
        return
    emit_rows(columns, rows)
    click.echo(f"\n{report.nodes} entities, {report.edges} relationships")
    for name, info in report.measures.items():  # say what is not the plain computation
        if info.approximate or "converge" in info.method:
            click.echo(f"{name}: {info.method}")


def _write_html(g: Any, report: Any, path: Path, *, by: str, top: int, filt: Any) -> None:
    from kg.analysis.centrality import centrality_by_network
    from kg.analysis.communities import find_communities
    from kg.analysis.picture import draw_top
    from kg.analysis.report import html_report

    networks = centrality_by_network(g, measures=("pagerank", "in_degree", "out_degree"))
    clusters = None
    if report.edges <= HTML_COMMUNITIES_MAX_EDGES:
        clusters = find_communities(g)
    else:
        click.echo(
            f"kg: communities left out of the HTML report: Louvain on {report.edges:,} "
            "relationships takes minutes; `kg report communities` computes them",
            err=True,
        )
    page = html_report(
        report,
        draw_top(g, report, by=by, top=min(max(top, 10), 40)),
        by=by,
        top=top,
        filters=filt.describe(),
        networks=networks,
        communities=clusters,
    )
    path.write_text(page, encoding="utf-8")
    click.echo(f"kg: wrote {path}", err=True)


@report_group.command("communities")
@click.option(
    "--top",
    "-n",
    type=click.IntRange(0),
    default=10,
    show_default=True,
    help="Communities to list, largest first (0: all).",
)
@click.option(
    "--members",
    type=click.IntRange(1),
    default=8,
    show_default=True,
    help="Members to list per community, strongest first.",
)
@click.option(
    "--resolution",
    type=click.FloatRange(0, min_open=True),
    default=1.0,
    show_default=True,
    help="Above 1: smaller communities; below 1: larger ones.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of Louvain.")
@filter_options
@store_options
@json_option
def communities_cmd(
    top: int,
    members: int,
    resolution: float,
    seed: int,
    store: str | None,
    db: Path | None,
    as_json: bool,
    **filters: Any,
) -> None:
    """How players cluster: Louvain communities of the undirected, weighted graph."""
    from kg.analysis.communities import find_communities

    filt = _filter(filters)
    result = find_communities(_load(store, db, filt), resolution=resolution, seed=seed)
    if as_json:
        emit_json({"filter": filt.describe(), **result.as_dict(top or None, members)})
        return
    emit_rows(
        ["#", "size", "members", "ties"],
        [
            [
                c.index,
                c.size,
                ", ".join(c.names[:members]) + (", ..." if c.size > members else ""),
                ", ".join(f"{t} {n}" for t, n in c.relation_types.items()),
            ]
            for c in result.communities[: top or None]
        ],
    )
    click.echo(
        f"\n{len(result.communities)} communities, modularity {result.modularity:.3f} "
        f"(resolution {resolution}, seed {seed})"
    )


def _window(text: str) -> tuple[dt.date | None, dt.date | None]:
    if ".." not in text:
        raise click.BadParameter(f"{text!r} is not a window like 2019..2022, 2023.. or ..2024-06")
    since, until = text.split("..", 1)
    return (
        parse_date(since) if since.strip() else None,
        parse_date(until, end=True) if until.strip() else None,
    )


@report_group.command("change")
@click.argument("before")
@click.argument("after")
@click.option("--measure", default="pagerank", show_default=True, help="The measure compared.")
@click.option(
    "--top",
    "-n",
    type=click.IntRange(0),
    default=10,
    show_default=True,
    help="Risers and fallers to list (0: all).",
)
@filter_options
@store_options
@json_option
def change_cmd(
    before: str,
    after: str,
    measure: str,
    top: int,
    store: str | None,
    db: Path | None,
    as_json: bool,
    **filters: Any,
) -> None:
    """Who rose and who fell between two time windows, e.g. 2019..2022 2023..

    A window is SINCE..UNTIL, either side optional, with dates like 2024,
    2024-06 or 2024-06-30. It keeps the relationships seen during it.
    """
    from kg.analysis.centrality import parse_measures
    from kg.analysis.change import compare_windows

    try:
        (chosen,) = parse_measures(measure)
    except (KGError, ValueError) as err:
        raise click.BadParameter(str(err), param_hint="--measure") from err
    windows = _window(before), _window(after)
    filt = _filter(filters)
    if filt.since or filt.until:
        raise click.UsageError("give time windows as BEFORE and AFTER, not --since/--until")
    result = compare_windows(_load(store, db, filt), *windows, measure=chosen)
    if as_json:
        emit_json({"filter": filt.describe(), **result.as_dict(top or None)})
        return
    rows = [
        [
            way,
            s.name,
            s.type,
            s.before,
            s.after,
            s.delta,
            "-" if s.rank_before is None else s.rank_before,
            "-" if s.rank_after is None else s.rank_after,
        ]
        for way, shifts in (
            ("rose", result.rose(top or len(result.shifts))),
            ("fell", result.fell(top or len(result.shifts))),
        )
        for s in shifts
    ]
    emit_rows(
        ["", "entity", "type", result.before, result.after, "change", "rank before", "rank after"],
        rows,
    )


@click.command("path")
@click.argument("source")
@click.argument("target")
@filter_options
@store_options
@json_option
def path_cmd(
    source: str,
    target: str,
    store: str | None,
    db: Path | None,
    as_json: bool,
    **filters: Any,
) -> None:
    """How SOURCE is connected to TARGET: the shortest chain, with evidence per hop.

    Names, aliases or ids work ("Sam Altman", "Altman", person:sam-altman).
    Direction is ignored when walking, and shown on every hop.
    """
    from kg.analysis.paths import shortest_path

    filt = _filter(filters, isolates=True)
    g = _load(store, db, filt)
    path = shortest_path(g, source, target)
    if as_json:
        emit_json(path.as_dict())
        return
    click.echo(path.describe())
    click.echo(f"{len(path)} hop{'s' if len(path) != 1 else ''}")


@click.command("export")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["graphml", "csv", "json"]),
    default="graphml",
    show_default=True,
    help="File format.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Write here (CSV: edges here, nodes in NAME.nodes.csv); default stdout (CSV: edges only).",
)
@filter_options
@store_options
def export_cmd(
    fmt: str,
    output: Path | None,
    store: str | None,
    db: Path | None,
    **filters: Any,
) -> None:
    """Export the analysis graph as GraphML, JSON (node-link) or CSV.

    The same filters as `kg report` apply, so an export holds exactly the graph a
    report measured. Symmetric relationships appear both ways (the copy has
    mirror=true). `kg.analysis.read_graph` reads any of the formats back.
    """
    from kg.analysis.export import graph_to_text, write_graph

    g = _load(store, db, _filter(filters))
    if output is None:
        sys.stdout.write(graph_to_text(g, fmt))  # type: ignore[arg-type]
        return
    for written in write_graph(g, output, fmt):  # type: ignore[arg-type]
        click.echo(f"kg: wrote {written}", err=True)
