"""The JSON Schemas of the models and the ontology, as exported to ``schemas/``.

``python -m kg.schemas [DIR]`` rewrites them; a test fails when the files drift
from the code.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from kg.models import Document, Entity, Evidence, ExtractionResult, Mention, Relation
from kg.ontology import ontology_document

__all__ = ["MODELS", "render", "write"]

MODELS: tuple[type[BaseModel], ...] = (
    Document,
    Mention,
    Entity,
    Evidence,
    Relation,
    ExtractionResult,
)


def render() -> dict[str, str]:
    """File name -> content of every exported schema."""
    files = {"ontology.json": ontology_document()}
    for model in MODELS:
        schema: dict[str, Any] = model.model_json_schema()
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        files[f"{model.__name__}.schema.json"] = schema
    return {
        name: json.dumps(data, indent=2, ensure_ascii=False) + "\n" for name, data in files.items()
    }


def write(directory: Path) -> list[Path]:
    """Write every schema into ``directory``; return the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in render().items():
        path = directory / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


if __name__ == "__main__":
    for written in write(Path(sys.argv[1] if len(sys.argv) > 1 else "schemas")):
        print(written)
