"""The spaCy pipeline: gazetteer ruler, entity filter, typography; the gazetteer itself."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from spacy.language import Language

from kg.extract import Extractor
from kg.nlp import build_pipeline, load_gazetteer, name_key, normalize_typography
from kg.nlp.pipeline import KEPT_LABELS
from kg.ontology import EntityType
from tests.conftest import extract_text


@pytest.fixture(scope="module")
def nlp(extractor: Extractor) -> Language:
    return extractor.nlp


def ents(nlp: Language, text: str) -> list[tuple[str, str, str]]:
    """(text, ontology type, gazetteer id) of each entity span."""
    return [(e.text, KEPT_LABELS[e.label_], e.ent_id_) for e in nlp(text).ents]


def test_pipeline_order(nlp: Language) -> None:
    names = nlp.pipe_names
    assert names.index("kg_gazetteer") < names.index("ner") < names.index("kg_entity_filter")
    assert names[-1] == "kg_entity_filter"


def test_build_pipeline_is_cached(nlp: Language) -> None:
    assert build_pipeline() is build_pipeline()


@pytest.mark.parametrize(
    ("sentence", "name", "etype", "eid"),
    [
        ("Users can now ask Grok about the news.", "Grok", "Product", "product:grok"),
        ("The startup xAI hired engineers in London.", "xAI", "Organization", "org:xai"),
        ("Benchmarks compare GPT-4 with older models.", "GPT-4", "Product", "product:gpt-4"),
        ("xAI said Grok beats GPT-4 on two tests.", "xAI", "Organization", "org:xai"),
        ("xAI said Grok beats GPT-4 on two tests.", "Grok", "Product", "product:grok"),
        ("xAI said Grok beats GPT-4 on two tests.", "GPT-4", "Product", "product:gpt-4"),
        ("Shares of Microsoft Corp. rose.", "Microsoft Corp.", "Organization", "org:microsoft"),
        ("Azure AI Foundry added new models.", "Azure AI Foundry", "Product", None),
    ],
)
def test_gazetteer_ruler_types_known_names(
    nlp: Language, sentence: str, name: str, etype: str, eid: str | None
) -> None:
    found = {text: (t, i) for text, t, i in ents(nlp, sentence)}
    assert name in found, found
    assert found[name][0] == etype
    assert found[name][1] == (eid or load_gazetteer().lookup(name).id)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "sentence",
    [
        "AI is changing how software gets written.",
        "Investors poured money into AI this year.",
        "The company sells AI chips, and AI startups buy them.",
        "Spending on AI, GPUs and LLMs kept rising, the CEO said.",
        "AI: the year in review.",
        "Generative AI dominated the conference.",
    ],
)
def test_ai_is_not_an_entity(nlp: Language, sentence: str) -> None:
    texts = [text for text, _, _ in ents(nlp, sentence)]
    assert not any("AI" in t.split() for t in texts), texts


def test_only_ontology_labels_survive(nlp: Language) -> None:
    doc = nlp("On Monday in Paris, Microsoft paid $10 billion to OpenAI, Reuters said.")
    assert {e.label_ for e in doc.ents} <= set(KEPT_LABELS)
    assert "Paris" not in {e.text for e in doc.ents}
    assert "Monday" not in {e.text for e in doc.ents}


def test_possessive_is_trimmed_from_ner_spans(nlp: Language) -> None:
    doc = nlp("Acme Robotics's chief met Jane Doe's team.")
    assert all(not e.text.endswith(("'s", "'")) for e in doc.ents), [e.text for e in doc.ents]


@pytest.mark.parametrize(
    "pair",
    [
        (
            "Microsoft\u2019s bet on OpenAI\u2019s models paid off, Nadella\u2019s deputies said.",
            "Microsoft's bet on OpenAI's models paid off, Nadella's deputies said.",
        ),
        (
            "Elon Musk\u2019s xAI said Grok\u2019s answers beat GPT-4\u2019s.",
            "Elon Musk's xAI said Grok's answers beat GPT-4's.",
        ),
        (
            "\u201cWe\u2019re in,\u201d said Anthropic\u2019s Dario Amodei of Amazon\u2019s offer.",
            "\"We're in,\" said Anthropic's Dario Amodei of Amazon's offer.",
        ),
    ],
    ids=["microsoft", "xai", "anthropic"],
)
def test_curly_and_straight_apostrophes_give_the_same_entities(pair: tuple[str, str]) -> None:
    curly, straight = pair
    assert len(curly) == len(straight)

    def found(text: str) -> set[tuple[str, str, int, int]]:
        result = extract_text(text)
        return {(e.id, e.type.value, m.start, m.end) for e in result.entities for m in e.mentions}

    curly_found, straight_found = found(curly), found(straight)
    assert curly_found == straight_found
    assert len(curly_found) >= 3
    # the mention texts are taken from the original, curly text
    result = extract_text(curly)
    for e in result.entities:
        for m in e.mentions:
            assert curly[m.start : m.end] == m.text


def test_curly_and_straight_apostrophes_give_the_same_relations() -> None:
    curly = extract_text("Elon Musk\u2019s xAI built Grok.")
    straight = extract_text("Elon Musk's xAI built Grok.")

    def key(r: object) -> set[tuple[str, str, str, int, int]]:
        return {
            (x.type, x.source, x.target, x.evidence.trigger_start or 0, x.evidence.trigger_end or 0)
            for x in r.relations  # type: ignore[attr-defined]
        }

    assert key(curly) == key(straight)
    assert ("OWNS", "person:elon-musk", "org:xai") in {k[:3] for k in key(curly)}


# ---------------------------------------------------------------- typography


def test_normalize_typography_examples() -> None:
    assert normalize_typography("Microsoft\u2019s \u201cdeal\u201d") == 'Microsoft\'s "deal"'
    assert normalize_typography("GPT\u20114\u00a0Turbo") == "GPT-4 Turbo"
    assert normalize_typography("plain text") == "plain text"


# Characters the pipeline may replace: quotes, odd spaces, odd hyphens, zero-width ones.
_REPLACEABLE = set(
    "\u2018\u2019\u201a\u201b\u2032\u02bc\u201c\u201d\u201e\u201f\u2033"
    "\u00a0\u2007\u202f\u2009\u200a\u2010\u2011\u2012\u200b\ufeff"
)


@given(st.text())
def test_normalize_typography_keeps_every_offset(text: str) -> None:
    out = normalize_typography(text)
    assert len(out) == len(text)
    for before, after in zip(text, out, strict=True):
        assert before == after or before in _REPLACEABLE


# ------------------------------------------------------------------ gazetteer


def test_gazetteer_size_and_unique_ids() -> None:
    gazetteer = load_gazetteer()
    ids = [e.id for e in gazetteer]
    assert len(gazetteer) >= 400
    assert len(ids) == len(set(ids))


def test_gazetteer_names_and_aliases_are_unambiguous() -> None:
    gazetteer = load_gazetteer()
    owner: dict[str, str] = {}
    clashes = []
    for entry in gazetteer:
        for form in entry.forms:
            key = name_key(form)
            if owner.setdefault(key, entry.id) != entry.id:
                clashes.append((form, entry.id, owner[key]))
    assert clashes == []


def test_gazetteer_lookup_of_every_form_returns_its_entry() -> None:
    gazetteer = load_gazetteer()
    wrong = [(f, e.id) for e in gazetteer for f in e.forms if gazetteer.lookup(f) is not e]
    assert wrong == []


def test_gazetteer_covers_all_three_types() -> None:
    types = {e.type for e in load_gazetteer()}
    assert types == set(EntityType)


@pytest.mark.parametrize(
    ("surface", "canonical"),
    [
        ("Microsoft Corp.", "Microsoft"),
        ("MSFT", "Microsoft"),
        ("Microsoft Corp.'s", "Microsoft"),
        ("OpenAI\u2019s", "OpenAI"),
        ("the Federal Trade Commission", "Federal Trade Commission"),
        ("FTC", "Federal Trade Commission"),
    ],
)
def test_gazetteer_lookup_normalises_surface_forms(surface: str, canonical: str) -> None:
    entry = load_gazetteer().lookup(surface)
    assert entry is not None
    assert entry.name == canonical


def test_name_key() -> None:
    assert name_key("Microsoft Corp.'s") == "microsoft"
    assert name_key("The Verge") == "verge"
    assert name_key("  Anthropic  PBC ") == "anthropic"
