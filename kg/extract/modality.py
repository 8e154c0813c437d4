"""Modality of a relation mention, from cues scoped to the clause that holds it.

The scope of a trigger is the trigger itself, its syntactic ancestors (the verbs
that govern it: "speculate ... may involve ... leveraging") and their auxiliaries,
negations, adverbs and adjectival modifiers ("reported tensions"). Attribution
phrases ("according to", "people familiar with") count for their whole sentence,
since that is how news attributes a clause. Cues elsewhere in the article do not.

When several cues apply, this order decides:
negated > reported > speculative > planned > asserted (an attribution to sources
outranks the hedges inside the attributed clause).
"""

from __future__ import annotations

from spacy.tokens import Span, Token

from kg.ontology import Modality

__all__ = ["modality_of"]

_NEGATION = {
    "not",
    "n't",
    "never",
    "no",
    "deny",
    "denies",
    "denied",
    "decline",
    "refuse",
    "reject",
    "dismiss",
    "rebuff",
    "scrap",
    "abandon",
    "cancel",
    "drop",
    "nix",
    "halt",
    "without",
    "neither",
    "nor",
    "unlikely",
    "rule",
    "walk",
    "pull",
    "end",
    "terminate",
    "block",
    "dispute",
    "refute",
    "rebut",
    "quash",
}
# Negation lemmas that only negate a *governed* clause ("denied that ..."), not themselves.
_SPECULATIVE = {
    "may",
    "might",
    "could",
    "possibly",
    "perhaps",
    "maybe",
    "speculate",
    "speculation",
    "rumor",
    "rumour",
    "rumored",
    "rumoured",
    "potential",
    "potentially",
    "possible",
    "consider",
    "explore",
    "weigh",
    "mull",
    "eye",
    "contemplate",
    "hypothetical",
    "if",
    "whether",
    "suggest",
    "likely",
    "probably",
    "conceivably",
    "guess",
    "predict",
    "imagine",
    "wonder",
    "hope",
    "talk",
    "discussion",
    "negotiate",
    "negotiation",
    "seek",
    "court",
}
_PLANNED = {
    "will",
    "'ll",
    "shall",
    "plan",
    "expect",
    "intend",
    "aim",
    "upcoming",
    "forthcoming",
    "future",
    "prepare",
    "schedule",
    "slate",
    "pending",
    "agree",
    "set",
    "going",
    "pledge",
    "commit",
    "promise",
    "propose",
    "announce",
    "would",
    "soon",
    "next",
    "due",
    "poised",
    "await",
    "target",
    "envision",
    "roadmap",
}
_REPORTED = {
    "reportedly",
    "report",
    "according",
    "source",
    "allegedly",
    "purportedly",
    "claim",
    "leak",
    "familiar",
    "knowledge",
    "insider",
    "say",
    "tell",
    "cite",
    "accord",
}
# Reporting verbs that make their *complement* reported ("sources say X invested"),
# but not when the subject is the company itself ("Microsoft said it invested").
_SAY = {"say", "tell", "claim", "cite"}
_SENTENCE_WIDE_REPORTED = (
    "according to",
    "people familiar",
    "familiar with the matter",
    "sources said",
    "sources say",
    "source said",
    "people with knowledge",
    "reports said",
    "report said",
    "was reported",
    "is reported",
    "were reported",
    "it was reported",
    "is said to",
    "are said to",
    "was said to",
    "were said to",
    "is believed to",
    "are believed to",
    "people close to",
    "reports say",
    "reports suggest",
)
_SCOPE_DEPS = {"aux", "auxpass", "neg", "advmod", "amod", "mark", "prt", "det", "npadvmod"}


# A noun trigger takes the modality of the verb it is an argument of ("plans an
# investment"), not of a verb it is only an adjunct to ("beyond its investment").
_CORE_DEPS = {
    "dobj",
    "nsubj",
    "nsubjpass",
    "attr",
    "appos",
    "conj",
    "oprd",
    "xcomp",
    "ccomp",
    "advcl",
    "relcl",
    "acl",
    "pcomp",
    "ROOT",
    "csubj",
    "aux",
    "auxpass",
    "prep",
}


