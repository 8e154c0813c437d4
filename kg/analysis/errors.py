"""The errors graph analysis raises, under the project's one root.

KGError
└── AnalysisError           an analysis cannot answer the question as asked
    ├── EntityNotFoundError     no entity has that name or alias
    ├── AmbiguousEntityError    several entities have that name or alias
    └── NoPathError             two entities are not connected
"""

from __future__ import annotations

from kg.errors import KGError

__all__ = ["AmbiguousEntityError", "AnalysisError", "EntityNotFoundError", "NoPathError"]


class AnalysisError(KGError):
    """An analysis cannot answer the question as asked."""


class EntityNotFoundError(AnalysisError, LookupError):
    """No entity in the graph has the given id, name or alias."""


class AmbiguousEntityError(AnalysisError, LookupError):
    """Several entities answer to the given name or alias."""


class NoPathError(AnalysisError):
    """No chain of relationships links two entities."""
