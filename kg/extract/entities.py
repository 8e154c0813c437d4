"""Entity mentions from a parsed document, and their resolution to canonical entities.

Mentions come from the gazetteer ruler and the statistical NER (see :mod:`kg.nlp`).
Resolution maps each mention to one canonical entity of the document:

1. a gazetteer hit, or a name the gazetteer knows once cleaned ("Microsoft Corp.'s",
   "MSFT"), becomes the gazetteer's entity;
2. a short form links to a fuller name met in the same document: a surname to a
   person ("Nadella" -> "Satya Nadella"), an acronym to an organisation whose
   initials it spells ("FTC" -> "Federal Trade Commission"), a first word to a
   longer unknown name ("Bernstein" -> "Bernstein Research");
3. a surname alone that names exactly one person of the gazetteer becomes that person;
4. anything else is a new entity named by its longest cleaned form, typed by the
   majority of its NER labels.

Ids come from type and normalised canonical name, so the same entity found in two
documents is one node.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from spacy.tokens import Doc

from kg.models import Entity, Mention
from kg.nlp.gazetteer import Gazetteer, GazetteerEntry, entity_id, name_key
from kg.ontology import EntityType

__all__ = ["EntityRecord", "SpanMention", "find_mentions", "find_short_forms", "resolve_mentions"]

_LABEL_TYPE = {
    "ORG": EntityType.ORGANIZATION,
    "PERSON": EntityType.PERSON,
    "PRODUCT": EntityType.PRODUCT,
}


@dataclass(eq=False)
class SpanMention:
    """A mention in one spaCy doc (token span) with offsets into the document."""

    doc: Doc
    start: int  # token index in ``doc``
    end: int
    start_char: int  # character offset in the whole document
    end_char: int
    text: str
    type: EntityType
    gazetteer_id: str | None
    entity: EntityRecord | None = None
    coref: bool = False  # a short form found after resolution ("Musk" after "Elon Musk")

    @property
    def source(self) -> str:
        if self.coref:
            return "coref"
        return "gazetteer" if self.gazetteer_id else "ner"


@dataclass(eq=False)
class EntityRecord:
    """A canonical entity of one document while it is being built."""

    id: str
    name: str
    type: EntityType
    wikidata: str | None = None
    kinds: tuple[str, ...] = ()
    mentions: list[SpanMention] = field(default_factory=list)

    def to_model(self) -> Entity:
        forms = sorted({m.text for m in self.mentions} - {self.name})
        return Entity(
            id=self.id,
            name=self.name,
            type=self.type,
            aliases=forms,
            wikidata=self.wikidata,
            mentions=[
                Mention(text=m.text, start=m.start_char, end=m.end_char, source=m.source)
                for m in self.mentions
            ],
        )


def find_mentions(doc: Doc, text: str, offset: int = 0) -> list[SpanMention]:
    """Mentions of ``doc`` (parsed from ``text[offset:]``), with surface text from ``text``."""
    return [
        SpanMention(
            doc=doc,
            start=ent.start,
            end=ent.end,
            start_char=offset + ent.start_char,
            end_char=offset + ent.end_char,
            text=text[offset + ent.start_char : offset + ent.end_char],
            type=_LABEL_TYPE[ent.label_],
            gazetteer_id=ent.ent_id_ or None,
        )
        for ent in doc.ents
        if ent.label_ in _LABEL_TYPE
    ]


def _initials(name: str) -> str:
    return "".join(w[0] for w in name.split() if w[:1].isupper())


def resolve_mentions(mentions: list[SpanMention], gazetteer: Gazetteer) -> list[EntityRecord]:
    """Link every mention to a canonical entity; return the document's entities."""
    by_id: dict[str, EntityRecord] = {}

    def known(entry: GazetteerEntry) -> EntityRecord:
        record = by_id.get(entry.id)
        if record is None:
            record = by_id[entry.id] = EntityRecord(
                entry.id, entry.name, entry.type, entry.wikidata, entry.kinds
            )
        return record

    unknown: list[SpanMention] = []
    for m in mentions:
        entry = gazetteer.lookup(m.text)
        if entry is not None:
            m.entity = known(entry)
        else:
            unknown.append(m)

    # Fuller names first, so short forms can link to them.
    unknown.sort(key=lambda m: -len(m.text.split()))
    groups: dict[str, list[SpanMention]] = {}

    def new_entity(group: list[SpanMention]) -> EntityRecord:
        etype = Counter(m.type for m in group).most_common(1)[0][0]
        name = _clean_name(max((m.text for m in group), key=len))
        eid = entity_id(etype, name)
        record = by_id.get(eid)
        if record is None:
            record = by_id[eid] = EntityRecord(eid, name, etype)
        for m in group:
            m.entity = record
        return record

    def short_form_of(key: str, text: str) -> EntityRecord | None:
        """The fuller name in this document that a one-word mention abbreviates."""
        fuller: list[tuple[str, EntityType, EntityRecord | list[SpanMention]]] = [
            (r.name, r.type, r) for r in by_id.values()
        ]
        fuller += [(_clean_name(g[0].text), g[0].type, g) for k, g in groups.items() if " " in k]
        for name, etype, owner in fuller:
            words = name_key(name).split()
            if len(words) < 2:
                continue
            person = etype is EntityType.PERSON and key in (words[0], words[-1])
            org = etype is EntityType.ORGANIZATION and (
                key == words[0] or (text.isupper() and text == _initials(name))
            )
            if person or org:
                return owner if isinstance(owner, EntityRecord) else new_entity(owner)
        return None

    for m in unknown:
        key = name_key(m.text)
        target: EntityRecord | None = None
        if " " not in key:
            target = short_form_of(key, m.text)
            if target is None and m.type is not EntityType.PRODUCT:
                entry = gazetteer.by_surname(key)
                if entry is not None:
                    target = known(entry)
        if target is not None:
            m.entity = target
        else:
            groups.setdefault(key, []).append(m)

    for group in groups.values():
        if group[0].entity is None:
            new_entity(group)
        else:  # shared with a short form already: join the same record
            for m in group:
                m.entity = group[0].entity
    for m in mentions:
        assert m.entity is not None
        m.entity.mentions.append(m)
    return sorted(by_id.values(), key=lambda r: min(x.start_char for x in r.mentions))


