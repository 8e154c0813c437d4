"""kg: news about the AI industry in, a typed, evidence-backed knowledge graph out."""

from importlib.metadata import PackageNotFoundError, version

from kg.errors import KGError
from kg.models import Document, Entity, Evidence, ExtractionResult, Mention, Relation
from kg.ontology import RELATION_TYPES, EntityType, Modality

try:
    __version__ = version("kg")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"

__all__ = [
    "RELATION_TYPES",
    "Document",
    "Entity",
    "EntityType",
    "Evidence",
    "ExtractionResult",
    "KGError",
    "Mention",
    "Modality",
    "Relation",
    "__version__",
]
