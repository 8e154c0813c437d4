"""Money amounts in news prose: "$13 billion", "US$1.5bn", "$500M", "10 billion dollars"."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Amount", "find_amounts"]

_SCALE = {
    "thousand": 1e3,
    "k": 1e3,
    "million": 1e6,
    "mn": 1e6,
    "mln": 1e6,
    "m": 1e6,
    "mil": 1e6,
    "billion": 1e9,
    "bn": 1e9,
    "b": 1e9,
    "bln": 1e9,
    "trillion": 1e12,
    "tn": 1e12,
    "t": 1e12,
}
_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_SCALES = r"thousand|million|billion|trillion|mln|bln|mn|bn|tn|k|m|b|t|mil"
_CURRENCY = r"US\$|[A-Z]{1,2}\$|USD\s?|\$|€|EUR\s?|£|GBP\s?|¥|JPY\s?|CNY\s?|RMB\s?"
_AMOUNT = re.compile(
    rf"(?P<cur>{_CURRENCY})\s?(?P<num>{_NUMBER})(?:\s?(?P<scale>{_SCALES})\b(?!-))?"
    rf"|(?P<num2>{_NUMBER})\s?(?P<scale2>{_SCALES})?\s(?P<cur2>dollars|euros|pounds|yuan)\b",
    re.I,
)
_USD = {"US$", "USD", "$", "dollars"}


@dataclass(frozen=True)
class Amount:
    """An amount as written, its value, and its value in USD when stated in dollars."""

    text: str
    start: int
    end: int
    value: float
    currency: str

    @property
    def usd(self) -> float | None:
        return self.value if self.currency in _USD else None


def find_amounts(text: str) -> list[Amount]:
    """Every money amount in ``text``, with offsets.

    >>> [(a.text, a.usd) for a in find_amounts("its $13 billion investment and €2bn")]
    [('$13 billion', 13000000000.0), ('€2bn', None)]
    """
    out = []
    for m in _AMOUNT.finditer(text):
        num = m.group("num") or m.group("num2")
        scale = (m.group("scale") or m.group("scale2") or "").lower()
        currency = (m.group("cur") or m.group("cur2") or "").strip()
        if currency.upper() in {"USD", "US$"}:
            currency = "US$"
        value = float(num.replace(",", "")) * _SCALE.get(scale, 1.0)
        out.append(Amount(m.group(0).strip(), m.start(), m.end(), value, currency))
    return out