def _clean_name(text: str) -> str:
    """A surface form as a canonical name: no possessive, no leading 'the' for people."""
    s = text.replace("’", "'").strip(" ,.;:")
    for suffix in ("'s", "'"):
        if s.endswith(suffix):
            s = s[: -len(suffix)]
    return " ".join(s.split())


def find_short_forms(
    parsed: list[tuple[Doc, int]], text: str, records: list[EntityRecord]
) -> list[SpanMention]:
    """Mentions the NER missed of a short form of a name resolved in this document.

    The statistical model often leaves a bare surname untagged ("Musk, who co-founded
    OpenAI, ..."). A capitalised token equal to the surname of a person, or to the first
    word of a multi-word organisation name, that no mention covers becomes a mention
    of that entity.
    """
    short: dict[str, EntityRecord] = {}
    clash: set[str] = set()
    for record in records:
        words = record.name.split()
        if len(words) < 2:
            continue
        if record.type is EntityType.PERSON:
            form = words[-1]
        elif record.type is EntityType.ORGANIZATION:
            form = words[0]
        else:
            continue
        if not form[:1].isupper() or len(form) < 3:
            continue
        if form in short and short[form] is not record:
            clash.add(form)  # two entities share it: ambiguous, leave it alone
        short[form] = record
    for form in clash:
        del short[form]
    found: list[SpanMention] = []
    if not short:
        return found
    for doc, offset in parsed:
        covered = {i for ent in doc.ents for i in range(ent.start, ent.end)}
        for tok in doc:
            hit = short.get(tok.text)
            if hit is None or tok.i in covered or tok.pos_ != "PROPN":
                continue
            nxt = doc[tok.i + 1] if tok.i + 1 < len(doc) else None
            if nxt is not None and nxt.pos_ == "PROPN" and nxt.text[:1].isupper():
                continue  # part of a longer name the NER did not tag
            start = offset + tok.idx
            mention = SpanMention(
                doc=doc,
                start=tok.i,
                end=tok.i + 1,
                start_char=start,
                end_char=start + len(tok.text),
                text=text[start : start + len(tok.text)],
                type=hit.type,
                gazetteer_id=None,
                entity=hit,
                coref=True,
            )
            hit.mentions.append(mention)
            found.append(mention)
    return found
