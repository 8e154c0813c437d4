"""Extraction speed, build memory and rebuild time, on the sample corpus repeated.

    python benchmarks/extract.py                      # 200,000 words, 1 process
    python benchmarks/extract.py --processes 2        # also the speed-up at 2 processes
    python benchmarks/extract.py --words 20000 --profile

What it prints, each figure with its goal:

- words/second of the full ``kg`` extraction (:meth:`kg.extract.Extractor.extract_many`)
  and of the bare spaCy pipeline it starts from (``load_model().pipe``), same texts,
  same batch size, same run, and their ratio (goal: kg at least 0.85x bare spaCy);
- with ``--processes N``: both again with N processes, and the speed-ups;
- peak memory of a ``kg build`` of the corpus, in a child process (goal: under 1 GB);
- the time of that build and of a second build of the unchanged corpus, which skips
  every document (goal: under 5% of the first);
- with ``--profile``: where the kg extraction spends its time beyond spaCy, by
  function, for the kg code only.

The machine's load average is printed with the figures: they mean little without it.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from kg.extract import Extractor
from kg.ingest import iter_documents
from kg.models import Document
from kg.nlp.pipeline import load_model
from kg.settings import get_settings

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "examples" / "news"
KG = Path(sys.executable).with_name("kg")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n")

GOAL_RATIO = 0.85
GOAL_MEMORY_MB = 1024
GOAL_REBUILD = 0.05


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} CPUs"


def make_corpus(directory: Path, words: int) -> int:
    """Copies of the sample corpus (Markdown and JSON Lines, ids made unique) until
    they hold at least ``words`` words; returns the number of documents."""
    sample = [d for d in iter_documents([SAMPLES]) if isinstance(d, Document)]
    per_copy = sum(len(d.text.split()) for d in sample if not d.path or "html" not in d.path)
    copies = -(-words // per_copy)
    n = 0
    for k in range(copies):
        target = directory / f"copy-{k:03d}"
        target.mkdir(parents=True)
        for md in sorted(SAMPLES.glob("*.md")):
            text = md.read_text("utf-8")
            text = _FRONT_MATTER.sub(f"---\nid: copy-{k:03d}-{md.stem}\n", text, count=1)
            (target / md.name).write_text(text, encoding="utf-8")
            n += 1
        for jsonl in sorted(SAMPLES.rglob("*.jsonl")):
            records = [json.loads(line) for line in jsonl.read_text("utf-8").splitlines()]
            with (target / jsonl.name).open("w", encoding="utf-8") as fh:
                for record in records:
                    fh.write(json.dumps({**record, "id": f"copy-{k:03d}-{record['id']}"}) + "\n")
                    n += 1
    return n


def timed(label: str, words: int, run: Callable[[], Any]) -> float:
    start = time.perf_counter()
    run()
    seconds = time.perf_counter() - start
    rate = words / seconds
    print(f"  {label:<34} {rate:8,.0f} words/s  ({seconds:6.1f} s; {load()})", flush=True)
    return rate


def drain(items: Iterable[Any]) -> None:
    for _ in items:
        pass


def speed(documents: list[Document], words: int, processes: int, batch_size: int) -> None:
    print(f"\nextraction speed: {len(documents):,} documents, {words:,} words")
    kg = Extractor(batch_size=batch_size)
    bare = load_model()
    drain(kg.extract_many(documents[:8]))  # warm up both
    drain(bare.pipe([d.text for d in documents[:8]]))
    texts = [d.text for d in documents]
    rates: dict[tuple[str, int], float] = {}
    for n in sorted({1, processes}):
        kg.n_process = n
        procs = f"{n} process{'es' if n > 1 else ''}"

        def spacy_only(n: int = n) -> None:
            drain(bare.pipe(texts, batch_size=batch_size, n_process=n))

        def full() -> None:
            drain(kg.extract_many(documents))

        rates["bare", n] = timed(f"bare spaCy, {procs}", words, spacy_only)
        rates["kg", n] = timed(f"kg extraction, {procs}", words, full)
        ratio = rates["kg", n] / rates["bare", n]
        verdict = "meets" if ratio >= GOAL_RATIO else "misses"
        print(f"  kg / bare spaCy at {n}: {ratio:.2f}x ({verdict} the goal of {GOAL_RATIO}x)")
    if processes > 1:
        for what in ("bare", "kg"):
            up = rates[what, processes] / rates[what, 1]
            print(f"  speed-up of {what} at {processes} processes: {up:.2f}x")


def profile(documents: list[Document], words: int, batch_size: int, top: int = 15) -> None:
    kg = Extractor(batch_size=batch_size)
    drain(kg.extract_many(documents[:8]))
    profiler = cProfile.Profile()
    profiler.enable()
    drain(kg.extract_many(documents))
    profiler.disable()
    stats = pstats.Stats(profiler)
    total = stats.total_tt  # type: ignore[attr-defined]
    print(f"\nprofile of kg extraction ({words:,} words, {total:.1f} s under the profiler)")
    entries: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    spacy_pipe = sum(
        v[3] for (file, _, name), v in entries.items() if name == "pipe" and "language.py" in file
    )
    print(f"  spaCy's nlp.pipe, all components: {spacy_pipe:.1f} s ({spacy_pipe / total:.0%})")
    ours = [(key, v) for key, v in entries.items() if f"{os.sep}kg{os.sep}" in key[0]]
    for title, index in (("cumulative", 3), ("own time", 2)):
        print(f"  kg functions by {title}:")
        for (file, line, name), v in sorted(ours, key=lambda kv: -kv[1][index])[:top]:
            where = f"{Path(file).relative_to(ROOT)}:{line}({name})"
            print(f"    {v[index]:6.2f} s {v[index] / total:5.1%}  {v[1]:>8} calls  {where}")


def build_figures(corpus: Path, words: int, processes: int) -> None:
    print(f"\nkg build of {words:,} words ({processes} process{'es' if processes > 1 else ''})")
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "kg.db"
        first = run_build(corpus, db, processes)
        rss = first["max_rss_mb"]
        verdict = "meets" if rss < GOAL_MEMORY_MB else "misses"
        print(
            f"  first build: {first['seconds']:.1f} s, peak memory {rss:,.0f} MB "
            f"({verdict} the goal of {GOAL_MEMORY_MB:,} MB); {first['summary']}"
        )
        second = run_build(corpus, db, processes)
        ratio = second["seconds"] / first["seconds"]
        verdict = "meets" if ratio < GOAL_REBUILD else "misses"
        print(
            f"  unchanged rebuild: {second['seconds']:.2f} s = {ratio:.1%} of the first "
            f"({verdict} the goal of {GOAL_REBUILD:.0%}); {second['summary']}"
        )
        print(f"  ({load()})")


def run_build(corpus: Path, db: Path, processes: int) -> dict[str, Any]:
    """``kg build`` in a child process: its time, peak memory and report."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        args = [str(KG), "build", str(corpus), "--db", str(db), "-q", "--json"]
        proc = subprocess.Popen(
            [*args, "--processes", str(processes)], stdout=out, stderr=err, env=env
        )
        _, status, usage = os.wait4(proc.pid, 0)  # this child's usage (and its workers')
        proc.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        if proc.returncode != 0:
            raise SystemExit(f"kg build failed ({proc.returncode}): {err.read()}")
        report = json.load(out)
    summary = (
        f"{report['read']:,} read, {report['unchanged']:,} unchanged, "
        f"{report['extracted']:,} extracted"
    )
    return {"seconds": seconds, "max_rss_mb": usage.ru_maxrss / 1024, "summary": summary}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--words", type=int, default=200_000, help="corpus size (words)")
    parser.add_argument("--processes", type=int, default=1, help="also measure N processes")
    parser.add_argument("--batch-size", type=int, default=get_settings().batch_size)
    parser.add_argument("--profile", action="store_true", help="profile the kg extraction")
    parser.add_argument("--no-speed", action="store_true", help="skip the speed comparison")
    parser.add_argument("--no-build", action="store_true", help="skip the build figures")
    args = parser.parse_args(argv)

    print(f"kg benchmark: {load()}; batch size {args.batch_size}")
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        n = make_corpus(corpus, args.words)
        documents = [d for d in iter_documents([corpus]) if isinstance(d, Document)]
        words = sum(len(d.text.split()) for d in documents)
        print(f"corpus: {n:,} documents, {words:,} words (examples/news repeated)")
        if not args.no_speed:
            speed(documents, words, args.processes, args.batch_size)
        if args.profile:
            profile(documents, words, args.batch_size)
        if not args.no_build:
            build_figures(corpus, words, args.processes)


if __name__ == "__main__":
    main()
