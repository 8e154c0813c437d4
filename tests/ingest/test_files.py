"""Reading files and directories into Documents: formats, ids, order and bad input."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from pathlib import Path

import pytest

from kg.errors import InputError, MalformedInputError
from kg.ingest import Skipped, iter_documents, read_file
from kg.models import Document


def docs_of(path: Path, **kwargs: object) -> list[Document]:
    items = list(read_file(path, **kwargs))  # type: ignore[arg-type]
    assert all(isinstance(i, Document) for i in items), items
    return items  # type: ignore[return-value]


def skipped_of(path: Path) -> list[Skipped]:
    return [i for i in read_file(path) if isinstance(i, Skipped)]


def sha1(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------------- formats


def test_txt_is_read_verbatim(tmp_path: Path) -> None:
    text = "Anthropic opened an office in Tokyo.\n\nIt plans to hire engineers.\n"
    path = tmp_path / "note.txt"
    path.write_text(text, encoding="utf-8")
    [doc] = docs_of(path)
    assert doc.text == text
    assert doc.title is None
    assert doc.published is None
    assert doc.path == str(path)
    assert doc.content_hash == sha1(text)


def test_markdown_front_matter_gives_fields_and_is_not_text(tmp_path: Path) -> None:
    path = tmp_path / "story.md"
    path.write_text(
        "---\n"
        "title: Nvidia opens a lab in Paris\n"
        "published: 2024-03-05\n"
        "source: https://news.example/nvidia-paris\n"
        "---\n"
        "# Nvidia in Paris\n\n"
        "Nvidia **opened** a research lab in [the city](https://example.org) today.\n\n"
        "- It will hire 50 people.\n",
        encoding="utf-8",
    )
    [doc] = docs_of(path)
    assert doc.title == "Nvidia opens a lab in Paris"
    assert doc.published == dt.date(2024, 3, 5)
    assert doc.source == "https://news.example/nvidia-paris"
    assert doc.text.split("\n\n") == [
        "Nvidia in Paris",
        "Nvidia opened a research lab in the city today.",
        "It will hire 50 people.",
    ]
    for markup in ("---", "title:", "**", "](", "# "):
        assert markup not in doc.text


def test_markdown_without_front_matter(tmp_path: Path) -> None:
    path = tmp_path / "plain.md"
    path.write_text("Cohere hired a new *chief scientist* in Toronto\n", encoding="utf-8")
    [doc] = docs_of(path)
    assert doc.text == "Cohere hired a new chief scientist in Toronto"
    assert doc.published is None


@pytest.mark.parametrize(
    ("name", "source", "expected"),
    [
        (
            "a.md",
            "**Microsoft**'s deal with [OpenAI](https://openai.example).\n",
            "Microsoft's deal with OpenAI.",
        ),
        (
            "a.html",
            '<p><a href="/o">OpenAI</a>\'s model, <b>GPT</b>-4, is <i>fast</i>.</p>',
            "OpenAI's model, GPT-4, is fast.",
        ),
    ],
    ids=["markdown", "html"],
)
def test_inline_markup_adds_no_spaces(
    tmp_path: Path, name: str, source: str, expected: str
) -> None:
    path = tmp_path / name
    path.write_text(source, encoding="utf-8")
    [doc] = docs_of(path)
    assert doc.text == expected


def test_markdown_with_broken_front_matter_is_skipped_with_reason(tmp_path: Path) -> None:
    path = tmp_path / "broken.md"
    path.write_text("---\ntitle: [unclosed\n---\nBody text.\n", encoding="utf-8")
    [skip] = skipped_of(path)
    assert "front matter" in skip.reason
    assert str(path) in skip.reason


HTML_PAGE = """<!DOCTYPE html>
<html><head>
  <meta charset="utf-8">
  <meta property="article:published_time" content="2024-06-11T09:30:00Z">
  <title>Apple and OpenAI announce a deal</title>
  <script>var tracking = "SCRIPT-TEXT";</script>
  <style>.x { color: red } /* STYLE-TEXT */</style>
</head><body>
  <header><a href="/">HEADER-TEXT</a></header>
  <nav><ul><li>NAV-TEXT</li></ul></nav>
  <aside><p>ASIDE-TEXT: subscribe now</p></aside>
  <article>
    <h1>Apple and OpenAI announce a deal</h1>
    <p>Apple will bring   ChatGPT to
       its devices.</p>
    <p>The deal was announced on Monday.</p>
  </article>
  <form><p>FORM-TEXT</p></form>
  <footer><p>FOOTER-TEXT</p></footer>
