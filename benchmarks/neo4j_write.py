"""How fast kg writes relationships into Neo4j, against a row-at-a-time baseline.

    python benchmarks/neo4j_write.py [--relationships 100000] [--baseline-rows 5000] [--rounds 5]

Loads synthetic extraction results (10 relationships per document, between
entities drawn from a pool, with their mentions and evidence) into a real Neo4j:
the server KG_NEO4J_URI / KG_NEO4J_USER / KG_NEO4J_PASSWORD names, else a
throw-away local one started for the run (see ``kg.neo4j_server``). Its database
is wiped first.

Two writers of the same graph, in the same run, on the same server:

- **batched**: :meth:`kg.store.neo4j.Neo4jStore.write`, the project's writer:
  batches of documents, one transaction per batch, written by one ``UNWIND`` statement.
  It writes everything a relationship comes with: documents, entities, mentions,
  aggregated edges.
- **baseline**: the same graph written row at a time, the way a naive loader
  writes: one auto-commit ``MERGE`` query per document (its node), and one per
  relationship (its two entities, their MENTIONS from the document, and the
  relationship, created with its properties or added to the ones stored). It is
  measured on the first ``--baseline-rows`` relationships only (it would take too
  long on all of them), into an emptied database. Before the rounds, both writers
  write the documents the baseline is measured on, and the run stops unless the two
  graphs have the same nodes, relationships and totals.

Two more figures are references:

- **edges only**: one auto-commit ``MERGE`` query per relationship that writes
  only its two entities (ids and names) and the relationship with a few of its
  properties: no documents, mentions, aliases or aggregation. A lighter load than
  the other writers', row at a time.
- **bare**: the same edges-only rows, ``UNWIND $rows ... MERGE`` in transactions
  of :data:`BARE_ROWS`: about the fastest a batched loader can write them here.

All are measured after a warm-up in which each writes as much as it is then
measured on (``--warmup`` relationships, the baseline at most ``--baseline-rows``),
then wiped: a fresh JVM runs several times slower for its first minute, and its
compiler keeps a core busy for longer. Measured: of the CPU seconds the server spent
on the batched load, the JIT compiler took 12 of 30 after 10,000 relationships of
warm-up, 7 of 24 after 50,000, 1 of 18 after 210,000. A row-at-a-time writer's
code path warms too: after 2,000 rows of warm-up, the edges-only writer wrote 262,
349, 385, 387 and 375 rows/s in five rounds. Then each writer is measured
``--rounds`` times, in rounds that alternate their order, into an emptied database
each time, and the medians compared.

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
from typing import Any

import neo4j

from kg.models import Entity, Evidence, ExtractionResult, Mention, Relation
from kg.ontology import MODALITIES, EntityType, Modality
from kg.settings import get_settings
from kg.store import cypher
from kg.store.aggregate import (
    MAX_EVIDENCE,
    EdgeAggregate,
    document_row,
    edge_key,
    entity_rows,
    mention_rows,
)
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


def baseline_documents(
    results: list[ExtractionResult], limit: int
) -> list[tuple[dict[str, object], list[dict[str, object]]]]:
    """For the row-at-a-time writer: each document's row and one row per relationship
    (the first ``limit`` relationships), with all it writes: both entities, both
    MENTIONS from the document, and the relationship's properties as the batched
    writer computes them for one mention."""
    docs: list[tuple[dict[str, object], list[dict[str, object]]]] = []
    n = 0
    for r in results:
        entities = entity_rows([r])
        mentions = {m["e"]: m for m in mention_rows(r)}
        rows: list[dict[str, object]] = []
        for rel in r.relations[: limit - n]:
            rtype, s, t = edge_key(rel)
            one = EdgeAggregate(rtype, s, t)
            one.add_mention(rel)
            props = one.row()
            date = props.pop("first_seen")
            del props["s"], props["t"], props["last_seen"]
            rows.append(
                {
                    "type": rtype,
                    "doc": r.id,
                    "s": entities[s].row(),
                    "t": entities[t].row(),
                    "ms": mentions[s],
                    "mt": mentions[t],
                    "props": props,
                    "date": date,
                }
            )
        docs.append((document_row(r, packed=True), rows))
        n += len(rows)
        if n == limit:
            break
    return docs


def _baseline_query(rtype: str, src: str, tgt: str) -> str:
    counts = ", ".join(f"r.n_{m} = r.n_{m} + $props.n_{m}" for m in MODALITIES)
    return (
        "MATCH (d:Document {id: $doc}) "
        f"MERGE (a:Entity:{cypher.label(src)} {{id: $s.id}}) "
        "SET a.name = $s.name, a.aliases = $s.aliases, a.wikidata = $s.wikidata "
        f"MERGE (b:Entity:{cypher.label(tgt)} {{id: $t.id}}) "
        "SET b.name = $t.name, b.aliases = $t.aliases, b.wikidata = $t.wikidata "
        "MERGE (d)-[ma:MENTIONS]->(a) SET ma.count = $ms.count, ma.forms = $ms.forms "
        "MERGE (d)-[mb:MENTIONS]->(b) SET mb.count = $mt.count, mb.forms = $mt.forms "
        f"MERGE (a)-[r:{cypher.rel_type(rtype)}]->(b) "
        "ON CREATE SET r += $props, r.first_seen = date($date), r.last_seen = date($date) "
        "ON MATCH SET r.support = r.support + 1, "
        "r.documents = CASE WHEN $doc IN r.documents THEN r.documents "
        "ELSE r.documents + $doc END, "
        "r.confidence = CASE WHEN $props.confidence > r.confidence "
        "THEN $props.confidence ELSE r.confidence END, "
        f"{counts}, "
        "r.first_seen = CASE WHEN date($date) < r.first_seen THEN date($date) "
        "ELSE r.first_seen END, "
        "r.last_seen = CASE WHEN date($date) > r.last_seen THEN date($date) "
        "ELSE r.last_seen END, "
        "r.roles = r.roles + [x IN $props.roles WHERE NOT x IN r.roles], "
        "r.amount_usd = CASE WHEN $props.amount_usd > coalesce(r.amount_usd, 0) "
        "THEN $props.amount_usd ELSE r.amount_usd END, "
        "r.evidence = (r.evidence + $props.evidence)[..$max_evidence]"
    )


def run_baseline(
    driver: neo4j.Driver,
    database: str,
    docs: list[tuple[dict[str, object], list[dict[str, object]]]],
) -> float:
    """Seconds to write ``docs`` one auto-commit query per document (its node) and
    one per relationship (everything else it comes with)."""
    started = time.perf_counter()
    with driver.session(database=database) as session:
        for doc, rows in docs:
            session.run(cypher.upsert_documents(), rows=[doc]).consume()
            for row in rows:
                s, t = row["s"], row["t"]
                assert isinstance(s, dict) and isinstance(t, dict)
                query = _baseline_query(
                    str(row["type"]), cypher.label_of_id(s["id"]), cypher.label_of_id(t["id"])
                )
                session.run(query, row, max_evidence=MAX_EVIDENCE).consume()
    return time.perf_counter() - started


def edge_rows(results: list[ExtractionResult], limit: int) -> list[dict[str, object]]:
    """One row per relationship, with its two entities' ids and names and a few of
    its properties: what the bare reference and the edges-only writer write."""
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


def run_edges_only(driver: neo4j.Driver, database: str, rows: list[dict[str, object]]) -> float:
    """Seconds to MERGE ``rows`` one auto-commit query each: the two entities and the
    relationship with a few properties, nothing else."""
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
        docs = baseline_documents(results, args.baseline_rows)
        n_baseline = sum(len(rows) for _, rows in docs)
        edges_only = edge_rows(results, args.baseline_rows)
        bare_rows = edge_rows(results, n_rels)
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
            wipe(driver, database)
            limit = min(warmup_rels, args.baseline_rows)
            run_baseline(driver, database, baseline_documents(warmup, limit))
            wipe(driver, database)
            run_edges_only(driver, database, edge_rows(warmup, limit))
            wipe(driver, database)
            run_bare(driver, database, edge_rows(warmup, warmup_rels))
            wipe(driver, database)
            del warmup
        same = same_graph(driver, database, store, results, docs)
        # Rounds alternate the writers' order, so that none is always measured on a
        # JVM another has just warmed (or left garbage in); medians over rounds.
        order = ["batched", "baseline", "edges-only", "bare"]
        times: dict[str, list[float]] = {name: [] for name in order}
        for k in range(args.rounds):
            for name in order if k % 2 == 0 else order[::-1]:
                wipe(driver, database)
                if name == "batched":
                    started = time.perf_counter()
                    stats = store.write(results)
                    times[name].append(time.perf_counter() - started)
                    edges = sum(store.stats().relationships.values())
                elif name == "baseline":
                    times[name].append(run_baseline(driver, database, docs))
                elif name == "edges-only":
                    times[name].append(run_edges_only(driver, database, edges_only))
                else:
                    times[name].append(run_bare(driver, database, bare_rows))
                print(f"  round {k + 1}: {name} {times[name][-1]:.1f} s", file=sys.stderr)
        wipe(driver, database)

    measured_rows = {
        "batched": n_rels,
        "baseline": n_baseline,
        "edges-only": len(edges_only),
        "bare": n_rels,
    }
    rate = {name: [measured_rows[name] / t for t in ts] for name, ts in times.items()}
    median = {name: statistics.median(r) for name, r in rate.items()}
    batched, baseline = median["batched"], median["baseline"]
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
        f"  baseline (row at a time, one auto-commit MERGE query per relationship with "
        f"everything it comes with and one per document, the same graph: {same}; "
        f"measured on the first {n_baseline:,} relationships): {baseline:,.0f} rows/s "
        f"({runs('baseline')})"
    )
    print(
        f"  ratio: batched is {batched / baseline:.1f}x the baseline "
        f"(round by round: {', '.join(f'{r:.1f}x' for r in per_round)})"
    )
    print(
        f"  reference: row at a time, edges only (one auto-commit MERGE query per "
        f"relationship: its two entities and the relationship with a few of its "
        f"properties, no documents, mentions, aliases or aggregation): "
        f"{median['edges-only']:,.0f} rows/s ({runs('edges-only')}); batched is "
        f"{batched / median['edges-only']:.1f}x this"
    )
    print(
        f"  reference: bare UNWIND MERGE of the same edges-only rows, {BARE_ROWS:,} per "
        f"transaction: {median['bare']:,.0f} rows/s ({runs('bare')}); the batched writer "
        f"does {batched / median['bare']:.0%} of its rate"
    )
    return 0


def graph_summary(driver: neo4j.Driver, database: str) -> dict[str, list[tuple[Any, ...]]]:
    """Counts and sums that two writes of one graph must share."""
    nodes, _, _ = driver.execute_query(
        "MATCH (n) RETURN labels(n) AS labels, count(*) AS n, "
        "sum(size(coalesce(n.aliases, []))) AS aliases ORDER BY n",
        database_=database,
    )
    rels, _, _ = driver.execute_query(
        "MATCH ()-[r]->() RETURN type(r) AS type, count(*) AS n, sum(r.support) AS support, "
        "sum(r.count) AS count, sum(size(r.evidence)) AS evidence ORDER BY type",
        database_=database,
    )
    return {
        "nodes": sorted((tuple(sorted(r["labels"])), r["n"], r["aliases"]) for r in nodes),
        "relationships": [tuple(r.values()) for r in rels],
    }


def same_graph(
    driver: neo4j.Driver,
    database: str,
    store: Neo4jStore,
    results: list[ExtractionResult],
    docs: list[tuple[dict[str, object], list[dict[str, object]]]],
) -> str:
    """Check that the baseline writes what the batched writer writes for the same
    documents (those whose relationships it writes all of); say what was compared."""
    whole = [
        doc for (doc, rows), r in zip(docs, results, strict=False) if len(rows) == len(r.relations)
    ]
    wipe(driver, database)
    store.write(results[: len(whole)])
    batched = graph_summary(driver, database)
    wipe(driver, database)
    run_baseline(driver, database, docs[: len(whole)])
    baseline = graph_summary(driver, database)
    wipe(driver, database)
    if batched != baseline:
        raise SystemExit(
            f"the baseline does not write the graph the batched writer writes:\n"
            f"  batched:  {batched}\n  baseline: {baseline}"
        )
    n_nodes = sum(row[1] for row in batched["nodes"])
    n_rels = sum(row[1] for row in batched["relationships"])
    return f"checked on {len(whole):,} documents, {n_nodes:,} nodes, {n_rels:,} relationships"


if __name__ == "__main__":
    sys.exit(main())
