"""kg sync, kg neo4j start|stop|status: the graph in Neo4j, and a local Neo4j to hold it."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kg import neo4j_server
from kg.cli.options import emit_json, json_option
from kg.errors import ConfigError
from kg.settings import get_settings

__all__ = ["neo4j_group", "sync_cmd"]


@click.command("sync")
@click.option(
    "--db",
    type=click.Path(path_type=Path),
    default=None,
    help="Embedded store to copy from (default: KG_DB or ./kg.db).",
)
@click.option(
    "--prune/--no-prune",
    default=True,
    show_default=True,
    help="Retract documents Neo4j holds that the embedded graph does not.",
)
@click.option("--dry-run", is_flag=True, help="Say what would be written; change nothing.")
@json_option
def sync_cmd(db: Path | None, prune: bool, dry_run: bool, as_json: bool) -> None:
    """Copy the embedded graph into Neo4j (KG_NEO4J_URI), so both hold the same graph.

    Documents go over as their stored extraction results: nothing is extracted again.
    Documents Neo4j already holds with the same content are skipped, so a second
    sync changes nothing.
    """
    from kg.store.embedded import EmbeddedStore
    from kg.store.neo4j import Neo4jStore
    from kg.store.sync import sync

    settings = get_settings(db=db)
    with (
        EmbeddedStore(settings.db, read_only=True) as source,
        Neo4jStore.from_settings(settings, read_only=dry_run) as target,
    ):
        report = sync(source, target, prune=prune, dry_run=dry_run)
    if as_json:
        emit_json(
            {
                "to_write": report.to_write,
                "to_retract": report.to_retract,
                "unchanged": report.unchanged,
                "retracted": report.retracted,
                "written": vars(report.written),
                "dry_run": dry_run,
            }
        )
        return
    click.echo(report.summary())


@click.group("neo4j")
def neo4j_group() -> None:
    """Run a local Neo4j Community server for kg: Bolt on 127.0.0.1, no Docker.

    Needs a JDK 17 or 21 (and Maven, once, to build the launcher). The password of
    user neo4j is read from KG_NEO4J_PASSWORD only, never from the command line,
    and never printed.
    """


_data = click.option(
    "--data",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Data directory of the server (default: KG_NEO4J_HOME or ./.kg-neo4j).",
)


@neo4j_group.command("start")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=None,
    help="Bolt port (default: KG_NEO4J_PORT or 7687; 0: any free port).",
)
@_data
@click.option(
    "--heap", default=None, help="JVM heap, reserved at start (default: KG_NEO4J_HEAP or 1g)."
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=1),
    default=300,
    show_default=True,
    help="Seconds to wait for the server to answer.",
)
@json_option
def start_cmd(
    port: int | None, data: Path | None, heap: str | None, timeout: float, as_json: bool
) -> None:
    """Start the server in the background and print its Bolt URI."""
    settings = get_settings(neo4j_port=port, neo4j_home=data, neo4j_heap=heap)
    password = settings.neo4j_password
    if password is None or not password.get_secret_value():
        raise ConfigError(
            "set KG_NEO4J_PASSWORD to the password user neo4j should have (8 characters "
            "or more); kg reads it from the environment only"
        )
    try:
        handle = neo4j_server.start(
            port=settings.neo4j_port,
            data_dir=settings.neo4j_home,
            password=password.get_secret_value(),
            heap=settings.neo4j_heap,
            timeout=timeout,
        )
    except neo4j_server.Neo4jServerError as err:
        raise click.ClickException(str(err)) from err
    if as_json:
        emit_json(
            {
                "bolt_uri": handle.bolt_uri,
                "pid": handle.pid,
                "data_dir": str(handle.data_dir),
                "log": str(handle.log_path),
            }
        )
        return
    click.echo(
        f"neo4j running at {handle.bolt_uri} (pid {handle.pid}, data {handle.data_dir}, "
        f"started in {handle.started_in:.1f} s)"
    )
    click.echo(
        f"use it: export KG_STORE=neo4j KG_NEO4J_URI={handle.bolt_uri}; "
        f"stop it: kg neo4j stop --data {handle.data_dir}",
        err=True,
    )


@neo4j_group.command("stop")
@_data
@click.option(
    "--timeout",
    type=click.FloatRange(min=0),
    default=60,
    show_default=True,
    help="Seconds to wait for a clean shutdown before killing the server.",
)
def stop_cmd(data: Path | None, timeout: float) -> None:
    """Stop the server (a clean shutdown; killed if it takes longer than --timeout)."""
    home = get_settings(neo4j_home=data).neo4j_home
    try:
        stopped = neo4j_server.stop(home, timeout=timeout)
    except neo4j_server.Neo4jServerError as err:
        raise click.ClickException(str(err)) from err
    click.echo(f"neo4j {'stopped' if stopped else 'was not running'} ({home.resolve()})")


@neo4j_group.command("status")
@_data
@json_option
def status_cmd(data: Path | None, as_json: bool) -> None:
    """Whether the server runs: exit 0 if it does, 3 if it does not."""
    home = get_settings(neo4j_home=data).neo4j_home
    info = neo4j_server.status(home)
    if as_json:
        emit_json(
            {"running": False, "data_dir": str(home.resolve())}
            if info is None
            else {
                "running": True,
                "bolt_uri": info.get("bolt_uri"),
                "bolt_answers": info.get("bolt_answers"),
                "pid": info["pid"],
                "data_dir": info.get("data_dir"),
                "log": info.get("log"),
            }
        )
    elif info is None:
        click.echo(f"neo4j is not running ({home.resolve()})")
    else:
        answers = "answering" if info.get("bolt_answers") else "NOT answering"
        click.echo(
            f"neo4j running at {info.get('bolt_uri')} (pid {info['pid']}, Bolt {answers}, "
            f"data {info.get('data_dir')})"
        )
    if info is None:
        sys.exit(3)
