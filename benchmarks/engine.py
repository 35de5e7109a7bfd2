#!/usr/bin/env python3
"""Benchmark the answer engine and print its figures.

Cold start (process start to first answer), index build time, per-question time p50/p95
over the question set (and how much of it the sentence encoder takes), peak memory, answer
quality per Korean analyzer, and per-question time over synthetic knowledge of 1,000,
10,000 and 100,000 passages (ranking only).

Usage: .venv/bin/python benchmarks/engine.py [--questions FILE] [--sizes 1000,10000,100000]
       [--analyzers mecab-ko,kiwi] [--runs 5]
An empty --sizes skips the synthetic knowledge.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.engine import AnswerEngine  # noqa: E402
from bot.engine.engine import RESULTS, analyzers_for  # noqa: E402
from bot.engine.index import SectionIndex  # noqa: E402
from bot.engine.meaning import VECTORS_FILE, Meaning, Vectors  # noqa: E402
from bot.knowledge import Knowledge, Passage, Section, load_knowledge  # noqa: E402

sys.path.insert(0, str(ROOT / "benchmarks"))
from quality import evaluate  # noqa: E402

DEFAULT_QUESTIONS = ROOT.parent / "shared" / "eval" / "dev-questions.jsonl"
FALLBACK_QUESTIONS = ROOT / "benchmarks" / "holdout-questions.jsonl"
# A process's first answer, timed for two first questions: one the words answer surely
# (the encoder is never loaded), and one they are not sure of (it loads the encoder and
# embeds the question); the run says which each one was.
FIRST_QUESTIONS = {
    "words": "채용은 어떻게 바뀌나요?",
    "meaning": "AI 때문에 부자만 더 부자 되는 거 아닌가요?",
}


def main() -> None:
    """Run every benchmark and print one block of figures per benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=None)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--runs", type=int, default=5, help="cold-start runs per analyzer")
    parser.add_argument("--analyzers", default="mecab-ko,kiwi", help="Korean analyzers to run")
    args = parser.parse_args()
    path = args.questions or (
        DEFAULT_QUESTIONS if DEFAULT_QUESTIONS.exists() else FALLBACK_QUESTIONS
    )
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    questions = [row["q"] for row in rows]
    knowledge = load_knowledge(ROOT / "knowledge")
    print(f"questions: {path.name} ({len(questions)}); python {sys.version.split()[0]}")
    for analyzer in args.analyzers.split(","):
        print(f"\n== Korean analyzer: {analyzer}")
        engine, encoder = build(knowledge, analyzer)
        cold_start(analyzer, args.runs, engine, encoder)
        per_question(engine, encoder, questions)
        quality(engine, path)
        peak_memory(analyzer, questions)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    if sizes:
        print("\n== synthetic knowledge (mecab-ko)")
    for size in sizes:
        synthetic(knowledge, size, questions)


def cold_start(analyzer: str, runs: int, engine: AnswerEngine, encoder: TimedEncoder) -> None:
    """Wall time of `townhall ask` in a new process, the way a member's first query pays it."""
    command = [sys.executable, "-m", "bot.cli", "ask", "--korean-analyzer", analyzer]
    for kind, question in FIRST_QUESTIONS.items():
        encoder.spent = 0.0
        engine.ask(question)
        asked = "asks the encoder" if encoder.spent else "the words answer it"
        times = []
        for _ in range(runs + 1):
            start = time.perf_counter()
            subprocess.run([*command, question], check=True, capture_output=True)
            times.append(time.perf_counter() - start)
        times = times[1:]  # the first run warms the file cache
        print(
            f"cold start to first answer ({kind} question: {asked}): "
            f"median {statistics.median(times):.3f} s "
            f"(min {min(times):.3f}, max {max(times):.3f}, {runs} runs)"
        )


class TimedEncoder:
    """The real sentence encoder, loaded on first use, adding up the time its queries take."""

    def __init__(self) -> None:
        self._source = Meaning()
        self.spent = 0.0

    def query(self, text: str) -> Vectors:
        """The question's vector, timed."""
        start = time.perf_counter()
        vector = self._source.encoder.query(text)
        self.spent += time.perf_counter() - start
        return vector

    def passage(self, texts: list[str]) -> Vectors:
        """The passages' vectors (only those missing from the vectors file)."""
        return self._source.encoder.passage(texts)


