"""Extraction: entities, resolution, relations, modality and amounts -> ExtractionResult."""

from kg.extract.pipeline import Extractor, segments

__all__ = ["Extractor", "segments"]
