"""How fast kg writes relationships into Neo4j, against a row-at-a-time baseline.

    python benchmarks/neo4j_write.py [--relationships 100000] [--baseline-rows 5000] [--rounds 5]

Loads synthetic extraction results (10 relationships per document, between
entities drawn from a pool, with their mentions and evidence) into a real Neo4j:
the server KG_NEO4J_URI / KG_NEO4J_USER / KG_NEO4J_PASSWORD names, else a
throw-away local one started for the run (see ``kg.neo4j_server``). Its database
is wiped first.

Two writers, in the same run, on the same server:

- **batched**: :meth:`kg.store.neo4j.Neo4jStore.write`, the project's writer:
  batches of documents, ``UNWIND $rows`` statements, one transaction per batch.
  It writes everything a relationship comes with: documents, entities, mentions,
  aggregated edges.
- **baseline**: one auto-commit ``MERGE`` query per relationship (its two entities
  and the relationship with its properties), the way a naive loader writes. It is
  measured on the first ``--baseline-rows`` relationships only (it would take too
  long on all of them), into an emptied database.

A third figure is a reference for the two: a bare ``UNWIND $rows ... MERGE`` of the
same relationships and their entities, with none of the rest (documents, mentions,
aliases, aggregation): about the fastest a batched loader can write them here.

All are measured after a warm-up in which each writes as much as it is then
measured on (``--warmup`` relationships, the baseline at most ``--baseline-rows``),
then wiped: a fresh JVM runs several times slower for its first minute, and its
compiler keeps a core busy for longer. Measured: of the CPU seconds the server spent
on the batched load, the JIT compiler took 12 of 30 after 10,000 relationships of
warm-up, 7 of 24 after 50,000, 1 of 18 after 210,000. The baseline's own code path
warms too: after 2,000 rows of warm-up it wrote 262, 349, 385, 387 and 375 rows/s
in five rounds. Then each writer is measured ``--rounds`` times, in rounds that
alternate their order, into an emptied database each time, and the medians compared.

Prints rows (relationships) per second for each (the median of the rounds, and
every round's) and the ratios. Not a test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import hashlib
import random
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import neo4j

from kg.models import Entity, Evidence, ExtractionResult, Mention, Relation
from kg.ontology import EntityType, Modality
from kg.settings import get_settings
from kg.store import cypher
from kg.store.neo4j import Neo4jStore

RELATIONS_PER_DOC = 10
BARE_ROWS = 5_000  # relationships per transaction of the bare reference writer
# (type, source type, target type): pairs the ontology allows.
SHAPES = [
    ("INVESTS_IN", EntityType.ORGANIZATION, EntityType.ORGANIZATION),
    ("PARTNERS_WITH", EntityType.ORGANIZATION, EntityType.ORGANIZATION),
    ("SUPPLIES", EntityType.ORGANIZATION, EntityType.ORGANIZATION),
    ("DEVELOPS", EntityType.ORGANIZATION, EntityType.PRODUCT),
    ("LEADS", EntityType.PERSON, EntityType.ORGANIZATION),
    ("WORKS_FOR", EntityType.PERSON, EntityType.ORGANIZATION),
]
PREFIX = {
    EntityType.ORGANIZATION: "org",
    EntityType.PERSON: "person",
    EntityType.PRODUCT: "product",
}
POOL = {EntityType.ORGANIZATION: 20_000, EntityType.PERSON: 8_000, EntityType.PRODUCT: 8_000}


def _entity(etype: EntityType, n: int) -> Entity:
    name = f"{etype.value} {n}"
    return Entity(
        id=f"{PREFIX[etype]}:{etype.value.lower()}-{n}",
        name=name,
        type=etype,
        aliases=[f"{name} Inc"] if n % 5 == 0 else [],
        mentions=[Mention(text=name, start=0, end=len(name), source="gazetteer")],
    )


def synthetic(relationships: int, seed: int = 7) -> Iterator[ExtractionResult]:
    """Documents of :data:`RELATIONS_PER_DOC` relationships each, deterministic."""
    rng = random.Random(seed)
    day = dt.date(2024, 1, 1)
    for d in range(0, relationships, RELATIONS_PER_DOC):
        doc_id = f"bench-{d // RELATIONS_PER_DOC:06d}"
        published = day + dt.timedelta(days=d // 500)
        entities: dict[str, Entity] = {}
        relations = []
        for _ in range(min(RELATIONS_PER_DOC, relationships - d)):
            rtype, stype, ttype = rng.choice(SHAPES)
            i, j = rng.randrange(POOL[stype]), rng.randrange(POOL[ttype])
            if stype == ttype and i == j:
                j = (j + 1) % POOL[ttype]
            a, b = _entity(stype, i), _entity(ttype, j)
            entities[a.id], entities[b.id] = a, b
            sentence = f"{a.name} and {b.name}: {rtype.lower().replace('_', ' ')}."
            relations.append(
                Relation(
                    type=rtype,
                    source=a.id,
                    target=b.id,
                    modality=rng.choice([Modality.ASSERTED, Modality.REPORTED]),
                    confidence=round(rng.uniform(0.5, 0.95), 2),
                    role="CEO" if rtype == "LEADS" else None,
                    amount="$10 million" if rtype == "INVESTS_IN" else None,
                    amount_usd=1e7 if rtype == "INVESTS_IN" else None,
                    date=published,
                    evidence=Evidence(
                        doc_id=doc_id,
                        sentence=sentence,
                        sentence_start=0,
                        sentence_end=len(sentence),
                        rule="synthetic",
                    ),
                )
            )
        yield ExtractionResult(
            id=doc_id,
            title=f"Synthetic article {d}",
            published=published,
            content_hash=hashlib.sha1(doc_id.encode()).hexdigest(),
            entities=list(entities.values()),
            relations=relations,
        )


def baseline_rows(results: list[ExtractionResult], limit: int) -> list[dict[str, object]]:
    """One parameter row per relationship, for the row-at-a-time writer."""
    rows: list[dict[str, object]] = []
    for r in results:
        names = {e.id: e.name for e in r.entities}
        for rel in r.relations:
            rows.append(
                {
                    "type": rel.type,
                    "s": rel.source,
                    "t": rel.target,
                    "s_name": names[rel.source],
                    "t_name": names[rel.target],
                    "props": {
                        "support": 1,
                        "documents": [r.id],
                        "confidence": rel.confidence,
                        "modality": rel.modality.value,
                        "amount_usd": rel.amount_usd,
                        "evidence": [rel.evidence.sentence],
                    },
                    "date": rel.date.isoformat() if rel.date else None,
                }
            )
            if len(rows) == limit:
                return rows
    return rows


def run_baseline(driver: neo4j.Driver, database: str, rows: list[dict[str, object]]) -> float:
    """Seconds to MERGE ``rows`` one auto-commit query each."""
    started = time.perf_counter()
    with driver.session(database=database) as session:
        for row in rows:
            rtype = str(row["type"])
            src, tgt = cypher.label_of_id(str(row["s"])), cypher.label_of_id(str(row["t"]))
            session.run(
                f"MERGE (a:Entity:{cypher.label(src)} {{id: $s}}) SET a.name = $s_name "
                f"MERGE (b:Entity:{cypher.label(tgt)} {{id: $t}}) SET b.name = $t_name "
                f"MERGE (a)-[r:{cypher.rel_type(rtype)}]->(b) SET r += $props, "
                "r.first_seen = date($date), r.last_seen = date($date)",
                row,
            ).consume()
    return time.perf_counter() - started


def run_bare(driver: neo4j.Driver, database: str, rows: list[dict[str, object]]) -> float:
    """Seconds to write ``rows`` the least a batched loader can: per transaction of
    :data:`BARE_ROWS` rows, one ``UNWIND $rows ... MERGE`` per (type, labels) of the
    two entities (with their names) and the relationship with its properties; no
    documents, mentions, aliases or aggregation. A reference, not a rival: it tells
    how much of the batched writer's time is the graph it keeps."""

    def group(chunk: list[dict[str, object]]) -> dict[tuple[str, str, str], list[object]]:
        groups: dict[tuple[str, str, str], list[object]] = {}
        for row in chunk:
            src, tgt = cypher.label_of_id(str(row["s"])), cypher.label_of_id(str(row["t"]))
            groups.setdefault((str(row["type"]), src, tgt), []).append(row)
        return dict(sorted(groups.items()))

    def write(tx: neo4j.ManagedTransaction, chunk: list[dict[str, object]]) -> None:
        for (rtype, src, tgt), group_rows in group(chunk).items():
            tx.run(
                f"UNWIND $rows AS row "
                f"MERGE (a:Entity:{cypher.label(src)} {{id: row.s}}) SET a.name = row.s_name "
                f"MERGE (b:Entity:{cypher.label(tgt)} {{id: row.t}}) SET b.name = row.t_name "
                f"MERGE (a)-[r:{cypher.rel_type(rtype)}]->(b) SET r += row.props, "
                "r.first_seen = date(row.date), r.last_seen = date(row.date)",
                rows=group_rows,
            ).consume()

    started = time.perf_counter()
    with driver.session(database=database) as session:
        for k in range(0, len(rows), BARE_ROWS):
            session.execute_write(write, rows[k : k + BARE_ROWS])
    return time.perf_counter() - started


