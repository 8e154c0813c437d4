"""The story the project started from, in two paraphrases of our own.

xAI, Elon Musk's startup, is reportedly close to a deal that brings its Grok model to
Microsoft's Azure AI Foundry; Grok competes with OpenAI's GPT-4; there are reported
tensions between Microsoft's CEO Satya Nadella and OpenAI's Sam Altman; Microsoft has
a $13 billion investment in OpenAI.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

import pytest

from kg.models import ExtractionResult, Relation
from kg.ontology import RELATIONS
from tests.conftest import extract_text

PUBLISHED = dt.date(2025, 5, 1)

STORIES = {
    "plain": (
        "Elon Musk's startup xAI is reportedly finalizing a deal to bring its model Grok to "
        "Microsoft's Azure AI Foundry, according to people familiar with the talks. "
        "Grok competes with OpenAI's GPT-4. "
        "The move comes amid reported tensions between Microsoft CEO Satya Nadella and "
        "OpenAI's Sam Altman. "
        "Microsoft has made a $13 billion investment in OpenAI."
    ),
    "newsy": (
        "xAI, the artificial intelligence startup founded by Elon Musk, is reportedly close "
        "to an agreement that would put its Grok model on Azure AI Foundry, Microsoft's "
        "platform for AI developers, people familiar with the talks said.\n\n"
        "Grok is a direct rival to OpenAI's GPT-4.\n\n"
        "The talks come at a delicate moment: there have reportedly been tensions between "
        "Microsoft CEO Satya Nadella and OpenAI's Sam Altman, even as Microsoft stands by "
        "its $13 billion investment in OpenAI."
    ),
}


@cache
def story(name: str) -> ExtractionResult:
    return extract_text(STORIES[name], PUBLISHED, doc_id=f"seed-{name}")


def find(result: ExtractionResult, rtype: str, source: str, target: str) -> Relation:
    names = {e.id: e.name for e in result.entities}
    pairs = {(source, target)}
    if RELATIONS[rtype].symmetric:
        pairs.add((target, source))
    hits = [
        r
        for r in result.relations
        if r.type == rtype and (names[r.source], names[r.target]) in pairs
    ]
    found = sorted((r.type, names[r.source], names[r.target]) for r in result.relations)
    assert hits, f"no {rtype} {source} -> {target}; found {found}"
    return hits[0]


# (relation, modality or None for "any", extra attributes)
EXPECTED: list[tuple[tuple[str, str, str], str | None, dict[str, Any]]] = [
    (("INVESTS_IN", "Microsoft", "OpenAI"), "asserted", {"amount_usd": 13e9}),
    (("HOSTS", "Azure AI Foundry", "Grok"), "reported", {}),
    (("RIVALS", "Grok", "GPT-4"), "asserted", {}),
    (("LEADS", "Satya Nadella", "Microsoft"), "asserted", {"role": "CEO"}),
    (("RIVALS", "Satya Nadella", "Sam Altman"), "reported", {}),
    (("DEVELOPS", "xAI", "Grok"), "asserted", {}),
    (("DEVELOPS", "OpenAI", "GPT-4"), "asserted", {}),
]

# Known misses, by (story, relation type, source, target).
MISSES: dict[tuple[str, ...], str] = {}


def _params() -> list[Any]:
    out = []
    for name in STORIES:
        for triple, modality, extra in EXPECTED:
            reason = MISSES.get((name, *triple))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            out.append(
                pytest.param(
                    name, triple, modality, extra, id=f"{name}-{'-'.join(triple)}", marks=marks
                )
            )
    return out


@pytest.mark.parametrize(("name", "triple", "modality", "extra"), _params())
def test_seed_relation(
    name: str, triple: tuple[str, str, str], modality: str | None, extra: dict[str, Any]
) -> None:
    rel = find(story(name), *triple)
    if modality is not None:
        assert rel.modality.value == modality
    if "amount_usd" in extra:
        assert rel.amount_usd == pytest.approx(extra["amount_usd"])
        assert rel.amount == "$13 billion"
    if "role" in extra:
        assert rel.role is not None
        assert rel.role.casefold() == extra["role"].casefold()
    assert rel.date == PUBLISHED
    text = STORIES[name]
    assert rel.evidence.trigger == text[rel.evidence.trigger_start : rel.evidence.trigger_end]


def test_musk_owns_xai_in_the_plain_story() -> None:
    rel = find(story("plain"), "OWNS", "Elon Musk", "xAI")
    assert rel.modality.value == "asserted"


def test_musk_founded_xai_in_the_newsy_story() -> None:
    find(story("newsy"), "FOUNDED", "Elon Musk", "xAI")


@pytest.mark.parametrize("name", list(STORIES))
def test_seed_entities(name: str) -> None:
    result = story(name)
    by_name = {e.name: e.type.value for e in result.entities}
    assert by_name == {
        "Elon Musk": "Person",
        "xAI": "Organization",
        "Grok": "Product",
        "Microsoft": "Organization",
        "Azure AI Foundry": "Product",
        "OpenAI": "Organization",
        "GPT-4": "Product",
        "Satya Nadella": "Person",
        "Sam Altman": "Person",
    }


@pytest.mark.parametrize("name", list(STORIES))
def test_seed_has_no_relation_the_story_does_not_state(name: str) -> None:
    result = story(name)
    names = {e.id: e.name for e in result.entities}
    found = {(r.type, names[r.source], names[r.target]) for r in result.relations}
    wrong = {
        ("INVESTS_IN", "OpenAI", "Microsoft"),
        ("DEVELOPS", "Microsoft", "Grok"),
        ("DEVELOPS", "OpenAI", "Grok"),
        ("LEADS", "Sam Altman", "Microsoft"),
        ("LEADS", "Satya Nadella", "OpenAI"),
        ("HOSTS", "Grok", "Azure AI Foundry"),
    }
    assert not found & wrong
