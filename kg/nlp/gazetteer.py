"""The curated gazetteer of the AI industry, shipped in ``kg/data/gazetteer.jsonl``."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from kg.ontology import EntityType, entity_type

__all__ = ["Gazetteer", "GazetteerEntry", "entity_id", "load_gazetteer", "name_key"]

_LEGAL = re.compile(
    r"(?:,?\s+(?:inc|incorporated|corp|corporation|co|company|ltd|limited|llc|plc|gmbh|ag|sa|"
    r"s\.a|pbc|holdings?|group|technologies|technology|labs?)\.?)+$",
    re.I,
)
_POSSESSIVE = re.compile(r"(?:'s|'|’s|’)$")
_PREFIX = {
    EntityType.ORGANIZATION: "org",
    EntityType.PERSON: "person",
    EntityType.PRODUCT: "product",
}


def name_key(name: str, *, strip_legal: bool = True) -> str:
    """A matching key for a name: case, possessive, leading 'the', legal form ignored.

    >>> name_key("Microsoft Corp.'s")
    'microsoft'
    >>> name_key("The Verge")
    'verge'
    """
    s = unicodedata.normalize("NFKC", name).replace("’", "'").strip()
    s = _POSSESSIVE.sub("", s).strip()
    s = re.sub(r"^the\s+", "", s, flags=re.I)
    if strip_legal:
        stripped = _LEGAL.sub("", s).strip(" ,")
        s = stripped or s
    s = re.sub(r"[^\w\s.+&-]", " ", s.casefold())
    return re.sub(r"\s+", " ", s).strip(" .-")


def entity_id(etype: EntityType, name: str) -> str:
    """Stable canonical id from type and normalised name: ``org:microsoft``."""
    slug = re.sub(r"[^\w.+&-]+", "-", name_key(name, strip_legal=False)).strip("-")
    return f"{_PREFIX[etype]}:{slug}"


@dataclass(frozen=True)
class GazetteerEntry:
    """One known entity: canonical name, type, aliases and categories."""

    name: str
    type: EntityType
    aliases: tuple[str, ...] = ()
    wikidata: str | None = None
    kinds: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return entity_id(self.type, self.name)

    @property
    def forms(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass
class Gazetteer:
    """Entries with an index from normalised surface form to entry."""

    entries: list[GazetteerEntry]
    _index: dict[str, GazetteerEntry] = field(default_factory=dict, repr=False)
    _surnames: dict[str, list[GazetteerEntry]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for entry in self.entries:
            for form in entry.forms:
                self._index.setdefault(name_key(form), entry)
            if entry.type is EntityType.PERSON and " " in entry.name:
                self._surnames.setdefault(name_key(entry.name.split()[-1]), []).append(entry)

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[GazetteerEntry]:
        return iter(self.entries)

    def lookup(self, surface: str) -> GazetteerEntry | None:
        """The entry a surface form names, if any ("Microsoft Corp." -> Microsoft)."""
        return self._index.get(name_key(surface))

    def by_surname(self, surname: str) -> GazetteerEntry | None:
        """The one known person with this surname, or None if none or several."""
        hits = self._surnames.get(name_key(surname), [])
        return hits[0] if len(hits) == 1 else None

    def patterns(self) -> list[dict[str, Any]]:
        """spaCy EntityRuler phrase patterns for every name and alias."""
        label = {
            EntityType.ORGANIZATION: "ORG",
            EntityType.PERSON: "PERSON",
            EntityType.PRODUCT: "PRODUCT",
        }
        return [
            {"label": label[e.type], "pattern": form, "id": e.id}
            for e in self.entries
            for form in e.forms
        ]


def _entries(lines: Iterable[str], where: str) -> Iterator[GazetteerEntry]:
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            yield GazetteerEntry(
                name=raw["name"],
                type=entity_type(raw["type"]),
                aliases=tuple(raw.get("aliases") or ()),
                wikidata=raw.get("wikidata"),
                kinds=tuple(raw.get("kinds") or ()),
            )
        except (ValueError, KeyError) as err:
            raise ValueError(f"{where}:{n}: bad gazetteer entry ({err})") from err


@cache
def load_gazetteer(path: Path | None = None) -> Gazetteer:
    """The shipped gazetteer, or one from ``path`` (JSON Lines, same fields)."""
    if path is None:
        text = resources.files("kg.data").joinpath("gazetteer.jsonl").read_text("utf-8")
        return Gazetteer(list(_entries(text.splitlines(), "kg/data/gazetteer.jsonl")))
    return Gazetteer(list(_entries(path.read_text("utf-8").splitlines(), str(path))))