def wipe(driver: neo4j.Driver, database: str) -> None:
    with driver.session(database=database) as session:  # IN TRANSACTIONS needs auto-commit
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS").consume()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--relationships", type=int, default=100_000)
    parser.add_argument("--baseline-rows", type=int, default=5_000)
    parser.add_argument("--batch-size", type=int, default=None, help="documents per transaction")
    parser.add_argument(
        "--rounds", type=int, default=5, help="measurements of each writer (median reported)"
    )
    parser.add_argument(
        "--warmup",
        type=int,
        default=None,
        help="relationships written (every way) and wiped before measuring, to warm the JVM "
        "(default: as many as --relationships)",
    )
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")

    settings = get_settings()
    with ExitStack() as stack:
        if settings.neo4j_uri:
            uri, user, database = settings.neo4j_uri, settings.neo4j_user, settings.neo4j_database
            if settings.neo4j_password is None:
                parser.error("KG_NEO4J_URI is set: set KG_NEO4J_PASSWORD too")
            password = settings.neo4j_password.get_secret_value()
            where = f"the server at {uri}"
        else:
            from kg.neo4j_server import start

            home = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="kg-bench-")))
            password = secrets.token_urlsafe(16)
            print("starting a local Neo4j ...", file=sys.stderr)
            handle = stack.enter_context(start(port=0, data_dir=home, password=password))
            uri, user, database = handle.bolt_uri, "neo4j", "neo4j"
            where = f"a local Neo4j started for the run ({handle.started_in:.0f} s to start)"

        results = list(synthetic(args.relationships))
        n_rels = sum(len(r.relations) for r in results)
        rows = baseline_rows(results, args.baseline_rows)
        bare_rows = baseline_rows(results, n_rels)
        # The inputs stay in memory for the whole run, as no loader keeps them (kg load
        # streams a file): left to the cyclic garbage collector, its every full pass
        # would walk these millions of objects, time charged to whichever writer runs.
        gc.freeze()
        driver = stack.enter_context(neo4j.GraphDatabase.driver(uri, auth=(user, password)))
        wipe(driver, database)

        store = stack.enter_context(
            Neo4jStore(uri, user=user, password=password, database=database)
        )
        if args.batch_size:
            store.batch_size = args.batch_size
        warmup_rels = args.relationships if args.warmup is None else args.warmup
        if warmup_rels:  # a fresh JVM compiles its hot paths during the first minutes
            print("warming up ...", file=sys.stderr)
            warmup = list(synthetic(warmup_rels, seed=1))
            store.write(warmup)
            run_baseline(driver, database, baseline_rows(warmup, min(warmup_rels, len(rows))))
            wipe(driver, database)
            run_bare(driver, database, baseline_rows(warmup, warmup_rels))
            wipe(driver, database)
            del warmup
        # Rounds alternate the writers' order, so that neither is always measured on
        # a JVM the other has just warmed (or left garbage in); medians over rounds.
        times: dict[str, list[float]] = {"batched": [], "baseline": [], "bare": []}
        for k in range(args.rounds):
            order = ["batched", "baseline", "bare"]
            for name in order if k % 2 == 0 else order[::-1]:
                wipe(driver, database)
                if name == "batched":
                    started = time.perf_counter()
                    stats = store.write(results)
                    times[name].append(time.perf_counter() - started)
                    edges = sum(store.stats().relationships.values())
                elif name == "baseline":
                    times[name].append(run_baseline(driver, database, rows))
                else:
                    times[name].append(run_bare(driver, database, bare_rows))
                print(f"  round {k + 1}: {name} {times[name][-1]:.1f} s", file=sys.stderr)
        wipe(driver, database)

    measured_rows = {"batched": n_rels, "baseline": len(rows), "bare": n_rels}
    rate = {name: [measured_rows[name] / t for t in ts] for name, ts in times.items()}
    batched, baseline, bare = (statistics.median(rate[k]) for k in ("batched", "baseline", "bare"))
    per_round = [a / b for a, b in zip(rate["batched"], rate["baseline"], strict=True)]

    def runs(name: str) -> str:
        return ", ".join(f"{r:,.0f}" for r in rate[name])

    print(f"Neo4j write benchmark on {where}; median of {args.rounds} rounds (rows/s per round)")
    print(
        f"  batched  (Neo4jStore.write, {store.batch_size} documents per transaction): "
        f"{n_rels:,} relationships ({edges:,} distinct edges, {stats.entities:,} entity "
        f"rows, {stats.documents_written:,} documents) at {batched:,.0f} rows/s "
        f"({runs('batched')})"
    )
    print(
        f"  baseline (one auto-commit MERGE query per row, measured on the first "
        f"{len(rows):,} rows): {baseline:,.0f} rows/s ({runs('baseline')})"
    )
    print(
        f"  ratio: batched is {batched / baseline:.1f}x the baseline "
        f"(round by round: {', '.join(f'{r:.1f}x' for r in per_round)})"
    )
    print(
        f"  reference (bare UNWIND MERGE of the same relationships and their entities, "
        f"{BARE_ROWS:,} per transaction, nothing else): {bare:,.0f} rows/s ({runs('bare')}) "
        f"= {bare / baseline:.1f}x the baseline; the batched writer does "
        f"{batched / bare:.0%} of its rate"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