def _scope(trigger: Token, nominal: bool) -> list[Token]:
    if nominal:
        chain = [trigger]
        tok = trigger
        while tok.dep_ in _CORE_DEPS - {"prep"} and tok.head.i != tok.i:
            tok = tok.head
            chain.append(tok)
            if tok.pos_ in {"VERB", "AUX"}:
                chain.extend(tok.ancestors)
                break
    else:
        chain = [trigger, *trigger.ancestors]
    tokens = list(chain)
    for tok in chain:
        tokens.extend(c for c in tok.children if c.dep_ in _SCOPE_DEPS)
    return tokens


def modality_of(trigger: Token, sentence: Span, *, local: bool = False) -> Modality:
    """The modality of a relation whose trigger is ``trigger`` in ``sentence``.

    ``local`` is for relations stated inside a noun phrase ("Microsoft CEO Satya
    Nadella", "xAI's Grok"): they are presupposed, so only the phrase's own
    modifiers ("rumoured partner") count, not the verbs around it.
    """
    found: set[Modality] = set()
    if local:
        scope = [trigger, *(c for c in trigger.children if c.dep_ in {"amod", "neg", "det"})]
        if trigger.dep_ in {"attr", "acomp"}:  # "X is not a shareholder of Y"
            scope += [c for c in trigger.head.children if c.dep_ == "neg"]
    else:
        scope = _scope(trigger, trigger.pos_ in {"NOUN", "PROPN"})
    for tok in scope:
        found |= _cues(tok, trigger)
    text = sentence.text.lower()
    if not local and any(cue in text for cue in _SENTENCE_WIDE_REPORTED):
        found.add(Modality.REPORTED)
    for modality in (Modality.NEGATED, Modality.REPORTED, Modality.SPECULATIVE, Modality.PLANNED):
        if modality in found:
            return modality
    return Modality.ASSERTED


def _cues(tok: Token, trigger: Token) -> set[Modality]:
    """The modalities one token of the scope signals."""
    lemma, lower = tok.lemma_.lower(), tok.lower_
    cues: set[Modality] = set()
    if (
        tok.dep_ == "neg"
        or (lower in {"no", "never"} and tok.dep_ == "det")
        or (
            lemma in _NEGATION
            and tok.i != trigger.i
            and tok.pos_ in {"VERB", "ADP", "ADJ"}
            and (lemma not in {"without", "end"} or tok.pos_ == "ADP")
        )
    ):
        cues.add(Modality.NEGATED)
    if (lemma in _SPECULATIVE or lower in _SPECULATIVE) and (lower != "if" or tok.dep_ == "mark"):
        cues.add(Modality.SPECULATIVE)
    if (lemma in _PLANNED or lower in _PLANNED) and tok.i != trigger.i and _planned_use(tok):
        cues.add(Modality.PLANNED)
    if (lemma in _REPORTED or lower in _REPORTED) and (lemma not in _SAY or _reported_speech(tok)):
        cues.add(Modality.REPORTED)
    return cues


def _planned_use(tok: Token) -> bool:
    """'set to', 'going to', 'due to' + verb, 'next year', 'announced plans': only then planned."""
    doc = tok.doc
    nxt = doc[tok.i + 1] if tok.i + 1 < len(doc) else None
    lemma = tok.lemma_.lower()
    if lemma in {"set", "going", "due"}:
        return (
            nxt is not None
            and nxt.lower_ == "to"
            and (lemma != "due" or (tok.i + 2 < len(doc) and doc[tok.i + 2].pos_ == "VERB"))
        )
    if lemma == "next":
        return nxt is not None and nxt.lower_ in {"year", "month", "week", "quarter"}
    if lemma == "announce":
        return any(c.lemma_ in {"plan", "intention", "intent"} for c in tok.children)
    return True


def _reported_speech(tok: Token) -> bool:
    """A 'say' verb reports when its speaker is sources, reports or people, not a party."""
    for child in tok.children:
        if child.dep_ in {"nsubj", "nsubjpass"}:
            return child.lemma_.lower() in {
                "source",
                "report",
                "people",
                "person",
                "insider",
                "official",
                "analyst",
                "outlet",
                "newspaper",
            }
    return False
