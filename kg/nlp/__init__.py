"""Building the spaCy pipeline: model choice, gazetteer ruler, entity filter, typography."""

from kg.nlp.gazetteer import Gazetteer, GazetteerEntry, load_gazetteer, name_key
from kg.nlp.pipeline import build_pipeline, load_model
from kg.nlp.typography import normalize_typography

__all__ = [
    "Gazetteer",
    "GazetteerEntry",
    "build_pipeline",
    "load_gazetteer",
    "load_model",
    "name_key",
    "normalize_typography",
]
