"""kg stats, kg query, kg top: looking at a graph."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import click

from kg.cli.options import emit_json, emit_rows, json_option, open_from, store_options
from kg.errors import ConfigError

__all__ = ["query_cmd", "stats_cmd", "top_cmd"]


@click.command("stats")
@store_options
@json_option
def stats_cmd(store: str | None, db: Path | None, as_json: bool) -> None:
    """Nodes by label, relationships by type and modality, documents."""
    with open_from(store, db, read_only=True) as graph:
        stats = graph.stats()
    if as_json:
        emit_json(
            {
                "nodes": stats.nodes,
                "relationships": stats.relationships,
                "modalities": stats.modalities,
                "documents": stats.documents,
            }
        )
        return
    click.echo(f"documents: {stats.documents}")
    click.echo(f"nodes: {sum(stats.nodes.values())}")
    for label, n in stats.nodes.items():
        click.echo(f"  {label:<14} {n:>6}")
    click.echo(f"relationships: {sum(stats.relationships.values())}")
    for rtype, n in sorted(stats.relationships.items(), key=lambda kv: -kv[1]):
        mods = ", ".join(f"{m} {c}" for m, c in stats.modalities.get(rtype, {}).items() if c)
        click.echo(f"  {rtype:<14} {n:>6}   mentions: {mods}")


def _parse_param(value: str) -> tuple[str, Any]:
    if "=" not in value:
        raise click.BadParameter(f"{value!r} is not NAME=VALUE", param_hint="--param")
    name, raw = value.split("=", 1)
    try:
        parsed: Any = json.loads(raw)  # numbers, booleans, lists, quoted strings
    except json.JSONDecodeError:
        parsed = raw
    return name.strip(), parsed


@click.command("query")
@click.argument("cypher", required=False)
@click.option(
    "--param",
    "params",
    multiple=True,
    help="NAME=VALUE, passed as $NAME (JSON values are parsed: 5, true, [1,2]).",
)
@click.option("--saved", default=None, help="Run a saved query by name (see --list).")
@click.option("--list", "list_saved", is_flag=True, help="List the saved queries and exit.")
@click.option("--write", is_flag=True, help="Allow writing clauses (CREATE, MERGE, SET...).")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV on stdout.")
@store_options
@json_option
def query_cmd(
    cypher: str | None,
    params: tuple[str, ...],
    saved: str | None,
    list_saved: bool,
    write: bool,
    as_csv: bool,
    store: str | None,
    db: Path | None,
    as_json: bool,
) -> None:
    """Run a Cypher query (read-only unless --write) and print its rows."""
    from kg.queries import load_saved, saved_queries

    if list_saved:
        for q in saved_queries():
            click.echo(
                f"{q.name:<28} {q.description}"
                + (f"  (params: {', '.join(q.params)})" if q.params else "")
            )
        return
    query = load_saved(saved) if saved else None
    if query is not None:
        cypher = query.text
    if not cypher:
        raise click.UsageError("give a Cypher query, or --saved NAME")
    values = dict(_parse_param(p) for p in params)
    if query is not None:
        missing = [p for p in query.params if p not in values]
        if missing:
            raise ConfigError(
                f"saved query {saved!r} needs --param " + ", ".join(f"{m}=..." for m in missing)
            )
    with open_from(store, db, read_only=not write) as graph:
        if query is not None:
            cypher = query.for_dialect(graph.dialect)
        result = graph.query(cypher, values, write=write)
    emit_rows(result.columns, result.rows, fmt="json" if as_json else "csv" if as_csv else "table")


@click.command("top")
@click.option("-n", "--limit", default=20, show_default=True, type=click.IntRange(1))
@click.option(
    "--type",
    "etype",
    type=click.Choice(["Organization", "Person", "Product"]),
    default=None,
    help="Only entities of this type.",
)
@store_options
@json_option
def top_cmd(
    limit: int, etype: str | None, store: str | None, db: Path | None, as_json: bool
) -> None:
    """The most connected entities: relationships (degree), support and documents."""
    with open_from(store, db, read_only=True) as graph:
        entities = {e.id: e for e in graph.entities()}
        degree: Counter[str] = Counter()
        support: Counter[str] = Counter()
        for r in graph.relationships():
            for end in (r.source, r.target):
                degree[end] += 1
                support[end] += r.support
    ranked = sorted(
        (e for e in entities.values() if etype is None or e.type == etype),
        key=lambda e: (-degree[e.id], -support[e.id], -e.documents, e.name),
    )[:limit]
    rows = [
        [i, e.name, e.type, degree[e.id], support[e.id], e.documents]
        for i, e in enumerate(ranked, 1)
    ]
    emit_rows(
        ["rank", "entity", "type", "degree", "support", "documents"],
        rows,
        fmt="json" if as_json else "table",
    )
