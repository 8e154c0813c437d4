"""The closed ontology: entity types, relation types, modalities.

This module is the single source of truth. Store labels, relationship types, the
extractor's domain/range checks and ``schemas/ontology.json`` all derive from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from kg.errors import OntologyError

__all__ = [
    "ENTITY_TYPES",
    "MODALITIES",
    "RELATIONS",
    "RELATION_TYPES",
    "EntityType",
    "Modality",
    "RelationSpec",
    "allows",
    "entity_type",
    "ontology_document",
    "relation_spec",
]


class EntityType(StrEnum):
    """The three kinds of node an article can name."""

    ORGANIZATION = "Organization"
    PERSON = "Person"
    PRODUCT = "Product"


class Modality(StrEnum):
    """How a text holds a relation, from firmest to weakest.

    The order matters: analysis filters keep modalities at or above a minimum.
    ``negated`` sits last because a denial is evidence *against* the relation.
    """

    ASSERTED = "asserted"
    REPORTED = "reported"
    PLANNED = "planned"
    SPECULATIVE = "speculative"
    NEGATED = "negated"

    @property
    def rank(self) -> int:
        """0 for asserted, growing as the statement gets weaker."""
        return list(Modality).index(self)


ORG, PER, PROD = EntityType.ORGANIZATION, EntityType.PERSON, EntityType.PRODUCT


@dataclass(frozen=True)
class RelationSpec:
    """One relation type: its direction, symmetry and allowed endpoint types."""

    name: str
    description: str
    sources: frozenset[EntityType]
    targets: frozenset[EntityType]
    symmetric: bool = False
    same_type: bool = False  # both ends must be of one type (rivalry: org-org, person-person...)
    has_role: bool = False  # carries a ``role`` (CEO, analyst...)
    has_amount: bool = False  # carries an amount of money

    def allows(self, source: EntityType, target: EntityType) -> bool:
        """Whether ``source -[self]-> target`` respects the domain and range."""
        if self.same_type and source != target:
            return False
        return source in self.sources and target in self.targets


def _spec(
    name: str, description: str, sources: set[EntityType], targets: set[EntityType], **flags: bool
) -> RelationSpec:
    return RelationSpec(name, description, frozenset(sources), frozenset(targets), **flags)


RELATIONS: dict[str, RelationSpec] = {
    spec.name: spec
    for spec in (
        _spec(
            "INVESTS_IN",
            "puts money into, holds a stake in, funds (investor -> investee)",
            {ORG, PER},
            {ORG},
            has_amount=True,
        ),
        _spec(
            "ACQUIRES",
            "buys, takes over, merges into itself (buyer -> bought)",
            {ORG},
            {ORG, PROD},
            has_amount=True,
        ),
        _spec(
            "PARTNERS_WITH",
            "partnership, deal, collaboration, integration agreement",
            {ORG, PROD},
            {ORG, PROD},
            symmetric=True,
        ),
        _spec(
            "HOSTS",
            "makes another party's model available on its platform, or runs its "
            "workloads in its cloud (platform -> hosted)",
            {ORG, PROD},
            {ORG, PROD},
        ),
        _spec(
            "DEVELOPS",
            "builds, trains, releases or owns a product (maker -> product)",
            {ORG, PER},
            {PROD},
        ),
        _spec(
            "RIVALS",
            "competes with, rival, tension, rift, dispute",
            {ORG, PER, PROD},
            {ORG, PER, PROD},
            symmetric=True,
            same_type=True,
        ),
        _spec(
            "LEADS",
            "CEO, chair, president, head (person -> organization)",
            {PER},
            {ORG},
            has_role=True,
        ),
        _spec(
            "FOUNDED",
            "founded, co-founded, launched a company (founder -> organization)",
            {PER, ORG},
            {ORG},
        ),
        _spec(
            "WORKS_FOR",
            "employed by, analyst at, engineer at, not leading (person -> org)",
            {PER},
            {ORG},
            has_role=True,
        ),
        _spec("OWNS", "parent of, subsidiary, controls (owner -> owned)", {ORG, PER}, {ORG, PROD}),
        _spec(
            "SUPPLIES",
            "sells or provides chips, compute, data, licences (supplier -> customer)",
            {ORG},
            {ORG},
            has_amount=True,
        ),
    )
}

RELATION_TYPES: tuple[str, ...] = tuple(RELATIONS)
ENTITY_TYPES: tuple[str, ...] = tuple(t.value for t in EntityType)
MODALITIES: tuple[str, ...] = tuple(m.value for m in Modality)


def relation_spec(name: str) -> RelationSpec:
    """Return the spec of relation type ``name``, or raise :class:`OntologyError`."""
    try:
        return RELATIONS[name]
    except KeyError:
        raise OntologyError(
            f"relation type {name!r} is not one of {', '.join(RELATION_TYPES)}"
        ) from None


def entity_type(name: str) -> EntityType:
    """Parse an entity type, accepting any case ("ORGANIZATION", "person")."""
    for t in EntityType:
        if t.value.casefold() == str(name).casefold():
            return t
    raise OntologyError(f"entity type {name!r} is not one of {', '.join(ENTITY_TYPES)}")


def allows(relation: str, source: EntityType, target: EntityType) -> bool:
    """Whether the ontology allows ``source -[relation]-> target``."""
    return relation_spec(relation).allows(source, target)


def ontology_document() -> dict[str, Any]:
    """The ontology as plain data, as exported to ``schemas/ontology.json``."""
    return {
        "entity_types": list(ENTITY_TYPES),
        "modalities": list(MODALITIES),
        "relations": [
            {
                "type": s.name,
                "description": s.description,
                "sources": sorted(t.value for t in s.sources),
                "targets": sorted(t.value for t in s.targets),
                "symmetric": s.symmetric,
                "same_type": s.same_type,
                "has_role": s.has_role,
                "has_amount": s.has_amount,
            }
            for s in RELATIONS.values()
        ],
    }
