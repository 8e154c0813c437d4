"""Relation extraction: rules over a parsed sentence, its entity mentions and lexicons.

Three families of rules, each named in the evidence it leaves:

- ``role``: a relational noun between two names: titles and appositions
  ("Microsoft CEO Satya Nadella", "Claudia Rossi, a tech analyst at Bernstein",
  "Nvidia's rival AMD", "its generative AI model, Grok");
- ``possessive``: "xAI's Grok" (maker), "Elon Musk's xAI" (owner);
- ``trigger``: a verb, noun or adjective from the lexicon with argument slots filled
  from the parse *and* from the surface order, because the small model's parses of
  news prose are often wrong: subjects, objects, prepositional objects, passives
  ("was acquired by"), hyphenated agents ("Microsoft-backed"), coordinations
  ("tensions between Nadella and Altman", "Amazon and Google invested").

References stand in for names: "it", "its", "the company", "the startup", "the
chipmaker" resolve to the entity they most likely point to (the subject of the
sentence or of the one before, or the last entity of a matching kind).

Every candidate is checked against the ontology's domain and range; rejected ones
are counted per type.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span, Token

from kg.extract.amounts import Amount, find_amounts
from kg.extract.entities import EntityRecord, SpanMention
from kg.extract.lexicon import ROLE_NOUNS, TRIGGERS, Frame, Trigger
from kg.extract.modality import modality_of
from kg.ontology import EntityType, Modality, relation_spec

__all__ = ["Candidate", "RelationExtractor"]

ORG, PER, PROD = EntityType.ORGANIZATION, EntityType.PERSON, EntityType.PRODUCT


def _widths_by_first_word(phrases: Iterable[str]) -> dict[str, tuple[int, ...]]:
    """For each word that starts a lexicon phrase, the phrases' widths, longest first.

    A phrase of ``w`` words matches ``w`` consecutive tokens whose words (lowercase
    text or lemma) join to it, so its first word is the first token's: the rules look
    up only the widths the token at hand can start, not every width at every token.
    """
    widths: dict[str, set[int]] = {}
    for phrase in phrases:
        words = phrase.split(" ")
        widths.setdefault(words[0], set()).add(len(words))
    return {word: tuple(sorted(ws, reverse=True)) for word, ws in widths.items()}


_TRIGGER_WIDTHS = _widths_by_first_word(lemma for lemma, _ in TRIGGERS)
_ROLE_WIDTHS = _widths_by_first_word(ROLE_NOUNS)
# One-word verb triggers, which a noun the tagger mistook for a verb may still be.
_VERB_WORDS = frozenset(lemma for lemma, pos in TRIGGERS if pos == "VERB" and " " not in lemma)
_CLAUSE_BREAK = {
    ";",
    ":",
    "which",
    "who",
    "whose",
    "whom",
    "while",
    "whereas",
    "although",
    "though",
    "but",
    "because",
    "since",
    "unless",
    "where",
    "when",
    "after",
    "before",
    "if",
    "(",
    ")",
    "—",
    "–",
    "--",
    '"',
}
_PREPS = {
    "in",
    "into",
    "with",
    "from",
    "by",
    "to",
    "on",
    "onto",
    "through",
    "via",
    "of",
    "at",
    "for",
    "against",
    "between",
    "among",
    "amongst",
    "alongside",
    "versus",
    "vs",
    "vs.",
}
# Words that may stand between a role noun and the names it relates ("its longtime
# partner", "a senior tech analyst").
_MODIFIER_POS = {"ADJ", "DET", "NUM", "ADV", "NOUN", "PROPN", "PART"}
# Pronouns: the entity type they take, and whether the nearest name wins over the subject.
_PRONOUNS: dict[str, tuple[EntityType, bool]] = {
    "it": (ORG, True),
    "its": (ORG, False),
    "itself": (ORG, False),
    "they": (ORG, False),
    "their": (ORG, False),
    "he": (PER, False),
    "his": (PER, False),
    "she": (PER, False),
    "her": (PER, False),
}
# "the company", "the startup", ...: a kind word and the gazetteer kinds it fits.
_DESCRIPTORS: dict[str, tuple[EntityType, set[str]]] = {
    "company": (ORG, set()),
    "firm": (ORG, set()),
    "group": (ORG, set()),
    "business": (ORG, set()),
    "corporation": (ORG, set()),
    "giant": (ORG, set()),
    "startup": (ORG, {"startup", "lab"}),
    "start-up": (ORG, {"startup", "lab"}),
    "lab": (ORG, {"lab"}),
    "laboratory": (ORG, {"lab"}),
    "developer": (ORG, set()),
    "chipmaker": (ORG, {"chipmaker"}),
    "chip maker": (ORG, {"chipmaker"}),
    "chip giant": (ORG, {"chipmaker"}),
    "chip designer": (ORG, {"chipmaker"}),
    "investor": (ORG, {"investor"}),
    "fund": (ORG, {"investor"}),
    "search giant": (ORG, {"bigtech"}),
    "tech giant": (ORG, {"bigtech"}),
    "software giant": (ORG, {"bigtech", "software"}),
    "software maker": (ORG, {"software"}),
    "cloud provider": (ORG, {"cloud"}),
    "cloud giant": (ORG, {"cloud"}),
    "e-commerce giant": (ORG, {"bigtech", "retailer"}),
    "iphone maker": (ORG, {"bigtech"}),
    "social media giant": (ORG, {"bigtech"}),
    "automaker": (ORG, {"automaker"}),
    "model": (PROD, {"model"}),
    "chatbot": (PROD, {"assistant"}),
    "assistant": (PROD, {"assistant"}),
    "platform": (PROD, {"platform", "cloud"}),
}
_PLURAL_REFS = {
    "the two companies",
    "both companies",
    "the two firms",
    "the pair",
    "the two",
    "both firms",
    "the companies",
    "the two sides",
    "both sides",
    "the duo",
    "the two men",
    "the two executives",
    "the rivals",
    "both",
}
# Things a supplier provides: "Nvidia chips" names their maker, not an object.
_SUPPLY_NOUNS = {
    "chip",
    "gpu",
    "processor",
    "accelerator",
    "server",
    "hardware",
    "semiconductor",
    "card",
    "superchip",
    "cpu",
    "tpu",
    "system",
    "memory",
    "compute",
    "capacity",
    "rack",
    "supercomputer",
    "networking",
    "part",
}
# Objects that make "receive/raise/get ... from X" about business, not funding.
_NOT_FUNDING = {
    "revenue",
    "sale",
    "income",
    "payment",
    "order",
    "fee",
    "royalty",
    "profit",
    "criticism",
    "backlash",
    "scrutiny",
    "approval",
    "request",
    "complaint",
    "question",
    "support",
    "attention",
    "interest",
    "feedback",
    "license",
    "lawsuit",
}
# Verbs that link a name to a role it holds ("X is CEO", "X will serve as CEO").
_LINKING = {
    "be",
    "become",
    "serve",
    "remain",
    "name",
    "appoint",
    "as",
    "who",
    "act",
    "stay",
    "continue",
}
# Words a list of names passes through without changing its slot.
_TRANSPARENT = {
    "including",
    "include",
    "includes",
    "like",
    "notably",
    "especially",
    "particularly",
    "namely",
    "chiefly",
    "mainly",
    "mostly",
    "both",
    "either",
}
_TRANSPARENT_PHRASES = {"such as", "as well as", "the likes of", "among them", "along with"}
_PREP_ALIASES = {
    "amongst": "among",
    "vs": "against",
    "vs.": "against",
    "versus": "against",
    "alongside": "with",
    "towards": "to",
    "toward": "to",
}
# Verbs that list the members of a role: "its customers include A and B".
_LISTING_VERBS = {"include", "be", "comprise", "number"}
_ROLE_PREPS = {"of", "at", "for", "with", "in", "to", "from", "on"}
_CONFIDENCE = {"role": 0.8, "possessive": 0.6, "trigger-dep": 0.75, "trigger": 0.6}


@dataclass(frozen=True)
class Arg:
    """A name or a resolved reference that can fill an argument slot."""

    start: int  # token indexes in the doc
    end: int
    entity: EntityRecord
    is_ref: bool = False

    @property
    def type(self) -> EntityType:
        return self.entity.type


@dataclass
class Candidate:
    """A relation mention before it becomes a :class:`kg.models.Relation`."""

    type: str
    source: EntityRecord
    target: EntityRecord
    sentence: Span
    trigger_start: int  # token indexes
    trigger_end: int
    rule: str
    confidence: float
    modality: Modality = Modality.ASSERTED
    role: str | None = None
    amount: str | None = None
    amount_usd: float | None = None


def _in_with_phrase(tok: Token) -> bool:
    """A noun governed by 'with': 'with participation from Z', 'with backing from Z'."""
    return tok.dep_ == "pobj" and tok.head.dep_ == "prep" and tok.head.lower_ == "with"


@dataclass
class _Sentence:
    span: Span
    args: list[Arg]
    by_token: dict[int, Arg] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for a in self.args:
            for i in range(a.start, a.end):
                self.by_token[i] = a


class RelationExtractor:
    """Extracts relation candidates from one parsed spaCy doc and its resolved mentions."""

    def __init__(self, doc: Doc, mentions: list[SpanMention]) -> None:
        self.doc = doc
        self.mentions = sorted(mentions, key=lambda m: m.start)
        self.rejected: Counter[str] = Counter()
        # Each token's words once, for the lexicon lookups at every token.
        self._lower = [t.lower_ for t in doc]
        self._lemma = [t.lemma_.lower() for t in doc]
        self._subjects: list[EntityRecord] = []  # subjects of earlier sentences, latest last

    # ------------------------------------------------------------------ driver
    def candidates(self) -> Iterator[Candidate]:
        for sent in self.doc.sents:
            names = [
                Arg(m.start, m.end, m.entity)
                for m in self.mentions
                if sent.start <= m.start < sent.end and m.entity is not None
            ]
            refs = self._references(sent, names)
            s = _Sentence(sent, sorted(names + refs, key=lambda a: a.start))
            if len(s.args) >= 2:
                yield from self._dedupe(self._sentence(s))
            subject = self._sentence_subject(s)
            if subject is not None:
                self._subjects.append(subject)

    def _sentence(self, s: _Sentence) -> Iterator[Candidate]:
        yield from self._role_nouns(s)
        yield from self._possessives(s)
        yield from self._behind(s)
        yield from self._triggers(s)

    def _behind(self, s: _Sentence) -> Iterator[Candidate]:
        """'OpenAI, the company behind ChatGPT', 'the startup behind Claude' -> DEVELOPS."""
        for tok in s.span:
            if tok.lower_ != "behind" or tok.i == s.span.start:
                continue
            maker = s.by_token.get(tok.i - 1)
            if maker is None:
                continue
            if (
                maker.is_ref
                and maker.start > s.span.start
                and self.doc[maker.start - 1].text == ","
            ):
                named = s.by_token.get(maker.start - 2)  # "Meta, the company behind ..."
                maker = named if named is not None else maker
            for made in self._right_slots(s, tok.i + 1, allow_obj=True).get("obj", []):
                cand = self._make(s, "DEVELOPS", maker, made, "role:behind", (tok.i, tok.i + 1))
                if cand is not None:
                    yield cand

    @staticmethod
    def _dedupe(cands: Iterator[Candidate]) -> Iterator[Candidate]:
        best: dict[tuple[str, str, str], Candidate] = {}
        for c in cands:
            key = (c.type, c.source.id, c.target.id)
            if relation_spec(c.type).symmetric:
                key = (c.type, *sorted((c.source.id, c.target.id)))  # type: ignore[assignment]
            if key not in best or c.confidence > best[key].confidence:
                best[key] = c
        yield from best.values()

    # -------------------------------------------------------------- references
    def _sentence_subject(self, s: _Sentence) -> EntityRecord | None:
        root = s.span.root
        for tok in [root, *root.children]:
            if tok.dep_ in {"nsubj", "nsubjpass"}:
                arg = self._arg_in(s, tok)
                if arg is not None:
                    return arg.entity
        return s.args[0].entity if s.args and s.args[0].start - s.span.start < 4 else None

    def _references(self, sent: Span, names: list[Arg]) -> list[Arg]:
        """Pronouns and descriptive noun phrases, resolved to the entity they point to."""
        args = list(names)  # names and the references resolved so far, for antecedents
        refs: list[Arg] = []
        taken = {i for a in names for i in range(a.start, a.end)}
        i = sent.start
        while i < sent.end:
            tok = self.doc[i]
            lower = tok.lower_
            target: EntityRecord | None = None
            width = 1
            if i in taken:
                pass
            elif lower in _PRONOUNS and tok.pos_ in {"PRON", "DET"}:
                etype, nearest = _PRONOUNS[lower]
                target = self._antecedent(sent, i, args, etype, set(), nearest=nearest)
            elif lower in {"the", "this", "that"}:
                j = i + 1
                while (
                    j < sent.end
                    and j - i <= 3
                    and (
                        self.doc[j].pos_ in {"ADJ", "NUM"}
                        or self.doc[j].text == "-"
                        or self.doc[j].tag_ == "HYPH"
                        or self.doc[j + 1 : j + 2].text == "-"
                    )
                ):
                    j += 1  # "the three-year-old startup", "the French startup"
                for w in (3, 2, 1):
                    phrase = " ".join(self._lower[j : j + w])
                    if j + w <= sent.end and j + w - 1 not in taken and phrase in _DESCRIPTORS:
                        etype, kinds = _DESCRIPTORS[phrase]
                        target = self._antecedent(sent, i, args, etype, kinds)
                        width = j + w - i
                        break
            if target is not None:
                ref = Arg(i, i + width, target, is_ref=True)
                refs.append(ref)
                args.append(ref)
                args.sort(key=lambda a: a.start)
            i += width
        return refs

    def _antecedent(
        self,
        sent: Span,
        at: int,
        args: list[Arg],
        etype: EntityType,
        kinds: set[str],
        *,
        nearest: bool = False,
    ) -> EntityRecord | None:
        """What a reference at token ``at`` points to.

        Possessive and subject pronouns ("its", "the company") prefer the subject of
        the sentence so far, then the last fitting name, then earlier subjects;
        ``nearest`` ("it") prefers the last fitting name. A kind word ("the
        chipmaker") only takes an entity of that kind.
        """
        types = {etype} if etype is not PROD or not nearest else {PROD, ORG}
        if nearest:
            types = {ORG, PROD}

        def fits(e: EntityRecord) -> bool:
            if e.type not in types:
                return False
            return not kinds or bool(kinds & set(e.kinds)) or not e.kinds

        before = [a.entity for a in args if a.end <= at and fits(a.entity)]
        if nearest and before:
            return before[-1]
        subject = self._subject_before(args, at)
        if subject is not None and fits(subject):
            return subject
        if before:
            return before[-1]
        for e in reversed(self._subjects[-2:]):
            if fits(e):
                return e
        if kinds:  # the last entity of that kind met in the document
            for m in reversed(self.mentions):
                if m.start < at and m.entity is not None and fits(m.entity):
                    return m.entity
        return None

    def _subject_before(self, args: list[Arg], at: int) -> EntityRecord | None:
        for a in args:
            if a.start >= at:
                break
            if {self.doc[a.end - 1].dep_, self.doc[a.start].dep_} & {"nsubj", "nsubjpass"}:
                return a.entity
        return None

    # ---------------------------------------------------------------- helpers
    @staticmethod
    def _arg_in(s: _Sentence, tok: Token) -> Arg | None:
        """The argument that a token belongs to or whose subtree holds one, if any."""
        arg = s.by_token.get(tok.i)
        if arg is not None:
            return arg
        for t in tok.subtree:
            if (
                t.i in s.by_token
                and t.head.i == tok.i
                and t.dep_ in {"compound", "poss", "appos", "nmod", "amod"}
            ):
                return s.by_token[t.i]
        return None

    def _make(
        self,
        s: _Sentence,
        relation: str,
        source: Arg,
        target: Arg,
        rule: str,
        trig: tuple[int, int],
        role: str | None = None,
    ) -> Candidate | None:
        if source.entity is target.entity:
            return None
        spec = relation_spec(relation)
        if not spec.allows(source.type, target.type):
            self.rejected[relation] += 1
            return None
        if source.is_ref and target.is_ref:
            return None
        trigger_tok = self.doc[trig[0]]
        cand = Candidate(
            type=relation,
            source=source.entity,
            target=target.entity,
            sentence=s.span,
            trigger_start=trig[0],
            trigger_end=trig[1],
            rule=rule,
            confidence=_CONFIDENCE[rule.split(":")[0]]
            - (0.1 if source.is_ref or target.is_ref else 0.0),
            modality=modality_of(trigger_tok, s.span, local=rule.startswith(("role", "poss"))),
            role=role,
        )
        if spec.has_amount:
            self._attach_amount(cand, s.span, trig[0])
        return cand

    def _attach_amount(self, cand: Candidate, sent: Span, trigger_i: int) -> None:
        amounts = find_amounts(sent.text)
        if not amounts:
            return
        anchor = self.doc[trigger_i].idx - sent.start_char

        def distance(a: Amount) -> int:
            # an amount after a verb is its object ("invested $500 million"); one
            # before it usually belongs to something else ("valued at $3 trillion")
            return a.start - anchor if a.start >= anchor else 2 * (anchor - a.end) + 10

        nearest = min(amounts, key=distance)
        if distance(nearest) <= 60:
            cand.amount, cand.amount_usd = nearest.text, nearest.usd

    def _widths(self, i: int, table: dict[str, tuple[int, ...]]) -> list[int]:
        """The widths of the phrases of ``table`` that token ``i`` may start, longest first."""
        lower, lemma = self._lower[i], self._lemma[i]
        widths = table.get(lower, ())
        if lemma != lower and lemma in table:
            widths = tuple(sorted({*widths, *table[lemma]}, reverse=True))
        return list(widths)

    def _match_role(self, i: int, end: int) -> tuple[str, int] | None:
        """Longest role noun (by lowercase text or lemma) starting at token ``i``."""
        for width in self._widths(i, _ROLE_WIDTHS):
            if width > end - i:
                continue
            for phrase in (
                " ".join(self._lower[i : i + width]),
                " ".join(self._lemma[i : i + width]),
            ):
                if phrase in ROLE_NOUNS:
                    return phrase, i + width
        return None

    # -------------------------------------------------------------- role nouns
    def _role_nouns(self, s: _Sentence) -> Iterator[Candidate]:
        sent = s.span
        i = sent.start
        while i < sent.end:
            if i in s.by_token:
                i += 1
                continue
            hit = self._match_role(i, sent.end)
            if hit is None or self.doc[hit[1] - 1].pos_ not in {"NOUN", "PROPN", "ADJ"}:
                i += 1
                continue
            phrase, end = hit
            for holder, anchor, title in self._role_pairs(s, i, end):
                # a listed member's own title is its role: "OpenAI executives, including
                # CEO Sam Altman" makes Altman OpenAI's CEO, not one of its employees
                said, span = title or (phrase, (i, end))
                for role in ROLE_NOUNS[said]:
                    src, tgt = (holder, anchor) if role.holder_is_source else (anchor, holder)
                    cand = self._make(
                        s, role.relation, src, tgt, f"role:{said}", span, role=role.role
                    )
                    if cand is not None:
                        yield cand
                        break
            i = end

    def _role_pairs(
        self, s: _Sentence, start: int, end: int
    ) -> Iterator[tuple[Arg, Arg, tuple[str, tuple[int, int]] | None]]:
        """(holder, anchor, title) around a role noun spanning tokens [start, end).

        ``title`` is None, or the role noun (and its tokens) that a member of a list
        carries itself and that stands for the role of the list.
        """
        doc, sent = self.doc, s.span
        before = self._anchor_before(s, start)
        after = self._name_after(s, end)
        # "Microsoft CEO Satya Nadella", "its model, Grok", "Nvidia's rival AMD"
        if before is not None and after is not None:
            yield after, before, None
            return
        # "Cohere's customers include Oracle and Notion", "its backers are A, B and C"
        if before is not None:
            listed = self._listed_after(s, end)
            if listed:
                for member in listed:
                    yield member, before, self._title_before(s, member)
                return
        # "Satya Nadella, CEO of Microsoft"; "Rossi, a tech analyst at Bernstein";
        # "Altman, OpenAI's chief executive"; "Altman is the CEO of OpenAI"
        holder = self._holder_before(s, before.start if before else start)
        anchor = before or self._prep_object(s, end)
        if holder is not None and anchor is not None:
            yield holder, anchor, None
            return
        # "Analyst Rebecca Holloway of Bernstein", "CEO Sam Altman at OpenAI"
        if after is not None and before is None:
            tail = self._prep_object(s, after.end)
            if tail is not None:
                yield after, tail, None
                return
        # "the chief executive of OpenAI, Sam Altman"
        if after is None and anchor is not None and anchor.start >= end:
            nxt = anchor.end
            if nxt < sent.end and doc[nxt].text == ",":
                named = s.by_token.get(nxt + 1)
                if named is not None and not named.is_ref:
                    yield named, anchor, None

    def _title_before(self, s: _Sentence, arg: Arg) -> tuple[str, tuple[int, int]] | None:
        """A role noun right before a name ('CEO Sam Altman'), with its tokens."""
        for width in (3, 2, 1):  # the longest title first: "chief scientist"
            start = arg.start - width
            if start < s.span.start:
                continue
            hit = self._match_role(start, arg.start)
            if hit is not None and hit[1] == arg.start:
                return hit[0], (start, arg.start)
        return None

    def _listed_after(self, s: _Sentence, end: int) -> list[Arg]:
        """The names a role noun's members are listed as: 'customers include A, B and
        C', 'backers are A and B', 'investors, including A and B', 'such as A'.

        The names must follow the listing word at once: in "Musk, an OpenAI co-founder,
        is suing Altman" the role is an apposition, not a list.
        """
        doc, j = self.doc, end
        comma = j < s.span.end and doc[j].text == ","
        j += comma
        while j < s.span.end and doc[j].pos_ == "ADV":  # "also", "now", "already"
            j += 1
        if j >= s.span.end:
            return []
        verb = doc[j].pos_ in {"VERB", "AUX"} and self._lemma[j] in _LISTING_VERBS
        if self._lower[j : j + 2] == ["such", "as"]:
            j += 2
        elif self._lower[j] == "including" or (verb and not comma):
            j += 1
        else:
            return []
        if j < s.span.end and doc[j].pos_ == "DET":
            j += 1
        title = self._match_role(j, s.span.end)  # "including CEO Sam Altman"
        if title is not None and title[1] in s.by_token:
            j = title[1]
        first = s.by_token.get(j)
        if first is None or first.is_ref:
            return []
        return [a for a in self._right_slots(s, j, allow_obj=True).get("obj", []) if not a.is_ref]

    def _is_modifier(self, tok: Token) -> bool:
        """A word that may stand inside a noun phrase before its head ("longtime", "AI-powered")."""
        return (
            tok.tag_ in {"POS", "HYPH"}
            or tok.text == "-"
            or tok.pos_ in _MODIFIER_POS
            or (tok.tag_ in {"VBN", "VBG"} and tok.dep_ in {"amod", "compound"})
        )

    def _anchor_before(self, s: _Sentence, start: int) -> Arg | None:
        """A name compounded or possessive right before a role noun, past modifiers."""
        j = start - 1
        steps = 0
        while j >= s.span.start and steps < 5:
            tok = self.doc[j]
            if j in s.by_token:
                return s.by_token[j]
            if tok.pos_ == "DET" and tok.lower_ in {"a", "an", "the"}:
                return None  # "a partner, OpenAI": the role is not anchored before
            if not self._is_modifier(tok):
                return None
            j -= 1
            steps += 1
        return None

    def _name_after(self, s: _Sentence, end: int) -> Arg | None:
        """The name a role noun introduces: 'CEO Satya Nadella', 'model, Grok,',
        'creator and Microsoft partner OpenAI' (past coordinated roles)."""
        j = end
        if j < s.span.end and self.doc[j].text == ",":
            j += 1
        arg = s.by_token.get(j)
        if arg is not None and arg.start == j and not arg.is_ref:
            return arg
        if j < s.span.end and self.doc[j].lower_ in {"and", "&"}:
            head = self._phrase_head(s, j + 1)
            if head is not None and not head.is_ref:
                return head
        return None

    def _is_role_word(self, tok: Token) -> bool:
        return tok.lower_ in ROLE_NOUNS or tok.lemma_.lower() in ROLE_NOUNS

    def _phrase_head(self, s: _Sentence, start: int) -> Arg | None:
        """The last name of a noun phrase whose other names only modify it.

        "ChatGPT creator and Microsoft partner OpenAI" -> OpenAI.
        """
        found: Arg | None = None
        j = start
        while j < s.span.end and j - start < 12:
            arg = s.by_token.get(j)
            tok = self.doc[j]
            if arg is not None:
                found = arg
                j = arg.end
                continue
            if found is not None and not (
                self._is_role_word(tok)
                or tok.lower_ in {"and", "&"}
                or tok.tag_ in {"POS", "HYPH"}
                or tok.text == "-"
            ):
                break  # the phrase ended with the last name
            if not (
                self._is_role_word(tok)
                or self._is_modifier(tok)
                or tok.pos_ == "DET"
                or tok.lower_ in {"and", "&"}
            ):
                break
            j += 1
        return found

    def _holder_before(self, s: _Sentence, start: int) -> Arg | None:
        """The name a role is predicated of.

        'X, (a|the) ... ROLE', 'X, who will serve as EVP and ROLE', 'X is the ROLE',
        'X (ROLE ...)': walk left over modifiers, other role words and a linking
        verb, and take the name that ends right there.
        """
        j = start - 1
        commas = 0
        while j >= s.span.start and start - j <= 10:
            tok = self.doc[j]
            if j in s.by_token:
                arg = s.by_token[j]
                linked = any(
                    self.doc[k].text in {",", "("} or self.doc[k].lemma_ in _LINKING
                    for k in range(arg.end, start)
                )
                return arg if linked else None
            if tok.text in {",", "("}:
                commas += 1
                if commas > 1:
                    return None
            elif not (
                self._is_modifier(tok)
                or tok.lemma_ in _LINKING
                or tok.pos_ == "AUX"
                or tok.lower_ in {"and", "&", "who", "as", "also", "now", "both"}
                or tok.lower_ in ROLE_NOUNS
            ):
                return None
            j -= 1
        return None

    def _prep_object(self, s: _Sentence, end: int) -> Arg | None:
        """The head name after 'of/at/for...' right after a role noun.

        In "CEO of ChatGPT creator and Microsoft partner OpenAI" that is OpenAI.
        """
        if end >= s.span.end or self.doc[end].lower_ not in _ROLE_PREPS:
            return None
        return self._phrase_head(s, end + 1)

    def _makes_next_noun(self, arg: Arg) -> bool:
        """A maker named before the hardware or service it makes: 'Nvidia chips'."""
        if arg.end >= len(self.doc):
            return False
        nxt = self.doc[arg.end]
        return nxt.pos_ == "NOUN" and nxt.lemma_.lower() in _SUPPLY_NOUNS

    def _modifies_next_name(self, s: _Sentence, arg: Arg) -> bool:
        """A name used as a modifier of a noun that leads to another name."""
        j = arg.end
        nouns = 0
        while j < s.span.end and j - arg.end < 4 and j not in s.by_token:
            tok = self.doc[j]
            if tok.pos_ not in {"NOUN", "PROPN", "ADJ"} or tok.text == ",":
                return False
            nouns += 1
            j += 1
        return nouns > 0 and j in s.by_token

    # ------------------------------------------------------------- possessives
    def _possessor(self, s: _Sentence, arg: Arg) -> bool:
        """Whether ``arg`` is a possessor: "OpenAI's", "its", "his"."""
        if arg.is_ref and self.doc[arg.start].lower_ in {"its", "his", "her", "their"}:
            return True
        return arg.end < s.span.end and self.doc[arg.end].tag_ == "POS"

    def _possessives(self, s: _Sentence) -> Iterator[Candidate]:
        """'xAI's Grok' (maker), 'Elon Musk's xAI' and 'his startup, xAI' (owner),
        'Alphabet's Google' (parent), 'Nvidia A100' (maker compounded before product)."""
        for owner in s.args:
            possessive = self._possessor(s, owner)
            j = owner.end + (1 if possessive and not owner.is_ref else 0)
            steps = 0
            while j < s.span.end and steps < 5 and j not in s.by_token:
                tok = self.doc[j]
                if tok.text == "," and steps > 0 and j + 1 in s.by_token:
                    j += 1  # "his own AI company, xAI"
                    break
                if tok.pos_ not in {"ADJ", "NOUN", "PROPN", "NUM"} and tok.text != "-":
                    break
                j += 1
                steps += 1
            owned = s.by_token.get(j)
            if owned is None or owned.start != j or owned.entity is owner.entity:
                continue
            after = self.doc[owned.end] if owned.end < s.span.end else None
            if possessive:
                if owned.type is PROD and owner.type is ORG:
                    relation = "DEVELOPS"
                elif owned.type is ORG and owner.type is PER:
                    relation = "OWNS"
                elif (
                    owned.type is ORG
                    and owner.type is ORG
                    and steps == 0
                    and not (after is not None and after.pos_ == "NOUN")
                ):
                    relation = "OWNS"  # "Alphabet's Google", not "Microsoft's OpenAI stake"
                else:
                    continue
            elif steps == 0 and owner.type is ORG and owned.type is PROD and not owner.is_ref:
                relation = "DEVELOPS"  # "Nvidia A100 chips"
            else:
                continue
            cand = self._make(s, relation, owner, owned, "possessive", (owner.start, owner.end))
            if cand is not None:
                yield cand

    # ---------------------------------------------------------------- triggers
    def _triggers(self, s: _Sentence) -> Iterator[Candidate]:
        sent = s.span
        i = sent.start
        while i < sent.end:
            if i in s.by_token:
                i += 1
                continue
            found = self._trigger_at(i, sent.end)
            if found is None:
                i += 1
                continue
            triggers, end = found
            yield from self._fire(s, triggers, i, end)
            i = end

    def _trigger_at(self, i: int, limit: int) -> tuple[list[Trigger], int] | None:
        widths = self._widths(i, _TRIGGER_WIDTHS)
        lemma1 = self._lemma[i]
        if (lemma1 in _VERB_WORDS or lemma1.removesuffix("s") in _VERB_WORDS) and 1 not in widths:
            widths.append(1)  # for a verb in disguise
        for width in widths:
            if width > limit - i:
                continue
            toks = self.doc[i : i + width]
            head = toks[-1] if width > 1 else toks[0]
            lemma = " ".join(self._lemma[i : i + width])
            lower = " ".join(self._lower[i : i + width])
            pos = (
                "VERB"
                if head.pos_ in {"VERB", "AUX"} or toks[0].pos_ == "VERB"
                else ("NOUN" if head.pos_ in {"NOUN", "PROPN"} else head.pos_)
            )
            hits = TRIGGERS.get((lemma, pos)) or TRIGGERS.get((lower, pos))
            if not hits and pos == "NOUN" and width == 1 and self._verb_in_disguise(i):
                hits = TRIGGERS.get((lemma, "VERB")) or TRIGGERS.get(
                    (lemma.removesuffix("s"), "VERB")
                )
            if hits:
                return hits, i + width
        return None

    def _verb_in_disguise(self, i: int) -> bool:
        """A finite verb the tagger took for a noun: 'Anthropic competes with ...'."""
        tok = self.doc[i]
        if tok.tag_ not in {"NNS", "NN"}:
            return False
        prev = self.doc[i - 1] if i > 0 else None
        nxt = self.doc[i + 1] if i + 1 < len(self.doc) else None
        return (
            prev is not None
            and prev.ent_type_ != ""
            and nxt is not None
            and (nxt.pos_ == "ADP" or nxt.ent_type_ != "")
        )

    def _fire(
        self, s: _Sentence, triggers: list[Trigger], start: int, end: int
    ) -> Iterator[Candidate]:
        tok = self.doc[start]
        head = self.doc[end - 1]
        is_noun = triggers[0].pos == "NOUN"
        passive = not is_noun and self._is_passive(tok, end)
        slots = self._right_slots(s, end, allow_obj=not is_noun)
        hyphen_agent = self._hyphen_agent(s, start)
        subj, via_dep = self._left_args(s, head if is_noun else tok, start, is_noun)
        if hyphen_agent is not None:  # "Microsoft-backed OpenAI": agent, then patient
            slots = {"subj": [hyphen_agent], "obj": slots.get("obj", [])[:1]}
        elif passive:  # "OpenAI was backed by Microsoft": the agent is the logical subject
            slots = {**slots, "subj": slots.get("by", []), "obj": subj}
            slots.pop("by", None)
        else:
            slots["subj"] = subj
        if via_dep and len(subj) > 1:
            slots["subj_from_parse"] = subj
        if not is_noun and any(
            c.dep_ == "dobj" and c.lemma_.lower() in _NOT_FUNDING for c in tok.children
        ):
            return  # "received revenue from OpenAI" is a sale, not an investment
        rule = "trigger-dep" if via_dep else "trigger"
        seen: set[tuple[str, int, int]] = set()
        for trigger in triggers:
            for frame in trigger.frames:
                for a, b in self._pairs(frame, slots):
                    key = (frame.relation, id(a.entity), id(b.entity))
                    if key in seen:
                        continue
                    cand = self._make(
                        s, frame.relation, a, b, f"{rule}:{trigger.lemma}", (start, end)
                    )
                    if cand is not None:
                        seen.add(key)
                        yield cand

    @staticmethod
    def _pairs(frame: Frame, slots: dict[str, list[Arg]]) -> Iterator[tuple[Arg, Arg]]:
        if frame.source == "between":
            group = slots.get("between", []) + slots.get("among", [])
            for x in range(len(group)):
                for y in range(x + 1, len(group)):
                    yield group[x], group[y]
            return
        if frame.target == "and" and not slots.get("subj_from_parse"):
            return  # only a parsed coordinated subject is reliable enough
        if frame.target == "and":  # "A and B compete": pairs inside the subject
            group = slots.get("subj", [])
            for x in range(len(group)):
                for y in range(x + 1, len(group)):
                    yield group[x], group[y]
            return
        for a in slots.get(frame.source, []):
            for b in slots.get(frame.target, []):
                yield a, b

    def _is_passive(self, tok: Token, end: int) -> bool:
        if tok.tag_ != "VBN":
            return False
        if any(c.dep_ in {"auxpass", "agent"} for c in tok.children):
            return True
        nxt = self.doc[end] if end < len(self.doc) else None
        return nxt is not None and nxt.lower_ == "by"

    def _hyphen_agent(self, s: _Sentence, start: int) -> Arg | None:
        if start - 2 >= s.span.start and self.doc[start - 1].text == "-":
            arg = s.by_token.get(start - 2)
            if arg is not None and self.doc[start].tag_ in {"VBN", "VBD", "JJ"}:
                return arg
        return None

    def _left_args(
        self, s: _Sentence, tok: Token, start: int, is_noun: bool
    ) -> tuple[list[Arg], bool]:
        """Subject-side arguments of a trigger, from the parse first, else the nearest name."""
        found = self._dep_subjects(s, tok, is_noun)
        if found:
            return found, True
        if is_noun and _in_with_phrase(tok):
            # "(a round) led by Y, with participation from Z": the nearest name is the
            # lead investor, not whose round it is
            return [], False
        # surface fallback: the nearest name to the left in the same clause
        j = start - 1
        while j >= s.span.start and start - j <= 12:
            t = self.doc[j]
            if (
                t.lower_ in {"who", "which", "that"}
                and j - 2 >= s.span.start
                and self.doc[j - 1].text == ","
            ):
                arg = s.by_token.get(j - 2)  # "Noam Shazeer, who co-founded ..."
                return ([arg], False) if arg is not None else ([], False)
            if t.lower_ in _CLAUSE_BREAK:
                break
            arg = s.by_token.get(j)
            if arg is not None:
                return self._with_conjuncts_left(s, arg), False
            j -= 1
        return [], False

    def _dep_subjects(self, s: _Sentence, tok: Token, is_noun: bool) -> list[Arg]:
        if is_noun:
            for c in tok.children:
                if c.dep_ in {"poss", "compound", "nmod"} and c.i < tok.i:
                    arg = s.by_token.get(c.i) or self._arg_in(s, c)
                    if arg is not None:
                        return self._with_conjuncts_left(s, arg)
            # "X made an investment in Y", "X announced a partnership with Y"
            verb = tok.head if tok.dep_ in {"dobj", "attr", "nsubjpass"} else None
            if tok.dep_ == "pobj" and tok.head.dep_ == "prep" and tok.head.lower_ in {"in", "into"}:
                verb = tok.head.head  # "are locked in a rivalry", "are in talks"
            if _in_with_phrase(tok):
                return self._with_subjects(s, tok.head.head)
            if verb is not None and verb.pos_ in {"VERB", "AUX"}:
                return self._dep_subjects(s, verb, False)
            return []
        cur: Token | None = tok
        for _ in range(4):
            if cur is None:
                break
            for c in cur.children:
                if c.dep_ in {"nsubj", "nsubjpass", "csubj"}:
                    arg = self._arg_in(s, c)
                    if arg is not None:
                        return self._conjuncts(s, c, arg)
            if cur.dep_ in {"relcl", "acl"} and cur.head.i in s.by_token:
                return [s.by_token[cur.head.i]]
            own_subject = any(c.dep_ in {"nsubj", "nsubjpass", "expl"} for c in cur.children)
            if cur.dep_ in {"xcomp", "conj", "advcl", "ccomp", "pcomp"} and not own_subject:
                cur = cur.head
                continue
            break
        return []

    def _with_subjects(self, s: _Sentence, head: Token) -> list[Arg]:
        """Whose a 'with' phrase is: 'X raised money in a round led by Y, with participation
        from Z' (X's round, not Y's); 'X, with backing from Z, ...' (X's).

        The phrase belongs to what it attaches to: a name, the subject of a verb, or
        (through 'in a round') the verb a noun hangs from.
        """
        cur = head
        for _ in range(4):
            arg = s.by_token.get(cur.i)
            if arg is not None:
                return [arg]
            if cur.pos_ in {"VERB", "AUX"}:
                return self._dep_subjects(s, cur, False)
            if cur.dep_ in {"pobj", "dobj", "prep", "acl", "appos"} and cur.head is not cur:
                cur = cur.head
                continue
            break
        return []

    def _conjuncts(self, s: _Sentence, tok: Token, arg: Arg) -> list[Arg]:
        out = [arg]
        for c in tok.conjuncts:
            other = self._arg_in(s, c)
            if other is not None and other not in out:
                out.append(other)
        return out

    def _with_conjuncts_left(self, s: _Sentence, arg: Arg) -> list[Arg]:
        """'Amazon and Google invested': names coordinated before the nearest one."""
        out = [arg]
        j = arg.start - 1
        while j > s.span.start and self.doc[j].lower_ in {"and", ",", "&", "or"}:
            prev = s.by_token.get(j - 1)
            if prev is None:
                break
            out.insert(0, prev)
            j = prev.start - 1
        return out

    def _right_slots(self, s: _Sentence, end: int, *, allow_obj: bool) -> dict[str, list[Arg]]:
        """Names after a trigger, grouped by the preposition that introduces them.

        Lists are followed through ("from investors including A, B and C"); a
        possessor ("OpenAI's latest round") fills a slot only when no name heads
        the phrase it opens.
        """
        slots: dict[str, list[Arg]] = {}
        slot = "obj" if allow_obj else None
        pending: Arg | None = None

        def put(arg: Arg | None) -> None:
            if arg is not None and slot is not None and arg not in slots.get(slot, []):
                slots.setdefault(slot, []).append(arg)

        j = end
        limit = min(s.span.end, end + 24)
        while j < limit:
            tok = self.doc[j]
            arg = s.by_token.get(j)
            if arg is not None:
                if self._possessor(s, arg):
                    if pending is not None and not slots.get(slot or ""):
                        put(pending)
                    pending = arg
                elif self._modifies_next_name(s, arg):
                    pass  # "former OpenAI researchers Dario Amodei": OpenAI only modifies
                elif self._makes_next_noun(arg):
                    slots.setdefault("made_by", []).append(arg)  # "buys Nvidia chips"
                else:
                    pending = None
                    put(arg)
                    if slot is not None and len(slots[slot]) > 1:
                        limit = min(s.span.end, max(limit, arg.end + 8))  # a list goes on
                j = arg.end
                continue
            lower = tok.lower_
            if lower in _TRANSPARENT:
                j += 1
                continue
            phrase = next(
                (w for w in (3, 2) if " ".join(self._lower[j : j + w]) in _TRANSPARENT_PHRASES),
                0,
            )
            if phrase:
                j += phrase
                continue
            if (
                lower in _CLAUSE_BREAK
                or lower in {"based", "according"}
                or (
                    tok.pos_ == "VERB"
                    and j > end
                    and tok.dep_ not in {"amod", "compound", "acl", "pcomp"}
                )
            ):
                break
            if lower in _PREPS and tok.pos_ in {"ADP", "SCONJ", "CCONJ", "ADV"}:
                if pending is not None and not slots.get(slot or ""):
                    put(pending)
                pending = None
                slot = _PREP_ALIASES.get(lower, lower)
            elif (
                lower == "to"
                and tok.pos_ == "PART"
                and j + 1 < s.span.end
                and self.doc[j + 1].pos_ in {"VERB", "AUX"}
            ):
                break  # an infinitive: a new predicate starts
            elif lower == "to" and tok.pos_ == "PART":
                pass  # "up to $4 billion"
            j += 1
        if pending is not None and not slots.get(slot or ""):
            put(pending)
        return slots