</body></html>
"""


def test_html_boilerplate_is_stripped_and_meta_date_read(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(HTML_PAGE, encoding="utf-8")
    [doc] = docs_of(path)
    assert doc.title == "Apple and OpenAI announce a deal"
    assert doc.published == dt.date(2024, 6, 11)
    assert "Apple will bring ChatGPT to its devices." in doc.text
    assert "The deal was announced on Monday." in doc.text
    for junk in ("SCRIPT", "STYLE", "HEADER", "NAV", "ASIDE", "FORM", "FOOTER"):
        assert f"{junk}-TEXT" not in doc.text
    # one paragraph per block element
    assert doc.text.split("\n\n") == [
        "Apple and OpenAI announce a deal",
        "Apple will bring ChatGPT to its devices.",
        "The deal was announced on Monday.",
    ]


def test_html_date_from_time_element(tmp_path: Path) -> None:
    path = tmp_path / "page.htm"
    path.write_text(
        '<html><body><article><time datetime="2023-09-25">Sept. 25</time>'
        "<p>Amazon invested in Anthropic.</p></article></body></html>",
        encoding="utf-8",
    )
    [doc] = docs_of(path)
    assert doc.published == dt.date(2023, 9, 25)
    assert "Amazon invested in Anthropic." in doc.text


def test_malformed_html_still_gives_text(tmp_path: Path) -> None:
    path = tmp_path / "broken.html"
    path.write_text(
        "<html><body><div><p>Meta released Llama 3 <b>on Thursday<p>It is open"
        "</div></span><p>The weights are free to download",
        encoding="utf-8",
    )
    [doc] = docs_of(path)
    assert "Meta released Llama 3 on Thursday" in doc.text
    assert "It is open" in doc.text
    assert "The weights are free to download" in doc.text
    assert "<" not in doc.text


def test_html_without_block_elements_keeps_its_text(tmp_path: Path) -> None:
    path = tmp_path / "bare.html"
    path.write_text("<html><body>Mistral AI raised money in Paris.</body></html>", "utf-8")
    [doc] = docs_of(path)
    assert doc.text == "Mistral AI raised money in Paris."


def test_json_object(tmp_path: Path) -> None:
    path = tmp_path / "one.json"
    path.write_text(
        json.dumps(
            {
                "id": "story-1",
                "title": "A deal",
                "published": "2024-02-01",
                "url": "https://news.example/a-deal",
                "text": "Oracle signed a cloud deal with OpenAI.",
            }
        ),
        encoding="utf-8",
    )
    [doc] = docs_of(path)
    assert doc.id == "story-1"
    assert doc.title == "A deal"
    assert doc.published == dt.date(2024, 2, 1)
    assert doc.source == "https://news.example/a-deal"  # 'url' stands in for 'source'
    assert doc.text == "Oracle signed a cloud deal with OpenAI."


def test_json_list_keeps_order(tmp_path: Path) -> None:
    path = tmp_path / "many.json"
    records = [{"id": f"n{i}", "text": f"Story number {i}."} for i in (3, 1, 2)]
    path.write_text(json.dumps(records), encoding="utf-8")
    assert [d.id for d in docs_of(path)] == ["n3", "n1", "n2"]


def test_jsonl_one_document_per_line(tmp_path: Path) -> None:
    path = tmp_path / "batch.jsonl"
    lines = [
        {"id": "a", "text": "Google released Gemini.", "published": "2023-12-06"},
        {"id": "b", "text": "Anthropic released Claude 3.", "date": "2024-03-04"},
    ]
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n\n", encoding="utf-8")
    docs = docs_of(path)
    assert [(d.id, d.published) for d in docs] == [
        ("a", dt.date(2023, 12, 6)),
        ("b", dt.date(2024, 3, 4)),  # 'date' stands in for 'published'
    ]


def test_bad_publication_date_is_ignored_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "x.json"
    path.write_text(json.dumps({"text": "Some news.", "published": "last Tuesday"}), "utf-8")
    with caplog.at_level(logging.WARNING):
        [doc] = docs_of(path)
    assert doc.published is None
    assert "last Tuesday" in caplog.text


# -------------------------------------------------------------------- ids


def test_given_id_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text(json.dumps({"id": "reuters-123", "text": "News."}), encoding="utf-8")
    assert docs_of(path)[0].id == "reuters-123"


def test_numeric_id_becomes_a_string(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text(json.dumps({"id": 42, "text": "News."}), encoding="utf-8")
    assert docs_of(path)[0].id == "42"


def test_id_without_one_given_is_a_content_hash(tmp_path: Path) -> None:
    text = "xAI raised $6 billion.\n"
    (tmp_path / "a.txt").write_text(text, encoding="utf-8")
    [doc] = docs_of(tmp_path / "a.txt")
    assert doc.id == "sha1:" + sha1(text)[:16]


def test_equal_content_gives_equal_ids_and_other_content_other_ids(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Nvidia invested in xAI.\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("Nvidia invested in xAI.\n", encoding="utf-8")
    (tmp_path / "c.txt").write_text("Nvidia invested in Mistral AI.\n", encoding="utf-8")
    a, b, c = (docs_of(tmp_path / n)[0] for n in ("a.txt", "b.txt", "c.txt"))
    assert a.id == b.id
    assert a.id != c.id
    # and stable from one run to the next
    assert docs_of(tmp_path / "a.txt")[0].id == a.id


def test_empty_id_falls_back_to_the_content_hash(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text(json.dumps({"id": "", "text": "News."}) + "\n", encoding="utf-8")
    assert docs_of(path)[0].id == "sha1:" + sha1("News.")[:16]


# ------------------------------------------------------------- directories


def test_directories_are_walked_recursively_in_sorted_order(tmp_path: Path) -> None:
    for rel, text in {
        "b.txt": "Second.",
        "a.md": "First.",
        "sub/inner/d.txt": "Fourth.",
        "sub/c.json": json.dumps({"text": "Third."}),
        "z.jsonl": json.dumps({"text": "Fifth."}),
        "notes.csv": "not, a, document",  # unknown suffix inside a directory: ignored
        ".hidden/e.txt": "Hidden.",  # dot-directories are not read
        ".secret.txt": "Hidden too.",
    }.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    items = list(iter_documents([tmp_path]))
    assert all(isinstance(i, Document) for i in items)
    assert [i.text for i in items] == ["First.", "Second.", "Third.", "Fourth.", "Fifth."]
    # the same again: the order does not depend on the file system
    assert [i.text for i in iter_documents([tmp_path])] == [i.text for i in items]


def test_a_file_named_explicitly_is_read_whatever_its_suffix(tmp_path: Path) -> None:
    path = tmp_path / "story.text"
    path.write_text("Perplexity raised money.", encoding="utf-8")
    [doc] = list(iter_documents([path]))
    assert isinstance(doc, Document)
    assert doc.text == "Perplexity raised money."


def test_missing_path_raises_before_anything_is_read(tmp_path: Path) -> None:
    (tmp_path / "ok.txt").write_text("Fine.", encoding="utf-8")
    missing = tmp_path / "nope"
    with pytest.raises(InputError, match="nope: no such file or directory"):
        iter_documents([tmp_path / "ok.txt", missing]).__next__()


# --------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty file"),
        (b"  \n\t\r\n   \n", "empty file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00", "binary file"),
        (bytes(range(0, 32)) * 20, "binary file"),
    ],
    ids=["empty", "whitespace-only", "png", "control-bytes"],
)
def test_unreadable_files_are_skipped_with_a_reason(
    tmp_path: Path, content: bytes, reason: str
) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    [skip] = skipped_of(path)
    assert skip.path == str(path)
    assert reason in skip.reason
    assert str(path) in skip.reason  # the message names the file
    with pytest.raises(InputError, match=reason):
        list(read_file(path, on_error="stop"))


FRENCH = (
    "Le café de la société Mistral AI à Paris a été rénové. "
    "Les ingénieurs français ont présenté leur modèle à la presse européenne, "
    "et la levée de fonds a été très commentée. "
) * 3
EURO = "Mistral AI, the Paris startup, raised €600 million for its café-style résumé lab. " * 3


@pytest.mark.parametrize(
    ("text", "encoding"),
    [(FRENCH, "latin-1"), (FRENCH, "cp1252"), (EURO, "cp1252")],
    ids=["french-latin-1", "french-cp1252", "euro-cp1252"],
)
def test_non_utf8_text_is_decoded_with_a_warning(
    tmp_path: Path, text: str, encoding: str, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "legacy.txt"
    path.write_bytes(text.encode(encoding))
    with caplog.at_level(logging.WARNING, logger="kg.ingest"):
        [doc] = docs_of(path)
    assert doc.text == text
    assert "not UTF-8" in caplog.text
    assert str(path) in caplog.text


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32"])
def test_utf16_and_utf32_with_a_byte_order_mark(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "wide.txt"
    path.write_bytes("Mistral AI raised €600 million.".encode(encoding))  # adds a BOM
    [doc] = docs_of(path)
    assert doc.text == "Mistral AI raised €600 million."


def test_cp1252_curly_quotes_are_decoded(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    text = "Microsoft\u2019s \u201cbig bet\u201d on OpenAI \u2013 a timeline of the deal. " * 6
    path = tmp_path / "quotes.txt"
    path.write_bytes(text.encode("cp1252"))
    with caplog.at_level(logging.WARNING, logger="kg.ingest"):
        [doc] = docs_of(path)
    assert doc.text == text
    assert "not UTF-8" in caplog.text


def test_utf8_with_bom_is_read_without_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes("\ufeffSamsung joined the round.".encode())
    with caplog.at_level(logging.WARNING):
        [doc] = docs_of(path)
    assert doc.text == "Samsung joined the round."
    assert caplog.text == ""


def test_jsonl_broken_line_is_skipped_with_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "batch.jsonl"
    path.write_text(
        json.dumps({"id": "a", "text": "First story."})
        + "\n"
        + '{"id": "b", "text": "unterminated\n'
        + json.dumps({"id": "c", "text": "Third story."})
        + "\n",
        encoding="utf-8",
    )
    items = list(read_file(path))
    assert [i.id for i in items if isinstance(i, Document)] == ["a", "c"]
    [skip] = [i for i in items if isinstance(i, Skipped)]
    assert skip.line == 2
    assert f"{path}:2" in skip.reason


def test_jsonl_broken_line_stops_the_run_with_on_error_stop(tmp_path: Path) -> None:
    path = tmp_path / "batch.jsonl"
    path.write_text('{"id": "a", "text": "ok"}\n[1, 2\n', encoding="utf-8")
    with pytest.raises(InputError, match=f"{path}:2"):
        list(read_file(path, on_error="stop"))


def test_jsonl_broken_line_raises_malformed_input_error(tmp_path: Path) -> None:
    path = tmp_path / "batch.jsonl"
    path.write_text('{"id": "a", "text": "ok"}\n[1, 2\n', encoding="utf-8")
    with pytest.raises(MalformedInputError):
        list(read_file(path, on_error="stop"))


def test_jsonl_line_that_is_not_an_object(tmp_path: Path) -> None:
    path = tmp_path / "batch.jsonl"
    path.write_text('["a list"]\n{"text": "Fine."}\n', encoding="utf-8")
    items = list(read_file(path))
    assert isinstance(items[0], Skipped)
    assert items[0].line == 1
    assert "not a JSON object" in items[0].reason
    assert isinstance(items[1], Document)


@pytest.mark.parametrize(
    "record",
    [{"id": "x", "title": "No text here"}, {"id": "x", "text": 12}, {"id": "x", "text": None}],
    ids=["missing", "number", "null"],
)
def test_json_record_without_text_is_skipped(tmp_path: Path, record: dict[str, object]) -> None:
    path = tmp_path / "x.json"
    path.write_text(json.dumps(record), encoding="utf-8")
    [skip] = skipped_of(path)
    assert "no 'text' field" in skip.reason
    with pytest.raises(MalformedInputError, match="'text'"):
        list(read_file(path, on_error="stop"))


def test_json_record_with_blank_text_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text(json.dumps({"text": "   "}) + "\n", encoding="utf-8")
    [skip] = skipped_of(path)
    assert "empty" in skip.reason
    assert skip.line == 1


def test_invalid_json_file_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text('{"text": "oops",', encoding="utf-8")
    [skip] = skipped_of(path)
    assert "not valid JSON" in skip.reason


def test_json_list_with_a_non_object_item(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text(json.dumps([{"text": "Good."}, "bad"]), encoding="utf-8")
    items = list(read_file(path))
    assert isinstance(items[0], Document)
    assert isinstance(items[-1], Skipped)
    assert "item 2" in items[-1].reason


def test_bad_files_in_a_directory_do_not_stop_the_good_ones(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Good one.", encoding="utf-8")
    (tmp_path / "b.txt").write_bytes(b"")
    (tmp_path / "c.txt").write_text("Good two.", encoding="utf-8")
    items = list(iter_documents([tmp_path]))
    assert [type(i).__name__ for i in items] == ["Document", "Skipped", "Document"]
    with pytest.raises(InputError, match="empty file"):
        list(iter_documents([tmp_path], on_error="stop"))
