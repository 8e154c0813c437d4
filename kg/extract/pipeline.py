"""Extraction end to end: documents in, :class:`~kg.models.ExtractionResult` out."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator

from spacy.language import Language
from spacy.tokens import Doc

from kg.extract.entities import (
    SpanMention,
    find_mentions,
    find_short_forms,
    resolve_mentions,
)
from kg.extract.relations import Candidate, RelationExtractor
from kg.models import Document, Evidence, ExtractionResult, Relation
from kg.nlp.gazetteer import Gazetteer, load_gazetteer
from kg.nlp.pipeline import build_pipeline
from kg.nlp.typography import normalize_typography

__all__ = ["Extractor", "segments"]

# spaCy's default limit is 1,000,000 characters; news rarely comes close, but a
# scraped dump can. Long texts are cut at paragraph (else sentence, else space)
# boundaries into segments of at most this size, each parsed on its own.
SEGMENT_CHARS = 100_000
_BREAKS = (re.compile(r"\n\s*\n"), re.compile(r"(?<=[.!?])\s+"), re.compile(r"\s+"))


def segments(text: str, limit: int = SEGMENT_CHARS) -> Iterator[tuple[int, str]]:
    """(offset, piece) pairs covering ``text``, each piece at most ``limit`` characters."""
    start = 0
    while len(text) - start > limit:
        window = text[start : start + limit]
        cut = 0
        for pattern in _BREAKS:
            ends = [m.end() for m in pattern.finditer(window) if m.end() > limit // 2]
            if ends:
                cut = ends[-1]
                break
        cut = cut or limit
        yield start, text[start : start + cut]
        start += cut
    yield start, text[start:]


class Extractor:
    """Runs the spaCy pipeline and the extraction rules over documents.

    >>> from kg.models import Document
    >>> ex = Extractor()
    >>> doc = Document(id="d1", text="Microsoft CEO Satya Nadella spoke.", content_hash="x")
    >>> [(r.type, r.source, r.target) for r in ex.extract(doc).relations]
    [('LEADS', 'person:satya-nadella', 'org:microsoft')]
    """

    def __init__(
        self,
        nlp: Language | None = None,
        gazetteer: Gazetteer | None = None,
        *,
        batch_size: int = 64,
        n_process: int = 1,
    ) -> None:
        self.nlp = nlp or build_pipeline()
        self.gazetteer = gazetteer or load_gazetteer()
        self.batch_size = batch_size
        self.n_process = n_process

    def extract(self, document: Document) -> ExtractionResult:
        """Extract one document."""
        return next(self.extract_many([document]))

    def extract_many(self, documents: Iterable[Document]) -> Iterator[ExtractionResult]:
        """Extract documents in order, parsing them in batches (and processes)."""

        def pieces() -> Iterator[tuple[str, tuple[Document, int, int]]]:
            for document in documents:
                parts = list(segments(document.text))
                for k, (offset, piece) in enumerate(parts):
                    yield normalize_typography(piece), (document, offset, len(parts) - k - 1)

        pending: list[tuple[Doc, int]] = []
        for doc, (document, offset, remaining) in self.nlp.pipe(
            pieces(), as_tuples=True, batch_size=self.batch_size, n_process=self.n_process
        ):
            pending.append((doc, offset))
            if remaining == 0:
                yield self._result(document, pending)
                pending = []

    def _result(self, document: Document, parsed: list[tuple[Doc, int]]) -> ExtractionResult:
        mentions: list[SpanMention] = []
        for doc, offset in parsed:
            mentions.extend(find_mentions(doc, document.text, offset))
        entities = resolve_mentions(mentions, self.gazetteer)
        mentions += find_short_forms(parsed, document.text, entities)
        relations: list[Relation] = []
        rejected: Counter[str] = Counter()
        seen: set[tuple[str, str, str, int]] = set()
        for doc, offset in parsed:
            extractor = RelationExtractor(doc, [m for m in mentions if m.doc is doc])
            for cand in extractor.candidates():
                key = (cand.type, cand.source.id, cand.target.id, cand.sentence.start_char)
                if key not in seen:
                    seen.add(key)
                    relations.append(self._relation(document, cand, offset))
            rejected.update(extractor.rejected)
        return ExtractionResult(
            id=document.id,
            title=document.title,
            published=document.published,
            source=document.source,
            path=document.path,
            content_hash=document.content_hash,
            entities=[e.to_model() for e in entities if e.mentions],
            relations=relations,
            rejected=dict(sorted(rejected.items())),
        )

    @staticmethod
    def _relation(document: Document, cand: Candidate, offset: int) -> Relation:
        sent = cand.sentence
        doc = sent.doc
        t_start = offset + doc[cand.trigger_start].idx
        last = doc[cand.trigger_end - 1]
        t_end = offset + last.idx + len(last.text)
        return Relation(
            type=cand.type,
            source=cand.source.id,
            target=cand.target.id,
            modality=cand.modality,
            confidence=round(cand.confidence, 3),
            role=cand.role,
            amount=cand.amount,
            amount_usd=cand.amount_usd,
            date=document.published,
            evidence=Evidence(
                doc_id=document.id,
                sentence=document.text[offset + sent.start_char : offset + sent.end_char].strip(),
                sentence_start=offset + sent.start_char,
                sentence_end=offset + sent.end_char,
                trigger=document.text[t_start:t_end],
                trigger_start=t_start,
                trigger_end=t_end,
                rule=cand.rule,
            ),
        )
