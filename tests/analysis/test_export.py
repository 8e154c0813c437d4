"""Export and re-import: every format round-trips; GraphML holds only scalars."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.analysis.export import FORMATS, graph_to_text, nodes_path, read_graph, write_graph
from kg.analysis.graph import GraphFilter, graph_from_records
from kg.analysis.sample import sample_graph
from kg.errors import ConfigError, InputError
from kg.ontology import MODALITIES, RELATION_TYPES, RELATIONS
from kg.store.base import StoredEntity, StoredRelationship

# XML 1.0 cannot carry control characters or lone surrogates, whatever the tool.
_text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=20)
_ids = st.sampled_from(["org:a", "org:b", "person:c", "product:d"])


@st.composite
def _records(draw: st.DrawFn) -> tuple[list[StoredEntity], list[StoredRelationship]]:
    entities = [
        StoredEntity(
            eid,
            draw(_text),
            draw(st.sampled_from(["Organization", "Person", "Product"])),
            draw(st.lists(_text, max_size=2)),
            draw(st.one_of(st.none(), st.from_regex(r"Q[0-9]{1,6}", fullmatch=True))),
            draw(st.integers(0, 50)),
        )
        for eid in ["org:a", "org:b", "person:c", "product:d"]
    ]
    rels = {}
    for _ in range(draw(st.integers(0, 8))):
        rtype, source, target = draw(st.sampled_from(RELATION_TYPES)), draw(_ids), draw(_ids)
        if RELATIONS[rtype].symmetric and target < source:  # stored once, as stores do
            source, target = target, source
        counts = {m: draw(st.integers(0, 3)) for m in MODALITIES}
        counts["asserted"] += 1
        first = draw(st.one_of(st.none(), st.dates(dt.date(2015, 1, 1), dt.date(2030, 1, 1))))
        rels[rtype, source, target] = StoredRelationship(
            type=rtype,
            source=source,
            target=target,
            support=sum(counts.values()),
            documents=draw(st.lists(_text, max_size=3)),
            first_seen=first,
            last_seen=first,
            confidence=draw(st.floats(0, 1)),
            modality=draw(st.sampled_from(MODALITIES)),
            modality_counts=counts,
            amount_usd=draw(st.one_of(st.none(), st.floats(0, 1e12))),
            roles=draw(st.lists(_text, max_size=2)),
            evidence=draw(
                st.lists(
                    st.fixed_dictionaries(
                        {
                            "sentence": _text,
                            "doc_id": _text,
                            "modality": st.sampled_from(MODALITIES),
                        }
                    ),
                    max_size=2,
                )
            ),
        )
    return entities, list(rels.values())


def assert_same_graph(a: nx.MultiDiGraph, b: nx.MultiDiGraph, *, graph_attrs: bool) -> None:
    assert dict(a.nodes(data=True)) == dict(b.nodes(data=True))
    assert sorted(a.edges(keys=True, data=True), key=repr) == sorted(
        b.edges(keys=True, data=True), key=repr
    )
    if graph_attrs:
        assert a.graph == b.graph


@pytest.mark.parametrize("fmt", FORMATS)
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(records=_records())
def test_round_trip(
    fmt: str, records: tuple[list[StoredEntity], list[StoredRelationship]], tmp_path: Path
) -> None:
    g = graph_from_records(*records, GraphFilter(min_modality="negated", isolates=True))
    back = read_graph(write_graph(g, tmp_path / f"graph.{fmt}")[0])
    assert_same_graph(g, back, graph_attrs=fmt != "csv")  # CSV has no place for the filter


@pytest.mark.parametrize("fmt", FORMATS)
def test_round_trip_of_the_sample_corpus(
    fmt: str, corpus_graph: nx.MultiDiGraph, tmp_path: Path
) -> None:
    back = read_graph(write_graph(corpus_graph, tmp_path / f"graph.{fmt}")[0])
    assert_same_graph(corpus_graph, back, graph_attrs=fmt != "csv")


def test_graphml_attributes_are_scalars_that_plain_networkx_reads(tmp_path: Path) -> None:
    (path,) = write_graph(sample_graph(), tmp_path / "g.graphml")
    ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
    keys = ET.parse(path).getroot().findall("g:key", ns)
    assert {k.get("attr.type") for k in keys} <= {"string", "int", "long", "double", "boolean"}
    plain = nx.read_graphml(path, force_multigraph=True)
    edge = plain.edges["org:openai", "org:xai", "RIVALS"]
    assert json.loads(edge["evidence"])[0]["sentence"] == "xAI competes with OpenAI."
    assert edge["first_seen"] == "2024-03-01"
    assert json.loads(plain.nodes["org:xai"]["aliases"]) == ["X.AI Corp"]
    assert "amount_usd" not in edge  # None is left out
    assert json.loads(plain.graph["filter"])["min_modality"] == "planned"


def test_csv_writes_edges_and_nodes(tmp_path: Path) -> None:
    written = write_graph(sample_graph(), tmp_path / "out.csv")
    assert written == [tmp_path / "out.csv", tmp_path / "out.nodes.csv"]
    assert nodes_path(tmp_path / "out.csv").read_text().splitlines()[0] == (
        "id,name,type,aliases,wikidata,documents"
    )
    # Without the node table, nodes come back from the edges alone.
    (tmp_path / "out.nodes.csv").unlink()
    assert sorted(read_graph(tmp_path / "out.csv").nodes) == [
        "org:microsoft",
        "org:openai",
        "org:xai",
    ]


def test_json_is_node_link_data() -> None:
    data = json.loads(graph_to_text(sample_graph(), "json"))
    assert data["directed"] and data["multigraph"]
    assert {e["key"] for e in data["edges"]} == {"INVESTS_IN", "HOSTS", "RIVALS"}
    assert data["graph"]["filter"]["min_modality"] == "planned"


def test_errors_name_the_file_and_the_fix(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot tell the format"):
        write_graph(sample_graph(), tmp_path / "graph.txt")
    with pytest.raises(InputError, match="does not exist"):
        read_graph(tmp_path / "missing.graphml")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(InputError, match="is not a json graph"):
        read_graph(bad)
