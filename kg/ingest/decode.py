"""Bytes to text: UTF-8 first, then a stated fallback, never a silent guess.

The order:

1. a byte-order mark decides (UTF-8, UTF-16 or UTF-32, either byte order);
2. empty and binary files are refused with the reason;
3. UTF-8;
4. Windows-1252 (Western European, a superset of the printable Latin-1) when the
   bytes can be Western text: the legacy encoding of English and Western European
   news. A detector's guess is not trusted here: on short or mostly-ASCII text it
   picks look-alikes (cp775, cp1250) that turn "é" into "ę";
5. otherwise the encoding charset-normalizer detects (Cyrillic, CJK...).

Steps 4 and 5 log a warning naming the file and the encoding used, so the user knows
the text went through a fallback.
"""

from __future__ import annotations

import codecs
import logging

from charset_normalizer import from_bytes

from kg.errors import InputError

__all__ = ["WESTERN_FALLBACK", "decode"]

log = logging.getLogger(__name__)

WESTERN_FALLBACK = "cp1252"
# Longest first: the UTF-32 LE mark starts with the UTF-16 LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Control characters other than tab, newline, carriage return and form feed do not
# occur in text files; a few in the head of a file mean it is binary.
_TEXT_CONTROLS = {9, 10, 12, 13}
# How much of a file the detector looks at: enough to decide, cheap on big files.
_SAMPLE = 1_000_000


def _looks_binary(head: bytes) -> bool:
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 32 and b not in _TEXT_CONTROLS)
    return controls > max(4, len(head) // 100)


def _with_bom(data: bytes, name: str) -> str | None:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as err:
                raise InputError(
                    f"{name}: starts with a {encoding.upper()} byte-order mark but is not "
                    f"valid {encoding.upper()} (byte {err.start}); re-save it as UTF-8"
                ) from err
    return None


def decode(data: bytes, name: str) -> str:
    """Decode a file's bytes, or raise :class:`InputError` saying why it is not text."""
    text = _with_bom(data, name)
    if text is not None:
        if not text.strip():
            raise InputError(f"{name}: empty file")
        return text
    if not data.strip():
        raise InputError(f"{name}: empty file")
    if _looks_binary(data[:8192]):
        raise InputError(f"{name}: binary file, not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    matches = from_bytes(data[:_SAMPLE])
    if any(WESTERN_FALLBACK in m.could_be_from_charset for m in matches):
        log.warning(
            "%s: not UTF-8; decoded as %s (Western European, the fallback for legacy text)",
            name,
            WESTERN_FALLBACK,
        )
        return data.decode(WESTERN_FALLBACK, errors="replace")
    best = matches.best()
    if best is None or best.encoding is None:
        raise InputError(
            f"{name}: not UTF-8 and no text encoding could be detected; convert it to UTF-8"
        )
    log.warning("%s: not UTF-8; decoded as %s (detected)", name, best.encoding)
    return data.decode(best.encoding, errors="replace")