def build(knowledge: Knowledge, analyzer: str) -> tuple[AnswerEngine, TimedEncoder]:
    """Build the engine and print how long loading the analyzer and indexing took."""
    start = time.perf_counter()
    analyzers = analyzers_for(analyzer)
    loaded = time.perf_counter()
    encoder = TimedEncoder()
    meaning = Meaning(ROOT / "knowledge" / VECTORS_FILE, encoder)
    engine = AnswerEngine(knowledge, analyzers, meaning)
    done = time.perf_counter()
    load_ms, build_ms = 1000 * (loaded - start), 1000 * (done - loaded)
    note = f" ({meaning.added} passages embedded: not in the vectors file)" if meaning.added else ""
    print(f"analyzer load {load_ms:.1f} ms, index build {build_ms:.1f} ms{note}")
    return engine, encoder


def per_question(engine: AnswerEngine, encoder: TimedEncoder, questions: list[str]) -> None:
    """Per-question time over the question set, after one warm-up pass, and its split.

    The engine asks the encoder only when the words are not sure. For those questions,
    the encoder's share is the time in its query call (the question's vector); the rest
    is the words' side (analysis, bridges, BM25) with the excerpt and the cosines.
    """
    for question in questions:
        engine.ask(question)
    times, encoded = [], []
    for _ in range(5):
        for question in questions:
            encoder.spent = 0.0
            start = time.perf_counter()
            engine.ask(question)
            times.append(time.perf_counter() - start)
            encoded.append(encoder.spent)
    print(f"per question: p50 {_ms(times, 50)} ms, p95 {_ms(times, 95)} ms ({len(times)} asks)")
    words = [total for total, spent in zip(times, encoded, strict=True) if not spent]
    meant = [(total, spent) for total, spent in zip(times, encoded, strict=True) if spent]
    if words:
        print(f"  words only: p50 {_ms(words, 50)} ms, p95 {_ms(words, 95)} ms ({len(words)} asks)")
    if meant:
        totals = [total for total, _ in meant]
        spent = [spent for _, spent in meant]
        rest = [total - spent for total, spent in meant]
        print(
            f"  asking the encoder too: p50 {_ms(totals, 50)} ms, p95 {_ms(totals, 95)} ms "
            f"({len(meant)} asks); of which the encoder p50 {_ms(spent, 50)} ms, "
            f"p95 {_ms(spent, 95)} ms, the rest p50 {_ms(rest, 50)} ms, p95 {_ms(rest, 95)} ms"
        )


def quality(engine: AnswerEngine, path: Path) -> None:
    """First / shown / sure per language and the off-topic verdicts on the question set."""
    print("quality: " + " |".join(evaluate(engine, path).lines()[1:]))


def peak_memory(analyzer: str, questions: list[str]) -> None:
    """Peak resident memory of a whole `townhall ask --json -` batch process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    subprocess.run(
        [sys.executable, "-m", "bot.cli", "ask", "--json", "--korean-analyzer", analyzer, "-"],
        input="\n".join(questions),
        text=True,
        check=True,
        capture_output=True,
    )
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    note = "" if peak > before else " (an earlier child was larger; run alone to measure)"
    print(f"peak memory of a batch process: {peak / 1024:.0f} MB{note}")


def synthetic(knowledge: Knowledge, size: int, questions: list[str]) -> None:
    """Index `size` passages recombined from the real sentences and time the questions."""
    rng = random.Random(size)
    analyzers = analyzers_for("mecab-ko")
    for lang in ("ko", "en"):
        words = [w for s in knowledge.sections(lang) for p in s.passages for w in p.text.split()]
        per_section = 10
        sections = []
        for number in range(size // per_section):
            passages = tuple(
                Passage(number, i, " ".join(rng.choices(words, k=rng.randint(20, 60))))
                for i in range(per_section)
            )
            sections.append(
                Section(
                    "synthetic", lang, number, f"Topic {number}", (), passages, "https://youtu.be/x"
                )
            )
        start = time.perf_counter()
        index = SectionIndex(sections, analyzers[lang])
        built = time.perf_counter() - start
        asked = [q for q in questions if (lang == "ko") == any("가" <= c <= "힣" for c in q)]
        for question in asked:
            index.rank(index.analyze(question), RESULTS)
        times = []
        for question in asked:
            start = time.perf_counter()
            index.rank(index.analyze(question), RESULTS)
            times.append(time.perf_counter() - start)
        p50, p95 = _ms(times, 50), _ms(times, 95)
        label = f"{size:>7} passages [{lang}]"
        print(f"{label}: build {built:.1f} s, per question p50 {p50} ms, p95 {p95} ms")


def _ms(times: list[float], percentile: int) -> str:
    ordered = sorted(times)
    index = min(len(ordered) - 1, round(percentile / 100 * (len(ordered) - 1)))
    return f"{1000 * ordered[index]:.2f}"


if __name__ == "__main__":
    main()
