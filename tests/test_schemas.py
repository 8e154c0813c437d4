"""The exported JSON Schemas in schemas/ match the models and the ontology."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.ontology import RELATION_TYPES, RELATIONS
from kg.schemas import render

SCHEMAS = Path(__file__).resolve().parents[1] / "schemas"


@pytest.mark.parametrize("name", sorted(render()))
def test_exported_schema_is_current(name: str) -> None:
    path = SCHEMAS / name
    assert path.exists(), f"{name} is not exported: run python -m kg.schemas"
    assert path.read_text(encoding="utf-8") == render()[name], (
        f"schemas/{name} drifted from the code: run python -m kg.schemas"
    )


def test_no_stale_schema_files() -> None:
    assert {p.name for p in SCHEMAS.glob("*.json")} == set(render())


def test_ontology_lists_the_eleven_relation_types() -> None:
    doc = json.loads((SCHEMAS / "ontology.json").read_text(encoding="utf-8"))
    assert [r["type"] for r in doc["relations"]] == list(RELATION_TYPES)
    assert len(RELATION_TYPES) == 11
    assert (
        {r["type"] for r in doc["relations"] if r["symmetric"]}
        == {name for name, spec in RELATIONS.items() if spec.symmetric}
        == {"PARTNERS_WITH", "RIVALS"}
    )
