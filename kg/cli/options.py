"""Options shared by several commands, and output helpers (data on stdout only)."""

from __future__ import annotations

import base64
import csv
import datetime as dt
import json
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from kg.settings import Settings, get_settings
from kg.store import GraphStore, open_store

F = TypeVar("F", bound=Callable[..., Any])

__all__ = [
    "emit_json",
    "emit_rows",
    "json_option",
    "open_from",
    "quiet_option",
    "settings_from",
    "store_options",
]


def store_options(func: F) -> F:
    """--store and --db, falling back on KG_STORE and KG_DB."""
    func = click.option(
        "--db",
        type=click.Path(path_type=Path),
        default=None,
        help="Embedded store file (default: KG_DB or ./kg.db).",
    )(func)
    return click.option(
        "--store",
        "store",
        type=click.Choice(["embedded", "neo4j"]),
        default=None,
        help="Which store (default: KG_STORE or embedded).",
    )(func)


def json_option(func: F) -> F:
    return click.option(
        "--json", "as_json", is_flag=True, help="Print data as JSON on stdout, nothing else."
    )(func)


def quiet_option(func: F) -> F:
    def silence(ctx: click.Context, param: click.Parameter, value: bool) -> bool:
        if value:
            logging.getLogger().setLevel(logging.ERROR)
        return value

    return click.option(
        "-q",
        "--quiet",
        is_flag=True,
        callback=silence,
        expose_value=True,
        help="No progress bar, no warnings.",
    )(func)


def settings_from(store: str | None, db: Path | None) -> Settings:
    return get_settings(store=store, db=db)


def open_from(store: str | None, db: Path | None, *, read_only: bool = False) -> GraphStore:
    settings = settings_from(store, db)
    return open_store(settings.store, settings=settings, read_only=read_only)


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if hasattr(value, "iso_format"):  # neo4j temporal types
        return value.iso_format()
    if isinstance(value, bytes | bytearray):  # e.g. a Neo4j document's packed extraction
        return base64.b64encode(value).decode("ascii")
    return value


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=_plain))


def emit_rows(columns: Sequence[str], rows: Sequence[Sequence[Any]], *, fmt: str = "table") -> None:
    """Rows as an aligned table, JSON records or CSV."""
    if fmt == "json":
        emit_json([dict(zip(columns, map(_plain, row), strict=True)) for row in rows])
        return
    if fmt == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([[_plain(v) for v in row] for row in rows])
        return
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    click.echo("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip())
    click.echo("  ".join("-" * w for w in widths))
    for r in cells:
        click.echo("  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip())


def _cell(value: Any) -> str:
    if isinstance(value, bytes | bytearray):
        return f"<{len(value):,} bytes>"
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1e6 else f"{value:,.0f}"
    if isinstance(value, list | dict):
        text = json.dumps(value, ensure_ascii=False, default=_plain)
    else:
        text = str(value)
    text = " ".join(text.split())
    return text if len(text) <= 80 else text[:77] + "..."
