"""How sure the engine is: the verdict, from the evidence of the ranking alone.

No word lists and no question patterns: only how much of the question the best
passage and section cover (idf-weighted, see `Coverage`) and how far the best section
leads the next one. docs/retrieval.md gives the measurements behind each number.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.engine.answer import Verdict
from bot.engine.index import RankedSection

# Related at all: one passage of the best section shares two of the question's keywords
# or half of their weight (a one-word question such as "hiring?" or "채용"), or the
# section as a whole shares two keywords and 40% of the weight. An unrelated question
# shares an everyday word or two at most ("time", "투자", "price").
PASSAGE_MATCHED = 2
PASSAGE_SHARE = 0.5
SECTION_MATCHED = 2
SECTION_SHARE = 0.4

# Confident: one passage covers most of the question, and the section stands out from
# the next one. A question that names what the talk mentions but asks what it does not
# say ("when is GPT-6 coming out") leaves words uncovered or matches several sections
# alike.
ANSWER_SHARE = 0.5
ANSWER_MARGIN = 0.2


def decide(ranked: Sequence[RankedSection]) -> Verdict:
    """ANSWER, CLOSEST or NONE for sections ranked best first."""
    if not ranked or not related(ranked[0]):
        return Verdict.NONE
    best = ranked[0]
    runner_up = ranked[1].score if len(ranked) > 1 else 0.0
    margin = 1 - runner_up / best.score if best.score > 0 else 0.0
    if best.passage.share >= ANSWER_SHARE and margin >= ANSWER_MARGIN:
        return Verdict.ANSWER
    return Verdict.CLOSEST


def related(best: RankedSection) -> bool:
    """Whether the best section shares enough of the question to relate to it at all."""
    passage, whole = best.passage, best.whole
    if passage.matched >= PASSAGE_MATCHED or passage.share >= PASSAGE_SHARE:
        return True
    return whole.matched >= SECTION_MATCHED and whole.share >= SECTION_SHARE
