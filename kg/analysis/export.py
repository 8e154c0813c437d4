"""Writing the analysis graph out (GraphML, JSON, CSV) and reading it back.

Every format round-trips: :func:`read_graph` gives back the graph
:func:`write_graph` was given, attribute types included.

* **GraphML** holds only scalars, so lists and dicts (``aliases``, ``documents``,
  ``roles``, ``modality_counts``, ``evidence``, the graph's ``filter``) are JSON
  strings, dates ISO strings, and missing values (``None``) are left out. Any
  GraphML reader (Gephi, Cytoscape, ``networkx.read_graphml``) opens it; edge ids are
  relation types, as are the multigraph's edge keys.
* **JSON** is networkx's node-link format (``edges`` key), dates as ISO strings.
* **CSV** is two tables: edges in the named file, nodes beside it in
  ``<stem>.nodes.csv``; lists and dicts are JSON in their cells. Graph-level
  attributes (the filter) have no place in CSV and are not kept.

The graph is the one the analysis sees, symmetric relationships in both directions
(the copy marked ``mirror``); drop mirrored edges to get one row per stored
relationship.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

import networkx as nx

from kg.analysis.graph import GraphFilter
from kg.errors import ConfigError, InputError

__all__ = [
    "FORMATS",
    "ExportFormat",
    "graph_to_text",
    "nodes_path",
    "read_graph",
    "write_graph",
]

ExportFormat = Literal["graphml", "json", "csv"]
FORMATS: tuple[str, ...] = ("graphml", "json", "csv")

_NODE_JSON = ("aliases",)
_EDGE_JSON = ("modality_counts", "documents", "roles", "evidence")
_EDGE_DATES = ("first_seen", "last_seen")
_NODE_COLUMNS = ("id", "name", "type", "aliases", "wikidata", "documents")
_EDGE_COLUMNS = (
    "source",
    "target",
    "type",
    "weight",
    "support",
    "confidence",
    "modality",
    "first_seen",
    "last_seen",
    "amount_usd",
    "symmetric",
    "mirror",
    "modality_counts",
    "documents",
    "roles",
    "evidence",
)
_INTS = {"weight", "support", "documents"}
_FLOATS = {"confidence", "amount_usd"}
_BOOLS = {"symmetric", "mirror"}
_NULLABLE = {"wikidata", "amount_usd", "first_seen", "last_seen"}  # empty cell: None


def _filter_data(value: Any) -> Any:
    return value.describe() if isinstance(value, GraphFilter) else value


def _filter_from(data: Any) -> Any:
    if not isinstance(data, dict) or "min_modality" not in data:
        return data
    return GraphFilter(
        relation_types=frozenset(data["relation_types"]) if data.get("relation_types") else None,
        min_modality=data["min_modality"],
        min_support=int(data.get("min_support", 1)),
        min_confidence=float(data.get("min_confidence", 0.0)),
        since=dt.date.fromisoformat(data["since"]) if data.get("since") else None,
        until=dt.date.fromisoformat(data["until"]) if data.get("until") else None,
        entity_types=frozenset(data["entity_types"]) if data.get("entity_types") else None,
        isolates=bool(data.get("isolates", False)),
    )


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _graphml_safe(g: nx.MultiDiGraph) -> nx.MultiDiGraph:
    def scalar(value: Any) -> Any:
        value = _iso(_filter_data(value))
        if isinstance(value, list | dict | tuple | set | frozenset):
            return json.dumps(
                sorted(value) if isinstance(value, set | frozenset) else value,
                ensure_ascii=False,
            )
        return value

    out = nx.MultiDiGraph()
    out.graph.update({k: scalar(v) for k, v in g.graph.items() if v is not None})
    for n, attrs in g.nodes(data=True):
        out.add_node(n, **{k: scalar(v) for k, v in attrs.items() if v is not None})
    for u, v, key, attrs in g.edges(keys=True, data=True):
        out.add_edge(u, v, key, **{k: scalar(v) for k, v in attrs.items() if v is not None})
    return out


def _decode_graphml(g: nx.MultiDiGraph) -> nx.MultiDiGraph:
    out = nx.MultiDiGraph()
    for k, v in g.graph.items():
        if k in ("node_default", "edge_default") and not v:
            continue  # added by the reader, not part of the graph written
        if k in ("filter", "relation_types") and isinstance(v, str):
            v = _filter_from(json.loads(v))
        out.graph[k] = v
    for n, attrs in g.nodes(data=True):
        data = dict(attrs)
        for k in _NODE_JSON:
            if isinstance(data.get(k), str):
                data[k] = json.loads(data[k])
        data.setdefault("wikidata", None)
        out.add_node(n, **data)
    for u, v, key, attrs in g.edges(keys=True, data=True):
        data = dict(attrs)
        data.pop("id", None)
        for k in _EDGE_JSON:
            if isinstance(data.get(k), str):
                data[k] = json.loads(data[k])
        for k in _EDGE_DATES:
            data[k] = _date(data.get(k))
        data.setdefault("amount_usd", None)
        out.add_edge(u, v, key, **data)
    return out


def _json_text(g: nx.MultiDiGraph) -> str:
    data = nx.node_link_data(g, edges="edges")
    data["graph"] = {k: _filter_data(v) for k, v in data["graph"].items()}
    return json.dumps(data, ensure_ascii=False, indent=1, default=_json_default)


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, set | frozenset):
        return sorted(value)
    raise TypeError(f"cannot write {type(value).__name__} {value!r} as JSON")


def _from_json(text: str) -> nx.MultiDiGraph:
    data = json.loads(text)
    g = nx.node_link_graph(data, directed=True, multigraph=True, edges="edges")
    if "filter" in g.graph:
        g.graph["filter"] = _filter_from(g.graph["filter"])
    for _, _, attrs in g.edges(data=True):
        for k in _EDGE_DATES:
            attrs[k] = _date(attrs.get(k))
    return g


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return _iso(value)


def _csv_tables(g: nx.MultiDiGraph) -> tuple[str, str]:
    edges, nodes = io.StringIO(), io.StringIO()
    w = csv.writer(edges, lineterminator="\n")
    w.writerow(_EDGE_COLUMNS)
    for u, v, key, attrs in g.edges(keys=True, data=True):
        row = {**attrs, "source": u, "target": v, "type": attrs.get("type", key)}
        w.writerow([_cell(row.get(c)) for c in _EDGE_COLUMNS])
    w = csv.writer(nodes, lineterminator="\n")
    w.writerow(_NODE_COLUMNS)
    for n, attrs in g.nodes(data=True):
        row = {**attrs, "id": n}
        w.writerow([_cell(row.get(c)) for c in _NODE_COLUMNS])
    return edges.getvalue(), nodes.getvalue()


def _typed(column: str, text: str, json_columns: Iterable[str]) -> Any:
    if column in json_columns:
        return json.loads(text) if text else []
    if text == "" and column in _NULLABLE:
        return None
    if column in _INTS:
        return int(text)
    if column in _FLOATS:
        return float(text)
    if column in _BOOLS:
        return text == "True"
    if column in _EDGE_DATES:
        return dt.date.fromisoformat(text)
    return text


def _from_csv(edges_text: str, nodes_text: str | None) -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    if nodes_text is not None:
        for row in csv.DictReader(io.StringIO(nodes_text)):
            node = row.pop("id")
            g.add_node(node, **{c: _typed(c, t, _NODE_JSON) for c, t in row.items()})
    for row in csv.DictReader(io.StringIO(edges_text)):
        u, v = row.pop("source"), row.pop("target")
        attrs = {c: _typed(c, t, _EDGE_JSON) for c, t in row.items()}
        if attrs["modality_counts"] == []:
            attrs["modality_counts"] = {}
        g.add_edge(u, v, attrs["type"], **attrs)
    return g


def graph_to_text(g: nx.MultiDiGraph, fmt: ExportFormat) -> str:
    """The graph in one format, as text (for CSV: the edge table only).

    Parameters
    ----------
    g : networkx.MultiDiGraph
    fmt : {"graphml", "json", "csv"}

    Returns
    -------
    str

    Examples
    --------
    >>> from kg.analysis.sample import sample_graph
    >>> print(graph_to_text(sample_graph(), "csv").splitlines()[1][:60])
    org:microsoft,org:openai,INVESTS_IN,3,3,0.9,asserted,2019-07
    """
    if fmt == "graphml":
        return "\n".join(nx.generate_graphml(_graphml_safe(g))) + "\n"
    if fmt == "json":
        return _json_text(g) + "\n"
    if fmt == "csv":
        return _csv_tables(g)[0]
    raise ConfigError(f"export format {fmt!r} is not one of {', '.join(FORMATS)}")


def nodes_path(path: Path) -> Path:
    """Where the node table of a CSV export at ``path`` goes.

    Examples
    --------
    >>> nodes_path(Path("out/graph.csv")).as_posix()
    'out/graph.nodes.csv'
    """
    return path.with_name(path.stem + ".nodes.csv")


def _format_of(path: Path, fmt: str | None) -> ExportFormat:
    name = (fmt or path.suffix.lstrip(".")).lower()
    if name == "xml":
        name = "graphml"
    if name not in FORMATS:
        raise ConfigError(
            f"cannot tell the format of {path} from its suffix; give one of {', '.join(FORMATS)}"
        )
    return name  # type: ignore[return-value]


def write_graph(
    g: nx.MultiDiGraph, path: Path | str, fmt: ExportFormat | None = None
) -> list[Path]:
    """Write the graph to ``path`` (format from ``fmt`` or the suffix).

    Parameters
    ----------
    g : networkx.MultiDiGraph
    path : Path or str
    fmt : {"graphml", "json", "csv"}, optional

    Returns
    -------
    list of Path
        The files written: one, or two for CSV (edges, then nodes).

    Examples
    --------
    >>> import tempfile
    >>> from kg.analysis.sample import sample_graph
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     [p.name for p in write_graph(sample_graph(), Path(tmp) / "g.csv")]
    ['g.csv', 'g.nodes.csv']
    """
    path = Path(path)
    kind = _format_of(path, fmt)
    if kind == "csv":
        edges, nodes = _csv_tables(g)
        path.write_text(edges, encoding="utf-8")
        nodes_path(path).write_text(nodes, encoding="utf-8")
        return [path, nodes_path(path)]
    path.write_text(graph_to_text(g, kind), encoding="utf-8")
    return [path]


def read_graph(path: Path | str, fmt: ExportFormat | None = None) -> nx.MultiDiGraph:
    """Read back a graph written by :func:`write_graph`.

    Parameters
    ----------
    path : Path or str
        For CSV, the edge table; the node table beside it is read when present.
    fmt : {"graphml", "json", "csv"}, optional

    Returns
    -------
    networkx.MultiDiGraph

    Raises
    ------
    InputError
        The file is missing or is not a graph in that format.

    Examples
    --------
    >>> import tempfile
    >>> from kg.analysis.sample import sample_graph
    >>> g = sample_graph()
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     back = read_graph(write_graph(g, Path(tmp) / "g.graphml")[0])
    >>> sorted(back.edges(keys=True)) == sorted(g.edges(keys=True))
    True
    >>> back.edges["org:openai", "org:xai", "RIVALS"]["first_seen"]
    datetime.date(2024, 3, 1)
    """
    path = Path(path)
    kind = _format_of(path, fmt)
    try:
        if kind == "graphml":
            return _decode_graphml(nx.read_graphml(path, force_multigraph=True))
        text = path.read_text(encoding="utf-8")
        if kind == "json":
            return _from_json(text)
        nodes = nodes_path(path)
        return _from_csv(text, nodes.read_text(encoding="utf-8") if nodes.exists() else None)
    except FileNotFoundError as err:
        raise InputError(f"{path} does not exist") from err
    except (ValueError, KeyError, nx.NetworkXError) as err:
        raise InputError(f"{path} is not a {kind} graph written by kg export: {err}") from err
