"""The rotation deals every topic once a round, never twice in a row, across knowledge edits."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from bot.insight.rotation import Topic, TopicSet, round_order, topic_of_day

START = dt.date(2026, 1, 28)
TALK = [("talk-a", n) for n in range(1, 24)]  # 23 topics, as the shipped talk has
SECOND = [("talk-b", n) for n in range(1, 24)]  # a second talk added later


def dealt(days: range, sets: list[TopicSet], available: list[Topic]) -> list[Topic]:
    return [topic_of_day(START + dt.timedelta(days=d), START, sets, available) for d in days]


def test_each_round_deals_every_topic_once_and_never_the_same_topic_two_days_running() -> None:
    days = dealt(range(50 * len(TALK)), [], TALK)

    rounds = [days[i : i + len(TALK)] for i in range(0, len(days), len(TALK))]
    assert all(sorted(r) == sorted(TALK) for r in rounds)
    assert all(a != b for a, b in itertools.pairwise(days))
    # The hash order would have repeated a topic across some round boundary: swapped.
    boundaries = [
        c for c in range(1, 50) if round_order(c, TALK)[0] == round_order(c - 1, TALK)[-1]
    ]
    assert boundaries


@pytest.mark.parametrize("added_on", [0, 1, 5, 22, 23, 24, 200])
def test_a_talk_added_mid_round_deals_the_rest_of_the_round_then_rounds_of_both(
    added_on: int,
) -> None:
    since = START + dt.timedelta(days=added_on)
    sets = [TopicSet(START, tuple(TALK)), TopicSet(since, tuple(TALK + SECOND))]
    before = dealt(range(added_on), [], TALK)
    horizon = range(added_on + 4 * len(TALK + SECOND))

    days = dealt(horizon, sets, TALK + SECOND)

    assert days[:added_on] == before  # the days already dealt keep their topics
    # The round in progress when the talk came: what it had dealt, then every topic it had
    # not, the new talk's included, each once; then whole rounds of both talks.
    in_progress = added_on % len(TALK)
    first_round = days[added_on - in_progress : added_on - in_progress + len(TALK + SECOND)]
    assert sorted(first_round) == sorted(TALK + SECOND)
    rest = days[added_on - in_progress + len(TALK + SECOND) :]
    whole = [rest[i : i + len(TALK + SECOND)] for i in range(0, len(rest), len(TALK + SECOND))]
    assert all(sorted(r) == sorted(TALK + SECOND) for r in whole if len(r) == len(TALK + SECOND))
    assert all(a != b for a, b in itertools.pairwise(days))


def test_a_topic_taken_out_is_not_dealt_again_and_the_round_still_covers_the_rest() -> None:
    removed = round_order(0, TALK)[10]
    kept = [t for t in TALK if t != removed]
    since = START + dt.timedelta(days=5)
    sets = [TopicSet(START, tuple(TALK)), TopicSet(since, tuple(kept))]

    days = dealt(range(5 + 3 * len(TALK)), sets, kept)

    assert removed not in days[5:]
    assert sorted(days[: len(kept)]) == sorted(kept)


def test_a_stored_set_naming_topics_this_knowledge_lacks_deals_only_known_ones() -> None:
    # Another replica, already on a newer knowledge, stored a set with a talk not here yet.
    sets = [
        TopicSet(START, tuple(TALK)),
        TopicSet(START + dt.timedelta(days=3), tuple(TALK + SECOND)),
    ]

    days = dealt(range(60), sets, TALK)

    assert set(days) <= set(TALK)


def test_a_day_before_the_rotation_is_refused_and_no_topics_is_a_lookup_error() -> None:
    with pytest.raises(ValueError, match="before the first insight day"):
        topic_of_day(START - dt.timedelta(days=1), START, [], TALK)
    with pytest.raises(LookupError):
        topic_of_day(START, START, [], [])
