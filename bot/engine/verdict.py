"""How sure the engine is: the verdict, from the evidence of the ranking alone.

No word lists and no question patterns: only how much of the question the best
passage and section cover (idf-weighted, see `Coverage`) and how far the best section
leads the next one. docs/retrieval.md gives the measurements behind each number.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.engine.answer import Verdict
from bot.engine.index import Coverage, RankedSection

# Related at all: one passage of the best section shares two of the question's keywords
# or half of their weight (a one-word question such as "hiring?" or "채용"), or the
# section as a whole shares two keywords and 40% of the weight. An unrelated question
# shares an everyday word or two at most ("time", "투자", "price").
PASSAGE_MATCHED = 2
PASSAGE_SHARE = 0.5
SECTION_MATCHED = 2
SECTION_SHARE = 0.4

# Confident: one passage has two of the question's keywords and covers a good part of
# their weight, and the section stands out from the next one: it covers
# 40% and leads by 40%, or covers 60% and leads at all (10%). A question that names what
# the talk mentions but asks what it does not say ("when is GPT-6 coming out") leaves
# words uncovered or matches several sections alike.
ANSWER_MATCHED = 2
ANSWER_RULES = ((0.4, 0.4), (0.6, 0.1))  # (passage share, margin over the next section)

# Confident also when the question's meaning confirms its words: the best passage has two
# keywords (or all of them: the only way a one-word question is confident) and 40% of the
# weight (the first rule's share), and the sentence encoder puts the same section first
# by at least 0.01 of cosine, in place of the first rule's lead.
# Two signals agreeing are evidence a lead in one of them is not (docs/retrieval.md).
CONFIRMED_SHARE = 0.4
CONFIRMED_LEAD = 0.01


def decide(ranked: Sequence[RankedSection]) -> Verdict:
    """ANSWER, CLOSEST or NONE for sections ranked best first."""
    if not ranked or not related(ranked[0]):
        return Verdict.NONE
    passage = ranked[0].passage
    if passage.matched < ANSWER_MATCHED and ranked[0].title.share < 1:
        # One keyword is one word of evidence: enough when it names the topic ("hiring?",
        # "채용"), not when one passage happens to use it ("help", "thanks!"); then only
        # the meaning may confirm it (`confirmed`).
        return Verdict.CLOSEST
    lead = margin(ranked)
    if any(passage.share >= share and lead >= need for share, need in ANSWER_RULES):
        return Verdict.ANSWER
    return Verdict.CLOSEST


def margin(ranked: Sequence[RankedSection]) -> float:
    """How far the best section leads the next: 1 - second score / best score."""
    if not ranked or ranked[0].score <= 0:
        return 0.0
    runner_up = ranked[1].score if len(ranked) > 1 else 0.0
    return 1 - runner_up / ranked[0].score


def confirmable(best: RankedSection) -> bool:
    """Whether the words' best passage has enough of the question for the meaning to confirm."""
    return _enough_keywords(best.passage) and best.passage.share >= CONFIRMED_SHARE


def confirmed(best: RankedSection, nearest: int, lead: float) -> bool:
    """Whether the meaning confirms the words: it puts `best` first too, `lead` ahead."""
    return confirmable(best) and best.section.number == nearest and lead >= CONFIRMED_LEAD


def _enough_keywords(passage: Coverage) -> bool:
    # Two of the question's keywords, or all of them (a one-word question).
    return passage.matched >= ANSWER_MATCHED or passage.share >= 1


def related(best: RankedSection) -> bool:
    """Whether the best section shares enough of the question to relate to it at all."""
    passage, whole = best.passage, best.whole
    if passage.matched >= PASSAGE_MATCHED or passage.share >= PASSAGE_SHARE:
        return True
    return whole.matched >= SECTION_MATCHED and whole.share >= SECTION_SHARE
