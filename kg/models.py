"""Typed records passed between stages: ingest -> extract -> store.

Every model forbids unknown fields, so a typo in a JSONL file or a stage that
drifts from its contract fails loudly instead of losing data. Their JSON Schemas
are exported to ``schemas/`` (see :mod:`kg.schemas`).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from kg.ontology import EntityType, Modality, relation_spec

__all__ = [
    "Document",
    "Entity",
    "Evidence",
    "ExtractionResult",
    "Mention",
    "Relation",
]

Offset = Annotated[int, Field(ge=0)]
Confidence = Annotated[float, Field(ge=0.0, le=1.0)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Document(_Model):
    """One news item as read from disk, before any NLP."""

    id: str = Field(min_length=1, description="Given id, else 'sha1:' + a hash of the text.")
    text: str
    title: str | None = None
    published: dt.date | None = None
    source: str | None = Field(default=None, description="Where it came from: a URL or a name.")
    path: str | None = Field(default=None, description="The file it was read from.")
    content_hash: str = Field(description="sha1 of the text, to skip unchanged documents.")


class Mention(_Model):
    """One occurrence of an entity in a document's text."""

    text: str
    start: Offset = Field(description="Character offset into the original document text.")
    end: Offset
    source: str = Field(description="What found it: 'gazetteer', 'ner' or 'coref'.")


class Entity(_Model):
    """A resolved entity of one document: one canonical node, all its mentions."""

    id: str = Field(description="Canonical id from type and normalised name, e.g. 'org:microsoft'.")
    name: str = Field(description="Canonical name.")
    type: EntityType
    aliases: list[str] = Field(
        default_factory=list, description="Other surface forms this document uses for it."
    )
    wikidata: str | None = None
    mentions: list[Mention] = Field(default_factory=list)


class Evidence(_Model):
    """Where a relation was read: the sentence, the trigger and the rule."""

    doc_id: str
    sentence: str
    sentence_start: Offset
    sentence_end: Offset
    trigger: str | None = None
    trigger_start: Offset | None = None
    trigger_end: Offset | None = None
    rule: str = Field(description="Name of the extraction rule that fired.")


class Relation(_Model):
    """One relation mention between two entities of the same document."""

    type: str = Field(description="One of the ontology's relation types.")
    source: str = Field(description="Entity id of the source.")
    target: str = Field(description="Entity id of the target.")
    modality: Modality = Modality.ASSERTED
    confidence: Confidence = 0.5
    role: str | None = None
    amount: str | None = Field(default=None, description="The amount as written, '$13 billion'.")
    amount_usd: float | None = Field(default=None, ge=0)
    date: dt.date | None = Field(default=None, description="The document's publication date.")
    evidence: Evidence

    @field_validator("type")
    @classmethod
    def _known_type(cls, value: str) -> str:
        relation_spec(value)  # raises OntologyError naming the valid choices
        return value


class ExtractionResult(_Model):
    """What extraction makes of one document; one line of ``kg extract`` output."""

    id: str
    title: str | None = None
    published: dt.date | None = None
    source: str | None = None
    path: str | None = None
    content_hash: str
    entities: list[Entity] = Field(default_factory=list)
    relations: list[Relation] = Field(default_factory=list)
    rejected: dict[str, int] = Field(
        default_factory=dict,
        description="Candidate relations dropped by the ontology's domain/range, by type.",
    )
