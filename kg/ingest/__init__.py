"""Reading documents: files and directories in, :class:`~kg.models.Document` out.

Formats: ``.txt``, ``.md`` (YAML front matter for title/published/source), ``.html``,
``.json`` (an object or a list of objects) and ``.jsonl`` with fields ``id``, ``text``,
optional ``title``, ``published``, ``source`` or ``url``.
"""

from kg.ingest.files import (
    MAX_CHARS,
    SUFFIXES,
    Skipped,
    check_paths,
    iter_documents,
    read_file,
)

__all__ = ["MAX_CHARS", "SUFFIXES", "Skipped", "check_paths", "iter_documents", "read_file"]
