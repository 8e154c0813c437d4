"""The picture and the HTML report, on the sample triangle."""

from __future__ import annotations

import datetime as dt
import io

import matplotlib
from matplotlib.image import imread

from kg.analysis.centrality import centrality_by_network, centrality_report
from kg.analysis.communities import find_communities
from kg.analysis.picture import ENTITY_COLOURS, RELATION_COLOURS, draw_top
from kg.analysis.report import html_report
from kg.analysis.sample import sample_graph
from kg.ontology import ENTITY_TYPES, RELATION_TYPES


def test_every_type_has_a_colour() -> None:
    assert set(ENTITY_COLOURS) == set(ENTITY_TYPES)
    assert set(RELATION_COLOURS) == set(RELATION_TYPES)
    assert len(set(RELATION_COLOURS.values())) == len(RELATION_TYPES)


def test_picture_is_a_png_of_the_asked_size_and_leaves_the_backend_alone() -> None:
    backend = matplotlib.get_backend()
    g = sample_graph()
    png = draw_top(g, centrality_report(g), top=2, size=(5, 4), dpi=50)
    image = imread(io.BytesIO(png), format="png")
    assert image.shape[:2] == (200, 250)
    assert matplotlib.get_backend() == backend


def test_picture_of_an_empty_graph() -> None:
    g = sample_graph()
    report = centrality_report(g.subgraph([]).copy())
    assert draw_top(g, report).startswith(b"\x89PNG")


def test_html_report_has_the_tables_escaped() -> None:
    g = sample_graph()
    g.nodes["org:xai"]["name"] = "<x>AI & co"
    report = centrality_report(g)
    page = html_report(
        report,
        b"png",
        top=2,
        filters={"min_modality": "planned", "relation_types": ["HOSTS", "RIVALS"]},
        networks=centrality_by_network(g, ["rivalry", "supply"]),
        communities=find_communities(g),
        generated=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    )
    assert "&lt;x&gt;AI &amp; co" in page and "<x>AI" not in page
    assert "HOSTS, RIVALS" in page
    assert "rivalry (1 relationships)" in page and "<p>none</p>" in page
    assert "Generated 2026-01-01T00:00:00+00:00" in page
    assert page.count("<table>") == 5  # ranking, measures, rivalry, communities, filters
