"""The ``kg`` command line: thin click commands over the library."""

from __future__ import annotations

import logging
import sys

import click

from kg import __version__
from kg.cli.build import build_cmd, extract_cmd, load_cmd, retract_cmd
from kg.cli.explore import query_cmd, stats_cmd, top_cmd
from kg.cli.neo4j import neo4j_group, sync_cmd
from kg.cli.report import export_cmd, path_cmd, report_group
from kg.errors import KGError

__all__ = ["cli", "main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="kg")
def cli() -> None:
    """Turn news about the AI industry into a typed, evidence-backed knowledge graph.

    Build a graph from articles (kg build), look at it (kg stats, kg top), explore it
    with Cypher (kg query). The graph lives in an embedded store (KG_DB, default
    ./kg.db) or in Neo4j (--store neo4j).
    """


for command in (build_cmd, extract_cmd, load_cmd, retract_cmd, stats_cmd, query_cmd, top_cmd):
    cli.add_command(command)
for command in (report_group, path_cmd, export_cmd):
    cli.add_command(command)
for command in (sync_cmd, neo4j_group):
    cli.add_command(command)


def main() -> None:
    """Entry point: user errors become one line on stderr and exit 1, never a traceback."""
    logging.basicConfig(format="kg: %(levelname)s: %(message)s", level=logging.WARNING)
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("kg: aborted", err=True)
        sys.exit(130)
    except click.ClickException as err:
        err.show()
        sys.exit(err.exit_code)
    except KGError as err:
        click.echo(f"kg: error: {err}", err=True)
        sys.exit(1)
    except BrokenPipeError:
        sys.exit(0)
