"""Typography that changes what spaCy sees but not what a text means.

The small English model changes its entities with typography ("Microsoft’s" and
"Microsoft's" tokenise differently), so the pipeline sees a copy of the text with
curly quotes, odd dashes and odd spaces made plain. Every replacement is one
character for one character, so offsets into the copy are offsets into the original.
"""

from __future__ import annotations

__all__ = ["normalize_typography"]

_SAME_LENGTH = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u02bc": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u00a0": " ",
        "\u2007": " ",
        "\u202f": " ",
        "\u2009": " ",
        "\u200a": " ",
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        # Zero-width characters would glue tokens; a space keeps the length.
        "\u200b": " ",
        "\ufeff": " ",
    }
)


def normalize_typography(text: str) -> str:
    """Return ``text`` with curly quotes straightened; same length, same offsets.

    >>> normalize_typography("Microsoft’s “deal”")
    'Microsoft\\'s "deal"'
    """
    return text.translate(_SAME_LENGTH)
