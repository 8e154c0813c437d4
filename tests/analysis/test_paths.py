"""Paths and ego networks, with evidence on every hop."""

from __future__ import annotations

import pytest

from kg.analysis.errors import EntityNotFoundError, NoPathError
from kg.analysis.paths import ego_network, shortest_path, ties_between
from kg.analysis.sample import sample_graph

from .conftest import entity, records_graph, relationship


@pytest.fixture
def founders():  # type: ignore[no-untyped-def]
    """Musk founded OpenAI, Altman leads it; a weak detour runs through a rumour."""
    ents = [
        entity("person:musk", "Elon Musk", aliases=["Musk"]),
        entity("person:altman", "Sam Altman", aliases=["Altman"]),
        entity("org:openai", "OpenAI"),
        entity("org:weak", "Weak Ltd"),
        entity("org:far", "Far Away"),
        entity("org:farther", "Farther"),
    ]
    rels = [
        relationship(
            "FOUNDED",
            "person:musk",
            "org:openai",
            asserted=3,
            sentence="Musk co-founded OpenAI in 2015.",
        ),
        relationship(
            "LEADS",
            "person:altman",
            "org:openai",
            asserted=5,
            sentence="Sam Altman is OpenAI's chief executive.",
        ),
        relationship("WORKS_FOR", "person:musk", "org:weak", asserted=1, sentence="Musk at Weak."),
        relationship(
            "WORKS_FOR", "person:altman", "org:weak", asserted=1, sentence="Altman at Weak."
        ),
        relationship("PARTNERS_WITH", "org:far", "org:farther"),
    ]
    return records_graph(rels, entities=ents)


def test_path_has_evidence_and_direction_on_every_hop(founders) -> None:  # type: ignore[no-untyped-def]
    path = shortest_path(founders, "Elon Musk", "Sam Altman")
    assert len(path) == 2
    assert [(h.source_name, h.target_name) for h in path.hops] == [
        ("Elon Musk", "OpenAI"),
        ("OpenAI", "Sam Altman"),
    ]
    first, second = path.hops
    assert (first.ties[0].type, first.ties[0].source) == ("FOUNDED", "person:musk")
    assert first.sentence == "Musk co-founded OpenAI in 2015."
    assert (second.ties[0].type, second.ties[0].source) == ("LEADS", "person:altman")
    assert second.sentence == "Sam Altman is OpenAI's chief executive."
    assert path.describe().splitlines() == [
        "Elon Musk -[FOUNDED]-> OpenAI",
        '    "Musk co-founded OpenAI in 2015." (asserted, doc:person:musk-org:openai)',
        "OpenAI <-[LEADS]- Sam Altman",
        '    "Sam Altman is OpenAI\'s chief executive." (asserted, doc:person:altman-org:openai)',
    ]


def test_among_equal_paths_the_better_attested_wins(founders) -> None:  # type: ignore[no-untyped-def]
    # Both routes have two hops; the one through OpenAI has 3 and 5 mentions.
    path = shortest_path(founders, "Musk", "Altman")
    assert path.hops[0].target == "org:openai"


def test_path_through_chosen_relation_types(founders) -> None:  # type: ignore[no-untyped-def]
    path = shortest_path(founders, "Musk", "Altman", relation_types=["WORKS_FOR"])
    assert path.hops[0].target == "org:weak"


def test_no_path_and_unknown_names(founders) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NoPathError, match="no chain of relationships links 'Elon Musk'"):
        shortest_path(founders, "Elon Musk", "Far Away")
    with pytest.raises(NoPathError):
        shortest_path(founders, "Musk", "Altman", relation_types="rivalry")
    with pytest.raises(EntityNotFoundError, match="'Jeff'"):
        shortest_path(founders, "Jeff", "Altman")


def test_ties_between_lists_both_directions_once() -> None:
    g = records_graph(
        [
            relationship("INVESTS_IN", "org:a", "org:b", asserted=2),
            relationship("SUPPLIES", "org:b", "org:a", asserted=1),
            relationship("RIVALS", "org:a", "org:b", asserted=4),
        ]
    )
    ties = ties_between(g, "org:b", "org:a")
    assert [(t.type, t.source, t.weight) for t in ties] == [
        ("RIVALS", "org:a", 4),
        ("INVESTS_IN", "org:a", 2),
        ("SUPPLIES", "org:b", 1),
    ]


def test_the_firmest_evidence_is_shown() -> None:
    g = sample_graph()
    (tie,) = ties_between(g, "org:openai", "org:xai")
    assert (tie.sentence, tie.sentence_modality) == ("xAI competes with OpenAI.", "asserted")


def test_ego_network() -> None:
    ego = ego_network(sample_graph(), "Microsoft")
    assert ego.center == "org:microsoft"
    assert [(n.name, n.distance, [t.type for t in n.ties]) for n in ego.neighbours] == [
        ("OpenAI", 1, ["INVESTS_IN"]),
        ("xAI", 1, ["HOSTS"]),
    ]
    assert ego.graph.number_of_edges() == 4


def test_ego_network_radius(founders) -> None:  # type: ignore[no-untyped-def]
    near = ego_network(founders, "Musk")
    assert {n.name for n in near.neighbours} == {"OpenAI", "Weak Ltd"}
    wider = ego_network(founders, "Musk", radius=2)
    assert {(n.name, n.distance) for n in wider.neighbours} == {
        ("OpenAI", 1),
        ("Weak Ltd", 1),
        ("Sam Altman", 2),
    }
    assert next(n for n in wider.neighbours if n.distance == 2).ties == []


def test_symmetric_ties_are_drawn_without_a_direction() -> None:
    text = shortest_path(sample_graph(), "xAI", "OpenAI").describe()
    assert text.splitlines()[0] == "xAI -[RIVALS]- OpenAI"
