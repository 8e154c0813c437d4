"""Format readers: each turns decoded text into field dicts (text, title, published...)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import yaml
from bs4 import BeautifulSoup, Comment, Declaration, Doctype, NavigableString, Tag
from bs4.element import ProcessingInstruction
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
# Elements that start a new line for a reader: their edges separate words.
_BLOCK_NAMES = """address article aside blockquote br dd div dl dt figcaption figure footer
    h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section table tbody td tfoot th thead tr ul"""
_BLOCKS = frozenset(_BLOCK_NAMES.split())
_NOT_TEXT = (Comment, Declaration, Doctype, ProcessingInstruction)
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
# libyaml's safe loader where PyYAML has it: the same data, several times faster (front
# matter parsing was most of the time of a rebuild that skips every document).
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _visible_text(element: Any) -> str:
    """The text of an element as a reader sees it, whitespace collapsed.

    Inline markup adds nothing ("<b>OpenAI</b>'s" is "OpenAI's"); block boundaries and
    line breaks separate words. Walked with a stack, not recursion: malformed pages
    can nest deeper than Python's recursion limit.
    """
    parts: list[str] = []
    stack: list[Any] = list(reversed(element.contents))
    while stack:
        node = stack.pop()
        if type(node) is str:  # a block's end, pushed below
            parts.append(node)
        elif isinstance(node, Tag):
            if node.name in _BLOCKS:
                parts.append(" ")
                stack.append(" ")
            stack.extend(reversed(node.contents))
        elif isinstance(node, NavigableString) and not isinstance(node, _NOT_TEXT):
            parts.append(str(node))
    return " ".join("".join(parts).split())


def _html_text(root: Any) -> str:
    """Visible text of a parsed HTML tree, one paragraph per block element."""
    for tag in root.find_all(_BOILERPLATE):
        tag.decompose()
    blocks = [
        _visible_text(el)
        for el in root.find_all(
            ["p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "td"]
        )
        if not el.find_parent(["p", "li", "blockquote", "td"])
    ]
    blocks = [b for b in blocks if b]
    if not blocks:  # markup without block elements: take all its text
        return _visible_text(root)
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
            meta = yaml.load(match.group(1), Loader=_YAML_LOADER) or {}
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
