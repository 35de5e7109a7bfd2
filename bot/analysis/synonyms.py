"""English words that stand in for the talk's words, from WordNet (generated, see below).

A member writes "kids" where the talk says "children", "preschoolers" where it says
"kindergartners". `data/wordnet-en.tsv` maps the stem of such a word to the stems of the
knowledge words WordNet relates it to (synonyms, derived forms, similar adjectives, one
step up or down the hypernym tree); benchmarks/make_synonyms.py generates it from
Debian's WordNet 3.0 and the knowledge, and its header carries WordNet's licence.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

SYNONYMS_FILE = Path(__file__).resolve().parent / "data" / "wordnet-en.tsv"


class Synonyms:
    """Stems of related knowledge words, by the stem of a member's word."""

    def __init__(self, table: dict[str, tuple[str, ...]]) -> None:
        self._table = table

    def __len__(self) -> int:
        return len(self._table)

    def of(self, stem: str) -> tuple[str, ...]:
        """The knowledge stems related to `stem` (none when WordNet relates none)."""
        return self._table.get(stem, ())


@cache
def wordnet_synonyms(path: Path = SYNONYMS_FILE) -> Synonyms:
    """The generated WordNet table, read once per process."""
    table: dict[str, tuple[str, ...]] = {}
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.startswith("#") or "\t" not in line:
                continue
            stem, _, related = line.rstrip("\n").partition("\t")
            table[stem] = tuple(related.split())
    return Synonyms(table)
