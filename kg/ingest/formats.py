"""Format readers: each turns decoded text into field dicts (text, title, published...)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import yaml
from bs4 import BeautifulSoup
from markdown_it import MarkdownIt

from kg.errors import MalformedInputError

__all__ = ["html_fields", "json_records", "jsonl_records", "markdown_fields"]

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*\r?\n", re.S)
# Tags whose text is never part of an article.
_BOILERPLATE = (
    "script",
    "style",
    "noscript",
    "nav",
    "footer",
    "header",
    "aside",
    "form",
    "template",
    "svg",
    "iframe",
)
_DATE_META = (
    "article:published_time",
    "date",
    "pubdate",
    "publishdate",
    "dc.date",
    "og:published_time",
    "datepublished",
)
_md = MarkdownIt("commonmark")


def _html_text(root: Any) -> str:
    """Visible text of a parsed HTML tree, one paragraph per block element."""
    for tag in root.find_all(_BOILERPLATE):
        tag.decompose()
    blocks = [
        " ".join(el.get_text(" ", strip=True).split())
        for el in root.find_all(
            ["p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "td"]
        )
        if not el.find_parent(["p", "li", "blockquote", "td"])
    ]
    blocks = [b for b in blocks if b]
    if not blocks:  # markup without block elements: take all its text
        return " ".join(root.get_text(" ", strip=True).split())
    return "\n\n".join(blocks)


def html_fields(source: str) -> dict[str, Any]:
    """Text, title and publication date of an HTML page (lxml parser, tolerant of bad markup)."""
    soup = BeautifulSoup(source, "lxml")
    fields: dict[str, Any] = {}
    if soup.title and soup.title.string:
        fields["title"] = soup.title.string.strip()
    for meta in soup.find_all("meta"):
        key = str(meta.get("name") or meta.get("property") or meta.get("itemprop") or "").lower()
        if key in _DATE_META and meta.get("content"):
            fields["published"] = str(meta["content"])[:10]
            break
    if "published" not in fields:
        time = soup.find("time", attrs={"datetime": True})
        if time is not None:
            fields["published"] = str(time["datetime"])[:10]
    root = soup.find("article") or soup.find("main") or soup.body or soup
    fields["text"] = _html_text(root)
    return fields


def markdown_fields(source: str, name: str) -> dict[str, Any]:
    """Front matter fields plus the plain text of a Markdown body."""
    fields: dict[str, Any] = {}
    match = _FRONT_MATTER.match(source)
    if match:
        try:
            meta = yaml.safe_load(match.group(1)) or {}
        except yaml.YAMLError as err:
            raise MalformedInputError(f"{name}: front matter is not valid YAML: {err}") from err
        if not isinstance(meta, dict):
            raise MalformedInputError(f"{name}: front matter must be a mapping of fields")
        fields.update({str(k): v for k, v in meta.items()})
        source = source[match.end() :]
    fields["text"] = _html_text(BeautifulSoup(_md.render(source), "lxml"))
    return fields


def json_records(source: str, name: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """(index, record) for a JSON object or list of objects."""
    try:
        data = json.loads(source)
    except json.JSONDecodeError as err:
        raise MalformedInputError(f"{name}: not valid JSON (line {err.lineno}: {err.msg})") from err
    records = data if isinstance(data, list) else [data]
    for i, record in enumerate(records, 1):
        if not isinstance(record, dict):
            raise MalformedInputError(f"{name}: item {i} is not a JSON object")
        yield i, record


def jsonl_records(
    source: str, name: str
) -> Iterator[tuple[int, dict[str, Any] | MalformedInputError]]:
    """(line number, record or the error for that line) for a JSON Lines file.

    A broken line does not stop the file: the caller decides whether to go on.
    """
    for lineno, line in enumerate(source.splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            yield lineno, MalformedInputError(f"{name}:{lineno}: not valid JSON ({err.msg})")
            continue
        if not isinstance(record, dict):
            yield lineno, MalformedInputError(f"{name}:{lineno}: not a JSON object")
            continue
        yield lineno, record
