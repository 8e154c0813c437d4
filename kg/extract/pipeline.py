"""Extraction end to end: documents in, :class:`~kg.models.ExtractionResult` out."""

from __future__ import annotations

import multiprocessing
import os
import re
import threading
import time
import traceback
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass

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

__all__ = ["BATCH_CHARS", "SEGMENT_CHARS", "Extractor", "segments"]

# spaCy's default limit is 1,000,000 characters; news rarely comes close, but a
# scraped dump can. Long texts are cut at paragraph (else sentence, else space)
# boundaries into segments of at most this size, each parsed on its own.
SEGMENT_CHARS = 100_000
# Characters per spaCy batch: its working memory grows about 3 KB per character of a
# batch (en_core_web_sm), so this bounds it near 150 MB whatever the documents' sizes
# (a 1,000,000-character document parsed in one batch took 3 GB).
BATCH_CHARS = 50_000
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

    Texts are parsed in batches of at most ``batch_size`` pieces and about
    ``batch_chars`` characters: spaCy's working memory grows with the characters in a
    batch (about 3 KB each with the small English model), not with the number of
    documents, so a batch of long articles is cut short. With ``n_process`` > 1,
    worker processes run the whole extraction (parsing, resolution and rules) on
    batches of whole documents; results come back in input order.

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
        batch_chars: int = BATCH_CHARS,
    ) -> None:
        self.nlp = nlp or build_pipeline()
        self.gazetteer = gazetteer or load_gazetteer()
        self.batch_size = batch_size
        self.n_process = n_process
        self.batch_chars = batch_chars

    def extract(self, document: Document) -> ExtractionResult:
        """Extract one document."""
        return next(self.extract_many([document]))

    def extract_many(
        self,
        documents: Iterable[Document],
        *,
        on_failure: Callable[[Document, BaseException], None] | None = None,
    ) -> Iterator[ExtractionResult]:
        """Extract documents in order, parsing them in batches (and processes).

        An error while extracting one document stops the run, unless ``on_failure``
        is given: it is then called with the document and the error, the document
        yields no result and the run goes on.
        """
        outcomes = self._parallel(documents) if self.n_process > 1 else self._outcomes(documents)
        for document, outcome in outcomes:
            if isinstance(outcome, BaseException):
                if on_failure is None:
                    raise outcome
                on_failure(document, outcome)
            else:
                yield outcome

    # ----------------------------------------------------------------- batching
    def _outcomes(self, documents: Iterable[Document]) -> Iterator[Outcome]:
        """(document, result or the error it raised), in order, in this process."""
        parsed: list[tuple[Doc, int]] = []
        for batch in self._batches(_pieces(documents)):
            texts = [text for text, _, _, _ in batch]
            docs = self.nlp.pipe(texts, batch_size=len(texts))
            for doc, (_, document, offset, last) in zip(docs, batch, strict=True):
                parsed.append((doc, offset))
                if not last:
                    continue
                done, parsed = parsed, []
                try:
                    yield document, self._result(document, done)
                except Exception as err:  # one document's failure, not the run's
                    yield document, err

    def _batches(self, pieces: Iterable[_Piece]) -> Iterator[list[_Piece]]:
        batch: list[_Piece] = []
        chars = 0
        for piece in pieces:
            if batch and (
                len(batch) >= self.batch_size or chars + len(piece[0]) > self.batch_chars
            ):
                yield batch
                batch, chars = [], 0
            batch.append(piece)
            chars += len(piece[0])
        if batch:
            yield batch

    def _chunks(self, documents: Iterable[Document]) -> Iterator[list[Document]]:
        """Whole documents in batches, for the worker processes."""
        chunk: list[Document] = []
        chars = 0
        for document in documents:
            size = len(document.text)
            if chunk and (len(chunk) >= self.batch_size or chars + size > self.batch_chars):
                yield chunk
                chunk, chars = [], 0
            chunk.append(document)
            chars += size
        if chunk:
            yield chunk

    def _parallel(self, documents: Iterable[Document]) -> Iterator[Outcome]:
        """Like :meth:`_outcomes`, with the work spread over ``n_process`` workers.

        At most two batches per worker are in flight, so documents are read as they
        are needed and memory stays flat on any corpus.
        """
        pool = ProcessPoolExecutor(
            self.n_process,
            mp_context=multiprocessing.get_context(),
            initializer=_start_worker,
            initargs=(self,),  # inherited by a forked worker, else pickled
        )
        inflight: deque[tuple[list[Document], Future[list[_Outcome]]]] = deque()
        try:
            for chunk in self._chunks(documents):
                inflight.append((chunk, pool.submit(_work, chunk)))
                if len(inflight) >= 2 * self.n_process:
                    yield from _collect(*inflight.popleft())
            while inflight:
                yield from _collect(*inflight.popleft())
        finally:  # also when the caller stops early: no waiting for work nobody reads
            pool.shutdown(wait=True, cancel_futures=True)

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


# A piece of text to parse: (text, its document, offset in the document, last piece?).
_Piece = tuple[str, Document, int, bool]
Outcome = tuple[Document, ExtractionResult | BaseException]


def _pieces(documents: Iterable[Document]) -> Iterator[_Piece]:
    for document in documents:
        parts = list(segments(document.text))
        for k, (offset, piece) in enumerate(parts):
            yield normalize_typography(piece), document, offset, k == len(parts) - 1


@dataclass(frozen=True)
class _Failure:
    """A document's error, as it crosses back from a worker process."""

    message: str
    trace: str


_Outcome = ExtractionResult | _Failure
_worker: Extractor | None = None


def _start_worker(extractor: Extractor) -> None:
    """Keep the extractor a worker process was started with (inherited or unpickled).

    A worker also watches its parent: when the parent dies without stopping it
    (``kill -9``), the worker would otherwise wait for work forever, holding a model's
    worth of memory.
    """
    global _worker
    _worker = extractor
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="kg-parent-watch", daemon=True).start()


def _work(documents: list[Document]) -> list[_Outcome]:
    assert _worker is not None, "a worker process runs _start_worker first"
    out: list[_Outcome] = []
    for _, outcome in _worker._outcomes(documents):
        if isinstance(outcome, BaseException):
            trace = "".join(traceback.format_exception(outcome))
            out.append(_Failure(f"{type(outcome).__name__}: {outcome}", trace))
        else:
            out.append(outcome)
    return out


def _collect(chunk: list[Document], future: Future[list[_Outcome]]) -> Iterator[Outcome]:
    for document, outcome in zip(chunk, future.result(), strict=True):
        if isinstance(outcome, _Failure):
            err = RuntimeError(outcome.message)
            err.add_note(f"in a worker process:\n{outcome.trace}")
            yield document, err
        else:
            yield document, outcome
