"""Modality: how a text holds a relation, read from cues in the relation's own clause."""

from __future__ import annotations

from typing import Any

import pytest
import spacy
from spacy.tokens import Doc

from kg.extract.modality import modality_of
from kg.models import ExtractionResult
from kg.ontology import Modality
from tests.conftest import deadline, extract_text

Triple = tuple[str, str, str]

A, R, S, P, N = (
    Modality.ASSERTED,
    Modality.REPORTED,
    Modality.SPECULATIVE,
    Modality.PLANNED,
    Modality.NEGATED,
)


def modality(result: ExtractionResult, expected: Triple) -> Modality:
    rtype, source, target = expected
    names = {e.id: e.name for e in result.entities}
    hits = [
        r.modality
        for r in result.relations
        if r.type == rtype and names[r.source] == source and names[r.target] == target
    ]
    found = sorted((r.type, names[r.source], names[r.target]) for r in result.relations)
    assert hits, f"no {rtype} {source} -> {target}; relations: {found}"
    return hits[0]


def case(text: str, expected: Triple, mod: Modality, id: str, *, xfail: str = "") -> Any:
    marks = [pytest.mark.xfail(strict=True, reason=f"extractor: {xfail}")] if xfail else []
    return pytest.param(text, expected, mod, id=f"{mod.value}-{id}", marks=marks)


MSFT_OPENAI = ("INVESTS_IN", "Microsoft", "OpenAI")

CASES = [
    # -- asserted
    case("Microsoft invested $10 billion in OpenAI in January.", MSFT_OPENAI, A, "past"),
    case("Microsoft has invested in OpenAI since 2019.", MSFT_OPENAI, A, "perfect"),
    case(
        "Microsoft said it invested in OpenAI.",
        MSFT_OPENAI,
        A,
        "party-says-so",
    ),
    case("Alphabet owns Google.", ("OWNS", "Alphabet", "Google"), A, "present"),
    # -- reported
    case(
        "Microsoft is reportedly investing in Mistral AI.",
        ("INVESTS_IN", "Microsoft", "Mistral AI"),
        R,
        "reportedly",
    ),
    case(
        "According to people familiar with the matter, Amazon invested in Anthropic.",
        ("INVESTS_IN", "Amazon", "Anthropic"),
        R,
        "according-to-people-familiar",
    ),
    case(
        "Sources said Nvidia invested in xAI.",
        ("INVESTS_IN", "Nvidia", "xAI"),
        R,
        "sources-said",
    ),
    case(
        "The Information reported that OpenAI acquired Windsurf.",
        ("ACQUIRES", "OpenAI", "Windsurf"),
        R,
        "outlet-reported-that",
    ),
    case(
        "Amazon invested in Anthropic, people with knowledge of the deal said.",
        ("INVESTS_IN", "Amazon", "Anthropic"),
        R,
        "people-with-knowledge",
    ),
    case(
        "Microsoft has reportedly agreed to host Grok on Azure AI Foundry.",
        ("HOSTS", "Azure AI Foundry", "Grok"),
        R,
        "reportedly-agreed",
    ),
    # -- speculative
    case("Apple may invest in OpenAI.", ("INVESTS_IN", "Apple", "OpenAI"), S, "may"),
    case(
        "Analysts speculate that Amazon could acquire Cohere.",
        ("ACQUIRES", "Amazon", "Cohere"),
        S,
        "analysts-speculate",
    ),
    case(
        "Meta is considering an investment in Scale AI.",
        ("INVESTS_IN", "Meta Platforms", "Scale AI"),
        S,
        "considering",
    ),
    case(
        "Nvidia might partner with Intel.",
        ("PARTNERS_WITH", "Nvidia", "Intel"),
        S,
        "might",
    ),
    case(
        "Google could buy Character.AI, some investors believe.",
        ("ACQUIRES", "Google", "Character.AI"),
        S,
        "could",
    ),
    case(
        "Apple is rumored to be acquiring Perplexity.",
        ("ACQUIRES", "Apple", "Perplexity"),
        S,
        "rumored",
    ),
    # -- planned
    case(
        "Amazon will invest $4 billion in Anthropic.",
        ("INVESTS_IN", "Amazon", "Anthropic"),
        P,
        "will",
    ),
    case(
        "Databricks is expected to acquire MosaicML.",
        ("ACQUIRES", "Databricks", "MosaicML"),
        P,
        "is-expected-to",
    ),
    case(
        "OpenAI plans to acquire Windsurf.",
        ("ACQUIRES", "OpenAI", "Windsurf"),
        P,
        "plans-to",
    ),
    case(
        "SoftBank intends to invest in OpenAI.",
        ("INVESTS_IN", "SoftBank Group", "OpenAI"),
        P,
        "intends-to",
    ),
    case(
        "AMD agreed to buy ZT Systems.",
        ("ACQUIRES", "AMD", "ZT Systems"),
        P,
        "agreed-to",
    ),
    case(
        "The deal between Microsoft and Mistral AI is expected to close next month.",
        ("PARTNERS_WITH", "Microsoft", "Mistral AI"),
        P,
        "deal-expected-to-close",
    ),
    case(
        "Microsoft will integrate Grok into Azure AI Foundry.",
        ("HOSTS", "Azure AI Foundry", "Grok"),
        P,
        "will-integrate",
    ),
    # -- negated
    case(
        "Apple denied that it would invest in OpenAI.",
        ("INVESTS_IN", "Apple", "OpenAI"),
        N,
        "denied-that",
    ),
    case(
        "Microsoft has no plans to invest in xAI.",
        ("INVESTS_IN", "Microsoft", "xAI"),
        N,
        "has-no-plans-to",
    ),
    case(
        "Meta did not acquire Scale AI.",
        ("ACQUIRES", "Meta Platforms", "Scale AI"),
        N,
        "did-not",
    ),
    case(
        "Apple declined to invest in OpenAI.",
        ("INVESTS_IN", "Apple", "OpenAI"),
        N,
        "declined-to",
    ),
    case(
        "Amazon never invested in Cohere.",
        ("INVESTS_IN", "Amazon", "Cohere"),
        N,
        "never",
    ),
    case(
        "Nvidia denied investing in xAI.",
        ("INVESTS_IN", "Nvidia", "xAI"),
        N,
        "denied-gerund",
    ),
    case(
        "Google is not a shareholder of Anthropic.",
        ("INVESTS_IN", "Google", "Anthropic"),
        N,
        "is-not-a-shareholder",
    ),
]


