"""How long the centrality report takes on synthetic graphs of 10k, 100k and 1M edges.

    python benchmarks/centrality.py                  # all three sizes
    python benchmarks/centrality.py --sizes 10k,100k # fewer
    python benchmarks/centrality.py --networkx-max 0 # skip the networkx comparison

The graphs are seeded and scale-free-ish like real industry graphs: about one
entity per five relationships, grown by preferential attachment so that a few hubs
gather most ties, with typed entities, relation types in proportions like the
sample corpus', symmetric types stored once, dates and modalities. Each size is
timed end to end as ``kg report centrality`` runs it: building the networkx graph
from store records, then every measure with the default engine (igraph). Where the
size allows, the same measures run on the networkx engine too, for the ratio.

This prints figures; it is not a test. The goal is the 1M-edge report in under
60 s on a 2-core machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import itertools
import os
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx

from kg.analysis.centrality import (
    EXACT_MAX_NODES,
    MEASURES,
    SAMPLE_BUDGET,
    SAMPLES,
    centrality_report,
)
from kg.analysis.communities import find_communities
from kg.analysis.graph import graph_from_records
from kg.ontology import MODALITIES, RELATIONS
from kg.store.base import StoredEntity, StoredRelationship

# Relation types roughly as often as in the sample corpus.
TYPE_WEIGHTS = {
    "HOSTS": 35,
    "DEVELOPS": 34,
    "FOUNDED": 29,
    "LEADS": 23,
    "INVESTS_IN": 21,
    "RIVALS": 19,
    "WORKS_FOR": 19,
    "PARTNERS_WITH": 18,
    "SUPPLIES": 10,
    "ACQUIRES": 8,
    "OWNS": 6,
}
ENTITY_WEIGHTS = {"Organization": 40, "Person": 35, "Product": 25}
EPOCH = dt.date(2019, 1, 1)


def synthetic_records(
    edges: int, seed: int = 0
) -> tuple[list[StoredEntity], list[StoredRelationship]]:
    """About ``edges`` relationships among ``edges / 5`` entities, by preferential attachment.

    Each new entity ties to five earlier ones, each picked with probability
    proportional to its ties so far (an endpoint drawn uniformly from all earlier
    ties), which gives the heavy-tailed degrees of real industry graphs.
    """
    rng = random.Random(seed)
    n = max(edges // 5, 10)
    etypes = rng.choices(list(ENTITY_WEIGHTS), list(ENTITY_WEIGHTS.values()), k=n)
    prefix = {"Organization": "org", "Person": "person", "Product": "product"}
    ids = [f"{prefix[t]}:e{i}" for i, t in enumerate(etypes)]
    entities = [StoredEntity(ids[i], f"Entity {i}", etypes[i], [], None, 1) for i in range(n)]
    rtypes = rng.choices(list(TYPE_WEIGHTS), list(TYPE_WEIGHTS.values()), k=edges * 2)
    symmetric = {name for name, spec in RELATIONS.items() if spec.symmetric}
    ends: list[int] = list(range(6))  # every tie's two ends: the attachment pool
    seen: set[tuple[str, int, int]] = set()
    relationships: list[StoredRelationship] = []
    new = 6
    while len(relationships) < edges and new < n:
        for _ in range(5):
            old = ends[rng.randrange(len(ends))]
            if old == new:
                continue
            a, b = (new, old) if rng.random() < 0.5 else (old, new)
            rtype = rtypes[len(relationships) % len(rtypes)]
            if rtype in symmetric and ids[b] < ids[a]:
                a, b = b, a
            if (rtype, a, b) in seen:
                continue
            seen.add((rtype, a, b))
            ends += (a, b)
            relationships.append(_relationship(rng, rtype, ids[a], ids[b]))
            if len(relationships) == edges:
                break
        new += 1
    return entities, relationships


def _relationship(rng: random.Random, rtype: str, source: str, target: str) -> StoredRelationship:
    counts = dict.fromkeys(MODALITIES, 0)
    support = int(rng.paretovariate(2.0))  # 1 mostly, a heavy tail of more
    for _ in range(support):
        counts[MODALITIES[min(int(rng.expovariate(2.0)), len(MODALITIES) - 1)]] += 1
    first = EPOCH + dt.timedelta(days=rng.randrange(2900))
    return StoredRelationship(
        type=rtype,
        source=source,
        target=target,
        support=support,
        documents=[f"doc:{rng.randrange(10**9)}"],
        first_seen=first,
        last_seen=first + dt.timedelta(days=rng.randrange(400)),
        confidence=0.6 + 0.3 * rng.random(),
        modality=max(MODALITIES, key=lambda m: counts[m]),
        modality_counts=counts,
    )


@dataclass
class Timing:
    edges: int
    nodes: int
    load: float  # store records -> networkx multigraph
    prepare: float  # the weighted views and the engine's own graphs
    measures: dict[str, float]
    methods: dict[str, str]
    cpu: float = 0.0  # processor seconds of the report: what a machine shared with others hides
    communities: float | None = None

    @property
    def report(self) -> float:
        """Everything ``kg report centrality`` does after reading the store."""
        return self.load + self.prepare + sum(self.measures.values())


Records = tuple[list[StoredEntity], list[StoredRelationship]]

# The networkx engine runs with networkx's own default tolerances here (kg's are
# tighter, for agreement to 1e-7): pure-Python power iteration to 1e-10 on 20,000
# nodes takes minutes. That only flatters networkx in the comparison.
NETWORKX_DEFAULTS: dict[str, Any] = {"max_iter": 100, "tol": 1e-6}


def run(records: Records, *, engine: str, seed: int, communities: bool) -> Timing:
    entities, relationships = records
    cpu = time.process_time()
    start = time.perf_counter()
    g = graph_from_records(entities, relationships)
    load = time.perf_counter() - start
    options = NETWORKX_DEFAULTS if engine == "networkx" else {}
    report = centrality_report(g, MEASURES, engine=engine, seed=seed, **options)  # type: ignore[arg-type]
    timing = Timing(
        edges=len(relationships),
        nodes=g.number_of_nodes(),
        load=load,
        prepare=report.prepare_seconds,
        measures={m: i.seconds for m, i in report.measures.items()},
        methods={m: i.method for m, i in report.measures.items()},
        cpu=time.process_time() - cpu,
    )
    if communities:
        start = time.perf_counter()
        find_communities(g, seed=seed)
        timing.communities = time.perf_counter() - start
    del g, report
    gc.collect()
    return timing


def sampling_accuracy(records: Records, seed: int, samples: int) -> str:
    """How the sampled estimates compare with the exact values on one graph."""
    g = graph_from_records(*records)
    exact = centrality_report(g, ["betweenness", "closeness"], seed=seed)
    estimate = centrality_report(
        g, ["betweenness", "closeness"], exact_max_nodes=0, samples=samples, seed=seed
    )
    parts = []
    for measure in ("betweenness", "closeness"):
        truth, guess = exact.scores[measure], estimate.scores[measure]
        top = {r.id for r in exact.ranking(measure, 20)}
        found = {r.id for r in estimate.ranking(measure, 20)}
        errors = sorted(abs(guess[n] - truth[n]) / truth[n] for n in top)
        parts.append(
            f"{measure}: {len(top & found)}/20 of the exact top 20 found, median relative "
            f"error on them {errors[len(errors) // 2]:.1%}"
        )
    return f"{samples} samples on {g.number_of_nodes():,} entities: " + "; ".join(parts)


def parse_sizes(text: str) -> list[int]:
    sizes = []
    for part in text.split(","):
        part = part.strip().lower()
        scale = {"k": 1_000, "m": 1_000_000}.get(part[-1:], 1)
        sizes.append(int(float(part.rstrip("km")) * scale))
    return sizes


def _row(cells: Sequence[object], widths: Sequence[int]) -> str:
    return "  ".join(str(c).rjust(w) for c, w in zip(cells, widths, strict=True))


HEADERS = ["edges", "nodes", "engine", "load", "prepare", *MEASURES, "report", "cpu", "louvain"]


def _print(t: Timing, engine: str, widths: Sequence[int]) -> None:
    cells = [
        f"{t.edges:,}",
        f"{t.nodes:,}",
        engine,
        f"{t.load:.2f}",
        f"{t.prepare:.2f}",
        *[f"{t.measures[m]:.2f}" for m in MEASURES],
        f"{t.report:.2f}",
        f"{t.cpu:.2f}",
        "-" if t.communities is None else f"{t.communities:.2f}",
    ]
    print(_row(cells, widths), flush=True)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--sizes", default="10k,100k,1m", help="edge counts (default 10k,100k,1m)")
    parser.add_argument(
        "--networkx-max",
        default="100k",
        help="also time the networkx engine up to this many edges (default 100k; 0: never)",
    )
    parser.add_argument(
        "--communities-max",
        default="100k",
        help="also time Louvain (networkx) up to this many edges (default 100k; 0: never)",
    )
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    sizes = parse_sizes(args.sizes)
    nx_max = parse_sizes(args.networkx_max)[0]
    louvain_max = parse_sizes(args.communities_max)[0]

    print(
        f"networkx {nx.__version__}, igraph {_igraph_version()}, {os.cpu_count()} cores. "
        f"Betweenness and closeness exact up to {EXACT_MAX_NODES:,} entities, above that from "
        f"{SAMPLE_BUDGET:,} / edges sampled sources/pivots, at least {SAMPLES}. Seconds, wall "
        "clock; cpu: processor seconds of the whole report (lower than report when the "
        "machine is shared):",
        flush=True,
    )
    widths = [max(len(h), 9) for h in HEADERS]
    print(_row(HEADERS, widths))
    fast: list[Timing] = []
    slow: dict[int, Timing] = {}
    accuracy = ""
    for size in sizes:
        records = synthetic_records(size, args.seed)
        t = run(records, engine="igraph", seed=args.seed, communities=size <= louvain_max)
        fast.append(t)
        _print(t, "igraph", widths)
        if size <= nx_max:
            slow[t.edges] = run(records, engine="networkx", seed=args.seed, communities=False)
            _print(slow[t.edges], "networkx", widths)
        if not accuracy and t.nodes <= EXACT_MAX_NODES:
            accuracy = "\n  ".join(
                sampling_accuracy(records, args.seed, k) for k in (SAMPLES, 4 * SAMPLES)
            )
        del records
        gc.collect()

    print("\nmethods at each size:")
    for t in fast:
        print(
            f"  {t.edges:>9,} edges: betweenness {t.methods['betweenness']}, "
            f"closeness {t.methods['closeness']}, eigenvector {t.methods['eigenvector']}"
        )
    if accuracy:
        print(f"\nsampling accuracy, against exact values:\n  {accuracy}")
    if len(fast) > 1:
        print("\ngrowth of the full report (igraph engine):")
        for a, b in itertools.pairwise(fast):
            print(
                f"  {a.edges:>9,} -> {b.edges:>9,} edges (x{b.edges / a.edges:.0f}): "
                f"{a.report:.2f} s -> {b.report:.2f} s, x{b.report / a.report:.1f} "
                f"(cpu {a.cpu:.2f} s -> {b.cpu:.2f} s, x{b.cpu / a.cpu:.1f})"
            )
    if slow:
        print("\nnetworkx engine / igraph engine, same graph:")
        for t in fast:
            if t.edges not in slow:
                continue
            ref = slow[t.edges]
            ratios = ", ".join(
                f"{m} x{ref.measures[m] / max(t.measures[m], 1e-3):.0f}"
                for m in ("pagerank", "betweenness", "eigenvector", "closeness")
            )
            measured = sum(ref.measures.values()) / sum(t.measures.values())
            print(
                f"  {t.edges:>9,} edges: measures x{measured:.0f} ({ratios}); "
                f"full report {ref.report:.1f} s vs {t.report:.1f} s, x{ref.report / t.report:.1f}"
            )
    big = [t for t in fast if t.edges >= 1_000_000]
    if big:
        verdict = "met" if big[-1].report < 60 else "MISSED"
        print(
            f"\ngoal, 1M edges under 60 s: {big[-1].report:.1f} s ({big[-1].cpu:.1f} s of "
            f"processor time), {verdict}"
        )


def _igraph_version() -> str:
    try:
        import igraph  # type: ignore[import-untyped]
    except ImportError:
        return "not installed"
    return str(igraph.__version__)


if __name__ == "__main__":
    main()
