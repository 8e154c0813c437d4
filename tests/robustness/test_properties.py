"""Properties of extraction over random text (Hypothesis).

Texts are random mixes of news words, names from the gazetteer, amounts, punctuation,
odd whitespace and arbitrary unicode. Whatever the text, extraction does not raise,
every relation respects the ontology's domain and range, and every offset points
into the document at the text it claims.
"""

from __future__ import annotations

import hashlib
from functools import cache

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from kg.models import Document, ExtractionResult
from kg.nlp.gazetteer import load_gazetteer
from kg.ontology import allows
from tests.conftest import shared_extractor

_NEWS_WORDS = """
    invested in acquired buys bought partners with partnered launched released develops
    leads CEO chief executive founder co-founded rival competes with backed by hosts on
    supplies chips to owns a stake in said reported plans to may might not denied the
    company its their startup lab deal agreement billion million $ % in on of and or but
    who which that, after before Monday 2024 Q3 AI model cloud GPU
"""
WORDS = _NEWS_WORDS.split()
PUNCTUATION = list(".,;:!?'\"()[]{}-–—…/\\&@#*`’“”«»")
SPACES = [" ", " ", " ", "\n", "\n\n", "\t", "\u00a0", "\u2009", "\u200b", "\r\n", "\u2028"]


@cache
def gazetteer_names() -> list[str]:
    return sorted({form for entry in load_gazetteer() for form in entry.forms})


token = st.one_of(
    st.sampled_from(WORDS),
    st.sampled_from(gazetteer_names()),
    st.sampled_from(PUNCTUATION),
    st.builds("${:,}".format, st.integers(min_value=0, max_value=10**12)),
    st.text(min_size=1, max_size=12),  # any unicode: accents, CJK, emoji, combining marks
    st.from_regex(r"[A-Z][a-z]{2,9}( [A-Z][a-z]{2,9}){0,2}", fullmatch=True),  # name-like
)
texts = st.lists(st.tuples(token, st.sampled_from(SPACES)), min_size=1, max_size=60).map(
    lambda parts: "".join(t + s for t, s in parts)
)


def extract(text: str) -> ExtractionResult:
    digest = hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()
    document = Document(id="prop", text=text, content_hash=digest)
    return shared_extractor().extract(document)


def check(text: str, result: ExtractionResult) -> None:
    event("with relations" if result.relations else "no relation")
    types = {e.id: e.type for e in result.entities}
    assert len(types) == len(result.entities)  # one entity per id
    for entity in result.entities:
        assert entity.mentions
        for m in entity.mentions:
            assert 0 <= m.start < m.end <= len(text)
            assert text[m.start : m.end] == m.text
    for rel in result.relations:
        assert allows(rel.type, types[rel.source], types[rel.target]), rel
        ev = rel.evidence
        assert ev.doc_id == "prop"
        assert 0 <= ev.sentence_start < ev.sentence_end <= len(text)
        assert text[ev.sentence_start : ev.sentence_end].strip() == ev.sentence
        if ev.trigger_start is not None and ev.trigger_end is not None:
            assert ev.sentence_start <= ev.trigger_start < ev.trigger_end <= ev.sentence_end
            assert text[ev.trigger_start : ev.trigger_end] == ev.trigger
        assert 0.0 <= rel.confidence <= 1.0


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts)
def test_extraction_holds_its_invariants_on_random_text(text: str) -> None:
    check(text, extract(text))


SENTENCE = st.tuples(
    st.sampled_from(gazetteer_names()),
    st.sampled_from(
        [
            "invested $2 billion in",
            "acquired",
            "is a rival of",
            "partnered with",
            "said its chief executive is",
            "may invest in",
            "did not buy",
            "runs its models on",
            "released",
        ]
    ),
    st.sampled_from(gazetteer_names()),
    st.sampled_from([".", ", analysts said.", "!", " on Monday.", "'s unit."]),
).map(lambda parts: f"{parts[0]} {parts[1]} {parts[2]}{parts[3]}")


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(SENTENCE, min_size=1, max_size=8), st.sampled_from([" ", "\n\n", "  "]))
def test_relation_sentences_between_known_names_hold_the_invariants(
    sentences: list[str], glue: str
) -> None:
    """Sentences that do produce relations, so the relation checks are exercised."""
    text = glue.join(sentences)
    check(text, extract(text))


@settings(max_examples=25, deadline=None)
@given(st.lists(SENTENCE, min_size=2, max_size=6))
def test_typography_does_not_move_offsets(sentences: list[str]) -> None:
    """Curly quotes and dashes are normalised for spaCy; offsets stay the original's."""
    text = " — ".join(s.replace("'", "’") for s in sentences)
    check(text, extract(text))
