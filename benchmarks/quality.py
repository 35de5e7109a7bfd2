#!/usr/bin/env python3
"""Answer quality on the question sets we may tune on, in one process, per set and language.

The same figures as ../shared/eval/score.py (first, shown, sure, off-topic verdicts,
confident precision), computed in-process so a change to the engine can be measured on
every set in a second or two. `--misses` lists every question not answered right.

Usage: .venv/bin/python benchmarks/quality.py [--misses] [SET.jsonl ...]
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.engine import Answer, AnswerEngine, Verdict  # noqa: E402
from bot.engine.engine import analyzers_for  # noqa: E402
from bot.engine.meaning import VECTORS_FILE, Meaning  # noqa: E402
from bot.knowledge import load_knowledge  # noqa: E402

# Only the sets that may be looked at while tuning; the blind sets are scored by the lead.
TUNING_SETS = (
    ROOT.parent / "shared" / "eval" / "dev-questions.jsonl",
    ROOT / "benchmarks" / "everyday-tune-questions.jsonl",
    ROOT / "benchmarks" / "holdout-questions.jsonl",
)


@dataclass
class Tally:
    """Counts for the on-topic questions of one language."""

    total: int = 0
    first: int = 0
    shown: int = 0
    sure: int = 0


@dataclass
class Report:
    """The figures of one question set."""

    name: str
    langs: dict[str, Tally] = field(default_factory=dict)
    off_topic: dict[str, int] = field(default_factory=lambda: {v.value: 0 for v in Verdict})
    confident: int = 0
    confident_right: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, row: dict[str, object], answer: Answer) -> None:
        """Count one question's answer."""
        got = [hit.number for hit in answer.hits]
        self.confident += answer.confident
        if row["expect"] is None:
            self.off_topic[answer.verdict.value] += 1
            if answer.confident:
                self.misses.append(f"  off-topic answered: {row['q']!r} -> {got}")
            return
        tally = self.langs.setdefault(str(row["lang"]), Tally())
        first = bool(got) and got[0] == row["expect"]
        tally.total += 1
        tally.first += first
        tally.shown += row["expect"] in got[:3]
        tally.sure += first and answer.confident
        self.confident_right += first and answer.confident
        if not (first and answer.confident):
            self.misses.append(
                f"  {answer.verdict.value}: {row['q']!r} expected {row['expect']} got {got}"
            )

    def lines(self) -> list[str]:
        """The report, one line per language and one for off-topic questions."""
        out = [f"{self.name}"]
        for lang, t in sorted(self.langs.items()):
            out.append(
                f"  {lang}: first {t.first}/{t.total} ({t.first / t.total:.2f})"
                f"  shown {t.shown}/{t.total} ({t.shown / t.total:.2f})"
                f"  sure {t.sure}/{t.total} ({t.sure / t.total:.2f})"
            )
        precision = self.confident_right / self.confident if self.confident else 1.0
        off = self.off_topic
        out.append(
            f"  off-topic: answer {off['answer']}, closest {off['closest']}, none {off['none']};"
            f"  confident precision {precision:.3f} ({self.confident_right}/{self.confident})"
        )
        return out


def evaluate(engine: AnswerEngine, path: Path) -> Report:
    """Ask every question of a set and count the outcomes."""
    report = Report(path.name)
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            report.add(row, engine.ask(row["q"]))
    return report


def main() -> None:
    """Print the figures of each set (by default every set we may tune on)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="*", type=Path, default=list(TUNING_SETS))
    parser.add_argument("--misses", action="store_true", help="list the questions missed")
    parser.add_argument("--korean-analyzer", default="mecab-ko")
    args = parser.parse_args()
    engine = AnswerEngine(
        load_knowledge(ROOT / "knowledge"),
        analyzers_for(args.korean_analyzer),
        Meaning(ROOT / "knowledge" / VECTORS_FILE),
    )
    for path in args.sets:
        report = evaluate(engine, path)
        if args.misses:
            print("\n".join(report.misses))
        print("\n".join(report.lines()))


if __name__ == "__main__":
    main()