@pytest.mark.parametrize(("text", "expected", "mod"), CASES)
def test_modality(text: str, expected: Triple, mod: Modality) -> None:
    assert modality(extract_text(text, timeout=3), expected) is mod


def test_every_modality_has_paraphrases() -> None:
    per = {m: sum(1 for c in CASES if c.values[2] is m) for m in Modality}
    assert all(n >= 4 for n in per.values()), per


# ------------------------------------------------------------------ scope


@pytest.mark.parametrize(
    ("text", "expected", "mod"),
    [
        pytest.param(
            "Microsoft invested in OpenAI in 2019. Analysts speculate that Google may follow.",
            MSFT_OPENAI,
            A,
            id="speculation-in-next-sentence",
        ),
        pytest.param(
            "Analysts speculate that Google may follow. Microsoft invested in OpenAI in 2019.",
            MSFT_OPENAI,
            A,
            id="speculation-in-previous-sentence",
        ),
        pytest.param(
            "Amazon invested in Anthropic. Apple has no plans to invest in OpenAI.",
            ("INVESTS_IN", "Amazon", "Anthropic"),
            A,
            id="negation-in-next-sentence",
        ),
        pytest.param(
            "Amazon invested in Anthropic. Apple has no plans to invest in OpenAI.",
            ("INVESTS_IN", "Apple", "OpenAI"),
            N,
            id="negation-in-own-sentence",
        ),
        pytest.param(
            "According to people familiar with the matter, Apple held talks. "
            "Microsoft invested in OpenAI.",
            MSFT_OPENAI,
            A,
            id="attribution-in-previous-sentence",
        ),
        pytest.param(
            "Microsoft will hold an event next week. Microsoft acquired GitHub in 2018.",
            ("ACQUIRES", "Microsoft", "GitHub"),
            A,
            id="future-in-previous-sentence",
        ),
        pytest.param(
            "Microsoft invested in OpenAI, while Apple may invest in Mistral AI.",
            MSFT_OPENAI,
            A,
            id="speculation-in-other-clause",
        ),
        pytest.param(
            "Microsoft invested in OpenAI, while Apple may invest in Mistral AI.",
            ("INVESTS_IN", "Apple", "Mistral AI"),
            S,
            id="speculation-in-own-clause",
        ),
        pytest.param(
            "Microsoft invested in OpenAI, and analysts say Amazon may invest in Anthropic.",
            MSFT_OPENAI,
            A,
            id="coordinated-clause",
        ),
        pytest.param(
            "Reports about the deal were wrong, but Nvidia supplies chips to xAI.",
            ("SUPPLIES", "Nvidia", "xAI"),
            A,
            id="but-clause",
        ),
        pytest.param(
            "Google denied the rumours. Alphabet owns Google.",
            ("OWNS", "Alphabet", "Google"),
            A,
            id="denial-in-previous-sentence",
        ),
    ],
)
def test_cues_are_scoped_to_the_clause(text: str, expected: Triple, mod: Modality) -> None:
    assert modality(extract_text(text, timeout=3), expected) is mod


