"""What a member is told after a vote, decided once for both platforms."""

from __future__ import annotations

import pytest

from bot.engine import Verdict
from bot.knowledge import Knowledge
from bot.phrases import phrase
from bot.store import AsyncStore
from bot.usage import Asked, Ballot, ChannelKind, UsageRecorder, Vote
from bot.usage.feedback import acknowledge
from tests.adapters.verdicts import constructed
from tests.fakes.clock import ManualClock
from tests.usage.conftest import VOTE_KEYS


@pytest.fixture
async def recorder(
    knowledge: Knowledge, async_store: AsyncStore, clock: ManualClock
) -> UsageRecorder:
    """A recorder holding one Korean answer, "k1", that offered topics 19, 3 and 8."""
    usage = UsageRecorder(async_store, clock, keep_questions=False, vote_keys=VOTE_KEYS)
    answer = constructed(knowledge, Verdict.ANSWER, [19, 3, 8], lang="ko")
    usage.record(Asked("k1", "slack", "T1", ChannelKind.THREAD, answer))
    await usage.settle()
    return usage


async def test_a_vote_is_thanked_in_the_answers_language_whatever_the_fallback(
    recorder: UsageRecorder, knowledge: Knowledge
) -> None:
    said = await acknowledge(recorder, knowledge, Ballot("k1", "slack", "U1", Vote.UP), "en")
    assert said == type(said)(phrase("vote_thanks", "ko"))


async def test_a_thumbs_down_offers_the_answers_other_topics_and_a_change_says_so(
    recorder: UsageRecorder, knowledge: Knowledge
) -> None:
    await acknowledge(recorder, knowledge, Ballot("k1", "slack", "U1", Vote.UP), "en")
    said = await acknowledge(recorder, knowledge, Ballot("k1", "slack", "U1", Vote.DOWN), "en")
    assert said.text == phrase("vote_changed", "ko")
    assert [(s.number, s.lang) for s in said.others] == [(3, "ko"), (8, "ko")]
    assert said.kept


async def test_a_vote_on_an_answer_not_on_record_uses_the_fallback_and_offers_nothing(
    recorder: UsageRecorder, knowledge: Knowledge
) -> None:
    ballot = Ballot("0123456789abcdef", "discord", "M1", Vote.DOWN)
    said = await acknowledge(recorder, knowledge, ballot, "en")
    assert (said.text, said.others, said.kept) == (phrase("vote_thanks", "en"), (), True)


async def test_with_recording_off_the_vote_is_not_kept_and_the_member_is_told(
    knowledge: Knowledge,
) -> None:
    said = await acknowledge(None, knowledge, Ballot("k1", "discord", "M1", Vote.UP), "ko")
    assert (said.text, said.kept) == (phrase("vote_unavailable", "ko"), False)
