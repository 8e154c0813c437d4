"""The exceptions `kg` raises, all under one root.

    KGError
    ├── ConfigError             a setting is missing or invalid
    ├── OntologyError           a type outside the closed ontology
    ├── InputError              a document cannot be read
    │   └── MalformedInputError     a file's content is not what its format promises
    ├── ModelError              the spaCy pipeline cannot be loaded
    └── StoreError              a graph store failed
        ├── StoreLockedError        another process is writing the embedded store
        ├── StoreUnavailableError   the store cannot be reached (e.g. Neo4j is down)
        └── QueryError              a Cypher query was refused or failed
            └── ReadOnlyQueryError      a writing query without ``write=True``

Messages name the object, the bad value, the valid choices and the fix.
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "InputError",
    "KGError",
    "MalformedInputError",
    "ModelError",
    "OntologyError",
    "QueryError",
    "ReadOnlyQueryError",
    "StoreError",
    "StoreLockedError",
    "StoreUnavailableError",
]


class KGError(Exception):
    """Root of every error `kg` raises on purpose."""


class ConfigError(KGError):
    """A setting is missing or has an invalid value."""


class OntologyError(KGError, ValueError):
    """An entity or relation type that the ontology does not define."""


class InputError(KGError):
    """A document cannot be read."""


class MalformedInputError(InputError):
    """A file's content does not match its format (broken JSON line, missing field...)."""


class ModelError(KGError):
    """The spaCy pipeline cannot be loaded."""


class StoreError(KGError):
    """A graph store failed."""


class StoreLockedError(StoreError):
    """Another process holds the embedded store for writing."""


class StoreUnavailableError(StoreError):
    """The store cannot be reached."""


class QueryError(StoreError):
    """A Cypher query was refused or failed."""


class ReadOnlyQueryError(QueryError):
    """A query that writes was run without permission to write."""
