"""Names that look like Cypher go in and come out verbatim, and harm nothing.

End to end through the ``kg`` script: documents whose ids, titles and entity names
hold quotes, backticks, braces, comment markers and newlines are built with
``kg build`` (or loaded with ``kg load``), and ``kg query`` finds each one by its
exact text, passed as a parameter, while every other node is still there.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kg.models import Entity, Evidence, ExtractionResult, Mention, Relation
from kg.ontology import EntityType
from tests.robustness.conftest import Run, kg, no_traceback

NASTY = [
    '"}) DETACH DELETE n //',
    "`}) MATCH (m) DETACH DELETE m RETURN 1 //",
    "Robert'); DROP TABLE entities; --",
    'O\'Brien "the Quote" Labs',
    "Line one\nLine two\r\nLine three",
    "back\\slash $param {map: 1} [list] <tag>",
    "Zoë ‮ reversed ⁦isolated⁩ 🙂",
]

ARTICLES = [
    {
        "id": NASTY[0],
        "title": NASTY[1],
        "source": NASTY[4],
        "text": "Nvidia acquired Foo`Bar Systems for $2 billion, the companies said.",
    },
    {
        "id": NASTY[2],
        "title": NASTY[3],
        "text": "Google hired Dana O'Brien-Smith as an engineer. "
        "OpenAI said Sam Altman leads Acme\nLabs Group.",
    },
]


def _query(db_args: list[str], cypher: str, env: dict[str, str], **params: str) -> Any:
    args = [f"{k}={json.dumps(v)}" for k, v in params.items()]  # JSON: passed exactly
    run = kg(
        "query", cypher, *(a for p in args for a in ("--param", p)), *db_args, "--json", env=env
    )
    no_traceback(run)
    assert run.code == 0, run.err
    return json.loads(run.out)


def _crafted() -> ExtractionResult:
    """An extraction result whose entities are named like Cypher."""
    text = " and ".join(NASTY)
    entities = []
    start = 0
    for i, name in enumerate(NASTY):
        kind = EntityType.ORGANIZATION if i % 2 == 0 else EntityType.PERSON
        prefix = "org" if kind is EntityType.ORGANIZATION else "person"
        entities.append(
            Entity(
                id=f"{prefix}:{name}",
                name=name,
                type=kind,
                aliases=[name.upper()],
                mentions=[Mention(text=name, start=start, end=start + len(name), source="ner")],
            )
        )
        start += len(name) + len(" and ")
    relation = Relation(
        type="INVESTS_IN",
        source=entities[2].id,
        target=entities[0].id,
        evidence=Evidence(
            doc_id=NASTY[5], sentence=text, sentence_start=0, sentence_end=len(text), rule=NASTY[1]
        ),
    )
    return ExtractionResult(
        id=NASTY[5],
        title=NASTY[6],
        content_hash="0" * 40,
        entities=entities,
        relations=[relation],
    )


@pytest.fixture(
    params=["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)],
)
def target(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[list[str], dict[str, str]]:
    """(store options, environment) of an empty store of each kind."""
    if request.param == "embedded":
        return ["--db", str(tmp_path / "kg.db")], {}
    server = request.getfixturevalue("live_neo4j")
    server.wipe()
    return ["--store", "neo4j"], server.env()


def _count(db_args: list[str], env: dict[str, str]) -> int:
    """Entities and documents in the store."""
    return sum(
        int(_query(db_args, f"MATCH (n:{label}) RETURN count(n) AS n", env)[0]["n"])
        for label in ("Entity", "Document")
    )


def test_built_documents_with_cypher_like_fields_read_back_verbatim(
    tmp_path: Path, target: tuple[list[str], dict[str, str]]
) -> None:
    db_args, env = target
    corpus = tmp_path / "nasty.jsonl"
    corpus.write_text("".join(json.dumps(a) + "\n" for a in ARTICLES), encoding="utf-8")
    build: Run = kg("build", corpus, *db_args, "--json", "-q", env=env)
    no_traceback(build)
    assert build.code == 0, build.err
    assert json.loads(build.out)["extracted"] == 2
    nodes = _count(db_args, env)

    for article in ARTICLES:
        [row] = _query(
            db_args,
            "MATCH (d:Document) WHERE d.id = $id RETURN d.id AS id, d.title AS title, "
            "d.source AS source",
            env,
            id=article["id"],
        )
        assert row == {
            "id": article["id"],
            "title": article["title"],
            "source": article.get("source"),
        }

    extracted = {
        json.loads(line)["id"]: json.loads(line) for line in kg("extract", corpus).out.splitlines()
    }
    names = {e["name"] for r in extracted.values() for e in r["entities"]}
    aliases = {a for r in extracted.values() for e in r["entities"] for a in e["aliases"]}
    assert {"Foo`Bar Systems", "Dana O'Brien-Smith"} <= names  # the awkward ones are in play
    assert "Acme\nLabs Group" in aliases  # a form with a newline, kept as written
    for name in names:
        [row] = _query(
            db_args, "MATCH (e:Entity) WHERE e.name = $n RETURN e.name AS name", env, n=name
        )
        assert row["name"] == name
    for alias in aliases:
        rows = _query(
            db_args,
            "MATCH (e:Entity) WHERE $a IN e.aliases RETURN e.aliases AS aliases",
            env,
            a=alias,
        )
        assert any(alias in r["aliases"] for r in rows)
    assert _count(db_args, env) == nodes  # reading changed nothing, nothing was deleted


def test_loaded_entities_named_like_cypher_read_back_verbatim(
    tmp_path: Path, target: tuple[list[str], dict[str, str]]
) -> None:
    db_args, env = target
    result = _crafted()
    path = tmp_path / "crafted.jsonl"
    path.write_text(result.model_dump_json() + "\n", encoding="utf-8")
    load = kg("load", path, *db_args, env=env)
    no_traceback(load)
    assert load.code == 0, load.err
    assert _count(db_args, env) == len(NASTY) + 1  # the entities and the document

    for entity in result.entities:
        [row] = _query(
            db_args,
            "MATCH (e:Entity) WHERE e.id = $id RETURN e.name AS name, e.aliases AS aliases",
            env,
            id=entity.id,
        )
        assert row == {"name": entity.name, "aliases": entity.aliases}
    [rel] = _query(
        db_args,
        "MATCH (a:Entity)-[r:INVESTS_IN]->(b:Entity) RETURN a.name AS a, b.name AS b, "
        "r.documents AS docs",
        env,
    )
    assert rel == {"a": NASTY[2], "b": NASTY[0], "docs": [NASTY[5]]}
    [doc] = _query(db_args, "MATCH (d:Document) RETURN d.id AS id, d.title AS title", env)
    assert doc == {"id": NASTY[5], "title": NASTY[6]}
    top = kg("top", *db_args, "--json", env=env)
    assert top.code == 0 and {r["entity"] for r in json.loads(top.out)} == set(NASTY)
    # and it leaves again as cleanly
    retract = kg("retract", NASTY[5], *db_args, env=env)
    assert retract.code == 0, retract.err
    assert _count(db_args, env) == 0