def test_presupposed_title_is_asserted_inside_a_speculative_sentence() -> None:
    result = extract_text("Microsoft CEO Satya Nadella may visit Paris next month.", timeout=3)
    assert modality(result, ("LEADS", "Satya Nadella", "Microsoft")) is A


def test_each_relation_keeps_its_own_modality_in_one_sentence() -> None:
    result = extract_text(
        "Microsoft invested in OpenAI, and Amazon will invest in Anthropic.", timeout=3
    )
    assert modality(result, MSFT_OPENAI) is A
    assert modality(result, ("INVESTS_IN", "Amazon", "Anthropic")) is P


# ------------------------------------------------------ modality order


def test_modalities_run_from_firmest_to_weakest() -> None:
    assert [m.rank for m in Modality] == [0, 1, 2, 3, 4]
    assert Modality.ASSERTED.rank < Modality.REPORTED.rank < Modality.NEGATED.rank


# ---------------------------------------------------- a root that is not a verb


def _parsed(words: list[str], heads: list[int], deps: list[str], pos: list[str]) -> Doc:
    return Doc(spacy.blank("en").vocab, words=words, heads=heads, deps=deps, pos=pos)


@pytest.mark.parametrize(
    ("words", "heads", "deps", "pos", "trigger"),
    [
        pytest.param(
            ["Microsoft", "'s", "investment", "in", "OpenAI"],
            [2, 0, 2, 2, 3],
            ["poss", "case", "ROOT", "prep", "pobj"],
            ["PROPN", "PART", "NOUN", "ADP", "PROPN"],
            2,
            id="noun-root",
        ),
        pytest.param(
            ["Google", "'s", "takeover", "of", "Windsurf", "surprised", "investors"],
            [2, 0, 5, 2, 3, 5, 5],
            ["poss", "case", "nsubj", "prep", "pobj", "ROOT", "dobj"],
            ["PROPN", "PART", "NOUN", "ADP", "PROPN", "ADJ", "NOUN"],
            2,
            id="adjective-root",
        ),
    ],
)
def test_nominal_trigger_under_a_non_verbal_root_terminates(
    words: list[str], heads: list[int], deps: list[str], pos: list[str], trigger: int
) -> None:
    """Headlines and fragments: the walk up from a noun trigger must stop at the root."""
    doc = _parsed(words, heads, deps, pos)
    with deadline(2.0):
        assert modality_of(doc[trigger], doc[:]) is Modality.ASSERTED
