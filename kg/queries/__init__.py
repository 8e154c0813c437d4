"""Saved Cypher queries: ``kg query --saved NAME --param ...``.

Each ``NAME.cypher`` starts with comment lines: the first says what it answers,
``// params: a, b`` lists its parameters. Where the embedded store's dialect cannot
express a query the Neo4j way, ``NAME.ladybug.cypher`` holds its version.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

from kg.errors import ConfigError

__all__ = ["SavedQuery", "load_saved", "saved_queries"]


@dataclass(frozen=True)
class SavedQuery:
    name: str
    description: str
    params: tuple[str, ...]
    text: str  # Neo4j dialect
    ladybug_text: str | None = None  # the embedded store's version, when it differs

    def for_dialect(self, dialect: str) -> str:
        return self.ladybug_text if dialect == "ladybug" and self.ladybug_text else self.text


def _parse(name: str, text: str) -> SavedQuery:
    description = ""
    params: tuple[str, ...] = ()
    for line in text.splitlines():
        if not line.startswith("//"):
            break
        body = line[2:].strip()
        if body.lower().startswith("params:"):
            params = tuple(p.strip() for p in body[7:].split(",") if p.strip())
        elif not description:
            description = body
    return SavedQuery(name, description, params, text)


def saved_queries() -> list[SavedQuery]:
    """Every saved query, by name."""
    files = {
        f.name: f.read_text("utf-8")
        for f in resources.files(__package__).iterdir()
        if f.name.endswith(".cypher")
    }
    out = []
    for fname, text in sorted(files.items()):
        if fname.endswith(".ladybug.cypher"):
            continue
        name = fname.removesuffix(".cypher")
        query = _parse(name, text)
        ladybug = files.get(f"{name}.ladybug.cypher")
        out.append(SavedQuery(query.name, query.description, query.params, query.text, ladybug))
    return out


def load_saved(name: str) -> SavedQuery:
    """The saved query ``name``, or :class:`ConfigError` listing the names."""
    queries = {q.name: q for q in saved_queries()}
    try:
        return queries[name]
    except KeyError:
        raise ConfigError(
            f"no saved query {name!r}; saved queries: {', '.join(sorted(queries))}"
        ) from None
