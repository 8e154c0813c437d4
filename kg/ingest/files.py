"""Walking paths and turning files into :class:`~kg.models.Document` records."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from kg.errors import InputError, MalformedInputError
from kg.ingest.decode import decode
from kg.ingest.formats import html_fields, json_records, jsonl_records, markdown_fields
from kg.models import Document

__all__ = [
    "MAX_CHARS",
    "SUFFIXES",
    "Skipped",
    "check_paths",
    "content_hash",
    "iter_documents",
    "read_file",
]

log = logging.getLogger(__name__)

SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".json", ".jsonl")
_RECORD_SUFFIXES = (".json", ".jsonl")  # files of many documents
OnError = Literal["skip", "stop"]

# The longest document read, in characters: spaCy's own default ``max_length``. An
# article is far shorter; text this long is a dump of many, and parsing it as one
# document costs memory in proportion (all its segments stay parsed until its
# entities are resolved across them). Raise it with ``--max-chars``.
MAX_CHARS = 1_000_000
# A one-document file over this many bytes per allowed character is skipped unread:
# four bytes per character in the worst encoding, and room for markup around them.
_MAX_BYTES_PER_CHAR = 8


@dataclass(frozen=True)
class Skipped:
    """A file, or one record of it, that yielded no document, and why."""

    path: str
    reason: str
    line: int | None = None

    def __str__(self) -> str:
        return self.reason


def content_hash(text: str) -> str:
    """sha1 of the text: the identity of a document's content."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def _published(value: Any, where: str) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        log.warning("%s: publication date %r is not YYYY-MM-DD; ignored", where, value)
        return None


def _too_long(where: str, size: int, max_chars: int, unit: str = "characters of text") -> str:
    return (
        f"{where}: {size:,} {unit}, more than one document may have ({max_chars:,}); "
        "split it into articles (one per file or JSON line) or raise the limit (--max-chars)"
    )


def _document(fields: dict[str, Any], path: Path, where: str, max_chars: int) -> Document:
    text = fields.get("text")
    if not isinstance(text, str):
        raise MalformedInputError(f"{where}: no 'text' field (a string) in the record")
    if not text.strip():
        raise InputError(f"{where}: the text is empty")
    if len(text) > max_chars:
        raise InputError(_too_long(where, len(text), max_chars))
    digest = content_hash(text)
    given = fields.get("id")
    return Document(
        id=str(given) if given not in (None, "") else f"sha1:{digest[:16]}",
        text=text,
        title=str(fields["title"]) if fields.get("title") else None,
        published=_published(fields.get("published") or fields.get("date"), where),
        source=str(fields.get("source") or fields.get("url") or "") or None,
        path=str(path),
        content_hash=digest,
    )


def read_file(
    path: Path, *, on_error: OnError = "skip", max_chars: int = MAX_CHARS
) -> Iterator[Document | Skipped]:
    """Documents of one file; problems come out as :class:`Skipped` (or raise with "stop").

    A document longer than ``max_chars`` characters is skipped (see :data:`MAX_CHARS`).
    """

    def problem(err: InputError, line: int | None = None) -> Skipped:
        if on_error == "stop":
            raise err
        return Skipped(str(path), str(err), line)

    name = str(path)
    suffix = path.suffix.lower()
    try:
        if suffix not in _RECORD_SUFFIXES:
            # One document per file: a file this big cannot hold one within the limit
            # (markup included), so it is not read into memory at all.
            size = path.stat().st_size
            if size > _MAX_BYTES_PER_CHAR * max_chars:
                yield problem(InputError(_too_long(name, size, max_chars, "bytes")))
                return
        text = decode(path.read_bytes(), name)
    except InputError as err:
        yield problem(err)
        return
    except OSError as err:
        yield problem(InputError(f"{name}: cannot be read ({err.strerror})"))
        return
    try:
        if suffix in (".json", ".jsonl"):
            records = json_records(text, name) if suffix == ".json" else jsonl_records(text, name)
            for n, record in records:
                where = f"{name}:{n}" if suffix == ".jsonl" else f"{name} item {n}"
                if isinstance(record, InputError):
                    yield problem(record, n)
                    continue
                try:
                    yield _document(record, path, where, max_chars)
                except InputError as err:
                    yield problem(err, n)
            return
        if suffix in (".md", ".markdown"):
            fields = markdown_fields(text, name)
        elif suffix in (".html", ".htm"):
            fields = html_fields(text)
        else:
            fields = {"text": text}
        yield _document(fields, path, name, max_chars)
    except InputError as err:
        yield problem(err)


def _walk(paths: Iterable[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            yield from sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and p.suffix.lower() in SUFFIXES
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        elif path.exists():
            yield path
        else:
            raise InputError(f"{path}: no such file or directory")


def check_paths(paths: Iterable[Path | str]) -> list[Path]:
    """The paths as :class:`Path`; :class:`InputError` for the first that does not exist."""
    resolved = [Path(p) for p in paths]
    for path in resolved:
        if not path.exists():
            raise InputError(f"{path}: no such file or directory")
    return resolved


def iter_documents(
    paths: Iterable[Path | str], *, on_error: OnError = "skip", max_chars: int = MAX_CHARS
) -> Iterator[Document | Skipped]:
    """Documents from files and directories (recursive), in a stable order.

    A missing path raises :class:`InputError` at once, before anything is read.
    Files with an unknown suffix inside directories are ignored; given by name,
    they are read as plain text.
    """
    for path in _walk(check_paths(paths)):
        yield from read_file(path, on_error=on_error, max_chars=max_chars)
