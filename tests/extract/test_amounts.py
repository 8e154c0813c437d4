"""Money amounts: parsing what news prose writes, and attaching it to relations."""

from __future__ import annotations

import pytest

from kg.extract.amounts import find_amounts
from tests.conftest import extract_text, rels


@pytest.mark.parametrize(
    ("text", "written", "value", "usd"),
    [
        ("$13 billion", "$13 billion", 13e9, 13e9),
        ("US$1.5bn", "US$1.5bn", 1.5e9, 1.5e9),
        ("$500M", "$500M", 500e6, 500e6),
        ("€2 billion", "€2 billion", 2e9, None),
        ("10 billion dollars", "10 billion dollars", 10e9, 10e9),
        ("USD 3.2 billion", "USD 3.2 billion", 3.2e9, 3.2e9),
        ("$1,250,000", "$1,250,000", 1.25e6, 1.25e6),
        ("$2.5 trillion", "$2.5 trillion", 2.5e12, 2.5e12),
        ("$10B", "$10B", 10e9, 10e9),
        ("£40m", "£40m", 40e6, None),
        ("1.5 billion euros", "1.5 billion euros", 1.5e9, None),
        ("¥10 billion", "¥10 billion", 10e9, None),
        ("$7", "$7", 7.0, 7.0),
    ],
)
def test_amount_forms(text: str, written: str, value: float, usd: float | None) -> None:
    sentence = f"The company disclosed {text} on Monday."
    [amount] = find_amounts(sentence)
    assert amount.text == written
    assert sentence[amount.start : amount.end] == written
    assert amount.value == pytest.approx(value)
    if usd is None:
        assert amount.usd is None
    else:
        assert amount.usd == pytest.approx(usd)


def test_several_amounts_in_order() -> None:
    text = "It raised $6.6bn, then €2 billion, then 10 billion dollars."
    assert [(a.text, a.usd) for a in find_amounts(text)] == [
        ("$6.6bn", 6.6e9),
        ("€2 billion", None),
        ("10 billion dollars", 10e9),
    ]


@pytest.mark.parametrize(
    "text",
    ["13 billion people", "GPT-4 scored 86.4 percent", "in 2024", "a billion users", "Series B"],
)
def test_numbers_without_currency_are_not_amounts(text: str) -> None:
    assert find_amounts(text) == []


@pytest.mark.parametrize("text", ["C$1 billion", "NT$20 billion", "HK$5bn", "A$2 billion"])
def test_other_dollars_are_not_us_dollars(text: str) -> None:
    amounts = find_amounts(f"The fund committed {text} this year.")
    assert [a.usd for a in amounts] == [None]


def test_one_letter_scale_needs_a_word_end() -> None:
    [amount] = find_amounts("The shop sold $20 T-shirts.")
    assert amount.value == 20.0


# ----------------------------------------------------------- on relations


@pytest.mark.parametrize(
    ("text", "expected", "written", "usd"),
    [
        (
            "Microsoft detailed its $13 billion investment in OpenAI.",
            ("INVESTS_IN", "Microsoft", "OpenAI"),
            "$13 billion",
            13e9,
        ),
        (
            "Nvidia invested US$1.5bn in xAI.",
            ("INVESTS_IN", "Nvidia", "xAI"),
            "US$1.5bn",
            1.5e9,
        ),
        (
            "Google invested $500M in Character.AI.",
            ("INVESTS_IN", "Google", "Character.AI"),
            "$500M",
            500e6,
        ),
        (
            "Microsoft invested €2 billion in Mistral AI.",
            ("INVESTS_IN", "Microsoft", "Mistral AI"),
            "€2 billion",
            None,
        ),
        (
            "Amazon invested 10 billion dollars in Anthropic.",
            ("INVESTS_IN", "Amazon", "Anthropic"),
            "10 billion dollars",
            10e9,
        ),
        (
            "Anthropic raised $4 billion from Amazon, taking its valuation to $18 billion.",
            ("INVESTS_IN", "Amazon", "Anthropic"),
            "$4 billion",
            4e9,
        ),
        pytest.param(
            "Nvidia, valued at $3 trillion, invested $500 million in xAI.",
            ("INVESTS_IN", "Nvidia", "xAI"),
            "$500 million",
            500e6,
        ),
    ],
    ids=[
        "13-billion",
        "us-1.5bn",
        "500M",
        "euro",
        "dollars-word",
        "valuation-after",
        "valuation-before",
    ],
)
def test_amount_on_relation(
    text: str, expected: tuple[str, str, str], written: str, usd: float | None
) -> None:
    result = extract_text(text, timeout=3)
    assert expected in rels(result)
    names = {e.id: e.name for e in result.entities}
    [rel] = [r for r in result.relations if (r.type, names[r.source], names[r.target]) == expected]
    assert rel.amount == written
    if usd is None:
        assert rel.amount_usd is None
    else:
        assert rel.amount_usd == pytest.approx(usd)


def test_amount_far_from_the_trigger_is_not_attached() -> None:
    text = (
        "Microsoft invested in OpenAI years before the startup's revenue, now growing "
        "quickly across many markets and customer segments, reached $3.7 billion."
    )
    result = extract_text(text, timeout=3)
    names = {e.id: e.name for e in result.entities}
    [rel] = [
        r
        for r in result.relations
        if (r.type, names[r.source], names[r.target]) == ("INVESTS_IN", "Microsoft", "OpenAI")
    ]
    assert rel.amount is None
    assert rel.amount_usd is None
