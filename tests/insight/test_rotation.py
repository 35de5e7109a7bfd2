"""The rotation deals every topic once a round, never twice in a row, across knowledge edits."""

from __future__ import annotations

import datetime as dt
import itertools
import random

import pytest

from bot.insight.rotation import Topic, TopicSet, round_order, topic_of_day, with_topics

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


@pytest.mark.parametrize("taken_out_at", [0, 3, 10, 22])
def test_a_topic_taken_out_keeps_the_days_dealt_and_is_not_dealt_again(taken_out_at: int) -> None:
    before = dealt(range(8), [], TALK)
    removed = before[taken_out_at % 8]  # a topic already dealt, or one still to come
    kept = [t for t in TALK if t != removed]
    stored = [TopicSet(START, tuple(TALK))]
    # The knowledge lost it today (day 8); the set without it is stored from tomorrow.
    today = dealt(range(8, 9), stored, kept)
    sets = [*stored, TopicSet(START + dt.timedelta(days=9), tuple(kept))]

    days = before + today + dealt(range(9, 3 * len(TALK)), sets, kept)

    assert days[:8] == before  # every process agrees on the days dealt
    assert removed not in days[8:]
    assert all(a != b for a, b in itertools.pairwise(days))
    assert sorted(days[: len(TALK) - (removed not in before)]) == sorted(
        set(TALK) - ({removed} if removed not in before else set())
    )


def test_a_topic_taken_out_on_its_own_day_gives_that_day_another_and_never_comes_back() -> None:
    before = dealt(range(8), [], TALK)
    stored = [TopicSet(START, tuple(TALK))]
    today = START + dt.timedelta(days=8)
    removed = topic_of_day(today, START, stored, TALK)
    kept = tuple(t for t in TALK if t != removed)

    sets = with_topics(today, START, stored, kept)
    days = before + dealt(range(8, 3 * len(TALK)), sets, list(kept))

    assert sets[-1] == TopicSet(today + dt.timedelta(days=1), kept)
    assert days[8] != removed  # that day shows another topic
    assert removed not in days[8:]
    assert all(a != b for a, b in itertools.pairwise(days))
    # The round the topic was taken out of shows every other topic once.
    assert sorted(days[: len(kept)]) == sorted(kept)


@pytest.mark.parametrize("seed", range(40))
def test_talks_added_and_topics_taken_out_at_random_never_show_a_topic_two_days_running(
    seed: int,
) -> None:
    chance = random.Random(seed)
    topics = list(TALK[:10])
    spare = [("talk-c", n) for n in range(1, 30)]
    sets: list[TopicSet] = []
    shown: list[Topic] = []
    for n in range(120):
        day = START + dt.timedelta(days=n)
        change = chance.random() < 0.15
        before_post = chance.random() < 0.5
        if change:
            if chance.random() < 0.5 and len(topics) > 4:
                topics.remove(chance.choice(topics))
            else:
                topics.append(spare.pop(0))
        knowledge_at_post = tuple(topics) if (change and before_post) else current_or(sets, topics)
        sets = with_topics(day, START, sets, knowledge_at_post)
        shown.append(topic_of_day(day, START, sets, knowledge_at_post))
        # A change after the post is seen by the next process that asks that day.
        sets = with_topics(day, START, sets, tuple(topics))

    assert all(a != b for a, b in itertools.pairwise(shown)), shown


def test_a_talk_replaced_outright_before_a_post_never_shows_a_topic_two_days_running() -> None:
    stored = [TopicSet(START, tuple(TALK))]
    today = START + dt.timedelta(days=5)
    sets = with_topics(today, START, stored, tuple(SECOND))

    days = dealt(range(5), [], TALK) + dealt(range(5, 5 + 2 * len(SECOND)), sets, SECOND)

    assert all(a != b for a, b in itertools.pairwise(days))
    assert sorted(days[5 : 5 + len(SECOND)]) == sorted(SECOND)


def current_or(sets: list[TopicSet], topics: list[Topic]) -> tuple[Topic, ...]:
    """The topics the process posting saw: the newest stored, or the knowledge's at first."""
    return sets[-1].topics if sets else tuple(topics)


def test_a_change_seen_on_a_day_counts_from_the_next_and_the_same_topics_change_nothing() -> None:
    stored = [TopicSet(START, tuple(TALK))]
    day = START + dt.timedelta(days=5)
    assert with_topics(day, START, stored, tuple(TALK)) == stored
    assert with_topics(day, START, [], tuple(TALK)) == stored
    grown = tuple(TALK + SECOND)
    assert with_topics(day, START, stored, grown)[-1] == TopicSet(day + dt.timedelta(days=1), grown)


def test_two_topics_alternate_and_a_far_day_is_dealt_at_once() -> None:
    pair = TALK[:2]
    days = dealt(range(40), [], pair)
    assert all(a != b for a, b in itertools.pairwise(days))
    far = topic_of_day(dt.date(9999, 12, 31), START, [], pair)
    assert far == days[(dt.date(9999, 12, 31) - START).days % 2]


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
