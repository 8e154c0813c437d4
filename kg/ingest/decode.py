"""Bytes to text: UTF-8 first, a detected encoding as the stated fallback."""

from __future__ import annotations

import logging

from charset_normalizer import from_bytes

from kg.errors import InputError

__all__ = ["decode"]

log = logging.getLogger(__name__)

# Control characters other than tab, newline, carriage return and form feed do not
# occur in text files; a few in the head of a file mean it is binary.
_TEXT_CONTROLS = {9, 10, 12, 13}


def _looks_binary(head: bytes) -> bool:
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 32 and b not in _TEXT_CONTROLS)
    return controls > max(4, len(head) // 100)


def decode(data: bytes, name: str) -> str:
    """Decode a file's bytes, or raise :class:`InputError` saying why it is not text.

    UTF-8 (with or without BOM) is tried first. Anything else is decoded with the
    encoding charset-normalizer detects, and a warning names it, so the user knows
    the text went through a guess.
    """
    if not data.strip():
        raise InputError(f"{name}: empty file")
    if _looks_binary(data[:8192]):
        raise InputError(f"{name}: binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    best = from_bytes(data[:1_000_000]).best()
    if best is None or best.encoding is None:
        raise InputError(
            f"{name}: not UTF-8 and no text encoding could be detected; convert it to UTF-8"
        )
    log.warning("%s: not UTF-8; decoded as %s (detected)", name, best.encoding)
    return data.decode(best.encoding, errors="replace")
